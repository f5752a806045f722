//! Rename at the protocol edge: reading texts with their versions, checks
//! against the disk, and turning a [`Plan`] into a `WorkspaceEdit`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tower_lsp_server::jsonrpc::{Error, ErrorCode};
use tower_lsp_server::ls_types::*;

use super::convert::Encoding;
use super::world::{World, uri_for};
use crate::answers::{Plan, RenameError};
use crate::names::fold;
use crate::text::{Lines, utf16_len};
use crate::vault::same_file;

/// `RequestFailed` (LSP 3.17): the request was valid but could not be done;
/// editors show the message.
pub fn error(e: RenameError) -> Error {
    Error {
        code: ErrorCode::ServerError(-32803),
        message: e.to_string().into(),
        data: None,
    }
}

/// Reads notes for a rename (the buffer if open, else the disk) and keeps
/// each text with the buffer version it belongs to, so every edit is
/// positioned in, and versioned for, exactly the text it was computed from.
pub struct Reader {
    world: Arc<World>,
    root: PathBuf,
    read: Mutex<HashMap<String, (String, Option<i32>)>>,
}

impl Reader {
    pub fn new(world: Arc<World>, root: &Path) -> Reader {
        Reader {
            world,
            root: root.to_path_buf(),
            read: Mutex::new(HashMap::new()),
        }
    }

    pub fn text(&self, rel: &str) -> Option<String> {
        let (text, version) = self.world.text_and_version(&self.root.join(rel))?;
        self.read
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(rel.to_string(), (text.clone(), version));
        Some(text)
    }
}

/// Refuses moves the disk or the client cannot take: a file already there
/// (other than the same file under another case), a path the vault ignores,
/// or a client that cannot rename files.
pub fn check_moves(
    world: &World,
    root: &Path,
    plan: &Plan,
    client_renames_files: bool,
) -> Result<(), RenameError> {
    if plan.moves.is_empty() {
        return Ok(());
    }
    if !client_renames_files {
        return Err(RenameError::Invalid(
            "renaming a note renames its file, and this editor does not accept file renames \
             from a language server (its workspace.workspaceEdit.resourceOperations does not list \"rename\")"
                .into(),
        ));
    }
    let filter = world.filter_of(root);
    for (old, new) in &plan.moves {
        let target = root.join(new);
        if std::fs::symlink_metadata(&target).is_ok() {
            let same_file = fold(old) == fold(new) && same_file(&root.join(&**old), &target);
            if !same_file {
                return Err(RenameError::Exists(format!("{new} already exists")));
            }
        }
        if let Some(filter) = &filter
            && !filter.includes(&target)
        {
            return Err(RenameError::Invalid(format!(
                "{new} is excluded from the vault (carnet.toml or an ignore file): \
                 the note would disappear from it"
            )));
        }
    }
    Ok(())
}

/// The plan as a `WorkspaceEdit`: text edits first (at the files' current
/// URIs, versioned for open buffers), then the file renames.
pub fn workspace_edit(
    root: &Path,
    plan: &Plan,
    reader: &Reader,
    enc: Encoding,
    document_changes: bool,
) -> Option<WorkspaceEdit> {
    let read = reader.read.lock().unwrap_or_else(|e| e.into_inner());
    let mut docs = Vec::new();
    for (path, edits) in &plan.edits {
        let (text, version) = read.get(&**path)?;
        let lines = Lines::new(text);
        let pos = |offset: u32| {
            let (line, col) = lines.line_col(offset);
            let character = match enc {
                Encoding::Utf8 => col,
                Encoding::Utf16 => {
                    let start = lines.line_start(line) as usize;
                    utf16_len(text.get(start..offset as usize).unwrap_or(""))
                }
            };
            Position::new(line, character)
        };
        let edits: Vec<TextEdit> = edits
            .iter()
            .map(|e| {
                TextEdit::new(
                    Range::new(pos(e.span.start), pos(e.span.end)),
                    e.text.clone(),
                )
            })
            .collect();
        docs.push((uri_for(root, path)?, *version, edits));
    }
    if !document_changes {
        return Some(WorkspaceEdit {
            changes: Some(docs.into_iter().map(|(u, _, e)| (u, e)).collect()),
            ..Default::default()
        });
    }
    let mut ops: Vec<DocumentChangeOperation> = docs
        .into_iter()
        .map(|(uri, version, edits)| {
            DocumentChangeOperation::Edit(TextDocumentEdit {
                text_document: OptionalVersionedTextDocumentIdentifier { uri, version },
                edits: edits.into_iter().map(OneOf::Left).collect(),
            })
        })
        .collect();
    for (old, new) in &plan.moves {
        ops.push(DocumentChangeOperation::Op(ResourceOp::Rename(
            RenameFile {
                old_uri: uri_for(root, old)?,
                new_uri: uri_for(root, new)?,
                options: Some(RenameFileOptions {
                    overwrite: Some(false),
                    ignore_if_exists: Some(false),
                }),
                annotation_id: None,
            },
        )));
    }
    Some(WorkspaceEdit {
        document_changes: Some(DocumentChanges::Operations(ops)),
        ..Default::default()
    })
}

/// Merges the edits of several vaults' plans (for `willRenameFiles`).
pub fn merge(edits: Vec<WorkspaceEdit>) -> Option<WorkspaceEdit> {
    let mut changes = HashMap::new();
    let mut ops = Vec::new();
    for e in edits {
        if let Some(c) = e.changes {
            changes.extend(c);
        }
        if let Some(DocumentChanges::Operations(o)) = e.document_changes {
            ops.extend(o);
        }
    }
    if !ops.is_empty() {
        return Some(WorkspaceEdit {
            document_changes: Some(DocumentChanges::Operations(ops)),
            ..Default::default()
        });
    }
    (!changes.is_empty()).then(|| WorkspaceEdit {
        changes: Some(changes),
        ..Default::default()
    })
}
