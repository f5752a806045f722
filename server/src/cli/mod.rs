//! The `carnet` subcommands, one file each; `main.rs` only picks one.
//! `change.rs` holds what the commands that change a vault share.

mod change;
pub mod check;
mod fix;
pub mod fix_moves;
pub mod lsp;
pub mod mv;
pub mod rename_heading;
pub mod rename_tag;

use std::process::ExitCode;

pub const USAGE: &str = "\
carnet — a language server for Markdown notes

Usage:
  carnet [lsp] [--stdio]                        run the language server on stdin/stdout
  carnet check [--format text|json] [--severity LEVEL] [--timings] [--fix [--dry-run]] [PATH]...
                                                report broken links and tag problems
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
            println!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        Short('V') | Long("version") => {
            println!("carnet {}", env!("CARGO_PKG_VERSION"));
            Ok(ExitCode::SUCCESS)
        }
        other => Err(format!("{}\n\n{USAGE}", other.unexpected())),
    }
}

pub fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}
