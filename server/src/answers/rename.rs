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
use crate::names::{fold, heading_key_eq, note_stem, parent, slug, strip_md};
use crate::text::Span;

/// One replacement in a note's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub span: Span,
    pub text: String,
}

/// What a rename does: file moves (vault-relative, old → new) and text
/// edits, keyed by each note's path *before* the moves, sorted and
/// non-overlapping within a note.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    pub moves: Vec<(NotePath, String)>,
    pub edits: BTreeMap<NotePath, Vec<Edit>>,
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

/// The new vault-relative path for a file named `new` by the user: a bare
/// name stays in the file's folder; a name with `/` is a path from the
/// vault root. `ext` is the extension the file must keep (`.md` for notes).
fn new_path(old: &str, new: &str, note: bool) -> Result<String> {
    let new = new.trim();
    let new = if note { strip_md(new).trim_end() } else { new };
    check_path(new, note)?;
    let file = if note {
        format!("{new}.md")
    } else {
        new.to_string()
    };
    Ok(if new.contains('/') {
        file
    } else {
        match parent(old) {
            "" => file,
            dir => format!("{dir}/{file}"),
        }
    })
}

/// Whether `new` (a vault path; for a note without `.md`) can be a file's
/// path: inside the vault, not hidden, and no part a link could not name.
fn check_path(new: &str, note: bool) -> Result<()> {
    let what = if note { "note name" } else { "file name" };
    if new.starts_with('/') || new.split('/').any(|p| p == ".." || p == ".") {
        return Err(RenameError::Invalid(format!(
            "\"{new}\" leaves the vault: give a name, or a path from the vault's root"
        )));
    }
    for part in new.split('/') {
        check_name(part.trim(), what)?;
        if part.starts_with('.') {
            return Err(RenameError::Invalid(format!(
                "\"{part}\" starts with a dot: carnet (like Obsidian) ignores hidden files"
            )));
        }
        if part.trim() != part {
            return Err(RenameError::Invalid(format!(
                "\"{part}\" starts or ends with a space"
            )));
        }
    }
    Ok(())
}

/// Renames (or moves) a note and rewrites the links to it.
pub fn rename_note(snap: &Snapshot, path: &str, new_name: &str, text_of: TextOf) -> Result<Plan> {
    let note = indexed(snap, path)?;
    let new = new_path(path, new_name, true)?;
    if new == *path {
        return Err(RenameError::Invalid(format!(
            "the note is already named {new}"
        )));
    }
    // Names compare case-insensitively, on every file system: two notes
    // differing only in case would make every link to either ambiguous.
    if let Some(other) = snap.note_at(&fold(strip_md(&new)))
        && **other != *path
    {
        return Err(RenameError::Exists(format!("{other} already exists")));
    }
    if snap.file_at(&fold(&new)).is_some() {
        return Err(RenameError::Exists(format!("{new} already exists")));
    }
    let moves = vec![(note.path.clone(), new)];
    let edits = relink(snap, &moves, text_of)?;
    Ok(Plan { moves, edits })
}

/// Renames (or moves) an attachment and rewrites the links to it.
pub fn rename_attachment(
    snap: &Snapshot,
    path: &str,
    new_name: &str,
    text_of: TextOf,
) -> Result<Plan> {
    let old = snap
        .file_at(&fold(path))
        .ok_or_else(|| RenameError::Nothing(format!("{path} is not indexed")))?
        .clone();
    let new = new_path(path, new_name, false)?;
    if new == *path {
        return Err(RenameError::Invalid(format!(
            "the file is already named {new}"
        )));
    }
    if crate::names::has_other_extension(&new) != crate::names::has_other_extension(path)
        || new.to_ascii_lowercase().ends_with(".md")
    {
        return Err(RenameError::Invalid(format!(
            "\"{new}\" would change what kind of file this is; keep its extension"
        )));
    }
    if let Some(other) = snap.file_at(&fold(&new))
        && **other != *path
    {
        return Err(RenameError::Exists(format!("{other} already exists")));
    }
    let moves = vec![(old, new)];
    let edits = relink(snap, &moves, text_of)?;
    Ok(Plan { moves, edits })
}

