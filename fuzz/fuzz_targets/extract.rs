//! The fact extractor on arbitrary bytes (and, seeded from real vaults, on
//! mutated real notes): no panic; every range on a character boundary
//! inside the text; the same facts whatever the line-ending style.
#![no_main]

use carnet::facts::{LinkKind, NoteFacts, extract};
use carnet::text::Span;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Notes that are not UTF-8 are skipped before extraction; what reaches
    // the extractor is always a `str`.
    let text = String::from_utf8_lossy(data);
    let facts = extract(&text);
    check_spans(&text, &facts);
    let lf = text.replace("\r\n", "\n").replace('\r', "\n");
    let want = describe(&extract(&lf));
    assert_eq!(
        describe(&facts),
        want,
        "mixed line endings change the facts"
    );
    for style in ["\r\n", "\r"] {
        let other = lf.replace('\n', style);
        let f = extract(&other);
        check_spans(&other, &f);
        assert_eq!(
            describe(&f),
            want,
            "{style:?} line endings change the facts"
        );
    }
});

fn spans(f: &NoteFacts) -> Vec<Span> {
    let mut out = Vec::new();
    for l in &f.links {
        out.extend([l.span, l.target_span]);
    }
    out.extend(f.headings.iter().map(|h| h.span));
    out.extend(f.blocks.iter().map(|b| b.span));
    out.extend(f.tags.iter().map(|t| t.span));
    out.extend(f.digit_hashtags.iter().copied());
    out.extend(f.title_span);
    out.extend(f.front_matter);
    out
}

fn check_spans(text: &str, f: &NoteFacts) {
    assert_eq!(f.lines.text_len() as usize, text.len());
    for s in spans(f) {
        let (a, b) = (s.start as usize, s.end as usize);
        assert!(
            a <= b && b <= text.len(),
            "{s:?} outside a text of {}",
            text.len()
        );
        assert!(
            text.is_char_boundary(a) && text.is_char_boundary(b),
            "{s:?} splits a character"
        );
    }
    // The target as written lies inside the link (a `[text][ref]` use
    // points at the target written in its `[ref]: …` definition).
    for l in f.links.iter().filter(|l| l.kind != LinkKind::Reference) {
        assert!(
            l.span.start <= l.target_span.start && l.target_span.end <= l.span.end,
            "{l:?}"
        );
    }
}

/// The facts with every position as (line, byte column): what must not
/// depend on how lines end.
fn describe(f: &NoteFacts) -> String {
    let at = |s: Span| (f.lines.line_col(s.start), f.lines.line_col(s.end));
    let links: Vec<_> = f
        .links
        .iter()
        .map(|l| {
            (
                l.kind,
                l.target,
                l.subpath_text,
                l.name_key,
                at(l.span),
                at(l.target_span),
            )
        })
        .collect();
    let headings: Vec<_> = f
        .headings
        .iter()
        .map(|h| (h.level, &h.text, at(h.span)))
        .collect();
    let blocks: Vec<_> = f.blocks.iter().map(|b| (b.id, at(b.span))).collect();
    let tags: Vec<_> = f
        .tags
        .iter()
        .map(|t| (t.name, t.in_front_matter, at(t.span)))
        .collect();
    let digits: Vec<_> = f.digit_hashtags.iter().map(|s| at(*s)).collect();
    format!(
        "links {links:?}\nheadings {headings:?}\nblocks {blocks:?}\ntags {tags:?}\ndigits {digits:?}\n\
         title {:?} {:?}\naliases {:?}\nfront matter {:?}\nlines {}",
        f.title,
        f.title_span.map(at),
        f.aliases,
        f.front_matter.map(at),
        f.lines.count()
    )
}
