//! Which texts may hold a link to some names, told from the bytes alone,
//! before (and instead of) parsing: a move needs the facts only of the
//! notes that can link to the names it moves (see `vault::load_for`).
//!
//! A link is filed under its name key: the folded (`names::fold`, NFC then
//! lowercase) file stem of its decoded target. For every name, the filter
//! looks for each of its phrases (runs of ASCII letters, digits and
//! spaces), ASCII case ignored, each space written as itself or as `%20`
//! (markdown links are percent-decoded), and only where the syntax of some
//! link lets a target be (after `[[`, `](` or `]:`, see `in_target`).
//! A link whose key holds a phrase
//! has it in its text, letter for letter, unless one of its letters was
//! written in a way the phrase cannot match; a text holding any such way is
//! let through whatever it says:
//! - percent-encoding of a letter or digit: `%` then a hex digit, except
//!   `%2x`, which only encodes spaces (`%20`, looked for) and punctuation;
//! - an HTML character reference (pulldown-cmark decodes them in link
//!   destinations): `&#…;`, or `&` then a letter (`&fjlig;` is `fj`);
//! - a character outside ASCII that folds to an ASCII letter or digit
//!   ([`FOLDS_TO_ASCII`]: the Kelvin sign folds to `k`, `İ` to `i̇`).
//!
//! Han ideographs count as letters (no other character folds to one but
//! its compatibility form, which lets a text through when a name holds an
//! ideograph); other scripts do not yet.
//!
//! Backslash escapes need no care: only punctuation can be escaped, and a
//! space only as `%20` or a character reference. Names with no such letter
//! (`メモ`) let every text through. The
//! filter may let through texts that link to none of the names (that costs
//! a parse), never the other way round: `tests/mv.rs` compares the plans
//! made with it and with every note parsed.

use aho_corasick::AhoCorasick;

/// The characters outside ASCII whose fold holds an ASCII letter or digit:
/// LATIN CAPITAL LETTER I WITH DOT ABOVE (lowercase `i` and a combining
/// dot) and KELVIN SIGN (NFC makes it `K`). A test folds every Unicode
/// character to keep this list whole.
pub const FOLDS_TO_ASCII: &[char] = &['\u{130}', '\u{212A}'];

/// See the module documentation.
pub struct LinkFilter {
    /// `None` when every text must be let through.
    phrases: Option<Phrases>,
}

/// Whether a character of a name is written in a link's text as it is in
/// the name, but for ASCII case: ASCII letters and digits, and the unified
/// Han ideographs, which no other character folds to but the CJK
/// Compatibility Ideographs ([`hides_letters`]).
fn is_plain(c: char) -> bool {
    c.is_ascii_alphanumeric() || is_han(c)
}

/// The CJK Unified Ideographs and their extension A.
fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}')
}

/// How many of the names' phrases are looked at in one text, each where it
/// is (see [`Phrases::any_name`]).
const MAX_LOOKS: usize = 32;

/// A phrase with more spaces than this is looked for word by word: each
/// space is two ways of writing it, and a phrase is looked for in all.
const MAX_SPACES: usize = 3;

impl LinkFilter {
    /// A filter for links to any of `names` (name keys, already folded).
    pub fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> LinkFilter {
        let names: Vec<&str> = names.into_iter().collect();
        LinkFilter {
            phrases: Phrases::new(&names),
        }
    }

    /// Whether `text` may hold a link whose name key is one of the names.
    pub fn may_link(&self, text: &str) -> bool {
        match &self.phrases {
            None => true,
            Some(p) => hides_letters(text, p.han) || p.any_name(text),
        }
    }
}

/// The phrases of names (runs of ASCII letters, digits and spaces), each
/// in every way a link can write it: ASCII case ignored, each space as
/// itself or `%20`; found only where a link's target can be.
struct Phrases {
    /// Every way of writing every phrase.
    searcher: AhoCorasick,
    /// The phrase each of `searcher`'s patterns writes.
    phrase_of: Vec<usize>,
    /// Each name's phrases.
    names: Vec<Vec<usize>>,
    /// Whether every name has one phrase (finding one is enough).
    single: bool,
    /// Whether a phrase holds an ideograph.
    han: bool,
}

