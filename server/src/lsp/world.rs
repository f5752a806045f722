//! The server's state: open buffers, and one published snapshot per vault.
//!
//! Handlers mutate buffers synchronously, in arrival order, and queue a
//! [`Job`]. A single writer thread takes jobs in that same order, does the
//! CPU work (fact extraction, syntax trees, vault walks) and publishes the
//! next [`Snapshot`]. Jobs are numbered: a request waits until the writer
//! has done every job sent before it arrived, then answers from a clone of
//! the snapshot — no lock is held while answering, and no request ever
//! blocks an edit.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, mpsc};
use std::time::Duration;

use ropey::Rope;
use tower_lsp_server::ls_types::{Position, SemanticToken, Uri};

use super::capabilities::{ClientCaps, Encoding};
use super::from_proto;
use super::snapshot::{Buffer, Cancel, NoteSnapshot, Texts, VaultView, WorkspaceSnapshot};
use crate::answers::daily::DailyNotes;
use crate::answers::{PathStyle, Previews};
use crate::check::Rules;
use crate::facts::extract;
use crate::graph::Full;
use crate::index::{Note, Snapshot};
use crate::syntax::Syntax;
use crate::vault::{self, OnDisk};

/// How long a request waits for indexing to catch up before answering from
/// what is indexed so far.
const WAIT: Duration = Duration::from_secs(5);

/// How long a move carnet asked for is expected back in `willRenameFiles`.
const OWN_MOVES_EXPIRE: Duration = Duration::from_secs(30);

/// One vault: a workspace folder, or the folder of a note opened outside
/// every workspace folder (then only opened notes are in it).
#[derive(Clone)]
pub struct Vault {
    pub root: PathBuf,
    pub snapshot: Snapshot,
    /// A stand-in vault for notes outside every workspace folder.
    pub adhoc: bool,
    pub filter: Option<Arc<vault::Filter>>,
    /// What to check, from the vault's `carnet.toml`.
    pub rules: Arc<Rules>,
    /// Where daily notes go (`carnet.toml`, `.obsidian/daily-notes.json`).
    pub daily: Arc<DailyNotes>,
}

pub struct OpenDoc {
    pub path: PathBuf,
    pub rope: Rope,
    pub version: i32,
    /// Bumped on every change; the client's `version` is not trusted to grow.
    pub seq: u64,
    /// The `seq` whose text the published snapshot holds.
    pub published: u64,
    pub syntax: Arc<Mutex<SyntaxSlot>>,
}

#[derive(Default)]
pub struct State {
    pub vaults: Vec<Vault>,
    pub docs: HashMap<Uri, OpenDoc>,
}

/// Which of `vaults` (each its root and whether it is ad hoc) holds `path`:
/// the deepest workspace folder containing it, else the ad-hoc vault of its
/// folder.
pub(super) fn holding<'a>(
    vaults: impl Iterator<Item = (&'a Path, bool)>,
    path: &Path,
) -> Option<usize> {
    vaults
        .enumerate()
        .filter(|(_, (root, adhoc))| match adhoc {
            true => path.parent() == Some(*root),
            false => path.starts_with(root),
        })
        .max_by_key(|(_, (root, adhoc))| (!adhoc, root.as_os_str().len()))
        .map(|(i, _)| i)
}

impl State {
    /// The vault holding `path` (see [`holding`]).
    pub fn vault_of(&self, path: &Path) -> Option<usize> {
        let vaults = self.vaults.iter().map(|v| (v.root.as_path(), v.adhoc));
        holding(vaults, path)
    }

    fn is_open(&self, path: &Path) -> bool {
        self.docs.values().any(|d| d.path == path)
    }
}

/// Work for the writer thread, in arrival order.
pub enum Job {
    Index(PathBuf),
    Forget(PathBuf),
    /// A buffer changed (or opened): re-extract if this is its latest state.
    /// `edit` carries the old text and the changed byte ranges for the syntax tree.
    Buffer {
        uri: Uri,
        seq: u64,
        edits: Vec<SyntaxEdit>,
    },
    Closed(PathBuf),
    /// Nothing to index; settings changed, so diagnostics are checked again.
    Recheck,
    /// A file changed on disk (created, changed, deleted, or a folder).
    Disk(PathBuf),
}

/// One edit, for the incremental syntax tree.
pub struct SyntaxEdit {
    pub start: usize,
    pub old_end: usize,
    pub new_end: usize,
    pub old_text: Rope,
    pub new_text: Rope,
}

