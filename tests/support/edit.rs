//! Applies a `WorkspaceEdit` to the disk exactly as a strict editor would:
//! positions in the negotiated encoding, lines broken on `\n`, `\r\n` and
//! `\r`, edits within a document non-overlapping, and file renames that
//! never overwrite. Anything a real client would reject is an `Err`.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::lsp::{offset, path_of};

/// What was changed: per file (by its path before any rename), the byte
/// ranges of its old text that were replaced, and the renames made.
#[derive(Debug, Default)]
pub struct Applied {
    pub edited: BTreeMap<PathBuf, Vec<(usize, usize, String)>>,
    pub renamed: Vec<(PathBuf, PathBuf)>,
    pub created: Vec<PathBuf>,
}

fn range_of(text: &str, range: &Value, utf8: bool) -> Result<(usize, usize), String> {
    let pos = |p: &Value| {
        offset(
            text,
            p["line"].as_u64().ok_or("no line")?,
            p["character"].as_u64().ok_or("no character")?,
            utf8,
        )
    };
    let (a, b) = (pos(&range["start"])?, pos(&range["end"])?);
    if a > b {
        return Err(format!("range ends before it starts: {range}"));
    }
    Ok((a, b))
}

fn apply_text_edits(
    path: &Path,
    edits: &[Value],
    utf8: bool,
    applied: &mut Applied,
) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut ranges = Vec::new();
    for e in edits {
        let (a, b) = range_of(&text, &e["range"], utf8)?;
        ranges.push((a, b, e["newText"].as_str().ok_or("no newText")?.to_string()));
    }
    ranges.sort_by_key(|r| (r.0, r.1));
    for w in ranges.windows(2) {
        if w[0].1 > w[1].0 {
            return Err(format!("overlapping edits in {}", path.display()));
        }
    }
    let mut out = text.clone();
    for (a, b, new) in ranges.iter().rev() {
        out.replace_range(*a..*b, new);
    }
    std::fs::write(path, out).map_err(|e| e.to_string())?;
    let original = applied
        .renamed
        .iter()
        .rev()
        .find(|(_, to)| to == path)
        .map_or_else(|| path.to_path_buf(), |(from, _)| from.clone());
    applied.edited.entry(original).or_default().extend(ranges);
    Ok(())
}

/// Applies `edit` (a `WorkspaceEdit`) to the files it names.
pub fn apply(edit: &Value, utf8: bool) -> Result<Applied, String> {
    let mut applied = Applied::default();
    if let Some(changes) = edit["changes"].as_object() {
        for (uri, edits) in changes {
            apply_text_edits(
                &path_of(uri),
                edits.as_array().ok_or("edits")?,
                utf8,
                &mut applied,
            )?;
        }
    }
    for op in edit["documentChanges"].as_array().into_iter().flatten() {
        match op["kind"].as_str() {
            Some("rename") => {
                let from = path_of(op["oldUri"].as_str().ok_or("oldUri")?);
                let to = path_of(op["newUri"].as_str().ok_or("newUri")?);
                let case_only =
                    from.to_string_lossy().to_lowercase() == to.to_string_lossy().to_lowercase();
                if to.exists() && !case_only && op["options"]["overwrite"] != Value::Bool(true) {
                    return Err(format!("rename onto existing {}", to.display()));
                }
                if let Some(dir) = to.parent() {
                    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
                }
                std::fs::rename(&from, &to)
                    .map_err(|e| format!("rename {}: {e}", from.display()))?;
                applied.renamed.push((from, to));
            }
            Some("create") => {
                let path = path_of(op["uri"].as_str().ok_or("uri")?);
                if path.exists() && op["options"]["overwrite"] != Value::Bool(true) {
                    if op["options"]["ignoreIfExists"] == Value::Bool(true) {
                        continue;
                    }
                    return Err(format!("create over existing {}", path.display()));
                }
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
                }
                std::fs::write(&path, "").map_err(|e| e.to_string())?;
                applied.created.push(path);
            }
            Some(other) => return Err(format!("unexpected operation {other}")),
            None => {
                let path = path_of(op["textDocument"]["uri"].as_str().ok_or("uri")?);
                apply_text_edits(
                    &path,
                    op["edits"].as_array().ok_or("edits")?,
                    utf8,
                    &mut applied,
                )?;
            }
        }
    }
    Ok(applied)
}
