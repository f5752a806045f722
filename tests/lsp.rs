//! Black-box tests of the language server: the built binary driven over
//! stdio by a small client, on purpose-built vaults and on a copy of a real
//! vault, in both position encodings.

mod support;

use std::collections::BTreeMap;
use std::time::Duration;

use carnet::fixture::Fixture;
use serde_json::{Value, json};
use support::lsp::{Lsp, copy_dir, path_of};
use support::{Vault, both_encodings, corpora};

fn td_pos(lsp: &Lsp, rel: &str, pos: Value) -> Value {
    json!({ "textDocument": { "uri": lsp.file_uri(rel) }, "position": pos })
}

const UNICODE_NOTE: &str = "# Start\r\n\r\n😀 漢字 see [[Target Note#Deep Heading|alias]] and [[Twin]]\r\n\
                            Café ![[Target Note#^blk]] [md](Target%20Note.md#deep-heading) [[#Start]]\r\n";

fn unicode_vault() -> Vault {
    Vault::new(&[
        ("notes/a.md", UNICODE_NOTE),
        (
            "Target Note.md",
            "---\ntitle: Target\n---\n# Target\n\n## Deep Heading\n\nA block ^blk\n",
        ),
        ("x/Twin.md", "x"),
        ("y/Twin.md", "y"),
    ])
}

#[test]
fn negotiates_position_encoding() {
    let v = unicode_vault();
    let lsp = Lsp::start(v.path(), true);
    assert_eq!(lsp.init_result["capabilities"]["positionEncoding"], "utf-8");
    assert_eq!(
        lsp.init_result["capabilities"]["textDocumentSync"]["change"],
        2
    );
    let lsp = Lsp::start(v.path(), false);
    assert_eq!(
        lsp.init_result["capabilities"]["positionEncoding"],
        "utf-16"
    );
}

#[test]
fn definition_of_every_link_form_after_emoji_cjk_and_crlf() {
    both_encodings(|utf8| {
        let v = unicode_vault();
        let mut lsp = Lsp::start(v.path(), utf8);
        lsp.open("notes/a.md");
        let text = UNICODE_NOTE;
        let def = |lsp: &mut Lsp, needle: &str| {
            let pos = lsp.pos_of(text, needle, 3);
            let r = lsp
                .request("textDocument/definition", td_pos(lsp, "notes/a.md", pos))
                .unwrap();
            lsp.places(&r)
        };
        assert_eq!(
            def(&mut lsp, "[[Target Note#Deep"),
            ["Target Note.md:5"],
            "utf8={utf8}"
        );
        assert_eq!(def(&mut lsp, "[[Twin]]"), ["x/Twin.md:0", "y/Twin.md:0"]);
        assert_eq!(def(&mut lsp, "![[Target Note#^blk"), ["Target Note.md:7"]);
        assert_eq!(def(&mut lsp, "[md](Target"), ["Target Note.md:5"]);
        assert_eq!(def(&mut lsp, "[[#Start]]"), ["notes/a.md:0"]);

        // The origin range of a LocationLink is the link, in the negotiated encoding.
        let mut lsp = Lsp::start_with(
            v.path(),
            utf8,
            json!({ "textDocument": { "definition": { "linkSupport": true } } }),
        );
        lsp.open("notes/a.md");
        let pos = lsp.pos_of(text, "[[Target Note#Deep", 5);
        let r = lsp
            .request("textDocument/definition", td_pos(&lsp, "notes/a.md", pos))
            .unwrap();
        let origin = &r[0]["originSelectionRange"];
        let start = lsp.pos_of(text, "[[Target Note#Deep", 0);
        assert_eq!(origin["start"], start, "utf8={utf8}");
        let end_offset = text.find("alias]]").unwrap() + "alias]]".len();
        assert_eq!(origin["end"], lsp.pos(text, end_offset));
    });
}

/// Definition over the protocol, asserted as exact spans (in both
/// encodings) against the fixture's `^^^` marks.
fn check_definition(fixture: &str) {
    let fixture = Fixture::parse(fixture);
    both_encodings(|utf8| {
        let v = Vault::from_fixture(&fixture);
        let mut lsp = Lsp::start(v.path(), utf8);
        lsp.open(&fixture.cursor().path);
        let r = lsp
            .request("textDocument/definition", lsp.at_cursor(&fixture))
            .unwrap();
        lsp.assert_marks(&fixture, &r);
    });
}

#[test]
fn definition_of_each_link_form_as_exact_spans() {
    // `{heading}` and `{block}` are where the marks of the expected target go.
    let vault = |cursor_before: &str, heading: &str, block: &str| {
        let links = "😀 漢字 see [[Target Note#Deep Heading|alias]] and [[Twin]]\n\
                     Café ![[Target Note#^blk]] [md](Target%20Note.md#deep-heading) [[#Start]]\n";
        let links = links.replacen(cursor_before, &format!("{cursor_before}$0"), 1);
        format!(
            "//- notes/a.md\n# Start\n{links}//- Target Note.md\n# Target\n\n\
             ## Deep Heading\n{heading}A block ^blk\n{block}//- x/Twin.md\nx\n//- y/Twin.md\ny\n"
        )
    };
    let heading = "^^^^^^^^^^^^^^^\n";
    let block = "        ^^^^\n";
    check_definition(&vault("[[Tar", heading, ""));
    check_definition(&vault("[md](Tar", heading, ""));
    check_definition(&vault("![[Tar", "", block));
    // Two notes share the name: both, at their starts.
    let twins = vault("[[Tw", "", "").replace("//- x/Twin.md\nx\n", "//- x/Twin.md\nx\n^\n");
    check_definition(&twins.replace("//- y/Twin.md\ny\n", "//- y/Twin.md\ny\n^\n"));
}

/// References over the protocol, asserted as exact spans (in both
/// encodings) against the fixture's `^^^` marks. Marks count characters, so
/// under a line with an emoji they sit one cell left of where they look.
fn check_references(fixture: &str, declaration: bool) {
    let fixture = Fixture::parse(fixture);
    both_encodings(|utf8| {
        let v = Vault::from_fixture(&fixture);
        let mut lsp = Lsp::start(v.path(), utf8);
        lsp.open(&fixture.cursor().path);
        let mut params = lsp.at_cursor(&fixture);
        params["context"] = json!({ "includeDeclaration": declaration });
        let r = lsp.request("textDocument/references", params).unwrap();
        lsp.assert_marks(&fixture, &r);
    });
}

