//! Watching vault folders ourselves, for clients that cannot do it for us.

use std::path::{Path, PathBuf};

/// Reports every changed path under the watched roots (reads are not
/// changes) until dropped.
pub struct Watcher {
    _inner: notify::RecommendedWatcher,
}

impl Watcher {
    /// Watches `roots`; a root that cannot be watched is reported in the
    /// returned warnings and the others are still watched.
    pub fn new(
        roots: &[PathBuf],
        on_change: impl Fn(PathBuf) + Send + 'static,
    ) -> Result<(Watcher, Vec<String>), String> {
        use notify::Watcher as _;
        let all = roots.to_vec();
        let handler = move |event: notify::Result<notify::Event>| {
            if let Ok(event) = event {
                changed(event, &all).into_iter().for_each(&on_change);
            }
        };
        let mut inner =
            notify::recommended_watcher(handler).map_err(|e| format!("cannot watch files: {e}"))?;
        let warnings = roots
            .iter()
            .filter_map(|root: &PathBuf| {
                let root: &Path = root;
                inner
                    .watch(root, notify::RecursiveMode::Recursive)
                    .err()
                    .map(|e| format!("cannot watch {}: {e}", root.display()))
            })
            .collect();
        Ok((Watcher { _inner: inner }, warnings))
    }
}

/// The paths an event says changed under `roots`.
fn changed(event: notify::Event, roots: &[PathBuf]) -> Vec<PathBuf> {
    // The kernel's queue overflowed and events were dropped (a big
    // checkout, say): every root is looked at again, or the index would
    // silently keep what is no longer on disk.
    if event.need_rescan() {
        return roots.to_vec();
    }
    if matches!(event.kind, notify::EventKind::Access(_)) {
        return vec![];
    }
    event.paths
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{AccessKind, CreateKind, Event, EventKind, Flag};

    #[test]
    fn an_overflow_looks_at_every_root_again_and_reads_are_no_change() {
        let roots = [PathBuf::from("/v"), PathBuf::from("/w")];
        let overflow = Event::new(EventKind::Other).set_flag(Flag::Rescan);
        assert_eq!(changed(overflow, &roots), roots);
        let read = Event::new(EventKind::Access(AccessKind::Any)).add_path("/v/a.md".into());
        assert!(changed(read, &roots).is_empty());
        let made = Event::new(EventKind::Create(CreateKind::File)).add_path("/v/b.md".into());
        assert_eq!(changed(made, &roots), [PathBuf::from("/v/b.md")]);
    }
}
