//! Protocol values in, domain values out: positions (in the negotiated
//! encoding) to byte offsets, URIs to paths, and carnet's own requests
//! ([`ext`](super::ext)) to graph queries.
//!
//! Out of range positions are clamped, never trusted: a line past the end
//! means the end of the text, a column past the end of its line means the
//! end of that line.

use std::path::PathBuf;

use ropey::Rope;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::{
    CodeActionKind, CodeLens, ExecuteCommandParams, FileRename, MessageActionItem, Position, Range,
    Uri,
};

use super::capabilities::Encoding;
use super::ext::{self, GraphParams, ReportArgs};
use crate::answers::{At, Counted};
use crate::graph::{self, report::List};
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
/// Whether a code action of `kind` is among the kinds `only` asks for
/// (`None`: every kind). Kinds are hierarchical: `refactor` includes
/// `refactor.extract`, and a request for `refactor.extract` still wants
/// to know whether to compute `refactor` ones (it does: they may be that).
pub fn wants_kind(only: Option<&[CodeActionKind]>, kind: &CodeActionKind) -> bool {
    let (k, only) = match only {
        None => return true,
        Some(only) => (kind.as_str(), only),
    };
    only.iter().any(|o| {
        let o = o.as_str();
        k == o
            || k.strip_prefix(o).is_some_and(|r| r.starts_with('.'))
            || o.strip_prefix(k).is_some_and(|r| r.starts_with('.'))
    })
}

/// The `uri` a command's first argument names.
pub fn command_uri(args: &[serde_json::Value]) -> Option<Uri> {
    args.first()?.get("uri")?.as_str()?.parse().ok()
}

/// What the `carnet.addBlockId` command carries (see `to_proto`): the note, the block's byte range, the id.
pub fn add_block_id_args(args: &[serde_json::Value]) -> Option<(Uri, Span, String)> {
    let a = args.first()?;
    let n = |k: &str| a.get(k)?.as_u64().and_then(|v| u32::try_from(v).ok());
    Some((
        a.get("uri")?.as_str()?.parse().ok()?,
        Span {
            start: n("start")?,
            end: n("end")?,
        },
        a.get("id")?.as_str()?.to_string(),
    ))
}

/// Whether a `carnet/backlinks` target is an unlinked-mentions lens's
/// (`{ "mentions": true }`).
pub fn wants_mentions(target: &serde_json::Value) -> bool {
    target.get("mentions").and_then(|m| m.as_bool()) == Some(true)
}

/// The note an unresolved lens's `data` names (`{ "uri": … }`).
pub fn lens_uri(lens: &CodeLens) -> Option<Uri> {
    let uri = lens.data.as_ref()?.get("uri")?.as_str()?;
    uri.parse().ok()
}

/// What a `carnet/backlinks` target (a lens command's third argument) names.
pub fn counted(target: &serde_json::Value) -> Counted {
    let text = |k: &str| target.get(k).and_then(|v| v.as_str()).map(String::from);
    match (text("block"), text("heading")) {
        (Some(id), _) => Counted::Block(id),
        (None, Some(text)) => Counted::Heading {
            index: target.get("index").and_then(|i| i.as_u64()).unwrap_or(0) as usize,
            text,
        },
        (None, None) => Counted::Note,
    }
}

/// A folder a request names by URI; `InvalidParams` unless it is a `file:` URI.
pub fn folder(uri: &Uri) -> Result<PathBuf> {
    path(uri).ok_or_else(|| Error::invalid_params(format!("not a file: URI: {}", uri.as_str())))
}

/// The part of a vault's graph a `carnet/graph` request asks for; `center`
/// is the vault-relative path of the note it names, if any.
pub fn graph_options(p: &GraphParams, center: Option<&str>) -> graph::Options {
    graph::Options {
        from: p.depth.and(center).map(Into::into),
        depth: p.depth.unwrap_or(0),
        tags: p.tags.clone(),
        folders: p.folders.clone(),
        include_unresolved: p.include_unresolved,
    }
}

/// The report list a `workspace/executeCommand` asks for, and its one
/// optional argument; an unknown command or a malformed argument is
/// `InvalidParams`.
pub fn report_command(p: ExecuteCommandParams) -> Result<(List, ReportArgs)> {
    let command = p.command;
    let Some(&(_, list)) = ext::REPORT_COMMANDS.iter().find(|(c, _)| *c == command) else {
        return Err(Error::invalid_params(format!("unknown command {command}")));
    };
    let args = match p.arguments.into_iter().next() {
        Some(v) => serde_json::from_value(v)
            .map_err(|e| Error::invalid_params(format!("{command}: {e}")))?,
        None => ReportArgs::default(),
    };
    Ok((list, args))
}

/// Whether the user took the offer (chose its "Update links" action).
pub fn accepted<E>(answer: &std::result::Result<Option<MessageActionItem>, E>) -> bool {
    matches!(answer, Ok(Some(a)) if a.title == super::to_proto::UPDATE_LINKS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lsp::to_proto::position_in;

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
                let p = position_in(&rope, i, enc);
                assert_eq!(offset(&rope, p, enc), i, "{enc:?} at {i}");
            }
        }
        assert_eq!(
            position_in(&rope, text.find('b').unwrap(), Encoding::Utf16),
            Position::new(0, 3)
        );
        assert_eq!(
            position_in(&rope, text.find('b').unwrap(), Encoding::Utf8),
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
        assert_eq!(position_in(&rope, 99, Encoding::Utf8), Position::new(0, 5));
    }
}
