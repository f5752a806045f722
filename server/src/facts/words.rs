//! The words of a note's prose, kept as a small filter: what lets a
//! vault-wide search for a name (unlinked mentions) skip, without reading
//! them, the notes that cannot hold it.
//!
//! A word is a run of letters, digits and `_`; each letter of a script
//! written without spaces (Chinese, Japanese, Korean, Thai), and each
//! symbol or emoji, is a word of its own. Words are compared folded, as names are ([`crate::names::fold`]).
//! These are the boundaries a mention's whole-word rule uses, so every word
//! of a mention is a word of the prose it is in, and each two neighbouring
//! words of the name are neighbours there: the filter keeps both the words
//! and the pairs of neighbours.

use std::hash::Hasher;

use rustc_hash::FxHasher;
use xorf::{BinaryFuse8, Filter};

use crate::names::fold;
use crate::text::Span;

/// Letters of scripts written without spaces between words.
pub fn unspaced(c: char) -> bool {
    matches!(c as u32,
        0x0E00..=0x0E7F     // Thai
        | 0x3040..=0x30FF   // Hiragana, Katakana
        | 0x3400..=0x4DBF   // CJK extension A
        | 0x4E00..=0x9FFF   // CJK unified ideographs
        | 0xAC00..=0xD7AF   // Hangul syllables
        | 0xF900..=0xFAFF   // CJK compatibility ideographs
        | 0x20000..=0x2FFFF)
}

