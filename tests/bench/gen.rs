//! Deterministic generator of synthetic Obsidian-style vaults, for benchmarks.
//!
//! Std only (no crates), so that it can be compiled on its own with `rustc` and
//! included in the `index` bench with `#[path = "gen.rs"] mod ...;` (the module
//! must not be named `gen`: that is a reserved keyword in edition 2024).
//!
//! [`generate`] plans the whole vault in memory first (folders, note names,
//! headings and block ids of every note) and then renders and writes one note at
//! a time, so memory stays small (metadata only) even for 100,000 notes.
//! The same `(notes, seed)` always produces byte-identical files on a given
//! platform (the only floating point that could differ between platforms is the
//! `ln`/`exp` used for note sizes and the Zipf weights).
//!
//! What a vault contains:
//! * notes of 1–10 KB (log-uniform-ish, mean ≈ 5 KB) in nested folders up to
//!   depth 3; names from word lists, ~10% with accents, ~5% CJK, ~2% emoji,
//!   dated daily notes under `Journal/`; ~1% of base names exist twice in two
//!   different folders (neither folder path is a suffix of the other);
//! * YAML front matter on ~85% of notes: `title`, `aliases` (block or inline
//!   list), `tags` (block list, inline list or comma-separated), sometimes
//!   `up: "[[Note]]"`, `created`, `status`;
//! * ATX headings (levels 1–4, a few closed `## x ##`) and a few setext headings,
//!   prose (accented, CJK and emoji words, bold/italic, inline code, external
//!   URLs with `#fragment`, `C#`, `#123`), bullet/numbered/task lists (nested),
//!   tables, callouts, fenced and indented code blocks that contain
//!   `[[Not A Link]]` and `#notatag` (which a parser must ignore), block ids
//!   `^abc123` at the end of paragraphs and list items, inline tags;
//! * internal links whose target is drawn from a Zipf law (s = 1.1) over a
//!   random permutation of the notes, so a few hubs get thousands of backlinks.
//!
//! Counting rules for [`GenStats`] (what a correct indexer should find):
//! * `links`: internal links in note bodies outside code: `[[..]]`, `![[..]]`
//!   and relative `[text](x.md)` / `[text](<x.md>)` links. External URLs and
//!   everything inside code spans/blocks are not counted; front matter links are
//!   counted in `frontmatter_links` only.
//! * `broken_links` (≈ 5% of `links`): links whose target name exists nowhere in
//!   the vault. Every other link resolves, unambiguously, to an existing note,
//!   and its `#Heading` / `#^block` subpath (if any) exists in that note.
//!   Resolution follows Obsidian: `[[Name]]` matches a file `Name.md` anywhere,
//!   case-insensitively (≈ 2% of plain links are written in lower case);
//!   `[[a/b/Name]]` matches a path suffix; `[..](..)` paths are relative to the
//!   linking note, with spaces written `%20` or inside `<...>`. Links to
//!   duplicated names always carry the full folder path. No link points to the
//!   note it is written in.
//! * `headings`, `block_ids`: every heading / `^id` written (outside code).
//! * `tags`: tag occurrences: inline `#tags` outside code plus front matter
//!   `tags:` entries.
//! * `folders`: folders created below the vault root (intermediate ones too).

use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Totals of what [`generate`] wrote. See the module documentation for the
/// exact counting rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GenStats {
    pub notes: usize,
    pub bytes: u64,
    pub links: usize,
    pub broken_links: usize,
    /// `up: "[[..]]"` links in front matter (always resolvable, not in `links`).
    pub frontmatter_links: usize,
    pub headings: usize,
    pub block_ids: usize,
    pub tags: usize,
    pub folders: usize,
}

/// How the prose of a vault is written. [`Style::CLASSIC`] is the original
/// vault (its output is unchanged by the other modes: their extra random draws
/// happen only when they are switched on).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Style {
    /// Accented and CJK words on most lines, and more paragraphs written in
    /// CJK, as in a personal vault kept in French, German or Chinese: most
    /// lines then need a real UTF-16 conversion.
    pub international: bool,
    /// Paragraphs of 6–20 sentences on one line (never wrapped), as editors
    /// with soft wrap produce: lines of 0.5–3 KB.
    pub long_lines: bool,
    /// Chance that a prose token is an internal link (links per note).
    pub link_rate: f64,
    /// Exponent of the Zipf law that picks link targets: lower is flatter
    /// (a smaller hub and more notes with hundreds of backlinks).
    pub zipf_s: f64,
}

impl Style {
    /// Mostly ASCII text wrapped at 80 columns, ~15 links per note, hub with
    /// ~14% of all links.
    pub const CLASSIC: Style = Style {
        international: false,
        long_lines: false,
        link_rate: 0.022,
        zipf_s: 1.1,
    };
    /// The "interconnected" vault of issue #14: non-ASCII prose on most
    /// lines, long single-line paragraphs, ~19 links per note, and at 10,000
    /// notes a hub with ~9,000 backlinks and notes with ~1,000.
    pub const INTERCONNECTED: Style = Style {
        international: true,
        long_lines: true,
        link_rate: 0.023,
        zipf_s: 0.86,
    };
}

/// Writes a vault of `notes` Markdown files into `dir` (created if missing).
/// Existing files in `dir` are not removed; callers that regenerate a vault
/// should delete the folder first.
pub fn generate(dir: &Path, notes: usize, seed: u64) -> io::Result<GenStats> {
    generate_styled(dir, notes, seed, Style::CLASSIC)
}

