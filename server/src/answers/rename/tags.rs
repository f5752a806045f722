//! Renaming a tag (and its nested tags) in every note.

use super::*;

/// Renames a tag and its nested tags everywhere (`#proj` → `#project`
/// turns `#proj/alpha` into `#project/alpha`), inline and in front matter.
pub fn rename_tag(snap: &Snapshot, tag: &str, new_name: &str, text_of: TextOf) -> Result<Plan> {
    let new = new_name.trim().trim_start_matches('#');
    let valid = !new.is_empty()
        && new.split('/').all(|p| !p.is_empty())
        && new.chars().all(|c| c == '/' || is_tag_char(c))
        && !new.chars().all(|c| c.is_ascii_digit() || c == '/');
    if !valid {
        return Err(RenameError::Invalid(format!(
            "\"#{new}\" is not a tag: use letters, digits, '_', '-' and '/' (not digits only)"
        )));
    }
    if fold(new) == fold(tag) && new == tag {
        return Err(RenameError::Invalid(format!("the tag is already #{new}")));
    }
    let depth = tag.split('/').count();
    let mut texts = CheckedTexts::new(snap, text_of);
    let uses = crate::answers::tag_occurrences(snap, tag);
    let mut paths: Vec<NotePath> = uses.iter().map(|l| l.path.clone()).collect();
    paths.dedup();
    texts.prefetch(&paths)?;
    let mut out = BTreeMap::new();
    for loc in uses {
        let text = texts.get(&loc.path)?;
        let raw = text_at(text, loc.span);
        let hash = u32::from(raw.starts_with('#'));
        let name = &raw[hash as usize..];
        let prefix_len: usize = name
            .split('/')
            .take(depth)
            .map(|p| p.len() + 1)
            .sum::<usize>()
            - 1;
        if fold(&name[..prefix_len]) != fold(tag) {
            return Err(changed(&loc.path));
        }
        let start = loc.span.start + hash;
        if name[..prefix_len] == *new {
            continue; // already spelled so
        }
        push(
            &mut out,
            &loc.path,
            Edit {
                span: Span {
                    start,
                    end: start + prefix_len as u32,
                },
                text: new.to_string(),
            },
        );
    }
    if out.is_empty() {
        return Err(RenameError::Nothing(format!("#{tag} is not used")));
    }
    finish(out, &texts.texts)
}
