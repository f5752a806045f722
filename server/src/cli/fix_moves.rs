//! `carnet fix-moves [--since REV]`: finds the notes and files that were
//! moved outside carnet (a shell `mv`, a file manager, `git pull`) and
//! rewrites the links those moves broke.

use std::collections::HashSet;
use std::path::Path;
use std::process::ExitCode;

use carnet::facts::extract;
use carnet::moves::{self, Content, Seen};
use carnet::names::{fold, note_stem};
use carnet::vault::{self, Needed, git};

use super::change::{Opened, Options, Reader, Refused, finish, index, lock, refuse};

const USAGE: &str = "\
Usage: carnet fix-moves [--since REV] [-n|--dry-run] [--format text|json] [--vault DIR]

Finds notes and files moved outside carnet and rewrites the links the moves
broke, as `carnet mv` would have. In a git work tree the moves are those
between REV (default HEAD) and the work tree, by git's rename detection
(notes that also changed a little count) and, for files git does not track
yet, by content. Elsewhere they are guessed from broken links: a link to
old/Name.md while one note named Name (or titled so) exists elsewhere with
every heading and block the links ask for.
Options and exit status as for `carnet mv`.";

pub fn run(mut parser: lexopt::Parser) -> Result<ExitCode, String> {
    let Some(opts) = Options::parse(&mut parser, USAGE, true)? else {
        return Ok(ExitCode::SUCCESS);
    };
    if !opts.operands.is_empty() {
        return Err(format!("fix-moves takes no operands\n\n{USAGE}"));
    }
    let root = vault::find_root(opts.vault.as_deref(), Path::new("."))?;
    let in_git = git::is_work_tree(&root);
    if opts.since.is_some() && !in_git {
        return Err(format!(
            "--since needs a git work tree, and {} is not in one",
            root.display()
        ));
    }
    let run = || -> Result<ExitCode, Refused> {
        let lock = lock(&root)?;
        let reader = Reader::new(&root);
        let (opened, found, how, exact) = if in_git {
            let rev = opts.since.as_deref().unwrap_or("HEAD");
            let changes = git::changes_since(&root, rev).map_err(|e| Refused::new("invalid", e))?;
            // Git names every path a move can have: only the notes that can
            // link to those are parsed.
            let opened = index(lock, |root| {
                vault::load_for(root, |notes, _| needed(&changes, notes))
            })?;
            let found = git_moves(&opened, &reader, &changes);
            (opened, found, "git", true)
        } else {
            // Broken links say what moved: every note is parsed.
            let opened = index(lock, vault::load)?;
            let found = moves::moves_from_broken_links(&opened.vault.snapshot);
            (opened, found, "links", false)
        };
        let (plan, skipped) =
            moves::relink_moved(&opened.vault.snapshot, &found, exact, &|p| reader.text(p))?;
        for (old, new) in &found {
            if skipped.contains(&(old.clone(), new.clone())) {
                eprintln!("carnet: not repaired: {old} -> {new} ({old} is taken again)");
            } else if opts.json {
                println!(
                    "{}",
                    serde_json::json!({ "type": "moved", "from": old, "to": new, "found_by": how })
                );
            } else {
                println!("moved {old} -> {new}");
            }
        }
        finish(&opened, &reader, &plan, &[], &opts, ["link", "links"])
    };
    Ok(run().unwrap_or_else(|r| refuse(&opts, r)))
}

/// What planning the moves git may report needs parsed: the notes at the
/// new paths (renamed or new: the moved notes, and the candidates content
/// pairs), and the old and new names of every path git names.
fn needed(changes: &git::Changes, notes: &[String]) -> Needed {
    let notes: HashSet<&str> = notes.iter().map(String::as_str).collect();
    let new = changes.renamed.iter().map(|(_, n)| n).chain(&changes.added);
    let old = changes.renamed.iter().map(|(o, _)| o);
    let old = old.chain(changes.gone.iter().map(|g| &g.path));
    let mut names: Vec<String> = new.clone().chain(old).map(|p| fold(note_stem(p))).collect();
    names.sort_unstable();
    names.dedup();
    Needed {
        whole: new
            .filter(|p| notes.contains(p.as_str()))
            .cloned()
            .collect(),
        names,
    }
}

/// Moves since the revision of `changes`: git's renames, then files git
/// saw disappear paired by content with the files that are new (often
/// untracked).
fn git_moves(opened: &Opened, reader: &Reader, changes: &git::Changes) -> Vec<(String, String)> {
    let snap = &opened.vault.snapshot;
    let files: HashSet<String> = snap.attachments().map(|a| fold(a)).collect();
    let indexed = |p: &str| snap.note(p).is_some() || files.contains(&fold(p));
    let mut found: Vec<(String, String)> = changes
        .renamed
        .iter()
        .filter(|(old, new)| indexed(new) && !indexed(old))
        .cloned()
        .collect();
    let taken_old: Vec<&str> = found.iter().map(|(o, _)| o.as_str()).collect();
    let taken_new: Vec<&str> = found.iter().map(|(_, n)| n.as_str()).collect();
    // The old side: what git had, parsed like any note.
    let gone: Vec<(&git::Gone, Option<carnet::facts::NoteFacts>)> = changes
        .gone
        .iter()
        .filter(|g| !taken_old.contains(&g.path.as_str()) && !indexed(&g.path))
        .map(|g| (g, g.text.as_deref().map(extract)))
        .collect();
    let mut added: Vec<&String> = changes
        .added
        .iter()
        .filter(|p| !taken_new.contains(&p.as_str()) && indexed(p))
        .collect();
    added.sort();
    added.dedup();
    let texts: Vec<Option<String>> = added
        .iter()
        .map(|p| snap.note(p).and_then(|_| reader.text(p)))
        .collect();
    let gone_seen: Vec<Seen> = gone
        .iter()
        .map(|(g, facts)| Seen {
            path: &g.path,
            content: match (facts, &g.text) {
                (Some(facts), Some(text)) => Content::Note {
                    facts,
                    bytes: text.len() as u64,
                    text: Some(text),
                },
                _ => Content::Attachment { size: g.size },
            },
        })
        .filter(|s| matches!(s.content, Content::Note { .. }) || !vault::is_note(Path::new(s.path)))
        .collect();
    let added_seen: Vec<Seen> = added
        .iter()
        .zip(&texts)
        .map(|(p, text)| Seen {
            path: p,
            content: match (snap.note(p), text) {
                (Some(n), Some(text)) => Content::Note {
                    facts: &n.facts,
                    bytes: n.bytes,
                    text: Some(text),
                },
                _ => Content::Attachment { size: None },
            },
        })
        .collect();
    found.extend(moves::pair(&gone_seen, &added_seen));
    found
}
