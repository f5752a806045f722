//! Domain values in, protocol values out: byte offsets to positions (in the
//! negotiated encoding), paths to URIs, and every response shape — locations,
//! symbols, diagnostics, completion items, code actions, each
//! `WorkspaceEdit` the server sends, and the answers of carnet's own
//! requests ([`ext`](super::ext)).
//!
//! Positions are clamped: an offset past the end is the end.

use std::collections::HashMap;
use std::path::Path;

use ropey::Rope;
use serde_json::{Value, json};
use tower_lsp_server::jsonrpc::{Error, ErrorCode};
use tower_lsp_server::ls_types::*;

use super::capabilities::{ClientCaps, Encoding, command};
use super::ext::EdgeForm;
use super::snapshot::{Cancel, Texts};
use crate::answers::{self, Counted, Fix, Plan, RenameError};
use crate::check::{Problem, Severity};
use crate::graph::{Graph, export};
use crate::index::Snapshot;
use crate::syntax::Fold;
use crate::text::{Lines, Span};

/// The LSP position of a byte offset in `rope`, clamped.
pub fn position_in(rope: &Rope, byte: usize, enc: Encoding) -> Position {
    let byte = byte.min(rope.len_bytes());
    let line = rope.byte_to_line(byte);
    let line_byte = rope.line_to_byte(line);
    let character = match enc {
        Encoding::Utf8 => {
            // Round down to a character boundary.
            let c = rope.byte_to_char(byte);
            rope.char_to_byte(c) - line_byte
        }
        Encoding::Utf16 => {
            let c = rope.byte_to_char(byte);
            let line_char = rope.line_to_char(line);
            rope.char_to_utf16_cu(c) - rope.char_to_utf16_cu(line_char)
        }
    };
    Position::new(line as u32, character as u32)
}

pub fn range_in(rope: &Rope, bytes: std::ops::Range<usize>, enc: Encoding) -> Range {
    Range::new(
        position_in(rope, bytes.start, enc),
        position_in(rope, bytes.end, enc),
    )
}

/// Turns byte offsets in notes of one snapshot into LSP positions.
///
/// Line, byte column and the UTF-16 column of every offset the facts name
/// come from each note's line table. Only a UTF-16 column elsewhere on a
/// non-ASCII line (inside a link, as a rename edits it) needs the text: it
/// comes from [`Texts`], once per note and request.
pub struct Positions<'a> {
    enc: Encoding,
    snapshot: &'a Snapshot,
    texts: &'a Texts,
}

impl<'a> Positions<'a> {
    pub fn new(enc: Encoding, snapshot: &'a Snapshot, texts: &'a Texts) -> Self {
        Positions {
            enc,
            snapshot,
            texts,
        }
    }

    pub fn position(&self, rel: &str, offset: u32) -> Position {
        match self.snapshot.note(rel) {
            Some(note) => self.position_in(rel, &note.facts.lines, offset),
            None => Position::default(), // An attachment: its start.
        }
    }

    pub fn range(&self, rel: &str, span: Span) -> Range {
        match self.snapshot.note(rel) {
            Some(note) => self.range_in(rel, &note.facts.lines, span),
            None => Range::default(),
        }
    }

    /// The line table of a note, to convert many offsets of it without
    /// looking the note up again each time.
    fn lines(&self, rel: &str) -> Option<&'a Lines> {
        self.snapshot.note(rel).map(|n| &n.facts.lines)
    }

    fn position_in(&self, rel: &str, lines: &Lines, offset: u32) -> Position {
        let (line, col8) = lines.line_col(offset);
        let utf16 = (self.enc == Encoding::Utf16)
            .then(|| lines.utf16_col_at(offset, line, col8))
            .flatten();
        self.finish(rel, offset, line, col8, utf16)
    }

    /// The position of `offset` at `line`, byte column `col8`, given its
    /// UTF-16 column where the facts know it: from the text otherwise.
    fn finish(&self, rel: &str, offset: u32, line: u32, col8: u32, utf16: Option<u32>) -> Position {
        if self.enc == Encoding::Utf8 {
            return Position::new(line, col8);
        }
        if let Some(col) = utf16 {
            return Position::new(line, col);
        }
        match self.texts.rope(rel) {
            Some(rope) => position_in(&rope, offset as usize, self.enc),
            None => Position::new(line, col8),
        }
    }

    /// Ranges of many spans of the note `rel`, cheapest in increasing
    /// order (the links of a note in an answer); `None` for an attachment.
    fn walk(&self, rel: &'a str) -> Option<Walk<'a, '_>> {
        let lines = self.lines(rel)?;
        Some(Walk {
            pos: self,
            rel,
            walk: lines.walk(),
        })
    }

    fn range_in(&self, rel: &str, lines: &Lines, span: Span) -> Range {
        Range::new(
            self.position_in(rel, lines, span.start),
            self.position_in(rel, lines, span.end),
        )
    }
}

/// [`Positions`] of one note's spans, in increasing order.
struct Walk<'a, 'p> {
    pos: &'p Positions<'a>,
    rel: &'a str,
    walk: crate::text::LineWalk<'a>,
}

impl Walk<'_, '_> {
    fn range(&mut self, span: Span) -> Range {
        Range::new(self.position(span.start), self.position(span.end))
    }

    fn position(&mut self, offset: u32) -> Position {
        let (line, col8, utf16) = self.walk.at(offset);
        self.pos.finish(self.rel, offset, line, col8, utf16)
    }
}

pub fn path_uri(path: &Path) -> Option<Uri> {
    Uri::from_file_path(path)
}

