//! Decoration tests: fixtures whose `^^^` marks, labelled, are the expected
//! tokens, lenses, previews and highlights.

use super::*;
use crate::answers::{At, Part};
use crate::fixture::Fixture;
use crate::text::Span;

/// A token's label: its kind, then its modifiers, dot-separated.
fn token_label(t: &Token) -> String {
    let mut label = format!("{:?}", t.kind).to_lowercase();
    for m in Modifier::ALL {
        if t.modifiers & m.bit() != 0 {
            label += &format!(".{m:?}").to_lowercase();
        }
    }
    label
}

fn check_tokens(fixture: &str, path: &str) {
    let fixture = Fixture::parse(fixture);
    let tokens = semantic_tokens(&fixture.snapshot(), path);
    let labels: Vec<String> = tokens.iter().map(token_label).collect();
    let marks = tokens
        .iter()
        .zip(&labels)
        .map(|(t, l)| (path, t.span, l.as_str()));
    assert_eq!(fixture.annotate(marks), fixture.written());
}

#[test]
fn tokens_of_every_link_form_tag_block_and_key() {
    check_tokens(
        r#"
        //- a.md
        ---
        up: "[[Hub]]"
        ^^ key
               ^^^ note
        status: draft
        tags: [proj, "x/y"]
        ^^^^ key
               ^^^^   ^^^ tag
        ---
        See [[Hub#Part]], [[Hub#Nope|n]] and [[Missing#H]] ![[Hub#^blk]] [[#Own]]
              ^^^           ^^^ note
                  ^^^^                                                      ^^^ heading
                                ^^^^                   ^ heading.unresolved
                                               ^^^^^^^ note.unresolved
                                                              ^^^ note.embed
                                                                  ^^^^ block
        [md](Hub.md#part) [pic](img/p.png) ![[gone.png]] [[Twin]] #tag text ^own1
             ^^^^^^ note
                    ^^^^ heading
                                ^^^^^^^^^ attachment
                                              ^^^^^^^^ attachment.unresolved.embed
                                                           ^^^^ note.ambiguous
                                                                  ^^^^ tag
                                                                            ^^^^^ block.declaration
        # Own
        %% [[Hub]] %% `[[Hub]]`
        //- Hub.md
        # Hub
        ## Part
        text ^blk
        //- img/p.png
        //- x/Twin.md
        //- y/Twin.md
        "#,
        "a.md",
    );
}

#[test]
fn lenses_count_links_to_the_note_and_each_linked_part() {
    let fixture = Fixture::parse(
        r#"
        //- hub.md
        # Hub
        ^^^^^ 5
        ## Linked
        ^^^^^^^^^ 2
        ## Alone
        a line ^blk
               ^^^^ 1
        ^free
        //- a.md
        [[hub]] [[hub#Linked]] [[Hub#linked|x]] [[hub#^blk]] [[hub#Nope]]
        //- b.md
        no links
        ^ 0
        "#,
    );
    let snap = fixture.snapshot();
    let mut marks = Vec::new();
    let labels: Vec<(String, Vec<Lens>)> = ["hub.md", "b.md"]
        .iter()
        .map(|p| (p.to_string(), lenses(&snap, p)))
        .collect();
    let counts: Vec<Vec<String>> = labels
        .iter()
        .map(|(_, ls)| ls.iter().map(|l| l.count.to_string()).collect())
        .collect();
    for ((path, ls), counts) in labels.iter().zip(&counts) {
        for (l, c) in ls.iter().zip(counts) {
            // An empty span (a title that is not a heading) drawn as one cell.
            let span = Span {
                end: l.span.end.max(l.span.start + 1),
                ..l.span
            };
            marks.push((path.as_str(), span, c.as_str()));
        }
    }
    assert_eq!(fixture.annotate(marks), fixture.written());
    // What each lens counts, found again by what it names.
    let hub = &snap.note("hub.md").unwrap().facts;
    for l in lenses(&snap, "hub.md") {
        let again = backlinks_of(&snap, "hub.md", &Counted::of(&l, hub));
        assert_eq!(again.len(), l.count, "{l:?}");
    }
    assert!(lenses(&snap, "b.md")[0].part == Part::Whole);
}

#[test]
fn a_front_matter_title_puts_the_note_lens_on_line_0() {
    let fixture =
        Fixture::parse("//- n.md\n---\ntitle: N\n---\n# First\n//- a.md\n[[n]] [[n#First]]\n");
    let ls = lenses(&fixture.snapshot(), "n.md");
    let got: Vec<(Span, Part, usize)> = ls.iter().map(|l| (l.span, l.part, l.count)).collect();
    let first = fixture.text("n.md").find("# First").unwrap();
    assert_eq!(
        got,
        [
            (Span::default(), Part::Whole, 2),
            (Span::new(first..first + 7), Part::Heading(0), 1)
        ]
    );
}

#[test]
fn a_renamed_heading_lens_finds_nothing_and_duplicates_find_their_own() {
    let fixture = Fixture::parse(
        "//- n.md\n# N\n## A\n### Dup\n## B\n### Dup\n//- a.md\n[[n#B#Dup]] [[n#A#Dup]] [[n#B#Dup]]\n",
    );
    let snap = fixture.snapshot();
    let second = Counted::Heading {
        index: 4,
        text: "Dup".into(),
    };
    assert_eq!(backlinks_of(&snap, "n.md", &second).len(), 2);
    let gone = Counted::Heading {
        index: 4,
        text: "Renamed".into(),
    };
    assert!(backlinks_of(&snap, "n.md", &gone).is_empty());
}

fn check_hints(fixture: &str, previews: Previews) {
    let fixture = Fixture::parse(fixture);
    let snap = fixture.snapshot();
    let text_of = |p: &str| Some(fixture.text(p).to_string());
    let all = Span::new(0..fixture.text("a.md").len());
    let hints = inlay_hints(&snap, "a.md", all, previews, &text_of);
    // Each hint as a one-cell mark at its place, labelled with what it says;
    // the span it was taken from marked in the target, labelled `from`.
    let mut marks: Vec<(&str, Span, &str)> = Vec::new();
    for h in &hints {
        marks.push((
            "a.md",
            Span::new(h.at as usize - 1..h.at as usize),
            &h.label,
        ));
        marks.push((&h.target.path, h.target.span, "from"));
    }
    assert_eq!(fixture.annotate(marks), fixture.written());
}

#[test]
fn previews_show_the_first_words_of_blocks_and_optionally_headings() {
    let vault = r#"
        //- a.md
        [[t#^one]] 😀 [[t#^two]] [[t#Sec]] [[t#^nope]] [[gone#^one]]
                 ^ Quoted words of the first block
                              ^ Second item with many more words than eight…
        //- t.md
        # T
        Quoted **words** of the first block ^one
        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ from

        ## Sec

        - [ ] Second item with many more words than eight allowed
        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ from
        ^two
        "#;
    check_hints(vault, Previews::Blocks);
    let fixture = Fixture::parse(vault);
    let snap = fixture.snapshot();
    let text_of = |p: &str| Some(fixture.text(p).to_string());
    let all = Span::new(0..fixture.text("a.md").len());
    let labels = |p: Previews| -> Vec<String> {
        inlay_hints(&snap, "a.md", all, p, &text_of)
            .into_iter()
            .map(|h| h.label)
            .collect()
    };
    assert_eq!(
        labels(Previews::All),
        [
            "Quoted words of the first block",
            "Second item with many more words than eight…",
            "Second item with many more words than eight…",
        ]
    );
    assert!(labels(Previews::Off).is_empty());
    // Only links inside the range asked for.
    let first_link = Span::new(0..3);
    assert_eq!(
        inlay_hints(&snap, "a.md", first_link, Previews::All, &text_of).len(),
        1
    );
}

fn check_highlights(fixture: &str) {
    let fixture = Fixture::parse(fixture);
    let (path, at) = fixture.at();
    let found = highlights(&fixture.snapshot(), &path, at);
    let marks = found.iter().map(|h| {
        let label = match h.kind {
            HighlightKind::Declaration => "def",
            HighlightKind::Reference => "",
        };
        (path.as_str(), h.span, label)
    });
    assert_eq!(fixture.annotate(marks), fixture.written());
}

#[test]
fn highlights_of_links_tags_headings_and_missing_targets() {
    // On a link: links to the same note, whatever part they name.
    check_highlights(
        r#"
        //- a.md
        [[b$0]] [[B|x]] [[b#H]] [[c]] [b](b.md) #b
        ^^^^^ ^^^^^^^ ^^^^^^^       ^^^^^^^^^
        //- b.md
        # H
        //- c.md
        "#,
    );
    // On a link to a heading of this note: the links to it, and the heading.
    check_highlights(
        r#"
        //- a.md
        # A
        ## Part
        ^^^^^^^ def
        [[#Pa$0rt]] [[a#part]] [[#A]] [[a]]
        ^^^^^^^^^ ^^^^^^^^^^
        "#,
    );
    // On a tag: the same tag, front matter included; nested tags are others.
    check_highlights(
        r#"
        //- a.md
        ---
        tags: [proj]
               ^^^^
        ---
        #pr$0oj #Proj #proj/sub #project
        ^^^^^ ^^^^^
        "#,
    );
    // On a missing note: the links naming it.
    check_highlights(
        r#"
        //- a.md
        [[nope$0]] [[Nope|x]] [[nope#H]] [[other]]
        ^^^^^^^^ ^^^^^^^^^^ ^^^^^^^^^^
        "#,
    );
    // On a block id: it and the links to it.
    check_highlights(
        r#"
        //- a.md
        text ^bl$0k
             ^^^^ def

        [[#^blk]] [[#^other]]
        ^^^^^^^^^
        "#,
    );
    let none = Fixture::parse("//- a.md\n# A\n\nplain $0text\n");
    let (path, at) = none.at();
    assert!(highlights(&none.snapshot(), &path, At { ..at }).is_empty());
}
