//! The language server: wires the tokio runtime and tower-lsp to the
//! handlers, which translate between LSP and the [`answers`](crate::answers)
//! computed from vault snapshots.
//!
//! - [`capabilities`]: what the server offers, and a typed view of the client's;
//!   [`ext`]: carnet's own requests and commands.
//! - [`from_proto`] / [`to_proto`]: every conversion between protocol values
//!   (positions in the negotiated encoding, URIs, response shapes,
//!   `WorkspaceEdit`s) and domain values (byte offsets, paths, answers).
//! - [`handlers`]: one synchronous function per method.
//! - [`snapshot`]: what a request handler reads; [`world`]: open buffers, vault
//!   snapshots and the writer thread that publishes them.
//! - [`diagnostics`]: pushing or refreshing diagnostics after changes settle;
//!   [`moves`]: noticing notes moved behind the editor's back and offering
//!   the link updates; [`client`]: requests to the client; [`transport`]:
//!   JSON-RPC framing.
//!
//! Rules this module keeps: buffer changes mutate state synchronously, before
//! any `.await`, so they apply in arrival order; CPU work (and every read of
//! a note's text) runs on the writer thread or in `spawn_blocking`, never on
//! the async threads; requests to the client are sent from spawned tasks,
//! never awaited by a handler; a panic while answering becomes an error
//! response, not a dead server.

mod capabilities;
mod client;
mod diagnostics;
mod ext;
mod from_proto;
mod handlers;
mod log;
mod moves;
mod snapshot;
mod to_proto;
mod transport;
mod world;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer, LspService, Server};

use handlers::{notification, request};
use snapshot::{Cancel, NoteSnapshot, WorkspaceSnapshot};
use world::{Job, World};

pub use log::LogLevel;

/// The pieces of the server that the fuzz targets (`fuzz/`) drive directly.
/// Not a stable API.
#[doc(hidden)]
pub mod fuzzing {
    pub use super::capabilities::Encoding;
    pub use super::from_proto::offset;
    pub use super::to_proto::position_in as position_of;
    pub use super::transport::{Frame, check, read_frame};
    pub use super::world::{SyntaxEdit, SyntaxSlot, apply_change, update_syntax};
    pub use tower_lsp_server::ls_types::Position;
}

pub struct Backend {
    client: Client,
    world: Arc<World>,
    roots: Mutex<Vec<PathBuf>>,
    shut_down: Arc<AtomicBool>,
    watcher: Mutex<Option<crate::vault::Watcher>>,
    /// Answers written as JSON by their handlers, for the output pump.
    splices: Arc<transport::Splices>,
}

/// Runs the server on stdin/stdout until `exit`. Returns the process exit
/// code: 0 after a `shutdown` request, 1 without one (as the spec asks).
pub fn run_stdio() -> i32 {
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if let Some(n) = worker_threads() {
        builder.worker_threads(n);
    }
    let runtime = match builder.enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("carnet: cannot start the async runtime: {e}");
            return 1;
        }
    };
    let shut_down = Arc::new(AtomicBool::new(false));
    let flag = shut_down.clone();
    runtime.block_on(async move {
        let logger = log::Logger::new();
        let world = World::new(logger);
        let splices = Arc::new(transport::Splices::default());
        let pumped = splices.clone();
        let (service, socket) = LspService::build(|client| {
            world
                .log
                .attach(client.clone(), tokio::runtime::Handle::current());
            Backend {
                client,
                world: world.clone(),
                roots: Mutex::new(Vec::new()),
                shut_down: flag,
                watcher: Mutex::new(None),
                splices,
            }
        })
        .custom_method(ext::BACKLINKS, Backend::backlinks)
        .custom_method(ext::GRAPH, Backend::graph)
        .finish();
        // Client ⇄ transport (checks framing) ⇄ tower-lsp, through in-memory pipes.
        let (server_in, client_side_in) = tokio::io::duplex(1 << 16);
        let (client_side_out, server_out) = tokio::io::duplex(1 << 16);
        let (errors_tx, errors_rx) = tokio::sync::mpsc::unbounded_channel();
        let log_world = world.clone();
        let input = tokio::spawn(async move {
            transport::pump_input(
                tokio::io::stdin(),
                client_side_in,
                errors_tx,
                &log_world.log,
            )
            .await
        });
        let output = tokio::spawn(transport::pump_output(
            client_side_out,
            tokio::io::stdout(),
            errors_rx,
            pumped,
        ));
        Server::new(server_in, server_out, socket)
            .concurrency_level(64)
            .serve(service)
            .await;
        // `exit` (or end of input): stop reading, let the last responses out.
        input.abort();
        let _ = tokio::time::timeout(std::time::Duration::from_secs(2), output).await;
    });
    // Do not wait for blocked stdin readers or the writer thread.
    runtime.shutdown_background();
    if shut_down.load(Ordering::SeqCst) {
        0
    } else {
        1
    }
}

