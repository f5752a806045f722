//! `carnet check --fix [--dry-run]`: applies the fixes that have exactly
//! one right answer (see `answers::sure_fixes`) before the check reports
//! what is left.

use std::io::Write;
use std::path::Path;

use carnet::answers;
use carnet::check::{Checker, Rules};
use carnet::facts::extract;
use carnet::index::Note;
use carnet::vault::{Loaded, write};
use serde_json::json;

use super::change::{Reader, open};

/// Fixes the vault at `root` (or, dry-run, prints the diff of the fixes)
/// and returns it as it is (or would be) after them, for the check to
/// report the rest. `Err` when the fixes cannot be written.
pub fn run(root: &Path, dry_run: bool, json: bool) -> Result<Loaded, String> {
    let opened = open(root).map_err(|r| r.message)?;
    let mut vault = opened.vault;
    let snap = &vault.snapshot;
    let problems = Checker::new(snap, &Rules::from_config(&vault.config)).vault(snap);
    let reader = Reader::new(root);
    let (plan, fixed) = answers::sure_fixes(snap, &problems, &|p| reader.text(p));
    let change = reader.change(&plan, &[]).map_err(|r| r.message)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if dry_run {
        let diff = write::diff(&opened.lock, &change).map_err(|e| e.to_string())?;
        let _ = out.write_all(diff.as_bytes());
    } else {
        write::apply(&opened.lock, &change).map_err(|e| format!("nothing fixed: {e}"))?;
    }
    let would = if dry_run { "would fix" } else { "fixed" };
    for p in &fixed {
        let path = super::display_path(root, &p.path);
        let _ = if json {
            writeln!(
                out,
                "{}",
                json!({
                    "type": if dry_run { "would_fix" } else { "fixed" },
                    "path": path,
                    "line": p.line + 1,
                    "column": p.column + 1,
                    "code": p.code,
                    "message": p.message,
                })
            )
        } else if dry_run {
            Ok(()) // stdout is a patch: the summary goes to stderr
        } else {
            writeln!(
                out,
                "{would}: {path}:{}:{}: {} [{}]",
                p.line + 1,
                p.column + 1,
                p.message,
                p.code
            )
        };
    }
    if dry_run && !json {
        eprintln!(
            "carnet: {}: {would} {} problems in {} notes",
            root.display(),
            fixed.len(),
            plan.edits.len()
        );
    }
    // The vault as the fixes leave it, without reading it all again.
    let mut after = vault.snapshot.clone();
    for e in &change.edits {
        after = after.with_note(Note::new(
            e.path.as_str().into(),
            extract(&e.new),
            e.new.len() as u64,
        ));
    }
    vault.snapshot = after;
    Ok(vault)
}