/// Link edits for files and folders the editor is renaming itself
/// (`workspace/willRenameFiles`). `moves` are vault-relative; a folder
/// stands for every file under it. The returned plan's `moves` list every
/// indexed file that moves.
pub fn move_files(snap: &Snapshot, moves: &[(String, String)], text_of: TextOf) -> Result<Plan> {
    let all = expand(snap, moves);
    for (old, new) in &all {
        if snap.note(old).is_some() && !new.to_ascii_lowercase().ends_with(".md") {
            return Err(RenameError::Invalid(format!(
                "{new} is not a Markdown file: links to {old} cannot follow it"
            )));
        }
    }
    let edits = relink(snap, &all, text_of)?;
    Ok(Plan { moves: all, edits })
}

/// Every indexed file that `moves` move (a folder stands for what is in it).
fn expand(snap: &Snapshot, moves: &[(String, String)]) -> Vec<(NotePath, String)> {
    let mut all: Vec<(NotePath, String)> = Vec::new();
    for (old, new) in moves {
        if let Some(note) = snap.note(old) {
            all.push((note.path.clone(), new.clone()));
        } else if let Some(file) = snap.file_at(&fold(old)) {
            all.push((file.clone(), new.clone()));
        } else {
            let prefix = format!("{}/", old.trim_end_matches('/'));
            let new_prefix = format!("{}/", new.trim_end_matches('/'));
            let under = |p: &NotePath| {
                p.strip_prefix(&prefix)
                    .map(|rest| (p.clone(), format!("{new_prefix}{rest}")))
            };
            all.extend(snap.notes().filter_map(|n| under(&n.path)));
            all.extend(snap.attachments().filter_map(under));
        }
    }
    all
}

/// Moves of files and folders asked for outside the editor (`carnet mv`),
/// with the refusals of an editor rename: each new path must be a valid
/// name inside the vault, keep its kind of file, and take no other file's
/// name (compared case-insensitively); then [`move_files`] plans them.
pub fn move_paths(snap: &Snapshot, moves: &[(String, String)], text_of: TextOf) -> Result<Plan> {
    let all = expand(snap, moves);
    if all.is_empty() {
        let what = moves.first().map_or("", |m| m.0.as_str());
        return Err(RenameError::Nothing(format!(
            "{what} holds no note or file of the vault"
        )));
    }
    let moving: BTreeSet<&str> = all.iter().map(|(o, _)| &**o).collect();
    let taken = |other: &NotePath| !moving.contains(&**other);
    for (old, new) in &all {
        let note = snap.note(old).is_some();
        check_path(if note { strip_md(new) } else { new }, note)?;
        if !note
            && (crate::names::has_other_extension(new) != crate::names::has_other_extension(old)
                || new.to_ascii_lowercase().ends_with(".md"))
        {
            return Err(RenameError::Invalid(format!(
                "\"{new}\" would change what kind of file {old} is; keep its extension"
            )));
        }
        let clash = snap
            .note_at(&fold(strip_md(new)))
            .filter(|o| taken(o))
            .or_else(|| snap.file_at(&fold(new)).filter(|o| taken(o)));
        if let Some(other) = clash {
            return Err(RenameError::Exists(format!("{other} already exists")));
        }
    }
    move_files(snap, moves, text_of)
}

/// Where a link lands, for comparing before and after a change.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Lands {
    Note {
        path: NotePath,
        sub: SubpathMatch,
        ambiguous: bool,
    },
    File(NotePath),
}

fn lands(snap: &Snapshot, from: &str, link: &Link) -> Option<Lands> {
    match snap.resolve(from, link) {
        Resolution::Note {
            path,
            others,
            subpath,
        } => Some(Lands::Note {
            path,
            sub: subpath,
            ambiguous: !others.is_empty(),
        }),
        Resolution::Attachment(path) => Some(Lands::File(path)),
        Resolution::Unresolved(_) => None,
    }
}

impl Lands {
    fn path(&self) -> &NotePath {
        match self {
            Lands::Note { path, .. } | Lands::File(path) => path,
        }
    }

    /// Whether landing at `self` keeps a link that landed at `wanted`
    /// right: same file and part, and not ambiguous unless it was.
    fn keeps(&self, wanted: &Lands) -> bool {
        match (self, wanted) {
            (
                Lands::Note {
                    path,
                    sub,
                    ambiguous,
                },
                Lands::Note {
                    path: p,
                    sub: s,
                    ambiguous: a,
                },
            ) => path == p && sub == s && (!ambiguous || *a),
            (Lands::File(a), Lands::File(b)) => a == b,
            _ => false,
        }
    }
}

