//! Real editor clients drive the built server end to end, on a copy of
//! Obsidian's help vault: headless Neovim with editors/neovim, and VS Code's
//! client library with editors/vscode. Each script gets a scenario (the vault
//! and the answers expected there, computed here from the corpus ground
//! truth) and fails loudly on the first wrong answer.
//!
//! A missing `nvim` or `node`/node_modules skips its test with a message;
//! with `CARNET_REQUIRE_EDITORS=1` (set by .ci/run) it fails instead.

mod support;

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::lsp::copy_dir;
use support::{Folders, corpora, walk};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// CI (and `CARNET_REQUIRE_EDITORS=1`) must have every editor these tests drive.
fn required() -> bool {
    support::in_ci() || std::env::var("CARNET_REQUIRE_EDITORS").is_ok_and(|v| v == "1")
}

/// Skips (returns false) with a message, or fails when editors are required.
fn available(ok: bool, what: &str) -> bool {
    if !ok {
        assert!(!required(), "{what} (CI=true or CARNET_REQUIRE_EDITORS=1)");
        eprintln!("SKIPPED: {what}");
    }
    ok
}

fn runs(program: &str, arg: &str) -> bool {
    Command::new(program)
        .arg(arg)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A vault copy and what each editor must see in it.
struct Scenario {
    dir: tempfile::TempDir,
    file: PathBuf,
}

const SOURCE: &str = "Help and support.md";
const LINK: &str = "[[Command palette]]";
const TARGET: &str = "Plugins/Command palette.md";
const NEW_NAME: &str = "Palette of commands";
const EXPLORER_FROM: &str = "Getting started/Link notes.md";
const EXPLORER_TO: &str = "Getting started/Linking your notes.md";

struct Row {
    kind: String,
    source: String,
    line: usize,
    raw: String,
    target: String,
    subpath: String,
    status: String,
    resolved: String,
}

fn rows(tsv: &str) -> Vec<Row> {
    tsv.lines()
        .skip(1)
        .map(|row| {
            let c: Vec<&str> = row.split('\t').collect();
            Row {
                kind: c[0].to_string(),
                source: c[1].to_string(),
                line: c[2].parse().unwrap(),
                raw: c[3].to_string(),
                target: c[4].to_string(),
                subpath: c[5].to_string(),
                status: c[6].to_string(),
                resolved: c[7].to_string(),
            }
        })
        .collect()
}

/// Ground-truth links (outside code) that resolve to `note`.
fn links_to(tsv: &str, note: &str) -> Vec<Row> {
    rows(tsv)
        .into_iter()
        .filter(|r| {
            matches!(
                r.status.split('+').next(),
                Some("ok" | "ok-ambiguous" | "self")
            ) && r.resolved == note
        })
        .collect()
}

/// Each line holding a link to a renamed note, as it must read afterwards:
/// the link names `new_name`, and nothing else on the line changes. `lines`
/// holds the current text of lines already touched by earlier renames.
fn expected_lines(
    root: &Path,
    rows: &[Row],
    new_name: &str,
    lines: &mut BTreeMap<(String, usize), String>,
) -> Vec<Value> {
    let mut touched = Vec::new();
    for r in rows {
        // `[[#Heading]]` inside the note itself names no note: unchanged.
        if r.target.is_empty() {
            continue;
        }
        let key = (r.source.clone(), r.line);
        let text = lines.entry(key.clone()).or_insert_with(|| {
            let note = std::fs::read_to_string(root.join(&r.source)).unwrap();
            note.lines().nth(r.line - 1).unwrap().to_string()
        });
        let open = r.raw.find("[[").expect("a wiki-link or embed") + 2;
        assert!(
            r.raw[open..].starts_with(&r.target),
            "{}: link {} names {}",
            r.source,
            r.raw,
            r.target
        );
        let renamed = format!(
            "{}{new_name}{}",
            &r.raw[..open],
            &r.raw[open + r.target.len()..]
        );
        *text = text.replace(&r.raw, &renamed);
        if !touched.contains(&key) {
            touched.push(key);
        }
    }
    touched
        .into_iter()
        .map(|(source, line)| {
            let text = lines[&(source.clone(), line)].clone();
            json!({ "source": source, "line": line, "text": text })
        })
        .collect()
}

fn scenario() -> Option<Scenario> {
    let corpora = corpora();
    if !available(corpora.is_some(), "../shared/corpora not found") {
        return None;
    }
    let corpora = corpora?;
    let tsv = std::fs::read_to_string(corpora.join("ground-truth/obsidian-help_en.links.tsv"))
        .expect("ground truth of obsidian-help/en");
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("vault");
    std::fs::create_dir_all(root.join(".obsidian")).unwrap();
    copy_dir(&corpora.join("obsidian-help/en"), &root);
    // The corpora may be read-only; the editors save into the copy.
    for entry in walk(&root, Folders::Included) {
        let mut perms = std::fs::metadata(&entry).unwrap().permissions();
        perms.set_mode(perms.mode() | 0o200);
        std::fs::set_permissions(&entry, perms).unwrap();
    }

    let to_target = links_to(&tsv, TARGET);
    let references: Vec<String> = to_target
        .iter()
        .map(|r| format!("{}:{}", r.source, r.line))
        .collect();
    assert!(references.len() > 10, "{TARGET} is a busy note");
    let mut lines = BTreeMap::new();
    let backlinks = expected_lines(&root, &to_target, NEW_NAME, &mut lines);
    let explorer_name = Path::new(EXPLORER_TO)
        .file_stem()
        .unwrap()
        .to_str()
        .unwrap();
    let explorer = expected_lines(
        &root,
        &links_to(&tsv, EXPLORER_FROM),
        explorer_name,
        &mut lines,
    );
    let renamed = format!("Plugins/{NEW_NAME}.md");
    for new in [&renamed, EXPLORER_TO] {
        assert!(!root.join(new).exists(), "{new} must not exist yet");
    }
    let sc = json!({
        "root": root,
        "carnet": env!("CARGO_BIN_EXE_carnet"),
        "source": SOURCE,
        "link": LINK,
        "target": TARGET,
        // Definition lands on the note's first line.
        "target_line": 0,
        "references": references,
        "complete_query": "Command pal",
        "complete_label": "Command palette",
        "missing": "No such note e2e",
        "new_name": NEW_NAME,
        "renamed": renamed,
        "backlinks": backlinks,
        "explorer": { "from": EXPLORER_FROM, "to": EXPLORER_TO, "backlinks": explorer },
    });
    let sc = extend(sc, &tsv, &root, &mut lines);
    let file = dir.path().join("scenario.json");
    std::fs::write(&file, serde_json::to_vec_pretty(&sc).unwrap()).unwrap();
    Some(Scenario { dir, file })
}

/// The folder the VS Code suite moves in the Explorer, and its new name:
/// links into it are written with its path (`[[Obsidian Web Clipper/Templates]]`,
/// as `Templates` alone is ambiguous), so they must change exactly once.
const FOLDER_FROM: &str = "Obsidian Web Clipper";
const FOLDER_TO: &str = "Web Clipper";

/// The section of [`SOURCE`] the VS Code suite extracts into a note of its
/// own (`62-extract-section`): one other note links to its heading.
const EXTRACT_SECTION: &str = "Capture console logs";

/// Where the VS Code suite looks for the note whose unlinked-mentions lens
/// it reads and clicks (`06-mentions-lens`): the first, by path, mentioned
/// in a few notes, one of which mentions it more than once (there it links
/// them all with one quick fix).
const MENTIONED_IN: &str = "Plugins/";

/// The ground truth of `carnet.unlinkedMentions` (the library the server
/// answers from, on the untouched copy) for the note the suite uses: how
/// many, in which notes, and the note the suite links them in, with the
/// first mention's line (1-based), UTF-16 column (0-based) and the quick
/// fix's title.
fn mentions_in_vault(root: &Path) -> Value {
    type PerNote<'a> = BTreeMap<String, Vec<&'a carnet::answers::Mention>>;
    let loaded = carnet::vault::load(root).expect("index the vault copy");
    let snap = &loaded.snapshot;
    let text_of = |rel: &str, len: u64| carnet::vault::read_note_sized(&root.join(rel), len);
    let mut paths: Vec<String> = snap
        .notes()
        .map(|n| n.path.to_string())
        .filter(|p| p.starts_with(MENTIONED_IN))
        .collect();
    paths.sort();
    let (target, found) = paths
        .iter()
        .map(|t| {
            (
                t,
                carnet::answers::unlinked_mentions(snap, t, &text_of, &|| false),
            )
        })
        .find(|(_, found)| {
            let mut per_note: BTreeMap<&str, usize> = BTreeMap::new();
            for m in found {
                *per_note.entry(&m.at.path).or_default() += 1;
            }
            found.len() <= 30 && per_note.len() > 1 && per_note.values().any(|&n| n > 1)
        })
        .expect("a note mentioned in a few notes, twice in one");
    let mut per_note: PerNote = BTreeMap::new();
    for m in &found {
        per_note.entry(m.at.path.to_string()).or_default().push(m);
    }
    let (note, in_note) = per_note
        .iter()
        .max_by_key(|(path, ms)| (ms.len(), std::cmp::Reverse(path.as_str())))
        .unwrap();
    let text = std::fs::read_to_string(root.join(note)).unwrap();
    let at = in_note[0].at.span.start as usize;
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let name = carnet::answers::mention_label(snap, target);
    let fix = match in_note.len() {
        1 => format!("Link to {name}"),
        n => format!("Link all {n} mentions of {name} in this note"),
    };
    json!({
        "target": target,
        "count": found.len(),
        "notes": per_note.keys().collect::<Vec<_>>(),
        "fix": {
            "note": note,
            "count": in_note.len(),
            "line": text[..at].matches('\n').count() + 1,
            "column": text[line_start..at].encode_utf16().count(),
            "title": fix,
        },
    })
}

/// The notes the graph view is shown for: it opens on the first, a click on
/// the second (a neighbour of the first) opens it, and the third is opened
/// from Quick Open. None links to an attachment or a missing note, so each
/// local graph is the note and the notes it links with, by the ground truth.
const GRAPH_NOTES: [&str; 3] = [
    "Import notes/Import HTML files.md",
    "Import notes/Import from Apple Notes.md",
    "Plugins/Page preview.md",
];

/// The ground truth's local graph of `note` (depth 1): the note, the notes it
/// links to and the notes that link to it, sorted.
fn neighbourhood(all: &[Row], note: &str) -> Vec<String> {
    assert!(
        !all.iter()
            .any(|r| r.source == note && !r.status.starts_with("ok") && r.status != "self"),
        "{note} links only to notes that exist"
    );
    let mut nodes: Vec<String> = all
        .iter()
        .filter(|r| r.status.starts_with("ok") && r.source != r.resolved)
        .filter_map(|r| {
            if r.source == note {
                Some(r.resolved.clone())
            } else if r.resolved == note {
                Some(r.source.clone())
            } else {
                None
            }
        })
        .chain([note.to_string()])
        .collect();
    nodes.sort();
    nodes.dedup();
    nodes
}

/// What the real-VS Code suite checks beyond the shared scenario.
fn extend(
    mut sc: Value,
    tsv: &str,
    root: &Path,
    lines: &mut BTreeMap<(String, usize), String>,
) -> Value {
    let all = rows(tsv);
    let note_line = |rel: &str, want: &dyn Fn(&str) -> bool| -> usize {
        let text = std::fs::read_to_string(root.join(rel)).unwrap();
        text.lines().position(want).expect("the line in the target") + 1
    };
    // A wiki-link to a heading of another note, and one to a block.
    let pick = |block: bool| {
        let r = all
            .iter()
            .find(|r| {
                // Block links in this vault are all embeds.
                (r.kind == "wiki" || (block && r.kind == "embed"))
                    && r.status == "ok"
                    && !r.target.is_empty()
                    && r.resolved != r.source
                    && !r.subpath.is_empty()
                    && r.subpath.starts_with('^') == block
                    && !r.subpath.contains('#')
            })
            .expect("a link with a subpath");
        let line = if block {
            note_line(&r.resolved, &|l: &str| {
                l.trim_end().ends_with(&format!(" {}", r.subpath))
            })
        } else {
            note_line(&r.resolved, &|l: &str| {
                l.starts_with('#') && l.trim_start_matches('#').trim() == r.subpath
            })
        };
        json!({ "source": r.source, "source_line": r.line, "link": r.raw, "target": r.resolved, "line": line })
    };
    // Links with an alias near the top of the hovered note: the hover must
    // show the alias, linked to the note.
    let hover: Vec<Value> = all
        .iter()
        .filter(|r| {
            r.source == TARGET
                && r.kind == "wiki"
                && r.status == "ok"
                && r.subpath.is_empty()
                && r.raw.contains('|')
                && r.line < 10
        })
        .take(2)
        .map(|r| {
            let alias = r.raw.split_once('|').unwrap().1.trim_end_matches("]]");
            json!({ "text": alias, "path": r.resolved })
        })
        .collect();
    assert!(!hover.is_empty(), "{TARGET} starts with aliased links");
    // After the folder move: each line with a link written with the folder's
    // path names the new folder, in the note's new place.
    let prefix = format!("[[{FOLDER_FROM}/");
    let mut folder = Vec::new();
    for r in all.iter().filter(|r| r.raw.starts_with(&prefix)) {
        let key = (r.source.clone(), r.line);
        let text = lines.entry(key).or_insert_with(|| {
            let note = std::fs::read_to_string(root.join(&r.source)).unwrap();
            note.lines().nth(r.line - 1).unwrap().to_string()
        });
        *text = text.replace(&prefix, &format!("[[{FOLDER_TO}/"));
        let source = match r.source.strip_prefix(&format!("{FOLDER_FROM}/")) {
            Some(rest) => format!("{FOLDER_TO}/{rest}"),
            None => r.source.clone(),
        };
        folder.push(json!({ "source": source, "line": r.line, "text": text.clone() }));
    }
    assert!(folder.len() > 5, "links written with the folder's path");
    let graph: Vec<Value> = GRAPH_NOTES
        .iter()
        .map(|note| json!({ "note": note, "nodes": neighbourhood(&all, note) }))
        .collect();
    assert!(
        graph[0]["nodes"]
            .as_array()
            .unwrap()
            .contains(&json!(GRAPH_NOTES[1])),
        "{} is a neighbour of {}",
        GRAPH_NOTES[1],
        GRAPH_NOTES[0]
    );
    // Each backlink of the target as Find All References shows it: its note,
    // and the link, which carnet's entry highlights whole.
    let references: Vec<Value> = links_to(tsv, TARGET)
        .iter()
        .map(|r| json!({ "source": r.source, "link": r.raw }))
        .collect();
    // The section to extract: its heading's line, and the links to it.
    let linkers: Vec<Value> = all
        .iter()
        .filter(|r| r.resolved == SOURCE && r.subpath == EXTRACT_SECTION)
        .map(|r| json!({ "source": r.source, "line": r.line }))
        .collect();
    assert!(!linkers.is_empty(), "links to {SOURCE}#{EXTRACT_SECTION}");
    let extract = json!({
        "note": SOURCE,
        "heading": EXTRACT_SECTION,
        "line": note_line(SOURCE, &|l: &str| l.starts_with('#') && l.trim_start_matches('#').trim() == EXTRACT_SECTION),
        "linkers": linkers,
    });
    let mentions = mentions_in_vault(root);
    sc["vscode"] = json!({
        "mentions": mentions,
        "extract": extract,
        "references": references,
        "graph": graph,
        "heading": pick(false),
        "block": pick(true),
        "hover": { "links": hover },
        "folder": { "from": FOLDER_FROM, "to": FOLDER_TO, "backlinks": folder },
    });
    sc
}

/// Runs an editor script to completion (or kills it after `limit`), echoing
/// its output; panics with that output when it fails.
fn run(mut cmd: Command, limit: Duration, logs: &[PathBuf]) {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn the editor");
    let out = child.stdout.take().unwrap();
    let err = child.stderr.take().unwrap();
    let read = |mut r: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut s = String::new();
            let _ = r.read_to_string(&mut s);
            s
        })
    };
    let (out, err) = (read(Box::new(out)), read(Box::new(err)));
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let (out, err) = (out.join().unwrap(), err.join().unwrap());
    println!("{out}");
    eprintln!("{err}");
    let log: String = logs
        .iter()
        .filter_map(|l| std::fs::read_to_string(l).ok())
        .collect();
    match status {
        Some(s) if s.success() && out.contains("e2e: PASS") => {}
        Some(s) => panic!("{cmd:?} failed ({s}):\n{out}\n{err}\n{log}"),
        None => panic!("{cmd:?} timed out after {limit:?}:\n{out}\n{err}\n{log}"),
    }
}

