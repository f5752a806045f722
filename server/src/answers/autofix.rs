//! `carnet check --fix`: the quick fixes that have exactly one right
//! answer, applied together, each checked in the vault as it will be.
//!
//! - a tag written in a minority spelling (`tag-variant`) takes the vault's
//!   usual spelling;
//! - a link naming its note with other capitals (`link-case`) takes the
//!   name's capitals;
//! - an ambiguous wiki-link (`ambiguous-link`) names the note it resolves
//!   to (the one Obsidian opens) with the shortest unambiguous path.
//!
//! Everything else is reported, not guessed: missing notes, headings and
//! blocks, near-miss tags, ambiguous markdown links.

use std::collections::BTreeMap;

use super::fixes::{Fix, fixes, unambiguous_name};
use super::{Edit, Plan, TextOf};
use crate::check::{Problem, code};
use crate::facts::extract;
use crate::index::resolve::Resolution;
use crate::index::{Note, NotePath, Snapshot};

/// The sure fixes among `problems` (found in `snap`), as a plan of edits,
/// and the problems they fix. A fix whose result would not be what it
/// promises (the link resolving elsewhere, or still ambiguous) is dropped,
/// and its problem stays reported. Notes whose text no longer matches the
/// index are left alone.
pub fn sure_fixes<'p>(
    snap: &Snapshot,
    problems: &'p [Problem],
    text_of: TextOf,
) -> (Plan, Vec<&'p Problem>) {
    let mut texts: BTreeMap<NotePath, Option<String>> = BTreeMap::new();
    let mut chosen: BTreeMap<NotePath, Vec<(Edit, &'p Problem)>> = BTreeMap::new();
    for p in problems {
        if ![code::TAG_VARIANT, code::LINK_CASE, code::AMBIGUOUS_LINK].contains(&p.code) {
            continue;
        }
        let Some(note) = snap.note(&p.path) else {
            continue;
        };
        let text = texts
            .entry(p.path.clone())
            .or_insert_with(|| text_of(&p.path).filter(|t| extract(t) == note.facts));
        let Some(text) = text.as_deref() else {
            continue; // changed since it was indexed
        };
        let edit = if p.code == code::AMBIGUOUS_LINK {
            ambiguous(snap, note, p)
        } else {
            fixes(snap, &p.path, text, p)
                .into_iter()
                .find_map(|f| match f {
                    Fix::Edit {
                        path, span, text, ..
                    } if path == p.path => Some(Edit { span, text }),
                    _ => None,
                })
        };
        if let Some(edit) = edit {
            chosen.entry(p.path.clone()).or_default().push((edit, p));
        }
    }
    let mut plan = Plan::default();
    let mut fixed = Vec::new();
    for (path, mut list) in chosen {
        let (Some(note), Some(Some(text))) = (snap.note(&path), texts.get(&path)) else {
            continue;
        };
        list.sort_by_key(|(e, _)| e.span.start);
        list.dedup_by(|a, b| a.0.span == b.0.span);
        // Drop what does not check out, until the rest does.
        loop {
            let edits: Vec<Edit> = list.iter().map(|(e, _)| e.clone()).collect();
            let Ok(new_text) = super::apply_edits(text, &edits, &path) else {
                list.clear();
                break;
            };
            let after = snap.with_note(Note::new(
                path.clone(),
                extract(&new_text),
                new_text.len() as u64,
            ));
            let before = list.len();
            list.retain(|(_, p)| holds(snap, &after, note, p));
            if list.len() == before {
                break;
            }
        }
        if list.is_empty() {
            continue;
        }
        fixed.extend(list.iter().map(|(_, p)| *p));
        plan.edits
            .insert(path, list.into_iter().map(|(e, _)| e).collect());
    }
    (plan, fixed)
}

/// The edit naming the note an ambiguous wiki-link resolves to, alone.
fn ambiguous(snap: &Snapshot, note: &Note, p: &Problem) -> Option<Edit> {
    let link = note.facts.links.iter().find(|l| l.span == p.span)?;
    if !link.kind.is_wiki() {
        return None; // a markdown path is fixed by writing it out, not guessed
    }
    let used = p.related.first()?;
    let name = unambiguous_name(snap, used, &link.target)?;
    Some(Edit {
        span: link.target_span,
        text: name,
    })
}

/// Whether problem `p` (of the note `before`, in `snap`) is gone in
/// `after`, fixed the way it promised: the same link now resolving alone to
/// the same note and part, or the tag spelled as suggested.
fn holds(snap: &Snapshot, after: &Snapshot, before: &Note, p: &Problem) -> bool {
    let Some(now) = after.note(&before.path) else {
        return false;
    };
    if p.code == code::TAG_VARIANT {
        let i = before.facts.tags.iter().position(|t| t.span == p.span);
        return match (i, &p.suggestion) {
            (Some(i), Some(usual)) => {
                now.facts.tags.len() == before.facts.tags.len()
                    && now.facts.tags[i].name.as_str() == usual.as_str()
            }
            _ => false,
        };
    }
    let Some(i) = before.facts.links.iter().position(|l| l.span == p.span) else {
        return false;
    };
    if now.facts.links.len() != before.facts.links.len() {
        return false;
    }
    let (old, new) = (&before.facts.links[i], &now.facts.links[i]);
    let Resolution::Note {
        path: want,
        subpath: part,
        ..
    } = snap.resolve(&before.path, old)
    else {
        return false;
    };
    let Resolution::Note {
        path,
        others,
        subpath,
    } = after.resolve(&now.path, new)
    else {
        return false;
    };
    let spelled = p.code != code::LINK_CASE
        || crate::names::note_stem(new.target.trim()) == crate::names::note_stem(&want);
    path == want && others.is_empty() && subpath == part && spelled
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{Checker, Rules};

    fn run(files: &[(&str, &str)]) -> (Vec<(String, String)>, Vec<&'static str>) {
        let snap = Snapshot::from_texts(files);
        let problems = Checker::new(&snap, &Rules::default()).vault(&snap);
        let text_of = |p: &str| files.iter().find(|f| f.0 == p).map(|f| f.1.to_string());
        let (plan, fixed) = sure_fixes(&snap, &problems, &text_of);
        let texts = files
            .iter()
            .map(|(p, t)| {
                let t = match plan.edits.get(*p) {
                    Some(e) => super::super::apply_edits(t, e, p).unwrap(),
                    None => t.to_string(),
                };
                (p.to_string(), t)
            })
            .collect();
        (texts, fixed.iter().map(|p| p.code).collect())
    }

    #[test]
    fn fixes_what_has_one_answer_and_leaves_the_rest() {
        let files = [
            (
                "a.md",
                "#ToDo [[beta]] [[T]] [[T#Part|alias]] [[Missing]] [[beta#Nope]] #projcets\n",
            ),
            ("Beta.md", "#todo"),
            ("x/T.md", "## Part\n"),
            ("y/z/T.md", "#todo"),
            ("c.md", "#todo #projects"),
            ("d.md", "#projects"),
        ];
        let (texts, fixed) = run(&files);
        assert_eq!(
            texts[0].1,
            "#todo [[Beta]] [[x/T]] [[x/T#Part|alias]] [[Missing]] [[Beta#Nope]] #projcets\n"
        );
        let mut fixed = fixed;
        fixed.sort();
        assert_eq!(
            fixed,
            [
                "ambiguous-link",
                "ambiguous-link",
                "link-case",
                "link-case",
                "tag-variant"
            ]
        );
        // Once fixed, checking again finds none of those.
        let fixed_files: Vec<(&str, &str)> = texts
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        let (again, fixed) = run(&fixed_files);
        assert!(fixed.is_empty(), "{fixed:?}");
        assert_eq!(again, texts);
    }

    #[test]
    fn a_note_changed_since_indexing_is_left_alone() {
        let files = [("a.md", "[[beta]]"), ("Beta.md", "")];
        let snap = Snapshot::from_texts(&files);
        let problems = Checker::new(&snap, &Rules::default()).vault(&snap);
        let text_of = |p: &str| Some(if p == "a.md" { "[[beta]] new" } else { "" }.to_string());
        let (plan, fixed) = sure_fixes(&snap, &problems, &text_of);
        assert!(plan.edits.is_empty() && fixed.is_empty());
    }
}
