//! Rename tests: a vault inline, a cursor marked `$0`, the plan applied as
//! an editor would, then the links checked in the renamed vault.

use std::collections::BTreeMap;

use super::*;
use crate::answers::{At, Location, Part, links_to};

type Files = BTreeMap<String, String>;

/// The vault without the cursor marker, and the cursor.
fn parse(files: &[(&str, &str)]) -> (Files, Option<(String, At)>) {
    let fixture = crate::fixture::Fixture::from_files(files);
    let at = fixture.cursor.is_some().then(|| fixture.at());
    let out = fixture
        .files
        .into_iter()
        .map(|f| (f.path, f.text))
        .collect();
    (out, at)
}

fn snapshot(files: &Files) -> Snapshot {
    let list: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    Snapshot::from_texts(&list)
}

/// Applies a plan: edits (back to front), then moves.
fn apply(files: &Files, plan: &Plan) -> Files {
    let mut out = files.clone();
    for (path, edits) in &plan.edits {
        let text = out.get_mut(&**path).expect("edited note exists");
        for e in edits.iter().rev() {
            text.replace_range(e.span.range(), &e.text);
        }
    }
    for (old, new) in &plan.moves {
        let text = out.remove(&**old).expect("moved file exists");
        assert!(!out.contains_key(new), "move onto {new}");
        out.insert(new.clone(), text);
    }
    out
}

fn run(files: &[(&str, &str)], new: &str) -> std::result::Result<Files, RenameError> {
    let (files, at) = parse(files);
    let (from, at) = at.expect("a cursor");
    let snap = snapshot(&files);
    let text_of = |p: &str| files.get(p).cloned();
    let plan = rename(&snap, &from, at, new, &text_of)?;
    Ok(apply(&files, &plan))
}

fn get<'a>(files: &'a Files, path: &str) -> &'a str {
    files
        .get(path)
        .map(String::as_str)
        .unwrap_or_else(|| panic!("no {path} in {files:#?}"))
}

#[test]
fn renaming_a_note_from_a_link_rewrites_every_form_in_its_style() {
    let out = run(
        &[
            ("a.md", "[[No$0te]] and [[note|alias]] and [[Note#Sec]] and ![[note]] [[note.md]]"),
            ("note.md", "# Note\n\n## Sec\n"),
            ("b.md", "[x](note.md) [y](<note.md#sec>) [z](./note.md)\n\n[r]: note.md\n\nsee [r] and [again][r]"),
            ("sub/c.md", "[z](../note.md) [[../note]] `[[note]]`\n\n```\n[[note]]\n```\n"),
        ],
        "New name",
    )
    .unwrap();
    assert!(!out.contains_key("note.md"));
    assert_eq!(get(&out, "New name.md"), "# Note\n\n## Sec\n");
    assert_eq!(
        get(&out, "a.md"),
        "[[New name]] and [[New name|alias]] and [[New name#Sec]] and ![[New name]] [[New name.md]]"
    );
    assert_eq!(
        get(&out, "b.md"),
        "[x](New%20name.md) [y](<New name.md#sec>) [z](./New%20name.md)\n\n[r]: New%20name.md\n\nsee [r] and [again][r]"
    );
    assert_eq!(
        get(&out, "sub/c.md"),
        "[z](../New%20name.md) [[../New name]] `[[note]]`\n\n```\n[[note]]\n```\n"
    );
}

#[test]
fn renaming_from_the_title_renames_this_note_and_a_path_moves_it() {
    let out = run(
        &[
            ("note.md", "# Ti$0tle\n"),
            ("a.md", "[[note]] [n](note.md)"),
        ],
        "Renamed",
    )
    .unwrap();
    assert_eq!(get(&out, "a.md"), "[[Renamed]] [n](Renamed.md)");
    assert!(out.contains_key("Renamed.md"));

    let out = run(
        &[
            ("dir/note.md", "fi$0rst line\n"),
            ("a.md", "[[note]] [n](dir/note.md)"),
        ],
        "other/place/Moved.md",
    )
    .unwrap();
    assert_eq!(get(&out, "a.md"), "[[Moved]] [n](other/place/Moved.md)");
    assert!(out.contains_key("other/place/Moved.md"));
}