/// Runs editors/neovim/test/e2e.lua in headless `nvim`. `clean` starts it
/// with `--clean` (0.11: filetype detection on, which vim.lsp.enable needs)
/// instead of `-u NONE` (0.7).
fn drive_neovim(nvim: &Path, clean: bool) {
    let Some(sc) = scenario() else { return };
    let home = sc.dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let mut json: Value = serde_json::from_slice(&std::fs::read(&sc.file).unwrap()).unwrap();
    json["plain"] = json!(sc.dir.path().join("plain"));
    json["home"] = json!(home);
    std::fs::write(&sc.file, serde_json::to_vec_pretty(&json).unwrap()).unwrap();
    let mut cmd = Command::new(nvim);
    cmd.current_dir(repo()).arg("--headless");
    if clean {
        cmd.arg("--clean");
    } else {
        cmd.args(["-u", "NONE"]);
    }
    cmd.args(["-i", "NONE", "-n"])
        .args(["--cmd", "set rtp^=editors/neovim"])
        .args(["-c", "luafile editors/neovim/test/e2e.lua"])
        .env("CARNET_E2E", &sc.file)
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("CARNET_LOG", "warn");
    // Neovim 0.7 logs to the cache folder, later versions to the state folder.
    let logs = ["cache", "state"].map(|d| home.join(d).join("nvim/lsp.log"));
    run(cmd, Duration::from_secs(300), &logs);
}

