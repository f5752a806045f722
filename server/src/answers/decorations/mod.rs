//! What an editor draws over a note's text rather than asks about one
//! place: semantic tokens ([`tokens`]), backlink lenses ([`lenses`]), inlay
//! previews of link targets ([`hints`]) and the highlights of everything
//! that names the same thing as the cursor ([`highlights`]).
//!
//! Each is a pure function of a snapshot (plus, for previews, a function
//! that supplies note texts) returning byte [`Span`](crate::text::Span)s of
//! the note; the server converts them at its edge.

mod highlights;
mod hints;
mod lenses;
mod tokens;

pub use highlights::{Highlight, HighlightKind, highlights};
pub use hints::{Hint, Previews, inlay_hints};
pub use lenses::{Counted, Lens, backlinks_of, lenses};
pub use tokens::{Modifier, Token, TokenKind, semantic_tokens};

#[cfg(test)]
mod tests;