/// [`generate`] with the prose written in `style`.
pub fn generate_styled(dir: &Path, notes: usize, seed: u64, style: Style) -> io::Result<GenStats> {
    fs::create_dir_all(dir)?;
    let plan = Plan::new(notes, seed, style);
    let mut stats = GenStats {
        notes,
        folders: plan.folders.len() - 1,
        ..GenStats::default()
    };
    for folder in &plan.folders[1..] {
        fs::create_dir_all(dir.join(&folder.path))?;
    }
    let mut r = Renderer {
        plan: &plan,
        rng: Rng::new(0),
        src: 0,
        out: String::with_capacity(16 * 1024),
        tok: String::with_capacity(256),
        stats: &mut stats,
    };
    let mut path = PathBuf::new();
    for i in 0..notes {
        r.render(i);
        path.clear();
        path.push(dir);
        let note = &plan.notes[i];
        let folder = &plan.folders[note.folder as usize];
        if !folder.path.is_empty() {
            path.push(&folder.path);
        }
        path.push(format!("{}.md", note.name));
        fs::write(&path, r.out.as_bytes())?;
        r.stats.bytes += r.out.len() as u64;
    }
    Ok(stats)
}

// ---------------------------------------------------------------------------
// Pseudo-random numbers: splitmix64.

struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() as u128 * n as u128) >> 64) as usize
    }
    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }
}

/// A seed for sub-stream `k` of `seed`.
fn sub_seed(seed: u64, k: u64) -> u64 {
    Rng::new(seed ^ k.wrapping_mul(0xD1B5_4A32_D192_ED03)).next_u64()
}

// ---------------------------------------------------------------------------
// Word lists.

const WORDS: &[&str] = &[
    "the",
    "a",
    "of",
    "and",
    "to",
    "in",
    "is",
    "it",
    "that",
    "for",
    "on",
    "with",
    "as",
    "this",
    "we",
    "be",
    "at",
    "by",
    "not",
    "or",
    "from",
    "but",
    "all",
    "about",
    "more",
    "when",
    "then",
    "note",
    "idea",
    "plan",
    "project",
    "meeting",
    "review",
    "draft",
    "garden",
    "link",
    "graph",
    "vault",
    "book",
    "chapter",
    "reading",
    "writing",
    "research",
    "summary",
    "question",
    "answer",
    "system",
    "process",
    "habit",
    "health",
    "sleep",
    "energy",
    "focus",
    "budget",
    "travel",
    "recipe",
    "coffee",
    "morning",
    "evening",
    "weekly",
    "daily",
    "team",
    "client",
    "design",
    "sketch",
    "prototype",
    "release",
    "feedback",
    "metric",
    "goal",
    "outcome",
    "risk",
    "decision",
    "context",
    "source",
    "quote",
    "concept",
    "model",
    "theory",
    "practice",
    "example",
    "pattern",
    "problem",
    "solution",
    "experiment",
    "result",
    "method",
    "data",
    "analysis",
    "insight",
    "memory",
    "learning",
    "teaching",
    "course",
    "lecture",
    "paper",
    "article",
    "podcast",
    "interview",
    "friend",
    "family",
    "garden",
    "walk",
    "run",
    "train",
    "city",
    "river",
    "mountain",
    "forest",
    "ocean",
    "winter",
    "summer",
    "spring",
    "autumn",
    "simple",
    "complex",
    "quick",
    "slow",
    "better",
    "worse",
    "important",
    "useful",
    "open",
    "closed",
    "new",
    "old",
    "small",
    "large",
    "early",
    "late",
    "clear",
    "vague",
    "strong",
    "weak",
    "remember",
    "consider",
    "explore",
    "connect",
    "collect",
    "organize",
    "refactor",
    "measure",
    "compare",
    "build",
    "ship",
    "write",
    "read",
    "think",
    "discuss",
    "decide",
    "follow",
    "improve",
    "start",
    "finish",
    "because",
    "although",
    "maybe",
    "perhaps",
    "really",
    "often",
    "rarely",
    "always",
    "never",
    "again",
    "later",
    "today",
    "tomorrow",
    "yesterday",
    "here",
    "there",
    "every",
    "some",
    "many",
    "few",
    "other",
    "same",
    "next",
    "last",
    "first",
    "second",
    "third",
];

const ACCENTED: &[&str] = &[
    "café",
    "naïve",
    "résumé",
    "über",
    "jalapeño",
    "façade",
    "crème",
    "brûlée",
    "señor",
    "Zürich",
    "Müller",
    "mañana",
    "fiancé",
    "soirée",
    "élan",
    "piñata",
    "Ångström",
    "smörgåsbord",
    "Łódź",
    "Dvořák",
    "déjà",
    "été",
    "où",
    "Köln",
    "Málaga",
    "Gödel",
    "Poincaré",
    "Søren",
    "façon",
    "Schrödinger",
    "niño",
    "año",
    "Göteborg",
    "Besançon",
    "forêt",
    "rêve",
    "cœur",
    "Straße",
];

const CJK: &[&str] = &[
    "笔记",
    "项目",
    "会议",
    "读书",
    "日记",
    "东京",
    "学习",
    "思考",
    "计划",
    "设计",
    "数据",
    "写作",
    "研究",
    "知识",
    "图书馆",
    "今日",
    "仕事",
    "勉強",
    "考え",
    "메모",
    "회의",
    "생각",
    "花园",
    "链接",
    "总结",
    "问题",
    "方法",
    "结果",
    "习惯",
    "健康",
    "睡眠",
    "旅行",
    "料理",
    "音楽",
    "映画",
    "散歩",
];

const EMOJI: &[&str] = &[
    "🌱", "🚀", "📚", "✅", "🔥", "💡", "🧠", "🎯", "⭐", "🍅", "🎉", "🤔", "👍", "📝", "🐛", "🌲",
];

const HEADING_WORDS: &[&str] = &[
    "Overview",
    "Summary",
    "Notes",
    "Ideas",
    "Background",
    "Details",
    "Next steps",
    "Open questions",
    "References",
    "Log",
    "Decisions",
    "Tasks",
    "Links",
    "Context",
    "Results",
    "Method",
    "Timeline",
    "Risks",
    "Goals",
    "Highlights",
    "Takeaways",
    "Sources",
    "Glossary",
    "Setup",
    "Usage",
    "Examples",
    "Problems",
    "Solutions",
    "Review",
    "Retrospective",
    "Agenda",
    "Action items",
    "Reading list",
    "Quotes",
    "Questions",
    "Archive",
    "Drafts",
    "Status",
];

