//! The vault's link graph, as a pure function of a snapshot.
//!
//! Nodes are notes (and, when asked, the missing notes that links want);
//! edges are links between two different notes, resolved by the snapshot's
//! own resolver ([`Snapshot::resolve`]), so the graph says exactly what go to
//! definition and `carnet check` say. [`report`] derives the lists people
//! look for (orphans, dead ends, wanted notes, hubs, tags) from the same
//! resolution, and [`export`] writes the graph as JSON, DOT or GraphML.
//!
//! No I/O and no LSP types: the CLI and the server turn the result into
//! output. docs/graph.md is the user-facing description.

pub mod export;
pub mod report;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::facts::{Link, LinkKind};
use crate::index::resolve::{Resolution, Unresolved};
use crate::index::{NotePath, Snapshot};
use crate::names::{Sym, fold, note_stem, parent, strip_md};
use crate::text::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NodeKind {
    Note,
    /// A note that links want and nobody wrote yet.
    Unresolved,
}

impl NodeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::Note => "note",
            NodeKind::Unresolved => "unresolved",
        }
    }
}

/// How a link is written. Reference-style `[text][ref]` links are markdown links.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EdgeKind {
    Wiki,
    Markdown,
    Embed,
    FrontMatter,
}

impl EdgeKind {
    fn of(kind: LinkKind) -> EdgeKind {
        match kind {
            LinkKind::Wiki => EdgeKind::Wiki,
            LinkKind::Embed => EdgeKind::Embed,
            LinkKind::Markdown | LinkKind::Reference => EdgeKind::Markdown,
            LinkKind::FrontMatter => EdgeKind::FrontMatter,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            EdgeKind::Wiki => "wiki",
            EdgeKind::Markdown => "markdown",
            EdgeKind::Embed => "embed",
            EdgeKind::FrontMatter => "frontmatter",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// A note's vault-relative path; for an unresolved node, the path where
    /// "Create note" would create it (see [`crate::answers::new_note_path`]).
    pub id: NotePath,
    pub kind: NodeKind,
    /// Front-matter `title`, else the file name without `.md`.
    pub title: Box<str>,
    /// Distinct tags as written, sorted (none for unresolved nodes).
    pub tags: Vec<Sym>,
    /// Other notes that link here, in the whole vault (filters do not change it).
    pub backlinks: u32,
    /// Other notes this note links to, in the whole vault.
    pub outgoing: u32,
}

impl Node {
    /// The folder holding the note (`""` at the vault root).
    pub fn folder(&self) -> &str {
        parent(&self.id)
    }
}

/// Every link from `source` to `target` of one kind and subpath.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edge {
    /// Indexes into [`Graph::nodes`].
    pub source: u32,
    pub target: u32,
    pub kind: EdgeKind,
    /// `Heading`, `Outer#Inner` or `^block-id`, as the link writes it.
    pub subpath: Option<Box<str>>,
    /// How many such links the source holds.
    pub count: u32,
}

/// Nodes sorted notes first, then unresolved, each by id; edges sorted by
/// (source, target, kind, subpath): the same vault always gives the same graph.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Graph {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
}

/// What part of the graph to keep.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Only the neighbourhood of this note (a vault-relative path): notes at
    /// most `depth` links away, following links either way.
    pub from: Option<NotePath>,
    pub depth: u32,
    /// Only notes with one of these tags (`#` optional; `a` also keeps `a/b`).
    pub tags: Vec<String>,
    /// Only notes under one of these folders (vault-relative).
    pub folders: Vec<String>,
    /// Add the missing notes that kept notes link to.
    pub include_unresolved: bool,
}

/// One link that leads to another note or to a missing note.
#[derive(Clone, Debug)]
pub(crate) struct Resolved {
    /// Node indexes (see [`Graph::nodes`]).
    pub source: u32,
    pub target: u32,
    pub kind: EdgeKind,
    pub subpath: Option<Sym>,
    pub span: Span,
}

