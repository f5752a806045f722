//! The syntax tree of one open note, kept in step with its edits, answering
//! folding and selection ranges.
//!
//! Only the block grammar of tree-sitter-md is used: folding and selection are
//! about block structure, and skipping the inline trees keeps a keystroke to
//! one incremental block reparse. This module knows nothing about LSP: byte
//! offsets in, byte ranges and zero-based lines (broken on `\n`, `\r\n` and
//! lone `\r`, as LSP does) out.
//!
//! tree-sitter-md nests `section` nodes only under ATX headings, so setext
//! headings would be invisible to it; heading sections are therefore computed
//! here from the top-level headings of both kinds.

use std::cmp::Reverse;
use std::ops::Range;

use tree_sitter::{InputEdit, Node, Parser, Point, Tree};

use crate::text::Lines;

/// A parser and the current tree of one buffer.
pub struct Syntax {
    parser: Parser,
    tree: Tree,
    /// Length of the text the tree describes, to catch edits that do not
    /// follow from it.
    len: usize,
}

/// One edit of a text, in bytes: `start..old_end` of a text of `old_len`
/// bytes became `start..new_end` of one of `new_len`.
#[derive(Debug, Clone, Copy)]
pub struct Edit {
    pub start: usize,
    pub old_end: usize,
    pub new_end: usize,
    pub old_len: usize,
    pub new_len: usize,
}

/// A foldable range of lines, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FoldRange {
    pub start_line: u32,
    pub end_line: u32,
    pub kind: Fold,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fold {
    /// A heading and its content, up to the next heading of the same or a
    /// higher level.
    Region,
    List,
    Code,
    FrontMatter,
    Quote,
}

impl Syntax {
    /// Parses a whole text.
    pub fn new(text: &str) -> Syntax {
        let mut parser = Parser::new();
        parser
            .set_language(&tree_sitter_md::LANGUAGE.into())
            .expect("tree-sitter-md is built against this tree-sitter");
        let tree = parse(&mut parser, text, None);
        Syntax {
            parser,
            tree,
            len: text.len(),
        }
    }

    /// Applies one edit: bytes `start..old_end` of `old_text` were replaced
    /// and now span `start..new_end` of `new_text`. The old tree is edited
    /// and reused; an edit that does not fit the texts (or the text the tree
    /// was built from) falls back to a full parse instead of a wrong tree.
    pub fn edit(
        &mut self,
        start: usize,
        old_end: usize,
        new_end: usize,
        old_text: &str,
        new_text: &str,
    ) {
        let (old, new) = (old_text.as_bytes(), new_text.as_bytes());
        let edit = Edit {
            start,
            old_end,
            new_end,
            old_len: old.len(),
            new_len: new.len(),
        };
        let fresh = !self.fits(&edit)
            || !self.record(
                &edit,
                [&old[..start]],
                [&old[start..old_end]],
                [&new[start..new_end]],
            );
        self.reparse(new_text, fresh);
    }

