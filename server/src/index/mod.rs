//! The vault index: an immutable snapshot of every note's facts.
//!
//! A [`Snapshot`] is cheap to clone (persistent maps from `imbl` share their
//! structure), so readers keep answering from the one they hold while a
//! writer derives the next with [`Snapshot::with_note`] /
//! [`Snapshot::without_note`]. An update touches only the map entries of the
//! one note that changed: its path, its name, and the names it links to.
//!
//! Link *resolution* is not stored: it is a pure function of a snapshot
//! (see [`resolve`]), so adding a note never leaves stale answers behind.
//! What is stored is the inverse index needed to find backlinks fast:
//! for each folded target name, the notes that link to that name.
//!
//! This module knows nothing about the disk or LSP.

pub mod resolve;

use std::sync::Arc;

use rustc_hash::{FxBuildHasher, FxHashMap};

use crate::facts::NoteFacts;
use crate::names::{Sym, file_name, fold, has_other_extension, note_stem, strip_md};

type Map<K, V> = imbl::GenericHashMap<K, V, FxBuildHasher, imbl::shared_ptr::DefaultSharedPtr>;

/// A folded (case- and normalisation-insensitive) name or path, interned.
pub type Key = Sym;

/// A note's vault-relative path, `/`-separated, as on disk.
pub type NotePath = Arc<str>;

#[derive(Debug)]
pub struct Note {
    pub path: NotePath,
    pub facts: NoteFacts,
    /// Size of the text the facts came from.
    pub bytes: u64,
    /// What answers derive from this version of the note's text, computed
    /// on first use and kept while the note is unchanged (see [`Derived`]).
    pub derived: Derived,
    /// The file these facts were read from, as a `stat` just before the
    /// read saw it, kept only where a later equal stamp proves the file
    /// unchanged (not "racy", `FileStamp::settled`); `None` for a buffer.
    /// A plain value here: comparing it with the disk is `vault`'s.
    pub read_as: Option<crate::vault::cache::FileStamp>,
}

/// Memoised answers about one version of a note that need its text, not
/// only its facts: filled on first use (nothing is spent on a feature
/// nobody uses), dropped with the note when it changes.
#[derive(Debug, Default)]
pub struct Derived {
    /// The text of each of `facts.paragraphs`, whitespace collapsed and cut
    /// to its first characters: what `[[^^` block search scores.
    pub paragraph_texts: std::sync::OnceLock<Arc<ParagraphTexts>>,
    /// The words of the prose, as a filter: which notes a search for a
    /// name (unlinked mentions) reads. Built by the first search.
    pub words: std::sync::OnceLock<crate::facts::Words>,
}

/// See [`Derived::paragraph_texts`].
#[derive(Debug, Default)]
pub struct ParagraphTexts {
    pub texts: Box<[Box<str>]>,
    /// The same, folded as names are: what the typed words are found in.
    pub folded: Box<[Box<str>]>,
    /// The note's line break (`\n` or `\r\n`), for edits that add lines.
    pub line_break: &'static str,
}

impl Note {
    pub fn new(path: NotePath, facts: NoteFacts, bytes: u64) -> Note {
        Note {
            path,
            facts,
            bytes,
            derived: Derived::default(),
            read_as: None,
        }
    }

    /// The note, with the stamp of the file its facts were read from.
    pub fn read_as(self, stamp: Option<crate::vault::cache::FileStamp>) -> Note {
        Note {
            read_as: stamp,
            ..self
        }
    }

    /// The note's name: its file name without `.md`.
    pub fn name(&self) -> &str {
        note_stem(&self.path)
    }
}

