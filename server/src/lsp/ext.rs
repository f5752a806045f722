//! carnet's own additions to the protocol: the `carnet/graph` request and
//! the `carnet.report.*` commands (docs/server.md#graph-and-report). Only
//! their wire shapes live here; handlers turn them into domain queries
//! through [`from_proto`](super::from_proto).

use serde::Deserialize;
use tower_lsp_server::ls_types::{TextDocumentIdentifier, Uri};

use crate::graph::report::List;

/// The request's method name.
pub const GRAPH: &str = "carnet/graph";

/// The commands `workspace/executeCommand` runs, each answering `Location[]`.
pub const REPORT_COMMANDS: [(&str, List); 5] = [
    ("carnet.report.orphans", List::Orphans),
    ("carnet.report.deadEnds", List::DeadEnds),
    ("carnet.report.wanted", List::Wanted),
    ("carnet.report.hubs", List::Hubs),
    ("carnet.report.tags", List::Tags),
];

/// `carnet/graph`'s parameters, all optional.
#[derive(Deserialize, Default, Debug)]
#[serde(rename_all = "camelCase", default)]
pub struct GraphParams {
    /// The note whose vault (and, with `depth`, whose neighbourhood) to draw.
    pub text_document: Option<TextDocumentIdentifier>,
    /// The vault folder, when no note is given (default: the first folder).
    pub root: Option<Uri>,
    /// With `textDocument`: only notes at most this many links away.
    pub depth: Option<u32>,
    pub tags: Vec<String>,
    pub folders: Vec<String>,
    pub include_unresolved: bool,
    pub edges: EdgeForm,
}

/// How `carnet/graph` writes edges.
#[derive(Deserialize, Default, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum EdgeForm {
    /// As `carnet graph` writes them: by node path, kind and subpath.
    #[default]
    Full,
    /// `[source, target, links]` node indexes, one per linked pair: what a
    /// drawing needs, a fraction of the size.
    Pairs,
}

/// A report command's one optional argument.
#[derive(Deserialize, Default, Debug)]
#[serde(rename_all = "camelCase", default)]
pub struct ReportArgs {
    /// A note of the vault to report on.
    pub text_document: Option<TextDocumentIdentifier>,
    /// Else the vault's folder (default: the first).
    pub root: Option<Uri>,
    /// Cap on wanted notes and hubs (default: none).
    pub limit: Option<usize>,
}