/// Applies one `didChange` content change to a buffer: `range` in the
/// negotiated encoding (clamped; ends given backwards are swapped), `None`
/// for a full replacement. Returns the edit for the syntax tree.
pub fn apply_change(
    rope: &mut Rope,
    range: Option<(Position, Position)>,
    text: &str,
    enc: Encoding,
) -> SyntaxEdit {
    let old = rope.clone();
    let Some((from, to)) = range else {
        *rope = Rope::from_str(text);
        return SyntaxEdit {
            start: 0,
            old_end: old.len_bytes(),
            new_end: rope.len_bytes(),
            old_text: old,
            new_text: rope.clone(),
        };
    };
    let mut start = from_proto::offset(rope, from, enc);
    let mut end = from_proto::offset(rope, to, enc);
    if start > end {
        std::mem::swap(&mut start, &mut end);
    }
    let cs = rope.byte_to_char(start);
    let ce = rope.byte_to_char(end);
    rope.remove(cs..ce);
    rope.insert(cs, text);
    SyntaxEdit {
        start,
        old_end: end,
        new_end: start + text.len(),
        old_text: old,
        new_text: rope.clone(),
    }
}

pub struct World {
    state: Mutex<State>,
    /// Jobs, numbered in the order they were sent.
    jobs: Mutex<(u64, mpsc::Sender<(u64, Job)>)>,
    /// The number of the last job the writer finished.
    done: tokio::sync::watch::Sender<u64>,
    /// What the client can do, set once at `initialize`.
    caps: OnceLock<Arc<ClientCaps>>,
    pub log: super::log::Logger,
    /// Problem levels from the editor's settings, over each vault's carnet.toml.
    editor_levels: Mutex<std::collections::HashMap<String, Option<crate::check::Severity>>>,
    /// `carnet.completion.markdownPathStyle` from the editor's settings.
    path_style: Mutex<PathStyle>,
    /// `carnet.inlayHints.previews` from the editor's settings.
    previews: Mutex<Previews>,
    /// Semantic tokens sent, for `full/delta` requests.
    pub tokens: TokenResults,
    /// File moves carnet itself asked the editor to make (in a rename's
    /// answer), old → new, and when: the editor then announces them with
    /// `willRenameFiles`, whose link edits were already in that answer.
    pub own_moves: Mutex<Vec<(PathBuf, PathBuf, std::time::Instant)>>,
    /// The last whole-vault graph built for each vault, with the snapshot it
    /// came from: following the active editor asks about one snapshot again
    /// and again, and resolving every link of a large vault is the costly part.
    graphs: Mutex<Vec<(PathBuf, Snapshot, Arc<Full>)>>,
    /// Notes that disappeared and appeared on disk, for moves made elsewhere.
    pub moves: super::moves::Watch,
}

impl World {
    pub fn new(log: super::log::Logger) -> Arc<World> {
        let (tx, rx) = mpsc::channel();
        let (done, _) = tokio::sync::watch::channel(0);
        let world = Arc::new(World {
            state: Mutex::new(State::default()),
            jobs: Mutex::new((0, tx)),
            done,
            caps: OnceLock::new(),
            log,
            editor_levels: Mutex::default(),
            path_style: Mutex::default(),
            previews: Mutex::default(),
            tokens: TokenResults::default(),
            own_moves: Mutex::default(),
            graphs: Mutex::default(),
            moves: Default::default(),
        });
        let w = Arc::downgrade(&world);
        std::thread::Builder::new()
            .name("carnet-writer".into())
            .spawn(move || writer(w, rx))
            .expect("spawn writer thread");
        world
    }

    /// Locks the state; a panic elsewhere never poisons it for good.
    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records the client's capabilities (once; later calls are ignored).
    pub fn set_caps(&self, caps: ClientCaps) {
        let _ = self.caps.set(Arc::new(caps));
    }

    pub fn caps(&self) -> Arc<ClientCaps> {
        self.caps.get().cloned().unwrap_or_default()
    }

    pub fn encoding(&self) -> Encoding {
        self.caps.get().map_or(Encoding::default(), |c| c.encoding)
    }

