use super::*;
use crate::facts::extract;

fn note_seen<'a>(path: &'a str, facts: &'a NoteFacts, text: &'a str, with_text: bool) -> Seen<'a> {
    Seen {
        path,
        content: Content::Note {
            facts,
            bytes: text.len() as u64,
            text: with_text.then_some(text),
        },
    }
}

#[test]
fn pairs_the_same_note_and_a_note_changed_a_little() {
    let a = "# Alpha\n\nline one\nline two\nline three\nline four\n";
    let b = "# Beta\n\n[[x]] and more\n";
    let a2 = "# Alpha\n\nline one\nline two\nline three\nline four, edited\n";
    let (fa, fb, fa2) = (extract(a), extract(b), extract(a2));
    let gone = [
        note_seen("a.md", &fa, a, true),
        note_seen("b.md", &fb, b, true),
    ];
    let appeared = [
        note_seen("x/b.md", &fb, b, true),
        note_seen("y/a.md", &fa2, a2, true),
    ];
    assert_eq!(
        pair(&gone, &appeared),
        [
            ("b.md".to_string(), "x/b.md".to_string()),
            ("a.md".to_string(), "y/a.md".to_string())
        ]
    );
    // Without texts (the server), only the unchanged note is recognised.
    let gone = [
        note_seen("a.md", &fa, a, false),
        note_seen("b.md", &fb, b, false),
    ];
    let appeared = [
        note_seen("x/b.md", &fb, b, true),
        note_seen("y/a.md", &fa2, a2, true),
    ];
    assert_eq!(
        pair(&gone, &appeared),
        [("b.md".to_string(), "x/b.md".to_string())]
    );
}

#[test]
fn two_equally_good_partners_are_never_guessed() {
    let t = "# Same\n\ntext\n";
    let f = extract(t);
    let gone = [note_seen("a.md", &f, t, true)];
    let appeared = [
        note_seen("x.md", &f, t, true),
        note_seen("y.md", &f, t, true),
    ];
    assert!(pair(&gone, &appeared).is_empty());
    let other = "completely different words on every line\nand here\n";
    let fo = extract(other);
    let appeared = [note_seen("x.md", &fo, other, true)];
    assert!(pair(&gone, &appeared).is_empty(), "not similar enough");
    // Attachments go by file name (and size when known).
    let pic = |path, size| Seen {
        path,
        content: Content::Attachment { size },
    };
    assert_eq!(
        pair(
            &[pic("img/p.png", None)],
            &[pic("media/P.png", Some(3)), pic("q.png", Some(3))]
        ),
        [("img/p.png".to_string(), "media/P.png".to_string())]
    );
    assert!(pair(&[pic("p.png", Some(4))], &[pic("x/p.png", Some(3))]).is_empty());
}

fn texts(files: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + Sync {
    let map: FxHashMap<String, String> = files
        .iter()
        .map(|(p, t)| (p.to_string(), t.to_string()))
        .collect();
    move |p: &str| map.get(p).cloned()
}

fn applied(files: &[(&str, &str)], plan: &Plan) -> Vec<(String, String)> {
    files
        .iter()
        .map(|(p, t)| {
            let text = match plan.edits.get(*p) {
                Some(e) => answers::apply_edits(t, e, p).unwrap(),
                None => t.to_string(),
            };
            (p.to_string(), text)
        })
        .collect()
}

#[test]
fn links_broken_by_a_move_made_elsewhere_are_rewritten_in_their_own_style() {
    // `a/Target.md` was moved to `b/deep/Target.md` by someone else.
    let files = [
        ("b/deep/Target.md", "# Target\n[up](../../index.md)\n"),
        (
            "index.md",
            "[[a/Target]] [t](a/Target.md#target) [[Target]]\n",
        ),
        ("a/x.md", "[t](Target.md) [[./Target]]\n"),
    ];
    let snap = Snapshot::from_texts(&files);
    let moves = [("a/Target.md".to_string(), "b/deep/Target.md".to_string())];
    let (plan, skipped) = relink_moved(&snap, &moves, true, &texts(&files)).unwrap();
    assert!(skipped.is_empty());
    assert!(plan.moves.is_empty());
    assert_eq!(
        applied(&files, &plan),
        [
            (
                "b/deep/Target.md".to_string(),
                "# Target\n[up](../../index.md)\n".to_string()
            ),
            (
                "index.md".to_string(),
                "[[deep/Target]] [t](b/deep/Target.md#target) [[Target]]\n".to_string()
            ),
            (
                "a/x.md".to_string(),
                "[t](../b/deep/Target.md) [[../b/deep/Target]]\n".to_string()
            ),
        ]
    );
    // A note at the old path again: that move is not repaired.
    let files2 = [("a/Target.md", "new note"), files[0], files[1]];
    let snap = Snapshot::from_texts(&files2);
    let (plan, skipped) = relink_moved(&snap, &moves, true, &texts(&files2)).unwrap();
    assert_eq!(skipped, moves);
    assert!(plan.edits.is_empty());
}

#[test]
fn the_moved_notes_own_links_follow_it_only_when_its_old_path_is_known() {
    let files = [
        ("new/place/n.md", "[i](../index.md)\n"),
        ("index.md", "[n](old/n.md)\n"),
    ];
    let snap = Snapshot::from_texts(&files);
    let moves = [("old/n.md".to_string(), "new/place/n.md".to_string())];
    let (plan, _) = relink_moved(&snap, &moves, true, &texts(&files)).unwrap();
    assert_eq!(applied(&files, &plan)[0].1, "[i](../../index.md)\n");
    let (plan, _) = relink_moved(&snap, &moves, false, &texts(&files)).unwrap();
    let got = applied(&files, &plan);
    assert_eq!(got[0].1, files[0].1, "own links untouched");
    assert_eq!(got[1].1, "[n](new/place/n.md)\n");
}

#[test]
fn moves_are_guessed_from_broken_links_only_when_one_note_fits() {
    let files = [
        // A folder moved under archive/: paths to it broke, names did not.
        ("archive/projects/Plan.md", "# Plan\n## Goals\n"),
        ("other/Plan.md", "# Another plan\n"),
        (
            "index.md",
            "[p](projects/Plan.md#goals) [[projects/Plan#Goals]] [[Plan]]\n",
        ),
        // A note renamed where it is, its title left as it was.
        ("notes/Renamed.md", "# Old name\ntext ^blk\n"),
        ("notes/a.md", "[[Old name]] [[Old name#^blk]]\n"),
        // Two notes could be it: nothing is guessed.
        ("x/Twin.md", ""),
        ("y/Twin.md", ""),
        ("b.md", "[[gone/Twin]]\n"),
    ];
    let snap = Snapshot::from_texts(&files);
    assert_eq!(
        moves_from_broken_links(&snap),
        [
            (
                "notes/Old name.md".to_string(),
                "notes/Renamed.md".to_string()
            ),
            (
                "projects/Plan.md".to_string(),
                "archive/projects/Plan.md".to_string()
            ),
        ]
    );
}