/// `CARNET_WORKER_THREADS`: how many async worker threads to run (default:
/// one per core). Used to test the server under different concurrency.
fn worker_threads() -> Option<usize> {
    let value = std::env::var("CARNET_WORKER_THREADS").ok()?;
    match value.trim().parse() {
        Ok(n) if n > 0 => Some(n),
        _ => {
            eprintln!("carnet: CARNET_WORKER_THREADS={value:?} is not a positive number; ignored");
            None
        }
    }
}

/// Sets the flag when dropped, that is when the request's future is dropped.
struct CancelOnDrop(Cancel);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.0.store(true, Ordering::Relaxed);
    }
}

/// Runs a handler off the async threads; it is told, through its
/// [`Cancel`], when the request is cancelled (its answer is then unused),
/// and a panic becomes an error response.
async fn blocking<T: Send + 'static>(
    world: &Arc<World>,
    what: &'static str,
    f: impl FnOnce(Cancel) -> Result<T> + Send + 'static,
) -> Result<T> {
    let cancel = Cancel::default();
    let _armed = CancelOnDrop(cancel.clone());
    let log = world.clone();
    let out = tokio::task::spawn_blocking(move || {
        let out = f(cancel.clone());
        if cancel.is_set() {
            log.log.debug(format!("{what}: cancelled, stopped early"));
        }
        out
    })
    .await;
    out.map_err(|e| {
        world.log.error(format!("request failed: {e}"));
        Error::internal_error()
    })?
}

/// Runs a synchronous state change; a panic is logged, not fatal.
fn guarded(world: &World, what: &str, f: impl FnOnce()) {
    if std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).is_err() {
        world.log.error(format!(
            "internal error in {what}; the change was not applied"
        ));
    }
}

type NoteHandler<P, R> = fn(&NoteSnapshot, P) -> Result<R>;
type WorkspaceHandler<P, R> = fn(&WorkspaceSnapshot, P) -> Result<R>;

impl Backend {
    /// Answers a request about the note at `uri` once indexing has caught up.
    async fn on_note<P, R>(
        &self,
        what: &'static str,
        uri: &Uri,
        params: P,
        handler: NoteHandler<P, R>,
    ) -> Result<R>
    where
        P: Send + 'static,
        R: Send + 'static,
    {
        // Positions refer to the buffer as the request found it: take it
        // before the first `.await`, so no later change can move it.
        let buffer = self.world.buffer(uri);
        self.world.before_answering(uri.as_str()).await;
        let (world, uri) = (self.world.clone(), uri.clone());
        blocking(&self.world, what, move |cancel| {
            let Some(snapshot) = world.note_snapshot_of(&uri, buffer, cancel) else {
                world
                    .log
                    .warn(format!("not a note in any vault: {}", uri.as_str()));
                return Err(to_proto::not_a_note(&uri));
            };
            handler(&snapshot, params)
        })
        .await
    }

