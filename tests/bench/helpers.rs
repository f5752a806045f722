//! Writing-helpers benchmark: `cargo bench -p carnet --bench helpers`.
//!
//! On the generated 10,000-note vault (`CARNET_BENCH_LSP_NOTES` to change
//! the size), prints:
//! - unlinked mentions of one note, in the library (texts in memory) and
//!   through `carnet.unlinkedMentions` (the server reads the texts): wall
//!   time (p50, p95, max) and CPU time per call, since the machine may be
//!   shared and wall time alone says little;
//! - `[[##` (headings of every note) and `[[^^` (blocks of every note)
//!   completion latency, in utf-8 and in utf-16, typed after emoji and CJK;
//! - typing while mentions are computed: a completion sent right after a
//!   `carnet.unlinkedMentions` request, against the same completion alone.
//!
//! Every answer is checked against the library's on the same vault.

#[path = "../support/lsp.rs"]
mod client;
#[path = "vaults.rs"]
mod vaults;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use carnet::answers::unlinked_mentions;
use serde_json::{Value, json};

/// What the scratch note's line starts with: completion positions follow.
const LINE: &str = "- 😀 漢字 see ";

fn main() {
    let (spec, root) = vaults::server_vault();
    let notes = spec.notes;
    let loaded = carnet::vault::load(&root).expect("index the vault");
    let snap = &loaded.snapshot;
    let texts: HashMap<String, String> = snap
        .notes()
        .map(|n| {
            let t = std::fs::read_to_string(root.join(&*n.path)).unwrap();
            (n.path.to_string(), t)
        })
        .collect();
    let text_of = |p: &str| texts.get(p).cloned();

    // Targets: every 500th note by path, and the most linked note.
    let mut paths: Vec<String> = snap.notes().map(|n| n.path.to_string()).collect();
    paths.sort();
    let mut targets: Vec<String> = paths.iter().step_by(500).cloned().collect();
    let hub = snap
        .notes()
        .max_by_key(|n| snap.linkers_of_name(&carnet::names::fold(n.name())).len())
        .map(|n| n.path.to_string())
        .unwrap();
    targets.push(hub);

    println!("## carnet writing-helpers benchmark\n");
    println!(
        "Command: `cargo bench -p carnet --bench helpers` ({notes} generated notes; {} target notes)\n",
        targets.len()
    );

    // Unlinked mentions in the library.
    let mut expected = HashMap::new();
    let mut wall = Vec::new();
    let cpu = cpu_time();
    for _ in 0..3 {
        for t in &targets {
            let start = Instant::now();
            let found = unlinked_mentions(snap, t, &text_of, &|| false);
            wall.push(start.elapsed());
            expected.insert(t.clone(), found.len());
        }
    }
    let cpu = cpu_time() - cpu;
    let total: usize = expected.values().sum();
    println!("- unlinked mentions of one note, library ({total} mentions of the targets in all):");
    report("wall", &mut wall);
    println!(
        "  - CPU time per call: {:.1} ms (all threads of the process)",
        ms(cpu) / wall.len() as f64
    );

    for utf8 in [true, false] {
        let encoding = if utf8 { "utf-8" } else { "utf-16" };
        println!("\n### Through the server, {encoding} positions\n");
        let mut lsp = client::Lsp::start(&root, utf8);
        let scratch = lsp.open_text("bench-scratch.md", LINE);
        // Indexing is done once a whole-vault answer comes.
        lsp.request(
            "workspace/executeCommand",
            json!({ "command": "carnet.unlinkedMentions", "arguments": [{ "uri": lsp.file_uri(&targets[0]) }] }),
        )
        .unwrap();

        let mut wall = Vec::new();
        let cpu = server_cpu(lsp.pid());
        for t in &targets {
            let start = Instant::now();
            let r = lsp
                .request(
                    "workspace/executeCommand",
                    json!({ "command": "carnet.unlinkedMentions", "arguments": [{ "uri": lsp.file_uri(t) }] }),
                )
                .unwrap();
            wall.push(start.elapsed());
            assert_eq!(r.as_array().unwrap().len(), expected[t], "mentions of {t}");
        }
        let cpu = server_cpu(lsp.pid()) - cpu;
        println!("- `carnet.unlinkedMentions` (server reads every note):");
        report("wall", &mut wall);
        println!(
            "  - server CPU time per call: {:.0} ms (all threads; 10 ms ticks)",
            per_call(cpu, wall.len())
        );

        let mut version = 1;
        let mut complete = |lsp: &mut client::Lsp, typed: &str| -> (Duration, Value) {
            version += 1;
            let text = format!("{LINE}{typed}");
            lsp.notify(
                "textDocument/didChange",
                json!({ "textDocument": { "uri": scratch, "version": version },
                        "contentChanges": [{ "text": text }] }),
            );
            let end = lsp.pos(&text, text.len());
            let start = Instant::now();
            let r = lsp
                .request(
                    "textDocument/completion",
                    json!({ "textDocument": { "uri": scratch }, "position": end }),
                )
                .unwrap();
            (start.elapsed(), r)
        };

        // Headings of every note: queries from real headings.
        let headings: Vec<String> = paths
            .iter()
            .step_by(197)
            .filter_map(|p| {
                snap.note(p)?
                    .facts
                    .headings
                    .last()
                    .map(|h| h.text.to_string())
            })
            .filter(|h| h.chars().count() >= 6)
            .take(40)
            .collect();
        for n in [2, 5] {
            let mut times = Vec::new();
            let cpu = server_cpu(lsp.pid());
            for h in &headings {
                let query: String = h.chars().take(n).collect();
                let (t, r) = complete(&mut lsp, &format!("[[##{query}"));
                assert!(!items(&r).is_empty(), "[[##{query}");
                times.push(t);
            }
            let cpu = per_call(server_cpu(lsp.pid()) - cpu, times.len());
            report(
                &format!("`[[##` + {n} characters (server CPU {cpu:.0} ms per request)"),
                &mut times,
            );
        }
        let (_, r) = complete(&mut lsp, &format!("[[##{}", headings[0]));
        assert!(
            items(&r).iter().any(|i| i["label"] == headings[0].as_str()),
            "the heading itself is offered"
        );

        // Blocks of every note: two words of real paragraphs.
        let queries: Vec<String> = paths
            .iter()
            .step_by(211)
            .filter_map(|p| {
                let n = snap.note(p)?;
                let para = n.facts.paragraphs.first()?;
                let text = texts[p].get(para.span.range())?;
                let words: Vec<&str> = text
                    .split_whitespace()
                    .filter(|w| w.chars().all(char::is_alphabetic) && w.len() >= 4)
                    .take(2)
                    .collect();
                (words.len() == 2).then(|| words.join(" "))
            })
            .take(40)
            .collect();
        let (first, r) = complete(&mut lsp, &format!("[[^^{}", queries[0]));
        assert!(!items(&r).is_empty(), "[[^^{}", queries[0]);
        println!(
            "- first `[[^^` (reads every note's blocks once): {:.0} ms",
            ms(first)
        );
        let mut times = Vec::new();
        let cpu = server_cpu(lsp.pid());
        for q in &queries {
            let (t, r) = complete(&mut lsp, &format!("[[^^{q}"));
            assert!(!items(&r).is_empty(), "[[^^{q}");
            times.push(t);
        }
        let cpu = per_call(server_cpu(lsp.pid()) - cpu, times.len());
        report(
            &format!("`[[^^` + two words (server CPU {cpu:.0} ms per request)"),
            &mut times,
        );

        // Code actions on prose lines (what VS Code asks on every cursor
        // move): mention fixes look for every note's names on the line.
        let prose = &targets[1];
        let text = texts[prose].clone();
        lsp.open_text(prose, &text);
        let mut times = Vec::new();
        let mut offered = 0;
        let cpu = server_cpu(lsp.pid());
        for line in carnet::text::lines(&text)
            .filter(|l| l.text.len() > 40)
            .take(30)
        {
            let mut mid = line.start + line.text.len() / 2;
            while !text.is_char_boundary(mid) {
                mid -= 1;
            }
            let at = lsp.pos(&text, mid);
            let start = Instant::now();
            let r = lsp
                .request(
                    "textDocument/codeAction",
                    json!({ "textDocument": { "uri": lsp.file_uri(prose) },
                            "range": { "start": at, "end": at }, "context": { "diagnostics": [] } }),
                )
                .unwrap();
            times.push(start.elapsed());
            offered += r.as_array().map_or(0, Vec::len);
        }
        let cpu = per_call(server_cpu(lsp.pid()) - cpu, times.len());
        report(
            &format!(
                "`textDocument/codeAction` on a prose line ({offered} actions offered; server CPU {cpu:.0} ms per request)"
            ),
            &mut times,
        );

        // Typing while mentions are computed.
        let mut alone = Vec::new();
        let mut during = Vec::new();
        for (i, t) in targets.iter().enumerate() {
            let q = &headings[i % headings.len()];
            let query: String = q.chars().take(3).collect();
            alone.push(complete(&mut lsp, &format!("[[{query}")).0);
            let id = 1_000_000 + i as i64;
            let msg = json!({ "jsonrpc": "2.0", "id": id, "method": "workspace/executeCommand",
                              "params": { "command": "carnet.unlinkedMentions",
                                          "arguments": [{ "uri": lsp.file_uri(t) }] } });
            let body = serde_json::to_vec(&msg).unwrap();
            let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
            out.extend(body);
            lsp.send_raw(&out);
            during.push(complete(&mut lsp, &format!("[[{query}")).0);
            lsp.response(id).unwrap();
        }
        report("`[[` + 3 characters, alone", &mut alone);
        report(
            "`[[` + 3 characters, right after a `carnet.unlinkedMentions` request",
            &mut during,
        );
        lsp.shutdown();
        assert_eq!(lsp.exit(), Some(0));
    }
}

fn items(r: &Value) -> &[Value] {
    r["items"].as_array().map_or(&[], Vec::as_slice)
}

/// CPU time of this process, all threads.
fn cpu_time() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// User and system CPU time of process `pid`, from /proc (in ticks of
/// 10 ms).
fn server_cpu(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name, which is in parentheses.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<u64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0))
        .collect();
    let ticks = f.get(11).copied().unwrap_or(0) + f.get(12).copied().unwrap_or(0);
    Duration::from_millis(ticks * 10)
}

/// Milliseconds of `total` per call.
fn per_call(total: Duration, calls: usize) -> f64 {
    ms(total) / calls.max(1) as f64
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn report(what: &str, times: &mut [Duration]) {
    times.sort();
    let pick = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    println!(
        "  - {what}: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms ({} runs)",
        ms(pick(0.5)),
        ms(pick(0.95)),
        ms(*times.last().unwrap()),
        times.len()
    );
}
