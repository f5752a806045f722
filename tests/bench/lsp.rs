//! Language-server benchmark: `cargo bench -p carnet --bench lsp`.
//!
//! Drives the built binary over stdio, as an editor does, on the generated
//! 10,000-note vault (`CARNET_BENCH_LSP_NOTES` to change the size) and prints:
//! - ready: spawn → initialize → didOpen → first complete `references`
//!   answer for the vault's hub note (most backlinks);
//! - `definition` latency on the links of a link-dense note;
//! - `references` latency on the title of the note closest to 1,000 backlinks;
//! - didChange → updated backlinks: time from sending a change that adds a
//!   link to receiving a `references` answer for the target that includes it.
//!
//! Latencies are client-side round trips (p50, p95, max). The expected answers
//! come from carnet's library on the same vault, and every answer is checked.

#[path = "../support/lsp.rs"]
mod client;
#[path = "vaults.rs"]
mod vaults;

use std::time::{Duration, Instant};

use carnet::answers::{Part, links_to};
use carnet::text::Lines;
use serde_json::{Value, json};

fn main() {
    let (notes, root) = vaults::server_vault();

    // Expected answers, from the library.
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
    let (hub_count, hub) = counts.last().cloned().unwrap();
    let (mid_count, mid) = counts
        .iter()
        .min_by_key(|(c, _)| c.abs_diff(1000))
        .cloned()
        .unwrap();
    let dense = snap
        .notes()
        .max_by_key(|n| n.facts.links.len())
        .map(|n| n.path.to_string())
        .unwrap();
    println!("## carnet language-server benchmark\n");
    println!(
        "Command: `cargo bench -p carnet --bench lsp` ({notes} generated notes, utf-8 positions, client-side round trips)\n"
    );
    println!(
        "- hub note `{hub}`: {hub_count} backlinks; references note `{mid}`: {mid_count} backlinks; definition note `{dense}`"
    );

    // Ready: spawn to the first complete references answer for the hub.
    let spawn = Instant::now();
    let mut lsp = client::Lsp::start(&root, true);
    lsp.open(&hub);
    let refs = references(&mut lsp, &hub);
    let ready = spawn.elapsed();
    assert_eq!(refs, hub_count, "references of the hub");
    println!(
        "- ready (spawn → first complete references answer for the hub): {:.0} ms",
        ms(ready)
    );
    let again = Instant::now();
    references(&mut lsp, &hub);
    println!("- the same hub answer again: {:.0} ms", ms(again.elapsed()));

    // Definition on every link of a link-dense note, round robin.
    let text = std::fs::read_to_string(root.join(&dense)).unwrap();
    let lines = Lines::new(&text);
    let positions: Vec<Value> = snap
        .note(&dense)
        .unwrap()
        .facts
        .links
        .iter()
        .map(|l| {
            let (line, col) = lines.line_col(l.span.start + 2);
            json!({ "line": line, "character": col })
        })
        .collect();
    lsp.open(&dense);
    let uri = lsp.file_uri(&dense);
    let mut times = Vec::new();
    for i in 0..500 {
        let pos = &positions[i % positions.len()];
        let t = Instant::now();
        let r = lsp
            .request(
                "textDocument/definition",
                json!({ "textDocument": { "uri": uri }, "position": pos }),
            )
            .unwrap();
        times.push(t.elapsed());
        std::hint::black_box(r);
    }
    report("definition", &mut times);

    // References on the title of the ~1,000-backlink note.
    lsp.open(&mid);
    let mut times = Vec::new();
    for _ in 0..200 {
        let t = Instant::now();
        let n = references(&mut lsp, &mid);
        times.push(t.elapsed());
        assert_eq!(n, mid_count);
    }
    report(&format!("references ({mid_count} backlinks)"), &mut times);

    // didChange in one note → the target's backlinks include it.
    // The full path: a bare name may be shared by several notes.
    let target_name = carnet::names::strip_md(&mid).to_string();
    let editor = counts
        .iter()
        .find(|(c, p)| *c < 5 && *p != mid)
        .unwrap()
        .1
        .clone();
    let editor_text = std::fs::read_to_string(root.join(&editor)).unwrap();
    let end = Lines::new(&editor_text);
    let (last_line, last_col) = end.line_col(editor_text.len() as u32);
    let euri = lsp.open(&editor);
    let mut times = Vec::new();
    for i in 0..100 {
        let version = 2 + 2 * i;
        let insert = format!(" [[{target_name}]]");
        let at = json!({ "line": last_line, "character": last_col });
        let t = Instant::now();
        lsp.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": euri, "version": version },
                    "contentChanges": [{ "range": { "start": at, "end": at }, "text": insert }] }),
        );
        let n = references(&mut lsp, &mid);
        times.push(t.elapsed());
        assert!(n > mid_count, "the new link must be among the backlinks");
        let after = json!({ "line": last_line, "character": last_col + insert.len() as u32 });
        lsp.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": euri, "version": version + 1 },
                    "contentChanges": [{ "range": { "start": at, "end": after }, "text": "" }] }),
        );
    }
    report("didChange → updated backlinks", &mut times);

    // Completion: `[[` + 1, 2, 3 characters of note names, headings, tags.
    let scratch = lsp.open_text("bench-scratch.md", "");
    let names: Vec<String> = counts
        .iter()
        .step_by((counts.len() / 50).max(1))
        .map(|(_, p)| carnet::names::note_stem(p).to_string())
        .filter(|n| n.chars().count() >= 3)
        .collect();
    let mut version = 1;
    let mut complete = |lsp: &mut client::Lsp, text: &str| -> (Duration, usize) {
        version += 1;
        lsp.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": scratch, "version": version }, "contentChanges": [{ "text": text }] }),
        );
        let character = text.len();
        let t = Instant::now();
        let r = lsp
            .request(
                "textDocument/completion",
                json!({ "textDocument": { "uri": scratch },
                     "position": { "line": 0, "character": character } }),
            )
            .unwrap();
        (t.elapsed(), r["items"].as_array().map_or(0, Vec::len))
    };
    for n in 1..=3 {
        let mut times = Vec::new();
        for name in &names {
            let prefix: String = name.chars().take(n).collect();
            let (t, items) = complete(&mut lsp, &format!("[[{prefix}"));
            assert!(items > 0, "completions for [[{prefix}");
            times.push(t);
        }
        report(
            &format!(
                "completion `[[` + {n} character{}",
                if n == 1 { "" } else { "s" }
            ),
            &mut times,
        );
    }
    let mut times = Vec::new();
    for name in &names {
        let (t, _) = complete(&mut lsp, &format!("[[{name}#"));
        times.push(t);
    }
    report("completion of headings `[[Note#`", &mut times);
    let mut times = Vec::new();
    for prefix in ["p", "pr", "a", "ar", "i", "st", "r", "t"]
        .iter()
        .cycle()
        .take(50)
    {
        let (t, items) = complete(&mut lsp, &format!("text #{prefix}"));
        assert!(items > 0 || prefix.len() > 1);
        times.push(t);
    }
    report("completion of tags `#`", &mut times);

    // didChange in a 200 KB note → its diagnostics, published.
    let mut big = String::new();
    for (_, path) in counts.iter().rev() {
        if big.len() >= 200_000 {
            break;
        }
        big += &std::fs::read_to_string(root.join(path)).unwrap();
        big.push('\n');
    }
    let big_uri = lsp.open_text("bench-200k.md", &big);
    let first = wait_diagnostics(&mut lsp, &big_uri, None);
    let lines = Lines::new(&big);
    let (last_line, last_col) = lines.line_col(big.len() as u32);
    let at = json!({ "line": last_line, "character": last_col });
    let insert = " [[zz no such note]]";
    let after = json!({ "line": last_line, "character": last_col + insert.len() as u32 });
    let mut times = Vec::new();
    let mut expected = first;
    for i in 0..60 {
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
        wait_diagnostics(&mut lsp, &big_uri, Some(expected));
        times.push(t.elapsed());
    }
    println!(
        "- 200 KB note ({} KB, {first} problems): didChange → publishDiagnostics, including the 30 ms settle time:",
        big.len() / 1000
    );
    report("total", &mut times);
    let mut work: Vec<Duration> = times
        .iter()
        .map(|t| t.saturating_sub(Duration::from_millis(30)))
        .collect();
    report("work (total − settle)", &mut work);
    lsp.shutdown();
    assert_eq!(lsp.exit(), Some(0));
}

fn references(lsp: &mut client::Lsp, rel: &str) -> usize {
    let uri = lsp.file_uri(rel);
    let r = lsp
        .request(
            "textDocument/references",
            json!({ "textDocument": { "uri": uri }, "position": { "line": 0, "character": 0 },
                    "context": { "includeDeclaration": false } }),
        )
        .unwrap();
    r.as_array().map_or(0, Vec::len)
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

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn report(what: &str, times: &mut [Duration]) {
    times.sort();
    let pick = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    println!(
        "- {what}: p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms ({} requests)",
        ms(pick(0.5)),
        ms(pick(0.95)),
        ms(*times.last().unwrap()),
        times.len()
    );
}
