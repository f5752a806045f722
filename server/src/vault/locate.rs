//! Where a vault is, for the command line: the vault holding a path the user
//! gave, and that path as the vault names it.

use std::path::{Path, PathBuf};

use super::Config;

/// The vault a command works on: `explicit` (`--vault`), else the closest
/// folder above `start` holding `carnet.toml` or `.obsidian/`, else the
/// closest holding `.git`, else the current folder. Always canonical.
pub fn find_root(explicit: Option<&Path>, start: &Path) -> Result<PathBuf, String> {
    let canonical =
        |p: &Path| std::fs::canonicalize(p).map_err(|e| format!("{}: {e}", p.display()));
    if let Some(v) = explicit {
        return canonical(v);
    }
    let cwd = canonical(Path::new("."))?;
    let start = canonical(start).unwrap_or_else(|_| cwd.clone());
    let marked = |d: &Path| d.join(Config::FILE).is_file() || d.join(".obsidian").is_dir();
    if let Some(d) = start.ancestors().find(|d| marked(d)) {
        return Ok(d.to_path_buf());
    }
    if let Some(d) = start.ancestors().find(|d| d.join(".git").exists()) {
        return Ok(d.to_path_buf());
    }
    Ok(cwd)
}

/// The vault-relative path of `arg`, a path given on the command line
/// (relative to the current folder), without following a link at its end:
/// `""` for the vault's root itself; `Err` (for the user) when it is
/// outside the vault at `root` (canonical) or its folder does not exist.
pub fn path_in(root: &Path, arg: &str) -> Result<String, String> {
    let abs = std::env::current_dir()
        .map_err(|e| e.to_string())?
        .join(arg);
    let real = match (abs.parent(), abs.file_name()) {
        (Some(dir), Some(name)) => std::fs::canonicalize(dir)
            .map_err(|_| format!("the folder of {arg} does not exist"))?
            .join(name),
        _ => std::fs::canonicalize(&abs).map_err(|e| format!("{arg}: {e}"))?,
    };
    // `vault/..`-like spellings of the root itself.
    let real = match std::fs::canonicalize(&real) {
        Ok(c) if c == root => c,
        _ => real,
    };
    super::relative(root, &real).ok_or_else(|| {
        format!(
            "{arg} is outside the vault {} (see --vault)",
            root.display()
        )
    })
}
