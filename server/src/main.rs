//! The `carnet` command: `carnet check` for vaults on the command line.

mod cli;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use carnet::check::{Checker, Problem, Rules, Severity};
use carnet::vault;

const USAGE: &str = "\
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

#[derive(Clone, Copy, PartialEq)]
enum Format {
    Text,
    Json,
}

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
    let mut command: Option<String> = None;
    let mut format = Format::Text;
    let mut paths: Vec<PathBuf> = Vec::new();
    let mut timings = false;
    let mut threshold = Severity::Info;
    let (mut fix, mut dry_run) = (false, false);
    while let Some(arg) = parser.next().map_err(|e| e.to_string())? {
        match arg {
            Short('h') | Long("help") => {
                println!("{USAGE}");
                return Ok(ExitCode::SUCCESS);
            }
            Short('V') | Long("version") => {
                println!("carnet {}", env!("CARGO_PKG_VERSION"));
                return Ok(ExitCode::SUCCESS);
            }
            Long("format") if command.as_deref() == Some("check") => {
                let value = parser.value().map_err(|e| e.to_string())?;
                format = match value.to_str() {
                    Some("text") => Format::Text,
                    Some("json") => Format::Json,
                    _ => return Err(format!("--format takes text or json\n\n{USAGE}")),
                };
            }
            Long("stdio") if command.as_deref().is_none_or(|c| c == "lsp") => {}
            Value(v) if command.is_none() => {
                let name = v.into_string().map_err(|_| "bad command".to_string())?;
                if let Some(done) = cli::dispatch(&name, &mut parser) {
                    return done;
                }
                command = Some(name)
            }
            Long("fix") if command.as_deref() == Some("check") => fix = true,
            Short('n') | Long("dry-run") if command.as_deref() == Some("check") => dry_run = true,
            Long("timings") if command.as_deref() == Some("check") => timings = true,
            Long("severity") if command.as_deref() == Some("check") => {
                let value = parser.value().map_err(|e| e.to_string())?;
                threshold = value.to_str().and_then(Severity::parse).ok_or_else(|| {
                    format!("--severity takes error, warning, info or hint\n\n{USAGE}")
                })?;
            }
            Value(v) if command.as_deref() == Some("check") => paths.push(v.into()),
            other => return Err(format!("{}\n\n{USAGE}", other.unexpected())),
        }
    }
    match command.as_deref() {
        Some("check") if dry_run && !fix => Err(format!("--dry-run goes with --fix\n\n{USAGE}")),
        Some("check") => check(paths, format, timings, threshold, fix.then_some(dry_run)),
        Some("lsp") | None => Ok(ExitCode::from(carnet::lsp::run_stdio() as u8)),
        Some(other) => Err(format!("unknown command {other:?}\n\n{USAGE}")),
    }
}

/// How a note's path is shown: relative to where the user pointed us.
fn display_path(root: &Path, rel: &str) -> String {
    if root == Path::new(".") {
        rel.to_string()
    } else {
        root.join(rel).display().to_string()
    }
}

fn check(
    mut roots: Vec<PathBuf>,
    format: Format,
    timings: bool,
    threshold: Severity,
    fix: Option<bool>,
) -> Result<ExitCode, String> {
    let start = Instant::now();
    if roots.is_empty() {
        roots.push(PathBuf::from("."));
    }
    let mut loaded = Vec::new();
    for root in &roots {
        let vault = match fix {
            Some(dry_run) => cli::fix::run(root, dry_run, format == Format::Json)?,
            None => {
                let _lock = cli::settle(root);
                vault::load(root)?
            }
        };
        for warning in &vault.config_warnings {
            eprintln!("carnet: {}: {warning}", root.display());
        }
        for s in &vault.skipped {
            eprintln!("carnet: skipped {}: {}", s.path.display(), s.reason);
        }
        let checking = Instant::now();
        let rules = Rules::from_config(&vault.config);
        let mut problems = Checker::new(&vault.snapshot, &rules).vault(&vault.snapshot);
        problems.retain(|p| p.severity <= threshold);
        if timings {
            for (phase, t) in &vault.timings {
                eprintln!(
                    "carnet: {}: {phase}: {:.1} ms",
                    root.display(),
                    t.as_secs_f64() * 1e3
                );
            }
            eprintln!(
                "carnet: {}: check links: {:.1} ms",
                root.display(),
                checking.elapsed().as_secs_f64() * 1e3
            );
            if let Some(peak) = peak_memory() {
                eprintln!("carnet: {}: peak memory so far: {peak}", root.display());
            }
        }
        loaded.push((root, vault, problems));
    }
    let elapsed = start.elapsed();

    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let (mut notes, mut links, mut bytes) = (0, 0, 0);
    let (mut errors, mut warnings, mut infos, mut hints) = (0, 0, 0, 0);
    for (root, vault, problems) in &loaded {
        notes += vault.snapshot.note_count();
        links += vault
            .snapshot
            .notes()
            .map(|n| n.facts.links.len())
            .sum::<usize>();
        bytes += vault.bytes;
        for p in problems {
            match p.severity {
                Severity::Error => errors += 1,
                Severity::Warning => warnings += 1,
                Severity::Info => infos += 1,
                Severity::Hint => hints += 1,
            }
            print_problem(&mut out, root, p, format);
        }
    }
    let secs = elapsed.as_secs_f64();
    let _ = match format {
        Format::Text => {
            let mut counts = format!(
                "{errors} {}, {warnings} {}",
                plural(errors, "error", "errors"),
                plural(warnings, "warning", "warnings")
            );
            if infos > 0 {
                counts += &format!(", {infos} {}", plural(infos, "info", "infos"));
            }
            if hints > 0 {
                counts += &format!(", {hints} {}", plural(hints, "hint", "hints"));
            }
            writeln!(
                out,
                "checked {notes} notes, {links} links in {secs:.2}s: {counts}"
            )
        }
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::json!({
                "type": "summary",
                "notes": notes,
                "links": links,
                "problems": errors + warnings + infos + hints,
                "errors": errors,
                "warnings": warnings,
                "infos": infos,
                "hints": hints,
                "bytes": bytes,
                "elapsed_ms": (secs * 1e6).round() / 1e3,
            })
        ),
    };
    let _ = out.flush();
    drop(out);
    // The process ends here: freeing every fact one by one would only cost time.
    std::mem::forget(loaded);
    Ok(if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The process's peak resident memory, where the OS tells it (Linux).
fn peak_memory() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    Some(line["VmHWM:".len()..].trim().to_string())
}

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

fn print_problem(out: &mut impl Write, root: &Path, p: &Problem, format: Format) {
    let path = display_path(root, &p.path);
    let line = p.line + 1;
    let column = p.column + 1;
    // A closed pipe (`carnet check | head`) is not an error worth reporting.
    let _ = match format {
        Format::Text => writeln!(
            out,
            "{path}:{line}:{column}: {}: {} [{}]",
            p.severity.as_str(),
            p.message,
            p.code
        ),
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::json!({
                "type": "problem",
                "path": path,
                "line": line,
                "column": column,
                "severity": p.severity.as_str(),
                "code": p.code,
                "message": p.message,
            })
        ),
    };
}
