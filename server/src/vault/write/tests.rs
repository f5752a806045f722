use super::*;

fn vault(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (p, text) in files {
        let path = dir.path().join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

/// Every file under `root` (hidden ones too), with its bytes.
fn tree(root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((store(root, &p), std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

fn edit(path: &str, old: &str, new: &str) -> FileEdit {
    FileEdit {
        path: path.into(),
        old: old.into(),
        new: new.into(),
    }
}

#[test]
fn edits_then_moves_keep_the_byte_order_mark_and_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let v = vault(&[
        ("a.md", b"\xEF\xBB\xBF[[b]]\n"),
        ("dir/b.md", b"# B\n"),
        ("dir/c.md", b"[[a]]"),
    ]);
    let root = v.path();
    std::fs::set_permissions(root.join("a.md"), std::fs::Permissions::from_mode(0o640)).unwrap();
    let lock = Lock::exclusive(root).unwrap();
    let change = Change {
        edits: vec![
            edit("a.md", "[[b]]\n", "[[moved/b]]\n"),
            edit("dir/c.md", "[[a]]", "[[a]] and more"),
        ],
        moves: vec![("dir".into(), "moved".into())],
    };
    apply(&lock, &change).unwrap();
    assert_eq!(
        tree(root),
        [
            ("a.md".to_string(), b"\xEF\xBB\xBF[[moved/b]]\n".to_vec()),
            ("moved/b.md".to_string(), b"# B\n".to_vec()),
            ("moved/c.md".to_string(), b"[[a]] and more".to_vec()),
        ]
    );
    let mode = std::fs::metadata(root.join("a.md"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o640);
}

#[test]
fn a_file_changed_since_planning_refuses_everything() {
    let v = vault(&[("a.md", b"one"), ("b.md", b"two, edited since")]);
    let root = v.path();
    let before = tree(root);
    let lock = Lock::exclusive(root).unwrap();
    let change = Change {
        edits: vec![edit("a.md", "one", "ONE"), edit("b.md", "two", "TWO")],
        moves: vec![("a.md".into(), "c.md".into())],
    };
    let err = apply(&lock, &change).unwrap_err();
    assert!(
        matches!(err, WriteError::Refused(ref m) if m.contains("b.md changed")),
        "{err:?}"
    );
    assert_eq!(
        tree(root),
        before,
        "byte for byte nothing changed, nothing left behind"
    );
}

#[test]
fn moves_onto_existing_files_or_into_missing_folders_are_refused() {
    let v = vault(&[("a.md", b"a"), ("b.md", b"b")]);
    let root = v.path();
    let before = tree(root);
    let lock = Lock::exclusive(root).unwrap();
    for (to, why) in [
        ("b.md", "already exists"),
        ("no/such/a.md", "does not exist"),
    ] {
        let change = Change {
            edits: vec![edit("a.md", "a", "A")],
            moves: vec![("a.md".into(), to.into())],
        };
        let err = apply(&lock, &change).unwrap_err();
        assert!(err.to_string().contains(why), "{err}");
        assert_eq!(tree(root), before);
    }
}

#[test]
fn a_move_the_disk_refuses_is_undone_with_the_edits() {
    // Moving a folder into itself passes the checks, and rename(2) fails.
    let v = vault(&[("a.md", b"[[x]]"), ("d/x.md", b"x"), ("d/sub/y.md", b"y")]);
    let root = v.path();
    let before = tree(root);
    let lock = Lock::exclusive(root).unwrap();
    let change = Change {
        edits: vec![edit("a.md", "[[x]]", "[[d/sub/d/x]]")],
        moves: vec![("d".into(), "d/sub/d".into())],
    };
    let err = apply(&lock, &change).unwrap_err();
    assert!(matches!(err, WriteError::Failed(_)), "{err:?}");
    assert_eq!(tree(root), before);
}

#[test]
fn a_symlinked_note_stays_a_link() {
    let v = vault(&[("real/n.md", b"[[a]]"), ("a.md", b"")]);
    let root = v.path();
    std::os::unix::fs::symlink(root.join("real/n.md"), root.join("link.md")).unwrap();
    let lock = Lock::exclusive(root).unwrap();
    let change = Change {
        edits: vec![edit("link.md", "[[a]]", "[[b]]")],
        moves: vec![("a.md".into(), "b.md".into())],
    };
    apply(&lock, &change).unwrap();
    assert!(
        std::fs::symlink_metadata(root.join("link.md"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read(root.join("real/n.md")).unwrap(), b"[[b]]");
}

/// A journal as a killed `apply` leaves it, built by hand.
fn interrupted(root: &Path, state: State, done: bool) -> Journal {
    let j = Journal {
        carnet_journal: 1,
        state,
        edits: vec![JournalEdit {
            file: "a.md".into(),
            temp: ".a.md.carnet-new-t".into(),
            backup: ".a.md.carnet-old-t".into(),
            old: fingerprint(b"old"),
            new: fingerprint(b"new"),
        }],
        moves: vec![("a.md".into(), "b.md".into())],
    };
    std::fs::hard_link(root.join("a.md"), root.join(".a.md.carnet-old-t")).unwrap();
    std::fs::write(root.join(".a.md.carnet-new-t"), "new").unwrap();
    if done {
        std::fs::rename(root.join(".a.md.carnet-new-t"), root.join("a.md")).unwrap();
    }
    write_journal(root, &j).unwrap();
    j
}

#[test]
fn recovery_finishes_a_committed_change_and_undoes_the_rest() {
    let files: &[(&str, &[u8])] = &[("a.md", b"old"), ("other.md", b"x")];
    for (state, done, expect) in [
        (State::Prepare, false, vec![("a.md", "old")]),
        (State::Forward, false, vec![("b.md", "new")]),
        (State::Forward, true, vec![("b.md", "new")]),
        (State::Back, true, vec![("a.md", "old")]),
    ] {
        let v = vault(files);
        let root = v.path();
        interrupted(root, state, done);
        let lock = Lock::exclusive(root).unwrap();
        let what = recover(&lock).unwrap();
        assert!(what.is_some());
        let mut want: Vec<(String, Vec<u8>)> = expect
            .iter()
            .map(|(p, t)| (p.to_string(), t.as_bytes().to_vec()))
            .collect();
        want.push(("other.md".into(), b"x".to_vec()));
        want.sort();
        assert_eq!(tree(root), want, "{state:?} done={done}");
        assert_eq!(recover(&lock).unwrap(), None, "nothing left to do");
    }
}

#[test]
fn recovery_undoes_a_change_whose_file_was_edited_after_the_kill() {
    let v = vault(&[("a.md", b"old")]);
    let root = v.path();
    interrupted(root, State::Forward, false);
    // Edited in place (same inode, so the backup sees it too): carnet must
    // not overwrite it, and must not lose it.
    std::fs::write(root.join("a.md"), "user's edit").unwrap();
    let lock = Lock::exclusive(root).unwrap();
    let what = recover(&lock).unwrap().unwrap();
    assert!(what.contains("undid"), "{what}");
    assert_eq!(tree(root), [("a.md".to_string(), b"user's edit".to_vec())]);
}
