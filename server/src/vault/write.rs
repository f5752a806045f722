//! Changing several files of a vault at once, all or nothing.
//!
//! POSIX renames one file atomically, never several, so a change of many
//! files (the edits and moves of a rename) is made through a journal at the
//! vault's root, `.carnet-journal`:
//!
//! 1. the journal is written in state `prepare`, naming every temporary and
//!    backup file this change will create;
//! 2. each edited file's new text goes to a hidden temporary file beside it,
//!    the file is checked against the text the change was planned from (any
//!    difference aborts: nothing was changed), and a backup of it is made (a
//!    hard link, so no copy);
//! 3. the journal is rewritten in state `forward`: this is the commit point;
//! 4. the temporary files are renamed over the files, then the moves are
//!    made, in order;
//! 5. the backups and the journal are removed.
//!
//! A failure during step 4 turns the journal to `back` and undoes what was
//! done (moves reversed, backups renamed back). A process killed at any
//! moment leaves a journal, and the next carnet command on the vault
//! ([`recover`]) finishes it: `prepare` is undone (only our own hidden files
//! existed), `forward` is completed, `back` is completed. Every step of a
//! recovery can be repeated, so a recovery that is itself killed is finished
//! by the next one. Between the kill and that next run the files are a mix;
//! after it they are either all old or all new. See docs/reliability.md.
//!
//! An exclusive lock on the vault folder (`flock`) keeps two carnet
//! commands from changing one vault at once; the kernel drops it when the
//! process dies, so a killed command never blocks the next.

use std::fs::File;
use std::hash::Hasher;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::same_file;
use serde::{Deserialize, Serialize};

/// The journal of a change in progress, at the vault's root (hidden, so
/// never indexed).
pub const JOURNAL: &str = ".carnet-journal";

/// How long a command waits for another carnet to finish changing the vault.
const LOCK_WAIT: Duration = Duration::from_secs(30);

/// A lock on a vault: exclusive for commands that change it, shared for
/// those that only read it (so they never read half a change).
pub struct Lock {
    _dir: File,
    root: PathBuf,
}

impl Lock {
    /// Waits (at most 30 s) for the exclusive lock on the vault at `root`.
    pub fn exclusive(root: &Path) -> Result<Lock, String> {
        Self::take(root, true)
    }

    /// Waits for a shared lock: no change is being made while it is held.
    pub fn shared(root: &Path) -> Result<Lock, String> {
        Self::take(root, false)
    }

