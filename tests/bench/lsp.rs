//! Language-server benchmark: `cargo bench -p carnet --bench lsp`.
//!
//! Drives the built binary over stdio, as an editor does, on the generated
//! `interconnected-10000` vault (non-ASCII prose on most lines, long lines;
//! `CARNET_BENCH_LSP_VAULT` to change it, see `vaults.rs`), once offering
//! utf-8 positions and once offering only utf-16 (as VS Code does), and
//! prints one table with both:
//! - ready: spawn → initialize → didOpen → first complete `references`
//!   answer for the vault's hub note (most backlinks), over
//!   `CARNET_BENCH_READY_RUNS` fresh servers (default 5);
//! - `references` on the hub (~9,000 backlinks) and on the note closest to
//!   1,000 backlinks, `definition` on the links of a link-dense note;
//! - completion after non-ASCII text on the same line;
//! - didChange → updated backlinks, didChange in a 200 KB note → diagnostics;
//! - moving the folder closest to 500 notes (`workspace/willRenameFiles`),
//!   in process (the library's plan) and as a round trip;
//! - the server's resident memory after the first answer and at the end.
//!
//! Latencies are client-side round trips. The expected answers come from
//! carnet's library on the same vault, and every answer is checked: counts
//! always, and once per encoding every position of the ~1,000 references.
//!
//! For profiling one part: `CARNET_BENCH_LSP_ONLY` (comma-separated: ready,
//! references, definition, completion, edits, rename),
//! `CARNET_BENCH_LSP_ENCODINGS` (`utf-8` or `utf-16`), `CARNET_BENCH_LSP_REPEAT`
//! (send N times the requests) and `CARNET_BENCH_WRAP` (a command to start
//! the server under, e.g. `valgrind --tool=massif`), `CARNET_BENCH_BIN` (another
//! build of carnet, to compare before and after); `tests/bench/profile.sh`
//! and docs/performance.md show how.

#[path = "../support/lsp.rs"]
mod client;
#[path = "measure.rs"]
mod measure;
#[path = "vaults.rs"]
mod vaults;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use carnet::answers::{self, At, Location, Part, links_to};
use carnet::index::Snapshot;
use measure::{
    Samples, count_edits, cpu_per_run, cpu_time, first_location, mb, memory_kib, relative, show,
};
use serde_json::{Value, json};

/// What the server sessions are checked against, from the library.
struct Expect {
    snap: Snapshot,
    hub: String,
    hub_count: usize,
    mid: String,
    mid_refs: Vec<Location>,
    /// A note with many links, and the byte offset inside each of its links
    /// with the path the library resolves it to.
    dense: String,
    dense_links: Vec<(usize, Option<String>)>,
    /// Non-ASCII prose typed before the cursor in completion requests.
    prose: String,
    names: Vec<String>,
    folder: String,
    folder_notes: usize,
    folder_edits: usize,
}

/// One row of the report: a measure and its figure in each encoding.
type Rows = Vec<(String, String)>;

const RENAME_RUNS: usize = 15;

/// Which parts run, for profiling one of them (`CARNET_BENCH_LSP_ONLY`),
/// and how many times more requests each part sends (`CARNET_BENCH_LSP_REPEAT`).
struct Plan {
    only: Option<String>,
    repeat: usize,
    ready_runs: usize,
}

impl Plan {
    fn from_env() -> Plan {
        let number = |var: &str, default: usize| {
            std::env::var(var)
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(default)
        };
        Plan {
            only: std::env::var("CARNET_BENCH_LSP_ONLY").ok(),
            repeat: number("CARNET_BENCH_LSP_REPEAT", 1).max(1),
            ready_runs: number("CARNET_BENCH_READY_RUNS", 5).max(1),
        }
    }

    /// Whether part `name` (ready, references, definition, completion,
    /// edits, rename) runs.
    fn runs(&self, name: &str) -> bool {
        self.only
            .as_deref()
            .is_none_or(|only| only.split(',').any(|o| o.trim() == name))
    }

