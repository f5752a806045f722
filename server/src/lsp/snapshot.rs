//! What a handler sees: an immutable view of the server taken when its
//! request is answered, on a blocking thread.
//!
//! Handlers are plain synchronous functions `(&NoteSnapshot, params)` or
//! `(&WorkspaceSnapshot, params)`. Everything they read comes from here:
//! vault snapshots, the request's buffer, the client's capabilities, and
//! note texts through [`Texts`], the one way the server reads a note's text.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use ropey::Rope;
use tower_lsp_server::ls_types::{Position, Range};

use super::capabilities::{ClientCaps, Encoding};
use super::to_proto::Positions;
use super::world::{SyntaxSlot, World};
use super::{from_proto, to_proto};
use crate::answers::daily::DailyNotes;
use crate::answers::{At, PathStyle, Previews};
use crate::check::Rules;
use crate::index::Snapshot;
use crate::syntax::Syntax;
use crate::vault::Filter;

/// Tells blocking work that its request was cancelled. tower-lsp answers
/// `$/cancelRequest` by dropping the request's future, but work already
/// running in `spawn_blocking` would go on to its end: long loops check this.
#[derive(Clone, Default)]
pub struct Cancel(pub(super) Arc<AtomicBool>);

impl Cancel {
    pub fn is_set(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// Note texts of one vault as the editor has them (the buffer if open, else
/// the file), each read once per request and kept with the buffer version
/// it belongs to, so an edit is positioned in, and versioned for, exactly
/// the text it was computed from.
pub struct Texts {
    world: Arc<World>,
    root: PathBuf,
    read: Mutex<HashMap<String, Option<Read>>>,
}

/// A text as read, with its buffer version (`None` for a closed note).
type Read = (Rope, Option<i32>);

/// An open buffer: its text, version, change count (`seq`) and syntax tree.
pub(super) type Buffer = (Rope, i32, u64, Arc<Mutex<SyntaxSlot>>);

impl Texts {
    pub fn new(world: Arc<World>, root: &Path) -> Texts {
        Texts {
            world,
            root: root.to_path_buf(),
            read: Mutex::new(HashMap::new()),
        }
    }

    fn with_buffer(self, rel: &str, rope: Rope, version: Option<i32>) -> Texts {
        self.lock().insert(rel.to_string(), Some((rope, version)));
        self
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Option<Read>>> {
        self.read.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn get(&self, rel: &str) -> Option<Read> {
        if let Some(known) = self.lock().get(rel) {
            return known.clone();
        }
        // Read without the lock held: other threads of a rename read too.
        let read = self.world.read(&self.root.join(rel));
        self.lock().insert(rel.to_string(), read.clone());
        read
    }

    /// Whether the text of `rel` was read (or given) for this request.
    pub fn has(&self, rel: &str) -> bool {
        self.lock().contains_key(rel)
    }

    pub fn rope(&self, rel: &str) -> Option<Rope> {
        self.get(rel).map(|(rope, _)| rope)
    }

    /// The text, for answers that take a `text_of` function.
    pub fn text(&self, rel: &str) -> Option<String> {
        self.rope(rel).map(String::from)
    }

    /// The text, as [`Texts::text`], when it is `len` bytes long as the
    /// facts say, and not kept when read from disk: for answers that read
    /// every note once (unlinked mentions), which would otherwise hold the
    /// whole vault in memory and build a rope of each note for nothing.
    pub fn text_once(&self, rel: &str, len: u64) -> Option<String> {
        let text = if let Some(known) = self.lock().get(rel) {
            known.as_ref().map(|(rope, _)| String::from(rope))
        } else {
            let path = self.root.join(rel);
            match self.world.open_buffer(&path) {
                Some((rope, _)) => Some(rope.into()),
                None => return crate::vault::read_note_sized(&path, len),
            }
        };
        text.filter(|t| t.len() as u64 == len)
    }

    /// The buffer version of the text (`None` for a closed note).
    pub fn version(&self, rel: &str) -> Option<i32> {
        self.get(rel).and_then(|(_, v)| v)
    }
}

/// A request about one note.
pub struct NoteSnapshot {
    pub snapshot: Snapshot,
    pub root: PathBuf,
    /// The note's vault-relative path.
    pub rel: String,
    /// The text positions refer to: the buffer, or the file on disk.
    pub rope: Rope,
    pub(super) syntax: Option<Arc<Mutex<SyntaxSlot>>>,
    pub caps: Arc<ClientCaps>,
    pub rules: Arc<Rules>,
    pub filter: Option<Arc<Filter>>,
    pub daily: Arc<DailyNotes>,
    pub path_style: PathStyle,
    pub previews: Previews,
    pub texts: Texts,
    pub cancel: Cancel,
    /// For logging, and for remembering the moves a rename asks for.
    pub world: Arc<World>,
}

/// One vault, for a request about every vault.
pub struct VaultView {
    pub root: PathBuf,
    /// A stand-in vault for notes outside every workspace folder.
    pub adhoc: bool,
    pub snapshot: Snapshot,
    pub rules: Arc<Rules>,
    pub daily: Arc<DailyNotes>,
    pub texts: Texts,
}

/// A request about the whole workspace.
pub struct WorkspaceSnapshot {
    pub vaults: Vec<VaultView>,
    pub caps: Arc<ClientCaps>,
    pub cancel: Cancel,
    pub world: Arc<World>,
}

impl NoteSnapshot {
    pub(super) fn new(
        world: &Arc<World>,
        vault: &super::world::Vault,
        rel: String,
        buffer: Option<Buffer>,
        published: Option<u64>,
        cancel: Cancel,
    ) -> NoteSnapshot {
        let texts = Texts::new(world.clone(), &vault.root);
        let mut snapshot = vault.snapshot.clone();
        let (rope, version, syntax) = match buffer {
            Some((rope, version, seq, syntax)) => {
                // The writer may have indexed changes that came after the
                // request (or not yet those before it, after a time-out): the
                // note's own facts must be those of the text positions refer to.
                if published != Some(seq) {
                    let note = super::world::note_from_text(&rel, &rope.to_string());
                    snapshot = snapshot.with_note(note);
                }
                (rope, Some(version), Some(syntax))
            }
            None => (texts.rope(&rel).unwrap_or_default(), None, None),
        };
        NoteSnapshot {
            snapshot,
            root: vault.root.clone(),
            texts: texts.with_buffer(&rel, rope.clone(), version),
            rel,
            rope,
            syntax,
            caps: world.caps(),
            rules: world.with_editor_levels(vault.rules.clone()),
            filter: vault.filter.clone(),
            daily: vault.daily.clone(),
            path_style: world.path_style(),
            previews: world.previews(),
            cancel,
            world: world.clone(),
        }
    }

    pub fn encoding(&self) -> Encoding {
        self.caps.encoding
    }

    /// Positions in any note of this vault.
    pub fn positions(&self) -> Positions<'_> {
        Positions::new(self.encoding(), &self.snapshot, &self.texts)
    }

    /// The cursor at a position of this note.
    pub fn at(&self, pos: Position) -> At {
        from_proto::at(&self.rope, pos, self.encoding())
    }

    pub fn offset(&self, pos: Position) -> usize {
        from_proto::offset(&self.rope, pos, self.encoding())
    }

    /// A byte range of this note's text as an LSP range.
    pub fn range(&self, bytes: std::ops::Range<usize>) -> Range {
        to_proto::range_in(&self.rope, bytes, self.encoding())
    }

    pub fn text(&self) -> String {
        self.rope.to_string()
    }

    /// Runs `f` on the buffer's syntax tree, or on a fresh parse for a note
    /// that is not open.
    pub fn with_syntax<T>(&self, text: &str, f: impl FnOnce(&Syntax) -> T) -> T {
        if let Some(shared) = &self.syntax {
            let mut guard = shared.lock().unwrap_or_else(|e| e.into_inner());
            return f(guard.current());
        }
        f(&Syntax::new(text))
    }
}

impl WorkspaceSnapshot {
    pub fn vault(&self, root: &Path) -> Option<&VaultView> {
        self.vaults.iter().find(|v| v.root == root)
    }

    /// The vault holding the file at `path`, as [`World`] finds it for a
    /// request about one note, and the file's vault-relative path.
    pub fn vault_of(&self, path: &Path) -> Option<(&VaultView, String)> {
        let vaults = self.vaults.iter().map(|v| (v.root.as_path(), v.adhoc));
        let v = &self.vaults[super::world::holding(vaults, path)?];
        Some((v, crate::vault::relative(&v.root, path)?))
    }

    /// Positions in the notes of one of the vaults.
    pub fn positions<'a>(&self, v: &'a VaultView) -> Positions<'a> {
        Positions::new(self.caps.encoding, &v.snapshot, &v.texts)
    }
}

/// Today, and the time of day (hours, minutes), where the editor runs.
pub fn now() -> (jiff::civil::Date, (i8, i8)) {
    let now = jiff::ZonedDateTime::now();
    (now.date(), (now.hour(), now.minute()))
}
