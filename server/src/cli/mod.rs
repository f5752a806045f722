//! The `carnet` subcommands, one file each; `main.rs` only picks one.
//! `change.rs` holds what the commands that change a vault share.

mod change;
pub mod check;
mod fix;
pub mod fix_moves;
pub mod graph;
pub mod lsp;
pub mod mv;
pub mod rename_heading;
pub mod rename_tag;
pub mod report;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use carnet::vault::{self, Loaded};

pub const USAGE: &str = "\
carnet — a language server for Markdown notes

Usage:
  carnet [lsp] [--stdio]                        run the language server on stdin/stdout
  carnet check [--format text|json] [--severity LEVEL] [--timings] [--fix [--dry-run]] [PATH]...
                                                report broken links and tag problems
  carnet graph [--format json|dot|graphml] [--from NOTE] ... [PATH]
                                                the link graph (carnet graph --help)
  carnet report [--format text|json] [PATH]     orphans, dead ends, wanted notes, hubs, tags
  carnet mv [-n] [--format json] SOURCE... DEST move notes, files and folders; fix every link
  carnet rename-tag OLD NEW                     rename a tag in every note
  carnet rename-heading NOTE#OLD NEW            rename a heading and the links to it
  carnet fix-moves [--since REV]                repair links broken by moves made elsewhere
  carnet --version
  carnet --help

PATH is a vault root (default: the current folder); several paths are
checked as independent vaults. --severity shows problems at LEVEL (error,
warning, info, hint) or above; the default is info. Exit status: 0 no
errors, 1 errors found, 2 bad usage or an unreadable vault root. --fix
first applies the fixes with one right answer (--dry-run: prints them as a
diff). `carnet COMMAND --help` describes each command.";

/// The options every subcommand takes (`--help`, `--version`); anything
/// else is a usage error.
pub fn common(arg: lexopt::Arg) -> Result<ExitCode, String> {
    use lexopt::prelude::*;
    match arg {
        Short('h') | Long("help") => {
            print(&format!("{USAGE}\n"));
            Ok(ExitCode::SUCCESS)
        }
        Short('V') | Long("version") => {
            print(&format!("carnet {}\n", env!("CARGO_PKG_VERSION")));
            Ok(ExitCode::SUCCESS)
        }
        other => Err(format!("{}\n\n{USAGE}", other.unexpected())),
    }
}

/// Writes `text` to stdout. A closed pipe (`carnet --help | head`) is not
/// an error, and `println!` would panic on it.
pub fn print(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// How a note's path is shown: relative to where the user pointed us.
pub fn display_path(root: &Path, rel: &str) -> String {
    if root == Path::new(".") {
        rel.to_string()
    } else {
        root.join(rel).display().to_string()
    }
}

/// Loads one vault, reporting on stderr what could not be read. A change a
/// killed carnet left half done is finished (or undone) first.
pub fn load(root: &Path) -> Result<Loaded, String> {
    let _lock = change::settle(root);
    Ok(warn(root, vault::load(root)?))
}

/// [`load`] for `carnet check`: only the facts the check reads are kept
/// ([`vault::load_to_check`]).
pub fn load_to_check(root: &Path) -> Result<Loaded, String> {
    let _lock = change::settle(root);
    Ok(warn(root, vault::load_to_check(root)?))
}

/// Reports on stderr what a loaded vault could not read.
pub fn warn(root: &Path, vault: Loaded) -> Loaded {
    for warning in &vault.config_warnings {
        eprintln!("carnet: {}: {warning}", root.display());
    }
    for s in &vault.skipped {
        eprintln!("carnet: skipped {}: {}", s.path.display(), s.reason);
    }
    vault
}

/// The one vault root a subcommand takes (default: the current folder).
pub fn one_root(paths: Vec<PathBuf>, usage: &str) -> Result<PathBuf, String> {
    match <[PathBuf; 1]>::try_from(paths) {
        Ok([root]) => Ok(root),
        Err(paths) if paths.is_empty() => Ok(PathBuf::from(".")),
        Err(_) => Err(format!("one vault at a time\n\n{usage}")),
    }
}

pub fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}
