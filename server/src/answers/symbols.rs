//! Document outline and vault-wide symbol search.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use crate::index::{Note, NotePath, Snapshot};
use crate::text::Span;

/// A heading and the section it opens, with its sub-headings.
#[derive(Clone, Debug, PartialEq)]
pub struct DocumentSymbol {
    pub name: String,
    pub level: u8,
    /// The heading line.
    pub span: Span,
    /// Byte offset where the section ends: the next heading of the same or
    /// a higher level, or the end of the note.
    pub section_end: u32,
    pub children: Vec<DocumentSymbol>,
}

/// The heading tree of a note.
pub fn document_symbols(note: &Note) -> Vec<DocumentSymbol> {
    let hs = &note.facts.headings;
    let flat: Vec<DocumentSymbol> = hs
        .iter()
        .enumerate()
        .map(|(i, h)| DocumentSymbol {
            name: h.text.to_string(),
            level: h.level,
            span: h.span,
            section_end: note.facts.section(i).end,
            children: vec![],
        })
        .collect();
    nest(flat)
}

/// Builds the tree: each heading goes under the nearest earlier heading of
/// a lower level.
fn nest(flat: Vec<DocumentSymbol>) -> Vec<DocumentSymbol> {
    let mut roots: Vec<DocumentSymbol> = Vec::new();
    let mut stack: Vec<DocumentSymbol> = Vec::new();
    for sym in flat {
        while stack.last().is_some_and(|top| top.level >= sym.level) {
            let done = stack.pop().expect("non-empty");
            attach(&mut stack, &mut roots, done);
        }
        stack.push(sym);
    }
    while let Some(done) = stack.pop() {
        attach(&mut stack, &mut roots, done);
    }
    roots
}

fn attach(stack: &mut [DocumentSymbol], roots: &mut Vec<DocumentSymbol>, sym: DocumentSymbol) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(sym),
        None => roots.push(sym),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SymbolKind {
    Note,
    Alias,
    Heading,
    Tag,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SymbolHit {
    pub name: String,
    pub kind: SymbolKind,
    pub path: NotePath,
    pub span: Span,
    pub score: u32,
}

/// Fuzzy search over note names, titles, aliases, headings and tags, best
/// matches first, at most `limit`. An empty query lists notes.
pub fn workspace_symbols(snap: &Snapshot, query: &str, limit: usize) -> Vec<SymbolHit> {
    let mut matcher = Matcher::new(Config::DEFAULT);
    let pattern = Pattern::parse(query, CaseMatching::Ignore, Normalization::Smart);
    let mut buf = Vec::new();
    let mut hits: Vec<SymbolHit> = Vec::new();
    let mut consider =
        |name: &str, kind: SymbolKind, path: &NotePath, span: Span, hits: &mut Vec<SymbolHit>| {
            let score = if query.is_empty() {
                Some(0)
            } else {
                pattern.score(Utf32Str::new(name, &mut buf), &mut matcher)
            };
            if let Some(score) = score {
                hits.push(SymbolHit {
                    name: name.to_string(),
                    kind,
                    path: path.clone(),
                    span,
                    score,
                });
            }
        };
    let mut seen_tags = rustc_hash::FxHashSet::default();
    for note in snap.notes() {
        let f = &note.facts;
        consider(
            note.name(),
            SymbolKind::Note,
            &note.path,
            Span::default(),
            &mut hits,
        );
        if let (Some(title), Some(span)) = (&f.title, f.title_span)
            && **title != *note.name()
        {
            consider(title, SymbolKind::Note, &note.path, span, &mut hits);
        }
        if query.is_empty() {
            continue;
        }
        for alias in &f.aliases {
            consider(
                alias,
                SymbolKind::Alias,
                &note.path,
                f.title_span.unwrap_or_default(),
                &mut hits,
            );
        }
        for h in &f.headings {
            consider(&h.text, SymbolKind::Heading, &note.path, h.span, &mut hits);
        }
        for t in &f.tags {
            // One hit per tag: its first use.
            if seen_tags.insert(crate::names::fold(&t.name)) {
                consider(
                    &format!("#{}", t.name),
                    SymbolKind::Tag,
                    &note.path,
                    t.span,
                    &mut hits,
                );
            }
        }
    }
    hits.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then(a.kind.cmp(&b.kind))
            .then(a.name.len().cmp(&b.name.len()))
            .then_with(|| a.path.cmp(&b.path))
    });
    hits.truncate(limit);
    hits
}
