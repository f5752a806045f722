//! Where every link of a vault lands, for the tests that change a vault
//! (editor renames, `carnet mv`, `fix-moves`, `check --fix`, kills): a link
//! that resolved before must resolve after to the same (moved) target.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;

use carnet::index::Snapshot;
use carnet::index::resolve::Resolution;

pub fn load(root: &Path) -> Snapshot {
    carnet::vault::load(root).expect("vault loads").snapshot
}

/// A link as written, and where it lands: (target path, subpath, ambiguous).
pub type Landing = (String, Option<(String, String, bool)>);

/// Each note's links, in order.
pub type Landings = BTreeMap<String, Vec<Landing>>;

pub fn landings(snap: &Snapshot) -> Landings {
    snap.notes()
        .map(|n| {
            let list = n
                .facts
                .links
                .iter()
                .map(|l| {
                    let lands = match snap.resolve(&n.path, l) {
                        Resolution::Note {
                            path,
                            others,
                            subpath,
                        } => Some((path.to_string(), format!("{subpath:?}"), !others.is_empty())),
                        Resolution::Attachment(p) => Some((p.to_string(), String::new(), false)),
                        Resolution::Unresolved(_) => None,
                    };
                    (l.target.to_string(), lands)
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
        for ((written, l), (_, nl)) in links.iter().zip(now) {
            let Some((target, sub, ambiguous)) = l else {
                continue;
            };
            let (t2, s2, a2) = nl
                .as_ref()
                .unwrap_or_else(|| panic!("{what}: {path} link {written:?} became broken"));
            assert_eq!(moved(target), *t2, "{what}: {path} link {written:?} moved");
            assert_eq!(sub, s2, "{what}: {path} link {written:?} subpath");
            assert!(
                !a2 || *ambiguous,
                "{what}: {path} link {written:?} became ambiguous"
            );
        }
    }
}

/// `p` after `moves` (old → new, vault-relative files).
pub fn moved_path(moves: &[(String, String)], p: &str) -> String {
    moves
        .iter()
        .find(|(o, _)| o == p)
        .map_or(p.to_string(), |(_, n)| n.clone())
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
