//! Front matter: the YAML block at the top of a note.
//!
//! Only a few top-level keys matter (`title`, `aliases`/`alias`,
//! `tags`/`tag`) and we need the position of every tag and wiki-link for
//! rename, which YAML libraries do not give. So this reads the block line by
//! line, the way people write it: `key: value`, `key: [a, b]`, `key: a, b`,
//! or `key:` followed by `- item` lines. Anything else is left alone.

use std::ops::Range;

use super::{LinkKind, NoteFacts, Tag, extract::wiki_link};
use crate::text::Span;

/// `range` is the whole block, `---` lines included.
pub fn scan(text: &str, range: Range<usize>, facts: &mut NoteFacts) {
    // Wiki-links may sit in any value: `up: "[[Index]]"`, `categories: ["[[Books]]"]`.
    let block = &text[range.clone()];
    let mut from = 0;
    while let Some(open) = block[from..].find("[[") {
        let start = from + open;
        let Some(close) = block[start + 2..].find("]]") else {
            break;
        };
        let end = start + 2 + close + 2;
        let inner = &block[start + 2..end - 2];
        if !inner.contains(['\n', '\r', '[']) {
            let abs = range.start + start..range.start + end;
            if let Some(link) = wiki_link(text, abs, LinkKind::FrontMatter) {
                facts.links.push(link);
            }
            from = end;
        } else {
            from = start + 2;
        }
    }

    let mut key: Option<String> = None;
    let mut offset = range.start;
    for line in block.split_inclusive('\n') {
        let line_start = offset;
        offset += line.len();
        let content = line.trim_end_matches(['\n', '\r']);
        if content.trim() == "---" || content.trim_start().starts_with('#') {
            continue;
        }
        let indented = content.starts_with([' ', '\t']);
        let trimmed = content.trim_start();
        if let Some(item) = trimmed
            .strip_prefix("- ")
            .or(trimmed.strip_prefix('-').filter(|r| r.is_empty()))
        {
            if let Some(k) = key.as_deref() {
                let item_start = line_start + (content.len() - item.len());
                value(text, k, item_start..item_start + item.len(), facts, false);
            }
            continue;
        }
        if indented {
            continue;
        }
        let Some(colon) = content.find(':') else {
            key = None;
            continue;
        };
        let k = content[..colon].trim().to_ascii_lowercase();
        let rest = &content[colon + 1..];
        let rest_start = line_start + colon + 1;
        key = Some(k.clone());
        if rest.trim().is_empty() {
            continue;
        }
        let lead = rest.len() - rest.trim_start().len();
        let v_start = rest_start + lead;
        let v = rest.trim();
        let v_range = v_start..v_start + v.len();
        if let Some(inner) = v.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            let mut item_start = v_start + 1;
            for item in split_flow(inner) {
                value(text, &k, item_start..item_start + item.len(), facts, true);
                item_start += item.len() + 1;
            }
        } else {
            value(text, &k, v_range, facts, true);
        }
    }
}

/// Splits `a, "b, c", d` at the commas outside quotes.
fn split_flow(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut quote: Option<char> = None;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, ',') => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

/// Strips surrounding whitespace and quotes; returns the inner range.
fn unquote(text: &str, range: Range<usize>) -> Range<usize> {
    let s = &text[range.clone()];
    let lead = s.len() - s.trim_start().len();
    let t = s.trim();
    let mut r = range.start + lead..range.start + lead + t.len();
    if t.len() >= 2
        && ((t.starts_with('"') && t.ends_with('"')) || (t.starts_with('\'') && t.ends_with('\'')))
    {
        r = r.start + 1..r.end - 1;
    }
    r
}

/// Records one scalar of a known key. `inline` values of tag keys may hold
/// several tags separated by commas or spaces.
fn value(text: &str, key: &str, range: Range<usize>, facts: &mut NoteFacts, inline: bool) {
    let r = unquote(text, range);
    let v = &text[r.clone()];
    if v.is_empty() {
        return;
    }
    match key {
        "title" => {
            facts.title = Some(v.into());
            facts.title_span = Some(Span::new(r));
        }
        "aliases" | "alias" => {
            // Older vaults write `aliases: a, b` for two aliases.
            if !inline || !v.contains(',') {
                facts.aliases.push(v.into());
            } else {
                let mut start = r.start;
                for part in v.split(',') {
                    let pr = unquote(text, start..start + part.len());
                    if !pr.is_empty() {
                        facts.aliases.push(text[pr].into());
                    }
                    start += part.len() + 1;
                }
            }
        }
        "tags" | "tag" => {
            let mut start = r.start;
            for part in v.split([',', ' ']) {
                let pr = unquote(text, start..start + part.len());
                start += part.len() + 1;
                let mut t = &text[pr.clone()];
                let mut t_start = pr.start;
                if let Some(stripped) = t.strip_prefix('#') {
                    t = stripped;
                    t_start += 1;
                }
                if let Some(len) = super::scan::tag_len(t)
                    && len == t.len()
                {
                    facts.tags.push(Tag {
                        name: t.into(),
                        span: Span::new(t_start..t_start + len),
                        in_front_matter: true,
                    });
                }
            }
        }
        _ => {}
    }
}
