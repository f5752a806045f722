//! Black-box tests of the writing helpers (issue #16) on copies of real
//! vaults, in both position encodings: `[[##` / `[[^^` completion (a fresh
//! block id written by the command the item carries), unlinked mentions and
//! their "Link to" fixes, extract / inline / table-of-contents refactors,
//! and daily notes. Every edit is applied by the strict client
//! (`support/edit.rs`) and the vault is checked again afterwards.

mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};
use support::lsp::{Lsp, copy_dir};
use support::{both_encodings, corpora};

/// Capabilities of an editor that applies `documentChanges` with file
/// creation, runs commands and shows documents.
fn editor_caps() -> Value {
    json!({
        "workspace": {
            "applyEdit": true,
            "workspaceEdit": { "documentChanges": true, "resourceOperations": ["create", "rename"] },
            "executeCommand": { "dynamicRegistration": false },
        },
        "window": { "showDocument": { "support": true } },
    })
}

/// The vault's problems, by code: what a refactor must not make worse.
fn problems(root: &Path) -> BTreeMap<&'static str, usize> {
    let loaded = carnet::vault::load(root).expect("index the vault");
    let rules = carnet::check::Rules::from_config(&loaded.config);
    let mut out = BTreeMap::new();
    for p in carnet::check::Checker::new(&loaded.snapshot, &rules).vault(&loaded.snapshot) {
        *out.entry(p.code).or_default() += 1;
    }
    out
}

/// A corpus vault copied into a temporary folder, or `None` (skipped).
fn corpus(which: &str) -> Option<tempfile::TempDir> {
    let dir = corpora()?.join(which);
    if !dir.is_dir() {
        support::corpus_missing(&format!("{} is missing", dir.display()));
        return None;
    }
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&dir, tmp.path());
    Some(tmp)
}

/// Applies a workspace edit to the disk and tells the server, as an editor
/// that saves at once does: open notes get their new text, others a
/// watched-file change.
fn apply(lsp: &mut Lsp, edit: &Value, open: &mut BTreeMap<String, (String, i32)>) {
    let applied = support::edit::apply(edit, lsp.utf8).expect("the edit applies cleanly");
    let mut changed: Vec<std::path::PathBuf> = applied.edited.keys().cloned().collect();
    changed.extend(applied.created);
    for path in changed {
        let rel = lsp.rel(&support::lsp::uri(&path));
        let text = std::fs::read_to_string(&path).unwrap();
        if let Some((buffer, version)) = open.get_mut(&rel) {
            *version += 1;
            *buffer = text.clone();
            let uri = lsp.file_uri(&rel);
            lsp.notify(
                "textDocument/didChange",
                json!({ "textDocument": { "uri": uri, "version": *version },
                        "contentChanges": [{ "text": text }] }),
            );
        } else {
            let uri = lsp.file_uri(&rel);
            lsp.notify(
                "workspace/didChangeWatchedFiles",
                json!({ "changes": [{ "uri": uri, "type": 2 }] }),
            );
        }
    }
}

/// Types `typed` at the end of the open note `rel` and asks for completions.
fn complete_at_end(
    lsp: &mut Lsp,
    rel: &str,
    open: &mut BTreeMap<String, (String, i32)>,
    typed: &str,
) -> Value {
    let (text, version) = open.get_mut(rel).unwrap();
    let end = lsp.pos(text, text.len());
    *version += 1;
    text.push_str(typed);
    let uri = lsp.file_uri(rel);
    lsp.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": *version },
                "contentChanges": [{ "range": { "start": end, "end": end }, "text": typed }] }),
    );
    let cursor = lsp.pos(text, text.len());
    lsp.request(
        "textDocument/completion",
        json!({ "textDocument": { "uri": uri }, "position": cursor }),
    )
    .unwrap()
}

/// Applies a completion item's text edit to the open note (on disk too).
fn accept(lsp: &mut Lsp, rel: &str, open: &mut BTreeMap<String, (String, i32)>, item: &Value) {
    let uri = lsp.file_uri(rel);
    let edit = json!({ "changes": { uri.clone(): [item["textEdit"]] } });
    let path = lsp.root.join(rel);
    std::fs::write(&path, &open[rel].0).unwrap();
    apply(lsp, &edit, open);
}

/// Where the definition of the link at byte `at` of the open note leads.
fn definition(lsp: &mut Lsp, rel: &str, text: &str, at: usize) -> Vec<String> {
    let pos = lsp.pos(text, at);
    let uri = lsp.file_uri(rel);
    let r = lsp
        .request(
            "textDocument/definition",
            json!({ "textDocument": { "uri": uri }, "position": pos }),
        )
        .unwrap();
    lsp.places(&r)
}

const LINE: &str = "- 😀 漢字 see ";