/// Where a link leads, before missing notes have node indexes.
enum Found {
    Note(u32),
    /// Where the wanted note would be created.
    Missing(String),
}

/// The key unresolved nodes are grouped by: `[[Idea]]` and `[[idea]]` want
/// the same note.
fn missing_key(path: &str) -> String {
    fold(strip_md(path))
}

/// The whole vault's graph before filtering, with the links it came from:
/// build it once per snapshot, then [`Full::select`] and
/// [`report::report_of`] as often as asked.
pub struct Full {
    pub(crate) graph: Graph,
    /// Every link that leads to another note or to a missing note, in
    /// (source path, position) order. Links to the note itself, to
    /// attachments and out of the vault are left out, and so are
    /// `[ref]: x.md` definitions that nothing uses (their uses are the links)
    /// and links in `%%` comments to missing notes; a `%%` link to a note is
    /// an edge, as it is a backlink.
    pub(crate) links: Vec<Resolved>,
    /// Number of note nodes (they come first in `graph.nodes`).
    pub(crate) note_count: usize,
}

impl Full {
    pub fn build(snap: &Snapshot) -> Full {
        let mut notes: Vec<&std::sync::Arc<crate::index::Note>> = snap.notes().collect();
        notes.sort_by(|a, b| a.path.cmp(&b.path));
        let note_count = notes.len();
        let index: FxHashMap<&str, u32> = notes
            .iter()
            .enumerate()
            .map(|(i, n)| (&*n.path, i as u32))
            .collect();

        // The cheap question first (which note?); the full resolution only
        // for links that find none, to tell a missing note from the rest.
        let found: Vec<Vec<(Found, &Link)>> = notes
            .par_iter()
            .enumerate()
            .map(|(i, note)| {
                let links = note.facts.links.iter();
                links
                    .filter(|l| !l.is_unused_definition())
                    .filter_map(|link| {
                        let to = match snap.resolve_note(&note.path, link) {
                            Some(path) => Found::Note(*index.get(&*path)?),
                            // A link switched off in a `%%` comment wants
                            // nothing (`carnet check` leaves it alone too).
                            None if note.facts.is_commented(link) => return None,
                            None => match snap.resolve(&note.path, link) {
                                Resolution::Unresolved(Unresolved::Note) => {
                                    Found::Missing(crate::answers::new_note_path(&note.path, link)?)
                                }
                                _ => return None,
                            },
                        };
                        (!matches!(to, Found::Note(t) if t as usize == i)).then_some((to, link))
                    })
                    .collect()
            })
            .collect();

        let mut nodes: Vec<Node> = notes
            .iter()
            .map(|n| {
                let mut tags: Vec<Sym> = n.facts.tags.iter().map(|t| t.name).collect();
                tags.sort_by(|a, b| a.as_str().cmp(b.as_str()));
                tags.dedup();
                Node {
                    id: n.path.clone(),
                    kind: NodeKind::Note,
                    title: n.facts.title.clone().unwrap_or_else(|| n.name().into()),
                    tags,
                    backlinks: 0,
                    outgoing: 0,
                }
            })
            .collect();

        // Missing notes, each spelled as the first link (in path order) wants it.
        let mut missing: FxHashMap<String, usize> = FxHashMap::default();
        let mut spelled: Vec<&str> = Vec::new();
        for (to, _) in found.iter().flatten() {
            if let Found::Missing(path) = to {
                missing.entry(missing_key(path)).or_insert_with(|| {
                    spelled.push(path);
                    spelled.len() - 1
                });
            }
        }
        let mut order: Vec<usize> = (0..spelled.len()).collect();
        order.sort_by(|&a, &b| spelled[a].cmp(spelled[b]).then(a.cmp(&b)));
        let mut rank = vec![0u32; spelled.len()];
        for (r, &i) in order.iter().enumerate() {
            rank[i] = (note_count + r) as u32;
            nodes.push(Node {
                id: spelled[i].into(),
                kind: NodeKind::Unresolved,
                title: note_stem(spelled[i]).into(),
                tags: vec![],
                backlinks: 0,
                outgoing: 0,
            });
        }

        let links: Vec<Resolved> = found
            .iter()
            .enumerate()
            .flat_map(|(source, list)| list.iter().map(move |(to, link)| (source as u32, to, link)))
            .map(|(source, to, link)| Resolved {
                source,
                target: match to {
                    Found::Note(t) => *t,
                    Found::Missing(p) => rank[missing[&missing_key(p)]],
                },
                kind: EdgeKind::of(link.kind),
                subpath: link.subpath_text.filter(|s| !s.as_str().trim().is_empty()),
                span: link.span,
            })
            .collect();
        // Each note's edges: its links sorted by (target, kind, subpath) and
        // counted in runs, on all cores. Notes are in path order, so the
        // edges come out in the graph's order without a global sort or a map.
        let mut starts = Vec::with_capacity(found.len() + 1);
        starts.push(0);
        for list in &found {
            starts.push(starts.last().unwrap() + list.len());
        }
        let edges: Vec<Edge> = (0..found.len())
            .into_par_iter()
            .flat_map_iter(|source| {
                let mut keys: Vec<(u32, EdgeKind, Option<&str>)> = links
                    [starts[source]..starts[source + 1]]
                    .iter()
                    .map(|l| (l.target, l.kind, l.subpath.map(|s| s.as_str().trim())))
                    .collect();
                keys.sort_unstable();
                let mut edges: Vec<Edge> = Vec::new();
                for key in keys {
                    match edges.last_mut() {
                        Some(e) if (e.target, e.kind, e.subpath.as_deref()) == key => e.count += 1,
                        _ => edges.push(Edge {
                            source: source as u32,
                            target: key.0,
                            kind: key.1,
                            subpath: key.2.map(Into::into),
                            count: 1,
                        }),
                    }
                }
                edges
            })
            .collect();
        // Edges are sorted by (source, target): distinct pairs are runs.
        let mut last = None;
        for e in &edges {
            if last == Some((e.source, e.target)) {
                continue;
            }
            last = Some((e.source, e.target));
            nodes[e.target as usize].backlinks += 1;
            if (e.target as usize) < note_count {
                nodes[e.source as usize].outgoing += 1;
            }
        }
        Full {
            graph: Graph { nodes, edges },
            links,
            note_count,
        }
    }

