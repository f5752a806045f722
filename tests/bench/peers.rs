//! Side-by-side benchmark: `cargo bench -p carnet --bench peers`.
//!
//! carnet, markdown-oxide and IWE's `iwes`, driven by the same client
//! (`tests/support/lsp.rs`) on the same generated vault (`interconnected-10000`
//! by default; `CARNET_BENCH_PEERS_VAULT`, see `vaults.rs`), offering only
//! utf-16 positions as VS Code does. For each server it measures:
//! - ready: spawn → initialize → didOpen → the first *complete* `references`
//!   answer for the hub (cursor on a plain `[[Hub]]` link), over
//!   `CARNET_BENCH_PEERS_READY_RUNS` fresh servers (default 3);
//! - `references` for the hub and for the note closest to 1,000 backlinks;
//! - `definition` on the links of a link-dense note;
//! - completion `[[` + 1–3 characters after non-ASCII prose on the line;
//! - resident memory after the first answer and at the end;
//!
//! and prints each peer's time divided by carnet's (above 1: carnet is faster).
//!
//! Before a peer is timed its answers are checked against carnet's library:
//! the references (path and start position of every location), each
//! definition's target file, and that completing a full name offers that
//! note. A peer whose answer is incomplete is timed anyway, but the figure
//! is marked and gets no ratio: answering wrongly fast is not faster.
//!
//! `CARNET_BENCH_PEERS=markdown-oxide` (a comma-separated list) keeps only
//! those peers. Peers are found at `CARNET_PEER_MOXIDE` (default
//! `../shared/tools/peers/markdown-oxide`) and `CARNET_PEER_IWES` (default
//! `target/peers/bin/iwes`, then `iwes` on `PATH`); an absent peer is skipped
//! with a message. Quirks handled (see `../shared/tools/README.md`):
//! markdown-oxide reads `~/.config/moxide` (it gets an empty `HOME`) and a
//! `.moxide.toml` at the vault root, sends `client/registerCapability` after
//! `initialized` (answered), counts columns in code points (positions are
//! sent and compared in code points), and exits on `shutdown` without
//! answering (every server is killed at the end instead); `iwes` takes its
//! working directory as the workspace and wants an `.iwe/` folder there.

#[path = "../support/lsp.rs"]
mod client;
#[path = "measure.rs"]
mod measure;
#[path = "vaults.rs"]
mod vaults;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use carnet::answers::{self, At, Location, Part, links_to};
use carnet::index::Snapshot;
use measure::{Samples, first_location, mb, memory_kib, relative};
use serde_json::{Value, json};

/// How long one answer may take before the server counts as failed.
const PEER_TIMEOUT: Duration = Duration::from_secs(300);

/// How long one measure may run (at least three requests each).
const BUDGET: Duration = Duration::from_secs(60);

/// How a server counts columns.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Columns {
    Utf16,
    CodePoints,
}

/// What one location of a references answer stands for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Granularity {
    /// One location per link, its range the link's (carnet, markdown-oxide).
    Link,
    /// One location per block (paragraph, list item) holding links, whole
    /// lines, leaving out the note the request is made in (IWE).
    Block,
}

struct Server {
    name: &'static str,
    program: PathBuf,
    columns: Columns,
    granularity: Granularity,
    /// Extra environment (markdown-oxide's `HOME`).
    env: Vec<(String, PathBuf)>,
}

/// A request target: a note and a cursor (byte offset) in it.
#[derive(Clone)]
struct Cursor {
    note: String,
    offset: usize,
}

/// What every server's answers are checked against, from carnet's library.
struct Expect {
    snap: Snapshot,
    texts: HashMap<String, String>,
    hub: String,
    hub_refs: Vec<Location>,
    hub_at: Cursor,
    mid: String,
    mid_refs: Vec<Location>,
    mid_at: Cursor,
    dense: String,
    /// Byte offset inside each link of `dense`, and where it leads.
    dense_links: Vec<(usize, Option<String>)>,
    prose: String,
    names: Vec<String>,
}

