//! Unlinked mentions: places where a note's name, title or an alias is
//! written as plain text instead of a link, and the edits that link them.
//!
//! A mention is a whole word (or words), compared case-insensitively, in
//! prose: never inside a link, code, math, an HTML tag, a URL, a tag, a `%%`
//! comment or the front matter. Letters of scripts written without spaces
//! between words (Chinese, Japanese, Korean, Thai) need no word boundary.

use aho_corasick::{AhoCorasick, Anchored, Input, MatchKind, StartKind, packed};
use rayon::prelude::*;

use super::Location;
use super::rename::Edit;

/// A note's text, if it is as long (in bytes) as its facts say: how a
/// mention search reads, so that a file that changed behind the index is
/// passed over and a file of the known size is read in one go.
pub type SizedTextOf<'a> = &'a (dyn Fn(&str, u64) -> Option<String> + Sync);
use crate::facts::{unspaced, word_char};
use crate::index::{Note, NotePath, Snapshot};
use crate::names::fold;
use crate::text::Span;

/// A plain-text mention of a note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mention {
    pub at: Location,
    /// The note mentioned.
    pub target: NotePath,
    /// The text as written there.
    pub written: String,
}

/// The names a note is mentioned by: its file name, front-matter title and
/// aliases, without repeats (compared folded).
fn names_of(note: &Note) -> Vec<String> {
    names_from(
        std::iter::once(note.name())
            .chain(note.facts.title.as_deref())
            .chain(note.facts.aliases.iter().map(|a| &**a)),
    )
}

/// [`names_of`] from a note's name, title and aliases, in that order.
fn names_from<'a>(all: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for name in all {
        let name = name.trim();
        // One letter or digit is a word, not a name anybody means.
        if name.chars().filter(|c| c.is_alphanumeric()).count() < 2 {
            continue;
        }
        if !out.iter().any(|o| fold(o) == fold(name)) {
            out.push(name.to_string());
        }
    }
    out
}

/// Finds names in texts: one automaton over every spelling worth trying
/// (ASCII letters compare case-insensitively; other scripts in their usual
/// capitalisations), each hit checked against the folded name.
pub(crate) struct Finder {
    automaton: Option<AhoCorasick>,
    /// Where a pattern may start: the first bytes of every pattern in
    /// every ASCII case, for a SIMD (Teddy) search. With it, the automaton
    /// only confirms a match anchored at each candidate; without it (too
    /// many patterns, or no SIMD), the automaton scans the whole text.
    starts: Option<packed::Searcher>,
    /// For each pattern: which name (index into `names`) it spells.
    of: Vec<usize>,
    /// `(target note, folded name)`.
    names: Vec<(NotePath, String)>,
}

/// Spellings of `name` an automaton that folds only ASCII can find:
/// as written, lower, upper, and each word capitalised.
fn spellings(name: &str) -> Vec<String> {
    if name.is_ascii() {
        return vec![name.to_string()];
    }
    let capitalised: String = name
        .split(' ')
        .map(|w| {
            let mut c = w.chars();
            c.next().map_or(String::new(), |f| {
                f.to_uppercase()
                    .chain(c.flat_map(char::to_lowercase))
                    .collect()
            })
        })
        .collect::<Vec<_>>()
        .join(" ");
    let mut out = vec![
        name.to_string(),
        name.to_lowercase(),
        name.to_uppercase(),
        capitalised,
    ];
    out.sort();
    out.dedup();
    out
}

/// The most start patterns worth a SIMD search: beyond that, Teddy's
/// buckets fill and the automaton alone is as fast.
const MAX_STARTS: usize = 64;

