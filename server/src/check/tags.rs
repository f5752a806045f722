//! Tag hygiene: spelling variants, near-misses, a vocabulary, and hashtags
//! that are not tags. Variants and near-misses need the whole vault's usage,
//! so [`Findings`] is computed once per snapshot; it is small (one entry per
//! flagged spelling) and cheap (one pass over the distinct spellings).

use std::collections::HashMap;

use super::{Problem, Severity, code, problem_at};
use crate::index::{Note, Snapshot};
use crate::names::{Sym, fold};
use crate::vault::TagRules;

enum Finding {
    /// Another spelling of the same tag is the usual one.
    Variant { usual: Sym, notes: usize },
    /// Close to a much more frequent tag.
    NearMiss { likely: Sym, notes: usize },
    /// Not in the configured vocabulary.
    Unknown,
}

pub struct Findings {
    by_spelling: HashMap<Sym, Finding>,
}

/// Spellings of one tag compare equal here: case, `-`, `_` and camelCase
/// (`ToDo`, `to-do`, `to_do`, `todo`) all give `todo`.
fn variant_key(tag: &str) -> String {
    fold(tag).replace(['-', '_'], "")
}

/// Whether two distinct tags should be compared for a misspelling: nested
/// tags only with the same parent, and never when the differing leaves
/// hold digits (`year/2023` is not a typo of `year/2024`).
fn comparable<'a>(a: &'a str, b: &'a str) -> Option<(&'a str, &'a str)> {
    let (pa, la) = a.rsplit_once('/').unwrap_or(("", a));
    let (pb, lb) = b.rsplit_once('/').unwrap_or(("", b));
    let digits = |s: &str| s.bytes().any(|c| c.is_ascii_digit());
    (pa == pb && la.chars().count() >= 4 && !(digits(la) && digits(lb))).then_some((la, lb))
}

impl Findings {
    pub fn new(snap: &Snapshot, rules: &TagRules) -> Findings {
        // Each spelling with the number of notes using it, grouped by tag.
        let mut groups: HashMap<String, Vec<(Sym, usize)>> = HashMap::new();
        for spelling in snap.tag_spellings() {
            let notes = snap.taggers_of(&spelling).len();
            groups
                .entry(variant_key(&spelling))
                .or_default()
                .push((spelling, notes));
        }
        // The usual spelling: used in most notes, then most often, then the
        // lowercase one, then the first in lexical order.
        for spellings in groups.values_mut().filter(|s| s.len() > 1) {
            let uses = |s: Sym| -> usize {
                snap.taggers_of(&s)
                    .iter()
                    .filter_map(|p| snap.note(p))
                    .map(|n| n.facts.tags.iter().filter(|t| t.name == s).count())
                    .sum()
            };
            // Counting uses reads every note with the tag: only for a tie.
            let most = spellings.iter().map(|s| s.1).max().unwrap_or(0);
            let tied = spellings.iter().filter(|s| s.1 == most).count() > 1;
            spellings.sort_by_cached_key(|&(s, notes)| {
                let lower = s.as_str() == s.to_lowercase();
                let uses = if tied && notes == most { uses(s) } else { 0 };
                (
                    std::cmp::Reverse(notes),
                    std::cmp::Reverse(uses),
                    !lower,
                    s.as_str(),
                )
            });
        }
        let mut by_spelling = HashMap::new();
        // The usual spelling of each tag, and how many notes use the tag at all.
        let mut usual: HashMap<&str, (Sym, usize, usize)> = HashMap::new();
        for (key, spellings) in &groups {
            let (top, top_notes) = spellings[0];
            let total: usize = spellings.iter().map(|s| s.1).sum();
            usual.insert(key.as_str(), (top, top_notes, total));
            for &(other, _) in &spellings[1..] {
                by_spelling.insert(
                    other,
                    Finding::Variant {
                        usual: top,
                        notes: top_notes,
                    },
                );
            }
        }
        let frequent: Vec<(&str, Sym, usize)> = usual
            .iter()
            .filter(|(_, u)| u.2 >= rules.frequent_min_notes)
            .map(|(k, u)| (*k, u.0, u.2))
            .collect();
        for (key, &(_, _, total)) in &usual {
            if total > rules.rare_max_notes {
                continue;
            }
            let best = frequent
                .iter()
                .filter(|(f, _, f_total)| *f != *key && *f_total >= 3 * total)
                .filter_map(|(f, spelling, f_total)| {
                    let (a, b) = comparable(key, f)?;
                    let d = strsim::levenshtein(a, b);
                    let limit = if a.chars().count() <= 5 {
                        1
                    } else {
                        rules.near_miss_distance
                    };
                    (d <= limit).then_some((d, std::cmp::Reverse(*f_total), *spelling))
                })
                .min();
            if let Some((_, std::cmp::Reverse(notes), likely)) = best {
                for &(spelling, _) in &groups[*key] {
                    by_spelling
                        .entry(spelling)
                        .or_insert(Finding::NearMiss { likely, notes });
                }
            }
        }
        if !rules.allowed.is_empty() {
            let allowed: Vec<String> = rules
                .allowed
                .iter()
                .map(|a| fold(a.trim_start_matches('#')))
                .collect();
            for spelling in snap.tag_spellings() {
                let t = fold(&spelling);
                let ok = allowed.iter().any(|a| {
                    t == *a
                        || t.strip_prefix(a.as_str())
                            .is_some_and(|r| r.starts_with('/'))
                });
                if !ok {
                    by_spelling.insert(spelling, Finding::Unknown);
                }
            }
        }
        Findings { by_spelling }
    }