/// The `nvim` on PATH: 0.7.2 from Debian bookworm (vim.lsp.start_client).
#[test]
fn neovim_drives_carnet_end_to_end() {
    if !available(runs("nvim", "--version"), "nvim not found") {
        return;
    }
    drive_neovim(Path::new("nvim"), false);
}

/// Neovim 0.11.7 from ../shared/tools: the vim.lsp.config / vim.lsp.enable
/// path, with UTF-8 positions.
#[test]
fn neovim_0_11_drives_carnet_end_to_end() {
    let Some(nvim) = unpack_tool("nvim-0.11.7-linux-x86_64.tar.gz", "nvim") else {
        return;
    };
    let bin = nvim.join("bin/nvim");
    if !available(
        runs(bin.to_str().unwrap(), "--version"),
        "nvim 0.11 does not run (apt-get install libluajit-5.1-2 libunibilium4)",
    ) {
        return;
    }
    drive_neovim(&bin, true);
}

#[test]
fn vscode_client_drives_carnet_end_to_end() {
    let ext = repo().join("editors/vscode");
    if !available(runs("node", "--version"), "node not found")
        || !available(
            ext.join("node_modules/vscode-languageclient").is_dir(),
            "editors/vscode/node_modules missing (run `npm ci` in editors/vscode)",
        )
    {
        return;
    }
    let Some(sc) = scenario() else { return };
    let mut cmd = Command::new("node");
    cmd.current_dir(&ext)
        .arg("test/e2e.js")
        .env("CARNET_E2E", &sc.file);
    run(cmd, Duration::from_secs(300), &[]);
}

