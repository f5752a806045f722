//! Front matter: the YAML block at the top of a note, read with a YAML
//! parser (`saphyr-parser`, see docs/index.md for why that one).
//!
//! Only a few top-level keys matter (`title`, `aliases`/`alias`,
//! `tags`/`tag`), and rename needs the exact byte span of every title, alias
//! and tag, so this walks the parser's events (which carry positions) rather
//! than a loaded document. Wiki-links may sit in any value
//! (`up: "[[Index]]"`) and are found by a scan of the block. A block that is
//! not valid YAML yields what was read before the error, as a YAML reader
//! would.

use std::ops::Range;

use saphyr_parser::{Event, Parser, ScalarStyle, Span as YamlSpan};

use super::{LinkKind, NoteFacts, Tag, extract::wiki_link};
use crate::text::Span;

/// `range` is the whole block, `---` lines included.
pub fn scan(text: &str, range: Range<usize>, facts: &mut NoteFacts) {
    links(text, range.clone(), facts);
    let block = &text[range.clone()];
    let bytes = ByteOffsets::new(block, range.start);
    let mut stack: Vec<Frame> = Vec::new();
    let mut documents = 0;
    for next in Parser::new_from_str(block) {
        let Ok((event, span)) = next else {
            return; // Not YAML from here on: keep what was read.
        };
        match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    return; // The closing `---`.
                }
            }
            Event::MappingStart(..) => {
                value_of_key(&mut stack);
                stack.push(Frame::Map {
                    top: stack.is_empty(),
                    key: None,
                });
            }
            Event::SequenceStart(..) => {
                let key = value_of_key(&mut stack);
                stack.push(Frame::Seq { key });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                stack.pop();
            }
            Event::Scalar(value, style, ..) => {
                let at = Scalar {
                    value: &value,
                    style,
                    span: bytes.range(span),
                };
                match stack.last_mut() {
                    Some(Frame::Map { top: true, key, .. }) if key.is_none() => {
                        *key = Some(value.to_ascii_lowercase());
                    }
                    Some(Frame::Map { top: true, key, .. }) => {
                        let k = key.take().unwrap_or_default();
                        record(text, &k, &at, Place::Value, facts);
                    }
                    Some(Frame::Map { key, .. }) => {
                        *key = if key.is_none() {
                            Some(String::new())
                        } else {
                            None
                        };
                    }
                    Some(Frame::Seq { key: Some(k) }) => {
                        let k = k.clone();
                        record(text, &k, &at, Place::Item, facts);
                    }
                    _ => {}
                }
            }
            Event::Alias(_) => {
                value_of_key(&mut stack);
            }
            _ => {}
        }
    }
}

/// Where the parser is: a mapping (the top one holds the keys we read) or
/// a sequence that is the value of a top-level key.
enum Frame {
    Map {
        top: bool,
        /// The key whose value comes next (in nested mappings only whether
        /// a value comes next).
        key: Option<String>,
    },
    Seq {
        key: Option<String>,
    },
}

/// A value starts (a collection or an alias): the key it belongs to if it is
/// a top-level key's value, and the enclosing mapping expects a key again.
fn value_of_key(stack: &mut [Frame]) -> Option<String> {
    match stack.last_mut() {
        Some(Frame::Map { top: true, key, .. }) => key.take(),
        Some(Frame::Map { key, .. }) => {
            *key = None;
            None
        }
        _ => None,
    }
}

/// Wiki-links in any value: `up: "[[Index]]"`, `categories: ["[[Books]]"]`.
fn links(text: &str, range: Range<usize>, facts: &mut NoteFacts) {
    let block = &text[range.clone()];
    let mut from = 0;
    while let Some(open) = block[from..].find("[[") {
        let start = from + open;
        let Some(close) = block[start + 2..].find("]]") else {
            break;
        };
        let end = start + 2 + close + 2;
        let inner = &block[start + 2..end - 2];
        if !inner.contains(['\n', '\r', '[']) {
            let abs = range.start + start..range.start + end;
            if let Some(link) = wiki_link(text, abs, LinkKind::FrontMatter) {
                facts.links.push(link);
            }
            from = end;
        } else {
            from = start + 2;
        }
    }
}