impl Phrases {
    /// `None` when a name has no phrase: every text may link to it.
    fn new(names: &[&str]) -> Option<Phrases> {
        let mut phrases: Vec<&str> = Vec::new();
        let mut of_names = Vec::new();
        for name in names {
            let mut own = Vec::new();
            for phrase in name.split(|c: char| !(is_plain(c) || c == ' ')) {
                let phrase = phrase.trim_matches(' ');
                let parts: Vec<&str> = if phrase.matches(' ').count() > MAX_SPACES {
                    phrase.split(' ').collect()
                } else {
                    vec![phrase]
                };
                for part in parts.into_iter().filter(|p| !p.trim().is_empty()) {
                    own.push(match phrases.iter().position(|x| *x == part) {
                        Some(i) => i,
                        None => {
                            phrases.push(part);
                            phrases.len() - 1
                        }
                    });
                }
            }
            if own.is_empty() {
                return None;
            }
            own.sort_unstable();
            own.dedup();
            of_names.push(own);
        }
        let mut patterns = Vec::new();
        let mut phrase_of = Vec::new();
        for (i, phrase) in phrases.iter().enumerate() {
            for written in spellings(phrase) {
                patterns.push(written);
                phrase_of.push(i);
            }
        }
        let searcher = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(&patterns)
            .ok()?;
        Some(Phrases {
            searcher,
            han: phrases.iter().any(|p| p.chars().any(is_han)),
            phrase_of,
            single: of_names.iter().all(|n| n.len() == 1),
            names: of_names,
        })
    }

    /// Whether `text` holds every phrase of one of the names, each where a
    /// link's target can be ([`in_target`]).
    fn any_name(&self, text: &str) -> bool {
        if !self.searcher.is_match(text) {
            return false;
        }
        let mut found = vec![false; self.names.iter().flatten().max().map_or(0, |m| m + 1)];
        for (n, m) in self.searcher.find_overlapping_iter(text).enumerate() {
            // Each look costs up to two lines: a text that mentions the
            // names that often is let through (parsed) instead.
            if n == MAX_LOOKS {
                return true;
            }
            if in_target(text.as_bytes(), m.start()) {
                if self.single {
                    return true;
                }
                found[self.phrase_of[m.pattern().as_usize()]] = true;
            }
        }
        self.names.iter().any(|n| n.iter().all(|&p| found[p]))
    }
}

/// Whether offset `at` can lie in the file name of a link's target (the
/// part before any `#`), as the link syntaxes allow:
/// - after `[[` on the same line, with no `|`, `#` or `]]` between
///   (wiki-links, embeds, front matter links);
/// - after `](` (an inline link) or `]:` (a reference definition), then
///   spaces with at most one line break, then either `<` and no line
///   break, `#` or unescaped `>`, or nothing that is not a space, a line
///   break or `#`.
fn in_target(b: &[u8], at: usize) -> bool {
    let is_break = |c: &u8| *c == b'\n' || *c == b'\r';
    let line = b[..at].iter().rposition(is_break).map_or(0, |i| i + 1);
    let wiki = memchr::memmem::rfind_iter(&b[line..at], b"[[").any(|i| {
        let name = &b[line + i + 2..at];
        !name.iter().any(|&c| c == b'|' || c == b'#') && memchr::memmem::find(name, b"]]").is_none()
    });
    if wiki {
        return true;
    }
    // A destination may start on the line after its `](` or `]:`.
    let mut previous = line;
    if previous > 0 {
        previous -= 1;
        if b[previous] == b'\n' && previous > 0 && b[previous - 1] == b'\r' {
            previous -= 1;
        }
        previous = b[..previous]
            .iter()
            .rposition(is_break)
            .map_or(0, |i| i + 1);
    }
    let window = &b[previous..at];
    let opens =
        memchr::memmem::rfind_iter(window, b"](").chain(memchr::memmem::rfind_iter(window, b"]:"));
    opens
        .into_iter()
        .any(|i| destination_so_far(&window[i + 2..]))
}