    fn n(&self, runs: usize) -> usize {
        runs * self.repeat
    }
}

fn main() {
    let (spec, root) = vaults::server_vault();
    let plan = Plan::from_env();
    let encodings: Vec<bool> = match std::env::var("CARNET_BENCH_LSP_ENCODINGS").as_deref() {
        Ok("utf-8") => vec![true],
        Ok("utf-16") => vec![false],
        _ => vec![true, false],
    };
    let expect = expectations(&root);
    println!("## carnet language-server benchmark\n");
    println!(
        "Command: `cargo bench -p carnet --bench lsp` (vault `{}`: {} notes; client-side round trips)\n",
        spec.name,
        expect.snap.note_count()
    );
    println!(
        "- hub `{}`: {} backlinks; references note `{}`: {} backlinks; definition note `{}` ({} links)",
        expect.hub,
        expect.hub_count,
        expect.mid,
        expect.mid_refs.len(),
        expect.dense,
        expect.dense_links.len()
    );
    println!(
        "- folder `{}` ({} notes; {} edits); completion typed after {} bytes of non-ASCII prose",
        expect.folder,
        expect.folder_notes,
        expect.folder_edits,
        expect.prose.len()
    );

    // The library's plan does not depend on the encoding.
    let in_process = plan.runs("rename").then(|| {
        let text_of = |rel: &str| std::fs::read_to_string(root.join(rel)).ok();
        let moves = [(
            expect.folder.clone(),
            format!("bench-moved/{}", expect.folder),
        )];
        Samples::time(plan.n(RENAME_RUNS), || {
            answers::move_files(&expect.snap, &moves, &text_of).unwrap();
        })
    });

    // The library's part of references, without positions or JSON.
    let in_process_refs = plan.runs("references").then(|| {
        let hub = Samples::time(plan.n(20), || {
            std::hint::black_box(links_to(&expect.snap, &expect.hub, Part::Whole));
        });
        let mid = Samples::time(plan.n(200), || {
            std::hint::black_box(links_to(&expect.snap, &expect.mid, Part::Whole));
        });
        (hub, mid)
    });

    let sessions: Vec<Rows> = encodings
        .iter()
        .map(|&utf8| session(&root, &expect, utf8, &plan))
        .collect();
    let names: Vec<&str> = encodings
        .iter()
        .map(|&u| if u { "utf-8" } else { "utf-16" })
        .collect();
    println!("\n| measure | {} | target |", names.join(" | "));
    println!("|---|{}---|", "---|".repeat(names.len()));
    for (i, (what, _)) in sessions[0].iter().enumerate() {
        let cells: Vec<&str> = sessions.iter().map(|rows| rows[i].1.as_str()).collect();
        println!("| {what} | {} | {} |", cells.join(" | "), target(what));
    }
    let same = |what: String, samples: &Samples| {
        let cells: Vec<String> = std::iter::once(samples.brief())
            .chain((1..names.len()).map(|_| "(same)".to_string()))
            .collect();
        println!("| {what} | {} | {} |", cells.join(" | "), target(&what));
    };
    if let Some((hub, mid)) = &in_process_refs {
        same(
            format!("`links_to` in process: hub ({} runs)", hub.len()),
            hub,
        );
        same(
            format!("`links_to` in process: ~1k ({} runs)", mid.len()),
            mid,
        );
    }
    if let Some(in_process) = &in_process {
        same(
            format!("folder move in process ({} runs)", in_process.len()),
            in_process,
        );
    }
}

/// The issue #14 target of a measure (matched on its first words).
fn target(what: &str) -> &'static str {
    [
        ("ready", "≤ 300 ms"),
        ("references hub", "≤ 30 ms"),
        ("references ~1k", "≤ 5 ms (p50)"),
        ("definition", "p95 < 2 ms"),
        ("completion `[[`", "p95 ≤ 3 ms"),
        ("didChange → updated", "< 20 ms"),
        ("200 KB", "< 20 ms of work"),
        ("folder move in process", "≤ 50 ms"),
        ("folder move round trip", ""),
        ("RSS", ""),
    ]
    .iter()
    .find(|(prefix, _)| what.starts_with(prefix))
    .map_or("", |(_, t)| t)
}