/// The parser counts characters; facts count bytes of the note.
struct ByteOffsets {
    base: usize,
    /// Byte offset of each character, when the block is not ASCII.
    of_char: Option<Vec<u32>>,
    len: usize,
}

impl ByteOffsets {
    fn new(block: &str, base: usize) -> ByteOffsets {
        let of_char =
            (!block.is_ascii()).then(|| block.char_indices().map(|(b, _)| b as u32).collect());
        ByteOffsets {
            base,
            of_char,
            len: block.len(),
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        let within = match &self.of_char {
            None => char_index.min(self.len),
            Some(map) => map.get(char_index).map_or(self.len, |&b| b as usize),
        };
        self.base + within
    }

    fn range(&self, span: YamlSpan) -> Range<usize> {
        self.byte(span.start.index())..self.byte(span.end.index())
    }
}

/// One scalar: its value as YAML reads it, and where it is written.
struct Scalar<'a> {
    value: &'a str,
    style: ScalarStyle,
    span: Range<usize>,
}

impl Scalar<'_> {
    /// The bytes of the value as written: inside the quotes, if any.
    fn inner(&self, text: &str) -> Range<usize> {
        let r = self.span.clone();
        let raw = text.get(r.clone()).unwrap_or("");
        let quoted = matches!(
            self.style,
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted
        );
        if quoted && raw.len() >= 2 && raw.starts_with(['"', '\'']) {
            r.start + 1..r.end - 1
        } else {
            r
        }
    }

    /// Whether the written text is the value itself (no escapes, no folded
    /// lines), so parts of the value have spans in the text.
    fn verbatim<'t>(&self, text: &'t str) -> Option<(&'t str, usize)> {
        let r = self.inner(text);
        let raw = text.get(r.clone())?;
        (raw == self.value).then_some((raw, r.start))
    }
}

/// Where a scalar sits under its key.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    /// `key: value`
    Value,
    /// `key: [value]` or a `- value` line.
    Item,
}

/// Records one scalar of a key we read.
fn record(text: &str, key: &str, s: &Scalar, place: Place, facts: &mut NoteFacts) {
    let v = s.value.trim();
    if v.is_empty() {
        return;
    }
    match key {
        "title" => {
            facts.title = Some(v.into());
            facts.title_span = Some(Span::new(s.inner(text)));
        }
        "aliases" | "alias" => {
            // Older vaults write `aliases: a, b` for two aliases.
            if place == Place::Value && s.style == ScalarStyle::Plain && v.contains(',') {
                facts.aliases.extend(
                    v.split(',')
                        .map(str::trim)
                        .filter(|a| !a.is_empty())
                        .map(Into::into),
                );
            } else {
                facts.aliases.push(v.into());
            }
        }
        "tags" | "tag" => tags(text, s, facts),
        _ => {}
    }
}

/// Tags of one value: several may share it, separated by commas or spaces,
/// each with or without its `#`.
fn tags(text: &str, s: &Scalar, facts: &mut NoteFacts) {
    let verbatim = s.verbatim(text);
    let mut at = 0;
    for part in s.value.split([',', ' ']) {
        let start_in_value = at;
        at += part.len() + 1;
        let t = part.trim_matches(['\t', '\n', '\r']);
        let (t, hash) = match t.strip_prefix('#') {
            Some(rest) => (rest, 1),
            None => (t, 0),
        };
        let Some(len) = super::scan::tag_len(t).filter(|&len| len == t.len()) else {
            continue;
        };
        let lead = part.len() - part.trim_start_matches(['\t', '\n', '\r']).len();
        let span = match verbatim {
            Some((_, base)) => {
                let start = base + start_in_value + lead + hash;
                Span::new(start..start + len)
            }
            // Written with escapes or over several lines: find it as written.
            None => match text.get(s.span.clone()).and_then(|raw| raw.find(t)) {
                Some(i) => Span::new(s.span.start + i..s.span.start + i + len),
                None => continue,
            },
        };
        facts.tags.push(Tag {
            name: t.into(),
            span,
            in_front_matter: true,
        });
    }
}