/// Applies `moves` to `snap`'s paths (facts unchanged), for resolving.
fn moved(snap: &Snapshot, moves: &[(NotePath, String)]) -> Snapshot {
    let (notes, files): (Vec<_>, Vec<_>) = moves
        .iter()
        .cloned()
        .partition(|(old, _)| snap.note(old).is_some());
    let mut after = snap.with_notes_moved(&notes);
    for (old, _) in &files {
        after = after.with_attachment(old, false);
    }
    for (_, new) in &files {
        after = after.with_attachment(new, true);
    }
    after
}

/// The link edits that keep every link pointing where it did once `moves`
/// are made.
fn relink(
    snap: &Snapshot,
    moves: &[(NotePath, String)],
    text_of: TextOf,
) -> Result<BTreeMap<NotePath, Vec<Edit>>> {
    for (i, (_, new)) in moves.iter().enumerate() {
        let key = fold(strip_md(new));
        if moves[..i].iter().any(|(_, n)| fold(strip_md(n)) == key) {
            return Err(RenameError::Exists(format!(
                "two files would be named {new}"
            )));
        }
    }
    let after = moved(snap, moves);
    let map: FxHashMap<&str, &str> = moves.iter().map(|(o, n)| (&**o, n.as_str())).collect();
    // Names whose links can change: the old and new names of what moves.
    let keys: BTreeSet<Sym> = moves
        .iter()
        .flat_map(|(o, n)| [fold(note_stem(o)), fold(note_stem(n))])
        .map(|k| Sym::new(&k))
        .collect();
    let mut sources: BTreeSet<NotePath> = keys
        .iter()
        .flat_map(|k| snap.linkers_of_name(k).iter().cloned())
        .collect();
    sources.extend(
        moves
            .iter()
            .filter(|(o, _)| snap.note(o).is_some())
            .map(|(o, _)| o.clone()),
    );

    // Each linking note is independent of the others: check them in parallel.
    let sources: Vec<NotePath> = sources.into_iter().collect();
    let results: Vec<Result<NoteEdits>> = sources
        .into_par_iter()
        .map(|src| relink_note(snap, &after, src, &keys, &map, text_of))
        .collect();
    let mut out = BTreeMap::new();
    for r in results {
        if let Some((path, edits)) = r? {
            out.insert(path, edits);
        }
    }
    Ok(out)
}

/// The edits one linking note needs (see [`relink`]).
fn relink_note(
    snap: &Snapshot,
    after: &Snapshot,
    src: NotePath,
    keys: &BTreeSet<Sym>,
    new_path: &FxHashMap<&str, &str>,
    text_of: TextOf,
) -> Result<NoteEdits> {
    let renamed = |p: &NotePath| -> NotePath {
        new_path
            .get(&**p)
            .map_or_else(|| p.clone(), |n| (*n).into())
    };
    let Some(note) = snap.note(&src) else {
        return Ok(None);
    };
    let src_after = renamed(&src);
    let src_moved = src_after != src;
    let mut text: Option<String> = None;
    let mut edits: Vec<Edit> = Vec::new();
    for link in &note.facts.links {
        if link.target.trim().is_empty() {
            continue; // `[[#Heading]]`: this note, wherever it is.
        }
        if !src_moved && !link.name_key.is_some_and(|k| keys.contains(&k)) {
            continue;
        }
        if edits.iter().any(|e| e.span == link.target_span) {
            continue; // a reference definition shared by several uses
        }
        if bare_name_unchanged(snap, after, link, &renamed) {
            continue;
        }
        let Some(before) = lands(snap, &src, link) else {
            continue; // broken links stay as they are
        };
        let old_target: NotePath = before.path().clone();
        let target_moved = new_path.contains_key(&*old_target);
        let wanted = match before {
            Lands::Note {
                path,
                sub,
                ambiguous,
            } => Lands::Note {
                path: renamed(&path),
                sub,
                ambiguous,
            },
            Lands::File(path) => Lands::File(renamed(&path)),
        };
        let still = lands(after, &src_after, link).is_some_and(|l| l.keeps(&wanted));
        // Markdown paths are kept valid as paths (for every other
        // Markdown tool), not only as Obsidian resolves them by name.
        if still && !target_moved && (link.kind.is_wiki() || !src_moved) {
            continue;
        }
        let current: &str = &link.target;
        let forms = link_forms(link, [&src, &src_after, &old_target, wanted.path()]);
        let chosen = forms.into_iter().find(|form| {
            (form == current && still)
                || lands(after, &src_after, &relinked(link, form)).is_some_and(|l| l.keeps(&wanted))
        });
        match chosen {
            Some(form) if form == current => {}
            Some(form) => {
                // Only notes that change are read (and checked).
                let text = match &mut text {
                    Some(t) => &*t,
                    None => &*text.insert(read_checked(&src, note, text_of)?),
                };
                let written = if link.kind.is_wiki() {
                    form
                } else {
                    encode_like(link, text, &form)
                };
                edits.push(Edit {
                    span: link.target_span,
                    text: written,
                });
            }
            None => {
                let (line, _) = note.facts.lines.line_col(link.span.start);
                return Err(RenameError::Unsafe(format!(
                    "no link text keeps the link to \"{}\" at {src}:{} pointing at {}",
                    link.target,
                    line + 1,
                    wanted.path()
                )));
            }
        }
    }
    if !edits.is_empty() {
        edits.sort_by_key(|e| e.span.start);
        check_applies(text.as_deref().unwrap_or_default(), &edits, &src)?;
        return Ok(Some((src, edits)));
    }
    Ok(None)
}
/// The common case of a folder move, without resolving twice: a bare
/// `[[Name]]` that named one note before and names the same note (under
/// the same name) after.
fn bare_name_unchanged(
    snap: &Snapshot,
    after: &Snapshot,
    link: &Link,
    renamed: &dyn Fn(&NotePath) -> NotePath,
) -> bool {
    let target: &str = &link.target;
    if !link.kind.is_wiki()
        || target.contains('/')
        || target.starts_with('.')
        || crate::names::has_other_extension(target)
    {
        return false;
    }
    let Some(key) = link.name_key else {
        return false;
    };
    match (snap.notes_with_key(key), after.notes_with_key(key)) {
        ([old], [new]) => renamed(old) == *new && note_stem(old) == note_stem(new),
        _ => false,
    }
}