fn expectations(root: &Path) -> Expect {
    let snap = carnet::vault::load(root).expect("index the vault").snapshot;
    let mut counts: Vec<(usize, String)> = snap
        .notes()
        .map(|n| {
            (
                links_to(&snap, &n.path, Part::Whole).len(),
                n.path.to_string(),
            )
        })
        .collect();
    counts.sort();
    let (hub_count, hub) = counts.last().cloned().unwrap();
    let mid = counts
        .iter()
        .min_by_key(|(c, _)| c.abs_diff(1000))
        .unwrap()
        .1
        .clone();
    let mid_refs = links_to(&snap, &mid, Part::Whole);
    let dense = snap
        .notes()
        .max_by_key(|n| n.facts.links.len())
        .map(|n| n.path.to_string())
        .unwrap();
    let note = snap.note(&dense).unwrap();
    let dense_links = note
        .facts
        .links
        .iter()
        .map(|l| {
            let offset = l.span.start + 2;
            let (line, _) = note.facts.lines.line_col(offset);
            let at = At { offset, line };
            let to = answers::definition(&snap, &dense, at)
                .and_then(|(_, targets)| targets.first().map(|t| t.path.to_string()));
            (offset as usize, to)
        })
        .collect();
    // A long non-ASCII line of the hub, without link or tag syntax.
    let hub_text = std::fs::read_to_string(root.join(&hub)).unwrap();
    let line = hub_text
        .lines()
        .filter(|l| !l.is_ascii())
        .max_by_key(|l| l.len())
        .unwrap_or("Café à Zürich — 会議のメモ、東京で。");
    let mut prose: String = line
        .chars()
        .filter(|c| !"[]#|^`*_>-!".contains(*c))
        .collect();
    if let Some((cut, _)) = prose.char_indices().find(|(i, _)| *i >= 400) {
        prose.truncate(cut);
    }
    if prose.is_ascii() {
        prose.push_str(" — café, 会議のメモ");
    }
    let names = counts
        .iter()
        .step_by((counts.len() / 50).max(1))
        .map(|(_, p)| carnet::names::note_stem(p).to_string())
        .filter(|n| n.chars().count() >= 3)
        .collect();
    let (folder, folder_notes) = vaults::folder_near(snap.notes().map(|n| n.path.as_ref()), 500);
    let moves = [(folder.clone(), format!("bench-moved/{folder}"))];
    let text_of = |rel: &str| std::fs::read_to_string(root.join(rel)).ok();
    let plan = answers::move_files(&snap, &moves, &text_of).unwrap();
    Expect {
        snap,
        hub,
        hub_count,
        mid,
        mid_refs,
        dense,
        dense_links,
        prose,
        names,
        folder,
        folder_notes,
        folder_edits: plan.edit_count(),
    }
}

