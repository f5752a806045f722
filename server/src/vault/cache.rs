//! The facts cache: every note's facts as the last index of a vault parsed
//! them, kept in a file outside the vault, so that a server starting again
//! parses only the notes that changed (git's index does this for its
//! working tree).
//!
//! A cached entry is used only when the file is provably the one it was
//! parsed from (see [`Stored::fresh`] and docs/server.md "The facts
//! cache"): same size, modification and change times to the nanosecond,
//! inode and device, and neither time close to the moment the indexing
//! that wrote the cache began (git's "racy" rule: a file changed in the
//! same clock tick as it was read could keep its times). The whole file is
//! ignored when it was written by another build of carnet, for another
//! root, or under another `carnet.toml` or Obsidian settings. Anything
//! wrong with the file (missing, truncated, corrupt, foreign) is one log
//! line and a full index.
//!
//! Layout: magic, format number, then a checksummed header (identity,
//! when the indexing began, the length and CRC-32 of each chunk), then the
//! chunks: each a postcard-encoded list of entries, decoded in parallel.

use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::Config;
use crate::facts::NoteFacts;
use crate::names::Sym;

const MAGIC: &[u8; 8] = b"carnetFC";
/// Bumped whenever what is written changes shape. (A rebuilt binary is
/// caught by [`build_id`] as well: the facts' types may change without it.)
const FORMAT: u32 = 3;
/// A file whose modification or change time is less than this before the
/// indexing that cached it began is never taken from the cache: its times
/// may not show a write made in the same tick (1–2 s on some file
/// systems, a few ms on ext4).
const RACY_NS: i64 = 2_000_000_000;
/// Entries per chunk: enough chunks to decode on every core.
const CHUNK: usize = 256;

/// What identifies a file's content without reading it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileStamp {
    pub size: u64,
    /// Nanoseconds since the epoch.
    pub mtime: i64,
    pub ctime: i64,
    pub ino: u64,
    pub dev: u64,
}

impl FileStamp {
    /// `None` where the OS does not tell the change time and inode, which
    /// the cache needs to prove a file unchanged (it is then off).
    #[cfg(unix)]
    pub fn of(m: &std::fs::Metadata) -> Option<FileStamp> {
        use std::os::unix::fs::MetadataExt;
        let ns = |s: i64, n: i64| s.saturating_mul(1_000_000_000).saturating_add(n);
        Some(FileStamp {
            size: m.size(),
            mtime: ns(m.mtime(), m.mtime_nsec()),
            ctime: ns(m.ctime(), m.ctime_nsec()),
            ino: m.ino(),
            dev: m.dev(),
        })
    }

    #[cfg(not(unix))]
    pub fn of(_: &std::fs::Metadata) -> Option<FileStamp> {
        None
    }

    /// This stamp, taken by a read that began at `began` ([`now_ns`]),
    /// when an equal stamp later proves the file unchanged: neither time
    /// within [`RACY_NS`] of the read (a write in the same clock tick as
    /// the read could leave both times as they were).
    pub fn settled(self, began: i64) -> Option<FileStamp> {
        let limit = began.saturating_sub(RACY_NS);
        (self.mtime < limit && self.ctime < limit).then_some(self)
    }

    /// The stamp of the file at `path` now (symbolic links followed, as
    /// reads follow them); `None` when it is not a regular file.
    pub fn now(path: &Path) -> Option<FileStamp> {
        std::fs::metadata(path)
            .ok()
            .filter(|m| m.is_file())
            .and_then(|m| FileStamp::of(&m))
    }
}

/// The clock, in the unit of [`FileStamp`] times.
pub fn now_ns() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i64)
}

/// One note as cached.
#[derive(Deserialize)]
pub struct Entry {
    pub path: Box<str>,
    pub stamp: FileStamp,
    /// Size of the text (without a byte-order mark), as `Note::bytes`.
    pub bytes: u64,
    pub facts: NoteFacts,
}

/// [`Entry`] as written, borrowing the facts (the same encoding).
#[derive(Serialize)]
struct EntryRef<'a> {
    path: &'a str,
    stamp: FileStamp,
    bytes: u64,
    facts: &'a NoteFacts,
}

