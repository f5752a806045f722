//! Document highlights: everything in this note that names what the cursor
//! is on.

use super::super::{At, Cursor, Part, cursor, link_part, part_of};
use crate::facts::Link;
use crate::index::Snapshot;
use crate::index::resolve::Resolution;
use crate::names::fold;
use crate::text::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HighlightKind {
    /// The heading, block or title itself.
    Declaration,
    /// A link to it, or a use of the tag.
    Reference,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Highlight {
    pub span: Span,
    pub kind: HighlightKind,
}

/// On a link: every link in this note that leads to the same note (to the
/// same heading or block, if the link names one), and that heading or
/// block itself when it is in this note; links to a missing note: the
/// links naming the same missing target. On a tag: the same tag (nested
/// tags are other tags). On a heading, block id or the title: it, and the
/// links in this note to it. Sorted by position.
pub fn highlights(snap: &Snapshot, rel: &str, at: At) -> Vec<Highlight> {
    let Some(note) = snap.note(rel) else {
        return vec![];
    };
    let f = &note.facts;
    let reference = |span| Highlight {
        span,
        kind: HighlightKind::Reference,
    };
    let declaration = |span| Highlight {
        span,
        kind: HighlightKind::Declaration,
    };
    // Links of this note to `part` of this note.
    let own = |part: Part| {
        f.links
            .iter()
            .filter(move |l| {
                snap.resolve_note(rel, l).is_some_and(|p| *p == *rel)
                    && (part == Part::Whole || link_part(snap, rel, l) == part)
            })
            .map(|l| reference(l.span))
    };
    let mut out: Vec<Highlight> = match cursor(note, at) {
        Cursor::Link(link) => same_target(snap, rel, link)
            .into_iter()
            .map(reference)
            .chain(declared_here(snap, rel, link).map(declaration))
            .collect(),
        Cursor::Tag(tag) => {
            let key = fold(&tag.name);
            f.tags
                .iter()
                .filter(|t| fold(&t.name) == key)
                .map(|t| reference(t.span))
                .collect()
        }
        Cursor::Heading(i) => std::iter::once(declaration(f.headings[i].span))
            .chain(own(Part::Heading(i)))
            .collect(),
        Cursor::Block(i) => std::iter::once(declaration(f.blocks[i].span))
            .chain(own(Part::Block(i)))
            .collect(),
        Cursor::Title => {
            let title = match (f.title_span, f.headings.first()) {
                (Some(span), _) => Some(span),
                (None, Some(h)) => Some(h.span),
                (None, None) => None,
            };
            title
                .map(declaration)
                .into_iter()
                .chain(own(Part::Whole))
                .collect()
        }
        Cursor::None => vec![],
    };
    out.sort_by_key(|h| (h.span.start, h.span.end));
    out.dedup();
    out
}

/// The links of note `rel` that lead where `link` leads.
fn same_target(snap: &Snapshot, rel: &str, link: &Link) -> Vec<Span> {
    let links = snap.note(rel).map_or(&[][..], |n| &n.facts.links[..]);
    match snap.resolve(rel, link) {
        Resolution::Note { path, subpath, .. } => {
            let part = part_of(subpath);
            links
                .iter()
                .filter(|l| {
                    snap.resolve_note(rel, l).is_some_and(|p| p == path)
                        && (part == Part::Whole || link_part(snap, &path, l) == part)
                })
                .map(|l| l.span)
                .collect()
        }
        Resolution::Attachment(path) => links
            .iter()
            .filter(|l| matches!(snap.resolve(rel, l), Resolution::Attachment(p) if p == path))
            .map(|l| l.span)
            .collect(),
        Resolution::Unresolved(_) => {
            let target = fold(&link.target);
            links
                .iter()
                .filter(|l| {
                    l.name_key == link.name_key
                        && fold(&l.target) == target
                        && matches!(snap.resolve(rel, l), Resolution::Unresolved(_))
                })
                .map(|l| l.span)
                .collect()
        }
    }
}

/// The heading or block of this note that `link` leads to, if any.
fn declared_here(snap: &Snapshot, rel: &str, link: &Link) -> Option<Span> {
    let Resolution::Note { path, subpath, .. } = snap.resolve(rel, link) else {
        return None;
    };
    let f = &snap.note(rel).filter(|_| *path == *rel)?.facts;
    match part_of(subpath) {
        Part::Heading(i) => f.headings.get(i).map(|h| h.span),
        Part::Block(i) => f.blocks.get(i).map(|b| b.span),
        Part::Whole => None,
    }
}
