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
        let handler = move |event: notify::Result<notify::Event>| {
            let Ok(event) = event else { return };
            if matches!(event.kind, notify::EventKind::Access(_)) {
                return;
            }
            for path in event.paths {
                on_change(path);
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