/// One server's figures. `None`: not measured.
#[derive(Default)]
struct Figures {
    ready: Option<Measured>,
    hub: Option<Measured>,
    mid: Option<Measured>,
    definition: Option<Measured>,
    completion: Option<Measured>,
    rss_ready: u64,
    rss_peak: u64,
}

struct Measured {
    samples: Samples,
    /// Why the answers do not count (incomplete or wrong), if they do not.
    flaw: Option<String>,
    /// Something odd about answers that do count.
    remark: Option<String>,
}

fn main() {
    let (spec, root) = vaults::named_vault("CARNET_BENCH_PEERS_VAULT", "interconnected-10000");
    let ready_runs: usize = std::env::var("CARNET_BENCH_PEERS_READY_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    prepare_vault(&root);
    let expect = expectations(&root);
    let mut servers = servers();
    if let Ok(only) = std::env::var("CARNET_BENCH_PEERS") {
        // carnet always runs: the ratios are to it.
        servers.retain(|s| s.name == "carnet" || only.split(',').any(|o| o.trim() == s.name));
    }
    println!("## carnet side by side with other Markdown language servers\n");
    println!(
        "Command: `cargo bench -p carnet --bench peers` (vault `{}`: {} notes; utf-16 only offered; client-side round trips)\n",
        spec.name,
        expect.snap.note_count()
    );
    println!(
        "- hub `{}`: {} backlinks; references note `{}`: {} backlinks; definition note `{}` ({} links)",
        expect.hub,
        expect.hub_refs.len(),
        expect.mid,
        expect.mid_refs.len(),
        expect.dense,
        expect.dense_links.len()
    );
    let mut results = Vec::new();
    for server in &servers {
        eprintln!("{}: measuring ...", server.name);
        // A peer that hangs or breaks is reported, not fatal; carnet must work.
        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            measure_server(server, &root, &expect, ready_runs)
        }));
        let figures = match run {
            Ok(figures) => figures,
            Err(_) if server.name != "carnet" => {
                println!(
                    "- {}: FAILED (see the panic above); no figures",
                    server.name
                );
                Figures::default()
            }
            Err(panic) => std::panic::resume_unwind(panic),
        };
        results.push((server.name, figures));
    }
    report(&results);
}

/// carnet and the peers that are present (with a message for each absent one).
fn servers() -> Vec<Server> {
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut out = vec![Server {
        name: "carnet",
        program: PathBuf::from(env!("CARGO_BIN_EXE_carnet")),
        columns: Columns::Utf16,
        granularity: Granularity::Link,
        env: Vec::new(),
    }];
    let moxide = std::env::var_os("CARNET_PEER_MOXIDE")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace.join("../shared/tools/peers/markdown-oxide"));
    if moxide.is_file() {
        let home = workspace.join("target/peers/moxide-home");
        std::fs::create_dir_all(&home).unwrap();
        out.push(Server {
            name: "markdown-oxide",
            program: moxide,
            columns: Columns::CodePoints,
            granularity: Granularity::Link,
            env: vec![("HOME".into(), home)],
        });
    } else {
        println!(
            "SKIPPED markdown-oxide: {} not found (set CARNET_PEER_MOXIDE)",
            moxide.display()
        );
    }
    let iwes = std::env::var_os("CARNET_PEER_IWES")
        .map(PathBuf::from)
        .or_else(|| Some(workspace.join("target/peers/bin/iwes")).filter(|p| p.is_file()))
        .or_else(|| on_path("iwes"));
    match iwes {
        Some(program) if program.is_file() => out.push(Server {
            name: "iwes",
            program,
            columns: Columns::Utf16,
            granularity: Granularity::Block,
            env: Vec::new(),
        }),
        _ => println!(
            "SKIPPED iwes: not found (`cargo install iwes --version 0.29.3 --root target/peers`, or set CARNET_PEER_IWES)"
        ),
    }
    out
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// The files the peers want at the vault root (hidden, so carnet skips them).
fn prepare_vault(root: &Path) {
    std::fs::write(root.join(".moxide.toml"), "").unwrap();
    std::fs::create_dir_all(root.join(".iwe")).unwrap();
}

