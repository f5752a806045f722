//! Inlay previews: after a link to a block or heading, the first words of
//! what it points at, so `[[Note#^a1b2c3]]` says what it quotes.

use super::super::{Location, Part, part_of};
use crate::facts::NoteFacts;
use crate::index::Snapshot;
use crate::index::resolve::Resolution;
use crate::text::Span;

/// Which links get a preview (the `inlayHints.previews` setting).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Previews {
    Off,
    /// Links to blocks: their id says nothing of what they hold.
    #[default]
    Blocks,
    /// Links to blocks and to headings.
    All,
}

impl Previews {
    pub fn parse(s: &str) -> Option<Previews> {
        match s {
            "off" => Some(Previews::Off),
            "blocks" => Some(Previews::Blocks),
            "all" => Some(Previews::All),
            _ => None,
        }
    }
}

/// A preview: shown at `at` (the end of the link), what it says, and where
/// it comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hint {
    pub at: u32,
    pub label: String,
    pub target: Location,
}

/// How much of the target a preview shows.
const WORDS: usize = 8;
const CHARS: usize = 60;

/// Previews for the links of note `rel` that touch `range`. A link to a
/// missing note, heading or block gets none (its diagnostic says so), nor
/// does a target with no words. `text_of` supplies a note's current text.
pub fn inlay_hints(
    snap: &Snapshot,
    rel: &str,
    range: Span,
    previews: Previews,
    text_of: &dyn Fn(&str) -> Option<String>,
) -> Vec<Hint> {
    let Some(note) = snap.note(rel) else {
        return vec![];
    };
    if previews == Previews::Off {
        return vec![];
    }
    let mut out = Vec::new();
    // The texts a request needs, each read once.
    let mut texts: Vec<(crate::index::NotePath, Option<String>)> = Vec::new();
    for link in &note.facts.links {
        let inside = link.span.start <= range.end && range.start <= link.span.end;
        if !inside || link.subpath_text.is_none() || note.facts.is_commented(link) {
            continue;
        }
        let Resolution::Note { path, subpath, .. } = snap.resolve(rel, link) else {
            continue;
        };
        let part = part_of(subpath);
        let wanted = match part {
            Part::Block(_) => true,
            Part::Heading(_) => previews == Previews::All,
            Part::Whole => false,
        };
        let Some(target) = snap.note(&path).filter(|_| wanted) else {
            continue;
        };
        let i = match texts.iter().position(|(p, _)| *p == path) {
            Some(i) => i,
            None => {
                texts.push((path.clone(), text_of(&path)));
                texts.len() - 1
            }
        };
        let Some(text) = &texts[i].1 else { continue };
        let Some((label, span)) = first_words(&target.facts, text, part) else {
            continue;
        };
        out.push(Hint {
            at: link.span.end,
            label,
            target: Location { path, span },
        });
    }
    out
}

/// The first words of a heading's section (below the heading line) or of a
/// block (its line before the id, or the nearest line above with words
/// when the id stands alone), and the span they were taken from.
fn first_words(f: &NoteFacts, text: &str, part: Part) -> Option<(String, Span)> {
    let clamp = |i: u32| {
        let mut i = (i as usize).min(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let (line, start) = match part {
        Part::Heading(i) => {
            let (start, end) = (clamp(f.headings.get(i)?.span.end), clamp(f.section(i).end));
            let body = &text[start.min(end)..end];
            let l = crate::text::lines(body).find(|l| words(l.text).next().is_some())?;
            (l.text, start + l.start)
        }
        Part::Block(i) => {
            // Backwards from the id, line by line.
            let mut end = clamp(f.blocks.get(i)?.span.start);
            loop {
                let start = crate::text::line_start(text, end);
                if words(&text[start..end]).next().is_some() {
                    break (&text[start..end], start);
                }
                if start == 0 {
                    return None;
                }
                end = start - 1;
            }
        }
        Part::Whole => return None,
    };
    let span = Span::new(start..start + line.len());
    let mut label = String::new();
    let mut all = words(line);
    for w in all.by_ref().take(WORDS) {
        if label.chars().count() + w.chars().count() > CHARS {
            label.push('…');
            return Some((label, span));
        }
        if !label.is_empty() {
            label.push(' ');
        }
        label += w;
    }
    if all.next().is_some() {
        label.push('…');
    }
    Some((label, span))
}

/// The words of a line of Markdown, its markers left out: list bullets,
/// task boxes, quote marks, heading hashes, emphasis and link brackets.
fn words(line: &str) -> impl Iterator<Item = &str> {
    line.split_whitespace()
        .enumerate()
        .filter(|(i, w)| {
            let marker = w.chars().all(|c| "#>-*+|".contains(c))
                || matches!(*w, "[" | "]" | "[x]" | "[X]" | "[ ]")
                || (w.ends_with(['.', ')'])
                    && w[..w.len() - 1].chars().all(|c| c.is_ascii_digit()));
            // Block ids are not words of the text.
            !(w.starts_with('^') || marker && *i < 3)
        })
        .map(|(_, w)| w.trim_matches(['*', '_', '`', '[', ']', '=']))
        .filter(|w| !w.is_empty())
}
