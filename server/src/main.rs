//! The `carnet` command: picks a subcommand and hands it the rest of the
//! arguments (each lives in its own file under `cli/`).

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(message) => {
            eprintln!("carnet: {message}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<ExitCode, String> {
    use lexopt::prelude::*;
    let mut parser = lexopt::Parser::from_env();
    let command = match parser.next().map_err(|e| e.to_string())? {
        Some(Value(v)) => v.into_string().map_err(|_| "bad command".to_string())?,
        // `carnet --stdio`: the server, as with no command.
        Some(Long("stdio")) | None => "lsp".into(),
        Some(other) => return cli::common(other),
    };
    match command.as_str() {
        "check" => cli::check::run(parser),
        "lsp" => cli::lsp::run(parser),
        "graph" => cli::graph::run(parser),
        "report" => cli::report::run(parser),
        "mv" => cli::mv::run(parser),
        "rename-tag" => cli::rename_tag::run(parser),
        "rename-heading" => cli::rename_heading::run(parser),
        "fix-moves" => cli::fix_moves::run(parser),
        other => Err(format!("unknown command {other:?}\n\n{}", cli::USAGE)),
    }
}
