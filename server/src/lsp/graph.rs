//! `carnet/graph` and the report commands: the [`graph`](crate::graph)
//! module's answers over LSP (documented in docs/server.md).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::Deserialize;
use serde_json::{Value, json};
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;

use super::convert::{Positions, path_to_uri, uri_to_path};
use super::{Backend, blocking, cancellable, locations, texts};
use crate::answers;
use crate::graph::{Full, Options, export, report};
use crate::index::Snapshot;

/// The commands `workspace/executeCommand` runs; each answers `Location[]`.
pub const COMMANDS: &[&str] = &[
    "carnet.report.orphans",
    "carnet.report.deadEnds",
    "carnet.report.wanted",
    "carnet.report.hubs",
    "carnet.report.tags",
];

/// The last graph built for each vault: following the active editor asks
/// about the same snapshot again and again, and resolving every link of a
/// large vault is the costly part.
#[derive(Default)]
pub struct Cache(Mutex<Vec<(PathBuf, Snapshot, Arc<Full>)>>);

impl Cache {
    fn full(&self, root: &Path, snap: &Snapshot) -> Arc<Full> {
        let lock = || self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, _, full)) = lock().iter().find(|(r, s, _)| r == root && s.same_as(snap)) {
            return full.clone();
        }
        let full = Arc::new(Full::build(snap));
        let mut cache = lock();
        cache.retain(|(r, _, _)| r != root);
        cache.push((root.to_path_buf(), snap.clone(), full.clone()));
        full
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct GraphParams {
    /// The note whose vault (and, with `depth`, whose neighbourhood) to draw.
    text_document: Option<TextDocumentIdentifier>,
    /// The vault folder, when no note is given (default: the first folder).
    root: Option<Uri>,
    /// With `textDocument`: only notes at most this many links away.
    depth: Option<u32>,
    tags: Vec<String>,
    folders: Vec<String>,
    include_unresolved: bool,
    /// `"pairs"`: edges as `[source, target, links]` node indexes, one per
    /// linked pair (what a drawing needs, a fraction of the size).
    edges: Option<String>,
}

/// Arguments of a report command: `[{"root": uri, "limit": n}]`, all optional.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct CommandArgs {
    root: Option<Uri>,
    text_document: Option<TextDocumentIdentifier>,
    limit: Option<usize>,
}

impl Backend {
    /// The vault a request names (by one of its notes or by its folder),
    /// else the first; `None` before any folder is open.
    async fn vault_for(
        &self,
        doc: Option<&TextDocumentIdentifier>,
        root: Option<&Uri>,
    ) -> Result<Option<(PathBuf, Snapshot, Option<String>)>> {
        if let Some(doc) = doc {
            let ctx = self.context(&doc.uri).await?;
            return Ok(Some((ctx.root, ctx.snapshot, Some(ctx.rel))));
        }
        let vaults = self.world.all_vaults().await;
        let wanted = root.map(|r| {
            uri_to_path(r).ok_or_else(|| Error::invalid_params("root is not a file: URI"))
        });
        let wanted = wanted.transpose()?;
        Ok(vaults
            .into_iter()
            .find(|(path, _)| wanted.as_ref().is_none_or(|w| w == path))
            .map(|(path, snap)| (path, snap, None)))
    }

    /// `carnet/graph`: the graph's JSON (see docs/graph.md) plus `rootUri`
    /// (node paths are relative to it) and `center` (the note asked about).
    pub(super) async fn graph(&self, params: GraphParams) -> Result<Value> {
        let Some((root, snap, rel)) = self
            .vault_for(params.text_document.as_ref(), params.root.as_ref())
            .await?
        else {
            return Ok(json!({"rootUri": null, "center": null, "nodes": [], "edges": []}));
        };
        let root_uri = path_to_uri(&root).map(|u| u.as_str().to_string());
        let cache = self.graphs.clone();
        blocking(&self.world, move || {
            let options = Options {
                from: params
                    .depth
                    .and(rel.as_deref())
                    .map(|r| snap.note(r).map_or_else(|| r.into(), |n| n.path.clone())),
                depth: params.depth.unwrap_or(0),
                tags: params.tags,
                folders: params.folders,
                include_unresolved: params.include_unresolved,
            };
            let g = cache.full(&root, &snap).select(&options);
            let mut out = match params.edges.as_deref() {
                Some("pairs") => serde_json::to_value(export::Pairs::new(&g)),
                _ => serde_json::to_value(export::Json::new(&g)),
            }
            .unwrap_or_default();
            out["rootUri"] = json!(root_uri);
            out["center"] = json!(rel);
            out
        })
        .await
    }

    /// `workspace/executeCommand` for [`COMMANDS`].
    pub(super) async fn report_command(
        &self,
        params: ExecuteCommandParams,
    ) -> Result<Option<Value>> {
        let command = params.command.as_str();
        if !COMMANDS.contains(&command) {
            return Err(Error::invalid_params(format!("unknown command {command}")));
        }
        let args: CommandArgs = match params.arguments.into_iter().next() {
            Some(v) => serde_json::from_value(v)
                .map_err(|e| Error::invalid_params(format!("{command}: {e}")))?,
            None => CommandArgs::default(),
        };
        let Some((root, snap, _)) = self
            .vault_for(args.text_document.as_ref(), args.root.as_ref())
            .await?
        else {
            return Ok(Some(json!([])));
        };
        let text_of = texts(&self.world, &root);
        let enc = self.world.encoding();
        let command = command.to_string();
        let cache = self.graphs.clone();
        cancellable(&self.world, "report command", move |cancel| {
            let full = cache.full(&root, &snap);
            let r = report::report_of(&snap, &full, args.limit.unwrap_or(0));
            let whole = |p: &crate::index::NotePath| answers::Location {
                path: p.clone(),
                span: Default::default(),
            };
            let found: Vec<answers::Location> = match command.as_str() {
                "carnet.report.orphans" => r.orphans.iter().map(whole).collect(),
                "carnet.report.deadEnds" => r.dead_ends.iter().map(whole).collect(),
                "carnet.report.hubs" => r.hubs.iter().map(|h| whole(&h.path)).collect(),
                "carnet.report.wanted" => r
                    .wanted
                    .iter()
                    .flat_map(|w| &w.links)
                    .map(|(path, span)| answers::Location {
                        path: path.clone(),
                        span: *span,
                    })
                    .collect(),
                // Each tag's own uses (nested tags are tags of their own here).
                _ => r
                    .tags
                    .iter()
                    .flat_map(|t| &t.spellings)
                    .flat_map(|&s| {
                        let notes = snap.taggers_of(s.as_str()).iter();
                        notes.filter_map(|p| snap.note(p)).flat_map(move |n| {
                            n.facts.tags.iter().filter(move |t| t.name == s).map(|t| {
                                answers::Location {
                                    path: n.path.clone(),
                                    span: t.span,
                                }
                            })
                        })
                    })
                    .collect(),
            };
            let pos = Positions::new(enc, &snap, &text_of);
            Some(json!(locations(&root, &pos, &found, cancel)))
        })
        .await
    }
}
