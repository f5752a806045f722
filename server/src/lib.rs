//! carnet: a language server for Markdown notes.
//!
//! The whole design in one line: parse each note once into [`facts`], keep an
//! immutable-snapshot [`index`] of all facts, and answer every request
//! ([`check`] today) from a snapshot; edits produce a new snapshot.
//! [`vault`] is the only module that touches the disk. [`syntax`] keeps an
//! incrementally edited tree of each open note for folding and selection.

pub mod answers;
pub mod check;
pub mod facts;
#[doc(hidden)]
pub mod fixture;
pub mod graph;
pub mod index;
pub mod lsp;
pub mod moves;
pub mod names;
pub mod syntax;
pub mod text;
pub mod vault;