    /// Answers a request about every vault once indexing has caught up.
    async fn on_workspace<P, R>(
        &self,
        what: &'static str,
        params: P,
        handler: WorkspaceHandler<P, R>,
    ) -> Result<R>
    where
        P: Send + 'static,
        R: Send + 'static,
    {
        self.world.before_answering(what).await;
        let world = self.world.clone();
        blocking(&self.world, what, move |cancel| {
            handler(&world.workspace_snapshot(cancel), params)
        })
        .await
    }

    /// `carnet/backlinks`: the links a code lens counts (see docs/server.md).
    async fn backlinks(&self, params: ext::BacklinksParams) -> Result<Vec<Location>> {
        let uri = params.text_document.uri.clone();
        let json = self
            .on_note(ext::BACKLINKS, &uri, params, request::backlinks)
            .await?;
        // No `.await` from here on: the stand-in reaches the output pump.
        Ok(self.splices.locations(json))
    }

    /// `carnet/graph` (see [`ext`]).
    async fn graph(&self, params: ext::GraphParams) -> Result<serde_json::Value> {
        self.on_workspace(ext::GRAPH, params, request::graph).await
    }

    /// Watches the roots ourselves when the client cannot do it for us.
    fn watch_roots(&self, roots: &[PathBuf]) {
        let world = Arc::downgrade(&self.world);
        let on_change = move |path| {
            if let Some(world) = world.upgrade() {
                world.send(Job::Disk(path));
            }
        };
        match crate::vault::Watcher::new(roots, on_change) {
            Ok((watcher, warnings)) => {
                warnings.into_iter().for_each(|w| self.world.log.warn(w));
                *self.watcher.lock().unwrap_or_else(|e| e.into_inner()) = Some(watcher);
            }
            Err(e) => self.world.log.warn(e),
        }
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let (result, roots) = request::initialize(&self.world, params);
        *self.roots.lock().unwrap_or_else(|e| e.into_inner()) = roots;
        Ok(result)
    }

    async fn initialized(&self, _: InitializedParams) {
        let roots = self.roots.lock().unwrap_or_else(|e| e.into_inner()).clone();
        for root in &roots {
            self.world.add_root(root.clone());
        }
        let caps = self.world.caps();
        if caps.configuration {
            client::pull_settings(&self.client, &self.world);
        }
        if !caps.pull_diagnostics {
            tokio::spawn(diagnostics::push_loop(
                self.world.clone(),
                self.client.clone(),
            ));
        } else if caps.diagnostic_refresh {
            tokio::spawn(diagnostics::refresh_loop(
                self.world.clone(),
                self.client.clone(),
            ));
        }
        tokio::spawn(moves::offer_loop(self.world.clone(), self.client.clone()));
        if caps.watched_files_dynamic {
            client::register_file_watcher(&self.client, &self.world);
        } else {
            self.watch_roots(&roots);
        }
        let refreshes = [
            caps.code_lens && caps.code_lens_refresh,
            caps.inlay_hints && caps.inlay_hint_refresh,
            caps.semantic_tokens && caps.semantic_tokens_refresh,
        ];
        if refreshes.contains(&true) {
            tokio::spawn(client::refresh_views(
                self.world.clone(),
                self.client.clone(),
            ));
        }
        if caps.work_done_progress && !roots.is_empty() {
            client::report_indexing(&self.client, &self.world);
        }
    }

    async fn shutdown(&self) -> Result<()> {
        self.shut_down.store(true, Ordering::SeqCst);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        guarded(&self.world, "didOpen", || {
            notification::did_open(&self.world, params)
        });
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        guarded(&self.world, "didChange", || {
            notification::did_change(&self.world, params)
        });
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        guarded(&self.world, "didClose", || {
            notification::did_close(&self.world, params)
        });
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        if notification::did_change_configuration(&self.world, params) {
            client::pull_settings(&self.client, &self.world);
        }
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        notification::did_change_watched_files(&self.world, params);
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        notification::did_change_workspace_folders(&self.world, params);
    }

