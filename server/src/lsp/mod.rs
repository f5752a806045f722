//! The language server: a thin translation layer between LSP and the
//! [`answers`](crate::answers) computed from vault snapshots.
//!
//! Rules this module keeps: buffer changes mutate state synchronously, before
//! any `.await`, so they apply in arrival order; CPU work runs on the writer
//! thread or in `spawn_blocking`, never on the async threads; requests to the
//! client are sent from spawned tasks, never awaited by a handler; a panic
//! while answering becomes an error response, not a dead server.

mod convert;
mod diagnostics;
mod log;
mod moves;
mod rename;
mod transport;
mod world;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use ropey::Rope;
use serde_json::{Value, json};
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer, LspService, Server};

use crate::answers::{self, At, SymbolKind as Kind};
use crate::syntax::{Fold, Syntax};
use convert::{Encoding, Positions, uri_to_path};
use world::{DocContext, Job, OpenDoc, World, uri_for};

pub use log::Level;

/// The pieces of the server that the fuzz targets (`fuzz/`) drive directly.
/// Not a stable API.
#[doc(hidden)]
pub mod fuzzing {
    pub use super::convert::{Encoding, offset, position_of};
    pub use super::transport::{Frame, check, read_frame};
    pub use super::world::{SyntaxEdit, apply_change, update_syntax};
    pub use tower_lsp_server::ls_types::Position;
}

/// What the client told us it can do, at `initialize`.
#[derive(Default, Debug)]
struct ClientFeatures {
    location_links: bool,
    watched_files_dynamic: bool,
    work_done_progress: bool,
    hierarchical_symbols: bool,
    /// The client pulls diagnostics (`textDocument/diagnostic`); else we push.
    pull_diagnostics: bool,
    diagnostic_refresh: bool,
    /// WorkspaceEdit `documentChanges`, and whether they may create files.
    document_changes: bool,
    create_files: bool,
    rename_files: bool,
    /// The client answers `workspace/configuration`.
    configuration: bool,
    /// The client applies edits the server sends (`workspace/applyEdit`).
    apply_edit: bool,
}

pub struct Backend {
    client: Client,
    world: Arc<World>,
    features: OnceLock<ClientFeatures>,
    roots: Mutex<Vec<PathBuf>>,
    shut_down: Arc<AtomicBool>,
    watcher: Mutex<Option<notify::RecommendedWatcher>>,
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
        let (service, socket) = LspService::new(|client| {
            world
                .log
                .attach(client.clone(), tokio::runtime::Handle::current());
            Backend {
                client,
                world: world.clone(),
                features: OnceLock::new(),
                roots: Mutex::new(Vec::new()),
                shut_down: flag,
                watcher: Mutex::new(None),
            }
        });
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

/// Tells blocking work that its request was cancelled. tower-lsp answers
/// `$/cancelRequest` by dropping the request's future, but work already
/// running in `spawn_blocking` would go on to its end: long loops check this.
#[derive(Clone, Default)]
struct Cancel(Arc<AtomicBool>);

impl Cancel {
    fn is_set(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// Sets the flag when dropped, that is when the request's future is dropped.
struct CancelOnDrop(Cancel);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.0.store(true, Ordering::Relaxed);
    }
}

/// [`blocking`] for long work that can stop early: `f` is told, through
/// its [`Cancel`], when the request is cancelled (its answer is then unused).
async fn cancellable<T: Send + 'static>(
    world: &Arc<World>,
    what: &'static str,
    f: impl FnOnce(&Cancel) -> T + Send + 'static,
) -> Result<T> {
    let cancel = Cancel::default();
    let _armed = CancelOnDrop(cancel.clone());
    let log = world.clone();
    blocking(world, move || {
        let out = f(&cancel);
        if cancel.is_set() {
            log.log.debug(format!("{what}: cancelled, stopped early"));
        }
        out
    })
    .await
}

/// Runs CPU work off the async threads; a panic becomes an error response.
async fn blocking<T: Send + 'static>(
    world: &World,
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(f).await.map_err(|e| {
        world.log.error(format!("request failed: {e}"));
        Error::internal_error()
    })
}

/// Runs a synchronous state change; a panic is logged, not fatal.
fn guarded(world: &World, what: &str, f: impl FnOnce()) {
    if std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).is_err() {
        world.log.error(format!(
            "internal error in {what}; the change was not applied"
        ));
    }
}

fn at(ctx: &DocContext, pos: Position) -> At {
    let offset = convert::offset(&ctx.rope, pos, ctx.encoding);
    At {
        offset: offset as u32,
        line: ctx.rope.byte_to_line(offset) as u32,
    }
}

fn location(root: &std::path::Path, pos: &Positions, l: &answers::Location) -> Option<Location> {
    Some(Location::new(
        uri_for(root, &l.path)?,
        pos.range(&l.path, l.span),
    ))
}

