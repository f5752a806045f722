//! Extractor tests: a note in, a compact description of its facts out.

use crate::facts::{LinkKind, NoteFacts, Subpath, extract};

/// One line per link: `kind target [sub] | whole-link-text | target-text`.
fn links(src: &str) -> Vec<String> {
    let facts = extract(src);
    facts
        .links
        .iter()
        .map(|l| {
            let sub = match &l.subpath() {
                None => String::new(),
                Some(Subpath::Heading(h)) => format!(" #{}", h.join("#")),
                Some(Subpath::Block(b)) => format!(" #^{b}"),
            };
            format!(
                "{:?} {}{sub} | {} | {}",
                l.kind,
                l.target,
                &src[l.span.range()],
                &src[l.target_span.range()]
            )
        })
        .collect()
}

fn tags(src: &str) -> Vec<String> {
    extract(src)
        .tags
        .iter()
        .map(|t| {
            assert_eq!(
                src[t.span.range()].trim_start_matches('#'),
                &*t.name,
                "tag span must cover the tag"
            );
            t.name.to_string()
        })
        .collect()
}

#[test]
fn wiki_link_forms() {
    let src = "a [[Note]] b [[Note|Alias]] [[Note#Heading]] [[Note#H1#H2]] [[#Self]]\n\
               [[Note#^block-id]] [[folder/Note]] [[Note.md]] ![[Pic.png|100x145]] ![[Note#Sec]]\n";
    assert_eq!(
        links(src),
        [
            "Wiki Note | [[Note]] | Note",
            "Wiki Note | [[Note|Alias]] | Note",
            "Wiki Note #Heading | [[Note#Heading]] | Note",
            "Wiki Note #H1#H2 | [[Note#H1#H2]] | Note",
            "Wiki  #Self | [[#Self]] | ",
            "Wiki Note #^block-id | [[Note#^block-id]] | Note",
            "Wiki folder/Note | [[folder/Note]] | folder/Note",
            "Wiki Note.md | [[Note.md]] | Note.md",
            "Embed Pic.png | ![[Pic.png|100x145]] | Pic.png",
            "Embed Note #Sec | ![[Note#Sec]] | Note",
        ]
    );
}

#[test]
fn markdown_link_forms() {
    let src = "[a](path.md) [b](path%20with%20spaces.md) [c](<path with spaces.md>)\n\
               [d](sub/path.md#my-slug) [e](#local) [f](https://example.com/x.md) ![g](img.png)\n\
               [h](mailto:x@y.z) [i](//host/x.md) [j](../up.md \"Title\")\n";
    assert_eq!(
        links(src),
        [
            "Markdown path.md | [a](path.md) | path.md",
            "Markdown path with spaces.md | [b](path%20with%20spaces.md) | path%20with%20spaces.md",
            "Markdown path with spaces.md | [c](<path with spaces.md>) | path with spaces.md",
            "Markdown sub/path.md #my-slug | [d](sub/path.md#my-slug) | sub/path.md",
            "Markdown  #local | [e](#local) | ",
            "Markdown img.png | ![g](img.png) | img.png",
            "Markdown ../up.md | [j](../up.md \"Title\") | ../up.md",
        ]
    );
}

#[test]
fn reference_links_are_recorded_where_used() {
    let src = "See [text][ref] and [again][REF] and [ref][] and [ref].\n\n[ref]: <my note.md#Part> \"t\"\n\
               [web]: https://x.org\n[unused]: other.md\n";
    assert_eq!(
        links(src),
        [
            "Reference my note.md #Part | [text][ref] | my note.md",
            "Reference my note.md #Part | [again][REF] | my note.md",
            "Reference my note.md #Part | [ref][] | my note.md",
            "Reference my note.md #Part | [ref] | my note.md",
            "Reference other.md | [unused]: other.md | other.md",
        ]
    );
}

#[test]
fn link_text_with_brackets_and_images_inside_links() {
    let src = "[a [b] c](x.md) [![img](i.png)](y.md)";
    assert_eq!(
        links(src),
        [
            "Markdown x.md | [a [b] c](x.md) | x.md",
            "Markdown y.md | [![img](i.png)](y.md) | y.md",
            "Markdown i.png | ![img](i.png) | i.png",
        ]
    );
}

