//! `carnet lsp [--stdio]` (or no command): the language server on stdin/stdout.

use std::process::ExitCode;

use super::common;

pub fn run(mut parser: lexopt::Parser) -> Result<ExitCode, String> {
    use lexopt::prelude::*;
    while let Some(arg) = parser.next().map_err(|e| e.to_string())? {
        match arg {
            Long("stdio") => {}
            other => return common(other),
        }
    }
    Ok(ExitCode::from(carnet::lsp::run_stdio() as u8))
}