    pub fn path_style(&self) -> PathStyle {
        *self.path_style.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn previews(&self) -> Previews {
        *self.previews.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn send(&self, job: Job) {
        let mut jobs = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
        jobs.0 += 1;
        let n = jobs.0;
        let _ = jobs.1.send((n, job));
    }

    /// The number of the last job sent so far.
    fn sent(&self) -> u64 {
        self.jobs.lock().unwrap_or_else(|e| e.into_inner()).0
    }

    /// Waits (at most `limit`) until the writer has done every job sent
    /// before this call: a request then sees every change that came before it.
    /// Returns false on time-out.
    pub async fn caught_up(&self, limit: Duration) -> bool {
        let target = self.sent();
        let mut rx = self.done.subscribe();
        let wait = rx.wait_for(|&done| done >= target);
        matches!(tokio::time::timeout(limit, wait).await, Ok(Ok(_)))
    }

    /// Adds a workspace folder and queues its indexing.
    pub fn add_root(&self, root: PathBuf) {
        let mut st = self.state();
        if st.vaults.iter().any(|v| v.root == root && !v.adhoc) {
            return;
        }
        st.vaults.push(Vault {
            root: root.clone(),
            snapshot: Snapshot::default(),
            adhoc: false,
            filter: None,
            rules: Arc::default(),
            daily: Arc::default(),
        });
        drop(st);
        self.send(Job::Index(root));
    }

    pub fn remove_root(&self, root: PathBuf) {
        self.send(Job::Forget(root));
    }

    /// Waits (briefly) until every change sent before a request is in the
    /// snapshot it will be answered from.
    pub async fn before_answering(&self, what: &str) {
        if !self.caught_up(WAIT).await {
            self.log
                .warn(format!("answering {what} before indexing has caught up"));
        }
    }

    pub(super) fn with_editor_levels(&self, base: Arc<Rules>) -> Arc<Rules> {
        let levels = self.editor_levels.lock().unwrap_or_else(|e| e.into_inner());
        if levels.is_empty() {
            return base;
        }
        let mut rules = (*base).clone();
        rules
            .levels
            .extend(levels.iter().map(|(k, v)| (k.clone(), *v)));
        Arc::new(rules)
    }

    /// Applies the editor's `carnet` settings; unknown entries are logged.
    pub fn set_editor_settings(&self, settings: &serde_json::Value) {
        let mut levels = std::collections::HashMap::new();
        if let Some(map) = settings.get("diagnostics").and_then(|d| d.as_object()) {
            for (code, level) in map {
                let parsed = level.as_str().and_then(crate::check::Level::parse);
                match parsed {
                    Some(l) if crate::check::code::ALL.contains(&code.as_str()) => {
                        levels.insert(code.clone(), l);
                    }
                    _ => self.log.warn(format!(
                        "setting carnet.diagnostics.{code} = {level} ignored"
                    )),
                }
            }
        }
        if let Some(level) = settings
            .get("logLevel")
            .and_then(|l| l.as_str())
            .and_then(super::log::LogLevel::parse)
        {
            self.log.set_level(level);
        }
        let style = settings
            .pointer("/completion/markdownPathStyle")
            .and_then(|s| s.as_str());
        *self.path_style.lock().unwrap_or_else(|e| e.into_inner()) = match style {
            Some("angle") => PathStyle::Angle,
            Some("percent") | None => PathStyle::Percent,
            Some(other) => {
                self.log.warn(format!(
                    "setting carnet.completion.markdownPathStyle = {other:?} ignored"
                ));
                PathStyle::Percent
            }
        };
        let previews = settings
            .pointer("/inlayHints/previews")
            .and_then(|s| s.as_str());
        *self.previews.lock().unwrap_or_else(|e| e.into_inner()) = match previews {
            None => Previews::default(),
            Some(p) => Previews::parse(p).unwrap_or_else(|| {
                self.log.warn(format!(
                    "setting carnet.inlayHints.previews = {p:?} ignored"
                ));
                Previews::default()
            }),
        };
        if let Err(w) = self.moves.set_mode(settings.pointer("/moves/updateLinks")) {
            self.log.warn(w);
        }
        *self.editor_levels.lock().unwrap_or_else(|e| e.into_inner()) = levels;
        self.send(Job::Recheck);
    }

    /// Fires after each job the writer finishes (for diagnostics).
    pub fn changes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.done.subscribe()
    }

    /// Open documents and their versions.
    pub fn open_documents(&self) -> Vec<(Uri, i32)> {
        self.state()
            .docs
            .iter()
            .map(|(u, d)| (u.clone(), d.version))
            .collect()
    }

    /// The open buffer of `uri` as it is now (cheap clones): what the
    /// positions of a request arriving now refer to.
    pub(super) fn buffer(&self, uri: &Uri) -> Option<Buffer> {
        let st = self.state();
        let d = st.docs.get(uri)?;
        Some((d.rope.clone(), d.version, d.seq, d.syntax.clone()))
    }

    /// What a request about `uri` reads, from the snapshot and buffer as
    /// they are now. Reads a closed note's text: call it off the async threads.
    pub fn note_snapshot(self: &Arc<Self>, uri: &Uri, cancel: Cancel) -> Option<NoteSnapshot> {
        self.note_snapshot_of(uri, self.buffer(uri), cancel)
    }

    /// What a request about `uri` reads: the vault snapshot as it is now,
    /// and `buffer`, the note's buffer as it was when the request arrived
    /// (taken before waiting for indexing: a keystroke that arrives during
    /// the wait must not move the text the request's positions refer to).
    pub(super) fn note_snapshot_of(
        self: &Arc<Self>,
        uri: &Uri,
        buffer: Option<Buffer>,
        cancel: Cancel,
    ) -> Option<NoteSnapshot> {
        let path = from_proto::path(uri)?;
        let (vault, rel, published) = {
            let st = self.state();
            let vault = st.vaults[st.vault_of(&path)?].clone();
            let rel = vault::relative(&vault.root, &path)?;
            (vault, rel, st.docs.get(uri).map(|d| d.published))
        };
        Some(NoteSnapshot::new(
            self, &vault, rel, buffer, published, cancel,
        ))
    }

    /// Every vault, for a request about the whole workspace.
    pub fn workspace_snapshot(self: &Arc<Self>, cancel: Cancel) -> WorkspaceSnapshot {
        let vaults = self
            .state()
            .vaults
            .iter()
            .map(|v| VaultView {
                adhoc: v.adhoc,
                texts: Texts::new(self.clone(), &v.root),
                rules: self.with_editor_levels(v.rules.clone()),
                daily: v.daily.clone(),
                root: v.root.clone(),
                snapshot: v.snapshot.clone(),
            })
            .collect();
        WorkspaceSnapshot {
            vaults,
            caps: self.caps(),
            cancel,
            world: self.clone(),
        }
    }

    /// The whole graph of the vault at `root` as of `snapshot`: the one kept
    /// if it was built from this very snapshot, else built now (off the
    /// async threads: it resolves every link) and kept in its place.
    pub fn graph(&self, root: &Path, snapshot: &Snapshot) -> Arc<Full> {
        let graphs = || self.graphs.lock().unwrap_or_else(|e| e.into_inner());
        let kept = graphs()
            .iter()
            .find(|(r, s, _)| r == root && s.same_as(snapshot))
            .map(|(_, _, full)| full.clone());
        if let Some(full) = kept {
            return full;
        }
        // Built without the lock held: another vault's request need not wait.
        let full = Arc::new(Full::build(snapshot));
        let roots: Vec<PathBuf> = self.state().vaults.iter().map(|v| v.root.clone()).collect();
        let mut graphs = graphs();
        // Drop this vault's older graph, and those of folders since closed.
        graphs.retain(|(r, _, _)| r != root && roots.contains(r));
        graphs.push((root.to_path_buf(), snapshot.clone(), full.clone()));
        full
    }

    /// Remembers moves sent in a rename's answer (see `own_moves`).
    pub fn expect_moves(&self, moves: impl IntoIterator<Item = (PathBuf, PathBuf)>) {
        let now = std::time::Instant::now();
        let mut own = self.own_moves.lock().unwrap_or_else(|e| e.into_inner());
        own.retain(|m| now.duration_since(m.2) < OWN_MOVES_EXPIRE);
        own.extend(moves.into_iter().map(|(a, b)| (a, b, now)));
    }

    /// Whether the editor's move `old` → `new` is one a rename's answer
    /// already covered (each is matched once).
    pub fn is_own_move(&self, old: &Path, new: &Path) -> bool {
        let now = std::time::Instant::now();
        let mut own = self.own_moves.lock().unwrap_or_else(|e| e.into_inner());
        own.retain(|m| now.duration_since(m.2) < OWN_MOVES_EXPIRE);
        match own.iter().position(|m| m.0 == old && m.1 == new) {
            Some(i) => {
                own.remove(i);
                true
            }
            None => false,
        }
    }

    /// A note's text as the editor has it (the buffer if open, else the
    /// file) and, for an open buffer, its version. The one place the
    /// server reads a note; [`Texts`] caches it per request.
    pub fn read(&self, path: &Path) -> Option<(Rope, Option<i32>)> {
        if let Some(open) = self.open_buffer(path) {
            return Some(open);
        }
        vault::read_note(path)
            .ok()
            .map(|t| (Rope::from_str(&t), None))
    }

    /// The open buffer of the note at `path`, with its version.
    pub fn open_buffer(&self, path: &Path) -> Option<(Rope, Option<i32>)> {
        let st = self.state();
        st.docs
            .values()
            .find(|d| d.path == path)
            .map(|d| (d.rope.clone(), Some(d.version)))
    }
}

/// The semantic tokens last sent for each open document, by result id, so
/// a `full/delta` request is answered against the result the client holds.
/// A few are kept per document: the client may ask against an older one
/// when it cancelled the request that would have replaced it.
#[derive(Default)]
pub struct TokenResults {
    next: std::sync::atomic::AtomicU64,
    by_doc: Mutex<HashMap<Uri, std::collections::VecDeque<TokenResult>>>,
}

/// A result id and the tokens sent with it.
type TokenResult = (String, Arc<[SemanticToken]>);

/// How many results are kept per document.
const TOKEN_RESULTS_KEPT: usize = 4;

impl TokenResults {
    /// Keeps `data` as the newest result for `uri`; returns its id.
    pub fn remember(&self, uri: &Uri, data: Arc<[SemanticToken]>) -> String {
        let n = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let id = n.to_string();
        let mut docs = self.by_doc.lock().unwrap_or_else(|e| e.into_inner());
        let kept = docs.entry(uri.clone()).or_default();
        kept.push_back((id.clone(), data));
        if kept.len() > TOKEN_RESULTS_KEPT {
            kept.pop_front();
        }
        id
    }

