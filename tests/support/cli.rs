//! Helpers for the tests of the commands that change a vault (`carnet mv`,
//! `fix-moves`, `check --fix`): running the built binary, whole-tree
//! snapshots of a folder, and where every link lands.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use carnet::index::Snapshot;
use carnet::index::resolve::Resolution;

/// Runs `carnet ARGS` in `dir`.
pub fn carnet(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_carnet"))
        .args(args)
        .current_dir(dir)
        .env_remove("CARNET_TEST_PAUSE_AT")
        .output()
        .expect("run carnet")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every file under `root`, hidden ones included, with its bytes: two
/// equal trees are the same vault byte for byte, leftovers included.
pub fn tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() && !p.ends_with(".git") {
                stack.push(p);
            } else if p.is_file() {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// The names of the files that differ between two trees (for messages).
pub fn differences(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let mut out: Vec<String> = a
        .iter()
        .filter(|(k, v)| b.get(*k) != Some(v))
        .map(|(k, _)| format!("-{k}"))
        .collect();
    out.extend(
        b.iter()
            .filter(|(k, v)| a.get(*k) != Some(v))
            .map(|(k, _)| format!("+{k}")),
    );
    out
}

pub fn load(root: &Path) -> Snapshot {
    carnet::vault::load(root).expect("vault loads").snapshot
}

/// Where each link of each note lands: (target path, subpath, ambiguous).
pub type Landings = BTreeMap<String, Vec<Option<(String, String, bool)>>>;

pub fn landings(snap: &Snapshot) -> Landings {
    snap.notes()
        .map(|n| {
            let list = n
                .facts
                .links
                .iter()
                .map(|l| match snap.resolve(&n.path, l) {
                    Resolution::Note {
                        path,
                        others,
                        subpath,
                    } => Some((path.to_string(), format!("{subpath:?}"), !others.is_empty())),
                    Resolution::Attachment(p) => Some((p.to_string(), String::new(), false)),
                    Resolution::Unresolved(_) => None,
                })
                .collect();
            (n.path.to_string(), list)
        })
        .collect()
}

/// Checks that every link that resolved in `before` resolves in `after` to
/// the same target (through `moved`, old path → new path), at the same
/// part, and is no more ambiguous than it was.
pub fn same_landings(
    before: &Landings,
    after: &Landings,
    moved: &dyn Fn(&str) -> String,
    what: &str,
) {
    for (path, links) in before {
        let now = after
            .get(&moved(path))
            .unwrap_or_else(|| panic!("{what}: {path} vanished"));
        assert_eq!(
            links.len(),
            now.len(),
            "{what}: link count changed in {path}"
        );
        for (i, (l, nl)) in links.iter().zip(now).enumerate() {
            let Some((target, sub, ambiguous)) = l else {
                continue;
            };
            let (t2, s2, a2) = nl
                .as_ref()
                .unwrap_or_else(|| panic!("{what}: {path} link {i} to {target} became broken"));
            assert_eq!(moved(target), *t2, "{what}: {path} link {i} moved");
            assert_eq!(sub, s2, "{what}: {path} link {i} subpath");
            assert!(
                !a2 || *ambiguous,
                "{what}: {path} link {i} became ambiguous"
            );
        }
    }
}

/// The corpora, which CI must have: with `CI=true` or
/// `CARNET_REQUIRE_CORPORA=1`, their absence fails the test.
pub fn corpora() -> Option<PathBuf> {
    let found = crate::support::corpora();
    let required = std::env::var("CI").is_ok_and(|v| v == "true")
        || std::env::var("CARNET_REQUIRE_CORPORA").is_ok_and(|v| v == "1");
    assert!(
        found.is_some() || !required,
        "../shared/corpora is required here (CI or CARNET_REQUIRE_CORPORA=1)"
    );
    found
}

/// A copy of a corpus vault in a new temporary folder.
pub fn copy_of(corpus: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    crate::support::lsp::copy_dir(corpus, dir.path());
    dir
}

/// A small deterministic generator (xorshift).
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}
