//! The disk side: find a vault's files, read them, parse them in parallel.
//!
//! This is the only module that does file I/O. It walks a root with the
//! `ignore` crate (the walker behind ripgrep: `.gitignore`/`.ignore`, hidden
//! folders, symlink loops), reads and extracts facts on all cores, and hands
//! the notes to [`Snapshot::build`]. A file that cannot be read is reported
//! in [`Loaded::skipped`] and the walk goes on.

pub mod cache;
mod config;
pub mod git;
mod locate;
mod watch;
pub mod write;

pub use config::{Config, DailyConfig, TagRules, daily_notes};
pub use locate::{find_root, path_in};
pub use watch::Watcher;

use cache::{Cache, FileStamp, Stored};

use std::path::{Path, PathBuf};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use crate::facts::{LinkFilter, NoteFacts, extract};
use crate::index::{Note, Snapshot};
use crate::names::{fold, note_stem};

/// A file we could not index, and why.
#[derive(Debug, Clone)]
pub struct Skipped {
    pub path: PathBuf,
    pub reason: String,
}

/// A loaded vault.
pub struct Loaded {
    pub root: PathBuf,
    pub config: Config,
    pub snapshot: Snapshot,
    pub skipped: Vec<Skipped>,
    /// Problems with `carnet.toml` (unknown keys and the like).
    pub config_warnings: Vec<String>,
    /// Where daily notes go (see [`daily_notes`]).
    pub daily: crate::answers::daily::DailyNotes,
    pub bytes: u64,
    pub elapsed: Duration,
    /// Where the time went: (phase, duration), in order.
    pub timings: Vec<(String, Duration)>,
    /// What [`load_cached`] did with the facts cache; `None` from the
    /// other loads.
    pub cache: Option<CacheUse>,
}

/// What one [`load_cached`] did with the vault's facts cache, and what it
/// needs to write the cache again.
pub struct CacheUse {
    /// `None` when the cache is off (the report says why).
    pub cache: Option<Cache>,
    /// For the log: how the cache file was read, or why not.
    pub report: String,
    /// Notes whose facts came from the cache / were parsed.
    pub reused: usize,
    pub parsed: usize,
    /// Whether the file no longer matches the vault (notes were parsed, or
    /// cached notes are gone): then it is worth writing again.
    pub stale: bool,
    began: i64,
    /// The stamp of each note read from disk, taken before it was read.
    stamps: rustc_hash::FxHashMap<crate::index::NotePath, FileStamp>,
}

impl CacheUse {
    fn off(report: String) -> CacheUse {
        CacheUse {
            cache: None,
            report,
            reused: 0,
            parsed: 0,
            stale: false,
            began: 0,
            stamps: Default::default(),
        }
    }

    /// Writes the facts of `snapshot`'s notes (the snapshot this load made,
    /// before any open buffer replaced a note) as the cache; returns the
    /// file, its size and what was pruned from the cache folder.
    pub fn save(&self, snapshot: &Snapshot) -> Result<(&Path, u64, Vec<String>), String> {
        let Some(cache) = &self.cache else {
            return Err(self.report.clone());
        };
        let notes: Vec<_> = snapshot
            .notes()
            .filter_map(|n| {
                let stamp = self.stamps.get(&*n.path)?;
                Some((&*n.path, *stamp, n.bytes, &n.facts))
            })
            .collect();
        let (size, pruned) = cache.save(self.began, &notes)?;
        Ok((&cache.file, size, pruned))
    }
}

/// Whether a path names a note (as opposed to an attachment).
pub fn is_note(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("md"))
}

/// A path relative to the vault root, `/`-separated.
pub fn relative(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let mut out = String::new();
    for part in rel.components() {
        if !out.is_empty() {
            out.push('/');
        }
        out.push_str(part.as_os_str().to_str()?);
    }
    Some(out)
}

/// The vault-relative path of `file`, a file named as a shell names it
/// (relative to the current folder, through symlinks), when it lies inside
/// `root`; `None` when it is not a file or lies elsewhere.
pub fn relative_file(root: &Path, file: &Path) -> Option<String> {
    if !file.is_file() {
        return None;
    }
    relative(&root.canonicalize().ok()?, &file.canonicalize().ok()?)
}

/// Reads a note; `Err` says why it is skipped.
pub fn read_note(path: &Path) -> Result<String, String> {
    read_note_stamped(path).map(|(text, _)| text)
}

