//! Answers: what the editor asks about notes, computed from a snapshot.
//!
//! Each function takes a [`Snapshot`], a note path and a byte offset, and
//! returns domain values (paths and [`Span`]s). Nothing here knows LSP: the
//! server converts positions and builds protocol types at its edge. Nothing
//! here does I/O either: where a note's text is needed (hover previews), the
//! caller passes a function that supplies it.

mod autofix;
mod blocks;
mod complete;
pub mod daily;
mod decorations;
mod fixes;
mod mentions;
mod refactor;
mod rename;

pub use rename::{
    Edit, Plan, Prepared, RenameError, Target, TextOf, Unchanged, apply_edits, move_files,
    move_files_unread, move_paths, prepare, rename, rename_attachment, rename_block,
    rename_heading, rename_note, rename_tag,
};

pub use blocks::add_block_id;
pub use complete::{AddId, Completion, Item, ItemKind, Options, PathStyle, complete};
pub use decorations::{
    Counted, Highlight, HighlightKind, Hint, Lens, Modifier, Previews, Token, TokenKind,
    backlinks_of, highlights, inlay_hints, lenses, semantic_tokens,
};
pub use mentions::{
    Mention, SizedTextOf, count_unlinked_mentions, link_for, may_be_mentioned, mention_label,
    mentions_by_note, mentions_in, mentions_of_in, unlinked_mentions,
};
pub use refactor::{Refactor, RefactorKind, TOC_END, TOC_START, refactors};
mod symbols;

pub use autofix::sure_fixes;
pub(crate) use fixes::new_note_path;
pub use fixes::{Fix, fixes, fixes_in};

pub use symbols::{DocumentSymbol, SymbolHit, SymbolKind, document_symbols, workspace_symbols};

use crate::facts::{Link, LinkKind, Subpath, Tag};
use crate::index::resolve::{Resolution, SubpathMatch, Unresolved};
use crate::index::{Note, NotePath, Snapshot};
use crate::names::{fold, note_stem};
use crate::text::Span;

/// A place in a note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub path: NotePath,
    pub span: Span,
}

/// What sits under the cursor.
#[derive(Clone, Copy, Debug)]
pub enum Cursor<'a> {
    Link(&'a Link),
    Tag(&'a Tag),
    /// Index into `facts.headings` (not the note's title heading).
    Heading(usize),
    /// Index into `facts.blocks`.
    Block(usize),
    /// The note itself: its title heading, front-matter title or first line.
    Title,
    None,
}

/// What a link or cursor points at inside a note.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Whole,
    Heading(usize),
    Block(usize),
}

fn within(span: &Span, offset: u32) -> bool {
    span.start <= offset && offset <= span.end
}

/// A cursor: byte offset in the note's text and its line.
#[derive(Clone, Copy, Debug)]
pub struct At {
    pub offset: u32,
    pub line: u32,
}

/// Finds the fact under the cursor in `note`.
pub fn cursor(note: &Note, at: At) -> Cursor<'_> {
    let At { offset, line } = at;
    let f = &note.facts;
    if let Some(link) = f.links.iter().find(|l| within(&l.span, offset)) {
        return Cursor::Link(link);
    }
    if let Some(tag) = f.tags.iter().find(|t| within(&t.span, offset)) {
        return Cursor::Tag(tag);
    }
    if let Some(i) = f.blocks.iter().position(|b| within(&b.span, offset)) {
        return Cursor::Block(i);
    }
    if let Some(i) = f.headings.iter().position(|h| within(&h.span, offset)) {
        return if i == 0 && f.title.is_none() {
            Cursor::Title
        } else {
            Cursor::Heading(i)
        };
    }
    if f.title_span.is_some_and(|s| within(&s, offset)) {
        return Cursor::Title;
    }
    if line == 0 {
        return Cursor::Title;
    }
    Cursor::None
}

/// Where a resolved link lands.
fn landing(snap: &Snapshot, path: &NotePath, part: Part) -> Location {
    let span = snap
        .note(path)
        .and_then(|n| match part {
            Part::Whole => None,
            Part::Heading(i) => n.facts.headings.get(i).map(|h| h.span),
            Part::Block(i) => n.facts.blocks.get(i).map(|b| b.span),
        })
        .unwrap_or_default();
    Location {
        path: path.clone(),
        span,
    }
}

fn part_of(m: SubpathMatch) -> Part {
    match m {
        SubpathMatch::Heading(i) => Part::Heading(i),
        SubpathMatch::Block(i) => Part::Block(i),
        _ => Part::Whole,
    }
}

