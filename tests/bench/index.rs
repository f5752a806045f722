//! Indexing benchmark: `cargo bench -p carnet --bench index`.
//!
//! Runs the built binary as `carnet check <vault> --format json` on generated
//! vaults (see `gen.rs`) and on the real corpora in `../shared/corpora`, and
//! prints a Markdown table of wall time (median), throughput and peak RSS.
//!
//! Environment:
//! * `CARNET_BENCH_SIZES`: comma-separated note counts of the generated vaults
//!   (default `10000,100000`; empty or `0` for none). Vaults are written to
//!   `<workspace>/target/bench-vaults/<n>` and reused while their stamp file
//!   (`.carnet-bench-stamp`) matches `GEN_VERSION`, the seed and the size.
//! * `CARNET_BENCH_RUNS`: timed runs per vault (default 5, 3 for vaults of
//!   50,000 notes or more); each vault also gets one untimed warm-up run.
//! * `CARNET_BENCH_SEED`: generator seed (default `SEED`).
//! * `CARNET_BENCH_CORPORA=0`: skip the real corpora.
//! * Free arguments (`cargo bench -p carnet --bench index -- 10000 fr`) keep
//!   only the vaults whose label contains one of them.
//!
//! Contract with `carnet check --format json`: the last non-blank stdout line is
//! a JSON object with `"type":"summary"` and the numeric fields `notes`, `links`,
//! `problems`, `errors`, `warnings`, `bytes`, `elapsed_ms` (missing fields are
//! shown as `?`). Exit code 0 (clean) and 1 (problems found) are success; any
//! other exit code, a death by signal or a missing summary line fails the bench.

#[path = "vaults.rs"]
mod vaults;

use vaults::{SEED, ensure_vault, vaultgen};

use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CORPORA: &[&str] = &[
    "obsidian-help/en",
    "obsidian-help/fr",
    "obsidian-help/ru",
    "obsidian-help/zh",
    "foam-docs/docs",
    "kepano-obsidian",
];

struct Vault {
    label: String,
    path: PathBuf,
    /// Generator totals (ground truth) for generated vaults.
    truth: Option<vaultgen::GenStats>,
    timed_runs: usize,
}

struct Run {
    wall: Duration,
    max_rss_kib: i64,
    exit_code: Option<i32>,
    signal: Option<i32>,
    last_line: String,
    stdout_bytes: u64,
    stderr_tail: String,
}

struct Row {
    label: String,
    summary: Option<String>,
    md_bytes: u64,
    median: Option<Duration>,
    max_rss_kib: i64,
    runs: usize,
    failed: Option<String>,
}