    /// Marks one edit in the tree without parsing (several may be marked
    /// before one [`Syntax::reparse`]); the texts come as chunks (a rope's):
    /// `before` the edit, the `removed` bytes and the `inserted` ones. False
    /// when the edit does not follow from the text the tree describes: the
    /// next reparse must then start afresh.
    pub fn record<'a>(
        &mut self,
        edit: &Edit,
        before: impl IntoIterator<Item = &'a [u8]>,
        removed: impl IntoIterator<Item = &'a [u8]>,
        inserted: impl IntoIterator<Item = &'a [u8]>,
    ) -> bool {
        if !self.fits(edit) {
            return false;
        }
        // tree-sitter counts rows on `\n` only; its points must follow that
        // convention, not LSP's.
        let start_position = advance_all(Point::new(0, 0), before);
        self.tree.edit(&InputEdit {
            start_byte: edit.start,
            old_end_byte: edit.old_end,
            new_end_byte: edit.new_end,
            start_position,
            old_end_position: advance_all(start_position, removed),
            new_end_position: advance_all(start_position, inserted),
        });
        self.len = edit.new_len;
        true
    }

    /// Parses `text`, the text after the edits marked since the last parse,
    /// reusing the edited tree unless `fresh`.
    pub fn reparse(&mut self, text: &str, fresh: bool) {
        let old = (!fresh).then_some(&self.tree);
        self.tree = parse(&mut self.parser, text, old);
        self.len = text.len();
    }

    fn fits(&self, e: &Edit) -> bool {
        e.old_len == self.len
            && e.start <= e.old_end
            && e.old_end <= e.old_len
            && e.start <= e.new_end
            && e.new_end <= e.new_len
            && e.old_len - e.old_end == e.new_len - e.new_end
    }

    /// Folding ranges with `end_line > start_line`, trailing blank lines
    /// excluded, sorted by start line, enclosing ranges before enclosed ones.
    pub fn folding_ranges(&self, text: &str) -> Vec<FoldRange> {
        let lines = Lines::new(text);
        let root = self.tree.root_node();
        let front = front_matter(root, text);
        // Blocks that the parser found inside front matter it did not
        // recognise (see `front_matter`) are YAML, not Markdown.
        let front_end = front.as_ref().map_or(0, |r| r.end);
        let mut out = Vec::new();
        let mut push = |range: Range<usize>, kind: Fold| {
            if kind != Fold::FrontMatter && range.start < front_end {
                return;
            }
            if let Some(r) = trim(text, range) {
                let start_line = lines.line_of(r.start as u32);
                // `r.end - 1` is the last non-blank byte.
                let end_line = lines.line_of(r.end as u32 - 1);
                if end_line > start_line {
                    out.push(FoldRange {
                        start_line,
                        end_line,
                        kind,
                    });
                }
            }
        };
        if let Some(front) = front {
            push(front, Fold::FrontMatter);
        }
        for section in sections(root, text) {
            push(section, Fold::Region);
        }
        let mut stack = vec![root];
        let mut cursor = self.tree.walk();
        while let Some(node) = stack.pop() {
            let kind = match node.kind() {
                "fenced_code_block" | "indented_code_block" => Some(Fold::Code),
                "list" | "list_item" => Some(Fold::List),
                "block_quote" => Some(Fold::Quote),
                _ => None,
            };
            if let Some(kind) = kind {
                push(node.byte_range(), kind);
            }
            // Only containers can hold foldable blocks; leaves such as
            // paragraphs are not worth walking into.
            if matches!(
                node.kind(),
                "document" | "section" | "list" | "list_item" | "block_quote"
            ) {
                stack.extend(node.children(&mut cursor));
            }
        }
        out.sort_by_key(|f| (f.start_line, Reverse(f.end_line), f.kind as u8));
        out.dedup();
        out
    }

    /// For each byte offset, the enclosing byte ranges, innermost first,
    /// each strictly containing the previous one, ending with the whole
    /// text. Offsets past the end (or inside a character) are clamped.
    pub fn selection_ranges(&self, text: &str, offsets: &[usize]) -> Vec<Vec<Range<usize>>> {
        let sections: Vec<_> = sections(self.tree.root_node(), text)
            .into_iter()
            .filter_map(|s| trim(text, s))
            .collect();
        offsets
            .iter()
            .map(|&offset| self.selection_at(text, &sections, offset))
            .collect()
    }

    fn selection_at(
        &self,
        text: &str,
        sections: &[Range<usize>],
        offset: usize,
    ) -> Vec<Range<usize>> {
        let len = text.len();
        let offset = floor_char(text, offset);
        // Descend to the innermost block node at `offset`, preferring a node
        // that contains it over one that merely ends at it.
        let mut nodes = Vec::new();
        let mut node = self.tree.root_node();
        let mut cursor = self.tree.walk();
        loop {
            let children: Vec<Node> = node.children(&mut cursor).collect();
            let child = children
                .iter()
                .find(|c| c.start_byte() <= offset && offset < c.end_byte())
                .or_else(|| {
                    children
                        .iter()
                        .find(|c| c.start_byte() < offset && offset == c.end_byte())
                });
            let Some(&child) = child else { break };
            // Sections come from `sections`; continuations are indentation.
            if child.is_named() && !matches!(child.kind(), "section" | "block_continuation") {
                nodes.push(child.byte_range());
            }
            node = child;
        }
        let mut candidates = Vec::new();
        let innermost = nodes.last().cloned().unwrap_or(0..len);
        candidates.extend(word(text, innermost, offset));
        candidates.extend(nodes.into_iter().rev().filter_map(|r| trim(text, r)));
        candidates.extend(sections.iter().cloned());
        candidates.retain(|r| r.start <= offset && offset <= r.end);
        // Trimmed ancestors stay nested, but keep the invariant by
        // construction rather than by that argument.
        candidates.sort_by_key(|r| r.len());
        let mut chain: Vec<Range<usize>> = Vec::new();
        for r in candidates.into_iter().chain(std::iter::once(0..len)) {
            if chain
                .last()
                .is_none_or(|last| r.start <= last.start && last.end <= r.end && r != *last)
            {
                chain.push(r);
            }
        }
        chain
    }
}

