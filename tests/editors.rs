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

fn required() -> bool {
    std::env::var("CARNET_REQUIRE_EDITORS").is_ok_and(|v| v == "1")
}

/// Skips (returns false) with a message, or fails when editors are required.
fn available(ok: bool, what: &str) -> bool {
    if !ok {
        assert!(!required(), "{what} (CARNET_REQUIRE_EDITORS=1)");
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
    source: String,
    line: usize,
    raw: String,
    target: String,
}

/// Ground-truth links (outside code) that resolve to `note`.
fn links_to(tsv: &str, note: &str) -> Vec<Row> {
    tsv.lines()
        .skip(1)
        .filter_map(|row| {
            let c: Vec<&str> = row.split('\t').collect();
            let ok = matches!(c[6].split('+').next(), Some("ok" | "ok-ambiguous" | "self"));
            (ok && c[7] == note).then(|| Row {
                source: c[1].to_string(),
                line: c[2].parse().unwrap(),
                raw: c[3].to_string(),
                target: c[4].to_string(),
            })
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
    let corpora = corpora()?;
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
    let file = dir.path().join("scenario.json");
    std::fs::write(&file, serde_json::to_vec_pretty(&sc).unwrap()).unwrap();
    Some(Scenario { dir, file })
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

#[test]
fn neovim_drives_carnet_end_to_end() {
    if !available(runs("nvim", "--version"), "nvim not found") {
        return;
    }
    let Some(sc) = scenario() else { return };
    let home = sc.dir.path().join("home");
    let mut cmd = Command::new("nvim");
    cmd.current_dir(repo())
        .args(["--headless", "-u", "NONE", "-i", "NONE", "-n"])
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