#[derive(Serialize, Deserialize, PartialEq)]
struct Identity {
    build: String,
    root: String,
    config: u32,
}

#[derive(Serialize, Deserialize)]
struct Header<'a> {
    identity: Identity,
    /// Every interned string of the writing process, by id: the facts hold
    /// symbols as ids into this table (see [`Sym::reading`]).
    #[serde(borrow)]
    symbols: Vec<&'a str>,
    /// When the indexing that wrote the file began ([`now_ns`]).
    began: i64,
    /// (byte length, CRC-32) of each chunk, in order.
    chunks: Vec<(u32, u32)>,
}

/// Where one vault's cache lives and what it must match.
pub struct Cache {
    pub file: PathBuf,
    identity: Identity,
}

/// The entries of a cache file, by vault path.
pub struct Stored {
    /// For the log: the file's size and where loading it went.
    pub detail: String,
    began: i64,
    entries: FxHashMap<Box<str>, Entry>,
}

impl Stored {
    /// Whether the cached facts of `path` may stand for the file whose
    /// metadata is `now`: the same stamp, and not racy.
    pub fn fresh(&self, path: &str, now: &FileStamp) -> bool {
        self.entries
            .get(path)
            .is_some_and(|e| e.stamp == *now && e.stamp.settled(self.began).is_some())
    }

    /// Takes the entry of `path` out (after [`Stored::fresh`] said yes).
    pub fn take(&mut self, path: &str) -> Option<Entry> {
        self.entries.remove(path)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl Cache {
    /// The cache of the vault at `root`, or why there is none: switched
    /// off (`cache = false` in `carnet.toml`, `CARNET_CACHE=off`), or no
    /// cache folder (`home`, else `$XDG_CACHE_HOME`, else `~/.cache`).
    pub fn for_root(root: &Path, config: &Config, home: Option<&Path>) -> Result<Cache, String> {
        if config.cache == Some(false) {
            return Err("off (carnet.toml: cache = false)".into());
        }
        if std::env::var("CARNET_CACHE").is_ok_and(|v| v == "off" || v == "0") {
            return Err("off (CARNET_CACHE)".into());
        }
        if cfg!(not(unix)) {
            return Err("off (no change times or inodes on this OS)".into());
        }
        let dir = match home {
            Some(home) => home.to_path_buf(),
            None => cache_home().ok_or("off (neither XDG_CACHE_HOME nor HOME is set)")?,
        };
        let root = root
            .canonicalize()
            .map_err(|e| format!("{}: {e}", root.display()))?;
        let root = root.to_string_lossy().into_owned();
        let name = {
            use std::hash::Hasher;
            let mut h = rustc_hash::FxHasher::default();
            h.write(root.as_bytes());
            format!("{:016x}.facts", h.finish())
        };
        Ok(Cache {
            file: dir.join("carnet").join(name),
            identity: Identity {
                build: build_id(),
                config: config_fingerprint(Path::new(&root)),
                root,
            },
        })
    }

    /// Reads the cache file; `Err` says why it cannot be used (the caller
    /// logs it and parses everything).
    pub fn load(&self) -> Result<Stored, String> {
        let bytes = std::fs::read(&self.file).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => "no cache file yet".to_string(),
            _ => format!("{}: {e}", self.file.display()),
        })?;
        let stored = self.decode(&bytes)?;
        // A vault opened often but seldom changed rewrites its file seldom:
        // its time says it is in use, so that `prune` keeps it.
        if let Ok(file) = std::fs::File::open(&self.file) {
            let _ = file.set_modified(std::time::SystemTime::now());
        }
        Ok(stored)
    }

