//! Position conversion on text rich in what breaks it: astral-plane
//! characters (two UTF-16 units, four bytes), CRLF, lone CR, U+2028.
//! Byte ↔ UTF-8 ↔ UTF-16 positions round-trip, agree with the line table
//! the facts carry, and with a plain re-statement of the rules here.
#![no_main]

use carnet::lsp::fuzzing::{Encoding, Position, offset, position_of};
use carnet::text::Lines;
use libfuzzer_sys::fuzz_target;
use ropey::Rope;

const PIECES: &[&str] = &[
    "a", "é", "漢", "😀", "𝄞", "\n", "\r", "\r\n", " ", "\u{2028}", "\u{85}", "\t", "[[", "]]",
];

fuzz_target!(|data: &[u8]| {
    let split = data.len() / 2;
    let text: String = data[..split]
        .iter()
        .map(|b| PIECES[*b as usize % PIECES.len()])
        .collect();
    let rope = Rope::from_str(&text);
    let lines = Lines::new(&text);
    assert_eq!(rope.len_lines() as u32, lines.count());
    let line_of = line_table(&text);

    for (i, _) in text.char_indices().chain([(text.len(), ' ')]) {
        let (line, col8) = lines.line_col(i as u32);
        let line_start = lines.line_start(line) as usize;
        assert_eq!(line, line_of[i]);
        let col16 = text[line_start..i].encode_utf16().count() as u32;
        let p8 = position_of(&rope, i, Encoding::Utf8);
        let p16 = position_of(&rope, i, Encoding::Utf16);
        assert_eq!(p8, Position::new(line, col8), "utf-8 position of byte {i}");
        assert_eq!(
            p16,
            Position::new(line, col16),
            "utf-16 position of byte {i}"
        );
        // The `\n` of a CRLF has no position of its own: LSP puts it inside the break.
        let inside_crlf = text[..i].ends_with('\r') && text[i..].starts_with('\n');
        if !inside_crlf {
            assert_eq!(
                offset(&rope, p8, Encoding::Utf8),
                i,
                "utf-8 round trip at {i}"
            );
            assert_eq!(
                offset(&rope, p16, Encoding::Utf16),
                i,
                "utf-16 round trip at {i}"
            );
        }
    }

    // Any position, however wrong, lands on a character boundary of its
    // line (or at the end of the text), never splitting a character.
    for pair in data[split..].chunks(2) {
        let line = pair[0] as u32 % (lines.count() + 2);
        let character = pair.get(1).copied().unwrap_or(0) as u32;
        for enc in [Encoding::Utf8, Encoding::Utf16] {
            let at = offset(&rope, Position::new(line, character), enc);
            assert!(at <= text.len() && text.is_char_boundary(at));
            if line < lines.count() {
                assert_eq!(line_of[at], line, "{enc:?} clamps to its line");
                assert!(at >= lines.line_start(line) as usize);
            } else {
                assert_eq!(at, text.len(), "a line past the end is the end");
            }
        }
    }
    // Bytes inside a character round down (UTF-8) to its start.
    for (i, c) in text.char_indices() {
        for inside in i + 1..i + c.len_utf8() {
            assert_eq!(
                position_of(&rope, inside, Encoding::Utf8),
                position_of(&rope, i, Encoding::Utf8)
            );
        }
    }
});

/// The line of every byte offset (and of the end): lines break on `\n`,
/// `\r\n` and `\r` only.
fn line_table(text: &str) -> Vec<u32> {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len() + 1);
    let mut line = 0;
    for k in 0..=b.len() {
        out.push(line);
        if k < b.len() && (b[k] == b'\n' || (b[k] == b'\r' && b.get(k + 1) != Some(&b'\n'))) {
            line += 1;
        }
    }
    out
}