    /// The result `id` sent for `uri`, if it is still kept.
    pub fn get(&self, uri: &Uri, id: &str) -> Option<Arc<[SemanticToken]>> {
        let docs = self.by_doc.lock().unwrap_or_else(|e| e.into_inner());
        let kept = docs.get(uri)?;
        kept.iter().find(|(i, _)| i == id).map(|(_, d)| d.clone())
    }

    pub fn forget(&self, uri: &Uri) {
        self.by_doc
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(uri);
    }
}

/// The writer thread: applies jobs one at a time, in order.
fn writer(world: std::sync::Weak<World>, rx: mpsc::Receiver<(u64, Job)>) {
    while let Ok((n, job)) = rx.recv() {
        let Some(world) = world.upgrade() else { return };
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| apply(&world, job)));
        if outcome.is_err() {
            world.log.error(
                "internal error while updating the index; the change was skipped".to_string(),
            );
        }
        world.done.send_replace(n);
    }
}

/// At most this many edits wait for a buffer's tree; past that the next
/// folding or selection request parses the buffer afresh, so that a client
/// that never asks keeps no old versions of its text.
const PENDING_EDITS: usize = 256;

/// The syntax tree of an open buffer, brought up to date only when a
/// request reads it: only folding and selection ranges do, so a keystroke
/// records its edits here and costs no parse, and several keystrokes
/// between two such requests cost one incremental parse.
#[derive(Default)]
pub struct SyntaxSlot {
    tree: Option<Syntax>,
    /// Edits made since the tree was last parsed, in order.
    pending: Vec<SyntaxEdit>,
    /// The buffer after those edits.
    text: Rope,
}

