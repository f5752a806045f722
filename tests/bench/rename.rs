//! Rename benchmark: `cargo bench -p carnet --bench rename`.
//!
//! On the generated `classic-10000` vault (`CARNET_BENCH_RENAME_VAULT` to
//! change it, see `vaults.rs`), times computing the edit for:
//! - renaming the note closest to 1,000 backlinks (`textDocument/rename`);
//! - moving the folder closest to 500 notes (`workspace/willRenameFiles`);
//! - renaming the tag closest to 2,000 uses (`textDocument/rename`).
//!
//! Each is timed in process (the library's plan, texts read from disk; the
//! folder move also as the server plans it, reading only the notes a stat
//! cannot prove unchanged) and
//! as a client-side round trip over stdio (plan, positions and JSON). The
//! edits are not applied, so every run computes the same rename; each
//! answer is checked against the expected number of edits.
//! `CARNET_BENCH_RENAME_LOOP=N` plans the folder move N more times as the
//! server does, then stops: what a profile of that plan alone needs.

#[path = "../support/lsp.rs"]
mod client;
#[path = "measure.rs"]
mod measure;
#[path = "vaults.rs"]
mod vaults;

use carnet::answers::{self, tag_occurrences};
use measure::{Samples, count_edits};
use serde_json::json;

const RUNS: usize = 15;

fn main() {
    let (spec, root) = vaults::named_vault("CARNET_BENCH_RENAME_VAULT", "classic-10000");
    let snap = carnet::vault::load(&root)
        .expect("index the vault")
        .snapshot;
    let text_of = |rel: &str| std::fs::read_to_string(root.join(rel)).ok();

    // The note closest to 1,000 backlinks.
    let (backlinks, note) = vaults::note_near_backlinks(&snap, 1000);
    let (folder, folder_notes) = vaults::folder_near(snap.notes().map(|n| n.path.as_ref()), 500);
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
    println!(
        "Command: `cargo bench -p carnet --bench rename` (vault `{}`)\n",
        spec.name
    );
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
    // As the server plans an editor's move: a note whose stat proves its
    // facts current is not read (`vault::unchanged`).
    let unchanged = |note: &carnet::index::Note| carnet::vault::unchanged(&root, note);
    let reads = std::sync::atomic::AtomicUsize::new(0);
    let counted = |rel: &str| {
        reads.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        text_of(rel)
    };
    let unread = answers::move_files_unread(&snap, &moves, &counted, &unchanged).unwrap();
    assert_eq!(unread.edits, plan.edits, "the same edits, read or not");
    println!(
        "- (the folder move edits {} notes; planned as the server does, it reads {})",
        plan.edits.len(),
        reads.into_inner()
    );
    time("folder, notes proven unchanged by stat not read", || {
        answers::move_files_unread(&snap, &moves, &text_of, &unchanged).unwrap();
    });
    // For a profile of this plan alone (`tests/bench/profile.sh`).
    if let Some(n) = std::env::var("CARNET_BENCH_RENAME_LOOP")
        .ok()
        .and_then(|n| n.parse().ok())
    {
        for _ in 0..n {
            answers::move_files_unread(&snap, &moves, &text_of, &unchanged).unwrap();
        }
        return;
    }
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
    let edits = count_edits;
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

/// Times `f` and prints its wall-clock percentiles and the CPU time of
/// this process per run (all threads: the plan checks notes in parallel),
/// the steadier figure on a shared machine. Over the protocol the CPU is
/// the server's, not counted here.
fn time(what: &str, f: impl FnMut()) {
    let cpu = cpu_time();
    let samples = Samples::time(RUNS, f);
    let per_run = (cpu_time() - cpu).as_secs_f64() * 1e3 / RUNS as f64;
    println!(
        "- {what}: {} (this process's CPU per run: {per_run:.1} ms)",
        samples.full()
    );
}

/// CPU time of this process, all threads.
fn cpu_time() -> std::time::Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    std::time::Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}
