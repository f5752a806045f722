//! Hostile vaults, a hostile client and a server killed mid-flight: the
//! built binary (`carnet check` and the language server over stdio) must
//! index what it can, report what it skipped, answer every request, never
//! hang, and never touch a note on disk.

mod support;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::Vault;
use support::lsp::Lsp;

/// Runs `carnet check --format json` in `dir`; a run that does not finish in
/// a minute is a hang, and fails the test.
fn check(dir: &Path) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_carnet"))
        .args(["check", "--format", "json"])
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("carnet runs");
    let (mut out, mut err) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let out = std::thread::spawn(move || {
        let mut v = Vec::new();
        out.read_to_end(&mut v).unwrap();
        v
    });
    let err = std::thread::spawn(move || {
        let mut v = Vec::new();
        err.read_to_end(&mut v).unwrap();
        v
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("carnet check hung in {}", dir.display());
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

/// The summary line of `--format json` output.
fn summary(o: &Output) -> Value {
    let text = String::from_utf8(o.stdout.clone()).unwrap();
    let last = text.lines().last().expect("a summary line");
    serde_json::from_str(last).unwrap()
}

/// `(path, code)` of every problem, counted.
fn problems(o: &Output) -> BTreeMap<(String, String), u32> {
    let mut map = BTreeMap::new();
    for line in String::from_utf8(o.stdout.clone()).unwrap().lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        if v["type"] == "problem" {
            let key = (
                v["path"].as_str().unwrap().to_string(),
                v["code"].as_str().unwrap().to_string(),
            );
            *map.entry(key).or_insert(0) += 1;
        }
    }
    map
}

/// `skipped PATH: REASON` lines on stderr, as `rel → reason`.
fn skipped(o: &Output) -> BTreeMap<String, String> {
    String::from_utf8_lossy(&o.stderr)
        .lines()
        .filter_map(|l| l.strip_prefix("carnet: skipped ./"))
        .filter_map(|l| l.split_once(": "))
        .map(|(p, r)| (p.to_string(), r.to_string()))
        .collect()
}

fn is_root() -> bool {
    unsafe { libc::geteuid() == 0 }
}

fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0, "mkfifo");
}

fn td_pos(lsp: &Lsp, rel: &str, line: u32, character: u32) -> Value {
    json!({ "textDocument": { "uri": lsp.file_uri(rel) },
            "position": { "line": line, "character": character } })
}

/// A vault of things that cannot be read, or should not be: each is
/// skipped with its reason, the rest is indexed, nothing hangs.
///
/// We run as root in CI, where `chmod 000` stops nothing. The read-error
/// path is then exercised by a note that is a symlink to `/proc/self/mem`:
/// a regular file to `stat`, whose first page cannot be read (EIO), for
/// root too. The `chmod 000` cases run only when we are not root.
fn unreadable_vault() -> Vault {
    let v = Vault::new(&[
        (
            "a.md",
            "# A\n[[fifo]] [[dangling]] [[mem]] [[inner]] [[latin1]] [[secret]] [[locked]] [[ok]]\n",
        ),
        ("ok.md", "# OK\n"),
        ("dir.md/inner.md", "# Inner\n[[a]]\n"),
        ("locked/locked.md", "# Locked\n"),
        ("secret.md", "# Secret\n"),
    ]);
    let root = v.path();
    mkfifo(&root.join("fifo.md"));
    std::os::unix::fs::symlink("nowhere.md", root.join("dangling.md")).unwrap();
    if Path::new("/proc/self/mem").exists() {
        std::os::unix::fs::symlink("/proc/self/mem", root.join("mem.md")).unwrap();
    }
    std::fs::create_dir_all(root.join("l/m")).unwrap();
    std::os::unix::fs::symlink("../..", root.join("l/m/up")).unwrap();
    v.write_bytes("latin1.md", b"caf\xe9 [[a]]\n");
    use std::os::unix::fs::PermissionsExt;
    let none = std::fs::Permissions::from_mode(0o000);
    std::fs::set_permissions(root.join("secret.md"), none.clone()).unwrap();
    std::fs::set_permissions(root.join("locked"), none).unwrap();
    v
}

fn restore_permissions(v: &Vault) {
    use std::os::unix::fs::PermissionsExt;
    for p in ["secret.md", "locked"] {
        let _ = std::fs::set_permissions(v.path().join(p), std::fs::Permissions::from_mode(0o755));
    }
}

