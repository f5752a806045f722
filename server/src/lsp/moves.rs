//! Moves made outside the editor (a shell `mv`, a file manager, `git
//! pull`): the server sees notes disappear and appear, pairs them by
//! content ([`crate::moves::pair`]), and offers to update the links the
//! move broke (`window/showMessageRequest`, then `workspace/applyEdit`,
//! both sent by [`client::offer_link_updates`]), or updates them without
//! asking when `carnet.moves.updateLinks` is `"always"` (`"never"`: only a
//! log line).
//!
//! The writer thread records what each disk event removed and added
//! ([`observe`]); [`offer_loop`], a task of its own like the diagnostics
//! loop, waits for the events to settle and pairs them off the async
//! threads; the link repairs are planned by the rename planner on the vault
//! as it was ([`crate::moves::relink_moved`], through [`plan`]). No handler
//! waits for any of it.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tower_lsp_server::Client;

use super::client;
use super::snapshot::Texts;
use super::world::World;
use crate::answers::Plan;
use crate::index::{Note, Snapshot};
use crate::moves::{Content, Seen, pair, relink_moved};
use crate::names::fold;
use crate::vault;

/// How long the file events must be quiet before moves are looked for (a
/// folder moved by a file manager arrives as many events).
const SETTLE: Duration = Duration::from_millis(300);
/// How long one half of a move waits for the other.
const KEEP: Duration = Duration::from_secs(10);

/// `carnet.moves.updateLinks`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    #[default]
    Ask,
    Always,
    Never,
}

impl Mode {
    pub fn parse(s: &str) -> Option<Mode> {
        Some(match s {
            "ask" => Mode::Ask,
            "always" => Mode::Always,
            "never" => Mode::Never,
            _ => return None,
        })
    }
}

/// A file that disappeared or appeared (with a note's facts, for pairing).
struct Event {
    root: PathBuf,
    path: String,
    note: Option<Arc<Note>>,
    at: Instant,
}

impl Event {
    fn seen(&self) -> Seen<'_> {
        Seen {
            path: &self.path,
            content: match &self.note {
                Some(n) => Content::Note {
                    facts: &n.facts,
                    bytes: n.bytes,
                    text: None,
                },
                None => Content::Attachment { size: None },
            },
        }
    }

    /// Whether the vault still agrees: what appeared is there, what is gone is not.
    fn there(&self, snap: &Snapshot) -> bool {
        match self.note {
            Some(_) => snap.note(&self.path).is_some(),
            None => snap.attachment_at(&fold(&self.path)).is_some(),
        }
    }
}

#[derive(Default)]
struct Pending {
    gone: Vec<Event>,
    appeared: Vec<Event>,
    last: Option<Instant>,
    /// Moves the editor made and announced (`didRenameFiles`): not external.
    editor: Vec<(PathBuf, PathBuf, Instant)>,
}

/// The server's record of recent disappearances and appearances.
#[derive(Default)]
pub struct Watch {
    pending: Mutex<Pending>,
    wake: tokio::sync::Notify,
    mode: Mutex<Mode>,
}

impl Watch {
    fn pending(&self) -> std::sync::MutexGuard<'_, Pending> {
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The editor moved `old` to `new` itself and already had the links
    /// updated (`willRenameFiles`): not a move to offer.
    pub fn editor_moved(&self, old: PathBuf, new: PathBuf) {
        let mut p = self.pending();
        p.editor.retain(|m| m.2.elapsed() < KEEP);
        p.editor.push((old, new, Instant::now()));
    }