impl SyntaxSlot {
    /// The tree of the buffer as of the last recorded job.
    pub fn current(&mut self) -> &Syntax {
        let text = self.text.to_string();
        let pending = std::mem::take(&mut self.pending);
        match self.tree.as_mut() {
            Some(tree) => {
                // A range that cannot be sliced (not on character
                // boundaries, past the end) is an edit that does not fit:
                // the parse then starts afresh.
                fn chunks(r: &Rope, range: std::ops::Range<usize>) -> Option<Vec<&[u8]>> {
                    let slice = r.get_byte_slice(range)?;
                    Some(slice.chunks().map(str::as_bytes).collect())
                }
                let mut fresh = false;
                for e in &pending {
                    let edit = crate::syntax::Edit {
                        start: e.start,
                        old_end: e.old_end,
                        new_end: e.new_end,
                        old_len: e.old_text.len_bytes(),
                        new_len: e.new_text.len_bytes(),
                    };
                    let parts = (
                        chunks(&e.old_text, 0..e.start),
                        chunks(&e.old_text, e.start..e.old_end),
                        chunks(&e.new_text, e.start..e.new_end),
                    );
                    let recorded = match parts {
                        (Some(before), Some(removed), Some(inserted)) => {
                            tree.record(&edit, before, removed, inserted)
                        }
                        _ => false,
                    };
                    if !recorded {
                        fresh = true;
                        break;
                    }
                }
                if fresh || !pending.is_empty() {
                    tree.reparse(&text, fresh);
                }
            }
            None => self.tree = Some(Syntax::new(&text)),
        }
        self.tree.as_ref().expect("parsed above")
    }
}