#[test]
fn unreadable_entries_are_skipped_and_reported() {
    let v = unreadable_vault();
    let out = check(v.path());
    restore_permissions(&v);
    let skipped = skipped(&out);
    let reason = |p: &str| skipped.get(p).cloned().unwrap_or_default();
    assert!(
        reason("fifo.md").contains("not a regular file"),
        "{skipped:?}"
    );
    assert!(
        reason("dangling.md").contains("No such file"),
        "{skipped:?}"
    );
    assert!(reason("l/m/up").contains("loop"), "{skipped:?}");
    assert!(reason("latin1.md").contains("not UTF-8"), "{skipped:?}");
    if Path::new("/proc/self/mem").exists() {
        assert!(
            reason("mem.md").contains("Input/output error"),
            "{skipped:?}"
        );
    }
    let mut indexed = vec!["a.md", "dir.md/inner.md", "ok.md"];
    if is_root() {
        eprintln!(
            "NOTE: running as root: chmod 000 does not stop our reads, so secret.md and \
             locked/ are indexed; /proc/self/mem stands in for an unreadable file"
        );
        indexed.extend(["locked/locked.md", "secret.md"]);
    } else {
        assert!(
            reason("secret.md").contains("Permission denied"),
            "{skipped:?}"
        );
        assert!(
            reason("locked").contains("Permission denied"),
            "{skipped:?}"
        );
    }
    assert_eq!(summary(&out)["notes"], indexed.len(), "{out:?}");
    // What was skipped is not a note: links to it are reported as broken.
    let broken = problems(&out)[&("a.md".to_string(), "unresolved-link".to_string())];
    assert_eq!(broken as usize, 8 - (indexed.len() - 1), "{out:?}");
}

#[test]
fn the_server_answers_about_unreadable_notes_without_hanging() {
    let v = unreadable_vault();
    let mut lsp = Lsp::start_logging(v.path(), true, "info");
    // Requests about notes that cannot be read (a FIFO would block a
    // plain read forever) get an answer, not a hang.
    for rel in ["fifo.md", "mem.md", "dangling.md", "latin1.md", "dir.md"] {
        let r = lsp.request("textDocument/hover", td_pos(&lsp, rel, 0, 0));
        assert!(matches!(&r, Ok(Value::Null) | Err(_)), "{rel}: {r:?}");
        // No text was read, so there is nothing to outline.
        let r = lsp.request("textDocument/documentSymbol", td_pos(&lsp, rel, 0, 0));
        assert!(matches!(&r, Ok(Value::Null) | Err(_)), "{rel}: {r:?}");
    }
    let r = lsp
        .request(
            "textDocument/references",
            json!({ "textDocument": { "uri": lsp.file_uri("a.md") },
                    "position": { "line": 0, "character": 0 }, "context": { "includeDeclaration": false } }),
        )
        .unwrap();
    assert_eq!(lsp.places(&r), ["dir.md/inner.md:1"]);
    // The log says what was skipped.
    let logged = lsp.wait_message(Duration::from_secs(10), |m| {
        m["method"] == "window/logMessage"
            && m["params"]["message"]
                .as_str()
                .is_some_and(|s| s.contains("fifo.md: not a regular file"))
    });
    restore_permissions(&v);
    assert!(logged, "the skipped FIFO is logged");
    lsp.shutdown();
    assert_eq!(lsp.exit(), Some(0));
}

