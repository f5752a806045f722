//! The single parse of a note: pulldown-cmark events, plus small scanners
//! for what CommonMark does not know (tags, block ids, `%% comments %%`).
//! Links in `%%` comments are kept (and the comments recorded); links in
//! HTML comments are not links.

use std::ops::Range;

use pulldown_cmark::{Event, LinkType, Options, Parser, Tag as Md, TagEnd};

use super::{Heading, Link, LinkKind, NoteFacts, Paragraph, ParagraphKind, Sym, frontmatter, scan};
use crate::names::{Destination, NonAscii};
use crate::text::{Lines, Span};

fn options() -> Options {
    Options::ENABLE_WIKILINKS
        | Options::ENABLE_TABLES
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_GFM
        | Options::ENABLE_MATH
}

/// A markdown link whose destination is found once its text has ended.
struct OpenLink {
    range: Range<usize>,
    /// Destination as pulldown-cmark unescaped it; `None` for links we
    /// do not record (wiki-links, reference uses, autolinks).
    dest: Option<String>,
    text_end: usize,
}

struct OpenHeading {
    level: u8,
    range: Range<usize>,
    /// Source range of the heading's content (markers excluded).
    content: Option<Range<usize>>,
}

/// Extracts every fact of a note in one pass over its text.
pub fn extract(text: &str) -> NoteFacts {
    // CommonMark allows a lone `\r` as a line break but pulldown-cmark misses
    // front matter and fences written that way. `\r` → `\n` keeps every
    // byte offset, so parse that copy instead.
    let unix;
    let text = if has_lone_cr(text) {
        unix = lone_cr_to_lf(text);
        unix.as_str()
    } else {
        text
    };
    let mut facts = NoteFacts::default();
    // Regions where `%%` does not open a comment and block ids do not count.
    let mut code: Vec<Range<usize>> = Vec::new();
    // Block-level regions that are not prose (code blocks, HTML, front matter).
    let mut not_prose: Vec<Range<usize>> = Vec::new();
    let mut open_links: Vec<OpenLink> = Vec::new();
    let mut heading: Option<OpenHeading> = None;
    let mut in_code_block = false;
    let mut in_html_comment = false;
    let mut in_metadata = false;
    // Where `^id` blocks are: open list items (index into `paragraphs`, if
    // recorded), and how deep in quotes, tables and footnotes we are.
    let mut open_items: Vec<Option<usize>> = Vec::new();
    let mut quote_depth = 0usize;
    let mut in_table = false;
    let mut footnote_depth = 0usize;
    let mut literal: Vec<Range<usize>> = Vec::new();

    let parser = Parser::new_ext(text, options()).into_offset_iter();
    let ref_defs: Vec<(String, Range<usize>, String)> = parser
        .reference_definitions()
        .iter()
        .map(|(label, def)| (label.to_lowercase(), def.span.clone(), def.dest.to_string()))
        .collect();
    // `[text][ref]` uses: (range, label, destination).
    let mut ref_uses: Vec<(Range<usize>, String, String)> = Vec::new();

    for (event, range) in parser {
        if let Some(open) = open_links.last_mut()
            && range.start >= open.range.start
            && range.end < open.range.end
        {
            open.text_end = open.text_end.max(range.end);
        }
        if let Some(h) = heading.as_mut()
            && range.start >= h.range.start
            && range.end <= h.range.end
            && range != h.range
        {
            let c = h.content.get_or_insert(range.clone());
            c.start = c.start.min(range.start);
            c.end = c.end.max(range.end);
        }
        match event {
            Event::Start(Md::MetadataBlock(_)) => {
                in_metadata = true;
                facts.front_matter = Some(Span::new(range.clone()));
                not_prose.push(range);
            }
            Event::End(TagEnd::MetadataBlock(_)) => in_metadata = false,
            Event::Start(Md::CodeBlock(_)) => {
                in_code_block = true;
                code.push(range.clone());
                not_prose.push(range);
            }
            Event::End(TagEnd::CodeBlock) => in_code_block = false,
            Event::Start(Md::HtmlBlock) => {
                literal.push(range.clone());
                not_prose.push(range);
            }
            Event::Start(Md::BlockQuote(_)) => {
                if quote_depth == 0 && open_items.is_empty() && footnote_depth == 0 {
                    facts
                        .paragraphs
                        .push(paragraph(range, ParagraphKind::Quote));
                }
                quote_depth += 1;
            }
            Event::End(TagEnd::BlockQuote(_)) => quote_depth = quote_depth.saturating_sub(1),
            Event::Start(Md::Table(_)) => {
                if quote_depth == 0 && open_items.is_empty() && footnote_depth == 0 {
                    facts
                        .paragraphs
                        .push(paragraph(range, ParagraphKind::Table));
                }
                in_table = true;
            }
            Event::End(TagEnd::Table) => in_table = false,
            Event::Start(Md::FootnoteDefinition(_)) => footnote_depth += 1,
            Event::End(TagEnd::FootnoteDefinition) => {
                footnote_depth = footnote_depth.saturating_sub(1)
            }
            Event::Start(Md::Item) => {
                let record = quote_depth == 0 && footnote_depth == 0;
                open_items.push(record.then(|| {
                    facts.paragraphs.push(paragraph(range, ParagraphKind::Item));
                    facts.paragraphs.len() - 1
                }));
            }
            Event::End(TagEnd::Item) => {
                open_items.pop();
            }
            Event::Start(Md::List(_)) => {
                // A nested list is not part of its item's own text.
                if let Some(Some(i)) = open_items.last() {
                    let p = &mut facts.paragraphs[*i];
                    p.span.end = p.span.end.min(range.start as u32);
                }
            }
            Event::Start(Md::Paragraph)
                if quote_depth == 0
                    && open_items.is_empty()
                    && !in_table
                    && footnote_depth == 0 =>
            {
                facts.paragraphs.push(paragraph(range, ParagraphKind::Text));
            }
            Event::Code(_) | Event::InlineMath(_) | Event::DisplayMath(_) => {
                code.push(range.clone());
                literal.push(range);
            }
            Event::InlineHtml(html) => {
                literal.push(range.clone());
                // An inline HTML comment may be split over several events.
                if html.starts_with("<!--") {
                    in_html_comment = true;
                }
                if in_html_comment {
                    code.push(range);
                    if html.contains("-->") {
                        in_html_comment = false;
                    }
                }
            }
            Event::Start(Md::Heading { level, .. }) => {
                heading = Some(OpenHeading {
                    level: level as u8,
                    range,
                    content: None,
                });
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some(h) = heading.take() {
                    // Obsidian matches `#Heading` against the heading as
                    // written (`` `code` `` and `**bold**` included).
                    let raw = h.content.map_or("", |c| &text[c]);
                    facts.headings.push(Heading {
                        level: h.level,
                        text: collapse_whitespace(raw),
                        span: Span::new(trim_line_end(text, h.range)),
                    });
                }
            }
            Event::Start(Md::Link {
                link_type,
                dest_url,
                id,
                ..
            })
            | Event::Start(Md::Image {
                link_type,
                dest_url,
                id,
                ..
            }) => {
                let image = text[range.clone()].starts_with('!');
                let mut dest = None;
                match link_type {
                    LinkType::WikiLink { .. } if !in_html_comment => {
                        let kind = if image {
                            LinkKind::Embed
                        } else {
                            LinkKind::Wiki
                        };
                        if let Some(link) = wiki_link(text, range.clone(), kind) {
                            facts.links.push(link);
                        }
                    }
                    LinkType::Inline if !in_html_comment => {
                        if is_external(dest_url.trim()) {
                            literal.push(range.clone());
                        }
                        dest = Some(dest_url.to_string());
                    }
                    LinkType::Autolink | LinkType::Email => literal.push(range.clone()),
                    LinkType::Reference | LinkType::Collapsed | LinkType::Shortcut
                        if !in_html_comment =>
                    {
                        // pulldown-cmark leaves the `[]` of `[ref][]` out of the range.
                        let mut whole = range.clone();
                        if link_type == LinkType::Collapsed && text[whole.end..].starts_with("[]") {
                            whole.end += 2;
                        }
                        ref_uses.push((whole, id.to_lowercase(), dest_url.to_string()));
                    }
                    _ => {}
                }
                let text_end = range.start + 1 + image as usize;
                open_links.push(OpenLink {
                    range,
                    dest,
                    text_end,
                });
            }
            Event::End(TagEnd::Link) | Event::End(TagEnd::Image) => {
                if let Some(open) = open_links.pop()
                    && let Some(dest) = &open.dest
                    && let Some(raw) = inline_dest(text, open.range.clone(), open.text_end)
                    && let Some(link) =
                        markdown_link(text, LinkKind::Markdown, open.range.clone(), raw, dest)
                {
                    facts.links.push(link);
                }
            }
            Event::Text(_)
                if open_links.is_empty() && !in_code_block && !in_metadata && !in_html_comment =>
            {
                scan::inline_tags(text, range, &mut facts.tags, &mut facts.digit_hashtags);
            }
            _ => {}
        }
    }

    if let Some(fm) = facts.front_matter {
        frontmatter::scan(text, fm.range(), &mut facts);
    }

    // A reference link is recorded where it is used (that is where the
    // cursor is); its target range is the definition's destination, shared
    // by every use. A definition nobody uses is recorded on its own.
    for (label, span, dest) in ref_defs {
        let Some(raw) = reference_dest(text, span.clone()) else {
            continue;
        };
        let uses: Vec<Range<usize>> = ref_uses
            .iter()
            .filter(|(_, l, d)| *l == label || (l.is_empty() && *d == dest))
            .map(|(r, _, _)| r.clone())
            .collect();
        if uses.is_empty() {
            facts
                .links
                .extend(markdown_link(text, LinkKind::Reference, span, raw, &dest));
        } else {
            for range in uses {
                facts.links.extend(markdown_link(
                    text,
                    LinkKind::Reference,
                    range,
                    raw.clone(),
                    &dest,
                ));
            }
        }
    }
    facts.links.sort_by_key(|l| l.span.start);

    let comments = scan::percent_comments(text, &code, &not_prose);
    if !comments.is_empty() {
        let outside = |start: u32| !comments.iter().any(|c| c.contains(&(start as usize)));
        facts.tags.retain(|t| outside(t.span.start));
        facts.digit_hashtags.retain(|s| outside(s.start));
        facts.headings.retain(|h| outside(h.span.start));
    }
    facts.comments = comments.iter().map(|c| Span::new(c.clone())).collect();
    finish_paragraphs(text, &mut facts, &comments);
    literal.extend(code.iter().cloned());
    facts.literal = merged(literal);
    not_prose.extend(comments);
    scan::block_ids(text, &not_prose, &mut facts.blocks);
    facts.lines = Lines::new(text);
    if !text.is_ascii() {
        let offsets = facts.offsets();
        facts.lines.keep_utf16(text, offsets);
    }
    facts.links.shrink_to_fit();
    facts.headings.shrink_to_fit();
    facts.tags.shrink_to_fit();
    facts.blocks.shrink_to_fit();
    facts.aliases.shrink_to_fit();
    facts.front_matter_keys.shrink_to_fit();
    facts.paragraphs.shrink_to_fit();
    facts
}

