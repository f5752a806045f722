//! Incremental sync: random `didChange` edits (ranges in either encoding,
//! often out of range or backwards, and full replacements). The buffer
//! always equals the same edits applied to a plain `String` by the rules
//! stated here; the facts equal a fresh parse of the final text; and the
//! syntax tree, edited job by job while the writer lags behind the buffer
//! as it does in the server, gives the same folds and selections as a
//! fresh parse.
#![no_main]

use arbitrary::Arbitrary;
use carnet::facts::extract;
use carnet::lsp::fuzzing::{
    Encoding, Position, SyntaxEdit, SyntaxSlot, apply_change, update_syntax,
};
use carnet::syntax::Syntax;
use libfuzzer_sys::fuzz_target;
use ropey::Rope;

const PIECES: &[&str] = &[
    "a", "b ", "é", "😀", "\n", "\r", "\r\n", "# ", "## ", "[[", "]]", "`", "```", "- ", "1. ",
    "> ", "---", "|", "^id", "#tag", " ", "\n\n", "* ", "~~~",
];

#[derive(Arbitrary, Debug)]
struct Input {
    utf8: bool,
    initial: Vec<u8>,
    ops: Vec<Op>,
}

#[derive(Arbitrary, Debug)]
enum Op {
    /// One `didChange` notification with these content changes.
    Change(Vec<Change>),
    /// The writer thread takes the next queued job.
    Writer,
    /// A folding or selection request brings the tree up to date.
    Read,
}

#[derive(Arbitrary, Debug)]
struct Change {
    /// `None`: replace the whole text.
    range: Option<((u8, u8), (u8, u8))>,
    text: Vec<u8>,
}

fn text_of(pieces: &[u8]) -> String {
    pieces
        .iter()
        .map(|b| PIECES[*b as usize % PIECES.len()])
        .collect()
}

fuzz_target!(|input: Input| {
    let enc = if input.utf8 {
        Encoding::Utf8
    } else {
        Encoding::Utf16
    };
    let mut model = text_of(&input.initial);
    let mut rope = Rope::from_str(&model);
    // The writer's view: jobs queued by the handler, and the tree it keeps.
    let mut queue: std::collections::VecDeque<Vec<SyntaxEdit>> = [Vec::new()].into();
    let mut syntax = SyntaxSlot::default();
    for op in input.ops {
        match op {
            Op::Writer => {
                if let Some(edits) = queue.pop_front() {
                    update_syntax(&mut syntax, edits, &rope);
                }
            }
            Op::Read => {
                syntax.current();
            }
            Op::Change(changes) => {
                let mut edits = Vec::new();
                for c in changes {
                    let text = text_of(&c.text);
                    let range = c.range.map(|((l1, c1), (l2, c2))| {
                        (
                            Position::new(l1.into(), c1.into()),
                            Position::new(l2.into(), c2.into()),
                        )
                    });
                    if range.is_none() {
                        edits.clear();
                    }
                    edits.push(apply_change(&mut rope, range, &text, enc));
                    model_apply(&mut model, range, &text, enc);
                    assert_eq!(rope.to_string(), model, "buffer and plain string differ");
                }
                queue.push_back(edits);
            }
        }
    }
    for edits in queue {
        update_syntax(&mut syntax, edits, &rope);
    }
    let text = rope.to_string();
    assert_eq!(extract(&text), extract(&model));
    let fresh = Syntax::new(&text);
    let edited = syntax.current();
    assert_eq!(
        edited.folding_ranges(&text),
        fresh.folding_ranges(&text),
        "an incrementally edited tree folds differently from a fresh parse of {text:?}"
    );
    let offsets: Vec<usize> = text.char_indices().map(|(i, _)| i).step_by(7).collect();
    assert_eq!(
        edited.selection_ranges(&text, &offsets),
        fresh.selection_ranges(&text, &offsets),
        "selections differ from a fresh parse of {text:?}"
    );
});

/// The rules of LSP positions, stated plainly on a `String`: a line past the
/// end is the end of the text; a column counts UTF-8 bytes or UTF-16 units
/// and stops at the line break; a column inside a character is after it.
fn model_offset(text: &str, p: Position, enc: Encoding) -> usize {
    let mut line = 0;
    let mut start = 0;
    let b = text.as_bytes();
    while line < p.line {
        let Some(k) = b[start..].iter().position(|&c| c == b'\n' || c == b'\r') else {
            return text.len();
        };
        start += k + if b[start + k..].starts_with(b"\r\n") {
            2
        } else {
            1
        };
        line += 1;
    }
    let mut at = start;
    let mut units = 0;
    for c in text[start..].chars() {
        if c == '\n' || c == '\r' || units >= p.character {
            break;
        }
        units += match enc {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
        } as u32;
        at += c.len_utf8();
    }
    at
}

fn model_apply(model: &mut String, range: Option<(Position, Position)>, text: &str, enc: Encoding) {
    match range {
        None => *model = text.to_string(),
        Some((a, b)) => {
            let (a, b) = (model_offset(model, a, enc), model_offset(model, b, enc));
            model.replace_range(a.min(b)..a.max(b), text);
        }
    }
}
