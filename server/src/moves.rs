//! Moves made outside carnet (`mv` in a shell, a file manager, a sync tool,
//! `git pull`): finding them, and the link edits that repair what they broke.
//!
//! Pure, like the answers: the server and `carnet fix-moves` bring what
//! they saw (notes gone and notes that appeared, from file events or from
//! git), this pairs them by content, and plans the link edits with the
//! rename planner itself, on the vault as it was before the moves.

use rustc_hash::FxHashMap;

use crate::answers::{self, Plan, RenameError};
use crate::facts::{Link, LinkKind, NoteFacts, Subpath};
use crate::index::resolve::{Resolution, SubpathMatch, Unresolved, match_subpath};
use crate::index::{Note, NotePath, Snapshot};
use crate::names::{file_name, fold, has_other_extension, note_stem, parent};
use crate::text::Lines;

/// How similar two notes must be (shared bytes over the larger size) to
/// count as one note moved and changed a little: git's default, 50%.
pub const SIMILAR: f64 = 0.5;

/// A file on one side of a possible move: gone from a path, or new at one.
#[derive(Clone, Copy, Debug)]
pub struct Seen<'a> {
    pub path: &'a str,
    pub content: Content<'a>,
}

#[derive(Clone, Copy, Debug)]
pub enum Content<'a> {
    /// A note's facts and size, and its text when the caller has it (then a
    /// note that also changed a little is recognised).
    Note {
        facts: &'a NoteFacts,
        bytes: u64,
        text: Option<&'a str>,
    },
    /// Any other file, with its size when known.
    Attachment { size: Option<u64> },
}

/// Pairs files that disappeared with files that appeared: the same note
/// (equal size and facts), a note with at least [`SIMILAR`] of its text in
/// common, or an attachment with the same file name (and size, when both
/// are known). A file with two equally good partners is left alone: a move
/// is never guessed. Returns (old path, new path) pairs.
pub fn pair(gone: &[Seen], appeared: &[Seen]) -> Vec<(String, String)> {
    let mut scored: Vec<(f64, usize, usize)> = Vec::new();
    // Exact matches first, found through sizes; similarity only for the rest.
    let mut by_size: FxHashMap<u64, Vec<usize>> = FxHashMap::default();
    for (j, a) in appeared.iter().enumerate() {
        if let Content::Note { bytes, .. } = a.content {
            by_size.entry(bytes).or_default().push(j);
        }
    }
    let mut exact_gone = vec![false; gone.len()];
    let mut exact_appeared = vec![false; appeared.len()];
    for (i, g) in gone.iter().enumerate() {
        if let Content::Note { facts, bytes, text } = g.content {
            for &j in by_size.get(&bytes).into_iter().flatten() {
                if let Content::Note {
                    facts: f, text: t, ..
                } = appeared[j].content
                    && f == facts
                    && (text.is_none() || t.is_none() || text == t)
                {
                    scored.push((1.0, i, j));
                    exact_gone[i] = true;
                    exact_appeared[j] = true;
                }
            }
        }
    }
    let profiles: Vec<Option<Profile>> = appeared
        .iter()
        .enumerate()
        .map(|(j, a)| match a.content {
            Content::Note { text: Some(t), .. } if !exact_appeared[j] => Some(Profile::new(t)),
            _ => None,
        })
        .collect();
    for (i, g) in gone.iter().enumerate() {
        match g.content {
            Content::Note {
                text: Some(text), ..
            } if !exact_gone[i] => {
                let mine = Profile::new(text);
                for (j, theirs) in profiles.iter().enumerate() {
                    if let Some(theirs) = theirs {
                        let score = mine.similarity(theirs);
                        if score >= SIMILAR {
                            scored.push((score, i, j));
                        }
                    }
                }
            }
            Content::Attachment { size } => {
                let name = fold(file_name(g.path));
                for (j, a) in appeared.iter().enumerate() {
                    if let Content::Attachment { size: s } = a.content
                        && fold(file_name(a.path)) == name
                    {
                        let score = match (size, s) {
                            (Some(x), Some(y)) if x != y => continue,
                            (Some(_), Some(_)) => 1.0,
                            _ => 0.9,
                        };
                        scored.push((score, i, j));
                    }
                }
            }
            _ => {}
        }
    }
    // Best first; a tie for either side makes both sides ambiguous.
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then((a.1, a.2).cmp(&(b.1, b.2))));
    let mut used_gone = vec![false; gone.len()];
    let mut used_appeared = vec![false; appeared.len()];
    let mut out = Vec::new();
    for (k, &(score, i, j)) in scored.iter().enumerate() {
        if used_gone[i] || used_appeared[j] {
            continue;
        }
        let tied = scored.iter().enumerate().any(|(l, &(s, gi, aj))| {
            l != k && s == score && (gi == i || aj == j) && !used_gone[gi] && !used_appeared[aj]
        });
        used_gone[i] = true;
        used_appeared[j] = true;
        if !tied {
            out.push((gone[i].path.to_string(), appeared[j].path.to_string()));
        }
    }
    out
}

/// A text as a multiset of its lines, for similarity.
struct Profile {
    hashes: FxHashMap<u64, (u32, u32)>,
    len: usize,
}

