//! `[[##` and `[[^^`: headings and blocks of every note, searched as note
//! names are (the same scorer and the same ranking: match, then how many
//! notes link to the note, then shorter path).

use super::*;
use crate::answers::blocks::{fresh_block_id, id_edit, paragraph_texts};
use crate::answers::rename::TextOf;
use crate::index::Note;

/// Every note, in chunks for the cores (as note names are scored).
fn chunks(snap: &Snapshot) -> (Vec<&std::sync::Arc<Note>>, usize) {
    let notes: Vec<&std::sync::Arc<Note>> = snap.notes().collect();
    let chunk = notes
        .len()
        .div_ceil(rayon::current_num_threads() * 2)
        .max(64);
    (notes, chunk)
}

/// How many notes link to each note's name (what ranks popular notes first).
fn popularity(snap: &Snapshot, note: &Note) -> usize {
    snap.linkers_of_name(&fold(note.name())).len()
}

/// The link text of `path` as written from `from`: `""` for the note itself.
fn target_text(snap: &Snapshot, from: &str, path: &str) -> String {
    if path == from {
        String::new()
    } else {
        link_text(snap, path)
    }
}

/// `[[##query`: headings of all notes.
pub(super) fn vault_headings(
    snap: &Snapshot,
    from: &str,
    query: &str,
    close: &str,
    limit: usize,
) -> (Vec<Item>, bool) {
    let (notes, chunk) = chunks(snap);
    let needed = Scorer::new(query.trim()).needed_mask();
    let parts: Vec<Best> = notes
        .par_chunks(chunk)
        .map(|notes| {
            let mut scorer = Scorer::new(query.trim());
            let mut best = Best::new(limit.max(1));
            for note in notes {
                if !crate::names::wiki_writable(&note.path) {
                    continue;
                }
                let weight = popularity(snap, note);
                for h in &note.facts.headings {
                    let fits =
                        crate::names::char_mask(&h.text).is_none_or(|m| m & needed == needed);
                    if h.text.is_empty() || !fits {
                        continue;
                    }
                    let Some(score) = scorer.score(&h.text) else {
                        continue;
                    };
                    best.offer(score, weight, note.path.len(), move || Item {
                        label: h.text.to_string(),
                        kind: ItemKind::Heading,
                        insert: format!(
                            "{}#{}{close}",
                            target_text(snap, from, &note.path),
                            h.text
                        ),
                        detail: format!(
                            "{} {}",
                            "#".repeat(h.level as usize),
                            crate::names::strip_md(&note.path)
                        ),
                        path: Some(note.path.clone()),
                        adds_id: None,
                    });
                }
            }
            best
        })
        .collect();
    merged(parts, limit)
}

/// `[[^^query`: blocks (paragraphs, list items, quotes, tables) of all
/// notes. Every word of the query must appear in the block's text (prose
/// matches almost any short query fuzzily); matches are then ranked by the
/// fuzzy score. A block without an id gets a fresh one: the item carries
/// the edit that writes it into the target note.
pub(super) fn vault_blocks(
    snap: &Snapshot,
    from: &str,
    offset: usize,
    query: &str,
    close: &str,
    limit: usize,
    text_of: TextOf,
) -> (Vec<Item>, bool) {
    let (notes, chunk) = chunks(snap);
    let words: Vec<String> = query.split_whitespace().map(fold).collect();
    let parts: Vec<Best> = notes
        .par_chunks(chunk)
        .map(|notes| {
            let mut scorer = Scorer::new(query.trim());
            let mut best = Best::new(limit.max(1));
            for note in notes {
                if !crate::names::wiki_writable(&note.path) {
                    continue;
                }
                let Some(texts) = paragraph_texts(note, text_of) else {
                    continue;
                };
                let mut weight = None;
                for (i, block) in texts.texts.iter().enumerate() {
                    let p = note.facts.paragraphs[i];
                    // The block being typed in is not a target.
                    if *note.path == *from && p.span.touches(offset as u32) {
                        continue;
                    }
                    let folded = &texts.folded[i];
                    if !words.iter().all(|w| folded.contains(w.as_str())) {
                        continue;
                    }
                    let weight = *weight.get_or_insert_with(|| popularity(snap, note));
                    let Some(score) = scorer.score(block) else {
                        continue;
                    };
                    let (note, nl) = (&**note, texts.line_break);
                    let block = block.clone();
                    best.offer(score, weight, note.path.len(), move || {
                        block_item(snap, from, note, i, &block, nl, close)
                    });
                }
            }
            best
        })
        .collect();
    merged(parts, limit)
}

fn block_item(
    snap: &Snapshot,
    from: &str,
    note: &Note,
    i: usize,
    text: &str,
    line_break: &str,
    close: &str,
) -> Item {
    let f = &note.facts;
    let (id, adds_id) = match f.paragraph_id(i) {
        Some(b) => (f.blocks[b].id.to_string(), None),
        None => {
            let id = fresh_block_id(f, text);
            let edit = id_edit(f, i, &id, Some(line_break));
            let add = AddId {
                path: note.path.clone(),
                block: f.paragraphs[i].span,
                id: id.clone(),
                edit,
            };
            (id, Some(add))
        }
    };
    Item {
        label: text.to_string(),
        kind: ItemKind::Block,
        insert: format!("{}#^{id}{close}", target_text(snap, from, &note.path)),
        detail: format!("^{id} in {}", crate::names::strip_md(&note.path)),
        path: Some(note.path.clone()),
        adds_id,
    }
}

fn merged(parts: Vec<Best>, limit: usize) -> (Vec<Item>, bool) {
    let mut best = Best::new(limit.max(1));
    for part in parts {
        best.merge(part);
    }
    best.finish()
}
