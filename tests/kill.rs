//! What carnet promises about a `carnet mv` killed with SIGKILL at any
//! moment: once the next carnet command has run on the vault (here
//! `carnet check`, which finishes or undoes what the journal says), the
//! vault is byte for byte either as it was or as the finished move leaves
//! it — no leftover file, no half-edited note — and every link lands where
//! it should. Tested on copies of real vaults, killing at every step of the
//! change (`CARNET_TEST_PAUSE_AT` stops carnet there for the test to kill
//! it), during the recovery too, and at random moments.

mod support;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use support::cli::{carnet, stderr};
use support::links::{Landings, Rng, landings, load, same_landings};
use support::{copy_of, tree};

type Tree = BTreeMap<String, Vec<u8>>;

fn spawn(dir: &Path, args: &[&str], pause_at: Option<u64>) -> Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_carnet"));
    cmd.args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    match pause_at {
        Some(n) => cmd.env("CARNET_TEST_PAUSE_AT", n.to_string()),
        None => cmd.env_remove("CARNET_TEST_PAUSE_AT"),
    };
    cmd.spawn().expect("run carnet")
}

/// Waits until the child says it paused (true) or ends (false).
fn paused(child: &mut Child) -> bool {
    let err = child.stderr.take().expect("stderr");
    for line in BufReader::new(err).lines() {
        if line.is_ok_and(|l| l.contains("paused at step")) {
            return true;
        }
    }
    false
}

/// SIGKILL, as `kill -9` or the OOM killer would.
fn kill(mut child: Child) {
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
}

/// The vault as a killed change leaves it once the next carnet run is
/// done: either `old` or `new`, with every link landing accordingly.
struct Outcomes<'a> {
    old: &'a Tree,
    new: &'a Tree,
    old_links: &'a Landings,
    moves: &'a [(String, String)],
    seen_old: usize,
    seen_new: usize,
}

impl Outcomes<'_> {
    fn check(&mut self, root: &Path, what: &str) {
        let out = carnet(root, &["check", "."]);
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{what}: the recovering check failed: {}",
            stderr(&out)
        );
        let now = tree(root);
        let after = landings(&load(root));
        if now == *self.old {
            assert_eq!(&after, self.old_links, "{what}: links of the old vault");
            self.seen_old += 1;
        } else if now == *self.new {
            let moves = self.moves;
            let moved = |p: &str| {
                moves
                    .iter()
                    .find_map(|(o, n)| {
                        if p == o {
                            Some(n.clone())
                        } else {
                            p.strip_prefix(&format!("{o}/")).map(|r| format!("{n}/{r}"))
                        }
                    })
                    .unwrap_or_else(|| p.to_string())
            };
            same_landings(self.old_links, &after, &moved, what);
            self.seen_new += 1;
        } else {
            panic!(
                "{what}: a mix of the old and the new vault: {:?} differ from the old, {:?} from the new",
                support::differences(self.old, &now),
                support::differences(self.new, &now)
            );
        }
    }
}

