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
use tower_lsp_server::ls_types::{
    Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Range,
    Uri,
};

use super::convert::Positions;
use super::world::{DocContext, World, uri_for};
use crate::check::{Checker, Problem, Severity};

/// Quiet time after the last change before diagnostics are recomputed.
const SETTLE: Duration = Duration::from_millis(30);

fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
        Severity::Hint => DiagnosticSeverity::HINT,
    }
}

fn convert(ctx: &DocContext, pos: &Positions, p: &Problem) -> Diagnostic {
    convert_problem(&ctx.root, pos, p)
}

/// One problem as an LSP diagnostic (ambiguous links name their candidates).
pub fn convert_problem(root: &std::path::Path, pos: &Positions, p: &Problem) -> Diagnostic {
    let related: Vec<DiagnosticRelatedInformation> = p
        .related
        .iter()
        .filter_map(|path| {
            Some(DiagnosticRelatedInformation {
                location: Location::new(uri_for(root, path)?, Range::default()),
                message: format!("candidate: {path}"),
            })
        })
        .collect();
    Diagnostic {
        range: pos.range(&p.path, p.span),
        severity: Some(severity(p.severity)),
        code: Some(NumberOrString::String(p.code.to_string())),
        code_description: None,
        source: Some("carnet".into()),
        message: p.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}

/// The diagnostics of one note, from the current snapshot.
pub fn of_note(world: &Arc<World>, uri: &Uri) -> Option<Vec<Diagnostic>> {
    of_note_with(world, uri, &mut HashMap::new())
}

/// Like [`of_note`], reusing checkers (vault-wide tag findings) across the
/// open notes of one vault.
fn of_note_with(
    world: &Arc<World>,
    uri: &Uri,
    checkers: &mut HashMap<std::path::PathBuf, Checker>,
) -> Option<Vec<Diagnostic>> {
    let ctx = world.context_now(uri)?;
    let note = ctx.snapshot.note(&ctx.rel)?;
    let checker = checkers
        .entry(ctx.root.clone())
        .or_insert_with(|| Checker::new(&ctx.snapshot, &ctx.rules));
    let problems = checker.note(&ctx.snapshot, note);
    let text_of = super::texts(world, &ctx.root);
    let pos = ctx.positions(&text_of);
    Some(problems.iter().map(|p| convert(&ctx, &pos, p)).collect())
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
        let open: Vec<(Uri, i32)> = w.open_documents();
        let computed = tokio::task::spawn_blocking(move || {
            let mut checkers = HashMap::new();
            open.into_iter()
                .filter_map(|(uri, version)| {
                    Some((of_note_with(&w, &uri, &mut checkers)?, uri, version))
                })
                .collect::<Vec<_>>()
        })
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