const TAGS: &[&str] = &[
    "project",
    "idea",
    "todo",
    "meeting",
    "book",
    "reading",
    "review",
    "draft",
    "important",
    "personal",
    "work",
    "research",
    "inbox",
    "someday",
    "journal",
    "recipe",
    "travel",
    "area/health",
    "area/health/sleep",
    "area/finance",
    "area/work/team",
    "project/alpha",
    "project/beta/phase-2",
    "status/active",
    "status/done",
    "type/person",
    "topic/rust",
    "topic/markdown",
    "2024/q1",
    "lang/français",
    "café",
    "résumé",
    "笔记",
    "読書",
    "🌱",
    "🌲",
    "📚/reading",
    "🚀launch",
    "✅done",
    "evergreen",
    "seedling",
    "to_read",
    "follow-up",
];

const CODE_LANGS: &[&str] = &[
    "", "rust", "python", "js", "markdown", "bash", "yaml", "text",
];

const CODE_SPANS: &[&str] = &[
    "`[[Not A Link]]`",
    "`#notatag`",
    "`cargo build --release`",
    "`x = [1, 2, 3]`",
    "`[[Fake Note|alias]]`",
    "`git commit -m \"wip\"`",
    "`![[not an embed]]`",
    "`#include`",
    "`a | b`",
    "`^notablock`",
];

const TOP_FOLDERS: &[&str] = &[
    "Projects",
    "Areas",
    "Resources",
    "Archive",
    "Journal",
    "People",
    "Meetings",
    "Inbox",
    "Zettelkasten",
    "Références",
    "Reading notes",
    "Côté cuisine",
    "学习笔记",
    "🌱 Garden",
];
const SUB_FOLDERS: &[&str] = &[
    "2019",
    "2020",
    "2021",
    "2022",
    "2023",
    "2024",
    "2025",
    "Alpha",
    "Beta",
    "Gamma",
    "Health",
    "Work",
    "Home",
    "Books",
    "Papers",
    "Talks",
    "Clients",
    "Research",
    "Team",
    "Q1",
    "Q2",
    "Design",
    "Finance",
    "Travel",
    "Garden",
    "Music",
    "Recipes",
    "Ideas",
    "Old stuff",
    "Été",
    "Über uns",
    "Side projects",
    "读书",
    "Courses",
];
const LEAF_FOLDERS: &[&str] = &[
    "Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta", "Drafts", "Sprint 1", "Sprint 2",
    "Sprint 3", "Sprint 4", "Sprint 5", "Weekly", "Notes", "Archive", "Sources", "Client A",
    "Client B", "Hiver", "Señales", "Misc", "Done", "Later", "Reading", "Ops", "Infra", "Écoles",
    "東京", "Backlog", "Support",
];

/// Text that appears inside code and must never be counted; no note has this name.
const NOT_A_LINK: &str = "Not A Link";

// ---------------------------------------------------------------------------
// Plan: everything about the vault except the note texts.

struct Folder {
    /// Relative path with `/` separators; empty for the root.
    path: String,
    comps: Vec<String>,
}

struct Heading {
    text: String,
    level: u8,
    setext: bool,
    closed: bool,
}

struct NotePlan {
    name: String,
    folder: u32,
    /// The base name also exists in another folder: always link with the full path.
    dup: bool,
    target_bytes: u32,
    headings: Vec<Heading>,
    blocks: Vec<[u8; 6]>,
}

struct Plan {
    seed: u64,
    style: Style,
    folders: Vec<Folder>,
    notes: Vec<NotePlan>,
    /// Zipf cumulative weights by rank, and the note at each rank.
    zipf_cdf: Vec<f64>,
    zipf_note: Vec<u32>,
    /// Names that exist nowhere in the vault (targets of broken links).
    missing: Vec<String>,
}

fn title_case(w: &str, out: &mut String) {
    let mut cs = w.chars();
    if let Some(c) = cs.next() {
        out.extend(c.to_uppercase());
        out.push_str(cs.as_str());
    }
}

fn plain_name(rng: &mut Rng, accented: bool) -> String {
    let n = rng.pick(&[1usize, 2, 2, 2, 3, 3, 3, 4]);
    let accent_at = if accented { rng.below(n) } else { usize::MAX };
    let all_caps = rng.chance(0.5);
    let mut s = String::new();
    for k in 0..n {
        if k > 0 {
            s.push(' ');
        }
        let w = if k == accent_at {
            rng.pick(ACCENTED)
        } else {
            rng.pick(&WORDS[27..]) // skip the small function words
        };
        if k == 0 || all_caps {
            title_case(w, &mut s);
        } else {
            s.push_str(w);
        }
    }
    if rng.chance(0.08) {
        s.push(' ');
        s.push_str(&rng.range(1, 99).to_string());
    }
    s
}

fn random_name(rng: &mut Rng) -> String {
    let x = rng.unit();
    if x < 0.02 {
        let e = rng.pick(EMOJI);
        let base = plain_name(rng, false);
        if rng.chance(0.5) {
            format!("{e} {base}")
        } else {
            format!("{base} {e}")
        }
    } else if x < 0.07 {
        let n = rng.range(1, 3);
        let mut s = String::new();
        for _ in 0..n {
            s.push_str(rng.pick(CJK));
        }
        if rng.chance(0.2) {
            s.push(' ');
            title_case(rng.pick(&WORDS[27..]), &mut s);
        }
        s
    } else if x < 0.17 {
        plain_name(rng, true)
    } else {
        plain_name(rng, false)
    }
}

/// A name not yet in `taken` (compared lower-cased); inserts it.
fn unique_name(rng: &mut Rng, taken: &mut HashSet<String>) -> String {
    for _ in 0..20 {
        let n = random_name(rng);
        if taken.insert(n.to_lowercase()) {
            return n;
        }
    }
    let base = random_name(rng);
    let mut k = 2;
    loop {
        let n = format!("{base} {k}");
        if taken.insert(n.to_lowercase()) {
            return n;
        }
        k += 1;
    }
}