/// A searcher for where any of `patterns` may start, comparing ASCII
/// letters without case as the automaton does: every ASCII-case variant of
/// the first few bytes of each pattern (as many bytes as keep the variants
/// within [`MAX_STARTS`], at least two). `None` when that is not
/// possible or useful.
fn start_searcher(patterns: &[String]) -> Option<packed::Searcher> {
    let shortest = patterns.iter().map(String::len).min()?;
    // One byte would make a candidate of nearly every letter: slower than
    // the automaton alone.
    'width: for k in (shortest.min(2)..=shortest.min(4)).rev() {
        let mut starts: Vec<Vec<u8>> = Vec::new();
        for p in patterns {
            let mut variants: Vec<Vec<u8>> = vec![Vec::with_capacity(k)];
            for &b in &p.as_bytes()[..k] {
                let cases = [b.to_ascii_lowercase(), b.to_ascii_uppercase()];
                let cases = if cases[0] == cases[1] {
                    &cases[..1]
                } else {
                    &cases[..]
                };
                variants = variants
                    .iter()
                    .flat_map(|v| {
                        cases.iter().map(move |&c| {
                            let mut v = v.clone();
                            v.push(c);
                            v
                        })
                    })
                    .collect();
            }
            starts.extend(variants);
            starts.sort();
            starts.dedup();
            if starts.len() > MAX_STARTS {
                // Every pattern must have its starts: try fewer bytes.
                continue 'width;
            }
        }
        return packed::Config::new()
            .match_kind(packed::MatchKind::LeftmostFirst)
            .builder()
            .extend(&starts)
            .build();
    }
    None
}

impl Finder {
    pub(crate) fn new(targets: &[(NotePath, Vec<String>)]) -> Finder {
        let mut patterns = Vec::new();
        let mut of = Vec::new();
        let mut names = Vec::new();
        for (path, list) in targets {
            for name in list {
                for s in spellings(name) {
                    patterns.push(s);
                    of.push(names.len());
                }
                names.push((path.clone(), fold(name)));
            }
        }
        let starts = start_searcher(&patterns);
        let automaton = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .start_kind(match starts {
                Some(_) => StartKind::Anchored,
                None => StartKind::Unanchored,
            })
            .build(&patterns)
            .ok()
            .filter(|_| !patterns.is_empty());
        Finder {
            automaton,
            starts,
            of,
            names,
        }
    }

    /// The next match at or after `from`, as the automaton's leftmost-longest
    /// unanchored search finds it: the first candidate start where a pattern
    /// matches, anchored, is the leftmost start of any match.
    fn next(&self, ac: &AhoCorasick, hay: &str, mut from: usize) -> Option<aho_corasick::Match> {
        let Some(starts) = &self.starts else {
            return ac.find(Input::new(hay).range(from..));
        };
        while from < hay.len() {
            let c = starts.find_in(hay, aho_corasick::Span::from(from..hay.len()))?;
            let anchored = Input::new(hay).range(c.start()..).anchored(Anchored::Yes);
            if let Ok(Some(m)) = ac.try_find(anchored) {
                return Some(m);
            }
            from = c.start() + 1;
        }
        None
    }

    /// The mentions in `text` (of the note `note`, whose facts say where
    /// links, code and the rest are), within `range`.
    pub(crate) fn find(&self, note: &Note, text: &str, range: Span) -> Vec<Mention> {
        let mut out = Vec::new();
        self.each(note, text, range, |span, name| {
            out.push(Mention {
                at: Location {
                    path: note.path.clone(),
                    span,
                },
                target: self.names[name].0.clone(),
                written: text[span.range()].to_string(),
            });
        });
        out
    }

    /// Calls `hit` with the span of each mention in `text` within `range`,
    /// in order, and the name (index into `names`) it spells.
    fn each(&self, note: &Note, text: &str, range: Span, mut hit: impl FnMut(Span, usize)) {
        let Some(ac) = &self.automaton else {
            return;
        };
        // Whether the text may hold a URL at all, looked at once.
        let mut urls: Option<bool> = None;
        let hay = text.get(range.range()).unwrap_or("");
        let mut from = 0;
        while let Some(m) = self.next(ac, hay, from) {
            // Patterns are never empty: the search moves on.
            from = m.end();
            let (start, end) = (
                range.start as usize + m.start(),
                range.start as usize + m.end(),
            );
            let name = self.of[m.pattern().as_usize()];
            let (target, folded) = &self.names[name];
            let written = &text[start..end];
            // The automaton compared ASCII without case: an ASCII match of
            // an ASCII name is that name folded.
            let same = if written.is_ascii() && folded.is_ascii() {
                written.eq_ignore_ascii_case(folded)
            } else {
                fold(written) == *folded
            };
            if **target == *note.path
                || !same
                || !whole_word(text, start, end)
                || note.facts.overlaps_not_prose(Span::new(start..end))
                || (*urls.get_or_insert_with(|| may_hold_url(text)) && in_url(text, start, end))
            {
                continue;
            }
            hit(Span::new(start..end), name);
        }
    }
}

