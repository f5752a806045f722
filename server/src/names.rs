//! How names compare: note names, paths, headings, tags and block ids.
//!
//! Obsidian compares link targets case-insensitively; we do it after Unicode
//! NFC so that a name typed on macOS (often NFD) matches one typed elsewhere.

use std::sync::{LazyLock, OnceLock};

use unicode_normalization::{UnicodeNormalization, is_nfc_quick};

/// An interned string: link targets, subpaths, tags and block ids repeat
/// across thousands of notes, so each is stored once and facts hold 4 bytes.
/// The table only grows (it keeps what was typed and later deleted); that is
/// bounded by what a person writes in a session.
/// Kept as its id plus one, so that an `Option<Sym>` is 4 bytes too (a link
/// has two; there are millions of links in a large vault).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sym(std::num::NonZeroU32);

/// Strings by id in chunks that never move, so reading needs no lock: every
/// fact access resolves symbols, from all cores at once.
struct Interner {
    ids: dashmap::DashMap<&'static str, u32, rustc_hash::FxBuildHasher>,
    /// Chunk `k` holds ids `BASE·(2^k − 1) .. BASE·(2^(k+1) − 1)`.
    chunks: [OnceLock<Box<[OnceLock<&'static str>]>>; CHUNKS],
    next: std::sync::Mutex<u32>,
}

const BASE: u32 = 1024;
const CHUNKS: usize = 22;

fn slot(id: u32) -> (usize, usize) {
    let n = id / BASE + 1;
    let chunk = (31 - n.leading_zeros()) as usize;
    let first = BASE * ((1 << chunk) - 1);
    (chunk, (id - first) as usize)
}

static SYMBOLS: LazyLock<Interner> = LazyLock::new(|| Interner {
    ids: dashmap::DashMap::with_hasher(Default::default()),
    chunks: std::array::from_fn(|_| OnceLock::new()),
    next: std::sync::Mutex::new(0),
});

impl Sym {
    fn of(id: u32) -> Sym {
        Sym(std::num::NonZeroU32::MIN.saturating_add(id))
    }

    fn id(self) -> u32 {
        self.0.get() - 1
    }

    pub fn new(s: &str) -> Sym {
        let table = &*SYMBOLS;
        if let Some(id) = table.ids.get(s) {
            return Sym::of(*id);
        }
        let mut next = table.next.lock().unwrap_or_else(|e| e.into_inner());
        // Another thread may have added it while we waited.
        if let Some(id) = table.ids.get(s) {
            return Sym::of(*id);
        }
        let id = *next;
        *next += 1;
        let (chunk, index) = slot(id);
        let leaked: &'static str = Box::leak(s.into());
        let cells = table.chunks[chunk].get_or_init(|| {
            (0..(BASE as usize) << chunk)
                .map(|_| OnceLock::new())
                .collect()
        });
        let _ = cells[index].set(leaked);
        table.ids.insert(leaked, id);
        Sym::of(id)
    }

    /// The symbols of many strings at once (a table read back from disk):
    /// one lock and one allocation for the strings new here, instead of
    /// one of each per string.
    pub fn new_all(strings: &[&str]) -> Vec<Sym> {
        let table = &*SYMBOLS;
        let mut next = table.next.lock().unwrap_or_else(|e| e.into_inner());
        let mut text = String::with_capacity(strings.iter().map(|s| s.len()).sum());
        let mut spans = Vec::with_capacity(strings.len());
        for s in strings {
            match table.ids.get(*s) {
                Some(id) => spans.push(Err(Sym::of(*id))),
                None => {
                    spans.push(Ok(text.len()..text.len() + s.len()));
                    text.push_str(s);
                }
            }
        }
        let text: &'static str = Box::leak(text.into_boxed_str());
        spans
            .into_iter()
            .map(|span| match span {
                Err(sym) => sym,
                Ok(range) => {
                    let s = &text[range];
                    // The same string twice in `strings`: the first one's id.
                    if let Some(id) = table.ids.get(s) {
                        return Sym::of(*id);
                    }
                    let id = *next;
                    *next += 1;
                    let (chunk, index) = slot(id);
                    let cells = table.chunks[chunk].get_or_init(|| {
                        (0..(BASE as usize) << chunk)
                            .map(|_| OnceLock::new())
                            .collect()
                    });
                    let _ = cells[index].set(s);
                    table.ids.insert(s, id);
                    Sym::of(id)
                }
            })
            .collect()
    }

    /// The symbol of `s` if it was ever interned: lookups never grow the table.
    pub fn lookup(s: &str) -> Option<Sym> {
        SYMBOLS.ids.get(s).map(|id| Sym::of(*id))
    }

    pub fn as_str(&self) -> &'static str {
        let (chunk, index) = slot(self.id());
        SYMBOLS.chunks[chunk]
            .get()
            .and_then(|cells| cells[index].get())
            .expect("symbols are only made by Sym::new")
    }
}

impl std::ops::Deref for Sym {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Debug for Sym {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for Sym {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A symbol is written as its id in the writing process, which means
/// nothing elsewhere: whoever writes symbols also writes [`Sym::table`],
/// and whoever reads them reads inside [`Sym::reading`] with that table
/// interned again (the facts cache does both).
impl serde::Serialize for Sym {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u32(self.id())
    }
}

impl<'de> serde::Deserialize<'de> for Sym {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Sym, D::Error> {
        let id = u32::deserialize(d)?;
        READING
            .with_borrow(|t| t.as_ref().and_then(|t| t.get(id as usize).copied()))
            .ok_or_else(|| serde::de::Error::custom(format!("unknown symbol {id}")))
    }
}

thread_local! {
    /// The table [`Sym::reading`] decodes with on this thread.
    static READING: std::cell::RefCell<Option<std::sync::Arc<[Sym]>>> =
        const { std::cell::RefCell::new(None) };
}

impl Sym {
    /// Every string interned so far, by id: what a reader of serialized
    /// symbols needs ([`Sym::reading`]).
    pub fn table() -> Vec<&'static str> {
        let n = *SYMBOLS.next.lock().unwrap_or_else(|e| e.into_inner());
        (0..n).map(|id| Sym::of(id).as_str()).collect()
    }