#[test]
fn utf16_reference_positions_come_from_the_facts_not_from_the_file() {
    // The linking note changes on disk behind the server's back (the client
    // watches files and says nothing): the positions still describe the
    // text that was indexed, so none of them came from a read of the file.
    let fixture = Fixture::parse(
        r#"
        //- hub.md
        # H$0ub
        //- a.md
        日本語のテキスト [[hub]] と Café 😀 [[hub#Hub|ü]] ![[hub]]
                 ^^^^^^^          ^^^^^^^^^^^^^ ^^^^^^^^
        ascii [[hub]]
              ^^^^^^^
        "#,
    );
    let v = Vault::from_fixture(&fixture);
    let watching =
        json!({ "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } } });
    let mut lsp = Lsp::start_with(v.path(), false, watching);
    lsp.open("hub.md");
    let mut params = lsp.at_cursor(&fixture);
    params["context"] = json!({ "includeDeclaration": false });
    // The first answer waits for the vault to be indexed.
    let r = lsp
        .request("textDocument/references", params.clone())
        .unwrap();
    lsp.assert_marks(&fixture, &r);
    std::fs::write(v.path().join("a.md"), "rewritten\n").unwrap();
    let r = lsp.request("textDocument/references", params).unwrap();
    lsp.assert_marks(&fixture, &r);
}

/// References answers are written as JSON by their handler and spliced
/// into tower-lsp's response frames: answers sent at once, each to its own
/// request (whatever order they finish in), are the ones asked one at a
/// time, with every position exact, and requests of other kinds in between
/// are answered as usual.
#[test]
fn concurrent_references_answers_keep_their_ids() {
    let fixture = Fixture::parse(
        r#"
        //- hub.md
        # Hub
        //- b.md
        # B
        //- a.md
        日本語 [[hub]] と 😀 [[b]] ![[hub#Hub]]
        //- c "quoted" 100%.md
        [[b]] Café [[hub]]
        "#,
    );
    both_encodings(|utf8| {
        let v = Vault::from_fixture(&fixture);
        let mut lsp = Lsp::start(v.path(), utf8);
        lsp.open("a.md");
        let refs = |lsp: &Lsp, rel: &str| {
            json!({ "textDocument": { "uri": lsp.file_uri(rel) }, "position": { "line": 0, "character": 0 },
                    "context": { "includeDeclaration": false } })
        };
        let one_by_one: Vec<Value> = ["hub.md", "b.md"]
            .iter()
            .map(|rel| {
                lsp.request("textDocument/references", refs(&lsp, rel))
                    .unwrap()
            })
            .collect();
        assert_eq!(
            lsp.places(&one_by_one[0]),
            ["a.md:0", "a.md:0", "c \"quoted\" 100%.md:0"]
        );
        assert_eq!(
            lsp.places(&one_by_one[1]),
            ["a.md:0", "c \"quoted\" 100%.md:0"]
        );
        let a = fixture.text("a.md");
        let hub_link = a.find("[[hub]]").unwrap();
        assert_eq!(one_by_one[0][0]["range"]["start"], lsp.pos(a, hub_link));
        assert_eq!(one_by_one[0][0]["range"]["end"], lsp.pos(a, hub_link + 7));
        let burst = [
            (9001, "textDocument/references", refs(&lsp, "hub.md")),
            (
                9002,
                "textDocument/hover",
                td_pos(&lsp, "a.md", lsp.pos(a, hub_link + 3)),
            ),
            (9003, "textDocument/references", refs(&lsp, "b.md")),
            (9004, "textDocument/references", refs(&lsp, "hub.md")),
        ];
        let mut bytes = Vec::new();
        for (id, method, params) in &burst {
            let body = serde_json::to_vec(
                &json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }),
            )
            .unwrap();
            bytes.extend(format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes());
            bytes.extend(body);
        }
        lsp.send_raw(&bytes);
        // Read back to front: the others wait, matched by id.
        assert_eq!(lsp.response(9004).unwrap(), one_by_one[0], "utf8={utf8}");
        assert_eq!(lsp.response(9003).unwrap(), one_by_one[1]);
        let hover = lsp.response(9002).unwrap();
        assert!(
            hover["contents"]["value"].as_str().unwrap().contains("Hub"),
            "{hover}"
        );
        assert_eq!(lsp.response(9001).unwrap(), one_by_one[0]);
        lsp.shutdown();
        assert_eq!(lsp.exit(), Some(0));
    });
}

#[test]
fn references_of_notes_headings_blocks_and_tags() {
    // On the title: every backlink.
    check_references(
        r#"
        //- hub.md
        # H$0ub

        ## Part

        text ^blk
        #proj
        //- a.md
        [[hub]] [[hub#Part]] [[hub#^blk]] #proj #proj/sub
        ^^^^^^^ ^^^^^^^^^^^^ ^^^^^^^^^^^^
        //- b c.md
        [[Hub|alias]] [x](hub.md#part) #project 😀 [[hub]]
        ^^^^^^^^^^^^^ ^^^^^^^^^^^^^^^^            ^^^^^^^
        "#,
        false,
    );
    // On a heading: the links to it, and with the declaration the heading.
    let heading = r#"
        //- hub.md
        # Hub

        ## P$0art
        %%%%%%%

        text ^blk
        //- a.md
        [[hub]] [[hub#Part]] [[hub#^blk]] #proj #proj/sub
                ^^^^^^^^^^^^
        //- b c.md
        [[Hub|alias]] 😀 [x](hub.md#part) #project
                        ^^^^^^^^^^^^^^^^
        "#;
    check_references(&heading.replace("%%%%%%%", ""), false);
    check_references(&heading.replace('%', "^"), true);
    // On a block id, and on a tag (nested tags too, not mere prefixes).
    check_references(
        r#"
        //- hub.md
        # Hub

        ## Part

        text ^b$0lk
        //- a.md
        [[hub]] [[hub#Part]] [[hub#^blk]] #proj #proj/sub
                             ^^^^^^^^^^^^
        "#,
        false,
    );
    check_references(
        r#"
        //- hub.md
        # Hub

        ## Part

        text ^blk
        #pr$0oj
        ^^^^^
        //- a.md
        [[hub]] [[hub#Part]] [[hub#^blk]] #proj #proj/sub
                                          ^^^^^ ^^^^^^^^^
        //- b c.md
        [[Hub|alias]] [x](hub.md#part) #project
        "#,
        false,
    );
}

#[test]
fn unsaved_edits_feed_the_index() {
    let v = Vault::new(&[("a.md", "nothing yet\n"), ("b.md", "# B\n")]);
    let mut lsp = Lsp::start(v.path(), false);
    let a = lsp.open("a.md");
    lsp.open("b.md");
    let refs_of_b = |lsp: &mut Lsp| {
        let mut p = td_pos(lsp, "b.md", json!({ "line": 0, "character": 2 }));
        p["context"] = json!({ "includeDeclaration": false });
        let r = lsp.request("textDocument/references", p).unwrap();
        lsp.places(&r)
    };
    assert!(refs_of_b(&mut lsp).is_empty());
    // Type `[[b]]` at the end of line 0, in two incremental changes.
    for (version, text, col) in [(2, "[[", 11), (3, "b]]", 13)] {
        lsp.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": a, "version": version },
                "contentChanges": [{ "range": { "start": { "line": 0, "character": col }, "end": { "line": 0, "character": col } }, "text": text }]
            }),
        );
    }
    assert_eq!(refs_of_b(&mut lsp), ["a.md:0"]);
    // The disk still has no link: closing the buffer drops it again.
    lsp.close(&a);
    assert!(refs_of_b(&mut lsp).is_empty());
    // A full-text change works too.
    let a = lsp.open("a.md");
    lsp.change(&a, 2, "[[b]] [[b]]");
    assert_eq!(refs_of_b(&mut lsp), ["a.md:0", "a.md:0"]);
}

#[test]
fn hover_symbols_and_document_links() {
    let v = Vault::new(&[
        ("a.md", "See [[b#Two]] and #tag\n\n# A\n## A1\n# Other\n"),
        (
            "b.md",
            "---\ntitle: Bee\n---\n# One\nfirst\n## Two\nsecond line\n# Three\n",
        ),
    ]);
    let mut lsp = Lsp::start(v.path(), false);
    lsp.open("a.md");
    let h = lsp
        .request(
            "textDocument/hover",
            td_pos(&lsp, "a.md", json!({ "line": 0, "character": 6 })),
        )
        .unwrap();
    let md = h["contents"]["value"].as_str().unwrap();
    assert!(md.contains("`b.md` · 1 backlink"), "{md}");
    assert!(md.contains("## Two\nsecond line"), "{md}");
    assert!(!md.contains("Three"), "{md}");
    let h = lsp
        .request(
            "textDocument/hover",
            td_pos(&lsp, "a.md", json!({ "line": 0, "character": 20 })),
        )
        .unwrap();
    assert_eq!(h["contents"]["value"], "**#tag** — used 1 time in 1 note");

    let syms = lsp
        .request(
            "textDocument/documentSymbol",
            json!({ "textDocument": { "uri": lsp.file_uri("a.md") } }),
        )
        .unwrap();
    assert_eq!(syms[0]["name"], "A");
    assert_eq!(syms[0]["children"][0]["name"], "A1");
    assert_eq!(syms[1]["name"], "Other");

    let ws = lsp
        .request("workspace/symbol", json!({ "query": "thre" }))
        .unwrap();
    assert_eq!(ws[0]["name"], "Three");
    let ws = lsp
        .request("workspace/symbol", json!({ "query": "bee" }))
        .unwrap();
    assert_eq!(ws[0]["name"], "Bee");

    let links = lsp
        .request(
            "textDocument/documentLink",
            json!({ "textDocument": { "uri": lsp.file_uri("a.md") } }),
        )
        .unwrap();
    assert_eq!(links.as_array().unwrap().len(), 1);
    assert!(
        links[0]["target"].as_str().unwrap().ends_with("/b.md#L6"),
        "{links}"
    );
}

#[test]
fn lifecycle_errors_and_exit_codes() {
    let v = Vault::new(&[("a.md", "x")]);
    let mut lsp = Lsp::start(v.path(), false);
    let err = lsp.request("carnet/noSuchMethod", json!({})).unwrap_err();
    assert_eq!(err["code"], -32601);
    lsp.shutdown();
    let err = lsp
        .request(
            "textDocument/hover",
            td_pos(&lsp, "a.md", json!({ "line": 0, "character": 0 })),
        )
        .unwrap_err();
    assert_eq!(err["code"], -32600);
    assert_eq!(lsp.exit(), Some(0));

    let lsp = Lsp::start(v.path(), false);
    assert_eq!(lsp.exit(), Some(1), "exit without shutdown");
}

#[test]
fn bad_input_is_answered_not_fatal() {
    let v = Vault::new(&[("a b/ü.md", "[[c]]\n"), ("c.md", "# C\n")]);
    let mut lsp = Lsp::start(v.path(), false);
    // A change to a document that is not open, then positions past the end.
    lsp.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": lsp.file_uri("nope.md"), "version": 3 },
                "contentChanges": [{ "range": { "start": { "line": 9, "character": 0 }, "end": { "line": 9, "character": 1 } }, "text": "x" }] }),
    );
    let u = lsp.open("a b/ü.md");
    assert!(u.contains("a%20b/%C3%BC.md"), "{u}");
    lsp.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": u, "version": 1 },
                "contentChanges": [{ "range": { "start": { "line": 99, "character": 99 }, "end": { "line": 0, "character": 500 } }, "text": "" }] }),
    );
    let r = lsp.request(
        "textDocument/definition",
        td_pos(&lsp, "a b/ü.md", json!({ "line": 500, "character": 900 })),
    );
    assert!(r.is_ok(), "{r:?}");
    let r = lsp
        .request(
            "textDocument/definition",
            td_pos(&lsp, "a b/ü.md", json!({ "line": 0, "character": 2 })),
        )
        .unwrap();
    assert_eq!(lsp.places(&r), ["c.md:0"]);
    // Unknown URI schemes get an error response.
    let r = lsp.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": "untitled:Untitled-1" }, "position": { "line": 0, "character": 0 } }),
    );
    assert!(r.is_err());
    // Malformed JSON-RPC: the server answers with a parse error and carries on.
    lsp.send_raw(b"Content-Length: 9\r\n\r\n{not json");
    let r = lsp
        .request(
            "textDocument/definition",
            td_pos(&lsp, "a b/ü.md", json!({ "line": 0, "character": 2 })),
        )
        .unwrap();
    assert_eq!(lsp.places(&r), ["c.md:0"]);
    // The error may arrive after the next answer: the two come from different writers.
    assert!(
        lsp.wait_message(Duration::from_secs(5), |m| m["error"]["code"] == -32700),
        "a parse error response"
    );
    assert!(lsp.is_running());
}

#[test]
fn a_note_outside_every_folder_is_a_vault_of_its_own() {
    let v = Vault::new(&[
        ("vault/a.md", "x"),
        ("loose/n.md", "[[#H]] [[missing]]\n# H\n"),
    ]);
    let mut lsp = Lsp::start(&v.path().join("vault"), false);
    let loose = v.path().join("loose/n.md");
    let u = support::lsp::uri(&loose);
    lsp.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": u, "languageId": "markdown", "version": 1, "text": "[[#H]] [[missing]]\n# H\n" } }),
    );
    let r = lsp
        .request(
            "textDocument/definition",
            json!({ "textDocument": { "uri": u }, "position": { "line": 0, "character": 3 } }),
        )
        .unwrap();
    assert_eq!(path_of(r[0]["uri"].as_str().unwrap()), loose);
    assert_eq!(r[0]["range"]["start"]["line"], 1);
}

/// A folder reported as changed as a whole (a client's folder event, or
/// every root after the kernel's event queue overflowed) is looked at
/// again: notes gone from it are dropped, new ones indexed.
#[test]
fn a_folder_changed_as_a_whole_is_looked_at_again() {
    let v = Vault::new(&[
        ("a.md", "[[gone]] [[fresh]] [[kept]]\n"),
        ("sub/gone.md", "# Gone\n"),
        ("sub/kept.md", "# Kept\n"),
    ]);
    let mut lsp = Lsp::start_with(
        v.path(),
        false,
        json!({ "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } } }),
    );
    lsp.open("a.md");
    let def = |lsp: &mut Lsp, character: u32| {
        let r = lsp
            .request(
                "textDocument/definition",
                td_pos(lsp, "a.md", json!({ "line": 0, "character": character })),
            )
            .unwrap();
        lsp.places(&r)
    };
    assert_eq!(def(&mut lsp, 3), ["sub/gone.md:0"]);
    assert!(def(&mut lsp, 12).is_empty());
    // Behind the server's back, with no event for either file.
    std::fs::remove_file(v.path().join("sub/gone.md")).unwrap();
    v.write_bytes("sub/fresh.md", b"# Fresh\n");
    let root = lsp.file_uri("");
    lsp.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": root.trim_end_matches('/'), "type": 2 }] }),
    );
    assert!(
        def(&mut lsp, 3).is_empty(),
        "a note gone from the folder is dropped"
    );
    assert_eq!(def(&mut lsp, 12), ["sub/fresh.md:0"]);
    assert_eq!(
        def(&mut lsp, 21),
        ["sub/kept.md:0"],
        "an unchanged note is kept"
    );
}

#[test]
fn files_changed_on_disk_are_picked_up() {
    // Client-side watching (VS Code): the server registers for watched files.
    let v = Vault::new(&[("a.md", "[[new note]]\n")]);
    let mut lsp = Lsp::start_with(
        v.path(),
        false,
        json!({ "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } } }),
    );
    let reg = lsp
        .wait_for("client/registerCapability", Duration::from_secs(10), |_| {
            true
        })
        .expect("registration");
    assert_eq!(
        reg["params"]["registrations"][0]["method"],
        "workspace/didChangeWatchedFiles"
    );
    lsp.open("a.md");
    let def = |lsp: &mut Lsp| {
        let r = lsp
            .request(
                "textDocument/definition",
                td_pos(lsp, "a.md", json!({ "line": 0, "character": 3 })),
            )
            .unwrap();
        lsp.places(&r)
    };
    assert!(def(&mut lsp).is_empty());
    v.write_bytes("sub/new note.md", b"# New\n");
    let u = lsp.file_uri("sub/new note.md");
    lsp.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": u, "type": 1 }] }),
    );
    assert_eq!(def(&mut lsp), ["sub/new note.md:0"]);
    std::fs::remove_dir_all(v.path().join("sub")).unwrap();
    let u = lsp.file_uri("sub");
    lsp.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": u, "type": 3 }] }),
    );
    assert!(
        def(&mut lsp).is_empty(),
        "a deleted folder takes its notes with it"
    );

    // No client-side watching (Helix, plain Neovim): the server watches itself.
    let mut lsp = Lsp::start(v.path(), false);
    lsp.open("a.md");
    assert!(def(&mut lsp).is_empty());
    v.write_bytes("new note.md", b"# New\n");
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while def(&mut lsp).is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "file watcher did not see the new note"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(def(&mut lsp), ["new note.md:0"]);
}

#[test]
fn workspace_folders_come_and_go() {
    let v = Vault::new(&[("one/a.md", "[[b]]"), ("two/b.md", "# B")]);
    let mut lsp = Lsp::start(&v.path().join("one"), false);
    lsp.notify(
        "workspace/didChangeWorkspaceFolders",
        json!({ "event": { "added": [{ "uri": support::lsp::uri(&v.path().join("two")), "name": "two" }], "removed": [] } }),
    );
    let ws = lsp
        .request("workspace/symbol", json!({ "query": "b" }))
        .unwrap();
    assert!(
        ws.as_array().unwrap().iter().any(|s| s["name"] == "b"),
        "{ws}"
    );
    // Separate vaults: a link in one does not resolve into the other.
    lsp.open("a.md");
    let r = lsp.request(
        "textDocument/definition",
        td_pos(&lsp, "a.md", json!({ "line": 0, "character": 2 })),
    );
    assert!(r.unwrap().is_null());
}

/// On a copy of Obsidian's help vault: backlink counts from the server equal
/// the ground truth's count of links resolving to each of the busiest notes.
#[test]
fn corpus_backlinks_match_ground_truth() {
    let Some(corpora) = corpora() else { return };
    let Ok(tsv) = std::fs::read_to_string(corpora.join("ground-truth/obsidian-help_en.links.tsv"))
    else {
        support::corpus_missing("no ground truth for obsidian-help/en");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&corpora.join("obsidian-help/en"), tmp.path());
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for row in tsv.lines().skip(1) {
        let cols: Vec<&str> = row.split('\t').collect();
        if cols[7].ends_with(".md")
            && matches!(
                cols[6].split('+').next(),
                Some("ok" | "ok-ambiguous" | "self")
            )
        {
            *counts.entry(cols[7].to_string()).or_default() += 1;
        }
    }
    let mut busiest: Vec<(String, usize)> = counts.into_iter().collect();
    busiest.sort_by_key(|b| std::cmp::Reverse(b.1));
    both_encodings(|utf8| {
        let mut lsp = Lsp::start(tmp.path(), utf8);
        for (note, want) in busiest.iter().take(5) {
            lsp.open(note);
            let mut p = td_pos(&lsp, note, json!({ "line": 0, "character": 0 }));
            p["context"] = json!({ "includeDeclaration": false });
            let got = lsp.request("textDocument/references", p).unwrap();
            assert_eq!(got.as_array().unwrap().len(), *want, "backlinks of {note}");
        }
    });
}

#[test]
fn folding_and_selection_ranges_follow_edits() {
    both_encodings(|utf8| {
        let text =
            "---\ntags: [a]\n---\n# One\n\n- item\n  - nested\n\n```\ncode\n```\n# Two\ntext\n";
        let v = Vault::new(&[("n.md", text)]);
        let mut lsp = Lsp::start(v.path(), utf8);
        let u = lsp.open("n.md");
        let folds = |lsp: &mut Lsp| {
            let r = lsp
                .request(
                    "textDocument/foldingRange",
                    json!({ "textDocument": { "uri": u } }),
                )
                .unwrap();
            let mut f: Vec<(u64, u64)> = r
                .as_array()
                .unwrap()
                .iter()
                .map(|f| {
                    (
                        f["startLine"].as_u64().unwrap(),
                        f["endLine"].as_u64().unwrap(),
                    )
                })
                .collect();
            f.sort();
            f
        };
        let before = folds(&mut lsp);
        for want in [(0, 2), (3, 10), (5, 6), (8, 10)] {
            assert!(before.contains(&want), "{want:?} in {before:?}");
        }
        // Insert two lines at the top: every fold moves down by two.
        lsp.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": u, "version": 2 },
                    "contentChanges": [{ "range": { "start": { "line": 3, "character": 0 }, "end": { "line": 3, "character": 0 } }, "text": "😀 intro\n\n" }] }),
        );
        let after = folds(&mut lsp);
        assert!(after.contains(&(5, 12)), "{after:?}");

        let pos = lsp.pos_of(&text.replace("# One", "😀 intro\n\n# One"), "nested", 2);
        let r = lsp
            .request(
                "textDocument/selectionRange",
                json!({ "textDocument": { "uri": u }, "positions": [pos] }),
            )
            .unwrap();
        let mut depth = 0;
        let mut sel = &r[0];
        let mut last_width = 0;
        while !sel.is_null() {
            let width = sel["range"]["end"]["line"].as_u64().unwrap() * 1000
                + sel["range"]["end"]["character"].as_u64().unwrap()
                - (sel["range"]["start"]["line"].as_u64().unwrap() * 1000
                    + sel["range"]["start"]["character"].as_u64().unwrap());
            assert!(width >= last_width);
            last_width = width;
            depth += 1;
            sel = &sel["parent"];
        }
        assert!(depth >= 4, "word, item, list, section, document: {r}");
        assert_eq!(
            r[0]["range"]["end"]["character"].as_u64().unwrap()
                - r[0]["range"]["start"]["character"].as_u64().unwrap(),
            6,
            "the word `nested`"
        );
    });
}

#[test]
fn definition_and_references_through_reference_links() {
    // Each use of a reference link leads where its definition does.
    for cursor in [
        "See [the $0plan][p] and [p].",
        "See [the plan][p] and [$0p].",
    ] {
        let fixture = Fixture::parse(&format!(
            "//- a.md\n{cursor}\n\n[p]: <sub/my plan.md#Goals>\n//- sub/my plan.md\n# Plan\n\n## Goals\n^^^^^^^^\n"
        ));
        both_encodings(|utf8| {
            let v = Vault::from_fixture(&fixture);
            let mut lsp = Lsp::start(v.path(), utf8);
            lsp.open("a.md");
            let r = lsp
                .request("textDocument/definition", lsp.at_cursor(&fixture))
                .unwrap();
            lsp.assert_marks(&fixture, &r);
        });
    }
    // The heading's references are both uses, each the whole link.
    check_references(
        r#"
        //- a.md
        See [the plan][p] and [p].
            ^^^^^^^^^^^^^     ^^^

        [p]: <sub/my plan.md#Goals>
        //- sub/my plan.md
        # Plan

        ## Go$0als
        "#,
        false,
    );
}

/// The diagnostics of `uri` from the next publishDiagnostics that `pred` accepts.
fn published(lsp: &mut Lsp, uri: &str, pred: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let msg = lsp
        .wait_for(
            "textDocument/publishDiagnostics",
            Duration::from_secs(10),
            |p| p["uri"] == uri && pred(p["diagnostics"].as_array().unwrap()),
        )
        .unwrap_or_else(|| panic!("no matching diagnostics for {uri}: {:?}", lsp.inbox));
    msg["params"]["diagnostics"].as_array().unwrap().clone()
}

#[test]
fn diagnostics_are_pushed_and_follow_other_notes() {
    // Marks count characters: under the emoji they sit one cell left.
    let fixture = Fixture::parse(
        r#"
        //- a.md
        😀 [[missing]] and [[b#Intro]] and [[Twin]]
          ^^^^^^^^^^^ unresolved-link
                                          ^^^^^^^^ ambiguous-link
        //- b.md
        # Intro
        //- x/Twin.md
        //- y/Twin.md
        "#,
    );
    both_encodings(|utf8| {
        let v = Vault::from_fixture(&fixture);
        let mut lsp = Lsp::start(v.path(), utf8);
        let a = lsp.open("a.md");
        let d = published(&mut lsp, &a, |d| d.len() == 2);
        lsp.assert_diagnostics(&fixture, "a.md", &d);
        assert_eq!(d[0]["severity"], 1);
        assert_eq!(d[0]["source"], "carnet");
        assert_eq!(d[1]["relatedInformation"].as_array().unwrap().len(), 2);

        // Creating the missing note (an unsaved buffer) clears that problem.
        lsp.open_text("missing.md", "# Missing\n");
        let d = published(&mut lsp, &a, |d| d.len() == 1);
        assert_eq!(d[0]["code"], "ambiguous-link");

        // Renaming the heading in another note breaks `[[b#Intro]]`.
        let b = lsp.open("b.md");
        lsp.change(&b, 2, "# Overview\n");
        let d = published(&mut lsp, &a, |d| d.len() == 2);
        assert_eq!(d[0]["code"], "unresolved-heading");

        // Closing a note clears its diagnostics.
        lsp.close(&a);
        published(&mut lsp, &a, |d| d.is_empty());
    });
}

#[test]
fn diagnostics_can_be_pulled() {
    let v = Vault::new(&[
        ("a.md", "[[nope]] [[b#^gone]]\n"),
        ("b.md", "text\n"),
        ("c.md", "[[also missing]]"),
    ]);
    let caps = json!({ "textDocument": { "diagnostic": { "dynamicRegistration": false } },
                       "workspace": { "diagnostics": { "refreshSupport": true } } });
    let mut lsp = Lsp::start_with(v.path(), false, caps);
    assert_eq!(
        lsp.init_result["capabilities"]["diagnosticProvider"]["interFileDependencies"],
        true
    );
    let a = lsp.open("a.md");
    let r = lsp
        .request(
            "textDocument/diagnostic",
            json!({ "textDocument": { "uri": a } }),
        )
        .unwrap();
    assert_eq!(r["kind"], "full");
    let codes: Vec<&str> = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["unresolved-link", "unresolved-block"]);
    let r = lsp
        .request("workspace/diagnostic", json!({ "previousResultIds": [] }))
        .unwrap();
    let mut uris: Vec<String> = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            path_of(i["uri"].as_str().unwrap())
                .file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .to_string()
        })
        .collect();
    uris.sort();
    assert_eq!(uris, ["a.md", "c.md"]);
    // In pull mode nothing is pushed; a change makes the server ask for a refresh.
    lsp.change(&a, 2, "fixed\n");
    assert!(
        lsp.wait_for(
            "workspace/diagnostic/refresh",
            Duration::from_secs(10),
            |_| true
        )
        .is_some()
    );
    assert!(
        !lsp.inbox
            .iter()
            .any(|m| m["method"] == "textDocument/publishDiagnostics")
    );
}

#[test]
fn quick_fixes_apply_cleanly_and_leave_the_note_clean() {
    both_encodings(|utf8| {
        let a_text = "😀 [[New idea]] [[Skipped]] #ToDo\n";
        let v = Vault::new(&[("a.md", a_text), ("c.md", "#todo"), ("d.md", "#todo")]);
        v.write_bytes("Skipped.md", b"\x00binary"); // on disk but not indexed: never overwritten
        let caps = json!({ "workspace": { "workspaceEdit": { "documentChanges": true, "resourceOperations": ["create", "rename", "delete"] } } });
        let mut lsp = Lsp::start_with(v.path(), utf8, caps);
        let a = lsp.open("a.md");
        published(&mut lsp, &a, |d| d.len() == 3);
        let end = lsp.pos(a_text, a_text.len() - 1);
        let actions = lsp
            .request(
                "textDocument/codeAction",
                json!({ "textDocument": { "uri": a }, "range": { "start": { "line": 0, "character": 0 }, "end": end },
                        "context": { "diagnostics": [], "only": ["quickfix"] } }),
            )
            .unwrap();
        let titles: Vec<&str> = actions
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["title"].as_str().unwrap())
            .collect();
        assert_eq!(
            titles,
            ["Create note \"New idea\"", "Replace with #todo"],
            "utf8={utf8}"
        );

        // Apply the tag fix as an editor would: the edit becomes a change.
        let edit = &actions[1]["edit"]["documentChanges"][0];
        assert_eq!(edit["textDocument"]["version"], 1);
        let text_edit = &edit["edits"][0];
        assert_eq!(text_edit["range"]["start"], lsp.pos_of(a_text, "#ToDo", 0));
        lsp.edit(
            &a,
            2,
            text_edit["range"].clone(),
            text_edit["newText"].as_str().unwrap(),
        );
        let d = published(&mut lsp, &a, |d| d.len() == 2);
        assert!(d.iter().all(|d| d["code"] == "unresolved-link"));

        // Apply "Create note": the file operation, then its text.
        let ops = &actions[0]["edit"]["documentChanges"];
        assert_eq!(ops[0]["kind"], "create");
        assert_eq!(ops[0]["options"]["overwrite"], false);
        let created = path_of(ops[0]["uri"].as_str().unwrap());
        assert_eq!(created, v.path().join("New idea.md"));
        std::fs::write(&created, ops[1]["edits"][0]["newText"].as_str().unwrap()).unwrap();
        let u = ops[0]["uri"].clone();
        lsp.notify(
            "workspace/didChangeWatchedFiles",
            json!({ "changes": [{ "uri": u, "type": 1 }] }),
        );
        let d = published(&mut lsp, &a, |d| d.len() == 1);
        assert!(d[0]["message"].as_str().unwrap().contains("Skipped"));
        assert_eq!(std::fs::read_to_string(&created).unwrap(), "# New idea\n");
    });
}

#[test]
fn editor_settings_change_diagnostic_levels() {
    let v = Vault::new(&[("a.md", "[[missing]] #1984\n")]);
    let settings = json!({ "diagnostics": { "tag-digits-only": "off", "unresolved-link": "warning", "no-such-code": "off" } });
    let mut lsp = Lsp::start_with_settings(
        v.path(),
        false,
        json!({ "workspace": { "configuration": true } }),
        settings,
    );
    assert!(
        lsp.wait_for("workspace/configuration", Duration::from_secs(10), |_| true)
            .is_some()
    );
    let a = lsp.open("a.md");
    let d = published(&mut lsp, &a, |d| d.len() == 1 && d[0]["severity"] == 2);
    assert_eq!(d[0]["code"], "unresolved-link");
    // Settings pushed with the notification replace the earlier ones.
    lsp.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "carnet": { "diagnostics": {} } } }),
    );
    let d = published(&mut lsp, &a, |d| d.len() == 2);
    assert_eq!(d[0]["severity"], 1);
    assert_eq!(d[1]["code"], "tag-digits-only");
    assert_eq!(d[1]["severity"], 4);
}

