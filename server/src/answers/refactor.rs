//! Refactors offered as code actions: extract the selection or the section
//! under the cursor into a new note, inline an embedded note or section,
//! and insert or update a table of contents.

use super::rename::{Edit, Leave, Plan, TextOf, extract_to_note, inline_embed};
use super::{At, Cursor, cursor};
use crate::facts::LinkKind;
use crate::index::Snapshot;
use crate::names::{fold, parent, strip_md};
use crate::text::Span;

/// What a refactor is, for the editor's menu.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefactorKind {
    Extract,
    Inline,
    /// Rewrites the note in place (the table of contents).
    Rewrite,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refactor {
    pub title: String,
    pub kind: RefactorKind,
    pub plan: Plan,
}

/// The markers around a table of contents (the ones marksman writes too,
/// so either server updates the other's).
pub const TOC_START: &str = "<!--toc:start-->";
pub const TOC_END: &str = "<!--toc:end-->";

/// The refactors that apply at `range` of the note at `from` (current text
/// `text`). `free` says whether a vault-relative path can take a new note
/// (the caller knows the disk).
pub fn refactors(
    snap: &Snapshot,
    from: &str,
    text: &str,
    range: Span,
    text_of: TextOf,
    free: &dyn Fn(&str) -> bool,
) -> Vec<Refactor> {
    let Some(note) = snap.note(from) else {
        return vec![];
    };
    if note.bytes != text.len() as u64 {
        return vec![]; // the index is behind the buffer: ask again
    }
    let f = &note.facts;
    let mut out = Vec::new();
    let line = f.lines.line_of(range.start);
    let at = At {
        offset: range.start,
        line,
    };
    // Extract: the selection, else the section under the cursor.
    let selection = (range.start < range.end).then(|| trim_selection(text, range));
    let section = f
        .headings
        .iter()
        .enumerate()
        .filter(|(i, _)| f.section(*i).touches(range.start))
        .map(|(i, _)| i)
        .next_back()
        .filter(|&i| {
            let s = f.section(i);
            // The whole note is not a part of it.
            s.end < f.lines.text_len() || s.start > f.headings[0].span.start
        });
    let what = match (selection, section) {
        (Some(sel), _) if sel.start < sel.end => {
            let name = name_for(&text[sel.range()]);
            Some((sel, name, "the selection".to_string(), false))
        }
        (None, Some(i)) => {
            let h = &f.headings[i];
            Some((
                f.section(i),
                clean_name(&h.text),
                format!("section \"{}\"", h.text),
                true,
            ))
        }
        _ => None,
    };
    if let Some((span, name, what, is_section)) = what {
        let path = free_path(snap, parent(from), &name, free);
        for (leave, how) in [(Leave::Link, "a link"), (Leave::Embed, "an embed")] {
            if let Ok(done) = extract_to_note(snap, from, span, &path, leave, is_section, text_of) {
                out.push(Refactor {
                    title: format!(
                        "Extract {what} to new note \"{}\", leaving {how}",
                        strip_md(crate::names::file_name(&path))
                    ),
                    kind: RefactorKind::Extract,
                    plan: done.plan,
                });
            }
        }
    }
    // Inline an embed under the cursor.
    if let Cursor::Link(link) = cursor(note, at)
        && link.kind == LinkKind::Embed
        && let Ok(plan) = inline_embed(snap, from, link, text_of)
    {
        out.push(Refactor {
            title: format!("Inline {}", &text[link.span.range()]),
            kind: RefactorKind::Inline,
            plan,
        });
    }
    out.extend(toc(snap, from, text, range.start));
    out
}

/// A selection without the blank lines around it; whole lines when it
/// starts at a line's start (a block), as typed otherwise.
fn trim_selection(text: &str, range: Span) -> Span {
    let end = (range.end as usize).min(text.len());
    let start = (range.start as usize).min(end);
    let s = &text[start..end];
    let lead = s.len() - s.trim_start_matches(['\n', '\r']).len();
    Span::new(start + lead..end)
}

/// A note name from the first words of `text` (its first heading, if it
/// starts with one).
fn name_for(text: &str) -> String {
    let first = crate::text::lines(text)
        .map(|l| l.text.trim())
        .find(|l| !l.is_empty())
        .unwrap_or("");
    let words: Vec<&str> = first
        .split(|c: char| c.is_whitespace() || "[]()|#^*_`".contains(c))
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
        .take(5)
        .collect();
    clean_name(&words.join(" "))
}