    /// Runs `f`, in which a symbol deserializes as `table[id]` (the symbols
    /// of a [`Sym::table`] written elsewhere, interned here again).
    pub fn reading<R>(table: &std::sync::Arc<[Sym]>, f: impl FnOnce() -> R) -> R {
        struct Reset(Option<std::sync::Arc<[Sym]>>);
        impl Drop for Reset {
            fn drop(&mut self) {
                READING.set(self.0.take());
            }
        }
        let _reset = Reset(READING.replace(Some(table.clone())));
        f()
    }
}

impl From<&str> for Sym {
    fn from(s: &str) -> Sym {
        Sym::new(s)
    }
}

/// The comparison key of a name or path: NFC, then lowercased.
pub fn fold(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    let nfc: String = match is_nfc_quick(s.chars()) {
        unicode_normalization::IsNormalized::Yes => s.to_owned(),
        _ => s.nfc().collect(),
    };
    nfc.to_lowercase()
}

/// Characters Obsidian cannot keep in a heading link; it writes spaces
/// instead, so `## Q: why?` is linked as `[[Note#Q why?]]`.
const HEADING_LINK_SEPARATORS: &[char] = &['#', '|', '^', ':', '%', '[', ']', '\\'];

/// Key for matching `#Heading` subpaths against heading text.
pub fn heading_key(s: &str) -> String {
    fold(&heading_link_text(s))
}

/// A heading as a wiki-link writes it (`## Q: why?` → `Q why?`): the
/// characters a link cannot hold become spaces, runs of spaces one.
pub fn heading_link_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s
        .split(|c: char| c.is_whitespace() || HEADING_LINK_SEPARATORS.contains(&c))
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// `heading_key(a) == heading_key(b)`, without allocating: the common case
/// when resolving thousands of `#Heading` links.
pub fn heading_key_eq(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        fn words(s: &str) -> impl Iterator<Item = &str> {
            s.split(|c: char| c.is_whitespace() || HEADING_LINK_SEPARATORS.contains(&c))
                .filter(|w| !w.is_empty())
        }
        let mut wa = words(a);
        let mut wb = words(b);
        loop {
            match (wa.next(), wb.next()) {
                (None, None) => return true,
                (Some(x), Some(y)) if x.eq_ignore_ascii_case(y) => {}
                _ => return false,
            }
        }
    }
    heading_key(a) == heading_key(b)
}

/// The characters that start a word of `s`: the first, and each one after
/// a character that is not a letter or digit. A completion query of one or
/// two letters must match one of them.
pub fn word_starts(s: &str) -> impl Iterator<Item = char> + '_ {
    let mut at_start = true;
    s.chars().filter(move |&ch| {
        let start = at_start;
        at_start = !ch.is_alphanumeric();
        start
    })
}

