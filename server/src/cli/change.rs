//! What the subcommands that change a vault share (`carnet mv`,
//! `rename-tag`, `rename-heading`, `fix-moves` and `check --fix`): their
//! options, finding the vault, locking it and finishing a change a killed
//! carnet left behind, reading the texts a plan is computed from, and
//! writing the plan through `vault::write` (all or nothing) or, with
//! `--dry-run`, printing it as a diff. They plan with the library (the
//! editor rename's planner), never with code of their own.
//!
//! Exit status: 0 done, 1 refused (the reason on stderr; nothing changed),
//! 2 bad usage.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;

use carnet::answers::{Plan, RenameError, apply_edits};
use carnet::text::Lines;
use carnet::vault::write::{self, Change, FileEdit, Lock, WriteError};
use carnet::vault::{self, Loaded};
use serde_json::json;

use super::plural;

/// The options every changing command takes, and its operands.
#[derive(Default)]
pub struct Options {
    pub dry_run: bool,
    pub json: bool,
    pub vault: Option<PathBuf>,
    pub since: Option<String>,
    pub operands: Vec<String>,
}

impl Options {
    /// `None` when `--help` was asked (and printed). `since` says whether
    /// the command takes `--since REV`.
    pub fn parse(
        parser: &mut lexopt::Parser,
        usage: &str,
        since: bool,
    ) -> Result<Option<Options>, String> {
        use lexopt::prelude::*;
        let mut o = Options::default();
        let bad = |e: lexopt::Error| format!("{e}\n\n{usage}");
        while let Some(arg) = parser.next().map_err(bad)? {
            match arg {
                Short('h') | Long("help") => {
                    println!("{usage}");
                    return Ok(None);
                }
                Short('n') | Long("dry-run") => o.dry_run = true,
                Long("format") => {
                    o.json = match parser.value().map_err(bad)?.to_str() {
                        Some("json") => true,
                        Some("text") => false,
                        _ => return Err(format!("--format takes text or json\n\n{usage}")),
                    }
                }
                Long("vault") => o.vault = Some(parser.value().map_err(bad)?.into()),
                Long("since") if since => {
                    o.since = Some(
                        parser
                            .value()
                            .map_err(bad)?
                            .into_string()
                            .map_err(|_| format!("--since takes a revision\n\n{usage}"))?,
                    )
                }
                Value(v) => o.operands.push(
                    v.into_string()
                        .map_err(|v| format!("{} is not valid Unicode", v.to_string_lossy()))?,
                ),
                other => return Err(bad(other.unexpected())),
            }
        }
        Ok(Some(o))
    }
}

/// Why a command changed nothing: exit status 1.
#[derive(Debug)]
pub struct Refused {
    pub kind: &'static str,
    pub message: String,
}

impl Refused {
    pub fn new(kind: &'static str, message: impl Into<String>) -> Refused {
        Refused {
            kind,
            message: message.into(),
        }
    }
}

impl From<RenameError> for Refused {
    fn from(e: RenameError) -> Refused {
        let kind = match e {
            RenameError::Nothing(_) => "nothing",
            RenameError::Invalid(_) => "invalid",
            RenameError::Exists(_) => "exists",
            RenameError::Unsafe(_) => "unsafe",
            RenameError::Changed(_) => "changed",
        };
        Refused::new(kind, e.to_string())
    }
}

impl From<WriteError> for Refused {
    fn from(e: WriteError) -> Refused {
        let kind = match e {
            WriteError::Refused(_) => "changed",
            WriteError::Failed(_) => "failed",
            WriteError::Stuck(_) => "stuck",
        };
        Refused::new(kind, e.to_string())
    }
}

/// Says why nothing was done, and returns exit status 1.
pub fn refuse(opts: &Options, r: Refused) -> ExitCode {
    if opts.json {
        println!(
            "{}",
            json!({ "type": "error", "kind": r.kind, "message": r.message })
        );
    }
    eprintln!("carnet: {}", r.message);
    ExitCode::from(1)
}

/// The vault-relative path of a path given on the command line; not the
/// vault itself.
pub fn vault_path(root: &Path, arg: &str) -> Result<String, Refused> {
    match vault::path_in(root, arg) {
        Ok(rel) if rel.is_empty() => Err(Refused::new(
            "invalid",
            format!("{arg} is the vault itself"),
        )),
        Ok(rel) => Ok(rel),
        Err(e) => Err(Refused::new("invalid", e)),
    }
}

/// A vault locked for a change, with any interrupted change finished, and
/// indexed.
pub struct Opened {
    pub lock: Lock,
    pub vault: Loaded,
}

pub fn open(root: &Path) -> Result<Opened, Refused> {
    index(lock(root)?, vault::load)
}

/// Locks the vault at `root` for a change, and finishes any change a
/// killed carnet left (before anything is read from the vault).
pub fn lock(root: &Path) -> Result<Lock, Refused> {
    let lock = Lock::exclusive(root).map_err(|e| Refused::new("locked", e))?;
    if let Some(what) = write::recover(&lock).map_err(|e| Refused::new("stuck", e))? {
        eprintln!("carnet: {}: {what}", root.display());
    }
    Ok(lock)
}

