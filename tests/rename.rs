//! Rename through the protocol, against the built binary: edits are applied
//! to the disk as a strict client would, and the vault is then indexed
//! again from disk to check that every link still lands where it did.

mod support;

use std::path::Path;

use carnet::index::Snapshot;
use carnet::index::resolve::Resolution;
use serde_json::{Value, json};
use support::edit::{Applied, apply};
use support::links::{Rng, landings, load, moved_path, same_landings};
use support::lsp::{Lsp, copy_dir, uri};
use support::{Vault, both_encodings, corpora, tree};

/// What a client that renames files advertises (VS Code sends this).
fn rename_caps() -> Value {
    json!({
        "workspace": {
            "workspaceEdit": {
                "documentChanges": true,
                "resourceOperations": ["create", "rename", "delete"]
            },
            "fileOperations": { "willRename": true, "didRename": true }
        },
        "textDocument": { "rename": { "prepareSupport": true } }
    })
}

fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Tells the server what changed on disk, as a client with a file watcher does.
fn announce(lsp: &mut Lsp, applied: &Applied) {
    let mut changes = Vec::new();
    for (from, to) in &applied.renamed {
        changes.push(json!({ "uri": uri(from), "type": 3 }));
        changes.push(json!({ "uri": uri(to), "type": 1 }));
    }
    for path in applied.edited.keys() {
        let now = applied
            .renamed
            .iter()
            .find(|(f, _)| f == path)
            .map_or(path.clone(), |(_, t)| t.clone());
        changes.push(json!({ "uri": uri(&now), "type": 2 }));
    }
    lsp.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": changes }),
    );
}

fn rename_at(lsp: &mut Lsp, rel: &str, pos: Value, new_name: &str) -> Result<Value, Value> {
    let uri = lsp.file_uri(rel);
    lsp.request(
        "textDocument/rename",
        json!({ "textDocument": { "uri": uri }, "position": pos, "newName": new_name }),
    )
}

#[test]
fn renaming_from_a_link_renames_the_target_file_and_every_link() {
    both_encodings(|utf8| {
        let v = Vault::new(&[
            (
                "a.md",
                "# A\n😀 see [[Target]] and [[target#Sec|alias]] ✨ [t](<Target.md>) [u](Target.md#sec)\n",
            ),
            ("Target.md", "# Target\n\n## Sec\n"),
            ("sub/b.md", "[x](../Target.md) ![[Target]] `[[Target]]`\n"),
        ]);
        let root = v.path();
        let mut lsp = Lsp::start_with(root, utf8, rename_caps());
        let a = read(root, "a.md");
        lsp.open("a.md");

        let pos = lsp.pos_of(&a, "[[Target]]", 4);
        let prep = lsp
            .request(
                "textDocument/prepareRename",
                json!({ "textDocument": { "uri": lsp.file_uri("a.md") }, "position": pos }),
            )
            .unwrap();
        assert_eq!(prep["placeholder"], "Target");
        assert_eq!(prep["range"]["start"], lsp.pos_of(&a, "[[Target]]", 2));
        assert_eq!(prep["range"]["end"], lsp.pos_of(&a, "[[Target]]", 8));

        let edit = rename_at(&mut lsp, "a.md", pos, "Ziel ✓").unwrap();
        let ops = edit["documentChanges"].as_array().unwrap();
        // Text edits first, versioned for the open buffer, then the rename.
        let a_edit = ops
            .iter()
            .find(|o| o["textDocument"]["uri"] == lsp.file_uri("a.md"))
            .unwrap();
        assert_eq!(a_edit["textDocument"]["version"], 1);
        let b_edit = ops
            .iter()
            .find(|o| o["textDocument"]["uri"] == lsp.file_uri("sub/b.md"))
            .unwrap();
        assert_eq!(b_edit["textDocument"]["version"], Value::Null);
        let last = ops.last().unwrap();
        assert_eq!(last["kind"], "rename");
        assert_eq!(last["oldUri"], lsp.file_uri("Target.md"));
        assert_eq!(last["newUri"], lsp.file_uri("Ziel ✓.md"));

        let applied = apply(&edit, utf8).unwrap();
        assert_eq!(
            read(root, "a.md"),
            "# A\n😀 see [[Ziel ✓]] and [[Ziel ✓#Sec|alias]] ✨ [t](<Ziel ✓.md>) [u](Ziel%20✓.md#sec)\n"
        );
        assert_eq!(
            read(root, "sub/b.md"),
            "[x](../Ziel%20✓.md) ![[Ziel ✓]] `[[Target]]`\n"
        );
        assert!(!root.join("Target.md").exists());
        assert_eq!(read(root, "Ziel ✓.md"), "# Target\n\n## Sec\n");

        // The index follows: the link in b leads to the renamed file.
        announce(&mut lsp, &applied);
        let b = read(root, "sub/b.md");
        let def = lsp
            .request(
                "textDocument/definition",
                json!({ "textDocument": { "uri": lsp.file_uri("sub/b.md") }, "position": lsp.pos_of(&b, "../Ziel", 1) }),
            )
            .unwrap();
        assert_eq!(def[0]["uri"], lsp.file_uri("Ziel ✓.md"), "{def}");
    });
}

