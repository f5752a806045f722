//! The test fixture language, for every layer: unit tests in `server/src`
//! and the black-box tests in `tests/` alike.
//!
//! ```text
//! //- a.md
//! See [[b$0]] and [[b]].
//!     ^^^^^^^     ^^^^^
//! //- b.md
//! # B
//! ```
//!
//! A vault is written inline: `//- path` starts a file, `$0` marks the
//! cursor, and a line of `^` groups marks spans of the line above it (by
//! character column; an optional label may follow the carets). Marker lines
//! and `$0` are not part of the text. Common indentation is removed, so a
//! fixture can be indented with the code around it.
//!
//! Expected locations, edits or diagnostics are asserted by rendering the
//! actual ones as markers ([`Fixture::annotate`]) and comparing with the
//! fixture as written, so a failure shows both as text.

use crate::text::Span;

/// Note names that break naive path handling: `#`, `%`, doubled spaces,
/// emoji, Windows-reserved words, CJK, a trailing dot. Tests of every layer
/// use this one list.
pub const HOSTILE_NAMES: [&str; 8] = [
    "a#b",
    "100% done",
    "with  spaces",
    "emoji 🌲",
    "CON",
    "nul",
    "日本語",
    "trailing.",
];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct File {
    pub path: String,
    pub text: String,
    /// Spans marked with `^^^`, in order, with their labels (`""` if none).
    pub marks: Vec<(Span, String)>,
}

/// Where `$0` is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub path: String,
    pub offset: u32,
    pub line: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fixture {
    pub files: Vec<File>,
    pub cursor: Option<Cursor>,
}

/// A marker line: only `^` groups and spaces, then an optional label.
fn marker_groups(line: &str) -> Option<(Vec<(usize, usize)>, String)> {
    let trimmed = line.trim_start();
    if !trimmed.starts_with('^') {
        return None;
    }
    let mut groups = Vec::new();
    let mut chars = line.char_indices().peekable();
    let mut label = String::new();
    let mut col = 0;
    while let Some((i, c)) = chars.next() {
        match c {
            '^' => {
                let start = col;
                while chars.peek().is_some_and(|&(_, c)| c == '^') {
                    chars.next();
                    col += 1;
                }
                col += 1;
                groups.push((start, col));
                // A group must end the line or be followed by a space.
                if chars.peek().is_some_and(|&(_, c)| c != ' ') {
                    return None;
                }
            }
            ' ' => col += 1,
            _ => {
                label = line[i..].trim().to_string();
                break;
            }
        }
    }
    Some((groups, label))
}

/// Byte offset of character column `col` in `line` (clamped to its end).
fn byte_of_col(line: &str, col: usize) -> usize {
    line.char_indices().nth(col).map_or(line.len(), |(b, _)| b)
}

fn dedent(s: &str) -> String {
    let s = s.strip_prefix('\n').unwrap_or(s);
    let indent = s
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let mut out = String::new();
    for line in s.split_inclusive('\n') {
        out += line.get(indent..).unwrap_or(line.trim_start_matches(' '));
    }
    // The line holding the closing quote of a raw string.
    if out.ends_with('\n') && s.ends_with(' ') {
        out = out.trim_end_matches(' ').to_string();
    }
    out
}

impl Fixture {
    pub fn parse(fixture: &str) -> Fixture {
        let text = dedent(fixture);
        let mut files: Vec<File> = Vec::new();
        let mut cursor = None;
        for line in text.split_inclusive('\n') {
            if let Some(path) = line.strip_prefix("//- ") {
                files.push(File {
                    path: path.trim().to_string(),
                    text: String::new(),
                    marks: Vec::new(),
                });
                continue;
            }
            let file = files.last_mut().expect("a fixture starts with `//- path`");
            if let Some((groups, label)) = marker_groups(line.trim_end_matches(['\n', '\r'])) {
                let body = file.text.strip_suffix('\n').unwrap_or(&file.text);
                let above_start = body.rfind('\n').map_or(0, |i| i + 1);
                let above = &file.text[above_start..body.len()];
                for (from, to) in groups {
                    let start = above_start + byte_of_col(above, from);
                    let end = above_start + byte_of_col(above, to);
                    file.marks.push((Span::new(start..end), label.clone()));
                }
                continue;
            }
            let mut line = line.to_string();
            if let Some(i) = line.find("$0") {
                line.replace_range(i..i + 2, "");
                let offset = file.text.len() + i;
                cursor = Some(Cursor {
                    path: file.path.clone(),
                    offset: offset as u32,
                    line: file.text.matches('\n').count() as u32,
                });
            }
            file.text += &line;
        }
        Fixture { files, cursor }
    }

    /// A fixture from `(path, text)` pairs (texts may hold `$0`; marker
    /// lines are not read), for tests that build their files in code.
    pub fn from_files(files: &[(&str, &str)]) -> Fixture {
        let mut cursor = None;
        let files = files
            .iter()
            .map(|(path, text)| {
                let mut text = text.to_string();
                if let Some(i) = text.find("$0") {
                    text.replace_range(i..i + 2, "");
                    cursor = Some(Cursor {
                        path: path.to_string(),
                        offset: i as u32,
                        line: crate::text::Lines::new(&text).line_of(i as u32),
                    });
                }
                File {
                    path: path.to_string(),
                    text,
                    marks: Vec::new(),
                }
            })
            .collect();
        Fixture { files, cursor }
    }

