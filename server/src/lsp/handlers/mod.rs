//! The handlers: one plain synchronous function per LSP method.
//!
//! A request handler takes the snapshot its request is answered from
//! ([`NoteSnapshot`](super::snapshot::NoteSnapshot) or
//! [`WorkspaceSnapshot`](super::snapshot::WorkspaceSnapshot)) and the
//! protocol params, asks [`answers`](crate::answers) and converts the answer
//! with [`to_proto`](super::to_proto). A notification handler applies a
//! change to the [`World`](super::world::World) synchronously. Neither
//! awaits, reads the disk itself or builds protocol values by hand.

pub mod notification;
pub mod request;

pub type Result<T> = tower_lsp_server::jsonrpc::Result<T>;