/// Whether `start..end` is a whole word: no letter or digit runs on into
/// it on either side (except between letters of unspaced scripts).
fn whole_word(text: &str, start: usize, end: usize) -> bool {
    let first = text[start..].chars().next();
    let last = text[..end].chars().next_back();
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    let open = |edge: Option<char>, next: Option<char>| match (edge, next) {
        (_, None) => true,
        (Some(e), Some(n)) if unspaced(e) && unspaced(n) => true,
        (_, Some(n)) => !word_char(n),
    };
    open(first, before) && open(last, after)
}

/// Whether `in_url` can say yes anywhere in `text` (one look per note
/// instead of a walk to the blanks around every mention).
fn may_hold_url(text: &str) -> bool {
    ["://", "www.", "mailto:"]
        .iter()
        .any(|p| memchr::memmem::find(text.as_bytes(), p.as_bytes()).is_some())
}

/// Whether the run of non-blank characters holding `start..end` is a URL.
fn in_url(text: &str, start: usize, end: usize) -> bool {
    let from = text[..start]
        .rfind(char::is_whitespace)
        .map_or(0, |i| i + 1);
    let to = text[end..]
        .find(char::is_whitespace)
        .map_or(text.len(), |i| end + i);
    let word = &text[from..to];
    word.contains("://") || word.starts_with("www.") || word.starts_with("mailto:")
}

/// The threads a vault-wide mention search runs on: a pool of its own, so
/// that completion and the other answers of the editor's typing, which use
/// rayon's global pool, share the cores with it instead of queueing behind
/// its jobs.
fn background() -> &'static rayon::ThreadPool {
    static POOL: std::sync::OnceLock<rayon::ThreadPool> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .thread_name(|i| format!("carnet-mentions-{i}"))
            .build()
            .unwrap_or_else(|_| {
                rayon::ThreadPoolBuilder::new()
                    .num_threads(1)
                    .build()
                    .expect("a thread for mention searches")
            })
    })
}

/// The keys of each name: a note may hold a mention of a name only if its
/// word filter may have every key of it.
fn keys_of(names: &[String]) -> Vec<Vec<u64>> {
    names.iter().map(|n| crate::facts::word_keys(n)).collect()
}

fn may_hold(words: &crate::facts::Words, keys: &[Vec<u64>]) -> bool {
    keys.iter().any(|k| words.may_have_all(k))
}

/// Whether some other note may mention the note at `target`: `false` means
/// it has no unlinked mention; `true`, that it may have. Reads no text: a
/// note whose words no search has filtered yet may mention it.
pub fn may_be_mentioned(snap: &Snapshot, target: &str) -> bool {
    let Some(note) = snap.note(target) else {
        return false;
    };
    let keys = keys_of(&names_of(note));
    !keys.is_empty()
        && snap
            .notes()
            .any(|n| *n.path != *target && n.derived.words.get().is_none_or(|w| may_hold(w, &keys)))
}

/// Every unlinked mention of the note at `target` in the other notes of
/// the vault, sorted by note and position. `stop` is asked between notes
/// (a cancelled request stops early).
pub fn unlinked_mentions(
    snap: &Snapshot,
    target: &str,
    text_of: SizedTextOf,
    stop: &(dyn Fn() -> bool + Sync),
) -> Vec<Mention> {
    let Some(to) = snap.note(target).map(|n| n.path.clone()) else {
        return vec![];
    };
    let each = |note: &Note, text: &str, spans: &[Span]| -> Vec<Mention> {
        spans
            .iter()
            .map(|&span| Mention {
                at: Location {
                    path: note.path.clone(),
                    span,
                },
                target: to.clone(),
                written: text[span.range()].to_string(),
            })
            .collect()
    };
    mentions_by_note(snap, target, text_of, stop, &each)
        .into_iter()
        .flatten()
        .collect()
}

/// How many unlinked mentions the note at `target` has (what
/// [`unlinked_mentions`] finds, without building them).
pub fn count_unlinked_mentions(
    snap: &Snapshot,
    target: &str,
    text_of: SizedTextOf,
    stop: &(dyn Fn() -> bool + Sync),
) -> usize {
    mentions_by_note(snap, target, text_of, stop, &|_, _, spans| spans.len())
        .into_iter()
        .sum()
}