/// Where editors/vscode/test/real/install puts code-server and its Node.
fn code_server_install() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARNET_CODE_SERVER") {
        return dir.into();
    }
    let cache = std::env::var_os("CARNET_EDITORS_CACHE")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("XDG_CACHE_HOME").map(|d| PathBuf::from(d).join("carnet-editors"))
        })
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default())
                .join(".cache/carnet-editors")
        });
    cache.join("code-server-4.139.1-node-24.22.3")
}

/// Packages the extension as a user gets it: `carnet.vsix` (finds carnet
/// by setting or on PATH) and `carnet-linux-x64.vsix`, which carries this
/// build of carnet (stripped: a debug build is 120 MB).
fn package_extension(ext: &Path, out: &Path) -> (PathBuf, PathBuf) {
    let server = out.join("carnet");
    std::fs::copy(env!("CARGO_BIN_EXE_carnet"), &server).unwrap();
    let _ = Command::new("strip").arg(&server).status();
    let universal = out.join("carnet.vsix");
    let platform = out.join("carnet-linux-x64.vsix");
    for args in [
        vec!["--out".as_ref(), universal.as_os_str()],
        vec![
            "--target".as_ref(),
            "linux-x64".as_ref(),
            "--server".as_ref(),
            server.as_os_str(),
            "--out".as_ref(),
            platform.as_os_str(),
        ],
    ] {
        let status = Command::new("node")
            .current_dir(ext)
            .arg("scripts/package.js")
            .args(args)
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "packaging the extension failed");
    }
    (universal, platform)
}

