//! Positions inside a note's text.
//!
//! Facts carry byte ranges ([`Span`]) and each note keeps a compact line
//! table ([`Lines`]), so a line and byte column can be found without the
//! text. On an ASCII line the byte column is also the UTF-16 column (what
//! most LSP clients count); on other lines the table keeps the UTF-16 column
//! of every offset the facts name ([`Lines::keep_utf16`]), so answers built
//! from facts need no text in either encoding.
//! Lines break only on `\n`, `\r\n` and `\r`, as LSP requires; Unicode line
//! separators are ordinary characters.

/// A byte range in a note's text.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(range: std::ops::Range<usize>) -> Span {
        Span {
            start: range.start as u32,
            end: range.end as u32,
        }
    }

    pub fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// Whether `offset` is inside the span or at either end of it (a cursor
    /// right after a link is still "on" it).
    pub fn touches(&self, offset: u32) -> bool {
        self.start <= offset && offset <= self.end
    }
}

/// Where each line of a text starts, which lines are pure ASCII (where a
/// byte column is also the UTF-16 column), and the UTF-16 columns of chosen
/// offsets on the other lines.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Lines {
    /// Where each line starts, less the 64 KiB block it starts in: two
    /// bytes a line (a vault of 100,000 notes has ten million lines).
    starts: Box<[u16]>,
    /// For each 64 KiB block of the text after the first, up to its end,
    /// the first line that starts in that block or later (empty below
    /// 64 KiB, so most notes need no search here).
    blocks: Box<[u32]>,
    /// One bit per line, set when the line holds a non-ASCII character.
    non_ascii: Box<[u64]>,
    len: u32,
    /// Offsets on non-ASCII lines, sorted, each with its UTF-16 column.
    utf16: Box<[(u32, u32)]>,
}