#[test]
fn headings_and_blocks_of_every_note_complete_and_get_ids() {
    let Some(tmp) = corpus("obsidian-help/en") else {
        return;
    };
    let before = problems(tmp.path());
    let target = "Plugins/Daily notes.md";
    let original = std::fs::read_to_string(tmp.path().join(target)).unwrap();
    both_encodings(|utf8| {
        std::fs::write(tmp.path().join(target), &original).unwrap();
        std::fs::write(tmp.path().join("cur.md"), LINE).unwrap();
        let mut lsp = Lsp::start_with(tmp.path(), utf8, editor_caps());
        let mut open = BTreeMap::new();
        lsp.open("cur.md");
        open.insert("cur.md".to_string(), (LINE.to_string(), 1));

        // A heading of another note.
        let r = complete_at_end(&mut lsp, "cur.md", &mut open, "[[##Daily notes and prop");
        let item = r["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["label"] == "Daily notes and properties")
            .unwrap_or_else(|| panic!("no heading item: {r}"))
            .clone();
        assert_eq!(
            item["textEdit"]["newText"],
            "Daily notes#Daily notes and properties]]"
        );
        accept(&mut lsp, "cur.md", &mut open, &item);
        let text = open["cur.md"].0.clone();
        assert!(
            text.ends_with("[[Daily notes#Daily notes and properties]]"),
            "{text}"
        );
        let at = text.rfind("[[").unwrap() + 3;
        let heading_line = original
            .lines()
            .position(|l| l == "## Daily notes and properties")
            .unwrap();
        assert_eq!(
            definition(&mut lsp, "cur.md", &text, at),
            [format!("{target}:{heading_line}")],
            "utf8={utf8}"
        );

        // A block without an id: the link names a fresh one, and the
        // item's command writes it into the target note (VS Code, Neovim),
        // or, in an editor that runs no completion command (Helix), the
        // quick fix of the link that names it.
        let r = complete_at_end(
            &mut lsp,
            "cur.md",
            &mut open,
            " [[^^opens a note based on today",
        );
        let item = r["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| {
                i["detail"]
                    .as_str()
                    .is_some_and(|d| d.contains("Plugins/Daily notes"))
            })
            .unwrap_or_else(|| panic!("no block item: {r}"))
            .clone();
        let command = item["command"].clone();
        assert_eq!(command["command"], "carnet.addBlockId", "{item}");
        assert!(item.get("additionalTextEdits").is_none());
        accept(&mut lsp, "cur.md", &mut open, &item);
        let id = command["arguments"][0]["id"].as_str().unwrap();
        if utf8 {
            let text = open["cur.md"].0.clone();
            let at = lsp.pos(&text, text.rfind("[[").unwrap() + 3);
            let actions = code_actions(&mut lsp, "cur.md", &at);
            let fix = actions
                .as_array()
                .unwrap()
                .iter()
                .find(|a| {
                    a["title"]
                        .as_str()
                        .unwrap()
                        .starts_with(&format!("Add ^{id} to \"Daily notes is a"))
                })
                .unwrap_or_else(|| panic!("no fix writing ^{id}: {actions}"))
                .clone();
            apply(&mut lsp, &fix["edit"], &mut open);
        } else {
            lsp.request(
                "workspace/executeCommand",
                json!({ "command": command["command"], "arguments": command["arguments"] }),
            )
            .unwrap();
            let apply_edit = lsp
                .wait_for("workspace/applyEdit", Duration::from_secs(10), |_| true)
                .expect("the server asks the editor to add the id");
            apply(&mut lsp, &apply_edit["params"]["edit"], &mut open);
        }
        let written = std::fs::read_to_string(tmp.path().join(target)).unwrap();
        let block_line = written
            .lines()
            .position(|l| l.starts_with("Daily notes is a") && l.ends_with(&format!(" ^{id}")))
            .unwrap_or_else(|| panic!("^{id} not written:\n{written}"));
        let text = open["cur.md"].0.clone();
        assert!(text.ends_with(&format!("[[Daily notes#^{id}]]")), "{text}");
        let at = text.rfind("[[").unwrap() + 3;
        assert_eq!(
            definition(&mut lsp, "cur.md", &text, at),
            [format!("{target}:{block_line}")]
        );
        // A block of the same note: the id comes with the item.
        let r = complete_at_end(
            &mut lsp,
            "cur.md",
            &mut open,
            "\n\nA second 😀 paragraph here.\n\n[[^^second",
        );
        let item = r["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["label"] == "A second 😀 paragraph here.")
            .unwrap_or_else(|| panic!("no block of this note: {r}"));
        assert!(item["command"].is_null(), "{item}");
        let extra = &item["additionalTextEdits"][0];
        assert!(
            extra["newText"].as_str().unwrap().starts_with(" ^"),
            "{item}"
        );
        drop(lsp);
        std::fs::remove_file(tmp.path().join("cur.md")).unwrap();
        let after = problems(tmp.path());
        assert_eq!(after, before, "utf8={utf8}: no new problem");
    });
}

/// The text of a location in the vault.
fn text_at(root: &Path, lsp: &Lsp, loc: &Value) -> String {
    let rel = lsp.rel(loc["uri"].as_str().unwrap());
    let text = std::fs::read_to_string(root.join(&rel)).unwrap();
    let r = &loc["range"];
    let off = |p: &Value| {
        support::lsp::offset(
            &text,
            p["line"].as_u64().unwrap(),
            p["character"].as_u64().unwrap(),
            lsp.utf8,
        )
        .unwrap()
    };
    text[off(&r["start"])..off(&r["end"])].to_string()
}

#[test]
fn unlinked_mentions_are_listed_and_linked() {
    let Some(tmp) = corpus("obsidian-help/en") else {
        return;
    };
    let line = "😀 漢字 I keep Daily Notes every day.\n";
    std::fs::write(tmp.path().join("cur.md"), line).unwrap();
    let before = problems(tmp.path());
    both_encodings(|utf8| {
        std::fs::write(tmp.path().join("cur.md"), line).unwrap();
        let mut lsp = Lsp::start_with(tmp.path(), utf8, editor_caps());
        let target = lsp.file_uri("Plugins/Daily notes.md");
        let found = lsp
            .request(
                "workspace/executeCommand",
                json!({ "command": "carnet.unlinkedMentions", "arguments": [{ "uri": target }] }),
            )
            .unwrap();
        let found = found.as_array().unwrap();
        // The note's own text is not a mention of it; the `path:"Daily
        // notes/…"` in a code span is not one either.
        let mut notes: Vec<String> = found
            .iter()
            .map(|l| lsp.rel(l["uri"].as_str().unwrap()))
            .collect();
        notes.sort();
        assert_eq!(
            notes,
            [
                "Extending Obsidian/Obsidian CLI.md",
                "Extending Obsidian/Obsidian Headless.md",
                "Obsidian Sync/Sync settings and selective syncing.md",
                "cur.md"
            ],
            "{found:?}"
        );
        for loc in found {
            assert_eq!(
                text_at(tmp.path(), &lsp, loc).to_lowercase(),
                "daily notes",
                "{loc}"
            );
            assert_ne!(
                lsp.rel(loc["uri"].as_str().unwrap()),
                "Plugins/Daily notes.md"
            );
        }
        let mine = found
            .iter()
            .find(|l| l["uri"] == lsp.file_uri("cur.md"))
            .expect("the mention after emoji and CJK");
        assert_eq!(mine["range"]["start"], lsp.pos_of(line, "Daily", 0));

        // "Link to Daily notes" on that mention.
        let mut open = BTreeMap::new();
        lsp.open("cur.md");
        open.insert("cur.md".to_string(), (line.to_string(), 1));
        let actions = lsp
            .request(
                "textDocument/codeAction",
                json!({ "textDocument": { "uri": lsp.file_uri("cur.md") }, "range": mine["range"],
                        "context": { "diagnostics": [] } }),
            )
            .unwrap();
        let link = actions
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["title"] == "Link to Daily notes")
            .unwrap_or_else(|| panic!("{actions}"));
        assert_eq!(link["kind"], "quickfix");
        apply(&mut lsp, &link["edit"], &mut open);
        let text = open["cur.md"].0.clone();
        assert_eq!(
            text,
            "😀 漢字 I keep [[Daily notes|Daily Notes]] every day.\n"
        );
        let at = text.find("[[").unwrap() + 3;
        assert_eq!(
            definition(&mut lsp, "cur.md", &text, at),
            ["Plugins/Daily notes.md:0"]
        );

        // "Link all mentions of Daily notes in this note", each keeping
        // its text as written.
        let more = format!("{text}- 漢字 daily notes 😀 and DAILY NOTES, not dailynotes.\n");
        std::fs::write(tmp.path().join("cur.md"), &more).unwrap();
        open.insert("cur.md".to_string(), (more.clone(), 3));
        lsp.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": lsp.file_uri("cur.md"), "version": 3 },
                    "contentChanges": [{ "text": more }] }),
        );
        let at = lsp.pos_of(&more, "DAILY", 2);
        let actions = code_actions(&mut lsp, "cur.md", &at);
        let all = actions
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["title"] == "Link all 2 mentions of Daily notes in this note")
            .unwrap_or_else(|| panic!("{actions}"));
        apply(&mut lsp, &all["edit"], &mut open);
        assert_eq!(
            open["cur.md"].0,
            "😀 漢字 I keep [[Daily notes|Daily Notes]] every day.\n\
             - 漢字 [[Daily notes|daily notes]] 😀 and [[Daily notes|DAILY NOTES]], not dailynotes.\n"
        );
        drop(lsp);
        assert_eq!(problems(tmp.path()), before, "utf8={utf8}");
    });
}