    fn take(root: &Path, exclusive: bool) -> Result<Lock, String> {
        let dir = File::open(root).map_err(|e| format!("{}: {e}", root.display()))?;
        let start = Instant::now();
        loop {
            let tried = if exclusive {
                dir.try_lock()
            } else {
                dir.try_lock_shared()
            };
            match tried {
                Ok(()) => {
                    return Ok(Lock {
                        _dir: dir,
                        root: root.to_path_buf(),
                    });
                }
                Err(std::fs::TryLockError::WouldBlock) if start.elapsed() < LOCK_WAIT => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(std::fs::TryLockError::WouldBlock) => {
                    return Err(format!(
                        "{}: another carnet command has been changing this vault for {}s; \
                         try again when it is done",
                        root.display(),
                        LOCK_WAIT.as_secs()
                    ));
                }
                // File systems without locks (some network mounts): go on
                // unprotected rather than refuse to work at all.
                Err(std::fs::TryLockError::Error(_)) => {
                    return Ok(Lock {
                        _dir: dir,
                        root: root.to_path_buf(),
                    });
                }
            }
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }
}

/// What to change: text edits (vault-relative paths as they are before the
/// moves), then moves of files or folders, made in order.
#[derive(Clone, Debug, Default)]
pub struct Change {
    pub edits: Vec<FileEdit>,
    pub moves: Vec<(String, String)>,
}

/// One file's new text, and the text it was computed from (as
/// [`super::read_note`] returns it: a byte-order mark is kept on disk).
#[derive(Clone, Debug)]
pub struct FileEdit {
    pub path: String,
    pub old: String,
    pub new: String,
}

/// Why a change was not made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WriteError {
    /// A file differs from the text the change was planned from, or a move
    /// cannot be made (a target exists, a source is gone): nothing changed.
    Refused(String),
    /// The disk failed us (permissions, space); what was done was undone.
    Failed(String),
    /// Undoing failed too: the journal stays, and the next carnet command
    /// on this vault tries again to finish the change.
    Stuck(String),
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteError::Refused(m) | WriteError::Failed(m) | WriteError::Stuck(m) => f.write_str(m),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum State {
    Prepare,
    Forward,
    Back,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct Journal {
    carnet_journal: u32,
    state: State,
    edits: Vec<JournalEdit>,
    moves: Vec<(String, String)>,
}

/// Paths are relative to the vault root when inside it.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct JournalEdit {
    file: String,
    temp: String,
    backup: String,
    /// Length and hash of the file's bytes before, and of the new bytes.
    old: Print,
    new: Print,
}

/// A file's length and hash.
type Print = (u64, u64);

fn fingerprint(bytes: &[u8]) -> Print {
    // Fixed keys: the same bytes give the same value in the next process.
    let mut h = std::hash::DefaultHasher::new();
    h.write(bytes);
    (bytes.len() as u64, h.finish())
}

const BOM: &[u8] = "\u{feff}".as_bytes();

/// Makes `change` on the vault held by `lock`, all or nothing. A journal
/// left by an interrupted change must be [`recover`]ed first.
pub fn apply(lock: &Lock, change: &Change) -> Result<(), WriteError> {
    let root = lock.root();
    if root.join(JOURNAL).exists() {
        return Err(WriteError::Refused(format!(
            "{}: an interrupted change is pending (run `carnet check` to finish it)",
            root.display()
        )));
    }
    check_moves(root, &change.moves)?;
    let tag = format!(
        "{}-{:x}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64)
    );
    let mut journal = Journal {
        carnet_journal: 1,
        state: State::Prepare,
        edits: Vec::with_capacity(change.edits.len()),
        moves: change.moves.clone(),
    };
    for e in &change.edits {
        let file = real_file(root, &e.path)?;
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| WriteError::Refused(format!("{}: not a file name", e.path)))?;
        let dir = file.parent().unwrap_or(root);
        journal.edits.push(JournalEdit {
            file: store(root, &file),
            temp: store(root, &dir.join(format!(".{name}.carnet-new-{tag}"))),
            backup: store(root, &dir.join(format!(".{name}.carnet-old-{tag}"))),
            old: (0, 0),
            new: (0, 0),
        });
    }
    write_journal(root, &journal).map_err(|e| {
        let _ = std::fs::remove_file(root.join(JOURNAL));
        WriteError::Failed(format!("cannot write {JOURNAL}: {e}; nothing was changed"))
    })?;
    step("journal: prepare");

    // New texts beside the files, each file checked and backed up.
    let pairs: Vec<(&JournalEdit, &FileEdit)> = journal.edits.iter().zip(&change.edits).collect();
    let prepared = in_parallel(&pairs, |(j, e)| prepare_one(root, j, e));
    let mut failure = None;
    for (j, p) in journal.edits.iter_mut().zip(prepared) {
        match p {
            Ok((old, new)) => (j.old, j.new) = (old, new),
            Err(e) => {
                failure.get_or_insert(e);
            }
        }
    }
    if let Some(e) = failure {
        discard(root, &journal);
        return Err(e);
    }
    journal.state = State::Forward;
    if let Err(e) = write_journal(root, &journal) {
        discard(root, &journal);
        return Err(WriteError::Failed(format!(
            "cannot write {JOURNAL}: {e}; nothing was changed"
        )));
    }
    step("journal: forward");

    if let Err(why) = forward(root, &journal, false) {
        journal.state = State::Back;
        let undone = write_journal(root, &journal)
            .map_err(|e| e.to_string())
            .and_then(|()| back(root, &journal));
        return Err(match undone {
            Ok(()) => WriteError::Failed(format!("{why}; nothing was changed")),
            Err(e) => WriteError::Stuck(format!(
                "{why}; undoing failed too ({e}): the next carnet command on this vault \
                 tries again ({JOURNAL})"
            )),
        });
    }
    finish(root, &journal).map_err(WriteError::Stuck)
}

/// What [`apply`] would write, as a unified diff (paths `a/…` and `b/…`
/// relative to the vault root: `patch -p1 -d VAULT` applies it), checked
/// against the disk the same way. Moves are not in it.
pub fn diff(lock: &Lock, change: &Change) -> Result<String, WriteError> {
    let root = lock.root();
    check_moves(root, &change.moves)?;
    let mut out = String::new();
    for e in &change.edits {
        let file = real_file(root, &e.path)?;
        let raw = std::fs::read(&file).map_err(|err| {
            WriteError::Failed(format!(
                "cannot read {}: {err}; nothing was changed",
                e.path
            ))
        })?;
        let text = raw.strip_prefix(BOM).unwrap_or(&raw);
        if text != e.old.as_bytes() {
            return Err(WriteError::Refused(format!(
                "{} changed since it was read; nothing was changed (try again)",
                e.path
            )));
        }
        let bom = if raw.starts_with(BOM) { "\u{feff}" } else { "" };
        let (old, new) = (format!("{bom}{}", e.old), format!("{bom}{}", e.new));
        let diff = similar::TextDiff::from_lines(&old, &new);
        out.push_str(
            &diff
                .unified_diff()
                .context_radius(3)
                // A tab ends the name (as diff's date would follow): names
                // with spaces stay whole for `patch`.
                .header(&format!("a/{}\t", e.path), &format!("b/{}\t", e.path))
                .to_string(),
        );
    }
    Ok(out)
}

