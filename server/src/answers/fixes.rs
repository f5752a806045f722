//! Quick fixes for problems, as plain edits the server turns into code
//! actions. Every edit is computed from the same snapshot as the problem, on
//! the note's current text, so it applies cleanly to the buffer it came from.

use super::rename::{Plan, TextOf, encode_like, rename_tag};
use crate::check::{Checker, Problem, Rules, code};
use crate::facts::{Link, LinkKind, Subpath};
use crate::index::resolve::{Resolution, Unresolved};
use crate::index::{NotePath, Snapshot};
use crate::names::{fold, has_other_extension, note_stem, slug, strip_md};
use crate::text::Span;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fix {
    /// Create a note (vault-relative `path`) holding `text`. Never overwrites.
    CreateNote {
        title: String,
        path: String,
        text: String,
    },
    /// Replace `span` of the note at `path` with `text`.
    Edit {
        title: String,
        path: NotePath,
        span: Span,
        text: String,
        preferred: bool,
    },
    /// Apply a rename plan (several notes at once).
    Rename { title: String, plan: Plan },
}

/// The problems of the note at `from` (current text `text`) that touch
/// `range`, each with its fixes. `text_of` supplies other notes' texts, for
/// fixes that edit every note.
pub fn fixes_in(
    snap: &Snapshot,
    rules: &Rules,
    from: &str,
    text: &str,
    range: Span,
    text_of: TextOf,
) -> Vec<(Problem, Vec<Fix>)> {
    let Some(note) = snap.note(from) else {
        return vec![];
    };
    let problems = Checker::new(snap, rules).note(snap, note);
    problems
        .into_iter()
        .filter(|p| p.span.start <= range.end && range.start <= p.span.end)
        .map(|p| {
            let mut found = fixes(snap, from, text, &p);
            found.extend(retag_everywhere(snap, from, text, &p, text_of));
            found.extend(add_offered_block_id(snap, from, &p, text_of));
            (p, found)
        })
        .collect()
}

/// A tag spelled the unusual way: respell it in every note at once (when
/// other notes use it too).
fn retag_everywhere(
    snap: &Snapshot,
    from: &str,
    text: &str,
    problem: &Problem,
    text_of: TextOf,
) -> Option<Fix> {
    if !problem.code.starts_with("tag-") {
        return None;
    }
    let usual = problem.suggestion.as_ref()?;
    let tag = text.get(problem.span.range())?.trim_start_matches('#');
    let plan = rename_tag(snap, tag, usual, text_of).ok()?;
    if !plan.edits.keys().any(|p| **p != *from) {
        return None;
    }
    let n = plan.edit_count();
    let uses = if n == 1 { "use" } else { "uses" };
    Some(Fix::Rename {
        title: format!("Rename #{tag} to #{usual} in every note ({n} {uses})"),
        plan,
    })
}

/// A link to a block id that `[[^^` completion offered and the editor did
/// not write (it ran no command): write it into the block now.
fn add_offered_block_id(
    snap: &Snapshot,
    from: &str,
    problem: &Problem,
    text_of: TextOf,
) -> Option<Fix> {
    if problem.code != code::UNRESOLVED_BLOCK {
        return None;
    }
    let target = problem.related.first()?;
    let link = snap
        .note(from)?
        .facts
        .links
        .iter()
        .find(|l| l.span == problem.span)?;
    let Some(Subpath::Block(id)) = link.subpath() else {
        return None;
    };
    let (block, edit) = super::blocks::pending_block(snap, target, id, text_of)?;
    let shown: String = block.chars().take(40).collect();
    let more = if shown.len() < block.len() { "…" } else { "" };
    Some(Fix::Edit {
        title: format!("Add ^{id} to \"{shown}{more}\" in {}", note_stem(target)),
        path: target.clone(),
        span: edit.span,
        text: edit.text,
        preferred: true,
    })
}