/// Whether `s`, what follows `](` or `]:` up to some offset, can be the
/// start of a destination's path (see [`in_target`]).
fn destination_so_far(s: &[u8]) -> bool {
    let start = s
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(s.len());
    let breaks = s[..start].iter().filter(|&&c| c == b'\n').count()
        + s[..start]
            .windows(2)
            .filter(|w| w[0] == b'\r' && w[1] != b'\n')
            .count()
        + usize::from(s[..start].last() == Some(&b'\r'));
    if breaks > 1 {
        return false;
    }
    let dest = &s[start..];
    match dest.split_first() {
        Some((b'<', inner)) => !inner.iter().enumerate().any(|(i, &c)| {
            c == b'\n'
                || c == b'\r'
                || c == b'#'
                || (c == b'>' && (i == 0 || inner[i - 1] != b'\\'))
        }),
        _ => !dest.iter().any(|&c| c.is_ascii_whitespace() || c == b'#'),
    }
}

/// Every way of writing `phrase` with each space as itself or `%20`.
fn spellings(phrase: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    for (i, part) in phrase.split(' ').enumerate() {
        if i > 0 {
            out = out
                .into_iter()
                .flat_map(|s| [format!("{s} "), format!("{s}%20")])
                .collect();
        }
        for s in &mut out {
            s.push_str(part);
        }
    }
    out
}