/// Whether a killed carnet left a change for [`recover`] to finish.
pub fn pending(root: &Path) -> bool {
    root.join(JOURNAL).exists() || root.join(format!("{JOURNAL}.tmp")).exists()
}

/// Finishes (or undoes) the change a killed carnet left at `root`, if there
/// is one, waiting for a carnet still making it: what was done, for a log line.
pub fn recover_pending(root: &Path) -> Result<Option<String>, String> {
    if !pending(root) {
        return Ok(None);
    }
    recover(&Lock::exclusive(root)?)
}

/// Finishes a change a killed carnet left half done (see the module
/// comment). `Ok(None)`: there was none; `Ok(Some(what))`: what was done.
pub fn recover(lock: &Lock) -> Result<Option<String>, String> {
    let root = lock.root();
    // A journal being rewritten when the process died: the one in place
    // still says what to do.
    let _ = std::fs::remove_file(root.join(format!("{JOURNAL}.tmp")));
    let path = root.join(JOURNAL);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    let mut journal: Journal = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{}: unreadable ({e}); left as it is: it names the files of an interrupted change",
            path.display()
        )
    })?;
    let files = journal.edits.len() + journal.moves.len();
    match journal.state {
        State::Prepare => {
            discard(root, &journal);
            Ok(Some(format!(
                "an interrupted change had not started yet: nothing was changed ({files} files)"
            )))
        }
        State::Forward => match forward(root, &journal, true) {
            Ok(()) => {
                finish(root, &journal)?;
                Ok(Some(format!(
                    "finished an interrupted change ({} edits, {} moves)",
                    journal.edits.len(),
                    journal.moves.len()
                )))
            }
            Err(why) => {
                journal.state = State::Back;
                write_journal(root, &journal).map_err(|e| e.to_string())?;
                back(root, &journal).map_err(|e| format!("{why}; undoing failed: {e}"))?;
                Ok(Some(format!(
                    "undid an interrupted change that could not be finished ({why})"
                )))
            }
        },
        State::Back => {
            back(root, &journal)?;
            Ok(Some("undid an interrupted change".to_string()))
        }
    }
}

/// Refuses moves that cannot be made: a missing source, a target that
/// exists (unless it is the source under another case), a missing folder.
fn check_moves(root: &Path, moves: &[(String, String)]) -> Result<(), WriteError> {
    for (old, new) in moves {
        let (from, to) = (root.join(old), root.join(new));
        if std::fs::symlink_metadata(&from).is_err() {
            return Err(WriteError::Refused(format!("{old} does not exist")));
        }
        if std::fs::symlink_metadata(&to).is_ok() && !same_file(&from, &to) {
            return Err(WriteError::Refused(format!("{new} already exists")));
        }
        if !to.parent().is_some_and(Path::is_dir) {
            return Err(WriteError::Refused(format!(
                "the folder of {new} does not exist"
            )));
        }
    }
    Ok(())
}

/// The file to write for a vault path: a symbolic link is followed, so the
/// link stays a link and the note it points at gets the new text.
fn real_file(root: &Path, rel: &str) -> Result<PathBuf, WriteError> {
    let path = root.join(rel);
    let meta = std::fs::symlink_metadata(&path)
        .map_err(|e| WriteError::Refused(format!("{rel}: {e}; nothing was changed")))?;
    if meta.file_type().is_symlink() {
        return std::fs::canonicalize(&path)
            .map_err(|e| WriteError::Refused(format!("{rel}: {e}; nothing was changed")));
    }
    Ok(path)
}