    /// The part of the graph `options` asks for.
    pub fn select(&self, options: &Options) -> Graph {
        let (graph, note_count) = (&self.graph, self.note_count);
        let n = graph.nodes.len();
        let wanted_kind = |i: usize| i < note_count || options.include_unresolved;
        let mut keep: Vec<bool> = (0..n).map(wanted_kind).collect();

        let center = options.from.as_ref().and_then(|p| {
            graph.nodes[..note_count]
                .binary_search_by(|x| x.id.cmp(p))
                .ok()
        });
        if options.from.is_some() {
            let mut near = vec![false; n];
            if let Some(c) = center {
                let mut adjacent: Vec<Vec<u32>> = vec![Vec::new(); n];
                for e in &graph.edges {
                    if keep[e.source as usize] && keep[e.target as usize] {
                        adjacent[e.source as usize].push(e.target);
                        adjacent[e.target as usize].push(e.source);
                    }
                }
                near[c] = true;
                let mut frontier = vec![c as u32];
                for _ in 0..options.depth {
                    let mut next = Vec::new();
                    for &i in &frontier {
                        for &j in &adjacent[i as usize] {
                            if !near[j as usize] {
                                near[j as usize] = true;
                                next.push(j);
                            }
                        }
                    }
                    frontier = next;
                }
            }
            for (k, near) in keep.iter_mut().zip(near) {
                *k &= near;
            }
        }

        if !options.tags.is_empty() || !options.folders.is_empty() {
            let tags: Vec<String> = options
                .tags
                .iter()
                .map(|t| fold(t.trim().trim_start_matches('#')))
                .collect();
            let folders: Vec<String> = options
                .folders
                .iter()
                .map(|f| fold(f.trim().trim_start_matches("./").trim_matches('/')))
                .collect();
            for (i, node) in graph.nodes[..note_count].iter().enumerate() {
                if !keep[i] || Some(i) == center {
                    continue;
                }
                let tag_ok = tags.is_empty() || node.tags.iter().any(|t| has_tag(t, &tags));
                let folder_ok = folders.is_empty() || {
                    let path = fold(&node.id);
                    folders
                        .iter()
                        .any(|f| f.is_empty() || path.starts_with(&format!("{f}/")))
                };
                keep[i] = tag_ok && folder_ok;
            }
            // A missing note stays only while a kept note wants it.
            let mut wanted = vec![false; n];
            for e in &graph.edges {
                if keep[e.source as usize] {
                    wanted[e.target as usize] = true;
                }
            }
            for i in note_count..n {
                keep[i] &= wanted[i];
            }
        }

        let mut new_index = vec![u32::MAX; n];
        let mut nodes = Vec::new();
        for (i, node) in graph.nodes.iter().enumerate() {
            if keep[i] {
                new_index[i] = nodes.len() as u32;
                nodes.push(node.clone());
            }
        }
        let edges = graph
            .edges
            .iter()
            .filter(|e| keep[e.source as usize] && keep[e.target as usize])
            .map(|e| Edge {
                source: new_index[e.source as usize],
                target: new_index[e.target as usize],
                ..e.clone()
            })
            .collect();
        Graph { nodes, edges }
    }
}