#[test]
fn renaming_from_the_title_and_a_case_only_rename() {
    let v = Vault::new(&[
        ("note.md", "# Note title\n\ntext\n"),
        ("a.md", "[[note]] [n](note.md)\n"),
    ]);
    let root = v.path();
    let mut lsp = Lsp::start_with(root, true, rename_caps());
    let text = read(root, "note.md");
    let edit = {
        let p = lsp.pos_of(&text, "title", 0);
        rename_at(&mut lsp, "note.md", p, "Note")
    }
    .unwrap();
    let applied = apply(&edit, true).unwrap();
    assert!(root.join("Note.md").exists());
    assert_eq!(read(root, "a.md"), "[[Note]] [n](Note.md)\n");
    announce(&mut lsp, &applied);

    // And a move into a new folder, from the first line.
    let edit = rename_at(
        &mut lsp,
        "Note.md",
        json!({"line": 0, "character": 0}),
        "archive/2026/Note",
    )
    .unwrap();
    apply(&edit, true).unwrap();
    assert_eq!(read(root, "a.md"), "[[Note]] [n](archive/2026/Note.md)\n");
    assert!(root.join("archive/2026/Note.md").exists());
}

#[test]
fn refusals_say_why_and_change_nothing() {
    let v = Vault::new(&[
        ("note.md", "# Note\n\nplain text here\n"),
        ("Other.md", ""),
        ("a.md", "[[note]] [[missing]]\n"),
        (".ignore", "hidden/\n"),
        ("hidden/taken.md", "not indexed, but a real file\n"),
    ]);
    let root = v.path();
    let before = tree(root);
    let mut lsp = Lsp::start_with(root, false, rename_caps());
    let text = read(root, "note.md");
    let title = lsp.pos_of(&text, "Note", 0);
    let mut refused = |new: &str, expect: &str| {
        let err = rename_at(&mut lsp, "note.md", title.clone(), new).unwrap_err();
        assert_eq!(err["code"], -32803, "{new:?}: {err}");
        let msg = err["message"].as_str().unwrap();
        assert!(msg.contains(expect), "{new:?}: {msg:?} lacks {expect:?}");
    };
    refused("other", "already exists");
    refused("hidden/taken", "already exists");
    for bad in ["a#b", "a|b", "a^b", "a:b", "a[b", "a]b"] {
        refused(bad, "cannot contain");
    }
    refused("a%%b", "%%");
    refused("   ", "empty");
    refused("../outside", "leaves the vault");
    refused(".secret", "dot");

    let a = read(root, "a.md");
    let err = {
        let p = lsp.pos_of(&a, "missing", 1);
        rename_at(&mut lsp, "a.md", p, "x")
    }
    .unwrap_err();
    assert!(
        err["message"].as_str().unwrap().contains("does not lead"),
        "{err}"
    );
    let err = lsp
        .request(
            "textDocument/prepareRename",
            json!({ "textDocument": { "uri": lsp.file_uri("note.md") }, "position": lsp.pos_of(&text, "plain", 2) }),
        )
        .unwrap_err();
    assert_eq!(err["message"], "nothing to rename here");
    assert_eq!(tree(root), before, "a refused rename changed a file");

    // A client that cannot rename files is told why.
    let mut plain = Lsp::start(root, false);
    let err = rename_at(&mut plain, "note.md", title.clone(), "fresh").unwrap_err();
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("resourceOperations"),
        "{err}"
    );
    // Heading renames need no file operation: plain text edits are fine.
    let v2 = Vault::new(&[("n.md", "# N\n\n## Old\n"), ("a.md", "[[n#Old]]\n")]);
    let mut plain = Lsp::start(v2.path(), false);
    let n = read(v2.path(), "n.md");
    let edit = {
        let p = plain.pos_of(&n, "Old", 1);
        rename_at(&mut plain, "n.md", p, "New")
    }
    .unwrap();
    assert!(edit["changes"].is_object(), "{edit}");
    apply(&edit, false).unwrap();
    assert_eq!(read(v2.path(), "a.md"), "[[n#New]]\n");
    assert_eq!(tree(root), before);
}