/// The fixes for `problem`, found in the note at `from` whose current text is `text`.
pub fn fixes(snap: &Snapshot, from: &str, text: &str, problem: &Problem) -> Vec<Fix> {
    let Some(note) = snap.note(from) else {
        return vec![];
    };
    let edit = |title: String, span: Span, new: String, preferred: bool| Fix::Edit {
        title,
        path: note.path.clone(),
        span,
        text: new,
        preferred,
    };
    if problem.code.starts_with("tag-") {
        let Some(usual) = &problem.suggestion else {
            return vec![];
        };
        let written = text.get(problem.span.range()).unwrap_or("");
        let new = if written.starts_with('#') {
            format!("#{usual}")
        } else {
            usual.clone()
        };
        return vec![edit(
            format!("Replace with #{usual}"),
            problem.span,
            new,
            true,
        )];
    }
    let Some(link) = note.facts.links.iter().find(|l| l.span == problem.span) else {
        return vec![];
    };
    match problem.code {
        code::UNRESOLVED_LINK => create_note(snap, from, link).into_iter().collect(),
        code::LINK_CASE => {
            let Some(target) = problem.related.first() else {
                return vec![];
            };
            let raw = text.get(link.target_span.range()).unwrap_or("");
            let last_start = raw.rfind('/').map_or(0, |i| i + 1);
            let last = &raw[last_start..];
            let mut name = note_stem(target).to_string();
            if last.to_ascii_lowercase().ends_with(".md") {
                name.push_str(&last[last.len() - 3..]);
            }
            if !link.kind.is_wiki() {
                name = encode_like(link, &name);
            }
            let span = Span {
                start: link.target_span.start + last_start as u32,
                end: link.target_span.end,
            };
            vec![edit(
                format!("Write \"{}\"", note_stem(target)),
                span,
                name,
                true,
            )]
        }
        code::AMBIGUOUS_LINK => problem
            .related
            .iter()
            .filter_map(|candidate| {
                let new = unambiguous_name(snap, candidate, &link.target)?;
                Some(edit(
                    format!("Link to {candidate}"),
                    link.target_span,
                    new,
                    false,
                ))
            })
            .collect(),
        code::UNRESOLVED_HEADING => {
            let (Some(target), Some(Subpath::Heading(parts))) =
                (problem.related.first(), link.subpath())
            else {
                return vec![];
            };
            let wanted = parts.last().copied().unwrap_or_default();
            let mut out = Vec::new();
            if let (Some(closest), Some(sub_span)) = (
                closest_heading(snap, target, wanted),
                subpath_span(text, link),
            ) {
                let new = if link.kind.is_wiki() {
                    closest.clone()
                } else {
                    slug(&closest)
                };
                out.push(edit(
                    format!("Link to closest heading \"{closest}\""),
                    sub_span,
                    new,
                    true,
                ));
            }
            if let Some(t) = snap.note(target) {
                let end = t.facts.lines.text_len();
                out.push(Fix::Edit {
                    title: format!("Add heading \"{wanted}\" to {}", note_stem(target)),
                    path: target.clone(),
                    span: Span { start: end, end },
                    text: format!("\n## {wanted}\n"),
                    preferred: false,
                });
            }
            out
        }
        _ => vec![],
    }
}

/// "Create note X" for a link to a missing note (not an attachment, not a
/// path out of the vault).
fn create_note(snap: &Snapshot, from: &str, link: &Link) -> Option<Fix> {
    if !matches!(
        snap.resolve(from, link),
        Resolution::Unresolved(Unresolved::Note)
    ) {
        return None;
    }
    let path = new_note_path(from, link)?;
    let name = note_stem(&path).to_string();
    Some(Fix::CreateNote {
        title: format!("Create note \"{name}\""),
        text: format!("# {name}\n"),
        path,
    })
}

