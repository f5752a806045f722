//! Black-box tests of `carnet check`: the built binary run on real vaults
//! (../shared/corpora, compared with their ground truth) and on small vaults
//! written by each test.

mod support;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Output;

use support::{Vault, carnet, corpora};

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("UTF-8 output")
}

/// (path, line, code) → count, from `--format json` output.
fn problems_json(out: &str, strip: &str) -> BTreeMap<(String, u32, String), u32> {
    let mut map = BTreeMap::new();
    for line in out.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("JSON line");
        if v["type"] != "problem" {
            continue;
        }
        let path = v["path"].as_str().unwrap();
        let path = path.strip_prefix(strip).unwrap_or(path).to_string();
        let key = (
            path,
            v["line"].as_u64().unwrap() as u32,
            v["code"].as_str().unwrap().to_string(),
        );
        *map.entry(key).or_insert(0) += 1;
    }
    map
}

/// Differences from the ground truth that we have checked by hand, with why.
const EXPLAINED: &[(&str, &str, u32, &str, &str)] = &[
    (
        "obsidian-help_zh",
        "编辑与格式化/高级格式语法.md",
        51,
        "unresolved-link",
        "the link sits in a ```md fence inside a `> [!note]` callout: it is code, \
         which the ground-truth script did not see",
    ),
    (
        "foam-docs",
        "user/recipes/generate-material-for-mkdocs-site.md",
        35,
        "unresolved-heading",
        "the ground truth leaves out markdown `(#fragment)` links to the same note; \
         this one names a heading that was renamed, a real broken link",
    ),
    (
        "foam-docs",
        "user/recipes/generate-material-for-mkdocs-site.md",
        39,
        "unresolved-heading",
        "same as line 35: a `(#fragment)` self-link to a renamed heading",
    ),
];

#[test]
fn corpora_match_ground_truth() {
    let Some(corpora) = corpora() else { return };
    let mut compared = 0;
    for &(name, root) in support::GROUND_TRUTH_VAULTS {
        let truth_file = corpora
            .join("ground-truth")
            .join(format!("{name}.links.tsv"));
        let Ok(tsv) = std::fs::read_to_string(&truth_file) else {
            support::corpus_missing(&format!("no ground truth for {name}"));
            continue;
        };
        let mut want: BTreeMap<(String, u32, String), u32> = BTreeMap::new();
        for row in tsv.lines().skip(1) {
            let cols: Vec<&str> = row.split('\t').collect();
            let (source, line, status) = (cols[1], cols[2].parse::<u32>().unwrap(), cols[6]);
            let mut add = |code: &str| {
                *want
                    .entry((source.to_string(), line, code.to_string()))
                    .or_insert(0) += 1
            };
            match status.split('+').next().unwrap() {
                "broken" | "broken-alias" => add("unresolved-link"),
                "ok-ambiguous" => add("ambiguous-link"),
                _ => {}
            }
            if status.contains("+heading-missing") {
                add("unresolved-heading");
            }
            if status.contains("+block-missing") {
                add("unresolved-block");
            }
        }
        let vault = corpora.join(root);
        let out = carnet(&["check", "--format", "json", "."], &vault);
        assert_eq!(
            out.status.code(),
            Some(if want.keys().any(|k| k.2 == "unresolved-link") {
                1
            } else {
                0
            })
        );
        let mut got = problems_json(&stdout(&out), "");
        // The corpora ship without images, so missing attachments are not
        // compared; the ground truth knows links only, not tags.
        got.retain(|k, _| k.2 != "unresolved-attachment" && !k.2.starts_with("tag-"));

        let explained = |k: &(String, u32, String)| {
            EXPLAINED
                .iter()
                .any(|e| e.0 == name && e.1 == k.0 && e.2 == k.1 && e.3 == k.2)
        };
        let mut diffs = Vec::new();
        for (k, n) in &want {
            let g = got.get(k).copied().unwrap_or(0);
            if g < *n && !explained(k) {
                diffs.push(format!("missing {k:?}"));
            }
        }
        for (k, n) in &got {
            let w = want.get(k).copied().unwrap_or(0);
            if *n > w && !explained(k) {
                diffs.push(format!("extra {k:?}"));
            }
        }
        assert!(
            diffs.is_empty(),
            "{name}: differences from ground truth:\n{}",
            diffs.join("\n")
        );
        assert!(want.len() > 3, "{name}: ground truth should list problems");
        compared += 1;
    }
    assert!(compared > 0 || corpora.join("ground-truth").read_dir().is_err());
}