#[test]
fn links_inside_a_moved_note_are_recomputed() {
    let out = run(
        &[
            (
                "dir/note.md",
                "# T$0\n[u](../up.md) [s](sibling.md) [[sibling]] [[./sibling]]",
            ),
            ("dir/sibling.md", ""),
            ("up.md", ""),
        ],
        "deep/er/note",
    )
    .unwrap();
    assert_eq!(
        get(&out, "deep/er/note.md"),
        "# T\n[u](../../up.md) [s](../../dir/sibling.md) [[sibling]] [[../../dir/sibling]]"
    );
}

#[test]
fn a_new_name_shared_with_another_note_keeps_other_links_unambiguous() {
    let out = run(
        &[
            ("a/x.md", "# X$0\n"),
            ("b/y.md", ""),
            ("c.md", "[[y]] [[x]] [[x|X]]"),
        ],
        "y",
    )
    .unwrap();
    // `[[y]]` meant b/y and must still; `[[x]]` follows the rename.
    assert_eq!(get(&out, "c.md"), "[[b/y]] [[a/y]] [[a/y|X]]");
}

#[test]
fn case_only_rename_is_allowed_and_updates_links() {
    let out = run(&[("note.md", "$0\n"), ("a.md", "[[note]]")], "Note").unwrap();
    assert_eq!(get(&out, "a.md"), "[[Note]]");
    assert!(out.contains_key("Note.md"));
}

#[test]
fn refusals() {
    let files = [
        ("note.md", "# N$0\n"),
        ("Other.md", ""),
        ("a.md", "[[note]]"),
    ];
    let err = |new: &str| run(&files, new).unwrap_err();
    assert!(
        matches!(err("other"), RenameError::Exists(_)),
        "case-insensitive clash"
    );
    assert!(matches!(err("OTHER.md"), RenameError::Exists(_)));
    for bad in [
        "a#b", "a|b", "a^b", "a:b", "a[b", "a]b", "a%%b", "", "  ", "../out", "/abs", "x/../y",
        ".hidden",
    ] {
        assert!(
            matches!(err(bad), RenameError::Invalid(_)),
            "{bad:?} accepted"
        );
    }
    assert!(matches!(err("note"), RenameError::Invalid(_)), "same name");
    assert!(matches!(
        run(&[("a.md", "line\n\nplain $0text")], "x").unwrap_err(),
        RenameError::Nothing(_)
    ));
    assert!(matches!(
        run(&[("a.md", "line one\n\n[[mis$0sing]]")], "x").unwrap_err(),
        RenameError::Nothing(_)
    ));
}

#[test]
fn a_text_that_changed_since_indexing_is_refused() {
    let (files, at) = parse(&[("note.md", "# N$0\n"), ("a.md", "x [[note]]")]);
    let (from, at) = at.unwrap();
    let snap = snapshot(&files);
    let text_of = |p: &str| {
        let t = files.get(p).cloned()?;
        Some(if p == "a.md" { t.replace("x ", "") } else { t })
    };
    assert!(matches!(
        rename(&snap, &from, at, "z", &text_of).unwrap_err(),
        RenameError::Changed(_)
    ));
}

#[test]
fn moving_a_folder_rewrites_links_into_and_out_of_it() {
    let (files, _) = parse(&[
        ("a/x.md", "[y](y.md) [[y]] [r](../r.md) [[a/y]]"),
        ("a/y.md", "![[pic.png]]"),
        ("r.md", "[x](a/x.md) [[a/x]] [[x]] ![[a/pic.png]]"),
    ]);
    let mut snap = snapshot(&files);
    snap = snap.with_attachment("a/pic.png");
    let text_of = |p: &str| files.get(p).cloned();
    let plan = move_files(&snap, &[("a".into(), "c/d".into())], &text_of).unwrap();
    assert_eq!(plan.moves.len(), 3, "{:?}", plan.moves);
    let plan = Plan {
        moves: plan
            .moves
            .into_iter()
            .filter(|(o, _)| !o.ends_with(".png"))
            .collect(),
        ..plan
    };
    let out = apply(&files, &plan);
    assert_eq!(
        get(&out, "c/d/x.md"),
        "[y](y.md) [[y]] [r](../../r.md) [[d/y]]"
    );
    assert_eq!(
        get(&out, "r.md"),
        "[x](c/d/x.md) [[d/x]] [[x]] ![[d/pic.png]]"
    );
}

