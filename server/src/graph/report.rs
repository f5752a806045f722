//! The lists a vault's graph hides: notes nobody links to, notes that lead
//! nowhere, notes many links want but nobody wrote, hubs, and tag usage.
//! Same resolution as the graph ([`super::Full`]), so both always agree.

use rustc_hash::FxHashMap;

use super::{Full, NodeKind};
use crate::answers::Location;
use crate::index::{NotePath, Snapshot};
use crate::names::{Sym, fold};
use crate::text::Span;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    pub notes: usize,
    /// Notes no other note links to, by path.
    pub orphans: Vec<NotePath>,
    /// Notes that link to no other note (broken links and links to
    /// attachments lead nowhere), by path.
    pub dead_ends: Vec<NotePath>,
    /// Missing notes, most wanted first.
    pub wanted: Vec<Wanted>,
    /// Notes with the most backlinks, most first (at most `limit`).
    pub hubs: Vec<Hub>,
    /// Tags by number of uses, most used first.
    pub tags: Vec<TagUse>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Wanted {
    /// Where "Create note" would create it.
    pub path: NotePath,
    /// Every link that wants it: (note, link span), in path order.
    pub links: Vec<(NotePath, Span)>,
    /// How many different notes want it.
    pub notes: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Hub {
    pub path: NotePath,
    pub backlinks: u32,
    pub outgoing: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TagUse {
    /// The tag as most often written (ties: the first in lexical order).
    pub tag: Sym,
    /// Every spelling used (`ToDo`, `todo`), most used first.
    pub spellings: Vec<Sym>,
    pub uses: u32,
    pub notes: u32,
}

/// The report of the whole vault; `limit` caps hubs and wanted notes
/// (`0`: no cap).
pub fn report(snap: &Snapshot, limit: usize) -> Report {
    report_of(snap, &Full::build(snap), limit)
}

/// [`report`] from the graph of `snap` already built.
pub fn report_of(snap: &Snapshot, full: &Full, limit: usize) -> Report {
    let nodes = &full.graph.nodes;
    let notes = &nodes[..full.note_count];
    let orphans = notes
        .iter()
        .filter(|n| n.backlinks == 0)
        .map(|n| n.id.clone())
        .collect();
    let dead_ends = notes
        .iter()
        .filter(|n| n.outgoing == 0)
        .map(|n| n.id.clone())
        .collect();

    let mut hubs: Vec<Hub> = notes
        .iter()
        .filter(|n| n.backlinks > 0)
        .map(|n| Hub {
            path: n.id.clone(),
            backlinks: n.backlinks,
            outgoing: n.outgoing,
        })
        .collect();
    // Stable sort: ties stay in path order.
    hubs.sort_by_key(|h| std::cmp::Reverse(h.backlinks));
    cap(&mut hubs, limit);

    let mut wanting: FxHashMap<u32, Vec<(NotePath, Span)>> = FxHashMap::default();
    for l in &full.links {
        if l.target as usize >= full.note_count {
            wanting
                .entry(l.target)
                .or_default()
                .push((nodes[l.source as usize].id.clone(), l.span));
        }
    }
    let mut wanted: Vec<Wanted> = nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| n.kind == NodeKind::Unresolved)
        .map(|(i, n)| Wanted {
            path: n.id.clone(),
            links: wanting.remove(&(i as u32)).unwrap_or_default(),
            notes: n.backlinks,
        })
        .collect();
    wanted.sort_by(|a, b| {
        (b.links.len(), b.notes)
            .cmp(&(a.links.len(), a.notes))
            .then_with(|| a.path.cmp(&b.path))
    });
    cap(&mut wanted, limit);

    Report {
        notes: notes.len(),
        orphans,
        dead_ends,
        wanted,
        hubs,
        tags: tag_usage(snap),
    }
}

fn cap<T>(list: &mut Vec<T>, limit: usize) {
    if limit > 0 {
        list.truncate(limit);
    }
}

/// Tags grouped as they compare (case-insensitively, after NFC), nested
/// tags on their own: `#a/b` is not counted as a use of `#a`.
fn tag_usage(snap: &Snapshot) -> Vec<TagUse> {
    let mut groups: FxHashMap<String, Vec<(Sym, u32, Vec<NotePath>)>> = FxHashMap::default();
    for spelling in snap.tag_spellings() {
        let taggers = snap.taggers_of(spelling.as_str());
        let uses = taggers
            .iter()
            .filter_map(|p| snap.note(p))
            .map(|n| n.facts.tags.iter().filter(|t| t.name == spelling).count() as u32)
            .sum();
        groups
            .entry(fold(spelling.as_str()))
            .or_default()
            .push((spelling, uses, taggers.to_vec()));
    }
    let mut out: Vec<TagUse> = groups
        .into_values()
        .map(|mut spellings| {
            spellings.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.as_str().cmp(b.0.as_str())));
            let mut notes: Vec<&NotePath> = spellings.iter().flat_map(|s| &s.2).collect();
            notes.sort();
            notes.dedup();
            TagUse {
                tag: spellings[0].0,
                uses: spellings.iter().map(|s| s.1).sum(),
                notes: notes.len() as u32,
                spellings: spellings.iter().map(|s| s.0).collect(),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.uses
            .cmp(&a.uses)
            .then_with(|| fold(a.tag.as_str()).cmp(&fold(b.tag.as_str())))
            .then_with(|| a.tag.as_str().cmp(b.tag.as_str()))
    });
    out
}

/// One of the report's lists, as the editor asks for it (the server's
/// `carnet.report.*` commands).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum List {
    Orphans,
    DeadEnds,
    Wanted,
    Hubs,
    Tags,
}

/// Where each entry of one list is: the start of each note for orphans,
/// dead ends and hubs; each link for wanted notes (the most wanted note's
/// first); each use of each tag, the most used tag first (a nested tag is a
/// tag of its own, as in [`TagUse`]).
pub fn locations(snap: &Snapshot, r: &Report, list: List) -> Vec<Location> {
    let whole = |path: &NotePath| Location {
        path: path.clone(),
        span: Span::default(),
    };
    match list {
        List::Orphans => r.orphans.iter().map(whole).collect(),
        List::DeadEnds => r.dead_ends.iter().map(whole).collect(),
        List::Hubs => r.hubs.iter().map(|h| whole(&h.path)).collect(),
        List::Wanted => r
            .wanted
            .iter()
            .flat_map(|w| &w.links)
            .map(|(path, span)| Location {
                path: path.clone(),
                span: *span,
            })
            .collect(),
        List::Tags => r
            .tags
            .iter()
            .flat_map(|t| &t.spellings)
            .flat_map(|&spelling| {
                let taggers = snap.taggers_of(spelling.as_str()).iter();
                taggers.filter_map(|p| snap.note(p)).flat_map(move |n| {
                    let uses = n.facts.tags.iter().filter(move |t| t.name == spelling);
                    uses.map(|t| Location {
                        path: n.path.clone(),
                        span: t.span,
                    })
                })
            })
            .collect(),
    }
}
