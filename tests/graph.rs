//! Black-box tests of `carnet graph` and `carnet report`: the built binary on
//! the corpora (edges compared with the ground truth's resolution, computed
//! by a script that is not carnet) and on vaults written by each test; DOT
//! and GraphML output read back by Graphviz and networkx.

mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;
use serde_json::json;
use support::lsp::Lsp;
use support::{Vault, carnet, corpora};

fn ok_stdout(o: Output) -> String {
    assert!(
        o.status.success(),
        "carnet failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).expect("UTF-8 output")
}

/// What a tool prints, once it has succeeded.
fn output_of(command: &mut Command) -> String {
    let out = command.output().expect("the tool runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

fn json(args: &[&str], cwd: &Path) -> Value {
    serde_json::from_str(&ok_stdout(carnet(args, cwd))).expect("JSON output")
}

/// CI (and `CARNET_REQUIRE_GRAPH_TOOLS=1`) must have every tool these tests use.
fn required() -> bool {
    support::in_ci() || std::env::var("CARNET_REQUIRE_GRAPH_TOOLS").is_ok_and(|v| v == "1")
}

/// Whether `program --version`-like `probe` runs; skips (or fails in CI) if not.
fn have(what: &str, program: &str, probe: &[&str]) -> bool {
    let found = Command::new(program)
        .args(probe)
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            !required(),
            "{what} is missing ({program}); .ci/run installs it"
        );
        eprintln!("SKIPPED: {what} not found ({program})");
    }
    found
}

type EdgeKey = (String, String, String);

/// (source, target, kind) → number of links, from `carnet graph` JSON.
fn edge_counts(graph: &Value) -> BTreeMap<EdgeKey, u64> {
    let kinds: BTreeMap<&str, &str> = graph["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["path"].as_str().unwrap(), n["kind"].as_str().unwrap()))
        .collect();
    let mut out = BTreeMap::new();
    for e in graph["edges"].as_array().unwrap() {
        let (s, t) = (e["source"].as_str().unwrap(), e["target"].as_str().unwrap());
        assert!(
            kinds.contains_key(s) && kinds.contains_key(t),
            "edge {e} has both ends"
        );
        let target = match kinds[t] {
            "note" => t.to_string(),
            _ => format!("missing:{}", t.to_lowercase().trim_end_matches(".md")),
        };
        *out.entry((
            s.to_string(),
            target,
            e["kind"].as_str().unwrap().to_string(),
        ))
        .or_default() += e["count"].as_u64().unwrap();
    }
    out
}

/// Whether a markdown link's relative path climbs out of the vault.
fn climbs_out(source: &str, target: &str) -> bool {
    let mut depth = source.matches('/').count() as i64;
    for part in target.split('/') {
        match part {
            ".." => depth -= 1,
            "." | "" => {}
            _ => depth += 1,
        }
        if depth < 0 {
            return true;
        }
    }
    false
}

/// `dir/target` with `.` and `..` worked out and `.md` dropped.
fn joined(dir: &str, target: &str) -> String {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in target.trim_end_matches(".md").split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// Ground-truth rows that are not links, checked by hand: (vault, source,
/// line, target, why). The ground-truth script sees neither as prose.
const NOT_LINKS: &[(&str, &str, u32, &str, &str)] = &[
    (
        "obsidian-help_en",
        "Editing and formatting/Advanced formatting syntax.md",
        61,
        "Basic formatting syntax",
        FENCE,
    ),
    (
        "obsidian-help_fr",
        "Édition et mise en forme/Syntaxe de mise en forme avancée.md",
        61,
        "Syntaxe de mise en forme de base",
        FENCE,
    ),
    (
        "obsidian-help_ru",
        "Редактирование и форматирование/Расширенный синтаксис форматирования.md",
        61,
        "Основной синтаксис форматирования",
        FENCE,
    ),
    (
        "obsidian-help_zh",
        "编辑与格式化/高级格式语法.md",
        51,
        "Basic formatting syntax",
        FENCE,
    ),
    ("obsidian-help_fr", "Bases/Vues.md", 45, "Propriétés", TABLE),
    ("obsidian-help_ru", "Bases/Виды.md", 46, "Свойства", TABLE),
    (
        "obsidian-help_ru",
        "Bases/Виды.md",
        48,
        "Основной синтаксис форматирования",
        TABLE,
    ),
    (
        "obsidian-help_ru",
        "Obsidian Publish/Управление сайтами.md",
        81,
        "Файловый менеджер",
        TABLE,
    ),
    (
        "obsidian-help_ru",
        "Obsidian Publish/Управление сайтами.md",
        85,
        "Структура",
        TABLE,
    ),
    (
        "obsidian-help_zh",
        "Obsidian Sync/Headless Sync.md",
        85,
        "版本历史",
        TABLE,
    ),
    (
        "obsidian-help_zh",
        "Obsidian Sync/Headless Sync.md",
        86,
        "设置文件夹",
        TABLE,
    ),
];
const FENCE: &str = "in a ```md fence inside a `> [!note]` callout: code (tests/check.rs \
                     lists the zh one, a broken link)";
const TABLE: &str = "`[[Target|alias]]` in a table row: the unescaped `|` ends the cell, \
                     as the help vault itself says (write `\\|`), so there is no link";

#[test]
fn corpus_graphs_are_exactly_the_links_that_resolve() {
    let Some(corpora) = corpora() else { return };
    let mut all_diffs = Vec::new();
    for &(name, root) in support::GROUND_TRUTH_VAULTS {
        let tsv = std::fs::read_to_string(
            corpora
                .join("ground-truth")
                .join(format!("{name}.links.tsv")),
        )
        .expect("ground truth");
        let mut want: BTreeMap<EdgeKey, u64> = BTreeMap::new();
        let mut want_resolved = 0;
        for row in tsv.lines().skip(1) {
            let c: Vec<&str> = row.split('\t').collect();
            let (kind, source, raw, target, status) = (c[0], c[1], c[3], c[4], c[6]);
            let mut resolved = c[7];
            let line: u32 = c[2].parse().unwrap();
            if NOT_LINKS
                .iter()
                .any(|e| (e.0, e.1, e.2, e.3) == (name, source, line, target))
            {
                continue;
            }
            // Where Obsidian 1.13's tie-break and the ground truth's differ,
            // the edge goes where the link resolves (tests/check.rs checks each).
            if let Some(rule) = support::FOLDER_RULE
                .iter()
                .find(|r| (r.0, r.1, r.2, r.3) == (name, source, line, raw))
            {
                assert_eq!(rule.5, resolved, "{rule:?}");
                resolved = rule.4;
            }
            let kind = match kind {
                "wiki" => "wiki",
                "embed" => "embed",
                "wiki-fm" => "frontmatter",
                "mdlink" => "markdown",
                other => panic!("unknown kind {other}"),
            };
            let base = status.split('+').next().unwrap();
            let to = match base {
                "ok" | "ok-ambiguous" if resolved != source => {
                    want_resolved += 1;
                    resolved.to_string()
                }
                "broken" | "broken-alias"
                    if !(kind == "markdown" && climbs_out(source, target)) =>
                {
                    // The missing note, by the path it would be created at:
                    // beside the linking note for markdown and `./` links.
                    let relative = kind == "markdown" || target.starts_with('.');
                    let dir = match source.rsplit_once('/') {
                        Some((dir, _)) if relative => dir,
                        _ => "",
                    };
                    format!("missing:{}", joined(dir, target).to_lowercase())
                }
                _ => continue,
            };
            *want
                .entry((source.to_string(), to, kind.to_string()))
                .or_default() += 1;
        }
        let vault = corpora.join(root);
        let got = edge_counts(&json(&["graph", "--include-unresolved"], &vault));
        let mut diffs = Vec::new();
        for k in want.keys().chain(got.keys()) {
            let (w, g) = (want.get(k).copied(), got.get(k).copied());
            if w != g && !diffs.iter().any(|d: &String| d.contains(&k.0)) {
                diffs.push(format!("{k:?}: ground truth {w:?}, graph {g:?}"));
            }
        }
        all_diffs.extend(diffs.into_iter().map(|d| format!("{name}: {d}")));
        // Without --include-unresolved: only the edges between notes.
        let notes_only = edge_counts(&json(&["graph"], &vault));
        let resolved: u64 = notes_only.values().sum();
        if resolved != want_resolved {
            all_diffs.push(format!(
                "{name}: {resolved} links between notes, ground truth {want_resolved}"
            ));
        }
        assert!(resolved > 50, "{name}: a real graph ({resolved} links)");
        assert!(notes_only.keys().all(|k| !k.1.starts_with("missing:")));
    }
    assert!(
        all_diffs.is_empty(),
        "graphs differ from the ground truth:\n{}",
        all_diffs.join("\n")
    );
}

#[test]
fn corpus_graph_nodes_count_their_backlinks() {
    let Some(corpora) = corpora() else { return };
    let vault = corpora.join("obsidian-help/en");
    let g = json(&["graph"], &vault);
    let nodes = g["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 173, "every note is a node");
    // Backlinks counted independently, from the edges: distinct linking notes.
    let mut linkers: BTreeMap<&str, std::collections::BTreeSet<&str>> = BTreeMap::new();
    for e in g["edges"].as_array().unwrap() {
        linkers
            .entry(e["target"].as_str().unwrap())
            .or_default()
            .insert(e["source"].as_str().unwrap());
    }
    for n in nodes {
        let path = n["path"].as_str().unwrap();
        let count = linkers.get(path).map_or(0, |s| s.len()) as u64;
        assert_eq!(n["backlinks"].as_u64(), Some(count), "{path}");
    }
    // Deterministic: the same bytes twice.
    let a = ok_stdout(carnet(&["graph", "--format", "dot"], &vault));
    let b = ok_stdout(carnet(&["graph", "--format", "dot"], &vault));
    assert_eq!(a, b);
}

fn purpose_built() -> Vault {
    Vault::new(&[
        (
            "Hub.md",
            "# Hub\n[[Leaf one]] [[Leaf two]] [[Never written]] [[never written#Part]]\n",
        ),
        ("Leaf one.md", "[[Hub]] and [[Wish]]\n"),
        (
            "Leaf two.md",
            "---\nup: \"[[Hub]]\"\ntags: [leaf]\n---\n![[Never written]]\n",
        ),
        (
            "Lonely.md",
            "#leaf nothing links here, and [[Lonely|itself]] only\n",
        ),
        (
            "sub/Deep.md",
            "[Hub](../Hub.md) [gone](Gone.md) [out](../../x.md) ![[pic.png]]\n",
        ),
    ])
}

#[test]
fn report_finds_orphans_dead_ends_and_wanted_notes() {
    let v = purpose_built();
    let r = json(&["report", "--format", "json"], v.path());
    let paths = |key: &str| -> Vec<String> {
        r[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["path"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(r["notes"], 5);
    // A note's link to itself does not make it less of an orphan.
    assert_eq!(paths("orphans"), ["Lonely.md", "sub/Deep.md"]);
    // Broken links, attachments and paths out of the vault lead nowhere.
    assert_eq!(paths("dead_ends"), ["Lonely.md"]);
    let wanted: Vec<(String, u64, u64)> = r["wanted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["path"].as_str().unwrap().to_string(),
                w["links"].as_u64().unwrap(),
                w["notes"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        wanted,
        [
            ("Never written.md".to_string(), 3, 2),
            ("Wish.md".to_string(), 1, 1),
            // A markdown link's missing note is created beside the linking note.
            ("sub/Gone.md".to_string(), 1, 1),
        ]
    );
    let source = &r["wanted"][0]["sources"][0];
    assert_eq!(
        (
            source["path"].as_str(),
            source["line"].as_u64(),
            source["column"].as_u64()
        ),
        (Some("Hub.md"), Some(2), Some(27))
    );
    assert_eq!(r["hubs"][0]["path"], "Hub.md");
    assert_eq!(r["hubs"][0]["backlinks"], 3);
    assert_eq!(r["tags"][0]["tag"], "leaf");
    assert_eq!(r["tags"][0]["uses"], 2);

    let text = ok_stdout(carnet(&["report", "--limit", "1"], v.path()));
    assert!(text.starts_with("5 notes\n"), "{text}");
    assert!(text.contains("Orphans: 2 notes no other note links to\n  Lonely.md\n  sub/Deep.md\n"));
    assert!(
        text.contains(
            "3 links  Never written.md (from 2 notes: Hub.md:2:27, Hub.md:2:45, Leaf two.md:5:1)"
        ),
        "{text}"
    );
    assert!(
        !text.contains("Wish.md"),
        "--limit caps the wanted list: {text}"
    );
}

#[test]
fn graph_filters_from_the_command_line() {
    let v = purpose_built();
    let nodes = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["graph"];
        all.extend(args);
        json(&all, v.path())["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["path"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(nodes(&["--from", "Leaf one"]), ["Hub.md", "Leaf one.md"]);
    // `--from` takes a file as a shell names it, `%` in Vim.
    assert_eq!(
        nodes(&["--from", "sub/Deep.md", "--depth", "2"]),
        ["Hub.md", "Leaf one.md", "Leaf two.md", "sub/Deep.md"]
    );
    assert_eq!(
        nodes(&["--from", "Leaf one", "--include-unresolved"]),
        ["Hub.md", "Leaf one.md", "Wish.md"]
    );
    assert_eq!(nodes(&["--tag", "leaf"]), ["Leaf two.md", "Lonely.md"]);
    assert_eq!(nodes(&["--folder", "sub"]), ["sub/Deep.md"]);
    let from_elsewhere = carnet(
        &[
            "graph",
            "--from",
            &v.path().join("Lonely.md").display().to_string(),
            ".",
        ],
        v.path(),
    );
    assert!(ok_stdout(from_elsewhere).contains("\"Lonely.md\""));

    let bad = carnet(&["graph", "--from", "Nobody"], v.path());
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("no note \"Nobody\""));
    let bad = carnet(&["graph", "--depth", "2"], v.path());
    assert_eq!(bad.status.code(), Some(2));
    let bad = carnet(&["graph", "--format", "svg"], v.path());
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn dot_output_renders_with_graphviz() {
    if !have("Graphviz", "dot", &["-V"]) {
        return;
    }
    let v = purpose_built();
    v.write_bytes("Odd \"name\" \\ here.md", b"[[Hub]]\n");
    let dot = ok_stdout(carnet(
        &["graph", "--format", "dot", "--include-unresolved"],
        v.path(),
    ));
    let file = v.path().join("graph.dot");
    std::fs::write(&file, &dot).unwrap();
    // `-Tcanon` re-reads and prints the graph: every node and edge survived.
    let canon = output_of(Command::new("dot").args(["-Tcanon", file.to_str().unwrap()]));
    let g = json(&["graph", "--include-unresolved"], v.path());
    let edges = canon.lines().filter(|l| l.contains(" -> ")).count();
    assert_eq!(edges, g["edges"].as_array().unwrap().len(), "{canon}");
    assert!(canon.contains(r#""Odd \"name\" \\ here.md""#), "{canon}");
    let svg = Command::new("dot")
        .args(["-Tsvg", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(svg.status.success() && svg.stdout.starts_with(b"<?xml"));
}

#[test]
fn graphml_output_reads_back_in_networkx() {
    if !have("networkx", "python3", &["-c", "import networkx"]) {
        return;
    }
    let Some(corpora) = corpora() else { return };
    let vault = corpora.join("kepano-obsidian");
    let xml = ok_stdout(carnet(
        &["graph", "--format", "graphml", "--include-unresolved"],
        &vault,
    ));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("graph.graphml");
    std::fs::write(&file, &xml).unwrap();
    let script = r#"
import json, sys, networkx as nx
g = nx.read_graphml(sys.argv[1], force_multigraph=True)
print(json.dumps({
    "nodes": g.number_of_nodes(),
    "edges": g.number_of_edges(),
    "links": sum(d["count"] for _, _, d in g.edges(data=True)),
    "kinds": sorted({d["kind"] for _, d in g.nodes(data=True)}),
    "backlinks": {n: d["backlinks"] for n, d in g.nodes(data=True)},
}))
"#;
    let out = output_of(Command::new("python3").args(["-c", script, file.to_str().unwrap()]));
    let read: Value = serde_json::from_str(&out).unwrap();
    let g = json(&["graph", "--include-unresolved"], &vault);
    let nodes = g["nodes"].as_array().unwrap();
    assert_eq!(read["nodes"].as_u64(), Some(nodes.len() as u64));
    assert_eq!(
        read["edges"].as_u64(),
        Some(g["edges"].as_array().unwrap().len() as u64)
    );
    let links: u64 = g["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["count"].as_u64().unwrap())
        .sum();
    assert_eq!(read["links"].as_u64(), Some(links));
    assert_eq!(read["kinds"], serde_json::json!(["note", "unresolved"]));
    for n in nodes {
        assert_eq!(
            read["backlinks"][n["path"].as_str().unwrap()],
            n["backlinks"]
        );
    }
}

/// Node paths of a `carnet/graph` answer.
fn node_paths(answer: &Value) -> Vec<String> {
    answer["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["path"].as_str().unwrap().to_string())
        .collect()
}

fn located(answer: &Value) -> Vec<(String, u64, u64)> {
    answer
        .as_array()
        .expect("Location[]")
        .iter()
        .map(|l| {
            let path = support::lsp::path_of(l["uri"].as_str().unwrap());
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let start = &l["range"]["start"];
            (
                name,
                start["line"].as_u64().unwrap(),
                start["character"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn graph_request_and_report_commands_through_the_protocol() {
    for utf8 in [false, true] {
        let v = purpose_built();
        v.write_bytes("Leaf one.md", "[[Hub]] and ünïcödé [[Wish]]\n".as_bytes());
        let mut lsp = Lsp::start(v.path(), utf8);
        let commands = &lsp.init_result["capabilities"]["executeCommandProvider"]["commands"];
        assert!(
            commands
                .as_array()
                .unwrap()
                .contains(&json!("carnet.report.orphans"))
        );

        let whole = lsp.request("carnet/graph", json!({})).expect("graph");
        assert_eq!(
            whole["rootUri"].as_str().map(support::lsp::path_of),
            Some(v.path().canonicalize().unwrap())
        );
        assert_eq!(node_paths(&whole).len(), 5);
        // The same JSON as `carnet graph`, plus where its paths start.
        let cli = json(&["graph"], v.path());
        assert_eq!(whole["edges"], cli["edges"]);
        assert_eq!(whole["nodes"], cli["nodes"]);

        let leaf = lsp.open("Leaf one.md");
        let local = json!({"textDocument": {"uri": leaf}, "depth": 1, "includeUnresolved": true});
        let near = lsp.request("carnet/graph", local.clone()).expect("graph");
        assert_eq!(near["center"], "Leaf one.md");
        assert_eq!(node_paths(&near), ["Hub.md", "Leaf one.md", "Wish.md"]);
        // Edges as linked pairs of node indexes, for drawing.
        let pairs = lsp
            .request(
                "carnet/graph",
                json!({"textDocument": {"uri": leaf}, "depth": 1, "edges": "pairs"}),
            )
            .unwrap();
        assert_eq!(node_paths(&pairs), ["Hub.md", "Leaf one.md"]);
        assert_eq!(pairs["edges"], json!([[0, 1, 1], [1, 0, 1]]));
        // Without depth: the whole vault of that note.
        let all = lsp
            .request("carnet/graph", json!({"textDocument": {"uri": leaf}}))
            .unwrap();
        assert_eq!(node_paths(&all).len(), 5);

        // An unsaved edit shows at once.
        lsp.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": leaf, "version": 2},
                   "contentChanges": [{"text": "[[Hub]] and ünïcödé [[Wish]] [[Lonely]]\n"}]}),
        );
        let near = lsp.request("carnet/graph", local).expect("graph");
        assert_eq!(
            node_paths(&near),
            ["Hub.md", "Leaf one.md", "Lonely.md", "Wish.md"]
        );

        let run = |lsp: &mut Lsp, command: &str| {
            lsp.request(
                "workspace/executeCommand",
                json!({"command": command, "arguments": []}),
            )
            .expect("command runs")
        };
        assert_eq!(
            located(&run(&mut lsp, "carnet.report.orphans")),
            [("Deep.md".into(), 0, 0)]
        );
        assert_eq!(
            located(&run(&mut lsp, "carnet.report.deadEnds")),
            [("Lonely.md".into(), 0, 0)]
        );
        // Wanted links, the most wanted note's first; columns in the negotiated encoding.
        let col = if utf8 { 24 } else { 20 };
        assert_eq!(
            located(&run(&mut lsp, "carnet.report.wanted"))[3..],
            [("Leaf one.md".into(), 0, col), ("Deep.md".into(), 0, 17)]
        );
        assert_eq!(
            located(&run(&mut lsp, "carnet.report.hubs"))[0],
            ("Hub.md".into(), 0, 0)
        );
        assert_eq!(
            located(&run(&mut lsp, "carnet.report.tags")),
            [("Leaf two.md".into(), 2, 7), ("Lonely.md".into(), 0, 0)]
        );
        let bad = lsp.request(
            "workspace/executeCommand",
            json!({"command": "carnet.nope"}),
        );
        assert!(bad.is_err());
        // One argument names the vault (by a note or its folder) and caps the list.
        let capped = lsp.request(
            "workspace/executeCommand",
            json!({"command": "carnet.report.hubs",
                   "arguments": [{"textDocument": {"uri": leaf}, "limit": 1}]}),
        );
        assert_eq!(located(&capped.unwrap()), [("Hub.md".into(), 0, 0)]);
        let bad = lsp.request(
            "workspace/executeCommand",
            json!({"command": "carnet.report.hubs", "arguments": [{"limit": "many"}]}),
        );
        assert!(bad.is_err());

        // The vault by its folder; a folder that is no vault has no graph.
        let root = support::lsp::uri(&lsp.root);
        let by_root = lsp.request("carnet/graph", json!({"root": root})).unwrap();
        assert_eq!(node_paths(&by_root).len(), 5);
        let elsewhere = support::lsp::uri(&v.path().join("sub"));
        let none = lsp
            .request("carnet/graph", json!({"root": elsewhere}))
            .unwrap();
        assert_eq!(none["rootUri"], Value::Null);
        assert_eq!(node_paths(&none).len(), 0);
        // Bad parameters are errors, not a graph.
        assert!(
            lsp.request("carnet/graph", json!({"edges": "all"}))
                .is_err()
        );
        let stray = support::lsp::uri(&std::env::temp_dir().join("nowhere/stray.md"));
        let outside = json!({"textDocument": {"uri": stray}, "depth": 1});
        assert!(lsp.request("carnet/graph", outside).is_err());
        lsp.shutdown();
    }
}

/// The report commands' locations, exact in both encodings: each link that
/// wants a missing note, each use of each tag (front matter included).
#[test]
fn report_commands_answer_exact_locations_in_both_encodings() {
    let cases = [
        (
            "carnet.report.wanted",
            r#"
            //- a.md
            ünïcödé [[Gone]] 😀 [[gone|x]] %% [[Never]] %%
                    ^^^^^^^^   ^^^^^^^^^^
            //- sub/b.md
            [later](../Later.md) [[a]]
            ^^^^^^^^^^^^^^^^^^^^
            "#,
        ),
        (
            "carnet.report.tags",
            r#"
            //- a.md
            ---
            tags: [ünï]
                   ^^^
            ---
            ü #ünï 😀 #Ünï/sub `#code`
              ^^^^   ^^^^^^^^
            "#,
        ),
    ];
    support::both_encodings(|utf8| {
        for (command, fixture) in cases {
            let fixture = carnet::fixture::Fixture::parse(fixture);
            let v = Vault::from_fixture(&fixture);
            let mut lsp = Lsp::start(v.path(), utf8);
            let found = lsp
                .request("workspace/executeCommand", json!({"command": command}))
                .expect("the command runs");
            lsp.assert_marks(&fixture, &found);
            lsp.shutdown();
        }
    });
}
