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
