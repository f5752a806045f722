//! Answer tests: a vault inline, a cursor marked `$0` in one note.

use super::*;
use crate::facts::extract;
use crate::index::Note;

/// Builds a vault; the note holding `$0` has it removed and its offset returned.
fn vault(files: &[(&str, &str)]) -> (Snapshot, String, At) {
    let mut notes = Vec::new();
    let mut cursor_at = None;
    for (path, text) in files {
        let mut text = text.to_string();
        if let Some(i) = text.find("$0") {
            text.replace_range(i..i + 2, "");
            let line = text[..i].matches('\n').count() as u32;
            cursor_at = Some((
                path.to_string(),
                At {
                    offset: i as u32,
                    line,
                },
            ));
        }
        notes.push(Note {
            path: (*path).into(),
            facts: extract(&text),
            bytes: text.len() as u64,
        });
    }
    let (path, at) = cursor_at.expect("a cursor marker");
    (Snapshot::build(notes, vec![]), path, at)
}

fn locs_in(s: &Snapshot, v: &[Location]) -> Vec<String> {
    v.iter()
        .map(|l| {
            format!(
                "{}:{}",
                l.path,
                s.note(&l.path).unwrap().facts.lines.line_of(l.span.start)
            )
        })
        .collect()
}

#[test]
fn definition_of_headings_blocks_and_ambiguous_links() {
    let (s, from, at) = vault(&[("a.md", "x [[b#Sec$0]]"), ("b.md", "# B\n\n## Sec\n")]);
    let (origin, targets) = definition(&s, &from, at).unwrap();
    assert_eq!(origin.start, 2);
    assert_eq!(locs_in(&s, &targets), ["b.md:2"]);

    let (s, from, at) = vault(&[
        ("a.md", "[[$0t#^id]]"),
        ("x/t.md", "p ^id\n"),
        ("y/t.md", "\n\nq ^id"),
    ]);
    assert_eq!(
        locs_in(&s, &definition(&s, &from, at).unwrap().1),
        ["x/t.md:0", "y/t.md:2"]
    );

    let (s, from, at) = vault(&[("a.md", "[[#Local$0]]\n\n# Local\n")]);
    assert_eq!(
        locs_in(&s, &definition(&s, &from, at).unwrap().1),
        ["a.md:2"]
    );

    let (s, from, at) = vault(&[("a.md", "plain $0 text")]);
    assert!(definition(&s, &from, at).is_none());
}

#[test]
fn references_by_cursor_kind() {
    let files = [
        (
            "hub.md",
            "---\ntitle: Hub\n---\n# Hub\n\n## Part\n\ntext ^blk\n",
        ),
        ("a.md", "[[hub]] [[hub#Part]] [[hub#^blk]] #proj"),
        ("b.md", "[[Hub|alias]] [x](hub.md#part) #proj/sub #project"),
    ];
    let with_cursor = |path: &str, marked: &str| {
        let mut fs: Vec<(&str, String)> = files.iter().map(|(p, t)| (*p, t.to_string())).collect();
        for f in fs.iter_mut() {
            if f.0 == path {
                f.1 = marked.to_string();
            }
        }
        let refs: Vec<(&str, &str)> = fs.iter().map(|(p, t)| (*p, t.as_str())).collect();
        vault(&refs)
    };
    // On the title: every backlink, headings and blocks included.
    let (s, from, at) = with_cursor(
        "hub.md",
        "---\ntitle: H$0ub\n---\n# Hub\n\n## Part\n\ntext ^blk\n",
    );
    assert_eq!(
        locs_in(&s, &references(&s, &from, at, Declaration::Exclude)),
        ["a.md:0", "a.md:0", "a.md:0", "b.md:0", "b.md:0"]
    );
    // On a heading: links to it only; with the declaration first.
    let (s, from, at) = with_cursor(
        "hub.md",
        "---\ntitle: Hub\n---\n# Hub\n\n## Pa$0rt\n\ntext ^blk\n",
    );
    assert_eq!(
        locs_in(&s, &references(&s, &from, at, Declaration::Include)),
        ["hub.md:5", "a.md:0", "b.md:0"]
    );
    // On a block id.
    let (s, from, at) = with_cursor(
        "hub.md",
        "---\ntitle: Hub\n---\n# Hub\n\n## Part\n\ntext ^b$0lk\n",
    );
    assert_eq!(
        locs_in(&s, &references(&s, &from, at, Declaration::Exclude)),
        ["a.md:0"]
    );
    // On a link: references to its target.
    let (s, from, at) = with_cursor("a.md", "[[h$0ub]] [[hub#Part]] [[hub#^blk]] #proj");
    assert_eq!(references(&s, &from, at, Declaration::Exclude).len(), 5);
    // On a tag: the tag and its nested tags, not mere prefixes.
    let (s, from, at) = with_cursor("a.md", "[[hub]] [[hub#Part]] [[hub#^blk]] #pr$0oj");
    assert_eq!(
        locs_in(&s, &references(&s, &from, at, Declaration::Exclude)),
        ["a.md:0", "b.md:0"]
    );
}