/// Records one job's edits for a buffer's syntax tree; with no edits (the
/// buffer was opened again) the tree is dropped, and parsed again from
/// `rope`, the buffer as it is now, when next read.
pub fn update_syntax(syn: &mut SyntaxSlot, edits: Vec<SyntaxEdit>, rope: &Rope) {
    if edits.is_empty() || syn.pending.len() + edits.len() > PENDING_EDITS {
        syn.tree = None;
        syn.pending.clear();
    } else if syn.tree.is_some() {
        syn.pending.extend(edits);
    }
    syn.text = rope.clone();
}

pub(super) fn note_from_text(rel: &str, text: &str) -> Note {
    Note::new(rel.into(), extract(text), text.len() as u64)
}

fn apply(world: &Arc<World>, job: Job) {
    match job {
        Job::Index(root) => index_root(world, root),
        Job::Forget(root) => world.state().vaults.retain(|v| v.root != root || v.adhoc),
        Job::Buffer { uri, seq, edits } => {
            let (rope, path, latest, published, syntax) = {
                let st = world.state();
                let Some(d) = st.docs.get(&uri) else { return };
                (
                    d.rope.clone(),
                    d.path.clone(),
                    d.seq,
                    d.published,
                    d.syntax.clone(),
                )
            };
            update_syntax(
                &mut syntax.lock().unwrap_or_else(|e| e.into_inner()),
                edits,
                &rope,
            );
            // Facts come from the buffer as it is now, which may already hold
            // later changes; those changes' jobs then have nothing left to do.
            // (Skipping this one instead would let a request that waited for
            // it see the text before it.)
            if seq <= published {
                world
                    .log
                    .debug(format!("{}: change {seq} already indexed", path.display()));
                return;
            }
            let text = rope.to_string();
            let mut st = world.state();
            let i = match st.vault_of(&path) {
                Some(i) => i,
                None => adhoc_vault(&mut st, &path),
            };
            let Some(rel) = vault::relative(&st.vaults[i].root, &path) else {
                return;
            };
            let note = note_from_text(&rel, &text);
            st.vaults[i].snapshot = st.vaults[i].snapshot.with_note(note);
            if let Some(d) = st.docs.get_mut(&uri) {
                d.published = d.published.max(latest);
            }
        }
        Job::Closed(path) => refresh_from_disk(world, &path),
        Job::Recheck => {}
        Job::Disk(path) => super::moves::observe(world, &path, || {
            if world.state().is_open(&path) {
                return; // The buffer, not the disk, is the truth for an open note.
            }
            match vault::on_disk(&path) {
                OnDisk::Folder => resync_folder(world, &path),
                OnDisk::Missing => remove_under(world, &path),
                OnDisk::File => refresh_from_disk(world, &path),
            }
        }),
    }
}

fn adhoc_vault(st: &mut State, path: &Path) -> usize {
    st.vaults.push(Vault {
        root: path.parent().unwrap_or(Path::new("/")).to_path_buf(),
        snapshot: Snapshot::default(),
        adhoc: true,
        filter: None,
        rules: Arc::default(),
        daily: Arc::default(),
    });
    st.vaults.len() - 1
}

