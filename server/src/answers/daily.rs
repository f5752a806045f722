//! Daily notes: the note named after a date, in the folder and format the
//! vault configures (`.obsidian/daily-notes.json` or `carnet.toml`).
//!
//! Obsidian writes the format in Moment.js tokens; the subset here is what
//! daily-note formats use (docs/server.md lists it): years, months, days,
//! weekdays and weeks in English, `[literal]` text, `/` for folders. What
//! the writer types — `today`, `yesterday`, `tomorrow`, `monday`,
//! `next monday`, `last friday` — is matched by prefix.

use jiff::civil::{Date, Weekday};

/// Where daily notes go and how they are named.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DailyNotes {
    /// Moment.js format of the note's name (may hold `/` for folders).
    pub format: String,
    /// Folder of daily notes, vault-relative (`""`: the root).
    pub folder: String,
    /// The template note a new daily note starts from (vault-relative,
    /// `.md` optional), if any.
    pub template: Option<String>,
}

impl Default for DailyNotes {
    fn default() -> Self {
        DailyNotes {
            format: "YYYY-MM-DD".into(),
            folder: String::new(),
            template: None,
        }
    }
}

impl DailyNotes {
    /// The vault-relative path of the daily note of `date`.
    pub fn path(&self, date: Date) -> String {
        let name = format(&self.format, date, None);
        let folder = self.folder.trim_matches('/');
        if folder.is_empty() {
            format!("{name}.md")
        } else {
            format!("{folder}/{name}.md")
        }
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

fn ordinal(n: i64) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// The tokens, longest first (a token is the longest run that is one).
const TOKENS: [&str; 31] = [
    "YYYY", "GGGG", "gggg", "MMMM", "dddd", "DDDD", "MMM", "ddd", "DDD", "Do", "YY", "GG", "gg",
    "MM", "DD", "dd", "WW", "ww", "Wo", "wo", "HH", "hh", "mm", "ss", "M", "D", "d", "E", "W", "w",
    "Q",
];

/// `date` (and `time`, hours and minutes, for templates) in the Moment.js
/// format `fmt`. Text in `[…]` is copied; characters that are no token
/// are copied as they are.
pub fn format(fmt: &str, date: Date, time: Option<(i8, i8)>) -> String {
    let mut out = String::new();
    let mut rest = fmt;
    let (h, m) = time.unwrap_or((0, 0));
    while let Some(c) = rest.chars().next() {
        if c == '[' {
            let end = rest.find(']').unwrap_or(rest.len());
            out += &rest[1..end];
            rest = rest.get(end + 1..).unwrap_or("");
            continue;
        }
        let Some(token) = TOKENS.iter().find(|t| rest.starts_with(**t)) else {
            // Moment reads `A`/`a` as AM/PM.
            match c {
                'A' => out += if h < 12 { "AM" } else { "PM" },
                'a' => out += if h < 12 { "am" } else { "pm" },
                _ => out.push(c),
            }
            rest = &rest[c.len_utf8()..];
            continue;
        };
        let iso = date.iso_week_date();
        let weekday = date.weekday().to_sunday_zero_offset() as usize;
        let y = date.year() as i64;
        out += &match *token {
            "YYYY" => format!("{y:04}"),
            "YY" => format!("{:02}", y.rem_euclid(100)),
            "GGGG" | "gggg" => format!("{:04}", iso.year()),
            "GG" | "gg" => format!("{:02}", (iso.year() as i64).rem_euclid(100)),
            "MMMM" => MONTHS[date.month() as usize - 1].to_string(),
            "MMM" => MONTHS[date.month() as usize - 1][..3].to_string(),
            "MM" => format!("{:02}", date.month()),
            "M" => date.month().to_string(),
            "DDDD" => format!("{:03}", date.day_of_year()),
            "DDD" => date.day_of_year().to_string(),
            "DD" => format!("{:02}", date.day()),
            "Do" => ordinal(date.day() as i64),
            "D" => date.day().to_string(),
            "dddd" => DAYS[weekday].to_string(),
            "ddd" => DAYS[weekday][..3].to_string(),
            "dd" => DAYS[weekday][..2].to_string(),
            "d" => weekday.to_string(),
            "E" => date.weekday().to_monday_one_offset().to_string(),
            "WW" | "ww" => format!("{:02}", iso.week()),
            "W" | "w" => iso.week().to_string(),
            "Wo" | "wo" => ordinal(iso.week() as i64),
            "Q" => ((date.month() - 1) / 3 + 1).to_string(),
            "HH" => format!("{h:02}"),
            "hh" => format!("{:02}", if h % 12 == 0 { 12 } else { h % 12 }),
            "mm" => format!("{m:02}"),
            "ss" => "00".to_string(),
            _ => token.to_string(),
        };
        rest = &rest[token.len()..];
    }
    out
}

/// A day the writer can name, and its date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamedDay {
    /// `today`, `next monday`, …
    pub label: String,
    pub date: Date,
}

const WEEKDAYS: [(&str, Weekday); 7] = [
    ("monday", Weekday::Monday),
    ("tuesday", Weekday::Tuesday),
    ("wednesday", Weekday::Wednesday),
    ("thursday", Weekday::Thursday),
    ("friday", Weekday::Friday),
    ("saturday", Weekday::Saturday),
    ("sunday", Weekday::Sunday),
];

/// The days whose name starts with what was typed (two letters at least,
/// case ignored), relative to `today`. A weekday alone is the next one
/// (never today): `monday` and `next monday` are the same day, as people
/// planning ahead mean it; `last monday` is the one before today.
pub fn named_days(query: &str, today: Date) -> Vec<NamedDay> {
    let q = query.trim().to_lowercase();
    let q = q.split_whitespace().collect::<Vec<_>>().join(" ");
    if q.chars().count() < 2 {
        return vec![];
    }
    let mut all: Vec<(String, Option<Date>)> = vec![
        ("today".into(), Some(today)),
        ("yesterday".into(), today.yesterday().ok()),
        ("tomorrow".into(), today.tomorrow().ok()),
    ];
    for (name, day) in WEEKDAYS {
        all.push((name.into(), today.nth_weekday(1, day).ok()));
        all.push((format!("next {name}"), today.nth_weekday(1, day).ok()));
        all.push((format!("last {name}"), today.nth_weekday(-1, day).ok()));
    }
    all.into_iter()
        .filter(|(label, _)| label.starts_with(&q))
        .filter_map(|(label, date)| Some(NamedDay { label, date: date? }))
        .collect()
}

/// A new daily note's text from its template: Obsidian's `{{date}}`,
/// `{{time}}`, `{{title}}`, and `{{date:FORMAT}}` / `{{time:FORMAT}}`.
pub fn render_template(template: &str, title: &str, date: Date, time: (i8, i8)) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        out += &rest[..open];
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            out += &rest[open..];
            return out;
        };
        let inner = after[..close].trim();
        let (name, fmt) = match inner.split_once(':') {
            Some((n, f)) => (n.trim(), Some(f.trim())),
            None => (inner, None),
        };
        match name.to_ascii_lowercase().as_str() {
            "title" => out += title,
            "date" => out += &format(fmt.unwrap_or("YYYY-MM-DD"), date, Some(time)),
            "time" => out += &format(fmt.unwrap_or("HH:mm"), date, Some(time)),
            _ => out += &rest[open..open + 2 + close + 2],
        }
        rest = &after[close + 2..];
    }
    out + rest
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn moment_formats_obsidian_users_write() {
        let d = date(2026, 1, 3); // a Saturday, in ISO week 1
        for (fmt, want) in [
            ("YYYY-MM-DD", "2026-01-03"),
            ("DD.MM.YY", "03.01.26"),
            ("dddd, MMMM Do YYYY", "Saturday, January 3rd 2026"),
            (
                "YYYY/MM-MMMM/YYYY-MM-DD-dddd",
                "2026/01-January/2026-01-03-Saturday",
            ),
            ("gggg-[W]ww", "2026-W01"),
            ("GGGG-[W]WW-E", "2026-W01-6"),
            ("ddd D MMM", "Sat 3 Jan"),
            ("[Journal] YYYY-DDDD Q", "Journal 2026-003 1"),
        ] {
            assert_eq!(format(fmt, d, None), want, "{fmt}");
        }
        assert_eq!(format("HH:mm A", d, Some((14, 5))), "14:05 PM");
    }

    #[test]
    fn days_by_name() {
        let today = date(2026, 12, 1); // a Tuesday
        let got = |q: &str| -> Vec<(String, String)> {
            named_days(q, today)
                .into_iter()
                .map(|d| (d.label, d.date.to_string()))
                .collect()
        };
        assert_eq!(
            got("to"),
            [
                ("today".into(), "2026-12-01".into()),
                ("tomorrow".into(), "2026-12-02".into())
            ]
        );
        assert_eq!(got("Yest"), [("yesterday".into(), "2026-11-30".into())]);
        assert_eq!(got("tues")[0], ("tuesday".into(), "2026-12-08".into()));
        assert_eq!(
            got("next mon"),
            [("next monday".into(), "2026-12-07".into())]
        );
        assert_eq!(
            got("last  fri"),
            [("last friday".into(), "2026-11-27".into())]
        );
        assert!(got("t").is_empty());
    }

    #[test]
    fn paths_and_templates() {
        let daily = DailyNotes {
            format: "YYYY/MM/YYYY-MM-DD".into(),
            folder: "Journal/".into(),
            template: None,
        };
        assert_eq!(
            daily.path(date(2026, 3, 9)),
            "Journal/2026/03/2026-03-09.md"
        );
        assert_eq!(
            render_template(
                "# {{title}}\nCreated {{date:dddd}} at {{time}} {{unknown}} {{",
                "2026-03-09",
                date(2026, 3, 9),
                (8, 30)
            ),
            "# 2026-03-09\nCreated Monday at 08:30 {{unknown}} {{"
        );
    }
}