/// Notes created and deleted all the time while the vault is walked: a
/// file gone between the walk and the read is skipped, never a crash.
#[test]
fn files_vanishing_during_the_walk() {
    let files: Vec<(String, String)> = (0..400)
        .map(|i| (format!("n{i}.md"), format!("[[n{}]]\n", (i + 1) % 400)))
        .collect();
    let v = Vault::from_owned(&files);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let churn = {
        let (root, stop) = (v.path().to_path_buf(), stop.clone());
        std::thread::spawn(move || {
            let mut i = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let p = root.join(format!("churn/c{}.md", i % 50));
                let _ = std::fs::create_dir_all(p.parent().unwrap());
                let _ = std::fs::write(&p, "[[n1]]\n");
                let _ = std::fs::remove_file(root.join(format!("churn/c{}.md", (i + 25) % 50)));
                if i.is_multiple_of(97) {
                    let _ = std::fs::remove_dir_all(root.join("churn"));
                }
                i += 1;
            }
        })
    };
    for _ in 0..15 {
        let out = check(v.path());
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        let notes = summary(&out)["notes"].as_u64().unwrap();
        assert!((400..=450).contains(&notes), "{notes}");
        for (path, reason) in skipped(&out) {
            assert!(
                path.starts_with("churn") && reason.contains("No such file"),
                "{path}: {reason}"
            );
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    churn.join().unwrap();
}

/// 10,000 notes in one folder, each linking to a hub and to the next.
#[test]
fn ten_thousand_notes_in_one_folder() {
    let n = 10_000;
    let mut files: Vec<(String, String)> = (0..n)
        .map(|i| {
            (
                format!("notes/n{i}.md"),
                format!("# N{i}\n[[hub]] [[n{}]]\n", (i + 1) % n),
            )
        })
        .collect();
    files.push(("hub.md".into(), "# Hub\n[[n42]]\n".into()));
    let v = Vault::from_owned(&files);
    let out = check(v.path());
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(summary(&out)["notes"], n + 1);
    assert_eq!(summary(&out)["links"], 2 * n + 1);

    let mut lsp = Lsp::start(v.path(), false);
    let r = lsp
        .request(
            "textDocument/references",
            json!({ "textDocument": { "uri": lsp.file_uri("hub.md") },
                    "position": { "line": 0, "character": 2 }, "context": { "includeDeclaration": false } }),
        )
        .unwrap();
    assert_eq!(r.as_array().unwrap().len(), n);
    let r = lsp
        .request(
            "textDocument/definition",
            td_pos(&lsp, "notes/n9999.md", 1, 12),
        )
        .unwrap();
    assert_eq!(lsp.places(&r), ["notes/n0.md:0"]);
    let r = lsp
        .request("workspace/symbol", json!({ "query": "n9999" }))
        .unwrap();
    assert!(
        r.as_array().unwrap().iter().any(|s| s["location"]["uri"]
            .as_str()
            .unwrap()
            .ends_with("/notes/n9999.md")),
        "{r}"
    );
    lsp.shutdown();
    assert_eq!(lsp.exit(), Some(0));
}

/// The names of `tests/check.rs`'s hostile-name test, 50 levels of folders
/// and a dense graph, this time through the protocol: URIs with `%23`,
/// `%25`, emoji and reserved names map back to the right files.
#[test]
fn hostile_names_deep_folders_and_a_dense_graph_over_the_protocol() {
    let names = carnet::fixture::HOSTILE_NAMES;
    let mut files: Vec<(String, String)> = Vec::new();
    // Markdown links (percent-encoded) reach every name, `#` included.
    let md_links: String = names
        .iter()
        .map(|m| {
            format!(
                "[x]({}.md)\n",
                m.replace('%', "%25")
                    .replace(' ', "%20")
                    .replace('#', "%23")
            )
        })
        .collect();
    files.push(("top.md".into(), format!("# Top\n{md_links}")));
    for n in names {
        files.push((format!("{n}.md"), format!("# {n}\n[[top]]\n")));
    }
    let deep: String = (0..50).map(|i| format!("d{i}/")).collect();
    files.push((format!("{deep}Deep.md"), "# Deep\n[[top]]\n".into()));
    files.push(("deep.md".into(), format!("[[{deep}Deep]]\n")));
    let dense = 120;
    for i in 0..dense {
        let links: String = (0..dense)
            .filter(|j| *j != i)
            .map(|j| format!("[[g{j}]] "))
            .collect();
        files.push((format!("dense/g{i}.md"), format!("# G{i}\n{links}\n")));
    }
    let v = Vault::from_owned(&files);
    for utf8 in [true, false] {
        let mut lsp = Lsp::start(v.path(), utf8);
        for (line, n) in names.iter().enumerate() {
            let r = lsp
                .request(
                    "textDocument/definition",
                    td_pos(&lsp, "top.md", line as u32 + 1, 1),
                )
                .unwrap();
            assert_eq!(lsp.places(&r), [format!("{n}.md:0")], "{n}");
        }
        // Backlinks of top: every named note and the deep one.
        let r = lsp
            .request(
                "textDocument/references",
                json!({ "textDocument": { "uri": lsp.file_uri("top.md") },
                        "position": { "line": 0, "character": 0 }, "context": { "includeDeclaration": false } }),
            )
            .unwrap();
        assert_eq!(r.as_array().unwrap().len(), names.len() + 1, "{r}");
        let r = lsp
            .request("textDocument/definition", td_pos(&lsp, "deep.md", 0, 3))
            .unwrap();
        assert_eq!(lsp.places(&r), [format!("{deep}Deep.md:0")]);
        // Dense: each note has every other as a backlink.
        let r = lsp
            .request(
                "textDocument/references",
                json!({ "textDocument": { "uri": lsp.file_uri("dense/g7.md") },
                        "position": { "line": 0, "character": 2 }, "context": { "includeDeclaration": false } }),
            )
            .unwrap();
        assert_eq!(r.as_array().unwrap().len(), dense - 1);
        let hover = lsp
            .request("textDocument/hover", td_pos(&lsp, "dense/g0.md", 1, 2))
            .unwrap();
        let text = hover["contents"]["value"].as_str().unwrap();
        assert!(text.contains(&format!("{} backlinks", dense - 1)), "{text}");
        lsp.shutdown();
        assert_eq!(lsp.exit(), Some(0));
    }
}

/// A 50 MB note on disk, asked about through the protocol.
#[test]
fn a_50_mb_note_over_the_protocol() {
    // Headings, tags and code blocks throughout; a link to b in one block of
    // a thousand (a response of 675,000 locations would test JSON, not us).
    let block = "# Section\n\nSome text with #tag.\n\n```\n[[a]]\n```\n\n";
    let copies = 50_000_000 / block.len();
    let mut huge = String::with_capacity(50_000_100);
    for k in 0..copies {
        huge.push_str(block);
        if k % 1000 == 0 {
            huge.push_str("See [[b]].\n\n");
        }
    }
    let links_to_b = copies.div_ceil(1000);
    huge.push_str("last line [[a#Top]]\n");
    let v = Vault::new(&[("a.md", "# Top\n[[huge]]\n"), ("b.md", "# B\n")]);
    v.write_bytes("huge.md", huge.as_bytes());
    let mut lsp = Lsp::start(v.path(), false);
    // A request waits at most 5 s for indexing, then answers from what is
    // indexed; parsing 50 MB can take longer in a debug build.
    let deadline = Instant::now() + Duration::from_secs(120);
    let r = loop {
        let r = lsp
            .request(
                "textDocument/references",
                json!({ "textDocument": { "uri": lsp.file_uri("a.md") },
                        "position": { "line": 0, "character": 2 }, "context": { "includeDeclaration": false } }),
            )
            .unwrap();
        if !r.as_array().unwrap().is_empty() || Instant::now() > deadline {
            break r;
        }
    };
    let refs = r.as_array().unwrap();
    // The one link at the very end; the ones in code blocks are not links.
    assert_eq!(refs.len(), 1, "{r}");
    assert_eq!(refs[0]["range"]["start"]["line"], huge.lines().count() - 1);
    let r = lsp
        .request("textDocument/hover", td_pos(&lsp, "a.md", 1, 3))
        .unwrap();
    assert!(
        r["contents"]["value"].as_str().unwrap().contains("huge.md"),
        "{r}"
    );
    let r = lsp
        .request(
            "textDocument/references",
            json!({ "textDocument": { "uri": lsp.file_uri("b.md") },
                    "position": { "line": 0, "character": 2 }, "context": { "includeDeclaration": false } }),
        )
        .unwrap();
    assert_eq!(
        r.as_array().unwrap().len(),
        links_to_b,
        "every link of the huge note"
    );
    lsp.shutdown();
    assert_eq!(lsp.exit(), Some(0));
}

/// Garbage on the wire: a header line that never ends, a body larger than
/// any note, a wrong length. Each gets an error response (or is dropped)
/// and the next good request is answered; input ending inside a message is
/// a clean exit.
#[test]
fn a_hostile_client_gets_errors_not_a_hang() {
    let v = Vault::new(&[("a.md", "[[b]]\n"), ("b.md", "# B\n")]);
    let mut lsp = Lsp::start(v.path(), true);
    let definition = |lsp: &mut Lsp| {
        let r = lsp
            .request("textDocument/definition", td_pos(lsp, "a.md", 0, 2))
            .unwrap();
        assert_eq!(lsp.places(&r), ["b.md:0"]);
    };
    // A megabyte without a line break, then a blank line.
    let mut line = vec![b'x'; 1 << 20];
    line.extend_from_slice(b"\r\n\r\n");
    lsp.send_raw(&line);
    definition(&mut lsp);
    // A body over the 256 MiB limit: refused and skipped, whole.
    let n = (256 << 20) + 1;
    lsp.send_raw(format!("Content-Length: {n}\r\n\r\n").as_bytes());
    let chunk = vec![b' '; 1 << 20];
    let mut left = n;
    while left > 0 {
        let k = left.min(chunk.len());
        lsp.send_raw(&chunk[..k]);
        left -= k;
    }
    definition(&mut lsp);
    assert!(
        lsp.wait_message(Duration::from_secs(10), |m| m["error"]["message"]
            .as_str()
            .is_some_and(|s| s.contains("too large"))),
        "the huge message gets an error"
    );
    // Content-Length shorter than the body: the leftovers are garbage.
    lsp.send_raw(b"Content-Length: 10\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":999,\"method\":\"shutdown\"}\r\n\r\n");
    definition(&mut lsp);
    assert!(lsp.is_running());
    // The input ends in the middle of a message: the server exits (1: no shutdown).
    lsp.send_raw(b"Content-Length: 100\r\n\r\n{\"jsonrpc\"");
    assert_eq!(lsp.close_input(), Some(1));
}

/// Peak resident memory of a process, in KiB (Linux).
fn peak_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// 10,000 changes and 100 requests, none waited for: every request is
/// answered and sees exactly the changes sent before it; memory stays
/// bounded.
#[test]
fn a_flood_of_ten_thousand_changes() {
    let v = Vault::new(&[("a.md", ""), ("b.md", "# B\n")]);
    let mut lsp = Lsp::start(v.path(), true);
    let a = lsp.open_text("a.md", "");
    let before = peak_kib(lsp.pid());
    let mut text = String::new();
    let mut pending = Vec::new();
    let mut frames = Vec::new();
    let frame = |body: Value| {
        let body = serde_json::to_vec(&body).unwrap();
        let mut f = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        f.extend(body);
        f
    };
    for i in 0..10_000u32 {
        // A heading every 50 changes, on a line of its own.
        let insert = if i % 50 == 0 {
            format!("\n# H{i}\n")
        } else {
            "x".to_string()
        };
        let line = text.matches('\n').count();
        let col = text.len() - text.rfind('\n').map_or(0, |k| k + 1);
        let end = json!({ "line": line, "character": col });
        frames.extend(frame(json!({ "jsonrpc": "2.0", "method": "textDocument/didChange",
            "params": { "textDocument": { "uri": a, "version": i + 2 },
                        "contentChanges": [{ "range": { "start": end, "end": end }, "text": insert }] } })));
        text.push_str(&insert);
        if i % 100 == 99 {
            let id = 100_000 + i as i64;
            frames.extend(frame(
                json!({ "jsonrpc": "2.0", "id": id, "method": "textDocument/documentSymbol",
                "params": { "textDocument": { "uri": a } } }),
            ));
            pending.push((id, text.matches("# H").count()));
        }
        if frames.len() > 1 << 16 {
            lsp.send_raw(&std::mem::take(&mut frames));
        }
    }
    lsp.send_raw(&frames);
    // A request sees every change sent before it, and may see later ones
    // (it reads the buffer when it runs; the editor has sent those too) but
    // never an older state than an earlier request saw.
    let mut seen = 0;
    for (id, headings) in pending {
        let symbols = lsp.response(id).expect("answered");
        let names: Vec<&str> = symbols
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap())
            .collect();
        let want: Vec<String> = (0..names.len()).map(|k| format!("H{}", k * 50)).collect();
        assert_eq!(
            names, want,
            "request {id}: the headings of one state of the text"
        );
        assert!(
            names.len() >= headings,
            "request {id} misses changes sent before it"
        );
        assert!(
            names.len() >= seen,
            "request {id} sees an older text than the one before"
        );
        seen = names.len();
    }
    let r = lsp.request(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": a } }),
    );
    assert_eq!(r.unwrap().as_array().unwrap().len(), 200);
    let peak = peak_kib(lsp.pid()).expect("VmHWM");
    eprintln!("flood: peak RSS {peak} KiB (before the flood {before:?} KiB)");
    // Generous: the text is 20 KB; a leak per change would show at 10,000.
    assert!(peak < 256 * 1024, "peak RSS {peak} KiB");
    lsp.shutdown();
    assert_eq!(lsp.exit(), Some(0));
}