#[test]
fn deleting_or_renaming_a_target_on_disk_updates_open_notes() {
    let v = Vault::new(&[("a.md", "[[b]]\n"), ("b.md", "# B\n")]);
    let caps = json!({ "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } } });
    let mut lsp = Lsp::start_with(v.path(), false, caps);
    let a = lsp.open("a.md");
    published(&mut lsp, &a, |d| d.is_empty());
    std::fs::rename(v.path().join("b.md"), v.path().join("c.md")).unwrap();
    let (old, new) = (lsp.file_uri("b.md"), lsp.file_uri("c.md"));
    lsp.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": old, "type": 3 }, { "uri": new, "type": 1 }] }),
    );
    let d = published(&mut lsp, &a, |d| d.len() == 1);
    assert_eq!(d[0]["code"], "unresolved-link");
    std::fs::rename(v.path().join("c.md"), v.path().join("B.md")).unwrap();
    let (old, new) = (lsp.file_uri("c.md"), lsp.file_uri("B.md"));
    lsp.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": old, "type": 3 }, { "uri": new, "type": 1 }] }),
    );
    let d = published(&mut lsp, &a, |d| {
        d.len() == 1 && d[0]["code"] == "link-case"
    });
    assert_eq!(d[0]["severity"], 4);
}

/// Types `typed` at the end of `rel` (open), asks for completions, applies
/// the item whose data path ends with `want` as the editor would, and
/// returns where the new link's definition leads.
fn complete_and_follow(
    lsp: &mut Lsp,
    rel: &str,
    text: &str,
    version: i32,
    typed: &str,
    want: &str,
) -> (String, Vec<String>) {
    let uri = lsp.file_uri(rel);
    let end = lsp.pos(text, text.len());
    lsp.edit(&uri, version, json!({ "start": end, "end": end }), typed);
    let typed_text = format!("{text}{typed}");
    let cursor = lsp.pos(&typed_text, typed_text.len());
    let r = lsp
        .request(
            "textDocument/completion",
            json!({ "textDocument": { "uri": uri }, "position": cursor }),
        )
        .unwrap();
    let items = r["items"].as_array().unwrap();
    let rank = items
        .iter()
        .position(|i| i["data"]["path"].as_str().is_some_and(|p| p == want) || i["label"] == want)
        .unwrap_or_else(|| panic!("no item for {want}: {r}"));
    // Well ranked: the sort order the server asks for puts it near the top.
    assert!(rank < 3, "{want} ranked {rank}: {r}");
    let item = &items[rank];
    assert_eq!(item["sortText"], format!("{rank:04}"));
    let edit = &item["textEdit"];
    lsp.edit(
        &uri,
        version + 1,
        edit["range"].clone(),
        edit["newText"].as_str().unwrap(),
    );
    // Apply the same edit to our copy of the text.
    let start = edit["range"]["start"]["character"].as_u64().unwrap() as usize;
    let line_start = typed_text.rfind('\n').map_or(0, |i| i + 1);
    let line = &typed_text[line_start..];
    let byte = if lsp.utf8 {
        start
    } else {
        let mut units = 0;
        line.char_indices()
            .find(|(_, c)| {
                let hit = units >= start;
                units += c.len_utf16();
                hit
            })
            .map_or(line.len(), |(i, _)| i)
    };
    let new_text = format!(
        "{}{}",
        &typed_text[..line_start + byte],
        edit["newText"].as_str().unwrap()
    );
    let link_pos = lsp.pos(&new_text, line_start + byte + 1);
    let r = lsp
        .request(
            "textDocument/definition",
            json!({ "textDocument": { "uri": uri }, "position": link_pos }),
        )
        .unwrap();
    (new_text, lsp.places(&r))
}