#[test]
fn headings_tags_and_block_ids_rename_through_the_protocol() {
    both_encodings(|utf8| {
        let v = Vault::new(&[
            ("n.md", "# N ✨\n\n## Älter Teil\n\npara #proj/x ^bl-1\n"),
            (
                "a.md",
                "😀 [[n#Älter Teil]] [s](n.md#älter-teil) [[n#^bl-1]] #proj #Proj/y\n",
            ),
        ]);
        let root = v.path();
        let mut lsp = Lsp::start_with(root, utf8, rename_caps());
        let n = read(root, "n.md");
        let edit = {
            let p = lsp.pos_of(&n, "Teil", 0);
            rename_at(&mut lsp, "n.md", p, "Neuer Teil")
        }
        .unwrap();
        let applied = apply(&edit, utf8).unwrap();
        announce(&mut lsp, &applied);
        assert_eq!(
            read(root, "a.md"),
            "😀 [[n#Neuer Teil]] [s](n.md#neuer-teil) [[n#^bl-1]] #proj #Proj/y\n"
        );

        let a = read(root, "a.md");
        let edit = {
            let p = lsp.pos_of(&a, "#proj", 2);
            rename_at(&mut lsp, "a.md", p, "#work")
        }
        .unwrap();
        let applied = apply(&edit, utf8).unwrap();
        announce(&mut lsp, &applied);
        assert_eq!(
            read(root, "n.md"),
            "# N ✨\n\n## Neuer Teil\n\npara #work/x ^bl-1\n"
        );

        let a = read(root, "a.md");
        let edit = {
            let p = lsp.pos_of(&a, "bl-1", 1);
            rename_at(&mut lsp, "a.md", p, "kept")
        }
        .unwrap();
        apply(&edit, utf8).unwrap();
        assert_eq!(
            read(root, "n.md"),
            "# N ✨\n\n## Neuer Teil\n\npara #work/x ^kept\n"
        );
        assert_eq!(
            read(root, "a.md"),
            "😀 [[n#Neuer Teil]] [s](n.md#neuer-teil) [[n#^kept]] #work #work/y\n"
        );
    });
}

#[test]
fn moving_a_folder_in_the_editor_updates_links_into_and_out_of_it() {
    let v = Vault::new(&[
        (
            "index.md",
            "[[proj/a]] [b](proj/b.md) ![](proj/pic.png) [[a]]\n",
        ),
        ("proj/a.md", "[i](../index.md) [[b]] [b](b.md)\n"),
        ("proj/b.md", "![[pic.png]]\n"),
        ("proj/pic.png", "png"),
        ("elsewhere/a.md", "another a\n"),
    ]);
    let root = v.path();
    let mut lsp = Lsp::start_with(root, false, rename_caps());
    let files = json!({ "files": [{ "oldUri": lsp.file_uri("proj"), "newUri": lsp.file_uri("archive/old-proj") }] });
    let edit = lsp
        .request("workspace/willRenameFiles", files.clone())
        .unwrap();
    // The editor applies the edits, then moves the folder.
    apply(&edit, false).unwrap();
    std::fs::create_dir_all(root.join("archive")).unwrap();
    std::fs::rename(root.join("proj"), root.join("archive/old-proj")).unwrap();
    lsp.notify("workspace/didRenameFiles", files);
    // As the editor reports the notes it edited (its own watcher; waiting
    // for the server's would race with the request below).
    let changed: Vec<Value> = ["index.md", "archive/old-proj/a.md"]
        .iter()
        .map(|p| json!({ "uri": lsp.file_uri(p), "type": 2 }))
        .collect();
    lsp.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": changed }),
    );
    assert_eq!(
        read(root, "index.md"),
        "[[old-proj/a]] [b](archive/old-proj/b.md) ![](archive/old-proj/pic.png) [[old-proj/a]]\n"
    );
    assert_eq!(
        read(root, "archive/old-proj/a.md"),
        "[i](../../index.md) [[b]] [b](b.md)\n"
    );
    let index = read(root, "index.md");
    let def = lsp
        .request(
            "textDocument/definition",
            json!({ "textDocument": { "uri": lsp.file_uri("index.md") }, "position": lsp.pos_of(&index, "old-proj/a", 1) }),
        )
        .unwrap();
    assert_eq!(
        def[0]["uri"],
        lsp.file_uri("archive/old-proj/a.md"),
        "{def}"
    );
    // `[[a]]` meant proj/a (then the shorter of two paths); once moved,
    // elsewhere/a.md would be shorter, so the link was rewritten.
    let def = lsp
        .request(
            "textDocument/definition",
            json!({ "textDocument": { "uri": lsp.file_uri("index.md") }, "position": lsp.pos_of(&index, "a]] ", 0) }),
        )
        .unwrap();
    assert_eq!(
        def[0]["uri"],
        lsp.file_uri("archive/old-proj/a.md"),
        "{def}"
    );
}