    /// The tag problems of one note.
    pub fn problems(&self, note: &Note, out: &mut Vec<Problem>) {
        for tag in &note.facts.tags {
            let Some(finding) = self.by_spelling.get(&tag.name) else {
                continue;
            };
            let suggestion = match finding {
                Finding::Variant { usual, .. } => Some(usual.to_string()),
                Finding::NearMiss { likely, .. } => Some(likely.to_string()),
                Finding::Unknown => None,
            };
            let (code, message) = match finding {
                Finding::Variant { usual, notes } => (
                    code::TAG_VARIANT,
                    format!(
                        "tag #{} is usually written #{usual} ({notes} {})",
                        tag.name,
                        notes_word(*notes)
                    ),
                ),
                Finding::NearMiss { likely, notes } => (
                    code::TAG_NEAR_MISS,
                    format!(
                        "tag #{} looks like a misspelling of #{likely} ({notes} {})",
                        tag.name,
                        notes_word(*notes)
                    ),
                ),
                Finding::Unknown => (
                    code::TAG_UNKNOWN,
                    format!(
                        "tag #{} is not in the allowed tags of carnet.toml",
                        tag.name
                    ),
                ),
            };
            let mut p = problem_at(note, tag.span, Severity::Warning, code, message, vec![]);
            p.suggestion = suggestion;
            out.push(p);
        }
        for span in &note.facts.digit_hashtags {
            out.push(problem_at(
                note,
                *span,
                Severity::Hint,
                code::TAG_DIGITS_ONLY,
                "not a tag: a tag needs at least one character that is not a digit".into(),
                vec![],
            ));
        }
    }
}

fn notes_word(n: usize) -> &'static str {
    if n == 1 { "note" } else { "notes" }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{Checker, Rules};

    fn vault(files: &[(&str, &str)]) -> Snapshot {
        Snapshot::from_texts(files)
    }

    fn tag_problems(snap: &Snapshot, rules: &Rules) -> Vec<String> {
        Checker::new(snap, rules)
            .vault(snap)
            .into_iter()
            .filter(|p| p.code.starts_with("tag"))
            .map(|p| format!("{} {}: {}", p.path, p.code, p.message))
            .collect()
    }

    #[test]
    fn spelling_variants_name_the_usual_spelling() {
        let snap = vault(&[
            ("a.md", "#todo"),
            ("b.md", "#todo #ToDo"),
            ("c.md", "---\ntags: [todo]\n---\n#to-do"),
            ("d.md", "#project/alpha #Project/Alpha"),
            ("e.md", "#project/alpha"),
        ]);
        assert_eq!(
            tag_problems(&snap, &Rules::default()),
            [
                "b.md tag-variant: tag #ToDo is usually written #todo (3 notes)",
                "c.md tag-variant: tag #to-do is usually written #todo (3 notes)",
                "d.md tag-variant: tag #Project/Alpha is usually written #project/alpha (2 notes)",
            ]
        );
    }

    /// Tags of a YAML flow sequence over two lines count like any other.
    #[test]
    fn front_matter_tags_written_over_two_lines_count() {
        let snap = vault(&[
            ("a.md", "---\ntags: [one,\n  two-multi]\n---\n"),
            ("b.md", "#two-multi"),
            ("c.md", "#Two-Multi"),
        ]);
        assert_eq!(
            tag_problems(&snap, &Rules::default()),
            ["c.md tag-variant: tag #Two-Multi is usually written #two-multi (2 notes)"]
        );
    }

    #[test]
    fn near_misses_of_frequent_tags() {
        let mut files: Vec<(String, String)> = (0..6)
            .map(|i| (format!("n{i}.md"), "#projects #year/2024".to_string()))
            .collect();
        files.push((
            "typo.md".into(),
            "#projcets #year/2023 #proj #area/helth".into(),
        ));
        files.extend((0..5).map(|i| (format!("h{i}.md"), "#area/health #area/wealth".to_string())));
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let snap = vault(&refs);
        assert_eq!(
            tag_problems(&snap, &Rules::default()),
            [
                "typo.md tag-near-miss: tag #projcets looks like a misspelling of #projects (6 notes)",
                "typo.md tag-near-miss: tag #area/helth looks like a misspelling of #area/health (5 notes)",
            ]
        );
    }

    #[test]
    fn vocabulary_and_digits_only() {
        let snap = vault(&[(
            "a.md",
            "#project/x #idea #1984 see issue #42.\n```\n#7\n```\n",
        )]);
        let rules = Rules {
            tags: TagRules {
                allowed: vec!["#project".into()],
                ..TagRules::default()
            },
            ..Rules::default()
        };
        let all: Vec<String> = Checker::new(&snap, &rules)
            .vault(&snap)
            .into_iter()
            .map(|p| format!("{} {:?}", p.code, p.severity))
            .collect();
        assert_eq!(
            all,
            [
                "tag-unknown Warning",
                "tag-digits-only Hint",
                "tag-digits-only Hint"
            ]
        );
    }

    #[test]
    fn levels_override_and_turn_off() {
        let snap = vault(&[("a.md", "[[missing]] #1984")]);
        let (config, _) = crate::vault::Config::parse(
            "[diagnostics]\nunresolved-link = \"warning\"\ntag-digits-only = \"off\"\n",
        )
        .unwrap();
        let got: Vec<String> = Checker::new(&snap, &Rules::from_config(&config))
            .vault(&snap)
            .into_iter()
            .map(|p| format!("{} {:?}", p.code, p.severity))
            .collect();
        assert_eq!(got, ["unresolved-link Warning"]);
    }
}