/// [`read_note`], with the file's stamp as the `stat` before the read saw
/// it, where an equal stamp later proves the file unchanged
/// ([`FileStamp::settled`]): what [`unchanged`] compares.
pub fn read_note_stamped(path: &Path) -> Result<(String, Option<FileStamp>), String> {
    use std::io::Read;
    let began = cache::now_ns();
    let mut file = open_note(path).map_err(|e| e.to_string())?;
    let meta = file.metadata().map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err(not_regular(&meta.file_type()).into());
    }
    let stamp = FileStamp::of(&meta).and_then(|s| s.settled(began));
    // One byte more than the size: the read that finds the end fits.
    let mut bytes = Vec::with_capacity(meta.len() as usize + 1);
    file.read_to_end(&mut bytes).map_err(|e| e.to_string())?;
    Ok((decode_note(bytes)?, stamp))
}

/// Opens a note for reading. Opening a FIFO for reading blocks until
/// someone writes to it: a note named `x.md` that is a FIFO would hang us.
/// Opened without waiting, it is refused by what the open file is (one open
/// and one `fstat` per note instead of a `stat` by path and `std::fs::read`'s
/// own).
fn open_note(path: &Path) -> std::io::Result<std::fs::File> {
    let mut open = std::fs::OpenOptions::new();
    open.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        open.custom_flags(libc::O_NONBLOCK);
    }
    open.open(path)
}

/// The text of a note whose facts say it is `len` bytes long, when it still
/// is (else `None`: the facts are behind the file, or it is no note), for
/// searches that read thousands of notes (unlinked mentions). One open and
/// one read: asked for a byte more than `len`, a file of `len` bytes gives
/// exactly `len`, so no `fstat` and no read to find the end (std's
/// `read_to_end` adds an `fstat`, a seek and that read; a mention search
/// of 9,000 notes spent a tenth of its time there). Any other count (a
/// byte-order mark, a changed file, a short read, something that is not a
/// file, an empty note) takes [`read_note`]'s way, with its checks.
pub fn read_note_sized(path: &Path, len: u64) -> Option<String> {
    use std::io::Read;
    let mut file = open_note(path).ok()?;
    let mut bytes = vec![0; usize::try_from(len).ok()?.checked_add(1)?];
    let got = match file.read(&mut bytes) {
        // Nothing read proves nothing: a FIFO without a writer reads empty.
        Ok(got) if got as u64 == len && got > 0 => got,
        Err(e) if e.kind() != std::io::ErrorKind::Interrupted => return None,
        _ => return read_note(path).ok().filter(|t| t.len() as u64 == len),
    };
    bytes.truncate(got);
    decode_note(bytes).ok().filter(|t| t.len() as u64 == len)
}

/// Whether the file of `note` (in the vault at `root`) provably still
/// holds the text its facts were read from, by a `stat` alone: its stamp
/// now equals the settled one taken when it was read (the facts cache's
/// rule). `false` whenever that cannot be proven: a buffer's facts, a
/// racy read, no stamps on this OS, a changed or missing file.
pub fn unchanged(root: &Path, note: &Note) -> bool {
    note.read_as
        .is_some_and(|read| FileStamp::now(&root.join(&*note.path)) == Some(read))
}

/// A note's bytes as text (wherever they come from: the disk, git); `Err`
/// says why they are not a note.
pub(crate) fn decode_note(bytes: Vec<u8>) -> Result<String, String> {
    if memchr::memchr(0, &bytes[..bytes.len().min(8192)]).is_some() {
        return Err("binary file (contains NUL bytes)".into());
    }
    // Validated with SIMD (std's check was a tenth of a mention search
    // that reads 9,000 notes of CJK and accented prose); std says why not.
    let mut text = match simdutf8::basic::from_utf8(&bytes) {
        // SAFETY: simdutf8 has just checked that `bytes` are UTF-8.
        Ok(_) => unsafe { String::from_utf8_unchecked(bytes) },
        Err(_) => String::from_utf8(bytes).map_err(|e| format!("not UTF-8 ({e})"))?,
    };
    // Editors hide a byte-order mark and count columns without it; so do we.
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    Ok(text)
}

/// What is at a path on disk, for a change the editor or the watcher reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnDisk {
    Folder,
    File,
    /// Gone (deleted, or moved away).
    Missing,
}

