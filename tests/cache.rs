//! The facts cache (docs/server.md, "The facts cache"): an index built from
//! cached facts is the index built by parsing, every change made between
//! two starts is seen, and a bad cache file is only a log line.

mod support;

use std::path::Path;
use std::time::{Duration, SystemTime};

use carnet::index::Snapshot;
use carnet::names::fold;
use carnet::vault::{self, Loaded};
use serde_json::json;
use support::lsp::Lsp;

/// Cached facts are used only for files whose times are this far before
/// the indexing that cached them (the cache's "racy" rule, 2 s, plus room).
const SETTLE: Duration = Duration::from_millis(2100);

fn loaded(root: &Path) -> Loaded {
    vault::load(root).expect("the vault loads")
}

fn cached(root: &Path, home: &Path) -> Loaded {
    vault::load_cached_in(root, home).expect("the vault loads")
}

/// The same notes with the same facts, the same attachments, and the same
/// backlinks for every note's name: what every answer is computed from.
fn assert_same(a: &Snapshot, b: &Snapshot, what: &str) {
    let notes = |s: &Snapshot| {
        let mut v: Vec<_> = s.notes().cloned().collect();
        v.sort_by(|x, y| x.path.cmp(&y.path));
        v
    };
    let (na, nb) = (notes(a), notes(b));
    assert_eq!(na.len(), nb.len(), "{what}: note count");
    for (x, y) in na.iter().zip(&nb) {
        assert_eq!(x.path, y.path, "{what}: paths");
        assert_eq!(x.bytes, y.bytes, "{what}: size of {}", x.path);
        assert!(x.facts == y.facts, "{what}: facts of {}", x.path);
        let key = fold(x.name());
        assert_eq!(
            a.linkers_of_name(&key),
            b.linkers_of_name(&key),
            "{what}: notes linking to {}",
            x.path
        );
    }
    let mut xa: Vec<_> = a.attachments().cloned().collect();
    let mut xb: Vec<_> = b.attachments().cloned().collect();
    xa.sort();
    xb.sort();
    assert_eq!(xa, xb, "{what}: attachments");
}

fn save(l: &Loaded) {
    let used = l.cache.as_ref().expect("a cached load says what it did");
    used.save(&l.snapshot).expect("the cache is written");
}

/// Counts from the cache, and from parsing.
fn counts(l: &Loaded) -> (usize, usize) {
    let used = l.cache.as_ref().unwrap();
    (used.reused, used.parsed)
}

fn report(l: &Loaded) -> String {
    l.cache.as_ref().unwrap().report.clone()
}

#[test]
fn cached_facts_build_the_same_index_on_the_corpora() {
    let Some(corpora) = support::corpora() else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let copies: Vec<_> = ["obsidian-help", "kepano-obsidian", "foam-docs"]
        .iter()
        .map(|name| (name, support::copy_of(&corpora.join(name))))
        .collect();
    std::thread::sleep(SETTLE);
    for (name, copy) in &copies {
        let root = copy.path();
        let parsed = loaded(root);
        let first = cached(root, home.path());
        assert_eq!(counts(&first).0, 0, "{name}: nothing cached yet");
        assert_same(&parsed.snapshot, &first.snapshot, name);
        save(&first);
        let again = cached(root, home.path());
        let n = parsed.snapshot.note_count();
        assert!(n > 10, "{name}: a real vault");
        assert_eq!(counts(&again), (n, 0), "{name}: {}", report(&again));
        assert!(!again.cache.as_ref().unwrap().stale);
        assert_same(&parsed.snapshot, &again.snapshot, name);
    }
}

/// A small generated vault: notes that link to each other, with
/// non-ASCII text, headings, tags and block ids (the first line prose, so
/// that references asked there are the note's).
fn generate(root: &Path, notes: usize) {
    for i in 0..notes {
        let text = format!(
            "Prose first, with a café.\n\n# Note {i}\n\nCafé ünïcödé [[Note {}]] and [[Note {}#Note {}]] #tag{} ^b{i}\n",
            (i + 1) % notes,
            (i * 7) % notes,
            (i * 7) % notes,
            i % 3
        );
        let dir = root.join(format!("f{}", i % 4));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("Note {i}.md")), text).unwrap();
    }
    std::fs::write(root.join("f0/image.png"), b"png").unwrap();
}

fn set_mtime(path: &Path, t: SystemTime) {
    let f = std::fs::File::options().write(true).open(path).unwrap();
    f.set_modified(t).unwrap();
}

