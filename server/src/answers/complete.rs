//! Completion: what the writer is typing at the cursor, and the links,
//! headings, block ids and tags that fit it.
//!
//! The context comes from the text of the current line (facts do not know
//! half-typed links). Candidates come from the snapshot: notes are scored in
//! one pass with a reused buffer, keeping only the best `limit`, so a
//! keystroke never copies the vault's note list.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use super::fixes::unambiguous_name;
use crate::facts::{Link, LinkKind};
use rayon::prelude::*;

use crate::index::{NameEntry, NotePath, Snapshot};
use crate::names::{
    Destination, NonAscii, Sym, encode_md_path, file_name, fold, note_stem, parent, relative_path,
    slug,
};
use crate::text::Span;

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

/// What part of a wiki-link the cursor is in, after the note's name.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Part {
    /// `[[Note|te`: the display text; the note's title and aliases fit.
    Alias,
    /// `[[Note#He` (nested `#H1#H2` allowed) or `[[#He`.
    Heading,
    /// `[[Note#^bl`.
    Block,
}

/// What the cursor is in. `start` is where the typed query begins.
#[derive(Debug, PartialEq)]
enum Context<'t> {
    /// `[[que|` or `![[que|`.
    WikiName {
        query: &'t str,
        start: usize,
        embed: bool,
        closed: bool,
    },
    /// Something inside a link to `note` (`""`: this note), see [`Part`].
    WikiPart {
        part: Part,
        note: &'t str,
        query: &'t str,
        start: usize,
        closed: bool,
    },
    /// `[text](pa|` or `[text](<pa|`.
    MdPath {
        query: &'t str,
        start: usize,
        angle: bool,
    },
    /// `](note.md#sl|`.
    MdHeading {
        path: &'t str,
        query: &'t str,
        start: usize,
    },
    /// `#ta|` after whitespace, or a value of front-matter `tags:`.
    Tag { query: &'t str, start: usize },
}

/// Whether `offset` is inside code: an open fence above, or an odd number
/// of backticks earlier on the line.
fn in_code(text: &str, line_start: usize, offset: usize) -> bool {
    let fenced = crate::text::lines(&text[..line_start])
        .filter(|l| {
            let t = l.text.trim_start();
            t.starts_with("```") || t.starts_with("~~~")
        })
        .count()
        % 2
        == 1;
    fenced || text[line_start..offset].matches('`').count() % 2 == 1
}

/// Inside front matter, the key whose value the line at `line_start` is part of.
fn front_matter_key(text: &str, line_start: usize) -> Option<String> {
    let mut lines = crate::text::lines(text);
    if lines.next()?.text.trim_end() != "---" || line_start == 0 {
        return None;
    }
    let mut key = None;
    for line in lines.take_while(|l| l.start <= line_start) {
        let line = line.text;
        if line.trim_end() == "---" {
            return None; // The front matter ended above the cursor.
        }
        if !line.starts_with([' ', '\t', '-']) {
            key = line
                .split(':')
                .next()
                .map(|k| k.trim().to_ascii_lowercase());
        }
    }
    key
}

fn is_tag_query(q: &str) -> bool {
    q.chars().all(crate::facts::is_tag_char)
}

fn context(text: &str, offset: usize) -> Option<Context<'_>> {
    let line_start = crate::text::line_start(text, offset);
    let line = &text[line_start..offset];
    let closed = text[offset..].starts_with("]]");
    if in_code(text, line_start, offset) {
        return None;
    }
    if let Some(open) = line.rfind("[[")
        && !line[open..].contains("]]")
    {
        let embed = line[..open].ends_with('!');
        let inner = &line[open + 2..];
        let abs = line_start + open + 2;
        if let Some(bar) = inner.find('|') {
            let note = inner[..bar].split('#').next().unwrap_or("");
            let query = &inner[bar + 1..];
            let start = abs + bar + 1;
            return Some(Context::WikiPart {
                part: Part::Alias,
                note,
                query,
                start,
                closed,
            });
        }
        return Some(match inner.find('#') {
            None => Context::WikiName {
                query: inner,
                start: abs,
                embed,
                closed,
            },
            Some(h) => {
                let (note, sub) = (&inner[..h], &inner[h + 1..]);
                match sub.strip_prefix('^') {
                    Some(q) => Context::WikiPart {
                        part: Part::Block,
                        note,
                        query: q,
                        start: abs + h + 2,
                        closed,
                    },
                    None => {
                        let last = sub.rfind('#').map_or(0, |i| i + 1);
                        let (query, start) = (&sub[last..], abs + h + 1 + last);
                        Context::WikiPart {
                            part: Part::Heading,
                            note,
                            query,
                            start,
                            closed,
                        }
                    }
                }
            }
        });
    }
    if let Some(open) = line.rfind("](")
        && !line[open..].contains(')')
    {
        let dest = &line[open + 2..];
        let (dest, angle) = match dest.strip_prefix('<') {
            Some(d) => (d, true),
            None => (dest, false),
        };
        let abs = line_start + open + 2 + angle as usize;
        return Some(match dest.find('#') {
            None => Context::MdPath {
                query: dest,
                start: abs,
                angle,
            },
            Some(h) => Context::MdHeading {
                path: &dest[..h],
                query: &dest[h + 1..],
                start: abs + h + 1,
            },
        });
    }
    if matches!(
        front_matter_key(text, line_start).as_deref(),
        Some("tags" | "tag")
    ) {
        let start = line
            .rfind([' ', '[', ',', ':', '"', '\''])
            .map_or(0, |i| i + 1);
        let query = line[start..].trim_start_matches('#');
        let start = offset - query.len();
        return is_tag_query(query).then_some(Context::Tag { query, start });
    }
    let hash = line.rfind('#')?;
    let query = &line[hash + 1..];
    let boundary = hash == 0 || line[..hash].ends_with(char::is_whitespace);
    (boundary && is_tag_query(query)).then_some(Context::Tag {
        query,
        start: line_start + hash + 1,
    })
}

