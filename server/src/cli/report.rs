//! `carnet report [PATH]`: orphans, dead ends, wanted notes, hubs and tags.

use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use carnet::graph::report::{Report, report};
use carnet::index::Snapshot;
use serde_json::json;

use super::display_path;

pub const USAGE: &str = "\
Usage: carnet report [--format text|json] [--limit N] [PATH]

What the link graph of the vault at PATH (default: the current folder) hides:
orphans (notes no other note links to), dead ends (notes that link to no
other note), wanted notes (missing notes, by how many links want them), hubs
(notes with the most backlinks) and tag usage. --limit caps the wanted notes
and hubs (default 20; 0 for all). See docs/graph.md.";

/// Parses the arguments after `report`, then reports.
pub fn run(mut parser: lexopt::Parser) -> Result<ExitCode, String> {
    use lexopt::prelude::*;
    let mut json_out = false;
    let mut limit = 20;
    let mut paths = Vec::new();
    let bad = |e: lexopt::Error| format!("{e}\n\n{USAGE}");
    while let Some(arg) = parser.next().map_err(bad)? {
        match arg {
            Short('h') | Long("help") => {
                super::print(&format!("{USAGE}\n"));
                return Ok(ExitCode::SUCCESS);
            }
            Long("format") => {
                json_out = match parser.value().map_err(bad)?.to_str() {
                    Some("text") => false,
                    Some("json") => true,
                    _ => return Err(format!("--format takes text or json\n\n{USAGE}")),
                }
            }
            Long("limit") => {
                let value = parser.value().map_err(bad)?;
                limit = value
                    .to_str()
                    .and_then(|v| v.parse().ok())
                    .ok_or_else(|| format!("--limit takes a number\n\n{USAGE}"))?;
            }
            Value(v) => paths.push(PathBuf::from(v)),
            other => return Err(bad(other.unexpected())),
        }
    }
    let root = super::one_root(paths, USAGE)?;
    let vault = super::load(&root)?;
    let r = report(&vault.snapshot, limit);
    let text = if json_out {
        as_json(&vault.snapshot, &r) + "\n"
    } else {
        as_text(&vault.snapshot, &root, &r)
    };
    super::print(&text);
    std::mem::forget(vault);
    Ok(ExitCode::SUCCESS)
}

fn title<'a>(snap: &'a Snapshot, path: &'a str) -> &'a str {
    snap.note(path)
        .and_then(|n| n.facts.title.as_deref())
        .unwrap_or_else(|| carnet::names::note_stem(path))
}

/// 1-based line and column (bytes) of a link, as `carnet check` prints them.
fn line_col(snap: &Snapshot, path: &str, span: carnet::text::Span) -> (u32, u32) {
    snap.note(path)
        .map(|n| n.facts.lines.line_col(span.start))
        .map_or((1, 1), |(l, c)| (l + 1, c + 1))
}

fn as_json(snap: &Snapshot, r: &Report) -> String {
    let notes = |list: &[carnet::index::NotePath]| {
        list.iter()
            .map(|p| json!({"path": &**p, "title": title(snap, p)}))
            .collect::<Vec<_>>()
    };
    json!({
        "notes": r.notes,
        "orphans": notes(&r.orphans),
        "dead_ends": notes(&r.dead_ends),
        "wanted": r.wanted.iter().map(|w| json!({
            "path": &*w.path,
            "links": w.links.len(),
            "notes": w.notes,
            "sources": w.links.iter().map(|(p, span)| {
                let (line, column) = line_col(snap, p, *span);
                json!({"path": &**p, "line": line, "column": column})
            }).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "hubs": r.hubs.iter().map(|h| json!({
            "path": &*h.path,
            "title": title(snap, &h.path),
            "backlinks": h.backlinks,
            "outgoing": h.outgoing,
        })).collect::<Vec<_>>(),
        "tags": r.tags.iter().map(|t| json!({
            "tag": t.tag.as_str(),
            "uses": t.uses,
            "notes": t.notes,
            "spellings": t.spellings.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
    .to_string()
}

fn as_text(snap: &Snapshot, root: &Path, r: &Report) -> String {
    let mut out = String::new();
    let show = |p: &str| display_path(root, p);
    let _ = writeln!(out, "{} notes\n", r.notes);
    let _ = writeln!(
        out,
        "Orphans: {} notes no other note links to",
        r.orphans.len()
    );
    for p in &r.orphans {
        let _ = writeln!(out, "  {}", show(p));
    }
    let _ = writeln!(
        out,
        "\nDead ends: {} notes that link to no other note",
        r.dead_ends.len()
    );
    for p in &r.dead_ends {
        let _ = writeln!(out, "  {}", show(p));
    }
    let _ = writeln!(out, "\nWanted: missing notes, by the links that want them");
    for w in &r.wanted {
        let from = w
            .links
            .iter()
            .map(|(p, span)| {
                let (line, col) = line_col(snap, p, *span);
                format!("{}:{line}:{col}", show(p))
            })
            .collect::<Vec<_>>()
            .join(", ");
        let _ = writeln!(
            out,
            "  {:>5} {}  {} (from {} {}: {from})",
            w.links.len(),
            if w.links.len() == 1 { "link " } else { "links" },
            w.path,
            w.notes,
            if w.notes == 1 { "note" } else { "notes" },
        );
    }
    let _ = writeln!(out, "\nHubs: notes with the most backlinks");
    for h in &r.hubs {
        let _ = writeln!(
            out,
            "  {:>5} in {:>5} out  {}",
            h.backlinks,
            h.outgoing,
            show(&h.path)
        );
    }
    let _ = writeln!(out, "\nTags: {} tags, by uses", r.tags.len());
    for t in &r.tags {
        let others: Vec<String> = t.spellings[1..]
            .iter()
            .map(|s| format!("#{}", s.as_str()))
            .collect();
        let also = if others.is_empty() {
            String::new()
        } else {
            format!(" (also {})", others.join(", "))
        };
        let _ = writeln!(
            out,
            "  {:>5} {} in {:>5} {}  #{}{also}",
            t.uses,
            if t.uses == 1 { "use " } else { "uses" },
            t.notes,
            if t.notes == 1 { "note " } else { "notes" },
            t.tag.as_str()
        );
    }
    out
}