    /// The cursor as answers take it: the note's path and the place in it.
    pub fn at(&self) -> (String, crate::answers::At) {
        let c = self.cursor();
        let at = crate::answers::At {
            offset: c.offset,
            line: c.line,
        };
        (c.path.clone(), at)
    }

    pub fn file(&self, path: &str) -> &File {
        self.files
            .iter()
            .find(|f| f.path == path)
            .unwrap_or_else(|| panic!("no {path} in the fixture"))
    }

    pub fn text(&self, path: &str) -> &str {
        &self.file(path).text
    }

    /// `(path, text)` of every file.
    pub fn texts(&self) -> Vec<(&str, &str)> {
        self.files
            .iter()
            .map(|f| (f.path.as_str(), f.text.as_str()))
            .collect()
    }

    pub fn cursor(&self) -> &Cursor {
        self.cursor.as_ref().expect("a `$0` cursor in the fixture")
    }

    /// Every marked span, file by file: `(path, span, label)`.
    pub fn marks(&self) -> Vec<(&str, Span, &str)> {
        self.files
            .iter()
            .flat_map(|f| {
                f.marks
                    .iter()
                    .map(|(s, l)| (f.path.as_str(), *s, l.as_str()))
            })
            .collect()
    }

    /// The vault's snapshot (each file a note, or an attachment when it is
    /// not Markdown).
    pub fn snapshot(&self) -> crate::index::Snapshot {
        let (notes, attachments): (Vec<_>, Vec<_>) = self
            .files
            .iter()
            .partition(|f| f.path.to_ascii_lowercase().ends_with(".md"));
        let notes: Vec<crate::index::Note> = notes
            .into_iter()
            .map(|f| {
                crate::index::Note::new(
                    f.path.as_str().into(),
                    crate::facts::extract(&f.text),
                    f.text.len() as u64,
                )
            })
            .collect();
        let attachments = attachments.into_iter().map(|f| f.path.clone()).collect();
        crate::index::Snapshot::build(notes, attachments)
    }

    /// The fixture as written, with the cursor left out and `marks` (path,
    /// span, label) drawn as marker lines in place of the ones it had:
    /// compare it with [`Fixture::written`] to assert spans.
    pub fn annotate<'a>(
        &self,
        marks: impl IntoIterator<Item = (&'a str, Span, &'a str)>,
    ) -> String {
        let mut marks: Vec<(&str, Span, &str)> = marks.into_iter().collect();
        marks.sort_by_key(|(p, s, _)| {
            (self.files.iter().position(|f| f.path == *p), s.start, s.end)
        });
        let mut out = String::new();
        for f in &self.files {
            out += &format!("//- {}\n", f.path);
            let mine: Vec<(Span, &str)> = marks
                .iter()
                .filter(|m| m.0 == f.path)
                .map(|m| (m.1, m.2))
                .collect();
            for line in crate::text::lines(&f.text) {
                out += line.text;
                out.push('\n');
                let on_line: Vec<&(Span, &str)> = mine
                    .iter()
                    .filter(|(s, _)| {
                        let start = s.start as usize;
                        start >= line.start
                            && (start < line.start + line.text.len().max(1)
                                || start == line.start + line.text.len())
                    })
                    .collect();
                // Lines of markers, as many as needed when spans overlap.
                let mut rows: Vec<(String, usize, String)> = Vec::new();
                for (s, label) in on_line {
                    let col = |b: usize| line.text[..b.min(line.text.len())].chars().count();
                    let from = col(s.start as usize - line.start);
                    let to = col((s.end as usize).saturating_sub(line.start)).max(from + 1);
                    let row = rows.iter_mut().find(|r| r.1 <= from && r.2 == *label);
                    let row = match row {
                        Some(r) => r,
                        None => {
                            rows.push((String::new(), 0, label.to_string()));
                            rows.last_mut().unwrap()
                        }
                    };
                    row.0 += &" ".repeat(from - row.1);
                    row.0 += &"^".repeat(to - from);
                    row.1 = to;
                }
                for (row, _, label) in rows {
                    out += &row;
                    if !label.is_empty() {
                        out += " ";
                        out += &label;
                    }
                    out.push('\n');
                }
            }
        }
        out
    }

    /// The fixture as written, without the cursor: what [`Fixture::annotate`]
    /// of its own marks gives.
    pub fn written(&self) -> String {
        self.annotate(self.marks())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_cursor_and_marks() {
        let f = Fixture::parse(
            r#"
            //- a.md
            See [[b$0]] and [[b]].
                ^^^^^     ^^^^^ link
            //- sub/b.md
            # B é
              ^^^
            "#,
        );
        assert_eq!(
            f.texts(),
            [("a.md", "See [[b]] and [[b]].\n"), ("sub/b.md", "# B é\n")]
        );
        let c = f.cursor();
        assert_eq!((c.path.as_str(), c.offset, c.line), ("a.md", 7, 0));
        assert_eq!(
            f.marks(),
            [
                ("a.md", Span::new(4..9), "link"),
                ("a.md", Span::new(14..19), "link"),
                ("sub/b.md", Span::new(2..6), ""),
            ]
        );
    }

    #[test]
    fn annotating_its_own_marks_gives_it_back() {
        let written = "//- a.md\nx [[b]] [[c]]\n  ^^^^^ ^^^^^ to\n//- b.md\nline\nnext ^id\n";
        let f = Fixture::parse(written);
        assert_eq!(f.written(), written);
        // A block id is text, not a marker.
        assert_eq!(f.text("b.md"), "line\nnext ^id\n");
    }
}