/// Completes at byte `offset` of the note at `from`, whose text is `text`.
pub fn complete(
    snap: &Snapshot,
    from: &str,
    text: &str,
    offset: usize,
    limit: usize,
    style: PathStyle,
) -> Option<Completion> {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let ctx = context(text, offset)?;
    let span = |start: usize| Span {
        start: start as u32,
        end: offset as u32,
    };
    let close = |closed: bool| if closed { "" } else { "]]" };
    let (start, (items, incomplete)) = match ctx {
        Context::WikiName {
            query,
            start,
            embed,
            closed,
        } => (
            start,
            notes(snap, from, offset, query, embed, close(closed), limit),
        ),
        Context::WikiPart {
            part,
            note,
            query,
            start,
            closed,
        } => {
            let target = resolve_name(snap, from, note, LinkKind::Wiki);
            let target = target.as_ref();
            let items = match part {
                Part::Alias => aliases(snap, target, query, close(closed)),
                Part::Heading => headings(snap, target, query, close(closed), false),
                Part::Block => blocks(snap, target, query, close(closed)),
            };
            (start, (items, false))
        }
        Context::MdPath {
            query,
            start,
            angle,
        } => (start, md_paths(snap, from, query, angle, style, limit)),
        Context::MdHeading { path, query, start } => {
            let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
            let target = resolve_name(snap, from, &decoded, LinkKind::Markdown);
            (
                start,
                (headings(snap, target.as_ref(), query, "", true), false),
            )
        }
        Context::Tag { query, start } => (start, tags(snap, from, offset, query, limit)),
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
        name_key: Link::name_key_of(name),
    };
    snap.resolve_note(from, &link)
}

/// Fuzzy scoring with a reused buffer; an empty query matches everything.
struct Scorer {
    matcher: Matcher,
    pattern: Pattern,
    buf: Vec<char>,
    empty: bool,
    /// A query of one or two letters matches almost every name fuzzily; it
    /// must start at the start of a word (`d` → "Daily note", "Big data"),
    /// checked cheaply before scoring.
    initial: Option<char>,
}

impl Scorer {
    fn new(query: &str) -> Scorer {
        Scorer {
            matcher: Matcher::new(Config::DEFAULT.match_paths()),
            pattern: Pattern::parse(query, CaseMatching::Ignore, Normalization::Smart),
            buf: Vec::new(),
            empty: query.trim().is_empty(),
            initial: {
                let q = query.trim();
                let first = q.chars().next().filter(|c| c.is_alphanumeric());
                first.filter(|_| q.chars().count() <= 2)
            },
        }
    }

    fn score(&mut self, haystack: &str) -> Option<u32> {
        if self.empty {
            return Some(0);
        }
        if let Some(c) = self.initial
            && !starts_a_word(haystack, c)
        {
            return None;
        }
        self.pattern
            .score(Utf32Str::new(haystack, &mut self.buf), &mut self.matcher)
    }
}

/// Whether some word of `s` starts with `c` (case-insensitively).
fn starts_a_word(s: &str, c: char) -> bool {
    let mut at_start = true;
    for ch in s.chars() {
        if at_start && (ch == c || ch.to_lowercase().eq(c.to_lowercase())) {
            return true;
        }
        at_start = !ch.is_alphanumeric();
    }
    false
}

/// Rank of an item: match score, then weight (popularity), then shorter.
type Rank = (u32, usize, std::cmp::Reverse<usize>);

/// Makes an item only once it is known to be among the best.
type MakeItem<'a> = Box<dyn FnOnce() -> Item + Send + 'a>;

/// The best `limit` items by [`Rank`]. Most candidates are rejected by one
/// comparison with the cached worst kept rank; an item is built (link text,
/// detail) only when it is kept.
struct Best<'a> {
    kept: Vec<(Rank, MakeItem<'a>)>,
    /// Index and rank of the worst kept item, once the list is full.
    worst: Option<(usize, Rank)>,
    limit: usize,
    matched: usize,
}