/// Writes one edit's temporary file, checks the file against the planned
/// text and backs it up. Returns the fingerprints of the old and new bytes.
fn prepare_one(root: &Path, j: &JournalEdit, e: &FileEdit) -> Result<(Print, Print), WriteError> {
    let file = root.join(&j.file);
    let failed = |what: &str, err: std::io::Error| {
        WriteError::Failed(format!("{what} {}: {err}; nothing was changed", e.path))
    };
    let before = std::fs::metadata(&file).map_err(|err| failed("cannot read", err))?;
    let raw = std::fs::read(&file).map_err(|err| failed("cannot read", err))?;
    let text = raw.strip_prefix(BOM).unwrap_or(&raw);
    if text != e.old.as_bytes() {
        return Err(WriteError::Refused(format!(
            "{} changed since it was read; nothing was changed (try again)",
            e.path
        )));
    }
    let mut bytes = Vec::with_capacity(e.new.len() + 3);
    if raw.starts_with(BOM) {
        bytes.extend_from_slice(BOM);
    }
    bytes.extend_from_slice(e.new.as_bytes());
    let temp = root.join(&j.temp);
    let mut out = File::create_new(&temp).map_err(|err| failed("cannot write beside", err))?;
    out.write_all(&bytes)
        .and_then(|()| out.set_permissions(before.permissions()))
        .map_err(|err| failed("cannot write beside", err))?;
    drop(out);
    step("temporary file written");
    let backup = root.join(&j.backup);
    // The backup must be the file that was read, not one written since.
    let same = if std::fs::hard_link(&file, &backup).is_ok() {
        let now = std::fs::metadata(&backup).map_err(|err| failed("cannot back up", err))?;
        now.len() == before.len() && now.modified().ok() == before.modified().ok()
    } else {
        // File systems without hard links: a copy does as well.
        std::fs::copy(&file, &backup).map_err(|err| failed("cannot back up", err))?;
        std::fs::read(&backup).map_err(|err| failed("cannot back up", err))? == raw
    };
    step("backup made");
    if !same {
        return Err(WriteError::Refused(format!(
            "{} changed while carnet was writing; nothing was changed (try again)",
            e.path
        )));
    }
    Ok((fingerprint(&raw), fingerprint(&bytes)))
}

/// Step 4: temporary files over the files, then the moves. `recovering`
/// accepts steps already done and checks that nothing else changed since.
fn forward(root: &Path, j: &Journal, recovering: bool) -> Result<(), String> {
    let moved = j.moves.iter().any(|(old, new)| {
        std::fs::symlink_metadata(root.join(old)).is_err()
            && std::fs::symlink_metadata(root.join(new)).is_ok()
    });
    // Once a move is made, every edit was.
    if !moved {
        first_error(in_parallel(&j.edits, |e| replace(root, e, recovering)))?;
    }
    for (old, new) in &j.moves {
        let (from, to) = (root.join(old), root.join(new));
        let from_there = std::fs::symlink_metadata(&from).is_ok();
        let to_there = std::fs::symlink_metadata(&to).is_ok();
        match (from_there, to_there) {
            (true, false) => {}
            (true, true) if same_file(&from, &to) => {} // another case of the same name
            (false, true) if recovering => continue,
            (true, true) => return Err(format!("{new} appeared while carnet wrote")),
            (false, _) => return Err(format!("{old} vanished while carnet wrote")),
        }
        std::fs::rename(&from, &to).map_err(|err| format!("cannot move {old} to {new}: {err}"))?;
        step("moved");
    }
    Ok(())
}

/// One edit of step 4: the new text renamed over the file.
fn replace(root: &Path, e: &JournalEdit, recovering: bool) -> Result<(), String> {
    let (file, temp, backup) = (root.join(&e.file), root.join(&e.temp), root.join(&e.backup));
    if !temp.exists() {
        if recovering {
            return Ok(()); // done before the kill
        }
        return Err(format!("{} vanished", temp.display()));
    }
    if !same_file(&file, &backup) {
        return Err(format!("{} was replaced while carnet wrote", e.file));
    }
    if recovering {
        let now = std::fs::read(&file).map_err(|err| format!("{}: {err}", e.file))?;
        if fingerprint(&now) != e.old {
            return Err(format!("{} changed since the change began", e.file));
        }
        let new = std::fs::read(&temp).map_err(|err| format!("{}: {err}", e.temp))?;
        if fingerprint(&new) != e.new {
            return Err(format!("{} is damaged", e.temp));
        }
    }
    std::fs::rename(&temp, &file).map_err(|err| format!("{}: {err}", e.file))?;
    step("file replaced");
    Ok(())
}

