//! Indexing benchmark: `cargo bench -p carnet --bench index`.
//!
//! Runs the built binary as `carnet check <vault> --format json --timings` on
//! generated vaults (see `vaults.rs` and `gen.rs`) and on the real corpora in
//! `../shared/corpora`, and prints Markdown tables of wall time (median and
//! spread), throughput, peak RSS, and the time of each phase that `--timings`
//! reports (median over the timed runs).
//!
//! Environment:
//! * `CARNET_BENCH_VAULTS`: comma-separated generated vaults (default
//!   `classic-10000,interconnected-10000,classic-100000,shared-100000`; empty
//!   or `0` for none). `shared-100000` is ten copies of `classic-10000`, so
//!   every name is shared by ten notes. Vaults are written to
//!   `<workspace>/target/bench-vaults/<name>` and reused while their stamp file
//!   (`.carnet-bench-stamp`) matches `GEN_VERSION`, the seed and the name.
//! * `CARNET_BENCH_RUNS`: timed runs per vault (default 5, 3 for vaults of
//!   50,000 notes or more); each vault also gets one untimed warm-up run.
//! * `CARNET_BENCH_SEED`: generator seed (default `SEED`).
//! * `CARNET_BENCH_CORPORA=0`: skip the real corpora.
//! * Free arguments (`cargo bench -p carnet --bench index -- 100000 fr`) keep
//!   only the vaults whose label contains one of them.
//!
//! Contract with `carnet check --format json`: the last non-blank stdout line is
//! a JSON object with `"type":"summary"` and the numeric fields `notes`, `links`,
//! `problems`, `errors`, `warnings`, `bytes`, `elapsed_ms` (missing fields are
//! shown as `?`). Exit code 0 (clean) and 1 (problems found) are success; any
//! other exit code, a death by signal or a missing summary line fails the bench.
//! `--timings` writes `carnet: <root>: <phase>: <ms> ms` lines to stderr.

#[path = "vaults.rs"]
mod vaults;