/// A text several notes are named by (two notes with the same file name in
/// different folders, and a third whose alias it is) is a mention of each:
/// the quick fixes offer every one, file names before aliases, shallower
/// paths first, each named as its link is written, the same in every run.
#[test]
fn a_mention_of_a_shared_name_offers_each_note_it_names() {
    let Some(tmp) = corpus("obsidian-help/en") else {
        return;
    };
    for (rel, text) in [
        ("Projects/Goal.md", "# Goal\n"),
        ("Archive/Goal.md", "# Old goal\n"),
        ("Target.md", "---\naliases: [Goal]\n---\n# Target\n"),
    ] {
        let path = tmp.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let line = "😀 漢字 My goal is set.\n";
    both_encodings(|utf8| {
        std::fs::write(tmp.path().join("cur.md"), line).unwrap();
        let mut lsp = Lsp::start_with(tmp.path(), utf8, editor_caps());
        lsp.open("cur.md");
        let at = lsp.pos_of(line, "goal", 1);
        let actions = code_actions(&mut lsp, "cur.md", &at);
        let titles: Vec<&str> = actions
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|a| a["title"].as_str())
            .filter(|t| t.starts_with("Link to "))
            .collect();
        assert_eq!(
            titles,
            [
                "Link to Archive/Goal",
                "Link to Projects/Goal",
                "Link to Target"
            ],
            "{actions}"
        );
        let pick = actions
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["title"] == "Link to Projects/Goal")
            .unwrap();
        let mut open = BTreeMap::new();
        open.insert("cur.md".to_string(), (line.to_string(), 1));
        apply(&mut lsp, &pick["edit"], &mut open);
        let text = open["cur.md"].0.clone();
        assert_eq!(text, "😀 漢字 My [[Projects/Goal|goal]] is set.\n");
        let at = text.find("[[").unwrap() + 3;
        assert_eq!(
            definition(&mut lsp, "cur.md", &text, at),
            ["Projects/Goal.md:0"]
        );
    });
}