/// The bit of [`initials_mask`] that stands for every word start that is
/// not ASCII: its case folding is not in the mask, so it must be checked.
pub const NON_ASCII_INITIAL: u64 = 1 << 63;

/// The ASCII letters and digits that start a word of `s` (see
/// [`word_starts`]) as [`char_mask`] bits, lowercased, plus
/// [`NON_ASCII_INITIAL`] if a word starts with any other character: a
/// quick "no word starts with this letter" test that is never wrong.
pub fn initials_mask(s: &str) -> u64 {
    word_starts(s).fold(0, |mask, ch| {
        if ch.is_ascii() {
            mask | ascii_bit(ch).unwrap_or(0)
        } else {
            mask | NON_ASCII_INITIAL
        }
    })
}

/// The [`char_mask`] bit of an ASCII letter or digit, either case.
pub fn ascii_bit(c: char) -> Option<u64> {
    match c.to_ascii_lowercase() {
        c @ 'a'..='z' => Some(1 << (c as u32 - 'a' as u32)),
        c @ '0'..='9' => Some(1 << (26 + c as u32 - '0' as u32)),
        _ => None,
    }
}

/// The letters and digits of `s` as bits (case and accents ignored), for a
/// quick "cannot match" test before fuzzy scoring. `None` when `s` holds a
/// letter or digit that does not fold to ASCII (then no test is safe).
pub fn char_mask(s: &str) -> Option<u64> {
    let mut mask = 0u64;
    for c in s.chars() {
        let base = if c.is_ascii() {
            c
        } else {
            let mut first = None;
            unicode_normalization::char::decompose_canonical(c, |d| {
                first.get_or_insert(d);
            });
            first.unwrap_or(c)
        };
        match ascii_bit(base) {
            Some(bit) => mask |= bit,
            None if base.is_alphanumeric() => return None,
            None => {}
        }
    }
    Some(mask)
}

/// GitHub-style heading slug, the fragment markdown links use: lowercase,
/// punctuation dropped, spaces turned into `-`.
pub fn slug(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in fold(s.trim()).chars() {
        if c.is_alphanumeric() || c == '-' || c == '_' {
            out.push(c);
        } else if c == ' ' {
            out.push('-');
        }
    }
    out
}

/// The file name without its `.md` extension: what `[[name]]` matches.
pub fn note_stem(path: &str) -> &str {
    let name = file_name(path);
    strip_md(name)
}

pub fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// `path` without a trailing `.md` (any case).
pub fn strip_md(path: &str) -> &str {
    let n = path.len();
    if n >= 3 && path.is_char_boundary(n - 3) && path[n - 3..].eq_ignore_ascii_case(".md") {
        &path[..n - 3]
    } else {
        path
    }
}

/// Whether the last path component has an extension other than `.md`
/// (`image.png`, `paper.pdf`, `Board.base`): such a link names an attachment.
pub fn has_other_extension(path: &str) -> bool {
    let name = file_name(path);
    match name.rfind('.') {
        Some(dot) if dot > 0 => {
            let ext = &name[dot + 1..];
            !ext.is_empty()
                && ext.len() <= 8
                && ext.chars().all(|c| c.is_ascii_alphanumeric())
                && !ext.chars().all(|c| c.is_ascii_digit())
                && !ext.eq_ignore_ascii_case("md")
        }
        _ => false,
    }
}