/// Whether `text` writes a letter or digit in a way a name's run cannot
/// match (see the module documentation); with `han`, an ideograph too.
fn hides_letters(text: &str, han: bool) -> bool {
    let b = text.as_bytes();
    // U+F900..U+FAFF is EF A4..AB xx; U+2F800..U+2FA1F is F0 AF A0..A8 xx.
    let compatibility = || {
        memchr::memchr2_iter(0xEF, 0xF0, b).any(|i| {
            matches!(
                (b[i], b.get(i + 1), b.get(i + 2)),
                (0xEF, Some(0xA4..=0xAB), _) | (0xF0, Some(0xAF), Some(0xA0..=0xA8))
            )
        })
    };
    let escaped = memchr::memchr2_iter(b'%', b'&', b).any(|i| match (b[i], b.get(i + 1)) {
        (b'%', Some(&c)) => c.is_ascii_hexdigit() && c != b'2',
        (b'&', Some(&c)) => c == b'#' || c.is_ascii_alphabetic(),
        _ => false,
    });
    // Searched as bytes: `str::contains` with chars decodes every character.
    escaped
        || FOLDS_TO_ASCII.iter().any(|c| {
            let mut buf = [0; 4];
            memchr::memmem::find(b, c.encode_utf8(&mut buf).as_bytes()).is_some()
        })
        || (han && compatibility())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::extract;
    use crate::names::fold;

    #[test]
    fn the_list_of_characters_that_fold_to_ascii_is_whole() {
        let found: Vec<char> = (0x80..=0x10FFFF)
            .filter_map(char::from_u32)
            .filter(|c| {
                fold(&c.to_string())
                    .chars()
                    .any(|f| f.is_ascii_alphanumeric())
            })
            .collect();
        assert_eq!(found, FOLDS_TO_ASCII);
    }

    /// The CJK Compatibility Ideographs (and their supplement): NFC makes
    /// each a unified ideograph.
    fn is_han_compatibility(c: char) -> bool {
        matches!(c, '\u{F900}'..='\u{FAFF}' | '\u{2F800}'..='\u{2FA1F}')
    }

    #[test]
    fn only_compatibility_ideographs_fold_to_a_unified_one() {
        use unicode_normalization::UnicodeNormalization;
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            if is_han(c) {
                assert_eq!(c.to_string().nfd().collect::<String>(), c.to_string());
                assert_eq!(fold(&c.to_string()), c.to_string());
            } else if fold(&c.to_string()).chars().any(is_han) {
                assert!(is_han_compatibility(c), "{c:?} folds to an ideograph");
            }
        }
    }

    /// Every link in `text` has a name key the filter for that key lets
    /// `text` through for.
    fn lets_through_every_link(text: &str) {
        let facts = extract(text);
        assert!(!facts.links.is_empty(), "no link in {text:?}");
        for link in &facts.links {
            let key = link.name_key.expect("a named link");
            assert!(
                LinkFilter::new([key.as_str()]).may_link(text),
                "{text:?}: the link to {key:?} was filtered out"
            );
        }
    }

    #[test]
    fn links_written_in_every_way_are_let_through() {
        for text in [
            "[[Project Plan]]",
            "[[project plan#Goals|the plan]]",
            "![[PROJECT PLAN]]",
            "[x](../Work/Project%20Plan.md)",
            "[x](<../Work/Project Plan.md#Goals>)",
            "[x](Project%50lan.md)",
            "[x](Project&#80;lan.md)",
            "[x](Project&#32;Plan.md)",
            "[x](<Project%20Plan two.md>)",
            "[x](Project&#x50;lan.md)",
            "[x](Pro&fjlig;ect.md)",
            "[x](\u{212A}elvin.md)",
            "[[\u{212A}elvin]]",
            "[x](%E2%84%AAelvin.md)",
            "[[\u{130}stanbul]]",
            "[x](Pro\\_ject.md)",
            "---\nup: \"[[Project Plan]]\"\n---\n",
            "[ref]: <Project Plan.md>\n\n[a][ref]",
            "%% [[Project Plan]] %%",
            "[[Caf\u{e9}]] [[Cafe\u{301}]]",
            "[[日本語メモ]]",
            "[[花园]] [[\u{F900}]]",
            "[x](%E8%8A%B1%E5%9B%AD.md)",
            "[[睡眠学习方法 experiment]]",
            "[[Folder/Sub/Note.MD]]",
            "![](image.PNG)",
        ] {
            lets_through_every_link(text);
        }
    }

    #[test]
    fn texts_without_the_names_are_filtered_out() {
        let filter = LinkFilter::new(["project plan", "plan b"]);
        assert!(!filter.may_link("[[Other]] 100%20 of it, R & D, caf\u{e9}"));
        assert!(filter.may_link("see [[Plan B]]"));
        assert!(!filter.may_link("the project plan, in prose"));
        assert!(filter.may_link("100%41"));
        assert!(LinkFilter::new(["メモ"]).phrases.is_none());
        let filter = LinkFilter::new(["花园", "仕事仕事"]);
        assert!(!filter.may_link("花园，仕事仕事 [[其他]]"));
        assert!(filter.may_link("见 [[花园]]"));
        assert!(filter.may_link("[[\u{F900}]]"));
        // A phrase is looked for whole, unless a space may be encoded.
        let filter = LinkFilter::new(["third today"]);
        assert!(!filter.may_link("today, for the third time"));
        assert!(filter.may_link("[[Third Today]]"));
        assert!(!filter.may_link("[x](Third%20time.md) today, for the third time"));
        assert!(filter.may_link("[x](Third%20today.md)"));
        // Only where a link's target can be.
        for prose in [
            "third today",
            "[[Other]] third today",
            "[[Other|third today]]",
            "[[Other#third today]]",
            "[x](Other.md) third today",
            "[x](<Other.md> third today)",
            "[x](Other.md#third%20today)",
            "[x](\n\nthird%20today.md)",
        ] {
            assert!(!filter.may_link(prose), "{prose:?}");
        }
        for link in [
            "[[a/third today]]",
            "[[ third today ]]",
            "[[a]b third today]]",
            "[x](\n  third%20today.md)",
            "[x](\r\n  <a\\>b third today.md>)",
            "[r]:\n<third today.md>",
            "---\nup: \"[[third today]]\"\n---",
        ] {
            assert!(filter.may_link(link), "{link:?}");
        }
        let filter = LinkFilter::new(["a b c d e"]);
        assert!(filter.may_link("[x](<A%20b c%20D e.md>)"));
        // A phrase of many spaces is looked for word by word.
        assert!(filter.may_link("[[e d c b a]]"));
    }
}