/// Several mentions on one line of emoji, CJK and accents (and one on a
/// later line of the same note), in a closed note: each location's UTF-16
/// columns are counted from the text the search read, left to right.
#[test]
fn many_mentions_on_a_non_ascii_line_have_exact_positions() {
    let Some(tmp) = corpus("obsidian-help/en") else {
        return;
    };
    let text = "---\ntitle: 😀 x\n---\n😀 Daily Notes 漢字 é daily notes, 😀😀 [[x]] DAILY NOTES 𝄞 daily notes.\n\
                ascii line\n漢字 daily notes\n";
    std::fs::write(tmp.path().join("many.md"), text).unwrap();
    both_encodings(|utf8| {
        let mut lsp = Lsp::start_with(tmp.path(), utf8, editor_caps());
        let target = lsp.file_uri("Plugins/Daily notes.md");
        let found = lsp
            .request(
                "workspace/executeCommand",
                json!({ "command": "carnet.unlinkedMentions", "arguments": [{ "uri": target }] }),
            )
            .unwrap();
        let mine: Vec<&Value> = found
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["uri"] == lsp.file_uri("many.md"))
            .collect();
        let written: Vec<String> = mine.iter().map(|l| text_at(tmp.path(), &lsp, l)).collect();
        assert_eq!(
            written,
            [
                "Daily Notes",
                "daily notes",
                "DAILY NOTES",
                "daily notes",
                "daily notes"
            ],
            "utf8={utf8}: {mine:?}"
        );
        let starts: Vec<&Value> = mine.iter().map(|l| &l["range"]["start"]).collect();
        let nth =
            |needle: &str, n: usize| lsp.pos(text, text.match_indices(needle).nth(n).unwrap().0);
        let want = [
            nth("Daily Notes", 0),
            nth("daily notes", 0),
            nth("DAILY NOTES", 0),
            nth("daily notes", 1),
            nth("daily notes", 2),
        ];
        assert_eq!(starts, want.iter().collect::<Vec<_>>(), "utf8={utf8}");
    });
}

/// Mentions in any mix of case, of a non-ASCII name in its other
/// capitalisations, and at the very end of a file, are listed (through
/// the search's SIMD start scan and the spliced answer); those in inline
/// code, a fenced block, run on into a word or broken by a line end are
/// not.
#[test]
fn mentions_in_mixed_case_non_ascii_and_at_the_end_of_a_file() {
    let Some(tmp) = corpus("obsidian-help/en") else {
        return;
    };
    std::fs::write(tmp.path().join("Été Notes.md"), "# Été Notes\n").unwrap();
    let text = "Dr. dAiLy NoTeS, xdaily notes, `daily notes`, ÉTÉ NOTES;\n\
                ```\ndaily notes\n```\n😀 Été notes, ete notes, daily\nnotes 漢字😀daily notes";
    std::fs::write(tmp.path().join("edge.md"), text).unwrap();
    both_encodings(|utf8| {
        let mut lsp = Lsp::start_with(tmp.path(), utf8, editor_caps());
        for (target, want) in [
            (
                "Plugins/Daily notes.md",
                &["dAiLy NoTeS", "daily notes"][..],
            ),
            ("Été Notes.md", &["ÉTÉ NOTES", "Été notes"][..]),
        ] {
            let found = mentions_of(&mut lsp, target);
            let edge = lsp.file_uri("edge.md");
            let written: Vec<String> = found
                .iter()
                .filter(|l| l["uri"] == edge)
                .map(|l| text_at(tmp.path(), &lsp, l))
                .collect();
            assert_eq!(written, want, "utf8={utf8}: {target}");
            let end = lsp.pos(text, text.len());
            if target.starts_with("Plugins") {
                let last = found.iter().rfind(|l| l["uri"] == edge).unwrap();
                assert_eq!(last["range"]["end"], end, "utf8={utf8}");
            }
        }
    });
}