impl Lines {
    pub fn new(text: &str) -> Lines {
        let bytes = text.as_bytes();
        let mut starts = Vec::with_capacity(bytes.len() / 48 + 1);
        starts.push(0u32);
        for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            // `\r\n` is one break: the `\r` is skipped and the `\n` ends the line.
            if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                continue;
            }
            starts.push(i as u32 + 1);
        }
        let mut non_ascii = vec![0u64; starts.len().div_ceil(64)];
        if !text.is_ascii() {
            for (line, w) in starts
                .windows(2)
                .chain(std::iter::once(
                    &[*starts.last().unwrap(), bytes.len() as u32][..],
                ))
                .enumerate()
            {
                if !bytes[w[0] as usize..w[1] as usize].is_ascii() {
                    non_ascii[line / 64] |= 1 << (line % 64);
                }
            }
        }
        let blocks = (1..=bytes.len() >> 16)
            .map(|k| starts.partition_point(|&s| (s as usize) < k << 16) as u32)
            .collect();
        Lines {
            starts: starts.iter().map(|&s| s as u16).collect(),
            blocks,
            non_ascii: non_ascii.into_boxed_slice(),
            len: bytes.len() as u32,
            utf16: Box::default(),
        }
    }

    /// Keeps the UTF-16 column of each of `offsets` (and of the text's end)
    /// that lies on a non-ASCII line, for [`Lines::utf16_col`]. `text` is
    /// the text the table was built from; offsets inside a character count
    /// from its start. About 8 bytes per kept offset.
    pub fn keep_utf16(&mut self, text: &str, offsets: impl IntoIterator<Item = u32>) {
        if self.non_ascii.iter().all(|w| *w == 0) {
            return;
        }
        let mut kept: Vec<u32> = offsets
            .into_iter()
            .chain([self.len])
            .map(|o| o.min(self.len))
            .filter(|&o| !self.is_ascii(self.line_of(o)))
            .collect();
        kept.sort_unstable();
        kept.dedup();
        // Walk each line once, left to right.
        let (mut line, mut at, mut units) = (u32::MAX, 0usize, 0u32);
        let table = kept
            .into_iter()
            .map(|o| {
                let l = self.line_of(o);
                if l != line {
                    (line, at, units) = (l, self.line_start(l) as usize, 0);
                }
                let mut end = (o as usize).min(text.len());
                while !text.is_char_boundary(end) {
                    end -= 1;
                }
                if end > at {
                    units += utf16_len(&text[at..end]);
                    at = end;
                }
                (o, units)
            })
            .collect();
        self.utf16 = table;
    }

    /// Forgets the columns [`Lines::keep_utf16`] kept: for a caller that
    /// only ever asks for byte columns.
    pub fn forget_utf16(&mut self) {
        self.utf16 = Box::default();
    }

    /// The UTF-16 column of `offset` if it is known without the text: on an
    /// ASCII line, or kept by [`Lines::keep_utf16`].
    pub fn utf16_col(&self, offset: u32) -> Option<u32> {
        let (line, col) = self.line_col(offset);
        self.utf16_col_at(offset, line, col)
    }

    /// [`Lines::utf16_col`] for an offset whose line and byte column
    /// ([`Lines::line_col`]) are known.
    pub fn utf16_col_at(&self, offset: u32, line: u32, col: u32) -> Option<u32> {
        if self.is_ascii(line) {
            return Some(col);
        }
        let offset = offset.min(self.len);
        let i = self.utf16.binary_search_by_key(&offset, |e| e.0).ok()?;
        Some(self.utf16[i].1)
    }

    pub fn count(&self) -> u32 {
        self.starts.len() as u32
    }

    /// Length of the text in bytes.
    pub fn text_len(&self) -> u32 {
        self.len
    }

    /// Byte offset where `line` starts; past the end clamps to the text's end.
    pub fn line_start(&self, line: u32) -> u32 {
        match self.starts.get(line as usize) {
            Some(&low) => self.block_of(line as usize) << 16 | low as u32,
            None => self.len,
        }
    }

    /// The 64 KiB block line `line` starts in.
    fn block_of(&self, line: usize) -> u32 {
        self.blocks.partition_point(|&first| first as usize <= line) as u32
    }

    /// The line holding byte `offset` (clamped to the text).
    pub fn line_of(&self, offset: u32) -> u32 {
        let offset = offset.min(self.len);
        let k = (offset >> 16) as usize;
        // The lines that start in `offset`'s block; when none starts at or
        // before it there, it is on the last line of an earlier block (line 0
        // starts at 0, so block `k > 0` never begins with the first line).
        let first = k.checked_sub(1).map_or(0, |i| self.blocks[i] as usize);
        let end = self
            .blocks
            .get(k)
            .map_or(self.starts.len(), |&b| b as usize);
        let low = (offset & 0xFFFF) as u16;
        (first + self.starts[first..end].partition_point(|&s| s <= low) - 1) as u32
    }

    /// Line and byte column of `offset` (clamped to the text).
    pub fn line_col(&self, offset: u32) -> (u32, u32) {
        let offset = offset.min(self.len);
        let line = self.line_of(offset);
        (line, offset - self.line_start(line))
    }

    /// Line, byte column and UTF-16 column of many offsets, cheapest when
    /// each is at or after the one before (see [`LineWalk`]).
    pub fn walk(&self) -> LineWalk<'_> {
        LineWalk {
            lines: self,
            line: 0,
            kept: 0,
            last: 0,
        }
    }

    pub fn is_ascii(&self, line: u32) -> bool {
        let line = line as usize;
        self.non_ascii
            .get(line / 64)
            .is_none_or(|w| w & (1 << (line % 64)) == 0)
    }
}

/// A walk over a [`Lines`] table: an offset at or after the last one is
/// found from where the last one was — on the same line, or a few kept
/// UTF-16 offsets on, without a search of the whole table — and an earlier
/// one by a search from the start. The answers are [`Lines::line_col`]'s
/// and [`Lines::utf16_col_at`]'s.
pub struct LineWalk<'a> {
    lines: &'a Lines,
    /// The line of the last offset.
    line: usize,
    /// Index in `utf16` of the first kept offset not before the last offset.
    kept: usize,
    last: u32,
}

impl LineWalk<'_> {
    /// Line, byte column and the UTF-16 column of `offset` if it is known
    /// without the text (as [`Lines::utf16_col_at`]); clamped to the text.
    pub fn at(&mut self, offset: u32) -> (u32, u32, Option<u32>) {
        let lines = self.lines;
        let offset = offset.min(lines.len);
        let count = lines.starts.len();
        let start = |line: usize| lines.line_start(line as u32);
        if offset < self.last {
            (self.line, self.kept) = (0, 0);
        }
        self.last = offset;
        // Most often on the same line as the last offset, or the next.
        if self.line + 1 < count && start(self.line + 1) <= offset {
            self.line += 1;
            if self.line + 1 < count && start(self.line + 1) <= offset {
                self.line = lines.line_of(offset) as usize;
            }
        }
        let line = self.line as u32;
        let col = offset - start(self.line);
        if lines.is_ascii(line) {
            return (line, col, Some(col));
        }
        let rest = &lines.utf16[self.kept..];
        self.kept += match rest.iter().take(8).position(|e| e.0 >= offset) {
            Some(i) => i,
            None => rest.partition_point(|e| e.0 < offset),
        };
        let table = &lines.utf16;
        let utf16 = table.get(self.kept).filter(|e| e.0 == offset).map(|e| e.1);
        (line, col, utf16)
    }
}