/// `a` is a component-wise suffix of `b` (case-insensitively).
fn is_suffix(a: &[String], b: &[String]) -> bool {
    a.len() <= b.len()
        && a.iter()
            .rev()
            .zip(b.iter().rev())
            .all(|(x, y)| x.to_lowercase() == y.to_lowercase())
}

fn days_in_month(m: usize) -> usize {
    [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
}

impl Plan {
    fn new(n: usize, seed: u64, style: Style) -> Plan {
        let mut rng = Rng::new(sub_seed(seed, 1));

        // Folders.
        let mut folders = vec![Folder {
            path: String::new(),
            comps: Vec::new(),
        }];
        let mut seen: HashSet<String> = HashSet::new();
        let want = (n / 40).clamp(8, 3000);
        let mut attempts = 0;
        while folders.len() - 1 < want && attempts < want * 20 {
            attempts += 1;
            let depth = rng.pick(&[1usize, 2, 2, 3, 3]);
            let top = rng.pick(TOP_FOLDERS);
            let mut comps = vec![top.to_string()];
            if depth >= 2 {
                if top == "Journal" {
                    comps.push(rng.range(2019, 2025).to_string());
                } else {
                    comps.push(rng.pick(SUB_FOLDERS).to_string());
                }
            }
            if depth >= 3 {
                if top == "Journal" {
                    comps.push(format!("{:02}", rng.range(1, 12)));
                } else {
                    comps.push(rng.pick(LEAF_FOLDERS).to_string());
                }
            }
            for d in 1..=comps.len() {
                let path = comps[..d].join("/");
                if seen.insert(path.to_lowercase()) {
                    folders.push(Folder {
                        path,
                        comps: comps[..d].to_vec(),
                    });
                }
            }
        }

        // Notes: folder, name, size, headings, blocks.
        let mut taken: HashSet<String> = HashSet::new();
        taken.insert(NOT_A_LINK.to_lowercase());
        taken.insert("not an embed".into());
        taken.insert("fake note".into());
        let mut notes: Vec<NotePlan> = Vec::with_capacity(n);
        for i in 0..n {
            let mut folder = if folders.len() == 1 || rng.chance(0.05) {
                0
            } else {
                rng.range(1, folders.len() - 1)
            };
            let mut dup_of = None;
            if i > 10 && rng.chance(0.01) {
                // Reuse the name of an earlier note, in a folder that is not a
                // suffix of its folder (and vice versa), so `[[full/path/Name]]`
                // is unambiguous.
                for _ in 0..10 {
                    let j = rng.below(i);
                    let fj = notes[j].folder as usize;
                    if notes[j].dup || fj == 0 {
                        continue;
                    }
                    let mut ok = false;
                    for _ in 0..10 {
                        let f = rng.range(1, folders.len() - 1);
                        let (a, b) = (&folders[f].comps, &folders[fj].comps);
                        if !is_suffix(a, b) && !is_suffix(b, a) {
                            folder = f;
                            ok = true;
                            break;
                        }
                    }
                    if ok {
                        dup_of = Some(j);
                        break;
                    }
                }
            }
            let name = if let Some(j) = dup_of {
                notes[j].dup = true;
                notes[j].name.clone()
            } else {
                let comps = &folders[folder].comps;
                let mut name = None;
                if comps.first().map(String::as_str) == Some("Journal") && rng.chance(0.85) {
                    for _ in 0..5 {
                        let y = comps
                            .get(1)
                            .map_or_else(|| rng.range(2019, 2025), |y| y.parse().unwrap());
                        let m = comps
                            .get(2)
                            .map_or_else(|| rng.range(1, 12), |m| m.parse().unwrap());
                        let d = rng.range(1, days_in_month(m));
                        let s = format!("{y:04}-{m:02}-{d:02}");
                        if taken.insert(s.clone()) {
                            name = Some(s);
                            break;
                        }
                    }
                }
                name.unwrap_or_else(|| unique_name(&mut rng, &mut taken))
            };

            // Size: log-uniform-ish between 1 and 10 KB, skewed up (mean ≈ 5 KB).
            let u = rng.unit().powf(0.62);
            let target_bytes = (1000.0 * (u * std::f64::consts::LN_10).exp()) as u32;

            // Headings: an optional H1 title, then one section per ~700 bytes.
            let mut headings = Vec::new();
            let mut heading_seen: HashSet<String> = HashSet::new();
            if rng.chance(0.4) {
                heading_seen.insert(name.to_lowercase());
                headings.push(Heading {
                    text: name.clone(),
                    level: 1,
                    setext: rng.chance(0.1),
                    closed: false,
                });
            }
            let sections = ((target_bytes as usize) / 700).max(1) + rng.below(2);
            let mut level = 2u8;
            for _ in 0..sections {
                let mut text = String::new();
                // Heading texts are unique within a note, so `[[Note#Heading]]`
                // is unambiguous.
                loop {
                    text.clear();
                    text.push_str(rng.pick(HEADING_WORDS));
                    let extra = rng.below(3);
                    for _ in 0..extra {
                        text.push(' ');
                        let x = rng.unit();
                        if x < 0.1 {
                            text.push_str(rng.pick(ACCENTED));
                        } else if x < 0.15 {
                            text.push_str(rng.pick(CJK));
                        } else {
                            text.push_str(rng.pick(&WORDS[27..]));
                        }
                    }
                    if heading_seen.insert(text.to_lowercase()) {
                        break;
                    }
                }
                let setext = level <= 2 && rng.chance(0.05);
                let closed = !setext && rng.chance(0.03);
                headings.push(Heading {
                    text,
                    level,
                    setext,
                    closed,
                });
                level = match level {
                    2 => rng.pick(&[2, 2, 3]),
                    3 => rng.pick(&[2, 3, 3, 4]),
                    _ => rng.pick(&[2, 3, 4]),
                };
            }

            let mut blocks: Vec<[u8; 6]> = Vec::new();
            if rng.chance(0.3) {
                let k = rng.range(1, 4);
                while blocks.len() < k {
                    let mut id = [0u8; 6];
                    for b in &mut id {
                        *b = b"abcdefghijklmnopqrstuvwxyz0123456789"[rng.below(36)];
                    }
                    if !blocks.contains(&id) {
                        blocks.push(id);
                    }
                }
            }

            let dup = dup_of.is_some();
            notes.push(NotePlan {
                name,
                folder: folder as u32,
                dup,
                target_bytes,
                headings,
                blocks,
            });
        }

        // Zipf over a random permutation.
        let mut zipf_note: Vec<u32> = (0..n as u32).collect();
        for k in (1..n).rev() {
            let j = rng.below(k + 1);
            zipf_note.swap(k, j);
        }
        let mut zipf_cdf = Vec::with_capacity(n);
        let mut total = 0.0f64;
        for k in 1..=n {
            total += (-style.zipf_s * (k as f64).ln()).exp();
            zipf_cdf.push(total);
        }

        // Missing names.
        let pool = (n / 20).max(20);
        let missing = (0..pool)
            .map(|_| unique_name(&mut rng, &mut taken))
            .collect();

        Plan {
            seed,
            style,
            folders,
            notes,
            zipf_cdf,
            zipf_note,
            missing,
        }
    }

    fn zipf(&self, rng: &mut Rng) -> usize {
        let total = *self.zipf_cdf.last().unwrap();
        let u = rng.unit() * total;
        let r = self
            .zipf_cdf
            .partition_point(|&c| c <= u)
            .min(self.zipf_cdf.len() - 1);
        self.zipf_note[r] as usize
    }

    /// A link target other than `src`, or `None` when the vault has one note.
    fn target(&self, rng: &mut Rng, src: usize) -> Option<usize> {
        if self.notes.len() < 2 {
            return None;
        }
        for _ in 0..4 {
            let t = self.zipf(rng);
            if t != src {
                return Some(t);
            }
        }
        Some((src + 1) % self.notes.len())
    }
}

// ---------------------------------------------------------------------------
// Rendering of one note.

struct Renderer<'a> {
    plan: &'a Plan,
    rng: Rng,
    src: usize,
    out: String,
    /// Scratch buffer for one prose token.
    tok: String,
    stats: &'a mut GenStats,
}

