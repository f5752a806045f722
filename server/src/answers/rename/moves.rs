//! Renaming and moving files (notes, attachments, folders): the new paths,
//! and every link whose resolution the moves would change, written again.

use super::*;

/// What kind of file is renamed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum FileKind {
    Note,
    Attachment,
}

/// The new vault-relative path for a file named `new` by the user: a bare
/// name stays in the file's folder; a name with `/` is a path from the
/// vault root. A note keeps its `.md`.
pub(super) fn new_path(old: &str, new: &str, kind: FileKind) -> Result<String> {
    let note = kind == FileKind::Note;
    let new = new.trim();
    let new = if note { strip_md(new).trim_end() } else { new };
    check_path(new, kind)?;
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
fn check_path(new: &str, kind: FileKind) -> Result<()> {
    let what = match kind {
        FileKind::Note => "note name",
        FileKind::Attachment => "file name",
    };
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
    let new = new_path(path, new_name, FileKind::Note)?;
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
    if snap.attachment_at(&fold(&new)).is_some() {
        return Err(RenameError::Exists(format!("{new} already exists")));
    }
    let moves = vec![(note.path.clone(), new)];
    let edits = relink(snap, &moves, text_of, &|_| false)?;
    Ok(Plan {
        moves,
        edits,
        ..Plan::default()
    })
}

/// Renames (or moves) an attachment and rewrites the links to it.
pub fn rename_attachment(
    snap: &Snapshot,
    path: &str,
    new_name: &str,
    text_of: TextOf,
) -> Result<Plan> {
    let old = snap
        .attachment_at(&fold(path))
        .ok_or_else(|| RenameError::Nothing(format!("{path} is not indexed")))?
        .clone();
    let new = new_path(path, new_name, FileKind::Attachment)?;
    if new == *path {
        return Err(RenameError::Invalid(format!(
            "the file is already named {new}"
        )));
    }
    check_extension(path, &new)?;
    if let Some(other) = snap.attachment_at(&fold(&new))
        && **other != *path
    {
        return Err(RenameError::Exists(format!("{other} already exists")));
    }
    let moves = vec![(old, new)];
    let edits = relink(snap, &moves, text_of, &|_| false)?;
    Ok(Plan {
        moves,
        edits,
        ..Plan::default()
    })
}

/// Link edits for files and folders the editor is renaming itself
/// (`workspace/willRenameFiles`). `moves` are vault-relative; a folder
/// stands for every file under it. The returned plan's `moves` list every
/// indexed file that moves.
pub fn move_files(snap: &Snapshot, moves: &[(String, String)], text_of: TextOf) -> Result<Plan> {
    move_files_unread(snap, moves, text_of, &|_| false)
}

/// [`move_files`] for a caller that can prove notes unchanged without
/// reading them (the server, whose editor applies the edits): a note that
/// `unchanged` proves is not read, its edits are checked against its
/// facts; every other note is read and checked as by [`move_files`]. A
/// caller that writes the result itself needs the texts: it uses
/// [`move_files`].
pub fn move_files_unread(
    snap: &Snapshot,
    moves: &[(String, String)],
    text_of: TextOf,
    unchanged: Unchanged,
) -> Result<Plan> {
    let all = expand(snap, moves);
    for (old, new) in &all {
        if snap.note(old).is_some() && !new.to_ascii_lowercase().ends_with(".md") {
            return Err(RenameError::Invalid(format!(
                "{new} is not a Markdown file: links to {old} cannot follow it"
            )));
        }
    }
    let edits = relink(snap, &all, text_of, unchanged)?;
    Ok(Plan {
        moves: all,
        edits,
        ..Plan::default()
    })
}

/// Every indexed file that `moves` move (a folder stands for what is in it).
fn expand(snap: &Snapshot, moves: &[(String, String)]) -> Vec<(NotePath, String)> {
    let mut all: Vec<(NotePath, String)> = Vec::new();
    for (old, new) in moves {
        if let Some(note) = snap.note(old) {
            all.push((note.path.clone(), new.clone()));
        } else if let Some(file) = snap.attachment_at(&fold(old)) {
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
        let kind = if snap.note(old).is_some() {
            FileKind::Note
        } else {
            FileKind::Attachment
        };
        match kind {
            FileKind::Note => check_path(strip_md(new), kind)?,
            FileKind::Attachment => {
                check_path(new, kind)?;
                check_extension(old, new)?;
            }
        }
        let clash = snap
            .note_at(&fold(strip_md(new)))
            .filter(|o| taken(o))
            .or_else(|| snap.attachment_at(&fold(new)).filter(|o| taken(o)));
        if let Some(other) = clash {
            return Err(RenameError::Exists(format!("{other} already exists")));
        }
    }
    move_files(snap, moves, text_of)
}

/// An attachment keeps its kind of file: links name it with its extension.
fn check_extension(old: &str, new: &str) -> Result<()> {
    if crate::names::has_other_extension(new) != crate::names::has_other_extension(old)
        || new.to_ascii_lowercase().ends_with(".md")
    {
        return Err(RenameError::Invalid(format!(
            "\"{new}\" would change what kind of file {old} is; keep its extension"
        )));
    }
    Ok(())
}

/// Where a link lands, for comparing before and after a change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Lands {
    Note {
        path: NotePath,
        sub: SubpathMatch,
        ambiguous: bool,
    },
    File(NotePath),
}

pub(super) fn lands(snap: &Snapshot, from: &str, link: &Link) -> Option<Lands> {
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
    pub(super) fn path(&self) -> &NotePath {
        match self {
            Lands::Note { path, .. } | Lands::File(path) => path,
        }
    }

    /// Whether landing at `self` keeps a link that landed at `wanted`
    /// right: same file and part, and not ambiguous unless it was.
    pub(super) fn keeps(&self, wanted: &Lands) -> bool {
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
pub(super) fn moved(snap: &Snapshot, moves: &[(NotePath, String)]) -> Snapshot {
    let (notes, files): (Vec<_>, Vec<_>) = moves
        .iter()
        .cloned()
        .partition(|(old, _)| snap.note(old).is_some());
    let mut after = snap.with_notes_moved(&notes);
    for (old, _) in &files {
        after = after.without_attachment(old);
    }
    for (_, new) in &files {
        after = after.with_attachment(new);
    }
    after
}

/// The link edits that keep every link pointing where it did once `moves`
/// are made.
pub(super) fn relink(
    snap: &Snapshot,
    moves: &[(NotePath, String)],
    text_of: TextOf,
    unchanged: Unchanged,
) -> Result<BTreeMap<NotePath, Vec<Edit>>> {
    // Each new path folded once (a folder move has hundreds).
    let mut taken = rustc_hash::FxHashSet::default();
    for (_, new) in moves {
        if !taken.insert(fold(strip_md(new))) {
            return Err(RenameError::Exists(format!(
                "two files would be named {new}"
            )));
        }
    }
    let after = moved(snap, moves);
    // New paths made once, shared by every linking note's check.
    let map: FxHashMap<&str, NotePath> = moves
        .iter()
        .map(|(o, n)| (&**o, NotePath::from(n.as_str())))
        .collect();
    // Names whose links can change: the old and new names of what moves.
    let keys: rustc_hash::FxHashSet<Sym> = moves
        .iter()
        .flat_map(|(o, n)| [fold(note_stem(o)), fold(note_stem(n))])
        .map(|k| Sym::new(&k))
        .collect();
    let mut sources: rustc_hash::FxHashSet<NotePath> = keys
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
    let results: Vec<(NotePath, Result<NoteEdits>)> = sources
        .into_par_iter()
        .map(|src| {
            (
                src.clone(),
                relink_note(snap, &after, src, &keys, &map, text_of, unchanged),
            )
        })
        .collect();
    let mut out = BTreeMap::new();
    // The refusal told is that of the first note in path order, as if
    // the notes were checked one by one.
    let mut refused: Option<(NotePath, RenameError)> = None;
    for (src, r) in results {
        match r {
            Ok(Some((path, edits))) => {
                out.insert(path, edits);
            }
            Ok(None) => {}
            Err(e) if refused.as_ref().is_none_or(|(p, _)| src < *p) => refused = Some((src, e)),
            Err(_) => {}
        }
    }
    match refused {
        Some((_, e)) => Err(e),
        None => Ok(out),
    }
}

/// The edits one linking note needs (see [`relink`]).
pub(super) fn relink_note(
    snap: &Snapshot,
    after: &Snapshot,
    src: NotePath,
    keys: &rustc_hash::FxHashSet<Sym>,
    new_path: &FxHashMap<&str, NotePath>,
    text_of: TextOf,
    unchanged: Unchanged,
) -> Result<NoteEdits> {
    let renamed = |p: &NotePath| -> NotePath { new_path.get(&**p).unwrap_or(p).clone() };
    let Some(note) = snap.note(&src) else {
        return Ok(None);
    };
    let src_after = renamed(&src);
    let src_moved = src_after != src;
    let mut text: Option<String> = None;
    // Whether the note's stat proved its facts current (then it is not read).
    let mut proven: Option<bool> = None;
    let mut edits: Vec<Edit> = Vec::new();
    for link in &note.facts.links {
        // First the check that reads no string: most links of a linking
        // note name nothing that moves, and their texts are far apart in
        // memory (this loop visits every link of thousands of notes).
        if !src_moved && !link.name_key.is_some_and(|k| keys.contains(&k)) {
            continue;
        }
        if link.target.trim().is_empty() {
            continue; // `[[#Heading]]`: this note, wherever it is.
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
                // Only notes that change are checked: read, unless their
                // stat proves that the facts are still their text's.
                if !*proven.get_or_insert_with(|| unchanged(note)) && text.is_none() {
                    text = Some(read_checked(&src, note, text_of)?);
                }
                let written = if link.kind.is_wiki() {
                    form
                } else {
                    encode_like(link, &form)
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
        match &text {
            Some(text) => check_applies(text, &edits, &src)?,
            None => check_applies_to_facts(note, &edits)?,
        }
        return Ok(Some((src, edits)));
    }
    Ok(None)
}
/// The common case of a folder move, without resolving twice: a bare
/// `[[Name]]` that named one note before and names the same note (under
/// the same name) after.
pub(super) fn bare_name_unchanged(
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
