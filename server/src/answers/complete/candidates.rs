//! The candidates for what is being typed: notes and aliases, missing
//! names, headings, block ids, markdown paths and tags.

use super::*;

pub(super) fn folder_of(path: &str) -> String {
    let p = parent(path);
    if p.is_empty() {
        "/".to_string()
    } else {
        format!("{p}/")
    }
}

/// From how many names on note completion scores them on all cores.
const PARALLEL_FROM: usize = 40_000;

pub(super) fn notes(
    snap: &Snapshot,
    from: &str,
    offset: usize,
    query: &str,
    embed: bool,
    close: &str,
    limit: usize,
) -> (Vec<Item>, bool) {
    // Scoring every name is the whole cost of a keystroke. A large vault's
    // names are split over the cores; below that one thread is faster on
    // this 2-core machine, where the fork-join waits for a busy second core
    // (docs/performance.md).
    let names = snap.name_list();
    let chars = names.score_chars.get_or_init(|| {
        let chars = |e: &NameEntry| {
            let title = e.title.as_deref().unwrap_or_default();
            let names = [&*e.name, title].into_iter();
            names
                .chain(e.aliases.iter().map(|a| &**a))
                .map(prepare)
                .collect()
        };
        names
            .entries
            .par_iter()
            .map(chars)
            .collect::<Vec<_>>()
            .into()
    });
    let score = |(entries, chars)| score_notes(snap, from, entries, chars, query, close, limit);
    let mut best = if names.entries.len() < PARALLEL_FROM {
        score((&names.entries, chars))
    } else {
        let chunk = names
            .entries
            .len()
            .div_ceil(rayon::current_num_threads() * 2);
        let parts: Vec<Best> = names
            .entries
            .par_chunks(chunk)
            .zip(chars.par_chunks(chunk))
            .map(score)
            .collect();
        let mut best = Best::new(limit.max(1));
        for part in parts {
            best.merge(part);
        }
        best
    };
    let mut scorer = Scorer::new(query.trim());
    if embed {
        for file in snap.attachments() {
            let name = file_name(file);
            if let Some(score) = scorer.score(name) {
                best.offer(score, 0, file.len(), move || Item {
                    label: name.to_string(),
                    kind: ItemKind::Attachment,
                    insert: format!("{name}{close}"),
                    detail: folder_of(file),
                    path: None,
                    adds_id: None,
                });
            }
        }
    }
    if !query.trim().is_empty() {
        missing_names(snap, from, offset, query, &mut scorer, &mut best, close);
    }
    best.finish()
}

/// The best of `entries` for `query`.
fn score_notes<'a>(
    snap: &'a Snapshot,
    from: &str,
    entries: &'a [NameEntry],
    chars: &[ScoreChars],
    query: &str,
    close: &'a str,
    limit: usize,
) -> Best<'a> {
    let mut scorer = Scorer::new(query.trim());
    let mut best = Best::new(limit.max(1));
    // A name lacking a letter of the query, or none of whose words starts
    // with a query of one or two letters, cannot match: skip scoring it.
    let needed = scorer.needed_mask();
    let initial = scorer.initial_bits();
    let may_match = |e: &&NameEntry| {
        e.chars & needed == needed && initial.is_none_or(|bits| e.initials & bits != 0)
    };
    for (entry, chars) in entries.iter().zip(chars).filter(|(e, _)| may_match(e)) {
        offer_note(snap, from, entry, chars, close, &mut scorer, &mut best);
    }
    best
}

pub(super) fn offer_note<'a>(
    snap: &'a Snapshot,
    from: &str,
    entry: &'a NameEntry,
    chars: &ScoreChars,
    close: &'a str,
    scorer: &mut Scorer,
    best: &mut Best<'a>,
) {
    if *entry.path == *from {
        return;
    }
    let name = &*entry.name;
    let title = entry.title.as_deref();
    let popularity = entry.popularity as usize;
    let score = [(Some(name), &chars[0]), (title, &chars[1])]
        .into_iter()
        .filter_map(|(s, prepared)| scorer.score_prepared(s?, prepared))
        .max();
    if score.is_some() && !entry.writable {
        return;
    }
    if let Some(score) = score {
        best.offer(score, popularity, entry.path.len(), move || Item {
            label: name.to_string(),
            kind: ItemKind::Note,
            insert: format!("{}{close}", link_text(snap, &entry.path)),
            detail: match title {
                Some(t) => format!("{} · {t}", folder_of(&entry.path)),
                None => folder_of(&entry.path),
            },
            path: Some(entry.path.clone()),
            adds_id: None,
        });
    }
    for (alias, prepared) in entry.aliases.iter().zip(&chars[2..]) {
        if let Some(score) = scorer.score_prepared(alias, prepared)
            && entry.writable
        {
            best.offer(score, popularity, entry.path.len(), move || Item {
                label: alias.to_string(),
                kind: ItemKind::Alias,
                insert: format!("{}|{alias}{close}", link_text(snap, &entry.path)),
                detail: format!("alias of {}", entry.path),
                path: Some(entry.path.clone()),
                adds_id: None,
            });
        }
    }
}

