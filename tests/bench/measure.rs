//! Timing samples, percentiles, process memory and answer helpers, shared
//! by the benchmarks. The benches that include it also include the client
//! (`tests/support/lsp.rs`) as `client`.
#![allow(dead_code)]

use std::path::Path;
use std::time::{Duration, Instant};

/// Latencies of one measure, sorted.
#[derive(Clone, Debug, Default)]
pub struct Samples(Vec<Duration>);

impl Samples {
    pub fn new(mut times: Vec<Duration>) -> Samples {
        times.sort();
        Samples(times)
    }

    /// Runs `f` `runs` times and keeps how long each run took.
    pub fn time(runs: usize, mut f: impl FnMut()) -> Samples {
        Samples::new(
            (0..runs)
                .map(|_| {
                    let t = Instant::now();
                    f();
                    t.elapsed()
                })
                .collect(),
        )
    }

    /// Runs `f` up to `runs` times, but stops after `budget` once it has
    /// run three times (for servers that take seconds per answer); `f` gets
    /// the run's index.
    pub fn time_within(runs: usize, budget: Duration, mut f: impl FnMut(usize)) -> Samples {
        let start = Instant::now();
        let mut times = Vec::new();
        for i in 0..runs {
            if i >= 3 && start.elapsed() > budget {
                break;
            }
            let t = Instant::now();
            f(i);
            times.push(t.elapsed());
        }
        Samples::new(times)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The `q` quantile (nearest rank), zero when empty.
    pub fn quantile(&self, q: f64) -> Duration {
        if self.0.is_empty() {
            return Duration::ZERO;
        }
        self.0[((self.0.len() - 1) as f64 * q).round() as usize]
    }

    pub fn p50(&self) -> Duration {
        self.quantile(0.5)
    }

    pub fn p95(&self) -> Duration {
        self.quantile(0.95)
    }

    pub fn max(&self) -> Duration {
        self.0.last().copied().unwrap_or_default()
    }

    /// `p50 1.23 ms, p95 4.56 ms`.
    pub fn brief(&self) -> String {
        format!("p50 {}, p95 {}", show(self.p50()), show(self.p95()))
    }

    /// [`Samples::brief`] plus the maximum and the count.
    pub fn full(&self) -> String {
        format!(
            "{}, max {} ({} runs)",
            self.brief(),
            show(self.max()),
            self.len()
        )
    }
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// A duration in ms with a precision that suits its size.
pub fn show(d: Duration) -> String {
    let m = ms(d);
    if m >= 100.0 {
        format!("{m:.0} ms")
    } else if m >= 10.0 {
        format!("{m:.1} ms")
    } else {
        format!("{m:.2} ms")
    }
}

/// Peak and current resident memory of process `pid` in kB (`VmHWM`,
/// `VmRSS` from `/proc/<pid>/status`), or `None` if it is gone.
pub fn memory_kib(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        line[name.len()..]
            .trim()
            .strip_suffix("kB")?
            .trim()
            .parse()
            .ok()
    };
    Some((field("VmHWM:")?, field("VmRSS:")?))
}

/// CPU time (user + system) process `pid` has used so far, from
/// `/proc/<pid>/stat` (in clock ticks of 10 ms): on a shared machine the
/// server's CPU per request is steadier than wall time.
pub fn cpu_time(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    let ticks = |i: usize| fields.get(i)?.parse::<u64>().ok();
    // utime and stime are fields 14 and 15 of the whole line: 11 and 12 here.
    Some(Duration::from_millis((ticks(11)? + ticks(12)?) * 10))
}

/// Runs `f` `runs` times and returns the CPU time process `pid` spent per run.
pub fn cpu_per_run(pid: u32, runs: usize, mut f: impl FnMut()) -> Duration {
    let before = cpu_time(pid).unwrap_or_default();
    for _ in 0..runs {
        f();
    }
    (cpu_time(pid).unwrap_or_default().saturating_sub(before)) / runs.max(1) as u32
}

/// `12.3 MB` from kB.
pub fn mb(kib: u64) -> String {
    format!("{:.1} MB", kib as f64 * 1024.0 / 1e6)
}

/// Text edits in a `WorkspaceEdit` with `documentChanges`.
pub fn count_edits(v: &serde_json::Value) -> usize {
    v["documentChanges"].as_array().map_or(0, |ops| {
        ops.iter()
            .map(|o| o["edits"].as_array().map_or(0, Vec::len))
            .sum()
    })
}

/// The URI of the first location of a definition answer (`Location`,
/// `Location[]` or `LocationLink[]`).
pub fn first_location(r: &serde_json::Value) -> Option<String> {
    let first = if r.is_array() { r.get(0)? } else { r };
    let uri = first.get("uri").or_else(|| first.get("targetUri"))?;
    Some(uri.as_str()?.to_string())
}

/// The vault-relative path of a `file://` URI under `root`.
pub fn relative(root: &Path, uri: &str) -> Option<String> {
    let path = crate::client::path_of(uri);
    Some(path.strip_prefix(root).ok()?.to_str()?.to_string())
}