#[test]
fn completion_writes_links_that_resolve_to_the_chosen_note() {
    both_encodings(|utf8| {
        let v = Vault::new(&[
            (
                "Projects/Roadmap.md",
                "---\naliases: [Plan B]\n---\n# Goals\n## Q1 targets\n",
            ),
            ("Archive/Roadmap.md", "old"),
            ("Daily note.md", "[[Roadmap]] #project #project/alpha"),
            ("cur.md", "- 😀 漢字 "),
        ]);
        let mut lsp = Lsp::start(v.path(), utf8);
        let base = "- 😀 漢字 ";
        lsp.open("cur.md");
        let (text, to) = complete_and_follow(&mut lsp, "cur.md", base, 2, "[[dai", "Daily note.md");
        assert_eq!(
            (text.as_str(), to),
            (
                "- 😀 漢字 [[Daily note]]",
                vec!["Daily note.md:0".to_string()]
            ),
            "utf8={utf8}"
        );
        let (text, to) = complete_and_follow(
            &mut lsp,
            "cur.md",
            &text,
            4,
            " [[road",
            "Archive/Roadmap.md",
        );
        assert!(text.ends_with("[[Archive/Roadmap]]"), "{text}");
        assert_eq!(to, ["Archive/Roadmap.md:0"]);
        let (text, to) = complete_and_follow(&mut lsp, "cur.md", &text, 6, " [[plan b", "Plan B");
        assert!(text.ends_with("[[Projects/Roadmap|Plan B]]"), "{text}");
        assert_eq!(to, ["Projects/Roadmap.md:0"]);
        let (text, to) = complete_and_follow(
            &mut lsp,
            "cur.md",
            &text,
            8,
            " [[Projects/Roadmap#q1",
            "Q1 targets",
        );
        assert!(text.ends_with("[[Projects/Roadmap#Q1 targets]]"), "{text}");
        assert_eq!(to, ["Projects/Roadmap.md:4"]);

        // Tags, with their use counts; and nothing inside code.
        let u = lsp.open_text("t.md", "#pro");
        let r = lsp
            .request(
                "textDocument/completion",
                json!({ "textDocument": { "uri": u }, "position": { "line": 0, "character": 4 } }),
            )
            .unwrap();
        assert_eq!(r["items"][0]["label"], "#project");
        assert_eq!(r["items"][0]["detail"], "1 note");
        let u = lsp.open_text("c.md", "`[[dai");
        let r = lsp
            .request(
                "textDocument/completion",
                json!({ "textDocument": { "uri": u }, "position": { "line": 0, "character": 6 } }),
            )
            .unwrap();
        assert!(r.is_null(), "{r}");
    });
}

