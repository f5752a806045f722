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
    /// The needles a name must hold in order (every atom of the pattern
    /// but negated ones), lowercase ASCII; `None` when one is not ASCII.
    needles: Option<Vec<Box<[u8]>>>,
}

impl Scorer {
    pub(super) fn new(query: &str) -> Scorer {
        let pattern = Pattern::parse(query, CaseMatching::Ignore, Normalization::Smart);
        // An ASCII atom ignores case and normalizes (`CaseMatching::Ignore`,
        // `Normalization::Smart`): it matches only where its bytes appear,
        // in order, among a name's characters folded that way.
        let needles = pattern
            .atoms
            .iter()
            .filter(|a| !a.negative)
            .map(|a| match a.needle_text() {
                Utf32Str::Ascii(bytes) => Some(bytes.into()),
                Utf32Str::Unicode(_) => None,
            })
            .collect();
        Scorer {
            matcher: Matcher::new(Config::DEFAULT.match_paths()),
            pattern,
            needles,
            buf: Vec::new(),
            empty: query.trim().is_empty(),
            initial: {
                let q = query.trim();
                let first = q.chars().next().filter(|c| c.is_alphanumeric());
                first.filter(|_| q.chars().count() <= 2)
            },
        }
    }

    /// The [`crate::names::char_mask`] bits a name must have all of to
    /// match: the letters of every atom but negated ones (`!word` matches
    /// names without them).
    pub(super) fn needed_mask(&self) -> u64 {
        let atoms = self.pattern.atoms.iter().filter(|a| !a.negative);
        atoms.fold(0, |all, a| {
            let needle: String = a.needle_text().chars().collect();
            all | crate::names::char_mask(&needle).unwrap_or(0)
        })
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
            // For an ASCII letter or digit the mask is exact; only a query
            // that starts with another character reads the name's words.
            let fits = match initial_bit(c) {
                Some(bit) => prepared.initials & bit != 0,
                None => prepared.starts.chars().any(|ch| same_initial(ch, c)),
            };
            if !fits {
                return None;
            }
        }
        if let (Some(folded), Some(needles)) = (&prepared.folded, &self.needles)
            && !needles.iter().all(|n| in_order(n, folded))
        {
            return None;
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
/// makes them (`None` when the scorer reads its bytes), those characters
/// folded as the scorer compares them with an ASCII query, and its word
/// initials.
pub(super) fn prepare(s: &str) -> Prepared {
    use nucleo_matcher::chars::{normalize, to_lower_case};
    let mut buf = Vec::new();
    let chars: Option<Box<[char]>> = match Utf32Str::new(s, &mut buf) {
        Utf32Str::Unicode(chars) => Some(chars.into()),
        Utf32Str::Ascii(_) => None,
    };
    let folded = chars.as_deref().map(|chars| {
        let fold = |&c: &char| {
            let f = to_lower_case(normalize(c));
            if f.is_ascii() { f as u8 } else { 0xFF }
        };
        chars.iter().map(fold).collect()
    });
    let starts = crate::names::word_starts(s)
        .filter(|c| !c.is_ascii())
        .collect();
    let initials = crate::names::word_starts(s).fold(0, |mask, ch| {
        let mut lower = ch.to_lowercase();
        let bit = match (lower.next(), lower.next()) {
            (Some(l), None) if l.is_ascii() => crate::names::ascii_bit(l).unwrap_or(0),
            _ => 0,
        };
        let other = if ch.is_ascii() {
            0
        } else {
            crate::names::NON_ASCII_INITIAL
        };
        mask | bit | other
    });
    Prepared {
        chars,
        folded,
        initials,
        starts,
    }
}

/// Whether the bytes of `needle` appear in `hay` in order.
fn in_order(needle: &[u8], mut hay: &[u8]) -> bool {
    for &b in needle {
        match memchr::memchr(b, hay) {
            Some(i) => hay = &hay[i + 1..],
            None => return false,
        }
    }
    true
}

/// Whether some word of `s` starts with `c` (case-insensitively).
pub(super) fn starts_a_word(s: &str, c: char) -> bool {
    crate::names::word_starts(s).any(|ch| same_initial(ch, c))
}

fn same_initial(ch: char, c: char) -> bool {
    if ch.is_ascii() && c.is_ascii() {
        ch.eq_ignore_ascii_case(&c)
    } else {
        ch == c || ch.to_lowercase().eq(c.to_lowercase())
    }
}

/// The bit of [`Prepared::initials`] that answers [`starts_a_word`] for
/// `c` exactly: `c`'s lowercase, when that is one ASCII letter or digit
/// (a word start matches `c` exactly when its lowercase is that letter).
/// `None`: only a start that is not ASCII can match, and
/// [`Prepared::starts`] lists those.
fn initial_bit(c: char) -> Option<u64> {
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) if l.is_ascii() => crate::names::ascii_bit(l),
        _ => None,
    }
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
        let key = (score, weight, std::cmp::Reverse(tie));
        // Boxed only when kept: most candidates of a short query are not,
        // and each would cost an allocation and a free for nothing.
        if !self.rejects(key) {
            self.offer_boxed(key, Box::new(make));
        }
    }

    /// Whether the list is full and `key` ranks no better than its worst.
    fn rejects(&mut self, key: Rank) -> bool {
        if self.kept.len() < self.limit {
            return false;
        }
        let kept = &self.kept;
        let (_, worst_key) = *self.worst.get_or_insert_with(|| {
            kept.iter()
                .enumerate()
                .map(|(i, (k, _))| (i, *k))
                .min_by_key(|(_, k)| *k)
                .expect("limit > 0")
        });
        key <= worst_key
    }

    pub(super) fn offer_boxed(&mut self, key: Rank, make: MakeItem<'a>) {
        if self.rejects(key) {
            return;
        }
        if self.kept.len() == self.limit {
            let (worst, _) = self.worst.take().expect("a full list knows its worst");
            drop(self.kept.swap_remove(worst)); // The item it would have made is not needed.
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