#[test]
fn a_move_reads_only_the_notes_not_proven_unchanged() {
    let (files, _) = parse(&[
        ("a/x.md", "[y](<y.md>) [[y]] [r](../r%C3%A9.md) [[a/y]]"),
        ("a/y.md", "![[pic.png]]"),
        ("ré.md", "[x](a/x.md) [[a/x]] [[x]] [é](a/%C3%A9t%C3%A9.md)"),
        ("a/été.md", "[r](../r%C3%A9.md)"),
    ]);
    let snap = snapshot(&files);
    let moves = [("a".to_string(), "c/d".to_string())];
    let read = |p: &str| files.get(p).cloned();
    let all_read = move_files(&snap, &moves, &read).unwrap();
    // Proven: no note is read, and the edits (written as each link was,
    // `<…>` and percent-encoding kept) are the same.
    let no_read = |p: &str| -> Option<String> { panic!("{p} read") };
    let proven = move_files_unread(&snap, &moves, &no_read, &|_| true).unwrap();
    assert_eq!(proven.edits, all_read.edits);
    assert_eq!(
        get(&apply(&files, &proven), "c/d/x.md"),
        "[y](<y.md>) [[y]] [r](../../r%C3%A9.md) [[d/y]]"
    );
    // A note the caller cannot prove is read and checked: changed, refused.
    let changed = |p: &str| read(p).map(|t| t.replace("[x](", "[x] ("));
    let unproven = |n: &Note| &*n.path != "ré.md";
    assert!(matches!(
        move_files_unread(&snap, &moves, &changed, &unproven).unwrap_err(),
        RenameError::Changed(_)
    ));
}

#[test]
fn renaming_a_heading_follows_every_link_form() {
    let files = [
        (
            "n.md",
            "# N\n\n## Old$0 one\n\n### Child\n\n[[#Old one]]\n\n## Other\n",
        ),
        (
            "a.md",
            "[[n#Old one]] [[n#Old one|see]] [t](n.md#old-one) [u](n.md#Old%20one) [[n#Old one#Child]] [[n#Other]]",
        ),
    ];
    let out = run(&files, "New one").unwrap();
    assert_eq!(
        get(&out, "n.md"),
        "# N\n\n## New one\n\n### Child\n\n[[#New one]]\n\n## Other\n"
    );
    assert_eq!(
        get(&out, "a.md"),
        "[[n#New one]] [[n#New one|see]] [t](n.md#new-one) [u](n.md#New%20one) [[n#New one#Child]] [[n#Other]]"
    );
    // Taking another heading's name would steal its links.
    assert!(run(&files, "Other").is_err());
    assert!(matches!(
        run(&files, "a#b").unwrap_err(),
        RenameError::Invalid(_)
    ));

    // From a link's `#heading` part, the heading is renamed, not the note.
    let out = run(&[("n.md", "## Sec\n"), ("a.md", "[[n#S$0ec]]")], "Part").unwrap();
    assert_eq!(get(&out, "n.md"), "## Part\n");
    assert_eq!(get(&out, "a.md"), "[[n#Part]]");
}

#[test]
fn renaming_a_tag_renames_nested_tags_inline_and_in_front_matter() {
    let out = run(
        &[
            ("a.md", "---\ntags: [proj, other]\n---\n#pr$0oj and #proj/alpha and #Proj and #project `#proj`"),
            ("b.md", "---\ntags:\n  - proj/beta\n---\ntext #proj/alpha/x\n"),
        ],
        "#work",
    )
    .unwrap();
    assert_eq!(
        get(&out, "a.md"),
        "---\ntags: [work, other]\n---\n#work and #work/alpha and #work and #project `#proj`"
    );
    assert_eq!(
        get(&out, "b.md"),
        "---\ntags:\n  - work/beta\n---\ntext #work/alpha/x\n"
    );

    // The component under the cursor and those before it are renamed.
    let out = run(
        &[("a.md", "#proj/al$0pha #proj/alpha/x #proj")],
        "proj/beta",
    )
    .unwrap();
    assert_eq!(get(&out, "a.md"), "#proj/beta #proj/beta/x #proj");

    for bad in ["", "a b", "123", "a//b", "x#y"] {
        assert!(run(&[("a.md", "#pr$0oj")], bad).is_err(), "{bad:?}");
    }
}