/// The search behind [`unlinked_mentions`], note by note: `each` gets every
/// note that holds mentions of `target`, its text and their spans (sorted),
/// on the search's threads, while the text is at hand (the server turns
/// spans into positions there, without keeping the text); the results come
/// in path order.
///
/// Only the notes whose prose may hold every word of a name, each two
/// neighbours of it side by side, are read: each note's word filter is
/// built from its text by the first search that reads it, and kept while
/// the note is unchanged.
pub fn mentions_by_note<T: Send>(
    snap: &Snapshot,
    target: &str,
    text_of: SizedTextOf,
    stop: &(dyn Fn() -> bool + Sync),
    each: &(dyn Fn(&Note, &str, &[Span]) -> T + Sync),
) -> Vec<T> {
    let Some(note) = snap.note(target) else {
        return vec![];
    };
    let names = names_of(note);
    if names.is_empty() {
        return vec![];
    }
    let keys = keys_of(&names);
    let finder = Finder::new(&[(note.path.clone(), names)]);
    let mut notes: Vec<&std::sync::Arc<Note>> =
        snap.notes().filter(|n| *n.path != *target).collect();
    notes.sort_unstable_by(|a, b| a.path.cmp(&b.path));
    let out: Vec<T> = background().install(|| {
        notes
            .par_iter()
            .filter_map(|n| {
                if stop() {
                    return None;
                }
                let read = || text_of(&n.path, n.bytes);
                let text = match n.derived.words.get() {
                    Some(words) if !may_hold(words, &keys) => return None,
                    Some(_) => read(),
                    None => read().inspect(|text| {
                        let _ = n.derived.words.set(words_of(n, text));
                    }),
                }?;
                let mut spans = Vec::new();
                finder.each(n, &text, Span::new(0..text.len()), |span, _| {
                    spans.push(span)
                });
                (!spans.is_empty()).then(|| each(n, &text, &spans))
            })
            .collect()
    });
    // The note's own filter too, so that after one search every note's
    // words are known and the other notes' lenses are offered exactly.
    if note.derived.words.get().is_none()
        && let Some(text) = text_of(&note.path, note.bytes)
    {
        let _ = note.derived.words.set(words_of(note, &text));
    }
    out
}

fn words_of(note: &Note, text: &str) -> crate::facts::Words {
    crate::facts::Words::of(text, &note.facts.not_prose())
}

/// Mentions of any note in `range` of the note at `from` (whose current
/// text is `text`): what the "Link to" quick fixes act on.
pub fn mentions_in(snap: &Snapshot, from: &str, text: &str, range: Span) -> Vec<Mention> {
    let Some(note) = snap.note(from).filter(|n| n.bytes == text.len() as u64) else {
        return vec![]; // the index is behind the buffer
    };
    // The lines of the range: a mention under the cursor is on its line.
    let start = crate::text::line_start(text, (range.start as usize).min(text.len()));
    let end = text[(range.end as usize).min(text.len())..]
        .find(['\n', '\r'])
        .map_or(text.len(), |i| range.end as usize + i);
    let Some(lines) = text.get(start..end) else {
        return vec![];
    };
    // Only names all of whose words (and each two neighbours) are on
    // those lines can be there: the keys of every note's names are kept
    // with the name list, so the test costs a few lookups per note.
    let mut have = crate::facts::word_keys(lines);
    have.sort_unstable();
    let list = snap.name_list();
    let keys = list.mention_keys.get_or_init(|| {
        list.entries
            .iter()
            .map(|e| {
                let all = std::iter::once(&*e.name)
                    .chain(e.title.as_deref())
                    .chain(e.aliases.iter().map(|a| &**a));
                names_from(all)
                    .into_iter()
                    .map(|n| {
                        let k = crate::facts::word_keys(&n).into_boxed_slice();
                        (n.into_boxed_str(), k)
                    })
                    .collect()
            })
            .collect()
    });
    let (entries, targets): (Vec<_>, Vec<(NotePath, Vec<String>)>) = list
        .entries
        .iter()
        .zip(keys.iter())
        .filter(|(e, _)| *e.path != *from)
        .filter_map(|(e, names)| {
            let fits: Vec<String> = names
                .iter()
                .filter(|(_, k)| k.iter().all(|k| have.binary_search(k).is_ok()))
                .map(|(n, _)| n.to_string())
                .collect();
            (!fits.is_empty()).then(|| (e, (e.path.clone(), fits)))
        })
        .unzip();
    let found = Finder::new(&targets).find(note, text, Span::new(start..end));
    // A text that several notes are named by (a shared file name, a title,
    // an alias) is a mention of each: the finder gave it to one of them,
    // by the name list's order. Give it to all, best first.
    let mut out = Vec::new();
    for m in found {
        if !(m.at.span.start <= range.end && range.start <= m.at.span.end) {
            continue;
        }
        let written = fold(&m.written);
        let mut all: Vec<(u8, &NotePath)> = entries
            .iter()
            .zip(&targets)
            .filter(|(_, (_, fits))| fits.iter().any(|n| fold(n) == written))
            .map(|(e, (path, _))| (named_by(e, &written), path))
            .collect();
        all.sort_by(|a, b| {
            (a.0, a.1.matches('/').count(), a.1.len(), &**a.1).cmp(&(
                b.0,
                b.1.matches('/').count(),
                b.1.len(),
                &**b.1,
            ))
        });
        for (_, path) in all {
            out.push(Mention {
                target: path.clone(),
                ..m.clone()
            });
        }
    }
    out
}

