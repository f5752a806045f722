//! Resolution tests: a vault written inline, links resolved against it.

use super::resolve::{Resolution, SubpathMatch, Unresolved};
use super::{Note, Snapshot};
use crate::facts::extract;

/// Builds a snapshot from `path: text` pairs; paths without `.md` are attachments.
fn vault(files: &[(&str, &str)]) -> Snapshot {
    let mut notes = Vec::new();
    let mut attachments = Vec::new();
    for (path, text) in files {
        if path.ends_with(".md") {
            notes.push(Note::new((*path).into(), extract(text), text.len() as u64));
        } else {
            attachments.push(path.to_string());
        }
    }
    Snapshot::build(notes, attachments)
}

/// Resolves every link of `from` and describes each outcome in one word.
fn outcomes(snap: &Snapshot, from: &str) -> Vec<String> {
    let note = snap.note(from).expect("note exists");
    note.facts
        .links
        .iter()
        .map(|l| match snap.resolve(from, l) {
            Resolution::Note {
                path,
                others,
                subpath,
            } => {
                let mut s = path.to_string();
                if !others.is_empty() {
                    s += &format!(" (ambiguous with {})", others.join(", "));
                }
                match subpath {
                    SubpathMatch::MissingHeading => s += " !heading",
                    SubpathMatch::MissingBlock => s += " !block",
                    SubpathMatch::Heading(i) => s += &format!(" h{i}"),
                    SubpathMatch::Block(i) => s += &format!(" b{i}"),
                    SubpathMatch::None => {}
                }
                s
            }
            Resolution::Attachment(p) => format!("file {p}"),
            Resolution::Unresolved(Unresolved::Note) => "unresolved".into(),
            Resolution::Unresolved(Unresolved::Attachment) => "missing file".into(),
            Resolution::Unresolved(Unresolved::OutsideVault) => "outside".into(),
        })
        .collect()
}

#[test]
fn names_are_case_and_normalisation_insensitive() {
    let snap = vault(&[
        (
            "a.md",
            "[[café]] [[CAFE\u{301}]] [[Привет]] [[привет.MD]] [[Nope]]",
        ),
        ("Café.md", ""),
        ("ru/ПРИВЕТ.md", ""),
    ]);
    assert_eq!(
        outcomes(&snap, "a.md"),
        [
            "Café.md",
            "Café.md",
            "ru/ПРИВЕТ.md",
            "ru/ПРИВЕТ.md",
            "unresolved"
        ]
    );
}

#[test]
fn folders_suffixes_and_ambiguity() {
    let snap = vault(&[
        (
            "a.md",
            "[[Templates]] [[Plugins/Templates]] [[gins/Templates]] [[x/y/Deep]] [[y/Deep]] [[../a]]",
        ),
        ("Plugins/Templates.md", ""),
        ("Core/Templates.md", ""),
        ("x/y/Deep.md", ""),
    ]);
    assert_eq!(
        outcomes(&snap, "a.md"),
        [
            "Core/Templates.md (ambiguous with Plugins/Templates.md)",
            "Plugins/Templates.md",
            "unresolved",
            "x/y/Deep.md",
            "x/y/Deep.md",
            "outside",
        ]
    );
}

/// Obsidian 1.13's tie-break: the exact vault path (not ambiguous), else a
/// note in the linking note's own folder, else the shortest path.
#[test]
fn exact_path_then_own_folder_then_shortest_path() {
    // `[[Index]]` is exactly the vault path `Index.md`: that note, alone.
    let snap = vault(&[
        ("a.md", "[[Index]]"),
        ("deep/folder/Index.md", ""),
        ("Index.md", ""),
    ]);
    assert_eq!(outcomes(&snap, "a.md"), ["Index.md"]);
    // `[[notes/Ideas]]` is exactly `notes/Ideas.md`, though it is also a
    // suffix of `x/notes/Ideas.md`.
    let snap = vault(&[
        ("a.md", "[[notes/Ideas]]"),
        ("x/notes/Ideas.md", ""),
        ("notes/Ideas.md", ""),
    ]);
    assert_eq!(outcomes(&snap, "a.md"), ["notes/Ideas.md"]);
    // No exact path: the note beside the linking note wins over a shorter
    // path; an ancestor's folder counts for nothing.
    let snap = vault(&[
        ("daily/2024/today.md", "[[Ideas]] [[Plan]]"),
        ("daily/2024/Ideas.md", ""),
        ("a/Ideas.md", ""),
        ("daily/Plan.md", ""),
        ("b/c/Plan.md", ""),
        ("x/Plan.md", ""),
    ]);
    assert_eq!(
        outcomes(&snap, "daily/2024/today.md"),
        [
            "daily/2024/Ideas.md (ambiguous with a/Ideas.md)",
            "x/Plan.md (ambiguous with b/c/Plan.md, daily/Plan.md)",
        ]
    );
    // Elsewhere the shortest path still wins.
    let snap = vault(&[
        ("z/far.md", "[[Ideas]]"),
        ("daily/2024/Ideas.md", ""),
        ("a/Ideas.md", ""),
    ]);
    assert_eq!(
        outcomes(&snap, "z/far.md"),
        ["a/Ideas.md (ambiguous with daily/2024/Ideas.md)"]
    );
}