// ---------------------------------------------------------------------------
// The guarantee: random renames on real vaults never change what a link
// resolves to (beyond the rename itself).

#[derive(Debug, Clone, Copy)]
enum Kind {
    NoteFromLink,
    NoteFromTitle,
    Heading,
    Tag,
    Block,
    Folder,
}

/// One random rename through the protocol. Returns the path moves it made
/// (vault-relative) and the tag renamed, or `None` when nothing fits.
struct Outcome {
    moves: Vec<(String, String)>,
    tag: Option<(String, String)>,
    applied: Applied,
}

fn rel(root: &Path, p: &Path) -> String {
    p.strip_prefix(root)
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/")
}

fn random_rename(
    lsp: &mut Lsp,
    snap: &Snapshot,
    rng: &mut Rng,
    kind: Kind,
    n: usize,
) -> Option<Result<Outcome, String>> {
    let root = lsp.root.clone();
    let notes: Vec<_> = snap.notes().collect();
    let names = [
        "Renamed note",
        "Ünïcode ñame",
        "nota-2",
        "日本語メモ",
        "emoji 🦀 note",
    ];
    let new_note = format!("{} {n}", names[rng.below(names.len())]);
    let (rel_path, offset, new_name) = match kind {
        Kind::NoteFromLink => {
            let candidates: Vec<_> = notes
                .iter()
                .flat_map(|note| note.facts.links.iter().map(move |l| (note, l)))
                .filter(|(note, l)| {
                    !l.target.is_empty()
                        && l.target_span.end > l.target_span.start
                        && matches!(
                            snap.resolve(&note.path, l),
                            Resolution::Note { .. } | Resolution::Attachment(_)
                        )
                })
                .collect();
            if candidates.is_empty() {
                return None;
            }
            let (note, link) = candidates[rng.below(candidates.len())];
            let attachment = matches!(snap.resolve(&note.path, link), Resolution::Attachment(_));
            let new = if attachment {
                let t: &str = &link.target;
                let ext = t.rsplit('.').next().unwrap_or("png");
                format!("file {n}.{ext}")
            } else if rng.below(3) == 0 {
                format!("moved {n}/{new_note}")
            } else {
                new_note
            };
            (note.path.to_string(), link.target_span.start as usize, new)
        }
        Kind::NoteFromTitle => {
            let note = notes[rng.below(notes.len())];
            let offset = note
                .facts
                .headings
                .first()
                .map_or(0, |h| h.span.end as usize - 1);
            (note.path.to_string(), offset, new_note)
        }
        Kind::Heading => {
            let c: Vec<_> = notes
                .iter()
                .flat_map(|note| note.facts.headings.iter().skip(1).map(move |h| (note, h)))
                .filter(|(_, h)| {
                    !h.text.contains(['#', '|', '^', ':', '[', ']']) && !h.text.is_empty()
                })
                .collect();
            if c.is_empty() {
                return None;
            }
            let (note, h) = c[rng.below(c.len())];
            (
                note.path.to_string(),
                h.span.end as usize - 1,
                format!("Renamed heading {n}"),
            )
        }
        Kind::Tag => {
            let c: Vec<_> = notes
                .iter()
                .flat_map(|note| note.facts.tags.iter().map(move |t| (note, t)))
                .collect();
            if c.is_empty() {
                return None;
            }
            let (note, t) = c[rng.below(c.len())];
            (
                note.path.to_string(),
                t.span.start as usize + 1,
                format!("renamed-tag-{n}"),
            )
        }
        Kind::Block => {
            let c: Vec<_> = notes
                .iter()
                .flat_map(|note| note.facts.blocks.iter().map(move |b| (note, b)))
                .collect();
            if c.is_empty() {
                return None;
            }
            let (note, b) = c[rng.below(c.len())];
            (
                note.path.to_string(),
                b.span.start as usize + 1,
                format!("blk-{n}"),
            )
        }
        Kind::Folder => {
            let mut folders: Vec<String> = notes
                .iter()
                .filter_map(|note| note.path.rsplit_once('/').map(|(d, _)| d.to_string()))
                .collect();
            folders.sort();
            folders.dedup();
            if folders.is_empty() {
                return None;
            }
            let old = folders[rng.below(folders.len())].clone();
            let leaf = old.rsplit('/').next().unwrap().to_string();
            let new = format!("moved {n}/{leaf}");
            let files = json!({ "files": [{ "oldUri": uri(&root.join(&old)), "newUri": uri(&root.join(&new)) }] });
            let edit = match lsp.request("workspace/willRenameFiles", files.clone()) {
                Ok(e) => e,
                Err(e) => return Some(Err(e.to_string())),
            };
            let applied = if edit.is_null() {
                Applied::default()
            } else {
                apply(&edit, lsp.utf8)
                    .map_err(|e| format!("client rejects the edit: {e}"))
                    .unwrap()
            };
            std::fs::create_dir_all(root.join(&new).parent().unwrap()).unwrap();
            std::fs::rename(root.join(&old), root.join(&new)).unwrap();
            lsp.notify("workspace/didRenameFiles", files);
            // The editor's file watcher reports the edited files.
            let changes: Vec<Value> = applied
                .edited
                .keys()
                .map(|p| {
                    let r = rel(&root, p);
                    let now = match r.strip_prefix(&format!("{old}/")) {
                        Some(rest) => format!("{new}/{rest}"),
                        None => r,
                    };
                    json!({ "uri": uri(&root.join(now)), "type": 2 })
                })
                .collect();
            lsp.notify(
                "workspace/didChangeWatchedFiles",
                json!({ "changes": changes }),
            );
            let moves = notes
                .iter()
                .filter_map(|note| {
                    note.path
                        .strip_prefix(&format!("{old}/"))
                        .map(|r| (note.path.to_string(), format!("{new}/{r}")))
                })
                .collect();
            return Some(Ok(Outcome {
                moves,
                tag: None,
                applied,
            }));
        }
    };
    let text = read(&root, &rel_path);
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let pos = lsp.pos(&text, offset);
    let tag = match kind {
        Kind::Tag => {
            let note = snap.note(&rel_path).unwrap();
            let t = note
                .facts
                .tags
                .iter()
                .find(|t| t.span.start as usize + 1 == offset)
                .unwrap();
            let first = t.name.split('/').next().unwrap().to_string();
            Some((first, new_name.clone()))
        }
        _ => None,
    };
    let edit = match rename_at(lsp, &rel_path, pos, &new_name) {
        Ok(e) => e,
        Err(e) => {
            return Some(Err(format!(
                "{kind:?} {rel_path}@{offset} → {new_name}: {e}"
            )));
        }
    };
    let applied = apply(&edit, lsp.utf8)
        .map_err(|e| format!("client rejects the edit: {e}"))
        .unwrap();
    let moves = applied
        .renamed
        .iter()
        .map(|(f, t)| (rel(&root, f), rel(&root, t)))
        .collect();
    announce(lsp, &applied);
    Some(Ok(Outcome {
        moves,
        tag,
        applied,
    }))
}