/// How a note is named by the folded text `written`: 0 its file name, 1
/// its title, 2 an alias — the order in which notes sharing a mention are
/// offered.
fn named_by(e: &crate::index::NameEntry, written: &str) -> u8 {
    if fold(&e.name) == written {
        0
    } else if e.title.as_deref().is_some_and(|t| fold(t) == written) {
        1
    } else {
        2
    }
}

/// What the quick fixes call the note `target`: its name, or its path when
/// another note has the same name (the link's own text, `[[a/Goal]]`).
pub fn mention_label(snap: &Snapshot, target: &str) -> String {
    super::complete::link_text_of(snap, target)
}

/// The link that replaces a mention: `[[Name]]`, or `[[Name|as written]]`
/// when the text differs from the link's own.
pub fn link_for(snap: &Snapshot, mention: &Mention) -> Edit {
    let name = super::complete::link_text_of(snap, &mention.target);
    let shown = crate::names::note_stem(&name);
    let text = if shown == mention.written {
        format!("[[{name}]]")
    } else {
        format!("[[{name}|{}]]", mention.written)
    };
    Edit {
        span: mention.at.span,
        text,
    }
}

/// Every mention of `target` in the note at `from` (its text `text`).
pub fn mentions_of_in(snap: &Snapshot, target: &str, from: &str, text: &str) -> Vec<Mention> {
    let (Some(note), Some(t)) = (snap.note(from), snap.note(target)) else {
        return vec![];
    };
    if note.bytes != text.len() as u64 {
        return vec![];
    }
    Finder::new(&[(t.path.clone(), names_of(t))]).find(note, text, Span::new(0..text.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::Fixture;

    fn mentions(fixture: &str) -> String {
        let f = Fixture::parse(fixture);
        let snap = f.snapshot();
        let (target, _) = f.at();
        let text_of = |p: &str, _: u64| Some(f.text(p).to_string());
        let found = unlinked_mentions(&snap, &target, &text_of, &|| false);
        f.annotate(found.iter().map(|m| (&*m.at.path, m.at.span, "")))
    }

    #[test]
    fn whole_words_in_prose_only() {
        let fixture = r#"
            //- Daily Note.md
            ---
            aliases: [journal, 日記]
            ---
            # Daily note$0
            //- a.md
            ---
            title: daily note in front matter
            ---
            My daily note, the DAILY NOTE and a Journal 😀 entry.
               ^^^^^^^^^^      ^^^^^^^^^^       ^^^^^^^
            Not dailynotes, [[Daily Note]], `daily note`, #journal, https://x.org/daily-note/journal
            %% daily note %% <b>journal</b> [journal](https://x.org) 今日の日記です
                                ^^^^^^^                                 ^^
            //- b.md
            ```
            daily note
            ```
            Journal.
            ^^^^^^^
        "#;
        let f = Fixture::parse(fixture);
        assert_eq!(mentions(fixture), f.written());
    }

    /// The SIMD search for where patterns start, confirmed by the automaton
    /// anchored there, finds the matches the automaton alone finds: names
    /// that start others, overlapping starts, any mix of case, non-ASCII
    /// spellings, one letter, at the text's end; and with too many starts
    /// for SIMD, the automaton alone.
    #[test]
    fn the_start_search_finds_what_the_automaton_finds() {
        let text = "aaab AAB aab x Daily Note, DAILY NOTES dAiLy nOtE daily \
                    Été ÉTÉ été eté 日記 会議 x_y xx_y 😀ab alpha BETA gAMMA-kappa b";
        let lists: [&[&str]; 3] = [
            &[
                "Daily",
                "Daily Note",
                "daily notes",
                "Été",
                "aab",
                "ab",
                "日記",
                "x_y",
                "b",
            ],
            &["note", "NOTE dAILY"],
            &[
                "Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta", "Theta", "Iota", "Kappa",
            ],
        ];
        for names in lists {
            let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
            let finder = Finder::new(&[(NotePath::from("t.md"), names.clone())]);
            let patterns: Vec<String> = names.iter().flat_map(|n| spellings(n)).collect();
            let plain = AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::LeftmostLongest)
                .build(&patterns)
                .unwrap();
            let want: Vec<(usize, usize)> = plain
                .find_iter(text)
                .map(|m| (m.start(), m.end()))
                .collect();
            let ac = finder.automaton.as_ref().unwrap();
            let mut got = Vec::new();
            let mut from = 0;
            while let Some(m) = finder.next(ac, text, from) {
                got.push((m.start(), m.end()));
                from = m.end();
            }
            assert_eq!(got, want, "{names:?}");
            assert!(!want.is_empty());
            assert!(finder.starts.is_some(), "{names:?}");
        }
        let many: Vec<String> = (0..40u8)
            .map(|i| format!("{}{}x", (b'a' + i % 26) as char, (b'a' + i / 26) as char))
            .collect();
        assert!(start_searcher(&many).is_none(), "too many starts for SIMD");
        assert!(start_searcher(&["ab".to_string()]).is_some());
    }

    #[test]
    fn links_keep_the_text_as_written() {
        let f = Fixture::parse(
            "//- notes/Daily Note.md\n# x\n//- a.md\nsee daily note and Daily Note$0\n",
        );
        let snap = f.snapshot();
        let found = mentions_of_in(&snap, "notes/Daily Note.md", "a.md", f.text("a.md"));
        let links: Vec<String> = found.iter().map(|m| link_for(&snap, m).text).collect();
        assert_eq!(links, ["[[Daily Note|daily note]]", "[[Daily Note]]"]);
        let at = found[0].at.span;
        let here = mentions_in(
            &snap,
            "a.md",
            f.text("a.md"),
            Span {
                start: at.start + 2,
                end: at.start + 2,
            },
        );
        assert_eq!(here, found[..1]);
    }

    /// The fixes test each note's names against the words of the lines:
    /// a name is offered where all its words stand side by side, in any
    /// case, after emoji and CJK, and not where they are apart.
    #[test]
    fn the_fixes_find_names_by_the_words_of_the_line() {
        let f = Fixture::parse(
            "//- Été Notes.md\n# x\n//- 日記.md\n# y\n//- a.md\n😀 漢字 ÉTÉ NOTES, été and notes, 今日の日記.$0\n",
        );
        let snap = f.snapshot();
        let text = f.text("a.md");
        let all = Span::new(0..text.len());
        let found = mentions_in(&snap, "a.md", text, all);
        let written: Vec<(&str, &str)> = found
            .iter()
            .map(|m| (m.written.as_str(), &*m.target))
            .collect();
        assert_eq!(
            written,
            [("ÉTÉ NOTES", "Été Notes.md"), ("日記", "日記.md")]
        );
    }

    /// A note with a title and aliases is found on a line that holds one
    /// of its names, not the letters of all of them.
    #[test]
    fn the_fixes_find_a_note_by_any_of_its_names() {
        let f = Fixture::parse(
            "//- Plugins/Bookmarks.md\n---\naliases: [Starred, Saved items]\n---\n# x\n//- a.md\nAdd it to your bookmarks.$0\n",
        );
        let snap = f.snapshot();
        let text = f.text("a.md");
        let at = text.find("bookmarks").unwrap() as u32 + 2;
        let found = mentions_in(&snap, "a.md", text, Span { start: at, end: at });
        let written: Vec<&str> = found.iter().map(|m| m.written.as_str()).collect();
        assert_eq!(written, ["bookmarks"]);
        assert_eq!(&*found[0].target, "Plugins/Bookmarks.md");
    }
}
