//! The `carnet` subcommands, one file each; `main.rs` only picks one.

pub mod check;
pub mod lsp;

use std::process::ExitCode;

pub const USAGE: &str = "\
carnet — a language server for Markdown notes

Usage:
  carnet [lsp] [--stdio]                        run the language server on stdin/stdout
  carnet check [--format text|json] [--severity LEVEL] [--timings] [PATH]...
                                                report broken links and tag problems
  carnet --version
  carnet --help

PATH is a vault root (default: the current folder); several paths are
checked as independent vaults. --severity shows problems at LEVEL (error,
warning, info, hint) or above; the default is info. Exit status: 0 no
errors, 1 errors found, 2 bad usage or an unreadable vault root.";

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