#[test]
fn relative_markdown_links_then_vault_root_then_name() {
    let snap = vault(&[
        (
            "docs/guide/a.md",
            "[1](b.md) [2](../top.md) [3](docs/guide/b.md) [4](top.md) [5](../../../x.md) \
             [6](sub/missing.md) [7](b) [8](my%20note.md) [9](<my note.md>) [10](/docs/guide/b.md)",
        ),
        ("docs/guide/b.md", ""),
        ("docs/top.md", ""),
        ("elsewhere/my note.md", ""),
    ]);
    assert_eq!(
        outcomes(&snap, "docs/guide/a.md"),
        [
            "docs/guide/b.md",
            "docs/top.md",
            "docs/guide/b.md",
            "docs/top.md",
            "outside",
            "unresolved",
            "docs/guide/b.md",
            "elsewhere/my note.md",
            "elsewhere/my note.md",
            "docs/guide/b.md",
        ]
    );
}

#[test]
fn headings_and_blocks() {
    let snap = vault(&[
        (
            "a.md",
            "[[b#Intro]] [[b#intro]] [[b#Q why?]] [[b#Part#Detail]] [[b#Other#Detail]] [[b#Nope]] \
             [[b#^blk]] [[b#^BLK]] [[b#^none]] [[#Local]] [x](b.md#q-why) [y](#local) [[a#Local]]\n\n# Local\n",
        ),
        (
            "b.md",
            "# Intro\n\n## Q: why?\n\n## Part\n\n#### Detail\n\n# Other\n\nText ^blk\n",
        ),
    ]);
    assert_eq!(
        outcomes(&snap, "a.md"),
        [
            "b.md h0",
            "b.md h0",
            "b.md h1",
            "b.md h3",
            "b.md !heading",
            "b.md !heading",
            "b.md b0",
            "b.md b0",
            "b.md !block",
            "a.md h0",
            "b.md h1",
            "a.md h0",
            "a.md h0",
        ]
    );
}

#[test]
fn attachments_and_aliases() {
    let snap = vault(&[
        (
            "a.md",
            "![[pic.png]] ![[img/pic.png]] ![[gone.png]] [[Alias]] ![y](img/pic.png) [[Release v1.2]]",
        ),
        ("img/pic.png", ""),
        ("b.md", "---\naliases: [Alias]\n---\n"),
        ("Release v1.2.md", ""),
    ]);
    assert_eq!(
        outcomes(&snap, "a.md"),
        [
            "file img/pic.png",
            "file img/pic.png",
            "missing file",
            "unresolved",
            "file img/pic.png",
            "Release v1.2.md"
        ]
    );
}

#[test]
fn updates_touch_one_note_and_keep_old_snapshots_intact() {
    let before = vault(&[("a.md", "[[b]]"), ("c.md", "[[b]] #t")]);
    assert_eq!(outcomes(&before, "a.md"), ["unresolved"]);
    let after = before.with_note(Note::new("sub/b.md".into(), extract(""), 0));
    assert_eq!(outcomes(&after, "a.md"), ["sub/b.md"]);
    assert_eq!(
        outcomes(&before, "a.md"),
        ["unresolved"],
        "old snapshot unchanged"
    );
    assert_eq!(
        after.linkers_of_name("b"),
        ["a.md".into(), "c.md".into()] as [super::NotePath; 2]
    );

    let edited = after.with_note(Note::new("c.md".into(), extract("no links"), 8));
    assert_eq!(
        edited.linkers_of_name("b"),
        ["a.md".into()] as [super::NotePath; 1]
    );
    assert!(edited.taggers_of("t").is_empty());
    assert_eq!(after.taggers_of("t").len(), 1);

    let removed = edited.without_note("sub/b.md");
    assert_eq!(outcomes(&removed, "a.md"), ["unresolved"]);
    assert_eq!(removed.note_count(), 2);
}
