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