fn expectations(root: &Path) -> Expect {
    let snap = carnet::vault::load(root).expect("index the vault").snapshot;
    let texts: HashMap<String, String> = snap
        .notes()
        .map(|n| {
            let text = std::fs::read_to_string(root.join(&*n.path)).unwrap();
            (n.path.to_string(), text)
        })
        .collect();
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
    let hub = counts.last().unwrap().1.clone();
    let mid = counts
        .iter()
        .min_by_key(|(c, _)| c.abs_diff(1000))
        .unwrap()
        .1
        .clone();
    let hub_refs = links_to(&snap, &hub, Part::Whole);
    let mid_refs = links_to(&snap, &mid, Part::Whole);
    let hub_at = plain_link(&texts, &hub, &hub_refs);
    let mid_at = plain_link(&texts, &mid, &mid_refs);
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
            let to = answers::definition(&snap, &dense, At { offset, line })
                .and_then(|(_, targets)| targets.first().map(|t| t.path.to_string()));
            (offset as usize, to)
        })
        .collect();
    let prose =
        "Notes du café à Zürich — 会議のメモ、東京で読んだ本について。Müller sagt: ".repeat(4);
    let names = counts
        .iter()
        .step_by((counts.len() / 20).max(1))
        .map(|(_, p)| carnet::names::note_stem(p).to_string())
        .filter(|n| n.chars().count() >= 3)
        .collect();
    Expect {
        snap,
        texts,
        hub,
        hub_refs,
        hub_at,
        mid,
        mid_refs,
        mid_at,
        dense,
        dense_links,
        prose,
        names,
    }
}

/// A plain `[[Name]]` link to `target` among its backlinks: the cursor for
/// references that every server understands.
fn plain_link(texts: &HashMap<String, String>, target: &str, refs: &[Location]) -> Cursor {
    let plain = format!("[[{}]]", carnet::names::note_stem(target));
    let at = refs
        .iter()
        .find(|l| texts[&*l.path][l.span.start as usize..l.span.end as usize] == plain)
        .unwrap_or_else(|| panic!("no plain {plain} link"));
    Cursor {
        note: at.path.to_string(),
        offset: at.span.start as usize + 2,
    }
}

/// Line and column of byte `offset` in `text`, lines broken on `\n`, `\r\n`, `\r`.
fn position(text: &str, offset: usize, columns: Columns) -> (u64, u64) {
    let before = &text[..offset];
    let line_start = before.rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let head = &before[..line_start];
    let line =
        head.matches('\n').count() + head.matches('\r').count() - head.matches("\r\n").count();
    let col = &before[line_start..];
    let character = match columns {
        Columns::Utf16 => col.encode_utf16().count(),
        Columns::CodePoints => col.chars().count(),
    };
    (line as u64, character as u64)
}

fn json_pos((line, character): (u64, u64)) -> Value {
    json!({ "line": line, "character": character })
}

fn start(server: &Server, root: &Path) -> client::Lsp {
    let mut cmd = Command::new(&server.program);
    cmd.current_dir(root);
    if server.name == "carnet" {
        cmd.arg("--stdio").env("CARNET_LOG", "warn");
    }
    for (k, v) in &server.env {
        cmd.env(k, v);
    }
    let mut lsp = client::Lsp::spawn_command(cmd, root, false);
    // Peers index inside `initialize` and can be slow on a loaded machine.
    lsp.timeout = PEER_TIMEOUT;
    client::Lsp::initialize_with(lsp, json!({}))
}

fn open(lsp: &mut client::Lsp, e: &Expect, rel: &str) -> String {
    lsp.open_text(rel, &e.texts[rel])
}

/// A location of an answer: path, start and end (line, column) in the
/// server's columns.
type Loc = (String, (u64, u64), (u64, u64));