impl Full {
    /// What [`Full::select`] gives, taking the graph instead of copying it
    /// when `options` keep every note (a whole vault: `carnet graph`).
    pub fn into_selected(self, options: &Options) -> Graph {
        if options.from.is_some() || !options.tags.is_empty() || !options.folders.is_empty() {
            return self.select(options);
        }
        let mut graph = self.graph;
        if !options.include_unresolved {
            // Missing notes come last: dropping them renumbers nothing.
            let notes = self.note_count as u32;
            graph.nodes.truncate(self.note_count);
            graph.edges.retain(|e| e.target < notes);
        }
        graph
    }
}

/// Whether tag `t` is one of `wanted` (folded) or nested in one.
fn has_tag(t: &Sym, wanted: &[String]) -> bool {
    let t = fold(t.as_str());
    wanted
        .iter()
        .any(|w| t == *w || (t.starts_with(w.as_str()) && t[w.len()..].starts_with('/')))
}

/// The vault's link graph, or the part of it `options` asks for.
pub fn graph(snap: &Snapshot, options: &Options) -> Graph {
    Full::build(snap).into_selected(options)
}

/// The note a user names on the command line or in a request: a
/// vault-relative path (`.md` optional), or anything a `[[link]]` to it
/// could say (`Name`, `folder/Name`), resolved as that link would be.
pub fn find_note(snap: &Snapshot, name: &str) -> Option<NotePath> {
    let name = name.trim().trim_start_matches("./");
    if name.is_empty() {
        return None;
    }
    if let Some(note) = snap.note(name) {
        return Some(note.path.clone());
    }
    let link = Link {
        kind: LinkKind::Wiki,
        span: Span::default(),
        target_span: Span::default(),
        target: Sym::new(name),
        subpath_text: None,
        subpath_span: None,
        name_key: Link::name_key_of(name),
        destination: crate::names::Destination::Bare(crate::names::NonAscii::Readable),
    };
    snap.resolve_note("", &link)
}

#[cfg(test)]
mod tests;
