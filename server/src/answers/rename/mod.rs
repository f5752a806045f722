//! Rename: notes, attachments, folders, headings, tags and block ids,
//! without breaking a link.
//!
//! A rename is planned from a snapshot, like every other answer: the files
//! to move and the text edits to make. Link edits are never guessed. The
//! moves are applied to a copy of the snapshot (`after`), and every link
//! that could be affected is resolved again there: a link whose target
//! moved gets a new target written in its own style, and any other link
//! whose resolution would change (a renamed note taking its name, say) is
//! rewritten to keep pointing where it did. Each new link text is itself
//! resolved in `after` before it is accepted; when no form keeps a link
//! right, the rename is refused. The texts being edited are checked against
//! the facts they were indexed from, so a file that changed on disk since is
//! refused rather than damaged.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::{At, Cursor, cursor, fixes::subpath_span};
use crate::facts::{Link, Subpath, Sym, extract, is_tag_char};
use crate::index::resolve::{Resolution, SubpathMatch, match_subpath};
use crate::index::{Note, NotePath, Snapshot};
use crate::names::{
    Destination, NonAscii, encode_md_path, fold, heading_key_eq, note_stem, parent, relative_path,
    slug, strip_md,
};
use crate::text::Span;

mod fragments;
mod link_text;
mod moves;
mod parts;
mod tags;
mod texts;

use link_text::*;
use texts::*;

pub use fragments::{Leave, extract_to_note, inline_embed};
pub(crate) use link_text::encode_like;
pub use moves::{move_files, move_files_unread, move_paths, rename_attachment, rename_note};
pub use parts::{rename_block, rename_heading};
pub use tags::rename_tag;
pub use texts::apply_edits;

/// One replacement in a note's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub span: Span,
    pub text: String,
}

/// What a rename does: file moves (vault-relative, old → new) and text
/// edits, keyed by each note's path *before* the moves, sorted and
/// non-overlapping within a note.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    pub moves: Vec<(NotePath, String)>,
    pub edits: BTreeMap<NotePath, Vec<Edit>>,
    /// New notes (vault-relative path, text), created before anything else
    /// and never over an existing file.
    pub creates: Vec<(String, String)>,
}

impl Plan {
    /// How many text edits the plan makes.
    pub fn edit_count(&self) -> usize {
        self.edits.values().map(Vec::len).sum()
    }
}

/// Why nothing is renamed. The message is for the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RenameError {
    /// The cursor is on nothing that can be renamed.
    Nothing(String),
    /// The new name is not acceptable.
    Invalid(String),
    /// Something with the new name exists already.
    Exists(String),
    /// Some link could not be kept pointing at its target.
    Unsafe(String),
    /// A note's text no longer matches the index (changed on disk or in
    /// the editor while the rename was computed).
    Changed(String),
}

impl fmt::Display for RenameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RenameError::Nothing(m)
            | RenameError::Invalid(m)
            | RenameError::Exists(m)
            | RenameError::Unsafe(m)
            | RenameError::Changed(m) => f.write_str(m),
        }
    }
}

type Result<T> = std::result::Result<T, RenameError>;

/// A note's edits, if it needs any.
type NoteEdits = Option<(NotePath, Vec<Edit>)>;

/// Supplies a note's current text (the editor's buffer, or the disk).
pub type TextOf<'a> = &'a (dyn Fn(&str) -> Option<String> + Sync);

/// Whether the caller proves, without reading, that a note still holds
/// exactly the text its facts were taken from (`vault::unchanged`: a stat
/// equal to the one taken when it was read). Such a note's edits are
/// checked against its facts instead of its text.
pub type Unchanged<'a> = &'a (dyn Fn(&Note) -> bool + Sync);

/// What the cursor is on, for a rename.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Note(NotePath),
    Attachment(NotePath),
    Heading(NotePath, usize),
    Block(NotePath, usize),
    /// A tag (as written at the cursor, up to the component under it).
    Tag(String),
}

/// The range the editor highlights, the text it proposes, and what it
/// stands for.
#[derive(Clone, Debug)]
pub struct Prepared {
    pub span: Span,
    pub placeholder: String,
    pub target: Target,
}

