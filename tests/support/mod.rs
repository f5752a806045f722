//! Shared helpers for the black-box tests: temporary vaults and the corpora.
#![allow(dead_code)]

pub mod edit;
pub mod lsp;

use std::path::{Path, PathBuf};

/// A vault in a temporary folder, written from `(path, text)` pairs.
pub struct Vault {
    dir: tempfile::TempDir,
}

impl Vault {
    pub fn new(files: &[(&str, &str)]) -> Vault {
        let v = Vault {
            dir: tempfile::tempdir().expect("temp dir"),
        };
        for (path, text) in files {
            v.write_bytes(path, text.as_bytes());
        }
        v
    }

    /// [`Vault::new`] for generated `(path, text)` pairs.
    pub fn from_owned(files: &[(String, String)]) -> Vault {
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        Vault::new(&refs)
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write_bytes(&self, rel: &str, bytes: &[u8]) {
        let path = self.dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

/// Runs the built `carnet` with `args` in `cwd`.
pub fn carnet(args: &[&str], cwd: &Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_carnet"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("carnet runs")
}

/// The corpus vaults with ground truth: (name in `ground-truth/`, root
/// under `corpora/`).
pub const GROUND_TRUTH_VAULTS: &[(&str, &str)] = &[
    ("obsidian-help_en", "obsidian-help/en"),
    ("obsidian-help_fr", "obsidian-help/fr"),
    ("obsidian-help_ru", "obsidian-help/ru"),
    ("obsidian-help_zh", "obsidian-help/zh"),
    ("foam-docs", "foam-docs/docs"),
    ("kepano-obsidian", "kepano-obsidian"),
];

/// `../shared/corpora` beside the checkout, or `None` (with a message) when
/// this machine does not have it.
pub fn corpora() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpora");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "SKIPPED: {} not found; corpus tests need ../shared/corpora",
            dir.display()
        );
        None
    }
}
