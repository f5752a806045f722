//! Completion: what the writer is typing at the cursor, and the links,
//! headings, block ids and tags that fit it.
//!
//! What is being typed ([`Typed`]) comes from the text of the current line
//! (facts do not know half-typed links). Candidates come from the snapshot: notes are scored in
//! one pass with a reused buffer, keeping only the best `limit`, so a
//! keystroke never copies the vault's note list.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use super::daily::DailyNotes;
use super::fixes::unambiguous_name;
use super::rename::{Edit, TextOf};
use crate::facts::{Link, LinkKind};
use rayon::prelude::*;

use crate::index::{NameEntry, NotePath, Prepared, ScoreChars, Snapshot};
use crate::names::{
    Destination, NonAscii, Sym, encode_md_path, file_name, fold, note_stem, parent, relative_path,
    slug,
};
use crate::text::Span;

mod across;
mod candidates;
mod ranking;
mod typed;

use across::*;
pub(crate) use candidates::link_text as link_text_of;
use candidates::*;
use ranking::*;
use typed::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ItemKind {
    Note,
    Alias,
    Attachment,
    Heading,
    Block,
    Tag,
    /// A name that is linked but has no note yet.
    Missing,
    /// The daily note of a day named by what was typed (`today`, …).
    Daily,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub label: String,
    pub kind: ItemKind,
    /// Replaces the typed text ([`Completion::replace`]).
    pub insert: String,
    /// Folder and title, or use counts.
    pub detail: String,
    /// The note the item stands for (for a preview).
    pub path: Option<NotePath>,
    /// A block chosen by `[[^^` that has no id yet: the edit, in that
    /// note, that gives it the id the inserted link names.
    pub adds_id: Option<AddId>,
}

/// A fresh block id to write into a note (see [`Item::adds_id`]).
#[derive(Clone, Debug, PartialEq)]
pub struct AddId {
    pub path: NotePath,
    /// The block, as the note's facts have it.
    pub block: Span,
    pub id: String,
    /// The edit that writes it, in that note's text.
    pub edit: Edit,
}

/// What completion needs besides the cursor.
#[derive(Clone, Copy)]
pub struct Options<'a> {
    /// At most this many items.
    pub limit: usize,
    pub style: PathStyle,
    /// Other notes' texts, for `[[^^` block search (`None`: no blocks).
    pub text_of: Option<TextOf<'a>>,
    /// Daily notes, and today's date (`None`: no daily notes).
    pub daily: Option<(&'a DailyNotes, jiff::civil::Date)>,
}

impl Options<'_> {
    pub fn new(limit: usize, style: PathStyle) -> Options<'static> {
        Options {
            limit,
            style,
            text_of: None,
            daily: None,
        }
    }
}

/// How a completed markdown link writes a path with spaces: `a%20b.md`,
/// or `<a b.md>`. A `<` the writer already typed always wins.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PathStyle {
    #[default]
    Percent,
    Angle,
}

pub struct Completion {
    /// The typed text the items replace.
    pub replace: Span,
    /// Best first.
    pub items: Vec<Item>,
    /// More items matched than were returned: ask again as the user types.
    pub incomplete: bool,
}

/// Completes at byte `offset` of the note at `from`, whose text is `text`.
pub fn complete(
    snap: &Snapshot,
    from: &str,
    text: &str,
    offset: usize,
    options: &Options,
) -> Option<Completion> {
    let Options { limit, style, .. } = *options;
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let typed = typed_at(text, offset)?;
    let span = |start: usize| Span {
        start: start as u32,
        end: offset as u32,
    };
    let (start, (items, incomplete)) = match typed {
        Typed::WikiName {
            query,
            start,
            embed,
            close,
        } => {
            let (mut items, incomplete) = notes(snap, from, offset, query, embed, close, limit);
            if let Some((daily, today)) = options.daily {
                let days = daily_notes(snap, daily, today, query, close);
                items.splice(0..0, days);
                items.truncate(limit.max(1));
            }
            (start, (items, incomplete))
        }
        Typed::WikiPart {
            part,
            note,
            query,
            start,
            close,
        } => {
            let target = resolve_name(snap, from, note, LinkKind::Wiki);
            let target = target.as_ref();
            let items = match part {
                Segment::Alias => aliases(snap, target, query, close),
                Segment::Heading => headings(snap, target, query, close, HeadingForm::Text),
                Segment::Block => blocks(snap, target, query, close),
            };
            (start, (items, false))
        }
        Typed::MdPath {
            query,
            start,
            angle,
        } => (start, md_paths(snap, from, query, angle, style, limit)),
        Typed::MdHeading { path, query, start } => {
            let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
            let target = resolve_name(snap, from, &decoded, LinkKind::Markdown);
            (
                start,
                (
                    headings(snap, target.as_ref(), query, "", HeadingForm::Slug),
                    false,
                ),
            )
        }
        Typed::Tag { query, start } => (start, tags(snap, from, offset, query, limit)),
        Typed::VaultHeading {
            query,
            start,
            close,
        } => (start, vault_headings(snap, from, query, close, limit)),
        Typed::VaultBlock {
            query,
            start,
            close,
        } => match options.text_of {
            Some(text_of) => (
                start,
                vault_blocks(snap, from, offset, query, close, limit, text_of),
            ),
            None => (start, (vec![], false)),
        },
    };
    Some(Completion {
        replace: span(start),
        items,
        incomplete,
    })
}

/// The note a half-typed link names (`""`: the note itself).
fn resolve_name(snap: &Snapshot, from: &str, name: &str, kind: LinkKind) -> Option<NotePath> {
    let name = name.trim();
    let link = Link {
        kind,
        span: Span::default(),
        target_span: Span::default(),
        target: Sym::new(name),
        subpath_text: None,
        subpath_span: None,
        name_key: Link::name_key_of(name),
        destination: crate::names::Destination::Bare(crate::names::NonAscii::Readable),
    };
    snap.resolve_note(from, &link)
}

#[cfg(test)]
mod tests;