fn push_block_id(out: &mut String, id: &[u8; 6]) {
    out.push_str(" ^");
    out.push_str(std::str::from_utf8(id).unwrap());
}

fn push_url_path(out: &mut String, s: &str) {
    for c in s.chars() {
        if c == ' ' {
            out.push_str("%20");
        } else {
            out.push(c);
        }
    }
}

impl<'a> Renderer<'a> {
    fn render(&mut self, i: usize) {
        self.src = i;
        self.rng = Rng::new(sub_seed(self.plan.seed, 1_000_003 + i as u64));
        self.out.clear();
        let plan = self.plan;
        let note = &plan.notes[i];
        if self.rng.chance(0.85) {
            self.front_matter();
        }
        let nsec = note.headings.len();
        let first_is_title = note.headings.first().is_some_and(|h| h.level == 1);
        let body_sections = nsec - first_is_title as usize;
        // Section k ends once the note reaches its share of the target size
        // (cumulative, so the overshoot of each section does not add up).
        let body_start = self.out.len();
        let budget = (note.target_bytes as usize).saturating_sub(body_start);
        for (k, h) in note.headings.iter().enumerate() {
            self.heading(h);
            if k == 0 && first_is_title {
                continue;
            }
            let sec_index = k - first_is_title as usize;
            // Blocks are spread over the sections, round-robin.
            let mut pending: Vec<[u8; 6]> = note
                .blocks
                .iter()
                .enumerate()
                .filter(|(b, _)| b % body_sections == sec_index)
                .map(|(_, id)| *id)
                .collect();
            pending.reverse();
            let end = body_start + budget * (sec_index + 1) / body_sections;
            let mut last_was_paragraph = false;
            loop {
                last_was_paragraph = self.unit(&mut pending, last_was_paragraph);
                if self.out.len() >= end {
                    break;
                }
            }
            while let Some(id) = pending.pop() {
                self.paragraph(1, false, Some(id));
            }
        }
        self.stats.headings += nsec;
        self.stats.block_ids += note.blocks.len();
    }

    fn front_matter(&mut self) {
        let plan = self.plan;
        let note = &plan.notes[self.src];
        self.out.push_str("---\n");
        if self.rng.chance(0.6) {
            if note.name.starts_with(|c: char| c.is_ascii_digit()) {
                self.out.push_str(&format!("title: \"{}\"\n", note.name));
            } else {
                self.out.push_str(&format!("title: {}\n", note.name));
            }
        }
        if self.rng.chance(0.5) {
            let n = self.rng.range(1, 3);
            let mut aliases = Vec::with_capacity(n);
            for _ in 0..n {
                let accented = self.rng.chance(0.1);
                aliases.push(plain_name(&mut self.rng, accented));
            }
            if self.rng.chance(0.5) {
                self.out.push_str("aliases:\n");
                for a in &aliases {
                    self.out.push_str(&format!("  - {a}\n"));
                }
            } else {
                self.out
                    .push_str(&format!("aliases: [{}]\n", aliases.join(", ")));
            }
        }
        if self.rng.chance(0.7) {
            let n = self.rng.range(1, 4);
            let tags: Vec<&str> = (0..n).map(|_| self.rng.pick(TAGS)).collect();
            self.stats.tags += n;
            match self.rng.below(3) {
                0 => {
                    self.out.push_str("tags:\n");
                    for t in &tags {
                        self.out.push_str(&format!("  - {t}\n"));
                    }
                }
                1 => self.out.push_str(&format!("tags: [{}]\n", tags.join(", "))),
                _ => self.out.push_str(&format!("tags: {}\n", tags.join(", "))),
            }
        }
        let up = if self.rng.chance(0.3) {
            self.plan.target(&mut self.rng, self.src)
        } else {
            None
        };
        if let Some(t) = up {
            self.out.push_str("up: \"[[");
            self.push_wiki_target(t, 0);
            self.out.push_str("]]\"\n");
            self.stats.frontmatter_links += 1;
        }
        if self.rng.chance(0.5) {
            let (y, m) = (self.rng.range(2019, 2025), self.rng.range(1, 12));
            let d = self.rng.range(1, days_in_month(m));
            self.out
                .push_str(&format!("created: {y:04}-{m:02}-{d:02}\n"));
        }
        if self.rng.chance(0.2) {
            let s = self.rng.pick(&["draft", "active", "done", "evergreen"]);
            self.out.push_str(&format!("status: {s}\n"));
        }
        self.out.push_str("---\n\n");
    }

