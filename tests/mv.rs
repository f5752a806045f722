//! `carnet mv`, `rename-tag`, `rename-heading`: the built binary on small
//! vaults and on copies of the corpora. Every refusal must leave the vault
//! byte for byte as it was; every move must keep every link landing where
//! it did; the dry-run diff must apply with `patch`.

mod support;

use std::path::Path;
use std::process::Command;

use support::Vault;
use support::cli::{carnet, stderr, stdout};
use support::links::{Rng, landings, load, moved_path, same_landings};
use support::{copy_of, tree};

fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn a_note_moves_and_every_link_keeps_its_style() {
    let v = Vault::new(&[
        (
            "index.md",
            "[[Target]] [[Target#Sec|alias]] ![[Target]] [t](Target.md#sec) [u](<Target.md>)\n",
        ),
        (
            "Target.md",
            "# Target\n\n## Sec\n\n[back](index.md) [[index]]\n",
        ),
        ("sub/b.md", "[x](../Target.md) `[[Target]]`\n"),
        ("archive/.keep", ""),
    ]);
    let root = v.path();
    let out = carnet(root, &["mv", "Target.md", "archive/Ziel ✓.md"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "moved Target.md -> archive/Ziel ✓.md\nupdated 7 links in 3 notes\n"
    );
    assert_eq!(
        read(root, "index.md"),
        "[[Ziel ✓]] [[Ziel ✓#Sec|alias]] ![[Ziel ✓]] [t](archive/Ziel%20✓.md#sec) [u](<archive/Ziel ✓.md>)\n"
    );
    assert_eq!(
        read(root, "archive/Ziel ✓.md"),
        "# Target\n\n## Sec\n\n[back](../index.md) [[index]]\n"
    );
    assert_eq!(
        read(root, "sub/b.md"),
        "[x](../archive/Ziel%20✓.md) `[[Target]]`\n"
    );
    assert!(!root.join("Target.md").exists());
    assert!(
        tree(root).keys().all(|k| !k.contains("carnet")),
        "no leftovers"
    );
}

#[test]
fn attachments_folders_and_several_sources_into_a_folder() {
    let v = Vault::new(&[
        (
            "index.md",
            "![[pic.png]] [p](img/pic.png) [[proj/a]] [b](proj/deep/b.md)\n",
        ),
        ("img/pic.png", "PNG"),
        ("proj/a.md", "[[b]] [i](../index.md) [b](deep/b.md)\n"),
        ("proj/deep/b.md", "[a](../a.md) ![p](../../img/pic.png)\n"),
        ("proj/notes.txt", "not indexed by name, moved along"),
        ("one.md", "[[two]]"),
        ("two.md", "[t](one.md)"),
        ("dest/.keep", ""),
        // Marks the vault's root, for a command run in a folder below it.
        (".obsidian/app.json", "{}"),
    ]);
    let root = v.path();
    let ok = |args: &[&str]| {
        let out = carnet(root, args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        stdout(&out)
    };
    ok(&["mv", "img/pic.png", "img/../dest"]);
    assert_eq!(
        read(root, "index.md"),
        "![[pic.png]] [p](dest/pic.png) [[proj/a]] [b](proj/deep/b.md)\n"
    );
    ok(&["mv", "proj", "archive"]);
    assert_eq!(
        read(root, "index.md"),
        "![[pic.png]] [p](dest/pic.png) [[archive/a]] [b](archive/deep/b.md)\n"
    );
    assert_eq!(
        read(root, "archive/a.md"),
        "[[b]] [i](../index.md) [b](deep/b.md)\n"
    );
    assert_eq!(
        read(root, "archive/deep/b.md"),
        "[a](../a.md) ![p](../../dest/pic.png)\n"
    );
    assert!(
        root.join("archive/notes.txt").exists(),
        "the whole folder moved"
    );
    // Several sources into a folder, which keeps their names.
    let out = ok(&["mv", "one.md", "two.md", "archive/deep"]);
    assert!(out.contains("moved one.md -> archive/deep/one.md"), "{out}");
    assert_eq!(read(root, "archive/deep/two.md"), "[t](one.md)");
    assert_eq!(read(root, "archive/deep/one.md"), "[[two]]");
    // Into the vault's root, from inside a folder, with relative paths.
    let out = carnet(&root.join("archive/deep"), &["mv", "one.md", "../.."]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(read(root, "archive/deep/two.md"), "[t](../../one.md)");
}

/// A refusal: exit status 1, a reason, and not one byte changed.
fn refused(root: &Path, args: &[&str], why: &str) {
    let before = tree(root);
    let out = carnet(root, args);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{args:?}: {}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(
        stderr(&out).contains(why),
        "{args:?}: {:?} lacks {why:?}",
        stderr(&out)
    );
    assert_eq!(tree(root), before, "{args:?} changed the vault");
}

#[test]
fn refusals_say_why_and_change_nothing() {
    let v = Vault::new(&[
        ("note.md", "# Note\n[[other]] [[pic.png]]\n"),
        ("Other.md", "[[note]]"),
        ("dir/x.md", "[[note]]"),
        ("pic.png", "PNG"),
        (".gitignore", "private/\n"),
        ("private/secret.md", ""),
        ("carnet.toml", "exclude = [\"drafts/**\"]\n"),
        ("drafts/.keep", ""),
        ("file.txt", "x"),
    ]);
    let root = v.path();
    refused(
        root,
        &["mv", "note.md", "Other.md"],
        "Other.md already exists",
    );
    refused(
        root,
        &["mv", "note.md", "other.md"],
        "Other.md already exists",
    );
    refused(
        root,
        &["mv", "note.md", "dir/X.md"],
        "dir/x.md already exists",
    );
    refused(root, &["mv", "note.md", "a#b.md"], "cannot contain '#'");
    refused(root, &["mv", "note.md", "a|b.md"], "cannot contain '|'");
    refused(root, &["mv", "note.md", ".hidden.md"], "starts with a dot");
    refused(root, &["mv", "note.md", "note.txt"], "not a Markdown file");
    refused(root, &["mv", "pic.png", "pic.md"], "keep its extension");
    refused(
        root,
        &["mv", "note.md", "private/note.md"],
        "excluded from the vault",
    );
    refused(
        root,
        &["mv", "note.md", "drafts/note.md"],
        "excluded from the vault",
    );
    refused(
        root,
        &["mv", "missing.md", "m.md"],
        "missing.md does not exist",
    );
    refused(
        root,
        &["mv", "note.md", "no/such/dir/"],
        "no/such/dir does not exist",
    );
    refused(root, &["mv", "note.md", "dir/x.md/"], "not a folder");
    refused(
        root,
        &["mv", "note.md", "Other.md", "pic.png"],
        "pic.png is not a folder",
    );
    refused(root, &["mv", "dir", "dir/sub"], "into itself");
    refused(root, &["mv", "note.md", "note.md"], "already there");
    refused(
        root,
        &["mv", "note.md", "/tmp/elsewhere.md"],
        "outside the vault",
    );
    refused(
        root,
        &["mv", "private/secret.md", "s.md"],
        "no note or file of the vault",
    );
    refused(
        root,
        &["rename-tag", "nosuch", "other"],
        "#nosuch is not used",
    );
    refused(
        root,
        &["rename-heading", "note#Nope", "New"],
        "no heading \"Nope\"",
    );
    refused(
        root,
        &["rename-heading", "nobody#Note", "New"],
        "no note nobody",
    );
    // JSON says why on stdout too.
    let out = carnet(root, &["mv", "--format", "json", "note.md", "Other.md"]);
    let line: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(line["type"], "error");
    assert_eq!(line["kind"], "exists");
    // Bad usage is status 2, and changes nothing either.
    let before = tree(root);
    for args in [
        &["mv"][..],
        &["mv", "note.md"],
        &["mv", "--bogus", "a", "b"],
        &["mv", "--format", "xml", "a", "b"],
        &["rename-heading", "no-hash", "x"],
        &["rename-tag", "one"],
        &["fix-moves", "extra"],
    ] {
        let out = carnet(root, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    }
    assert_eq!(tree(root), before);
}

#[test]
fn json_lists_moves_edits_and_a_summary() {
    let v = Vault::new(&[("a.md", "x [[b]]\n[[b#H]]"), ("b.md", "## H")]);
    let out = carnet(v.path(), &["mv", "-n", "--format", "json", "b.md", "c.md"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines[0],
        serde_json::json!({"type": "move", "from": "b.md", "to": "c.md"})
    );
    assert_eq!(
        lines[1],
        serde_json::json!({"type": "edit", "path": "a.md", "line": 1, "column": 5, "old": "b", "new": "c"})
    );
    assert_eq!(lines[2]["line"], 2);
    assert_eq!(lines[3]["type"], "summary");
    assert_eq!(lines[3]["dry_run"], true);
    assert_eq!(lines[3]["edits"], 2);
    assert!(v.path().join("b.md").exists(), "a dry run changes nothing");
}

#[test]
fn tags_and_headings_rename_from_the_command_line() {
    let v = Vault::new(&[
        (
            "a.md",
            "---\ntags: [proj/x]\n---\n#proj #Proj/y #projects\n[[b#Old name]] [s](b.md#old-name)\n",
        ),
        ("b.md", "# B\n## Old name\n### Child\n[[#Old name#Child]]\n"),
    ]);
    let root = v.path();
    let out = carnet(root, &["rename-tag", "#proj", "project"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "updated 3 tags in 1 note\n");
    let out = carnet(root, &["rename-heading", "b#Old name", "New name"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        read(root, "a.md"),
        "---\ntags: [project/x]\n---\n#project #project/y #projects\n[[b#New name]] [s](b.md#new-name)\n"
    );
    assert_eq!(
        read(root, "b.md"),
        "# B\n## New name\n### Child\n[[#New name#Child]]\n"
    );
    // A note given by its path, and a nested heading.
    let out = carnet(root, &["rename-heading", "./b.md#New name#Child", "Kid"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        read(root, "b.md"),
        "# B\n## New name\n### Kid\n[[#New name#Kid]]\n"
    );
}

/// The moves a `carnet mv` of `pairs` (vault paths) makes of indexed files.
fn file_moves(snap: &carnet::index::Snapshot, pairs: &[(String, String)]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let files: Vec<String> = snap
        .notes()
        .map(|n| n.path.to_string())
        .chain(snap.attachments().map(|a| a.to_string()))
        .collect();
    for (old, new) in pairs {
        for f in &files {
            if f == old {
                out.push((f.clone(), new.clone()));
            } else if let Some(rest) = f.strip_prefix(&format!("{old}/")) {
                out.push((f.clone(), format!("{new}/{rest}")));
            }
        }
    }
    out
}

fn mover(moves: &[(String, String)]) -> impl Fn(&str) -> String + '_ {
    move |p: &str| moved_path(moves, p)
}

#[test]
fn the_dry_run_diff_applies_with_patch_and_matches_the_real_move() {
    let Some(corpora) = support::corpora() else {
        return;
    };
    for (vault, source, dest) in [
        ("obsidian-help/en", "Obsidian Sync", "Sync"),
        ("foam-docs", "docs/user", "docs/User guide"),
    ] {
        let real = copy_of(&corpora.join(vault));
        let dry = copy_of(&corpora.join(vault));
        let before = tree(dry.path());
        let out = carnet(dry.path(), &["mv", "--dry-run", source, dest]);
        assert!(out.status.success(), "{vault}: {}", stderr(&out));
        assert_eq!(
            tree(dry.path()),
            before,
            "{vault}: the dry run changed the vault"
        );
        let diff = stdout(&out);
        assert!(diff.contains("\n--- a/"), "{vault}: no diff in {diff}");
        let patch = Command::new("patch")
            .args(["-p1", "--forward", "--batch", "-d"])
            .arg(dry.path())
            .stdin(
                std::fs::File::open({
                    let p = dry
                        .path()
                        .join("../diff-".to_string() + &vault.replace('/', "-"));
                    std::fs::write(&p, &diff).unwrap();
                    p
                })
                .unwrap(),
            )
            .output()
            .expect("patch is installed (Debian: patch)");
        assert!(
            patch.status.success(),
            "{vault}: patch: {}",
            String::from_utf8_lossy(&patch.stdout)
        );
        std::fs::rename(dry.path().join(source), dry.path().join(dest)).unwrap();
        let out = carnet(real.path(), &["mv", source, dest]);
        assert!(out.status.success(), "{vault}: {}", stderr(&out));
        assert_eq!(
            support::differences(&tree(dry.path()), &tree(real.path())),
            Vec::<String>::new(),
            "{vault}: patch + mv differs from carnet mv"
        );
    }
}

type Moves = Vec<(String, String)>;

/// One random `carnet mv`: the arguments and the (vault-relative) moves
/// they ask for.
fn random_mv(
    snap: &carnet::index::Snapshot,
    rng: &mut Rng,
    n: usize,
) -> Option<(Vec<String>, Moves)> {
    let notes: Vec<String> = snap.notes().map(|n| n.path.to_string()).collect();
    let files: Vec<String> = snap.attachments().map(|a| a.to_string()).collect();
    let mut folders: Vec<String> = notes
        .iter()
        .filter_map(|p| p.rsplit_once('/').map(|(d, _)| d.to_string()))
        .collect();
    folders.sort();
    folders.dedup();
    let names = [
        "Renamed note",
        "Ünïcode ñame",
        "日本語メモ",
        "emoji 🦀 note",
        "nota-2",
    ];
    let name = format!("{} {n}", names[rng.below(names.len())]);
    let dir = |p: &str| {
        p.rsplit_once('/')
            .map_or(String::new(), |(d, _)| format!("{d}/"))
    };
    let pick = |rng: &mut Rng, v: &[String]| v[rng.below(v.len())].clone();
    match n % 5 {
        0 => {
            let note = pick(rng, &notes);
            let new = format!("{}{name}.md", dir(&note));
            Some((vec![note.clone(), new.clone()], vec![(note, new)]))
        }
        1 if !folders.is_empty() => {
            let note = pick(rng, &notes);
            let folder = pick(rng, &folders);
            let new = format!("{folder}/{}", note.rsplit('/').next().unwrap());
            Some((vec![note.clone(), folder], vec![(note, new)]))
        }
        2 if !folders.is_empty() => {
            let folder = pick(rng, &folders);
            let new = format!("{}{name}", dir(&folder));
            Some((vec![folder.clone(), new.clone()], vec![(folder, new)]))
        }
        3 if !files.is_empty() && !folders.is_empty() => {
            let file = pick(rng, &files);
            let folder = pick(rng, &folders);
            let new = format!("{folder}/{}", file.rsplit('/').next().unwrap());
            Some((vec![file.clone(), folder], vec![(file, new)]))
        }
        _ if !folders.is_empty() => {
            let (a, b) = (pick(rng, &notes), pick(rng, &notes));
            let folder = pick(rng, &folders);
            let into = |p: &str| format!("{folder}/{}", p.rsplit('/').next().unwrap());
            if a == b {
                return None;
            }
            Some((
                vec![a.clone(), b.clone(), folder.clone()],
                vec![(a.clone(), into(&a)), (b.clone(), into(&b))],
            ))
        }
        _ => None,
    }
}

/// Random `carnet mv` sequences: every link that resolved still resolves
/// to the same (moved) target; a refusal changes nothing.
fn property(root: &Path, seed: u64, rounds: usize) -> (usize, Vec<String>) {
    let mut rng = Rng(seed);
    let (mut done, mut refusals) = (0, Vec::new());
    for n in 0..rounds {
        let before = load(root);
        let Some((args, pairs)) = random_mv(&before, &mut rng, n) else {
            continue;
        };
        let moves = file_moves(&before, &pairs);
        let files_before = tree(root);
        let mut argv = vec!["mv"];
        argv.extend(args.iter().map(String::as_str));
        let out = carnet(root, &argv);
        let what = format!("round {n}: carnet {}", argv.join(" "));
        match out.status.code() {
            Some(0) => {
                let after = load(root);
                same_landings(&landings(&before), &landings(&after), &mover(&moves), &what);
                done += 1;
            }
            Some(1) => {
                assert_eq!(
                    tree(root),
                    files_before,
                    "{what}: refused, yet changed the vault"
                );
                refusals.push(format!("{what}: {}", stderr(&out).trim()));
            }
            _ => panic!("{what}: {}", stderr(&out)),
        }
    }
    (done, refusals)
}

#[test]
fn random_moves_keep_every_link_on_the_corpora() {
    let Some(corpora) = support::corpora() else {
        return;
    };
    let mut total = 0;
    for (i, vault) in [
        "obsidian-help/en",
        "obsidian-help/zh",
        "foam-docs",
        "kepano-obsidian",
    ]
    .iter()
    .enumerate()
    {
        let copy = copy_of(&corpora.join(vault));
        let (done, refusals) = property(copy.path(), 0xC0FFEE + i as u64, 10);
        eprintln!("{vault}: {done} moves checked; refused: {refusals:#?}");
        assert!(
            done >= 7,
            "{vault}: too few moves went through: {done}; {refusals:#?}"
        );
        total += done;
    }
    eprintln!("corpora: {total} moves checked");
}

/// The plan made on the index `carnet mv` builds (only the notes that may
/// link to the moved names parsed, `vault::load_for`) is the plan made on
/// the full index, refusals included.
fn same_plan_as_the_full_index(
    root: &Path,
    full: &carnet::index::Snapshot,
    pairs: &Moves,
) -> usize {
    let part = carnet::vault::load_for(root, |notes, files| {
        carnet::vault::Needed::for_moves(pairs, notes, files)
    })
    .expect("index for the moves")
    .snapshot;
    assert_eq!(part.notes().count(), full.notes().count(), "{pairs:?}");
    let text = |p: &str| carnet::vault::read_note(&root.join(p)).ok();
    // The order of a folder's files is the index's; the moves are a set.
    let plan = |snap| {
        carnet::answers::move_paths(snap, pairs, &text).map(|mut p| {
            p.moves.sort();
            p
        })
    };
    let (with_all, with_some) = (plan(full), plan(&part));
    assert_eq!(
        format!("{with_some:?}"),
        format!("{with_all:?}"),
        "{}: {pairs:?}",
        root.display()
    );
    let unparsed = carnet::facts::NoteFacts::default();
    part.notes().filter(|n| n.facts != unparsed).count()
}

#[test]
fn the_index_of_a_move_plans_what_the_full_index_plans_on_the_corpora() {
    let Some(corpora) = support::corpora() else {
        return;
    };
    for (i, vault) in [
        "obsidian-help/en",
        "obsidian-help/zh",
        "foam-docs",
        "kepano-obsidian",
        "obsidian-help/ru",
    ]
    .iter()
    .enumerate()
    {
        let copy = copy_of(&corpora.join(vault));
        let full = load(copy.path());
        let mut rng = Rng(0x5EED + i as u64);
        let (mut planned, mut parsed, mut total) = (0, 0, 0);
        for n in 0..40 {
            let Some((_, pairs)) = random_mv(&full, &mut rng, n) else {
                continue;
            };
            parsed += same_plan_as_the_full_index(copy.path(), &full, &pairs);
            total += full.notes().count();
            planned += 1;
        }
        eprintln!("{vault}: {planned} moves planned both ways, {parsed} of {total} notes parsed");
        assert!(planned >= 30, "{vault}: only {planned} moves");
    }
}

#[test]
fn the_index_of_a_move_sees_links_written_in_every_way() {
    let v = Vault::new(&[
        (
            "Work/Target Note.md",
            "# Target Note\n## Goals\ntext ^blk\n[[Other]] [[Café]]\n",
        ),
        ("Other.md", "# Other\n"),
        ("Café.md", "café\n"),
        ("Kelvin.md", "cold\n"),
        ("a/Dup.md", "one\n"),
        ("b/Dup.md", "two\n"),
        (
            "wiki.md",
            "[[target note]] [[TARGET NOTE#Goals]] ![[Target Note#^blk]]\n",
        ),
        (
            "path.md",
            "[x](Work/Target%20Note.md) [y](<Work/Target Note.md#goals>)\n",
        ),
        ("hidden.md", "[x](Work/Target%20N%6Fte.md)\n"),
        ("entity.md", "[x](Work/Target&#32;N&#111;te.md)\n"),
        ("deep/rel.md", "[x](../Work/Target%20Note.md)\n"),
        ("front.md", "---\nup: \"[[Target Note]]\"\n---\n"),
        ("comment.md", "%% [[Target Note]] %%\n"),
        ("reference.md", "[t][r]\n\n[r]: <Work/Target Note.md>\n"),
        ("cold.md", "[[\u{212A}elvin]] [k](%E2%84%AAelvin.md)\n"),
        ("nfd.md", "[[Cafe\u{301}]]\n"),
        ("dup.md", "[[Dup]] [[a/Dup]]\n"),
        ("unrelated.md", "# Nothing\nno links to any of them\n"),
        ("prose.md", "A target, a note: prose only.\n"),
    ]);
    let root = v.path();
    let full = load(root);
    let moves: [&[(&str, &str)]; 6] = [
        &[("Work/Target Note.md", "Elsewhere/Renamed.md")],
        &[("Work", "Projects")],
        &[("Kelvin.md", "deep/Kelvin.md")],
        &[("Café.md", "Coffee.md")],
        &[("a/Dup.md", "c/Dup.md"), ("Other.md", "deep/Other.md")],
        &[("b/Dup.md", "Dup.md")],
    ];
    for pairs in moves {
        let pairs: Moves = pairs
            .iter()
            .map(|(o, n)| (o.to_string(), n.to_string()))
            .collect();
        let parsed = same_plan_as_the_full_index(root, &full, &pairs);
        assert!(
            parsed < full.notes().count(),
            "{pairs:?}: every note was parsed, the filter filtered nothing"
        );
    }
}