/// `$/cancelRequest` on a long request: answered -32800 (RequestCancelled)
/// and the server goes on answering.
#[test]
fn cancelled_long_requests_answer_request_cancelled() {
    let n = 6_000;
    let files: Vec<(String, String)> = (0..n)
        .map(|i| {
            let broken: String = (0..20).map(|k| format!("[[missing {i} {k}]] ")).collect();
            (format!("n{i}.md"), format!("# N{i}\n{broken}\n[[n0]]\n"))
        })
        .collect();
    let v = Vault::from_owned(&files);
    let mut lsp = Lsp::start_with(
        v.path(),
        false,
        json!({ "textDocument": { "diagnostic": {} } }),
    );
    // Let indexing finish first, so the cancelled work is the request's own.
    lsp.request("textDocument/hover", td_pos(&lsp, "n1.md", 0, 0))
        .unwrap();
    for (id, method, params) in [
        (
            9001,
            "workspace/diagnostic",
            json!({ "previousResultIds": [] }),
        ),
        (9002, "workspace/symbol", json!({ "query": "" })),
        (
            9003,
            "textDocument/references",
            json!({ "textDocument": { "uri": lsp.file_uri("n0.md") },
                    "position": { "line": 0, "character": 2 }, "context": { "includeDeclaration": true } }),
        ),
    ] {
        let body = serde_json::to_vec(
            &json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }),
        )
        .unwrap();
        let cancel = serde_json::to_vec(
            &json!({ "jsonrpc": "2.0", "method": "$/cancelRequest", "params": { "id": id } }),
        )
        .unwrap();
        // Both in one write: the cancel reaches the server right behind its request.
        let mut f = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        f.extend(body);
        f.extend(format!("Content-Length: {}\r\n\r\n", cancel.len()).into_bytes());
        f.extend(cancel);
        lsp.send_raw(&f);
        let err = lsp.response(id).expect_err(method);
        assert_eq!(err["code"], -32800, "{method}: {err}");
        let r = lsp
            .request("textDocument/definition", td_pos(&lsp, "n5.md", 2, 3))
            .unwrap();
        assert_eq!(lsp.places(&r), ["n0.md:0"], "responsive after {method}");
    }
    lsp.shutdown();
    assert_eq!(lsp.exit(), Some(0));
}

