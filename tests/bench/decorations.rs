//! Decorations benchmark: `cargo bench -p carnet --bench decorations`.
//!
//! Drives the built binary over stdio on the generated 10,000-note vault
//! (`CARNET_BENCH_LSP_NOTES` to change the size), once with utf-8 positions
//! and once with utf-16, and prints client-side round trips (p50, p95, max)
//! and the server's CPU time per request (the delta's includes the edit and
//! the check it starts), which a loaded machine disturbs much less:
//! - semantic tokens of a 200 KB note: `full`, and `full/delta` after a
//!   one-link edit;
//! - code lenses of the note closest to 1,000 backlinks, and the
//!   `carnet/backlinks` request a lens runs;
//! - inlay previews and document highlights on the 200 KB note.
//!
//! It also times the library's token computation alone. Every answer is
//! checked against the library on the same vault.

#[path = "../support/lsp.rs"]
mod client;
#[path = "vaults.rs"]
mod vaults;

use std::time::{Duration, Instant};

use carnet::answers::{Part, links_to};
use serde_json::{Value, json};

fn caps() -> Value {
    json!({
        "textDocument": {
            "semanticTokens": { "requests": { "full": { "delta": true }, "range": true },
                                "tokenTypes": [], "tokenModifiers": [], "formats": ["relative"] },
            "codeLens": {}, "inlayHint": {}, "documentHighlight": {},
        },
    })
}

