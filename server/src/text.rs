//! Positions inside a note's text.
//!
//! Every fact carries byte offsets plus a precomputed [`Pos`] (line, UTF-8
//! column, UTF-16 column), so answers about notes that are not open never
//! need the text again. Lines break only on `\n`, `\r\n` and `\r`, as LSP
//! requires; Unicode line separators are ordinary characters.

/// A position in a note: zero-based line and column in UTF-8 bytes and in
/// UTF-16 code units (the two encodings LSP clients negotiate).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    pub line: u32,
    pub col8: u32,
    pub col16: u32,
}

/// A byte range with the positions of both ends.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    pub start: u32,
    pub end: u32,
    pub from: Pos,
    pub to: Pos,
}

impl Span {
    pub fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
    pub fn contains(&self, offset: u32) -> bool {
        self.start <= offset && offset <= self.end
    }
}

/// Start offsets of every line of a text.
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<u32>,
    /// The last position computed: facts come mostly in text order, so the
    /// next column is usually counted from here rather than from the line start.
    last: std::cell::Cell<(u32, Pos)>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = Vec::with_capacity(bytes.len() / 40 + 1);
        starts.push(0);
        for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            // `\r\n` is one break: the `\r` is skipped and the `\n` ends the line.
            if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                continue;
            }
            starts.push(i as u32 + 1);
        }
        LineIndex {
            text,
            starts,
            last: std::cell::Cell::new((0, Pos::default())),
        }
    }

    pub fn text(&self) -> &'a str {
        self.text
    }

    pub fn line_count(&self) -> u32 {
        self.starts.len() as u32
    }

    /// Byte offset where `line` starts; past the end clamps to the text's end.
    pub fn line_start(&self, line: u32) -> u32 {
        self.starts
            .get(line as usize)
            .copied()
            .unwrap_or(self.text.len() as u32)
    }

    /// The position of a byte offset. Offsets past the end, or inside a
    /// multi-byte character, are clamped to the previous character boundary.
    pub fn pos(&self, offset: u32) -> Pos {
        let mut offset = (offset as usize).min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let (last_offset, last) = self.last.get();
        let last_offset = last_offset as usize;
        let line_end = self.line_start(last.line + 1) as usize;
        let pos = if last_offset <= offset && offset < line_end {
            Pos {
                line: last.line,
                col8: last.col8 + (offset - last_offset) as u32,
                col16: last.col16 + utf16_len(&self.text[last_offset..offset]),
            }
        } else {
            let line = self.starts.partition_point(|&s| s as usize <= offset) - 1;
            let start = self.starts[line] as usize;
            Pos {
                line: line as u32,
                col8: (offset - start) as u32,
                col16: utf16_len(&self.text[start..offset]),
            }
        };
        self.last.set((offset as u32, pos));
        pos
    }

    pub fn span(&self, range: std::ops::Range<usize>) -> Span {
        let from = self.pos(range.start as u32);
        // Most facts sit on one line: extend `from` instead of searching again.
        let to = match self.text.get(range.clone()) {
            Some(inner) if memchr::memchr2(b'\n', b'\r', inner.as_bytes()).is_none() => Pos {
                line: from.line,
                col8: from.col8 + inner.len() as u32,
                col16: from.col16 + utf16_len(inner),
            },
            _ => self.pos(range.end as u32),
        };
        Span {
            start: range.start as u32,
            end: range.end as u32,
            from,
            to,
        }
    }
}

fn utf16_len(s: &str) -> u32 {
    if s.is_ascii() {
        s.len() as u32
    } else {
        s.chars().map(char::len_utf16).sum::<usize>() as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breaks_on_lf_crlf_and_lone_cr_only() {
        let text = "a\nb\r\nc\rd\u{2028}e";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_count(), 4);
        assert_eq!(idx.pos(text.find('d').unwrap() as u32).line, 3);
        // U+2028 is not a line break for LSP.
        assert_eq!(idx.pos(text.find('e').unwrap() as u32).line, 3);
    }

    #[test]
    fn columns_in_both_encodings() {
        let text = "x\n😀é[[a]]";
        let idx = LineIndex::new(text);
        let p = idx.pos(text.find('[').unwrap() as u32);
        assert_eq!(
            p,
            Pos {
                line: 1,
                col8: 6,
                col16: 3
            }
        );
    }

    #[test]
    fn spans_within_and_across_lines() {
        let text = "é[[a]]\r\nb😀\nc";
        let idx = LineIndex::new(text);
        let s = idx.span(2..8);
        assert_eq!((s.from, s.to), (idx.pos(2), idx.pos(8)));
        let s = idx.span(2..text.len());
        assert_eq!((s.from, s.to), (idx.pos(2), idx.pos(text.len() as u32)));
        let s = idx.span(10..14);
        assert_eq!(s.to.col16, 3);
    }

    #[test]
    fn clamps_past_end_and_inside_characters() {
        let text = "é";
        let idx = LineIndex::new(text);
        assert_eq!(idx.pos(1).col8, 0);
        assert_eq!(idx.pos(99).col8, 2);
    }
}