    async fn did_rename_files(&self, params: RenameFilesParams) {
        notification::did_rename_files(&self.world, params);
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let uri = params
            .text_document_position_params
            .text_document
            .uri
            .clone();
        self.on_note("definition", &uri, params, request::definition)
            .await
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let uri = params.text_document_position.text_document.uri.clone();
        let json = self
            .on_note("references", &uri, params, request::references)
            .await?;
        // No `.await` from here on: the stand-in reaches the output pump.
        Ok(json.map(|json| self.splices.locations(json)))
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let uri = params
            .text_document_position_params
            .text_document
            .uri
            .clone();
        self.on_note("hover", &uri, params, request::hover).await
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        let uri = params.text_document.uri.clone();
        self.on_note("documentSymbol", &uri, params, request::document_symbol)
            .await
    }

    async fn symbol(
        &self,
        params: WorkspaceSymbolParams,
    ) -> Result<Option<WorkspaceSymbolResponse>> {
        self.on_workspace("workspace/symbol", params, request::workspace_symbol)
            .await
    }

    async fn document_link(&self, params: DocumentLinkParams) -> Result<Option<Vec<DocumentLink>>> {
        let uri = params.text_document.uri.clone();
        self.on_note("documentLink", &uri, params, request::document_link)
            .await
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        let uri = params.text_document.uri.clone();
        self.on_note("diagnostic", &uri, params, request::diagnostic)
            .await
    }

    async fn workspace_diagnostic(
        &self,
        params: WorkspaceDiagnosticParams,
    ) -> Result<WorkspaceDiagnosticReportResult> {
        self.on_workspace(
            "workspace/diagnostic",
            params,
            request::workspace_diagnostic,
        )
        .await
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let uri = params.text_document_position.text_document.uri.clone();
        self.on_note("completion", &uri, params, request::completion)
            .await
    }

    async fn completion_resolve(&self, item: CompletionItem) -> Result<CompletionItem> {
        self.on_workspace("completionItem/resolve", item, request::completion_resolve)
            .await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let uri = params.text_document.uri.clone();
        self.on_note("codeAction", &uri, params, request::code_action)
            .await
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        let uri = params.text_document.uri.clone();
        self.on_note("prepareRename", &uri, params, request::prepare_rename)
            .await
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let uri = params.text_document_position.text_document.uri.clone();
        self.on_note("rename", &uri, params, request::rename).await
    }

    async fn will_rename_files(&self, params: RenameFilesParams) -> Result<Option<WorkspaceEdit>> {
        self.on_workspace(
            "workspace/willRenameFiles",
            params,
            request::will_rename_files,
        )
        .await
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        let uri = params.text_document.uri.clone();
        self.on_note("foldingRange", &uri, params, request::folding_range)
            .await
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
        match params.command.as_str() {
            capabilities::command::ADD_BLOCK_ID => {
                let Some((uri, _, id)) = from_proto::add_block_id_args(&params.arguments) else {
                    return Err(Error::invalid_params("carnet.addBlockId: bad arguments"));
                };
                let edit = self
                    .on_note("addBlockId", &uri, params, request::add_block_id)
                    .await?;
                if let Some(edit) = edit {
                    client::apply_edit(&self.client, &self.world, edit, format!("add ^{id}"));
                }
                Ok(None)
            }
            capabilities::command::UNLINKED_MENTIONS => {
                let Some(uri) = from_proto::command_uri(&params.arguments) else {
                    return Err(Error::invalid_params(
                        "carnet.unlinkedMentions takes { uri }",
                    ));
                };
                let json = self
                    .on_note("unlinkedMentions", &uri, params, request::unlinked_mentions)
                    .await?;
                // No `.await` from here on: the stand-in reaches the output pump.
                Ok(to_proto::command_locations(self.splices.locations(json)))
            }
            capabilities::command::OPEN_DAILY_NOTE => {
                let uri = self
                    .on_workspace("openDailyNote", params, request::open_daily_note)
                    .await?;
                if self.world.caps().show_document {
                    client::show_document(&self.client, &self.world, uri.clone());
                }
                Ok(Some(serde_json::json!(uri.as_str())))
            }
            // The reports (`carnet.report.*`); anything else is refused there.
            _ => {
                self.on_workspace("workspace/executeCommand", params, request::execute_command)
                    .await
            }
        }
    }

