//! Scanners for the Obsidian syntax CommonMark does not know: inline tags,
//! block ids and `%% comments %%`. They run on ranges the parser has
//! already classified, so code is never mistaken for tags or ids.

use std::ops::Range;

use super::{Block, Tag};
use crate::text::Span;

/// Unicode punctuation that ends a tag even though it is not ASCII.
fn is_wide_punctuation(c: char) -> bool {
    matches!(c,
        '\u{2000}'..='\u{200B}' | '\u{2010}'..='\u{206F}' | '\u{3000}'..='\u{303F}'
        | '\u{FF01}'..='\u{FF0F}' | '\u{FF1A}'..='\u{FF20}' | '\u{FF3B}'..='\u{FF40}'
        | '\u{FF5B}'..='\u{FF65}' | '\u{00A0}'..='\u{00BF}' | '\u{00D7}' | '\u{00F7}')
}

/// Characters allowed in a tag: letters and digits of any script, `_`, `-`,
/// `/`, and non-ASCII symbols such as emoji (with their joiners).
pub fn is_tag_char(c: char) -> bool {
    c.is_alphanumeric()
        || matches!(c, '_' | '-' | '/')
        || c == '\u{200D}'
        || (!c.is_ascii() && !c.is_whitespace() && !is_wide_punctuation(c))
}

/// Reads a tag name at the start of `s` (after the `#`). Returns its length
/// in bytes, or `None` when it is not a tag (empty, or digits only).
pub fn tag_len(s: &str) -> Option<usize> {
    let mut len = s
        .char_indices()
        .find(|&(_, c)| !is_tag_char(c))
        .map_or(s.len(), |(i, _)| i);
    while len > 0 && s.as_bytes()[len - 1] == b'/' {
        len -= 1;
    }
    let name = &s[..len];
    let meaningful = name.chars().any(|c| !c.is_ascii_digit() && c != '/');
    (len > 0 && meaningful).then_some(len)
}

/// Finds `#tags` in a run of prose at `range`. A tag starts at the start
/// of a line, after whitespace, or right after emphasis markup.
/// Hashtags made of digits only (`#1984`) are not tags; they go to
/// `digits_only`, since a writer may have meant a tag.
pub fn inline_tags(
    text: &str,
    range: Range<usize>,
    out: &mut Vec<Tag>,
    digits_only: &mut Vec<Span>,
) {
    let bytes = text.as_bytes();
    for hash in memchr::memchr_iter(b'#', &bytes[range.clone()]) {
        let at = range.start + hash;
        let boundary = at == 0
            || text[..at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_whitespace() || matches!(c, '*' | '_' | '~' | '='));
        if !boundary {
            continue;
        }
        let rest = &text[at + 1..range.end];
        if let Some(len) = tag_len(rest) {
            out.push(Tag {
                name: rest[..len].into(),
                span: Span::new(at..at + 1 + len),
                in_front_matter: false,
            });
        } else {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            let ends = rest[digits..]
                .chars()
                .next()
                .is_none_or(|c| !is_tag_char(c));
            // `step #3` is a number, not a missed tag; `#1984` may be either.
            if digits > 1 && ends {
                digits_only.push(Span::new(at..at + 1 + digits));
            }
        }
    }
}

/// Ranges of Obsidian comments `%% … %%`. `%%` inside code or non-prose
/// blocks does not count; an unclosed comment runs to the end of the note.
pub fn percent_comments(
    text: &str,
    code: &[Range<usize>],
    not_prose: &[Range<usize>],
) -> Vec<Range<usize>> {
    let inside = |at: usize| code.iter().chain(not_prose).any(|r| r.contains(&at));
    let mut out = Vec::new();
    let mut open: Option<usize> = None;
    let mut skip_until = 0;
    for at in memchr::memmem::find_iter(text.as_bytes(), b"%%") {
        if at < skip_until || inside(at) {
            continue;
        }
        skip_until = at + 2;
        match open.take() {
            None => open = Some(at),
            Some(start) => out.push(start..at + 2),
        }
    }
    if let Some(start) = open {
        out.push(start..text.len());
    }
    out
}

/// Block ids: `^id` ending a line (after whitespace), or alone on a line,
/// where it names the list, quote or table above it.
pub fn block_ids(text: &str, skip: &[Range<usize>], out: &mut Vec<Block>) {
    let bytes = text.as_bytes();
    for caret in memchr::memchr_iter(b'^', bytes) {
        if skip.iter().any(|r| r.contains(&caret)) {
            continue;
        }
        let rest = &text[caret + 1..];
        let id_len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .unwrap_or(rest.len());
        if id_len == 0 {
            continue;
        }
        let after = &rest[id_len..];
        let line_end = after.find(['\n', '\r']).unwrap_or(after.len());
        if !after[..line_end].trim().is_empty() {
            continue;
        }
        let before_ok = caret == 0 || matches!(bytes[caret - 1], b' ' | b'\t' | b'\n' | b'\r');
        if !before_ok {
            continue;
        }
        out.push(Block {
            id: rest[..id_len].into(),
            span: Span::new(caret..caret + 1 + id_len),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_names() {
        assert_eq!(tag_len("tag rest"), Some(3));
        assert_eq!(tag_len("nested/tag, x"), Some(10));
        assert_eq!(tag_len("1984"), None);
        assert_eq!(tag_len("y1984"), Some(5));
        assert_eq!(tag_len("0🌲"), Some(5));
        assert_eq!(tag_len("café."), Some(5));
        assert_eq!(tag_len("a/"), Some(1));
        assert_eq!(tag_len(" heading"), None);
        assert_eq!(tag_len("标签，后"), Some(6));
    }
}