/// All notes and attachments of one vault, and the maps to look them up.
#[derive(Clone, Default)]
pub struct Snapshot {
    notes: Map<NotePath, Arc<Note>>,
    /// Folded path without `.md` → note path.
    note_by_path: Map<Key, NotePath>,
    /// Folded note name → notes with that name, sorted by (length, path).
    note_by_name: Map<Key, Arc<[NotePath]>>,
    /// Folded path → attachment path (any non-note file).
    attachment_by_path: Map<Key, NotePath>,
    /// Folded file name → attachments with that name, sorted by (length, path).
    attachment_by_name: Map<Key, Arc<[NotePath]>>,
    /// Folded name a link points at → notes holding such links.
    linkers: Map<Key, Arc<[NotePath]>>,
    /// Tag spelling, exactly as written (`ToDo`, `todo`) → notes using it.
    taggers: Map<Sym, Arc<[NotePath]>>,
    /// Every note's names in one flat list, built on first use and kept
    /// by the next snapshot while no name, title or alias changes (typing
    /// in a note keeps it): completion scans it on every keystroke.
    names: Arc<std::sync::OnceLock<Arc<NameList>>>,
    /// Names that links point at but no note has, built on first use and
    /// kept while no link target and no note name changes.
    missing: Arc<std::sync::OnceLock<Arc<[Sym]>>>,
}

/// A note's names, for completion.
#[derive(Debug)]
pub struct NameEntry {
    pub path: NotePath,
    /// The file name without `.md`.
    pub name: Box<str>,
    /// The front-matter title, when it differs from the name.
    pub title: Option<Box<str>>,
    pub aliases: Box<[Box<str>]>,
    /// How many notes link to this note's name, when the list was built.
    pub popularity: u32,
    /// [`crate::names::char_mask`] of the name, title and aliases together
    /// (all bits set when one of them cannot be masked).
    pub chars: u64,
    /// [`crate::names::initials_mask`] of the name, title and aliases together.
    pub initials: u64,
    /// [`crate::names::wiki_writable`] of the path.
    pub writable: bool,
}

#[derive(Debug, Default)]
pub struct NameList {
    pub entries: Vec<NameEntry>,
    /// For each entry (same order), the names unlinked mentions look for
    /// with their word keys: built by the first mention fix, kept with the
    /// list, so that a code action tests every note's names against the
    /// words of a line without folding them again.
    pub mention_keys: std::sync::OnceLock<Box<[MentionKeys]>>,
    /// For each entry (same order), its name, title and aliases as the
    /// completion scorer reads them, where that is not the text's own bytes: built by
    /// the first completion, kept with the list, so that a keystroke does
    /// not split every non-ASCII name into characters again.
    pub score_chars: std::sync::OnceLock<Box<[ScoreChars]>>,
}

/// See [`NameList::score_chars`]: the name's, the title's (empty when
/// there is none) and each alias's, in that order.
pub type ScoreChars = Box<[Prepared]>;

/// A name as the completion scorer reads it.
#[derive(Debug, Default)]
pub struct Prepared {
    /// Its characters, where the scorer does not read its bytes (not ASCII).
    pub chars: Option<Box<[char]>>,
    /// Beside `chars`, each character as the scorer compares it with an
    /// ASCII query (normalized, lowercased), as a byte: 0xFF where that is
    /// not ASCII. A name that lacks a query's letters in order is skipped
    /// without the scorer's own slower search of its characters.
    pub folded: Option<Box<[u8]>>,
    /// The ASCII letters and digits some word of the name starts with,
    /// case-insensitively (as [`crate::names::initials_mask`], and also a
    /// non-ASCII start whose lowercase is one of them), plus
    /// [`crate::names::NON_ASCII_INITIAL`] for every other start.
    pub initials: u64,
    /// The word starts that are not ASCII, for a query that starts with
    /// a character whose lowercase is not ASCII (only those can match it).
    pub starts: Box<str>,
}

/// See [`NameList::mention_keys`]: `(name, its word keys)`.
pub type MentionKeys = Box<[(Box<str>, Box<[u64]>)]>;

/// Orders candidates the way ties are broken: shortest path, then lexical.
pub(crate) fn by_length_then_path(a: &NotePath, b: &NotePath) -> std::cmp::Ordering {
    a.chars()
        .count()
        .cmp(&b.chars().count())
        .then_with(|| a.cmp(b))
}

/// The keys under which a note's links are filed in `linkers`: the folded
/// name each link targets (for `folder/Name.md`, `name`).
fn link_keys(facts: &NoteFacts) -> Vec<Key> {
    let mut keys: Vec<Key> = facts.links.iter().filter_map(|l| l.name_key).collect();
    keys.sort();
    keys.dedup();
    keys
}

