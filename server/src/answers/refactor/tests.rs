//! Refactor tests: each plan applied to the vault, the vault re-checked.

use super::*;
use crate::fixture::Fixture;
use crate::index::Note;

/// Applies refactor `title` at the fixture's cursor (or `range`) and returns
/// every note after it, and the snapshot of the result.
fn run(
    fixture: &str,
    range: Option<(&str, &str)>,
    title: &str,
) -> (Vec<(String, String)>, Snapshot) {
    let f = Fixture::parse(fixture);
    let snap = f.snapshot();
    let (from, at) = f.at();
    let text = f.text(&from);
    let span = match range {
        Some((a, b)) => {
            let s = text.find(a).unwrap();
            Span::new(s..text.find(b).unwrap() + b.len())
        }
        None => Span {
            start: at.offset,
            end: at.offset,
        },
    };
    let text_of = |p: &str| Some(f.text(p).to_string());
    let all = refactors(&snap, &from, text, span, &text_of, &|_| true);
    let chosen = all.iter().find(|r| r.title == title).unwrap_or_else(|| {
        panic!(
            "no {title:?} in {:?}",
            all.iter().map(|r| &r.title).collect::<Vec<_>>()
        )
    });
    let mut files: Vec<(String, String)> = f
        .texts()
        .into_iter()
        .map(|(p, t)| (p.to_string(), t.to_string()))
        .collect();
    for (path, edits) in &chosen.plan.edits {
        let file = files.iter_mut().find(|f| *f.0 == **path).unwrap();
        let mut t = file.1.clone();
        for e in edits.iter().rev() {
            t.replace_range(e.span.range(), &e.text);
        }
        file.1 = t;
    }
    for (path, text) in &chosen.plan.creates {
        files.push((path.clone(), text.clone()));
    }
    let notes: Vec<Note> = files
        .iter()
        .map(|(p, t)| Note::new(p.as_str().into(), crate::facts::extract(t), t.len() as u64))
        .collect();
    (files, Snapshot::build(notes, vec![]))
}

fn file<'a>(files: &'a [(String, String)], path: &str) -> &'a str {
    &files.iter().find(|f| f.0 == path).unwrap().1
}

/// Every link of the vault resolves, to a heading or block where it names one.
fn all_resolve(snap: &Snapshot) {
    use crate::index::resolve::{Resolution, SubpathMatch};
    for n in snap.notes() {
        for l in &n.facts.links {
            match snap.resolve(&n.path, l) {
                Resolution::Note { subpath, .. } => assert!(
                    !matches!(
                        subpath,
                        SubpathMatch::MissingBlock | SubpathMatch::MissingHeading
                    ),
                    "{}: {:?} misses its part",
                    n.path,
                    l.target
                ),
                other => panic!("{}: {:?} → {other:?}", n.path, l.target),
            }
        }
    }
}

const VAULT: &str = r#"
//- notes/Project.md
# Project 😀
Intro [[#Plan]].

## Plan$0
Steps, see [[../Other]], [[#Intro bits]], [b](../Other.md#far) and [[#^s1]]. ^s1
### Detail 漢字
More.

## Intro bits
Tail.
//- Other.md
# Far
[[Project#Plan]] and [[Project#^s1]] and [[Project#Intro bits]].
"#;

#[test]
fn extract_a_section_keeps_every_link() {
    let (files, snap) = run(
        VAULT,
        None,
        "Extract section \"Plan\" to new note \"Plan\", leaving a link",
    );
    assert_eq!(
        file(&files, "notes/Plan.md"),
        "# Plan\nSteps, see [[../Other]], [[Project#Intro bits]], [b](../Other.md#far) and [[#^s1]]. ^s1\n## Detail 漢字\nMore.\n\n"
    );
    assert_eq!(
        file(&files, "notes/Project.md"),
        "# Project 😀\nIntro [[Plan#Plan]].\n\n[[Plan]]\n## Intro bits\nTail.\n"
    );
    assert_eq!(
        file(&files, "Other.md"),
        "# Far\n[[Plan#Plan]] and [[Plan#^s1]] and [[Project#Intro bits]].\n"
    );
    all_resolve(&snap);
}

#[test]
fn extract_a_selection_as_an_embed() {
    let (files, snap) = run(
        VAULT,
        Some(("Steps", "More.")),
        "Extract the selection to new note \"Steps see Other Intro bits\", leaving an embed",
    );
    assert!(
        file(&files, "notes/Project.md").contains("## Plan\n![[Steps see Other Intro bits]]\n"),
        "{files:?}"
    );
    all_resolve(&snap);
}

#[test]
fn inline_an_embedded_section() {
    let fixture = r#"
        //- a.md
        # A
        Before ![[sub/B#Part$0]] after.
        //- sub/B.md
        # B
        ## Part
        See [[#Other]] and [[C]] and [c](C.md).
        ## Other
        //- sub/C.md
        # C
    "#;
    let (files, snap) = run(fixture, None, "Inline ![[sub/B#Part]]");
    assert_eq!(
        file(&files, "a.md"),
        "# A\nBefore ## Part\nSee [[B#Other]] and [[C]] and [c](sub/C.md). after.\n"
    );
    all_resolve(&snap);
}

#[test]
fn table_of_contents_is_inserted_then_updated() {
    let fixture = "//- a.md\n# Title\n$0\n## One: first\n### Sub\n## Two\n";
    let (files, snap) = run(fixture, None, "Insert table of contents");
    let text = file(&files, "a.md");
    assert_eq!(
        text,
        "# Title\n<!--toc:start-->\n\n- [[#One first]]\n  - [[#Sub]]\n- [[#Two]]\n\n<!--toc:end-->\n\n## One: first\n### Sub\n## Two\n"
    );
    all_resolve(&snap);
    let changed = format!("//- a.md\n{}## Three$0\n", text);
    let (files, _) = run(&changed, None, "Update table of contents");
    assert!(
        file(&files, "a.md").contains("- [[#Two]]\n- [[#Three]]\n"),
        "{files:?}"
    );
}