fn session(root: &Path, e: &Expect, utf8: bool, plan: &Plan) -> Rows {
    let ready_runs = if plan.runs("ready") {
        plan.ready_runs
    } else {
        1
    };
    let encoding = if utf8 { "utf-8" } else { "utf-16" };
    eprintln!("{encoding}: {ready_runs} fresh servers for ready ...");
    let mut rows: Rows = Vec::new();
    let caps = json!({ "workspace": { "workspaceEdit": { "documentChanges": true, "resourceOperations": ["create", "rename", "delete"] } } });

    // Ready: spawn to the first complete references answer for the hub,
    // cold (no facts cache: every note parsed) and then warm (the cache a
    // server wrote: only changed notes parsed).
    let cache = bench_cache();
    let mut lsp = None;
    let mut first_rss = 0;
    let mut ready = |cold: bool, lsp: &mut Option<client::Lsp>| {
        let (mut times, mut cpu) = (Vec::new(), Vec::new());
        for _ in 0..ready_runs {
            drop(lsp.take());
            if cold {
                let _ = std::fs::remove_dir_all(&cache);
            }
            let spawn = Instant::now();
            let mut s = start_server(root, utf8, caps.clone(), "warn");
            s.open(&e.hub);
            // A server that waited for indexing in vain (5 s, on a loaded
            // machine) answers with what it has: ready is the first complete answer.
            let mut n = references(&mut s, &e.hub).len();
            while n < e.hub_count && spawn.elapsed() < Duration::from_secs(60) {
                n = references(&mut s, &e.hub).len();
            }
            times.push(spawn.elapsed());
            cpu.push(cpu_time(s.pid()).unwrap_or_default());
            assert_eq!(n, e.hub_count, "references of the hub");
            first_rss = memory_kib(s.pid()).map_or(0, |(_, rss)| rss);
            *lsp = Some(s);
        }
        (times, cpu)
    };
    let (mut cold, mut split) = ((Vec::new(), Vec::new()), Default::default());
    if plan.runs("ready") {
        cold = ready(true, &mut lsp);
        // One server left to write the cache the warm runs start from.
        drop(lsp.take());
        let _ = std::fs::remove_dir_all(&cache);
        split = ready_breakdown(root, e, utf8, caps.clone(), true);
    }
    let (cold_indexed, cold_answer, written) = split;
    let warm = ready(false, &mut lsp);
    let mut lsp = lsp.unwrap();
    let negotiated = &lsp.init_result["capabilities"]["positionEncoding"];
    assert_eq!(negotiated, encoding, "negotiated position encoding");
    if plan.runs("ready") {
        for (what, (times, cpu)) in [
            ("cold: no facts cache", cold),
            ("warm: facts cache present", warm),
        ] {
            rows.push((
                format!("ready, {what} ({} spawns)", times.len()),
                Samples::new(times).brief(),
            ));
            rows.push((
                format!("ready, {what}: server CPU (user + sys) at ready"),
                Samples::new(cpu).brief(),
            ));
        }
        let (indexed, answer, _) = ready_breakdown(root, e, utf8, caps.clone(), false);
        rows.push((
            "ready, split (1 spawn each, cold / warm): spawn → \"indexed\" log + then the hub answer".into(),
            format!(
                "{} + {} / {} + {}",
                show(cold_indexed),
                show(cold_answer),
                show(indexed),
                show(answer)
            ),
        ));
        rows.push(("facts cache written (cold server's log)".into(), written));
    }
    if plan.runs("references") {
        eprintln!("{encoding}: references ...");
        references_part(&mut lsp, root, e, plan, &mut rows);
    }
    if plan.runs("definition") {
        eprintln!("{encoding}: definition ...");
        rows.push((
            format!("definition ({} runs)", plan.n(500)),
            definition_part(&mut lsp, root, e, plan).brief(),
        ));
    }
    if plan.runs("completion") {
        eprintln!("{encoding}: completion ...");
        completion_part(&mut lsp, e, plan, &mut rows);
    }
    if plan.runs("edits") {
        eprintln!("{encoding}: edits ...");
        rows.push((
            format!("didChange → updated backlinks ({} runs)", plan.n(100)),
            edit_then_references(&mut lsp, root, e, plan).brief(),
        ));
        let (kb, problems, work) = big_note_diagnostics(&mut lsp, root, e, plan);
        rows.push((
            format!("200 KB note ({kb} KB, {problems} problems): didChange → diagnostics, minus 30 ms settle"),
            work.brief(),
        ));
    }
    if plan.runs("rename") {
        eprintln!("{encoding}: folder move ...");
        let files = json!({ "files": [{ "oldUri": lsp.file_uri(&e.folder), "newUri": lsp.file_uri(&format!("bench-moved/{}", e.folder)) }] });
        let first = lsp
            .request("workspace/willRenameFiles", files.clone())
            .unwrap();
        assert_eq!(count_edits(&first), e.folder_edits, "folder move edits");
        let round_trip = Samples::time(plan.n(RENAME_RUNS), || {
            lsp.request("workspace/willRenameFiles", files.clone())
                .unwrap();
        });
        rows.push((
            format!("folder move round trip ({} runs)", round_trip.len()),
            round_trip.brief(),
        ));
    }

    let (peak, now) = memory_kib(lsp.pid()).unwrap_or_default();
    rows.push((
        "RSS after the first answer / at the end / peak".into(),
        format!("{} / {} / {}", mb(first_rss), mb(now), mb(peak)),
    ));
    lsp.shutdown();
    assert_eq!(lsp.exit(), Some(0));
    eprintln!("{encoding}: done");
    rows
}

