//! What is being typed at the cursor, read from the current line (facts do
//! not know half-typed links).

/// What part of a wiki-link the cursor is in, after the note's name.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Segment {
    /// `[[Note|te`: the display text; the note's title and aliases fit.
    Alias,
    /// `[[Note#He` (nested `#H1#H2` allowed) or `[[#He`.
    Heading,
    /// `[[Note#^bl`.
    Block,
}

/// What the cursor is in. `start` is where the typed query begins.
#[derive(Debug, PartialEq)]
pub(super) enum Typed<'t> {
    /// `[[que|` or `![[que|`.
    WikiName {
        query: &'t str,
        start: usize,
        embed: bool,
        close: &'static str,
    },
    /// Something inside a link to `note` (`""`: this note), see [`Part`].
    WikiPart {
        part: Segment,
        note: &'t str,
        query: &'t str,
        start: usize,
        close: &'static str,
    },
    /// `[text](pa|` or `[text](<pa|`.
    MdPath {
        query: &'t str,
        start: usize,
        angle: bool,
    },
    /// `](note.md#sl|`.
    MdHeading {
        path: &'t str,
        query: &'t str,
        start: usize,
    },
    /// `#ta|` after whitespace, or a value of front-matter `tags:`.
    Tag { query: &'t str, start: usize },
    /// `[[##que|`: a heading of any note; `start` is right after `[[`.
    VaultHeading {
        query: &'t str,
        start: usize,
        close: &'static str,
    },
    /// `[[^^que|`: a block of any note.
    VaultBlock {
        query: &'t str,
        start: usize,
        close: &'static str,
    },
}

/// Whether `offset` is inside code: an open fence above, or an odd number
/// of backticks earlier on the line.
pub(super) fn in_code(text: &str, line_start: usize, offset: usize) -> bool {
    let fenced = crate::text::lines(&text[..line_start])
        .filter(|l| {
            let t = l.text.trim_start();
            t.starts_with("```") || t.starts_with("~~~")
        })
        .count()
        % 2
        == 1;
    fenced || text[line_start..offset].matches('`').count() % 2 == 1
}

/// Inside front matter, the key whose value the line at `line_start` is part of.
pub(super) fn front_matter_key(text: &str, line_start: usize) -> Option<String> {
    let mut lines = crate::text::lines(text);
    if lines.next()?.text.trim_end() != "---" || line_start == 0 {
        return None;
    }
    let mut key = None;
    for line in lines.take_while(|l| l.start <= line_start) {
        let line = line.text;
        if line.trim_end() == "---" {
            return None; // The front matter ended above the cursor.
        }
        if !line.starts_with([' ', '\t', '-']) {
            key = line
                .split(':')
                .next()
                .map(|k| k.trim().to_ascii_lowercase());
        }
    }
    key
}

pub(super) fn is_tag_query(q: &str) -> bool {
    q.chars().all(crate::facts::is_tag_char)
}

/// What a wiki-link whose rest is `after` still needs to be closed. VS Code
/// auto-closes `[` only when it has tokenized the line, so on a busy machine
/// `[[` may be followed by `]]`, by `]` or by nothing.
fn missing_brackets(after: &str) -> &'static str {
    if after.starts_with("]]") {
        ""
    } else if after.starts_with(']') {
        "]"
    } else {
        "]]"
    }
}

pub(super) fn typed_at(text: &str, offset: usize) -> Option<Typed<'_>> {
    let line_start = crate::text::line_start(text, offset);
    let line = &text[line_start..offset];
    let close = missing_brackets(&text[offset..]);
    if in_code(text, line_start, offset) {
        return None;
    }
    if let Some(open) = line.rfind("[[")
        && !line[open..].contains("]]")
    {
        let embed = line[..open].ends_with('!');
        let inner = &line[open + 2..];
        let abs = line_start + open + 2;
        if !inner.contains('|') {
            if let Some(query) = inner.strip_prefix("##") {
                return Some(Typed::VaultHeading {
                    query,
                    start: abs,
                    close,
                });
            }
            if let Some(query) = inner.strip_prefix("^^") {
                return Some(Typed::VaultBlock {
                    query,
                    start: abs,
                    close,
                });
            }
        }
        if let Some(bar) = inner.find('|') {
            let note = inner[..bar].split('#').next().unwrap_or("");
            let query = &inner[bar + 1..];
            let start = abs + bar + 1;
            return Some(Typed::WikiPart {
                part: Segment::Alias,
                note,
                query,
                start,
                close,
            });
        }
        return Some(match inner.find('#') {
            None => Typed::WikiName {
                query: inner,
                start: abs,
                embed,
                close,
            },
            Some(h) => {
                let (note, sub) = (&inner[..h], &inner[h + 1..]);
                match sub.strip_prefix('^') {
                    Some(q) => Typed::WikiPart {
                        part: Segment::Block,
                        note,
                        query: q,
                        start: abs + h + 2,
                        close,
                    },
                    None => {
                        let last = sub.rfind('#').map_or(0, |i| i + 1);
                        let (query, start) = (&sub[last..], abs + h + 1 + last);
                        Typed::WikiPart {
                            part: Segment::Heading,
                            note,
                            query,
                            start,
                            close,
                        }
                    }
                }
            }
        });
    }
    if let Some(open) = line.rfind("](")
        && !line[open..].contains(')')
    {
        let dest = &line[open + 2..];
        let (dest, angle) = match dest.strip_prefix('<') {
            Some(d) => (d, true),
            None => (dest, false),
        };
        let abs = line_start + open + 2 + angle as usize;
        return Some(match dest.find('#') {
            None => Typed::MdPath {
                query: dest,
                start: abs,
                angle,
            },
            Some(h) => Typed::MdHeading {
                path: &dest[..h],
                query: &dest[h + 1..],
                start: abs + h + 1,
            },
        });
    }
    if matches!(
        front_matter_key(text, line_start).as_deref(),
        Some("tags" | "tag")
    ) {
        let start = line
            .rfind([' ', '[', ',', ':', '"', '\''])
            .map_or(0, |i| i + 1);
        let query = line[start..].trim_start_matches('#');
        let start = offset - query.len();
        return is_tag_query(query).then_some(Typed::Tag { query, start });
    }
    let hash = line.rfind('#')?;
    let query = &line[hash + 1..];
    let boundary = hash == 0 || line[..hash].ends_with(char::is_whitespace);
    (boundary && is_tag_query(query)).then_some(Typed::Tag {
        query,
        start: line_start + hash + 1,
    })
}