/// Checks a rename: links land where they did (through the moves), tags
/// are renamed, and edits stay inside links, tags, headings and block ids.
fn check_outcome(root: &Path, before: &Snapshot, out: &Outcome, what: &str) {
    let after = load(root);
    let moved = |p: &str| moved_path(&out.moves, p);
    same_landings(&landings(before), &landings(&after), &moved, what);
    if let Some((old, new)) = &out.tag {
        let fold = |s: &str| s.to_lowercase();
        for n in before.notes() {
            let now = after.note(&moved(&n.path)).unwrap();
            let expect: Vec<String> = n
                .facts
                .tags
                .iter()
                .map(|t| {
                    let first = t.name.split('/').next().unwrap();
                    if fold(first) == fold(old) {
                        format!("{new}{}", &t.name[first.len()..])
                    } else {
                        t.name.to_string()
                    }
                })
                .collect();
            let got: Vec<String> = now.facts.tags.iter().map(|t| t.name.to_string()).collect();
            assert_eq!(expect, got, "{what}: tags of {}", n.path);
        }
    }
    // Edits only inside the facts they rename: text elsewhere is untouched.
    for (file, ranges) in &out.applied.edited {
        let r = rel(root, file);
        let note = before
            .note(&r)
            .unwrap_or_else(|| panic!("{what}: edited {r} was not a note"));
        let f = &note.facts;
        let spans = f
            .links
            .iter()
            .map(|l| l.span)
            .chain(f.tags.iter().map(|t| t.span))
            .chain(f.headings.iter().map(|h| h.span))
            .chain(f.blocks.iter().map(|b| b.span));
        let spans: Vec<_> = spans.collect();
        for (s, e, _) in ranges {
            assert!(
                spans
                    .iter()
                    .any(|sp| sp.start as usize <= *s && *e <= sp.end as usize),
                "{what}: edit {s}..{e} in {r} is outside every link, tag, heading and block id"
            );
        }
    }
}