/// Starts carnet (logging at `level`), under the profiler named by
/// `CARNET_BENCH_WRAP` if set (e.g. `perf record -g -o server.data`,
/// `heaptrack -o server`): the memory figures are then the wrapper's.
/// `CARNET_BENCH_BIN` runs another build of carnet (before and after a change).
fn start_server(root: &Path, utf8: bool, caps: Value, level: &str) -> client::Lsp {
    let wrap = std::env::var("CARNET_BENCH_WRAP").unwrap_or_default();
    let bin = std::env::var("CARNET_BENCH_BIN").unwrap_or(env!("CARGO_BIN_EXE_carnet").into());
    let mut words = wrap.split_whitespace();
    let mut cmd = match words.next() {
        Some(program) => {
            let mut cmd = Command::new(program);
            cmd.args(words).arg(&bin);
            cmd
        }
        None => Command::new(&bin),
    };
    cmd.arg("--stdio")
        .env("CARNET_LOG", level)
        .env("XDG_CACHE_HOME", bench_cache());
    client::Lsp::initialize_with(client::Lsp::spawn_command(cmd, root, utf8), caps)
}

/// Spawn → the server's "indexed" log message, and from then the first
/// hub answer: where the time to ready goes. With `wait_cache`, also waits
/// for the server to write its facts cache and returns its log line.
fn ready_breakdown(
    root: &Path,
    e: &Expect,
    utf8: bool,
    caps: Value,
    wait_cache: bool,
) -> (Duration, Duration, String) {
    let spawn = Instant::now();
    let mut lsp = start_server(root, utf8, caps, "info");
    lsp.open(&e.hub);
    lsp.wait_for("window/logMessage", Duration::from_secs(120), |p| {
        p["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("indexed "))
    })
    .expect("the server logs when it has indexed the vault");
    let indexed = spawn.elapsed();
    let t = Instant::now();
    assert_eq!(references(&mut lsp, &e.hub).len(), e.hub_count);
    let answer = t.elapsed();
    let written = if wait_cache {
        let m = lsp
            .wait_for("window/logMessage", Duration::from_secs(60), |p| {
                p["message"]
                    .as_str()
                    .is_some_and(|m| m.starts_with("facts cache written"))
            })
            .expect("the server writes its facts cache");
        m["params"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    } else {
        String::new()
    };
    (indexed, answer, written)
}

/// The facts cache folder of the bench's servers (`XDG_CACHE_HOME`), so
/// that cold and warm starts are the bench's to choose.
fn bench_cache() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench-cache")
}

/// References of the hub and of the ~1k note; every position of the ~1k
/// answer is checked once.
fn references_part(lsp: &mut client::Lsp, root: &Path, e: &Expect, plan: &Plan, rows: &mut Rows) {
    let hub = Samples::time(plan.n(20), || {
        assert_eq!(references(lsp, &e.hub).len(), e.hub_count);
    });
    rows.push((
        format!(
            "references hub ({} backlinks, {} runs)",
            e.hub_count,
            hub.len()
        ),
        hub.brief(),
    ));
    lsp.open(&e.mid);
    check_positions(lsp, root, e);
    let mid = Samples::time(plan.n(200), || {
        assert_eq!(references(lsp, &e.mid).len(), e.mid_refs.len());
    });
    rows.push((
        format!(
            "references ~1k ({} backlinks, {} runs)",
            e.mid_refs.len(),
            mid.len()
        ),
        mid.brief(),
    ));
    let pid = lsp.pid();
    // This process is the client: its CPU is reading and parsing the answers.
    let me = std::process::id();
    let client = cpu_time(me).unwrap_or_default();
    let hub_cpu = cpu_per_run(pid, plan.n(10), || {
        references(lsp, &e.hub);
    });
    let client_hub = cpu_time(me).unwrap_or_default().saturating_sub(client) / plan.n(10) as u32;
    let client = cpu_time(me).unwrap_or_default();
    let mid_cpu = cpu_per_run(pid, plan.n(100), || {
        references(lsp, &e.mid);
    });
    let client_mid = cpu_time(me).unwrap_or_default().saturating_sub(client) / plan.n(100) as u32;
    rows.push((
        "references: server CPU per request, hub / ~1k".into(),
        format!("{} / {}", show(hub_cpu), show(mid_cpu)),
    ));
    rows.push((
        "references: the client's own CPU per request (reading, JSON parse), hub / ~1k".into(),
        format!("{} / {}", show(client_hub), show(client_mid)),
    ));
}

/// Definition on every link of a link-dense note, round robin; each answer
/// leads where the library says.
fn definition_part(lsp: &mut client::Lsp, root: &Path, e: &Expect, plan: &Plan) -> Samples {
    let text = std::fs::read_to_string(root.join(&e.dense)).unwrap();
    let uri = lsp.open(&e.dense);
    let positions: Vec<Value> = e
        .dense_links
        .iter()
        .map(|(offset, _)| lsp.pos(&text, *offset))
        .collect();
    let mut times = Vec::new();
    for i in 0..plan.n(500) {
        let k = i % positions.len();
        let t = Instant::now();
        let r = lsp
            .request(
                "textDocument/definition",
                json!({ "textDocument": { "uri": uri }, "position": positions[k] }),
            )
            .unwrap();
        times.push(t.elapsed());
        if i < positions.len() {
            let got = first_location(&r).and_then(|u| relative(root, &u));
            assert_eq!(got, e.dense_links[k].1, "definition of link {k}");
        }
    }
    Samples::new(times)
}

/// Completion of names, headings and tags after non-ASCII prose on the line.
/// Each request follows a didChange sent as VS Code sends one: the range
/// that changed (from where the old and new texts differ) and its new text.
fn completion_part(lsp: &mut client::Lsp, e: &Expect, plan: &Plan, rows: &mut Rows) {
    let scratch = lsp.open_text("bench-scratch.md", "");
    let mut version = 1;
    let mut current = String::new();
    let mut complete = |lsp: &mut client::Lsp, typed: &str| -> (Duration, usize) {
        version += 1;
        let text = format!("{} {typed}", e.prose);
        let mut same = current
            .bytes()
            .zip(text.bytes())
            .take_while(|(a, b)| a == b)
            .count();
        while !text.is_char_boundary(same) || !current.is_char_boundary(same) {
            same -= 1;
        }
        let range =
            json!({ "start": lsp.pos(&current, same), "end": lsp.pos(&current, current.len()) });
        lsp.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": scratch, "version": version },
                    "contentChanges": [{ "range": range, "text": &text[same..] }] }),
        );
        current = text;
        let position = lsp.pos(&current, current.len());
        let t = Instant::now();
        let r = lsp
            .request(
                "textDocument/completion",
                json!({ "textDocument": { "uri": scratch }, "position": position }),
            )
            .unwrap();
        (t.elapsed(), r["items"].as_array().map_or(0, Vec::len))
    };
    // The first completion on a name list makes the scorer's characters of
    // its names (once per list): not a keystroke's cost.
    complete(lsp, "[[a");
    let names = || e.names.iter().cycle().take(plan.n(e.names.len()));
    let pid = lsp.pid();
    let mut cpu = Vec::new();
    for n in 1..=3 {
        let mut times = Vec::new();
        let before = cpu_time(pid).unwrap_or_default();
        for name in names() {
            let prefix: String = name.chars().take(n).collect();
            let (t, items) = complete(lsp, &format!("[[{prefix}"));
            assert!(items > 0, "completions for [[{prefix}");
            times.push(t);
        }
        // The didChange before each request is included: the request waits for it.
        let spent = cpu_time(pid).unwrap_or_default().saturating_sub(before);
        cpu.push(show(spent / times.len() as u32));
        rows.push((
            format!("completion `[[` + {n} char ({} runs)", times.len()),
            Samples::new(times).brief(),
        ));
    }
    rows.push((
        "completion `[[` + 1 / 2 / 3 char: server CPU per didChange + request".into(),
        cpu.join(" / "),
    ));
    // Typing one name letter by letter after `[[`, as a writer does: each
    // keystroke inserts one character and asks again.
    let mut times = Vec::new();
    let before = cpu_time(pid).unwrap_or_default();
    for name in names().take(plan.n(20)) {
        let mut typed = "[[".to_string();
        for c in name.chars().take(8) {
            typed.push(c);
            let (t, items) = complete(lsp, &typed);
            assert!(items > 0, "completions for {typed}");
            times.push(t);
        }
    }
    let spent = cpu_time(pid).unwrap_or_default().saturating_sub(before);
    rows.push((
        format!(
            "completion typing a name, up to 8 keystrokes ({} runs): round trip; server CPU",
            times.len()
        ),
        format!(
            "{}; {} per keystroke",
            Samples::new(times.clone()).brief(),
            show(spent / times.len() as u32)
        ),
    ));
    let mut times = Vec::new();
    for name in names() {
        let (t, _) = complete(lsp, &format!("[[{name}#"));
        times.push(t);
    }
    rows.push((
        "completion of headings `[[Note#`".into(),
        Samples::new(times).brief(),
    ));
    let mut times = Vec::new();
    for prefix in ["p", "pr", "a", "ar", "i", "st", "r", "t"]
        .iter()
        .cycle()
        .take(plan.n(50))
    {
        let (t, items) = complete(lsp, &format!("#{prefix}"));
        assert!(items > 0 || prefix.len() > 1);
        times.push(t);
    }
    rows.push(("completion of tags `#`".into(), Samples::new(times).brief()));
}