/// Joins a relative path onto a folder, resolving `.` and `..`.
/// `None` when the path climbs out of the vault.
pub fn join_relative(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in rel.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// The vault path a link's `target` names, written in the note at `from`:
/// relative to that note's folder for Markdown links and `./`, `../`
/// wiki paths, from the root for other wiki paths. `None` when it climbs
/// out of the vault.
pub fn link_path(from: &str, target: &str, wiki: bool) -> Option<String> {
    let relative = !wiki || target.starts_with("./") || target.starts_with("../");
    join_relative(if relative { parent(from) } else { "" }, target)
}

/// `to` (vault-relative) as a path relative to the folder `dir`, with `../`
/// as needed. The one relative-path rule: completion, renames and fixes.
pub fn relative_path(dir: &str, to: &str) -> String {
    let from: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    let to_parts: Vec<&str> = to.split('/').collect();
    let common = from
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count()
        .min(to_parts.len() - 1);
    let mut out: Vec<&str> = vec![".."; from.len() - common];
    out.extend(&to_parts[common..]);
    out.join("/")
}

/// What [`encode_md_path`] does with non-ASCII characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum NonAscii {
    /// Left readable (`日本語.md`); only whitespace is encoded.
    Readable,
    /// Percent-encoded, as some links are written.
    Encoded,
}

impl NonAscii {
    /// As the link destination `raw` (as written) does it.
    pub fn as_in(raw: &str) -> NonAscii {
        let encoded = raw.as_bytes().windows(3).any(|w| {
            w[0] == b'%'
                && u8::from_str_radix(std::str::from_utf8(&w[1..]).unwrap_or("00"), 16)
                    .is_ok_and(|b| b >= 0x80)
        });
        if encoded {
            NonAscii::Encoded
        } else {
            NonAscii::Readable
        }
    }
}

/// How a markdown link destination is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Destination {
    /// `](a%20b.md)`
    Bare(NonAscii),
    /// `](<a b.md>)`: spaces and non-ASCII stay readable.
    Angle,
}

impl Destination {
    /// As the destination whose path part `raw` starts at byte `start` of
    /// `text` is written: in `<…>` or bare, non-ASCII encoded or not.
    pub fn as_written(text: &str, start: usize, raw: &str) -> Destination {
        if start > 0 && text.as_bytes().get(start - 1) == Some(&b'<') {
            Destination::Angle
        } else {
            Destination::Bare(NonAscii::as_in(raw))
        }
    }
}

