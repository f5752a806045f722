//! Link resolution, Obsidian's way, as a pure function of a snapshot.
//!
//! Rules (docs/link-resolution.md is the user-facing version):
//! - names compare after [`fold`] (NFC + lowercase); `.md` is optional;
//! - a bare name matches that note name anywhere; `folder/name` matches a
//!   path suffix on whole components; `./` and `../` are relative to the
//!   linking note; several matches → the one at exactly the target's vault
//!   path (not ambiguous), else one in the linking note's own folder, else
//!   the shortest path, then lexical order (both ambiguous), as Obsidian
//!   1.13 was observed to choose ([`tie_break`]);
//! - markdown links: relative to the linking note, then from the vault root,
//!   then (for a bare file name) by name as wiki-links are;
//! - other extensions name attachments (any non-note file).

use super::{NotePath, Snapshot};
use crate::facts::{Heading, Link, LinkKind, Subpath};
use crate::names::Sym;
use crate::names::{
    file_name, fold, has_other_extension, heading_key_eq, join_relative, note_stem, parent, slug,
    strip_md,
};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolution {
    /// A note. `others` lists the other candidates when the link is ambiguous.
    Note {
        path: NotePath,
        others: Vec<NotePath>,
        subpath: SubpathMatch,
    },
    Attachment(NotePath),
    Unresolved(Unresolved),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unresolved {
    /// No note by that name or path.
    Note,
    /// No file by that name (the link has a non-note extension).
    Attachment,
    /// A relative path that climbs out of the vault.
    OutsideVault,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubpathMatch {
    None,
    /// Index into the target's `facts.headings`.
    Heading(usize),
    /// Index into the target's `facts.blocks`.
    Block(usize),
    MissingHeading,
    MissingBlock,
}

/// What a link names, borrowed from the snapshot: only what the caller
/// keeps is cloned (a shared path's count is touched by every thread).
enum Found<'a> {
    Notes(Vec<&'a NotePath>),
    /// The linking note itself (`[[#Heading]]`), by the path it was asked with.
    Itself,
    Attachment(&'a NotePath),
    Missing(Unresolved),
}

impl Snapshot {
    /// Resolves `link`, written in the note at `from`.
    pub fn resolve(&self, from: &str, link: &Link) -> Resolution {
        match self.find(from, link) {
            Found::Attachment(path) => Resolution::Attachment(path.clone()),
            Found::Missing(why) => Resolution::Unresolved(why),
            Found::Itself => self.resolved(from.into(), Vec::new(), link),
            Found::Notes(mut candidates) => {
                // Candidates are sorted best first; the winner goes first,
                // and the others stay in the index's (length, path) order
                // (`tie_break` moves at most one of them to the front).
                let path = candidates.remove(0).clone();
                debug_assert!(
                    candidates
                        .windows(2)
                        .all(|w| super::by_length_then_path(w[0], w[1]).is_le())
                );
                self.resolved(path, candidates.into_iter().cloned().collect(), link)
            }
        }
    }

    fn resolved(&self, path: NotePath, others: Vec<NotePath>, link: &Link) -> Resolution {
        let subpath = match (&link.subpath(), self.note(&path)) {
            (Some(sub), Some(note)) => match_subpath(&note.facts, sub, link.kind),
            _ => SubpathMatch::None,
        };
        Resolution::Note {
            path,
            others,
            subpath,
        }
    }

    /// The note a link resolves to, if any (ambiguity resolved), without
    /// looking at its `#subpath`: the cheap question backlinks ask.
    pub fn resolve_note(&self, from: &str, link: &Link) -> Option<NotePath> {
        match self.find(from, link) {
            Found::Notes(candidates) => Some(candidates[0].clone()),
            Found::Itself => Some(from.into()),
            _ => None,
        }
    }

    fn find(&self, from: &str, link: &Link) -> Found<'_> {
        let target = link.target.trim();
        if target.is_empty() {
            Found::Itself
        } else if link.kind.is_wiki() {
            self.find_by_link_text(from, target, link.name_key)
        } else {
            self.find_by_path(from, target, link.name_key)
        }
    }

    /// Wiki-link text: `Name`, `folder/Name`, `./rel`, `Name.md`, `image.png`.
    fn find_by_link_text(&self, from: &str, target: &str, name_key: Option<Sym>) -> Found<'_> {
        if target.starts_with("./") || target.starts_with("../") {
            return match join_relative(parent(from), target) {
                Some(path) => self.find_exact(&path),
                None => Found::Missing(Unresolved::OutsideVault),
            };
        }
        if let Some(rooted) = target.strip_prefix('/') {
            return self.find_exact(rooted);
        }
        let attachment = has_other_extension(target);
        if attachment {
            let name = fold(file_name(target));
            let wanted = Suffix::new(target, Named::Attachment);
            if let Some(path) = self
                .attachments_named(&name)
                .iter()
                .find(|p| wanted.ends(p))
            {
                return Found::Attachment(path);
            }
        }
        let named = match name_key {
            Some(key) => self.notes_with_key(key),
            None => self.notes_named(&fold(note_stem(target))),
        };
        let candidates: Vec<&NotePath> = if target.contains('/') {
            let wanted = Suffix::new(target, Named::Note);
            named.iter().filter(|p| wanted.ends(p)).collect()
        } else {
            named.iter().collect()
        };
        if !candidates.is_empty() {
            Found::Notes(tie_break(from, target, candidates))
        } else if attachment {
            Found::Missing(Unresolved::Attachment)
        } else {
            Found::Missing(Unresolved::Note)
        }
    }

    /// Markdown link paths: relative, then vault-absolute, then by name.
    fn find_by_path(&self, from: &str, target: &str, name_key: Option<Sym>) -> Found<'_> {
        if let Some(rooted) = target.strip_prefix('/') {
            return self.find_exact(rooted);
        }
        let relative = join_relative(parent(from), target);
        if let Some(path) = &relative
            && let found @ (Found::Notes(_) | Found::Attachment(_)) = self.find_exact(path)
        {
            return found;
        }
        if let Some(path) = join_relative("", target)
            && let found @ (Found::Notes(_) | Found::Attachment(_)) = self.find_exact(&path)
        {
            return found;
        }
        if !target.contains('/') {
            return self.find_by_link_text(from, target, name_key);
        }
        match relative {
            None => Found::Missing(Unresolved::OutsideVault),
            Some(_) if has_other_extension(target) => Found::Missing(Unresolved::Attachment),
            Some(_) => Found::Missing(Unresolved::Note),
        }
    }

    /// A vault-relative path: a note (`.md` optional) or an attachment.
    fn find_exact(&self, path: &str) -> Found<'_> {
        if !has_other_extension(path)
            && let Some(note) = self.note_at(&fold(strip_md(path)))
        {
            return Found::Notes(vec![note]);
        }
        if let Some(file) = self.attachment_at(&fold(path)) {
            return Found::Attachment(file);
        }
        Found::Missing(if has_other_extension(path) {
            Unresolved::Attachment
        } else {
            Unresolved::Note
        })
    }
}