pub fn on_disk(path: &Path) -> OnDisk {
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => OnDisk::Folder,
        Ok(_) => OnDisk::File,
        Err(_) => OnDisk::Missing,
    }
}

/// Creates a note at `path` holding `text`, never over an existing file
/// (the file is created exclusively), with the folders it needs. A write
/// that fails removes what it created.
pub fn create_note(path: &Path, text: &str) -> Result<(), String> {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    if let Err(e) = file
        .write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
    {
        drop(file);
        let _ = std::fs::remove_file(path);
        return Err(format!("{}: {e}", path.display()));
    }
    Ok(())
}

/// Whether anything (a file, a folder, even a dangling symlink) is at `path`:
/// a new file must not go there.
pub fn occupied(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

/// Whether two paths name one directory entry: a hard link, or another case
/// of the same name on a case-insensitive file system. Symbolic links are
/// not followed: a link and the file it points at are two entries, and
/// moving one over the other would lose a file.
pub fn same_file(a: &Path, b: &Path) -> bool {
    let (Ok(x), Ok(y)) = (std::fs::symlink_metadata(a), std::fs::symlink_metadata(b)) else {
        return false;
    };
    match (x.file_type().is_symlink(), y.file_type().is_symlink()) {
        (false, false) => same_file::is_same_file(a, b).unwrap_or(false),
        (true, true) => same_link(&x, &y),
        _ => false,
    }
}

#[cfg(unix)]
fn same_link(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_link(_: &std::fs::Metadata, _: &std::fs::Metadata) -> bool {
    false // two links, as far as can be told without following them
}

/// The process's peak resident memory, where the OS tells it (Linux).
pub fn peak_memory() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    Some(line["VmHWM:".len()..].trim().to_string())
}

fn not_regular(t: &std::fs::FileType) -> &'static str {
    if t.is_dir() {
        "a folder, not a file"
    } else {
        "not a regular file (a FIFO, socket or device)"
    }
}

enum Found {
    /// Shared already as the index will hold it: facts are large next to
    /// the other variants, and no copy of the note is made on the way.
    Note(Arc<Note>),
    /// A note not read yet, with its stamp (`None`: it could not be
    /// stat'ed; reading it will say why).
    Stat(String, Option<FileStamp>),
    Attachment(String),
    Skipped(Skipped),
}

/// Splits what the walk found into notes (and their total size),
/// attachments and skipped files, the skipped ones sorted by path.
fn sort_found(
    found: Vec<Found>,
    attachments: &mut Vec<String>,
    skipped: &mut Vec<Skipped>,
) -> (Vec<Arc<Note>>, u64) {
    let mut notes = Vec::with_capacity(found.len());
    let mut bytes = 0;
    for f in found {
        match f {
            Found::Note(n) => {
                bytes += n.bytes;
                notes.push(n);
            }
            Found::Attachment(a) => attachments.push(a),
            Found::Skipped(s) => skipped.push(s),
            Found::Stat(..) => unreachable!("stat'ed notes are read before they are sorted"),
        }
    }
    skipped.sort_by(|a, b| a.path.cmp(&b.path));
    (notes, bytes)
}

/// The configuration of the vault at `root`, and where daily notes go;
/// fails only when the root itself is unusable.
fn open_root(
    root: &Path,
) -> Result<(Config, Vec<String>, crate::answers::daily::DailyNotes), String> {
    let meta = std::fs::metadata(root).map_err(|e| format!("{}: {e}", root.display()))?;
    if !meta.is_dir() {
        return Err(format!("{}: not a folder", root.display()));
    }
    std::fs::read_dir(root).map_err(|e| format!("{}: {e}", root.display()))?;
    let (config, mut config_warnings) = Config::load(root)?;
    let (daily, daily_warnings) = daily_notes(root, &config);
    config_warnings.extend(daily_warnings);
    Ok((config, config_warnings, daily))
}

/// The walker of a vault: the files a vault holds are those it visits.
fn walker(root: &Path, config: &Config) -> Result<ignore::WalkBuilder, String> {
    let mut builder = ignore::WalkBuilder::new(root);
    builder
        .hidden(true)
        .parents(false)
        .git_ignore(true)
        .git_global(false)
        .git_exclude(true)
        .require_git(false)
        .ignore(true)
        .follow_links(true)
        .filter_entry(|e| e.file_name() != "node_modules");
    if !config.exclude.is_empty() {
        let mut overrides = ignore::overrides::OverrideBuilder::new(root);
        for glob in &config.exclude {
            overrides
                .add(&format!("!{glob}"))
                .map_err(|e| format!("carnet.toml: exclude {glob:?}: {e}"))?;
        }
        builder.overrides(overrides.build().map_err(|e| e.to_string())?);
    }
    Ok(builder)
}