#[test]
fn text_output_is_sorted_with_byte_columns_and_summary() {
    let v = Vault::new(&[
        ("b.md", "x [[Missing]]\n"),
        (
            "a.md",
            "Café [[Nowhere]] and [[b#Nope]] and [[b]]\n[[t]] ![[pic.png]]\n",
        ),
        ("x/t.md", ""),
        ("y/t.md", ""),
    ]);
    let out = carnet(&["check", "."], v.path());
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        &lines[..lines.len() - 1],
        [
            "a.md:1:7: error: no note named \"Nowhere\" [unresolved-link]",
            "a.md:1:23: warning: no heading \"Nope\" in \"b\" [unresolved-heading]",
            "a.md:2:1: warning: \"t\" matches 2 notes: x/t.md, y/t.md; using x/t.md [ambiguous-link]",
            "a.md:2:7: warning: no file named \"pic.png\" [unresolved-attachment]",
            "b.md:1:3: error: no note named \"Missing\" [unresolved-link]",
        ]
    );
    let summary = lines.last().unwrap();
    assert!(
        summary.starts_with("checked 4 notes, 6 links in ")
            && summary.ends_with(": 2 errors, 3 warnings"),
        "{summary}"
    );
}

#[test]
fn json_output_and_exit_status() {
    let v = Vault::new(&[("a.md", "[[b]] [[b#^gone]]\n"), ("b.md", "text ^here\n")]);
    let out = carnet(&["check", "--format", "json"], v.path());
    assert_eq!(out.status.code(), Some(0), "warnings alone do not fail");
    let text = stdout(&out);
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["code"], "unresolved-block");
    assert_eq!(lines[0]["path"], "a.md");
    assert_eq!(lines[0]["line"], 1);
    assert_eq!(lines[0]["column"], 7);
    assert_eq!(lines[0]["severity"], "warning");
    assert_eq!(lines[1]["type"], "summary");
    assert_eq!(lines[1]["notes"], 2);
    assert_eq!(lines[1]["links"], 2);
    assert_eq!(lines[1]["errors"], 0);
    assert_eq!(lines[1]["warnings"], 1);
    assert_eq!(lines[1]["bytes"], 29);
}

#[test]
fn bad_usage_and_unreadable_roots_exit_2() {
    let v = Vault::new(&[("a.md", "")]);
    for args in [
        vec!["check", "--format", "xml"],
        vec!["frobnicate"],
        vec!["check", "--nope"],
        vec!["check", "does-not-exist"],
        vec!["check", "a.md"],
    ] {
        let out = carnet(&args, v.path());
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!out.stderr.is_empty(), "{args:?} must say why");
    }
    let bad_toml = Vault::new(&[("carnet.toml", "exclude = [")]);
    assert_eq!(carnet(&["check"], bad_toml.path()).status.code(), Some(2));
}

#[test]
fn several_roots_are_separate_vaults() {
    let v = Vault::new(&[("one/a.md", "[[b]]"), ("two/b.md", "[[a]]")]);
    let out = carnet(&["check", "one", "two"], v.path());
    let text = stdout(&out);
    assert!(
        text.contains("one/a.md:1:1: error: no note named \"b\""),
        "{text}"
    );
    assert!(
        text.contains("two/b.md:1:1: error: no note named \"a\""),
        "{text}"
    );
}

#[test]
fn what_is_walked_and_what_is_skipped() {
    let v = Vault::new(&[
        (
            "a.md",
            "[[hidden]] [[ignored]] [[excluded]] [[modules]] [[kept]] [[crlf#Title]]\n",
        ),
        ("kept.md", ""),
        (".obsidian/hidden.md", ""),
        ("node_modules/pkg/modules.md", ""),
        (".gitignore", "build/\n"),
        ("build/ignored.md", ""),
        (
            "carnet.toml",
            "exclude = [\"archive/**\"]\nfuture_key = 1\n",
        ),
        ("archive/excluded.md", "[[broken in excluded note]]"),
        ("crlf.md", "# Title\r\n\r\ntext\r\n"),
    ]);
    v.write_bytes("latin1.md", b"caf\xe9 [[x]]");
    v.write_bytes("binary.md", b"\x00\x01\x02[[y]]");
    std::os::unix::fs::symlink(v.path(), v.path().join("loop")).unwrap();

    let out = carnet(&["check", "--format", "json"], v.path());
    let got = problems_json(&stdout(&out), "");
    // hidden, ignored, excluded and modules are not in the vault; kept and crlf#Title are.
    let want = BTreeMap::from([(("a.md".to_string(), 1, "unresolved-link".to_string()), 4)]);
    assert_eq!(got, want);
    assert!(
        stdout(&out).contains("\"notes\":3"),
        "a, kept and crlf; the loop is walked once"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("latin1.md: not UTF-8"), "{stderr}");
    assert!(stderr.contains("binary.md: binary file"), "{stderr}");
    assert!(stderr.contains("unknown key `future_key`"), "{stderr}");
}

