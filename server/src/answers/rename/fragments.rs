//! Moving text between notes: extract a selection or a section into a new
//! note (leaving a link or an embed), and inline an embedded note or
//! section. The links inside the moved text are rewritten with the rename
//! engine's link forms so that each still leads where it did from its new
//! note, and links elsewhere to headings and blocks that moved follow them.

use super::moves::{Lands, lands};
use super::*;
use crate::answers::Part;

/// What an extraction leaves in place of the moved text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Leave {
    /// `[[New note]]`
    Link,
    /// `![[New note]]`
    Embed,
}

/// An extraction: the new note (in `plan.creates`) and every edit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Extracted {
    pub plan: Plan,
    /// The new note's vault-relative path.
    pub path: String,
}

/// Where a part of a note (a heading or block, by index) is once the text
/// has moved: its note and its index there. Indices shift in the notes
/// that lose or gain text.
type Follow<'a> = &'a dyn Fn(&NotePath, SubpathMatch) -> (NotePath, SubpathMatch);

/// The edits (in `fragment` coordinates) that keep the links of a
/// fragment of `src` leading where they did once it is in `dst`; `after`
/// is the vault with the move made.
fn relink_fragment(
    snap: &Snapshot,
    after: &Snapshot,
    [src, dst]: [&str; 2],
    fragment: &str,
    map: Follow,
) -> Result<Vec<Edit>> {
    let facts = extract(fragment);
    let mut edits = Vec::new();
    for link in &facts.links {
        let Some(before) = lands(snap, src, link) else {
            continue; // broken links stay as they are
        };
        let wanted = follow(before.clone(), map);
        // Markdown paths are kept valid as paths from the new folder (for
        // every other Markdown tool), not only as carnet resolves them.
        let same_folder = parent(src) == parent(dst) || link.kind.is_wiki();
        let still = lands(after, dst, link).is_some_and(|l| l.keeps(&wanted));
        if still && same_folder {
            continue;
        }
        let mut forms = Vec::new();
        if **wanted.path() == *dst {
            forms.push(String::new()); // `[[#Heading]]`: the note itself
        }
        forms.extend(link_forms(link, [src, dst, before.path(), wanted.path()]));
        let current: &str = &link.target;
        let chosen = forms.into_iter().find(|form| {
            (form == current && still)
                || lands(after, dst, &relinked(link, form)).is_some_and(|l| l.keeps(&wanted))
        });
        if chosen.as_deref() == Some(current) {
            continue;
        }
        let Some(form) = chosen else {
            return Err(RenameError::Unsafe(format!(
                "no link text keeps the link to \"{}\" pointing at {} from {dst}",
                link.target,
                wanted.path()
            )));
        };
        let written = if link.kind.is_wiki() || form.is_empty() {
            form
        } else {
            encode_like(link, &form)
        };
        edits.push(Edit {
            span: link.target_span,
            text: written,
        });
    }
    edits.sort_by_key(|e| e.span.start);
    check_applies(fragment, &edits, dst)?;
    Ok(edits)
}

/// Where a link that landed at `before` must land once the text moved.
fn follow(before: Lands, map: Follow) -> Lands {
    match before {
        Lands::Note {
            path,
            sub,
            ambiguous,
        } => {
            let (path, sub) = map(&path, sub);
            Lands::Note {
                path,
                sub,
                ambiguous,
            }
        }
        file => file,
    }
}

/// How indices shift in a note where the headings (or blocks) at
/// `removed` go and `added` new ones come in at position `at`.
fn shifted(i: usize, removed: std::ops::Range<usize>, at: usize, added: usize) -> usize {
    let i = if i >= removed.end {
        i - removed.len()
    } else {
        i
    };
    if i >= at { i + added } else { i }
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for e in edits {
        out += &text[at..e.span.start as usize];
        out += &e.text;
        at = e.span.end as usize;
    }
    out + &text[at..]
}