fn paragraph(range: Range<usize>, kind: ParagraphKind) -> Paragraph {
    Paragraph {
        span: Span::new(range),
        kind,
    }
}

/// Trims each block to its text (no trailing blank or line break) and drops
/// those that are not blocks of their own: a lone `^id` line (it names the
/// block above) and blocks inside `%%` comments.
fn finish_paragraphs(text: &str, facts: &mut NoteFacts, comments: &[Range<usize>]) {
    for p in &mut facts.paragraphs {
        let s = text.get(p.span.range()).unwrap_or("");
        p.span.end = p.span.start + s.trim_end().len() as u32;
    }
    facts.paragraphs.retain(|p| {
        let s = text.get(p.span.range()).unwrap_or("");
        let lone_id = s.strip_prefix('^').is_some_and(|id| {
            !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
        let commented = comments
            .iter()
            .any(|c| c.contains(&(p.span.start as usize)));
        !s.is_empty() && !lone_id && !commented
    });
}

/// Ranges sorted and merged where they overlap.
fn merged(mut ranges: Vec<Range<usize>>) -> Vec<Span> {
    ranges.sort_by_key(|r| (r.start, r.end));
    let mut out: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out.into_iter().map(Span::new).collect()
}

/// Trims and turns runs of whitespace into one space (setext headings
/// can span lines); no allocation when already clean.
fn collapse_whitespace(s: &str) -> Sym {
    let t = s.trim();
    let clean = !t.contains(['\n', '\r', '\t']) && !t.contains("  ");
    if clean {
        Sym::new(t)
    } else {
        Sym::new(&t.split_whitespace().collect::<Vec<_>>().join(" "))
    }
}

fn has_lone_cr(text: &str) -> bool {
    let b = text.as_bytes();
    memchr::memchr_iter(b'\r', b).any(|i| b.get(i + 1) != Some(&b'\n'))
}

fn lone_cr_to_lf(text: &str) -> String {
    let mut b = text.as_bytes().to_vec();
    for i in 0..b.len() {
        if b[i] == b'\r' && b.get(i + 1) != Some(&b'\n') {
            b[i] = b'\n';
        }
    }
    // Only ASCII bytes changed, so the text is still UTF-8.
    String::from_utf8(b).expect("ASCII substitution keeps UTF-8 valid")
}

/// A heading's range without its trailing line break.
fn trim_line_end(text: &str, range: Range<usize>) -> Range<usize> {
    let s = &text[range.clone()];
    let trimmed = s.trim_end_matches(['\n', '\r']);
    range.start..range.start + trimmed.len()
}

/// Parses `[[target#sub|alias]]` (or `![[…]]`) at `range`.
pub(super) fn wiki_link(text: &str, range: Range<usize>, kind: LinkKind) -> Option<Link> {
    let open = if kind == LinkKind::Embed { 3 } else { 2 };
    let inner_start = range.start + open;
    let inner_end = range.end.checked_sub(2)?;
    if inner_end < inner_start || !text[range.clone()].ends_with("]]") {
        return None;
    }
    let inner = &text[inner_start..inner_end];
    // Obsidian ends a wiki-link at the end of its line; pulldown-cmark lets
    // it run on across a soft break (and the target would then hold `\r\n`
    // or `\n` depending on the file's line endings).
    if inner.contains(['\n', '\r']) {
        return None;
    }
    // In tables the alias separator is written `\|`.
    let mut target_part = inner.split('|').next().unwrap_or("");
    target_part = target_part.strip_suffix('\\').unwrap_or(target_part);
    let (name, sub) = match target_part.find('#') {
        Some(i) => (&target_part[..i], Some(&target_part[i + 1..])),
        None => (target_part, None),
    };
    let lead = name.len() - name.trim_start().len();
    let name_trimmed = name.trim();
    let name_start = inner_start + lead;
    let subpath_text = sub.and_then(normalize_subpath).map(|s| Sym::new(&s));
    let subpath_span = sub
        .filter(|_| subpath_text.is_some())
        .map(|sub| trimmed_span(sub, inner_start + name.len() + 1));
    Some(Link {
        kind,
        span: Span::new(range),
        target_span: Span::new(name_start..name_start + name_trimmed.len()),
        target: name_trimmed.into(),
        name_key: Link::name_key_of(name_trimmed),
        subpath_text,
        subpath_span,
        destination: Destination::Bare(NonAscii::Readable),
    })
}

/// The span of `s` (which starts at byte `at`) without its surrounding whitespace.
fn trimmed_span(s: &str, at: usize) -> Span {
    let lead = s.len() - s.trim_start().len();
    Span::new(at + lead..at + lead + s.trim().len())
}

/// `H1 # H2` → `H1#H2`; ` ^id` → `^id`; nothing left → `None`.
fn normalize_subpath(sub: &str) -> Option<String> {
    let sub = sub.trim();
    if let Some(id) = sub.strip_prefix('^') {
        let id = id.trim();
        return (!id.is_empty()).then(|| format!("^{id}"));
    }
    let parts: Vec<&str> = sub
        .split('#')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join("#"))
}

/// The raw destination of an inline link `[text](dest "title")`, found
/// after the `](` that ends the link text.
fn inline_dest(text: &str, range: Range<usize>, text_end: usize) -> Option<Range<usize>> {
    let s = &text[range.clone()];
    let rel = text_end.checked_sub(range.start)?;
    let after = s.get(rel..)?;
    let open = after.find("](")? + 2;
    destination(text, range.start + rel + open, range.end)
}

/// The raw destination of a reference definition `[ref]: dest "title"`.
fn reference_dest(text: &str, span: Range<usize>) -> Option<Range<usize>> {
    let s = &text[span.clone()];
    let colon = s.find("]:")? + 2;
    destination(text, span.start + colon, span.end)
}

/// Skips whitespace from `from`, then reads `<dest>` or a bare destination.
fn destination(text: &str, from: usize, limit: usize) -> Option<Range<usize>> {
    let s = &text[from..limit];
    let lead = s.len() - s.trim_start().len();
    let start = from + lead;
    let rest = &text[start..limit];
    if let Some(inner) = rest.strip_prefix('<') {
        let end = inner.find('>')?;
        return Some(start + 1..start + 1 + end);
    }
    let mut depth = 0i32;
    let mut end = rest.len();
    let mut chars = rest.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '(' => depth += 1,
            ')' if depth == 0 => {
                end = i;
                break;
            }
            ')' => depth -= 1,
            c if c.is_whitespace() => {
                end = i;
                break;
            }
            _ => {}
        }
    }
    Some(start..start + end)
}