fn property(root: &Path, utf8: bool, seed: u64, rounds: usize) -> (usize, Vec<String>) {
    let mut lsp = Lsp::start_with(root, utf8, rename_caps());
    let mut rng = Rng(seed);
    let kinds = [
        Kind::NoteFromLink,
        Kind::NoteFromTitle,
        Kind::Heading,
        Kind::Tag,
        Kind::Block,
        Kind::Folder,
    ];
    let mut done = 0;
    let mut refused = Vec::new();
    for n in 0..rounds {
        let before = load(root);
        let kind = kinds[n % kinds.len()];
        let Some(result) = random_rename(&mut lsp, &before, &mut rng, kind, n) else {
            continue;
        };
        match result {
            Ok(out) => {
                check_outcome(
                    root,
                    &before,
                    &out,
                    &format!("round {n} ({kind:?}, utf8={utf8})"),
                );
                done += 1;
            }
            Err(why) => refused.push(why),
        }
    }
    (done, refused)
}

fn generated_vault() -> Vault {
    let names = ["alpha", "beta", "gamma", "Delta note", "épsilon", "zeta"];
    let folders = ["", "x/", "x/y/", "z/"];
    let mut files = Vec::new();
    for (i, f) in folders.iter().enumerate() {
        for (j, name) in names.iter().enumerate() {
            let mut text = format!(
                "# {name}\n\n## Part {j}\n\ntext ^b{i}{j} #topic/{name_tag} #t{i}\n\n",
                name_tag = j % 3
            );
            for (k, other) in names.iter().enumerate().filter(|(k, _)| (k + i) % 2 == 0) {
                let of = folders[(i + k) % folders.len()];
                let enc = other.replace(' ', "%20");
                text += &format!(
                    "[[{other}]] [[{of}{other}#Part {k}|alias]] [m]({}{of}{enc}.md) [[{other}#^b{}{k}]]\n",
                    "../".repeat(f.matches('/').count()),
                    (i + k) % folders.len(),
                );
            }
            files.push((format!("{f}{name}.md"), text));
        }
    }
    Vault::from_owned(&files)
}

#[test]
fn random_renames_keep_every_link_on_a_generated_vault() {
    for utf8 in [true, false] {
        let v = generated_vault();
        let (done, refused) = property(v.path(), utf8, 0x5eed + utf8 as u64, 24);
        eprintln!("generated vault, utf8={utf8}: {done} renames checked, refused: {refused:#?}");
        assert!(
            done >= 18,
            "too few renames went through: {done}; refused: {refused:#?}"
        );
    }
}

#[test]
fn random_renames_keep_every_link_on_the_corpora() {
    let Some(corpora) = corpora() else { return };
    let vaults = [
        "foam-docs",
        "kepano-obsidian",
        "obsidian-help/en",
        "obsidian-help/fr",
        "obsidian-help/ru",
        "obsidian-help/zh",
    ];
    let mut total = 0;
    for (i, name) in vaults.iter().enumerate() {
        let tmp = tempfile::tempdir().unwrap();
        copy_dir(&corpora.join(name), tmp.path());
        let utf8 = i % 2 == 0;
        let (done, refused) = property(tmp.path(), utf8, 0xC0FFEE + i as u64, 18);
        eprintln!("{name} (utf8={utf8}): {done} renames checked; refused: {refused:#?}");
        assert!(
            done >= 12,
            "{name}: too few renames went through: {done}; refused: {refused:#?}"
        );
        total += done;
    }
    eprintln!("corpora: {total} renames checked");
}