/// The sample vault the README points at: the user guide itself.
#[test]
fn the_docs_vault_is_clean() {
    let docs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs");
    let out = carnet(&["check", "."], &docs);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.starts_with("checked "),
        "no problems expected:\n{text}"
    );
    let notes: usize = text["checked ".len()..]
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(notes >= 5, "{text}");
}

#[test]
fn tag_problems_severity_threshold_and_configured_levels() {
    let mut files: Vec<(String, String)> = (0..5)
        .map(|i| (format!("n{i}.md"), format!("#projects #todo {i}")))
        .collect();
    files.push(("odd.md".into(), "#projcets #ToDo #1984\n".into()));
    let v = Vault::from_owned(&files);
    let out = carnet(&["check", "--format", "json"], v.path());
    assert_eq!(out.status.code(), Some(0), "tag problems are warnings");
    let got = problems_json(&stdout(&out), "");
    let codes: Vec<&str> = got.keys().map(|k| k.2.as_str()).collect();
    assert_eq!(
        codes,
        ["tag-near-miss", "tag-variant"],
        "hints hidden by default"
    );
    let out = carnet(&["check", "--severity", "hint"], v.path());
    let text = stdout(&out);
    assert!(text.contains("odd.md:1:1: warning: tag #projcets looks like a misspelling of #projects (5 notes) [tag-near-miss]"), "{text}");
    assert!(
        text.contains(
            "odd.md:1:11: warning: tag #ToDo is usually written #todo (5 notes) [tag-variant]"
        ),
        "{text}"
    );
    assert!(text.contains("odd.md:1:17: hint: not a tag"), "{text}");
    assert!(
        text.trim_end().ends_with("0 errors, 2 warnings, 1 hint"),
        "{text}"
    );
    let out = carnet(&["check", "--severity", "error"], v.path());
    assert!(
        stdout(&out).starts_with("checked "),
        "only errors are shown"
    );

    v.write_bytes("carnet.toml", b"[diagnostics]\ntag-variant = \"error\"\ntag-near-miss = \"off\"\n[tags]\nallowed = [\"todo\", \"projects\"]\n");
    let out = carnet(&["check"], v.path());
    let text = stdout(&out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "tag-variant raised to error: {text}"
    );
    assert!(!text.contains("tag-near-miss"), "{text}");
    assert!(
        text.contains("tag #projcets is not in the allowed tags"),
        "{text}"
    );
}

#[test]
fn empty_huge_and_odd_notes_are_indexed() {
    let v = Vault::new(&[("empty.md", ""), ("a.md", "[[empty]] [[huge]] [[odd]]\n")]);
    // A 50 MB note: many links, headings and code blocks, one broken link at the very end.
    let block =
        "# Section\n\nSome text with a [[a]] link and #tag.\n\n```\n[[not a link]]\n```\n\n";
    let mut huge = block.repeat(50_000_000 / block.len());
    huge.push_str("last line [[missing at the end]]");
    v.write_bytes("huge.md", huge.as_bytes());
    v.write_bytes("odd.md", "\u{feff}# BOM\r\nlone\rcr [[a]]\r\n".as_bytes());
    let out = carnet(&["check", "--format", "json"], v.path());
    let got = problems_json(&stdout(&out), "");
    let lines = huge.lines().count() as u32;
    assert_eq!(
        got.keys().cloned().collect::<Vec<_>>(),
        [("huge.md".to_string(), lines, "unresolved-link".to_string())],
        "only the link at the end of the huge note is broken"
    );
    assert!(stdout(&out).contains("\"notes\":4"));
}

