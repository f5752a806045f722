use super::*;

#[test]
fn config_parses_and_warns_on_unknown_keys() {
    let (c, w) = Config::parse("exclude = [\"a/**\"]\nnope = 1\n").unwrap();
    assert_eq!(c.exclude, ["a/**"]);
    assert_eq!(w.len(), 1);
    assert!(Config::parse("exclude = 3").is_err());
}

#[test]
fn relative_paths_use_slashes() {
    let root = Path::new("/v");
    assert_eq!(
        relative(root, Path::new("/v/a/b.md")).as_deref(),
        Some("a/b.md")
    );
    assert!(is_note(Path::new("x/Y.MD")));
    assert!(!is_note(Path::new("x/y.png")));
}

#[test]
fn filter_agrees_with_the_walk() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join(".gitignore"), "build/\n*.tmp.md\n").unwrap();
    let (config, _) = Config::parse("exclude = [\"archive/**\"]").unwrap();
    let f = Filter::new(root, &config);
    assert!(f.includes(&root.join("notes/a.md")));
    assert!(!f.includes(&root.join(".obsidian/a.md")));
    assert!(!f.includes(&root.join("node_modules/x/a.md")));
    assert!(!f.includes(&root.join("build/a.md")));
    assert!(!f.includes(&root.join("x/y.tmp.md")));
    assert!(!f.includes(&root.join("archive/old/a.md")));
    assert!(!f.includes(Path::new("/elsewhere/a.md")));
}

/// What cannot be read is an error, never a hang: a FIFO would block
/// `open` until someone writes to it.
#[test]
fn read_note_refuses_fifos_and_folders() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.md");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
    let err = read_note(&fifo).unwrap_err();
    assert!(err.contains("not a regular file"), "{err}");
    std::fs::create_dir(dir.path().join("folder.md")).unwrap();
    let err = read_note(&dir.path().join("folder.md")).unwrap_err();
    assert!(err.contains("folder"), "{err}");
    assert!(read_note(&dir.path().join("gone.md")).is_err());
    let loaded = load(dir.path()).unwrap();
    assert_eq!(loaded.skipped.len(), 1, "{:?}", loaded.skipped);
    assert_eq!(loaded.skipped[0].path, fifo);
}

#[test]
fn a_byte_order_mark_is_not_part_of_the_text() {
    // Editors hide it, so columns on the first line must not count it.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bom.md");
    std::fs::write(&path, "\u{feff}[[a]] x\n").unwrap();
    let text = read_note(&path).unwrap();
    assert_eq!(text, "[[a]] x\n");
    assert_eq!(crate::facts::extract(&text).links[0].span.start, 0);
}

/// A search reads a note of the size its facts give in one go, and gives
/// nothing for a file that is no longer that size or no longer a note,
/// without hanging on a FIFO.
#[test]
fn read_note_sized_gives_the_text_only_at_the_known_size() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.md");
    std::fs::write(&path, "漢字 [[b]] é\n").unwrap();
    let len = read_note(&path).unwrap().len() as u64;
    assert_eq!(
        read_note_sized(&path, len).as_deref(),
        Some("漢字 [[b]] é\n")
    );
    assert_eq!(
        read_note_sized(&path, len - 1),
        None,
        "grew behind the facts"
    );
    assert_eq!(
        read_note_sized(&path, len + 1),
        None,
        "shrank behind the facts"
    );
    assert_eq!(
        std::fs::write(&path, "")
            .map(|_| read_note_sized(&path, 0))
            .unwrap()
            .as_deref(),
        Some("")
    );
    // The facts' length is the text's, without the byte-order mark.
    let bom = dir.path().join("bom.md");
    std::fs::write(&bom, "\u{feff}x\n").unwrap();
    assert_eq!(read_note_sized(&bom, 2).as_deref(), Some("x\n"));
    assert_eq!(read_note_sized(&bom, 5), None);
    // Not a note, whatever the size.
    let binary = dir.path().join("bin.md");
    std::fs::write(&binary, b"ab\0d").unwrap();
    assert_eq!(read_note_sized(&binary, 4), None);
    let latin1 = dir.path().join("latin1.md");
    std::fs::write(&latin1, b"caf\xe9").unwrap();
    assert_eq!(read_note_sized(&latin1, 4), None);
    let fifo = dir.path().join("pipe.md");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
    assert_eq!(read_note_sized(&fifo, 0), None);
    assert_eq!(read_note_sized(&fifo, 10), None);
    std::fs::create_dir(dir.path().join("folder.md")).unwrap();
    assert_eq!(read_note_sized(&dir.path().join("folder.md"), 0), None);
    assert_eq!(read_note_sized(&dir.path().join("gone.md"), 3), None);
}