#[test]
fn a_tag_spelling_variant_can_be_fixed_in_every_note_at_once() {
    let v = Vault::new(&[
        ("a.md", "text #ToDo here\n"),
        ("e.md", "more #ToDo and #ToDo/sub\n"),
        ("b.md", "#todo\n"),
        ("c.md", "#todo\n"),
        ("d.md", "#todo\n"),
        ("f.md", "#todo\n"),
        ("g.md", "#todo\n"),
    ]);
    let root = v.path();
    let mut lsp = Lsp::start_with(root, false, rename_caps());
    let a = read(root, "a.md");
    let uri = lsp.open("a.md");
    let start = lsp.pos_of(&a, "#ToDo", 0);
    let end = lsp.pos_of(&a, "#ToDo", 5);
    let actions = lsp
        .request(
            "textDocument/codeAction",
            json!({ "textDocument": { "uri": uri }, "range": { "start": start, "end": end }, "context": { "diagnostics": [] } }),
        )
        .unwrap();
    let all = actions.as_array().unwrap();
    let wide = all
        .iter()
        .find(|a| a["title"].as_str().unwrap().contains("in every note"))
        .unwrap_or_else(|| panic!("no vault-wide tag fix in {actions:#}"));
    assert_eq!(
        wide["title"],
        "Rename #ToDo to #todo in every note (3 uses)"
    );
    apply(&wide["edit"], false).unwrap();
    assert_eq!(read(root, "a.md"), "text #todo here\n");
    assert_eq!(read(root, "e.md"), "more #todo and #todo/sub\n");
    assert_eq!(read(root, "b.md"), "#todo\n");
}

#[test]
fn a_note_changed_on_disk_behind_the_index_is_refused_not_damaged() {
    let v = Vault::new(&[("target.md", "# T\n"), ("a.md", "see [[target]] here\n")]);
    let root = v.path();
    // The editor watches files for the server (so carnet runs no watcher
    // of its own) but has not reported this change yet.
    let mut caps = rename_caps();
    caps["workspace"]["didChangeWatchedFiles"] = json!({ "dynamicRegistration": true });
    let mut lsp = Lsp::start_with(root, true, caps);
    let t = read(root, "target.md");
    // Index first, then change the linking note behind the server's back.
    lsp.request("textDocument/references", json!({ "textDocument": { "uri": lsp.file_uri("target.md") }, "position": { "line": 0, "character": 0 }, "context": { "includeDeclaration": false } })).unwrap();
    std::fs::write(
        root.join("a.md"),
        "inserted text moves every offset: see [[target]] here\n",
    )
    .unwrap();
    let pos = lsp.pos_of(&t, "T", 0);
    let err = rename_at(&mut lsp, "target.md", pos.clone(), "renamed").unwrap_err();
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("changed since it was indexed"),
        "{err}"
    );
    assert!(root.join("target.md").exists());

    // Once the change is reported, the same rename goes through.
    lsp.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": lsp.file_uri("a.md"), "type": 2 }] }),
    );
    let edit = rename_at(&mut lsp, "target.md", pos, "renamed").unwrap();
    apply(&edit, true).unwrap();
    assert_eq!(
        read(root, "a.md"),
        "inserted text moves every offset: see [[renamed]] here\n"
    );
}

#[test]
fn renaming_a_single_note_or_attachment_in_the_file_tree() {
    let v = Vault::new(&[
        (
            "a.md",
            "[[old note]] ![[pics/cat.png]] ![c](pics/cat.png)\n",
        ),
        ("old note.md", "![[cat.png]]\n"),
        ("pics/cat.png", "png"),
    ]);
    let root = v.path();
    let mut lsp = Lsp::start_with(root, true, rename_caps());
    for (old, new) in [
        ("old note.md", "sub/new note.md"),
        ("pics/cat.png", "pics/kitten.png"),
    ] {
        let files =
            json!({ "files": [{ "oldUri": lsp.file_uri(old), "newUri": lsp.file_uri(new) }] });
        let edit = lsp
            .request("workspace/willRenameFiles", files.clone())
            .unwrap();
        let applied = apply(&edit, true).unwrap();
        std::fs::create_dir_all(root.join(new).parent().unwrap()).unwrap();
        std::fs::rename(root.join(old), root.join(new)).unwrap();
        lsp.notify("workspace/didRenameFiles", files);
        announce(&mut lsp, &applied);
    }
    assert_eq!(
        read(root, "a.md"),
        "[[new note]] ![[pics/kitten.png]] ![c](pics/kitten.png)\n"
    );
    assert_eq!(read(root, "sub/new note.md"), "![[kitten.png]]\n");
    // Renaming to something that is not a note would break its links: refused.
    let files =
        json!({ "files": [{ "oldUri": lsp.file_uri("a.md"), "newUri": lsp.file_uri("a.txt") }] });
    let err = lsp.request("workspace/willRenameFiles", files).unwrap_err();
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("not a Markdown file"),
        "{err}"
    );
}