    pub fn mode(&self) -> Mode {
        *self.mode.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Applies the setting (absent: ask); `Err` says why a value is ignored.
    pub fn set_mode(&self, value: Option<&serde_json::Value>) -> Result<(), String> {
        let mode = match value {
            None => Mode::Ask,
            Some(v) => v
                .as_str()
                .and_then(Mode::parse)
                .ok_or_else(|| format!("setting carnet.moves.updateLinks = {v} ignored"))?,
        };
        *self.mode.lock().unwrap_or_else(|e| e.into_inner()) = mode;
        Ok(())
    }
}

/// Runs `apply` (the writer's handling of one disk event at `path`) and
/// records which notes and files it removed from, and added to, the vault.
pub fn observe(world: &World, path: &Path, apply: impl FnOnce()) {
    let snapshot = || {
        let st = world.state();
        let v = &st.vaults[st.vault_of(path)?];
        (!v.adhoc).then(|| (v.root.clone(), v.snapshot.clone()))
    };
    let before = snapshot();
    apply();
    let (Some((root, before)), Some((_, after))) = (before, snapshot()) else {
        return;
    };
    let Some(rel) = vault::relative(&root, path) else {
        return;
    };
    let gone = changed(&before, &after, &rel);
    let appeared = changed(&after, &before, &rel);
    if gone.is_empty() && appeared.is_empty() {
        return;
    }
    let now = Instant::now();
    let seen = |(path, note)| Event {
        root: root.clone(),
        path,
        note,
        at: now,
    };
    let mut p = world.moves.pending();
    p.gone.extend(gone.into_iter().map(seen));
    p.appeared.extend(appeared.into_iter().map(seen));
    p.last = Some(now);
    drop(p);
    world.moves.wake.notify_one();
}

/// The notes and files at or under `rel` that `a` has and `b` does not.
fn changed(a: &Snapshot, b: &Snapshot, rel: &str) -> Vec<(String, Option<Arc<Note>>)> {
    let mut out = Vec::new();
    if let Some(n) = a.note(rel) {
        if b.note(rel).is_none() {
            out.push((rel.to_string(), Some(n.clone())));
        }
        return out;
    }
    if a.attachment_at(&fold(rel)).is_some() {
        if b.attachment_at(&fold(rel)).is_none() {
            out.push((rel.to_string(), None));
        }
        return out;
    }
    // A folder: everything under it (one pass over the vault).
    let prefix = format!("{rel}/");
    if rel.is_empty() || rel.split('/').any(|p| p.starts_with('.')) {
        return out;
    }
    for n in a.notes().filter(|n| n.path.starts_with(&prefix)) {
        if b.note(&n.path).is_none() {
            out.push((n.path.to_string(), Some(n.clone())));
        }
    }
    for f in a.attachments().filter(|f| f.starts_with(&prefix)) {
        if b.attachment_at(&fold(f)).is_none() {
            out.push((f.to_string(), None));
        }
    }
    out
}

/// Waits for moves and has the link updates offered, for the life of the
/// server.
pub async fn offer_loop(world: Arc<World>, client: Client) {
    loop {
        world.moves.wake.notified().await;
        // Let a burst of events (a folder, a `git pull`) finish arriving.
        loop {
            tokio::time::sleep(SETTLE).await;
            let last = world.moves.pending().last;
            if last.is_none_or(|l| l.elapsed() >= SETTLE) {
                break;
            }
        }
        if !world.caught_up(Duration::from_secs(5)).await {
            continue;
        }
        let w = world.clone();
        let found = tokio::task::spawn_blocking(move || take_moves(&w))
            .await
            .unwrap_or_default();
        for (root, moves) in found {
            client::offer_link_updates(&client, &world, root, moves);
        }
    }
}

/// Pairs what disappeared with what appeared, per vault; paired and stale
/// entries are dropped, the rest waits for its other half.
fn take_moves(world: &World) -> Vec<(PathBuf, Vec<(String, String)>)> {
    let mut roots: Vec<PathBuf> = world
        .moves
        .pending()
        .gone
        .iter()
        .map(|s| s.root.clone())
        .collect();
    roots.sort();
    roots.dedup();
    let snapshots: Vec<(PathBuf, Snapshot)> = {
        let st = world.state();
        roots
            .iter()
            .filter_map(|r| {
                let v = st.vaults.iter().find(|v| v.root == *r && !v.adhoc)?;
                Some((r.clone(), v.snapshot.clone()))
            })
            .collect()
    };
    let mut p = world.moves.pending();
    p.gone.retain(|s| s.at.elapsed() < KEEP);
    p.appeared.retain(|s| s.at.elapsed() < KEEP);
    let mut out = Vec::new();
    for (root, snap) in snapshots {
        let editor: Vec<(String, String)> = p
            .editor
            .iter()
            .filter_map(|(o, n, _)| Some((vault::relative(&root, o)?, vault::relative(&root, n)?)))
            .collect();
        let gone: Vec<Seen> = p
            .gone
            .iter()
            .filter(|e| e.root == root && !e.there(&snap))
            .map(Event::seen)
            .collect();
        let appeared: Vec<Seen> = p
            .appeared
            .iter()
            .filter(|e| e.root == root && e.there(&snap))
            .map(Event::seen)
            .collect();
        let moves: Vec<(String, String)> = pair(&gone, &appeared)
            .into_iter()
            .filter(|m| !editor.contains(m))
            .collect();
        if !moves.is_empty() {
            out.push((root, moves));
        }
    }
    // Paired halves are done with.
    let paired: Vec<(PathBuf, String)> = out
        .iter()
        .flat_map(|(r, ms)| {
            ms.iter()
                .flat_map(move |(o, n)| [(r.clone(), o.clone()), (r.clone(), n.clone())])
        })
        .collect();
    let done = |s: &Event| paired.iter().any(|(r, p)| *r == s.root && *p == s.path);
    p.gone.retain(|s| !done(s));
    p.appeared.retain(|s| !done(s));
    p.last = None;
    out
}

/// The link repairs for `moves` in the vault at `root`, planned from its
/// current snapshot, with the texts they were computed from; `None` when
/// there is nothing to repair (or it cannot be done: logged). Blocking.
pub fn plan(world: &Arc<World>, root: &Path, moves: &[(String, String)]) -> Option<(Plan, Texts)> {
    let snap = {
        let st = world.state();
        st.vaults
            .iter()
            .find(|v| v.root == root && !v.adhoc)?
            .snapshot
            .clone()
    };
    let texts = Texts::new(world.clone(), root);
    match relink_moved(&snap, moves, true, &|p| texts.text(p)) {
        Ok((plan, _)) if plan.edit_count() > 0 => Some((plan, texts)),
        Ok(_) => None,
        Err(e) => {
            world
                .log
                .warn(format!("links to moved notes not updated: {e}"));
            None
        }
    }
}