#[test]
fn renaming_a_block_id_renames_links_to_it() {
    let out = run(
        &[
            ("n.md", "para ^ol$0d\n\nmore ^keep\n"),
            ("a.md", "[[n#^old]] [[n#^old|x]] [[n#^keep]]"),
        ],
        "fresh-1",
    )
    .unwrap();
    assert_eq!(get(&out, "n.md"), "para ^fresh-1\n\nmore ^keep\n");
    assert_eq!(
        get(&out, "a.md"),
        "[[n#^fresh-1]] [[n#^fresh-1|x]] [[n#^keep]]"
    );
    assert!(run(&[("n.md", "p ^a$0\n\nq ^b\n")], "b").is_err());
    assert!(run(&[("n.md", "p ^a$0\n")], "no spaces").is_err());
}

#[test]
fn prepare_names_the_range_and_placeholder() {
    let (files, at) = parse(&[("a.md", "see [[folder/No$0te|x]]"), ("folder/Note.md", "")]);
    let (from, at) = at.unwrap();
    let snap = snapshot(&files);
    let p = prepare(&snap, &from, at, &files[&from]).unwrap();
    assert_eq!(&files[&from][p.span.range()], "folder/Note");
    assert_eq!(p.placeholder, "Note");
    assert_eq!(p.target, Target::Note("folder/Note.md".into()));
}

#[test]
fn every_link_still_lands_after_renames_in_a_dense_vault() {
    // Many notes with clashing names in folders; rename each in turn and
    // check every resolved link still reaches its (renamed) target.
    let names = ["a", "b", "a/b", "c/b", "c/a", "d/e/b"];
    let mut files = Files::new();
    for (i, n) in names.iter().enumerate() {
        let mut text = format!("# {n}\n\n");
        for m in names {
            let stem = m.rsplit('/').next().unwrap();
            text += &format!("[[{m}]] [[{stem}]] [x]({m}.md) ");
        }
        text += &format!("\n^blk{i}\n");
        files.insert(format!("{n}.md"), text);
    }
    for (k, victim) in names.iter().enumerate() {
        let snap = snapshot(&files);
        let text_of = |p: &str| files.get(p).cloned();
        let new = format!("z/{}", ["a", "b", "q"][k % 3]);
        let plan = rename_note(&snap, &format!("{victim}.md"), &new, &text_of).unwrap();
        let out = apply(&files, &plan);
        let after = snapshot(&out);
        let moved = |p: &str| -> String {
            plan.moves
                .iter()
                .find(|(o, _)| **o == *p)
                .map_or(p.to_string(), |(_, n)| n.clone())
        };
        for note in snap.notes() {
            let new_path = moved(&note.path);
            let new_note = after.note(&new_path).unwrap();
            assert_eq!(note.facts.links.len(), new_note.facts.links.len());
            for (l, nl) in note.facts.links.iter().zip(&new_note.facts.links) {
                let before = snap.resolve(&note.path, l);
                let now = after.resolve(&new_path, nl);
                match (before, now) {
                    (
                        Resolution::Note {
                            path: p, others: o, ..
                        },
                        Resolution::Note {
                            path: q, others: r, ..
                        },
                    ) => {
                        assert_eq!(
                            moved(&p),
                            *q,
                            "{victim} → {new}: {} in {}",
                            l.target,
                            note.path
                        );
                        assert!(
                            r.is_empty() || !o.is_empty(),
                            "became ambiguous: {}",
                            nl.target
                        );
                    }
                    (Resolution::Unresolved(_), _) => {}
                    (b, n) => panic!("{victim} → {new}: {b:?} became {n:?}"),
                }
            }
        }
        let _: Vec<Location> = links_to(&after, &moved(&format!("{victim}.md")), Part::Whole);
    }
}

/// Obsidian keeps links in `%% … %%` comments (and renames them); links in
/// HTML comments are not links, so they are left as written.
#[test]
fn a_commented_out_link_survives_a_rename_and_an_html_comment_is_left_alone() {
    let out = run(
        &[
            ("a.md", "# A$0\n\n## Sec\n"),
            (
                "b.md",
                "[[a]] %% old: [[a#Sec]] [x](a.md) %%\n\n%%\n[[a]]\n%%\n<!-- [[a]] -->\n",
            ),
        ],
        "Renamed",
    )
    .unwrap();
    assert_eq!(
        get(&out, "b.md"),
        "[[Renamed]] %% old: [[Renamed#Sec]] [x](Renamed.md) %%\n\n%%\n[[Renamed]]\n%%\n<!-- [[a]] -->\n"
    );
}