/// Every file of a folder, by relative path, with its bytes.
fn tree(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let e = e.unwrap();
            let t = e.file_type().unwrap();
            if t.is_dir() {
                stack.push(e.path());
            } else {
                let bytes = std::fs::read(e.path()).unwrap_or_default();
                out.insert(e.path().strip_prefix(root).unwrap().to_path_buf(), bytes);
            }
        }
    }
    out
}

/// carnet writes notes only through the editor (a WorkspaceEdit it
/// applies), so killing the server or the CLI at any moment leaves every
/// file as it was, and no stray file behind.
#[test]
fn killed_at_any_moment_the_vault_is_untouched() {
    let mut files: Vec<(String, String)> = (0..300)
        .map(|i| {
            (
                format!("n{i}.md"),
                format!("# N{i}\n[[n{}]] [[missing{i}]] #Tag #tag\n", i + 1),
            )
        })
        .collect();
    files.push((
        "carnet.toml".into(),
        "[diagnostics]\ntag-variant = \"error\"\n".into(),
    ));
    let v = Vault::from_owned(&files);
    let before = tree(v.path());
    for step in 0..6 {
        let mut lsp = Lsp::start_with(
            v.path(),
            false,
            json!({ "workspace": { "workspaceEdit": { "documentChanges": true, "resourceOperations": ["create"] } } }),
        );
        let u = lsp.open("n1.md");
        for k in 0..step * 5 {
            lsp.notify(
                "textDocument/didChange",
                json!({ "textDocument": { "uri": u, "version": k + 2 },
                        "contentChanges": [{ "range": { "start": { "line": 1, "character": 0 }, "end": { "line": 1, "character": 0 } }, "text": "[[new]] " }] }),
            );
        }
        if step % 2 == 1 {
            // Ask for quick fixes (which create notes and edit links) but
            // never apply them: only the editor writes.
            let actions = lsp
                .request(
                    "textDocument/codeAction",
                    json!({ "textDocument": { "uri": u },
                            "range": { "start": { "line": 1, "character": 0 }, "end": { "line": 1, "character": 80 } },
                            "context": { "diagnostics": [] } }),
                )
                .unwrap();
            assert!(!actions.as_array().unwrap().is_empty(), "{actions}");
        }
        std::thread::sleep(Duration::from_millis(step as u64 * 15));
        lsp.kill();
        assert_eq!(
            tree(v.path()),
            before,
            "after killing the server at step {step}"
        );
    }
    // The CLI, killed part-way through a check.
    for delay in [0, 5, 20] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_carnet"))
            .args(["check", "."])
            .current_dir(v.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay));
        let _ = child.kill();
        let _ = child.wait();
        assert_eq!(tree(v.path()), before, "after killing check at {delay} ms");
    }
}
