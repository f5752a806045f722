//! Backlink lenses: how many links lead to a note, and to each of its
//! headings and blocks that is linked.

use super::super::{Location, Part, each_link_to, link_part, links_to};
use crate::index::Snapshot;
use crate::names::fold;
use crate::text::Span;

/// One lens: where it sits, what it counts, and the count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lens {
    /// The title heading, the heading or the block id; an empty span at
    /// the start of the note for a title that is not a heading.
    pub span: Span,
    pub part: Part,
    pub count: usize,
}

/// The note's lenses, in text order: one on its title (first heading, or
/// line 0 when the note has none or a front-matter title) counting every
/// link to the note, whatever part it names; one on each other heading and
/// each block that at least one link names, counting those links.
pub fn lenses(snap: &Snapshot, rel: &str) -> Vec<Lens> {
    let Some(note) = snap.note(rel) else {
        return vec![];
    };
    let f = &note.facts;
    let mut total = 0;
    let mut headings = vec![0usize; f.headings.len()];
    let mut blocks = vec![0usize; f.blocks.len()];
    each_link_to(snap, rel, |_, link| {
        total += 1;
        if link.subpath_text.is_some() {
            match link_part(snap, rel, link) {
                Part::Heading(i) => headings[i] += 1,
                Part::Block(i) => blocks[i] += 1,
                Part::Whole => {}
            }
        }
    });
    let title_is_heading = f.title.is_none() && !f.headings.is_empty();
    let mut out = vec![Lens {
        span: match title_is_heading {
            true => f.headings[0].span,
            false => Span::default(),
        },
        part: Part::Whole,
        count: total,
    }];
    let first = title_is_heading as usize;
    for (i, &count) in headings.iter().enumerate().skip(first) {
        if count > 0 {
            out.push(Lens {
                span: f.headings[i].span,
                part: Part::Heading(i),
                count,
            });
        }
    }
    for (i, &count) in blocks.iter().enumerate() {
        if count > 0 {
            out.push(Lens {
                span: f.blocks[i].span,
                part: Part::Block(i),
                count,
            });
        }
    }
    out.sort_by_key(|l| l.span.start);
    out
}

/// What a lens counts, as its command names it: the note, a heading (its
/// index, and its text to check the index against), or a block id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Counted {
    Note,
    Heading { index: usize, text: String },
    Block(String),
}

impl Counted {
    /// What `lens` counts, in the note whose facts are `f`.
    pub fn of(lens: &Lens, f: &crate::facts::NoteFacts) -> Counted {
        match lens.part {
            Part::Whole => Counted::Note,
            Part::Heading(index) => Counted::Heading {
                index,
                text: f.headings[index].text.to_string(),
            },
            Part::Block(i) => Counted::Block(f.blocks[i].id.to_string()),
        }
    }
}

/// The links a lens counts, found again by what it names (the note may
/// have changed since): a heading at its index if it still reads the same,
/// else the first heading that does; a block by its id. A heading or block
/// that no longer exists has none.
pub fn backlinks_of(snap: &Snapshot, rel: &str, counted: &Counted) -> Vec<Location> {
    let Some(note) = snap.note(rel) else {
        return vec![];
    };
    let f = &note.facts;
    let part = match counted {
        Counted::Note => Some(Part::Whole),
        Counted::Heading { index, text } => f
            .headings
            .get(*index)
            .filter(|h| *h.text == **text)
            .map(|_| *index)
            .or_else(|| f.headings.iter().position(|h| *h.text == **text))
            .map(Part::Heading),
        Counted::Block(id) => f
            .blocks
            .iter()
            .position(|b| fold(&b.id) == fold(id))
            .map(Part::Block),
    };
    part.map_or(vec![], |part| links_to(snap, rel, part))
}