#[test]
fn hover_previews_the_section_and_counts_backlinks() {
    let (s, from, at) = vault(&[
        ("a.md", "[[b#Two$0]]"),
        (
            "b.md",
            "---\nx: 1\n---\n# One\nfirst\n## Two\nsecond\n# Three\nthird\n",
        ),
        ("c.md", "[[b]]"),
    ]);
    let text = |p: &str| {
        (p == "b.md")
            .then(|| "---\nx: 1\n---\n# One\nfirst\n## Two\nsecond\n# Three\nthird\n".to_string())
    };
    let (_, md) = hover(&s, &from, at, &text).unwrap();
    assert!(md.starts_with("**b** — `b.md` · 2 backlinks"), "{md}");
    assert!(md.ends_with("## Two\nsecond"), "{md}");

    let (s, from, at) = vault(&[("a.md", "#to$0do #todo #todo/x"), ("b.md", "#todo")]);
    let (_, md) = hover(&s, &from, at, &|_| None).unwrap();
    assert_eq!(
        md,
        "**#todo** — used 3 times in 2 notes (including 1 nested tag)"
    );
}

#[test]
fn outline_nests_headings() {
    let note = Note {
        path: "n.md".into(),
        facts: extract("# A\n## B\n### C\n## D\n# E\n#### F\n"),
        bytes: 0,
    };
    let syms = document_symbols(&note);
    let shape: Vec<String> = syms
        .iter()
        .map(|s| {
            format!(
                "{}({})",
                s.name,
                s.children
                    .iter()
                    .map(|c| format!("{}{}", c.name, c.children.len()))
                    .collect::<String>()
            )
        })
        .collect();
    assert_eq!(shape, ["A(B1D0)", "E(F0)"]);
    assert_eq!(note.facts.lines.line_of(syms[0].section_end), 4);
    assert_eq!(syms[1].section_end, note.facts.lines.text_len());
}

#[test]
fn workspace_symbols_rank_fuzzy_matches() {
    let (s, _, _) = vault(&[
        (
            "Projects/Alpha plan.md",
            "---\naliases: [Roadmap]\n---\n# Goals\n#planning $0",
        ),
        ("Beta.md", "# Alphabet soup\n"),
    ]);
    let hits = workspace_symbols(&s, "alpha", 10);
    assert_eq!(hits[0].name, "Alpha plan");
    assert!(
        hits.iter()
            .any(|h| h.name == "Alphabet soup" && h.kind == SymbolKind::Heading)
    );
    assert_eq!(
        workspace_symbols(&s, "roadm", 10)[0].kind,
        SymbolKind::Alias
    );
    assert_eq!(workspace_symbols(&s, "#plan", 10)[0].kind, SymbolKind::Tag);
    assert_eq!(workspace_symbols(&s, "", 1).len(), 1);
}
