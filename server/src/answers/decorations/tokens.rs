//! Semantic tokens: what each part of a link, tag or block id names, and
//! whether it resolves, so a theme can colour a note and grey out a broken
//! link as it is typed.

use crate::facts::{LinkKind, Subpath};
use crate::index::Snapshot;
use crate::index::resolve::{Resolution, SubpathMatch, Unresolved};
use crate::text::Span;

/// What a token is; the server's legend maps each to a standard LSP type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// The name or path of a note in a link.
    Note,
    /// The name or path of an attachment (any other file) in a link.
    Attachment,
    /// A `#Heading` subpath of a link.
    Heading,
    /// A `#^block` subpath of a link, or a block id `^id`.
    Block,
    /// A tag, inline or in front matter.
    Tag,
    /// A front-matter key whose value holds links or tags.
    Key,
}

impl TokenKind {
    /// Every kind, in legend order.
    pub const ALL: [TokenKind; 6] = [
        TokenKind::Note,
        TokenKind::Attachment,
        TokenKind::Heading,
        TokenKind::Block,
        TokenKind::Tag,
        TokenKind::Key,
    ];
}

/// A token modifier, one bit each (in legend order).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Modifier {
    /// Where a block id is defined.
    Declaration,
    /// The target (or its heading or block) does not exist.
    Unresolved,
    /// The name matches several notes.
    Ambiguous,
    /// The target of an embed `![[…]]`.
    Embed,
}

impl Modifier {
    pub const ALL: [Modifier; 4] = [
        Modifier::Declaration,
        Modifier::Unresolved,
        Modifier::Ambiguous,
        Modifier::Embed,
    ];

    pub fn bit(self) -> u32 {
        1 << self as u32
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub span: Span,
    pub kind: TokenKind,
    /// A set of [`Modifier::bit`]s.
    pub modifiers: u32,
}

/// Every token of the note at `rel`, sorted, none overlapping another and
/// none empty. Links in `%%` comments get none: the writer switched them off.
pub fn semantic_tokens(snap: &Snapshot, rel: &str) -> Vec<Token> {
    let Some(note) = snap.note(rel) else {
        return vec![];
    };
    let f = &note.facts;
    let mut out = Vec::with_capacity(2 * f.links.len() + f.tags.len() + f.blocks.len());
    let mut push = |span: Span, kind: TokenKind, modifiers: u32| {
        if span.start < span.end {
            out.push(Token {
                span,
                kind,
                modifiers,
            });
        }
    };
    let (unresolved, ambiguous) = (Modifier::Unresolved.bit(), Modifier::Ambiguous.bit());
    for link in &f.links {
        if f.is_commented(link) {
            continue;
        }
        let resolution = snap.resolve(rel, link);
        let embed = match link.kind {
            LinkKind::Embed => Modifier::Embed.bit(),
            _ => 0,
        };
        let (kind, mods) = match &resolution {
            Resolution::Note { others, .. } if others.is_empty() => (TokenKind::Note, 0),
            Resolution::Note { .. } => (TokenKind::Note, ambiguous),
            Resolution::Attachment(_) => (TokenKind::Attachment, 0),
            Resolution::Unresolved(Unresolved::Attachment) => (TokenKind::Attachment, unresolved),
            Resolution::Unresolved(_) => (TokenKind::Note, unresolved),
        };
        push(link.target_span, kind, mods | embed);
        // A fragment of an attachment (`doc.pdf#page=3`) names no heading.
        if let (Some(span), TokenKind::Note) = (link.subpath_span, kind) {
            let kind = match link.subpath() {
                Some(Subpath::Block(_)) => TokenKind::Block,
                _ => TokenKind::Heading,
            };
            let missing = match &resolution {
                Resolution::Note { subpath, .. } => matches!(
                    subpath,
                    SubpathMatch::MissingHeading | SubpathMatch::MissingBlock
                ),
                _ => true,
            };
            push(span, kind, if missing { unresolved } else { 0 });
        }
    }
    for t in &f.tags {
        push(t.span, TokenKind::Tag, 0);
    }
    for b in &f.blocks {
        push(b.span, TokenKind::Block, Modifier::Declaration.bit());
    }
    if let Some(fm) = f.front_matter {
        for (i, key) in f.front_matter_keys.iter().enumerate() {
            let end = f.front_matter_keys.get(i + 1).map_or(fm.end, |k| k.start);
            let value = |s: Span| key.end <= s.start && s.start < end;
            let holds = f
                .links
                .iter()
                .any(|l| l.kind == LinkKind::FrontMatter && value(l.span))
                || f.tags.iter().any(|t| t.in_front_matter && value(t.span));
            if holds {
                push(*key, TokenKind::Key, 0);
            }
        }
    }
    out.sort_by_key(|t| (t.span.start, t.span.end));
    // Uses of one reference definition share its target span; nothing else
    // overlaps, but a token that would is dropped rather than sent.
    let mut last_end = 0;
    out.retain(|t| {
        let keep = t.span.start >= last_end;
        if keep {
            last_end = t.span.end;
        }
        keep
    });
    out
}