/// The references answer at the title of `rel` (line 0, character 0),
/// parsed straight into typed locations, as an editor's JSON parser reads
/// it (docs/performance.md: the client's CPU is printed beside the server's).
fn references(lsp: &mut client::Lsp, rel: &str) -> Vec<client::Location> {
    let uri = lsp.file_uri(rel);
    lsp.request_as::<Option<Vec<client::Location>>>(
        "textDocument/references",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 0, "character": 0 },
                "context": { "includeDeclaration": false } }),
    )
    .unwrap()
    .unwrap_or_default()
}

/// Every location of the ~1k answer is where the library says, in the
/// negotiated encoding (positions computed here from the note texts).
fn check_positions(lsp: &mut client::Lsp, root: &Path, e: &Expect) {
    type Loc = (String, (u64, u64), (u64, u64));
    let at = |v: &Value| {
        (
            v["line"].as_u64().unwrap(),
            v["character"].as_u64().unwrap(),
        )
    };
    let mut texts = std::collections::HashMap::new();
    let expected: BTreeSet<Loc> = e
        .mid_refs
        .iter()
        .map(|l| {
            let text = texts
                .entry(l.path.to_string())
                .or_insert_with(|| std::fs::read_to_string(root.join(&*l.path)).unwrap());
            let start = lsp.pos(text, l.span.start as usize);
            let end = lsp.pos(text, l.span.end as usize);
            (l.path.to_string(), at(&start), at(&end))
        })
        .collect();
    let got: BTreeSet<Loc> = references(lsp, &e.mid)
        .iter()
        .map(|l| {
            let path = relative(root, &l.uri).unwrap();
            let r = l.range;
            (
                path,
                (r.start.line, r.start.character),
                (r.end.line, r.end.character),
            )
        })
        .collect();
    assert_eq!(got.len(), e.mid_refs.len(), "distinct references");
    let wrong: Vec<_> = got.symmetric_difference(&expected).take(3).collect();
    assert!(wrong.is_empty(), "references positions differ: {wrong:?}");
}