/// The title lenses of the open note `rel`, the unlinked-mentions lens
/// resolved: `(title, lens)` for each, in the order sent.
fn title_lenses(lsp: &mut Lsp, rel: &str) -> Vec<(String, Value)> {
    let uri = lsp.file_uri(rel);
    let r = lsp
        .request(
            "textDocument/codeLens",
            json!({ "textDocument": { "uri": uri } }),
        )
        .unwrap();
    let mut out = Vec::new();
    for lens in r.as_array().unwrap() {
        let lens = match lens["command"].is_null() {
            true => {
                assert_eq!(lens["data"]["mentions"], true, "{lens}");
                lsp.request("codeLens/resolve", lens.clone()).unwrap()
            }
            false => lens.clone(),
        };
        let title = lens["command"]["title"].as_str().unwrap_or("").to_string();
        out.push((title, lens));
    }
    out
}

/// The mentions `carnet.unlinkedMentions` lists for `rel`.
fn mentions_of(lsp: &mut Lsp, rel: &str) -> Vec<Value> {
    let uri = lsp.file_uri(rel);
    let r = lsp
        .request(
            "workspace/executeCommand",
            json!({ "command": "carnet.unlinkedMentions", "arguments": [{ "uri": uri }] }),
        )
        .unwrap();
    r.as_array().unwrap().clone()
}

#[test]
fn the_unlinked_mentions_lens_counts_what_the_command_lists_and_follows_edits() {
    let Some(tmp) = corpus("obsidian-help/en") else {
        return;
    };
    let line = "😀 漢字 I keep Daily Notes every day.\n";
    let rare = "Zyxwv 😀 漢字.md";
    let rare_text = "# Zyxwv 😀 漢字 title\n\nNobody names it yet.\n";
    both_encodings(|utf8| {
        std::fs::write(tmp.path().join("cur.md"), line).unwrap();
        std::fs::write(tmp.path().join(rare), rare_text).unwrap();
        let mut caps = editor_caps();
        caps["textDocument"] = json!({ "codeLens": {} });
        caps["workspace"]["codeLens"] = json!({ "refreshSupport": true });
        let mut lsp = Lsp::start_with(tmp.path(), utf8, caps);
        assert_eq!(
            lsp.init_result["capabilities"]["codeLensProvider"]["resolveProvider"],
            true
        );
        let target = "Plugins/Daily notes.md";
        lsp.open(target);
        lsp.open(rare);
        let listed = mentions_of(&mut lsp, target);
        assert!(listed.len() >= 4, "{listed:?}");
        let lenses = title_lenses(&mut lsp, target);
        // The mentions lens comes first, on the title, beside the backlink lens.
        let (title, lens) = &lenses[0];
        assert_eq!(*title, format!("{} unlinked mentions", listed.len()));
        assert!(lenses[1].0.ends_with("backlinks"), "{lenses:?}");
        assert_eq!(lens["range"], lenses[1].1["range"]);
        // Clicked, it lists exactly the command's locations.
        let args = &lens["command"]["arguments"];
        assert_eq!(lens["command"]["command"], "carnet.showReferences");
        assert_eq!(args[0], lsp.file_uri(target));
        assert_eq!(args[1], lens["range"]["start"]);
        let shown = lsp
            .request(
                "carnet/backlinks",
                json!({ "textDocument": { "uri": args[0] }, "target": args[2] }),
            )
            .unwrap();
        assert_eq!(shown.as_array().unwrap(), &listed);

        // A note nobody mentions gets no mentions lens: the search above
        // read every note, so every note's word filter is known (before
        // that, the lens is sent and resolves to no command, which editors
        // draw as nothing). Its title has emoji and CJK before the lens's end.
        let lenses = title_lenses(&mut lsp, rare);
        let titles: Vec<&str> = lenses.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(titles, ["no backlinks"], "{lenses:?}");
        let title_end = rare_text.find('\n').unwrap();
        assert_eq!(
            lenses.last().unwrap().1["range"]["end"],
            lsp.pos(rare_text, title_end)
        );

        // An edit in another note adds a mention of each: the server asks
        // for the lenses again, and they count it.
        let cur = lsp.open("cur.md");
        std::thread::sleep(Duration::from_millis(300));
        lsp.wait_message(Duration::from_millis(100), |_| false);
        lsp.inbox.clear();
        let more = format!("{line}- 漢字 😀 see zyxwv 😀 漢字 and daily notes.\n");
        lsp.change(&cur, 2, &more);
        assert!(
            lsp.wait_for(
                "workspace/codeLens/refresh",
                Duration::from_secs(10),
                |_| true
            )
            .is_some()
        );
        let lenses = title_lenses(&mut lsp, target);
        assert_eq!(
            lenses[0].0,
            format!("{} unlinked mentions", listed.len() + 1)
        );
        assert_eq!(mentions_of(&mut lsp, target).len(), listed.len() + 1);
        let lenses = title_lenses(&mut lsp, rare);
        assert_eq!(lenses[0].0, "1 unlinked mention", "{lenses:?}");
        assert_eq!(lenses[0].1["range"], lenses[1].1["range"]);
        let found = mentions_of(&mut lsp, rare);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0]["uri"], cur);
        assert_eq!(
            found[0]["range"]["start"],
            lsp.pos_of(&more, "zyxwv", 0),
            "after emoji and CJK"
        );
        assert_eq!(found[0]["range"]["end"], lsp.pos_of(&more, " and daily", 0));
    });
}