impl Profile {
    fn new(text: &str) -> Profile {
        let table = Lines::new(text);
        let mut hashes: FxHashMap<u64, (u32, u32)> = FxHashMap::default();
        for line in 0..table.count() {
            let start = table.line_start(line) as usize;
            let end = table.line_start(line + 1) as usize;
            let l = &text[start..end.max(start)];
            let e = hashes.entry(hash(l)).or_insert((0, l.len() as u32));
            e.0 += 1;
        }
        Profile {
            hashes,
            len: text.len(),
        }
    }

    /// Bytes in lines both texts hold, over the larger text's size.
    fn similarity(&self, other: &Profile) -> f64 {
        let (small, large) = if self.len <= other.len {
            (self.len, other.len)
        } else {
            (other.len, self.len)
        };
        if large == 0 {
            return 1.0;
        }
        if (small as f64) < SIMILAR * large as f64 {
            return 0.0; // too different in size to share enough
        }
        let common: u64 = self
            .hashes
            .iter()
            .filter_map(|(h, &(n, len))| {
                let (m, _) = other.hashes.get(h)?;
                Some(u64::from(n.min(*m)) * u64::from(len))
            })
            .sum();
        common as f64 / large as f64
    }
}

fn hash(s: &str) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = rustc_hash::FxBuildHasher.build_hasher();
    h.write(s.as_bytes());
    h.finish()
}

/// The link edits that repair what `moves` broke. The moves (old → new,
/// vault-relative files) are already made: `snap` shows the files at their
/// new paths. The rename planner runs on the vault as it was (each file
/// back at its old path), so every link keeps its style and the same
/// refusals apply. Returned edits are keyed by the files' current paths.
/// A move whose old path is taken again (a new note there) is skipped, and
/// returned in the second list. With `own_links` false (old paths that are
/// guesses), the moved notes' own texts are left as they are: their
/// relative links would be recomputed from a folder they may never have
/// been in.
pub fn relink_moved(
    snap: &Snapshot,
    moves: &[(String, String)],
    own_links: bool,
    text_of: answers::TextOf,
) -> Result<(Plan, Vec<(String, String)>), RenameError> {
    let mut before = snap.clone();
    let mut planned: Vec<(String, String)> = Vec::new();
    let mut skipped = Vec::new();
    for (old, new) in moves {
        let taken = before.note(old).is_some()
            || before.note_at(&fold(crate::names::strip_md(old))).is_some()
            || before.attachment_at(&fold(old)).is_some();
        if taken || old == new {
            skipped.push((old.clone(), new.clone()));
        } else if let Some(note) = snap.note(new) {
            before = before.without_note(new).with_note(Note::new(
                old.as_str().into(),
                note.facts.clone(),
                note.bytes,
            ));
            planned.push((old.clone(), new.clone()));
        } else if snap.attachment_at(&fold(new)).is_some() {
            before = before.without_attachment(new).with_attachment(old);
            planned.push((old.clone(), new.clone()));
        } else {
            skipped.push((old.clone(), new.clone()));
        }
    }
    if planned.is_empty() {
        return Ok((Plan::default(), skipped));
    }
    let now: FxHashMap<&str, &str> = planned
        .iter()
        .map(|(o, n)| (o.as_str(), n.as_str()))
        .collect();
    let text_before = |p: &str| text_of(now.get(p).copied().unwrap_or(p));
    let plan = answers::move_files(&before, &planned, &text_before)?;
    let edits = plan
        .edits
        .into_iter()
        .filter(|(p, _)| own_links || !now.contains_key(&**p))
        .map(|(p, e)| {
            let path: NotePath = now.get(&*p).map_or(p, |n| (*n).into());
            (path, e)
        })
        .collect();
    Ok((
        Plan {
            edits,
            ..Plan::default()
        },
        skipped,
    ))
}