/// Orders the notes a target matches (given shortest path first) as
/// Obsidian 1.13 chooses among them: the note at exactly the target's vault
/// path wins alone (the link says which note it means); otherwise a note in
/// the linking note's own folder goes first (an ancestor folder counts for
/// nothing); otherwise the shortest path stays first. Several candidates left
/// make the link ambiguous.
fn tie_break<'a>(from: &str, target: &str, mut candidates: Vec<&'a NotePath>) -> Vec<&'a NotePath> {
    if candidates.len() < 2 {
        return candidates;
    }
    // Every candidate already ends with the target on whole components
    // (or is named it): the one with as many components is at its path.
    let depth = |p: &str| p.bytes().filter(|&b| b == b'/').count();
    let wanted = depth(target);
    if let Some(i) = candidates.iter().position(|p| depth(p) == wanted) {
        return vec![candidates.swap_remove(i)];
    }
    let folder = parent(from);
    if let Some(i) = candidates.iter().position(|p| parent(p) == folder) {
        let here = candidates.remove(i);
        candidates.insert(0, here);
    }
    candidates
}

/// What a path suffix names: a note (`.md` optional) or an attachment.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Named {
    Note,
    Attachment,
}

/// A link target folded once, to test many candidate paths against.
struct Suffix {
    folded: String,
    named: Named,
}

