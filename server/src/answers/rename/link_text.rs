//! Link text: how a link is written (its raw target, its encoding, the parts
//! after `#`), and the forms a new target may take.

use super::*;

/// Whether `raw` (the text at a link's target span) is how `link.target` is
/// written.
pub(super) fn raw_matches(link: &Link, raw: &str) -> bool {
    if link.kind.is_wiki() {
        return raw == &*link.target;
    }
    let decoded = percent_encoding::percent_decode_str(raw).decode_utf8_lossy();
    let target: &str = &link.target;
    decoded == target || unescape(&decoded) == target
}

/// Markdown backslash escapes removed (`\_` → `_`).
pub(super) fn unescape(s: &str) -> String {
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

pub(super) fn text_at(text: &str, span: Span) -> &str {
    text.get(span.range()).unwrap_or("")
}

/// `link` with its (decoded) target replaced.
pub(super) fn relinked(link: &Link, target: &str) -> Link {
    Link {
        target: Sym::new(target),
        name_key: Link::name_key_of(target),
        ..link.clone()
    }
}

/// A markdown link's new (decoded) target, written as the link wrote its
/// old one: inside `<…>`, or percent-encoded (non-ASCII too if it was).
/// (How it was written is in the facts: no text is needed.)
pub(crate) fn encode_like(link: &Link, target: &str) -> String {
    encode_md_path(target, link.destination)
}

/// Targets (decoded) a link to `to` (which was `old_to`) from `from` (the
/// linking note's new path, which was `old_from`) could be given: the
/// link's own style first, then forms that are sure to resolve.
pub(super) fn link_forms(link: &Link, paths: [&str; 4]) -> Vec<String> {
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
    let rel = with_ext(&relative_path(parent(from), to));
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

pub(super) fn first_line_end(text: &str) -> usize {
    text.find(['\n', '\r']).unwrap_or(text.len())
}

/// The text of a heading, without `#` markers or a setext underline.
pub(super) fn heading_content(text: &str, span: Span) -> Span {
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
pub(super) fn last_heading_part(text: &str, sub: Span) -> Span {
    trimmed_after(text, sub, text_at(text, sub).rfind('#'))
}

/// The id of a `#^id` subpath, without the `^`.
pub(super) fn block_part(text: &str, sub: Span) -> Span {
    trimmed_after(text, sub, text_at(text, sub).find('^'))
}

/// The part of `span` after the one-byte marker at `marker` (or all of it),
/// without surrounding whitespace.
pub(super) fn trimmed_after(text: &str, span: Span, marker: Option<usize>) -> Span {
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