/// Moves guessed from broken links alone, where no history says what
/// moved (`carnet fix-moves` outside a git work tree): a link to
/// `old/Name.md` that no longer resolves, while one note named `Name` (or
/// titled so) exists elsewhere holding every heading and block the broken
/// links ask for, means `old/Name.md` moved there. Only unique answers are
/// returned: with two candidates, nothing is guessed.
pub fn moves_from_broken_links(snap: &Snapshot) -> Vec<(String, String)> {
    // The path each broken link meant, with its links (source, link).
    type Uses<'s> = Vec<(&'s NotePath, &'s Link)>;
    let mut missing: FxHashMap<String, (String, Uses)> = FxHashMap::default();
    for note in snap.notes() {
        for link in &note.facts.links {
            let Resolution::Unresolved(why) = snap.resolve(&note.path, link) else {
                continue;
            };
            if why == Unresolved::OutsideVault {
                continue;
            }
            let Some(old) = meant_path(&note.path, link) else {
                continue;
            };
            missing
                .entry(fold(&old))
                .or_insert_with(|| (old, Vec::new()))
                .1
                .push((&note.path, link));
        }
    }
    // Notes by the title they show (front matter, first heading, aliases),
    // for notes renamed without their title.
    let mut titled: FxHashMap<String, Vec<NotePath>> = FxHashMap::default();
    if !missing.is_empty() {
        for n in snap.notes() {
            let f = &n.facts;
            let heading = f
                .headings
                .first()
                .filter(|h| h.level == 1)
                .map(|h| &*h.text);
            let mut names: Vec<String> = f
                .title
                .as_deref()
                .or(heading)
                .map(fold)
                .into_iter()
                .collect();
            names.extend(f.aliases.iter().map(|a| fold(a)));
            names.sort();
            names.dedup();
            let own = fold(n.name());
            for name in names.into_iter().filter(|t| *t != own) {
                titled.entry(name).or_default().push(n.path.clone());
            }
        }
    }
    // Each missing path's one candidate, if it has one.
    let mut found: FxHashMap<NotePath, Vec<(usize, String)>> = FxHashMap::default();
    let mut keys: Vec<&String> = missing.keys().collect();
    keys.sort();
    for key in keys {
        let (old, links) = &missing[key];
        if let Some(new) = candidate(snap, &titled, old, links) {
            // A bare name was renamed where it is.
            let old = match (old.contains('/'), parent(&new)) {
                (false, dir) if !dir.is_empty() => format!("{dir}/{old}"),
                _ => old.clone(),
            };
            found
                .entry(new.clone())
                .or_default()
                .push((links.len(), old));
        }
    }
    // A note claimed by several missing paths took the most-linked one.
    let mut out = Vec::new();
    for (new, mut claims) in found {
        claims.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        if claims.len() > 1 && claims[0].0 == claims[1].0 {
            continue;
        }
        out.push((claims.swap_remove(0).1, new.to_string()));
    }
    out.sort();
    out
}

/// The vault path a broken link meant: a relative markdown path or a
/// `./`, `../` wiki path joined onto its note's folder, a wiki path with
/// folders taken from the root, a bare wiki name beside... nowhere yet
/// (`Name.md`: its folder comes from the candidate).
fn meant_path(from: &str, link: &Link) -> Option<String> {
    let target = link.target.trim();
    if target.is_empty() {
        return None;
    }
    let path = crate::names::link_path(from, target, link.kind.is_wiki())?;
    if path.is_empty() {
        return None;
    }
    Some(
        if has_other_extension(&path) || path.to_ascii_lowercase().ends_with(".md") {
            path
        } else {
            format!("{path}.md")
        },
    )
}

/// The one note (or attachment) that `old` became, judged by name, folder
/// suffix, title and the headings and blocks its links ask for.
fn candidate(
    snap: &Snapshot,
    titled: &FxHashMap<String, Vec<NotePath>>,
    old: &str,
    links: &[(&NotePath, &Link)],
) -> Option<NotePath> {
    let bare = !old.contains('/');
    if has_other_extension(old) {
        if bare {
            return None; // a renamed attachment leaves no trace to follow
        }
        return best_by_folders(old, snap.attachments_named(&fold(file_name(old))));
    }
    let name = fold(note_stem(old));
    let asks = |facts: &NoteFacts| {
        links.iter().all(|(_, l)| match l.subpath() {
            None => true,
            Some(sub @ Subpath::Heading(_)) => {
                matches!(match_subpath(facts, &sub, l.kind), SubpathMatch::Heading(_))
            }
            Some(sub @ Subpath::Block(_)) => {
                matches!(match_subpath(facts, &sub, l.kind), SubpathMatch::Block(_))
            }
        })
    };
    let fits = |p: &&NotePath| snap.note(p).is_some_and(|n| asks(&n.facts));
    let named: Vec<NotePath> = snap
        .notes_named(&name)
        .iter()
        .filter(fits)
        .cloned()
        .collect();
    if !named.is_empty() && !bare {
        return best_by_folders(old, &named);
    }
    // Renamed: the note still titled with the old name.
    let titled: Vec<&NotePath> = titled
        .get(&name)
        .into_iter()
        .flatten()
        .filter(fits)
        .collect();
    let wiki_only = links.iter().all(|(_, l)| {
        matches!(
            l.kind,
            LinkKind::Wiki | LinkKind::Embed | LinkKind::FrontMatter
        )
    });
    match titled.as_slice() {
        [one] if !bare || wiki_only => Some((*one).clone()),
        _ => None,
    }
}

/// The candidate whose folders end most like `old`'s (a folder moved
/// under another keeps its own name), or the only one.
fn best_by_folders(old: &str, candidates: &[NotePath]) -> Option<NotePath> {
    let folders: Vec<&str> = parent(old).split('/').rev().collect();
    let shared = |p: &NotePath| {
        parent(p)
            .split('/')
            .rev()
            .zip(&folders)
            .take_while(|(a, b)| fold(a) == fold(b) && !a.is_empty())
            .count()
    };
    let mut ranked: Vec<(usize, &NotePath)> = candidates.iter().map(|c| (shared(c), c)).collect();
    ranked.sort_by_key(|r| std::cmp::Reverse(r.0));
    match ranked.as_slice() {
        [(_, one)] => Some((*one).clone()),
        [(a, best), (b, _), ..] if a > b => Some((*best).clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