#[test]
fn completion_keeps_an_existing_closing_bracket_and_resolves_previews() {
    let v = Vault::new(&[
        (
            "Daily note.md",
            "---\ntitle: x\n---\nFirst line of the day.\n",
        ),
        ("cur.md", "[[dai]]"),
    ]);
    let mut lsp = Lsp::start(v.path(), false);
    let u = lsp.open("cur.md");
    let r = lsp
        .request(
            "textDocument/completion",
            json!({ "textDocument": { "uri": u }, "position": { "line": 0, "character": 5 } }),
        )
        .unwrap();
    let item = r["items"][0].clone();
    assert_eq!(item["textEdit"]["newText"], "Daily note");
    assert_eq!(item["textEdit"]["range"]["start"]["character"], 2);
    assert_eq!(item["textEdit"]["range"]["end"]["character"], 5);
    let resolved = lsp.request("completionItem/resolve", item).unwrap();
    assert_eq!(resolved["documentation"]["value"], "First line of the day.");
}

#[test]
fn completion_on_a_real_vault() {
    let Some(corpora) = corpora() else { return };
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&corpora.join("obsidian-help/en"), tmp.path());
    both_encodings(|utf8| {
        let mut lsp = Lsp::start(tmp.path(), utf8);
        let rel = "Home.md";
        let text = std::fs::read_to_string(tmp.path().join(rel)).unwrap();
        lsp.open(rel);
        let (_, to) = complete_and_follow(
            &mut lsp,
            rel,
            &text,
            2,
            "\n[[sandbox v",
            "Getting started/Sandbox vault.md",
        );
        assert_eq!(to, ["Getting started/Sandbox vault.md:0"]);
    });
}