/// `textDocument/prepareRename`: what would be renamed at the cursor.
pub fn prepare(snap: &Snapshot, from: &str, at: At, text: &str) -> Result<Prepared> {
    let nothing = || RenameError::Nothing("nothing to rename here".into());
    let note = snap.note(from).ok_or_else(nothing)?;
    let f = &note.facts;
    match cursor(note, at) {
        Cursor::Link(link) => {
            let unresolved = || {
                RenameError::Nothing(format!(
                    "\"{}\" does not lead to a note or file; nothing to rename",
                    link.target
                ))
            };
            let sub = subpath_span(text, link);
            match snap.resolve(from, link) {
                Resolution::Note { path, subpath, .. } => {
                    if let Some(sub) = sub.filter(|s| s.start <= at.offset && at.offset <= s.end) {
                        let target = snap.note(&path).ok_or_else(unresolved)?;
                        return match subpath {
                            SubpathMatch::Heading(i) => {
                                let part = last_heading_part(text, sub);
                                Ok(Prepared {
                                    span: part,
                                    placeholder: target.facts.headings[i].text.to_string(),
                                    target: Target::Heading(path, i),
                                })
                            }
                            SubpathMatch::Block(i) => Ok(Prepared {
                                span: block_part(text, sub),
                                placeholder: target.facts.blocks[i].id.to_string(),
                                target: Target::Block(path, i),
                            }),
                            _ => Err(RenameError::Nothing(
                                "this heading or block does not exist; nothing to rename".into(),
                            )),
                        };
                    }
                    let span = if link.target_span.start == link.target_span.end {
                        link.span
                    } else {
                        link.target_span
                    };
                    Ok(Prepared {
                        span,
                        placeholder: note_stem(&path).to_string(),
                        target: Target::Note(path),
                    })
                }
                Resolution::Attachment(path) => Ok(Prepared {
                    span: link.target_span,
                    placeholder: crate::names::file_name(&path).to_string(),
                    target: Target::Attachment(path),
                }),
                Resolution::Unresolved(_) => Err(unresolved()),
            }
        }
        Cursor::Tag(tag) => {
            let name_start = tag.span.start + u32::from(text_at(text, tag.span).starts_with('#'));
            // The component under the cursor and those before it.
            let name: &str = &tag.name;
            let rel = (at.offset.saturating_sub(name_start) as usize).min(name.len());
            let end = name.as_bytes()[rel..]
                .iter()
                .position(|&b| b == b'/')
                .map_or(name.len(), |i| rel + i);
            Ok(Prepared {
                span: Span {
                    start: name_start,
                    end: name_start + end as u32,
                },
                placeholder: name[..end].to_string(),
                target: Target::Tag(name[..end].to_string()),
            })
        }
        Cursor::Heading(i) => Ok(Prepared {
            span: heading_content(text, f.headings[i].span),
            placeholder: f.headings[i].text.to_string(),
            target: Target::Heading(note.path.clone(), i),
        }),
        Cursor::Block(i) => Ok(Prepared {
            span: Span {
                start: f.blocks[i].span.start + 1,
                end: f.blocks[i].span.end,
            },
            placeholder: f.blocks[i].id.to_string(),
            target: Target::Block(note.path.clone(), i),
        }),
        Cursor::Title => {
            let span = match (f.title_span, f.headings.first()) {
                (Some(s), _) if s.touches(at.offset) => s,
                (_, Some(h)) if h.span.touches(at.offset) => heading_content(text, h.span),
                _ => Span::new(0..first_line_end(text)),
            };
            Ok(Prepared {
                span,
                placeholder: note.name().to_string(),
                target: Target::Note(note.path.clone()),
            })
        }
        Cursor::None => Err(nothing()),
    }
}

/// `textDocument/rename`: renames what [`prepare`] finds at the cursor.
pub fn rename(
    snap: &Snapshot,
    from: &str,
    at: At,
    new_name: &str,
    text_of: TextOf,
) -> Result<Plan> {
    let text = text_of(from).ok_or_else(|| RenameError::Changed(format!("cannot read {from}")))?;
    match prepare(snap, from, at, &text)?.target {
        Target::Note(path) => rename_note(snap, &path, new_name, text_of),
        Target::Attachment(path) => rename_attachment(snap, &path, new_name, text_of),
        Target::Heading(path, i) => rename_heading(snap, &path, i, new_name, text_of),
        Target::Block(path, i) => rename_block(snap, &path, i, new_name, text_of),
        Target::Tag(tag) => rename_tag(snap, &tag, new_name, text_of),
    }
}

/// Characters that would break a link if a name held them.
const FORBIDDEN: &[char] = &['#', '|', '^', ':', '[', ']', '\\'];

fn check_name(new: &str, what: &str) -> Result<()> {
    if new.is_empty() {
        return Err(RenameError::Invalid(format!("the new {what} is empty")));
    }
    if let Some(c) = new
        .chars()
        .find(|c| FORBIDDEN.contains(c) || c.is_control())
    {
        return Err(RenameError::Invalid(format!(
            "a {what} cannot contain {c:?}: links to it would break"
        )));
    }
    if new.contains("%%") {
        return Err(RenameError::Invalid(format!(
            "a {what} cannot contain \"%%\": it starts a comment"
        )));
    }
    Ok(())
}

/// Adds `edit` to a note's list in `out`.
fn push(out: &mut BTreeMap<NotePath, Vec<Edit>>, path: &NotePath, edit: Edit) {
    let list = out.entry(path.clone()).or_default();
    if !list.iter().any(|e| e.span == edit.span) {
        list.push(edit);
    }
}

/// Sorts each note's edits and checks them against its text.
fn finish(
    mut edits: BTreeMap<NotePath, Vec<Edit>>,
    texts: &FxHashMap<NotePath, String>,
) -> Result<Plan> {
    for (path, list) in &mut edits {
        list.sort_by_key(|e| e.span.start);
        let text = texts.get(path).map_or("", String::as_str);
        check_applies(text, list, path)?;
    }
    Ok(Plan {
        edits,
        ..Plan::default()
    })
}

#[cfg(test)]
mod tests;
