//! Facts: what one note says, extracted by a single parse.
//!
//! [`extract`] turns a note's text into [`NoteFacts`]: links, headings, block
//! ids, tags, title and aliases, each with its position. It is a pure
//! function of the text — no I/O, no knowledge of other notes — so it runs in
//! parallel over a vault and again on every edit of an open buffer.
//! The text is not kept: everything later questions need is in the facts.

mod extract;
mod frontmatter;
mod prefilter;
mod scan;
mod words;

pub use extract::extract;
pub use prefilter::{FOLDS_TO_ASCII, LinkFilter};
pub use scan::is_tag_char;
pub use words::{Words, keys as word_keys, unspaced, word_char};

pub use crate::names::Sym;
use crate::text::{Lines, Span};

#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NoteFacts {
    pub links: Vec<Link>,
    pub headings: Vec<Heading>,
    pub blocks: Vec<Block>,
    pub tags: Vec<Tag>,
    /// `#1984`: a hashtag of digits only, which is not a tag.
    pub digit_hashtags: Vec<Span>,
    /// Front matter `title`, and where its value is written.
    pub title: Option<Box<str>>,
    pub title_span: Option<Span>,
    /// Front matter `aliases` / `alias`.
    pub aliases: Vec<Box<str>>,
    /// The whole front matter block, `---` lines included.
    pub front_matter: Option<Span>,
    /// The top-level keys of the front matter, in order (`tags`, `up`, …).
    pub front_matter_keys: Vec<Span>,
    /// Obsidian comments `%% … %%`. Links inside them are kept, as
    /// Obsidian keeps them (backlinks, renames); tags, headings and block ids
    /// inside them are not facts.
    pub comments: Vec<Span>,
    /// The blocks a `^id` can name (paragraphs, list items, quotes,
    /// tables), in order: what `[[^^` searches across the vault.
    pub paragraphs: Vec<Paragraph>,
    /// Text that is not prose although it is not a link carnet follows:
    /// code, math, HTML, external links and autolinks, sorted. Unlinked
    /// mentions are never found there.
    pub literal: Vec<Span>,
    /// The note's line table: lines and byte columns without the text.
    pub lines: Lines,
}

/// Where the section opened by heading `i` ends: at the next heading of the
/// same or a higher level (a number not above its own), given as its index,
/// or `headings.len()` when the section runs to the end of the note. The one
/// rule for sections: outline, hover previews, heading renames and folding.
pub fn section_end<T>(headings: &[T], i: usize, level: impl Fn(&T) -> u8) -> usize {
    let Some(own) = headings.get(i).map(&level) else {
        return headings.len();
    };
    headings[i + 1..]
        .iter()
        .position(|h| level(h) <= own)
        .map_or(headings.len(), |p| i + 1 + p)
}

impl NoteFacts {
    /// Where a note's words are not prose: links, code and other literal
    /// text, tags, `%%` comments and the front matter, sorted by start
    /// (they may nest: a link in a comment). Unlinked mentions are never
    /// found there.
    pub fn not_prose(&self) -> Vec<Span> {
        let mut spans: Vec<Span> = self.not_prose_spans().collect();
        spans.sort_by_key(|s| s.start);
        spans
    }

    /// [`NoteFacts::not_prose`]'s spans, in no order.
    fn not_prose_spans(&self) -> impl Iterator<Item = Span> + '_ {
        let links = self.links.iter().map(|l| l.span);
        links
            .chain(self.literal.iter().copied())
            .chain(self.tags.iter().map(|t| t.span))
            .chain(self.comments.iter().copied())
            .chain(self.front_matter)
    }

    /// Drops what `carnet check` never reads — the blocks `[[^^` searches,
    /// literal text and front-matter keys (unlinked mentions, completion,
    /// renames) and the UTF-16 columns (the check prints byte columns) —
    /// keeping links, headings, blocks, tags, comments, names and lines.
    /// At 100,000 notes that is about a fifth of the facts.
    pub fn keep_for_check(&mut self) {
        self.paragraphs = Vec::new();
        self.literal = Vec::new();
        self.front_matter_keys = Vec::new();
        self.lines.forget_utf16();
    }

    /// Whether `span` overlaps one of [`NoteFacts::not_prose`]'s spans,
    /// without building that list (a mention search asks it of every
    /// candidate in thousands of notes). Spans may nest (a link in a
    /// comment), so each is looked at.
    pub fn overlaps_not_prose(&self, span: Span) -> bool {
        self.not_prose_spans()
            .any(|s| s.start < span.end && s.end > span.start)
    }

    /// Whether `link` is inside a `%% … %%` comment (diagnostics leave
    /// such links alone: the writer switched them off).
    pub fn is_commented(&self, link: &Link) -> bool {
        self.comments
            .iter()
            .any(|c| c.start <= link.span.start && link.span.start < c.end)
    }

    /// Every offset the facts name (ends of links, link targets, headings,
    /// blocks, tags, the title and front matter, comments): the places
    /// answers give positions of, whose UTF-16 columns the line table keeps.
    pub(crate) fn offsets(&self) -> Vec<u32> {
        let spans = self.links.iter().flat_map(|l| [l.span, l.target_span]);
        let spans = spans
            .chain(self.headings.iter().map(|h| h.span))
            .chain(self.blocks.iter().map(|b| b.span))
            .chain(self.tags.iter().map(|t| t.span))
            .chain(self.digit_hashtags.iter().copied())
            .chain(self.title_span)
            .chain(self.front_matter)
            .chain(self.comments.iter().copied());
        spans.flat_map(|s| [s.start, s.end]).collect()
    }

    /// The block id (index into `blocks`) that names paragraph `i`: one
    /// ending its text, or for a quote or table one alone on the next line.
    pub fn paragraph_id(&self, i: usize) -> Option<usize> {
        let p = self.paragraphs.get(i)?;
        if p.kind.id_on_own_line() {
            // Alone on the next line, or after one blank line.
            let last = self.lines.line_of(p.span.end);
            let next_block = self
                .paragraphs
                .get(i + 1)
                .map_or(u32::MAX, |n| n.span.start);
            return self.blocks.iter().position(|b| {
                let line = self.lines.line_of(b.span.start);
                (last + 1..=last + 2).contains(&line)
                    && b.span.start == self.lines.line_start(line)
                    && b.span.start < next_block
            });
        }
        self.blocks
            .iter()
            .position(|b| b.span.end == p.span.end && b.span.start >= p.span.start)
    }

    /// The byte range of heading `i`'s section (see [`section_end`]).
    pub fn section(&self, i: usize) -> Span {
        let end = section_end(&self.headings, i, |h| h.level);
        let end = self
            .headings
            .get(end)
            .map_or(self.lines.text_len(), |h| h.span.start);
        let start = self.headings.get(i).map_or(end, |h| h.span.start);
        Span { start, end }
    }
}

