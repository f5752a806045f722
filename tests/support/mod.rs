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

    /// The files of a fixture (see `carnet::fixture`).
    pub fn from_fixture(fixture: &carnet::fixture::Fixture) -> Vault {
        Vault::new(&fixture.texts())
    }

    pub fn write_bytes(&self, rel: &str, bytes: &[u8]) {
        let path = self.dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

/// `../shared/corpora` beside the checkout, or `None` (with a message) when
/// this machine does not have it. With `CARNET_REQUIRE_CORPORA=1` (CI) a
/// missing corpus fails the test instead.
pub fn corpora() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpora");
    if dir.is_dir() {
        return Some(dir);
    }
    let message = format!(
        "{} not found; corpus tests need ../shared/corpora",
        dir.display()
    );
    corpus_missing(&message);
    None
}

/// Reports a missing part of the corpora: a skip with a message, or a
/// failure with `CARNET_REQUIRE_CORPORA=1` (as `.ci/run` sets).
pub fn corpus_missing(what: &str) {
    if std::env::var("CARNET_REQUIRE_CORPORA").is_ok_and(|v| v == "1") {
        panic!("CARNET_REQUIRE_CORPORA=1: {what}");
    }
    eprintln!("SKIPPED: {what}");
}

/// Runs a protocol test in UTF-8 (`true`) and in UTF-16 (`false`).
pub fn both_encodings(test: impl Fn(bool)) {
    test(true);
    test(false);
}

/// Every file under `dir`, in no particular order; with `Folders::Included`
/// the folders too.
pub fn walk(dir: &Path, folders: Folders) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p, folders));
            if folders == Folders::Included {
                out.push(p);
            }
        } else {
            out.push(p);
        }
    }
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Folders {
    Included,
    Excluded,
}
