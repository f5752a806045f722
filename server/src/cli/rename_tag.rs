//! `carnet rename-tag OLD NEW`: the editor's tag rename, from the command
//! line.

use std::path::Path;
use std::process::ExitCode;

use carnet::answers;
use carnet::vault;

use super::change::{Options, Reader, Refused, finish, open, refuse};

const USAGE: &str = "\
Usage: carnet rename-tag [-n|--dry-run] [--format text|json] [--vault DIR] OLD NEW

Renames the tag OLD to NEW in every note, inline and in front matter, nested
tags included (#proj -> #project turns #proj/alpha into #project/alpha).
Options and exit status as for `carnet mv`.";

pub fn run(mut parser: lexopt::Parser) -> Result<ExitCode, String> {
    let Some(opts) = Options::parse(&mut parser, USAGE, false)? else {
        return Ok(ExitCode::SUCCESS);
    };
    let [old, new] = opts.operands.as_slice() else {
        return Err(format!("rename-tag needs OLD and NEW\n\n{USAGE}"));
    };
    let root = vault::find_root(opts.vault.as_deref(), Path::new("."))?;
    let run = || -> Result<ExitCode, Refused> {
        let opened = open(&root)?;
        let reader = Reader::new(&root);
        let old = old.trim().trim_start_matches('#');
        let plan = answers::rename_tag(&opened.vault.snapshot, old, new, &|p| reader.text(p))?;
        finish(&opened, &reader, &plan, &[], &opts, ["tag", "tags"])
    };
    Ok(run().unwrap_or_else(|r| refuse(&opts, r)))
}