/// The note at `path`, or why there is none.
fn indexed<'s>(snap: &'s Snapshot, path: &str) -> Result<&'s std::sync::Arc<Note>> {
    snap.note(path)
        .ok_or_else(|| RenameError::Nothing(format!("{path} is not indexed")))
}

fn changed(path: &str) -> RenameError {
    RenameError::Changed(format!(
        "{path} changed since it was indexed; try again in a moment"
    ))
}

/// A note's text, checked against the facts the snapshot holds for it.
fn read_checked(path: &str, note: &Note, text_of: TextOf) -> Result<String> {
    let text = text_of(path).ok_or_else(|| changed(path))?;
    if text.len() as u64 != note.bytes {
        return Err(changed(path));
    }
    for link in &note.facts.links {
        let raw = text
            .get(link.target_span.range())
            .ok_or_else(|| changed(path))?;
        if !raw_matches(link, raw) {
            return Err(changed(path));
        }
    }
    Ok(text)
}

/// Whether `raw` (the text at a link's target span) is how `link.target` is
/// written.
fn raw_matches(link: &Link, raw: &str) -> bool {
    if link.kind.is_wiki() {
        return raw == &*link.target;
    }
    let decoded = percent_encoding::percent_decode_str(raw).decode_utf8_lossy();
    let target: &str = &link.target;
    decoded == target || unescape(&decoded) == target
}

/// Markdown backslash escapes removed (`\_` → `_`).
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.peek().is_some_and(|n| n.is_ascii_punctuation()) {
            continue;
        }
        out.push(c);
    }
    out
}

fn text_at(text: &str, span: Span) -> &str {
    text.get(span.range()).unwrap_or("")
}

/// `link` with its (decoded) target replaced.
fn relinked(link: &Link, target: &str) -> Link {
    Link {
        target: Sym::new(target),
        name_key: Link::name_key_of(target),
        ..link.clone()
    }
}

/// A markdown link's new (decoded) target, written as the link wrote its
/// old one: inside `<…>`, or percent-encoded (non-ASCII too if it was).
fn encode_like(link: &Link, text: &str, target: &str) -> String {
    let start = link.target_span.start as usize;
    let angle = start > 0 && text.as_bytes().get(start - 1) == Some(&b'<');
    if angle && !target.contains(['<', '>', '\n', '\r']) {
        return target.to_string();
    }
    encode_path(
        target,
        has_encoded_non_ascii(text_at(text, link.target_span)),
    )
}