/// Where the note a link to a missing note wants would be created
/// (vault-relative, with `.md`): relative to the linking note for markdown
/// links and `./`, `../` wiki-links, else from the vault root. `None` for
/// same-note links, attachments and paths out of the vault.
pub(crate) fn new_note_path(from: &str, link: &Link) -> Option<String> {
    let target = link.target.trim();
    if target.is_empty() || has_other_extension(target) {
        return None;
    }
    let path = crate::names::link_path(from, target, link.kind.is_wiki())?;
    Some(format!("{}.md", strip_md(&path)))
}

/// The shortest `folder/…/name` that picks `candidate` alone among the notes
/// sharing its name — its whole vault path always does, as an exact path
/// wins the tie-break — keeping a `.md` the link had.
pub(crate) fn unambiguous_name(snap: &Snapshot, candidate: &str, written: &str) -> Option<String> {
    let bare = strip_md(candidate);
    let parts: Vec<&str> = bare.split('/').collect();
    let same_name = snap.notes_named(&fold(note_stem(candidate)));
    for k in 1..=parts.len() {
        let suffix = parts[parts.len() - k..].join("/");
        let folded = fold(&suffix);
        let matching = same_name
            .iter()
            .filter(|p| {
                let f = fold(strip_md(p));
                f == folded || f.ends_with(&format!("/{folded}"))
            })
            .count();
        if matching == 1 || k == parts.len() {
            let md = written.to_ascii_lowercase().ends_with(".md");
            return Some(if md { format!("{suffix}.md") } else { suffix });
        }
    }
    None
}

/// The heading of `target` most like `wanted`, if any is reasonably close.
fn closest_heading(snap: &Snapshot, target: &str, wanted: &str) -> Option<String> {
    let wanted = fold(wanted);
    snap.note(target)?
        .facts
        .headings
        .iter()
        .map(|h| {
            (
                strsim::normalized_levenshtein(&fold(&h.text), &wanted),
                &h.text,
            )
        })
        .filter(|(score, _)| *score >= 0.4)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, h)| h.to_string())
}

