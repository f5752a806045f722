//! What the server offers and what the client said it can take.
//!
//! [`ClientCaps`] is the one typed view of the client's `initialize`
//! capabilities: handlers ask it ("does the client take location links?")
//! instead of digging through the protocol's nested options. A feature that
//! the client must support is advertised only when [`ClientCaps`] says so.

use tower_lsp_server::ls_types::*;

/// The negotiated position encoding: UTF-8 when the client offers it, else
/// UTF-16 (the protocol's default, and all VS Code speaks).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Encoding {
    Utf8,
    #[default]
    Utf16,
}

/// What the client told us it can do, at `initialize`.
#[derive(Default, Debug, Clone)]
pub struct ClientCaps {
    pub encoding: Encoding,
    /// `definition` may answer with `LocationLink`s.
    pub location_links: bool,
    /// The client watches files for us when we register the watcher.
    pub watched_files_dynamic: bool,
    pub work_done_progress: bool,
    /// `documentSymbol` may answer with a tree.
    pub hierarchical_symbols: bool,
    /// The client pulls diagnostics (`textDocument/diagnostic`); else we push.
    pub pull_diagnostics: bool,
    pub diagnostic_refresh: bool,
    /// WorkspaceEdit `documentChanges`, and whether they may create or rename files.
    pub document_changes: bool,
    pub create_files: bool,
    pub rename_files: bool,
    /// The client answers `workspace/configuration`.
    pub configuration: bool,
    /// The client asks for semantic tokens, code lenses, inlay hints and
    /// document highlights, and takes a refresh request for the first three.
    pub semantic_tokens: bool,
    pub semantic_tokens_refresh: bool,
    pub code_lens: bool,
    pub code_lens_refresh: bool,
    pub inlay_hints: bool,
    pub inlay_hint_refresh: bool,
    pub document_highlight: bool,
    /// The client opens documents the server asks it to show.
    pub show_document: bool,
    /// The client applies edits the server sends (`workspace/applyEdit`).
    pub apply_edit: bool,
}

impl ClientCaps {
    pub fn new(caps: &ClientCapabilities) -> ClientCaps {
        let td = caps.text_document.as_ref();
        let ws = caps.workspace.as_ref();
        let edit = ws.and_then(|w| w.workspace_edit.as_ref());
        let resource_ops = edit.and_then(|e| e.resource_operations.as_deref());
        let utf8 = caps
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_ref())
            .is_some_and(|e| e.contains(&PositionEncodingKind::UTF8));
        ClientCaps {
            encoding: if utf8 {
                Encoding::Utf8
            } else {
                Encoding::Utf16
            },
            location_links: td
                .and_then(|t| t.definition.as_ref())
                .and_then(|d| d.link_support)
                .unwrap_or(false),
            watched_files_dynamic: ws
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|d| d.dynamic_registration)
                .unwrap_or(false),
            work_done_progress: caps
                .window
                .as_ref()
                .and_then(|w| w.work_done_progress)
                .unwrap_or(false),
            hierarchical_symbols: td
                .and_then(|t| t.document_symbol.as_ref())
                .and_then(|d| d.hierarchical_document_symbol_support)
                .unwrap_or(false),
            pull_diagnostics: td.and_then(|t| t.diagnostic.as_ref()).is_some(),
            diagnostic_refresh: ws
                .and_then(|w| w.diagnostics.as_ref())
                .and_then(|d| d.refresh_support)
                .unwrap_or(false),
            configuration: ws.and_then(|w| w.configuration).unwrap_or(false),
            semantic_tokens: td.and_then(|t| t.semantic_tokens.as_ref()).is_some(),
            semantic_tokens_refresh: ws
                .and_then(|w| w.semantic_tokens.as_ref())
                .and_then(|s| s.refresh_support)
                .unwrap_or(false),
            code_lens: td.and_then(|t| t.code_lens.as_ref()).is_some(),
            code_lens_refresh: ws
                .and_then(|w| w.code_lens.as_ref())
                .and_then(|c| c.refresh_support)
                .unwrap_or(false),
            inlay_hints: td.and_then(|t| t.inlay_hint.as_ref()).is_some(),
            inlay_hint_refresh: ws
                .and_then(|w| w.inlay_hint.as_ref())
                .and_then(|i| i.refresh_support)
                .unwrap_or(false),
            document_highlight: td.and_then(|t| t.document_highlight.as_ref()).is_some(),
            show_document: caps
                .window
                .as_ref()
                .and_then(|w| w.show_document.as_ref())
                .is_some_and(|s| s.support),
            apply_edit: ws.and_then(|w| w.apply_edit).unwrap_or(false),
            // Resource operations exist only inside `documentChanges`, so a
            // client listing any (Neovim, which omits `documentChanges`)
            // applies them.
            document_changes: edit.is_some_and(|e| e.document_changes == Some(true))
                || resource_ops.is_some_and(|o| !o.is_empty()),
            create_files: resource_ops.is_some_and(|o| o.contains(&ResourceOperationKind::Create)),
            rename_files: resource_ops.is_some_and(|o| o.contains(&ResourceOperationKind::Rename)),
        }
    }

    /// Whether a rename may move files: only inside `documentChanges`.
    pub fn moves_files(&self) -> bool {
        self.document_changes && self.rename_files
    }

    /// Whether a fix may create a file.
    pub fn creates_files(&self) -> bool {
        self.document_changes && self.create_files
    }
}

