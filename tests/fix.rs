//! `carnet check --fix` and `carnet fix-moves`, with the built binary, on
//! copies of the corpora and on git repositories made here.

mod support;

use std::path::Path;
use std::process::Command;

use serde_json::Value;
use support::Vault;
use support::cli::{carnet, stderr, stdout};
use support::links::{landings, load, same_landings};
use support::{copy_of, tree};

fn json_lines(out: &str) -> Vec<Value> {
    out.lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// `carnet check` problems as (code, message) pairs, hints included.
fn problems(root: &Path) -> Vec<(String, String)> {
    let out = carnet(
        root,
        &["check", "--format", "json", "--severity", "hint", "."],
    );
    json_lines(&stdout(&out))
        .into_iter()
        .filter(|l| l["type"] == "problem")
        .map(|l| {
            (
                l["code"].as_str().unwrap().to_string(),
                format!("{}:{} {}", l["path"], l["line"], l["message"]),
            )
        })
        .collect()
}

const FIXABLE: [&str; 3] = ["tag-variant", "link-case", "ambiguous-link"];

#[test]
fn check_fix_leaves_the_check_clean_of_what_it_fixed() {
    let Some(corpora) = support::corpora() else {
        return;
    };
    let mut total = 0;
    for vault in [
        "obsidian-help/en",
        "obsidian-help/fr",
        "foam-docs",
        "kepano-obsidian",
    ] {
        let copy = copy_of(&corpora.join(vault));
        let root = copy.path();
        let before = problems(root);
        let links_before = landings(&load(root));
        // The dry run, applied with patch, is exactly what --fix writes.
        let dry = copy_of(&corpora.join(vault));
        let out = carnet(dry.path(), &["check", "--fix", "--dry-run", "."]);
        let diff = stdout(&out);
        assert_eq!(
            tree(dry.path()),
            tree(&corpora.join(vault)),
            "{vault}: dry run wrote"
        );
        let out = carnet(
            root,
            &[
                "check",
                "--fix",
                "--format",
                "json",
                "--severity",
                "hint",
                ".",
            ],
        );
        let lines = json_lines(&stdout(&out));
        let fixed: Vec<&Value> = lines.iter().filter(|l| l["type"] == "fixed").collect();
        let after = problems(root);
        for code in FIXABLE {
            let count = |p: &[(String, String)]| p.iter().filter(|(c, _)| c == code).count();
            let fixed_here = fixed.iter().filter(|l| l["code"] == code).count();
            assert_eq!(
                count(&after),
                count(&before) - fixed_here,
                "{vault}: {code}: fixed {fixed_here} of {}",
                count(&before)
            );
        }
        // Nothing else appeared or went, and every link still leads where it did.
        let others = |p: &[(String, String)]| {
            p.iter()
                .filter(|(c, _)| !FIXABLE.contains(&c.as_str()))
                .count()
        };
        assert_eq!(
            others(&after),
            others(&before),
            "{vault}: other problems changed"
        );
        same_landings(
            &links_before,
            &landings(&load(root)),
            &|p: &str| p.to_string(),
            vault,
        );
        // What the summary says is what is left.
        let summary = lines.iter().find(|l| l["type"] == "summary").unwrap();
        assert_eq!(summary["problems"], after.len(), "{vault}");
        // Applying the dry run's diff gives the same vault.
        if !fixed.is_empty() {
            let patch = dry.path().join("../fix.diff");
            std::fs::write(&patch, &diff).unwrap();
            let applied = Command::new("patch")
                .args(["-p1", "--batch", "--forward", "-i"])
                .arg(&patch)
                .arg("-d")
                .arg(dry.path())
                .output()
                .expect("patch is installed");
            assert!(
                applied.status.success(),
                "{vault}: {}",
                String::from_utf8_lossy(&applied.stdout)
            );
            assert_eq!(
                support::differences(&tree(dry.path()), &tree(root)),
                Vec::<String>::new(),
                "{vault}: patch of the dry run differs from --fix"
            );
        }
        // A second run has nothing left to fix.
        let again = carnet(root, &["check", "--fix", "--format", "json", "."]);
        assert!(
            json_lines(&stdout(&again))
                .iter()
                .all(|l| l["type"] != "fixed"),
            "{vault}: fixed twice"
        );
        eprintln!("{vault}: {} problems fixed", fixed.len());
        total += fixed.len();
    }
    assert!(total > 20, "the corpora have fixable problems: {total}");
}

fn git(root: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=carnet",
            "-c",
            "user.email=carnet@test",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(root)
        .output()
        .expect("git is installed");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn moved_by<'a>(moves: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> String + 'a {
    move |p: &str| {
        for (o, n) in moves {
            if p == *o {
                return n.to_string();
            }
            if let Some(rest) = p.strip_prefix(&format!("{o}/")) {
                return format!("{n}/{rest}");
            }
        }
        p.to_string()
    }
}

#[test]
fn fix_moves_repairs_what_moves_in_a_git_repository_broke() {
    let Some(corpora) = support::corpora() else {
        return;
    };
    let copy = copy_of(&corpora.join("obsidian-help/en"));
    let root = copy.path();
    git(root, &["init", "-q"]);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "notes"]);
    let errors = |root: &Path| {
        problems(root)
            .iter()
            .filter(|(c, _)| c.starts_with("unresolved-link"))
            .count()
    };
    let broken_before = errors(root);
    let before = landings(&load(root));
    // A folder moved in a shell, a note renamed in a file manager (git
    // sees neither), a note moved with git mv and then edited a little.
    std::fs::rename(root.join("Obsidian Sync"), root.join("Sync stuff")).unwrap();
    std::fs::rename(
        root.join("Getting started/Link notes.md"),
        root.join("Getting started/Linking your notes.md"),
    )
    .unwrap();
    git(root, &["mv", "Home.md", "Start here.md"]);
    let mut text = std::fs::read_to_string(root.join("Start here.md")).unwrap();
    text.push_str("\nA line added after the move.\n");
    std::fs::write(root.join("Start here.md"), text).unwrap();
    assert!(errors(root) > broken_before + 10, "the moves broke links");

    let out = carnet(root, &["fix-moves"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let said = stdout(&out);
    assert!(said.contains("moved Home.md -> Start here.md"), "{said}");
    assert!(
        said.contains(
            "moved Getting started/Link notes.md -> Getting started/Linking your notes.md"
        ),
        "{said}"
    );
    assert!(
        said.contains(
            "moved Obsidian Sync/Security and privacy.md -> Sync stuff/Security and privacy.md"
        ),
        "{said}"
    );
    let moves = [
        ("Obsidian Sync", "Sync stuff"),
        (
            "Getting started/Link notes.md",
            "Getting started/Linking your notes.md",
        ),
        ("Home.md", "Start here.md"),
    ];
    same_landings(
        &before,
        &landings(&load(root)),
        &moved_by(&moves),
        "fix-moves",
    );
    assert_eq!(errors(root), broken_before);
    // Nothing is left to do.
    let again = carnet(root, &["fix-moves"]);
    assert!(
        stdout(&again).ends_with("updated 0 links in 0 notes\n"),
        "{}",
        stdout(&again)
    );
}

#[test]
fn fix_moves_since_a_revision_and_attachments() {
    let v = Vault::new(&[
        (
            "a.md",
            "![[img/pic.png]] [p](img/pic.png) [[notes/b]] [b](notes/b.md#part)\n",
        ),
        ("img/pic.png", "PNG DATA"),
        ("notes/b.md", "# B\n## Part\n[a](../a.md)\n"),
    ]);
    let root = v.path();
    git(root, &["init", "-q"]);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "one"]);
    let before = landings(&load(root));
    std::fs::create_dir(root.join("media")).unwrap();
    git(root, &["mv", "img/pic.png", "media/pic.png"]);
    std::fs::create_dir_all(root.join("archive/2024")).unwrap();
    std::fs::rename(root.join("notes/b.md"), root.join("archive/2024/b.md")).unwrap();
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "moved, links broken"]);
    // Committed already: nothing moved since HEAD.
    let out = carnet(root, &["fix-moves"]);
    assert!(
        stdout(&out).ends_with("updated 0 links in 0 notes\n"),
        "{}",
        stdout(&out)
    );
    let out = carnet(root, &["fix-moves", "--since", "HEAD~1"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(root.join("a.md")).unwrap(),
        "![[media/pic.png]] [p](media/pic.png) [[2024/b]] [b](archive/2024/b.md#part)\n"
    );
    assert_eq!(
        std::fs::read_to_string(root.join("archive/2024/b.md")).unwrap(),
        "# B\n## Part\n[a](../../a.md)\n"
    );
    let moves = [
        ("img/pic.png", "media/pic.png"),
        ("notes/b.md", "archive/2024/b.md"),
    ];
    same_landings(
        &before,
        &landings(&load(root)),
        &moved_by(&moves),
        "--since",
    );
    // A revision git does not know is bad usage; so is --since outside git.
    let out = carnet(root, &["fix-moves", "--since", "no-such-rev"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("no-such-rev"));
    let plain = Vault::new(&[("a.md", "")]);
    let out = carnet(plain.path(), &["fix-moves", "--since", "HEAD"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[test]
fn fix_moves_without_git_follows_the_broken_links() {
    let Some(corpora) = support::corpora() else {
        return;
    };
    let copy = copy_of(&corpora.join("obsidian-help/en"));
    let root = copy.path();
    let broken_before = problems(root)
        .iter()
        .filter(|(c, _)| c == "unresolved-link")
        .count();
    let before = landings(&load(root));
    std::fs::create_dir(root.join("Services")).unwrap();
    std::fs::rename(root.join("Obsidian Sync"), root.join("Services/Sync")).unwrap();
    let out = carnet(root, &["fix-moves", "--dry-run"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("would update"), "{}", stdout(&out));
    let out = carnet(root, &["fix-moves"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let broken = problems(root)
        .iter()
        .filter(|(c, _)| c == "unresolved-link")
        .count();
    assert_eq!(broken, broken_before, "{}", stdout(&out));
    same_landings(
        &before,
        &landings(&load(root)),
        &moved_by(&[("Obsidian Sync", "Services/Sync")]),
        "fix-moves without git",
    );
}

/// The `sh` blocks of docs/check.md's pre-commit section, as written there.
fn pre_commit_scripts() -> Vec<String> {
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/check.md")).unwrap();
    let section = doc
        .split("### Pre-commit hook")
        .nth(1)
        .expect("the section");
    let section = section.split("\n## ").next().unwrap();
    section
        .split("```sh\n")
        .skip(1)
        .map(|b| b.split("```").next().unwrap().to_string())
        .collect()
}

#[test]
fn the_pre_commit_hooks_in_the_docs_refuse_commits_that_break_links() {
    let scripts = pre_commit_scripts();
    assert_eq!(scripts.len(), 2, "{scripts:?}");
    let bin = Path::new(env!("CARGO_BIN_EXE_carnet"))
        .parent()
        .unwrap()
        .to_path_buf();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for (i, script) in scripts.iter().enumerate() {
        let v = Vault::new(&[("a.md", "[[b]]\n"), ("b.md", "# B\n")]);
        let root = v.path();
        if i == 1 {
            // The second hook tolerates the broken links HEAD already has.
            std::fs::write(root.join("old.md"), "[[long gone]]\n").unwrap();
        }
        git(root, &["init", "-q"]);
        git(root, &["add", "-A"]);
        git(root, &["commit", "-qm", "notes"]);
        let hook = root.join(".git/hooks/pre-commit");
        std::fs::write(&hook, script).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
        let commit = |msg: &str| {
            Command::new("git")
                .args([
                    "-c",
                    "user.name=carnet",
                    "-c",
                    "user.email=carnet@test",
                    "commit",
                    "-qm",
                    msg,
                ])
                .current_dir(root)
                .env("PATH", &path)
                .output()
                .unwrap()
        };
        std::fs::write(root.join("a.md"), "[[nowhere]]\n").unwrap();
        git(root, &["add", "a.md"]);
        let out = commit("breaks a link");
        assert!(!out.status.success(), "hook {i} let a broken link in");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("nowhere")
                || String::from_utf8_lossy(&out.stdout).contains("nowhere"),
            "hook {i} says which link: {out:?}"
        );
        // What is staged counts, not what is on disk.
        std::fs::write(root.join("a.md"), "[[b]] and more\n").unwrap();
        git(root, &["add", "a.md"]);
        std::fs::write(root.join("a.md"), "[[nowhere]] unstaged\n").unwrap();
        let out = commit("fine");
        assert!(
            out.status.success(),
            "hook {i}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