/// The tag spellings a note uses, exactly as written.
fn tag_keys(facts: &NoteFacts) -> Vec<Sym> {
    let mut keys: Vec<Sym> = facts.tags.iter().map(|t| t.name).collect();
    keys.sort();
    keys.dedup();
    keys
}

fn key(folded: &str) -> Key {
    Sym::new(folded)
}

/// How a list of paths in the index is kept sorted.
#[derive(Clone, Copy)]
enum Order {
    /// Shortest first (the resolver's tie-break), then by path.
    ByLength,
    ByPath,
}

fn insert_sorted(list: Option<&Arc<[NotePath]>>, path: &NotePath, order: Order) -> Arc<[NotePath]> {
    let mut v: Vec<NotePath> = list.map(|l| l.to_vec()).unwrap_or_default();
    let at = match order {
        Order::ByLength => v.partition_point(|p| by_length_then_path(p, path).is_lt()),
        Order::ByPath => v.partition_point(|p| p < path),
    };
    if v.get(at) != Some(path) {
        v.insert(at, path.clone());
    }
    v.into()
}

fn remove_from<K: std::hash::Hash + Eq + Clone>(
    map: &mut Map<K, Arc<[NotePath]>>,
    key: &K,
    path: &NotePath,
) {
    if let Some(list) = map.get(key) {
        let v: Vec<NotePath> = list.iter().filter(|p| *p != path).cloned().collect();
        if v.is_empty() {
            map.remove(key);
        } else {
            map.insert(key.clone(), v.into());
        }
    }
}

/// What is only in `old` and what is only in `new` (both sorted).
fn diff(old: &[Sym], new: &[Sym]) -> (Vec<Sym>, Vec<Sym>) {
    let gone = old
        .iter()
        .filter(|k| new.binary_search(k).is_err())
        .copied()
        .collect();
    let added = new
        .iter()
        .filter(|k| old.binary_search(k).is_err())
        .copied()
        .collect();
    (gone, added)
}

/// The list under a folded key; empty when the key was never seen.
fn lookup<'m>(map: &'m Map<Key, Arc<[NotePath]>>, folded: &str) -> &'m [NotePath] {
    Sym::lookup(folded)
        .and_then(|k| map.get(&k))
        .map_or(&[], |l| l)
}

impl Snapshot {
    /// Builds a snapshot from a whole vault at once. A note comes as the
    /// `Arc` the index keeps, or goes into one before anything else is
    /// built, so no second copy of the vault's notes is held meanwhile.
    pub fn build<N: Into<Arc<Note>>>(notes: Vec<N>, attachments: Vec<String>) -> Snapshot {
        Snapshot::build_with(notes, attachments, true)
    }

    /// [`Snapshot::build`] without the lists of who links to each name
    /// ([`Snapshot::linkers_of_name`] and [`Snapshot::missing_names`] then
    /// answer nothing): for `carnet check`, which resolves every link of
    /// every note and never asks for backlinks. At 100,000 notes the lists
    /// hold over a million entries.
    pub fn build_to_check<N: Into<Arc<Note>>>(notes: Vec<N>, attachments: Vec<String>) -> Snapshot {
        Snapshot::build_with(notes, attachments, false)
    }