/// Names linked somewhere that no note has yet, spelled as first written.
pub(super) fn missing_names<'a>(
    snap: &'a Snapshot,
    from: &str,
    offset: usize,
    query: &str,
    scorer: &mut Scorer,
    best: &mut Best<'a>,
    close: &'a str,
) {
    // There can be as many missing names as broken links: only those that
    // contain the query as typed are scored, and their spelling is looked up
    // only for the few that make the list.
    let needle = fold(query.trim());
    for &key in snap.missing_names().iter() {
        if !key.contains(needle.as_str()) {
            continue;
        }
        let Some(score) = scorer.score(&key) else {
            continue;
        };
        let sources = snap.linkers_of_name(&key);
        // The link being typed is in the index too; it is not a suggestion.
        let only_here = sources.len() == 1
            && *sources[0] == *from
            && snap.note(from).is_some_and(|n| {
                n.facts
                    .links
                    .iter()
                    .filter(|l| l.name_key == Some(key))
                    .all(|l| l.span.touches(offset as u32))
            });
        if only_here {
            continue;
        }
        best.offer(score, 0, key.len(), move || {
            let written = sources
                .iter()
                .filter_map(|s| snap.note(s))
                .find_map(|n| {
                    let link = n.facts.links.iter().find(|l| l.name_key == Some(key))?;
                    Some(note_stem(link.target.as_str()).to_string())
                })
                .unwrap_or_else(|| key.to_string());
            Item {
                label: written.clone(),
                kind: ItemKind::Missing,
                insert: format!("{written}{close}"),
                detail: format!(
                    "create: linked from {} {}",
                    sources.len(),
                    if sources.len() == 1 { "note" } else { "notes" }
                ),
                path: None,
                adds_id: None,
            }
        });
    }
}

/// The shortest wiki-link text that resolves to `path`.
pub(crate) fn link_text(snap: &Snapshot, path: &str) -> String {
    unambiguous_name(snap, path, "").unwrap_or_else(|| crate::names::strip_md(path).to_string())
}

/// How a completed heading is written: its text (wiki links) or its GitHub
/// slug (markdown links).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum HeadingForm {
    Text,
    Slug,
}

pub(super) fn headings(
    snap: &Snapshot,
    target: Option<&NotePath>,
    query: &str,
    close: &str,
    form: HeadingForm,
) -> Vec<Item> {
    let as_slug = form == HeadingForm::Slug;
    let Some(note) = target.and_then(|t| snap.note(t)) else {
        return vec![];
    };
    let mut scorer = Scorer::new(query.trim());
    let mut scored: Vec<(u32, usize, Item)> = note
        .facts
        .headings
        .iter()
        .enumerate()
        .filter_map(|(i, h)| {
            let score = scorer
                .score(&h.text)
                .or_else(|| as_slug.then(|| scorer.score(&slug(&h.text))).flatten())?;
            Some((
                score,
                i,
                Item {
                    label: h.text.to_string(),
                    kind: ItemKind::Heading,
                    insert: if as_slug {
                        slug(&h.text)
                    } else {
                        format!("{}{close}", h.text)
                    },
                    detail: format!("{} in {}", "#".repeat(h.level as usize), note.name()),
                    path: Some(note.path.clone()),
                    adds_id: None,
                },
            ))
        })
        .collect();
    // Best match first; equal scores keep the note's order.
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.into_iter().map(|(_, _, i)| i).collect()
}

/// Display texts for `[[Note|`: the note's title and aliases.
pub(super) fn aliases(
    snap: &Snapshot,
    target: Option<&NotePath>,
    query: &str,
    close: &str,
) -> Vec<Item> {
    let Some(note) = target.and_then(|t| snap.note(t)) else {
        return vec![];
    };
    let q = fold(query.trim());
    note.facts
        .title
        .iter()
        .chain(&note.facts.aliases)
        .filter(|a| fold(a).contains(&q))
        .map(|a| Item {
            label: a.to_string(),
            kind: ItemKind::Alias,
            insert: format!("{a}{close}"),
            detail: format!("display text for {}", note.name()),
            path: Some(note.path.clone()),
            adds_id: None,
        })
        .collect()
}

