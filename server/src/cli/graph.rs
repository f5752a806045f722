//! `carnet graph [PATH]`: the vault's link graph as JSON, DOT or GraphML.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use carnet::graph::{self, Options, export};
use carnet::index::{NotePath, Snapshot};

pub const USAGE: &str = "\
Usage: carnet graph [--format json|dot|graphml] [--from NOTE [--depth N]]
                    [--tag TAG]... [--folder FOLDER]... [--include-unresolved] [PATH]

The link graph of the vault at PATH (default: the current folder): notes as
nodes, links between notes as edges. --from keeps the notes at most N links
away from NOTE (a file, a vault-relative path or a name as in [[NOTE]]; N is
1 by default), following links either way. --tag and --folder keep the notes
with one of the tags (nested tags too) or under one of the folders.
--include-unresolved adds the missing notes that links want. See docs/graph.md.";

#[derive(Clone, Copy)]
enum Format {
    Json,
    Dot,
    Graphml,
}

/// Parses the arguments after `graph`, then writes the graph.
pub fn run(mut parser: lexopt::Parser) -> Result<ExitCode, String> {
    use lexopt::prelude::*;
    let mut format = Format::Json;
    let mut from: Option<String> = None;
    let mut depth: Option<u32> = None;
    let mut options = Options::default();
    let mut paths = Vec::new();
    let bad = |e: lexopt::Error| format!("{e}\n\n{USAGE}");
    while let Some(arg) = parser.next().map_err(bad)? {
        match arg {
            Short('h') | Long("help") => {
                super::print(&format!("{USAGE}\n"));
                return Ok(ExitCode::SUCCESS);
            }
            Long("format") => {
                format = match parser.value().map_err(bad)?.to_str() {
                    Some("json") => Format::Json,
                    Some("dot") => Format::Dot,
                    Some("graphml") => Format::Graphml,
                    _ => return Err(format!("--format takes json, dot or graphml\n\n{USAGE}")),
                }
            }
            Long("from") => from = Some(string(parser.value().map_err(bad)?)?),
            Long("depth") => {
                let value = string(parser.value().map_err(bad)?)?;
                depth = Some(
                    value
                        .parse()
                        .map_err(|_| format!("--depth takes a number, not {value:?}"))?,
                );
            }
            Long("tag") => options.tags.push(string(parser.value().map_err(bad)?)?),
            Long("folder") => options.folders.push(string(parser.value().map_err(bad)?)?),
            Long("include-unresolved") => options.include_unresolved = true,
            Value(v) => paths.push(PathBuf::from(v)),
            other => return Err(bad(other.unexpected())),
        }
    }
    if depth.is_some() && from.is_none() {
        return Err(format!("--depth needs --from\n\n{USAGE}"));
    }
    let root = super::one_root(paths, USAGE)?;
    let vault = super::load(&root)?;
    if let Some(name) = from {
        options.from = Some(
            note_for(&vault.snapshot, &vault.root, &name)
                .ok_or_else(|| format!("no note {name:?} in {}", root.display()))?,
        );
        options.depth = depth.unwrap_or(1);
    }
    let g = graph::graph(&vault.snapshot, &options);
    let mut text = match format {
        Format::Json => export::json(&g),
        Format::Dot => export::dot(&g),
        Format::Graphml => export::graphml(&g),
    };
    if !text.ends_with('\n') {
        text.push('\n');
    }
    super::print(&text);
    // The process ends here: freeing every fact one by one would only cost time.
    std::mem::forget(vault);
    Ok(ExitCode::SUCCESS)
}

fn string(v: std::ffi::OsString) -> Result<String, String> {
    v.into_string()
        .map_err(|v| format!("not valid UTF-8: {}", v.to_string_lossy()))
}

/// `--from`: a file on disk (as a shell completes it, `%` in Vim), else
/// what [`graph::find_note`] understands.
fn note_for(snap: &Snapshot, root: &Path, name: &str) -> Option<NotePath> {
    if let Some(rel) = carnet::vault::relative_file(root, Path::new(name))
        && let Some(note) = snap.note(&rel)
    {
        return Some(note.path.clone());
    }
    graph::find_note(snap, name)
}