    fn build_with<N: Into<Arc<Note>>>(
        notes: Vec<N>,
        attachments: Vec<String>,
        with_linkers: bool,
    ) -> Snapshot {
        use rayon::prelude::*;
        let notes: Vec<Arc<Note>> = notes.into_iter().map(Into::into).collect();
        // Folding names is the costly part: do it on all cores first.
        let keys: Vec<(Key, Key, Vec<Key>, Vec<Key>)> = notes
            .par_iter()
            .map(|n| {
                (
                    key(&fold(n.name())),
                    key(&fold(strip_md(&n.path))),
                    if with_linkers {
                        link_keys(&n.facts)
                    } else {
                        Vec::new()
                    },
                    tag_keys(&n.facts),
                )
            })
            .collect();
        // Group in plain hash maps first, then move into the persistent ones.
        let mut by_name: FxHashMap<Key, Vec<NotePath>> = FxHashMap::default();
        let mut linkers: FxHashMap<Key, Vec<NotePath>> = FxHashMap::default();
        let mut taggers: FxHashMap<Key, Vec<NotePath>> = FxHashMap::default();
        let mut files_by_name: FxHashMap<Key, Vec<NotePath>> = FxHashMap::default();
        let mut snap = Snapshot::default();
        let mut note_by_path = Vec::with_capacity(notes.len());
        let mut all = Vec::with_capacity(notes.len());
        for (note, (name, path_key, links, tags)) in notes.into_iter().zip(keys) {
            let path = note.path.clone();
            by_name.entry(name).or_default().push(path.clone());
            for key in links {
                linkers.entry(key).or_default().push(path.clone());
            }
            for key in tags {
                taggers.entry(key).or_default().push(path.clone());
            }
            note_by_path.push((path_key, path.clone()));
            all.push((path, note));
        }
        let finish =
            |m: FxHashMap<Key, Vec<NotePath>>, by_len: bool| -> Map<Key, Arc<[NotePath]>> {
                m.into_iter()
                    .map(|(k, mut v)| {
                        if by_len {
                            v.sort_by(by_length_then_path);
                        } else {
                            v.sort();
                        }
                        (k, v.into())
                    })
                    .collect()
            };
        // The maps are independent: each is filled on a core of its own
        // (the server's first answer waits for this).
        let ((notes, note_by_path), (linkers, (taggers, by_name, attachments))) = rayon::join(
            || {
                rayon::join(
                    || all.into_iter().collect(),
                    || note_by_path.into_iter().collect(),
                )
            },
            || {
                rayon::join(
                    || finish(linkers, false),
                    || {
                        let mut attachment_by_path = Map::default();
                        for file in attachments {
                            let path: NotePath = file.into();
                            files_by_name
                                .entry(key(&fold(file_name(&path))))
                                .or_default()
                                .push(path.clone());
                            attachment_by_path.insert(key(&fold(&path)), path);
                        }
                        (
                            finish(taggers, false),
                            finish(by_name, true),
                            (finish(files_by_name, true), attachment_by_path),
                        )
                    },
                )
            },
        );
        snap.notes = notes;
        snap.note_by_path = note_by_path;
        snap.linkers = linkers;
        snap.taggers = taggers;
        snap.note_by_name = by_name;
        (snap.attachment_by_name, snap.attachment_by_path) = attachments;
        snap
    }

    /// A vault from `(path, text)` pairs, for tests.
    #[cfg(test)]
    pub(crate) fn from_texts(files: &[(&str, &str)]) -> Snapshot {
        let notes: Vec<Note> = files
            .iter()
            .map(|(path, text)| {
                Note::new(
                    (*path).into(),
                    crate::facts::extract(text),
                    text.len() as u64,
                )
            })
            .collect();
        Snapshot::build(notes, vec![])
    }

    /// The next snapshot, with `note` added or replacing the note at its path.
    pub fn with_note(&self, note: Note) -> Snapshot {
        let Some(old) = self.notes.get(&*note.path).cloned() else {
            return self.with_new_note(note);
        };
        // The same note again (a keystroke): touch only the lists whose
        // membership changed. A hub's list of linkers can hold a hundred
        // thousand notes; copying it on every keystroke is what this avoids.
        let mut next = self.clone();
        let path = note.path.clone();
        let same_names =
            old.facts.title == note.facts.title && old.facts.aliases == note.facts.aliases;
        if !same_names {
            next.names = Arc::default();
        }
        let (gone, added) = diff(&link_keys(&old.facts), &link_keys(&note.facts));
        if !gone.is_empty() || !added.is_empty() {
            next.missing = Arc::default();
        }
        for k in gone {
            remove_from(&mut next.linkers, &k, &path);
        }
        for k in added {
            let list = insert_sorted(next.linkers.get(&k), &path, Order::ByPath);
            next.linkers.insert(k, list);
        }
        let (gone, added) = diff(&tag_keys(&old.facts), &tag_keys(&note.facts));
        for k in gone {
            remove_from(&mut next.taggers, &k, &path);
        }
        for k in added {
            let list = insert_sorted(next.taggers.get(&k), &path, Order::ByPath);
            next.taggers.insert(k, list);
        }
        next.notes.insert(path, Arc::new(note));
        next
    }