    fn decode(&self, bytes: &[u8]) -> Result<Stored, String> {
        let bad = |what: &str| format!("{}: {what}; ignored", self.file.display());
        let fixed = MAGIC.len() + 12;
        if bytes.len() < fixed || &bytes[..MAGIC.len()] != MAGIC {
            return Err(bad("not a carnet facts cache"));
        }
        let word = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap());
        let format = word(MAGIC.len());
        if format != FORMAT {
            return Err(bad(&format!(
                "format {format}, this carnet writes {FORMAT}"
            )));
        }
        let (len, crc) = (word(MAGIC.len() + 4) as usize, word(MAGIC.len() + 8));
        let header = bytes
            .get(fixed..fixed.saturating_add(len))
            .filter(|h| crc32fast::hash(h) == crc)
            .ok_or_else(|| bad("truncated or corrupt header"))?;
        let header: Header = postcard::from_bytes(header).map_err(|e| bad(&e.to_string()))?;
        if header.identity != self.identity {
            return Err(bad(
                "written by another build, for another root or another configuration",
            ));
        }
        let mut at = fixed + len;
        let mut chunks = Vec::with_capacity(header.chunks.len());
        for &(len, crc) in &header.chunks {
            let chunk = bytes
                .get(at..at.saturating_add(len as usize))
                .ok_or_else(|| bad("truncated"))?;
            chunks.push((chunk, crc));
            at += len as usize;
        }
        if at != bytes.len() {
            return Err(bad("trailing bytes"));
        }
        // Each string once, not once per use: far fewer lookups in the
        // shared interner than symbols in the facts.
        let t = std::time::Instant::now();
        let table: std::sync::Arc<[Sym]> = Sym::new_all(&header.symbols).into();
        let interned = t.elapsed();
        let lists: Vec<Vec<Entry>> = chunks
            .par_iter()
            .map(|&(chunk, crc)| {
                if crc32fast::hash(chunk) != crc {
                    return Err(bad("corrupt (checksum)"));
                }
                Sym::reading(&table, || postcard::from_bytes(chunk))
                    .map_err(|e| bad(&e.to_string()))
            })
            .collect::<Result<_, _>>()?;
        let mut entries = FxHashMap::default();
        entries.reserve(lists.iter().map(Vec::len).sum());
        for e in lists.into_iter().flatten() {
            entries.insert(e.path.clone(), e);
        }
        Ok(Stored {
            began: header.began,
            entries,
            detail: format!(
                "{} bytes, {} symbols interned in {interned:.0?}, {} chunks decoded in {:.0?}",
                bytes.len(),
                table.len(),
                header.chunks.len(),
                t.elapsed() - interned
            ),
        })
    }

    /// Writes `notes` (path, stamp, text size, facts) as the cache, in a
    /// temporary file renamed over the old one, so that a reader sees the
    /// old file or the new one, never half of one. `began`: when the
    /// indexing that read these notes began. Returns the file's size, and
    /// a line for each old file of other vaults removed from the folder.
    pub fn save(
        &self,
        began: i64,
        notes: &[(&str, FileStamp, u64, &NoteFacts)],
    ) -> Result<(u64, Vec<String>), String> {
        let fail = |e: &dyn std::fmt::Display| format!("{}: {e}", self.file.display());
        let chunks: Vec<Vec<u8>> = notes
            .par_chunks(CHUNK)
            .map(|chunk| {
                let list: Vec<EntryRef> = chunk
                    .iter()
                    .map(|&(path, stamp, bytes, facts)| EntryRef {
                        path,
                        stamp,
                        bytes,
                        facts,
                    })
                    .collect();
                postcard::to_stdvec(&list)
            })
            .collect::<Result<_, _>>()
            .map_err(|e| fail(&e))?;
        let header = Header {
            identity: Identity {
                build: self.identity.build.clone(),
                root: self.identity.root.clone(),
                config: self.identity.config,
            },
            symbols: Sym::table(),
            began,
            chunks: chunks
                .iter()
                .map(|c| (c.len() as u32, crc32fast::hash(c)))
                .collect(),
        };
        let header = postcard::to_stdvec(&header).map_err(|e| fail(&e))?;
        let dir = self.file.parent().ok_or_else(|| fail(&"no folder"))?;
        std::fs::create_dir_all(dir).map_err(|e| fail(&e))?;
        // The facts name the vault's headings, links and tags: the folder
        // is the user's alone, as the notes may be.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
        }
        let tmp = self
            .file
            .with_extension(format!("tmp{}", std::process::id()));
        let write = || -> std::io::Result<u64> {
            let mut out = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
            out.write_all(MAGIC)?;
            out.write_all(&FORMAT.to_le_bytes())?;
            out.write_all(&(header.len() as u32).to_le_bytes())?;
            out.write_all(&crc32fast::hash(&header).to_le_bytes())?;
            out.write_all(&header)?;
            for c in &chunks {
                out.write_all(c)?;
            }
            let file = out.into_inner().map_err(|e| e.into_error())?;
            let size = file.metadata()?.len();
            drop(file);
            std::fs::rename(&tmp, &self.file)?;
            Ok(size)
        };
        let size = write().map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            fail(&e)
        })?;
        Ok((size, prune(dir, std::time::SystemTime::now())))
    }
}

