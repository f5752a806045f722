//! Problems in a vault, computed from a snapshot: the engine behind both
//! `carnet check` and the server's diagnostics.
//!
//! Pure: it reads a [`Snapshot`] and returns [`Problem`]s. Printing them is
//! the CLI's business; turning them into LSP diagnostics the server's.
//! Link problems depend on one note and the names it links to; tag problems
//! on the whole vault's tag usage, computed once per snapshot ([`Checker`]).

mod tags;

use std::collections::HashMap;

use rayon::prelude::*;

use crate::vault::{Config, TagRules};

use crate::facts::{Link, Subpath};
use crate::index::resolve::{Resolution, SubpathMatch, Unresolved};
use crate::index::{Note, NotePath, Snapshot};
use crate::text::Span;

/// How serious a problem is, most serious first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
    Info,
    Hint,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
            Severity::Hint => "hint",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        Some(match s {
            "error" => Severity::Error,
            "warning" => Severity::Warning,
            "info" => Severity::Info,
            "hint" => Severity::Hint,
            _ => return None,
        })
    }
}

/// A configured level: a severity, or off.
pub struct Level;

impl Level {
    /// `Some(None)` is `off`.
    pub fn parse(s: &str) -> Option<Option<Severity>> {
        if s == "off" {
            Some(None)
        } else {
            Severity::parse(s).map(Some)
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
    pub const LINK_CASE: &str = "link-case";
    pub const TAG_VARIANT: &str = "tag-variant";
    pub const TAG_NEAR_MISS: &str = "tag-near-miss";
    pub const TAG_UNKNOWN: &str = "tag-unknown";
    pub const TAG_DIGITS_ONLY: &str = "tag-digits-only";
    pub const ALL: &[&str] = &[
        UNRESOLVED_LINK,
        UNRESOLVED_HEADING,
        UNRESOLVED_BLOCK,
        UNRESOLVED_ATTACHMENT,
        AMBIGUOUS_LINK,
        LINK_CASE,
        TAG_VARIANT,
        TAG_NEAR_MISS,
        TAG_UNKNOWN,
        TAG_DIGITS_ONLY,
    ];
}

/// What to check and how loudly: from a vault's `carnet.toml`.
#[derive(Clone, Debug, Default)]
pub struct Rules {
    pub tags: TagRules,
    /// Code → severity, or `None` for off; codes not here keep their default.
    pub levels: HashMap<String, Option<Severity>>,
}

impl Rules {
    pub fn from_config(config: &Config) -> Rules {
        Rules {
            tags: config.tags.clone(),
            levels: config
                .diagnostics
                .iter()
                .filter_map(|(code, level)| Some((code.clone(), Level::parse(level)?)))
                .collect(),
        }
    }
}

/// Checks notes of one snapshot; holds the vault-wide tag findings.
pub struct Checker {
    rules: Rules,
    tags: tags::Findings,
}

impl Checker {
    pub fn new(snap: &Snapshot, rules: &Rules) -> Checker {
        Checker {
            rules: rules.clone(),
            tags: tags::Findings::new(snap, &rules.tags),
        }
    }

    /// Every problem in the vault, sorted by path and position.
    pub fn vault(&self, snap: &Snapshot) -> Vec<Problem> {
        self.vault_until(snap, &|| false).unwrap_or_default()
    }

    /// [`Checker::vault`] that gives up (`None`) once `stop` says so, as
    /// when the request that asked is cancelled. `stop` is asked per note.
    pub fn vault_until(
        &self,
        snap: &Snapshot,
        stop: &(dyn Fn() -> bool + Sync),
    ) -> Option<Vec<Problem>> {
        let per_note: Vec<Vec<Problem>> = by_path(snap)
            .par_iter()
            .map(|note| match stop() {
                true => Vec::new(),
                false => self.note(snap, note),
            })
            .collect();
        (!stop()).then(|| per_note.into_iter().flatten().collect())
    }

    /// Every problem in the vault in the order of [`Checker::vault`], a
    /// note at a time: `render` turns each note's problems into a `T` on
    /// all cores (the CLI formats its output lines there), and `each` takes
    /// the `T`s in path order on the calling thread. The vault is checked a
    /// thousand notes at a time, so its problems are never all held at
    /// once (an ambiguous link's message names every candidate: at 100,000
    /// notes sharing names ten times, a gigabyte of text).
    pub fn vault_each<T: Send>(
        &self,
        snap: &Snapshot,
        render: impl Fn(&[Problem]) -> T + Sync,
        mut each: impl FnMut(T),
    ) {
        for notes in by_path(snap).chunks(1024) {
            let rendered: Vec<T> = notes
                .par_iter()
                .map(|note| render(&self.note(snap, note)))
                .collect();
            rendered.into_iter().for_each(&mut each);
        }
    }

    /// The problems of one note, in text order (by position, then code).
    pub fn note(&self, snap: &Snapshot, note: &Note) -> Vec<Problem> {
        let mut out = Vec::new();
        // A link in a `%%` comment is switched off: not checked.
        for link in note
            .facts
            .links
            .iter()
            .filter(|l| !note.facts.is_commented(l))
        {
            link_problems(snap, note, link, &mut out);
        }
        self.tags.problems(note, &mut out);
        out.retain_mut(|p| match self.rules.levels.get(p.code) {
            Some(Some(level)) => {
                p.severity = *level;
                true
            }
            Some(None) => false,
            None => true,
        });
        out.sort_by_key(|p| (p.span.start, p.code));
        out
    }
}

/// The notes of a snapshot in path order: the order problems are listed in.
fn by_path(snap: &Snapshot) -> Vec<&std::sync::Arc<Note>> {
    let mut notes: Vec<&std::sync::Arc<Note>> = snap.notes().collect();
    notes.sort_unstable_by(|a, b| a.path.cmp(&b.path));
    notes
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
    /// Other places the problem is about: the candidates of an ambiguous
    /// link (the one used first), the target of a missing heading or block.
    pub related: Vec<NotePath>,
    /// What the writer probably meant (the usual spelling of a tag).
    pub suggestion: Option<String>,
}

fn quoted_target(link: &Link) -> String {
    format!("\"{}\"", link.target)
}

/// A problem at `span` of `note`.
fn problem_at(
    note: &Note,
    span: Span,
    severity: Severity,
    code: &'static str,
    message: String,
    related: Vec<NotePath>,
) -> Problem {
    let (line, column) = note.facts.lines.line_col(span.start);
    Problem {
        path: note.path.clone(),
        span,
        line,
        column,
        severity,
        code,
        message,
        related,
        suggestion: None,
    }
}

/// An ambiguous link to a missing heading has both problems.
fn link_problems(snap: &Snapshot, note: &Note, link: &Link, out: &mut Vec<Problem>) {
    let problem = |severity, code, message: String, related| {
        problem_at(note, link.span, severity, code, message, related)
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
            let written = crate::names::note_stem(link.target.trim());
            if !written.is_empty() && written != target_name && others.is_empty() {
                out.push(problem(
                    Severity::Hint,
                    code::LINK_CASE,
                    format!("\"{written}\" is written \"{target_name}\" in the note's name"),
                    vec![path.clone()],
                ));
            }
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
            let mut all = Vec::with_capacity(others.len() + 1);
            all.push(path.clone());
            all.extend(others);
            out.push(problem(
                Severity::Warning,
                code::AMBIGUOUS_LINK,
                ambiguous_message(link, &all),
                all,
            ));
        }
    }
}

/// `"Name" matches 3 notes: a/Name.md, b/Name.md, c/Name.md; using a/Name.md`,
/// written into one allocation of the right size: a full check of a vault
/// whose names are shared writes one of these for most links.
fn ambiguous_message(link: &Link, all: &[NotePath]) -> String {
    use std::fmt::Write;
    let names: usize = all.iter().map(|p| p.len() + 2).sum();
    let mut m = String::with_capacity(link.target.as_str().len() + names + all[0].len() + 32);
    let _ = write!(m, "\"{}\" matches {} notes: ", link.target, all.len());
    for (i, p) in all.iter().enumerate() {
        if i > 0 {
            m.push_str(", ");
        }
        m.push_str(p);
    }
    m.push_str("; using ");
    m.push_str(&all[0]);
    m
}