/// Walks the vault on all cores, handing `visit` each file (its path) and
/// collecting what it makes of them; unreadable entries are skipped.
fn walk<T: Send>(
    root: &Path,
    config: &Config,
    visit: impl Fn(&Path) -> Option<T> + Sync,
) -> Result<(Vec<T>, Vec<Skipped>), String> {
    enum Seen<T> {
        File(T),
        Skipped(Skipped),
    }
    let (tx, rx) = mpsc::channel::<Seen<T>>();
    let visit = &visit;
    walker(root, config)?.build_parallel().run(|| {
        let tx = tx.clone();
        Box::new(move |entry| {
            let seen = match entry {
                Err(e) => Some(Seen::Skipped(Skipped {
                    path: error_path(&e).unwrap_or_else(|| root.to_path_buf()),
                    reason: e.to_string(),
                })),
                Ok(entry) => match entry.file_type() {
                    Some(t) if t.is_file() => visit(entry.path()).map(Seen::File),
                    Some(t) if !t.is_dir() => Some(Seen::Skipped(Skipped {
                        path: entry.path().to_path_buf(),
                        reason: not_regular(&t).into(),
                    })),
                    _ => None,
                },
            };
            if let Some(seen) = seen {
                let _ = tx.send(seen);
            }
            ignore::WalkState::Continue
        })
    });
    drop(tx);
    let (mut files, mut skipped) = (Vec::new(), Vec::new());
    for seen in rx {
        match seen {
            Seen::File(f) => files.push(f),
            Seen::Skipped(s) => skipped.push(s),
        }
    }
    Ok((files, skipped))
}

/// Indexes the vault at `root`. Fails only when the root itself is unusable.
pub fn load(root: &Path) -> Result<Loaded, String> {
    load_with(root, None, Keep::All)
}

/// [`load`] for `carnet check`, which asks the snapshot only about links,
/// headings, blocks and tags: each note keeps the facts the check reads
/// ([`NoteFacts::keep_for_check`]) and drops the rest as soon as it is
/// parsed, and the index has no backlink lists
/// ([`Snapshot::build_to_check`]), so a large vault is held in far less
/// memory. Never hand this snapshot to anything but [`crate::check`].
pub fn load_to_check(root: &Path) -> Result<Loaded, String> {
    load_with(root, None, Keep::Check)
}

/// What a load keeps of each note's facts.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Keep {
    All,
    Check,
}

/// [`load`] through the vault's facts cache ([`cache`]): notes whose files
/// are provably unchanged since the cache was written take their facts
/// from it, the others are read and parsed. The snapshot is the one
/// [`load`] would build. [`Loaded::cache`] says what happened, and writes
/// the cache again ([`CacheUse::save`]).
pub fn load_cached(root: &Path) -> Result<Loaded, String> {
    load_with(root, Some(None), Keep::All)
}

/// [`load_cached`] with the cache kept under `home` instead of the user's
/// cache folder (tests and benchmarks).
pub fn load_cached_in(root: &Path, home: &Path) -> Result<Loaded, String> {
    load_with(root, Some(Some(home)), Keep::All)
}

/// `cache`: `None` for no cache, else the cache folder (`None`: the user's).
fn load_with(root: &Path, cache: Option<Option<&Path>>, keep: Keep) -> Result<Loaded, String> {
    let start = Instant::now();
    let began = cache::now_ns();
    let (config, config_warnings, daily) = open_root(root)?;
    let root = root.to_path_buf();
    let mut timings = Vec::new();
    let mut attachments = Vec::new();
    let (found, mut skipped, cache_use) = match cache
        .map(|home| Cache::for_root(&root, &config, home))
    {
        Some(Ok(cache)) => {
            let (found, skipped, used) = walk_through(&root, &config, cache, began, &mut timings)?;
            (found, skipped, Some(used))
        }
        other => {
            let (found, skipped) = walk(&root, &config, |path| Some(visit(&root, path, keep)))?;
            timings.push(("walk, read and parse".to_string(), start.elapsed()));
            (
                found,
                skipped,
                other.map(|r| CacheUse::off(r.err().unwrap_or_default())),
            )
        }
    };
    let (notes, bytes) = sort_found(found, &mut attachments, &mut skipped);
    let walked = start.elapsed();
    let snapshot = match keep {
        Keep::All => Snapshot::build(notes, attachments),
        Keep::Check => Snapshot::build_to_check(notes, attachments),
    };
    timings.push(("build index".to_string(), start.elapsed() - walked));
    Ok(Loaded {
        root,
        config,
        snapshot,
        skipped,
        config_warnings,
        daily,
        bytes,
        elapsed: start.elapsed(),
        timings,
        cache: cache_use,
    })
}