/// Targets (decoded) a link to `to` (which was `old_to`) from `from` (the
/// linking note's new path, which was `old_from`) could be given: the
/// link's own style first, then forms that are sure to resolve.
fn link_forms(link: &Link, paths: [&str; 4]) -> Vec<String> {
    let [old_from, from, old_to, to] = paths;
    let note = !crate::names::has_other_extension(to);
    let written: &str = link.target.trim();
    let keep_md = !note || strip_md(written) != written;
    let with_ext = |p: &str| -> String {
        if note && !keep_md {
            strip_md(p).to_string()
        } else {
            p.to_string()
        }
    };
    let parts: Vec<&str> = to.split('/').collect();
    // `name`, then longer `folder/name` suffixes, from `depth` components.
    let suffixes = |depth: usize| -> Vec<String> {
        let depth = depth.clamp(1, parts.len());
        (depth..=parts.len())
            .chain(1..depth)
            .map(|k| with_ext(&parts[parts.len() - k..].join("/")))
            .collect()
    };
    let rel = with_ext(&relative(parent(from), to));
    let mut forms = Vec::new();
    if link.kind.is_wiki() {
        if written.starts_with("./") || written.starts_with("../") {
            forms.push(if rel.starts_with("../") {
                rel.clone()
            } else {
                format!("./{rel}")
            });
        } else if written.starts_with('/') {
            forms.push(format!("/{}", with_ext(to)));
        }
        forms.extend(suffixes(written.trim_start_matches('/').split('/').count()));
        forms.push(format!("/{}", with_ext(to)));
        return forms;
    }
    // Markdown and reference links: paths, kept in the form they had.
    let same = |p: &str| fold(strip_md(p)) == fold(strip_md(old_to));
    let rel_form = if written.starts_with("./") && !rel.starts_with("../") {
        format!("./{rel}")
    } else {
        rel.clone()
    };
    if written.starts_with('/') {
        forms.push(format!("/{}", with_ext(to)));
    } else if crate::names::join_relative(parent(old_from), written).is_some_and(|p| same(&p)) {
        forms.push(rel_form.clone());
    } else if crate::names::join_relative("", written).is_some_and(|p| same(&p)) {
        forms.push(with_ext(to));
    } else {
        forms.extend(suffixes(1));
    }
    forms.push(rel_form);
    forms.push(with_ext(to));
    forms.push(format!("/{}", with_ext(to)));
    let mut seen = BTreeSet::new();
    forms.retain(|f| seen.insert(f.clone()));
    forms
}

/// `to` as a path relative to the folder `dir`.
fn relative(dir: &str, to: &str) -> String {
    let from: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    let to_parts: Vec<&str> = to.split('/').collect();
    let common = from
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count()
        .min(to_parts.len() - 1);
    let mut out: Vec<&str> = vec![".."; from.len() - common];
    out.extend(&to_parts[common..]);
    out.join("/")
}

fn has_encoded_non_ascii(raw: &str) -> bool {
    raw.as_bytes().windows(3).any(|w| {
        w[0] == b'%'
            && u8::from_str_radix(std::str::from_utf8(&w[1..]).unwrap_or("00"), 16)
                .is_ok_and(|b| b >= 0x80)
    })
}

