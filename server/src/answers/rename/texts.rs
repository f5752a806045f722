//! The texts a rename edits: read once, checked against the facts they were
//! indexed from, and the edits checked to apply.

use super::*;

/// The note at `path`, or why there is none.
pub(super) fn indexed<'s>(snap: &'s Snapshot, path: &str) -> Result<&'s std::sync::Arc<Note>> {
    snap.note(path)
        .ok_or_else(|| RenameError::Nothing(format!("{path} is not indexed")))
}

pub(super) fn changed(path: &str) -> RenameError {
    RenameError::Changed(format!(
        "{path} changed since it was indexed; try again in a moment"
    ))
}

/// A note's text, checked against the facts the snapshot holds for it.
pub(super) fn read_checked(path: &str, note: &Note, text_of: TextOf) -> Result<String> {
    let text = text_of(path).ok_or_else(|| changed(path))?;
    if text.len() as u64 != note.bytes {
        return Err(changed(path));
    }
    for link in &note.facts.links {
        let raw = text
            .get(link.target_span.range())
            .ok_or_else(|| changed(path))?;
        if !raw_matches(link, raw) {
            return Err(changed(path));
        }
    }
    Ok(text)
}

/// Checks that edits lie on character boundaries inside `text`, in order
/// and without overlaps: what an editor needs to apply them.
pub(super) fn check_applies(text: &str, edits: &[Edit], path: &str) -> Result<()> {
    let mut last = 0u32;
    for e in edits {
        let ok = e.span.start >= last
            && e.span.start <= e.span.end
            && text.is_char_boundary(e.span.start as usize)
            && text.is_char_boundary(e.span.end as usize)
            && (e.span.end as usize) <= text.len();
        if !ok {
            return Err(RenameError::Changed(format!(
                "internal error: overlapping or misplaced edits in {path}; nothing was changed"
            )));
        }
        last = e.span.end;
    }
    Ok(())
}

/// [`check_applies`] for a note proven to hold the text its facts were
/// taken from, without that text: each edit replaces a link target the
/// facts name (a range of that text on character boundaries, as every
/// range of the facts is), in order, without overlaps, inside its length.
pub(super) fn check_applies_to_facts(note: &Note, edits: &[Edit]) -> Result<()> {
    let mut last = 0u32;
    for e in edits {
        let named = note.facts.links.iter().any(|l| l.target_span == e.span);
        if !named || e.span.start < last || u64::from(e.span.end) > note.bytes {
            return Err(RenameError::Changed(format!(
                "internal error: overlapping or misplaced edits in {}; nothing was changed",
                note.path
            )));
        }
        last = e.span.end;
    }
    Ok(())
}

/// `text` with `edits` (sorted, as in a [`Plan`]) made, once they are
/// checked to apply cleanly: for callers that write the result themselves.
pub fn apply_edits(text: &str, edits: &[Edit], path: &str) -> Result<String> {
    check_applies(text, edits, path)?;
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for e in edits {
        out.push_str(&text[last..e.span.start as usize]);
        out.push_str(&e.text);
        last = e.span.end as usize;
    }
    out.push_str(&text[last..]);
    Ok(out)
}

/// Texts of notes, read once and checked against their facts.
pub(super) struct CheckedTexts<'a> {
    snap: &'a Snapshot,
    text_of: TextOf<'a>,
    pub(super) texts: FxHashMap<NotePath, String>,
}

impl<'a> CheckedTexts<'a> {
    pub(super) fn new(snap: &'a Snapshot, text_of: TextOf<'a>) -> CheckedTexts<'a> {
        CheckedTexts {
            snap,
            text_of,
            texts: FxHashMap::default(),
        }
    }

    /// Reads many notes at once, in parallel.
    pub(super) fn prefetch(&mut self, paths: &[NotePath]) -> Result<()> {
        let (snap, text_of) = (self.snap, self.text_of);
        let read: Vec<Result<(NotePath, String)>> = paths
            .par_iter()
            .filter(|p| !self.texts.contains_key(*p))
            .map(|p| {
                let note = snap
                    .note(p)
                    .ok_or_else(|| RenameError::Changed(format!("{p} is no longer indexed")))?;
                Ok((p.clone(), read_checked(p, note, text_of)?))
            })
            .collect();
        for r in read {
            let (p, t) = r?;
            self.texts.insert(p, t);
        }
        Ok(())
    }

    pub(super) fn get(&mut self, path: &NotePath) -> Result<&str> {
        if !self.texts.contains_key(path) {
            let note = self
                .snap
                .note(path)
                .ok_or_else(|| RenameError::Changed(format!("{path} is no longer indexed")))?;
            let text = read_checked(path, note, self.text_of)?;
            self.texts.insert(path.clone(), text);
        }
        Ok(&self.texts[path])
    }
}
