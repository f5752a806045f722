//! Rename benchmark: `cargo bench -p carnet --bench rename`.
//!
//! On the generated 10,000-note vault (`CARNET_BENCH_LSP_NOTES` to change
//! the size), times computing the edit for:
//! - renaming the note closest to 1,000 backlinks (`textDocument/rename`);
//! - moving the folder closest to 500 notes (`workspace/willRenameFiles`);
//! - renaming the tag closest to 2,000 uses (`textDocument/rename`).
//!
//! Each is timed in process (the library's plan, texts read from disk) and
//! as a client-side round trip over stdio (plan, positions and JSON). The
//! edits are not applied, so every run computes the same rename; each
//! answer is checked against the expected number of edits.

#[path = "../support/lsp.rs"]
mod client;
#[path = "vaults.rs"]
mod vaults;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use carnet::answers::{self, tag_occurrences};
use serde_json::{Value, json};

const RUNS: usize = 15;

fn main() {
    let (notes, root) = vaults::server_vault();
    let snap = carnet::vault::load(&root)
        .expect("index the vault")
        .snapshot;
    let text_of = |rel: &str| std::fs::read_to_string(root.join(rel)).ok();

    // The note closest to 1,000 backlinks.
    let (backlinks, note) = vaults::note_near_backlinks(&snap, 1000);
    // The folder closest to 500 notes (all depths).
    let mut folders: BTreeMap<String, usize> = BTreeMap::new();
    for n in snap.notes() {
        let mut p = n.path.as_ref();
        while let Some((dir, _)) = p.rsplit_once('/') {
            *folders.entry(dir.to_string()).or_default() += 1;
            p = dir;
        }
    }
    let (folder, folder_notes) = folders
        .into_iter()
        .min_by_key(|(_, c)| c.abs_diff(500))
        .unwrap();
    // The tag closest to 2,000 uses (nested tags included).
    let mut spellings: Vec<String> = snap.tag_spellings().map(|s| s.to_string()).collect();
    spellings.sort();
    spellings.dedup_by(|a, b| a.to_lowercase() == b.to_lowercase());
    let (tag_uses, tag) = spellings
        .iter()
        .map(|t| (tag_occurrences(&snap, t).len(), t.clone()))
        .min_by_key(|(c, _)| c.abs_diff(2000))
        .unwrap();

    println!("## carnet rename benchmark\n");
    println!("Command: `cargo bench -p carnet --bench rename` ({notes} generated notes)\n");
    println!(
        "- note `{note}` ({backlinks} backlinks); folder `{folder}` ({folder_notes} notes); tag `#{tag}` ({tag_uses} uses)\n"
    );

    println!("In process (plan computed from the snapshot, texts read from disk):\n");
    let plan = answers::rename_note(&snap, &note, "Bench renamed", &text_of).unwrap();
    assert!(plan.edit_count() >= backlinks, "every backlink edited");
    time("note", || {
        answers::rename_note(&snap, &note, "Bench renamed", &text_of).unwrap();
    });
    let moves = [(folder.clone(), format!("bench-moved/{folder}"))];
    let plan = answers::move_files(&snap, &moves, &text_of).unwrap();
    assert_eq!(
        plan.moves
            .iter()
            .filter(|(o, _)| o.ends_with(".md"))
            .count(),
        folder_notes
    );
    let folder_edits = plan.edit_count();
    time("folder", || {
        answers::move_files(&snap, &moves, &text_of).unwrap();
    });
    let plan = answers::rename_tag(&snap, &tag, "bench-renamed", &text_of).unwrap();
    assert_eq!(plan.edit_count(), tag_uses);
    time("tag", || {
        answers::rename_tag(&snap, &tag, "bench-renamed", &text_of).unwrap();
    });

    println!("\nThrough the protocol (client-side round trip, utf-8):\n");
    let caps = json!({ "workspace": { "workspaceEdit": { "documentChanges": true, "resourceOperations": ["create", "rename", "delete"] } } });
    let mut lsp = client::Lsp::start_with(&root, true, caps);
    let note_uri = lsp.file_uri(&note);
    let rename_note = json!({ "textDocument": { "uri": note_uri }, "position": { "line": 0, "character": 0 }, "newName": "Bench renamed" });
    let edits = |v: &Value| -> usize {
        v["documentChanges"].as_array().map_or(0, |ops| {
            ops.iter()
                .map(|o| o["edits"].as_array().map_or(0, Vec::len))
                .sum()
        })
    };
    let first = lsp
        .request("textDocument/rename", rename_note.clone())
        .unwrap();
    assert!(
        edits(&first) >= backlinks,
        "every backlink edited over the protocol"
    );
    time("note", || {
        lsp.request("textDocument/rename", rename_note.clone())
            .unwrap();
    });
    let files = json!({ "files": [{ "oldUri": lsp.file_uri(&folder), "newUri": lsp.file_uri(&format!("bench-moved/{folder}")) }] });
    let first = lsp
        .request("workspace/willRenameFiles", files.clone())
        .unwrap();
    assert_eq!(edits(&first), folder_edits);
    time("folder", || {
        lsp.request("workspace/willRenameFiles", files.clone())
            .unwrap();
    });
    let at = tag_occurrences(&snap, &tag)
        .into_iter()
        .find(|l| {
            snap.note(&l.path).is_some_and(|n| {
                n.facts
                    .tags
                    .iter()
                    .any(|t| t.span == l.span && *t.name == *tag)
            })
        })
        .expect("a use of the tag as spelled");
    let facts = &snap.note(&at.path).unwrap().facts;
    let (line, col) = facts.lines.line_col(at.span.start + 1);
    let rename_tag = json!({ "textDocument": { "uri": lsp.file_uri(&at.path) }, "position": { "line": line, "character": col }, "newName": "bench-renamed" });
    let first = lsp
        .request("textDocument/rename", rename_tag.clone())
        .unwrap();
    assert_eq!(edits(&first), tag_uses);
    time("tag", || {
        lsp.request("textDocument/rename", rename_tag.clone())
            .unwrap();
    });
    lsp.shutdown();
    assert_eq!(lsp.exit(), Some(0));
}

fn time(what: &str, mut f: impl FnMut()) {
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let pick = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    println!(
        "- {what}: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms ({RUNS} runs)",
        ms(pick(0.5)),
        ms(pick(0.95)),
        ms(*times.last().unwrap())
    );
}