/// Names with `#`, `%`, spaces, emoji and Windows-reserved words; 50 levels
/// of folders; a dense graph where every note links to every other.
#[test]
fn hostile_names_deep_folders_and_a_dense_graph() {
    let names = carnet::fixture::HOSTILE_NAMES;
    let mut files: Vec<(String, String)> = Vec::new();
    for n in names {
        let links: String = names
            .iter()
            .filter(|m| **m != n)
            .map(|m| {
                format!(
                    "[md]({}.md) ",
                    m.replace('%', "%25")
                        .replace(' ', "%20")
                        .replace('#', "%23")
                )
            })
            .collect();
        files.push((format!("{n}.md"), links));
    }
    let deep: String = (0..50).map(|i| format!("d{i}/")).collect();
    files.push((
        format!("{deep}Deep.md"),
        "[[a#b]] is not a link to a#b.md: `#b` is a heading".into(),
    ));
    files.push((
        "top.md".into(),
        format!("[[Deep]] [[{deep}Deep]] [deep]({deep}Deep.md)"),
    ));
    for i in 0..60 {
        let links: String = (0..60)
            .filter(|j| *j != i)
            .map(|j| format!("[[n{j}]] "))
            .collect();
        files.push((format!("dense/n{i}.md"), links));
    }
    let v = Vault::from_owned(&files);
    let out = carnet(&["check", "--format", "json"], v.path());
    let got = problems_json(&stdout(&out), "");
    // The only problems: `[[a#b]]` means note "a", heading "b", and there is no note "a".
    let want: BTreeMap<_, _> = [(
        (format!("{deep}Deep.md"), 1, "unresolved-link".to_string()),
        1,
    )]
    .into();
    assert_eq!(got, want);
    assert!(
        stdout(&out).contains("\"notes\":70"),
        "{}",
        stdout(&out).lines().last().unwrap()
    );
}

/// Every link the ground truth resolves goes, for carnet, to the same note —
/// except the cases in [`support::FOLDER_RULE`], which go where the rule says.
#[test]
fn corpora_resolve_every_link_to_the_ground_truths_target() {
    let Some(corpora) = corpora() else { return };
    let mut differences = Vec::new();
    let mut compared = 0;
    for &(name, root) in support::GROUND_TRUTH_VAULTS {
        let truth = corpora
            .join("ground-truth")
            .join(format!("{name}.links.tsv"));
        let Ok(tsv) = std::fs::read_to_string(&truth) else {
            support::corpus_missing(&format!("no ground truth for {name}"));
            continue;
        };
        let root = corpora.join(root);
        let snap = carnet::vault::load(&root)
            .expect("the vault loads")
            .snapshot;
        for row in tsv.lines().skip(1) {
            let cols: Vec<&str> = row.split('\t').collect();
            let (source, line, raw, status, resolved) =
                (cols[1], cols[2], cols[3], cols[6], cols[7]);
            if !status.starts_with("ok") {
                continue;
            }
            let line: u32 = line.parse().unwrap();
            let note = snap
                .note(source)
                .unwrap_or_else(|| panic!("{name}: {source}"));
            let text = std::fs::read_to_string(root.join(source)).unwrap();
            let link = note.facts.links.iter().find(|l| {
                note.facts.lines.line_of(l.span.start) + 1 == line
                    && text[l.span.range()].contains(raw.trim_start_matches('!'))
            });
            let Some(link) = link else { continue };
            compared += 1;
            let got = snap.resolve_note(source, link).map(|p| p.to_string());
            if got.as_deref() != Some(resolved) {
                let found = (source.to_string(), raw.to_string(), resolved.to_string());
                differences.push((
                    name,
                    found.0,
                    line,
                    found.1,
                    got.unwrap_or_default(),
                    found.2,
                ));
            }
        }
    }
    let listed: Vec<_> = support::FOLDER_RULE
        .iter()
        .map(|(a, b, c, d, e, f)| {
            (
                *a,
                b.to_string(),
                *c,
                d.to_string(),
                e.to_string(),
                f.to_string(),
            )
        })
        .collect();
    assert_eq!(differences, listed, "differences from the ground truth");
    // Each listed case goes to a note beside the linking note.
    for (_, source, _, _, got, _) in &listed {
        assert_eq!(
            carnet::names::parent(got),
            carnet::names::parent(source),
            "{got}"
        );
    }
    assert!(compared > 1000, "{compared} links compared");
}

/// `carnet --help | head` and the like: output to a pipe nobody reads any
/// more is not an error, and never a panic.
#[test]
fn output_to_a_closed_pipe_is_no_panic() {
    let v = Vault::new(&[("a.md", "[[b]] [[gone]]\n"), ("b.md", "#tag\n")]);
    for args in [
        &["--help"][..],
        &["--version"],
        &["check"],
        &["graph"],
        &["graph", "--help"],
        &["graph", "--format", "dot"],
        &["report"],
        &["report", "--help"],
    ] {
        // The reading end is closed before carnet starts: every write fails.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_carnet"))
            .args(args)
            .current_dir(v.path())
            .stdout(writer)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "carnet {args:?}: {stderr}");
        // `check` finds the broken link: 1, as with any output.
        let want = if args == ["check"] { 1 } else { 0 };
        assert_eq!(out.status.code(), Some(want), "carnet {args:?}: {stderr}");
    }
}