#[test]
fn extract_a_section_into_a_new_note_and_inline_it_back() {
    let Some(tmp) = corpus("obsidian-help/zh") else {
        return;
    };
    let before = problems(tmp.path());
    let note = "快速入门/更新 Obsidian.md";
    let original = std::fs::read_to_string(tmp.path().join(note)).unwrap();
    let linkers: Vec<String> = [
        "扩展 Obsidian/Obsidian CLI.md",
        "团队/在团队中部署 Obsidian.md",
    ]
    .map(String::from)
    .to_vec();
    let saved: Vec<(String, String)> = linkers
        .iter()
        .map(|l| {
            (
                l.clone(),
                std::fs::read_to_string(tmp.path().join(l)).unwrap(),
            )
        })
        .collect();
    both_encodings(|utf8| {
        std::fs::write(tmp.path().join(note), &original).unwrap();
        for (p, t) in &saved {
            std::fs::write(tmp.path().join(p), t).unwrap();
        }
        let _ = std::fs::remove_file(tmp.path().join("快速入门/安装程序更新.md"));
        let mut lsp = Lsp::start_with(tmp.path(), utf8, editor_caps());
        let mut open = BTreeMap::new();
        lsp.open(note);
        open.insert(note.to_string(), (original.clone(), 1));
        let pos = lsp.pos_of(&original, "## 安装程序更新", 3);
        let actions = code_actions(&mut lsp, note, &pos);
        let extract = actions
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["title"] == "Extract section \"安装程序更新\" to new note \"安装程序更新\", leaving an embed")
            .unwrap_or_else(|| panic!("{actions}"))
            .clone();
        assert_eq!(extract["kind"], "refactor.extract");
        apply(&mut lsp, &extract["edit"], &mut open);
        let new_note =
            std::fs::read_to_string(tmp.path().join("快速入门/安装程序更新.md")).unwrap();
        assert!(new_note.starts_with("# 安装程序更新\n"), "{new_note}");
        let left = &open[note].0;
        assert!(left.contains("![[安装程序更新]]"), "{left}");
        assert!(!left.contains("## 安装程序更新"));
        for l in &linkers {
            let t = std::fs::read_to_string(tmp.path().join(l)).unwrap();
            assert!(
                t.contains("[[安装程序更新#安装程序更新|"),
                "{l}: links follow the section"
            );
        }
        assert_eq!(
            problems(tmp.path()),
            before,
            "utf8={utf8}: every link still resolves"
        );

        // Inline the embed again.
        let at = left.find("![[安装程序更新]]").unwrap() + 3;
        let pos = lsp.pos(left, at);
        let actions = code_actions(&mut lsp, note, &pos);
        let inline = actions
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["title"] == "Inline ![[安装程序更新]]")
            .unwrap_or_else(|| panic!("{actions}"))
            .clone();
        assert_eq!(inline["kind"], "refactor.inline");
        apply(&mut lsp, &inline["edit"], &mut open);
        assert!(
            open[note].0.contains("# 安装程序更新\n"),
            "{}",
            open[note].0
        );
        drop(lsp);
        std::fs::remove_file(tmp.path().join("快速入门/安装程序更新.md")).unwrap();
        for (p, t) in &saved {
            std::fs::write(tmp.path().join(p), t).unwrap();
        }
    });
}

/// The code actions offered at `pos` (an LSP position) in the open note
/// `rel`, with no diagnostics in the context.
fn code_actions(lsp: &mut Lsp, rel: &str, pos: &Value) -> Value {
    lsp.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": lsp.file_uri(rel) }, "range": { "start": pos, "end": pos },
                "context": { "diagnostics": [] } }),
    )
    .unwrap()
}

/// The code action titled `title` at byte `at` of the open note `rel`.
fn action_at(lsp: &mut Lsp, rel: &str, text: &str, at: usize, title: &str) -> Value {
    let pos = lsp.pos(text, at);
    let actions = code_actions(lsp, rel, &pos);
    actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == title)
        .unwrap_or_else(|| panic!("no {title:?} in {actions}"))
        .clone()
}