fn index_root(world: &Arc<World>, root: PathBuf) {
    // A vault a killed `carnet mv` left half changed is made whole first,
    // as every carnet command does, so the index never sees the mix.
    match vault::write::recover_pending(&root) {
        Ok(Some(what)) => world.log.warn(format!("{}: {what}", root.display())),
        Ok(None) => {}
        Err(e) => world.log.error(format!("{}: {e}", root.display())),
    }
    let loaded = match vault::load_cached(&root) {
        Ok(l) => l,
        Err(e) => {
            world
                .log
                .error(format!("cannot index {}: {e}", root.display()));
            return;
        }
    };
    for w in &loaded.config_warnings {
        world.log.warn(w.clone());
    }
    for s in &loaded.skipped {
        world
            .log
            .info(format!("skipped {}: {}", s.path.display(), s.reason));
    }
    world.log.info(format!(
        "indexed {} notes in {} in {:.0?}",
        loaded.snapshot.note_count(),
        root.display(),
        loaded.elapsed
    ));
    let phases: Vec<String> = loaded
        .timings
        .iter()
        .map(|(phase, t)| format!("{phase} {t:.0?}"))
        .collect();
    world.log.info(format!("indexing: {}", phases.join(", ")));
    if let Some(used) = &loaded.cache {
        world.log.info(format!(
            "facts cache: {}; {} notes from it, {} parsed",
            used.report, used.reused, used.parsed
        ));
    }
    let filter = Arc::new(vault::Filter::new(&root, &loaded.config));
    // Open buffers win over what was just read from disk.
    let open: Vec<(PathBuf, String)> = {
        let st = world.state();
        st.docs
            .values()
            .filter(|d| d.path.starts_with(&root))
            .map(|d| (d.path.clone(), d.rope.to_string()))
            .collect()
    };
    let mut snapshot = loaded.snapshot;
    if let Some(used) = loaded.cache.filter(|u| u.stale && u.cache.is_some()) {
        save_cache(world, used, snapshot.clone());
    }
    for (path, text) in open {
        if let Some(rel) = vault::relative(&root, &path) {
            snapshot = snapshot.with_note(note_from_text(&rel, &text));
        }
    }
    let mut st = world.state();
    if let Some(v) = st.vaults.iter_mut().find(|v| v.root == root && !v.adhoc) {
        v.snapshot = snapshot;
        v.filter = Some(filter);
        v.rules = Arc::new(Rules::from_config(&loaded.config));
        v.daily = Arc::new(loaded.daily.clone());
    }
}

/// Writes the facts cache of a vault just indexed on a thread of its own,
/// after the first requests: a server starting again then
/// parses only what changed. `snapshot` is the one read from disk, before
/// open buffers replaced any note.
fn save_cache(world: &Arc<World>, used: vault::CacheUse, snapshot: Snapshot) {
    let weak = Arc::downgrade(world);
    let spawned = std::thread::Builder::new()
        .name("carnet-cache".into())
        .spawn(move || {
            // What the first answers need comes first: they queue behind
            // indexing and should not share the cores with this.
            std::thread::sleep(CACHE_DELAY);
            let t = std::time::Instant::now();
            let saved = used.save(&snapshot);
            let Some(world) = weak.upgrade() else { return };
            match saved {
                Ok((file, size, pruned)) => {
                    world.log.info(format!(
                        "facts cache written: {} ({} notes, {:.1} MB) in {:.0?}",
                        file.display(),
                        snapshot.note_count(),
                        size as f64 / 1e6,
                        t.elapsed()
                    ));
                    for line in pruned {
                        world.log.info(format!("facts cache: {line}"));
                    }
                }
                Err(e) => world.log.warn(format!("facts cache not written: {e}")),
            }
        });
    if let Err(e) = spawned {
        world.log.warn(format!("facts cache not written: {e}"));
    }
}

/// How long after indexing the facts cache is written.
const CACHE_DELAY: std::time::Duration = std::time::Duration::from_millis(500);

/// Re-reads one file into its vault (or removes it if it is gone).
fn refresh_from_disk(world: &World, path: &Path) {
    let (i, rel, filter) = {
        let st = world.state();
        let Some(i) = st.vault_of(path) else { return };
        let v = &st.vaults[i];
        let Some(rel) = vault::relative(&v.root, path) else {
            return;
        };
        (i, rel, v.filter.clone())
    };
    if filter.as_ref().is_some_and(|f| !f.includes(path)) {
        return;
    }
    let is_note = vault::is_note(path);
    let is_file = vault::on_disk(path) == OnDisk::File;
    let note = if is_note && is_file {
        match vault::read_note_stamped(path) {
            Ok((text, stamp)) => Some(note_from_text(&rel, &text).read_as(stamp)),
            Err(reason) => {
                world
                    .log
                    .info(format!("skipped {}: {reason}", path.display()));
                None
            }
        }
    } else {
        None
    };
    let mut st = world.state();
    let Some(v) = st.vaults.get_mut(i) else {
        return;
    };
    v.snapshot = match (is_note, note) {
        (true, Some(note)) => v.snapshot.with_note(note),
        (true, None) if v.adhoc => v.snapshot.without_note(&rel),
        (true, None) => v.snapshot.without_note(&rel),
        (false, _) if is_file => v.snapshot.with_attachment(&rel),
        (false, _) => v.snapshot.without_attachment(&rel),
    };
}