impl<'a> Best<'a> {
    fn new(limit: usize) -> Best<'a> {
        Best {
            kept: Vec::new(),
            worst: None,
            limit,
            matched: 0,
        }
    }

    fn offer(
        &mut self,
        score: u32,
        weight: usize,
        tie: usize,
        make: impl FnOnce() -> Item + Send + 'a,
    ) {
        self.matched += 1;
        self.offer_boxed((score, weight, std::cmp::Reverse(tie)), Box::new(make));
    }

    fn offer_boxed(&mut self, key: Rank, make: MakeItem<'a>) {
        if self.kept.len() == self.limit {
            let kept = &self.kept;
            let (worst, worst_key) = *self.worst.get_or_insert_with(|| {
                kept.iter()
                    .enumerate()
                    .map(|(i, (k, _))| (i, *k))
                    .min_by_key(|(_, k)| *k)
                    .expect("limit > 0")
            });
            if key <= worst_key {
                return;
            }
            drop(self.kept.swap_remove(worst)); // The item it would have made is not needed.
            self.worst = None;
        }
        self.kept.push((key, make));
    }

    /// Takes in the items another collector kept.
    fn merge(&mut self, other: Best<'a>) {
        self.matched += other.matched;
        for (rank, make) in other.kept {
            self.offer_boxed(rank, make);
        }
    }

    fn finish(self) -> (Vec<Item>, bool) {
        let incomplete = self.matched > self.kept.len();
        let mut items: Vec<(Rank, Item)> =
            self.kept.into_iter().map(|(r, make)| (r, make())).collect();
        items.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.label.cmp(&b.1.label)));
        (items.into_iter().map(|(_, i)| i).collect(), incomplete)
    }
}

fn folder_of(path: &str) -> String {
    let p = parent(path);
    if p.is_empty() {
        "/".to_string()
    } else {
        format!("{p}/")
    }
}

fn notes(
    snap: &Snapshot,
    from: &str,
    offset: usize,
    query: &str,
    embed: bool,
    close: &str,
    limit: usize,
) -> (Vec<Item>, bool) {
    // Scoring every name is the whole cost of a keystroke: split it over the cores.
    let names = snap.name_list();
    let chunk = names
        .entries
        .len()
        .div_ceil(rayon::current_num_threads() * 2)
        .max(256);
    let parts: Vec<Best> = names
        .entries
        .par_chunks(chunk)
        .map(|entries| {
            let mut scorer = Scorer::new(query.trim());
            let mut best = Best::new(limit.max(1));
            // A name lacking a letter of the query cannot match: skip scoring it.
            let needed = crate::names::char_mask(query).unwrap_or(0);
            for entry in entries.iter().filter(|e| e.chars & needed == needed) {
                offer_note(snap, from, entry, close, &mut scorer, &mut best);
            }
            best
        })
        .collect();
    let mut best = Best::new(limit.max(1));
    for part in parts {
        best.merge(part);
    }
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
                });
            }
        }
    }
    if !query.trim().is_empty() {
        missing_names(snap, from, offset, query, &mut scorer, &mut best, close);
    }
    best.finish()
}

fn offer_note<'a>(
    snap: &'a Snapshot,
    from: &str,
    entry: &'a NameEntry,
    close: &'a str,
    scorer: &mut Scorer,
    best: &mut Best<'a>,
) {
    if *entry.path == *from || !crate::names::wiki_writable(&entry.path) {
        return;
    }
    let name = &*entry.name;
    let title = entry.title.as_deref();
    let popularity = entry.popularity as usize;
    let score = [Some(name), title]
        .into_iter()
        .flatten()
        .filter_map(|s| scorer.score(s))
        .max();
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
        });
    }
    for alias in &entry.aliases {
        if let Some(score) = scorer.score(alias) {
            best.offer(score, popularity, entry.path.len(), move || Item {
                label: alias.to_string(),
                kind: ItemKind::Alias,
                insert: format!("{}|{alias}{close}", link_text(snap, &entry.path)),
                detail: format!("alias of {}", entry.path),
                path: Some(entry.path.clone()),
            });
        }
    }
}

/// Names linked somewhere that no note has yet, spelled as first written.
fn missing_names<'a>(
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
            }
        });
    }
}

/// The shortest wiki-link text that resolves to `path`.
fn link_text(snap: &Snapshot, path: &str) -> String {
    unambiguous_name(snap, path, "").unwrap_or_else(|| crate::names::strip_md(path).to_string())
}

fn headings(
    snap: &Snapshot,
    target: Option<&NotePath>,
    query: &str,
    close: &str,
    as_slug: bool,
) -> Vec<Item> {
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
                },
            ))
        })
        .collect();
    // Best match first; equal scores keep the note's order.
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.into_iter().map(|(_, _, i)| i).collect()
}

/// Display texts for `[[Note|`: the note's title and aliases.
fn aliases(snap: &Snapshot, target: Option<&NotePath>, query: &str, close: &str) -> Vec<Item> {
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
        })
        .collect()
}

fn blocks(snap: &Snapshot, target: Option<&NotePath>, query: &str, close: &str) -> Vec<Item> {
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
        })
        .collect()
}

fn md_paths(
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
            });
        }
    }
    best.finish()
}

fn tags(
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
            });
        }
    }
    best.finish()
}

#[cfg(test)]
mod tests;