#[test]
fn a_table_of_contents_is_inserted_updated_and_resolves() {
    let Some(tmp) = corpus("obsidian-help/ru") else {
        return;
    };
    let note = support::walk(tmp.path(), support::Folders::Excluded)
        .into_iter()
        .find(|p| {
            std::fs::read_to_string(p)
                .is_ok_and(|t| t.matches("\n## ").count() >= 3 && !t.contains("toc:start"))
        })
        .expect("a note with sections");
    let original = std::fs::read_to_string(&note).unwrap();
    let before = problems(tmp.path());
    both_encodings(|utf8| {
        std::fs::write(&note, &original).unwrap();
        let mut lsp = Lsp::start_with(tmp.path(), utf8, editor_caps());
        let rel = lsp.rel(&support::lsp::uri(&note));
        lsp.open(&rel);
        let mut open = BTreeMap::from([(rel.clone(), (original.clone(), 1))]);
        let at = original.find("\n## ").unwrap() + 1;
        let toc = action_at(&mut lsp, &rel, &original, at, "Insert table of contents");
        assert_eq!(toc["kind"], "refactor.rewrite");
        apply(&mut lsp, &toc["edit"], &mut open);
        let after = open[&rel].0.clone();
        assert!(after.contains("<!--toc:start-->"), "{after}");
        assert_eq!(
            problems(tmp.path()),
            before,
            "every entry of the table resolves"
        );

        // A new section after emoji and CJK; the table follows it.
        let grown = format!("{after}\n## 😀 漢字 раздел\n\nтекст\n");
        std::fs::write(&note, &grown).unwrap();
        open.insert(rel.clone(), (grown.clone(), 3));
        lsp.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": lsp.file_uri(&rel), "version": 3 },
                    "contentChanges": [{ "text": grown }] }),
        );
        let at = grown.find("<!--toc:start-->").unwrap();
        let update = action_at(&mut lsp, &rel, &grown, at, "Update table of contents");
        apply(&mut lsp, &update["edit"], &mut open);
        let updated = open[&rel].0.clone();
        let table = &updated[..updated.find("<!--toc:end-->").unwrap()];
        assert!(table.contains("- [[#😀 漢字 раздел]]\n"), "{updated}");
        assert_eq!(updated.matches("<!--toc:start-->").count(), 1);
        assert_eq!(problems(tmp.path()), before, "utf8={utf8}");
    });
    std::fs::write(&note, &original).unwrap();
}

#[test]
fn daily_notes_complete_and_open() {
    both_encodings(|utf8| {
        let v = support::Vault::new(&[
            (
                ".obsidian/daily-notes.json",
                r#"{"format":"YYYY/MM/DD dddd","folder":"Journal","template":"Templates/Day"}"#,
            ),
            ("Templates/Day.md", "# {{title}}\n😀 {{date:dddd D MMMM}}\n"),
            ("cur.md", LINE),
        ]);
        let today = jiff::ZonedDateTime::now().date();
        let name = carnet::answers::daily::format("DD dddd", today, None);
        let rel = format!(
            "Journal/{}.md",
            carnet::answers::daily::format("YYYY/MM/DD dddd", today, None)
        );
        let mut lsp = Lsp::start_with(v.path(), utf8, editor_caps());
        let mut open = BTreeMap::new();
        lsp.open("cur.md");
        open.insert("cur.md".to_string(), (LINE.to_string(), 1));
        let r = complete_at_end(&mut lsp, "cur.md", &mut open, "[[tod");
        let item = &r["items"][0];
        assert_eq!(item["label"], "today", "{r}");
        assert_eq!(item["textEdit"]["newText"], format!("{name}]]"));
        assert!(item["detail"].as_str().unwrap().contains("not created yet"));

        let uri = lsp
            .request(
                "workspace/executeCommand",
                json!({ "command": "carnet.openDailyNote", "arguments": [] }),
            )
            .unwrap();
        assert_eq!(uri, json!(lsp.file_uri(&rel)));
        let shown = lsp
            .wait_for("window/showDocument", Duration::from_secs(10), |_| true)
            .expect("the editor is asked to show the note");
        assert_eq!(shown["params"]["uri"], uri);
        let written = std::fs::read_to_string(v.path().join(&rel)).unwrap();
        let day = carnet::answers::daily::format("dddd D MMMM", today, None);
        assert_eq!(written, format!("# {name}\n😀 {day}\n"));
        // Never over a file: asked again, the note is left as it is.
        std::fs::write(v.path().join(&rel), "kept").unwrap();
        lsp.request(
            "workspace/executeCommand",
            json!({ "command": "carnet.openDailyNote", "arguments": [{ "date": "today" }] }),
        )
        .unwrap();
        assert_eq!(
            std::fs::read_to_string(v.path().join(&rel)).unwrap(),
            "kept"
        );
        // Once it exists, the completed link leads to it.
        let r = complete_at_end(&mut lsp, "cur.md", &mut open, "ay");
        let item = r["items"][0].clone();
        assert!(
            !item["detail"].as_str().unwrap().contains("not created"),
            "{item}"
        );
        accept(&mut lsp, "cur.md", &mut open, &item);
        let text = open["cur.md"].0.clone();
        let at = text.rfind("[[").unwrap() + 3;
        assert_eq!(
            definition(&mut lsp, "cur.md", &text, at),
            [format!("{rel}:0")]
        );
    });
}

