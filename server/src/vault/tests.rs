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
