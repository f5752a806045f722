//! The LSP edge for positions and paths: the one place where protocol
//! positions (line + UTF-8 or UTF-16 column) meet byte offsets.
//!
//! Out of range positions are clamped, never trusted: a line past the end
//! means the end of the text, a column past the end of its line means the
//! end of that line.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use ropey::Rope;
use tower_lsp_server::ls_types::{Position, Range, Uri};

use crate::index::Snapshot;
use crate::text::Span;

/// The negotiated position encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Encoding {
    Utf8,
    #[default]
    Utf16,
}

/// Turns byte offsets in notes of one snapshot into LSP positions.
///
/// Line and byte column come from each note's line table. A UTF-16 column
/// on a line that is not ASCII needs the text: it is fetched once per note
/// and request through `text_of` (the buffer if open, else the disk).
pub struct Positions<'a> {
    pub enc: Encoding,
    snapshot: &'a Snapshot,
    text_of: &'a dyn Fn(&str) -> Option<String>,
    texts: RefCell<HashMap<String, Option<Rope>>>,
}

impl<'a> Positions<'a> {
    pub fn new(
        enc: Encoding,
        snapshot: &'a Snapshot,
        text_of: &'a dyn Fn(&str) -> Option<String>,
    ) -> Self {
        Positions {
            enc,
            snapshot,
            text_of,
            texts: RefCell::new(HashMap::new()),
        }
    }

    /// Supplies a text already at hand (the buffer a request is about).
    pub fn with_text(self, rel: &str, rope: Rope) -> Self {
        self.texts.borrow_mut().insert(rel.to_string(), Some(rope));
        self
    }

    pub fn position(&self, rel: &str, offset: u32) -> Position {
        let Some(note) = self.snapshot.note(rel) else {
            return Position::default(); // An attachment: its start.
        };
        let lines = &note.facts.lines;
        let (line, col8) = lines.line_col(offset);
        if self.enc == Encoding::Utf8 || lines.is_ascii(line) {
            return Position::new(line, col8);
        }
        let mut texts = self.texts.borrow_mut();
        let rope = texts
            .entry(rel.to_string())
            .or_insert_with(|| (self.text_of)(rel).map(|t| Rope::from_str(&t)));
        match rope {
            Some(rope) => position_of(rope, offset as usize, self.enc),
            None => Position::new(line, col8),
        }
    }

    pub fn range(&self, rel: &str, span: Span) -> Range {
        Range::new(self.position(rel, span.start), self.position(rel, span.end))
    }
}

/// Byte offset of an LSP position in `rope`, clamped.
pub fn offset(rope: &Rope, pos: Position, enc: Encoding) -> usize {
    let last_line = rope.len_lines().saturating_sub(1);
    let line = (pos.line as usize).min(last_line);
    if pos.line as usize > last_line {
        return rope.len_bytes();
    }
    let mut byte = rope.line_to_byte(line);
    let mut units = 0u32;
    for c in rope.line(line).chars() {
        if c == '\n' || c == '\r' || units >= pos.character {
            break;
        }
        units += match enc {
            Encoding::Utf8 => c.len_utf8() as u32,
            Encoding::Utf16 => c.len_utf16() as u32,
        };
        // A column inside a character lands after it rather than splitting it.
        byte += c.len_utf8();
    }
    byte
}

/// The LSP position of a byte offset in `rope`, clamped.
pub fn position_of(rope: &Rope, byte: usize, enc: Encoding) -> Position {
    let byte = byte.min(rope.len_bytes());
    let line = rope.byte_to_line(byte);
    let line_byte = rope.line_to_byte(line);
    let character = match enc {
        Encoding::Utf8 => {
            // Round down to a character boundary.
            let c = rope.byte_to_char(byte);
            rope.char_to_byte(c) - line_byte
        }
        Encoding::Utf16 => {
            let c = rope.byte_to_char(byte);
            let line_char = rope.line_to_char(line);
            rope.char_to_utf16_cu(c) - rope.char_to_utf16_cu(line_char)
        }
    };
    Position::new(line as u32, character as u32)
}

pub fn byte_range(rope: &Rope, r: &std::ops::Range<usize>, enc: Encoding) -> Range {
    Range::new(
        position_of(rope, r.start, enc),
        position_of(rope, r.end, enc),
    )
}

/// A `file:` URI's path; `None` for other schemes.
pub fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    uri.to_file_path().map(|p| p.into_owned())
}

pub fn path_to_uri(path: &Path) -> Option<Uri> {
    Uri::from_file_path(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_and_positions_round_trip_in_both_encodings() {
        let text = "a😀b\r\nx\rhé\n";
        let rope = Rope::from_str(text);
        assert_eq!(rope.len_lines(), 4);
        for enc in [Encoding::Utf8, Encoding::Utf16] {
            for (i, c) in text.char_indices() {
                if c == '\n' && text[..i].ends_with('\r') {
                    continue; // Inside a CRLF break: no position names it.
                }
                let p = position_of(&rope, i, enc);
                assert_eq!(offset(&rope, p, enc), i, "{enc:?} at {i}");
            }
        }
        assert_eq!(
            position_of(&rope, text.find('b').unwrap(), Encoding::Utf16),
            Position::new(0, 3)
        );
        assert_eq!(
            position_of(&rope, text.find('b').unwrap(), Encoding::Utf8),
            Position::new(0, 5)
        );
    }

    #[test]
    fn out_of_range_positions_clamp() {
        let rope = Rope::from_str("ab\ncd");
        assert_eq!(offset(&rope, Position::new(0, 99), Encoding::Utf16), 2);
        assert_eq!(offset(&rope, Position::new(9, 0), Encoding::Utf16), 5);
        // Inside a surrogate pair: after the character.
        let rope = Rope::from_str("😀x");
        assert_eq!(offset(&rope, Position::new(0, 1), Encoding::Utf16), 4);
        assert_eq!(position_of(&rope, 99, Encoding::Utf8), Position::new(0, 5));
    }
}