/// The references at `at`.
fn references(
    lsp: &mut client::Lsp,
    root: &Path,
    e: &Expect,
    server: &Server,
    at: &Cursor,
) -> Vec<Loc> {
    let pos = position(&e.texts[&at.note], at.offset, server.columns);
    // Typed locations, for every server alike (see `Lsp::request_as`); an
    // answer of another shape counts as no locations.
    let found = lsp
        .request_as::<Option<Vec<client::Location>>>(
            "textDocument/references",
            json!({ "textDocument": { "uri": lsp.file_uri(&at.note) }, "position": json_pos(pos),
                    "context": { "includeDeclaration": true } }),
        )
        .ok()
        .flatten()
        .unwrap_or_default();
    found
        .into_iter()
        .filter_map(|l| {
            let path = relative(root, &l.uri)?;
            let r = l.range;
            Some((
                path,
                (r.start.line, r.start.character),
                (r.end.line, r.end.character),
            ))
        })
        .collect()
}

/// Each link `server` should list when asked from `at`: its note, line and
/// the columns it spans there, in the server's columns.
type Want = Vec<(String, u64, (u64, u64))>;

fn wanted(expected: &[Location], at: &Cursor, e: &Expect, server: &Server) -> Want {
    expected
        .iter()
        .filter(|l| server.granularity == Granularity::Link || *l.path != *at.note)
        .map(|l| {
            let text = &e.texts[&*l.path];
            let (line, start) = position(text, l.span.start as usize, server.columns);
            let (end_line, end) = position(text, l.span.end as usize, server.columns);
            let end = if end_line == line { end } else { u64::MAX };
            (l.path.to_string(), line, (start, end))
        })
        .collect()
}

/// How an answer compares with the links it should list.
#[derive(Default)]
struct Verdict {
    /// Why it is not complete (links missing, places that are no link).
    flaw: Option<String>,
    /// What is odd but not missing (the same link listed several times).
    remark: Option<String>,
}

