//! Benchmark of the commands that change a vault, end to end (the built
//! `carnet` process: index, plan, write): `cargo bench -p carnet --bench mv`.
//!
//! On a copy of the generated 10,000-note vault (`CARNET_BENCH_LSP_NOTES`
//! to change the size), in the temporary folder:
//! - `carnet mv` of the note closest to 1,000 backlinks into another
//!   folder under a new name, and back (each direction is one run);
//! - `carnet fix-moves` after 100 notes were moved with a plain rename,
//!   in a git work tree (the moves found by git and by content) and
//!   without git (the moves guessed from broken links); the vault is put
//!   back between runs, outside the timing.

#[path = "vaults.rs"]
mod vaults;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const RUNS: usize = 7;

/// CPU time (user + system) of the children that ended so far.
fn children_cpu() -> Duration {
    // SAFETY: getrusage fills the struct it is given.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut u) };
    let t = |v: libc::timeval| Duration::new(v.tv_sec as u64, v.tv_usec as u32 * 1000);
    t(u.ru_utime) + t(u.ru_stime)
}

/// Runs carnet; returns its wall time, its CPU time and what it printed.
/// The CPU time says what a run costs when the machine is shared (wall
/// times then measure the other work as well).
fn carnet(dir: &Path, args: &[&str]) -> (Duration, Duration, String) {
    let cpu = children_cpu();
    let start = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_carnet"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run carnet");
    let took = start.elapsed();
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "carnet {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        took,
        children_cpu() - cpu,
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn run(dir: &Path, cmd: &str, args: &[&str]) {
    let out = Command::new(cmd)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{cmd}: {e}"));
    assert!(
        out.status.success(),
        "{cmd} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A fresh copy of `from` at `to`.
fn copy(from: &Path, to: &Path) {
    if to.exists() {
        std::fs::remove_dir_all(to).unwrap();
    }
    run(
        Path::new("."),
        "cp",
        &["-a", &from.display().to_string(), &to.display().to_string()],
    );
}

fn report(what: &str, runs: Vec<(Duration, Duration)>, target: &str) {
    let median = |mut v: Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let walls: Vec<Duration> = runs.iter().map(|r| r.0).collect();
    let max = walls.iter().max().copied().unwrap_or_default();
    println!(
        "- {what}: wall p50 {:.0} ms (max {:.0} ms), CPU p50 {:.0} ms ({} runs; target {target})",
        ms(median(walls)),
        ms(max),
        ms(median(runs.iter().map(|r| r.1).collect())),
        runs.len()
    );
}

fn main() {
    let (notes, source) = vaults::server_vault();
    // Outside this repository: the vault must not be in its git work tree.
    // One per process: other checkouts may run this benchmark at the same time.
    let work = std::env::temp_dir().join(format!("carnet-bench-mv-{notes}-{}", std::process::id()));
    copy(&source, &work);
    let root: PathBuf = work.canonicalize().unwrap();
    let snap = carnet::vault::load(&root).expect("index").snapshot;
    let (backlinks, note) = vaults::note_near_backlinks(&snap, 1000);
    let folder = snap
        .notes()
        .filter_map(|n| n.path.rsplit_once('/').map(|(d, _)| d.to_string()))
        .find(|d| !note.starts_with(&format!("{d}/")))
        .unwrap();
    println!("## carnet mv and fix-moves benchmark\n");
    println!("Command: `cargo bench -p carnet --bench mv` ({notes} generated notes)\n");

    // For reference, on the machine as it is now: indexing and checking.
    let check: Vec<(Duration, Duration)> = (0..RUNS)
        .map(|_| {
            let (t, cpu, _) = carnet(&root, &["check", "."]);
            (t, cpu)
        })
        .collect();
    report("`carnet check` (reference: the index alone)", check, "none");

    // mv there and back: each is a full run on the real files.
    let moved = format!("{folder}/Bench moved.md");
    let mut times = Vec::new();
    let mut edited = String::new();
    for i in 0..RUNS {
        let (from, to) = if i % 2 == 0 {
            (&note, &moved)
        } else {
            (&moved, &note)
        };
        let (t, cpu, out) = carnet(&root, &["mv", from, to]);
        if i == 0 {
            edited = out.lines().last().unwrap_or("").to_string();
        }
        times.push((t, cpu));
    }
    if RUNS % 2 == 1 {
        carnet(&root, &["mv", &moved, &note]);
    }
    println!("- note `{note}` ({backlinks} backlinks) → `{moved}`: {edited}");
    report("`carnet mv` of the note, end to end", times, "< 0.5 s");

    // 100 notes moved with a plain rename, then fix-moves.
    let sample: Vec<String> = snap
        .notes()
        .map(|n| n.path.to_string())
        .filter(|p| p.contains('/') && *p != note)
        .step_by(snap.note_count() / 120)
        .take(100)
        .collect();
    assert_eq!(sample.len(), 100);
    let move_them = |root: &Path| {
        std::fs::create_dir_all(root.join("bench-moved")).unwrap();
        for (i, p) in sample.iter().enumerate() {
            let name = p.rsplit('/').next().unwrap();
            // Moved, not renamed: each into a folder of its own.
            let dir = root.join(format!("bench-moved/{i}"));
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::rename(root.join(p), dir.join(name)).unwrap();
        }
    };
    for git in [true, false] {
        copy(&source, &work);
        if git {
            run(&root, "git", &["init", "-q"]);
            // No background `gc`/maintenance writing into .git while the
            // vault is put back between runs.
            run(&root, "git", &["config", "gc.auto", "0"]);
            run(&root, "git", &["config", "maintenance.auto", "false"]);
            run(&root, "git", &["add", "-A"]);
            run(
                &root,
                "git",
                &[
                    "-c",
                    "user.name=bench",
                    "-c",
                    "user.email=bench@bench",
                    "commit",
                    "-qm",
                    "vault",
                ],
            );
        }
        let mut times = Vec::new();
        let mut summary = String::new();
        for i in 0..RUNS.min(5) {
            if i > 0 {
                if git {
                    run(&root, "git", &["reset", "-q", "--hard"]);
                    run(&root, "git", &["clean", "-qfd"]);
                } else {
                    copy(&source, &work);
                }
            }
            move_them(&root);
            let (t, cpu, out) = carnet(&root, &["fix-moves"]);
            let found = out.lines().filter(|l| l.starts_with("moved ")).count();
            summary = format!("{found} moves found, {}", out.lines().last().unwrap_or(""));
            times.push((t, cpu));
        }
        let how = if git {
            "in a git work tree"
        } else {
            "without git"
        };
        println!("- fix-moves {how}: {summary}");
        report(
            &format!("`carnet fix-moves` after 100 moves, {how}"),
            times,
            "< 2 s",
        );
    }
    std::fs::remove_dir_all(&work).ok();
}