/// A folder that changed as a whole (moved in, copied in, or every root
/// once the kernel dropped events): what is indexed under it but no longer
/// on disk is dropped, and each file under it is looked at again, unless
/// it is open (the buffer is the truth) or its stamp proves its facts
/// current (a root looked at again after an overflow reads only what
/// changed).
fn resync_folder(world: &World, path: &Path) {
    let (root, snapshot) = {
        let st = world.state();
        let Some(i) = st.vault_of(path) else { return };
        (st.vaults[i].root.clone(), st.vaults[i].snapshot.clone())
    };
    let Some(rel) = vault::relative(&root, path) else {
        return;
    };
    let indexed = snapshot
        .notes()
        .map(|n| &n.path)
        .chain(snapshot.attachments());
    let gone: Vec<PathBuf> = indexed
        .filter(|p| is_under(p, &rel))
        .map(|p| root.join(&**p))
        .filter(|f| vault::on_disk(f) != OnDisk::File)
        .collect();
    for file in gone {
        remove_under(world, &file);
    }
    for file in vault::files_under(path) {
        let current = vault::relative(&root, &file)
            .and_then(|rel| snapshot.note(&rel).map(|n| vault::unchanged(&root, n)))
            .unwrap_or(false);
        if !current && !world.state().is_open(&file) {
            refresh_from_disk(world, &file);
        }
    }
}

/// Whether the vault-relative path `p` is `folder` or lies under it (the
/// root is `""`).
fn is_under(p: &str, folder: &str) -> bool {
    folder.is_empty()
        || p.strip_prefix(folder)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// A deleted file or folder: drop it and everything under it.
fn remove_under(world: &World, path: &Path) {
    let mut st = world.state();
    let Some(i) = st.vault_of(path) else { return };
    let v = &mut st.vaults[i];
    let Some(rel) = vault::relative(&v.root, path) else {
        return;
    };
    let notes: Vec<_> = v
        .snapshot
        .notes()
        .filter(|n| is_under(&n.path, &rel))
        .map(|n| n.path.clone())
        .collect();
    for n in notes {
        v.snapshot = v.snapshot.without_note(&n);
    }
    let files: Vec<_> = v
        .snapshot
        .attachments()
        .filter(|p| is_under(p, &rel))
        .cloned()
        .collect();
    for f in files {
        v.snapshot = v.snapshot.without_attachment(&f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Edits recorded without a parse, read now and then as folding
    /// requests do, give the tree a fresh parse gives; so do more edits
    /// than are kept waiting, and a full replacement.
    #[test]
    fn a_lazy_tree_equals_a_fresh_parse() {
        let start = "# A\n\ntext\n\n## B\n\n- one\n- two\n\n```\ncode\n```\n";
        let mut rope = Rope::from_str(start);
        let mut slot = SyntaxSlot::default();
        update_syntax(&mut slot, vec![], &rope);
        let pieces = ["x", "\n", "# ", "- ", "```\n", "é", "\r\n", "> "];
        for step in 0..(PENDING_EDITS + 40) {
            let line = (step * 7 % 9) as u32;
            let at = Position::new(line, (step % 4) as u32);
            let to = Position::new(line + (step % 3 == 0) as u32, 1);
            let range = (step % 97 != 50).then_some((at, to));
            let text = pieces[step % pieces.len()];
            let edit = apply_change(&mut rope, range, text, Encoding::Utf16);
            update_syntax(&mut slot, vec![edit], &rope);
            if step % 5 == 0 || step > PENDING_EDITS {
                let text = rope.to_string();
                assert_eq!(
                    slot.current().folding_ranges(&text),
                    Syntax::new(&text).folding_ranges(&text),
                    "step {step}: {text:?}"
                );
            }
        }
    }
}