fn parse(parser: &mut Parser, text: &str, old: Option<&Tree>) -> Tree {
    parser
        .parse(text, old)
        .expect("parsing only fails on timeout or cancellation, and neither is set")
}

fn advance_all<'a>(from: Point, chunks: impl IntoIterator<Item = &'a [u8]>) -> Point {
    chunks.into_iter().fold(from, advance)
}

fn advance(from: Point, bytes: &[u8]) -> Point {
    match memchr::memrchr(b'\n', bytes) {
        Some(last) => Point::new(
            from.row + memchr::memchr_iter(b'\n', bytes).count(),
            bytes.len() - last - 1,
        ),
        None => Point::new(from.row, from.column + bytes.len()),
    }
}

/// The front matter: the parser's metadata node, or else a leading `---`
/// block closed by a `---` line at the very end of the text, which
/// tree-sitter-md rejects because it wants a line break after the closer.
fn front_matter(root: Node, text: &str) -> Option<Range<usize>> {
    if let Some(first) = root.child(0)
        && matches!(first.kind(), "minus_metadata" | "plus_metadata")
    {
        return Some(first.byte_range());
    }
    let mut lines = crate::text::lines(text);
    if lines.next()?.text.trim_end_matches([' ', '\t']) != "---" {
        return None;
    }
    for line in lines {
        if line.text.trim_end_matches([' ', '\t']) == "---" {
            return Some(0..line.next);
        }
    }
    None
}

/// Heading sections, by start: each top-level heading (not in a list or
/// quote) up to the next heading of the same or a higher level, or the end.
fn sections(root: Node, text: &str) -> Vec<Range<usize>> {
    let mut headings = Vec::new();
    collect_headings(root, &mut headings);
    (0..headings.len())
        .map(|i| {
            let end = crate::facts::section_end(&headings, i, |h| h.0);
            let end = headings
                .get(end)
                .map_or(text.len(), |h| h.1)
                .min(text.len());
            headings[i].1.min(end)..end
        })
        .collect()
}

/// Top-level headings as (level, start byte), in document order.
fn collect_headings(node: Node, out: &mut Vec<(u8, usize)>) {
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        match child.kind() {
            "section" => collect_headings(child, out),
            "atx_heading" | "setext_heading" => {
                let mut c = child.walk();
                let level = child.children(&mut c).find_map(|m| match m.kind() {
                    "atx_h1_marker" | "setext_h1_underline" => Some(1),
                    "atx_h2_marker" | "setext_h2_underline" => Some(2),
                    "atx_h3_marker" => Some(3),
                    "atx_h4_marker" => Some(4),
                    "atx_h5_marker" => Some(5),
                    "atx_h6_marker" => Some(6),
                    _ => None,
                });
                if let Some(level) = level {
                    out.push((level, child.start_byte()));
                }
            }
            _ => {}
        }
    }
}