/// The real VS Code: code-server with the extension installed from its
/// .vsix, driven from headless Chromium (editors/vscode/test/real).
#[test]
fn vscode_drives_carnet_in_code_server() {
    let ext = repo().join("editors/vscode");
    let install = code_server_install();
    let chromium = std::env::var("CARNET_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !available(runs("node", "--version"), "node not found")
        || !available(
            ext.join("node_modules/playwright-core").is_dir(),
            "editors/vscode/node_modules missing (run `npm ci` in editors/vscode)",
        )
        || !available(
            install.join(".complete").is_file(),
            &format!(
                "code-server not installed at {} (run editors/vscode/test/real/install)",
                install.display()
            ),
        )
        || !available(
            Path::new(&chromium).is_file(),
            &format!("{chromium} not found (apt-get install chromium)"),
        )
    {
        return;
    }
    let Some(sc) = scenario() else { return };
    let dir = sc.dir.path().join("vscode");
    std::fs::create_dir_all(&dir).unwrap();
    let (universal, platform) = package_extension(&ext, &dir);
    let mut json: Value = serde_json::from_slice(&std::fs::read(&sc.file).unwrap()).unwrap();
    json["vscode"]["dir"] = json!(dir);
    json["vscode"]["vsix_platform"] = json!(platform);
    // What the window starts with; the suite adds carnet.server.path.
    json["vscode"]["userSettings"] = json!({
        "workbench.startupEditor": "none",
        "chat.disableAIFeatures": true,
        "workbench.secondarySideBar.defaultVisibility": "hidden",
        "[markdown]": { "editor.wordWrap": "off" },
    });
    std::fs::write(&sc.file, serde_json::to_vec_pretty(&json).unwrap()).unwrap();
    let artifacts = repo().join("target/vscode-e2e");
    let mut cmd = Command::new("node");
    cmd.current_dir(&ext)
        .arg("test/real/run.js")
        .env("CARNET_E2E", &sc.file)
        .env("CARNET_CODE_SERVER", &install)
        .env("CARNET_VSIX", &universal)
        .env("CARNET_CHROMIUM", &chromium)
        .env("CARNET_ARTIFACTS", &artifacts);
    run(
        cmd,
        Duration::from_secs(900),
        &[dir.join("code-server.log")],
    );
}

/// The Helix snippet is valid TOML that wires carnet to markdown.
#[test]
fn helix_snippet_wires_carnet_to_markdown() {
    let text = std::fs::read_to_string(repo().join("editors/helix/languages.toml")).unwrap();
    let config: toml::Table = toml::from_str(&text).expect("languages.toml is TOML");
    assert_eq!(
        config["language-server"]["carnet"]["command"].as_str(),
        Some("carnet")
    );
    let markdown = config["language"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"].as_str() == Some("markdown"))
        .expect("a markdown language entry");
    let servers = markdown["language-servers"].as_array().unwrap();
    assert!(
        servers.iter().any(|s| s.as_str() == Some("carnet")
            || s.get("name").and_then(|n| n.as_str()) == Some("carnet")),
        "{servers:?}"
    );
}

/// VS Code types `[[` (auto-closed to `[[]]`), asks for completion there and
/// sends the next keystroke at once. The answer must fit the text the
/// request was made on: `Alpha`, since `]]` follows. Answered against the
/// buffer as it was after the keystroke, the item wrote `Alpha]]` and VS Code
/// produced `[[Alpha]]]]`. A big note opened just before keeps the indexer
/// busy, so the keystroke arrives while the request waits for it.
#[test]
fn completion_answers_the_text_it_was_asked_about() {
    let vault = support::Vault::new(&[
        ("Alpha.md", "# Alpha\n"),
        ("Beta.md", "# Beta\n"),
        ("Gamma.md", "# Gamma\n"),
    ]);
    let mut lsp = support::lsp::Lsp::start(vault.path(), false);
    let text = "# Gamma\n\nAlso [[]]\n";
    let gamma = lsp.open_text("Gamma.md", text);
    let at = lsp.pos_of(text, "[[]]", 2);
    // Caught up: the first answer is the plain one.
    let first = lsp
        .request(
            "textDocument/completion",
            json!({ "textDocument": { "uri": gamma }, "position": at }),
        )
        .unwrap();
    let alpha = |list: &Value| {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["label"] == "Alpha")
            .cloned()
            .expect("Alpha is offered")
    };
    assert_eq!(alpha(&first)["textEdit"]["newText"], "Alpha");

    let big: String = (0..40_000)
        .map(|i| format!("Line {i} links [[Alpha]] and #tag{i} with `code` and *emphasis*.\n"))
        .collect();
    lsp.open_text("Big.md", &big);
    let body = |id: i64| {
        json!({ "jsonrpc": "2.0", "id": id, "method": "textDocument/completion",
                "params": { "textDocument": { "uri": gamma }, "position": at } })
    };
    let change = json!({ "jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
        "textDocument": { "uri": gamma, "version": 2 },
        "contentChanges": [{ "range": { "start": at, "end": at }, "text": "A" }] } });
    // Both messages in one write, as a fast typist's editor sends them.
    let mut bytes = Vec::new();
    for msg in [body(9000), change] {
        let b = serde_json::to_vec(&msg).unwrap();
        bytes.extend(format!("Content-Length: {}\r\n\r\n", b.len()).into_bytes());
        bytes.extend(b);
    }
    lsp.send_raw(&bytes);
    let answer = lsp.response(9000).unwrap();
    let item = alpha(&answer);
    assert_eq!(
        item["textEdit"]["newText"], "Alpha",
        "the request was made on `[[]]`: {item}"
    );
    assert_eq!(item["textEdit"]["range"], json!({ "start": at, "end": at }));
}