/// Extracts `fragment` (a byte range of the note at `src`) into a new note
/// at `path` (vault-relative, free), leaving a link or an embed. When
/// `section` is set the fragment is that heading's section, and its
/// headings are raised so that it starts with a level-1 heading.
pub fn extract_to_note(
    snap: &Snapshot,
    src: &str,
    fragment: Span,
    path: &str,
    leave: Leave,
    section: bool,
    text_of: TextOf,
) -> Result<Extracted> {
    let note = indexed(snap, src)?;
    let mut texts = CheckedTexts::new(snap, text_of);
    let text = texts.get(&note.path)?.to_string();
    let moved_text = text
        .get(fragment.range())
        .ok_or_else(|| changed(src))?
        .to_string();
    if snap.note_at(&fold(strip_md(path))).is_some() {
        return Err(RenameError::Exists(format!("{path} already exists")));
    }
    let f = &note.facts;
    let inside = |s: Span| fragment.start <= s.start && s.end <= fragment.end;
    let range_of = |spans: Vec<Span>| {
        let first = spans.iter().position(|s| inside(*s)).unwrap_or(0);
        let n = spans.iter().filter(|s| inside(**s)).count();
        first..first + n
    };
    let heads = range_of(f.headings.iter().map(|h| h.span).collect());
    let blocks = range_of(f.blocks.iter().map(|b| b.span).collect());
    let dst: NotePath = path.into();
    let map = |p: &NotePath, sub: SubpathMatch| -> (NotePath, SubpathMatch) {
        if **p != *src {
            return (p.clone(), sub);
        }
        match sub {
            SubpathMatch::Heading(i) if heads.contains(&i) => {
                (dst.clone(), SubpathMatch::Heading(i - heads.start))
            }
            SubpathMatch::Block(i) if blocks.contains(&i) => {
                (dst.clone(), SubpathMatch::Block(i - blocks.start))
            }
            SubpathMatch::Heading(i) => (
                p.clone(),
                SubpathMatch::Heading(shifted(i, heads.clone(), usize::MAX, 0)),
            ),
            SubpathMatch::Block(i) => (
                p.clone(),
                SubpathMatch::Block(shifted(i, blocks.clone(), usize::MAX, 0)),
            ),
            other => (p.clone(), other),
        }
    };
    // The new note, and what the source keeps in place of the fragment.
    let raised = if section {
        apply(&moved_text, &raise_headings(&moved_text))
    } else {
        moved_text.clone()
    };
    let after_new = snap.with_note(Note::new(
        path.into(),
        extract(&raised),
        raised.len() as u64,
    ));
    let name = super::super::complete::link_text_of(&after_new, path);
    let bang = if leave == Leave::Embed { "!" } else { "" };
    let line_break = if moved_text.ends_with('\n') || moved_text.ends_with('\r') {
        if text.contains("\r\n") { "\r\n" } else { "\n" }
    } else {
        ""
    };
    let left = format!("{bang}[[{name}]]{line_break}");
    let src_after = apply(
        &text,
        &[Edit {
            span: fragment,
            text: left.clone(),
        }],
    );
    let after = after_new.with_note(Note::new(
        note.path.clone(),
        extract(&src_after),
        src_after.len() as u64,
    ));
    // Links inside the moved text, from their new note.
    let inner = relink_fragment(snap, &after, [src, path], &raised, &map)?;
    let new_text = apply(&raised, &inner);
    // Links elsewhere to headings and blocks that moved.
    let mut edits: BTreeMap<NotePath, Vec<Edit>> = BTreeMap::new();
    push(
        &mut edits,
        &note.path,
        Edit {
            span: fragment,
            text: left,
        },
    );
    let parts = heads
        .clone()
        .map(Part::Heading)
        .chain(blocks.clone().map(Part::Block));
    for part in parts {
        for at in super::super::links_to(snap, src, part) {
            if *at.path == *src && inside(at.span) {
                continue; // moved with the fragment, relinked above
            }
            let linking = indexed(snap, &at.path)?;
            let Some(link) = linking.facts.links.iter().find(|l| l.span == at.span) else {
                continue;
            };
            let wanted = follow(
                lands(snap, &at.path, link).ok_or_else(|| changed(&at.path))?,
                &map,
            );
            let forms = link_forms(link, [&at.path, &at.path, src, path]);
            let form = forms
                .into_iter()
                .find(|form| {
                    lands(&after, &at.path, &relinked(link, form)).is_some_and(|l| l.keeps(&wanted))
                })
                .ok_or_else(|| {
                    RenameError::Unsafe(format!(
                        "no link text keeps the link at {} pointing at the part that moves to {path}",
                        at.path
                    ))
                })?;
            // Read and checked against its facts before it is edited.
            texts.get(&linking.path)?;
            let written = if link.kind.is_wiki() {
                form
            } else {
                encode_like(link, &form)
            };
            push(
                &mut edits,
                &linking.path,
                Edit {
                    span: link.target_span,
                    text: written,
                },
            );
        }
    }
    let mut plan = finish(edits, &texts.texts)?;
    plan.creates.push((path.to_string(), new_text));
    Ok(Extracted {
        plan,
        path: path.to_string(),
    })
}

