//! Generated benchmark vaults, cached under `target/bench-vaults/<n>`.
#![allow(dead_code)]

#[path = "gen.rs"]
pub mod vaultgen; // not `gen`: that is a reserved keyword in edition 2024

use std::io;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Bump whenever `gen.rs` changes its output, so cached vaults are regenerated.
pub const GEN_VERSION: u32 = 1;
pub const SEED: u64 = 0x00C0_FFEE_CA12_7E75;
const STAMP: &str = ".carnet-bench-stamp";

/// `<workspace>/target/bench-vaults/<notes>`.
pub fn vault_dir(notes: usize) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../target/bench-vaults")
        .join(notes.to_string())
}

/// The vault the server benchmarks use: `CARNET_BENCH_LSP_NOTES` notes
/// (10,000 by default), generated if needed; its size and canonical root.
#[allow(dead_code)] // not every bench uses it
pub fn server_vault() -> (usize, PathBuf) {
    let notes: usize = std::env::var("CARNET_BENCH_LSP_NOTES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    let root = vault_dir(notes);
    ensure_vault(&root, notes, SEED).expect("generate the vault");
    (notes, root.canonicalize().unwrap())
}

/// Generates the vault unless its stamp matches; returns the generator totals.
pub fn ensure_vault(path: &Path, notes: usize, seed: u64) -> io::Result<vaultgen::GenStats> {
    let stamp = path.join(STAMP);
    if let Ok(text) = std::fs::read_to_string(&stamp)
        && let Some(stats) = parse_stamp(&text, notes, seed)
    {
        eprintln!(
            "reusing {} (generator v{GEN_VERSION}, seed {seed})",
            path.display()
        );
        return Ok(stats);
    }
    if path.exists() {
        std::fs::remove_dir_all(path)?;
    }
    eprintln!("generating {notes} notes into {} ...", path.display());
    let start = Instant::now();
    let stats = vaultgen::generate(path, notes, seed)?;
    let secs = start.elapsed().as_secs_f64();
    eprintln!(
        "generated {} notes, {:.1} MB, {} links ({} broken) in {secs:.2} s",
        stats.notes,
        stats.bytes as f64 / 1e6,
        stats.links,
        stats.broken_links
    );
    // Written last: an interrupted generation leaves no stamp and is redone.
    std::fs::write(&stamp, format_stamp(&stats, seed))?;
    Ok(stats)
}

fn format_stamp(s: &vaultgen::GenStats, seed: u64) -> String {
    format!(
        "gen_version={GEN_VERSION}\nseed={seed}\nnotes={}\nbytes={}\nlinks={}\nbroken_links={}\n\
         frontmatter_links={}\nheadings={}\nblock_ids={}\ntags={}\nfolders={}\n",
        s.notes,
        s.bytes,
        s.links,
        s.broken_links,
        s.frontmatter_links,
        s.headings,
        s.block_ids,
        s.tags,
        s.folders
    )
}

fn parse_stamp(text: &str, notes: usize, seed: u64) -> Option<vaultgen::GenStats> {
    let get = |key: &str| -> Option<u64> {
        text.lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix('=')?.trim().parse().ok())
    };
    if get("gen_version")? != GEN_VERSION as u64
        || get("seed")? != seed
        || get("notes")? != notes as u64
    {
        return None;
    }
    Some(vaultgen::GenStats {
        notes,
        bytes: get("bytes")?,
        links: get("links")? as usize,
        broken_links: get("broken_links")? as usize,
        frontmatter_links: get("frontmatter_links")? as usize,
        headings: get("headings")? as usize,
        block_ids: get("block_ids")? as usize,
        tags: get("tags")? as usize,
        folders: get("folders")? as usize,
    })
}

/// The note whose backlink count is closest to `n` (first by path on a
/// tie), with that count: the benchmarks' "note with ~1,000 backlinks".
pub fn note_near_backlinks(snap: &carnet::index::Snapshot, n: usize) -> (usize, String) {
    use carnet::answers::{Part, links_to};
    snap.notes()
        .map(|note| {
            (
                links_to(snap, &note.path, Part::Whole).len(),
                note.path.to_string(),
            )
        })
        .min_by_key(|(c, _)| c.abs_diff(n))
        .expect("a vault with notes")
}
