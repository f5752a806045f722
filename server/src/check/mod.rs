//! Problems in a vault, computed from a snapshot: the engine behind
//! `carnet check` (and, later, the server's diagnostics).
//!
//! Pure: it reads a [`Snapshot`] and returns [`Problem`]s. Printing them is
//! the CLI's business; turning them into LSP diagnostics the server's.

use rayon::prelude::*;

use crate::facts::{Link, Subpath};
use crate::index::resolve::{Resolution, SubpathMatch, Unresolved};
use crate::index::{Note, NotePath, Snapshot};
use crate::text::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// Stable problem codes (documented in docs/check.md).
pub mod code {
    pub const UNRESOLVED_LINK: &str = "unresolved-link";
    pub const UNRESOLVED_HEADING: &str = "unresolved-heading";
    pub const UNRESOLVED_BLOCK: &str = "unresolved-block";
    pub const UNRESOLVED_ATTACHMENT: &str = "unresolved-attachment";
    pub const AMBIGUOUS_LINK: &str = "ambiguous-link";
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub path: NotePath,
    pub span: Span,
    /// Zero-based line and byte column of the span's start.
    pub line: u32,
    pub column: u32,
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
    /// Other places the problem is about (the candidates of an ambiguous link).
    pub related: Vec<NotePath>,
}

/// Every problem in the vault, sorted by path and position.
pub fn check_vault(snap: &Snapshot) -> Vec<Problem> {
    let notes: Vec<&std::sync::Arc<Note>> = snap.notes().collect();
    let mut problems: Vec<Problem> = notes
        .par_iter()
        .flat_map_iter(|note| check_note(snap, note))
        .collect();
    problems.sort_by(|a, b| (&a.path, a.span.start, a.code).cmp(&(&b.path, b.span.start, b.code)));
    problems
}

/// The problems of one note's links.
pub fn check_note(snap: &Snapshot, note: &Note) -> Vec<Problem> {
    let mut out = Vec::new();
    for link in &note.facts.links {
        link_problems(snap, note, link, &mut out);
    }
    out
}

fn quoted_target(link: &Link) -> String {
    format!("\"{}\"", link.target)
}

/// An ambiguous link to a missing heading has both problems.
fn link_problems(snap: &Snapshot, note: &Note, link: &Link, out: &mut Vec<Problem>) {
    let (line, column) = note.facts.lines.line_col(link.span.start);
    let problem = |severity, code, message: String, related| Problem {
        path: note.path.clone(),
        span: link.span,
        line,
        column,
        severity,
        code,
        message,
        related,
    };
    match snap.resolve(&note.path, link) {
        Resolution::Attachment(_) => {}
        Resolution::Unresolved(why) => out.push(match why {
            Unresolved::Note => problem(
                Severity::Error,
                code::UNRESOLVED_LINK,
                if link.kind.is_wiki() {
                    format!("no note named {}", quoted_target(link))
                } else {
                    format!("no note at {}", quoted_target(link))
                },
                vec![],
            ),
            Unresolved::Attachment => problem(
                Severity::Warning,
                code::UNRESOLVED_ATTACHMENT,
                format!("no file named {}", quoted_target(link)),
                vec![],
            ),
            Unresolved::OutsideVault => problem(
                Severity::Error,
                code::UNRESOLVED_LINK,
                format!("{} points outside the vault", quoted_target(link)),
                vec![],
            ),
        }),
        Resolution::Note {
            path,
            others,
            subpath,
        } => {
            let target_name = crate::names::note_stem(&path);
            match (subpath, &link.subpath()) {
                (SubpathMatch::MissingHeading, Some(Subpath::Heading(parts))) => {
                    out.push(problem(
                        Severity::Warning,
                        code::UNRESOLVED_HEADING,
                        format!("no heading \"{}\" in \"{target_name}\"", parts.join("#")),
                        vec![path.clone()],
                    ));
                }
                (SubpathMatch::MissingBlock, Some(Subpath::Block(id))) => {
                    out.push(problem(
                        Severity::Warning,
                        code::UNRESOLVED_BLOCK,
                        format!("no block \"^{id}\" in \"{target_name}\""),
                        vec![path.clone()],
                    ));
                }
                _ => {}
            }
            if others.is_empty() {
                return;
            }
            let mut all = vec![path.clone()];
            all.extend(others);
            out.push(problem(
                Severity::Warning,
                code::AMBIGUOUS_LINK,
                format!(
                    "{} matches {} notes: {}; using {path}",
                    quoted_target(link),
                    all.len(),
                    all.join(", ")
                ),
                all,
            ));
        }
    }
}
