//! Notification handlers: each applies its change to the world at once, in
//! arrival order (tower-lsp may run the next message as soon as a handler
//! awaits, so none does), and queues the CPU work for the writer thread.

use std::sync::Arc;

use ropey::Rope;
use tower_lsp_server::ls_types::*;

use crate::lsp::from_proto;
use crate::lsp::world::{self, Job, OpenDoc, World};

pub fn did_open(world: &World, params: DidOpenTextDocumentParams) {
    let doc = params.text_document;
    let Some(path) = from_proto::path(&doc.uri) else {
        world
            .log
            .warn(format!("ignoring non-file document {}", doc.uri.as_str()));
        return;
    };
    let mut st = world.state();
    let seq = st.docs.get(&doc.uri).map_or(1, |d| d.seq + 1);
    let open = OpenDoc {
        path,
        rope: Rope::from_str(&doc.text),
        version: doc.version,
        seq,
        published: 0,
        syntax: Arc::default(),
    };
    st.docs.insert(doc.uri.clone(), open);
    drop(st);
    world.send(Job::Buffer {
        uri: doc.uri,
        seq,
        edits: vec![],
    });
}

pub fn did_change(world: &World, params: DidChangeTextDocumentParams) {
    let uri = params.text_document.uri;
    let version = params.text_document.version;
    let enc = world.encoding();
    let mut st = world.state();
    let Some(doc) = st.docs.get_mut(&uri) else {
        world.log.warn(format!(
            "didChange for a document that is not open: {}",
            uri.as_str()
        ));
        return;
    };
    if version <= doc.version {
        world.log.warn(format!(
            "{}: version went from {} to {version}; applying the change anyway",
            uri.as_str(),
            doc.version
        ));
    }
    let mut edits = Vec::new();
    for change in params.content_changes {
        let range = change.range.map(|r| (r.start, r.end));
        let edit = world::apply_change(&mut doc.rope, range, &change.text, enc);
        if change.range.is_none() {
            edits.clear(); // A full replacement: the syntax tree is rebuilt.
        }
        edits.push(edit);
    }
    doc.version = version;
    doc.seq += 1;
    let seq = doc.seq;
    drop(st);
    world.send(Job::Buffer { uri, seq, edits });
}

pub fn did_close(world: &World, params: DidCloseTextDocumentParams) {
    let removed = world.state().docs.remove(&params.text_document.uri);
    world.tokens.forget(&params.text_document.uri);
    if let Some(doc) = removed {
        world.send(Job::Closed(doc.path));
    }
}

/// Applies pushed settings; true when the client sent a bare notice and the
/// settings must be pulled.
pub fn did_change_configuration(world: &World, params: DidChangeConfigurationParams) -> bool {
    // Some editors push the settings, others send a bare notice to pull them.
    match params.settings.get("carnet") {
        Some(settings) => {
            world.set_editor_settings(settings);
            false
        }
        None => world.caps().configuration,
    }
}

pub fn did_change_watched_files(world: &World, params: DidChangeWatchedFilesParams) {
    for change in params.changes {
        if let Some(path) = from_proto::path(&change.uri) {
            world.send(Job::Disk(path));
        }
    }
}

pub fn did_change_workspace_folders(world: &World, params: DidChangeWorkspaceFoldersParams) {
    for removed in params.event.removed {
        if let Some(p) = from_proto::path(&removed.uri) {
            world.remove_root(p);
        }
    }
    for added in params.event.added {
        if let Some(p) = from_proto::path(&added.uri) {
            world.add_root(p);
        }
    }
}

pub fn did_rename_files(world: &World, params: RenameFilesParams) {
    for f in params.files {
        // The editor moved these itself (its links came from willRenameFiles):
        // not moves made behind its back.
        if let Some((old, new)) = from_proto::file_rename(&f) {
            world.moves.editor_moved(old, new);
        }
        for uri in [f.old_uri, f.new_uri] {
            if let Some(path) = from_proto::path_of_str(&uri) {
                world.send(Job::Disk(path));
            }
        }
    }
}