/// Percent-encodes what a markdown link destination cannot hold as is;
/// non-ASCII letters stay readable unless the link encoded them.
fn encode_path(path: &str, unicode: bool) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        let ascii_special = c.is_ascii()
            && (c.is_ascii_control()
                || matches!(
                    c,
                    ' ' | '%'
                        | '('
                        | ')'
                        | '<'
                        | '>'
                        | '['
                        | ']'
                        | '\\'
                        | '`'
                        | '"'
                        | '#'
                        | '?'
                        | '|'
                        | '^'
                ));
        if ascii_special || (!c.is_ascii() && (unicode || c.is_whitespace())) {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out += &format!("%{b:02X}");
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Checks that edits lie on character boundaries inside `text`, in order
/// and without overlaps: what an editor needs to apply them.
fn check_applies(text: &str, edits: &[Edit], path: &str) -> Result<()> {
    let mut last = 0u32;
    for e in edits {
        let ok = e.span.start >= last
            && e.span.start <= e.span.end
            && text.is_char_boundary(e.span.start as usize)
            && text.is_char_boundary(e.span.end as usize)
            && (e.span.end as usize) <= text.len();
        if !ok {
            return Err(RenameError::Changed(format!(
                "internal error: overlapping or misplaced edits in {path}; nothing was changed"
            )));
        }
        last = e.span.end;
    }
    Ok(())
}

/// `text` with `edits` (sorted, as in a [`Plan`]) made, once they are
/// checked to apply cleanly: for callers that write the result themselves.
pub fn apply_edits(text: &str, edits: &[Edit], path: &str) -> Result<String> {
    check_applies(text, edits, path)?;
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for e in edits {
        out.push_str(&text[last..e.span.start as usize]);
        out.push_str(&e.text);
        last = e.span.end as usize;
    }
    out.push_str(&text[last..]);
    Ok(out)
}

fn first_line_end(text: &str) -> usize {
    text.find(['\n', '\r']).unwrap_or(text.len())
}

/// The text of a heading, without `#` markers or a setext underline.
fn heading_content(text: &str, span: Span) -> Span {
    let start = span.start as usize;
    let Some(s) = text.get(start..span.end as usize) else {
        return span;
    };
    let line = &s[..s.find(['\n', '\r']).unwrap_or(s.len())];
    let lead = line.len() - line.trim_start().len();
    let mut body = &line[lead..];
    let mut offset = lead;
    if body.starts_with('#') {
        let hashes = body.len() - body.trim_start_matches('#').len();
        let rest = &body[hashes..];
        let space = rest.len() - rest.trim_start().len();
        offset += hashes + space;
        body = rest.trim_start();
        // A closing run of `#` preceded by a space is not content.
        let trimmed = body.trim_end();
        let closing = trimmed.trim_end_matches('#');
        body = if closing.len() < trimmed.len()
            && (closing.is_empty() || closing.ends_with([' ', '\t']))
        {
            closing.trim_end()
        } else {
            trimmed
        };
    } else {
        body = body.trim_end();
    }
    let s = (start + offset) as u32;
    Span {
        start: s,
        end: s + body.len() as u32,
    }
}

/// The last `#`-separated part of a wiki-link's heading subpath.
fn last_heading_part(text: &str, sub: Span) -> Span {
    trimmed_after(text, sub, text_at(text, sub).rfind('#'))
}

/// The id of a `#^id` subpath, without the `^`.
fn block_part(text: &str, sub: Span) -> Span {
    trimmed_after(text, sub, text_at(text, sub).find('^'))
}

/// The part of `span` after the one-byte marker at `marker` (or all of it),
/// without surrounding whitespace.
fn trimmed_after(text: &str, span: Span, marker: Option<usize>) -> Span {
    let raw = text_at(text, span);
    let from = marker.map_or(0, |i| i + 1);
    let part = &raw[from..];
    let lead = part.len() - part.trim_start().len();
    let s = span.start + (from + lead) as u32;
    Span {
        start: s,
        end: s + part.trim().len() as u32,
    }
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
        moves: vec![],
        edits,
    })
}

/// Texts of notes, read once and checked against their facts.
struct Texts<'a> {
    snap: &'a Snapshot,
    text_of: TextOf<'a>,
    texts: FxHashMap<NotePath, String>,
}

impl<'a> Texts<'a> {
    fn new(snap: &'a Snapshot, text_of: TextOf<'a>) -> Texts<'a> {
        Texts {
            snap,
            text_of,
            texts: FxHashMap::default(),
        }
    }

    /// Reads many notes at once, in parallel.
    fn prefetch(&mut self, paths: &[NotePath]) -> Result<()> {
        let (snap, text_of) = (self.snap, self.text_of);
        let read: Vec<Result<(NotePath, String)>> = paths
            .par_iter()
            .filter(|p| !self.texts.contains_key(*p))
            .map(|p| {
                let note = snap
                    .note(p)
                    .ok_or_else(|| RenameError::Changed(format!("{p} is no longer indexed")))?;
                Ok((p.clone(), read_checked(p, note, text_of)?))
            })
            .collect();
        for r in read {
            let (p, t) = r?;
            self.texts.insert(p, t);
        }
        Ok(())
    }

    fn get(&mut self, path: &NotePath) -> Result<&str> {
        if !self.texts.contains_key(path) {
            let note = self
                .snap
                .note(path)
                .ok_or_else(|| RenameError::Changed(format!("{path} is no longer indexed")))?;
            let text = read_checked(path, note, self.text_of)?;
            self.texts.insert(path.clone(), text);
        }
        Ok(&self.texts[path])
    }
}