#[test]
fn a_reload_sees_every_change_made_since_the_cache_was_written() {
    let vault = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let root = vault.path();
    generate(root, 40);
    std::thread::sleep(SETTLE);
    let first = cached(root, home.path());
    assert_eq!(counts(&first), (0, 40), "{}", report(&first));
    save(&first);
    let warm = cached(root, home.path());
    assert_eq!(counts(&warm), (40, 0), "{}", report(&warm));
    assert_same(&loaded(root).snapshot, &warm.snapshot, "unchanged");

    // Changed in place, same size, its modification time put back (as
    // `touch -d` would): only the change time shows it.
    let changed = root.join("f1/Note 1.md");
    let old = std::fs::metadata(&changed).unwrap().modified().unwrap();
    let text = std::fs::read_to_string(&changed).unwrap();
    let new = text.replace("[[Note 2]]", "[[Note 3]]");
    assert_eq!(new.len(), text.len());
    std::fs::write(&changed, new).unwrap();
    set_mtime(&changed, old);
    // Added, deleted and renamed.
    std::fs::write(root.join("f2/Fresh.md"), "[[Note 5]] #new\n").unwrap();
    std::fs::remove_file(root.join("f3/Note 3.md")).unwrap();
    std::fs::rename(root.join("f2/Note 2.md"), root.join("f0/Renamed.md")).unwrap();
    let after = cached(root, home.path());
    let parsed = loaded(root);
    assert_same(&parsed.snapshot, &after.snapshot, "after changes");
    // The changed, the new and the renamed note are parsed; the 37 others
    // (40, less the changed, deleted and renamed ones) are not.
    assert_eq!(counts(&after), (37, 3), "{}", report(&after));
    assert!(after.cache.as_ref().unwrap().stale);
    let note1 = after.snapshot.note("f1/Note 1.md").unwrap();
    assert!(
        note1.facts.links.iter().any(|l| &*l.target == "Note 3"),
        "the same-size change is seen"
    );
    assert!(after.snapshot.note("f3/Note 3.md").is_none());

    // A changed carnet.toml: nothing is taken from the cache.
    save(&after);
    std::fs::write(root.join("carnet.toml"), "[tags]\nrare_max_notes = 3\n").unwrap();
    let reconfigured = cached(root, home.path());
    assert_eq!(counts(&reconfigured).0, 0, "{}", report(&reconfigured));
    assert!(report(&reconfigured).contains("another configuration"));
    assert_same(&loaded(root).snapshot, &reconfigured.snapshot, "new config");

    // `cache = false`: no cache at all.
    std::fs::write(root.join("carnet.toml"), "cache = false\n").unwrap();
    let off = cached(root, home.path());
    assert!(off.cache.as_ref().unwrap().cache.is_none());
    assert!(report(&off).contains("cache = false"), "{}", report(&off));
}

#[test]
fn a_note_changed_as_it_was_indexed_is_parsed_again() {
    // Notes written just now are "racy": their times could hide a write
    // made in the same clock tick as the read, so the cache never stands
    // for them, even though it holds them.
    let vault = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    generate(vault.path(), 10);
    let first = cached(vault.path(), home.path());
    save(&first);
    let again = cached(vault.path(), home.path());
    assert!(
        report(&again).starts_with("10 notes cached"),
        "{}",
        report(&again)
    );
    assert_eq!(counts(&again), (0, 10));
}

#[test]
fn a_bad_cache_file_is_a_log_line_and_a_full_index() {
    let vault = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let root = vault.path();
    generate(root, 30);
    std::thread::sleep(SETTLE);
    let first = cached(root, home.path());
    save(&first);
    let file = first
        .cache
        .as_ref()
        .unwrap()
        .cache
        .as_ref()
        .unwrap()
        .file
        .clone();
    let good = std::fs::read(&file).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(file.parent().unwrap())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700, "the cache folder is the user's alone");
    }
    let parsed = loaded(root);
    let mut flipped = good.clone();
    let mid = flipped.len() * 2 / 3;
    flipped[mid] ^= 0x55;
    let mut foreign = good.clone();
    foreign[8] = foreign[8].wrapping_add(1);
    let cases: [(&str, Vec<u8>, &str); 5] = [
        ("truncated", good[..good.len() / 2].to_vec(), "truncated"),
        ("corrupt", flipped, "corrupt"),
        ("foreign version", foreign, "format"),
        ("not a cache", b"hello".to_vec(), "not a carnet facts cache"),
        ("empty", Vec::new(), "not a carnet facts cache"),
    ];
    for (what, bytes, says) in cases {
        std::fs::write(&file, bytes).unwrap();
        let l = cached(root, home.path());
        assert_eq!(counts(&l), (0, 30), "{what}");
        assert!(report(&l).contains(says), "{what}: {}", report(&l));
        assert_same(&parsed.snapshot, &l.snapshot, what);
    }
    std::fs::write(&file, &good).unwrap();
    assert_eq!(
        counts(&cached(root, home.path())),
        (30, 0),
        "the good file again"
    );
}