/// A cache file not used for this long belongs to a vault that was moved,
/// deleted or is no longer opened: it is removed (a vault opened again
/// after that is indexed in full once).
const STALE: std::time::Duration = std::time::Duration::from_secs(30 * 24 * 3600);
/// A temporary file this old was left by a writer that died.
const ORPHAN: std::time::Duration = std::time::Duration::from_secs(3600);

/// Removes the stale cache files and orphaned temporary files of the cache
/// folder `dir`, and nothing else: only names this module writes
/// (`<16 hex digits>.facts`, `<16 hex digits>.tmp<pid>`) are considered.
/// Returns a line to log for each file removed or that could not be.
fn prune(dir: &Path, now: std::time::SystemTime) -> Vec<String> {
    let mut said = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return said;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some((stem, ext)) = name.to_str().and_then(|n| n.split_once('.')) else {
            continue;
        };
        if stem.len() != 16 || !stem.bytes().all(|b| b.is_ascii_hexdigit()) {
            continue;
        }
        let limit = match ext.strip_prefix("tmp") {
            _ if ext == "facts" => STALE,
            Some(pid) if !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()) => ORPHAN,
            _ => continue,
        };
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|age| age > limit);
        if old && entry.file_type().is_ok_and(|t| t.is_file()) {
            said.push(match std::fs::remove_file(entry.path()) {
                Ok(()) => format!("removed {}, unused for {:?}", entry.path().display(), limit),
                Err(e) => format!("not removed: {}: {e}", entry.path().display()),
            });
        }
    }
    said
}

fn cache_home() -> Option<PathBuf> {
    let abs = |v: std::ffi::OsString| Some(PathBuf::from(v)).filter(|p| p.is_absolute());
    std::env::var_os("XDG_CACHE_HOME")
        .and_then(abs)
        .or_else(|| {
            std::env::var_os("HOME")
                .and_then(abs)
                .map(|h| h.join(".cache"))
        })
}

/// This build of carnet: its version and the size and time of its binary,
/// so that a rebuilt carnet (whose facts may differ) starts afresh.
fn build_id() -> String {
    let exe = std::env::current_exe()
        .and_then(std::fs::metadata)
        .ok()
        .and_then(|m| FileStamp::of(&m));
    match exe {
        Some(s) => format!("{} {} {}", env!("CARGO_PKG_VERSION"), s.size, s.mtime),
        None => format!("{} unknown binary", env!("CARGO_PKG_VERSION")),
    }
}

/// The settings read at start, as one number: `carnet.toml` and Obsidian's
/// daily-notes settings. (Facts are a function of a note's text alone;
/// this is there so that no setting, now or later, can meet facts read
/// under another.)
fn config_fingerprint(root: &Path) -> u32 {
    let mut h = crc32fast::Hasher::new();
    for file in [Config::FILE, super::config::OBSIDIAN_DAILY] {
        match std::fs::read(root.join(file)) {
            Ok(bytes) => {
                h.update(&(bytes.len() as u64).to_le_bytes());
                h.update(&bytes);
            }
            Err(_) => h.update(&u64::MAX.to_le_bytes()),
        }
    }
    h.finalize()
}