/// Indexes the locked vault with `load` (`vault::load`, or `load_for`
/// when only some names matter), saying what it skipped.
pub fn index(
    lock: Lock,
    load: impl FnOnce(&Path) -> Result<Loaded, String>,
) -> Result<Opened, Refused> {
    let root = lock.root().to_path_buf();
    let vault = load(&root).map_err(|e| Refused::new("invalid", e))?;
    for w in &vault.config_warnings {
        eprintln!("carnet: {}: {w}", root.display());
    }
    for s in &vault.skipped {
        eprintln!("carnet: skipped {}: {}", s.path.display(), s.reason);
    }
    Ok(Opened { lock, vault })
}

/// For commands that only read a vault: finishes a change a killed carnet
/// left behind, then holds a shared lock so that no change is made while
/// the vault is read. Problems are reported, never fatal.
pub fn settle(root: &Path) -> Option<Lock> {
    match write::recover_pending(root) {
        Ok(Some(what)) => eprintln!("carnet: {}: {what}", root.display()),
        Ok(None) => {}
        Err(e) => eprintln!("carnet: {}: {e}", root.display()),
    }
    Lock::shared(root).ok()
}

/// Reads notes for a plan and keeps each text: the edits are made on, and
/// the files checked against, exactly the texts the plan was computed from.
pub struct Reader {
    root: PathBuf,
    read: Mutex<HashMap<String, String>>,
}

impl Reader {
    pub fn new(root: &Path) -> Reader {
        Reader {
            root: root.to_path_buf(),
            read: Mutex::default(),
        }
    }

    pub fn text(&self, rel: &str) -> Option<String> {
        let text = vault::read_note(&self.root.join(rel)).ok()?;
        self.read
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(rel.to_string(), text.clone());
        Some(text)
    }

    /// The change that makes `plan`'s edits, then `moves`.
    pub fn change(&self, plan: &Plan, moves: &[(String, String)]) -> Result<Change, Refused> {
        let read = self.read.lock().unwrap_or_else(|e| e.into_inner());
        let mut change = Change {
            edits: Vec::with_capacity(plan.edits.len()),
            moves: moves.to_vec(),
        };
        for (path, edits) in &plan.edits {
            let old = read
                .get(&**path)
                .ok_or_else(|| Refused::new("changed", format!("{path} could not be read")))?;
            change.edits.push(FileEdit {
                path: path.to_string(),
                old: old.clone(),
                new: apply_edits(old, edits, path)?,
            });
        }
        Ok(change)
    }
}

/// Writes `plan` (then `moves` on disk), or with `--dry-run` prints the
/// moves and the diff; either way says what was (or would be) done.
pub fn finish(
    opened: &Opened,
    reader: &Reader,
    plan: &Plan,
    moves: &[(String, String)],
    opts: &Options,
    noun: [&'static str; 2],
) -> Result<ExitCode, Refused> {
    let change = reader.change(plan, moves)?;
    let diff = if opts.dry_run {
        Some(write::diff(&opened.lock, &change)?)
    } else {
        write::apply(&opened.lock, &change)?;
        None
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let (move_word, update_word) = if opts.dry_run {
        ("would move", "would update")
    } else {
        ("moved", "updated")
    };
    for (from, to) in moves {
        let _ = if opts.json {
            writeln!(out, "{}", json!({ "type": "move", "from": from, "to": to }))
        } else {
            writeln!(out, "{move_word} {from} -> {to}")
        };
    }
    if opts.json {
        for (path, edits) in &plan.edits {
            let old = change
                .edits
                .iter()
                .find(|e| e.path == **path)
                .map_or("", |e| e.old.as_str());
            let lines = Lines::new(old);
            for e in edits {
                let (line, column) = lines.line_col(e.span.start);
                let _ = writeln!(
                    out,
                    "{}",
                    json!({
                        "type": "edit",
                        "path": &**path,
                        "line": line + 1,
                        "column": column + 1,
                        "old": old.get(e.span.range()).unwrap_or(""),
                        "new": e.text,
                    })
                );
            }
        }
    }
    let (edits, notes) = (plan.edit_count(), plan.edits.len());
    let _ = if opts.json {
        writeln!(
            out,
            "{}",
            json!({
                "type": "summary",
                "dry_run": opts.dry_run,
                "vault": opened.lock.root().display().to_string(),
                "moves": moves.len(),
                "edits": edits,
                "notes": notes,
            })
        )
    } else {
        writeln!(
            out,
            "{update_word} {edits} {} in {notes} {}",
            plural(edits, noun[0], noun[1]),
            plural(notes, "note", "notes")
        )
    };
    if let Some(diff) = diff.filter(|_| !opts.json) {
        let _ = out.write_all(diff.as_bytes());
    }
    let _ = out.flush();
    Ok(ExitCode::SUCCESS)
}