/// Raises a section's ATX headings so that its first is of level 1.
fn raise_headings(text: &str) -> Vec<Edit> {
    let facts = extract(text);
    let Some(top) = facts.headings.first().map(|h| h.level) else {
        return vec![];
    };
    facts
        .headings
        .iter()
        .filter_map(|h| {
            let line = text.get(h.span.range())?;
            let lead = line.len() - line.trim_start().len();
            let hashes = line[lead..].len() - line[lead..].trim_start_matches('#').len();
            (hashes > 0 && top > 1).then(|| Edit {
                span: Span::new(
                    h.span.start as usize + lead..h.span.start as usize + lead + hashes,
                ),
                text: "#".repeat((h.level - top + 1) as usize),
            })
        })
        .collect()
}

/// Inlines the embed `link` of the note at `from`: the embedded note (its
/// front matter left out), section or block takes the embed's place, its
/// links rewritten to lead where they did from `from`.
pub fn inline_embed(snap: &Snapshot, from: &str, link: &Link, text_of: TextOf) -> Result<Plan> {
    let note = indexed(snap, from)?;
    let Some(Lands::Note { path: src, sub, .. }) = lands(snap, from, link) else {
        return Err(RenameError::Nothing(
            "the embed does not lead to a note".into(),
        ));
    };
    if *src == *from {
        return Err(RenameError::Invalid("a note cannot inline itself".into()));
    }
    let mut texts = CheckedTexts::new(snap, text_of);
    let source = indexed(snap, &src)?;
    let source_text = texts.get(&source.path)?.to_string();
    let f = &source.facts;
    let span = match sub {
        SubpathMatch::Heading(i) => f.section(i),
        SubpathMatch::Block(i) => {
            let b = f.blocks[i].span;
            let para = f
                .paragraphs
                .iter()
                .enumerate()
                .find(|(j, _)| f.paragraph_id(*j) == Some(i));
            match para {
                Some((_, p)) => Span {
                    start: p.span.start,
                    end: b.start,
                },
                None => Span {
                    start: b.start,
                    end: b.start,
                },
            }
        }
        SubpathMatch::None => Span {
            start: f.front_matter.map_or(0, |fm| fm.end),
            end: source_text.len() as u32,
        },
        _ => {
            return Err(RenameError::Nothing(
                "the embedded heading or block does not exist".into(),
            ));
        }
    };
    let body = source_text.get(span.range()).ok_or_else(|| changed(&src))?;
    let body = body.trim_start_matches(['\n', '\r']).trim_end();
    let text = texts.get(&note.path)?.to_string();
    let after_text = apply(
        &text,
        &[Edit {
            span: link.span,
            text: body.to_string(),
        }],
    );
    let after = snap.with_note(Note::new(
        note.path.clone(),
        extract(&after_text),
        after_text.len() as u64,
    ));
    // The inlined text's own headings and blocks come in at the embed.
    let body_facts = extract(body);
    let at_heading = note
        .facts
        .headings
        .iter()
        .filter(|h| h.span.start < link.span.start)
        .count();
    let at_block = note
        .facts
        .blocks
        .iter()
        .filter(|b| b.span.start < link.span.start)
        .count();
    let map = |p: &NotePath, sub: SubpathMatch| -> (NotePath, SubpathMatch) {
        if **p != *from {
            return (p.clone(), sub);
        }
        let sub = match sub {
            SubpathMatch::Heading(i) => {
                SubpathMatch::Heading(shifted(i, 0..0, at_heading, body_facts.headings.len()))
            }
            SubpathMatch::Block(i) => {
                SubpathMatch::Block(shifted(i, 0..0, at_block, body_facts.blocks.len()))
            }
            other => other,
        };
        (p.clone(), sub)
    };
    let inner = relink_fragment(snap, &after, [&src, from], body, &map)?;
    let inlined = apply(body, &inner);
    let mut edits = BTreeMap::new();
    push(
        &mut edits,
        &note.path,
        Edit {
            span: link.span,
            text: inlined,
        },
    );
    finish(edits, &texts.texts)
}