#[test]
fn nothing_from_code_comments_or_html() {
    let src = "`[[code]]` and `#notag`\n\n```\n[[fenced]] #notag ^notid\n```\n\n    [[indented]]\n\n\
               <!-- [[html]] #notag -->\n\n%% [[hidden]] #notag\nstill hidden [[x]] %% [[Shown]] #shown\n\
               <div>\n[[inhtml]]\n</div>\n\n`%%` [[AfterCode]]\n";
    // Links in `%%` comments are links (as in Obsidian), marked commented;
    // links in HTML comments, code and HTML blocks are not.
    assert_eq!(
        links(src),
        [
            "Wiki hidden | [[hidden]] | hidden",
            "Wiki x | [[x]] | x",
            "Wiki Shown | [[Shown]] | Shown",
            "Wiki AfterCode | [[AfterCode]] | AfterCode"
        ]
    );
    let facts = extract(src);
    let commented: Vec<bool> = facts.links.iter().map(|l| facts.is_commented(l)).collect();
    assert_eq!(commented, [true, true, false, false]);
    assert_eq!(tags(src), ["shown"]);
    assert!(facts.blocks.is_empty());
}

#[test]
fn unclosed_percent_comment_runs_to_the_end() {
    let facts = extract("[[a]] %% [[b]]\n\n[[c]]");
    let commented: Vec<bool> = facts.links.iter().map(|l| facts.is_commented(l)).collect();
    assert_eq!(commented, [false, true, true]);
}

#[test]
fn wiki_links_in_tables_use_escaped_pipes() {
    let src = "| a | b |\n|---|---|\n| [[Note\\|alias]] | [[Other#H\\|x]] |\n";
    assert_eq!(
        links(src),
        [
            "Wiki Note | [[Note\\|alias]] | Note",
            "Wiki Other #H | [[Other#H\\|x]] | Other"
        ]
    );
}

#[test]
fn headings_atx_and_setext() {
    let facts = extract("# One\n\nTwo **bold** `code`\n---\n\n### Three ###\nSee [[Four]]\n===\n");
    let hs: Vec<_> = facts
        .headings
        .iter()
        .map(|h| {
            (
                h.level,
                h.text.to_string(),
                facts.lines.line_of(h.span.start),
            )
        })
        .collect();
    assert_eq!(
        hs,
        [
            (1, "One".into(), 0),
            (2, "Two **bold** `code`".into(), 2),
            (3, "Three".into(), 5),
            (1, "See [[Four]]".into(), 6)
        ]
    );
}

#[test]
fn block_ids_at_line_end_and_alone() {
    let src =
        "Para text ^para-1\n\n- item\n- item two\n\n^list-id\n\nnot^anid\nx ^trailing words\n";
    let ids: Vec<_> = extract(src)
        .blocks
        .iter()
        .map(|b| b.id.to_string())
        .collect();
    assert_eq!(ids, ["para-1", "list-id"]);
}

#[test]
fn inline_tags() {
    let src = "#start and #nested/tag, #café #0🌲 #标签 #1984 x#no http://a.b/#frag\n\
               # Heading not tag\n## Heading with #intag\n*#emph* (#paren) [#inlink](x.md) [[a|#inwiki]]\n";
    assert_eq!(
        tags(src),
        [
            "start",
            "nested/tag",
            "café",
            "0🌲",
            "标签",
            "intag",
            "emph"
        ]
    );
}