/// One line of a text, without its break.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Line<'a> {
    pub text: &'a str,
    /// Where the line starts.
    pub start: usize,
    /// Where the next line starts: past this line's break.
    pub next: usize,
}

/// The lines of a text. Only `\n`, `\r\n` and `\r` break a line, as in LSP
/// (and [`Lines`]); every line splitter in carnet is this one.
pub fn lines(text: &str) -> impl Iterator<Item = Line<'_>> {
    let mut at = 0;
    std::iter::from_fn(move || {
        let rest = text.get(at..).filter(|r| !r.is_empty())?;
        let (len, skip) = match memchr::memchr2(b'\n', b'\r', rest.as_bytes()) {
            Some(i) if rest[i..].starts_with("\r\n") => (i, 2),
            Some(i) => (i, 1),
            None => (rest.len(), 0),
        };
        let line = Line {
            text: &rest[..len],
            start: at,
            next: at + len + skip,
        };
        at = line.next;
        Some(line)
    })
}

/// Where the line holding `offset` starts.
pub fn line_start(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .and_then(|t| t.rfind(['\n', '\r']))
        .map_or(0, |i| i + 1)
}

/// UTF-16 length of a string.
pub fn utf16_len(s: &str) -> u32 {
    // Every byte that starts a character is one unit, and a 4-byte one
    // (lead byte 0xF0 and above) a second: counted bytewise, without
    // decoding, which the compiler vectorises.
    s.bytes()
        .map(|b| ((b & 0xC0) != 0x80) as u32 + (b >= 0xF0) as u32)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A walk answers what `line_col` and `utf16_col_at` answer, for
    /// offsets in order, with gaps of many lines and kept offsets, repeated,
    /// going back, inside characters and past the end.
    #[test]
    fn a_walk_agrees_with_the_table() {
        let mut text = String::new();
        for i in 0..300 {
            text += match i % 4 {
                0 => "ascii line\n",
                1 => "日本語 é 😀 x\r\n",
                2 => "\r",
                _ => "Café [[link]] — ü\n",
            };
        }
        let mut lines = Lines::new(&text);
        // Every third offset kept: some queries are kept, some not.
        lines.keep_utf16(&text, (0..text.len() as u32).step_by(3));
        let want = |o: u32| {
            let (line, col) = lines.line_col(o);
            (line, col, lines.utf16_col_at(o, line, col))
        };
        let len = text.len() as u32;
        let mut offsets: Vec<u32> = (0..len + 5).collect();
        offsets.extend((0..len).step_by(97)); // Large steps.
        offsets.extend([5, 5, 4, 0, len, len + 9, 1, 2000, 1999]);
        let mut walk = lines.walk();
        let mut known = 0;
        for &o in &offsets {
            let got = walk.at(o);
            assert_eq!(got, want(o), "offset {o}");
            known += got.2.is_some() as usize;
        }
        assert!(
            known > offsets.len() / 3 && known < offsets.len(),
            "{known}"
        );
    }

    /// Past 64 KiB a line start is kept in two bytes plus its block: lines
    /// and columns are the same as counted from the text, on both sides of
    /// each block's edge, with lines of every length (a 70 KiB one too).
    #[test]
    fn long_texts_agree_with_counting() {
        let mut text = String::new();
        for i in 0..9000usize {
            text += &"x".repeat(i * 7 % 61);
            text += if i % 3 == 0 { "\r\n" } else { "\n" };
            if i == 4000 {
                text += &"y".repeat(70_000);
                text += "\r";
            }
        }
        let mut starts = vec![0];
        starts.extend(lines(&text).map(|l| l.next).filter(|&n| n <= text.len()));
        starts.dedup();
        let table = Lines::new(&text);
        assert_eq!(table.count() as usize, starts.len());
        for (i, &s) in starts.iter().enumerate() {
            assert_eq!(table.line_start(i as u32) as usize, s, "line {i}");
        }
        let mut walk = table.walk();
        for o in 0..=text.len() {
            let line = starts.partition_point(|&s| s <= o) - 1;
            let want = (line as u32, (o - starts[line]) as u32);
            assert_eq!(table.line_col(o as u32), want, "offset {o}");
            let got = walk.at(o as u32);
            assert_eq!((got.0, got.1), want, "walk at {o}");
        }
    }

    #[test]
    fn breaks_on_lf_crlf_and_lone_cr_only() {
        let text = "a\nb\r\nc\rd\u{2028}e";
        let lines = Lines::new(text);
        assert_eq!(lines.count(), 4);
        assert_eq!(lines.line_of(text.find('d').unwrap() as u32), 3);
        // U+2028 is not a line break for LSP.
        assert_eq!(lines.line_of(text.find('e').unwrap() as u32), 3);
        assert_eq!(lines.line_col(text.find('c').unwrap() as u32), (2, 0));
    }

    #[test]
    fn the_line_splitter_agrees_with_the_line_table() {
        let text = "a\nb\r\nc\rd\u{2028}e\r\n\n";
        let table = Lines::new(text);
        let split: Vec<_> = lines(text).collect();
        assert_eq!(
            split.iter().map(|l| l.text).collect::<Vec<_>>(),
            ["a", "b", "c", "d\u{2028}e", ""]
        );
        for (i, l) in split.iter().enumerate() {
            assert_eq!(table.line_start(i as u32) as usize, l.start);
            assert_eq!(line_start(text, l.start + l.text.len()), l.start);
        }
        assert_eq!(split.last().unwrap().next, text.len());
    }

    #[test]
    fn knows_which_lines_are_ascii() {
        let lines = Lines::new("ascii\n😀é\nx\r\nü");
        assert!(lines.is_ascii(0) && !lines.is_ascii(1) && lines.is_ascii(2) && !lines.is_ascii(3));
        assert!(lines.is_ascii(99));
        let many: String = (0..200)
            .map(|i| if i == 130 { "é\n" } else { "a\n" })
            .collect();
        let lines = Lines::new(&many);
        assert!(!lines.is_ascii(130) && lines.is_ascii(129) && lines.is_ascii(131));
    }

    #[test]
    fn keeps_utf16_columns_of_chosen_offsets_on_non_ascii_lines() {
        let text = "ascii [[x]]\n日本 [[語]] 😀 é\r\nend é";
        let mut lines = Lines::new(text);
        let chosen: Vec<u32> = ["[[x", "[[語", "]] 😀", "😀", " é\r", "é\r", "end", "é"]
            .iter()
            .map(|s| text.find(s).unwrap() as u32)
            .chain([text.find("😀").unwrap() as u32 + 2]) // inside the emoji
            .collect();
        lines.keep_utf16(text, chosen.iter().copied());
        for &o in &chosen {
            let (line, _) = lines.line_col(o);
            let start = lines.line_start(line) as usize;
            let mut end = o as usize;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            assert_eq!(
                lines.utf16_col(o),
                Some(utf16_len(&text[start..end])),
                "at {o}"
            );
        }
        // The text's end is always kept; an offset nobody chose is not known
        // on a non-ASCII line, and always known on an ASCII one.
        assert_eq!(lines.utf16_col(text.len() as u32), Some(5));
        assert_eq!(lines.utf16_col(text.find("本").unwrap() as u32), None);
        assert_eq!(lines.utf16_col(2), Some(2));
        // An ASCII text keeps nothing.
        let mut ascii = Lines::new("a\nb");
        ascii.keep_utf16("a\nb", [0, 1, 2]);
        assert!(ascii.utf16.is_empty());
    }

    #[test]
    fn utf16_length_counts_surrogate_pairs() {
        for s in [
            "",
            "ascii",
            "é",
            "日本語",
            "😀",
            "a😀bé日\u{10FFFF}\u{7FF}\u{800}",
        ] {
            let want: usize = s.chars().map(char::len_utf16).sum();
            assert_eq!(utf16_len(s) as usize, want, "{s:?}");
        }
    }

    #[test]
    fn clamps_past_end() {
        let lines = Lines::new("ab\ncd");
        assert_eq!(lines.line_col(99), (1, 2));
        assert_eq!(lines.line_start(9), 5);
        assert_eq!(Lines::new("").line_col(3), (0, 0));
    }
}