/// A block that a `^id` can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Paragraph {
    /// The block without its trailing line break; a list item's own text,
    /// without the list nested in it.
    pub span: Span,
    pub kind: ParagraphKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ParagraphKind {
    /// A paragraph: its id goes at the end of its last line.
    Text,
    /// A list item: its id goes at the end of its own text.
    Item,
    /// A quote or a table: its id goes on a line of its own after it.
    Quote,
    Table,
}

impl ParagraphKind {
    /// Whether the block's id stands on a line of its own after it.
    pub fn id_on_own_line(self) -> bool {
        matches!(self, ParagraphKind::Quote | ParagraphKind::Table)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum LinkKind {
    /// `[[target]]`
    Wiki,
    /// `![[target]]`
    Embed,
    /// `[text](path.md)` or `![alt](image.png)`
    Markdown,
    /// `[ref]: path.md` — the definition behind `[text][ref]` links.
    Reference,
    /// `[[target]]` inside a front-matter value.
    FrontMatter,
}

impl LinkKind {
    pub fn is_wiki(self) -> bool {
        matches!(
            self,
            LinkKind::Wiki | LinkKind::Embed | LinkKind::FrontMatter
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Subpath {
    /// `#H1#H2`: one or more heading names, outermost first.
    Heading(Vec<&'static str>),
    /// `#^block-id`
    Block(&'static str),
}

impl Subpath {
    /// Parses what follows the first `#` of a link; `None` when empty.
    pub fn parse(sub: &'static str) -> Option<Subpath> {
        let sub = sub.trim();
        if let Some(id) = sub.strip_prefix('^') {
            let id = id.trim();
            return (!id.is_empty()).then_some(Subpath::Block(id));
        }
        let parts: Vec<&'static str> = sub
            .split('#')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        (!parts.is_empty()).then_some(Subpath::Heading(parts))
    }
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Link {
    pub kind: LinkKind,
    /// The whole link as written, `[[`…`]]` or `[`…`)` included.
    pub span: Span,
    /// The target path or name as written (what a rename rewrites); empty,
    /// at the position where it would be, for same-note links like `[[#H]]`.
    pub target_span: Span,
    /// The target, decoded (percent-decoding for markdown links); `""` means
    /// this note.
    pub target: Sym,
    /// What follows `#`, decoded: `H1#H2` or `^block-id` (see [`Link::subpath`]).
    pub subpath_text: Option<Sym>,
    /// Where that subpath is written (after the first `#`, trimmed).
    pub subpath_span: Option<Span>,
    /// The folded name the target points at (`Folder/Note.md` → `note`),
    /// computed once here so resolving and indexing need not fold again.
    pub name_key: Option<Sym>,
    /// How a markdown link's destination is written, so that a new target
    /// is written the same way without the text (a wiki-link's is unused).
    pub destination: crate::names::Destination,
}

impl Link {
    pub fn name_key_of(target: &str) -> Option<Sym> {
        let name = crate::names::note_stem(target.trim());
        (!target.trim().is_empty()).then(|| Sym::new(&crate::names::fold(name)))
    }

    /// A `[ref]: path.md` definition that no `[text][ref]` uses: it names
    /// a target but shows nothing a reader could follow. (A used one is
    /// recorded at each use, its target range outside the link.)
    pub fn is_unused_definition(&self) -> bool {
        self.kind == LinkKind::Reference
            && self.span.start <= self.target_span.start
            && self.target_span.end <= self.span.end
    }

    pub fn subpath(&self) -> Option<Subpath> {
        Subpath::parse(self.subpath_text?.as_str())
    }
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Heading {
    pub level: u8,
    /// The heading's text as written, markers and closing `#`s removed,
    /// whitespace runs collapsed. Interned: the same headings (`Summary`,
    /// `See also`) recur across a vault, and a string of its own per
    /// heading was a fifth of a large vault's facts.
    pub text: Sym,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Block {
    /// The id without its `^`.
    pub id: Sym,
    /// The `^id` marker.
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Tag {
    /// The tag without `#`, as written (`project/alpha`).
    pub name: Sym,
    /// The tag as written: `#project` inline, `project` in front matter.
    pub span: Span,
    pub in_front_matter: bool,
}