/// Every file and folder: notes, attachments, and folders holding them.
fn file_filters() -> FileOperationRegistrationOptions {
    FileOperationRegistrationOptions {
        filters: vec![FileOperationFilter {
            scheme: Some("file".into()),
            pattern: FileOperationPattern {
                glob: "**/*".into(),
                matches: None,
                options: None,
            },
        }],
    }
}

/// The semantic token legend: a standard type for each token kind and a
/// modifier for each bit, in the order of `TokenKind::ALL` and
/// `Modifier::ALL` (a token's type is its index there, its modifiers its bits).
pub fn legend() -> SemanticTokensLegend {
    use crate::answers::{Modifier, TokenKind};
    let token_types = TokenKind::ALL
        .iter()
        .map(|k| match k {
            TokenKind::Note => SemanticTokenType::CLASS,
            TokenKind::Attachment => SemanticTokenType::STRING,
            TokenKind::Heading => SemanticTokenType::PROPERTY,
            TokenKind::Block => SemanticTokenType::ENUM_MEMBER,
            TokenKind::Tag => SemanticTokenType::DECORATOR,
            TokenKind::Key => SemanticTokenType::KEYWORD,
        })
        .collect();
    let token_modifiers = Modifier::ALL
        .iter()
        .map(|m| match m {
            Modifier::Declaration => SemanticTokenModifier::DECLARATION,
            Modifier::Unresolved => SemanticTokenModifier::new("unresolved"),
            Modifier::Ambiguous => SemanticTokenModifier::new("ambiguous"),
            Modifier::Embed => SemanticTokenModifier::new("embed"),
        })
        .collect();
    SemanticTokensLegend {
        token_types,
        token_modifiers,
    }
}

/// The commands the server runs (`workspace/executeCommand`).
pub mod command {
    /// Writes the fresh `^id` of a block chosen by `[[^^` completion into
    /// its note: `{ uri, start, end, id }` (the block's byte range).
    pub const ADD_BLOCK_ID: &str = "carnet.addBlockId";
    /// The unlinked mentions of a note, as locations: `{ uri }`.
    pub const UNLINKED_MENTIONS: &str = "carnet.unlinkedMentions";
    /// Opens (creating it if needed) the daily note of a day: `{ date, uri }`.
    pub const OPEN_DAILY_NOTE: &str = "carnet.openDailyNote";
    pub const ALL: [&str; 3] = [ADD_BLOCK_ID, UNLINKED_MENTIONS, OPEN_DAILY_NOTE];
}

/// The characters after which editors ask for completion.
const COMPLETION_TRIGGERS: [&str; 6] = ["[", "#", "(", "^", "|", "/"];

pub fn server_capabilities(client: &ClientCaps) -> ServerCapabilities {
    ServerCapabilities {
        diagnostic_provider: client.pull_diagnostics.then(|| {
            DiagnosticServerCapabilities::Options(DiagnosticOptions {
                identifier: Some("carnet".into()),
                inter_file_dependencies: true,
                workspace_diagnostics: true,
                work_done_progress_options: Default::default(),
            })
        }),
        position_encoding: Some(match client.encoding {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(TextDocumentSyncSaveOptions::Supported(false)),
                ..Default::default()
            },
        )),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        workspace_symbol_provider: Some(OneOf::Left(true)),
        document_link_provider: Some(DocumentLinkOptions {
            resolve_provider: Some(false),
            work_done_progress_options: Default::default(),
        }),
        folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(COMPLETION_TRIGGERS.map(String::from).to_vec()),
            resolve_provider: Some(true),
            ..Default::default()
        }),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![
                CodeActionKind::QUICKFIX,
                CodeActionKind::REFACTOR_EXTRACT,
                CodeActionKind::REFACTOR_INLINE,
                CodeActionKind::REFACTOR_REWRITE,
            ]),
            work_done_progress_options: Default::default(),
            resolve_provider: Some(false),
        })),
        selection_range_provider: Some(SelectionRangeProviderCapability::Simple(true)),
        semantic_tokens_provider: client.semantic_tokens.then(|| {
            SemanticTokensServerCapabilities::SemanticTokensOptions(SemanticTokensOptions {
                legend: legend(),
                range: Some(true),
                full: Some(SemanticTokensFullOptions::Delta { delta: Some(true) }),
                work_done_progress_options: Default::default(),
            })
        }),
        code_lens_provider: client.code_lens.then_some(CodeLensOptions {
            // Unlinked mentions are counted only for the lenses shown.
            resolve_provider: Some(true),
        }),
        inlay_hint_provider: client.inlay_hints.then_some(OneOf::Left(true)),
        document_highlight_provider: client.document_highlight.then_some(OneOf::Left(true)),
        workspace: Some(WorkspaceServerCapabilities {
            workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                supported: Some(true),
                change_notifications: Some(OneOf::Left(true)),
            }),
            file_operations: Some(WorkspaceFileOperationsServerCapabilities {
                will_rename: Some(file_filters()),
                did_rename: Some(file_filters()),
                ..Default::default()
            }),
        }),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        execute_command_provider: Some(ExecuteCommandOptions {
            commands: command::ALL
                .into_iter()
                .chain(super::ext::REPORT_COMMANDS.iter().map(|(name, _)| *name))
                .map(String::from)
                .collect(),
            work_done_progress_options: Default::default(),
        }),
        ..Default::default()
    }
}