#[test]
fn the_editor_announcing_carnets_own_move_adds_no_second_edit() {
    // VS Code applies a rename's answer, then runs its will-rename
    // participants for the file move in it: carnet must not edit twice.
    let v = Vault::new(&[
        ("x/y/n.md", "# N\n[s](s.md)\n"),
        ("x/y/s.md", ""),
        ("a.md", "[[n]]\n"),
    ]);
    let root = v.path();
    let mut lsp = Lsp::start_with(root, true, rename_caps());
    let edit = rename_at(
        &mut lsp,
        "x/y/n.md",
        json!({ "line": 0, "character": 2 }),
        "x/m",
    )
    .unwrap();
    let files = json!({ "files": [{ "oldUri": lsp.file_uri("x/y/n.md"), "newUri": lsp.file_uri("x/m.md") }] });
    let again = lsp
        .request("workspace/willRenameFiles", files.clone())
        .unwrap();
    assert_eq!(again, Value::Null, "the answer already held these edits");
    apply(&edit, true).unwrap();
    assert_eq!(read(root, "x/m.md"), "# N\n[s](y/s.md)\n");
    assert_eq!(read(root, "a.md"), "[[m]]\n");
}

#[test]
fn a_client_listing_resource_operations_without_document_changes_can_rename() {
    // Neovim declares `resourceOperations` but not `documentChanges`, and
    // applies both: resource operations exist only inside documentChanges.
    let v = Vault::new(&[("n.md", "# N\n"), ("a.md", "[[n]]\n")]);
    let root = v.path();
    let caps = json!({ "workspace": { "workspaceEdit": { "resourceOperations": ["rename", "create", "delete"] } } });
    let mut lsp = Lsp::start_with(root, false, caps);
    let edit = rename_at(&mut lsp, "n.md", json!({ "line": 0, "character": 2 }), "m").unwrap();
    apply(&edit, false).unwrap();
    assert_eq!(read(root, "a.md"), "[[m]]\n");
    assert!(root.join("m.md").exists());
}

#[test]
fn a_folder_move_planned_from_stats_refuses_a_same_size_change_behind_the_index() {
    // Notes whose stat proves their facts current are planned without
    // being read; one changed behind the index (same size, its
    // modification time put back: only the change time shows it) must
    // still be read and refused.
    let v = Vault::new(&[
        (
            "index.md",
            "日本 😀 [[proj/a]] [b](proj/b.md) [é](<proj/été.md>) ü\n",
        ),
        ("proj/a.md", "ü [i](../index.md) [[b]]\n"),
        ("proj/b.md", "b\n"),
        ("proj/été.md", "e\n"),
        ("other.md", "x [[proj/b]] y\n"),
    ]);
    let root = v.path();
    // Old enough to be proven by a stat (the facts cache's "racy" rule).
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let mut caps = rename_caps();
    caps["workspace"]["didChangeWatchedFiles"] = json!({ "dynamicRegistration": true });
    let mut lsp = Lsp::start_with(root, false, caps);
    lsp.request("textDocument/references", json!({ "textDocument": { "uri": lsp.file_uri("proj/b.md") }, "position": { "line": 0, "character": 0 }, "context": { "includeDeclaration": false } })).unwrap();
    let other = root.join("other.md");
    let mtime = std::fs::metadata(&other).unwrap().modified().unwrap();
    std::fs::write(&other, "[[proj/b]] x y\n").unwrap();
    std::fs::File::options()
        .write(true)
        .open(&other)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    let files =
        json!({ "files": [{ "oldUri": lsp.file_uri("proj"), "newUri": lsp.file_uri("done") }] });
    let err = lsp
        .request("workspace/willRenameFiles", files.clone())
        .unwrap_err();
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("other.md changed since it was indexed"),
        "{err}"
    );

    // Reported, it is read again; the move goes through, the proven notes'
    // edits positioned from their facts (UTF-16 columns after CJK and an
    // emoji), the changed note's from its text.
    lsp.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": lsp.file_uri("other.md"), "type": 2 }] }),
    );
    let edit = lsp.request("workspace/willRenameFiles", files).unwrap();
    apply(&edit, false).unwrap();
    assert_eq!(
        read(root, "index.md"),
        "日本 😀 [[done/a]] [b](done/b.md) [é](<done/été.md>) ü\n"
    );
    assert_eq!(read(root, "other.md"), "[[done/b]] x y\n");
    assert_eq!(read(root, "proj/a.md"), "ü [i](../index.md) [[b]]\n");
}