#[test]
fn front_matter_keys_in_every_style() {
    let src = "---\ntitle: \"My Title\"\naliases:\n  - First\n  - 'Second'\ntags: [one, \"two\", '#three']\n\
               up: \"[[Index]]\"\ncategories: [\"[[Books]]\", \"[[Films|F]]\"]\n---\nBody #inline\n";
    let facts = extract(src);
    assert_eq!(facts.title.as_deref(), Some("My Title"));
    assert_eq!(
        facts.aliases,
        vec!["First".into(), "Second".into()] as Vec<Box<str>>
    );
    assert_eq!(tags(src), ["inline", "one", "two", "three"]);
    assert_eq!(
        links(src),
        [
            "FrontMatter Index | [[Index]] | Index",
            "FrontMatter Books | [[Books]] | Books",
            "FrontMatter Films | [[Films|F]] | Films"
        ]
    );
    assert!(facts.front_matter.is_some());

    let facts = extract("---\ntags: a, b c\nalias: Solo\naliases: x, y\ntag: single\n---\n");
    let names: Vec<_> = facts.tags.iter().map(|t| t.name.to_string()).collect();
    assert_eq!(names, ["a", "b", "c", "single"]);
    assert_eq!(
        facts.aliases,
        vec!["Solo".into(), "x".into(), "y".into()] as Vec<Box<str>>
    );
    let facts = extract("---\ntags:\n- project/alpha\n- 🌲\n---\n");
    let names: Vec<_> = facts.tags.iter().map(|t| t.name.to_string()).collect();
    assert_eq!(names, ["project/alpha", "🌲"]);
}

/// Valid YAML the old line scanner missed: a flow sequence over two lines,
/// and a quoted alias holding a comma. Spans are exact (renames edit them).
#[test]
fn front_matter_is_yaml() {
    let src = "---\ntitle: 'It''s'\ntags: [one,\n  two-multi]\naliases: [\"Kappa, Ten\", Lambda Eleven]\n---\n";
    let facts = extract(src);
    let tags: Vec<(&str, &str)> = facts
        .tags
        .iter()
        .map(|t| (&*t.name, &src[t.span.range()]))
        .collect();
    assert_eq!(tags, [("one", "one"), ("two-multi", "two-multi")]);
    assert_eq!(
        facts.aliases,
        vec!["Kappa, Ten".into(), "Lambda Eleven".into()] as Vec<Box<str>>
    );
    assert_eq!(facts.title.as_deref(), Some("It's"));
    assert_eq!(&src[facts.title_span.unwrap().range()], "It''s");
    // Non-ASCII before a value: spans are bytes, the parser counts characters.
    let src = "---\nnote: 日本語 🌲\ntags: [café, \"#b\"]\n---\n";
    let facts = extract(src);
    let tags: Vec<&str> = facts.tags.iter().map(|t| &src[t.span.range()]).collect();
    assert_eq!(tags, ["café", "b"]);
    // Not YAML past some point: what came before still counts.
    let facts = extract("---\ntags: [a]\nbad: [\n---\n");
    assert_eq!(facts.tags.len(), 1);
}

/// Every line-ending style gives the same facts, apart from byte offsets.
#[test]
fn line_endings_do_not_change_facts() {
    let lf = "---\ntags: [x]\n---\n# Title\n\nText [[A#B]] #tag ^id1\n\n```\n[[no]]\n```\n";
    let describe = |f: NoteFacts| {
        let at = |span: crate::text::Span| f.lines.line_col(span.start);
        let l: Vec<_> = f
            .links
            .iter()
            .map(|l| (l.kind, l.target, at(l.span)))
            .collect();
        let t: Vec<_> = f.tags.iter().map(|t| (t.name, at(t.span))).collect();
        let h: Vec<_> = f.headings.iter().map(|h| (h.text, at(h.span))).collect();
        let b: Vec<_> = f.blocks.iter().map(|b| (b.id, at(b.span))).collect();
        format!("{l:?}{t:?}{h:?}{b:?}")
    };
    let want = describe(extract(lf));
    assert!(want.contains("\"A\"") && want.contains("(5, 5)"), "{want}");
    assert_eq!(describe(extract(&lf.replace('\n', "\r\n"))), want);
    assert_eq!(describe(extract(&lf.replace('\n', "\r"))), want);
}

