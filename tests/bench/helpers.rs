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
//! The client watches files for the server, as VS Code and Neovim do;
//! `CARNET_BENCH_SERVER_WATCHES=1` has the server watch them itself, as it
//! does for Helix. Every answer is checked against the library's on the
//! same vault.

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
    // Counts the texts a search reads: only notes whose word filter may
    // hold a name are read.
    let reads = std::sync::atomic::AtomicUsize::new(0);
    let text_of = |p: &str, _: u64| {
        reads.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        texts.get(p).cloned()
    };

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
    // Per target: mentions, the notes they are in, the notes read.
    let mut spread = HashMap::new();
    // The first search reads every note and builds its word filter.
    let cpu = cpu_time();
    let start = Instant::now();
    unlinked_mentions(snap, &targets[0], &text_of, &|| false);
    let first = (start.elapsed(), cpu_time() - cpu);
    reads.store(0, std::sync::atomic::Ordering::Relaxed);
    let filters: usize = snap
        .notes()
        .filter_map(|n| n.derived.words.get())
        .map(|w| w.heap_bytes())
        .sum();
    let mut wall = Vec::new();
    let cpu = cpu_time();
    for _ in 0..3 {
        for t in &targets {
            let start = Instant::now();
            let before = reads.load(std::sync::atomic::Ordering::Relaxed);
            let found = unlinked_mentions(snap, t, &text_of, &|| false);
            wall.push(start.elapsed());
            expected.insert(t.clone(), found.len());
            let read = reads.load(std::sync::atomic::Ordering::Relaxed) - before;
            let notes: std::collections::HashSet<_> = found.iter().map(|m| &m.at.path).collect();
            spread.insert(t.clone(), (found.len(), notes.len(), read));
        }
    }
    let cpu = cpu_time() - cpu;
    let total: usize = expected.values().sum();
    println!(
        "- first search of a session, library (builds every note's word filter, {:.1} MB): {:.0} ms wall, {:.0} ms CPU",
        filters as f64 / 1e6,
        ms(first.0),
        ms(first.1)
    );
    println!("- unlinked mentions of one note, library ({total} mentions of the targets in all):");
    report("wall", &mut wall);
    println!(
        "  - CPU time per call: {:.1} ms (all threads of the process)",
        ms(cpu) / wall.len() as f64
    );
    println!(
        "  - notes read per call: {} of {notes}",
        reads.load(std::sync::atomic::Ordering::Relaxed) / wall.len(),
    );
    let mut rows: Vec<&(usize, usize, usize)> = spread.values().collect();
    rows.sort();
    let rows: Vec<String> = rows
        .iter()
        .map(|(m, n, r)| format!("{m}/{n}/{r}"))
        .collect();
    println!(
        "  - per target, mentions / notes holding them / notes read: {}",
        rows.join(", ")
    );

    for utf8 in [true, false] {
        let encoding = if utf8 { "utf-8" } else { "utf-16" };
        println!("\n### Through the server, {encoding} positions\n");
        println!(
            "Files watched by {}.\n",
            match std::env::var_os("CARNET_BENCH_SERVER_WATCHES") {
                Some(_) => "the server itself (CARNET_BENCH_SERVER_WATCHES)",
                None => "the client, as VS Code and Neovim do",
            }
        );
        // CARNET_BENCH_BIN: another build of the server, to compare.
        // The client watches files for the server, as VS Code and Neovim
        // do; CARNET_BENCH_SERVER_WATCHES=1 leaves it to the server (Helix),
        // whose own inotify watch then raises an event for every note a
        // search opens.
        let mut lens_caps = json!({ "textDocument": { "codeLens": {} } });
        if std::env::var_os("CARNET_BENCH_SERVER_WATCHES").is_none() {
            lens_caps["workspace"] =
                json!({ "didChangeWatchedFiles": { "dynamicRegistration": true } });
        }
        let mut lsp = match std::env::var("CARNET_BENCH_BIN") {
            Ok(bin) => {
                let mut cmd = std::process::Command::new(bin);
                cmd.arg("--stdio").env("CARNET_LOG", "warn");
                client::Lsp::initialize_with(
                    client::Lsp::spawn_command(cmd, &root, utf8),
                    lens_caps,
                )
            }
            Err(_) => client::Lsp::start_with(&root, utf8, lens_caps),
        };
        let scratch = lsp.open_text("bench-scratch.md", LINE);
        // Indexing is done once a whole-vault answer comes; this first
        // search also builds every note's word filter.
        let cpu = server_cpu(lsp.pid());
        let start = Instant::now();
        lsp.request(
            "workspace/executeCommand",
            json!({ "command": "carnet.unlinkedMentions", "arguments": [{ "uri": lsp.file_uri(&targets[0]) }] }),
        )
        .unwrap();
        println!(
            "- first `carnet.unlinkedMentions` of the session (waits for indexing, then builds the word filters): {:.0} ms wall, {:.0} ms server CPU",
            ms(start.elapsed()),
            ms(server_cpu(lsp.pid()) - cpu)
        );

        let mut wall = Vec::new();
        let mut each = Vec::new();
        // Until the answer begins to arrive: the server's part, without
        // the transfer and this side's parsing of it.
        let (mut began, mut each_began) = (Vec::new(), Vec::new());
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
            each.push((start.elapsed(), t));
            let arrived = lsp.arrived.expect("an answer arrived") - start;
            began.push(arrived);
            each_began.push((arrived, t));
            assert_eq!(r.as_array().unwrap().len(), expected[t], "mentions of {t}");
        }
        let cpu = server_cpu(lsp.pid()) - cpu;
        println!(
            "- `carnet.unlinkedMentions` (the server reads the notes whose word filter may hold a name):"
        );
        report("wall", &mut wall);
        println!(
            "  - server CPU time per call: {:.0} ms (all threads; 10 ms ticks)",
            per_call(cpu, wall.len())
        );
        slowest(&mut each, &expected);
        report("until the answer began to arrive", &mut began);
        slowest(&mut each_began, &expected);

        // The title lenses: the list, then the unlinked-mentions count.
        let resolves =
            lsp.init_result["capabilities"]["codeLensProvider"]["resolveProvider"] == true;
        if resolves {
            let (mut list, mut resolve) = (Vec::new(), Vec::new());
            let mut each = Vec::new();
            let (mut list_cpu, mut resolve_cpu) = (Duration::ZERO, Duration::ZERO);
            for t in &targets {
                let uri = lsp.open(t);
                let cpu = server_cpu(lsp.pid());
                let start = Instant::now();
                let r = lsp
                    .request(
                        "textDocument/codeLens",
                        json!({ "textDocument": { "uri": uri } }),
                    )
                    .unwrap();
                list.push(start.elapsed());
                list_cpu += server_cpu(lsp.pid()) - cpu;
                let lens = r
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|l| l["command"].is_null())
                    .cloned();
                let want = expected[t];
                // A lens is offered when a note may mention the target; a
                // note that mentions it always gets one.
                assert!(lens.is_some() || want == 0, "a mentions lens for {t}");
                if let Some(lens) = lens {
                    let cpu = server_cpu(lsp.pid());
                    let start = Instant::now();
                    let r = lsp.request("codeLens/resolve", lens).unwrap();
                    resolve.push(start.elapsed());
                    each.push((start.elapsed(), t));
                    resolve_cpu += server_cpu(lsp.pid()) - cpu;
                    match want {
                        0 => assert!(r["command"].is_null(), "{r}"),
                        _ => {
                            let title = r["command"]["title"].as_str().unwrap();
                            let count = format!("{want} unlinked mention");
                            assert!(title.starts_with(&count), "{title}");
                        }
                    }
                }
                lsp.close(&uri);
            }
            println!("- `textDocument/codeLens` of a target (no count):");
            println!(
                "  - server CPU time per call: {:.0} ms",
                per_call(list_cpu, list.len())
            );
            report("wall", &mut list);
            println!("- `codeLens/resolve` of its mentions lens (the count):");
            println!(
                "  - server CPU time per call: {:.0} ms",
                per_call(resolve_cpu, resolve.len())
            );
            report("wall", &mut resolve);
            slowest(&mut each, &expected);
        }

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

/// The three slowest targets: the target is met only if every one is.
fn slowest(each: &mut [(Duration, &String)], mentions: &HashMap<String, usize>) {
    each.sort_by_key(|e| std::cmp::Reverse(e.0));
    let worst: Vec<String> = each
        .iter()
        .take(3)
        .map(|(d, t)| format!("{:.1} ms ({} mentions, {t})", ms(*d), mentions[*t]))
        .collect();
    println!("  - slowest targets: {}", worst.join(", "));
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