/// Go to definition: the link under the cursor and where it leads (every
/// candidate of an ambiguous link, the chosen one first).
pub fn definition(snap: &Snapshot, from: &str, at: At) -> Option<(Span, Vec<Location>)> {
    let note = snap.note(from)?;
    let Cursor::Link(link) = cursor(note, at) else {
        return None;
    };
    let targets = match snap.resolve(from, link) {
        Resolution::Note {
            path,
            others,
            subpath,
        } => {
            let mut out = vec![landing(snap, &path, part_of(subpath))];
            for other in others {
                let part = match (&link.subpath(), snap.note(&other)) {
                    (Some(sub), Some(n)) => part_of(crate::index::resolve::match_subpath(
                        &n.facts, sub, link.kind,
                    )),
                    _ => Part::Whole,
                };
                out.push(landing(snap, &other, part));
            }
            out
        }
        Resolution::Attachment(path) => vec![Location {
            path,
            span: Span::default(),
        }],
        Resolution::Unresolved(_) => vec![],
    };
    Some((link.span, targets))
}

/// Every link in the vault that resolves to `target` (and to `part` of it,
/// unless `part` is [`Part::Whole`], which accepts links to any part).
pub fn links_to(snap: &Snapshot, target: &str, part: Part) -> Vec<Location> {
    let mut out = Vec::new();
    each_link_to(snap, target, |source, link| {
        let hit = match part {
            Part::Whole => true,
            _ => link_part(snap, target, link) == part,
        };
        if hit {
            out.push(Location {
                path: source.clone(),
                span: link.span,
            });
        }
    });
    out.sort_by(|a, b| (&a.path, a.span.start).cmp(&(&b.path, b.span.start)));
    out
}

/// Calls `f` with every link in the vault that resolves to the note
/// `target` (to any part of it), and the note holding the link.
pub(crate) fn each_link_to(snap: &Snapshot, target: &str, mut f: impl FnMut(&NotePath, &Link)) {
    let name = crate::facts::Link::name_key_of(target);
    let mut sources: Vec<&NotePath> = snap
        .linkers_of_name(&fold(note_stem(target)))
        .iter()
        .collect();
    // `[[#Heading]]` links have no name: the note links to itself.
    if let Some(n) = snap.note(target)
        && !sources.iter().any(|s| ***s == *target)
    {
        sources.push(&n.path);
    }
    for source in sources {
        let Some(note) = snap.note(source) else {
            continue;
        };
        for link in &note.facts.links {
            // Only links naming the target (or nothing: same-note links) can reach it.
            let named = link.name_key == name || (link.name_key.is_none() && **source == *target);
            if named
                && snap
                    .resolve_note(source, link)
                    .is_some_and(|p| *p == *target)
            {
                f(source, link);
            }
        }
    }
}

/// The part of `target` that `link`, known to lead to `target`, points at.
pub(crate) fn link_part(snap: &Snapshot, target: &str, link: &Link) -> Part {
    match (&link.subpath(), snap.note(target)) {
        (Some(sub), Some(n)) => part_of(crate::index::resolve::match_subpath(
            &n.facts, sub, link.kind,
        )),
        _ => Part::Whole,
    }
}

/// Every occurrence of `tag` and of its nested tags (`#a` finds `#a/b`).
pub fn tag_occurrences(snap: &Snapshot, tag: &str) -> Vec<Location> {
    let key = fold(tag);
    let prefix = format!("{key}/");
    let mut notes: Vec<&NotePath> = snap
        .tag_spellings()
        .filter(|s| {
            let k = fold(s);
            k == key || k.starts_with(&prefix)
        })
        .flat_map(|s| snap.taggers_of(s.as_str()).iter())
        .collect();
    notes.sort();
    notes.dedup();
    let mut out = Vec::new();
    for path in notes {
        let Some(note) = snap.note(path) else {
            continue;
        };
        for t in &note.facts.tags {
            let k = fold(&t.name);
            if k == key || k.starts_with(&prefix) {
                out.push(Location {
                    path: path.clone(),
                    span: t.span,
                });
            }
        }
    }
    out
}

/// Find references: backlinks of the note, heading or block under the
/// cursor (or of a link's target), or the uses of a tag.
/// Whether references include the declaration (the heading, block or note
/// itself) with the links to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Declaration {
    Include,
    Exclude,
}

pub fn references(snap: &Snapshot, from: &str, at: At, declaration: Declaration) -> Vec<Location> {
    let Some(note) = snap.note(from) else {
        return vec![];
    };
    let (target, part): (NotePath, Part) = match cursor(note, at) {
        Cursor::Link(link) => match snap.resolve(from, link) {
            Resolution::Note { path, subpath, .. } => (path, part_of(subpath)),
            _ => return vec![],
        },
        Cursor::Tag(tag) => return tag_occurrences(snap, &tag.name),
        Cursor::Heading(i) => (note.path.clone(), Part::Heading(i)),
        Cursor::Block(i) => (note.path.clone(), Part::Block(i)),
        Cursor::Title => (note.path.clone(), Part::Whole),
        Cursor::None => return vec![],
    };
    let mut out = Vec::new();
    if declaration == Declaration::Include {
        out.push(landing(snap, &target, part));
    }
    out.extend(links_to(snap, &target, part));
    out
}