#[test]
fn code_actions_of_the_kinds_asked_for() {
    let v = support::Vault::new(&[
        ("Daily notes.md", "# Daily notes\n"),
        ("a.md", "# A\n\n## 😀 漢字\n\nI keep daily notes.\n"),
    ]);
    let text = std::fs::read_to_string(v.path().join("a.md")).unwrap();
    both_encodings(|utf8| {
        let mut lsp = Lsp::start_with(v.path(), utf8, editor_caps());
        lsp.open("a.md");
        let at = lsp.pos_of(&text, "daily", 1);
        let titles = |lsp: &mut Lsp, only: Value| -> Vec<String> {
            let r = lsp
                .request(
                    "textDocument/codeAction",
                    json!({ "textDocument": { "uri": lsp.file_uri("a.md") },
                            "range": { "start": at, "end": at },
                            "context": { "diagnostics": [], "only": only } }),
                )
                .unwrap();
            r.as_array()
                .unwrap()
                .iter()
                .map(|a| {
                    format!(
                        "{} {}",
                        a["kind"].as_str().unwrap(),
                        a["title"].as_str().unwrap()
                    )
                })
                .collect()
        };
        let extract = [
            "refactor.extract Extract section \"😀 漢字\" to new note \"😀 漢字\", leaving a link",
            "refactor.extract Extract section \"😀 漢字\" to new note \"😀 漢字\", leaving an embed",
        ];
        assert_eq!(
            titles(&mut lsp, json!(["quickfix"])),
            ["quickfix Link to Daily notes"]
        );
        assert_eq!(titles(&mut lsp, json!(["refactor.extract"])), extract);
        let refactors = titles(&mut lsp, json!(["refactor"]));
        assert_eq!(refactors[..2], extract);
        assert_eq!(refactors[2], "refactor.rewrite Insert table of contents");
        assert_eq!(titles(&mut lsp, Value::Null).len(), 4, "utf8={utf8}");
    });
}

/// The codes of the problems of one note of the vault at `root`.
fn note_problems(root: &Path, rel: &str) -> Vec<&'static str> {
    let loaded = carnet::vault::load(root).expect("index the vault");
    let rules = carnet::check::Rules::from_config(&loaded.config);
    let mut out: Vec<&'static str> = carnet::check::Checker::new(&loaded.snapshot, &rules)
        .vault(&loaded.snapshot)
        .into_iter()
        .filter(|p| *p.path == *rel)
        .map(|p| p.code)
        .collect();
    out.sort();
    out
}

#[test]
fn daily_notes_of_a_real_vault_follow_its_obsidian_settings() {
    let Some(tmp) = corpus("kepano-obsidian") else {
        return;
    };
    // kepano's vault keeps daily notes as Daily/YYYY-MM-DD from this
    // template; the settings file itself is not in the corpus (hidden
    // folders were not copied).
    std::fs::create_dir_all(tmp.path().join(".obsidian")).unwrap();
    std::fs::write(
        tmp.path().join(".obsidian/daily-notes.json"),
        r#"{"folder":"Daily","format":"YYYY-MM-DD","template":"Templates/Daily Note Template"}"#,
    )
    .unwrap();
    let template =
        std::fs::read_to_string(tmp.path().join("Templates/Daily Note Template.md")).unwrap();
    let old = "Daily/2023-09-12.md";
    let old_text = std::fs::read_to_string(tmp.path().join(old)).unwrap();
    let old_problems = note_problems(tmp.path(), old);
    let today = jiff::ZonedDateTime::now().date();
    let rel = format!("Daily/{today}.md");
    both_encodings(|utf8| {
        let _ = std::fs::remove_file(tmp.path().join(&rel));
        std::fs::write(tmp.path().join("cur.md"), LINE).unwrap();
        let mut lsp = Lsp::start_with(tmp.path(), utf8, editor_caps());
        lsp.open("cur.md");
        let mut open = BTreeMap::from([("cur.md".to_string(), (LINE.to_string(), 1))]);

        // An existing daily note is opened as it is.
        let uri = lsp
            .request(
                "workspace/executeCommand",
                json!({ "command": "carnet.openDailyNote", "arguments": [{ "date": "2023-09-12" }] }),
            )
            .unwrap();
        assert_eq!(uri, json!(lsp.file_uri(old)));
        assert_eq!(
            std::fs::read_to_string(tmp.path().join(old)).unwrap(),
            old_text
        );

        // Today's is created from the template, and `[[today` then links it.
        let uri = lsp
            .request(
                "workspace/executeCommand",
                json!({ "command": "carnet.openDailyNote", "arguments": [{ "uri": lsp.file_uri("cur.md") }] }),
            )
            .unwrap();
        assert_eq!(uri, json!(lsp.file_uri(&rel)));
        assert_eq!(
            std::fs::read_to_string(tmp.path().join(&rel)).unwrap(),
            template
        );
        let r = complete_at_end(&mut lsp, "cur.md", &mut open, "[[tod");
        let item = r["items"][0].clone();
        assert_eq!(item["label"], "today", "{r}");
        assert_eq!(item["detail"], format!("Daily/{today}"), "utf8={utf8}");
        accept(&mut lsp, "cur.md", &mut open, &item);
        let text = open["cur.md"].0.clone();
        assert!(text.ends_with(&format!("[[{today}]]")), "{text}");
        let at = text.rfind("[[").unwrap() + 3;
        assert_eq!(
            definition(&mut lsp, "cur.md", &text, at),
            [format!("{rel}:0")]
        );
        drop(lsp);
        // The new note has the problems every daily note of the vault has
        // (its template embeds a `.base` file the corpus does not hold).
        assert_eq!(note_problems(tmp.path(), &rel), old_problems);
        assert!(note_problems(tmp.path(), "cur.md").is_empty());
    });
}