/// A path as a markdown link destination: percent-encodes what cannot stand
/// there as is, so the link reads back as exactly `path` — bare: space,
/// `%`, `#`, `?`, brackets, parentheses, `<>`, …; in angle brackets: `%`,
/// `#`, `?`, `<`, `>` and line breaks. The one path encoder: completion,
/// renames and fixes.
pub fn encode_md_path(path: &str, form: Destination) -> String {
    let non_ascii = match form {
        Destination::Bare(n) => n,
        Destination::Angle => NonAscii::Readable,
    };
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        let angle_special = c.is_ascii_control() || matches!(c, '%' | '#' | '?' | '<' | '>');
        let bare_special = c.is_ascii()
            && (c.is_ascii_control()
                || matches!(
                    c,
                    ' ' | '%'
                        | '('
                        | ')'
                        | '<'
                        | '>'
                        | '['
                        | ']'
                        | '\\'
                        | '`'
                        | '"'
                        | '#'
                        | '?'
                        | '|'
                        | '^'
                ));
        let special = match form {
            Destination::Bare(_) => bare_special,
            Destination::Angle => angle_special,
        };
        let encode_other = !c.is_ascii() && (non_ascii == NonAscii::Encoded || c.is_whitespace());
        if special || encode_other {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out += &format!("%{b:02X}");
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether a vault path can be written as a wiki-link target: `#` and `|`
/// would cut it (wiki links have no escapes; Obsidian forbids both in names).
pub fn wiki_writable(path: &str) -> bool {
    !path.contains(['#', '|']) && !path.contains("]]") && !path.contains("[[")
}

/// Folder part of a vault-relative path (`""` at the root).
pub fn parent(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_is_case_and_normalisation_insensitive() {
        assert_eq!(fold("Café"), fold("CAFE\u{301}"));
        assert_eq!(fold("ПРИВЕТ"), "привет");
    }

    #[test]
    fn heading_keys_ignore_link_separators() {
        assert_eq!(heading_key("Q: why?"), heading_key("q  why?"));
        assert_eq!(heading_key(" Tags [beta] "), "tags beta");
    }

    #[test]
    fn symbols_round_trip_across_chunks_and_threads() {
        assert_eq!(slot(0), (0, 0));
        assert_eq!(slot(BASE - 1), (0, BASE as usize - 1));
        assert_eq!(slot(BASE), (1, 0));
        assert_eq!(slot(3 * BASE), (2, 0));
        let handles: Vec<_> = (0..4)
            .map(|t| {
                std::thread::spawn(move || {
                    (0..3000)
                        .map(|i| (Sym::new(&format!("s{}", i + t * 1000)), i + t * 1000))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for h in handles {
            for (sym, i) in h.join().unwrap() {
                assert_eq!(sym.as_str(), format!("s{i}"));
                assert_eq!(Sym::lookup(&format!("s{i}")), Some(sym));
            }
        }
        assert_eq!(Sym::lookup("never interned here"), None);
    }

    #[test]
    fn heading_key_eq_agrees_with_heading_key() {
        for (a, b) in [
            ("Q: why?", "q  why?"),
            ("A b", "a  B"),
            ("A", "AB"),
            ("Ünï", "ÜNÏ"),
            ("x#y", "x y"),
            ("", " "),
        ] {
            assert_eq!(
                heading_key_eq(a, b),
                heading_key(a) == heading_key(b),
                "{a:?} {b:?}"
            );
        }
    }

    #[test]
    fn char_masks_fold_case_and_accents() {
        assert_eq!(char_mask("Éa"), char_mask("ae"));
        assert_eq!(char_mask("A-1"), Some(1 | 1 << 27));
        assert_eq!(char_mask("漢字"), None);
    }

    #[test]
    fn initials_masks_hold_every_word_start() {
        assert_eq!(word_starts("x-ray Été 2b").collect::<String>(), "xrÉ2");
        let mask = initials_mask("X-ray Été 2b");
        for c in ['x', 'R', '2'] {
            assert_ne!(mask & ascii_bit(c).unwrap(), 0, "{c}");
        }
        assert_eq!(mask & ascii_bit('a').unwrap(), 0);
        assert_ne!(mask & NON_ASCII_INITIAL, 0);
        assert_eq!(initials_mask("plain words") & NON_ASCII_INITIAL, 0);
    }

    #[test]
    fn github_slugs() {
        assert_eq!(slug("My Heading!"), "my-heading");
        assert_eq!(slug("Über uns & mehr"), "über-uns--mehr");
        assert_eq!(slug("snake_case-ok"), "snake_case-ok");
    }

    #[test]
    fn extensions_and_paths() {
        assert!(has_other_extension("img.png"));
        assert!(has_other_extension("Albums.base"));
        assert!(!has_other_extension("Release v1.2"));
        assert!(!has_other_extension("Note.md"));
        assert!(!has_other_extension(".hidden"));
        assert_eq!(note_stem("a/b/Note.MD"), "Note");
        assert_eq!(join_relative("a/b", "../c.md").as_deref(), Some("a/c.md"));
        assert_eq!(join_relative("a", "../../c.md"), None);
        assert_eq!(parent("a/b/c.md"), "a/b");
        assert_eq!(parent("c.md"), "");
    }
}