    fn heading(&mut self, h: &Heading) {
        if h.setext {
            self.out.push_str(&h.text);
            self.out.push('\n');
            let ch = if h.level == 1 { "=" } else { "-" };
            let n = self.rng.range(3, h.text.chars().count().max(3));
            for _ in 0..n {
                self.out.push_str(ch);
            }
            self.out.push_str("\n\n");
        } else {
            for _ in 0..h.level {
                self.out.push('#');
            }
            self.out.push(' ');
            self.out.push_str(&h.text);
            if h.closed {
                self.out.push(' ');
                for _ in 0..h.level {
                    self.out.push('#');
                }
            }
            self.out.push_str("\n\n");
        }
    }

    /// Writes one block-level unit; returns whether it was a plain paragraph.
    fn unit(&mut self, pending: &mut Vec<[u8; 6]>, after_paragraph: bool) -> bool {
        let x = self.rng.unit();
        if x < 0.55 {
            let id = if !pending.is_empty() && self.rng.chance(0.5) {
                pending.pop()
            } else {
                None
            };
            let style = self.plan.style;
            // One draw each whatever the style, so the classic vault keeps its text.
            let wrap = self.rng.chance(0.2) && !style.long_lines;
            let n = if style.long_lines {
                self.rng.range(6, 20)
            } else {
                self.rng.range(1, 5)
            };
            let cjk = if style.international { 0.2 } else { 0.03 };
            if id.is_none() && self.rng.chance(cjk) {
                self.cjk_paragraph();
            } else {
                self.paragraph(n, wrap, id);
            }
            return true;
        } else if x < 0.75 {
            self.list(pending, ListKind::Bullet);
        } else if x < 0.80 {
            self.list(pending, ListKind::Task);
        } else if x < 0.85 {
            self.list(pending, ListKind::Numbered);
        } else if x < 0.89 {
            self.code_block();
        } else if x < 0.92 {
            self.table();
        } else if x < 0.96 {
            self.callout();
        } else if x < 0.97 {
            self.out.push_str(if self.rng.chance(0.5) {
                "---\n\n"
            } else {
                "***\n\n"
            });
        } else if x < 0.98 && after_paragraph {
            // Indented code block (only after a paragraph, never after a list,
            // where it would be a continuation of the last item).
            self.out
                .push_str("    let s = \"[[Not A Link]]\";\n    // #notatag\n\n");
        } else {
            // An embed on its own line.
            self.link(false, true);
            self.out.push_str("\n\n");
        }
        false
    }

    /// One prose token into `self.tok` (cleared first).
    fn token(&mut self, allow_pipe: bool) {
        self.tok.clear();
        let rate = self.plan.style.link_rate;
        let mut x = self.rng.unit();
        let is_link = x < rate;
        if !is_link && rate != Style::CLASSIC.link_rate {
            // The other kinds of token keep their classic shares of the rest.
            let classic = Style::CLASSIC.link_rate;
            x = classic + (x - rate) * (1.0 - classic) / (1.0 - rate);
        }
        if is_link {
            let tok = std::mem::take(&mut self.tok);
            let saved = std::mem::replace(&mut self.out, tok);
            self.link(allow_pipe, false);
            self.tok = std::mem::replace(&mut self.out, saved);
        } else if x < 0.028 {
            self.tok.push('#');
            self.tok.push_str(self.rng.pick(TAGS));
            self.stats.tags += 1;
        } else if x < 0.036 {
            self.tok.push_str(self.rng.pick(CODE_SPANS));
        } else if x < 0.048 {
            self.tok.push_str(self.rng.pick(ACCENTED));
        } else if x < 0.054 {
            self.tok.push_str(self.rng.pick(CJK));
        } else if x < 0.059 {
            self.tok.push_str(self.rng.pick(EMOJI));
        } else if x < 0.079 {
            let w = self.rng.pick(&WORDS[27..]);
            let m = self.rng.pick(&["**", "*", "_", "=="]);
            self.tok.push_str(m);
            self.tok.push_str(w);
            self.tok.push_str(m);
        } else if x < 0.082 {
            let page = self.rng.pick(&WORDS[27..]);
            if self.rng.chance(0.5) {
                self.tok.push_str(&format!(
                    "[{page} docs](https://example.com/{page}#section-2)"
                ));
            } else {
                self.tok
                    .push_str(&format!("https://example.org/wiki/{page}#History"));
            }
        } else if x < 0.083 {
            self.tok.push_str(
                self.rng
                    .pick(&["issue #42", "C# and F#", "#1", "no#tag", "a # b"]),
            );
        } else if self.plan.style.international {
            let y = self.rng.unit();
            let pool = if y < 0.2 {
                ACCENTED
            } else if y < 0.3 {
                CJK
            } else {
                WORDS
            };
            self.tok.push_str(self.rng.pick(pool));
        } else {
            self.tok.push_str(self.rng.pick(WORDS));
        }
    }

    /// A sentence of tokens appended to `out`, wrapping lines at ~80 columns if
    /// `wrap`; `col` is the current column (bytes).
    fn sentence(&mut self, wrap: bool, col: &mut usize, allow_pipe: bool, first: bool) {
        let n = self.rng.range(5, 18);
        for k in 0..n {
            self.token(allow_pipe);
            if !(first && k == 0) {
                if wrap && *col + 1 + self.tok.len() > 80 {
                    self.out.push('\n');
                    *col = 0;
                } else {
                    self.out.push(' ');
                    *col += 1;
                }
            }
            if k == 0 && self.tok.as_bytes()[0].is_ascii_lowercase() {
                let c = self.tok.as_bytes()[0].to_ascii_uppercase() as char;
                self.out.push(c);
                self.out.push_str(&self.tok[1..]);
            } else {
                self.out.push_str(&self.tok);
            }
            *col += self.tok.len();
            if k + 1 < n && self.rng.chance(0.05) {
                self.out.push(',');
            }
        }
        let end = self.rng.pick(&[".", ".", ".", ".", "?", "!"]);
        self.out.push_str(end);
        *col += 1;
    }