/// Many locations, as for the backlinks of a hub: each note's URI is built
/// once (locations come grouped by note).
fn locations(
    root: &std::path::Path,
    pos: &Positions,
    found: &[answers::Location],
    cancel: &Cancel,
) -> Vec<Location> {
    let mut last: Option<(&str, Uri)> = None;
    let mut out = Vec::with_capacity(found.len());
    for l in found {
        let uri = match &last {
            Some((path, uri)) if *path == &*l.path => uri.clone(),
            // A new note may need its text read (UTF-16 columns): stop here
            // if nobody waits for the answer any more.
            _ if cancel.is_set() => break,
            _ => {
                let Some(uri) = uri_for(root, &l.path) else {
                    continue;
                };
                last = Some((&l.path, uri.clone()));
                uri
            }
        };
        out.push(Location::new(uri, pos.range(&l.path, l.span)));
    }
    out
}

/// A note's text as the editor has it, for UTF-16 columns.
fn texts(world: &Arc<World>, root: &std::path::Path) -> impl Fn(&str) -> Option<String> + use<> {
    let world = world.clone();
    let root = root.to_path_buf();
    move |rel: &str| world.text_of(&root.join(rel))
}

impl Backend {
    fn features(&self) -> &ClientFeatures {
        self.features.get_or_init(ClientFeatures::default)
    }

    async fn context(&self, uri: &Uri) -> Result<DocContext> {
        self.world.context(uri).await.ok_or_else(|| {
            self.world
                .log
                .warn(format!("not a note in any vault: {}", uri.as_str()));
            Error::invalid_params(format!("not a note carnet can read: {}", uri.as_str()))
        })
    }