/// Found by fuzzing (fuzz/ `extract`): a wiki-link across a line break held
/// the break in its target, so its facts depended on the line endings.
#[test]
fn wiki_links_end_at_the_end_of_their_line() {
    for src in [
        "![[Place s.ba---\r\nse]]\n",
        "[[a\nb]]",
        "[[a|b\rc]]",
        "x [[a#\r\nh]]",
    ] {
        assert_eq!(links(src), Vec::<String>::new(), "{src:?}");
    }
    assert_eq!(links("[[a]]\n[[b\nc]] [[d]]").len(), 2);
}

#[test]
fn positions_after_emoji_and_cjk() {
    let src = "😀 漢字 [[Target]]\n";
    let facts = extract(src);
    let link = &facts.links[0];
    assert_eq!(link.kind, LinkKind::Wiki);
    assert_eq!(facts.lines.line_col(link.span.start), (0, 12));
    assert_eq!(&src[link.target_span.range()], "Target");
    assert!(!facts.lines.is_ascii(0));
}

#[test]
fn odd_inputs_do_not_panic() {
    for src in [
        "",
        "[[",
        "]]",
        "[[]]",
        "![[]]",
        "[[|]]",
        "[[#]]",
        "[[#^]]",
        "---\n",
        "---\ntags: [\n---\n",
        "%%",
        "[x](<unclosed",
        "[x]: ",
        "\u{feff}# BOM",
        "#",
        "^",
        "a\r",
        "\0\0[[x]]",
    ] {
        let facts = extract(src);
        for l in &facts.links {
            assert!(
                src.is_char_boundary(l.span.start as usize) && l.span.end as usize <= src.len()
            );
        }
    }
}

#[test]
fn subpath_spans_and_front_matter_keys() {
    let src = "---\ntags: [a]\nup: \"[[N]]\"\n---\n[[N# H1 # H2 |x]] [m](N.md#sec%20x) [[N#^id]] [[N#]] [t](<a b.md#s t>)\n";
    let f = extract(src);
    let subs: Vec<Option<&str>> = f
        .links
        .iter()
        .map(|l| l.subpath_span.map(|s| &src[s.range()]))
        .collect();
    assert_eq!(
        subs,
        [
            None,
            Some("H1 # H2"),
            Some("sec%20x"),
            Some("^id"),
            None,
            Some("s t")
        ]
    );
    let keys: Vec<&str> = f
        .front_matter_keys
        .iter()
        .map(|s| &src[s.range()])
        .collect();
    assert_eq!(keys, ["tags", "up"]);
}

/// One line per `^id`-able block: `kind | text | its id`.
fn paragraphs(src: &str) -> Vec<String> {
    let facts = extract(src);
    (0..facts.paragraphs.len())
        .map(|i| {
            let p = facts.paragraphs[i];
            let id = facts
                .paragraph_id(i)
                .map_or(String::new(), |b| format!(" ^{}", facts.blocks[b].id));
            format!("{:?} | {}{id}", p.kind, &src[p.span.range()])
        })
        .collect()
}

#[test]
fn blocks_that_an_id_can_name() {
    let src = "---\ntitle: x\n---\n# H\n\nA paragraph\nover two lines ^p1\n\n- item 😀\n  - nested ^n\n- second\n\n> quote\n> more\n\n^q\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```\ncode\n```\n\n%% hidden %%\n\n漢字の段落\n";
    assert_eq!(
        paragraphs(src),
        [
            "Text | A paragraph\nover two lines ^p1 ^p1",
            "Item | - item 😀",
            "Item | - nested ^n ^n",
            "Item | - second",
            "Quote | > quote\n> more ^q",
            "Table | | a | b |\n|---|---|\n| 1 | 2 |",
            "Text | 漢字の段落",
        ]
    );
}

#[test]
fn literal_text_is_code_html_and_external_links() {
    let src =
        "a `code` <b>x</b> [web](https://x.org) <https://y.org> [[Note]] $m$\n\n```\nfenced\n```\n";
    let facts = extract(src);
    let spans: Vec<&str> = facts.literal.iter().map(|s| &src[s.range()]).collect();
    assert_eq!(
        spans,
        [
            "`code`",
            "<b>",
            "</b>",
            "[web](https://x.org)",
            "<https://y.org>",
            "$m$",
            "```\nfenced\n```"
        ]
    );
}