/// The URI of a vault-relative path.
pub fn uri(root: &Path, rel: &str) -> Option<Uri> {
    path_uri(&root.join(rel))
}

/// The URIs of many notes of one vault, as [`uri`] writes them, without a
/// path joined, percent-encoded whole and parsed again for each: the root's
/// URI once, then each vault-relative path encoded the way `Uri`'s
/// `from_file_path` encodes it (a test checks they agree).
struct NoteUris {
    /// The root's URI with a final `/`; `None` where `from_file_path`
    /// writes paths differently (Windows drives) or the root has none.
    base: Option<String>,
}

/// What `ls_types::Uri::from_file_path` leaves unencoded: RFC 3986's
/// unreserved characters and the path separator.
const PATH_SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

impl NoteUris {
    fn new(root: &Path) -> NoteUris {
        let base = path_uri(root).filter(|_| cfg!(not(windows))).map(|u| {
            let mut base = u.as_str().to_string();
            if !base.ends_with('/') {
                base.push('/');
            }
            base
        });
        NoteUris { base }
    }

    fn uri(&self, root: &Path, rel: &str) -> Option<String> {
        match &self.base {
            Some(base) if !rel.starts_with('/') => Some(format!(
                "{base}{}",
                percent_encoding::utf8_percent_encode(rel, PATH_SET)
            )),
            _ => uri(root, rel).map(|u| u.as_str().to_string()),
        }
    }
}

/// Where links in hover previews lead: `file:` URIs, at `#L<line>` (1-based)
/// for a heading or block, which VS Code opens at that line.
pub fn preview_href(root: &Path) -> impl Fn(&str, Option<u32>) -> Option<String> + '_ {
    move |rel, line| {
        let uri = uri(root, rel)?;
        Some(match line {
            Some(l) => format!("{}#L{}", uri.as_str(), l + 1),
            None => uri.as_str().to_string(),
        })
    }
}

pub fn location(root: &Path, pos: &Positions, l: &answers::Location) -> Option<Location> {
    Some(Location::new(
        uri(root, &l.path)?,
        pos.range(&l.path, l.span),
    ))
}

/// Many locations, as for the backlinks of a hub: each note's URI is built
/// once (locations come grouped by note).
pub fn locations(
    root: &Path,
    pos: &Positions,
    found: &[answers::Location],
    cancel: &Cancel,
) -> Vec<Location> {
    let mut out = Vec::with_capacity(found.len());
    let mut last: Option<Uri> = None;
    each_location(root, pos, found, cancel, |uri, new_note, range| {
        if new_note || last.is_none() {
            last = uri.parse().ok();
        }
        if let Some(uri) = &last {
            out.push(Location::new(uri.clone(), range));
        }
    });
    out
}

/// The JSON of [`locations`] (`Location[]`), written straight to bytes —
/// byte for byte what serde writes for that `Vec<Location>` — with each
/// note's URI written once: for a large answer, handed to the transport to
/// splice into its response ([`Splices`](super::transport::Splices)),
/// without a `Location` or a JSON map per location.
pub fn locations_json(
    root: &Path,
    pos: &Positions,
    found: &[answers::Location],
    cancel: &Cancel,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(found.len() * 160 + 2);
    let mut quoted = Vec::new();
    out.push(b'[');
    each_location(root, pos, found, cancel, |uri, new_note, range| {
        if new_note {
            quoted.clear();
            serde_json::to_writer(&mut quoted, uri).expect("a string serializes");
        }
        if out.len() > 1 {
            out.push(b',');
        }
        write_location(&mut out, &quoted, range);
    });
    out.push(b']');
    out
}

