//! Blocks and their ids: the text of each block (for `[[^^` search), a
//! fresh id for a block that has none, and the edit that writes it.

use std::sync::Arc;

use super::rename::{Edit, TextOf};
use crate::facts::NoteFacts;
use crate::index::{Note, ParagraphTexts, Snapshot};
use crate::names::fold;
use crate::text::Span;

/// How much of a block's text is kept for searching and showing.
const BLOCK_CHARS: usize = 100;

/// The texts of a note's blocks, read once per version of the note and kept
/// with it. `None` when the text cannot be read or no longer matches the
/// facts (it changed since it was indexed).
pub(crate) fn paragraph_texts(note: &Note, text_of: TextOf) -> Option<Arc<ParagraphTexts>> {
    if let Some(done) = note.derived.paragraph_texts.get() {
        return Some(done.clone());
    }
    if note.facts.paragraphs.is_empty() {
        return Some(
            note.derived
                .paragraph_texts
                .get_or_init(Default::default)
                .clone(),
        );
    }
    let text = text_of(&note.path)?;
    if text.len() as u64 != note.bytes {
        return None;
    }
    let texts: Box<[Box<str>]> = note
        .facts
        .paragraphs
        .iter()
        .map(|p| block_text(text.get(p.span.range()).unwrap_or("")).into())
        .collect();
    let folded = texts.iter().map(|t| fold(t).into()).collect();
    let line_break = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let done = Arc::new(ParagraphTexts {
        texts,
        folded,
        line_break,
    });
    Some(note.derived.paragraph_texts.get_or_init(|| done).clone())
}

/// A block's text as a person reads it: list, quote and table markers and
/// a trailing `^id` left out, whitespace collapsed, cut to its start.
fn block_text(raw: &str) -> String {
    let mut out = String::new();
    for line in crate::text::lines(raw) {
        let mut l = line.text.trim();
        if l.chars().all(|c| matches!(c, '|' | '-' | ':' | ' ')) {
            continue; // a table's separator row
        }
        loop {
            let before = l;
            l = l.trim_start_matches(['>', '|']).trim_start();
            for marker in ["- [ ] ", "- [x] ", "- ", "* ", "+ "] {
                l = l.strip_prefix(marker).unwrap_or(l);
            }
            let digits = l.len() - l.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            if digits > 0 && l[digits..].starts_with(['.', ')']) {
                l = l[digits + 1..].trim_start();
            }
            if l == before {
                break;
            }
        }
        for word in l.split_whitespace().filter(|w| *w != "|") {
            if out.chars().count() >= BLOCK_CHARS {
                break;
            }
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(word);
        }
    }
    // A trailing `^id` names the block; it is not its text.
    if let Some(i) = out.rfind(" ^")
        && out[i + 2..]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        out.truncate(i);
    }
    match out.char_indices().nth(BLOCK_CHARS) {
        Some((i, _)) => {
            out.truncate(i);
            out.push('…');
            out
        }
        None => out,
    }
}

/// An id for a block that has none: six letters and digits derived from
/// the block's text (the same block is offered the same id), not used by
/// any block of the note.
pub(crate) fn fresh_block_id(facts: &NoteFacts, text: &str) -> String {
    use std::hash::{Hash, Hasher};
    let mut salt = 0u64;
    loop {
        let mut h = rustc_hash::FxHasher::default();
        (text, salt).hash(&mut h);
        let mut n = h.finish();
        let id: String = (0..6)
            .map(|_| {
                let d = (n % 36) as u32;
                n /= 36;
                char::from_digit(d, 36).unwrap_or('0')
            })
            .collect();
        // Ids of digits only read as numbers; Obsidian's have letters too.
        let taken = facts.blocks.iter().any(|b| fold(&b.id) == id);
        if !taken && id.chars().any(|c| c.is_ascii_alphabetic()) {
            return id;
        }
        salt += 1;
    }
}

/// The edit that gives block `i` the id `id`: ` ^id` at the end of a
/// paragraph or list item, `^id` on a line of its own after a quote or a
/// table. `line_break`: the note's (`\n` when not known).
pub(crate) fn id_edit(facts: &NoteFacts, i: usize, id: &str, line_break: Option<&str>) -> Edit {
    let p = facts.paragraphs[i];
    let at = Span {
        start: p.span.end,
        end: p.span.end,
    };
    let nl = line_break.unwrap_or("\n");
    Edit {
        span: at,
        text: if p.kind.id_on_own_line() {
            format!("{nl}{nl}^{id}")
        } else {
            format!(" ^{id}")
        },
    }
}

/// Writes `id` into the block of the note at `path` that spans `span`
/// (what a `[[^^` completion chose): the edit, or why there is none.
pub fn add_block_id(
    snap: &Snapshot,
    path: &str,
    span: Span,
    id: &str,
    text_of: TextOf,
) -> Result<Edit, String> {
    let note = snap
        .note(path)
        .ok_or_else(|| format!("{path} is not indexed"))?;
    let f = &note.facts;
    let i = f
        .paragraphs
        .iter()
        .position(|p| p.span == span)
        .ok_or_else(|| format!("the block in {path} changed; no id was added"))?;
    match f.paragraph_id(i) {
        Some(b) if fold(&f.blocks[b].id) == fold(id) => {
            return Err(format!("the block already has the id ^{id}"));
        }
        Some(b) => {
            return Err(format!(
                "the block already has another id, ^{}",
                f.blocks[b].id
            ));
        }
        None => {}
    }
    if f.blocks.iter().any(|b| fold(&b.id) == fold(id)) {
        return Err(format!("^{id} is already used in {path}"));
    }
    let texts = paragraph_texts(note, text_of);
    Ok(id_edit(f, i, id, texts.as_ref().map(|t| t.line_break)))
}

/// A link to `^id` that no block of `target` has yet, where `id` is the
/// fresh id `[[^^` completion offers one of its blocks: the block's index
/// and the edit that writes the id. This is how an editor that does not
/// run a completion item's command (Helix 25.07) still gets the id: the
/// broken link's quick fix. Ids are derived from the block's text, so the
/// block is found again without remembering what was offered.
pub(crate) fn pending_block(
    snap: &Snapshot,
    target: &str,
    id: &str,
    text_of: TextOf,
) -> Option<(String, Edit)> {
    let note = snap.note(target)?;
    let f = &note.facts;
    let texts = paragraph_texts(note, text_of)?;
    let wanted = fold(id);
    (0..f.paragraphs.len())
        .filter(|&i| f.paragraph_id(i).is_none())
        .find(|&i| fresh_block_id(f, &texts.texts[i]) == wanted)
        .map(|i| {
            let edit = id_edit(f, i, &wanted, Some(texts.line_break));
            (texts.texts[i].to_string(), edit)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_texts_read_as_prose() {
        assert_eq!(block_text("- [ ] task 😀 ^abc"), "task 😀");
        assert_eq!(block_text("> quote\n> more  words"), "quote more words");
        assert_eq!(block_text("| a | b |\n|---|---|"), "a b");
        assert_eq!(block_text("1. first"), "first");
        let long = "word ".repeat(40);
        assert!(block_text(&long).ends_with('…'));
    }

    #[test]
    fn fresh_ids_are_stable_and_free() {
        let facts = crate::facts::extract("a ^x\n");
        let id = fresh_block_id(&facts, "some text");
        assert_eq!(id, fresh_block_id(&facts, "some text"));
        assert_eq!(id.len(), 6);
        assert!(
            id.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        );
    }
}
