//! Generated benchmark vaults, cached under `target/bench-vaults/<name>`.
//!
//! A vault is named `<kind>-<notes>`:
//! - `classic-N`: the original generator output (mostly ASCII, wrapped lines);
//! - `interconnected-N`: non-ASCII prose on most lines, long single-line
//!   paragraphs, ~19 links per note, a flatter Zipf law (issue #14);
//! - `shared-N`: ten copies of `classic-(N/10)` in folders `copy-01` …
//!   `copy-10`, so every note name (and every folder path) is shared by ten
//!   notes and every wiki-link has ten candidates.
#![allow(dead_code)]

#[path = "gen.rs"]
pub mod vaultgen; // not `gen`: that is a reserved keyword in edition 2024

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Instant;

use vaultgen::{GenStats, Style};

/// Bump whenever `gen.rs` changes its output, so cached vaults are regenerated.
pub const GEN_VERSION: u32 = 2;
pub const SEED: u64 = 0x00C0_FFEE_CA12_7E75;
const STAMP: &str = ".carnet-bench-stamp";
/// How many copies a `shared-` vault holds.
pub const COPIES: usize = 10;

/// A benchmark vault: how to generate it.
#[derive(Clone, Debug)]
pub struct Spec {
    /// `<kind>-<notes>`, also its folder under `target/bench-vaults`.
    pub name: String,
    pub notes: usize,
    pub style: Style,
    /// 1, or [`COPIES`] copies of a vault of `notes / COPIES` notes.
    pub copies: usize,
}

impl Spec {
    /// Parses `classic-10000`, `interconnected-10000`, `shared-100000`.
    pub fn parse(name: &str) -> Result<Spec, String> {
        let (kind, n) = name
            .rsplit_once('-')
            .ok_or_else(|| format!("{name}: expected <kind>-<notes>"))?;
        let notes: usize = n
            .replace('_', "")
            .parse()
            .map_err(|_| format!("{name}: {n} is not a number of notes"))?;
        let (style, copies) = match kind {
            "classic" => (Style::CLASSIC, 1),
            "interconnected" => (Style::INTERCONNECTED, 1),
            "shared" => (Style::CLASSIC, COPIES),
            _ => {
                return Err(format!(
                    "{name}: kind must be classic, interconnected or shared"
                ));
            }
        };
        if notes == 0 || !notes.is_multiple_of(copies) {
            return Err(format!("{name}: {notes} notes cannot be split in {copies}"));
        }
        Ok(Spec {
            name: name.to_string(),
            notes,
            style,
            copies,
        })
    }

    /// `<workspace>/target/bench-vaults/<name>`.
    pub fn dir(&self) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../target/bench-vaults")
            .join(&self.name)
    }

    /// Generates the vault unless its stamp matches; returns the generator
    /// totals (summed over the copies) and the canonical root.
    pub fn ensure(&self, seed: u64) -> io::Result<(GenStats, PathBuf)> {
        let dir = self.dir();
        let stats = ensure_vault(&dir, self, seed)?;
        Ok((stats, dir.canonicalize()?))
    }
}

/// The vault named by `var` (or `default`), generated if needed: its spec
/// and canonical root. Panics with a clear message on a bad name.
pub fn named_vault(var: &str, default: &str) -> (Spec, PathBuf) {
    let name = std::env::var(var).unwrap_or_else(|_| default.to_string());
    let spec = Spec::parse(&name).unwrap_or_else(|e| panic!("{var}: {e}"));
    let (_, root) = spec.ensure(SEED).expect("generate the vault");
    (spec, root)
}

/// The vault the server benchmarks use: `CARNET_BENCH_LSP_VAULT`
/// (`interconnected-10000` by default).
pub fn server_vault() -> (Spec, PathBuf) {
    named_vault("CARNET_BENCH_LSP_VAULT", "interconnected-10000")
}

/// Generates the vault unless its stamp matches; returns the generator totals.
pub fn ensure_vault(path: &Path, spec: &Spec, seed: u64) -> io::Result<GenStats> {
    let stamp = path.join(STAMP);
    if let Ok(text) = std::fs::read_to_string(&stamp)
        && let Some(stats) = parse_stamp(&text, spec, seed)
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
    eprintln!("generating {} into {} ...", spec.name, path.display());
    let start = Instant::now();
    let each = spec.notes / spec.copies;
    let mut stats = GenStats::default();
    for k in 1..=spec.copies {
        let dir = if spec.copies == 1 {
            path.to_path_buf()
        } else {
            path.join(format!("copy-{k:02}"))
        };
        // The same seed: the copies are byte-identical.
        let s = vaultgen::generate_styled(&dir, each, seed, spec.style)?;
        stats.notes += s.notes;
        stats.bytes += s.bytes;
        stats.links += s.links;
        stats.broken_links += s.broken_links;
        stats.frontmatter_links += s.frontmatter_links;
        stats.headings += s.headings;
        stats.block_ids += s.block_ids;
        stats.tags += s.tags;
        stats.folders += s.folders + (spec.copies > 1) as usize;
    }
    let secs = start.elapsed().as_secs_f64();
    eprintln!(
        "generated {} notes, {:.1} MB, {} links ({} broken) in {secs:.2} s",
        stats.notes,
        stats.bytes as f64 / 1e6,
        stats.links,
        stats.broken_links
    );
    // Written last: an interrupted generation leaves no stamp and is redone.
    std::fs::write(&stamp, format_stamp(&stats, spec, seed))?;
    Ok(stats)
}

fn format_stamp(s: &GenStats, spec: &Spec, seed: u64) -> String {
    format!(
        "gen_version={GEN_VERSION}\nvault={}\nstyle={:?}\nseed={seed}\nnotes={}\nbytes={}\nlinks={}\n\
         broken_links={}\nfrontmatter_links={}\nheadings={}\nblock_ids={}\ntags={}\nfolders={}\n",
        spec.name,
        spec.style,
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

fn parse_stamp(text: &str, spec: &Spec, seed: u64) -> Option<GenStats> {
    let value = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
            .map(str::trim)
    };
    let get = |key: &str| -> Option<u64> { value(key)?.parse().ok() };
    if get("gen_version")? != GEN_VERSION as u64
        || value("vault")? != spec.name
        || value("style")? != format!("{:?}", spec.style)
        || get("seed")? != seed
        || get("notes")? != spec.notes as u64
    {
        return None;
    }
    Some(GenStats {
        notes: spec.notes,
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

/// The folder (at any depth) whose note count is closest to `want`: its
/// vault-relative path and how many notes it holds.
pub fn folder_near<'a>(paths: impl Iterator<Item = &'a str>, want: usize) -> (String, usize) {
    let mut folders: BTreeMap<&str, usize> = BTreeMap::new();
    for mut p in paths {
        while let Some((dir, _)) = p.rsplit_once('/') {
            *folders.entry(dir).or_default() += 1;
            p = dir;
        }
    }
    folders
        .into_iter()
        .min_by_key(|(_, c)| c.abs_diff(want))
        .map(|(f, c)| (f.to_string(), c))
        .expect("a vault with folders")
}