#[test]
fn completion_of_blocks_embeds_markdown_paths_and_slugs() {
    both_encodings(|utf8| {
        let v = Vault::new(&[
            ("notes/Target note.md", "# Big Title\n\ntext ^blk-1\n"),
            ("img/diagram.png", "png"),
            ("deep/er/cur.md", "é "),
        ]);
        let mut lsp = Lsp::start(v.path(), utf8);
        lsp.open("deep/er/cur.md");
        let base = "é ";
        let (text, to) = complete_and_follow(
            &mut lsp,
            "deep/er/cur.md",
            base,
            2,
            "[[Target note#^bl",
            "^blk-1",
        );
        assert!(text.ends_with("[[Target note#^blk-1]]"), "{text}");
        assert_eq!(to, ["notes/Target note.md:2"]);
        let (text, to) = complete_and_follow(
            &mut lsp,
            "deep/er/cur.md",
            &text,
            4,
            " ![[diag",
            "diagram.png",
        );
        assert!(text.ends_with("![[diagram.png]]"), "{text}");
        assert_eq!(to, ["img/diagram.png:0"]);
        let (text, to) = complete_and_follow(
            &mut lsp,
            "deep/er/cur.md",
            &text,
            6,
            " [x](targ",
            "notes/Target note.md",
        );
        assert!(text.ends_with("[x](../../notes/Target%20note.md"), "{text}");
        let text = format!("{text})");
        let end = lsp.pos(&text, text.len() - 1);
        let u = lsp.file_uri("deep/er/cur.md");
        lsp.edit(&u, 8, json!({ "start": end, "end": end }), ")");
        let _ = to; // The link was not closed yet when it was followed.
        let at = lsp.pos_of(&text, "[x](", 1);
        let r = lsp
            .request(
                "textDocument/definition",
                json!({ "textDocument": { "uri": u }, "position": at }),
            )
            .unwrap();
        assert_eq!(
            lsp.places(&r),
            ["notes/Target note.md:0"],
            "the completed path resolves"
        );
        let (text, _) = complete_and_follow(
            &mut lsp,
            "deep/er/cur.md",
            &text,
            9,
            " [y](../../notes/Target%20note.md#big",
            "Big Title",
        );
        assert!(text.ends_with("#big-title"), "{text}");
    });
}

