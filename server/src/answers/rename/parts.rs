//! Renaming parts of a note: headings and block ids, with the links to them.

use super::*;

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
    let mut texts = CheckedTexts::new(snap, text_of);
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
    let section_end = crate::facts::section_end(&note.facts.headings, i, |h| h.level);
    for loc in crate::answers::links_to(snap, &note.path, crate::answers::Part::Whole) {
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
            match_subpath(&note.facts, &Subpath::Heading(parts.clone()), link.kind)
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
                        encode_md_path(new, Destination::Bare(NonAscii::as_in(raw_sub)))
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
            .map(|s| match_subpath(&new_facts, &s, link.kind));
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
    let mut texts = CheckedTexts::new(snap, text_of);
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
    for loc in crate::answers::links_to(snap, &note.path, crate::answers::Part::Block(i)) {
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