impl Suffix {
    fn new(target: &str, named: Named) -> Suffix {
        let folded = match named {
            Named::Note => fold(strip_md(target)),
            Named::Attachment => fold(target),
        };
        Suffix { folded, named }
    }

    /// Whether `path` ends with the target on whole path components.
    fn ends(&self, path: &str) -> bool {
        let path = match self.named {
            Named::Note => strip_md(path),
            Named::Attachment => path,
        };
        let t = self.folded.as_str();
        // An ASCII path folds to its ASCII lowercase: compare in place
        // (this runs for every candidate of every `folder/Name` link).
        if path.is_ascii() {
            let (p, t) = (path.as_bytes(), t.as_bytes());
            return p.len() >= t.len()
                && p[p.len() - t.len()..].eq_ignore_ascii_case(t)
                && (p.len() == t.len() || p[p.len() - t.len() - 1] == b'/');
        }
        let p = fold(path);
        p == t || (p.ends_with(t) && p[..p.len() - t.len()].ends_with('/'))
    }
}

/// A `#Heading` as written in a link, in the forms headings are compared in.
struct Wanted<'a> {
    text: &'a str,
    /// Markdown links also match GitHub slugs.
    slug: Option<String>,
}

impl<'a> Wanted<'a> {
    fn new(text: &'a str, kind: LinkKind) -> Wanted<'a> {
        Wanted {
            text,
            slug: (!kind.is_wiki()).then(|| fold(text)),
        }
    }

    /// Wiki-links name a heading by its text (Obsidian); markdown links by
    /// its GitHub slug or, as Obsidian also accepts, its text.
    fn matches(&self, h: &Heading) -> bool {
        heading_key_eq(&h.text, self.text)
            || self.slug.as_ref().is_some_and(|s| slug(&h.text) == *s)
    }
}

/// Finds `#H1#H2` (each later heading inside the section of the one
/// before, levels may skip) or `#^id` among a note's facts.
/// `kind` is the kind of link naming it (see [`Wanted::matches`]).
pub fn match_subpath(
    facts: &crate::facts::NoteFacts,
    sub: &Subpath,
    kind: LinkKind,
) -> SubpathMatch {
    match sub {
        Subpath::Block(id) => {
            let id = fold(id);
            facts
                .blocks
                .iter()
                .position(|b| fold(&b.id) == id)
                .map_or(SubpathMatch::MissingBlock, SubpathMatch::Block)
        }
        Subpath::Heading(parts) => {
            let Some((last, outer)) = parts.split_last() else {
                return SubpathMatch::None;
            };
            let last = Wanted::new(last, kind);
            let outer: Vec<Wanted> = outer.iter().map(|o| Wanted::new(o, kind)).collect();
            let hs = &facts.headings;
            for (i, h) in hs.iter().enumerate() {
                if !last.matches(h) {
                    continue;
                }
                let mut wanted = outer.iter().rev().peekable();
                let mut level = h.level;
                for ancestor in hs[..i].iter().rev() {
                    let Some(w) = wanted.peek() else { break };
                    if ancestor.level < level {
                        level = ancestor.level;
                        if w.matches(ancestor) {
                            wanted.next();
                        }
                    }
                }
                if wanted.peek().is_none() {
                    return SubpathMatch::Heading(i);
                }
            }
            SubpathMatch::MissingHeading
        }
    }
}
