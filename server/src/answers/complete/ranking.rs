//! Fuzzy scoring and keeping the best `limit` candidates without sorting them all.

use super::*;

/// Fuzzy scoring with a reused buffer; an empty query matches everything.
pub(super) struct Scorer {
    matcher: Matcher,
    pattern: Pattern,
    buf: Vec<char>,
    empty: bool,
    /// A query of one or two letters matches almost every name fuzzily; it
    /// must start at the start of a word (`d` → "Daily note", "Big data"),
    /// checked cheaply before scoring.
    initial: Option<char>,
}

impl Scorer {
    pub(super) fn new(query: &str) -> Scorer {
        Scorer {
            matcher: Matcher::new(Config::DEFAULT.match_paths()),
            pattern: Pattern::parse(query, CaseMatching::Ignore, Normalization::Smart),
            buf: Vec::new(),
            empty: query.trim().is_empty(),
            initial: {
                let q = query.trim();
                let first = q.chars().next().filter(|c| c.is_alphanumeric());
                first.filter(|_| q.chars().count() <= 2)
            },
        }
    }

    /// The bits a name's [`crate::names::initials_mask`] must share for
    /// [`Scorer::score`] to match it (`None`: no such test).
    pub(super) fn initial_bits(&self) -> Option<u64> {
        let bit = crate::names::ascii_bit(self.initial?)?;
        Some(bit | crate::names::NON_ASCII_INITIAL)
    }

    pub(super) fn score(&mut self, haystack: &str) -> Option<u32> {
        if let Err(early) = self.screen(haystack) {
            return early;
        }
        self.pattern
            .score(Utf32Str::new(haystack, &mut self.buf), &mut self.matcher)
    }

    /// [`Scorer::score`] of `haystack`, which [`prepare`] made `prepared`.
    pub(super) fn score_prepared(&mut self, haystack: &str, prepared: &Prepared) -> Option<u32> {
        if self.empty {
            return Some(0);
        }
        if let Some(c) = self.initial {
            // The mask answers for ASCII word starts; only a name with
            // other word starts and no ASCII one that fits is checked.
            let fits = crate::names::ascii_bit(c).map(|bit| prepared.initials & bit != 0);
            let other = prepared.initials & crate::names::NON_ASCII_INITIAL != 0;
            match fits {
                Some(true) => {}
                Some(false) if !other => return None,
                _ if !starts_a_word(haystack, c) => return None,
                _ => {}
            }
        }
        let haystack = match prepared.chars.as_deref() {
            Some(chars) => Utf32Str::Unicode(chars),
            None => Utf32Str::Ascii(haystack.as_bytes()),
        };
        self.pattern.score(haystack, &mut self.matcher)
    }

    /// `Err` with the score when it is known without scoring.
    fn screen(&self, haystack: &str) -> Result<(), Option<u32>> {
        if self.empty {
            return Err(Some(0));
        }
        match self.initial {
            Some(c) if !starts_a_word(haystack, c) => Err(None),
            _ => Ok(()),
        }
    }
}

/// `s` as the scorer reads it, made once: its characters as `Utf32Str::new`
/// makes them (`None` when the scorer reads its bytes) and its word initials.
pub(super) fn prepare(s: &str) -> Prepared {
    let mut buf = Vec::new();
    let chars = match Utf32Str::new(s, &mut buf) {
        Utf32Str::Unicode(chars) => Some(chars.into()),
        Utf32Str::Ascii(_) => None,
    };
    Prepared {
        chars,
        initials: crate::names::initials_mask(s),
    }
}

/// Whether some word of `s` starts with `c` (case-insensitively).
pub(super) fn starts_a_word(s: &str, c: char) -> bool {
    crate::names::word_starts(s).any(|ch| {
        if ch.is_ascii() && c.is_ascii() {
            ch.eq_ignore_ascii_case(&c)
        } else {
            ch == c || ch.to_lowercase().eq(c.to_lowercase())
        }
    })
}

/// Rank of an item: match score, then weight (popularity), then shorter.
pub(super) type Rank = (u32, usize, std::cmp::Reverse<usize>);

/// Makes an item only once it is known to be among the best.
pub(super) type MakeItem<'a> = Box<dyn FnOnce() -> Item + Send + 'a>;

/// The best `limit` items by [`Rank`]. Most candidates are rejected by one
/// comparison with the cached worst kept rank; an item is built (link text,
/// detail) only when it is kept.
pub(super) struct Best<'a> {
    kept: Vec<(Rank, MakeItem<'a>)>,
    /// Index and rank of the worst kept item, once the list is full.
    worst: Option<(usize, Rank)>,
    limit: usize,
    matched: usize,
}

impl<'a> Best<'a> {
    pub(super) fn new(limit: usize) -> Best<'a> {
        Best {
            kept: Vec::new(),
            worst: None,
            limit,
            matched: 0,
        }
    }

    pub(super) fn offer(
        &mut self,
        score: u32,
        weight: usize,
        tie: usize,
        make: impl FnOnce() -> Item + Send + 'a,
    ) {
        self.matched += 1;
        self.offer_boxed((score, weight, std::cmp::Reverse(tie)), Box::new(make));
    }

    pub(super) fn offer_boxed(&mut self, key: Rank, make: MakeItem<'a>) {
        if self.kept.len() == self.limit {
            let kept = &self.kept;
            let (worst, worst_key) = *self.worst.get_or_insert_with(|| {
                kept.iter()
                    .enumerate()
                    .map(|(i, (k, _))| (i, *k))
                    .min_by_key(|(_, k)| *k)
                    .expect("limit > 0")
            });
            if key <= worst_key {
                return;
            }
            drop(self.kept.swap_remove(worst)); // The item it would have made is not needed.
            self.worst = None;
        }
        self.kept.push((key, make));
    }

    /// Takes in the items another collector kept.
    pub(super) fn merge(&mut self, other: Best<'a>) {
        self.matched += other.matched;
        for (rank, make) in other.kept {
            self.offer_boxed(rank, make);
        }
    }

    pub(super) fn finish(self) -> (Vec<Item>, bool) {
        let incomplete = self.matched > self.kept.len();
        let mut items: Vec<(Rank, Item)> =
            self.kept.into_iter().map(|(r, make)| (r, make())).collect();
        items.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.label.cmp(&b.1.label)));
        (items.into_iter().map(|(_, i)| i).collect(), incomplete)
    }
}
