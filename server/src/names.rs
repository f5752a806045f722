//! How names compare: note names, paths, headings, tags and block ids.
//!
//! Obsidian compares link targets case-insensitively; we do it after Unicode
//! NFC so that a name typed on macOS (often NFD) matches one typed elsewhere.

use unicode_normalization::{UnicodeNormalization, is_nfc_quick};

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
    fold(&out)
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