pub(super) fn blocks(
    snap: &Snapshot,
    target: Option<&NotePath>,
    query: &str,
    close: &str,
) -> Vec<Item> {
    let Some(note) = target.and_then(|t| snap.note(t)) else {
        return vec![];
    };
    let q = fold(query);
    note.facts
        .blocks
        .iter()
        .filter(|b| fold(&b.id).starts_with(&q))
        .map(|b| Item {
            label: format!("^{}", b.id),
            kind: ItemKind::Block,
            insert: format!("{}{close}", b.id),
            detail: format!("block in {}", note.name()),
            path: Some(note.path.clone()),
            adds_id: None,
        })
        .collect()
}

pub(super) fn md_paths(
    snap: &Snapshot,
    from: &str,
    query: &str,
    angle: bool,
    style: PathStyle,
    limit: usize,
) -> (Vec<Item>, bool) {
    let query = percent_encoding::percent_decode_str(query).decode_utf8_lossy();
    let mut scorer = Scorer::new(query.trim());
    let mut best = Best::new(limit.max(1));
    let encode = |p: &str| {
        if angle {
            encode_md_path(p, Destination::Angle)
        } else if style == PathStyle::Angle && p.contains(' ') {
            format!("<{}>", encode_md_path(p, Destination::Angle))
        } else {
            encode_md_path(p, Destination::Bare(NonAscii::Readable))
        }
    };
    let notes = snap.notes().map(|n| (n.path.clone(), ItemKind::Note));
    let files = snap
        .attachments()
        .map(|p| (p.clone(), ItemKind::Attachment));
    for (path, kind) in notes.chain(files) {
        if *path == *from {
            continue;
        }
        let rel = relative_path(parent(from), &path);
        if let Some(score) = scorer.score(&rel) {
            let weight = (kind == ItemKind::Note) as usize;
            best.offer(score, weight, rel.len(), move || Item {
                label: rel.clone(),
                kind,
                insert: encode(&rel),
                detail: note_stem(&path).to_string(),
                path: (kind == ItemKind::Note).then(|| path.clone()),
                adds_id: None,
            });
        }
    }
    best.finish()
}

pub(super) fn tags(
    snap: &Snapshot,
    from: &str,
    offset: usize,
    query: &str,
    limit: usize,
) -> (Vec<Item>, bool) {
    let mut scorer = Scorer::new(query);
    let mut best = Best::new(limit.max(1));
    // The half-typed tag at the cursor is in the index too; it is not a suggestion.
    let typing = snap.note(from).and_then(|n| {
        let at_cursor = n
            .facts
            .tags
            .iter()
            .find(|t| t.span.end as usize == offset)?;
        let uses = n
            .facts
            .tags
            .iter()
            .filter(|t| t.name == at_cursor.name)
            .count();
        (uses == 1 && snap.taggers_of(&at_cursor.name).len() == 1).then_some(at_cursor.name)
    });
    for spelling in snap.tag_spellings() {
        if Some(spelling) == typing {
            continue;
        }
        if let Some(score) = scorer.score(&spelling) {
            let notes = snap.taggers_of(&spelling).len();
            best.offer(score, notes, spelling.len(), move || Item {
                label: format!("#{spelling}"),
                kind: ItemKind::Tag,
                insert: spelling.to_string(),
                detail: format!("{notes} {}", if notes == 1 { "note" } else { "notes" }),
                path: None,
                adds_id: None,
            });
        }
    }
    best.finish()
}

/// `[[today`, `[[next monday`…: the daily note of each day the query names.
pub(super) fn daily_notes(
    snap: &Snapshot,
    daily: &DailyNotes,
    today: jiff::civil::Date,
    query: &str,
    close: &str,
) -> Vec<Item> {
    super::super::daily::named_days(query, today)
        .into_iter()
        .map(|day| {
            let path = daily.path(day.date);
            let exists = snap.note(&path).is_some();
            let insert = if exists {
                link_text(snap, &path)
            } else {
                // Not created yet: the name, as Obsidian writes it.
                crate::names::note_stem(&path).to_string()
            };
            Item {
                label: day.label,
                kind: ItemKind::Daily,
                insert: format!("{insert}{close}"),
                detail: format!(
                    "{}{}",
                    crate::names::strip_md(&path),
                    if exists { "" } else { " (not created yet)" }
                ),
                path: exists
                    .then(|| snap.note(&path).map(|n| n.path.clone()))
                    .flatten(),
                adds_id: None,
            }
        })
        .collect()
}