fn compare_refs(got: &[Loc], want: &Want, target: &str, server: &Server) -> Verdict {
    let show = |(p, l, c): &(&str, u64, u64)| format!("{p}:{}:{}", l + 1, c + 1);
    match server.granularity {
        Granularity::Link => {
            // A location stands for a link when it starts inside it (an
            // embed's range may start at `[[` rather than `!`).
            let mut by_line: HashMap<(&str, u64), Vec<usize>> = HashMap::new();
            for (i, (p, line, _)) in want.iter().enumerate() {
                by_line.entry((p.as_str(), *line)).or_default().push(i);
            }
            let mut hits = vec![0usize; want.len()];
            let mut unexpected = Vec::new();
            let mut declaration = false;
            for (p, (line, col), _) in got {
                let hit = by_line.get(&(p.as_str(), *line)).and_then(|ids| {
                    ids.iter().copied().find(|&i| {
                        let (start, end) = want[i].2;
                        start <= *col && *col < end.max(start + 1)
                    })
                });
                match hit {
                    Some(i) => hits[i] += 1,
                    // `includeDeclaration` is true, as VS Code sends it: one
                    // place in the target note itself may be listed.
                    None if p == target && !declaration => declaration = true,
                    None => unexpected.push((p.as_str(), *line, *col)),
                }
            }
            let missing: Vec<(&str, u64, u64)> = want
                .iter()
                .zip(&hits)
                .filter(|(_, h)| **h == 0)
                .map(|((p, l, (c, _)), _)| (p.as_str(), *l, *c))
                .collect();
            let listed: usize = hits.iter().sum();
            let flaw = (!missing.is_empty() || !unexpected.is_empty()).then(|| {
                format!(
                    "{} of {} links listed ({} missing, e.g. {}; {} locations at no link, e.g. {})",
                    hits.iter().filter(|h| **h > 0).count(),
                    want.len(),
                    missing.len(),
                    missing
                        .iter()
                        .take(3)
                        .map(show)
                        .collect::<Vec<_>>()
                        .join(", "),
                    unexpected.len(),
                    unexpected
                        .iter()
                        .take(3)
                        .map(show)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            });
            let remark = (listed > want.len()).then(|| {
                format!(
                    "{} locations for {} links: each listed {:.1} times on average",
                    got.len(),
                    want.len(),
                    listed as f64 / want.len().max(1) as f64
                )
            });
            Verdict { flaw, remark }
        }
        Granularity::Block => {
            // Complete when it lists every note that links (its blocks'
            // line ranges are coarser than links, so notes are compared).
            let want_files: BTreeSet<&str> = want.iter().map(|(p, _, _)| p.as_str()).collect();
            let got_files: BTreeSet<&str> = got.iter().map(|(p, _, _)| p.as_str()).collect();
            let remark = Some(format!(
                "{} blocks in {} notes for {} links (one location per block, whole lines)",
                got.len(),
                got_files.len(),
                want.len()
            ));
            if want_files == got_files {
                return Verdict { flaw: None, remark };
            }
            let missing: Vec<_> = want_files.difference(&got_files).take(3).collect();
            let extra: Vec<_> = got_files.difference(&want_files).take(3).collect();
            let flaw = Some(format!(
                "{} of {} linking notes listed: {} missing (e.g. {missing:?}), {} that do not link listed (e.g. {extra:?})",
                want_files.intersection(&got_files).count(),
                want_files.len(),
                want_files.difference(&got_files).count(),
                got_files.difference(&want_files).count(),
            ));
            Verdict { flaw, remark }
        }
    }
}

fn measure_server(server: &Server, root: &Path, e: &Expect, ready_runs: usize) -> Figures {
    let mut f = Figures::default();
    let hub_want = wanted(&e.hub_refs, &e.hub_at, e, server);
    let mid_want = wanted(&e.mid_refs, &e.mid_at, e, server);
    // Ready: repeat the request until the answer is complete (a server may
    // answer while it still indexes), or until it stops changing.
    let mut times = Vec::new();
    let mut verdict = Verdict::default();
    let mut lsp = None;
    for _ in 0..ready_runs.max(1) {
        drop(lsp.take());
        let spawn = Instant::now();
        let mut s = start(server, root);
        open(&mut s, e, &e.hub_at.note);
        let mut last: Option<Vec<Loc>> = None;
        let mut same = 0;
        let mut asked = 0;
        let (time, got) = loop {
            asked += 1;
            let got = references(&mut s, root, e, server, &e.hub_at);
            let elapsed = spawn.elapsed();
            if compare_refs(&got, &hub_want, &e.hub, server).flaw.is_none() {
                break (elapsed, got);
            }
            same = if last.as_ref().is_some_and(|l| l.len() == got.len()) {
                same + 1
            } else {
                0
            };
            if (same >= 5 && elapsed > Duration::from_secs(2)) || elapsed > Duration::from_secs(120)
            {
                break (elapsed, got);
            }
            last = Some(got);
            std::thread::sleep(Duration::from_millis(20));
        };
        times.push(time);
        eprintln!(
            "{}: {} locations after {asked} requests, {:.1} s",
            server.name,
            got.len(),
            time.as_secs_f64()
        );
        verdict = compare_refs(&got, &hub_want, &e.hub, server);
        f.rss_ready = memory_kib(s.pid()).map_or(0, |(_, rss)| rss);
        lsp = Some(s);
    }
    let mut lsp = lsp.unwrap();
    f.ready = Some(Measured {
        samples: Samples::new(times),
        flaw: verdict.flaw.clone(),
        remark: verdict.remark.clone(),
    });

    eprintln!(
        "{}: ready in {}; references ...",
        server.name,
        f.ready.as_ref().unwrap().samples.brief()
    );
    let hub = Samples::time_within(10, BUDGET, |_| {
        std::hint::black_box(references(&mut lsp, root, e, server, &e.hub_at));
    });
    f.hub = Some(Measured {
        samples: hub,
        flaw: verdict.flaw,
        remark: verdict.remark,
    });
    open(&mut lsp, e, &e.mid_at.note);
    let got = references(&mut lsp, root, e, server, &e.mid_at);
    let verdict = compare_refs(&got, &mid_want, &e.mid, server);
    let mid = Samples::time_within(50, BUDGET, |_| {
        std::hint::black_box(references(&mut lsp, root, e, server, &e.mid_at));
    });
    f.mid = Some(Measured {
        samples: mid,
        flaw: verdict.flaw,
        remark: verdict.remark,
    });

    eprintln!("{}: definition ...", server.name);
    // Definition: every link of the dense note once (checked), then round robin.
    let text = &e.texts[&e.dense];
    let uri = open(&mut lsp, e, &e.dense);
    let mut wrong = Vec::new();
    let samples = Samples::time_within(300, BUDGET, |i| {
        let k = i % e.dense_links.len();
        let (offset, want) = &e.dense_links[k];
        let pos = json_pos(position(text, *offset, server.columns));
        let r = lsp
            .request(
                "textDocument/definition",
                json!({ "textDocument": { "uri": uri }, "position": pos }),
            )
            .unwrap_or(Value::Null);
        if i < e.dense_links.len() {
            let got = first_location(&r).and_then(|u| relative(root, &u));
            if got != *want {
                wrong.push(*offset);
            }
        }
    });
    let flaw = (!wrong.is_empty()).then(|| {
        let examples: Vec<String> = wrong
            .iter()
            .take(3)
            .map(|&o| {
                let link = e
                    .snap
                    .note(&e.dense)
                    .unwrap()
                    .facts
                    .links
                    .iter()
                    .find(|l| l.span.start as usize + 2 == o);
                link.map_or(String::new(), |l| {
                    text[l.span.start as usize..l.span.end as usize].to_string()
                })
            })
            .collect();
        format!(
            "{} of {} definitions lead elsewhere than carnet's resolution (e.g. {})",
            wrong.len(),
            e.dense_links.len(),
            examples.join(", ")
        )
    });
    f.definition = Some(Measured {
        samples,
        flaw,
        remark: None,
    });

    eprintln!("{}: completion ...", server.name);
    // Completion after non-ASCII prose; first check that completing each
    // full name offers that note.
    let scratch_rel = "bench-scratch.md";
    let scratch = lsp.open_text(scratch_rel, "");
    let mut version = 1;
    let mut complete = |lsp: &mut client::Lsp, typed: &str| -> (Duration, Vec<String>) {
        version += 1;
        let text = format!("{}{typed}", e.prose);
        lsp.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": scratch, "version": version }, "contentChanges": [{ "text": text }] }),
        );
        let pos = json_pos(position(&text, text.len(), server.columns));
        let t = Instant::now();
        let r = lsp
            .request(
                "textDocument/completion",
                json!({ "textDocument": { "uri": scratch }, "position": pos }),
            )
            .unwrap_or(Value::Null);
        let elapsed = t.elapsed();
        let items = r.get("items").unwrap_or(&r);
        // Everything an item shows or inserts: servers put the name in
        // different places.
        let labels = items
            .as_array()
            .into_iter()
            .flatten()
            .map(|i| {
                [
                    &i["label"],
                    &i["filterText"],
                    &i["insertText"],
                    &i["textEdit"]["newText"],
                ]
                .iter()
                .filter_map(|v| v.as_str())
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase()
            })
            .collect();
        (elapsed, labels)
    };
    let checked = e.names.len().min(5);
    let mut missed = Vec::new();
    for name in &e.names[..checked] {
        let (_, labels) = complete(&mut lsp, &format!("[[{name}"));
        let want = name.to_lowercase();
        if !labels.iter().any(|l| l.contains(&want)) {
            missed.push(name.as_str());
        }
    }
    let mut times = Vec::new();
    let mut empty = 0;
    let start = Instant::now();
    'outer: for n in 1..=3 {
        for name in &e.names {
            if times.len() >= 3 && start.elapsed() > BUDGET {
                break 'outer;
            }
            let prefix: String = name.chars().take(n).collect();
            let (t, labels) = complete(&mut lsp, &format!("[[{prefix}"));
            empty += labels.is_empty() as usize;
            times.push(t);
        }
    }
    let flaw = (!missed.is_empty() || empty > 0).then(|| {
        format!(
            "completing the full name offered no item naming the note for {} of {checked} names (e.g. {:?}); {empty} of {} answers empty",
            missed.len(),
            missed.first().copied().unwrap_or(""),
            times.len()
        )
    });
    f.completion = Some(Measured {
        samples: Samples::new(times),
        flaw,
        remark: None,
    });
    f.rss_peak = memory_kib(lsp.pid()).map_or(0, |(peak, _)| peak);
    // No shutdown: markdown-oxide exits on it without answering; Drop kills.
    drop(lsp);
    f
}