/// Hover text (Markdown) for the link or tag under the cursor.
/// `text_of` supplies a note's current text (open buffer or disk).
pub fn hover(
    snap: &Snapshot,
    from: &str,
    at: At,
    text_of: &dyn Fn(&str) -> Option<String>,
    href: Href,
) -> Option<(Span, String)> {
    let note = snap.note(from)?;
    match cursor(note, at) {
        Cursor::Link(link) => Some((link.span, link_hover(snap, from, link, text_of, href))),
        Cursor::Tag(tag) => {
            let uses = tag_occurrences(snap, &tag.name);
            let mut notes: Vec<&NotePath> = uses.iter().map(|l| &l.path).collect();
            notes.dedup();
            let exact = uses
                .iter()
                .filter(|l| {
                    snap.note(&l.path).is_some_and(|n| {
                        n.facts
                            .tags
                            .iter()
                            .any(|t| t.span == l.span && fold(&t.name) == fold(&tag.name))
                    })
                })
                .count();
            let nested = uses.len() - exact;
            let mut text = format!(
                "**#{}** — used {} {} in {} {}",
                tag.name,
                exact,
                plural(exact, "time", "times"),
                notes.len(),
                plural(notes.len(), "note", "notes")
            );
            if nested > 0 {
                text += &format!(
                    " (including {nested} nested {})",
                    plural(nested, "tag", "tags")
                );
            }
            Some((tag.span, text))
        }
        _ => None,
    }
}

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

/// Longest preview shown on hover.
const PREVIEW_LINES: usize = 20;
const PREVIEW_CHARS: usize = 1500;

fn link_hover(
    snap: &Snapshot,
    from: &str,
    link: &Link,
    text_of: &dyn Fn(&str) -> Option<String>,
    href: Href,
) -> String {
    match snap.resolve(from, link) {
        Resolution::Note {
            path,
            others,
            subpath,
        } => {
            let backlinks = links_to(snap, &path, Part::Whole).len();
            let mut out = format!(
                "**{}** — `{path}` · {backlinks} {}",
                note_stem(&path),
                plural(backlinks, "backlink", "backlinks")
            );
            if !others.is_empty() {
                out += &format!("\n\n⚠ ambiguous: also matches {}", others.join(", "));
            }
            match (subpath, &link.subpath()) {
                (SubpathMatch::MissingHeading, Some(Subpath::Heading(h))) => {
                    out += &format!("\n\n⚠ no heading \"{}\"", h.join("#"));
                }
                (SubpathMatch::MissingBlock, Some(Subpath::Block(b))) => {
                    out += &format!("\n\n⚠ no block \"^{b}\"");
                }
                _ => {}
            }
            if let (Some(target), Some(text)) = (snap.note(&path), text_of(&path)) {
                let preview = section(snap, &path, &target.facts, &text, part_of(subpath), href);
                if !preview.trim().is_empty() {
                    out += "\n\n---\n\n";
                    out += &preview;
                }
            }
            out
        }
        Resolution::Attachment(path) => format!("Attachment `{path}`"),
        Resolution::Unresolved(Unresolved::Note) => format!("⚠ No note named \"{}\"", link.target),
        Resolution::Unresolved(Unresolved::Attachment) => {
            format!("⚠ No file named \"{}\"", link.target)
        }
        Resolution::Unresolved(Unresolved::OutsideVault) => {
            format!("⚠ \"{}\" points outside the vault", link.target)
        }
    }
}

/// A bounded preview of a note, its front matter left out.
pub fn preview(
    snap: &Snapshot,
    path: &str,
    text_of: &dyn Fn(&str) -> Option<String>,
    href: Href,
) -> Option<String> {
    let note = snap.note(path)?;
    let text = text_of(path)?;
    Some(section(snap, path, &note.facts, &text, Part::Whole, href))
}

/// Where a link shown in a preview leads: an address for the note or file
/// at a vault path, at a 0-based line when the link names a heading or
/// block; `None` to show the link's text alone. The server makes URIs.
pub type Href<'a> = &'a dyn Fn(&str, Option<u32>) -> Option<String>;

