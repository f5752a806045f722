//! Requests the server sends to the client. Each runs in a task of its own:
//! no handler ever awaits the client (it may be waiting for us).

use std::sync::Arc;

use tower_lsp_server::Client;
use tower_lsp_server::ls_types::*;

use super::moves::Mode;
use super::world::World;
use super::{from_proto, to_proto};

/// Asks the editor for the `carnet` settings.
pub fn pull_settings(client: &Client, world: &Arc<World>) {
    let (client, world) = (client.clone(), world.clone());
    tokio::spawn(async move {
        let item = ConfigurationItem {
            scope_uri: None,
            section: Some("carnet".into()),
        };
        match client.configuration(vec![item]).await {
            Ok(values) => {
                if let Some(v) = values.first().filter(|v| !v.is_null()) {
                    world.set_editor_settings(v);
                }
            }
            Err(e) => world
                .log
                .warn(format!("workspace/configuration failed: {e}")),
        }
    });
}

/// Registers a capability dynamically (for clients that announce
/// `dynamicRegistration` for it), with its registration options.
pub fn register(
    client: &Client,
    world: &Arc<World>,
    id: &str,
    method: &str,
    options: impl serde::Serialize,
) {
    let (client, world) = (client.clone(), world.clone());
    let registration = Registration {
        id: id.into(),
        method: method.into(),
        register_options: serde_json::to_value(options).ok(),
    };
    tokio::spawn(async move {
        let method = registration.method.clone();
        if let Err(e) = client.register_capability(vec![registration]).await {
            world.log.warn(format!("{method} not registered: {e}"));
        }
    });
}

/// Asks the editor to tell us about every changed file.
pub fn register_file_watcher(client: &Client, world: &Arc<World>) {
    let options = DidChangeWatchedFilesRegistrationOptions {
        watchers: vec![FileSystemWatcher {
            glob_pattern: GlobPattern::String("**/*".into()),
            kind: None,
        }],
    };
    register(
        client,
        world,
        "carnet-watch",
        "workspace/didChangeWatchedFiles",
        options,
    );
}

/// Shows indexing progress until the first snapshots are published.
pub fn report_indexing(client: &Client, world: &Arc<World>) {
    let (client, world) = (client.clone(), world.clone());
    tokio::spawn(async move {
        let token = ProgressToken::String("carnet/index".into());
        if client
            .create_work_done_progress(token.clone())
            .await
            .is_err()
        {
            return;
        }
        let progress = client.progress(token, "Indexing notes").begin().await;
        world.before_answering("the indexing progress").await;
        let notes: usize = world
            .workspace_snapshot(Default::default())
            .vaults
            .iter()
            .map(|v| v.snapshot.note_count())
            .sum();
        progress.finish_with_message(format!("{notes} notes")).await;
    });
}

/// After each settled batch of changes, asks the client to fetch again what
/// other notes' changes may have changed: backlink counts (code lenses),
/// previews (inlay hints) and the unresolved marks of semantic tokens. Each
/// only when the client takes that refresh; in this task, never a handler.
pub async fn refresh_views(world: Arc<World>, client: Client) {
    let caps = world.caps();
    let mut changes = world.changes();
    while super::diagnostics::settled(&mut changes).await {
        if caps.code_lens && caps.code_lens_refresh {
            let _ = client.code_lens_refresh().await;
        }
        if caps.inlay_hints && caps.inlay_hint_refresh {
            let _ = client.inlay_hint_refresh().await;
        }
        if caps.semantic_tokens && caps.semantic_tokens_refresh {
            let _ = client.semantic_tokens_refresh().await;
        }
    }
}

/// Asks the editor to apply `edit` (what a command computed); a refusal or
/// failure is logged.
pub fn apply_edit(client: &Client, world: &Arc<World>, edit: WorkspaceEdit, what: String) {
    let (client, world) = (client.clone(), world.clone());
    tokio::spawn(async move {
        match client.apply_edit(edit).await {
            Ok(r) if r.applied => world.log.debug(format!("{what}: applied")),
            Ok(r) => world.log.warn(format!(
                "{what}: the editor did not apply the edit ({})",
                r.failure_reason.unwrap_or_default()
            )),
            Err(e) => world
                .log
                .warn(format!("{what}: workspace/applyEdit failed: {e}")),
        }
    });
}

/// Asks the editor to open `uri` and focus it.
pub fn show_document(client: &Client, world: &Arc<World>, uri: Uri) {
    let (client, world) = (client.clone(), world.clone());
    tokio::spawn(async move {
        let params = ShowDocumentParams {
            uri: uri.clone(),
            external: Some(false),
            take_focus: Some(true),
            selection: None,
        };
        match client.show_document(params).await {
            Ok(true) => {}
            Ok(false) => world
                .log
                .warn(format!("the editor did not open {}", uri.as_str())),
            Err(e) => world.log.warn(format!("window/showDocument failed: {e}")),
        }
    });
}

/// Offers the link updates for notes moved outside the editor (in the vault
/// at `root`, old → new), as `carnet.moves.updateLinks` says: ask
/// (`window/showMessageRequest`), then send them (`workspace/applyEdit`).
/// Planned on a blocking thread, and planned again after the answer: the
/// texts may have changed while the question was open.
pub fn offer_link_updates(
    client: &Client,
    world: &Arc<World>,
    root: std::path::PathBuf,
    moves: Vec<(String, String)>,
) {
    let (client, world) = (client.clone(), world.clone());
    tokio::spawn(async move {
        let planned = {
            let (w, r, m) = (world.clone(), root.clone(), moves.clone());
            tokio::task::spawn_blocking(move || super::moves::plan(&w, &r, &m).map(|(p, _)| p))
                .await
                .ok()
                .flatten()
        };
        let Some(planned) = planned else {
            return;
        };
        let offer = to_proto::move_offer(&planned, &moves);
        world.log.info(format!(
            "moved outside the editor: {}",
            moves
                .iter()
                .map(|(o, n)| format!("{o} -> {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        let mode = world.moves.mode();
        let caps = world.caps();
        if mode == Mode::Never || !caps.apply_edit {
            world.log.info(format!(
                "{} (not offered: {}; `carnet fix-moves` does it)",
                offer.message,
                if caps.apply_edit {
                    "carnet.moves.updateLinks is \"never\""
                } else {
                    "the editor cannot apply edits"
                }
            ));
            return;
        }
        if mode == Mode::Ask {
            let answer = client
                .show_message_request(offer.typ, &offer.message, offer.actions.clone())
                .await;
            if !from_proto::accepted(&answer) {
                return;
            }
        }
        let edit = {
            let w = world.clone();
            tokio::task::spawn_blocking(move || {
                let (plan, texts) = super::moves::plan(&w, &root, &moves)?;
                to_proto::plan_edit(&root, &plan, &texts, &w.caps())
            })
            .await
            .ok()
            .flatten()
        };
        let Some(edit) = edit else {
            return;
        };
        match client.apply_edit(edit).await {
            Ok(r) if r.applied => world
                .log
                .info(format!("updated the links to {}", offer.what)),
            Ok(r) => world.log.warn(format!(
                "the editor did not update the links to {}: {}",
                offer.what,
                r.failure_reason.unwrap_or_default()
            )),
            Err(e) => world.log.warn(format!("workspace/applyEdit failed: {e}")),
        }
    });
}