/// Unpacks an editor build from ../shared/tools into target/editors once;
/// returns the folder, or None (with a skip message) when it is absent.
fn unpack_tool(tarball: &str, top: &str) -> Option<PathBuf> {
    let tools = repo().join("../shared/tools");
    let archive = tools.join(tarball);
    if !available(
        archive.is_file(),
        &format!("{} not found", archive.display()),
    ) {
        return None;
    }
    let into = repo()
        .join("target/editors")
        .join(tarball.trim_end_matches(".tar.gz"));
    if !into.join(top).is_dir() {
        let tmp = into.with_extension("unpacking");
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(&tmp).unwrap();
        let ok = Command::new("tar")
            .arg("xzf")
            .arg(&archive)
            .arg("-C")
            .arg(&tmp)
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "unpacking {}", archive.display());
        let _ = std::fs::remove_dir_all(&into);
        std::fs::rename(&tmp, &into).unwrap();
    }
    Some(into.join(top))
}

/// A terminal program in its own tmux server: keys in, screen out.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(dir: &Path, command: &[&str], env: &[(&str, &Path)]) -> Tmux {
        let socket = format!("carnet-e2e-{}-{}", std::process::id(), rand_suffix());
        let mut cmd = Command::new("tmux");
        cmd.args([
            "-L",
            &socket,
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-x",
            "160",
            "-y",
            "50",
        ])
        .arg("-c")
        .arg(dir)
        .arg("env");
        for (k, v) in env {
            cmd.arg(format!("{k}={}", v.display()));
        }
        let ok = cmd.args(command).status().is_ok_and(|s| s.success());
        assert!(ok, "tmux new-session failed");
        Tmux { socket }
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("tmux");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Keys by tmux name (`Escape`, `Enter`, `C-u`, `g`).
    fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.tmux(&["send-keys", "-t", "0", k]);
            // A key right after Escape would read as Alt+key.
            let pause = if *k == "Escape" { 400 } else { 40 };
            std::thread::sleep(Duration::from_millis(pause));
        }
    }

    /// Text typed literally.
    fn text(&self, text: &str) {
        self.tmux(&["send-keys", "-t", "0", "-l", text]);
    }

    fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", "0"])
    }

    /// Waits until the screen satisfies `pred`; panics with the screen.
    fn wait(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let screen = self.screen();
            if pred(&screen) {
                return screen;
            }
            if Instant::now() > deadline {
                // The screen as the failure left it, like the VS Code suite's screenshots.
                let shot = repo().join("target/helix-e2e.txt");
                let _ = std::fs::create_dir_all(repo().join("target"));
                let _ = std::fs::write(&shot, &screen);
                panic!(
                    "timed out waiting for {what} (screen saved to {}):\n{screen}",
                    shot.display()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.tmux(&["kill-server"]);
    }
}

fn rand_suffix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as u64
}