    fn paragraph(&mut self, sentences: usize, wrap: bool, id: Option<[u8; 6]>) {
        let mut col = 0;
        for s in 0..sentences {
            self.sentence(wrap, &mut col, true, s == 0);
        }
        if let Some(id) = id {
            push_block_id(&mut self.out, &id);
        }
        self.out.push_str("\n\n");
    }

    /// Prose without spaces, as in Chinese or Japanese text.
    fn cjk_paragraph(&mut self) {
        let n = self.rng.range(8, 30);
        for _ in 0..n {
            if self.rng.chance(0.06) {
                self.link(true, false);
            } else {
                self.out.push_str(self.rng.pick(CJK));
            }
            if self.rng.chance(0.1) {
                self.out.push('，');
            }
        }
        self.out.push('。');
        if self.rng.chance(0.3) {
            // A tag needs a space before it.
            self.out.push_str(" #");
            self.out
                .push_str(self.rng.pick(&["笔记", "読書", "project"]));
            self.stats.tags += 1;
        }
        self.out.push_str("\n\n");
    }

    fn list(&mut self, pending: &mut Vec<[u8; 6]>, kind: ListKind) {
        let n = self.rng.range(2, 7);
        let indent = if self.rng.chance(0.8) { "  " } else { "\t" };
        let bullet = self.rng.pick(&["-", "-", "-", "*", "+"]);
        let mut depth = 0usize;
        let mut number = [1usize; 4];
        for _ in 0..n {
            for _ in 0..depth {
                self.out.push_str(indent);
                if kind == ListKind::Numbered && indent != "\t" {
                    self.out.push(' '); // numbered items need 3 columns of indent
                }
            }
            match kind {
                ListKind::Bullet => {
                    self.out.push_str(bullet);
                    self.out.push(' ');
                }
                ListKind::Task => {
                    self.out.push_str(if self.rng.chance(0.4) {
                        "- [x] "
                    } else {
                        "- [ ] "
                    });
                }
                ListKind::Numbered => {
                    self.out.push_str(&format!("{}. ", number[depth]));
                    number[depth] += 1;
                }
            }
            let words = self.rng.range(2, 12);
            for k in 0..words {
                if k > 0 {
                    self.out.push(' ');
                }
                self.token(true);
                self.out.push_str(&self.tok);
            }
            if !pending.is_empty() && self.rng.chance(0.3) {
                let id = pending.pop().unwrap();
                push_block_id(&mut self.out, &id);
            }
            self.out.push('\n');
            depth = match depth {
                0 => self.rng.pick(&[0, 0, 1]),
                d if d < 3 => self.rng.pick(&[d - 1, d, d, d + 1]),
                d => d - 1,
            };
            for n in number.iter_mut().skip(depth + 1) {
                *n = 1; // a new sub-list starts again at 1
            }
        }
        self.out.push('\n');
    }

    fn code_block(&mut self) {
        let fence = if self.rng.chance(0.85) { "```" } else { "~~~" };
        let lang = self.rng.pick(CODE_LANGS);
        self.out.push_str(fence);
        self.out.push_str(lang);
        self.out.push('\n');
        let n = self.rng.range(1, 6);
        let fake_at = self.rng.below(n + 1);
        for k in 0..=n {
            if k == fake_at {
                self.out.push_str(match lang {
                    "python" | "bash" | "yaml" => "# see [[Not A Link]] and #notatag\n",
                    "markdown" | "text" | "" => {
                        "Write [[Not A Link]] or ![[Not A Link]] and tag it #notatag ^notablock\n"
                    }
                    _ => "// see [[Not A Link]] and #notatag\n",
                });
            } else {
                let w = self.rng.pick(&WORDS[27..]);
                let line = match self.rng.below(4) {
                    0 => format!("let {w} = compute(\"{w}\");\n"),
                    1 => format!("{w}: [1, 2, 3]\n"),
                    2 => format!("    if {w} > 0 {{ return {w}; }}\n"),
                    _ => format!("print({w}[0]) # {w}\n"),
                };
                self.out.push_str(&line);
            }
        }
        self.out.push_str(fence);
        self.out.push_str("\n\n");
    }

    fn table(&mut self) {
        let cols = self.rng.range(2, 4);
        let rows = self.rng.range(2, 6);
        self.out.push('|');
        for _ in 0..cols {
            self.out.push(' ');
            title_case(self.rng.pick(HEADING_WORDS), &mut self.out);
            self.out.push_str(" |");
        }
        self.out.push_str("\n|");
        for _ in 0..cols {
            self.out.push_str(" --- |");
        }
        self.out.push('\n');
        for _ in 0..rows {
            self.out.push('|');
            for _ in 0..cols {
                self.out.push(' ');
                let x = self.rng.unit();
                if x < 0.25 {
                    // No `|` inside table cells: links without alias text.
                    self.link(false, false);
                } else if x < 0.3 {
                    self.out.push('#');
                    self.out.push_str(self.rng.pick(TAGS));
                    self.stats.tags += 1;
                } else if x < 0.5 {
                    let v = self.rng.below(1000);
                    self.out.push_str(&v.to_string());
                } else {
                    let words = self.rng.range(1, 3);
                    for k in 0..words {
                        if k > 0 {
                            self.out.push(' ');
                        }
                        self.out.push_str(self.rng.pick(WORDS));
                    }
                }
                self.out.push_str(" |");
            }
            self.out.push('\n');
        }
        self.out.push('\n');
    }

