//! `carnet mv SOURCE... DEST`: move or rename notes, attachments and
//! folders, with every link in the vault rewritten as the editor rename
//! does it.

use std::path::Path;
use std::process::ExitCode;

use carnet::answers;
use carnet::names::{file_name, fold};
use carnet::vault::{self, Filter, Needed, OnDisk};

use super::change::{Options, Reader, Refused, finish, index, lock, refuse, vault_path};

const USAGE: &str = "\
Usage: carnet mv [-n|--dry-run] [--format text|json] [--vault DIR] SOURCE DEST
       carnet mv [options] SOURCE... FOLDER

Moves or renames notes, attachments and folders inside a vault, and rewrites
every link to them (and every link they hold) so that each still leads where
it did, in its own style. With several sources, or when DEST is an existing
folder, the sources move into it. Never overwrites a file.

  -n, --dry-run      print the moves and a unified diff of the edits (apply it
                     with `patch -p1 -d VAULT`); change nothing
  --format json      one JSON object per line: moves, edits, a summary
  --vault DIR        the vault (default: the closest folder above SOURCE with
                     carnet.toml or .obsidian/, else with .git, else the
                     current folder)

Exit status: 0 done, 1 refused (why on stderr; nothing changed), 2 bad usage.";

pub fn run(mut parser: lexopt::Parser) -> Result<ExitCode, String> {
    let Some(opts) = Options::parse(&mut parser, USAGE, false)? else {
        return Ok(ExitCode::SUCCESS);
    };
    let Some((dest, sources)) = opts.operands.split_last().filter(|(_, s)| !s.is_empty()) else {
        return Err(format!("mv needs a SOURCE and a DEST\n\n{USAGE}"));
    };
    let start = Path::new(&sources[0]);
    let start = start
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let root = vault::find_root(opts.vault.as_deref(), start)?;
    Ok(match mv(&root, sources, dest, &opts) {
        Ok(code) => code,
        Err(r) => refuse(&opts, r),
    })
}

fn mv(root: &Path, sources: &[String], dest: &str, opts: &Options) -> Result<ExitCode, Refused> {
    let lock = lock(root)?;
    let moves = targets(root, sources, dest)?;
    // Only the notes that can link to what moves are parsed.
    let opened = index(lock, |root| {
        vault::load_for(root, |notes, files| Needed::for_moves(&moves, notes, files))
    })?;
    let filter = Filter::new(root, &opened.vault.config);
    let snap = &opened.vault.snapshot;
    let reader = Reader::new(root);
    let plan = answers::move_paths(snap, &moves, &|p| reader.text(p))?;
    let outside = moves
        .iter()
        .map(|(_, new)| new)
        .chain(plan.moves.iter().map(|(_, new)| new))
        .find(|new| !filter.includes(&root.join(new)));
    if let Some(new) = outside {
        return Err(Refused::new(
            "invalid",
            format!(
                "{new} is excluded from the vault (carnet.toml or an ignore file): \
                 it would disappear from it"
            ),
        ));
    }
    finish(&opened, &reader, &plan, &moves, opts, ["link", "links"])
}

/// mv's conventions: each source and where it goes, vault-relative.
fn targets(root: &Path, sources: &[String], dest: &str) -> Result<Vec<(String, String)>, Refused> {
    let invalid = |m: String| Err(Refused::new("invalid", m));
    let exists = |rel: &str| vault::occupied(&root.join(rel));
    // The vault's root may be the destination folder.
    let dest_rel =
        vault::path_in(root, dest.trim_end_matches('/')).map_err(|e| Refused::new("invalid", e))?;
    let into = dest_rel.is_empty() || vault::on_disk(&root.join(&dest_rel)) == OnDisk::Folder;
    if !into && (sources.len() > 1 || dest.ends_with('/')) {
        return invalid(format!("{dest} is not a folder"));
    }
    let mut out: Vec<(String, String)> = Vec::new();
    for source in sources {
        let old = vault_path(root, source)?;
        if !exists(&old) {
            return invalid(format!("{source} does not exist"));
        }
        let new = if into {
            match dest_rel.as_str() {
                "" => file_name(&old).to_string(),
                d => format!("{d}/{}", file_name(&old)),
            }
        } else {
            dest_rel.clone()
        };
        if new == old {
            return invalid(format!("{source} is already there"));
        }
        if new.starts_with(&format!("{old}/")) {
            return invalid(format!("cannot move {source} into itself"));
        }
        let case_only = fold(&new) == fold(&old);
        if exists(&new) && !case_only {
            return Err(Refused::new("exists", format!("{new} already exists")));
        }
        if out.iter().any(|(o, n)| fold(n) == fold(&new) || o == &old) {
            return invalid(format!(
                "{source} is given twice, or two files would be {new}"
            ));
        }
        if let Some((o, _)) = out
            .iter()
            .find(|(o, _)| old.starts_with(&format!("{o}/")) || o.starts_with(&format!("{old}/")))
        {
            return invalid(format!("{source} and {o} are inside one another"));
        }
        out.push((old, new));
    }
    Ok(out)
}