/// Kills `carnet mv ARGS` at every step, and some recoveries at their
/// first step, on copies of `corpus`.
fn every_step(corpus: &Path, args: &[&str], moves: &[(String, String)]) {
    let original = copy_of(corpus);
    let old = tree(original.path());
    let old_links = landings(&load(original.path()));
    let finished = copy_of(corpus);
    let out = carnet(finished.path(), args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    let new = tree(finished.path());
    assert_ne!(old, new);
    let mut outcomes = Outcomes {
        old: &old,
        new: &new,
        old_links: &old_links,
        moves,
        seen_old: 0,
        seen_new: 0,
    };
    let mut steps = 0;
    for at in 1.. {
        let copy = copy_of(corpus);
        let mut child = spawn(copy.path(), args, Some(at));
        if !paused(&mut child) {
            assert!(child.wait().unwrap().success());
            outcomes.check(copy.path(), &format!("{args:?} not killed"));
            break;
        }
        kill(child);
        steps = at;
        // Every third time, the recovery is killed too, at its first step.
        if at % 3 == 0 {
            let mut again = spawn(copy.path(), &["check", "."], Some(1));
            if paused(&mut again) {
                kill(again);
            } else {
                again.wait().unwrap();
            }
        }
        outcomes.check(copy.path(), &format!("{args:?} killed at step {at}"));
    }
    eprintln!(
        "{args:?}: killed at each of {steps} steps: {} times the old vault, {} times the new",
        outcomes.seen_old, outcomes.seen_new
    );
    assert!(steps >= 4, "too few steps: {steps}");
    assert!(outcomes.seen_old > 0 && outcomes.seen_new > 0);
}

#[test]
fn a_move_killed_at_any_step_leaves_the_old_vault_or_the_new_one() {
    let Some(corpora) = support::corpora() else {
        return;
    };
    // A folder of notes linked from all over the vault.
    every_step(
        &corpora.join("obsidian-help/en"),
        &["mv", "Obsidian Sync", "Sync"],
        &[("Obsidian Sync".into(), "Sync".into())],
    );
    // A note renamed into another folder.
    every_step(
        &corpora.join("kepano-obsidian"),
        &["mv", "Categories/Books.md", "Notes/Library.md"],
        &[("Categories/Books.md".into(), "Notes/Library.md".into())],
    );
}

#[test]
fn a_move_killed_at_random_moments_leaves_the_old_vault_or_the_new_one() {
    let Some(corpora) = support::corpora() else {
        return;
    };
    let corpus = corpora.join("obsidian-help/en");
    let args = ["mv", "Obsidian Sync", "Sync"];
    let moves = [("Obsidian Sync".to_string(), "Sync".to_string())];
    let original = copy_of(&corpus);
    let old = tree(original.path());
    let old_links = landings(&load(original.path()));
    let finished = copy_of(&corpus);
    let start = Instant::now();
    assert!(carnet(finished.path(), &args).status.success());
    let full = start.elapsed();
    let new = tree(finished.path());
    let mut outcomes = Outcomes {
        old: &old,
        new: &new,
        old_links: &old_links,
        moves: &moves,
        seen_old: 0,
        seen_new: 0,
    };
    let mut rng = Rng(0x5EED_4B1C);
    for round in 0..16 {
        let copy = copy_of(&corpus);
        // Anywhere in a whole run, most often near its end, where it writes.
        let at = full.mul_f64(0.5 + (rng.below(1000) as f64) / 1500.0);
        let child = spawn(copy.path(), &args, None);
        std::thread::sleep(at.min(Duration::from_secs(10)));
        kill(child);
        outcomes.check(copy.path(), &format!("killed after {at:?} (round {round})"));
    }
    eprintln!(
        "random kills: {} times the old vault, {} times the new (a whole run takes {full:?})",
        outcomes.seen_old, outcomes.seen_new
    );
}

#[test]
fn the_language_server_makes_a_killed_move_whole_before_it_indexes() {
    let Some(corpora) = support::corpora() else {
        return;
    };
    let corpus = corpora.join("kepano-obsidian");
    let args = ["mv", "Categories/Books.md", "Notes/Library.md"];
    let old = tree(copy_of(&corpus).path());
    let finished = copy_of(&corpus);
    assert!(carnet(finished.path(), &args).status.success());
    let new = tree(finished.path());
    for at in [2, 4] {
        let copy = copy_of(&corpus);
        let mut child = spawn(copy.path(), &args, Some(at));
        assert!(paused(&mut child), "no step {at}");
        kill(child);
        assert!(carnet::vault::write::pending(copy.path()));
        let mut lsp = support::lsp::Lsp::start(copy.path(), false);
        // Any request waits until the vault is indexed.
        lsp.request(
            "workspace/symbol",
            serde_json::json!({ "query": "Library" }),
        )
        .unwrap();
        let now = tree(copy.path());
        assert!(
            now == old || now == new,
            "killed at step {at}, then indexed: a mix: {:?} differ from the old, {:?} from the new",
            support::differences(&old, &now),
            support::differences(&new, &now)
        );
        assert!(!carnet::vault::write::pending(copy.path()));
    }
}
