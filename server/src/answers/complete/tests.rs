//! Completion tests: a vault inline, the cursor marked `$0`, and for each
//! item the note text after applying it.

use super::*;

/// Applies completion item `label` at `$0` in `from` and returns the new text.
fn after(files: &[(&str, &str)], from: &str, label: &str) -> String {
    let (snap, text, offset) = setup(files, from);
    let c = complete(
        &snap,
        from,
        &text,
        offset,
        &Options::new(50, PathStyle::Percent),
    )
    .expect("a completion context");
    let item = c
        .items
        .iter()
        .find(|i| i.label == label)
        .unwrap_or_else(|| {
            panic!(
                "no {label:?} in {:?}",
                c.items.iter().map(|i| &i.label).collect::<Vec<_>>()
            )
        });
    format!(
        "{}{}{}",
        &text[..c.replace.start as usize],
        item.insert,
        &text[c.replace.end as usize..]
    )
}

fn setup(files: &[(&str, &str)], from: &str) -> (Snapshot, String, usize) {
    let fixture = crate::fixture::Fixture::from_files(files);
    let (at, _) = fixture.at();
    assert_eq!(at, from, "the cursor is in {from}");
    let offset = fixture.cursor().offset as usize;
    (fixture.snapshot(), fixture.text(from).to_string(), offset)
}

fn labels(files: &[(&str, &str)], from: &str) -> Vec<String> {
    let (snap, text, offset) = setup(files, from);
    complete(
        &snap,
        from,
        &text,
        offset,
        &Options::new(50, PathStyle::Percent),
    )
    .map_or(vec![], |c| c.items.into_iter().map(|i| i.label).collect())
}

const VAULT: &[(&str, &str)] = &[
    (
        "Projects/Roadmap.md",
        "---\ntitle: The Plan\naliases: [Plan B]\n---\n# Goals\n## Q1 targets\ntext ^q1\n",
    ),
    ("Archive/Roadmap.md", "old"),
    (
        "Daily note.md",
        "[[Roadmap]] [[Projects/Roadmap]] [[Someday]] #project #project/alpha #Project",
    ),
    ("Zettel.md", "[[Daily note]] [[Daily note]] #project"),
];

fn with(from_text: &str) -> Vec<(&'static str, String)> {
    let mut v: Vec<(&str, String)> = VAULT.iter().map(|(p, t)| (*p, t.to_string())).collect();
    v.push(("cur.md", from_text.to_string()));
    v
}

fn run_after(from_text: &str, label: &str) -> String {
    let v = with(from_text);
    let refs: Vec<(&str, &str)> = v.iter().map(|(a, b)| (*a, b.as_str())).collect();
    after(&refs, "cur.md", label)
}

fn run_labels(from_text: &str) -> Vec<String> {
    let v = with(from_text);
    let refs: Vec<(&str, &str)> = v.iter().map(|(a, b)| (*a, b.as_str())).collect();
    labels(&refs, "cur.md")
}

#[test]
fn note_links_use_the_shortest_unambiguous_form() {
    assert_eq!(run_after("See [[dai$0", "Daily note"), "See [[Daily note]]");
    assert_eq!(
        run_after("See [[road$0]] more", "Roadmap"),
        "See [[Archive/Roadmap]] more"
    );
    assert!(
        run_labels("[[road$0")
            .iter()
            .filter(|l| *l == "Roadmap")
            .count()
            == 2
    );
    assert_eq!(
        run_after("[[plan b$0", "Plan B"),
        "[[Projects/Roadmap|Plan B]]"
    );
    assert_eq!(
        run_after("- 😀 漢字 [[The Pl$0", "Roadmap"),
        "- 😀 漢字 [[Archive/Roadmap]]".replace("Archive", "Projects")
    );
}

#[test]
fn inside_tables_quotes_and_lists() {
    assert_eq!(
        run_after("| a | [[dai$0 |", "Daily note"),
        "| a | [[Daily note]] |"
    );
    assert_eq!(
        run_after("> quote [[dai$0", "Daily note"),
        "> quote [[Daily note]]"
    );
    assert_eq!(
        run_after("1. item\n   - [[dai$0]] x", "Daily note"),
        "1. item\n   - [[Daily note]] x"
    );
}

