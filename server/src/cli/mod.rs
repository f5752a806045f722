//! Command-line subcommands, one file each; `main.rs` only picks one.

pub mod graph;
pub mod report;

use std::path::{Path, PathBuf};

use carnet::vault::{self, Loaded};

/// How a note's path is shown: relative to where the user pointed us.
pub fn display_path(root: &Path, rel: &str) -> String {
    if root == Path::new(".") {
        rel.to_string()
    } else {
        root.join(rel).display().to_string()
    }
}

/// Loads one vault, reporting on stderr what could not be read.
pub fn load(root: &Path) -> Result<Loaded, String> {
    let vault = vault::load(root)?;
    for warning in &vault.config_warnings {
        eprintln!("carnet: {}: {warning}", root.display());
    }
    for s in &vault.skipped {
        eprintln!("carnet: skipped {}: {}", s.path.display(), s.reason);
    }
    Ok(vault)
}

/// The one vault root a subcommand takes (default: the current folder).
pub fn one_root(paths: Vec<PathBuf>, usage: &str) -> Result<PathBuf, String> {
    match <[PathBuf; 1]>::try_from(paths) {
        Ok([root]) => Ok(root),
        Err(paths) if paths.is_empty() => Ok(PathBuf::from(".")),
        Err(_) => Err(format!("one vault at a time\n\n{usage}")),
    }
}

/// Writes `text` to stdout; a closed pipe (`carnet graph | head`) is not an error.
pub fn print(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}