fn report(results: &[(&str, Figures)]) {
    let carnet = &results[0].1;
    print!("\n| measure (p50) |");
    for (name, _) in results {
        if *name == "carnet" {
            print!(" {name} |");
        } else {
            print!(" {name} | {name} ÷ carnet |");
        }
    }
    println!();
    println!("|---|{}", "---|".repeat(2 * results.len() - 1));
    type Pick = fn(&Figures) -> &Option<Measured>;
    let rows: [(&str, Pick); 5] = [
        ("ready (first complete hub references)", |f| &f.ready),
        ("references hub", |f| &f.hub),
        ("references ~1k", |f| &f.mid),
        ("definition", |f| &f.definition),
        ("completion `[[` + 1–3 chars", |f| &f.completion),
    ];
    let mut flaws = Vec::new();
    let mut remarks = Vec::new();
    for (label, pick) in rows {
        print!("| {label} |");
        let base = pick(carnet).as_ref().map(|m| m.samples.p50());
        for (name, f) in results {
            let cell = match pick(f) {
                Some(m) => {
                    let mut mark = if let Some(flaw) = &m.flaw {
                        flaws.push(format!("{name}, {label}: {flaw}"));
                        format!(" (incomplete [{}])", flaws.len())
                    } else {
                        String::new()
                    };
                    if let Some(remark) = &m.remark {
                        remarks.push(format!("{name}, {label}: {remark}"));
                        mark += &format!(" (note {})", remarks.len());
                    }
                    let ratio = match base {
                        Some(b) if m.flaw.is_none() && *name != "carnet" => {
                            format!("{:.1}×", m.samples.p50().as_secs_f64() / b.as_secs_f64())
                        }
                        _ => "–".into(),
                    };
                    (format!("{}{mark}", measure::show(m.samples.p50())), ratio)
                }
                None => ("–".into(), "–".into()),
            };
            if *name == "carnet" {
                print!(" {} |", cell.0);
            } else {
                print!(" {} | {} |", cell.0, cell.1);
            }
        }
        println!();
    }
    print!("| RSS after ready / peak |");
    for (name, f) in results {
        let cell = format!("{} / {}", mb(f.rss_ready), mb(f.rss_peak));
        if *name == "carnet" {
            print!(" {cell} |");
        } else {
            let ratio = f.rss_peak as f64 / carnet.rss_peak.max(1) as f64;
            print!(" {cell} | {ratio:.1}× |");
        }
    }
    println!();
    println!("\np95 for reference:\n");
    for (name, f) in results {
        let all = [&f.ready, &f.hub, &f.mid, &f.definition, &f.completion];
        let cells: Vec<String> = all
            .iter()
            .map(|m| {
                m.as_ref()
                    .map_or("–".into(), |m| measure::show(m.samples.p95()))
            })
            .collect();
        println!(
            "- {name}: ready / hub / ~1k / definition / completion p95 = {}",
            cells.join(" / ")
        );
    }
    if !flaws.is_empty() {
        println!("\nIncomplete or wrong answers (timed, but no ratio):\n");
        for (i, flaw) in flaws.iter().enumerate() {
            println!("{}. {flaw}", i + 1);
        }
    }
    if !remarks.is_empty() {
        println!("\nNotes on complete answers:\n");
        for (i, remark) in remarks.iter().enumerate() {
            println!("{}. {remark}", i + 1);
        }
    }
}