fn main() {
    let (spec, root) = vaults::server_vault();
    let notes = spec.notes;
    let loaded = carnet::vault::load(&root).expect("index the vault");
    let snap = &loaded.snapshot;
    let mut counts: Vec<(usize, String)> = snap
        .notes()
        .map(|n| {
            (
                links_to(snap, &n.path, Part::Whole).len(),
                n.path.to_string(),
            )
        })
        .collect();
    counts.sort();
    let (_, mid) = counts
        .iter()
        .min_by_key(|(c, _)| c.abs_diff(1000))
        .cloned()
        .unwrap();
    // The 200 KB note: the most link-dense notes' texts, one after the other.
    let mut dense: Vec<(usize, &str)> = snap
        .notes()
        .map(|n| {
            (
                n.facts.links.len() * 1000 / (n.bytes as usize + 1),
                &*n.path,
            )
        })
        .collect();
    dense.sort();
    let mut big = String::new();
    for (_, path) in dense.iter().rev() {
        if big.len() >= 200_000 {
            break;
        }
        big += &std::fs::read_to_string(root.join(path)).unwrap();
        big.push('\n');
    }
    let big_rel = "bench-200k.md";
    let big_snap = snap.with_note(carnet::index::Note::new(
        big_rel.into(),
        carnet::facts::extract(&big),
        big.len() as u64,
    ));
    let expected_tokens = carnet::answers::semantic_tokens(&big_snap, big_rel).len();
    // The 200 KB note is open in the server too: it holds links to `mid`.
    let expected_lenses = carnet::answers::lenses(&big_snap, &mid).len();
    let mid_count = links_to(&big_snap, &mid, Part::Whole).len();

    println!("## carnet decorations benchmark\n");
    println!(
        "Command: `cargo bench -p carnet --bench decorations` ({notes} generated notes, client-side round trips)\n"
    );
    println!(
        "- 200 KB note: {} KB, {expected_tokens} tokens; lens note `{mid}`: {mid_count} backlinks, {expected_lenses} lenses",
        big.len() / 1000
    );
    let mut times = Vec::new();
    let cpu = thread_cpu();
    for _ in 0..50 {
        let t = Instant::now();
        std::hint::black_box(carnet::answers::semantic_tokens(&big_snap, big_rel));
        times.push(t.elapsed());
    }
    let cpu = thread_cpu() - cpu;
    report("library: tokens of the 200 KB note", &mut times, cpu);

    for utf8 in [true, false] {
        let enc = if utf8 { "utf-8" } else { "utf-16" };
        println!("\n### {enc}\n");
        let mut lsp = client::Lsp::start_with(&root, utf8, caps());
        let uri = lsp.open_text(big_rel, &big);
        let doc = json!({ "textDocument": { "uri": uri } });

        // Time nothing before the index is built and the note checked.
        lsp.wait_for(
            "textDocument/publishDiagnostics",
            Duration::from_secs(60),
            |p| p["uri"] == uri,
        )
        .expect("the 200 KB note checked");
        let pid = lsp.pid();
        let mut times = Vec::new();
        let cpu = process_cpu(pid);
        let mut last = Value::Null;
        for _ in 0..30 {
            let t = Instant::now();
            last = lsp
                .request("textDocument/semanticTokens/full", doc.clone())
                .unwrap();
            times.push(t.elapsed());
        }
        assert_eq!(last["data"].as_array().unwrap().len(), 5 * expected_tokens);
        report(
            "semantic tokens full, 200 KB note",
            &mut times,
            process_cpu(pid) - cpu,
        );

        // Type a link at the end and take it away again, asking for a delta each time.
        let at = lsp.pos(&big, big.len());
        let insert = " [[zz no such note]]";
        let after = lsp.pos(&format!("{big}{insert}"), big.len() + insert.len());
        let mut id = last["resultId"].as_str().unwrap().to_string();
        let mut times = Vec::new();
        let cpu = process_cpu(pid);
        for i in 0..30 {
            let change = if i % 2 == 0 {
                json!({ "range": { "start": at, "end": at }, "text": insert })
            } else {
                json!({ "range": { "start": at, "end": after }, "text": "" })
            };
            lsp.notify(
                "textDocument/didChange",
                json!({ "textDocument": { "uri": uri, "version": 2 + i }, "contentChanges": [change] }),
            );
            let mut p = doc.clone();
            p["previousResultId"] = json!(id);
            let t = Instant::now();
            let r = lsp
                .request("textDocument/semanticTokens/full/delta", p)
                .unwrap();
            times.push(t.elapsed());
            let edits = r["edits"].as_array().expect("a delta");
            assert_eq!(edits.len(), 1);
            id = r["resultId"].as_str().unwrap().to_string();
        }
        report(
            "semantic tokens full/delta after an edit, 200 KB note",
            &mut times,
            process_cpu(pid) - cpu,
        );

        // Let the last edit's check finish before timing anything else.
        std::thread::sleep(Duration::from_millis(500));
        let mut p = doc.clone();
        p["range"] = json!({ "start": { "line": 0, "character": 0 }, "end": at });
        let mut times = Vec::new();
        let cpu = process_cpu(pid);
        for _ in 0..30 {
            let t = Instant::now();
            let r = lsp.request("textDocument/inlayHint", p.clone()).unwrap();
            times.push(t.elapsed());
            std::hint::black_box(r);
        }
        report(
            "inlay previews, whole 200 KB note",
            &mut times,
            process_cpu(pid) - cpu,
        );

        let facts = &big_snap.note(big_rel).unwrap().facts;
        let mut times = Vec::new();
        let cpu = process_cpu(pid);
        for link in facts.links.iter().step_by(facts.links.len() / 50 + 1) {
            let mut p = doc.clone();
            p["position"] = lsp.pos(&big, link.span.start as usize + 1);
            let t = Instant::now();
            let r = lsp.request("textDocument/documentHighlight", p).unwrap();
            times.push(t.elapsed());
            assert!(!r.as_array().unwrap().is_empty());
        }
        report(
            "document highlights on links, 200 KB note",
            &mut times,
            process_cpu(pid) - cpu,
        );

        let mid_uri = lsp.open(&mid);
        lsp.wait_for(
            "textDocument/publishDiagnostics",
            Duration::from_secs(60),
            |p| p["uri"] == mid_uri,
        )
        .expect("the lens note checked");
        let mid_doc = json!({ "textDocument": { "uri": mid_uri } });
        let mut times = Vec::new();
        let cpu = process_cpu(pid);
        let mut lenses = Value::Null;
        for _ in 0..50 {
            let t = Instant::now();
            lenses = lsp
                .request("textDocument/codeLens", mid_doc.clone())
                .unwrap();
            times.push(t.elapsed());
        }
        let lenses = lenses.as_array().unwrap().clone();
        assert_eq!(lenses.len(), expected_lenses);
        report(
            &format!("code lenses, note with {mid_count} backlinks"),
            &mut times,
            process_cpu(pid) - cpu,
        );
        let title = &lenses[0]["command"];
        assert_eq!(title["title"], format!("{mid_count} backlinks"));
        let mut times = Vec::new();
        let cpu = process_cpu(pid);
        for _ in 0..50 {
            let t = Instant::now();
            let r = lsp
                .request(
                    "carnet/backlinks",
                    json!({ "textDocument": { "uri": mid_uri }, "target": title["arguments"][2] }),
                )
                .unwrap();
            times.push(t.elapsed());
            assert_eq!(r.as_array().unwrap().len(), mid_count);
        }
        report(
            &format!("carnet/backlinks of the title lens ({mid_count} locations)"),
            &mut times,
            process_cpu(pid) - cpu,
        );
        lsp.shutdown();
        assert_eq!(lsp.exit(), Some(0));
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Prints wall-clock quantiles and the CPU time per run: on a loaded
/// machine the wall clock spreads with the load, the CPU time much less.
fn report(what: &str, times: &mut [Duration], cpu: Duration) {
    times.sort();
    let pick = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    println!(
        "- {what}: p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms; CPU {:.2} ms per run ({} runs)",
        ms(pick(0.5)),
        ms(pick(0.95)),
        ms(*times.last().unwrap()),
        ms(cpu) / times.len() as f64,
        times.len()
    );
}

/// CPU time of this thread.
fn thread_cpu() -> Duration {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid timespec to write to.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

/// CPU time (user + system, every thread) of process `pid` so far, from
/// `/proc/<pid>/stat`, in clock ticks.
fn process_cpu(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("/proc/<pid>/stat");
    // Fields after the command name (which may hold spaces) in parentheses.
    let fields: Vec<&str> = stat[stat.rfind(')').unwrap() + 2..].split(' ').collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as u64;
    Duration::from_micros(ticks * 1_000_000 / hz)
}