/// `name` without the characters a note name cannot hold (they would break
/// links), at most 60 characters; `Untitled` when nothing is left.
fn clean_name(name: &str) -> String {
    let kept: String = name
        .chars()
        .map(|c| {
            if "#|^:[]\\/*\"<>?%".contains(c) || c.is_control() {
                ' '
            } else {
                c
            }
        })
        .collect();
    let mut out = kept.split_whitespace().collect::<Vec<_>>().join(" ");
    if let Some((i, _)) = out.char_indices().nth(60) {
        out.truncate(i);
    }
    let out = out.trim_start_matches('.').trim().to_string();
    if out.is_empty() {
        "Untitled".into()
    } else {
        out
    }
}

/// `folder/name.md`, or `name 2.md`, `name 3.md`… when it is taken.
fn free_path(snap: &Snapshot, folder: &str, name: &str, free: &dyn Fn(&str) -> bool) -> String {
    let at = |n: &str| match folder {
        "" => format!("{n}.md"),
        dir => format!("{dir}/{n}.md"),
    };
    let taken = |p: &str| snap.note_at(&fold(strip_md(p))).is_some() || !free(p);
    let mut path = at(name);
    let mut k = 2;
    while taken(&path) {
        path = at(&format!("{name} {k}"));
        k += 1;
    }
    path
}

/// "Insert table of contents" (at the cursor's line), or "Update table of
/// contents" where one is (between [`TOC_START`] and [`TOC_END`]).
fn toc(snap: &Snapshot, from: &str, text: &str, cursor: u32) -> Option<Refactor> {
    let note = snap.note(from)?;
    let f = &note.facts;
    // The title (a first heading of level 1) is the note itself.
    let skip = usize::from(f.headings.first().is_some_and(|h| h.level == 1));
    let headings = &f.headings[skip.min(f.headings.len())..];
    let markdown = f.links.iter().any(|l| l.kind == LinkKind::Markdown)
        && !f.links.iter().any(|l| l.kind.is_wiki());
    let nl = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let existing = text.find(TOC_START).and_then(|s| {
        let e = text[s..].find(TOC_END)? + s + TOC_END.len();
        Some(Span::new(s..e))
    });
    // Headings inside the old table are not headings of the note's text.
    let headings: Vec<_> = headings
        .iter()
        .filter(|h| existing.is_none_or(|t| !t.touches(h.span.start)))
        .collect();
    if headings.is_empty() {
        return None;
    }
    let top = headings.iter().map(|h| h.level).min().unwrap_or(1);
    let mut body = String::new();
    for h in &headings {
        let indent = "  ".repeat((h.level - top) as usize);
        let entry = if markdown {
            format!("[{}](#{})", h.text, crate::names::slug(&h.text))
        } else {
            format!("[[#{}]]", crate::names::heading_link_text(&h.text))
        };
        body += &format!("{indent}- {entry}{nl}");
    }
    let block = format!("{TOC_START}{nl}{nl}{body}{nl}{TOC_END}");
    let (title, edit) = match existing {
        Some(old) if text.get(old.range()) == Some(block.as_str()) => return None,
        Some(old) => (
            "Update table of contents",
            Edit {
                span: old,
                text: block,
            },
        ),
        None => {
            let at = crate::text::line_start(text, (cursor as usize).min(text.len()));
            // A blank line after the table: the one at the cursor, or a new one.
            let blank = crate::text::lines(&text[at..])
                .next()
                .is_none_or(|l| l.text.trim().is_empty());
            let after = if blank {
                nl.to_string()
            } else {
                format!("{nl}{nl}")
            };
            (
                "Insert table of contents",
                Edit {
                    span: Span::new(at..at),
                    text: format!("{block}{after}"),
                },
            )
        }
    };
    Some(Refactor {
        title: title.into(),
        kind: RefactorKind::Rewrite,
        plan: Plan {
            edits: [(note.path.clone(), vec![edit])].into(),
            ..Plan::default()
        },
    })
}

#[cfg(test)]
mod tests;