    fn callout(&mut self) {
        if self.rng.chance(0.7) {
            let kind = self
                .rng
                .pick(&["note", "tip", "warning", "info", "quote", "todo"]);
            self.out.push_str(&format!("> [!{kind}] "));
            title_case(self.rng.pick(HEADING_WORDS), &mut self.out);
            self.out.push('\n');
        }
        let lines = self.rng.range(1, 3);
        for _ in 0..lines {
            self.out.push_str("> ");
            let mut col = 2;
            self.sentence(false, &mut col, true, true);
            self.out.push('\n');
        }
        self.out.push('\n');
    }

    // --- links -------------------------------------------------------------

    /// Writes the wiki-link target (name, with folders when needed or wanted).
    /// `extra_folders`: how many trailing folder components to add for notes
    /// whose name is unique (duplicated names always get the full path).
    fn push_wiki_target(&mut self, t: usize, extra_folders: usize) {
        let plan = self.plan;
        let note = &plan.notes[t];
        let comps = &plan.folders[note.folder as usize].comps;
        let k = if note.dup {
            comps.len()
        } else {
            extra_folders.min(comps.len())
        };
        for c in &comps[comps.len() - k..] {
            self.out.push_str(c);
            self.out.push('/');
        }
        self.out.push_str(&note.name);
    }

    fn push_alias(&mut self) {
        let n = self.rng.range(1, 3);
        for k in 0..n {
            if k > 0 {
                self.out.push(' ');
            }
            let w = if self.rng.chance(0.1) {
                self.rng.pick(ACCENTED)
            } else {
                self.rng.pick(&WORDS[27..])
            };
            self.out.push_str(w);
        }
    }

    /// Relative path from the source note's folder to note `t`'s file.
    fn rel_path(&self, t: usize) -> String {
        let from = &self.plan.folders[self.plan.notes[self.src].folder as usize].comps;
        let note = &self.plan.notes[t];
        let to = &self.plan.folders[note.folder as usize].comps;
        let common = from
            .iter()
            .zip(to.iter())
            .take_while(|(a, b)| a == b)
            .count();
        let mut s = String::new();
        for _ in common..from.len() {
            s.push_str("../");
        }
        for c in &to[common..] {
            s.push_str(c);
            s.push('/');
        }
        s.push_str(&note.name);
        s.push_str(".md");
        s
    }

    fn push_md_link(&mut self, path: &str, angle: bool) {
        self.out.push('[');
        self.push_alias();
        self.out.push_str("](");
        if angle {
            self.out.push('<');
            self.out.push_str(path);
            self.out.push('>');
        } else {
            push_url_path(&mut self.out, path);
        }
        self.out.push(')');
    }

    /// Writes one internal link into `out` and counts it. `embed` forces `![[..]]`.
    fn link(&mut self, allow_pipe: bool, embed: bool) {
        self.stats.links += 1;
        let target = self.plan.target(&mut self.rng, self.src);
        let target = match target {
            Some(t) if !self.rng.chance(0.05) => t,
            _ => return self.broken_link(allow_pipe, embed),
        };
        let plan = self.plan;
        let note = &plan.notes[target];
        let x = if embed { 0.0 } else { self.rng.unit() };
        if x < 0.05 {
            // Embed, sometimes of a section.
            self.out.push_str("![[");
            self.push_wiki_target(target, 0);
            if !note.headings.is_empty() && self.rng.chance(0.2) {
                self.out.push('#');
                let h = self.rng.below(note.headings.len());
                self.out.push_str(&note.headings[h].text);
            }
            self.out.push_str("]]");
        } else if x < 0.45 {
            self.out.push_str("[[");
            if !note.dup && self.rng.chance(0.02) {
                let lower = note.name.to_lowercase();
                self.out.push_str(&lower);
            } else {
                self.push_wiki_target(target, 0);
            }
            self.out.push_str("]]");
        } else if x < 0.60 {
            self.out.push_str("[[");
            self.push_wiki_target(target, 0);
            if allow_pipe {
                self.out.push('|');
                self.push_alias();
            }
            self.out.push_str("]]");
        } else if x < 0.70 && !note.headings.is_empty() {
            self.out.push_str("[[");
            self.push_wiki_target(target, 0);
            self.out.push('#');
            let h = self.rng.below(note.headings.len());
            self.out.push_str(&note.headings[h].text);
            if allow_pipe && self.rng.chance(0.3) {
                self.out.push('|');
                self.push_alias();
            }
            self.out.push_str("]]");
        } else if x < 0.75 && !note.blocks.is_empty() {
            self.out.push_str("[[");
            self.push_wiki_target(target, 0);
            self.out.push_str("#^");
            let b = self.rng.below(note.blocks.len());
            self.out
                .push_str(std::str::from_utf8(&note.blocks[b]).unwrap());
            self.out.push_str("]]");
        } else if x < 0.83 {
            self.out.push_str("[[");
            let depth = self.rng.range(1, 3);
            self.push_wiki_target(target, depth);
            self.out.push_str("]]");
        } else if x < 0.93 {
            let p = self.rel_path(target);
            let p = if !p.contains('/') && self.rng.chance(0.3) {
                format!("./{p}")
            } else {
                p
            };
            self.push_md_link(&p, false);
        } else {
            let p = self.rel_path(target);
            self.push_md_link(&p, true);
        }
    }

    fn broken_link(&mut self, allow_pipe: bool, embed: bool) {
        self.stats.broken_links += 1;
        let name = self.plan.missing[self.rng.below(self.plan.missing.len())].clone();
        let x = if embed { 0.0 } else { self.rng.unit() };
        if x < 0.05 {
            self.out.push_str(&format!("![[{name}]]"));
        } else if x < 0.65 {
            self.out.push_str(&format!("[[{name}]]"));
        } else if x < 0.80 {
            self.out.push_str("[[");
            self.out.push_str(&name);
            if allow_pipe {
                self.out.push('|');
                self.push_alias();
            }
            self.out.push_str("]]");
        } else if x < 0.85 {
            self.out.push_str(&format!("[[{name}#Overview]]"));
        } else {
            let p = format!("{name}.md");
            let angle = self.rng.chance(0.3);
            self.push_md_link(&p, angle);
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ListKind {
    Bullet,
    Task,
    Numbered,
}