/// Renames heading `i` of `path` and every link to it (and through it:
/// `[[Note#Old#Child]]`).
pub fn rename_heading(
    snap: &Snapshot,
    path: &str,
    i: usize,
    new_name: &str,
    text_of: TextOf,
) -> Result<Plan> {
    let new = new_name.trim();
    check_name(new, "heading")?;
    let note = indexed(snap, path)?;
    let old = note
        .facts
        .headings
        .get(i)
        .ok_or_else(|| RenameError::Nothing("no heading here".into()))?;
    if *old.text == *new {
        return Err(RenameError::Invalid(format!(
            "the heading is already \"{new}\""
        )));
    }
    let mut texts = Texts::new(snap, text_of);
    let mut out = BTreeMap::new();
    let content = heading_content(texts.get(&note.path)?, old.span);
    let written = text_at(texts.get(&note.path)?, content);
    if !written.split_whitespace().eq(old.text.split_whitespace()) {
        return Err(changed(&note.path));
    }
    push(
        &mut out,
        &note.path,
        Edit {
            span: content,
            text: new.to_string(),
        },
    );
    // The target as it will be: its text with the heading renamed.
    let new_text = {
        let t = texts.get(&note.path)?;
        format!(
            "{}{}{}",
            &t[..content.start as usize],
            new,
            &t[content.end as usize..]
        )
    };
    let new_facts = extract(&new_text);
    if new_facts.headings.len() != note.facts.headings.len()
        || !heading_key_eq(&new_facts.headings[i].text, new)
    {
        return Err(RenameError::Invalid(format!(
            "\"{new}\" does not stay one heading"
        )));
    }
    // The section of heading i: links to it or to headings inside it may
    // name it.
    let level = old.level;
    let section_end = note.facts.headings[i + 1..]
        .iter()
        .position(|h| h.level <= level)
        .map_or(note.facts.headings.len(), |p| i + 1 + p);
    for loc in super::links_to(snap, &note.path, super::Part::Whole) {
        let Some(src) = snap.note(&loc.path) else {
            continue;
        };
        let Some(link) = src.facts.links.iter().find(|l| l.span == loc.span) else {
            continue;
        };
        let Some(Subpath::Heading(parts)) = link.subpath() else {
            continue;
        };
        let wiki = link.kind.is_wiki();
        let SubpathMatch::Heading(j) =
            match_subpath(&note.facts, &Subpath::Heading(parts.clone()), wiki)
        else {
            continue; // broken links stay as they are
        };
        let text = texts.get(&loc.path)?;
        let Some(sub) = subpath_span(text, link) else {
            continue;
        };
        let raw_sub = text_at(text, sub);
        let edit = if j == i && wiki {
            Some(last_heading_part(text, sub))
        } else if j == i {
            Some(sub)
        } else if wiki && j > i && j < section_end {
            // `[[Note#Old#Child]]`: the part naming the renamed heading.
            let mut pos = sub.start as usize;
            let mut found = None;
            for part in raw_sub.split('#') {
                if found.is_none() && heading_key_eq(part.trim(), &old.text) {
                    let lead = part.len() - part.trim_start().len();
                    found = Some(Span::new(pos + lead..pos + lead + part.trim().len()));
                }
                pos += part.len() + 1;
            }
            found
        } else {
            None
        }
        .map(|span| {
            let written = if wiki {
                new.to_string()
            } else {
                let decoded = percent_encoding::percent_decode_str(raw_sub).decode_utf8_lossy();
                let angle = link.target_span.start > 0
                    && text.as_bytes()[link.target_span.start as usize - 1] == b'<';
                if decoded == *old.text {
                    if angle {
                        new.to_string()
                    } else {
                        encode_path(new, has_encoded_non_ascii(raw_sub))
                    }
                } else {
                    slug(new)
                }
            };
            Edit {
                span,
                text: written,
            }
        });
        // The link as it will read must land on the same heading, whether
        // it is edited or not.
        let new_sub = match &edit {
            Some(e) => format!(
                "{}{}{}",
                &text[sub.start as usize..e.span.start as usize],
                e.text,
                &text[e.span.end as usize..sub.end as usize]
            ),
            None => raw_sub.to_string(),
        };
        let decoded = if wiki {
            new_sub
        } else {
            percent_encoding::percent_decode_str(&new_sub)
                .decode_utf8_lossy()
                .into_owned()
        };
        let lands = Subpath::parse(Sym::new(&decoded).as_str())
            .map(|s| match_subpath(&new_facts, &s, wiki));
        if lands != Some(SubpathMatch::Heading(j)) {
            return Err(RenameError::Unsafe(format!(
                "{}: the link \"{}\" would no longer reach heading \"{}\"",
                loc.path,
                text_at(text, link.span),
                note.facts.headings[j].text
            )));
        }
        if let Some(edit) = edit {
            push(&mut out, &loc.path, edit);
        }
    }
    finish(out, &texts.texts)
}