/// The `Heading` part of `[[Note#Heading|alias]]` or `(note.md#slug)`.
pub(crate) fn subpath_span(text: &str, link: &Link) -> Option<Span> {
    let start = link.target_span.end as usize;
    let rest = text.get(start..link.span.end as usize)?;
    let after_hash = rest.strip_prefix('#')?;
    let len = if link.kind == LinkKind::Markdown || link.kind == LinkKind::Reference {
        after_hash
            .find([')', '>', ' ', '"'])
            .unwrap_or(after_hash.len())
    } else {
        after_hash.find(['|', ']']).map_or(after_hash.len(), |i| {
            // `\|` in tables: the backslash belongs to the separator.
            if after_hash[..i].ends_with('\\') {
                i - 1
            } else {
                i
            }
        })
    };
    let s = (start + 1) as u32;
    Some(Span {
        start: s,
        end: s + len as u32,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{Checker, Rules};

    fn apply(text: &str, span: Span, new: &str) -> String {
        format!(
            "{}{}{}",
            &text[..span.start as usize],
            new,
            &text[span.end as usize..]
        )
    }

    /// Every fix of every problem of `from`, applied alone to its text.
    fn run(files: &[(&str, &str)], from: &str) -> Vec<String> {
        let snap = Snapshot::from_texts(files);
        let text = files.iter().find(|f| f.0 == from).unwrap().1;
        let note = snap.note(from).unwrap();
        let mut out = Vec::new();
        for p in Checker::new(&snap, &Rules::default()).note(&snap, note) {
            for fix in fixes(&snap, from, text, &p) {
                out.push(match fix {
                    Fix::CreateNote { title, path, text } => format!("{title}: {path} = {text:?}"),
                    Fix::Rename { title, plan } => format!("{title}: {plan:?}"),
                    Fix::Edit {
                        title,
                        path,
                        span,
                        text: new,
                        ..
                    } => {
                        let base = files.iter().find(|f| f.0 == &*path).unwrap().1;
                        format!("{title}: {path} = {:?}", apply(base, span, &new))
                    }
                });
            }
        }
        out
    }

    #[test]
    fn fixes_for_each_problem() {
        let files = [
            (
                "dir/a.md",
                "[[New idea]] [md](sub/new.md) [[b#Introductoin|x]] [[T]] #ToDo\n",
            ),
            ("b.md", "# Introduction\n"),
            ("x/T.md", ""),
            ("y/z/T.md", ""),
            ("c.md", "#todo"),
            ("d.md", "#todo"),
        ];
        assert_eq!(
            run(&files, "dir/a.md"),
            [
                "Create note \"New idea\": New idea.md = \"# New idea\\n\"",
                "Create note \"new\": dir/sub/new.md = \"# new\\n\"",
                "Link to closest heading \"Introduction\": dir/a.md = \"[[New idea]] [md](sub/new.md) [[b#Introduction|x]] [[T]] #ToDo\\n\"",
                "Add heading \"Introductoin\" to b: b.md = \"# Introduction\\n\\n## Introductoin\\n\"",
                "Link to x/T.md: dir/a.md = \"[[New idea]] [md](sub/new.md) [[b#Introductoin|x]] [[x/T]] #ToDo\\n\"",
                "Link to y/z/T.md: dir/a.md = \"[[New idea]] [md](sub/new.md) [[b#Introductoin|x]] [[z/T]] #ToDo\\n\"",
                "Replace with #todo: dir/a.md = \"[[New idea]] [md](sub/new.md) [[b#Introductoin|x]] [[T]] #todo\\n\"",
            ]
        );
    }

    #[test]
    fn case_fixes_keep_folders_extension_and_encoding() {
        let files = [
            ("a.md", "[[docs/my note]] [x](Docs/My%20Note.md)"),
            ("Docs/My Note.md", ""),
        ];
        assert_eq!(
            run(&files, "a.md"),
            ["Write \"My Note\": a.md = \"[[docs/My Note]] [x](Docs/My%20Note.md)\"",]
        );
        let files = [("a.md", "[x](docs/my%20note.MD)"), ("docs/My Note.md", "")];
        assert_eq!(
            run(&files, "a.md"),
            ["Write \"My Note\": a.md = \"[x](docs/My%20Note.MD)\""]
        );
    }

    #[test]
    fn an_offered_block_id_is_written_by_the_broken_links_fix() {
        let b = "# B\n\nFirst 😀 block.\n\n- 漢字 item\n";
        let snap0 = Snapshot::from_texts(&[("b.md", b)]);
        let note = snap0.note("b.md").unwrap();
        let id = super::super::blocks::fresh_block_id(&note.facts, "漢字 item");
        let a = format!("see [[b#^{id}]] and [[b#^nosuch]]\n");
        let files = [("a.md", a.as_str()), ("b.md", b)];
        let snap = Snapshot::from_texts(&files);
        let text_of = |p: &str| files.iter().find(|f| f.0 == p).map(|f| f.1.to_string());
        let all = Span::new(0..a.len());
        let found = fixes_in(&snap, &Rules::default(), "a.md", &a, all, &text_of);
        let fixes: Vec<String> = found
            .iter()
            .flat_map(|(_, f)| f)
            .map(|f| match f {
                Fix::Edit {
                    title,
                    path,
                    span,
                    text,
                    ..
                } => format!("{title}: {path} = {:?}", apply(b, *span, text)),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(
            fixes,
            [format!(
                "Add ^{id} to \"漢字 item\" in b: b.md = \"# B\\n\\nFirst 😀 block.\\n\\n- 漢字 item ^{id}\\n\""
            )]
        );
    }

    #[test]
    fn markdown_heading_fixes_use_slugs() {
        let files = [
            ("a.md", "[x](b.md#introductoin)"),
            ("b.md", "# The Introduction\n"),
        ];
        let got = run(&files, "a.md");
        assert!(
            got[0].ends_with("\"[x](b.md#the-introduction)\""),
            "{got:?}"
        );
    }
}