/// The server writes the cache after indexing, and a server started again
/// sees a note changed between the two, the same size and its
/// modification time put back.
#[test]
fn a_restarted_server_sees_a_note_changed_behind_the_cache() {
    let vault = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let root = vault.path();
    generate(root, 20);
    std::thread::sleep(SETTLE);
    let start = |expect: &str| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_carnet"));
        cmd.arg("--stdio")
            .env("CARNET_LOG", "info")
            .env("XDG_CACHE_HOME", home.path());
        let mut lsp = Lsp::initialize_with(Lsp::spawn_command(cmd, root, false), json!({}));
        let logged = lsp.wait_for("window/logMessage", Duration::from_secs(30), |p| {
            p["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("facts cache:"))
        });
        let line = logged.expect("the server says what it did with the cache");
        let line = line["params"]["message"].as_str().unwrap().to_string();
        assert!(line.contains(expect), "{line}");
        lsp
    };
    let mut lsp = start("0 notes from it, 20 parsed");
    lsp.wait_for("window/logMessage", Duration::from_secs(30), |p| {
        p["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("facts cache written"))
    })
    .expect("the server writes its cache");
    let linkers = |lsp: &mut Lsp, note: &str| {
        let refs = lsp
            .request(
                "textDocument/references",
                json!({
                    "textDocument": { "uri": lsp.file_uri(note) },
                    "position": { "line": 0, "character": 0 },
                    "context": { "includeDeclaration": false },
                }),
            )
            .unwrap();
        let mut uris: Vec<String> = refs
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["uri"].as_str().unwrap().to_string())
            .collect();
        uris.sort();
        uris
    };
    let before = linkers(&mut lsp, "f3/Note 3.md");
    lsp.shutdown();
    lsp.exit();

    let changed = root.join("f1/Note 1.md");
    let old = std::fs::metadata(&changed).unwrap().modified().unwrap();
    let text = std::fs::read_to_string(&changed).unwrap();
    std::fs::write(&changed, text.replace("[[Note 2]]", "[[Note 3]]")).unwrap();
    set_mtime(&changed, old);

    let mut lsp = start("19 notes from it, 1 parsed");
    let after = linkers(&mut lsp, "f3/Note 3.md");
    let uri = lsp.file_uri("f1/Note 1.md");
    assert!(
        !before.contains(&uri) && after.contains(&uri),
        "{before:?} → {after:?}"
    );
    lsp.shutdown();
    lsp.exit();
}

#[test]
fn old_cache_files_of_other_vaults_are_removed_and_a_used_one_is_kept() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("carnet");
    let month = Duration::from_secs(31 * 24 * 3600);
    let long_ago = SystemTime::now() - month;

    // A vault opened a month ago and every day since, never changed: its
    // file is read at each start, not rewritten.
    let kept = tempfile::tempdir().unwrap();
    generate(kept.path(), 5);
    std::thread::sleep(SETTLE);
    save(&cached(kept.path(), home.path()));
    let kept_file = std::fs::read_dir(&dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    set_mtime(&kept_file, long_ago);
    let warm = cached(kept.path(), home.path());
    assert_eq!(counts(&warm), (5, 0), "{}", report(&warm));

    // What another vault, long gone, and a writer that died left, and
    // files the cache did not write.
    let stale = dir.join("0123456789abcdef.facts");
    let orphan = dir.join("fedcba9876543210.tmp4242");
    let fresh_tmp = dir.join("fedcba9876543211.tmp4243");
    let foreign = [
        dir.join("notes.facts"),
        dir.join("README"),
        dir.join("0123456789abcdeg.facts"),
    ];
    for f in [&stale, &orphan, &fresh_tmp].into_iter().chain(&foreign) {
        std::fs::write(f, b"x").unwrap();
        if f != &fresh_tmp {
            set_mtime(f, long_ago);
        }
    }

    // Another vault's first save prunes.
    let other = tempfile::tempdir().unwrap();
    generate(other.path(), 3);
    let l = cached(other.path(), home.path());
    let (_, _, pruned) = l.cache.as_ref().unwrap().save(&l.snapshot).unwrap();
    assert!(!stale.exists(), "a month-old cache file is removed");
    assert!(!orphan.exists(), "an hour-old temporary file is removed");
    assert_eq!(pruned.len(), 2, "{pruned:?}");
    assert!(fresh_tmp.exists(), "a temporary file being written is left");
    for f in &foreign {
        assert!(f.exists(), "{} is not the cache's: left", f.display());
    }
    assert!(
        kept_file.exists(),
        "a file read at the last start is in use"
    );
    let again = cached(kept.path(), home.path());
    assert_eq!(counts(&again), (5, 0), "{}", report(&again));
}