/// Renames block `i` of `path` (`^old` → `^new`) and the links to it.
pub fn rename_block(
    snap: &Snapshot,
    path: &str,
    i: usize,
    new_name: &str,
    text_of: TextOf,
) -> Result<Plan> {
    let new = new_name.trim().trim_start_matches('^');
    if new.is_empty() || !new.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(RenameError::Invalid(format!(
            "\"{new}\" is not a block id: use letters, digits and '-'"
        )));
    }
    let note = indexed(snap, path)?;
    let old = note
        .facts
        .blocks
        .get(i)
        .ok_or_else(|| RenameError::Nothing("no block here".into()))?;
    if let Some(other) = note.facts.blocks.iter().find(|b| fold(&b.id) == fold(new))
        && (other.span != old.span || *other.id == *new)
    {
        return Err(RenameError::Exists(format!(
            "{path} already has a block ^{new}"
        )));
    }
    let mut texts = Texts::new(snap, text_of);
    if text_at(texts.get(&note.path)?, old.span).strip_prefix('^') != Some(&*old.id) {
        return Err(changed(&note.path));
    }
    let mut out = BTreeMap::new();
    push(
        &mut out,
        &note.path,
        Edit {
            span: Span {
                start: old.span.start + 1,
                end: old.span.end,
            },
            text: new.to_string(),
        },
    );
    for loc in super::links_to(snap, &note.path, super::Part::Block(i)) {
        let Some(src) = snap.note(&loc.path) else {
            continue;
        };
        let Some(link) = src.facts.links.iter().find(|l| l.span == loc.span) else {
            continue;
        };
        let text = texts.get(&loc.path)?;
        let Some(sub) = subpath_span(text, link) else {
            continue;
        };
        push(
            &mut out,
            &loc.path,
            Edit {
                span: block_part(text, sub),
                text: new.to_string(),
            },
        );
    }
    finish(out, &texts.texts)
}

/// Renames a tag and its nested tags everywhere (`#proj` → `#project`
/// turns `#proj/alpha` into `#project/alpha`), inline and in front matter.
pub fn rename_tag(snap: &Snapshot, tag: &str, new_name: &str, text_of: TextOf) -> Result<Plan> {
    let new = new_name.trim().trim_start_matches('#');
    let valid = !new.is_empty()
        && new.split('/').all(|p| !p.is_empty())
        && new.chars().all(|c| c == '/' || is_tag_char(c))
        && !new.chars().all(|c| c.is_ascii_digit() || c == '/');
    if !valid {
        return Err(RenameError::Invalid(format!(
            "\"#{new}\" is not a tag: use letters, digits, '_', '-' and '/' (not digits only)"
        )));
    }
    if fold(new) == fold(tag) && new == tag {
        return Err(RenameError::Invalid(format!("the tag is already #{new}")));
    }
    let depth = tag.split('/').count();
    let mut texts = Texts::new(snap, text_of);
    let uses = super::tag_occurrences(snap, tag);
    let mut paths: Vec<NotePath> = uses.iter().map(|l| l.path.clone()).collect();
    paths.dedup();
    texts.prefetch(&paths)?;
    let mut out = BTreeMap::new();
    for loc in uses {
        let text = texts.get(&loc.path)?;
        let raw = text_at(text, loc.span);
        let hash = u32::from(raw.starts_with('#'));
        let name = &raw[hash as usize..];
        let prefix_len: usize = name
            .split('/')
            .take(depth)
            .map(|p| p.len() + 1)
            .sum::<usize>()
            - 1;
        if fold(&name[..prefix_len]) != fold(tag) {
            return Err(changed(&loc.path));
        }
        let start = loc.span.start + hash;
        if name[..prefix_len] == *new {
            continue; // already spelled so
        }
        push(
            &mut out,
            &loc.path,
            Edit {
                span: Span {
                    start,
                    end: start + prefix_len as u32,
                },
                text: new.to_string(),
            },
        );
    }
    if out.is_empty() {
        return Err(RenameError::Nothing(format!("#{tag} is not used")));
    }
    finish(out, &texts.texts)
}

#[cfg(test)]
#[path = "rename_tests.rs"]
mod tests;