/// A `Location` as serde writes it, its URI already quoted.
fn write_location(out: &mut Vec<u8>, quoted_uri: &[u8], range: Range) {
    out.extend_from_slice(br#"{"uri":"#);
    out.extend_from_slice(quoted_uri);
    out.extend_from_slice(br#","range":"#);
    write_range(out, range);
    out.push(b'}');
}

/// `range` as serde writes a `Range`.
fn write_range(out: &mut Vec<u8>, range: Range) {
    let mut number = itoa::Buffer::new();
    for (key, p) in [
        (&br#"{"start":"#[..], range.start),
        (br#","end":"#, range.end),
    ] {
        out.extend_from_slice(key);
        out.extend_from_slice(br#"{"line":"#);
        out.extend_from_slice(number.format(p.line).as_bytes());
        out.extend_from_slice(br#","character":"#);
        out.extend_from_slice(number.format(p.character).as_bytes());
        out.push(b'}');
    }
    out.push(b'}');
}

/// Calls `f` with the URI, whether it is the first location of its note,
/// and the range of each location that still has a note or attachment, in
/// order; stops when the request is cancelled. Locations come grouped by
/// note, so each note is looked up and its URI written once, and the
/// positions of one note are found walking forward ([`Positions::walk`]).
fn each_location(
    root: &Path,
    pos: &Positions,
    found: &[answers::Location],
    cancel: &Cancel,
    mut f: impl FnMut(&str, bool, Range),
) {
    let uris = NoteUris::new(root);
    let mut last: Option<(&str, String, Option<Walk>)> = None;
    for l in found {
        let new_note = !matches!(&last, Some((path, ..)) if *path == &*l.path);
        if new_note {
            // A new note might need its text read (a UTF-16 column the facts
            // do not keep): stop here if nobody waits for the answer any more.
            if cancel.is_set() {
                break;
            }
            let Some(uri) = uris.uri(root, &l.path) else {
                continue;
            };
            last = Some((&l.path, uri, pos.walk(&l.path)));
        }
        let Some((_, uri, walk)) = &mut last else {
            continue;
        };
        let range = match walk {
            Some(walk) => walk.range(l.span),
            None => Range::default(), // An attachment: its start.
        };
        f(uri, new_note, range);
    }
}

/// A `carnet/graph` answer: the graph's JSON in the form asked for (see
/// docs/graph.md), plus `rootUri` (node paths are relative to it) and
/// `center` (the note asked about). With no vault, an empty graph whose
/// `rootUri` is `null`.
pub fn graph(root: Option<&Path>, g: &Graph, center: Option<&str>, form: EdgeForm) -> Value {
    let mut out = match form {
        EdgeForm::Full => serde_json::to_value(export::Json::new(g)),
        EdgeForm::Pairs => serde_json::to_value(export::Pairs::new(g)),
    }
    .expect("a graph serializes");
    out["rootUri"] = json!(root.and_then(path_uri).map(|u| u.as_str().to_string()));
    out["center"] = json!(center);
    out
}

/// A report command's answer: `Location[]`.
pub fn command_locations(found: Vec<Location>) -> Option<Value> {
    Some(json!(found))
}

/// Where a link leads, as location links when the client takes them.
pub fn definition(
    root: &Path,
    pos: &Positions,
    from: &str,
    origin: Span,
    targets: &[answers::Location],
    caps: &ClientCaps,
) -> GotoDefinitionResponse {
    if !caps.location_links {
        return GotoDefinitionResponse::Array(
            targets
                .iter()
                .filter_map(|t| location(root, pos, t))
                .collect(),
        );
    }
    let link = |t: &answers::Location| {
        let target = pos.range(&t.path, t.span);
        Some(LocationLink {
            origin_selection_range: Some(pos.range(from, origin)),
            target_uri: uri(root, &t.path)?,
            target_range: target,
            target_selection_range: target,
        })
    };
    GotoDefinitionResponse::Link(targets.iter().filter_map(link).collect())
}

pub fn markdown(value: String) -> MarkupContent {
    MarkupContent {
        kind: MarkupKind::Markdown,
        value,
    }
}

pub fn hover(range: Range, text: String) -> Hover {
    Hover {
        contents: HoverContents::Markup(markdown(text)),
        range: Some(range),
    }
}

/// A note's outline: a tree of headings (each spanning its section), or a
/// flat list for clients that cannot show trees.
pub fn document_symbols(
    symbols: &[answers::DocumentSymbol],
    caps: &ClientCaps,
    uri: &Uri,
    pos: &Positions,
    rel: &str,
) -> DocumentSymbolResponse {
    #[allow(deprecated)]
    fn tree(s: &answers::DocumentSymbol, pos: &Positions, rel: &str) -> DocumentSymbol {
        DocumentSymbol {
            name: if s.name.is_empty() {
                "(empty heading)".into()
            } else {
                s.name.clone()
            },
            detail: Some("#".repeat(s.level as usize)),
            kind: SymbolKind::STRING,
            tags: None,
            deprecated: None,
            range: Range::new(
                pos.position(rel, s.span.start),
                pos.position(rel, s.section_end),
            ),
            selection_range: pos.range(rel, s.span),
            children: Some(s.children.iter().map(|c| tree(c, pos, rel)).collect()),
        }
    }
    #[allow(deprecated)]
    fn flatten(
        s: &answers::DocumentSymbol,
        uri: &Uri,
        pos: &Positions,
        rel: &str,
        out: &mut Vec<SymbolInformation>,
    ) {
        out.push(SymbolInformation {
            name: s.name.clone(),
            kind: SymbolKind::STRING,
            tags: None,
            deprecated: None,
            location: Location::new(uri.clone(), pos.range(rel, s.span)),
            container_name: None,
        });
        for c in &s.children {
            flatten(c, uri, pos, rel, out);
        }
    }
    if caps.hierarchical_symbols {
        return DocumentSymbolResponse::Nested(symbols.iter().map(|s| tree(s, pos, rel)).collect());
    }
    let mut out = Vec::new();
    for s in symbols {
        flatten(s, uri, pos, rel, &mut out);
    }
    DocumentSymbolResponse::Flat(out)
}

pub fn workspace_symbol(
    root: &Path,
    pos: &Positions,
    h: answers::SymbolHit,
) -> Option<SymbolInformation> {
    use answers::SymbolKind as Kind;
    #[allow(deprecated)]
    Some(SymbolInformation {
        kind: match h.kind {
            Kind::Note => SymbolKind::FILE,
            Kind::Alias => SymbolKind::CONSTANT,
            Kind::Heading => SymbolKind::STRING,
            Kind::Tag => SymbolKind::KEY,
        },
        tags: None,
        deprecated: None,
        location: Location::new(uri(root, &h.path)?, pos.range(&h.path, h.span)),
        container_name: Some(h.path.to_string()),
        name: h.name,
    })
}

pub fn document_link(
    root: &Path,
    pos: &Positions,
    from: &str,
    l: answers::DocumentLinkTarget,
) -> Option<DocumentLink> {
    let mut target = uri(root, &l.target.path)?;
    if l.target.span != Span::default() {
        // VS Code opens `file:…#L12` at line 12.
        let line = pos.position(&l.target.path, l.target.span.start).line;
        target = format!("{}#L{}", target.as_str(), line + 1).parse().ok()?;
    }
    Some(DocumentLink {
        range: pos.range(from, l.span),
        target: Some(target),
        tooltip: Some(l.target.path.to_string()),
        data: None,
    })
}

fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
        Severity::Hint => DiagnosticSeverity::HINT,
    }
}

/// One problem as an LSP diagnostic (ambiguous links name their candidates).
pub fn diagnostic(root: &Path, pos: &Positions, p: &Problem) -> Diagnostic {
    let related: Vec<DiagnosticRelatedInformation> = p
        .related
        .iter()
        .filter_map(|path| {
            Some(DiagnosticRelatedInformation {
                location: Location::new(uri(root, path)?, Range::default()),
                message: format!("candidate: {path}"),
            })
        })
        .collect();
    Diagnostic {
        range: pos.range(&p.path, p.span),
        severity: Some(severity(p.severity)),
        code: Some(NumberOrString::String(p.code.to_string())),
        code_description: None,
        source: Some("carnet".into()),
        message: p.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}

pub fn full_report(items: Vec<Diagnostic>) -> FullDocumentDiagnosticReport {
    FullDocumentDiagnosticReport {
        result_id: None,
        items,
    }
}

pub fn document_diagnostic_report(items: Vec<Diagnostic>) -> DocumentDiagnosticReportResult {
    DocumentDiagnosticReportResult::Report(DocumentDiagnosticReport::Full(
        RelatedFullDocumentDiagnosticReport {
            related_documents: None,
            full_document_diagnostic_report: full_report(items),
        },
    ))
}

/// The problems of a vault (grouped by note, as the checker returns them)
/// as one report per note.
pub fn workspace_reports(
    root: &Path,
    pos: &Positions,
    problems: &[Problem],
    cancel: &Cancel,
) -> Vec<WorkspaceDocumentDiagnosticReport> {
    let mut by_note: Vec<(&str, Vec<Diagnostic>)> = Vec::new();
    for p in problems.iter().take_while(|_| !cancel.is_set()) {
        let d = diagnostic(root, pos, p);
        match by_note.last_mut() {
            Some((path, list)) if *path == &*p.path => list.push(d),
            _ => by_note.push((&p.path, vec![d])),
        }
    }
    by_note
        .into_iter()
        .filter_map(|(path, items)| {
            Some(WorkspaceDocumentDiagnosticReport::Full(
                WorkspaceFullDocumentDiagnosticReport {
                    uri: uri(root, path)?,
                    version: None,
                    full_document_diagnostic_report: full_report(items),
                },
            ))
        })
        .collect()
}

/// Completion items in ranking order, each replacing `range`; notes and
/// attachments carry what `completionItem/resolve` needs for a preview.
/// `here` gives ranges in the note being completed: a block id added to
/// that note is an additional edit of the item; one added to another note
/// is a command the editor runs after inserting the item.
pub fn completion_list(
    done: answers::Completion,
    range: Range,
    root: &Path,
    from: &str,
    here: &dyn Fn(Span) -> Range,
) -> CompletionResponse {
    let item = |(i, item): (usize, answers::Item)| {
        let (additional, command) = match &item.adds_id {
            Some(add) if *add.path == *from => (
                Some(vec![TextEdit::new(
                    here(add.edit.span),
                    add.edit.text.clone(),
                )]),
                None,
            ),
            Some(add) => (None, add_block_id_command(root, add)),
            None => (None, None),
        };
        completion_item(i, item, range, root, additional, command)
    };
    CompletionResponse::List(CompletionList {
        is_incomplete: done.incomplete,
        items: done.items.into_iter().enumerate().map(item).collect(),
    })
}

/// The command that writes a block's fresh id (see [`command::ADD_BLOCK_ID`]).
fn add_block_id_command(root: &Path, add: &answers::AddId) -> Option<Command> {
    Some(Command {
        title: format!("Add ^{} to the block", add.id),
        command: command::ADD_BLOCK_ID.into(),
        arguments: Some(vec![json!({
            "uri": uri(root, &add.path)?,
            "start": add.block.start,
            "end": add.block.end,
            "id": add.id,
        })]),
    })
}

fn completion_item(
    i: usize,
    item: answers::Item,
    range: Range,
    root: &Path,
    additional_text_edits: Option<Vec<TextEdit>>,
    command: Option<Command>,
) -> CompletionItem {
    use answers::ItemKind as K;
    CompletionItem {
        filter_text: Some(match item.kind {
            // Notes also match on their title, shown in `detail`.
            K::Note => format!("{} {}", item.label, item.detail),
            _ => item.label.clone(),
        }),
        sort_text: Some(format!("{i:04}")),
        kind: Some(match item.kind {
            K::Note | K::Attachment => CompletionItemKind::FILE,
            K::Alias | K::Block => CompletionItemKind::REFERENCE,
            K::Heading => CompletionItemKind::TEXT,
            K::Tag => CompletionItemKind::KEYWORD,
            K::Missing => CompletionItemKind::FOLDER,
            K::Daily => CompletionItemKind::EVENT,
        }),
        detail: Some(item.detail),
        label_details: (item.kind == K::Missing).then(|| CompletionItemLabelDetails {
            detail: None,
            description: Some("create".into()),
        }),
        text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(range, item.insert))),
        data: item.path.map(|p| json!({ "root": root, "path": &*p })),
        label: item.label,
        additional_text_edits,
        command,
        ..Default::default()
    }
}

/// The vault root and note path a completion item carries (see [`completion_list`]).
pub fn completion_data(item: &CompletionItem) -> Option<(std::path::PathBuf, String)> {
    let d = item.data.as_ref()?;
    Some((
        std::path::PathBuf::from(d.get("root")?.as_str()?),
        d.get("path")?.as_str()?.to_string(),
    ))
}

pub fn folding_range(f: crate::syntax::FoldRange) -> FoldingRange {
    FoldingRange {
        start_line: f.start_line,
        start_character: None,
        end_line: f.end_line,
        end_character: None,
        kind: Some(match f.kind {
            Fold::FrontMatter => FoldingRangeKind::Comment,
            Fold::Region | Fold::List | Fold::Code | Fold::Quote => FoldingRangeKind::Region,
        }),
        collapsed_text: None,
    }
}

/// A chain of byte ranges, innermost first, as nested selection ranges
/// (the whole text when the chain is empty).
pub fn selection_range(
    rope: &Rope,
    chain: &[std::ops::Range<usize>],
    enc: Encoding,
) -> SelectionRange {
    let mut parent: Option<SelectionRange> = None;
    for r in chain.iter().rev() {
        parent = Some(SelectionRange {
            range: range_in(rope, r.clone(), enc),
            parent: parent.map(Box::new),
        });
    }
    parent.unwrap_or(SelectionRange {
        range: range_in(rope, 0..rope.len_bytes(), enc),
        parent: None,
    })
}

/// `RequestFailed` (LSP 3.17): the request was valid but could not be done;
/// editors show the message.
pub fn request_failed(e: RenameError) -> Error {
    failed(e.to_string())
}

/// `RequestFailed` with a message for the user.
pub fn failed(message: String) -> Error {
    Error {
        code: ErrorCode::ServerError(-32803),
        message: message.into(),
        data: None,
    }
}

pub fn not_a_note(uri: &Uri) -> Error {
    Error::invalid_params(format!("not a note carnet can read: {}", uri.as_str()))
}

/// Text edits to several files, each versioned for the buffer it was
/// computed from (`documentChanges`), or as plain `changes`.
fn text_edits(
    docs: Vec<(Uri, Option<i32>, Vec<TextEdit>)>,
    document_changes: bool,
) -> WorkspaceEdit {
    if !document_changes {
        return WorkspaceEdit {
            changes: Some(docs.into_iter().map(|(u, _, e)| (u, e)).collect()),
            ..Default::default()
        };
    }
    let ops = docs
        .into_iter()
        .map(|(uri, version, edits)| TextDocumentEdit {
            text_document: OptionalVersionedTextDocumentIdentifier { uri, version },
            edits: edits.into_iter().map(OneOf::Left).collect(),
        })
        .collect();
    WorkspaceEdit {
        document_changes: Some(DocumentChanges::Edits(ops)),
        ..Default::default()
    }
}

/// A plan as a `WorkspaceEdit`: new notes first (created, never over a
/// file, then filled), then the text edits (at the files' current URIs,
/// versioned for open buffers, positioned in the very texts the plan was
/// computed from), then the file renames. `None` when the client cannot
/// take it (a new note without file operations).
pub fn plan_edit(
    root: &Path,
    plan: &Plan,
    texts: &Texts,
    caps: &ClientCaps,
) -> Option<WorkspaceEdit> {
    plan_edit_unread(root, plan, texts, None, caps)
}

/// [`plan_edit`] for a plan that left notes unread
/// (`answers::move_files_unread`): the edits of a note whose text was not
/// read are positioned from its facts in `unread`, the snapshot planned
/// from (they replace link targets, whose columns the facts keep), and
/// are not versioned (only a closed note is left unread).
pub fn plan_edit_unread(
    root: &Path,
    plan: &Plan,
    texts: &Texts,
    unread: Option<&Snapshot>,
    caps: &ClientCaps,
) -> Option<WorkspaceEdit> {
    if !plan.creates.is_empty() && !caps.creates_files() {
        return None;
    }
    let mut docs = Vec::new();
    for (path, edits) in &plan.edits {
        let edit = |range, e: &answers::Edit| TextEdit::new(range, e.text.clone());
        if let Some(snap) = unread.filter(|_| !texts.has(path)) {
            let pos = Positions::new(caps.encoding, snap, texts);
            let edits = edits
                .iter()
                .map(|e| edit(pos.range(path, e.span), e))
                .collect();
            docs.push((uri(root, path)?, None, edits));
            continue;
        }
        let rope = texts.rope(path)?;
        let edits = edits
            .iter()
            .map(|e| edit(range_in(&rope, e.span.range(), caps.encoding), e))
            .collect();
        docs.push((uri(root, path)?, texts.version(path), edits));
    }
    let edit = text_edits(docs, caps.document_changes);
    let Some(DocumentChanges::Edits(edits)) = edit.document_changes else {
        return Some(edit);
    };
    let mut ops: Vec<DocumentChangeOperation> = Vec::new();
    for (path, text) in &plan.creates {
        if let Some(DocumentChanges::Operations(create)) =
            create_file(uri(root, path)?, text.clone()).document_changes
        {
            ops.extend(create);
        }
    }
    ops.extend(edits.into_iter().map(DocumentChangeOperation::Edit));
    for (old, new) in &plan.moves {
        ops.push(DocumentChangeOperation::Op(ResourceOp::Rename(
            RenameFile {
                old_uri: uri(root, old)?,
                new_uri: uri(root, new)?,
                options: Some(RenameFileOptions {
                    overwrite: Some(false),
                    ignore_if_exists: Some(false),
                }),
                annotation_id: None,
            },
        )));
    }
    Some(WorkspaceEdit {
        document_changes: Some(DocumentChanges::Operations(ops)),
        ..Default::default()
    })
}

/// The question that offers the link updates for notes moved outside the
/// editor: "Update 12 links in 3 notes to the moved note X?".
pub struct MoveOffer {
    pub typ: MessageType,
    pub message: String,
    pub actions: Option<Vec<MessageActionItem>>,
    /// What moved, for log lines.
    pub what: String,
}

/// The title of the action that accepts a [`MoveOffer`].
pub const UPDATE_LINKS: &str = "Update links";

pub fn move_offer(plan: &Plan, moves: &[(String, String)]) -> MoveOffer {
    let (links, notes) = (plan.edit_count(), plan.edits.len());
    let what = match moves {
        [(_, new)] => format!("the moved note {}", crate::names::note_stem(new)),
        _ => format!("{} moved notes", moves.len()),
    };
    let message = format!(
        "Update {links} {} in {notes} {} to {what}?",
        if links == 1 { "link" } else { "links" },
        if notes == 1 { "note" } else { "notes" }
    );
    let action = |title: &str| MessageActionItem {
        title: title.into(),
        properties: Default::default(),
    };
    MoveOffer {
        typ: MessageType::INFO,
        message,
        actions: Some(vec![action(UPDATE_LINKS), action("Not now")]),
        what,
    }
}

/// Merges the edits of several vaults' plans (for `willRenameFiles`).
pub fn merge(edits: Vec<WorkspaceEdit>) -> Option<WorkspaceEdit> {
    let mut changes = HashMap::new();
    let mut ops = Vec::new();
    for e in edits {
        if let Some(c) = e.changes {
            changes.extend(c);
        }
        if let Some(DocumentChanges::Operations(o)) = e.document_changes {
            ops.extend(o);
        }
    }
    if !ops.is_empty() {
        return Some(WorkspaceEdit {
            document_changes: Some(DocumentChanges::Operations(ops)),
            ..Default::default()
        });
    }
    (!changes.is_empty()).then(|| WorkspaceEdit {
        changes: Some(changes),
        ..Default::default()
    })
}

/// A new file holding `text`, never overwriting one.
fn create_file(target: Uri, text: String) -> WorkspaceEdit {
    let create = CreateFile {
        uri: target.clone(),
        options: Some(CreateFileOptions {
            overwrite: Some(false),
            ignore_if_exists: Some(false),
        }),
        annotation_id: None,
    };
    let fill = TextDocumentEdit {
        text_document: OptionalVersionedTextDocumentIdentifier {
            uri: target,
            version: None,
        },
        edits: vec![OneOf::Left(TextEdit::new(Range::default(), text))],
    };
    WorkspaceEdit {
        document_changes: Some(DocumentChanges::Operations(vec![
            DocumentChangeOperation::Op(ResourceOp::Create(create)),
            DocumentChangeOperation::Edit(fill),
        ])),
        ..Default::default()
    }
}

/// A quick fix as a code action, `None` when it cannot be expressed for
/// this client (the caller has checked that a created file is free).
pub fn code_action(
    fix: Fix,
    diagnostic: &Diagnostic,
    root: &Path,
    pos: &Positions,
    texts: &Texts,
    caps: &ClientCaps,
) -> Option<CodeActionOrCommand> {
    let (title, edit, preferred) = match fix {
        Fix::Edit {
            title,
            path,
            span,
            text,
            preferred,
        } => {
            let target = uri(root, &path)?;
            let edit = TextEdit::new(pos.range(&path, span), text);
            let docs = vec![(target, texts.version(&path), vec![edit])];
            (title, text_edits(docs, caps.document_changes), preferred)
        }
        Fix::CreateNote { title, path, text } => {
            if !caps.creates_files() {
                return None;
            }
            (title, create_file(uri(root, &path)?, text), true)
        }
        Fix::Rename { title, plan } => (title, plan_edit(root, &plan, texts, caps)?, false),
    };
    Some(CodeActionOrCommand::CodeAction(CodeAction {
        title,
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic.clone()]),
        edit: Some(edit),
        is_preferred: preferred.then_some(true),
        ..Default::default()
    }))
}

/// Tokens (sorted, not overlapping) as LSP's relative tokens in the
/// negotiated encoding, each on one line of `text`: a token is cut at the
/// end of its line and its ends are rounded down to character boundaries.
/// One pass over the text, so a 200 KB note costs well under a millisecond.
pub fn semantic_tokens(text: &str, tokens: &[answers::Token], enc: Encoding) -> Vec<SemanticToken> {
    use answers::TokenKind;
    let floor = |mut i: usize| {
        i = i.min(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let lines = crate::text::Lines::new(text);
    let width = |s: &str| match enc {
        Encoding::Utf8 => s.len() as u32,
        Encoding::Utf16 => s.encode_utf16().count() as u32,
    };
    let mut out = Vec::with_capacity(tokens.len());
    // The previous token's line and column, and where (byte, column) the
    // count of columns on that line has got to.
    let (mut prev_line, mut prev_col) = (0u32, 0u32);
    let mut counted: Option<(u32, usize, u32)> = None;
    for t in tokens {
        let start = floor(t.span.start as usize);
        let line = lines.line_of(start as u32);
        let line_start = lines.line_start(line) as usize;
        let next = lines.line_start(line + 1) as usize;
        let line_end = line_start + text[line_start..next].trim_end_matches(['\n', '\r']).len();
        let end = floor((t.span.end as usize).min(line_end));
        if end <= start {
            continue;
        }
        let col = match counted {
            Some((l, byte, col)) if l == line && byte <= start => col + width(&text[byte..start]),
            _ => width(&text[line_start..start]),
        };
        counted = Some((line, start, col));
        let token_type = TokenKind::ALL
            .iter()
            .position(|k| *k == t.kind)
            .unwrap_or(0);
        out.push(SemanticToken {
            delta_line: line - prev_line,
            delta_start: if line == prev_line {
                col - prev_col
            } else {
                col
            },
            length: width(&text[start..end]),
            token_type: token_type as u32,
            token_modifiers_bitset: t.modifiers,
        });
        (prev_line, prev_col) = (line, col);
    }
    out
}

/// The edit that turns `old` into `new`: what lies between their common
/// start and common end (in the protocol's units, five numbers a token).
pub fn semantic_tokens_delta(
    old: &[SemanticToken],
    new: &[SemanticToken],
    result_id: String,
) -> SemanticTokensDelta {
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let (deleted, inserted) = (
        old.len() - prefix - suffix,
        &new[prefix..new.len() - suffix],
    );
    let edits = if deleted == 0 && inserted.is_empty() {
        vec![]
    } else {
        vec![SemanticTokensEdit {
            start: 5 * prefix as u32,
            delete_count: 5 * deleted as u32,
            data: Some(inserted.to_vec()),
        }]
    };
    SemanticTokensDelta {
        result_id: Some(result_id),
        edits,
    }
}

/// The client-side command a lens runs: VS Code's extension and the Neovim
/// module register it (see docs/server.md).
pub const SHOW_REFERENCES: &str = "carnet.showReferences";

/// A backlink lens: its count as the title, and a command that shows the
/// links it counts (`carnet/backlinks` finds them when it is run).
pub fn code_lens(uri: &Uri, range: Range, lens: &answers::Lens, counted: &Counted) -> CodeLens {
    let title = match lens.count {
        0 => "no backlinks".to_string(),
        1 => "1 backlink".to_string(),
        n => format!("{n} backlinks"),
    };
    let target = match counted {
        Counted::Note => json!({}),
        Counted::Heading { index, text } => json!({ "heading": text, "index": index }),
        Counted::Block(id) => json!({ "block": id }),
    };
    CodeLens {
        range,
        command: Some(Command {
            title,
            command: SHOW_REFERENCES.into(),
            arguments: Some(vec![json!(uri), json!(range.start), target]),
        }),
        data: None,
    }
}

/// The locations of `spans` (sorted, not overlapping) in one note whose
/// text is at hand, as unlinked mentions are, appended to `out` as the
/// JSON of their `Location`s (byte for byte what serde writes), each
/// followed by a comma: the caller joins the notes' pieces into one
/// `Location[]` ([`join_locations`]). Lines and byte columns come from the
/// note's line table, and a UTF-16 column the table does not keep (a
/// mention is where the facts name nothing) is counted in `text`, left to
/// right.
pub fn locations_in_text_json(
    uri: &Uri,
    lines: &Lines,
    text: &str,
    spans: &[Span],
    enc: Encoding,
    out: &mut Vec<u8>,
) {
    let mut quoted = Vec::with_capacity(uri.as_str().len() + 2);
    serde_json::to_writer(&mut quoted, uri.as_str()).expect("a string serializes");
    // Room for every location (about 80 bytes besides the URI): growing the
    // piece location by location was 8% of a common name's search.
    out.reserve(spans.len() * (quoted.len() + 80));
    // The last position counted: (line, byte offset, its UTF-16 column).
    let mut at: Option<(u32, usize, u32)> = None;
    let mut position = |offset: u32| {
        let (line, col) = lines.line_col(offset);
        if enc == Encoding::Utf8 {
            return Position::new(line, col);
        }
        if let Some(col) = lines.utf16_col_at(offset, line, col) {
            return Position::new(line, col);
        }
        let start = lines.line_start(line) as usize;
        let (from, units) = match at {
            Some((l, from, units)) if l == line && from <= offset as usize => (from, units),
            _ => (start, 0),
        };
        let mut end = (offset as usize).min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let units = units + text.get(from..end).map_or(0, crate::text::utf16_len);
        at = Some((line, end.max(from), units));
        Position::new(line, units)
    };
    for s in spans {
        let range = Range::new(position(s.start), position(s.end));
        write_location(out, &quoted, range);
        out.push(b',');
    }
}

/// One `Location[]` from the pieces [`locations_in_text_json`] wrote.
pub fn join_locations(pieces: impl IntoIterator<Item = Vec<u8>>) -> Vec<u8> {
    let mut out = vec![b'['];
    for p in pieces {
        out.extend_from_slice(&p);
    }
    if out.last() == Some(&b',') {
        out.pop();
    }
    out.push(b']');
    out
}

/// An unlinked-mentions lens before it is counted: `data` names its note.
pub fn mentions_lens(uri: &Uri, range: Range) -> CodeLens {
    CodeLens {
        range,
        command: None,
        data: Some(json!({ "uri": uri, "mentions": true })),
    }
}

/// An unlinked-mentions lens counted: its count as the title and the
/// command that lists them (`carnet/backlinks` with `{ "mentions": true }`);
/// none when there are none.
pub fn resolved_mentions_lens(mut lens: CodeLens, count: usize) -> CodeLens {
    let uri = lens.data.as_ref().and_then(|d| d.get("uri")).cloned();
    lens.command = match (count, uri) {
        (0, _) | (_, None) => None,
        (n, Some(uri)) => Some(Command {
            title: match n {
                1 => "1 unlinked mention".to_string(),
                n => format!("{n} unlinked mentions"),
            },
            command: SHOW_REFERENCES.into(),
            arguments: Some(vec![
                uri,
                json!(lens.range.start),
                json!({ "mentions": true }),
            ]),
        }),
    };
    lens
}

pub fn inlay_hint(position: Position, hint: answers::Hint) -> InlayHint {
    InlayHint {
        position,
        label: InlayHintLabel::String(hint.label),
        kind: None,
        text_edits: None,
        tooltip: Some(InlayHintTooltip::String(format!(
            "from {}",
            hint.target.path
        ))),
        padding_left: Some(true),
        padding_right: None,
        data: None,
    }
}

pub fn document_highlight(range: Range, h: &answers::Highlight) -> DocumentHighlight {
    DocumentHighlight {
        range,
        kind: Some(match h.kind {
            answers::HighlightKind::Declaration => DocumentHighlightKind::WRITE,
            answers::HighlightKind::Reference => DocumentHighlightKind::READ,
        }),
    }
}

/// A code action that applies a plan (no diagnostic: refactors, links).
pub fn edit_action(
    title: String,
    kind: CodeActionKind,
    root: &Path,
    plan: &Plan,
    texts: &Texts,
    caps: &ClientCaps,
) -> Option<CodeActionOrCommand> {
    Some(CodeActionOrCommand::CodeAction(CodeAction {
        title,
        kind: Some(kind),
        edit: Some(plan_edit(root, plan, texts, caps)?),
        ..Default::default()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answers::Part;
    use crate::fixture::Fixture;

    /// Notes' URIs written from the root's are the URIs `uri` makes.
    #[test]
    fn note_uris_are_the_uris_of_their_paths() {
        let names = crate::fixture::HOSTILE_NAMES
            .iter()
            .map(|n| format!("{n}.md"))
            .chain(["a/b c/Zürich (1) [x] ~'!.md".into(), "x.png".into()]);
        for root in ["/", "/vault", "/tmp/my vault/Ünïcode 😀/", "/a%20b/c#d"] {
            let root = Path::new(root);
            let uris = NoteUris::new(root);
            assert!(uris.base.is_some());
            for rel in names.clone() {
                let want = uri(root, &rel).unwrap();
                assert_eq!(
                    uris.uri(root, &rel).unwrap(),
                    want.as_str(),
                    "{root:?} {rel}"
                );
            }
        }
    }

    /// The JSON written by hand for many locations is, byte for byte, what
    /// serde writes for the same `Vec<Location>`, in both encodings:
    /// escaped and percent-encoded URIs, non-ASCII lines, an attachment.
    #[test]
    fn locations_json_is_what_serde_writes() {
        let f = Fixture::parse(
            r#"
            //- Hub.md
            # Hub
            //- a "quoted" \ name.md
            [[Hub]] and 会議 [[Hub#Hub]]
            //- Notes/Zürich café 100%.md
            line one
            é 😀 [[Hub]] x [[Hub|😀]]
            "#,
        );
        let snap = f.snapshot();
        let mut found = answers::links_to(&snap, "Hub.md", Part::Whole);
        assert_eq!(found.len(), 4);
        found.push(answers::Location {
            path: "pictures/a b.png".into(),
            span: Span::new(0..0),
        });
        let world = super::super::world::World::new(super::super::log::Logger::new());
        let root = Path::new("/vault \"dir\"/x");
        let texts = Texts::new(world, root);
        let cancel = Cancel::default();
        for (enc, column) in [(Encoding::Utf8, 8), (Encoding::Utf16, 5)] {
            let pos = Positions::new(enc, &snap, &texts);
            let typed = locations(root, &pos, &found, &cancel);
            assert_eq!(typed.len(), found.len());
            // The first link after "é 😀 ", in the encoding's columns.
            assert!(
                typed
                    .iter()
                    .any(|l| l.range.start == Position::new(1, column)),
                "{enc:?}: {typed:?}"
            );
            let json = locations_json(root, &pos, &found, &cancel);
            assert_eq!(
                String::from_utf8(json).unwrap(),
                serde_json::to_string(&typed).unwrap(),
                "{enc:?}"
            );
        }
        let pos = Positions::new(Encoding::Utf16, &snap, &texts);
        assert_eq!(locations_json(root, &pos, &[], &cancel), b"[]");
    }

    /// Mention locations written as JSON in pieces, one per note, are
    /// what serde writes for the same locations, in both encodings, with
    /// columns counted after emoji and CJK that the facts do not name.
    #[test]
    fn mention_json_is_what_serde_writes() {
        let text = "é 😀 Hub x 会議 hub\nab Hub\r\nHUB";
        let lines = crate::facts::extract(text).lines;
        let spans: Vec<Span> = ["Hub", "hub", "Hub", "HUB"]
            .iter()
            .scan(0, |from, w| {
                let at = *from + text[*from..].find(w)?;
                *from = at + w.len();
                Some(Span::new(at..at + w.len()))
            })
            .collect();
        assert_eq!(spans.len(), 4);
        let a: Uri = "file:///vault%20%22x%22/a%20b.md".parse().unwrap();
        let b: Uri = "file:///vault/b.md".parse().unwrap();
        let at = |l, c| Position::new(l, c);
        for (enc, first, second) in [(Encoding::Utf8, 8, 21), (Encoding::Utf16, 5, 14)] {
            let mut one = Vec::new();
            locations_in_text_json(&a, &lines, text, &spans, enc, &mut one);
            let mut two = Vec::new();
            locations_in_text_json(&b, &lines, text, &spans[..1], enc, &mut two);
            let json = join_locations([one, Vec::new(), two]);
            let typed = vec![
                Location::new(a.clone(), Range::new(at(0, first), at(0, first + 3))),
                Location::new(a.clone(), Range::new(at(0, second), at(0, second + 3))),
                Location::new(a.clone(), Range::new(at(1, 3), at(1, 6))),
                Location::new(a.clone(), Range::new(at(2, 0), at(2, 3))),
                Location::new(b.clone(), Range::new(at(0, first), at(0, first + 3))),
            ];
            assert_eq!(
                String::from_utf8(json).unwrap(),
                serde_json::to_string(&typed).unwrap(),
                "{enc:?}"
            );
        }
        assert_eq!(join_locations([Vec::new()]), b"[]");
    }
}