/// What a word is made of (besides the unspaced letters, each a word).
pub fn word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Symbols and emoji (not CJK or fullwidth punctuation, not variation
/// selectors): not letters, so never part of a word for the whole-word
/// rule, but a name such as `🐛 Goal` is told apart by them, so the filter
/// keeps each as a word of its own (with its pairs).
fn symbol(c: char) -> bool {
    let n = c as u32;
    n >= 0x2100
        && !matches!(n, 0x3000..=0x303F | 0xFE00..=0xFE0F | 0xFF00..=0xFFEF)
        && !c.is_alphanumeric()
        && !c.is_whitespace()
}

/// Calls `f` with each word of `text`, in order (and each symbol, as a
/// word of one character).
fn each_word(text: &str, mut f: impl FnMut(&str)) {
    let mut start = None;
    for (i, c) in text.char_indices() {
        if unspaced(c) || symbol(c) {
            if let Some(s) = start.take() {
                f(&text[s..i]);
            }
            f(&text[i..i + c.len_utf8()]);
        } else if word_char(c) {
            start.get_or_insert(i);
        } else if let Some(s) = start.take() {
            f(&text[s..i]);
        }
    }
    if let Some(s) = start {
        f(&text[s..]);
    }
}

/// The key of one word: a hash of its folded form.
fn key(word: &str, buf: &mut String) -> u64 {
    let folded: &str = if word.is_ascii() {
        if word.bytes().any(|b| b.is_ascii_uppercase()) {
            buf.clear();
            buf.push_str(word);
            buf.make_ascii_lowercase();
            buf
        } else {
            word
        }
    } else {
        *buf = fold(word);
        buf
    };
    let mut h = FxHasher::default();
    h.write(folded.as_bytes());
    h.finish()
}

/// The key of two words one after the other (nothing but separators
/// between them): names are mostly common words, and their pairs are what
/// tells the few notes that may hold a name from the many that hold its
/// words.
fn pair(first: u64, second: u64) -> u64 {
    let mut h = FxHasher::default();
    h.write_u64(first);
    h.write_u64(second.rotate_left(17));
    h.finish()
}

/// The keys of a run of text: each word's and each pair of neighbours'.
fn keys_of_run(text: &str, buf: &mut String, out: &mut Vec<u64>) {
    let mut last = None;
    each_word(text, |w| {
        let k = key(w, buf);
        out.push(k);
        if let Some(prev) = last {
            out.push(pair(prev, k));
        }
        last = Some(k);
    });
}

/// The keys of `name`, without repeats: a note can hold a mention of the
/// name only if its filter may have every one.
///
/// The pairs come first: most notes hold a name's common words but not
/// side by side, and a search asks each note's filter for the keys in
/// order, stopping at the first it lacks.
pub fn keys(name: &str) -> Vec<u64> {
    let mut all = Vec::new();
    keys_of_run(name, &mut String::new(), &mut all);
    // `keys_of_run` writes each word's key, then the pair it ends.
    let (mut pairs, mut words): (Vec<u64>, Vec<u64>) = (Vec::new(), Vec::new());
    for (i, k) in all.into_iter().enumerate() {
        match i > 0 && i % 2 == 0 {
            true => pairs.push(k),
            false => words.push(k),
        }
    }
    for list in [&mut pairs, &mut words] {
        list.sort_unstable();
        list.dedup();
    }
    words.retain(|w| pairs.binary_search(w).is_err());
    pairs.extend(words);
    pairs
}

/// Whether a word may be in a note's prose: never a false "no"; a false
/// "maybe" for well under 1% of the words that are not there.
#[derive(Clone, Debug, Default)]
pub enum Words {
    /// No prose at all.
    None,
    Filter(BinaryFuse8),
    /// Not known (facts built without a text, or a filter that could not
    /// be built): every word may be there.
    #[default]
    Any,
}

impl PartialEq for Words {
    fn eq(&self, other: &Words) -> bool {
        match (self, other) {
            (Words::Filter(a), Words::Filter(b)) => {
                a.descriptor == b.descriptor && a.fingerprints == b.fingerprints
            }
            (Words::None, Words::None) | (Words::Any, Words::Any) => true,
            _ => false,
        }
    }
}

impl Words {
    /// The words of `text` outside `skip` (sorted by start; they may
    /// overlap or nest).
    pub fn of(text: &str, skip: &[Span]) -> Words {
        let mut keys = Vec::new();
        let mut buf = String::new();
        let mut from = 0usize;
        // Words on either side of a skipped span are not neighbours: a
        // mention lies in one stretch of prose.
        let mut add = |part: &str| keys_of_run(part, &mut buf, &mut keys);
        for s in skip {
            let (start, end) = (s.start as usize, s.end as usize);
            if start > from
                && let Some(part) = text.get(from..start)
            {
                add(part);
            }
            from = from.max(end);
        }
        if let Some(part) = text.get(from..) {
            add(part);
        }
        keys.sort_unstable();
        keys.dedup();
        match keys.len() {
            0 => Words::None,
            _ => BinaryFuse8::try_from(&keys).map_or(Words::Any, Words::Filter),
        }
    }

    /// Whether every key may be there.
    pub fn may_have_all(&self, keys: &[u64]) -> bool {
        match self {
            Words::None => keys.is_empty(),
            Words::Filter(f) => keys.iter().all(|k| f.contains(k)),
            Words::Any => true,
        }
    }

    /// Heap bytes the filter holds.
    pub fn heap_bytes(&self) -> usize {
        match self {
            Words::Filter(f) => f.fingerprints.len(),
            _ => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        each_word(text, |w| out.push(w.to_string()));
        out
    }

    #[test]
    fn words_are_runs_of_letters_and_each_unspaced_letter() {
        assert_eq!(
            words("Daily-note, l'été 😀 日記です。 x_1 ✅\u{fe0f}done — “x”"),
            [
                "Daily", "note", "l", "été", "😀", "日", "記", "で", "す", "x_1", "✅", "done", "x"
            ]
        );
    }

    #[test]
    fn a_filter_has_every_word_of_the_prose_folded_and_none_of_the_skipped() {
        let text = "The Daily Note and ÉTÉ [[Hidden word]] 今日の日記";
        let hidden = text.find("[[").unwrap();
        let skip = [Span::new(hidden..hidden + "[[Hidden word]]".len())];
        let w = Words::of(text, &skip);
        for name in [
            "daily note",
            "Note",
            "été",
            "日記",
            "THE DAILY",
            "note and été",
            "の日記",
        ] {
            assert!(w.may_have_all(&keys(name)), "{name}");
        }
        // Absent words (the filter is built the same way every time, and
        // none of these is one of its rare false "maybe"s).
        // Both words there, not neighbours (or on either side of a link).
        for name in [
            "hidden",
            "word",
            "daily journal",
            "月",
            "note daily",
            "記日",
            "été 今",
        ] {
            assert!(!w.may_have_all(&keys(name)), "{name}");
        }
        assert_eq!(Words::of("", &[]), Words::None);
        // A symbol in a name is a word, and tells its notes apart.
        let w = Words::of("🐛 Goal, the goal 🐛", &[]);
        assert!(w.may_have_all(&keys("🐛 goal")));
        assert!(!w.may_have_all(&keys("🐞 goal")));
        assert!(!w.may_have_all(&keys("the 🐛")));
        assert!(Words::Any.may_have_all(&keys("anything")));
    }
}