/// The walk of [`load_cached`]: stats every file while the cache file is
/// read, then takes the unchanged notes' facts from the cache and reads
/// and parses the others on all cores.
fn walk_through(
    root: &Path,
    config: &Config,
    cache: Cache,
    began: i64,
    timings: &mut Vec<(String, Duration)>,
) -> Result<(Vec<Found>, Vec<Skipped>, CacheUse), String> {
    use rayon::prelude::*;
    let start = Instant::now();
    let (stored, walked) = std::thread::scope(|s| {
        let stored = s.spawn(|| {
            let t = Instant::now();
            (cache.load(), t.elapsed())
        });
        let walked = walk(root, config, |path| Some(stat(root, path)));
        let stored = stored
            .join()
            .unwrap_or_else(|_| (Err("reading the cache failed".into()), Duration::ZERO));
        (stored, walked)
    });
    let (found, skipped) = walked?;
    let (stored, load_time) = stored;
    timings.push((
        format!("walk and stat (facts cache read in {load_time:.0?} beside it)"),
        start.elapsed(),
    ));
    let (mut stored, report) = match stored {
        Ok(s) => {
            let n = s.len();
            let report = format!(
                "{n} notes cached in {} ({})",
                cache.file.display(),
                s.detail
            );
            (Some(s), report)
        }
        Err(why) => (None, why),
    };
    let t = Instant::now();
    let mut stamps = rustc_hash::FxHashMap::default();
    let mut out = Vec::with_capacity(found.len());
    let mut unread = Vec::new();
    let mut reused = 0;
    for f in found {
        match f {
            Found::Stat(rel, Some(stamp))
                if stored.as_ref().is_some_and(|s| s.fresh(&rel, &stamp)) =>
            {
                let Some(e) = stored.as_mut().and_then(|s| s.take(&rel)) else {
                    unreachable!("a fresh entry is there");
                };
                // `fresh`: the stamp is settled, and the facts are its file's.
                let note = Note::new(rel.into(), e.facts, e.bytes).read_as(Some(stamp));
                stamps.insert(note.path.clone(), stamp);
                out.push(Found::Note(Arc::new(note)));
                reused += 1;
            }
            Found::Stat(rel, stamp) => unread.push((rel, stamp)),
            other => out.push(other),
        }
    }
    let read: Vec<(Found, Option<FileStamp>)> = unread
        .into_par_iter()
        .map(|(rel, stamp)| {
            (
                read_found(&root.join(&rel), rel, |_| true, Keep::All),
                stamp,
            )
        })
        .collect();
    let mut parsed = 0;
    for (f, stamp) in read {
        if let (Found::Note(n), Some(stamp)) = (&f, stamp) {
            stamps.insert(n.path.clone(), stamp);
            parsed += 1;
        }
        out.push(f);
    }
    let gone = stored.as_ref().map_or(0, Stored::len);
    timings.push((
        format!("read and parse {parsed} changed notes"),
        t.elapsed(),
    ));
    let stale = stored.is_none() || parsed > 0 || gone > 0;
    Ok((
        out,
        skipped,
        CacheUse {
            cache: Some(cache),
            report,
            reused,
            parsed,
            stale,
            began,
            stamps,
        },
    ))
}

/// A file of [`walk_through`]: a note stat'ed, not read.
fn stat(root: &Path, path: &Path) -> Found {
    let rel = match note_path(root, path) {
        Ok(rel) => rel,
        Err(found) => return found,
    };
    let stamp = std::fs::metadata(path)
        .ok()
        .filter(|m| m.is_file())
        .and_then(|m| FileStamp::of(&m));
    Found::Stat(rel, stamp)
}