/// The text of a note's part, bounded: a heading's section, a block's
/// line, or the note without its front matter. Its links are written as
/// Markdown links to where they lead, with the text Obsidian shows, since
/// an editor's Markdown renderer knows neither wiki-links nor embeds.
fn section(
    snap: &Snapshot,
    path: &str,
    facts: &crate::facts::NoteFacts,
    text: &str,
    part: Part,
    href: Href,
) -> String {
    let clamp = |i: u32| {
        let mut i = (i as usize).min(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let (start, end) = match part {
        Part::Heading(i) => {
            let section = facts.section(i);
            // The facts may be of a slightly older text: end at its end.
            let end = if section.end >= facts.lines.text_len() {
                text.len()
            } else {
                clamp(section.end)
            };
            (clamp(section.start), end)
        }
        Part::Block(i) => {
            let b = &facts.blocks[i];
            let end = clamp(b.span.end);
            (crate::text::line_start(text, clamp(b.span.start)), end)
        }
        Part::Whole => (facts.front_matter.map_or(0, |fm| clamp(fm.end)), text.len()),
    };
    let start = start.min(end);
    let from = end - text[start..end].trim_start_matches(['\n', '\r']).len();
    // Where the preview stops: at most PREVIEW_LINES lines, PREVIEW_CHARS
    // characters of the note's own text.
    let (mut cut, mut shown, mut truncated) = (from, 0, false);
    for (n, line) in crate::text::lines(&text[from..end]).enumerate() {
        if n == PREVIEW_LINES || shown + line.text.len() > PREVIEW_CHARS {
            truncated = true;
            break;
        }
        shown += line.text.len() + 1;
        cut = from + line.next;
    }
    let mut out = String::new();
    let mut at = from;
    for link in facts.links.iter() {
        let span = link.span.range();
        if span.start < at || span.end > cut {
            continue;
        }
        out += &text[at..span.start];
        out += &preview_link(snap, path, link, &text[span.clone()], href);
        at = span.end;
    }
    out += &text[at..cut];
    let mut out = out.trim_end().to_string();
    if truncated {
        out += "\n…";
    }
    out
}

/// A link of a preview as Markdown: its display text, linked to its target
/// when it resolves.
fn preview_link(snap: &Snapshot, from: &str, link: &Link, written: &str, href: Href) -> String {
    let display = escape_markdown(&display_text(link, written));
    let target = match snap.resolve(from, link) {
        Resolution::Note { path, subpath, .. } => {
            let facts = snap.note(&path).map(|n| &n.facts);
            let line = facts.and_then(|f| match subpath {
                SubpathMatch::Heading(i) => Some(f.lines.line_of(f.headings[i].span.start)),
                SubpathMatch::Block(i) => Some(f.lines.line_of(f.blocks[i].span.start)),
                _ => None,
            });
            href(&path, line)
        }
        Resolution::Attachment(path) => href(&path, None),
        Resolution::Unresolved(_) => None,
    };
    match target {
        Some(uri) => format!("[{display}]({uri})"),
        None => display,
    }
}

/// What Obsidian shows for a link: the text after `|`, else the target with
/// ` > ` before each heading (`Note > Heading`); an embedded file shows its
/// name. A Markdown link shows its bracketed text.
fn display_text(link: &Link, written: &str) -> String {
    if !link.kind.is_wiki() {
        let inner = written
            .trim_start_matches('!')
            .strip_prefix('[')
            .unwrap_or(written);
        return inner.split("](").next().unwrap_or(inner).to_string();
    }
    let inner = written
        .trim_start_matches('!')
        .trim_start_matches("[[")
        .trim_end_matches("]]");
    if let Some((_, alias)) = inner.split_once('|')
        && !alias.trim().is_empty()
    {
        return alias.trim().to_string();
    }
    let name = link.target.as_str();
    if link.kind == LinkKind::Embed && crate::names::has_other_extension(name) {
        return name.to_string();
    }
    let mut parts: Vec<&str> = (!name.is_empty()).then_some(name).into_iter().collect();
    if let Some(sub) = link.subpath_text {
        parts.extend(sub.as_str().split('#'));
    }
    parts.join(" > ")
}

/// `text` with the characters that would start Markdown links, emphasis,
/// code or HTML escaped.
fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '[' | ']' | '*' | '_' | '`' | '<') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A resolvable link and where it goes, for `textDocument/documentLink`.
pub struct DocumentLinkTarget {
    pub span: Span,
    pub target: Location,
}

pub fn document_links(snap: &Snapshot, from: &str) -> Vec<DocumentLinkTarget> {
    let Some(note) = snap.note(from) else {
        return vec![];
    };
    note.facts
        .links
        .iter()
        .filter_map(|link| {
            let target = match snap.resolve(from, link) {
                Resolution::Note { path, subpath, .. } => landing(snap, &path, part_of(subpath)),
                Resolution::Attachment(path) => Location {
                    path,
                    span: Span::default(),
                },
                Resolution::Unresolved(_) => return None,
            };
            Some(DocumentLinkTarget {
                span: link.span,
                target,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