    /// Asks the editor for the `carnet` settings, from a task of its own.
    fn pull_settings(&self) {
        let client = self.client.clone();
        let world = self.world.clone();
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

    /// Watches the roots ourselves when the client cannot do it for us.
    fn watch_roots(&self, roots: &[PathBuf]) {
        use notify::Watcher;
        let world = Arc::downgrade(&self.world);
        let handler = move |event: notify::Result<notify::Event>| {
            let (Ok(event), Some(world)) = (event, world.upgrade()) else {
                return;
            };
            if matches!(event.kind, notify::EventKind::Access(_)) {
                return;
            }
            for path in event.paths {
                world.send(Job::Disk(path));
            }
        };
        match notify::recommended_watcher(handler) {
            Ok(mut w) => {
                for root in roots {
                    if let Err(e) = w.watch(root, notify::RecursiveMode::Recursive) {
                        self.world
                            .log
                            .warn(format!("cannot watch {}: {e}", root.display()));
                    }
                }
                *self.watcher.lock().unwrap_or_else(|e| e.into_inner()) = Some(w);
            }
            Err(e) => self.world.log.warn(format!("cannot watch files: {e}")),
        }
    }
}

/// Every file and folder: notes, attachments, and folders holding them.
fn file_filters() -> FileOperationRegistrationOptions {
    FileOperationRegistrationOptions {
        filters: vec![FileOperationFilter {
            scheme: Some("file".into()),
            pattern: FileOperationPattern {
                glob: "**/*".into(),
                matches: None,
                options: None,
            },
        }],
    }
}

fn capabilities(enc: Encoding, pull_diagnostics: bool) -> ServerCapabilities {
    ServerCapabilities {
        diagnostic_provider: pull_diagnostics.then(|| {
            DiagnosticServerCapabilities::Options(DiagnosticOptions {
                identifier: Some("carnet".into()),
                inter_file_dependencies: true,
                workspace_diagnostics: true,
                work_done_progress_options: Default::default(),
            })
        }),
        position_encoding: Some(match enc {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(TextDocumentSyncSaveOptions::Supported(false)),
                ..Default::default()
            },
        )),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        workspace_symbol_provider: Some(OneOf::Left(true)),
        document_link_provider: Some(DocumentLinkOptions {
            resolve_provider: Some(false),
            work_done_progress_options: Default::default(),
        }),
        folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(["[", "#", "(", "^", "|", "/"].map(String::from).to_vec()),
            resolve_provider: Some(true),
            ..Default::default()
        }),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            work_done_progress_options: Default::default(),
            resolve_provider: Some(false),
        })),
        selection_range_provider: Some(SelectionRangeProviderCapability::Simple(true)),
        workspace: Some(WorkspaceServerCapabilities {
            workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                supported: Some(true),
                change_notifications: Some(OneOf::Left(true)),
            }),
            file_operations: Some(WorkspaceFileOperationsServerCapabilities {
                will_rename: Some(file_filters()),
                did_rename: Some(file_filters()),
                ..Default::default()
            }),
        }),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        ..Default::default()
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let caps = &params.capabilities;
        let utf8 = caps
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_ref())
            .is_some_and(|e| e.contains(&PositionEncodingKind::UTF8));
        let enc = if utf8 {
            Encoding::Utf8
        } else {
            Encoding::Utf16
        };
        *self
            .world
            .encoding
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = enc;
        let td = caps.text_document.as_ref();
        let _ = self.features.set(ClientFeatures {
            location_links: td
                .and_then(|t| t.definition.as_ref())
                .and_then(|d| d.link_support)
                .unwrap_or(false),
            watched_files_dynamic: caps
                .workspace
                .as_ref()
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|d| d.dynamic_registration)
                .unwrap_or(false),
            work_done_progress: caps
                .window
                .as_ref()
                .and_then(|w| w.work_done_progress)
                .unwrap_or(false),
            hierarchical_symbols: td
                .and_then(|t| t.document_symbol.as_ref())
                .and_then(|d| d.hierarchical_document_symbol_support)
                .unwrap_or(false),
            pull_diagnostics: td.and_then(|t| t.diagnostic.as_ref()).is_some(),
            configuration: caps
                .workspace
                .as_ref()
                .and_then(|w| w.configuration)
                .unwrap_or(false),
            apply_edit: caps
                .workspace
                .as_ref()
                .and_then(|w| w.apply_edit)
                .unwrap_or(false),
            // Resource operations exist only inside `documentChanges`, so a
            // client listing any (Neovim, which omits `documentChanges`)
            // applies them.
            document_changes: caps
                .workspace
                .as_ref()
                .and_then(|w| w.workspace_edit.as_ref())
                .is_some_and(|e| {
                    e.document_changes == Some(true)
                        || e.resource_operations
                            .as_ref()
                            .is_some_and(|o| !o.is_empty())
                }),
            create_files: caps
                .workspace
                .as_ref()
                .and_then(|w| w.workspace_edit.as_ref())
                .and_then(|e| e.resource_operations.as_ref())
                .is_some_and(|ops| ops.contains(&ResourceOperationKind::Create)),
            rename_files: caps
                .workspace
                .as_ref()
                .and_then(|w| w.workspace_edit.as_ref())
                .and_then(|e| e.resource_operations.as_ref())
                .is_some_and(|ops| ops.contains(&ResourceOperationKind::Rename)),
            diagnostic_refresh: caps
                .workspace
                .as_ref()
                .and_then(|w| w.diagnostics.as_ref())
                .and_then(|d| d.refresh_support)
                .unwrap_or(false),
        });
        if let Some(level) = params
            .initialization_options
            .as_ref()
            .and_then(|o| o.get("logLevel"))
            .and_then(Value::as_str)
            .and_then(Level::parse)
        {
            self.world.log.set_level(level);
        }
        #[allow(deprecated)]
        let roots: Vec<PathBuf> = match (&params.workspace_folders, &params.root_uri) {
            (Some(folders), _) if !folders.is_empty() => {
                folders.iter().filter_map(|f| uri_to_path(&f.uri)).collect()
            }
            (_, Some(uri)) => uri_to_path(uri).into_iter().collect(),
            _ => params.root_path.iter().map(PathBuf::from).collect(),
        };
        *self.roots.lock().unwrap_or_else(|e| e.into_inner()) = roots;
        Ok(InitializeResult {
            capabilities: capabilities(enc, self.features().pull_diagnostics),
            server_info: Some(ServerInfo {
                name: "carnet".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        let roots = self.roots.lock().unwrap_or_else(|e| e.into_inner()).clone();
        for root in &roots {
            self.world.add_root(root.clone());
        }
        let features = self.features();
        if features.configuration {
            self.pull_settings();
        }
        if !features.pull_diagnostics {
            tokio::spawn(diagnostics::push_loop(
                self.world.clone(),
                self.client.clone(),
            ));
        } else if features.diagnostic_refresh {
            tokio::spawn(diagnostics::refresh_loop(
                self.world.clone(),
                self.client.clone(),
            ));
        }
        tokio::spawn(moves::run(
            self.world.clone(),
            self.client.clone(),
            features.apply_edit,
            features.document_changes,
        ));
        if features.watched_files_dynamic {
            let client = self.client.clone();
            let log = self.world.clone();
            tokio::spawn(async move {
                let options = DidChangeWatchedFilesRegistrationOptions {
                    watchers: vec![FileSystemWatcher {
                        glob_pattern: GlobPattern::String("**/*".into()),
                        kind: None,
                    }],
                };
                let registration = Registration {
                    id: "carnet-watch".into(),
                    method: "workspace/didChangeWatchedFiles".into(),
                    register_options: serde_json::to_value(options).ok(),
                };
                if let Err(e) = client.register_capability(vec![registration]).await {
                    log.log.warn(format!("file watching not registered: {e}"));
                }
            });
        } else {
            self.watch_roots(&roots);
        }
        if features.work_done_progress && !roots.is_empty() {
            let client = self.client.clone();
            let world = self.world.clone();
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
                let vaults = world.all_vaults().await;
                let notes: usize = vaults.iter().map(|(_, s)| s.note_count()).sum();
                progress.finish_with_message(format!("{notes} notes")).await;
            });
        }
    }

    async fn shutdown(&self) -> Result<()> {
        self.shut_down.store(true, Ordering::SeqCst);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        guarded(&self.world, "didOpen", || {
            let Some(path) = uri_to_path(&doc.uri) else {
                self.world
                    .log
                    .warn(format!("ignoring non-file document {}", doc.uri.as_str()));
                return;
            };
            let mut st = self.world.state();
            let seq = st.docs.get(&doc.uri).map_or(1, |d| d.seq + 1);
            st.docs.insert(
                doc.uri.clone(),
                OpenDoc {
                    path,
                    rope: Rope::from_str(&doc.text),
                    version: doc.version,
                    seq,
                    published: 0,
                    syntax: Arc::new(Mutex::new(None)),
                },
            );
            drop(st);
            self.world.send(Job::Buffer {
                uri: doc.uri,
                seq,
                edits: vec![],
            });
        });
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let version = params.text_document.version;
        guarded(&self.world, "didChange", || {
            let enc = self.world.encoding();
            let mut st = self.world.state();
            let Some(doc) = st.docs.get_mut(&uri) else {
                self.world.log.warn(format!(
                    "didChange for a document that is not open: {}",
                    uri.as_str()
                ));
                return;
            };
            if version <= doc.version {
                self.world.log.warn(format!(
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
                    // A full replacement: the syntax tree is rebuilt.
                    edits.clear();
                }
                edits.push(edit);
            }
            doc.version = version;
            doc.seq += 1;
            let seq = doc.seq;
            drop(st);
            self.world.send(Job::Buffer { uri, seq, edits });
        });
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        guarded(&self.world, "didClose", || {
            let removed = self.world.state().docs.remove(&params.text_document.uri);
            if let Some(doc) = removed {
                self.world.send(Job::Closed(doc.path));
            }
        });
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        // Some editors push the settings, others send a bare notice to pull them.
        match params.settings.get("carnet") {
            Some(settings) => self.world.set_editor_settings(settings),
            None if self.features().configuration => self.pull_settings(),
            None => {}
        }
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        for change in params.changes {
            if let Some(path) = uri_to_path(&change.uri) {
                self.world.send(Job::Disk(path));
            }
        }
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        for removed in params.event.removed {
            if let Some(p) = uri_to_path(&removed.uri) {
                self.world.remove_root(p);
            }
        }
        for added in params.event.added {
            if let Some(p) = uri_to_path(&added.uri) {
                self.world.add_root(p);
            }
        }
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let p = params.text_document_position_params;
        let ctx = self.context(&p.text_document.uri).await?;
        let links = self.features().location_links;
        let text_of = texts(&self.world, &ctx.root);
        blocking(&self.world, move || {
            let pos = ctx.positions(&text_of);
            let (origin, targets) =
                answers::definition(&ctx.snapshot, &ctx.rel, at(&ctx, p.position))?;
            if targets.is_empty() {
                return None;
            }
            Some(if links {
                GotoDefinitionResponse::Link(
                    targets
                        .iter()
                        .filter_map(|t| {
                            let target = pos.range(&t.path, t.span);
                            Some(LocationLink {
                                origin_selection_range: Some(pos.range(&ctx.rel, origin)),
                                target_uri: uri_for(&ctx.root, &t.path)?,
                                target_range: target,
                                target_selection_range: target,
                            })
                        })
                        .collect(),
                )
            } else {
                GotoDefinitionResponse::Array(
                    targets
                        .iter()
                        .filter_map(|t| location(&ctx.root, &pos, t))
                        .collect(),
                )
            })
        })
        .await
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let p = params.text_document_position;
        let ctx = self.context(&p.text_document.uri).await?;
        let include = params.context.include_declaration;
        let text_of = texts(&self.world, &ctx.root);
        cancellable(&self.world, "references", move |cancel| {
            let pos = ctx.positions(&text_of);
            let found = answers::references(&ctx.snapshot, &ctx.rel, at(&ctx, p.position), include);
            Some(locations(&ctx.root, &pos, &found, cancel))
        })
        .await
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let p = params.text_document_position_params;
        let ctx = self.context(&p.text_document.uri).await?;
        let text_of = texts(&self.world, &ctx.root);
        blocking(&self.world, move || {
            let (span, markdown) =
                answers::hover(&ctx.snapshot, &ctx.rel, at(&ctx, p.position), &text_of)?;
            let pos = ctx.positions(&text_of);
            Some(Hover {
                contents: HoverContents::Markup(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value: markdown,
                }),
                range: Some(pos.range(&ctx.rel, span)),
            })
        })
        .await
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        let ctx = self.context(&params.text_document.uri).await?;
        let uri = params.text_document.uri;
        let nested = self.features().hierarchical_symbols;
        let text_of = texts(&self.world, &ctx.root);
        blocking(&self.world, move || {
            let note = ctx.snapshot.note(&ctx.rel)?;
            let symbols = answers::document_symbols(note);
            let pos = ctx.positions(&text_of);
            let rel = ctx.rel.as_str();
            Some(if nested {
                fn convert_tree(
                    s: &answers::DocumentSymbol,
                    pos: &Positions,
                    rel: &str,
                ) -> DocumentSymbol {
                    #[allow(deprecated)]
                    DocumentSymbol {
                        name: if s.name.is_empty() {
                            "(empty heading)".into()
                        } else {
                            s.name.clone()
                        },
                        detail: Some("#".repeat(s.level as usize)),
                        kind: SymbolKind::STRING,
                        tags: None,
                        deprecated: None,
                        range: Range::new(
                            pos.position(rel, s.span.start),
                            pos.position(rel, s.section_end),
                        ),
                        selection_range: pos.range(rel, s.span),
                        children: Some(
                            s.children
                                .iter()
                                .map(|c| convert_tree(c, pos, rel))
                                .collect(),
                        ),
                    }
                }
                DocumentSymbolResponse::Nested(
                    symbols.iter().map(|s| convert_tree(s, &pos, rel)).collect(),
                )
            } else {
                fn flatten(
                    s: &answers::DocumentSymbol,
                    uri: &Uri,
                    pos: &Positions,
                    rel: &str,
                    out: &mut Vec<SymbolInformation>,
                ) {
                    #[allow(deprecated)]
                    out.push(SymbolInformation {
                        name: s.name.clone(),
                        kind: SymbolKind::STRING,
                        tags: None,
                        deprecated: None,
                        location: Location::new(uri.clone(), pos.range(rel, s.span)),
                        container_name: None,
                    });
                    for c in &s.children {
                        flatten(c, uri, pos, rel, out);
                    }
                }
                let mut out = Vec::new();
                for s in &symbols {
                    flatten(s, &uri, &pos, rel, &mut out);
                }
                DocumentSymbolResponse::Flat(out)
            })
        })
        .await
    }

    async fn symbol(
        &self,
        params: WorkspaceSymbolParams,
    ) -> Result<Option<WorkspaceSymbolResponse>> {
        const LIMIT: usize = 100;
        let vaults = self.world.all_vaults().await;
        let enc = self.world.encoding();
        let world = self.world.clone();
        cancellable(&self.world, "workspace/symbol", move |cancel| {
            let text_ofs: Vec<_> = vaults.iter().map(|(root, _)| texts(&world, root)).collect();
            let positions: Vec<Positions> = vaults
                .iter()
                .zip(&text_ofs)
                .map(|((_, snap), text_of)| Positions::new(enc, snap, text_of))
                .collect();
            let mut hits: Vec<(usize, answers::SymbolHit)> = vaults
                .iter()
                .enumerate()
                .take_while(|_| !cancel.is_set())
                .flat_map(|(i, (_, snap))| {
                    answers::workspace_symbols(snap, &params.query, LIMIT)
                        .into_iter()
                        .map(move |h| (i, h))
                })
                .collect();
            hits.sort_by(|a, b| b.1.score.cmp(&a.1.score).then(a.1.kind.cmp(&b.1.kind)));
            hits.truncate(LIMIT);
            let symbols = hits
                .into_iter()
                .filter_map(|(i, h)| {
                    let root = &vaults[i].0;
                    #[allow(deprecated)]
                    Some(SymbolInformation {
                        name: h.name,
                        kind: match h.kind {
                            Kind::Note => SymbolKind::FILE,
                            Kind::Alias => SymbolKind::CONSTANT,
                            Kind::Heading => SymbolKind::STRING,
                            Kind::Tag => SymbolKind::KEY,
                        },
                        tags: None,
                        deprecated: None,
                        location: Location::new(
                            uri_for(root, &h.path)?,
                            positions[i].range(&h.path, h.span),
                        ),
                        container_name: Some(h.path.to_string()),
                    })
                })
                .collect();
            Some(WorkspaceSymbolResponse::Flat(symbols))
        })
        .await
    }

    async fn document_link(&self, params: DocumentLinkParams) -> Result<Option<Vec<DocumentLink>>> {
        let ctx = self.context(&params.text_document.uri).await?;
        let text_of = texts(&self.world, &ctx.root);
        blocking(&self.world, move || {
            let pos = ctx.positions(&text_of);
            let links = answers::document_links(&ctx.snapshot, &ctx.rel)
                .into_iter()
                .filter_map(|l| {
                    let mut target = uri_for(&ctx.root, &l.target.path)?;
                    if l.target.span != Default::default() {
                        // VS Code opens `file:…#L12` at line 12.
                        let line = pos.position(&l.target.path, l.target.span.start).line;
                        let s = format!("{}#L{}", target.as_str(), line + 1);
                        target = s.parse().ok()?;
                    }
                    Some(DocumentLink {
                        range: pos.range(&ctx.rel, l.span),
                        target: Some(target),
                        tooltip: Some(l.target.path.to_string()),
                        data: None,
                    })
                })
                .collect();
            Some(links)
        })
        .await
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        let uri = params.text_document.uri;
        if self.context(&uri).await.is_err() {
            return Err(Error::invalid_params(format!(
                "not a note carnet can read: {}",
                uri.as_str()
            )));
        }
        let world = self.world.clone();
        let items = blocking(&self.world, move || {
            diagnostics::of_note(&world, &uri).unwrap_or_default()
        })
        .await?;
        Ok(DocumentDiagnosticReportResult::Report(
            DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
                related_documents: None,
                full_document_diagnostic_report: FullDocumentDiagnosticReport {
                    result_id: None,
                    items,
                },
            }),
        ))
    }

    async fn workspace_diagnostic(
        &self,
        _: WorkspaceDiagnosticParams,
    ) -> Result<WorkspaceDiagnosticReportResult> {
        let vaults = self.world.all_vaults().await;
        let enc = self.world.encoding();
        let world = self.world.clone();
        cancellable(&self.world, "workspace/diagnostic", move |cancel| {
            let mut items = Vec::new();
            for (root, snap) in &vaults {
                let text_of = texts(&world, root);
                let pos = Positions::new(enc, snap, &text_of);
                let rules = world.vault_rules(root);
                let problems = crate::check::Checker::new(snap, &rules)
                    .vault_until(snap, &|| cancel.is_set())
                    .unwrap_or_default();
                let mut by_note: Vec<(&str, Vec<Diagnostic>)> = Vec::new();
                for p in problems.iter().take_while(|_| !cancel.is_set()) {
                    let d = diagnostics::convert_problem(root, &pos, p);
                    match by_note.last_mut() {
                        Some((path, list)) if *path == &*p.path => list.push(d),
                        _ => by_note.push((&p.path, vec![d])),
                    }
                }
                for (path, list) in by_note {
                    if let Some(uri) = uri_for(root, path) {
                        items.push(WorkspaceDocumentDiagnosticReport::Full(
                            WorkspaceFullDocumentDiagnosticReport {
                                uri,
                                version: None,
                                full_document_diagnostic_report: FullDocumentDiagnosticReport {
                                    result_id: None,
                                    items: list,
                                },
                            },
                        ));
                    }
                }
            }
            WorkspaceDiagnosticReportResult::Report(WorkspaceDiagnosticReport { items })
        })
        .await
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        const LIMIT: usize = 50;
        let p = params.text_document_position;
        let ctx = self.context(&p.text_document.uri).await?;
        let style = *self
            .world
            .path_style
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        blocking(&self.world, move || {
            let text = ctx.rope.to_string();
            let offset = convert::offset(&ctx.rope, p.position, ctx.encoding);
            let done = answers::complete(&ctx.snapshot, &ctx.rel, &text, offset, LIMIT, style)?;
            let range = convert::byte_range(&ctx.rope, &done.replace.range(), ctx.encoding);
            let items = done
                .items
                .into_iter()
                .enumerate()
                .map(|(i, item)| CompletionItem {
                    filter_text: Some(match item.kind {
                        // Notes also match on their title, shown in `detail`.
                        answers::ItemKind::Note => format!("{} {}", item.label, item.detail),
                        _ => item.label.clone(),
                    }),
                    sort_text: Some(format!("{i:04}")),
                    kind: Some(match item.kind {
                        answers::ItemKind::Note | answers::ItemKind::Attachment => {
                            CompletionItemKind::FILE
                        }
                        answers::ItemKind::Alias => CompletionItemKind::REFERENCE,
                        answers::ItemKind::Heading => CompletionItemKind::TEXT,
                        answers::ItemKind::Block => CompletionItemKind::REFERENCE,
                        answers::ItemKind::Tag => CompletionItemKind::KEYWORD,
                        answers::ItemKind::Missing => CompletionItemKind::FOLDER,
                    }),
                    detail: Some(item.detail),
                    label_details: (item.kind == answers::ItemKind::Missing).then(|| {
                        CompletionItemLabelDetails {
                            detail: None,
                            description: Some("create".into()),
                        }
                    }),
                    text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(range, item.insert))),
                    data: item.path.map(|p| json!({ "root": ctx.root, "path": &*p })),
                    label: item.label,
                    ..Default::default()
                })
                .collect();
            Some(CompletionResponse::List(CompletionList {
                is_incomplete: done.incomplete,
                items,
            }))
        })
        .await
    }

    async fn completion_resolve(&self, mut item: CompletionItem) -> Result<CompletionItem> {
        let Some((root, path)) = item.data.as_ref().and_then(|d| {
            Some((
                PathBuf::from(d.get("root")?.as_str()?),
                d.get("path")?.as_str()?.to_string(),
            ))
        }) else {
            return Ok(item);
        };
        let snapshot = self
            .world
            .all_vaults()
            .await
            .into_iter()
            .find(|(r, _)| *r == root)
            .map(|(_, s)| s);
        let text_of = texts(&self.world, &root);
        let preview = blocking(&self.world, move || {
            answers::preview(snapshot.as_ref()?, &path, &text_of)
        })
        .await?;
        if let Some(markdown) = preview.filter(|p| !p.trim().is_empty()) {
            item.documentation = Some(Documentation::MarkupContent(MarkupContent {
                kind: MarkupKind::Markdown,
                value: markdown,
            }));
        }
        Ok(item)
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let uri = params.text_document.uri.clone();
        let ctx = self.context(&uri).await?;
        let text_of = texts(&self.world, &ctx.root);
        let world = self.world.clone();
        let (document_changes, create_files) = {
            let f = self.features();
            (f.document_changes, f.create_files)
        };
        blocking(&self.world, move || {
            let note = ctx.snapshot.note(&ctx.rel)?;
            let text = ctx.rope.to_string();
            let pos = ctx.positions(&text_of);
            let start = convert::offset(&ctx.rope, params.range.start, ctx.encoding) as u32;
            let end = convert::offset(&ctx.rope, params.range.end, ctx.encoding) as u32;
            let problems =
                crate::check::Checker::new(&ctx.snapshot, &ctx.rules).note(&ctx.snapshot, note);
            let mut actions = Vec::new();
            for problem in problems
                .iter()
                .filter(|p| p.span.start <= end && start <= p.span.end)
            {
                let diagnostic = diagnostics::convert_problem(&ctx.root, &pos, problem);
                for fix in answers::fixes(&ctx.snapshot, &ctx.rel, &text, problem) {
                    let (title, edit, preferred) = match fix {
                        answers::Fix::Edit {
                            title,
                            path,
                            span,
                            text,
                            preferred,
                        } => {
                            let Some(target) = uri_for(&ctx.root, &path) else {
                                continue;
                            };
                            let edit = TextEdit::new(pos.range(&path, span), text);
                            let edit = if document_changes {
                                let version = world.version_of(&target);
                                WorkspaceEdit {
                                    document_changes: Some(DocumentChanges::Edits(vec![
                                        TextDocumentEdit {
                                            text_document:
                                                OptionalVersionedTextDocumentIdentifier {
                                                    uri: target,
                                                    version,
                                                },
                                            edits: vec![OneOf::Left(edit)],
                                        },
                                    ])),
                                    ..Default::default()
                                }
                            } else {
                                WorkspaceEdit {
                                    changes: Some([(target, vec![edit])].into_iter().collect()),
                                    ..Default::default()
                                }
                            };
                            (title, edit, preferred)
                        }
                        answers::Fix::CreateNote { title, path, text } => {
                            let file = ctx.root.join(&path);
                            // Never offer to overwrite: not even a file the index skipped.
                            if !(document_changes && create_files) || file.exists() {
                                continue;
                            }
                            let Some(target) = convert::path_to_uri(&file) else {
                                continue;
                            };
                            let edit = WorkspaceEdit {
                                document_changes: Some(DocumentChanges::Operations(vec![
                                    DocumentChangeOperation::Op(ResourceOp::Create(CreateFile {
                                        uri: target.clone(),
                                        options: Some(CreateFileOptions {
                                            overwrite: Some(false),
                                            ignore_if_exists: Some(false),
                                        }),
                                        annotation_id: None,
                                    })),
                                    DocumentChangeOperation::Edit(TextDocumentEdit {
                                        text_document: OptionalVersionedTextDocumentIdentifier {
                                            uri: target,
                                            version: None,
                                        },
                                        edits: vec![OneOf::Left(TextEdit::new(
                                            Range::default(),
                                            text,
                                        ))],
                                    }),
                                ])),
                                ..Default::default()
                            };
                            (title, edit, true)
                        }
                    };
                    actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                        title,
                        kind: Some(CodeActionKind::QUICKFIX),
                        diagnostics: Some(vec![diagnostic.clone()]),
                        edit: Some(edit),
                        command: None,
                        is_preferred: preferred.then_some(true),
                        disabled: None,
                        data: None,
                    }));
                }
                // A tag spelled the unusual way: fix every note at once.
                if let (true, Some(usual)) = (problem.code.starts_with("tag-"), &problem.suggestion)
                {
                    let written = text.get(problem.span.range()).unwrap_or("");
                    let tag = written.trim_start_matches('#');
                    let reader = rename::Reader::new(world.clone(), &ctx.root);
                    let text_of = |rel: &str| reader.text(rel);
                    if let Ok(plan) = answers::rename_tag(&ctx.snapshot, tag, usual, &text_of)
                        && plan.edits.keys().any(|p| **p != *ctx.rel)
                        && let Some(edit) = rename::workspace_edit(
                            &ctx.root,
                            &plan,
                            &reader,
                            ctx.encoding,
                            document_changes,
                        )
                    {
                        actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                            title: format!(
                                "Rename #{tag} to #{usual} in every note ({} {})",
                                plan.edit_count(),
                                if plan.edit_count() == 1 {
                                    "use"
                                } else {
                                    "uses"
                                }
                            ),
                            kind: Some(CodeActionKind::QUICKFIX),
                            diagnostics: Some(vec![diagnostic.clone()]),
                            edit: Some(edit),
                            ..Default::default()
                        }));
                    }
                }
            }
            Some(actions)
        })
        .await
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        let ctx = self.context(&params.text_document.uri).await?;
        blocking(&self.world, move || {
            let text = ctx.rope.to_string();
            let p = answers::prepare(&ctx.snapshot, &ctx.rel, at(&ctx, params.position), &text)
                .map_err(rename::error)?;
            Ok(Some(PrepareRenameResponse::RangeWithPlaceholder {
                range: convert::byte_range(&ctx.rope, &p.span.range(), ctx.encoding),
                placeholder: p.placeholder,
            }))
        })
        .await?
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let p = params.text_document_position;
        let ctx = self.context(&p.text_document.uri).await?;
        let (document_changes, rename_files) = {
            let f = self.features();
            (f.document_changes, f.rename_files)
        };
        let world = self.world.clone();
        blocking(&self.world, move || {
            let reader = rename::Reader::new(world.clone(), &ctx.root);
            let text_of = |rel: &str| reader.text(rel);
            let at = at(&ctx, p.position);
            let plan = answers::rename(&ctx.snapshot, &ctx.rel, at, &params.new_name, &text_of)
                .and_then(|plan| {
                    rename::check_moves(
                        &world,
                        &ctx.root,
                        &plan,
                        document_changes && rename_files,
                    )?;
                    Ok(plan)
                })
                .map_err(|e| {
                    world.log.info(format!("rename refused: {e}"));
                    rename::error(e)
                })?;
            world.log.info(format!(
                "rename: {} file(s) moved, {} link(s) edited",
                plan.moves.len(),
                plan.edit_count()
            ));
            world.expect_moves(
                plan.moves
                    .iter()
                    .map(|(old, new)| (ctx.root.join(&**old), ctx.root.join(new))),
            );
            Ok(rename::workspace_edit(
                &ctx.root,
                &plan,
                &reader,
                ctx.encoding,
                document_changes,
            ))
        })
        .await?
    }

    async fn will_rename_files(&self, params: RenameFilesParams) -> Result<Option<WorkspaceEdit>> {
        let vaults = self.world.all_vaults().await;
        let document_changes = self.features().document_changes;
        let world = self.world.clone();
        // Moves from a rename's answer need nothing more: its edits came with it.
        let files: Vec<(PathBuf, PathBuf)> = params
            .files
            .iter()
            .filter_map(|f| {
                let old = uri_to_path(&f.old_uri.parse().ok()?)?;
                let new = uri_to_path(&f.new_uri.parse().ok()?)?;
                (!world.is_own_move(&old, &new)).then_some((old, new))
            })
            .collect();
        blocking(&self.world, move || {
            let mut out = Vec::new();
            for (root, snapshot) in vaults {
                let moves: Vec<(String, String)> = files
                    .iter()
                    .filter_map(|(old, new)| {
                        Some((
                            crate::vault::relative(&root, old)?,
                            crate::vault::relative(&root, new)?,
                        ))
                    })
                    .collect();
                if moves.is_empty() {
                    continue;
                }
                let reader = rename::Reader::new(world.clone(), &root);
                let text_of = |rel: &str| reader.text(rel);
                match answers::move_files(&snapshot, &moves, &text_of) {
                    Ok(plan) => {
                        world.log.info(format!(
                            "files renamed by the editor: {} link(s) edited",
                            plan.edit_count()
                        ));
                        // The editor moves the files itself.
                        let plan = answers::Plan {
                            moves: vec![],
                            ..plan
                        };
                        out.extend(rename::workspace_edit(
                            &root,
                            &plan,
                            &reader,
                            world.encoding(),
                            document_changes,
                        ));
                    }
                    Err(e) => {
                        world
                            .log
                            .warn(format!("links not updated for a file rename: {e}"));
                        return Err(rename::error(e));
                    }
                }
            }
            Ok(rename::merge(out))
        })
        .await?
    }

    async fn did_rename_files(&self, params: RenameFilesParams) {
        for f in params.files {
            let path = |u: &str| u.parse().ok().and_then(|u: Uri| uri_to_path(&u));
            if let (Some(old), Some(new)) = (path(&f.old_uri), path(&f.new_uri)) {
                self.world.moves.editor_moved(old, new);
            }
            for uri in [f.old_uri, f.new_uri] {
                if let Some(path) = uri.parse().ok().and_then(|u| uri_to_path(&u)) {
                    self.world.send(Job::Disk(path));
                }
            }
        }
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        let ctx = self.context(&params.text_document.uri).await?;
        blocking(&self.world, move || {
            let text = ctx.rope.to_string();
            let folds = with_syntax(&ctx, &text, |s| s.folding_ranges(&text));
            Some(
                folds
                    .into_iter()
                    .map(|f| FoldingRange {
                        start_line: f.start_line,
                        start_character: None,
                        end_line: f.end_line,
                        end_character: None,
                        kind: Some(match f.kind {
                            Fold::FrontMatter => FoldingRangeKind::Comment,
                            Fold::Region | Fold::List | Fold::Code | Fold::Quote => {
                                FoldingRangeKind::Region
                            }
                        }),
                        collapsed_text: None,
                    })
                    .collect(),
            )
        })
        .await
    }

    async fn selection_range(
        &self,
        params: SelectionRangeParams,
    ) -> Result<Option<Vec<SelectionRange>>> {
        let ctx = self.context(&params.text_document.uri).await?;
        blocking(&self.world, move || {
            let text = ctx.rope.to_string();
            let offsets: Vec<usize> = params
                .positions
                .iter()
                .map(|p| convert::offset(&ctx.rope, *p, ctx.encoding))
                .collect();
            let chains = with_syntax(&ctx, &text, |s| s.selection_ranges(&text, &offsets));
            Some(
                chains
                    .into_iter()
                    .map(|chain| {
                        let mut parent: Option<SelectionRange> = None;
                        for r in chain.iter().rev() {
                            parent = Some(SelectionRange {
                                range: convert::byte_range(&ctx.rope, r, ctx.encoding),
                                parent: parent.map(Box::new),
                            });
                        }
                        parent.unwrap_or(SelectionRange {
                            range: convert::byte_range(&ctx.rope, &(0..text.len()), ctx.encoding),
                            parent: None,
                        })
                    })
                    .collect(),
            )
        })
        .await
    }
}

/// Runs `f` on the buffer's syntax tree, or on a fresh parse for a file
/// that is not open.
fn with_syntax<T>(ctx: &DocContext, text: &str, f: impl FnOnce(&Syntax) -> T) -> T {
    if let Some(shared) = &ctx.syntax {
        let guard = shared.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(s) = guard.as_ref() {
            return f(s);
        }
    }
    f(&Syntax::new(text))
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
        let work = move |cancel: &Cancel| {
            started_tx.send(()).unwrap();
            // Without cancellation this would spin for a minute.
            let limit = std::time::Instant::now() + std::time::Duration::from_secs(60);
            while !cancel.is_set() && std::time::Instant::now() < limit {
                std::thread::yield_now();
            }
            stopped_tx.send(cancel.is_set()).unwrap();
        };
        let task = runtime.spawn(async move { cancellable(&world, "test", work).await });
        started.recv().unwrap();
        task.abort();
        let was_cancelled = stopped
            .recv_timeout(std::time::Duration::from_secs(30))
            .expect("the work stopped");
        assert!(was_cancelled, "it stopped because it was told to");
        runtime.shutdown_background();
    }
}