#[test]
fn ranking_prefers_better_matches_then_linked_notes() {
    let labels = run_labels("[[$0");
    assert_eq!(labels[0], "Daily note", "most linked first: {labels:?}");
    let labels = run_labels("[[zett$0");
    assert_eq!(labels[0], "Zettel");
}

#[test]
fn short_queries_match_word_starts() {
    let labels = run_labels("[[n$0");
    assert!(labels.contains(&"Daily note".to_string()), "{labels:?}");
    let labels = run_labels("[[o$0");
    assert!(
        !labels.contains(&"Daily note".to_string()),
        "its `o` is inside a word: {labels:?}"
    );
    assert!(super::starts_a_word("Été à Paris", 'é') && super::starts_a_word("x-ray", 'R'));
    // The Kelvin sign lowercases to an ASCII `k`.
    assert!(super::starts_a_word("\u{212A}elvin", 'k') && !super::starts_a_word("ok", 'k'));
}

/// The names' kept characters and masks change nothing: every name scores
/// as it did from its text, and is screened out only if it cannot match.
#[test]
fn prepared_names_score_as_their_text() {
    let names = [
        "Daily note",
        "Café à Zürich",
        "e\u{301}te\u{301}",
        "会議のメモ",
        "🤔 Maybe Run",
        "\u{212A}elvin scale",
        "x-ray",
        "",
        "--",
        "Ärger mit Émile",
        "über Kelvin",
        "İstanbul ǅemal",
        "Straße ﬁnal",
        "Ωmega Ⅻ café",
        "Crème brûlée 2024",
        "日本 Tokyo 東京",
    ];
    for query in [
        "",
        "d",
        "da",
        "dai",
        "é",
        "ca",
        "caf",
        "会",
        "k",
        "ke",
        "ray",
        "-",
        "zü",
        "ä",
        "e",
        "em",
        "ü",
        "u",
        "i",
        "is",
        "ist",
        "dz",
        "fi",
        "fin",
        "ss",
        "o",
        "om",
        "cre",
        "brul",
        "^cr",
        "ée$",
        "'brû",
        "!caf",
        "cr br",
        "tok 東",
        "2024",
        "x",
        "ω",
        "xii",
        "\u{212A}",
        "\u{212A}e",
        "İ",
        "İs",
        "Ω",
        "É",
        "Éz",
        "东",
        "日",
    ] {
        let mut scorer = Scorer::new(query);
        let needed = scorer.needed_mask();
        for name in names {
            let plain = scorer.score(name);
            let prepared = prepare(name);
            assert_eq!(
                scorer.score_prepared(name, &prepared),
                plain,
                "{query:?} in {name:?}"
            );
            if plain.is_some() {
                let chars_mask = crate::names::char_mask(name).unwrap_or(u64::MAX);
                assert_eq!(chars_mask & needed, needed, "{query:?} in {name:?}");
                if let Some(bits) = scorer.initial_bits() {
                    assert_ne!(
                        crate::names::initials_mask(name) & bits,
                        0,
                        "{query:?} in {name:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn missing_names_are_offered_to_create() {
    let v = with("[[some$0");
    let refs: Vec<(&str, &str)> = v.iter().map(|(a, b)| (*a, b.as_str())).collect();
    let (snap, text, offset) = setup(&refs, "cur.md");
    let c = complete(
        &snap,
        "cur.md",
        &text,
        offset,
        &Options::new(50, PathStyle::Percent),
    )
    .unwrap();
    let item = c.items.iter().find(|i| i.label == "Someday").unwrap();
    assert_eq!(item.kind, ItemKind::Missing);
}

/// VS Code auto-closes `[` only once it has tokenized the line, so on a
/// busy machine `[[` is followed by `]]`, `]` or nothing (seen in code-server:
/// `Also [[Command pal]`). Each gives one well-formed link.
#[test]
fn a_link_gets_exactly_the_closing_brackets_it_lacks() {
    for (typed, want) in [
        ("See [[dai$0", "See [[Daily note]]"),
        ("See [[dai$0]", "See [[Daily note]]"),
        ("See [[dai$0]]", "See [[Daily note]]"),
        ("See [[dai$0] x", "See [[Daily note]] x"),
    ] {
        assert_eq!(run_after(typed, "Daily note"), want, "{typed}");
    }
    assert_eq!(
        run_after("[[Projects/Roadmap#q1$0]", "Q1 targets"),
        "[[Projects/Roadmap#Q1 targets]]"
    );
    assert_eq!(
        run_after("[[Projects/Roadmap#^$0]", "^q1"),
        "[[Projects/Roadmap#^q1]]"
    );
}

#[test]
fn headings_blocks_and_slugs() {
    assert_eq!(
        run_after("[[Projects/Roadmap#q1$0", "Q1 targets"),
        "[[Projects/Roadmap#Q1 targets]]"
    );
    assert_eq!(
        run_after("[[Projects/Roadmap#Goals#$0", "Q1 targets"),
        "[[Projects/Roadmap#Goals#Q1 targets]]"
    );
    assert_eq!(
        run_after("[[Projects/Roadmap#^$0]]", "^q1"),
        "[[Projects/Roadmap#^q1]]"
    );
    assert_eq!(run_after("# Mine\n[[#$0", "Mine"), "# Mine\n[[#Mine]]");
    assert_eq!(
        run_after("[x](Projects/Roadmap.md#q$0", "Q1 targets"),
        "[x](Projects/Roadmap.md#q1-targets"
    );
}

#[test]
fn markdown_paths_are_relative_and_encoded() {
    let v = vec![
        ("notes/deep/cur.md", "[x](dai$0"),
        ("Daily note.md", ""),
        ("notes/other one.md", ""),
    ];
    assert_eq!(
        after(&v, "notes/deep/cur.md", "../../Daily note.md"),
        "[x](../../Daily%20note.md"
    );
    let v = vec![
        ("notes/deep/cur.md", "[x](<oth$0"),
        ("notes/other one.md", ""),
    ];
    assert_eq!(
        after(&v, "notes/deep/cur.md", "../other one.md"),
        "[x](<../other one.md"
    );
}

#[test]
fn tags_with_counts_inline_and_in_front_matter() {
    let labels = run_labels("text #pro$0");
    assert_eq!(labels[0], "#project", "used in the most notes: {labels:?}");
    assert!(
        labels.contains(&"#project/alpha".to_string()),
        "nested tags too: {labels:?}"
    );
    assert!(
        !labels.contains(&"#pro".to_string()),
        "not the tag being typed: {labels:?}"
    );
    assert_eq!(
        run_after("---\ntags: [a, proj$0\n---\n", "#project"),
        "---\ntags: [a, project\n---\n"
    );
    assert_eq!(
        run_after("---\ntags:\n  - proj$0\n---\n", "#project"),
        "---\ntags:\n  - project\n---\n"
    );
}

#[test]
fn nothing_in_code_or_aliases() {
    assert!(run_labels("`[[dai$0`").is_empty());
    assert!(run_labels("```\n[[dai$0\n").is_empty());
    assert!(
        run_labels("[[Daily note|my te$0").is_empty(),
        "a note without title or aliases"
    );
    assert_eq!(
        run_after("[[Projects/Roadmap|pl$0", "Plan B"),
        "[[Projects/Roadmap|Plan B]]"
    );
    assert_eq!(
        run_labels("[[Projects/Roadmap#Goals|$0"),
        ["The Plan", "Plan B"]
    );
    assert!(run_labels("a#b$0").is_empty());
}

#[test]
fn cached_name_lists_follow_the_vault() {
    use crate::index::Note;
    let note = |path: &str, text: &str| Note::new(path.into(), crate::facts::extract(text), 0);
    let snap = Snapshot::from_texts(&[
        ("a.md", "[[Someday]] [[pic.png]]"),
        ("b.md", "---\ntitle: Bee\n---\n"),
    ]);
    let find = |snap: &Snapshot, text: &str| -> Vec<(String, ItemKind)> {
        complete(
            snap,
            "cur.md",
            text,
            text.len(),
            &Options::new(50, PathStyle::Percent),
        )
        .map_or(vec![], |c| {
            c.items.into_iter().map(|i| (i.label, i.kind)).collect()
        })
    };
    assert!(find(&snap, "[[some").contains(&("Someday".into(), ItemKind::Missing)));
    assert!(
        !find(&snap, "[[pic")
            .iter()
            .any(|i| i.1 == ItemKind::Missing),
        "attachments are not notes to create"
    );
    assert!(find(&snap, "[[bee").contains(&("b".into(), ItemKind::Note)));
    // Creating the note turns the missing name into a note.
    let snap = snap.with_note(note("Someday.md", ""));
    assert_eq!(find(&snap, "[[some"), [("Someday".into(), ItemKind::Note)]);
    // A new broken link in an existing note shows up; a changed title too.
    let snap = snap.with_note(note("a.md", "[[Someday]] [[Later]]"));
    assert!(find(&snap, "[[late").contains(&("Later".into(), ItemKind::Missing)));
    let snap = snap.with_note(note("b.md", "---\ntitle: Wasp\n---\n"));
    assert!(find(&snap, "[[bee").is_empty());
    assert!(find(&snap, "[[wasp").contains(&("b".into(), ItemKind::Note)));
}

/// Front matter read as YAML: tags of a flow sequence over two lines, and a
/// quoted alias with a comma in it.
#[test]
fn yaml_front_matter_feeds_tag_and_alias_completion() {
    let files = [
        (
            "a.md",
            "---\ntags: [one,\n  two-multi]\naliases: [\"Kappa, Ten\", Lambda Eleven]\n---\n",
        ),
        ("b.md", "#tw$0"),
    ];
    assert_eq!(labels(&files, "b.md"), ["#two-multi"]);
    let files = [files[0], ("b.md", "[[Kap$0")];
    let got = labels(&files, "b.md");
    assert!(got.contains(&"Kappa, Ten".to_string()), "{got:?}");
    assert!(!got.contains(&"Kappa".to_string()), "{got:?}");
    assert_eq!(after(&files, "b.md", "Kappa, Ten"), "[[a|Kappa, Ten]]");
}

/// The hostile names of `tests/check.rs`: a completed link to each, in every
/// link form and path style, resolves back to exactly that note.
#[test]
fn a_completed_link_to_every_awkward_name_resolves_to_it() {
    let more = ["sub/par (1)", "sub/x<y>", "sub/q?[z]^"];
    let names: Vec<&str> = crate::fixture::HOSTILE_NAMES
        .iter()
        .chain(&more)
        .copied()
        .collect();
    let forms = [
        ("[[", PathStyle::Percent),
        ("[x](", PathStyle::Percent),
        ("[x](", PathStyle::Angle),
        ("[x](<", PathStyle::Percent),
    ];
    for from in ["from.md", "deep/er/from.md"] {
        for (open, style) in forms {
            for &name in &names {
                let target = format!("{name}.md");
                let mut files: Vec<(String, String)> = names
                    .iter()
                    .map(|n| (format!("{n}.md"), String::new()))
                    .collect();
                let typed = format!("{open}$0");
                files.push((from.to_string(), typed.clone()));
                let refs: Vec<(&str, &str)> = files
                    .iter()
                    .map(|(a, b)| (a.as_str(), b.as_str()))
                    .collect();
                let (snap, text, offset) = setup(&refs, from);
                let done = complete(&snap, from, &text, offset, &Options::new(500, style))
                    .expect("completes");
                let item = done
                    .items
                    .iter()
                    .find(|i| i.path.as_deref() == Some(target.as_str()));
                if open == "[[" && name.contains('#') {
                    // `[[a#b]]` is note `a`, heading `b`: no wiki link can
                    // name this note, so none is offered.
                    assert!(item.is_none(), "{item:?}");
                    continue;
                }
                let item = item.unwrap_or_else(|| panic!("{open:?}: no item for {target}"));
                let mut written = format!(
                    "{}{}{}",
                    &text[..done.replace.start as usize],
                    item.insert,
                    &text[done.replace.end as usize..]
                );
                if open.ends_with('(') {
                    written.push(')');
                } else if open.ends_with('<') {
                    written.push_str(">)");
                }
                let snap = snap.with_note(crate::index::Note::new(
                    from.into(),
                    crate::facts::extract(&written),
                    written.len() as u64,
                ));
                let note = snap.note(from).unwrap();
                assert_eq!(note.facts.links.len(), 1, "{written:?} is one link");
                let resolved = snap.resolve_note(from, &note.facts.links[0]);
                assert_eq!(
                    resolved.as_deref(),
                    Some(target.as_str()),
                    "{written:?} (from {from}, {style:?}) must lead to {target}"
                );
            }
        }
    }
}

/// `[[##` and `[[^^`: headings and blocks of every note, ranked by match
/// then by backlinks; a block without an id gets one, written by the item.
#[test]
fn vault_wide_headings_and_blocks() {
    let files = [
        (
            "Popular.md",
            "# Setup guide\n\nInstall the tools 😀 first.\n",
        ),
        ("Rare.md", "## Setup notes\n\n- install 漢字 widgets ^w1\n"),
        ("a.md", "[[Popular]]"),
        ("b.md", "[[Popular]]"),
        ("cur.md", "Own para\n\n[[##setup$0"),
    ];
    let (snap, text, offset) = setup(&files, "cur.md");
    let texts: Vec<(String, String)> = files
        .iter()
        .map(|(p, t)| (p.to_string(), t.replace("$0", "")))
        .collect();
    let text_of = move |p: &str| texts.iter().find(|t| t.0 == p).map(|t| t.1.clone());
    let options = Options {
        text_of: Some(&text_of),
        ..Options::new(50, PathStyle::Percent)
    };
    let c = complete(&snap, "cur.md", &text, offset, &options).unwrap();
    let got: Vec<(&str, &str)> = c
        .items
        .iter()
        .map(|i| (i.label.as_str(), i.insert.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("Setup guide", "Popular#Setup guide]]"),
            ("Setup notes", "Rare#Setup notes]]")
        ]
    );
    assert_eq!(&text[c.replace.range()], "##setup");

    let text = "Own para\n\n[[^^install";
    let c = complete(&snap, "cur.md", text, text.len(), &options).unwrap();
    let got: Vec<(&str, &str)> = c
        .items
        .iter()
        .map(|i| (i.label.as_str(), i.insert.as_str()))
        .collect();
    let fresh = c.items[0]
        .adds_id
        .clone()
        .expect("a fresh id for the block");
    assert_eq!(
        got,
        [
            (
                "Install the tools 😀 first.",
                &*format!("Popular#^{}]]", fresh.id)
            ),
            ("install 漢字 widgets", "Rare#^w1]]"),
        ]
    );
    assert!(c.items[1].adds_id.is_none(), "the block has an id");
    let popular = texts_after(&files, "Popular.md", &fresh.edit);
    assert_eq!(
        popular,
        format!(
            "# Setup guide\n\nInstall the tools 😀 first. ^{}\n",
            fresh.id
        )
    );
    // The link now resolves to that block.
    let snap = snap.with_note(crate::index::Note::new(
        "Popular.md".into(),
        crate::facts::extract(&popular),
        popular.len() as u64,
    ));
    let link = crate::facts::extract(&format!("[[Popular#^{}]]", fresh.id)).links;
    assert!(matches!(
        snap.resolve("cur.md", &link[0]),
        crate::index::resolve::Resolution::Note {
            subpath: crate::index::resolve::SubpathMatch::Block(0),
            ..
        }
    ));
    // Own blocks link as `#^id`; the paragraph being typed is not offered.
    let text = "Own para\n\n[[^^own";
    let c = complete(&snap, "cur.md", text, text.len(), &options).unwrap();
    assert_eq!(c.items.len(), 1);
    assert!(c.items[0].insert.starts_with("#^"), "{:?}", c.items[0]);
    let text = "Own para [[^^own";
    let snap = snap.with_note(crate::index::Note::new(
        "cur.md".into(),
        crate::facts::extract(text),
        text.len() as u64,
    ));
    let text_of = |_: &str| Some(text.to_string());
    let options = Options {
        text_of: Some(&text_of),
        ..Options::new(50, PathStyle::Percent)
    };
    let c = complete(&snap, "cur.md", text, text.len(), &options).unwrap();
    assert!(c.items.is_empty(), "{:?}", c.items);
}

fn texts_after(files: &[(&str, &str)], path: &str, edit: &Edit) -> String {
    let text = files.iter().find(|f| f.0 == path).unwrap().1;
    format!(
        "{}{}{}",
        &text[..edit.span.start as usize],
        edit.text,
        &text[edit.span.end as usize..]
    )
}
