//! Protocol values in, domain values out: positions (in the negotiated
//! encoding) to byte offsets, URIs to paths.
//!
//! Out of range positions are clamped, never trusted: a line past the end
//! means the end of the text, a column past the end of its line means the
//! end of that line.

use std::path::PathBuf;

use ropey::Rope;
use tower_lsp_server::ls_types::{FileRename, Position, Range, Uri};

use super::capabilities::Encoding;
use crate::answers::At;
use crate::text::Span;

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

/// The cursor at `pos`: its byte offset and line.
pub fn at(rope: &Rope, pos: Position, enc: Encoding) -> At {
    let offset = offset(rope, pos, enc);
    At {
        offset: offset as u32,
        line: rope.byte_to_line(offset) as u32,
    }
}

/// A range as bytes (ends given backwards are kept as given).
pub fn span(rope: &Rope, range: Range, enc: Encoding) -> Span {
    Span {
        start: offset(rope, range.start, enc) as u32,
        end: offset(rope, range.end, enc) as u32,
    }
}

/// A `file:` URI's path; `None` for other schemes.
pub fn path(uri: &Uri) -> Option<PathBuf> {
    uri.to_file_path().map(|p| p.into_owned())
}

/// A `file:` URI given as a string (file operations send strings).
pub fn path_of_str(uri: &str) -> Option<PathBuf> {
    path(&uri.parse().ok()?)
}

/// The old and new paths of a file operation.
pub fn file_rename(f: &FileRename) -> Option<(PathBuf, PathBuf)> {
    Some((path_of_str(&f.old_uri)?, path_of_str(&f.new_uri)?))
}
