//! Answer tests: a vault inline, a cursor marked `$0` in one note.

use super::*;
use crate::facts::extract;
use crate::fixture::Fixture;
use crate::index::Note;

/// Builds a vault; the note holding `$0` has it removed and its offset returned.
fn vault(files: &[(&str, &str)]) -> (Snapshot, String, At) {
    let fixture = Fixture::from_files(files);
    let (path, at) = fixture.at();
    (fixture.snapshot(), path, at)
}

/// Asserts that `answer`, asked at the fixture's cursor, finds exactly the
/// spans marked `^^^` in the fixture.
fn check_locations(fixture: &str, answer: impl Fn(&Snapshot, &str, At) -> Vec<Location>) {
    let fixture = Fixture::parse(fixture);
    let (from, at) = fixture.at();
    let found = answer(&fixture.snapshot(), &from, at);
    let marks = found.iter().map(|l| (&*l.path, l.span, ""));
    assert_eq!(fixture.annotate(marks), fixture.written());
}

#[test]
fn definition_of_headings_blocks_and_ambiguous_links() {
    /// Marks the link under the cursor `origin` and each target unlabelled;
    /// returns the targets' paths in answer order.
    fn check(fixture: &str) -> Vec<String> {
        let fixture = Fixture::parse(fixture);
        let (from, at) = fixture.at();
        let (origin, targets) = definition(&fixture.snapshot(), &from, at).unwrap();
        let mut marks: Vec<(&str, Span, &str)> = vec![(&from, origin, "origin")];
        marks.extend(targets.iter().map(|l| (&*l.path, l.span, "")));
        assert_eq!(fixture.annotate(marks), fixture.written());
        targets.iter().map(|l| l.path.to_string()).collect()
    }
    check(
        r#"
        //- a.md
        x [[b#Sec$0]]
          ^^^^^^^^^ origin
        //- b.md
        # B

        ## Sec
        ^^^^^^
        "#,
    );
    // Ambiguous: every candidate, the one it resolves to first.
    let targets = check(
        r#"
        //- a.md
        [[$0t#^id]]
        ^^^^^^^^^ origin
        //- x/t.md
        p ^id
          ^^^
        //- y/t.md


        q ^id
          ^^^
        "#,
    );
    assert_eq!(targets, ["x/t.md", "y/t.md"]);
    check(
        r#"
        //- a.md
        [[#Local$0]]
        ^^^^^^^^^^ origin

        # Local
        ^^^^^^^
        "#,
    );
    let (s, from, at) = vault(&[("a.md", "plain $0 text")]);
    assert!(definition(&s, &from, at).is_none());
}

fn refs(declaration: Declaration) -> impl Fn(&Snapshot, &str, At) -> Vec<Location> {
    move |s: &Snapshot, from: &str, at: At| references(s, from, at, declaration)
}

#[test]
fn references_of_the_title_are_every_backlink() {
    check_locations(
        r#"
        //- hub.md
        ---
        title: H$0ub
        ---
        # Hub

        ## Part

        text ^blk
        //- a.md
        [[hub]] [[hub#Part]] [[hub#^blk]] #proj
        ^^^^^^^ ^^^^^^^^^^^^ ^^^^^^^^^^^^
        //- b.md
        [[Hub|alias]] [x](hub.md#part) #proj/sub #project
        ^^^^^^^^^^^^^ ^^^^^^^^^^^^^^^^
        "#,
        refs(Declaration::Exclude),
    );
}

#[test]
fn references_of_a_heading_are_its_links_and_the_heading() {
    check_locations(
        r#"
        //- hub.md
        ---
        title: Hub
        ---
        # Hub

        ## Pa$0rt
        ^^^^^^^

        text ^blk
        //- a.md
        [[hub]] [[hub#Part]] [[hub#^blk]] #proj
                ^^^^^^^^^^^^
        //- b.md
        [[Hub|alias]] [x](hub.md#part) #proj/sub #project
                      ^^^^^^^^^^^^^^^^
        "#,
        refs(Declaration::Include),
    );
}

#[test]
fn references_of_a_block_a_link_and_a_tag() {
    check_locations(
        r#"
        //- hub.md
        ---
        title: Hub
        ---
        # Hub

        ## Part

        text ^b$0lk
        //- a.md
        [[hub]] [[hub#Part]] [[hub#^blk]] #proj
                             ^^^^^^^^^^^^
        //- b.md
        [[Hub|alias]] [x](hub.md#part) #proj/sub #project
        "#,
        refs(Declaration::Exclude),
    );
    // On a link: the references of its target.
    check_locations(
        r#"
        //- hub.md
        ---
        title: Hub
        ---
        # Hub

        ## Part

        text ^blk
        //- a.md
        [[h$0ub]] [[hub#Part]] [[hub#^blk]] #proj
        ^^^^^^^ ^^^^^^^^^^^^ ^^^^^^^^^^^^
        //- b.md
        [[Hub|alias]] [x](hub.md#part) #proj/sub #project
        ^^^^^^^^^^^^^ ^^^^^^^^^^^^^^^^
        "#,
        refs(Declaration::Exclude),
    );
    // On a tag: the tag and its nested tags, not mere prefixes.
    check_locations(
        r#"
        //- hub.md
        # Hub
        //- a.md
        [[hub]] [[hub#Part]] [[hub#^blk]] #pr$0oj
                                          ^^^^^
        //- b.md
        [[Hub|alias]] [x](hub.md#part) #proj/sub #project
                                       ^^^^^^^^^
        "#,
        refs(Declaration::Exclude),
    );
}

/// A tag of a YAML flow sequence written over two lines is found by
/// references, at its exact place.
#[test]
fn references_of_a_tag_in_multi_line_yaml() {
    check_locations(
        r#"
        //- a.md
        ---
        tags: [one,
          two-multi]
          ^^^^^^^^^
        ---
        #two-mu$0lti
        ^^^^^^^^^^
        "#,
        refs(Declaration::Exclude),
    );
}

/// Links in `%%` comments are backlinks (as in Obsidian) but are not
/// checked; links in HTML comments are neither.
#[test]
fn commented_links_are_references_but_not_problems() {
    check_locations(
        r#"
        //- a.md
        # A$0
        //- b.md
        [[a]] %% [[a]] [[missing]] %% <!-- [[a]] -->
        ^^^^^    ^^^^^
        "#,
        refs(Declaration::Exclude),
    );
    let fixture = Fixture::parse("//- b.md\n%% [[missing]] [[b#Nope]] %% <!-- [[gone]] -->\n");
    let snap = fixture.snapshot();
    let note = snap.note("b.md").unwrap();
    let problems = crate::check::Checker::new(&snap, &Default::default()).note(&snap, note);
    assert!(problems.is_empty(), "{problems:?}");
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
    let (_, md) = hover(&s, &from, at, &text, &no_links).unwrap();
    assert!(md.starts_with("**b** — `b.md` · 2 backlinks"), "{md}");
    assert!(md.ends_with("## Two\nsecond"), "{md}");

    let (s, from, at) = vault(&[("a.md", "#to$0do #todo #todo/x"), ("b.md", "#todo")]);
    let (_, md) = hover(&s, &from, at, &|_| None, &no_links).unwrap();
    assert_eq!(
        md,
        "**#todo** — used 3 times in 2 notes (including 1 nested tag)"
    );
}

fn no_links(_: &str, _: Option<u32>) -> Option<String> {
    None
}

/// VS Code's Markdown renderer knows neither wiki-links nor embeds: the
/// preview shows each link's display text, linked to where it leads.
#[test]
fn hover_preview_links_show_their_text_and_lead_to_their_target() {
    let b = "Open the [[Sidebar#Open hidden sidebars|left sidebar]], then **[[Settings]]** \
             ![[lucide-cog.svg#icon]] ![[cog.png]] and [[Sidebar#Open hidden sidebars]], \
             [[#Local]], [[Nowhere|gone]], [the *docs*](Settings.md), `[[in code]]`.\n\n# Local\n";
    let (s, from, at) = vault(&[
        ("a.md", "[[b$0]]"),
        ("b.md", b),
        ("ui/Sidebar.md", "# Sidebar\n\n## Open hidden sidebars\n"),
        ("Settings.md", "# Settings\n"),
    ]);
    let s = s.with_attachment("img/cog.png");
    let text = |p: &str| (p == "b.md").then(|| b.to_string());
    let href = |p: &str, line: Option<u32>| {
        Some(format!(
            "file:///v/{p}{}",
            line.map(|l| format!("#L{}", l + 1)).unwrap_or_default()
        ))
    };
    let (_, md) = hover(&s, &from, at, &text, &href).unwrap();
    let preview = md.split("\n\n---\n\n").nth(1).unwrap();
    assert_eq!(
        preview,
        "Open the [left sidebar](file:///v/ui/Sidebar.md#L3), then **[Settings](file:///v/Settings.md)** \
         lucide-cog.svg [cog.png](file:///v/img/cog.png) and \
         [Sidebar > Open hidden sidebars](file:///v/ui/Sidebar.md#L3), \
         [Local](file:///v/b.md#L3), gone, [the \\*docs\\*](file:///v/Settings.md), `[[in code]]`.\n\n# Local"
    );
}

/// A preview is cut after its 20th line whatever the line breaks (`\r`,
/// `\r\n` or `\n`), and a link on a shown line is still rewritten.
#[test]
fn hover_preview_counts_lines_on_every_line_break() {
    for eol in ["\n", "\r\n", "\r"] {
        let mut b: String = (1..=25).map(|i| format!("line {i}{eol}")).collect();
        b = b.replacen("line 20", "line 20 [[c|see c]]", 1);
        let (s, from, at) = vault(&[("a.md", "[[b$0]]"), ("b.md", &b), ("c.md", "")]);
        let text = |p: &str| (p == "b.md").then(|| b.clone());
        let href = |p: &str, _: Option<u32>| Some(format!("file:///v/{p}"));
        let (_, md) = hover(&s, &from, at, &text, &href).unwrap();
        let preview = md.split("\n\n---\n\n").nth(1).unwrap();
        let want: String = (1..=20).map(|i| format!("line {i}{eol}")).collect();
        let want = want.replacen("line 20", "line 20 [see c](file:///v/c.md)", 1);
        assert_eq!(preview, format!("{}\n…", want.trim_end()), "{eol:?}");
    }
}

#[test]
fn outline_nests_headings() {
    let note = Note::new(
        "n.md".into(),
        extract("# A\n## B\n### C\n## D\n# E\n#### F\n"),
        0,
    );
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
