//! Graph benchmark: `cargo bench -p carnet --bench graph`.
//!
//! On the generated 10,000-note vault (`CARNET_BENCH_LSP_NOTES` to change
//! the size), times in process: the whole graph as JSON (the issue's
//! target: under 200 ms), DOT and GraphML, the depth-2 neighbourhood of the
//! note with the most backlinks, and the report; then, as a client-side
//! round trip over stdio, `carnet/graph` (whole vault and neighbourhood)
//! and the `carnet.report.wanted` command, whose locations carry columns,
//! in UTF-16 and UTF-8. Every answer is checked against the graph.

#[path = "../support/lsp.rs"]
mod client;
#[path = "vaults.rs"]
mod vaults;

use std::time::{Duration, Instant};

use carnet::graph::{self, Options, export, report};
use serde_json::{Value, json};

const RUNS: usize = 11;

fn main() {
    let (notes, root) = vaults::server_vault();
    let snap = carnet::vault::load(&root)
        .expect("index the vault")
        .snapshot;
    let whole = graph::graph(&snap, &Options::default());
    let links: u32 = whole.edges.iter().map(|e| e.count).sum();
    let hub = whole.nodes.iter().max_by_key(|n| n.backlinks).unwrap();
    let local = Options {
        from: Some(hub.id.clone()),
        depth: 2,
        ..Options::default()
    };
    let near = graph::graph(&snap, &local);
    let json_text = export::json(&whole);

    println!("## carnet graph benchmark\n");
    println!("Command: `cargo bench -p carnet --bench graph` ({notes} generated notes)\n");
    println!(
        "- {} nodes, {} edges ({links} links); JSON {:.1} MB; hub `{}` ({} backlinks), depth-2 neighbourhood {} nodes, {} edges\n",
        whole.nodes.len(),
        whole.edges.len(),
        json_text.len() as f64 / 1e6,
        hub.id,
        hub.backlinks,
        near.nodes.len(),
        near.edges.len()
    );
    println!("In process (from the snapshot):\n");
    time("graph JSON, whole vault", || {
        let g = graph::graph(&snap, &Options::default());
        assert_eq!(export::json(&g).len(), json_text.len());
    });
    time("graph only (no JSON)", || {
        graph::graph(&snap, &Options::default());
    });
    time("DOT, whole vault", || {
        export::dot(&graph::graph(&snap, &Options::default()));
    });
    time("GraphML, whole vault", || {
        export::graphml(&graph::graph(&snap, &Options::default()));
    });
    time("JSON, depth-2 neighbourhood of the hub", || {
        export::json(&graph::graph(&snap, &local));
    });
    let r = report::report(&snap, 20);
    time("report", || {
        report::report(&snap, 20);
    });

    for utf8 in [false, true] {
        println!(
            "\nThrough the protocol (client-side round trip, {}):\n",
            if utf8 { "utf-8" } else { "utf-16" }
        );
        let mut lsp = client::Lsp::start(&root, utf8);
        let count = |v: &Value, key: &str| v[key].as_array().map_or(0, Vec::len);
        // Indexing runs after `initialized`; on a busy machine it can take
        // longer than the 5 s a request waits for it.
        let deadline = Instant::now() + Duration::from_secs(120);
        while count(&lsp.request("carnet/graph", json!({})).unwrap(), "edges") != whole.edges.len()
        {
            assert!(Instant::now() < deadline, "the server indexes the vault");
            std::thread::sleep(Duration::from_millis(500));
        }
        time("carnet/graph, whole vault", || {
            lsp.request("carnet/graph", json!({})).unwrap();
        });
        let pairs = json!({"edges": "pairs"});
        time(
            "carnet/graph, whole vault, edges as pairs (the graph view's form)",
            || {
                lsp.request("carnet/graph", pairs.clone()).unwrap();
            },
        );
        let params = json!({"textDocument": {"uri": lsp.file_uri(&hub.id)}, "depth": 2});
        let first = lsp.request("carnet/graph", params.clone()).unwrap();
        assert_eq!(count(&first, "nodes"), near.nodes.len());
        time("carnet/graph, depth 2 around the hub", || {
            lsp.request("carnet/graph", params.clone()).unwrap();
        });
        let wanted = json!({"command": "carnet.report.wanted", "arguments": [{"limit": 20}]});
        let first = lsp
            .request("workspace/executeCommand", wanted.clone())
            .unwrap();
        let want: usize = r.wanted.iter().map(|w| w.links.len()).sum();
        assert_eq!(first.as_array().map_or(0, Vec::len), want);
        time(&format!("carnet.report.wanted ({want} locations)"), || {
            lsp.request("workspace/executeCommand", wanted.clone())
                .unwrap();
        });
        lsp.shutdown();
        assert_eq!(lsp.exit(), Some(0));
    }
}

/// CPU time this process has used, all threads (user + system).
fn cpu_time() -> Duration {
    // SAFETY: getrusage only writes the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// Wall time and this process's CPU time (all cores together; with other
/// work on the machine the wall time grows, the CPU time much less).
fn time(what: &str, mut f: impl FnMut()) {
    let mut times: Vec<(Duration, Duration)> = (0..RUNS)
        .map(|_| {
            let (t, c) = (Instant::now(), cpu_time());
            f();
            (t.elapsed(), cpu_time() - c)
        })
        .collect();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    times.sort_by_key(|t| t.0);
    let n = times.len();
    let pick = |q: f64| ((n - 1) as f64 * q).round() as usize;
    let (p50, p95) = (times[pick(0.5)].0, times[pick(0.95)].0);
    times.sort_by_key(|t| t.1);
    println!(
        "- {what}: wall p50 {:.1} ms, p95 {:.1} ms; CPU p50 {:.1} ms ({RUNS} runs)",
        ms(p50),
        ms(p95),
        ms(times[pick(0.5)].1)
    );
}
