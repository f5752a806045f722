//! Request handlers: `(snapshot, params) -> result`, run off the async threads.

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value;
use tower_lsp_server::ls_types::*;

use super::Result;
use crate::answers::{self, Fix, Plan, RenameError};
use crate::check::Checker;
use crate::graph::report;
use crate::lsp::capabilities::{ClientCaps, server_capabilities};
use crate::lsp::diagnostics;
use crate::lsp::ext::{BacklinksParams, GraphParams};
use crate::lsp::from_proto;
use crate::lsp::log::LogLevel;
use crate::lsp::snapshot::{NoteSnapshot, VaultView, WorkspaceSnapshot};
use crate::lsp::to_proto;
use crate::lsp::world::World;
use crate::vault;

/// Records what the client can do; returns the answer and the workspace roots.
pub fn initialize(world: &World, params: InitializeParams) -> (InitializeResult, Vec<PathBuf>) {
    let caps = ClientCaps::new(&params.capabilities);
    let log_level = params.initialization_options.as_ref();
    if let Some(level) =
        log_level.and_then(|o| o.get("logLevel")?.as_str().and_then(LogLevel::parse))
    {
        world.log.set_level(level);
    }
    #[allow(deprecated)]
    let roots: Vec<PathBuf> = match (&params.workspace_folders, &params.root_uri) {
        (Some(folders), _) if !folders.is_empty() => folders
            .iter()
            .filter_map(|f| from_proto::path(&f.uri))
            .collect(),
        (_, Some(uri)) => from_proto::path(uri).into_iter().collect(),
        _ => params.root_path.iter().map(PathBuf::from).collect(),
    };
    let result = InitializeResult {
        capabilities: server_capabilities(&caps),
        server_info: Some(ServerInfo {
            name: "carnet".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
        offset_encoding: None,
    };
    world.set_caps(caps);
    (result, roots)
}

pub fn definition(
    s: &NoteSnapshot,
    p: GotoDefinitionParams,
) -> Result<Option<GotoDefinitionResponse>> {
    let at = s.at(p.text_document_position_params.position);
    let Some((origin, targets)) = answers::definition(&s.snapshot, &s.rel, at) else {
        return Ok(None);
    };
    if targets.is_empty() {
        return Ok(None);
    }
    let pos = s.positions();
    let response = to_proto::definition(&s.root, &pos, &s.rel, origin, &targets, &s.caps);
    Ok(Some(response))
}

/// `Location[]` as JSON, spliced into the response by the transport
/// (a hub has thousands: see `to_proto::locations_json`).
pub fn references(s: &NoteSnapshot, p: ReferenceParams) -> Result<Option<Vec<u8>>> {
    let at = s.at(p.text_document_position.position);
    let declaration = match p.context.include_declaration {
        true => answers::Declaration::Include,
        false => answers::Declaration::Exclude,
    };
    let found = answers::references(&s.snapshot, &s.rel, at, declaration);
    Ok(Some(to_proto::locations_json(
        &s.root,
        &s.positions(),
        &found,
        &s.cancel,
    )))
}

pub fn hover(s: &NoteSnapshot, p: HoverParams) -> Result<Option<Hover>> {
    let at = s.at(p.text_document_position_params.position);
    let text_of = |rel: &str| s.texts.text(rel);
    let href = to_proto::preview_href(&s.root);
    let Some((span, text)) = answers::hover(&s.snapshot, &s.rel, at, &text_of, &href) else {
        return Ok(None);
    };
    Ok(Some(to_proto::hover(
        s.positions().range(&s.rel, span),
        text,
    )))
}

pub fn document_symbol(
    s: &NoteSnapshot,
    p: DocumentSymbolParams,
) -> Result<Option<DocumentSymbolResponse>> {
    let Some(note) = s.snapshot.note(&s.rel) else {
        return Ok(None);
    };
    let symbols = answers::document_symbols(note);
    let (uri, pos) = (&p.text_document.uri, s.positions());
    let response = to_proto::document_symbols(&symbols, &s.caps, uri, &pos, &s.rel);
    Ok(Some(response))
}

pub fn workspace_symbol(
    w: &WorkspaceSnapshot,
    p: WorkspaceSymbolParams,
) -> Result<Option<WorkspaceSymbolResponse>> {
    const LIMIT: usize = 100;
    let mut hits: Vec<(usize, answers::SymbolHit)> = Vec::new();
    for (i, v) in w
        .vaults
        .iter()
        .enumerate()
        .take_while(|_| !w.cancel.is_set())
    {
        let found = answers::workspace_symbols(&v.snapshot, &p.query, LIMIT);
        hits.extend(found.into_iter().map(|h| (i, h)));
    }
    // Best first across vaults, as each vault ranks its own.
    hits.sort_by(|a, b| b.1.score.cmp(&a.1.score).then(a.1.kind.cmp(&b.1.kind)));
    hits.truncate(LIMIT);
    let symbols = hits.into_iter().filter_map(|(i, h)| {
        let v = &w.vaults[i];
        to_proto::workspace_symbol(&v.root, &w.positions(v), h)
    });
    Ok(Some(WorkspaceSymbolResponse::Flat(symbols.collect())))
}

pub fn document_link(s: &NoteSnapshot, _: DocumentLinkParams) -> Result<Option<Vec<DocumentLink>>> {
    let pos = s.positions();
    let links = answers::document_links(&s.snapshot, &s.rel)
        .into_iter()
        .filter_map(|l| to_proto::document_link(&s.root, &pos, &s.rel, l));
    Ok(Some(links.collect()))
}

pub fn diagnostic(
    s: &NoteSnapshot,
    _: DocumentDiagnosticParams,
) -> Result<DocumentDiagnosticReportResult> {
    let checker = Checker::new(&s.snapshot, &s.rules);
    let items = diagnostics::of_note(s, &checker);
    Ok(to_proto::document_diagnostic_report(items))
}

pub fn workspace_diagnostic(
    w: &WorkspaceSnapshot,
    _: WorkspaceDiagnosticParams,
) -> Result<WorkspaceDiagnosticReportResult> {
    let mut items = Vec::new();
    for v in &w.vaults {
        let problems = Checker::new(&v.snapshot, &v.rules)
            .vault_until(&v.snapshot, &|| w.cancel.is_set())
            .unwrap_or_default();
        items.extend(to_proto::workspace_reports(
            &v.root,
            &w.positions(v),
            &problems,
            &w.cancel,
        ));
    }
    Ok(WorkspaceDiagnosticReportResult::Report(
        WorkspaceDiagnosticReport { items },
    ))
}

pub fn completion(s: &NoteSnapshot, p: CompletionParams) -> Result<Option<CompletionResponse>> {
    const LIMIT: usize = 50;
    let offset = s.offset(p.text_document_position.position);
    let text = s.text();
    let text_of = |rel: &str| s.texts.text(rel);
    let options = answers::Options {
        text_of: Some(&text_of),
        daily: Some((&s.daily, crate::lsp::snapshot::now().0)),
        ..answers::Options::new(LIMIT, s.path_style)
    };
    let Some(done) = answers::complete(&s.snapshot, &s.rel, &text, offset, &options) else {
        return Ok(None);
    };
    let range = s.range(done.replace.range());
    let here = |span: crate::text::Span| s.range(span.range());
    Ok(Some(to_proto::completion_list(
        done, range, &s.root, &s.rel, &here,
    )))
}

pub fn completion_resolve(
    w: &WorkspaceSnapshot,
    mut item: CompletionItem,
) -> Result<CompletionItem> {
    let Some((root, path)) = to_proto::completion_data(&item) else {
        return Ok(item);
    };
    let Some(v) = w.vault(&root) else {
        return Ok(item);
    };
    let href = to_proto::preview_href(&v.root);
    let preview = answers::preview(&v.snapshot, &path, &|rel| v.texts.text(rel), &href);
    if let Some(text) = preview.filter(|p| !p.trim().is_empty()) {
        item.documentation = Some(Documentation::MarkupContent(to_proto::markdown(text)));
    }
    Ok(item)
}

pub fn code_action(s: &NoteSnapshot, p: CodeActionParams) -> Result<Option<CodeActionResponse>> {
    if s.snapshot.note(&s.rel).is_none() {
        return Ok(None);
    }
    let range = from_proto::span(&s.rope, p.range, s.encoding());
    let text_of = |rel: &str| s.texts.text(rel);
    let pos = s.positions();
    let mut actions = Vec::new();
    for (problem, fixes) in
        answers::fixes_in(&s.snapshot, &s.rules, &s.rel, &s.text(), range, &text_of)
    {
        let diagnostic = to_proto::diagnostic(&s.root, &pos, &problem);
        for fix in fixes {
            // Never offer to overwrite: not even a file the index skipped.
            if let Fix::CreateNote { path, .. } = &fix
                && vault::occupied(&s.root.join(path))
            {
                continue;
            }
            actions.extend(to_proto::code_action(
                fix,
                &diagnostic,
                &s.root,
                &pos,
                &s.texts,
                &s.caps,
            ));
        }
    }
    let only = p.context.only.as_deref();
    if from_proto::wants_kind(only, &CodeActionKind::QUICKFIX) {
        actions.extend(mention_actions(s, range));
    }
    if from_proto::wants_kind(only, &CodeActionKind::REFACTOR) {
        actions.extend(refactor_actions(s, range));
    }
    // Kinds are hierarchical: `refactor` asks for `refactor.extract` too.
    actions.retain(|a| match a {
        CodeActionOrCommand::CodeAction(a) => a
            .kind
            .as_ref()
            .is_none_or(|k| from_proto::wants_kind(only, k)),
        CodeActionOrCommand::Command(_) => true,
    });
    Ok(Some(actions))
}

/// "Link to Note" on a plain-text mention, and "Link all mentions of Note
/// in this note".
fn mention_actions(s: &NoteSnapshot, range: crate::text::Span) -> Vec<CodeActionOrCommand> {
    let text = s.text();
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for m in answers::mentions_in(&s.snapshot, &s.rel, &text, range) {
        // One pair of actions per note, for its first mention in the range.
        if !seen.insert(m.target.clone()) {
            continue;
        }
        let name = answers::mention_label(&s.snapshot, &m.target);
        let one = answers::link_for(&s.snapshot, &m);
        out.extend(to_proto::edit_action(
            format!("Link to {name}"),
            CodeActionKind::QUICKFIX,
            &s.root,
            &one_note(&s.rel, vec![one]),
            &s.texts,
            &s.caps,
        ));
        let all = answers::mentions_of_in(&s.snapshot, &m.target, &s.rel, &text);
        if all.len() > 1 {
            let edits = all
                .iter()
                .map(|m| answers::link_for(&s.snapshot, m))
                .collect();
            out.extend(to_proto::edit_action(
                format!("Link all {} mentions of {name} in this note", all.len()),
                CodeActionKind::QUICKFIX,
                &s.root,
                &one_note(&s.rel, edits),
                &s.texts,
                &s.caps,
            ));
        }
    }
    out
}

/// Extract, inline and table of contents.
fn refactor_actions(s: &NoteSnapshot, range: crate::text::Span) -> Vec<CodeActionOrCommand> {
    let text_of = |rel: &str| s.texts.text(rel);
    // A new note never goes where a file is, indexed or not.
    let free = |rel: &str| !vault::occupied(&s.root.join(rel));
    let found = answers::refactors(&s.snapshot, &s.rel, &s.text(), range, &text_of, &free);
    found
        .into_iter()
        .filter_map(|r| {
            let kind = match r.kind {
                answers::RefactorKind::Extract => CodeActionKind::REFACTOR_EXTRACT,
                answers::RefactorKind::Inline => CodeActionKind::REFACTOR_INLINE,
                answers::RefactorKind::Rewrite => CodeActionKind::REFACTOR_REWRITE,
            };
            to_proto::edit_action(r.title, kind, &s.root, &r.plan, &s.texts, &s.caps)
        })
        .collect()
}

/// A plan that edits one note.
fn one_note(rel: &str, edits: Vec<answers::Edit>) -> Plan {
    Plan {
        edits: [(rel.into(), edits)].into(),
        ..Plan::default()
    }
}

/// `carnet.addBlockId`: the edit that writes a block's fresh id, planned
/// again from the snapshot as it is now (the note may have changed since
/// the completion that chose the block).
pub fn add_block_id(s: &NoteSnapshot, p: ExecuteCommandParams) -> Result<Option<WorkspaceEdit>> {
    let Some((_, block, id)) = from_proto::add_block_id_args(&p.arguments) else {
        return Err(tower_lsp_server::jsonrpc::Error::invalid_params(
            "carnet.addBlockId takes { uri, start, end, id }",
        ));
    };
    let text_of = |rel: &str| s.texts.text(rel);
    let edit = answers::add_block_id(&s.snapshot, &s.rel, block, &id, &text_of)
        .map_err(to_proto::failed)?;
    Ok(to_proto::plan_edit(
        &s.root,
        &one_note(&s.rel, vec![edit]),
        &s.texts,
        &s.caps,
    ))
}

/// `carnet.unlinkedMentions`: where the note is named in plain text, as
/// the JSON of a `Location[]`, spliced into the response by the transport
/// (a common name has tens of thousands).
pub fn unlinked_mentions(s: &NoteSnapshot, _: ExecuteCommandParams) -> Result<Vec<u8>> {
    Ok(mention_locations(s))
}

/// The unlinked mentions of the snapshot's note, as the JSON of their
/// locations: each note read once and not kept, its positions counted and
/// written on the search's threads while its text is there.
fn mention_locations(s: &NoteSnapshot) -> Vec<u8> {
    let text_of = |rel: &str, len: u64| s.texts.text_once(rel, len);
    let enc = s.encoding();
    let each = |note: &crate::index::Note, text: &str, spans: &[crate::text::Span]| {
        let mut out = Vec::new();
        if let Some(uri) = to_proto::uri(&s.root, &note.path) {
            to_proto::locations_in_text_json(&uri, &note.facts.lines, text, spans, enc, &mut out);
        }
        out
    };
    let found =
        answers::mentions_by_note(&s.snapshot, &s.rel, &text_of, &|| s.cancel.is_set(), &each);
    to_proto::join_locations(found)
}

/// `carnet.openDailyNote`: the daily note of a day (`{ date }`: `today`
/// by default, a name such as `yesterday` or `next monday`, or
/// `YYYY-MM-DD`), created from the vault's template if it does not exist;
/// never over a file. `{ uri }` picks the vault (a note or folder in it).
/// Returns the note's URI; the caller asks the editor to show it.
pub fn open_daily_note(w: &WorkspaceSnapshot, p: ExecuteCommandParams) -> Result<Uri> {
    let arg = p.arguments.first();
    let text = |k: &str| arg.and_then(|a| a.get(k)?.as_str().map(str::to_string));
    let near = text("uri").and_then(|u| from_proto::path_of_str(&u));
    let v = w
        .vaults
        .iter()
        .filter(|v| near.as_ref().is_none_or(|p| p.starts_with(&v.root)))
        .min_by_key(|v| (v.adhoc, std::cmp::Reverse(v.root.as_os_str().len())))
        .ok_or_else(|| to_proto::failed("no vault is open".into()))?;
    let (today, time) = crate::lsp::snapshot::now();
    let wanted = text("date").unwrap_or_else(|| "today".into());
    let date = wanted
        .parse::<jiff::civil::Date>()
        .ok()
        .or_else(|| {
            answers::daily::named_days(&wanted, today)
                .into_iter()
                .find(|d| d.label == wanted.trim().to_lowercase())
                .map(|d| d.date)
        })
        .ok_or_else(|| to_proto::failed(format!("\"{wanted}\" is not a day carnet knows")))?;
    let rel = v.daily.path(date);
    let path = v.root.join(&rel);
    if !vault::occupied(&path) {
        let template = match &v.daily.template {
            Some(t) => {
                let file = v.root.join(format!("{}.md", crate::names::strip_md(t)));
                vault::read_note(&file).unwrap_or_else(|e| {
                    w.world.log.warn(format!(
                        "daily note template {}: {e}; the note starts empty",
                        file.display()
                    ));
                    String::new()
                })
            }
            None => String::new(),
        };
        let title = crate::names::note_stem(&rel);
        let text = answers::daily::render_template(&template, title, date, time);
        vault::create_note(&path, &text).map_err(to_proto::failed)?;
        w.world.log.info(format!("created the daily note {rel}"));
        w.world.send(crate::lsp::world::Job::Disk(path.clone()));
    }
    to_proto::path_uri(&path).ok_or_else(|| to_proto::failed(format!("{rel}: no URI")))
}

pub fn prepare_rename(
    s: &NoteSnapshot,
    p: TextDocumentPositionParams,
) -> Result<Option<PrepareRenameResponse>> {
    let prepared = answers::prepare(&s.snapshot, &s.rel, s.at(p.position), &s.text())
        .map_err(to_proto::request_failed)?;
    Ok(Some(PrepareRenameResponse::RangeWithPlaceholder {
        range: s.range(prepared.span.range()),
        placeholder: prepared.placeholder,
    }))
}

pub fn rename(s: &NoteSnapshot, p: RenameParams) -> Result<Option<WorkspaceEdit>> {
    let at = s.at(p.text_document_position.position);
    let text_of = |rel: &str| s.texts.text(rel);
    let plan = answers::rename(&s.snapshot, &s.rel, at, &p.new_name, &text_of)
        .and_then(|plan| check_moves(s, &plan).map(|()| plan))
        .map_err(|e| {
            s.world.log.info(format!("rename refused: {e}"));
            to_proto::request_failed(e)
        })?;
    let (moved, edited) = (plan.moves.len(), plan.edit_count());
    s.world.log.info(format!(
        "rename: {moved} file(s) moved, {edited} link(s) edited"
    ));
    let moves = plan
        .moves
        .iter()
        .map(|(old, new)| (s.root.join(&**old), s.root.join(new)));
    s.world.expect_moves(moves);
    Ok(to_proto::plan_edit(&s.root, &plan, &s.texts, &s.caps))
}

/// Refuses moves the disk or the client cannot take: a file already there
/// (other than the same file under another case), a path the vault ignores,
/// or a client that cannot rename files.
fn check_moves(s: &NoteSnapshot, plan: &Plan) -> std::result::Result<(), RenameError> {
    if plan.moves.is_empty() {
        return Ok(());
    }
    if !s.caps.moves_files() {
        return Err(RenameError::Invalid(
            "renaming a note renames its file, and this editor does not accept file renames \
             from a language server (its workspace.workspaceEdit.resourceOperations does not list \"rename\")"
                .into(),
        ));
    }
    for (old, new) in &plan.moves {
        let target = s.root.join(new);
        let case_only = || {
            crate::names::fold(old) == crate::names::fold(new)
                && vault::same_file(&s.root.join(&**old), &target)
        };
        if vault::occupied(&target) && !case_only() {
            return Err(RenameError::Exists(format!("{new} already exists")));
        }
        if s.filter.as_ref().is_some_and(|f| !f.includes(&target)) {
            return Err(RenameError::Invalid(format!(
                "{new} is excluded from the vault (carnet.toml or an ignore file): \
                 the note would disappear from it"
            )));
        }
    }
    Ok(())
}

pub fn will_rename_files(
    w: &WorkspaceSnapshot,
    p: RenameFilesParams,
) -> Result<Option<WorkspaceEdit>> {
    // Moves from a rename's answer need nothing more: its edits came with it.
    let files: Vec<(PathBuf, PathBuf)> = p
        .files
        .iter()
        .filter_map(from_proto::file_rename)
        .filter(|(old, new)| !w.world.is_own_move(old, new))
        .collect();
    let mut out = Vec::new();
    for v in &w.vaults {
        let rel = |p: &PathBuf| vault::relative(&v.root, p);
        let moves: Vec<(String, String)> = files
            .iter()
            .filter_map(|(o, n)| Some((rel(o)?, rel(n)?)))
            .collect();
        if moves.is_empty() {
            continue;
        }
        // The editor applies these edits: a closed note whose stat proves
        // its facts current is planned from them, not read.
        let unchanged = |note: &crate::index::Note| {
            let path = v.root.join(&*note.path);
            vault::unchanged(&v.root, note) && w.world.open_buffer(&path).is_none()
        };
        let text_of = |rel: &str| v.texts.text(rel);
        let plan =
            answers::move_files_unread(&v.snapshot, &moves, &text_of, &unchanged).map_err(|e| {
                w.world
                    .log
                    .warn(format!("links not updated for a file rename: {e}"));
                to_proto::request_failed(e)
            })?;
        let edited = plan.edit_count();
        w.world.log.info(format!(
            "files renamed by the editor: {edited} link(s) edited"
        ));
        // The editor moves the files itself.
        let plan = Plan {
            moves: vec![],
            ..plan
        };
        out.extend(to_proto::plan_edit_unread(
            &v.root,
            &plan,
            &v.texts,
            Some(&v.snapshot),
            &w.caps,
        ));
    }
    Ok(to_proto::merge(out))
}

pub fn folding_range(s: &NoteSnapshot, _: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
    let text = s.text();
    let folds = s.with_syntax(&text, |syntax| syntax.folding_ranges(&text));
    Ok(Some(
        folds.into_iter().map(to_proto::folding_range).collect(),
    ))
}

pub fn selection_range(
    s: &NoteSnapshot,
    p: SelectionRangeParams,
) -> Result<Option<Vec<SelectionRange>>> {
    let text = s.text();
    let offsets: Vec<usize> = p.positions.iter().map(|&pos| s.offset(pos)).collect();
    let chains = s.with_syntax(&text, |syntax| syntax.selection_ranges(&text, &offsets));
    let enc = s.encoding();
    Ok(Some(
        chains
            .iter()
            .map(|c| to_proto::selection_range(&s.rope, c, enc))
            .collect(),
    ))
}

/// The tokens of the note, in the protocol's form.
fn tokens(s: &NoteSnapshot) -> Vec<SemanticToken> {
    let found = answers::semantic_tokens(&s.snapshot, &s.rel);
    to_proto::semantic_tokens(&s.text(), &found, s.encoding())
}

pub fn semantic_tokens_full(
    s: &NoteSnapshot,
    p: SemanticTokensParams,
) -> Result<Option<SemanticTokensResult>> {
    let data: Arc<[SemanticToken]> = tokens(s).into();
    let id = s.world.tokens.remember(&p.text_document.uri, data.clone());
    Ok(Some(SemanticTokensResult::Tokens(SemanticTokens {
        result_id: Some(id),
        data: data.to_vec(),
    })))
}

/// Against the result the client names, if it is still kept; else all of them.
pub fn semantic_tokens_full_delta(
    s: &NoteSnapshot,
    p: SemanticTokensDeltaParams,
) -> Result<Option<SemanticTokensFullDeltaResult>> {
    let uri = &p.text_document.uri;
    let data: Arc<[SemanticToken]> = tokens(s).into();
    let previous = s.world.tokens.get(uri, &p.previous_result_id);
    let id = s.world.tokens.remember(uri, data.clone());
    Ok(Some(match previous {
        Some(old) => SemanticTokensFullDeltaResult::TokensDelta(to_proto::semantic_tokens_delta(
            &old, &data, id,
        )),
        None => SemanticTokensFullDeltaResult::Tokens(SemanticTokens {
            result_id: Some(id),
            data: data.to_vec(),
        }),
    }))
}

pub fn semantic_tokens_range(
    s: &NoteSnapshot,
    p: SemanticTokensRangeParams,
) -> Result<Option<SemanticTokensRangeResult>> {
    let range = from_proto::span(&s.rope, p.range, s.encoding());
    let mut found = answers::semantic_tokens(&s.snapshot, &s.rel);
    found.retain(|t| t.span.start < range.end && range.start < t.span.end);
    let data = to_proto::semantic_tokens(&s.text(), &found, s.encoding());
    Ok(Some(SemanticTokensRangeResult::Tokens(SemanticTokens {
        result_id: None,
        data,
    })))
}

/// The backlink lenses, and on the title, before its backlink lens, an
/// unlinked-mentions lens left for `codeLens/resolve` to count when some
/// note may mention this one (read from the word filters, no text read).
pub fn code_lens(s: &NoteSnapshot, p: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
    let Some(note) = s.snapshot.note(&s.rel) else {
        return Ok(None);
    };
    let pos = s.positions();
    let uri = &p.text_document.uri;
    let mut out = Vec::new();
    for l in answers::lenses(&s.snapshot, &s.rel) {
        let counted = answers::Counted::of(&l, &note.facts);
        let range = pos.range(&s.rel, l.span);
        if counted == answers::Counted::Note && answers::may_be_mentioned(&s.snapshot, &s.rel) {
            out.push(to_proto::mentions_lens(uri, range));
        }
        out.push(to_proto::code_lens(uri, range, &l, &counted));
    }
    Ok(Some(out))
}

/// `codeLens/resolve`: counts an unlinked-mentions lens's mentions (the
/// only lens sent unresolved). With none, the lens stays without a command,
/// which editors draw as nothing.
pub fn code_lens_resolve(s: &NoteSnapshot, lens: CodeLens) -> Result<CodeLens> {
    let text_of = |rel: &str, len: u64| s.texts.text_once(rel, len);
    let count =
        answers::count_unlinked_mentions(&s.snapshot, &s.rel, &text_of, &|| s.cancel.is_set());
    Ok(to_proto::resolved_mentions_lens(lens, count))
}

/// `carnet/backlinks`: what a lens counts, as the JSON of its locations
/// (spliced like references).
pub fn backlinks(s: &NoteSnapshot, p: BacklinksParams) -> Result<Vec<u8>> {
    if from_proto::wants_mentions(&p.target) {
        return Ok(mention_locations(s));
    }
    let counted = from_proto::counted(&p.target);
    let found = answers::backlinks_of(&s.snapshot, &s.rel, &counted);
    Ok(to_proto::locations_json(
        &s.root,
        &s.positions(),
        &found,
        &s.cancel,
    ))
}

pub fn inlay_hint(s: &NoteSnapshot, p: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
    let range = from_proto::span(&s.rope, p.range, s.encoding());
    let text_of = |rel: &str| s.texts.text(rel);
    let hints = answers::inlay_hints(&s.snapshot, &s.rel, range, s.previews, &text_of);
    let pos = s.positions();
    let hints = hints
        .into_iter()
        .map(|h| to_proto::inlay_hint(pos.position(&s.rel, h.at), h));
    Ok(Some(hints.collect()))
}

pub fn document_highlight(
    s: &NoteSnapshot,
    p: DocumentHighlightParams,
) -> Result<Option<Vec<DocumentHighlight>>> {
    let at = s.at(p.text_document_position_params.position);
    let pos = s.positions();
    let found = answers::highlights(&s.snapshot, &s.rel, at);
    Ok(Some(
        found
            .iter()
            .map(|h| to_proto::document_highlight(pos.range(&s.rel, h.span), h))
            .collect(),
    ))
}

/// `carnet/graph`: the graph of the vault the request names, or the part of
/// it the parameters keep.
pub fn graph(w: &WorkspaceSnapshot, p: GraphParams) -> Result<Value> {
    let Some((v, center)) = vault_asked(w, p.text_document.as_ref(), p.root.as_ref())? else {
        return Ok(to_proto::graph(None, &Default::default(), None, p.edges));
    };
    let options = from_proto::graph_options(&p, center.as_deref());
    let g = w.world.graph(&v.root, &v.snapshot).select(&options);
    Ok(to_proto::graph(
        Some(&v.root),
        &g,
        center.as_deref(),
        p.edges,
    ))
}

/// `workspace/executeCommand`: the `carnet.report.*` lists, as locations.
pub fn execute_command(w: &WorkspaceSnapshot, p: ExecuteCommandParams) -> Result<Option<Value>> {
    let (list, args) = from_proto::report_command(p)?;
    let Some((v, _)) = vault_asked(w, args.text_document.as_ref(), args.root.as_ref())? else {
        return Ok(to_proto::command_locations(vec![]));
    };
    let full = w.world.graph(&v.root, &v.snapshot);
    let r = report::report_of(&v.snapshot, &full, args.limit.unwrap_or(0));
    let found = report::locations(&v.snapshot, &r, list);
    let pos = w.positions(v);
    let located = to_proto::locations(&v.root, &pos, &found, &w.cancel);
    Ok(to_proto::command_locations(located))
}

/// The vault a graph or report request names — the one holding its note
/// (with that note's vault-relative path), else the one at its folder,
/// else the first workspace folder's — or `None` when there is no such vault.
fn vault_asked<'w>(
    w: &'w WorkspaceSnapshot,
    note: Option<&TextDocumentIdentifier>,
    root: Option<&Uri>,
) -> Result<Option<(&'w VaultView, Option<String>)>> {
    if let Some(doc) = note {
        let found = from_proto::path(&doc.uri).and_then(|path| w.vault_of(&path));
        let (v, rel) = found.ok_or_else(|| to_proto::not_a_note(&doc.uri))?;
        return Ok(Some((v, Some(rel))));
    }
    let root = root.map(from_proto::folder).transpose()?;
    let named = w
        .vaults
        .iter()
        .filter(|v| root.as_ref().is_none_or(|r| *r == v.root));
    // The first workspace folder before a stray note's folder.
    Ok(named.min_by_key(|v| v.adhoc).map(|v| (v, None)))
}