fn visit(root: &Path, path: &Path, keep: Keep) -> Found {
    match note_path(root, path) {
        Ok(rel) => read_found(path, rel, |_| true, keep),
        Err(found) => found,
    }
}

/// The vault path of a walked file when it is a note; otherwise what the
/// walk found (an attachment, or a name that is not Unicode).
fn note_path(root: &Path, path: &Path) -> Result<String, Found> {
    let Some(rel) = relative(root, path) else {
        return Err(Found::Skipped(Skipped {
            path: path.to_path_buf(),
            reason: "file name is not valid Unicode".into(),
        }));
    };
    if !is_note(path) {
        return Err(Found::Attachment(rel));
    }
    Ok(rel)
}

/// Reads the note at `path` (vault path `rel`) and parses it when `parse`
/// says so; otherwise it is indexed by its path alone, without facts.
fn read_found(path: &Path, rel: String, parse: impl FnOnce(&str) -> bool, keep: Keep) -> Found {
    match read_note_stamped(path) {
        Ok((text, stamp)) => {
            let facts = if parse(&text) {
                let mut facts = extract(&text);
                if keep == Keep::Check {
                    facts.keep_for_check();
                }
                facts
            } else {
                NoteFacts::default()
            };
            let note = Note::new(rel.into(), facts, text.len() as u64).read_as(stamp);
            Found::Note(Arc::new(note))
        }
        Err(reason) => Found::Skipped(Skipped {
            path: path.to_path_buf(),
            reason,
        }),
    }
}

/// What a change that concerns a few names needs parsed (see [`load_for`]).
#[derive(Debug, Default)]
pub struct Needed {
    /// Notes (vault paths) parsed, with every note named by one of their
    /// links: the notes that move, whose every link is planned again.
    pub whole: Vec<String>,
    /// Folded names ([`crate::names::fold`] of a file stem, as links are
    /// filed): the notes and attachments of these names, and every note
    /// that may hold a link to one of them, are parsed.
    pub names: Vec<String>,
}

impl Needed {
    /// What the rename planner (`answers::move_paths`, `move_files`) needs
    /// to plan `moves` (vault paths, a folder for all it holds, compared
    /// case-insensitively as it finds them), given the vault's `notes` and
    /// `attachments`: every note that moves, and the old and new names of
    /// every file that moves — the names whose links it plans again.
    pub fn for_moves(
        moves: &[(String, String)],
        notes: &[String],
        attachments: &[String],
    ) -> Needed {
        let mut needed = Needed::default();
        let folded: Vec<(String, bool, &String)> = notes
            .iter()
            .map(|p| (p, true))
            .chain(attachments.iter().map(|p| (p, false)))
            .map(|(p, note)| (fold(p), note, p))
            .collect();
        for (old, new) in moves {
            let old = fold(old.trim_end_matches('/'));
            let under = format!("{old}/");
            for (f, note, path) in &folded {
                if *f == old || f.starts_with(&under) {
                    needed.names.push(fold(note_stem(path)));
                    if *note {
                        needed.whole.push(path.to_string());
                    }
                }
            }
            needed
                .names
                .push(fold(note_stem(new.trim_end_matches('/'))));
        }
        needed.names.sort_unstable();
        needed.names.dedup();
        needed
    }
}