/// `range` without leading and trailing whitespace, or `None` if blank.
/// Works on bytes, so ranges that do not fit `text` cannot panic.
fn trim(text: &str, range: Range<usize>) -> Option<Range<usize>> {
    let bytes = text.as_bytes();
    let (mut start, mut end) = (range.start.min(bytes.len()), range.end.min(bytes.len()));
    while start < end && bytes[start].is_ascii_whitespace() {
        start += 1;
    }
    while end > start && bytes[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    (start < end).then_some(start..end)
}

/// The run of non-whitespace around `offset`, kept inside `within` so that a
/// marker glued to text (`>quote`) does not make a word that crosses blocks.
fn word(text: &str, within: Range<usize>, offset: usize) -> Option<Range<usize>> {
    let lo = floor_char(text, within.start);
    let hi = floor_char(text, within.end);
    if !(lo <= offset && offset <= hi) {
        return None;
    }
    let end = offset
        + text[offset..hi]
            .chars()
            .take_while(|c| !c.is_whitespace())
            .map(char::len_utf8)
            .sum::<usize>();
    let start = offset
        - text[lo..offset]
            .chars()
            .rev()
            .take_while(|c| !c.is_whitespace())
            .map(char::len_utf8)
            .sum::<usize>();
    (start < end).then_some(start..end)
}

/// `offset` clamped to the text and moved back to a character boundary.
fn floor_char(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOTE: &str = "\
---
title: Garden notes
tags: [plants, soil]
---

# Garden

Intro paragraph
over two lines.

## Tomatoes

- Water daily
  - morning
  - evening,
    not at noon
- Stake early

```sh
water --all
```

### Varieties

> [!tip] Roma
> Good for sauce.

Single line.

## Soil

    indented code
    second line

# Appendix
Last line.

";

    fn folds(text: &str) -> Vec<(u32, u32, Fold)> {
        Syntax::new(text)
            .folding_ranges(text)
            .into_iter()
            .map(|f| (f.start_line, f.end_line, f.kind))
            .collect()
    }

    #[test]
    fn folds_a_realistic_note() {
        use Fold::*;
        assert_eq!(
            folds(NOTE),
            [
                (0, 3, FrontMatter),
                (5, 32, Region),
                (10, 27, Region),
                (12, 16, List),
                (12, 15, List),
                (13, 15, List),
                (14, 15, List),
                (18, 20, Code),
                (22, 27, Region),
                (24, 25, Quote),
                (29, 32, Region),
                (31, 32, Code),
                (34, 35, Region),
            ]
        );
    }

    #[test]
    fn fold_lines_agree_across_line_endings() {
        let lf = folds(NOTE);
        assert_eq!(folds(&NOTE.replace('\n', "\r\n")), lf);
        assert_eq!(folds(&NOTE.replace('\n', "\r")), lf);
    }

    #[test]
    fn setext_headings_make_sections_but_quoted_headings_do_not() {
        use Fold::*;
        let text = "Title\n=====\ntext\n\nSub\n---\nmore\n> # quoted\n> x\n";
        assert_eq!(folds(text), [(0, 8, Region), (4, 8, Region), (7, 8, Quote)]);
    }

    #[test]
    fn front_matter_closed_at_the_very_end() {
        // tree-sitter-md wants a break after the closing `---`; the YAML list
        // inside must not fold as a Markdown list.
        let text = "---\ntags:\n  - a\n  - b\n---";
        assert_eq!(folds(text), [(0, 4, Fold::FrontMatter)]);
        assert_eq!(folds("---\na: 1\n"), []);
        assert_eq!(folds("+++\na = 1\n+++\n"), [(0, 2, Fold::FrontMatter)]);
    }

    fn chain(text: &str, offset: usize) -> Vec<&str> {
        let s = Syntax::new(text);
        s.selection_ranges(text, &[offset])[0]
            .iter()
            .map(|r| &text[r.clone()])
            .collect()
    }

    #[test]
    fn selection_grows_from_word_to_document() {
        let at = NOTE.find("morning").unwrap() + 3;
        assert_eq!(
            chain(NOTE, at),
            [
                "morning",
                "- morning",
                "- morning\n  - evening,\n    not at noon",
                "- Water daily\n  - morning\n  - evening,\n    not at noon",
                "- Water daily\n  - morning\n  - evening,\n    not at noon\n- Stake early",
                &NOTE[NOTE.find("## Tomatoes").unwrap()..NOTE.find("\n\n## Soil").unwrap()],
                &NOTE[NOTE.find("# Garden").unwrap()..NOTE.find("\n\n# Appendix").unwrap()],
                NOTE,
            ]
        );
        let at = NOTE.find("two").unwrap();
        assert_eq!(
            chain(NOTE, at)[..2],
            ["two", "Intro paragraph\nover two lines."]
        );
        // A marker glued to text does not make a word across blocks.
        assert_eq!(chain(">quote", 3)[..2], ["quote", ">quote"]);
        // At the end of a word, the word is still selected.
        assert_eq!(chain("foo bar\n", 3)[0], "foo");
    }

    #[test]
    fn selection_is_nested_and_growing_everywhere() {
        for text in [
            NOTE.to_string(),
            NOTE.replace('\n', "\r"),
            "é😀 漢\n".into(),
        ] {
            let s = Syntax::new(&text);
            let offsets: Vec<usize> = (0..text.len() + 3).collect();
            for (&offset, ranges) in offsets.iter().zip(s.selection_ranges(&text, &offsets)) {
                let offset = offset.min(text.len());
                assert_eq!(ranges.last(), Some(&(0..text.len())));
                assert!(ranges[0].start <= offset && offset <= ranges[0].end);
                for pair in ranges.windows(2) {
                    let (inner, outer) = (&pair[0], &pair[1]);
                    assert!(outer.start <= inner.start && inner.end <= outer.end);
                    assert!(outer.len() > inner.len(), "{ranges:?} at {offset}");
                }
                for r in &ranges {
                    assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
                }
            }
        }
    }

    #[test]
    fn empty_text_and_out_of_range_offsets() {
        let s = Syntax::new("");
        assert_eq!(s.folding_ranges(""), []);
        let whole = |len: usize| vec![std::iter::once(0..len).collect::<Vec<_>>(); 2];
        assert_eq!(s.selection_ranges("", &[0, 5]), whole(0));
        let s = Syntax::new("é");
        assert_eq!(s.selection_ranges("é", &[1, 99]), whole(2));
        // Edits that do not fit the texts reparse instead of panicking.
        let mut s = Syntax::new("abc");
        s.edit(5, 2, 9, "abc", "# x\n- a\n- b\n");
        assert_eq!(s.folding_ranges("# x\n- a\n- b\n").len(), 2);
        s.edit(0, 0, 0, "wrong old text", "");
        assert_eq!(s.folding_ranges(""), []);
    }

    /// A small deterministic generator, so failures reproduce.
    struct Rng(u64);
    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
    }

    #[test]
    fn incremental_edits_match_a_fresh_parse() {
        const PIECES: &[&str] = &[
            "é",
            "😀",
            "漢",
            "\n",
            "\r\n",
            "\r",
            "\n\n",
            "# ",
            "## Head\n",
            "- ",
            "  - x\n",
            "1. ",
            "```\n",
            "> ",
            "---\n",
            "===\n",
            "word ",
            "    code\n",
            "[!note]",
            "+++\n",
        ];
        for seed in 1..=12u64 {
            let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
            let mut text = NOTE.to_string();
            let mut syntax = Syntax::new(&text);
            for step in 0..200 {
                let bounds: Vec<usize> = (0..=text.len())
                    .filter(|&i| text.is_char_boundary(i))
                    .collect();
                let start = bounds[rng.below(bounds.len())];
                // Delete, insert, or replace, in equal measure.
                let mode = rng.below(3);
                let i = bounds.iter().position(|&b| b == start).unwrap();
                let old_end = match mode {
                    1 => start,
                    _ => bounds[(i + 1 + rng.below(12)).min(bounds.len() - 1)],
                };
                let insert: String = match mode {
                    0 => String::new(),
                    _ => (0..1 + rng.below(3))
                        .map(|_| PIECES[rng.below(PIECES.len())])
                        .collect(),
                };
                let mut new_text = text.clone();
                new_text.replace_range(start..old_end, &insert);
                let new_end = start + insert.len();
                let edit = Edit {
                    start,
                    old_end,
                    new_end,
                    old_len: text.len(),
                    new_len: new_text.len(),
                };
                assert!(syntax.fits(&edit));
                syntax.edit(start, old_end, new_end, &text, &new_text);
                let fresh = Syntax::new(&new_text);
                let offsets = [rng.below(new_text.len() + 1), start, new_end];
                assert_eq!(
                    syntax.selection_ranges(&new_text, &offsets),
                    fresh.selection_ranges(&new_text, &offsets)
                );
                assert_eq!(
                    syntax.folding_ranges(&new_text),
                    fresh.folding_ranges(&new_text),
                    "seed {seed} step {step}: {new_text:?}"
                );
                // Stronger than the folds: the trees themselves agree.
                assert_eq!(
                    syntax.tree.root_node().to_sexp(),
                    fresh.tree.root_node().to_sexp()
                );
                text = new_text;
            }
        }
    }
}