/// Undoes what [`forward`] did: moves back in reverse order, then the
/// backups over the files; temporary files that were not used are removed.
fn back(root: &Path, j: &Journal) -> Result<(), String> {
    for (old, new) in j.moves.iter().rev() {
        let (from, to) = (root.join(old), root.join(new));
        let from_there = std::fs::symlink_metadata(&from).is_ok();
        let to_there = std::fs::symlink_metadata(&to).is_ok();
        if !from_there && to_there {
            std::fs::rename(&to, &from).map_err(|e| format!("cannot move {new} back: {e}"))?;
            step("moved back");
        }
    }
    first_error(in_parallel(&j.edits, |e| {
        let (file, temp, backup) = (root.join(&e.file), root.join(&e.temp), root.join(&e.backup));
        if temp.exists() {
            std::fs::remove_file(&temp).map_err(|err| format!("{}: {err}", e.temp))?;
            step("temporary file removed");
            if backup.exists() {
                std::fs::remove_file(&backup).map_err(|err| format!("{}: {err}", e.backup))?;
            }
        } else if backup.exists() {
            std::fs::rename(&backup, &file).map_err(|err| format!("{}: {err}", e.file))?;
            step("file restored");
        }
        Ok(())
    }))?;
    std::fs::remove_file(root.join(JOURNAL)).map_err(|e| format!("{JOURNAL}: {e}"))
}

/// Step 5: the backups (moved along with their folders) and the journal go.
fn finish(root: &Path, j: &Journal) -> Result<(), String> {
    first_error(in_parallel(&j.edits, |e| {
        let backup = after_moves(root, &root.join(&e.backup), &j.moves);
        match std::fs::remove_file(&backup) {
            Ok(()) => {
                step("backup removed");
                Ok(())
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(err) => Err(format!("{}: {err}", backup.display())),
        }
    }))?;
    std::fs::remove_file(root.join(JOURNAL)).map_err(|e| format!("{JOURNAL}: {e}"))
}

/// Runs `f` on every item from several threads at once: these are system
/// calls that mostly wait for the file system, not for a core, and a
/// thousand of them one after the other take most of a `carnet mv`.
fn in_parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    const THREADS: usize = 8;
    if items.len() < 2 * THREADS {
        return items.iter().map(f).collect();
    }
    let f = &f;
    std::thread::scope(|s| {
        let workers: Vec<_> = items
            .chunks(items.len().div_ceil(THREADS))
            .map(|chunk| s.spawn(move || chunk.iter().map(f).collect::<Vec<R>>()))
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("a writer thread panicked"))
            .collect()
    })
}

fn first_error(results: Vec<Result<(), String>>) -> Result<(), String> {
    results.into_iter().collect()
}

/// A change that never reached its commit point: remove our own hidden
/// files (never a note) and the journal.
fn discard(root: &Path, j: &Journal) {
    for e in &j.edits {
        for p in [&e.temp, &e.backup] {
            if std::fs::remove_file(root.join(p)).is_ok() {
                step("discarded");
            }
        }
    }
    let _ = std::fs::remove_file(root.join(JOURNAL));
}

/// Where `path` is once `moves` are made.
fn after_moves(root: &Path, path: &Path, moves: &[(String, String)]) -> PathBuf {
    let mut p = path.to_path_buf();
    for (old, new) in moves {
        if let Ok(rest) = p.strip_prefix(root.join(old)) {
            p = root.join(new).join(rest);
        }
    }
    p
}

/// Writes the journal atomically: a temporary file renamed into place.
/// Past the commit point it is flushed to the disk first, so that even a
/// crash of the machine finds it (see docs/reliability.md).
fn write_journal(root: &Path, j: &Journal) -> std::io::Result<()> {
    let tmp = root.join(format!("{JOURNAL}.tmp"));
    let mut f = File::create(&tmp)?;
    f.write_all(&serde_json::to_vec_pretty(j).map_err(std::io::Error::other)?)?;
    let durable = j.state != State::Prepare;
    if durable {
        f.sync_all()?;
    }
    drop(f);
    std::fs::rename(&tmp, root.join(JOURNAL))?;
    if durable && let Ok(dir) = File::open(root) {
        let _ = dir.sync_all();
    }
    Ok(())
}

fn store(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .into_owned()
}

/// A point where a test may stop the process (`CARNET_TEST_PAUSE_AT=N`
/// pauses at the Nth point and says so on stderr, for the test to kill it
/// there); nothing otherwise.
fn step(what: &str) {
    static AT: OnceLock<Option<u64>> = OnceLock::new();
    static COUNT: AtomicU64 = AtomicU64::new(0);
    let Some(at) = *AT.get_or_init(|| {
        std::env::var("CARNET_TEST_PAUSE_AT")
            .ok()
            .and_then(|v| v.parse().ok())
    }) else {
        return;
    };
    let n = COUNT.fetch_add(1, Ordering::SeqCst) + 1;
    if n == at {
        eprintln!("carnet: paused at step {n} ({what})");
        loop {
            std::thread::sleep(Duration::from_secs(3600));
        }
    }
}

#[cfg(test)]
mod tests;