/// didChange in one note → the target's backlinks include it.
fn edit_then_references(lsp: &mut client::Lsp, root: &Path, e: &Expect, plan: &Plan) -> Samples {
    // The full path: a bare name may be shared by several notes.
    let target_name = carnet::names::strip_md(&e.mid).to_string();
    let editor = e
        .snap
        .notes()
        .map(|n| n.path.to_string())
        .find(|p| *p != e.mid && *p != e.hub && !e.mid_refs.iter().any(|l| *l.path == **p))
        .unwrap();
    let text = std::fs::read_to_string(root.join(&editor)).unwrap();
    let at = lsp.pos(&text, text.len());
    let euri = lsp.open(&editor);
    let before = e.mid_refs.len();
    let mut times = Vec::new();
    for i in 0..plan.n(100) {
        let version = 2 + 2 * i;
        let insert = format!(" [[{target_name}]]");
        let t = Instant::now();
        lsp.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": euri, "version": version },
                    "contentChanges": [{ "range": { "start": at, "end": at }, "text": insert }] }),
        );
        let n = references(lsp, &e.mid).len();
        times.push(t.elapsed());
        assert_eq!(n, before + 1, "the new link must be among the backlinks");
        let after = json!({ "line": at["line"], "character": at["character"].as_u64().unwrap() + insert.len() as u64 });
        lsp.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": euri, "version": version + 1 },
                    "contentChanges": [{ "range": { "start": at, "end": after }, "text": "" }] }),
        );
    }
    Samples::new(times)
}