    async fn selection_range(
        &self,
        params: SelectionRangeParams,
    ) -> Result<Option<Vec<SelectionRange>>> {
        let uri = params.text_document.uri.clone();
        self.on_note("selectionRange", &uri, params, request::selection_range)
            .await
    }

    async fn semantic_tokens_full(
        &self,
        params: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        let uri = params.text_document.uri.clone();
        self.on_note(
            "semanticTokens/full",
            &uri,
            params,
            request::semantic_tokens_full,
        )
        .await
    }

    async fn semantic_tokens_full_delta(
        &self,
        params: SemanticTokensDeltaParams,
    ) -> Result<Option<SemanticTokensFullDeltaResult>> {
        let uri = params.text_document.uri.clone();
        self.on_note(
            "semanticTokens/full/delta",
            &uri,
            params,
            request::semantic_tokens_full_delta,
        )
        .await
    }

    async fn semantic_tokens_range(
        &self,
        params: SemanticTokensRangeParams,
    ) -> Result<Option<SemanticTokensRangeResult>> {
        let uri = params.text_document.uri.clone();
        self.on_note(
            "semanticTokens/range",
            &uri,
            params,
            request::semantic_tokens_range,
        )
        .await
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        let uri = params.text_document.uri.clone();
        self.on_note("codeLens", &uri, params, request::code_lens)
            .await
    }

    async fn code_lens_resolve(&self, lens: CodeLens) -> Result<CodeLens> {
        let Some(uri) = from_proto::lens_uri(&lens) else {
            return Ok(lens);
        };
        self.on_note("codeLens/resolve", &uri, lens, request::code_lens_resolve)
            .await
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        let uri = params.text_document.uri.clone();
        self.on_note("inlayHint", &uri, params, request::inlay_hint)
            .await
    }

    async fn document_highlight(
        &self,
        params: DocumentHighlightParams,
    ) -> Result<Option<Vec<DocumentHighlight>>> {
        let uri = params
            .text_document_position_params
            .text_document
            .uri
            .clone();
        self.on_note(
            "documentHighlight",
            &uri,
            params,
            request::document_highlight,
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Dropping a request's future (what `$/cancelRequest` does) stops the
    /// blocking work it started instead of letting it run to its end.
    #[test]
    fn cancelling_a_request_stops_its_blocking_work() {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let world = World::new(log::Logger::new());
        let (started_tx, started) = std::sync::mpsc::channel();
        let (stopped_tx, stopped) = std::sync::mpsc::channel();
        let work = move |cancel: Cancel| {
            started_tx.send(()).unwrap();
            // Without cancellation this would spin for a minute.
            let limit = std::time::Instant::now() + std::time::Duration::from_secs(60);
            while !cancel.is_set() && std::time::Instant::now() < limit {
                std::thread::yield_now();
            }
            stopped_tx.send(cancel.is_set()).unwrap();
            Ok(())
        };
        let task = runtime.spawn(async move { blocking(&world, "test", work).await });
        started.recv().unwrap();
        task.abort();
        let was_cancelled = stopped
            .recv_timeout(std::time::Duration::from_secs(30))
            .expect("the work stopped");
        assert!(was_cancelled, "it stopped because it was told to");
        runtime.shutdown_background();
    }
}