/// Whether a destination leaves the vault: a URL scheme or `//host`.
fn is_external(dest: &str) -> bool {
    if dest.starts_with("//") {
        return true;
    }
    match dest.find(':') {
        Some(i) if i >= 2 => dest[..i]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')),
        _ => false,
    }
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// Builds a markdown or reference link from its raw destination range and
/// its unescaped destination. External URLs give `None`.
fn markdown_link(
    text: &str,
    kind: LinkKind,
    range: Range<usize>,
    raw: Range<usize>,
    dest: &str,
) -> Option<Link> {
    let dest = dest.trim();
    if dest.is_empty() || is_external(dest) {
        return None;
    }
    let (path, fragment) = match dest.find('#') {
        Some(i) => (&dest[..i], Some(&dest[i + 1..])),
        None => (dest, None),
    };
    let raw_text = &text[raw.clone()];
    let raw_path_len = raw_text.find('#').unwrap_or(raw_text.len());
    let target = percent_decode(path);
    let subpath_text = fragment
        .and_then(|f| normalize_subpath(&percent_decode(f)))
        .map(|s| Sym::new(&s));
    let subpath_span = raw_text
        .get(raw_path_len + 1..)
        .filter(|_| subpath_text.is_some())
        .map(|f| trimmed_span(f, raw.start + raw_path_len + 1));
    Some(Link {
        kind,
        span: Span::new(range),
        target_span: Span::new(raw.start..raw.start + raw_path_len),
        name_key: Link::name_key_of(&target),
        target: Sym::new(&target),
        subpath_text,
        subpath_span,
        destination: Destination::as_written(text, raw.start, &raw_text[..raw_path_len]),
    })
}

#[cfg(test)]
mod tests;