/// didChange in a 200 KB note → its diagnostics, published: the note's size
/// in KB, its problem count and the time of each change minus the settle time.
fn big_note_diagnostics(
    lsp: &mut client::Lsp,
    root: &Path,
    e: &Expect,
    plan: &Plan,
) -> (usize, usize, Samples) {
    let mut big = String::new();
    for n in e.snap.notes() {
        if big.len() >= 200_000 {
            break;
        }
        big += &std::fs::read_to_string(root.join(&*n.path)).unwrap();
        big.push('\n');
    }
    let big_uri = lsp.open_text("bench-200k.md", &big);
    let first = wait_diagnostics(lsp, &big_uri, None);
    let at = lsp.pos(&big, big.len());
    let insert = " [[zz no such note]]";
    let after = json!({ "line": at["line"], "character": at["character"].as_u64().unwrap() + insert.len() as u64 });
    let mut times = Vec::new();
    let mut expected = first;
    for i in 0..plan.n(60) {
        let adding = i % 2 == 0;
        let change = if adding {
            json!({ "range": { "start": at, "end": at }, "text": insert })
        } else {
            json!({ "range": { "start": at, "end": after }, "text": "" })
        };
        expected = if adding { expected + 1 } else { expected - 1 };
        let t = Instant::now();
        lsp.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": big_uri, "version": 2 + i }, "contentChanges": [change] }),
        );
        wait_diagnostics(lsp, &big_uri, Some(expected));
        times.push(t.elapsed().saturating_sub(Duration::from_millis(30)));
    }
    (big.len() / 1000, first, Samples::new(times))
}

/// Waits for diagnostics of `uri` (with `count` items, if given); returns the count.
fn wait_diagnostics(lsp: &mut client::Lsp, uri: &str, count: Option<usize>) -> usize {
    let msg = lsp
        .wait_for(
            "textDocument/publishDiagnostics",
            Duration::from_secs(30),
            |p| {
                p["uri"] == uri
                    && count.is_none_or(|c| p["diagnostics"].as_array().unwrap().len() == c)
            },
        )
        .expect("diagnostics published");
    msg["params"]["diagnostics"].as_array().unwrap().len()
}