/// Indexes the vault at `root` for a change that concerns a few names, as
/// `carnet mv` and `fix-moves` make: every file is walked and every note
/// read (paths and sizes are all there, so links resolve as in a full
/// index), but only the notes `needed` asks for are parsed (decided from
/// the walked note and attachment paths), and the notes whose text may
/// link to one of its names ([`LinkFilter`]); every other note is indexed
/// with empty facts. The snapshot answers what links to those names, and
/// where they land, exactly as [`load`]'s does; nothing else.
pub fn load_for(
    root: &Path,
    needed: impl FnOnce(&[String], &[String]) -> Needed,
) -> Result<Loaded, String> {
    use rayon::prelude::*;
    use rustc_hash::FxHashSet;

    let start = Instant::now();
    let (config, config_warnings, daily) = open_root(root)?;
    let root = root.to_path_buf();
    let (files, mut skipped) = walk(&root, &config, |path| {
        Some(match relative(&root, path) {
            Some(rel) => Ok((rel, is_note(path))),
            None => Err(Skipped {
                path: path.to_path_buf(),
                reason: "file name is not valid Unicode".into(),
            }),
        })
    })?;
    let mut paths = Vec::new();
    let mut attachments = Vec::new();
    for file in files {
        match file {
            Ok((rel, true)) => paths.push(rel),
            Ok((rel, false)) => attachments.push(rel),
            Err(s) => skipped.push(s),
        }
    }
    paths.sort_unstable();
    let walked = start.elapsed();

    let needed = needed(&paths, &attachments);
    let whole: FxHashSet<&str> = needed.whole.iter().map(String::as_str).collect();
    let read = |rel: &String, parse: &(dyn Fn(&str) -> bool + Sync)| {
        read_found(&root.join(rel), rel.clone(), |text| parse(text), Keep::All)
    };
    let mut found: Vec<Found> = paths
        .par_iter()
        .filter(|p| whole.contains(p.as_str()))
        .map(|p| read(p, &|_| true))
        .collect();
    let mut named: FxHashSet<String> = needed.names.iter().cloned().collect();
    for f in &found {
        if let Found::Note(n) = f {
            named.extend(
                n.facts
                    .links
                    .iter()
                    .filter_map(|l| Some(l.name_key?.to_string())),
            );
        }
    }
    let filter = LinkFilter::new(needed.names.iter().map(String::as_str));
    found.par_extend(
        paths
            .par_iter()
            .filter(|p| !whole.contains(p.as_str()))
            .map(|p| {
                let own = named.contains(&fold(note_stem(p)));
                read(p, &|text| own || filter.may_link(text))
            }),
    );
    let read_at = start.elapsed();

    let (notes, bytes) = sort_found(found, &mut attachments, &mut skipped);
    let snapshot = Snapshot::build(notes, attachments);
    let timings = vec![
        ("walk".to_string(), walked),
        ("read, filter and parse".to_string(), read_at - walked),
        ("build index".to_string(), start.elapsed() - read_at),
    ];
    Ok(Loaded {
        root,
        config,
        snapshot,
        skipped,
        config_warnings,
        daily,
        bytes,
        elapsed: start.elapsed(),
        timings,
        cache: None,
    })
}

fn error_path(e: &ignore::Error) -> Option<PathBuf> {
    match e {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        _ => None,
    }
}

/// Decides, for one changed path, what a full walk would have decided:
/// hidden folders, `node_modules`, the root `.gitignore`/`.ignore` and
/// `carnet.toml` excludes. (Nested ignore files are only honoured by walks.)
pub struct Filter {
    root: PathBuf,
    ignores: Vec<ignore::gitignore::Gitignore>,
    excludes: Option<ignore::overrides::Override>,
}

impl Filter {
    pub fn new(root: &Path, config: &Config) -> Filter {
        let ignores = [".gitignore", ".ignore"]
            .iter()
            .map(|f| ignore::gitignore::Gitignore::new(root.join(f)).0)
            .collect();
        let excludes = (!config.exclude.is_empty()).then(|| {
            let mut b = ignore::overrides::OverrideBuilder::new(root);
            for glob in &config.exclude {
                let _ = b.add(&format!("!{glob}"));
            }
            b.build()
                .unwrap_or_else(|_| ignore::overrides::Override::empty())
        });
        Filter {
            root: root.to_path_buf(),
            ignores,
            excludes,
        }
    }

    pub fn includes(&self, path: &Path) -> bool {
        let Ok(rel) = path.strip_prefix(&self.root) else {
            return false;
        };
        let hidden = rel.components().any(|c| {
            let s = c.as_os_str().to_string_lossy();
            s.starts_with('.') || s == "node_modules"
        });
        if hidden {
            return false;
        }
        let is_dir = path.is_dir();
        if self
            .ignores
            .iter()
            .any(|g| g.matched_path_or_any_parents(path, is_dir).is_ignore())
        {
            return false;
        }
        !self
            .excludes
            .as_ref()
            .is_some_and(|o| o.matched(path, is_dir).is_ignore())
    }
}

/// Every file under `dir` that a vault walk would visit.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    ignore::WalkBuilder::new(dir)
        .hidden(true)
        .require_git(false)
        .filter_entry(|e| e.file_name() != "node_modules")
        .build()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .map(|e| e.into_path())
        .collect()
}

#[cfg(test)]
mod tests;