use vaults::{SEED, Spec, vaultgen};

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
    /// User + system CPU time of the child: steadier than wall time when
    /// other work shares the machine.
    cpu: Duration,
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
    /// Fastest and slowest timed run.
    spread: Option<(Duration, Duration)>,
    /// CPU time (user + system) of each timed run.
    cpu: Vec<Duration>,
    max_rss_kib: i64,
    runs: usize,
    /// `--timings` phases in the order printed, with one time (ms) per timed run.
    phases: Vec<(String, Vec<f64>)>,
    /// `peak memory so far` after checking links (largest over the runs), kB.
    peak_after_check_kib: Option<i64>,
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
    let names = std::env::var("CARNET_BENCH_VAULTS").unwrap_or_else(|_| {
        "classic-10000,interconnected-10000,classic-100000,shared-100000".into()
    });

    let mut vaults = Vec::new();
    for name in names.split(',').map(str::trim) {
        if name.is_empty() || name == "0" || !wanted(name) {
            continue;
        }
        let spec = Spec::parse(name).unwrap_or_else(|e| {
            eprintln!("error: CARNET_BENCH_VAULTS: {e}");
            std::process::exit(2);
        });
        let (truth, path) = match spec.ensure(seed) {
            Ok(generated) => generated,
            Err(e) => {
                eprintln!("error: cannot generate {}: {e}", spec.dir().display());
                std::process::exit(2);
            }
        };
        let label = spec.name.clone();
        let n = spec.notes;
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
        "| vault | notes | MB | links | problems | wall ms (median) | min–max ms | CPU ms (median) | MB/s | peak RSS MB | carnet elapsed_ms | runs |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
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
        let spread = r.spread.map_or("?".into(), |(a, b)| {
            format!("{:.0}–{:.0}", a.as_secs_f64() * 1e3, b.as_secs_f64() * 1e3)
        });
        let cpu: Vec<f64> = r.cpu.iter().map(|d| d.as_secs_f64() * 1e3).collect();
        let cpu = if cpu.is_empty() {
            "?".into()
        } else {
            format!("{:.0}", median_ms(&cpu))
        };
        println!(
            "| {} | {} | {:.1} | {} | {} | {} | {} | {} | {} | {:.1} | {} | {} |",
            r.label,
            field(s, "notes"),
            mb,
            field(s, "links"),
            field(s, "problems"),
            wall,
            spread,
            cpu,
            mbps,
            r.max_rss_kib as f64 * 1024.0 / 1e6,
            field(s, "elapsed_ms"),
            r.runs,
        );
        if r.failed.is_some() {
            failed = true;
        }
    }

    println!();
    println!(
        "Phases (`--timings`, median ms of the timed runs; problems are printed as they are found, \
         so \"check links and print\" includes the output; \"exit\" = wall − the phases of the same \
         run: process start and exit):"
    );
    println!();
    println!(
        "| vault | walk, read and parse | build index | check links and print | exit | peak RSS after check MB | peak RSS MB |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for r in &rows {
        let phase = |name: &str| {
            r.phases
                .iter()
                .find(|(p, _)| p == name)
                .map(|(_, t)| median_ms(t))
        };
        let cells: Vec<Option<f64>> = [
            "walk, read and parse",
            "build index",
            "check links and print",
            "exit",
        ]
        .iter()
        .map(|p| phase(p))
        .collect();
        let show = |x: Option<f64>| x.map_or("?".into(), |v| format!("{v:.0}"));
        println!(
            "| {} | {} | {} | {} | {} | {} | {:.1} |",
            r.label,
            show(cells[0]),
            show(cells[1]),
            show(cells[2]),
            show(cells[3]),
            r.peak_after_check_kib
                .map_or("?".into(), |k| format!("{:.1}", k as f64 * 1024.0 / 1e6)),
            r.max_rss_kib as f64 * 1024.0 / 1e6,
        );
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
        spread: None,
        cpu: Vec::new(),
        max_rss_kib: 0,
        runs: 0,
        phases: Vec::new(),
        peak_after_check_kib: None,
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
            row.cpu.push(run.cpu);
            let (mut phases, peak) = parse_timings(&run.stderr_tail);
            let sum: f64 = phases.iter().map(|(_, ms)| ms).sum();
            if !phases.is_empty() {
                phases.push(("exit".into(), run.wall.as_secs_f64() * 1e3 - sum));
            }
            for (phase, ms) in phases {
                match row.phases.iter_mut().find(|(p, _)| *p == phase) {
                    Some((_, times)) => times.push(ms),
                    None => row.phases.push((phase, vec![ms])),
                }
            }
            if let Some(kib) = peak {
                row.peak_after_check_kib = Some(row.peak_after_check_kib.unwrap_or(0).max(kib));
            }
        }
        row.summary = Some(run.last_line);
    }
    walls.sort();
    row.median = median(&walls);
    row.spread = walls.first().zip(walls.last()).map(|(a, b)| (*a, *b));
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

fn median_ms(times: &[f64]) -> f64 {
    let mut t = times.to_vec();
    t.sort_by(f64::total_cmp);
    let n = t.len();
    if n % 2 == 1 {
        t[n / 2]
    } else {
        (t[n / 2 - 1] + t[n / 2]) / 2.0
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
        .args(["--format", "json", "--timings"])
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
        cpu: timeval(usage.ru_utime) + timeval(usage.ru_stime),
        max_rss_kib: usage.ru_maxrss as i64,
        exit_code,
        signal,
        last_line: String::from_utf8_lossy(&last).trim().to_string(),
        stdout_bytes,
        stderr_tail,
    })
}

/// The phases (`carnet: <root>: <phase>: <ms> ms`) and the peak memory
/// (`carnet: <root>: peak memory so far: <n> kB`) that `--timings` printed.
fn parse_timings(stderr: &str) -> (Vec<(String, f64)>, Option<i64>) {
    let mut phases = Vec::new();
    let mut peak = None;
    for line in stderr.lines() {
        let Some(rest) = line.strip_prefix("carnet: ") else {
            continue;
        };
        // The root may contain ": ", the phase never does.
        let mut parts = rest.rsplitn(3, ": ");
        let (Some(value), Some(phase)) = (parts.next(), parts.next()) else {
            continue;
        };
        if phase == "peak memory so far" {
            peak = value
                .strip_suffix(" kB")
                .and_then(|v| v.trim().parse().ok());
        } else if let Some(ms) = value.strip_suffix(" ms").and_then(|v| v.parse().ok()) {
            phases.push((phase.to_string(), ms));
        }
    }
    (phases, peak)
}

fn timeval(t: libc::timeval) -> Duration {
    Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000)
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
