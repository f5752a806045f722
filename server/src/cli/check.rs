//! `carnet check`: report broken links and tag problems of vaults.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use carnet::check::{Checker, Problem, Rules, Severity};
use carnet::vault;

use super::{USAGE, common, display_path, load_to_check, plural, warn};

#[derive(Clone, Copy, PartialEq)]
enum Format {
    Text,
    Json,
}

/// Parses the arguments after `check`, then checks.
pub fn run(mut parser: lexopt::Parser) -> Result<ExitCode, String> {
    use lexopt::prelude::*;
    let mut format = Format::Text;
    let mut paths: Vec<PathBuf> = Vec::new();
    let mut timings = false;
    let mut threshold = Severity::Info;
    let (mut fix, mut dry_run) = (false, false);
    while let Some(arg) = parser.next().map_err(|e| e.to_string())? {
        match arg {
            Long("format") => {
                let value = parser.value().map_err(|e| e.to_string())?;
                format = match value.to_str() {
                    Some("text") => Format::Text,
                    Some("json") => Format::Json,
                    _ => return Err(format!("--format takes text or json\n\n{USAGE}")),
                };
            }
            Long("timings") => timings = true,
            Long("fix") => fix = true,
            Short('n') | Long("dry-run") => dry_run = true,
            Long("severity") => {
                let value = parser.value().map_err(|e| e.to_string())?;
                threshold = value.to_str().and_then(Severity::parse).ok_or_else(|| {
                    format!("--severity takes error, warning, info or hint\n\n{USAGE}")
                })?;
            }
            Value(v) => paths.push(v.into()),
            other => return common(other),
        }
    }
    if dry_run && !fix {
        return Err(format!("--dry-run goes with --fix\n\n{USAGE}"));
    }
    check(paths, format, timings, threshold, fix.then_some(dry_run))
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
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let (mut notes, mut links, mut bytes) = (0, 0, 0);
    let (mut errors, mut warnings, mut infos, mut hints) = (0, 0, 0, 0);
    let mut loaded = Vec::new();
    for root in &roots {
        let vault = match fix {
            Some(dry_run) => warn(
                root,
                super::fix::run(root, dry_run, format == Format::Json)?,
            ),
            None => load_to_check(root)?,
        };
        let checking = Instant::now();
        let rules = Rules::from_config(&vault.config);
        // Printed as they are found: problems are not all held at once.
        // Each note's lines are formatted on the checking threads; this one
        // only counts and writes them.
        let checker = Checker::new(&vault.snapshot, &rules);
        let render = |problems: &[Problem]| {
            let mut counts = [0usize; 4];
            let mut text = Vec::new();
            let mut shown = problems.iter().filter(|p| p.severity <= threshold);
            if let Some(first) = shown.next() {
                let path = display_path(root, &first.path);
                for p in std::iter::once(first).chain(shown) {
                    counts[p.severity as usize] += 1;
                    print_problem(&mut text, &path, p, format);
                }
            }
            (counts, text)
        };
        checker.vault_each(&vault.snapshot, render, |(counts, text)| {
            errors += counts[Severity::Error as usize];
            warnings += counts[Severity::Warning as usize];
            infos += counts[Severity::Info as usize];
            hints += counts[Severity::Hint as usize];
            // A closed pipe (`carnet check | head`) is not an error worth reporting.
            let _ = out.write_all(&text);
        });
        if timings {
            for (phase, t) in &vault.timings {
                eprintln!(
                    "carnet: {}: {phase}: {:.1} ms",
                    root.display(),
                    t.as_secs_f64() * 1e3
                );
            }
            eprintln!(
                "carnet: {}: check links and print: {:.1} ms",
                root.display(),
                checking.elapsed().as_secs_f64() * 1e3
            );
            if let Some(peak) = vault::peak_memory() {
                eprintln!("carnet: {}: peak memory so far: {peak}", root.display());
            }
        }
        notes += vault.snapshot.note_count();
        links += vault
            .snapshot
            .notes()
            .map(|n| n.facts.links.len())
            .sum::<usize>();
        bytes += vault.bytes;
        loaded.push(vault);
    }
    let elapsed = start.elapsed();

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

/// Writes one problem of the note shown as `path`.
fn print_problem(out: &mut Vec<u8>, path: &str, p: &Problem, format: Format) {
    let line = p.line + 1;
    let column = p.column + 1;
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