fn main() {
    let bin = env!("CARGO_BIN_EXE_carnet");
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let workspace = manifest
        .join("..")
        .canonicalize()
        .unwrap_or_else(|_| manifest.join(".."));
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wanted =
        |label: &str| filters.is_empty() || filters.iter().any(|f| label.contains(f.as_str()));
    let seed = match std::env::var("CARNET_BENCH_SEED") {
        Ok(s) => s.trim().parse().expect("CARNET_BENCH_SEED: not a u64"),
        Err(_) => SEED,
    };
    let runs_override: Option<usize> = std::env::var("CARNET_BENCH_RUNS")
        .ok()
        .map(|s| s.trim().parse().expect("CARNET_BENCH_RUNS: not a number"));
    let sizes =
        parse_sizes(&std::env::var("CARNET_BENCH_SIZES").unwrap_or_else(|_| "10000,100000".into()));

    let mut vaults = Vec::new();
    for n in sizes {
        let label = format!("generated-{n}");
        if !wanted(&label) {
            continue;
        }
        let path = workspace
            .join("target")
            .join("bench-vaults")
            .join(n.to_string());
        let truth = match ensure_vault(&path, n, seed) {
            Ok(stats) => stats,
            Err(e) => {
                eprintln!("error: cannot generate {}: {e}", path.display());
                std::process::exit(2);
            }
        };
        let timed_runs = runs_override.unwrap_or(if n >= 50_000 { 3 } else { 5 });
        vaults.push(Vault {
            label,
            path,
            truth: Some(truth),
            timed_runs,
        });
    }
    if std::env::var("CARNET_BENCH_CORPORA").map_or(true, |v| v != "0") {
        let corpora = workspace.join("..").join("shared").join("corpora");
        for c in CORPORA {
            if !wanted(c) {
                continue;
            }
            let path = corpora.join(c);
            if path.is_dir() {
                let timed_runs = runs_override.unwrap_or(5);
                vaults.push(Vault {
                    label: c.to_string(),
                    path,
                    truth: None,
                    timed_runs,
                });
            } else {
                eprintln!("skipping corpus {c}: {} not found", path.display());
            }
        }
    }

    let mut rows = Vec::new();
    for v in &vaults {
        rows.push(bench_vault(bin, v));
    }

    // Report.
    println!();
    println!("## carnet indexing benchmark");
    println!();
    println!("Command: `{bin} check <vault> --format json`");
    println!(
        "(via `cargo bench -p carnet --bench index`; 1 warm-up run, then the median wall time of N timed runs, \
         spawn to exit; peak RSS = max `ru_maxrss` of the child over the timed runs; MB = 10^6 bytes of Markdown; \
         {} CPUs available)",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!();
    println!(
        "| vault | notes | MB | links | problems | wall ms (median) | MB/s | peak RSS MB | carnet elapsed_ms | runs |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut failed = false;
    for r in &rows {
        let s = r.summary.as_deref().unwrap_or("");
        let bytes = json_number(s, "bytes").map_or(r.md_bytes, |b| b as u64);
        let mb = bytes as f64 / 1e6;
        let (wall, mbps) = match r.median {
            Some(d) => (
                format!("{:.1}", d.as_secs_f64() * 1e3),
                format!("{:.1}", mb / d.as_secs_f64()),
            ),
            None => ("?".into(), "?".into()),
        };
        println!(
            "| {} | {} | {:.1} | {} | {} | {} | {} | {:.1} | {} | {} |",
            r.label,
            field(s, "notes"),
            mb,
            field(s, "links"),
            field(s, "problems"),
            wall,
            mbps,
            r.max_rss_kib as f64 * 1024.0 / 1e6,
            field(s, "elapsed_ms"),
            r.runs,
        );
        if r.failed.is_some() {
            failed = true;
        }
    }

    let generated: Vec<_> = vaults
        .iter()
        .zip(&rows)
        .filter(|(v, _)| v.truth.is_some())
        .collect();
    if !generated.is_empty() {
        println!();
        println!(
            "Generator ground truth (`links` = body links outside code; broken = target name exists nowhere):"
        );
        println!();
        println!(
            "| vault | notes | links | broken | front matter links | headings | block ids | tags | folders | carnet errors | carnet warnings |"
        );
        println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (v, r) in generated {
            let t = v.truth.as_ref().unwrap();
            let s = r.summary.as_deref().unwrap_or("");
            println!(
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                v.label,
                t.notes,
                t.links,
                t.broken_links,
                t.frontmatter_links,
                t.headings,
                t.block_ids,
                t.tags,
                t.folders,
                field(s, "errors"),
                field(s, "warnings"),
            );
        }
    }

    for r in &rows {
        if let Some(why) = &r.failed {
            println!();
            println!("FAILED {}: {why}", r.label);
        }
    }
    if failed {
        std::process::exit(1);
    }
}

fn parse_sizes(s: &str) -> Vec<usize> {
    s.split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(|x| {
            x.replace('_', "")
                .parse()
                .expect("CARNET_BENCH_SIZES: not a list of numbers")
        })
        .filter(|&n| n > 0)
        .collect()
}

fn md_bytes(dir: &Path) -> u64 {
    let mut total = 0;
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    for e in entries.flatten() {
        let Ok(ft) = e.file_type() else { continue };
        let p = e.path();
        if ft.is_dir() {
            total += md_bytes(&p);
        } else if ft.is_file() && p.extension().is_some_and(|x| x == "md") {
            total += e.metadata().map_or(0, |m| m.len());
        }
    }
    total
}

fn bench_vault(bin: &str, v: &Vault) -> Row {
    let mut row = Row {
        label: v.label.clone(),
        summary: None,
        md_bytes: md_bytes(&v.path),
        median: None,
        max_rss_kib: 0,
        runs: 0,
        failed: None,
    };
    let mut walls = Vec::new();
    for i in 0..=v.timed_runs {
        let what = if i == 0 {
            "warm-up".to_string()
        } else {
            format!("run {i}/{}", v.timed_runs)
        };
        let run = match run_once(bin, &v.path) {
            Ok(r) => r,
            Err(e) => {
                row.failed = Some(format!("{what}: cannot run {bin}: {e}"));
                return row;
            }
        };
        eprintln!(
            "{} {what}: {:.1} ms, peak RSS {:.1} MB, exit {}, {} bytes of output",
            v.label,
            run.wall.as_secs_f64() * 1e3,
            run.max_rss_kib as f64 * 1024.0 / 1e6,
            match (run.exit_code, run.signal) {
                (Some(c), _) => c.to_string(),
                (None, Some(s)) => format!("signal {s}"),
                _ => "?".into(),
            },
            run.stdout_bytes,
        );
        let bad = match (run.exit_code, run.signal) {
            (Some(0 | 1), _) => None,
            (Some(c), _) => Some(format!("{what}: exit code {c}")),
            (None, Some(s)) => Some(format!("{what}: killed by signal {s}")),
            (None, None) => Some(format!("{what}: unknown wait status")),
        };
        if let Some(why) = bad {
            row.failed = Some(format!("{why}; stderr tail:\n{}", run.stderr_tail));
            return row;
        }
        if !run.last_line.contains("\"summary\"")
            || json_string(&run.last_line, "type") != Some("summary")
        {
            row.failed = Some(format!(
                "{what}: last stdout line is not a summary object: {:?}; stderr tail:\n{}",
                truncate(&run.last_line, 300),
                run.stderr_tail
            ));
            return row;
        }
        if i > 0 {
            walls.push(run.wall);
            row.max_rss_kib = row.max_rss_kib.max(run.max_rss_kib);
            row.runs += 1;
        }
        row.summary = Some(run.last_line);
    }
    walls.sort();
    row.median = median(&walls);
    row
}

fn median(sorted: &[Duration]) -> Option<Duration> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2),
    }
}

fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// Runs `carnet check <vault> --format json` once: wall time spawn→exit, peak
/// RSS from `wait4`, the last non-blank stdout line (stdout is drained, not kept).
fn run_once(bin: &str, vault: &Path) -> io::Result<Run> {
    let start = Instant::now();
    let mut child = Command::new(bin)
        .arg("check")
        .arg(vault)
        .args(["--format", "json"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let pid = child.id() as libc::pid_t;

    let mut stderr = child.stderr.take().expect("piped stderr");
    let stderr_thread = std::thread::spawn(move || {
        const KEEP: usize = 4096;
        let mut tail: Vec<u8> = Vec::new();
        let mut buf = [0u8; 8192];
        loop {
            match stderr.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    tail.extend_from_slice(&buf[..n]);
                    if tail.len() > 2 * KEEP {
                        tail.drain(..tail.len() - KEEP);
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            }
        }
        if tail.len() > KEEP {
            tail.drain(..tail.len() - KEEP);
        }
        String::from_utf8_lossy(&tail).into_owned()
    });

    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut buf = vec![0u8; 1 << 16];
    let mut partial: Vec<u8> = Vec::new(); // the line being read (no newline yet)
    let mut last: Vec<u8> = Vec::new(); // the last complete non-blank line
    let mut stdout_bytes = 0u64;
    let read_result = loop {
        let n = match stdout.read(&mut buf) {
            Ok(0) => break Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => break Err(e),
        };
        stdout_bytes += n as u64;
        let chunk = &buf[..n];
        let mut lines = chunk.split(|&b| b == b'\n').peekable();
        let mut first = true;
        while let Some(seg) = lines.next() {
            if lines.peek().is_none() {
                // No newline after this segment (yet).
                partial.extend_from_slice(seg);
            } else if first && !partial.is_empty() {
                partial.extend_from_slice(seg);
                if !is_blank(&partial) {
                    std::mem::swap(&mut last, &mut partial);
                }
                partial.clear();
            } else if !is_blank(seg) {
                last.clear();
                last.extend_from_slice(seg);
            }
            first = false;
        }
    };
    drop(stdout);
    if !is_blank(&partial) {
        last = partial;
    }

    // Reap the child ourselves (not `child.wait()`) to get its rusage.
    let mut status: libc::c_int = 0;
    // SAFETY: `rusage` is plain old data; all-zero is a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `pid` is our child, not yet reaped; both pointers are valid.
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == pid {
            break;
        }
        let err = io::Error::last_os_error();
        if err.kind() != io::ErrorKind::Interrupted {
            return Err(err);
        }
    }
    let wall = start.elapsed();
    drop(child); // already reaped; dropping a `Child` does not wait
    read_result?;
    let stderr_tail = stderr_thread.join().unwrap_or_default();

    let (exit_code, signal) = if libc::WIFEXITED(status) {
        (Some(libc::WEXITSTATUS(status)), None)
    } else if libc::WIFSIGNALED(status) {
        (None, Some(libc::WTERMSIG(status)))
    } else {
        (None, None)
    };
    Ok(Run {
        wall,
        max_rss_kib: usage.ru_maxrss as i64,
        exit_code,
        signal,
        last_line: String::from_utf8_lossy(&last).trim().to_string(),
        stdout_bytes,
        stderr_tail,
    })
}

fn is_blank(s: &[u8]) -> bool {
    s.iter().all(u8::is_ascii_whitespace)
}

// --- a tiny JSON field extractor for the flat summary object ----------------

/// The raw value after `"key":` (up to the next `,` or `}` outside a string).
fn json_raw<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let pat = format!("\"{key}\"");
    let mut from = 0;
    while let Some(pos) = line[from..].find(&pat) {
        let after = &line[from + pos + pat.len()..];
        let rest = after.trim_start();
        if let Some(value) = rest.strip_prefix(':') {
            let value = value.trim_start();
            let end = if let Some(body) = value.strip_prefix('"') {
                // String: find the closing quote, skipping escapes.
                let mut escaped = false;
                let mut end = None;
                for (i, c) in body.char_indices() {
                    match c {
                        _ if escaped => escaped = false,
                        '\\' => escaped = true,
                        '"' => {
                            end = Some(i + 2);
                            break;
                        }
                        _ => {}
                    }
                }
                end?
            } else {
                value.find([',', '}']).unwrap_or(value.len())
            };
            return Some(value[..end].trim());
        }
        from += pos + pat.len();
    }
    None
}

fn json_number(line: &str, key: &str) -> Option<f64> {
    json_raw(line, key)?.parse().ok()
}

fn json_string<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    json_raw(line, key)?.strip_prefix('"')?.strip_suffix('"')
}

/// A numeric summary field for the table, `?` when missing.
fn field(line: &str, key: &str) -> String {
    match json_number(line, key) {
        Some(x) if x.fract() == 0.0 && x.abs() < 1e15 => format!("{}", x as i64),
        Some(x) => format!("{x:.1}"),
        None => "?".into(),
    }
}
