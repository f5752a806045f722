//! `carnet rename-heading NOTE#OLD NEW`: the editor's heading rename, from
//! the command line.

use std::path::Path;
use std::process::ExitCode;

use carnet::answers;
use carnet::facts::{LinkKind, Subpath, Sym};
use carnet::index::resolve::{SubpathMatch, match_subpath};
use carnet::names::{fold, strip_md};
use carnet::vault::{self, OnDisk};

use super::change::{Options, Reader, Refused, finish, open, refuse, vault_path};

const USAGE: &str = "\
Usage: carnet rename-heading [-n|--dry-run] [--format text|json] [--vault DIR] NOTE#OLD NEW

Renames the heading OLD of NOTE (a path, or a note name) to NEW, and every
link to it. OLD may be a nested heading path (NOTE#Part#Section).
Options and exit status as for `carnet mv`.";

pub fn run(mut parser: lexopt::Parser) -> Result<ExitCode, String> {
    let Some(opts) = Options::parse(&mut parser, USAGE, false)? else {
        return Ok(ExitCode::SUCCESS);
    };
    let [target, new] = opts.operands.as_slice() else {
        return Err(format!("rename-heading needs NOTE#OLD and NEW\n\n{USAGE}"));
    };
    let Some((note, old)) = target
        .split_once('#')
        .filter(|(n, o)| !n.is_empty() && !o.is_empty())
    else {
        return Err(format!("{target:?} is not NOTE#HEADING\n\n{USAGE}"));
    };
    let start = Path::new(note)
        .parent()
        .filter(|p| vault::on_disk(p) == OnDisk::Folder)
        .unwrap_or(Path::new("."));
    let root = vault::find_root(opts.vault.as_deref(), start)?;
    let run = || -> Result<ExitCode, Refused> {
        let opened = open(&root)?;
        let snap = &opened.vault.snapshot;
        let path = find_note(&root, snap, note)?;
        let facts = &snap.note(&path).expect("found in the snapshot").facts;
        let parts: Vec<&'static str> = Sym::new(old).as_str().split('#').map(str::trim).collect();
        let SubpathMatch::Heading(i) =
            match_subpath(facts, &Subpath::Heading(parts), LinkKind::Wiki)
        else {
            return Err(Refused::new(
                "nothing",
                format!("{path} has no heading \"{old}\""),
            ));
        };
        let reader = Reader::new(&root);
        let plan = answers::rename_heading(snap, &path, i, new, &|p| reader.text(p))?;
        finish(&opened, &reader, &plan, &[], &opts, ["edit", "edits"])
    };
    Ok(run().unwrap_or_else(|r| refuse(&opts, r)))
}

/// A note given as a path (with or without `.md`) or, failing that, by name.
fn find_note(
    root: &Path,
    snap: &carnet::index::Snapshot,
    arg: &str,
) -> Result<carnet::index::NotePath, Refused> {
    for candidate in [arg.to_string(), format!("{arg}.md")] {
        if let Ok(rel) = vault_path(root, &candidate)
            && let Some(n) = snap.note(&rel)
        {
            return Ok(n.path.clone());
        }
    }
    match snap.notes_named(&fold(strip_md(arg))) {
        [one] => Ok(one.clone()),
        [] => Err(Refused::new(
            "nothing",
            format!("no note {arg} in the vault"),
        )),
        many => Err(Refused::new(
            "nothing",
            format!(
                "{} notes are named {arg}: {}; give its path",
                many.len(),
                many.join(", ")
            ),
        )),
    }
}