#[test]
fn markdown_path_style_follows_the_editor_setting() {
    let v = Vault::new(&[("other one.md", ""), ("cur.md", "[x](oth")]);
    let settings = json!({ "completion": { "markdownPathStyle": "angle" } });
    let mut lsp = Lsp::start_with_settings(
        v.path(),
        false,
        json!({ "workspace": { "configuration": true } }),
        settings,
    );
    assert!(
        lsp.wait_for("workspace/configuration", Duration::from_secs(10), |_| true)
            .is_some()
    );
    let u = lsp.open("cur.md");
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let r = lsp
            .request(
                "textDocument/completion",
                json!({ "textDocument": { "uri": u }, "position": { "line": 0, "character": 7 } }),
            )
            .unwrap();
        if r["items"][0]["textEdit"]["newText"] == "<other one.md>" {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "setting not applied: {r}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A client that floods the server with changes and requests without
/// waiting: every change applies, in order, and every request is answered.
#[test]
fn a_flood_of_changes_and_requests() {
    let v = Vault::new(&[("a.md", ""), ("b.md", "# B\n")]);
    let mut lsp = Lsp::start(v.path(), true);
    let a = lsp.open("a.md");
    lsp.open("b.md");
    let mut text = String::new();
    let mut pending = Vec::new();
    for i in 0..3000 {
        let insert = if i % 100 == 0 { "[[b]] " } else { "x" };
        let end = json!({ "line": 0, "character": text.len() });
        lsp.edit(&a, i + 2, json!({ "start": end, "end": end }), insert);
        text.push_str(insert);
        if i % 250 == 0 {
            // Requests sent without waiting for their answers.
            let id = 10_000 + i as i64;
            let body = json!({ "jsonrpc": "2.0", "id": id, "method": "textDocument/hover",
                               "params": { "textDocument": { "uri": a }, "position": { "line": 0, "character": 2 } } });
            let body = serde_json::to_vec(&body).unwrap();
            let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
            frame.extend(body);
            lsp.send_raw(&frame);
            pending.push(id);
        }
    }
    for id in pending {
        let hover = lsp.response(id).expect("hover answered");
        assert!(
            hover["contents"]["value"]
                .as_str()
                .unwrap()
                .contains("b.md"),
            "{hover}"
        );
    }
    let mut p = json!({ "textDocument": { "uri": lsp.file_uri("b.md") }, "position": { "line": 0, "character": 2 },
                        "context": { "includeDeclaration": false } });
    p["textDocument"]["uri"] = json!(lsp.file_uri("b.md"));
    let r = lsp.request("textDocument/references", p).unwrap();
    assert_eq!(
        r.as_array().unwrap().len(),
        30,
        "every change applied, in order"
    );
    lsp.shutdown();
    assert_eq!(lsp.exit(), Some(0));
}
