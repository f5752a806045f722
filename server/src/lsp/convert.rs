//! The LSP edge for positions and paths: the one place where protocol
//! positions (line + UTF-8 or UTF-16 column) meet byte offsets.
//!
//! Out of range positions are clamped, never trusted: a line past the end
//! means the end of the text, a column past the end of its line means the
//! end of that line.

use std::path::{Path, PathBuf};

use ropey::Rope;
use tower_lsp_server::ls_types::{Position, Range, Uri};

use crate::text::{Pos, Span};

/// The negotiated position encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Encoding {
    Utf8,
    #[default]
    Utf16,
}

pub fn position(p: Pos, enc: Encoding) -> Position {
    Position::new(
        p.line,
        match enc {
            Encoding::Utf8 => p.col8,
            Encoding::Utf16 => p.col16,
        },
    )
}

pub fn range(s: Span, enc: Encoding) -> Range {
    Range::new(position(s.from, enc), position(s.to, enc))
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