/// Helix 25.07.1 in tmux with editors/helix/languages.toml as its user
/// configuration (carnet on its PATH): `gd`, `gr`, `Space r` then
/// `:write-all`, completion after `[[` and a diagnostic, on a copy of
/// Obsidian's help vault. Helix negotiates UTF-8 positions.
#[test]
fn helix_drives_carnet_in_tmux() {
    if !available(runs("tmux", "-V"), "tmux not found (apt-get install tmux)") {
        return;
    }
    let Some(helix) = unpack_tool("helix-25.07.1-linux-x86_64.tar.gz", "helix") else {
        return;
    };
    let Some(sc) = scenario() else { return };
    let json: Value = serde_json::from_slice(&std::fs::read(&sc.file).unwrap()).unwrap();
    let root = PathBuf::from(json["root"].as_str().unwrap());
    let home = sc.dir.path().join("home");
    let config = home.join(".config/helix");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::copy(
        repo().join("editors/helix/languages.toml"),
        config.join("languages.toml"),
    )
    .unwrap();
    // `command = "carnet"`, as the user's PATH would have it.
    let bin = sc.dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_carnet"), bin.join("carnet")).unwrap();
    let path = PathBuf::from(format!("{}:/usr/bin:/bin", bin.display()));
    let hx = helix.join("hx");
    let hx = hx.to_str().unwrap();
    let term = Tmux::start(
        &root,
        &[hx, SOURCE],
        &[
            ("HOME", &home),
            ("XDG_CONFIG_HOME", &home.join(".config")),
            ("PATH", &path),
        ],
    );
    let status = |s: &str, what: &str| s.lines().rev().take(3).any(|l| l.contains(what));
    term.wait("the note", |s| status(s, SOURCE));
    // carnet is ready once the note's problems are counted in the status
    // line (the vault's copy lacks the images it embeds).
    term.wait("carnet's diagnostics in the status line", |s| {
        s.lines()
            .rev()
            .take(2)
            .any(|l| l.contains(SOURCE) && l.contains('●'))
    });
    // Cursor into the link (a search leaves it on the match's last
    // character, inside the name), then go to its definition.
    let to_link = || {
        term.keys(&["g", "g", "/"]);
        term.text(&regex_escape(LINK.trim_end_matches(']')));
        term.keys(&["Enter", ";"]);
    };
    to_link();
    term.keys(&["g", "d"]);
    term.wait("gd to open the target", |s| status(s, TARGET));
    term.keys(&["g", "a"]);
    term.wait("ga back to the note", |s| status(s, SOURCE));
    // References: the picker counts every backlink and the note itself.
    to_link();
    term.keys(&["g", "r"]);
    let refs = json["references"].as_array().unwrap().len() + 1;
    term.wait(&format!("{refs} references"), |s| {
        s.contains(&format!(" {refs}/{refs} "))
    });
    term.keys(&["Escape"]);
    // Rename from the link, then save every note it edited.
    to_link();
    term.keys(&["Space", "r"]);
    term.wait("the rename prompt", |s| s.contains("rename-to:"));
    term.keys(&["C-u"]);
    term.text(NEW_NAME);
    term.keys(&["Enter"]);
    term.wait("the rename to be applied", |s| {
        s.contains(&format!("[[{NEW_NAME}"))
    });
    term.text(":write-all");
    term.keys(&["Enter"]);
    let renamed = root.join(json["renamed"].as_str().unwrap());
    let deadline = Instant::now() + Duration::from_secs(30);
    while !renamed.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        renamed.exists() && !root.join(TARGET).exists(),
        "{TARGET} renamed on disk"
    );
    std::thread::sleep(Duration::from_secs(1));
    for b in json["backlinks"].as_array().unwrap() {
        let source = b["source"].as_str().unwrap();
        let rel = if source == TARGET {
            json["renamed"].as_str().unwrap()
        } else {
            source
        };
        let text = std::fs::read_to_string(root.join(rel)).unwrap();
        let line = text
            .lines()
            .nth(b["line"].as_u64().unwrap() as usize - 1)
            .unwrap_or("");
        assert_eq!(line, b["text"].as_str().unwrap(), "{rel} after the rename");
    }
    // Completion after `[[` of the renamed note (Helix closes the brackets;
    // Tab takes the item).
    term.keys(&["g", "e", "o"]);
    term.text(&format!("See [[{}", &NEW_NAME[..10]));
    term.wait("the completion menu", |s| {
        s.contains(&format!("{NEW_NAME} "))
    });
    term.keys(&["Tab", "Escape"]);
    let want = format!("See [[{NEW_NAME}]]");
    term.wait("the completed link", |s| {
        s.lines().any(|l| l.trim_end().ends_with(&want))
    });
    // A broken link: its problem in the diagnostics picker.
    term.keys(&["o"]);
    term.text("See [[No such note e2e]]");
    term.keys(&["Escape", "Space", "d"]);
    term.wait("the broken link's problem", |s| {
        s.contains("unresolved-link") && s.contains("No such n")
    });
    term.keys(&["Escape"]);
    term.text(":quit-all!");
    term.keys(&["Enter"]);
}

fn regex_escape(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            let special = "\\.+*?()|[]{}^$#&-~".contains(c);
            special.then_some('\\').into_iter().chain([c])
        })
        .collect()
}
