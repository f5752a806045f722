//! Diagnostics for open notes: the `check` engine's problems as LSP
//! diagnostics, pushed after changes settle, or pulled by the client.
//!
//! Every published snapshot may change the problems of any open note (a
//! target created, renamed or deleted elsewhere), so after each batch of
//! changes the open notes — and only they — are checked again. Work is
//! proportional to the open notes' links, not to the vault.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tower_lsp_server::Client;
use tower_lsp_server::ls_types::{Diagnostic, Uri};

use super::snapshot::NoteSnapshot;
use super::to_proto;
use super::world::World;
use crate::check::Checker;

/// Quiet time after the last change before diagnostics are recomputed.
const SETTLE: Duration = Duration::from_millis(30);

/// The diagnostics of one note (none if it is not indexed), with a checker
/// of its vault.
pub fn of_note(s: &NoteSnapshot, checker: &Checker) -> Vec<Diagnostic> {
    let Some(note) = s.snapshot.note(&s.rel) else {
        return vec![];
    };
    let pos = s.positions();
    let problems = checker.note(&s.snapshot, note);
    problems
        .iter()
        .map(|p| to_proto::diagnostic(&s.root, &pos, p))
        .collect()
}

/// The diagnostics of each open note, reusing one checker (vault-wide tag
/// findings) per vault.
fn of_open_notes(world: &Arc<World>, open: Vec<(Uri, i32)>) -> Vec<(Vec<Diagnostic>, Uri, i32)> {
    let mut checkers: HashMap<std::path::PathBuf, Checker> = HashMap::new();
    open.into_iter()
        .filter_map(|(uri, version)| {
            let s = world.note_snapshot(&uri, Default::default())?;
            s.snapshot.note(&s.rel)?;
            let checker = checkers
                .entry(s.root.clone())
                .or_insert_with(|| Checker::new(&s.snapshot, &s.rules));
            Some((of_note(&s, checker), uri, version))
        })
        .collect()
}

/// Waits for a change, then until changes stop for [`SETTLE`] (a burst of
/// keystrokes is one batch). False once the server is gone.
async fn settled(changes: &mut tokio::sync::watch::Receiver<u64>) -> bool {
    if changes.changed().await.is_err() {
        return false;
    }
    loop {
        match tokio::time::timeout(SETTLE, changes.changed()).await {
            Ok(Ok(())) => continue,
            Ok(Err(_)) => return false,
            Err(_) => return true,
        }
    }
}

/// Pushes diagnostics of open notes after every settled batch of changes,
/// sending only what changed.
pub async fn push_loop(world: Arc<World>, client: Client) {
    let mut changes = world.changes();
    let mut published: HashMap<Uri, (Option<i32>, Vec<Diagnostic>)> = HashMap::new();
    while settled(&mut changes).await {
        let w = world.clone();
        let open = w.open_documents();
        let computed = tokio::task::spawn_blocking(move || of_open_notes(&w, open))
            .await
            .unwrap_or_default();
        let still_open: std::collections::HashSet<&Uri> =
            computed.iter().map(|(_, u, _)| u).collect();
        let closed: Vec<Uri> = published
            .keys()
            .filter(|u| !still_open.contains(u))
            .cloned()
            .collect();
        for uri in closed {
            published.remove(&uri);
            client.publish_diagnostics(uri, vec![], None).await;
        }
        for (diags, uri, version) in computed {
            let unchanged = published.get(&uri).is_some_and(|(_, d)| *d == diags);
            if unchanged {
                continue;
            }
            published.insert(uri.clone(), (Some(version), diags.clone()));
            client.publish_diagnostics(uri, diags, Some(version)).await;
        }
    }
}

/// In pull mode, asks the client to pull again after changes settle (other
/// notes' diagnostics may have changed).
pub async fn refresh_loop(world: Arc<World>, client: Client) {
    let mut changes = world.changes();
    while settled(&mut changes).await {
        // A request to the client, awaited here in our own task, never in a handler.
        let _ = client.workspace_diagnostic_refresh().await;
    }
}