    fn with_new_note(&self, note: Note) -> Snapshot {
        let mut next = self.clone();
        next.names = Arc::default();
        next.missing = Arc::default();
        let path = note.path.clone();
        let name_key: Key = key(&fold(note.name()));
        let list = insert_sorted(next.note_by_name.get(&name_key), &path, Order::ByLength);
        next.note_by_name.insert(name_key, list);
        for key in link_keys(&note.facts) {
            let list = insert_sorted(next.linkers.get(&key), &path, Order::ByPath);
            next.linkers.insert(key, list);
        }
        for key in tag_keys(&note.facts) {
            let list = insert_sorted(next.taggers.get(&key), &path, Order::ByPath);
            next.taggers.insert(key, list);
        }
        next.note_by_path
            .insert(key(&fold(strip_md(&path))), path.clone());
        next.notes.insert(path, Arc::new(note));
        next
    }

    /// The next snapshot, without the note at `path` (unchanged if absent).
    pub fn without_note(&self, path: &str) -> Snapshot {
        let mut next = self.clone();
        let Some(old) = next.notes.remove(path) else {
            return next;
        };
        next.names = Arc::default();
        next.missing = Arc::default();
        let path = old.path.clone();
        remove_from(&mut next.note_by_name, &key(&fold(old.name())), &path);
        for key in link_keys(&old.facts) {
            remove_from(&mut next.linkers, &key, &path);
        }
        for key in tag_keys(&old.facts) {
            remove_from(&mut next.taggers, &key, &path);
        }
        next.note_by_path.remove(&key(&fold(strip_md(&path))));
        next
    }

    /// A snapshot where notes have moved (old path → new path), for
    /// *resolving* links only: the backlink and tag lists are left as they
    /// were, which keeps moving a folder of hundreds of notes cheap (each
    /// full update would copy the linker lists of every name it links to).
    pub fn with_notes_moved(&self, moves: &[(NotePath, String)]) -> Snapshot {
        let mut next = self.clone();
        next.names = Arc::default();
        next.missing = Arc::default();
        let mut moved = Vec::new();
        for (old, new) in moves {
            let Some(note) = next.notes.remove(&**old) else {
                continue;
            };
            remove_from(&mut next.note_by_name, &key(&fold(note.name())), old);
            next.note_by_path.remove(&key(&fold(strip_md(old))));
            moved.push((note, new));
        }
        for (note, new) in moved {
            let path: NotePath = new.as_str().into();
            let name_key: Key = key(&fold(note_stem(&path)));
            let list = insert_sorted(next.note_by_name.get(&name_key), &path, Order::ByLength);
            next.note_by_name.insert(name_key, list);
            next.note_by_path
                .insert(key(&fold(strip_md(&path))), path.clone());
            next.notes.insert(
                path.clone(),
                Arc::new(Note::new(path, note.facts.clone(), note.bytes)),
            );
        }
        next
    }

    /// The next snapshot with an attachment added.
    pub fn with_attachment(&self, path: &str) -> Snapshot {
        let mut next = self.clone();
        let path: NotePath = path.into();
        let name_key: Key = key(&fold(file_name(&path)));
        let path_key: Key = key(&fold(&path));
        let list = insert_sorted(
            next.attachment_by_name.get(&name_key),
            &path,
            Order::ByLength,
        );
        next.attachment_by_name.insert(name_key, list);
        next.attachment_by_path.insert(path_key, path);
        next
    }

    /// The next snapshot without the attachment at `path`.
    pub fn without_attachment(&self, path: &str) -> Snapshot {
        let mut next = self.clone();
        let path: NotePath = path.into();
        let name_key: Key = key(&fold(file_name(&path)));
        remove_from(&mut next.attachment_by_name, &name_key, &path);
        next.attachment_by_path.remove(&key(&fold(&path)));
        next
    }

    /// Whether `other` is this snapshot (a clone of it), not a later one: a
    /// cheap test for what is computed once per snapshot and kept.
    pub fn same_as(&self, other: &Snapshot) -> bool {
        self.notes.ptr_eq(&other.notes) && self.attachment_by_path.ptr_eq(&other.attachment_by_path)
    }

    pub fn note(&self, path: &str) -> Option<&Arc<Note>> {
        self.notes.get(path)
    }

    pub fn notes(&self) -> impl Iterator<Item = &Arc<Note>> {
        self.notes.values()
    }

    pub fn note_count(&self) -> usize {
        self.notes.len()
    }

    pub fn attachments(&self) -> impl Iterator<Item = &NotePath> {
        self.attachment_by_path.values()
    }

    /// Notes holding at least one link whose target name folds to `key`.
    /// A superset of the backlinks of a note named `key`: resolve each to be sure.
    pub fn linkers_of_name(&self, key: &str) -> &[NotePath] {
        lookup(&self.linkers, key)
    }

    /// Every note's names (see [`NameList`]).
    pub fn name_list(&self) -> Arc<NameList> {
        self.names
            .get_or_init(|| {
                let mut entries = Vec::with_capacity(self.notes.len());
                for (_, paths, popularity) in self.names_with_popularity() {
                    for note in paths.iter().filter_map(|p| self.notes.get(p)) {
                        let names = std::iter::once(note.name())
                            .chain(note.facts.title.as_deref())
                            .chain(note.facts.aliases.iter().map(|a| &**a));
                        let chars = names
                            .clone()
                            .map(crate::names::char_mask)
                            .try_fold(0, |all, m| m.map(|m| all | m))
                            .unwrap_or(u64::MAX);
                        let initials = names.fold(0, |all, n| all | crate::names::initials_mask(n));
                        entries.push(NameEntry {
                            path: note.path.clone(),
                            name: note.name().into(),
                            title: note.facts.title.clone().filter(|t| **t != *note.name()),
                            aliases: note.facts.aliases.clone().into_boxed_slice(),
                            popularity: popularity as u32,
                            chars,
                            initials,
                            writable: crate::names::wiki_writable(&note.path),
                        });
                    }
                }
                Arc::new(NameList {
                    entries,
                    mention_keys: Default::default(),
                    score_chars: Default::default(),
                })
            })
            .clone()
    }

    /// Folded names that links point at and no note has (see `missing`).
    pub fn missing_names(&self) -> Arc<[Sym]> {
        self.missing
            .get_or_init(|| {
                // Links to attachments (`pic.png`) are not notes to create.
                self.linkers
                    .keys()
                    .filter(|k| !self.note_by_name.contains_key(*k) && !has_other_extension(k))
                    .copied()
                    .collect()
            })
            .clone()
    }

    /// Every note name (folded) with its notes and how many notes link to
    /// that name: one pass over the vault with no per-note folding.
    pub fn names_with_popularity(&self) -> impl Iterator<Item = (Sym, &[NotePath], usize)> + '_ {
        self.note_by_name
            .iter()
            .map(|(k, paths)| (*k, &paths[..], self.linkers.get(k).map_or(0, |l| l.len())))
    }

    /// Every tag spelling in the vault, as written.
    pub fn tag_spellings(&self) -> impl Iterator<Item = Sym> + '_ {
        self.taggers.keys().copied()
    }

    /// Notes that use the tag spelled exactly `spelling`.
    pub fn taggers_of(&self, spelling: &str) -> &[NotePath] {
        Sym::lookup(spelling)
            .and_then(|k| self.taggers.get(&k))
            .map_or(&[], |l| l)
    }

    pub fn notes_named(&self, key: &str) -> &[NotePath] {
        lookup(&self.note_by_name, key)
    }

    pub(crate) fn notes_with_key(&self, key: Key) -> &[NotePath] {
        self.note_by_name.get(&key).map_or(&[], |l| l)
    }

    pub(crate) fn note_at(&self, folded_path_without_md: &str) -> Option<&NotePath> {
        self.note_by_path.get(&Sym::lookup(folded_path_without_md)?)
    }

    pub(crate) fn attachments_named(&self, key: &str) -> &[NotePath] {
        lookup(&self.attachment_by_name, key)
    }

    pub(crate) fn attachment_at(&self, folded_path: &str) -> Option<&NotePath> {
        self.attachment_by_path.get(&Sym::lookup(folded_path)?)
    }
}

#[cfg(test)]
mod tests;
