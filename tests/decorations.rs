//! Black-box tests of what the server draws over a note: semantic tokens,
//! backlink lenses, inlay previews and document highlights, in both
//! position encodings, with emoji and CJK on the lines, on fixtures and on
//! copies of the real vaults. Every range is checked to lie on its line and
//! on character boundaries.

mod support;

use std::time::Duration;

use carnet::fixture::Fixture;
use carnet::text::Span;
use serde_json::{Value, json};
use support::lsp::{Lsp, copy_dir, offset};
use support::{Vault, both_encodings, corpora};

/// What a client that shows all four features announces (VS Code's set).
fn caps() -> Value {
    json!({
        "textDocument": {
            "semanticTokens": {
                "requests": { "full": { "delta": true }, "range": true },
                "tokenTypes": [], "tokenModifiers": [], "formats": ["relative"],
            },
            "codeLens": {},
            "inlayHint": {},
            "documentHighlight": {},
        },
        "workspace": {
            "semanticTokens": { "refreshSupport": true },
            "codeLens": { "refreshSupport": true },
            "inlayHint": { "refreshSupport": true },
        },
    })
}

fn start(root: &std::path::Path, utf8: bool) -> Lsp {
    Lsp::start_with(root, utf8, caps())
}

fn doc(lsp: &Lsp, rel: &str) -> Value {
    json!({ "textDocument": { "uri": lsp.file_uri(rel) } })
}

/// The byte offset of a protocol position in `text`; panics (naming `what`)
/// unless it lies on a line and on a character boundary.
fn strict(lsp: &Lsp, text: &str, p: &Value, what: &str) -> usize {
    let (line, ch) = (
        p["line"].as_u64().unwrap(),
        p["character"].as_u64().unwrap(),
    );
    offset(text, line, ch, lsp.utf8).unwrap_or_else(|e| panic!("{what}: {e} (utf8={})", lsp.utf8))
}

/// A range as a byte span of `text`, checked strictly, on one line.
fn strict_range(lsp: &Lsp, text: &str, r: &Value, what: &str) -> Span {
    assert_eq!(r["start"]["line"], r["end"]["line"], "{what}: one line");
    let span = Span::new(strict(lsp, text, &r["start"], what)..strict(lsp, text, &r["end"], what));
    assert!(span.start <= span.end, "{what}: {span:?}");
    span
}

/// Relative semantic tokens decoded into byte spans of `text`, each checked
/// strictly, with their type and modifier bits.
fn decode(lsp: &Lsp, text: &str, data: &Value) -> Vec<(Span, u32, u32)> {
    let data: Vec<u64> = data
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_u64().unwrap())
        .collect();
    assert_eq!(data.len() % 5, 0);
    let (mut line, mut col) = (0u64, 0u64);
    let mut out = Vec::new();
    for t in data.chunks(5) {
        if t[0] > 0 {
            col = 0;
        }
        line += t[0];
        col += t[1];
        let what = format!("token at {line}:{col}");
        let start = offset(text, line, col, lsp.utf8).unwrap_or_else(|e| panic!("{what}: {e}"));
        let end =
            offset(text, line, col + t[2], lsp.utf8).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert!(start < end, "{what}: empty");
        out.push((Span::new(start..end), t[3] as u32, t[4] as u32));
    }
    out
}

/// The legend's names of a token's type and modifiers: `class.unresolved`.
fn label(lsp: &Lsp, kind: u32, mods: u32) -> String {
    let legend = &lsp.init_result["capabilities"]["semanticTokensProvider"]["legend"];
    let mut out = legend["tokenTypes"][kind as usize]
        .as_str()
        .unwrap()
        .to_string();
    for (i, m) in legend["tokenModifiers"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        if mods & (1 << i) != 0 {
            out += ".";
            out += m.as_str().unwrap();
        }
    }
    out
}

fn full_tokens(lsp: &mut Lsp, rel: &str) -> Value {
    lsp.request("textDocument/semanticTokens/full", doc(lsp, rel))
        .unwrap()
}

#[test]
fn features_are_advertised_only_to_clients_that_ask() {
    let v = Vault::new(&[("a.md", "# A\n")]);
    let plain = Lsp::start(v.path(), true);
    for provider in [
        "semanticTokensProvider",
        "codeLensProvider",
        "inlayHintProvider",
        "documentHighlightProvider",
    ] {
        assert!(
            plain.init_result["capabilities"].get(provider).is_none(),
            "{provider} offered to a client without it"
        );
    }
    let full = start(v.path(), true);
    let c = &full.init_result["capabilities"];
    assert_eq!(c["semanticTokensProvider"]["full"]["delta"], true);
    assert_eq!(c["semanticTokensProvider"]["range"], true);
    assert_eq!(
        c["semanticTokensProvider"]["legend"]["tokenTypes"],
        json!([
            "class",
            "string",
            "property",
            "enumMember",
            "decorator",
            "keyword"
        ])
    );
    assert_eq!(
        c["semanticTokensProvider"]["legend"]["tokenModifiers"],
        json!(["declaration", "unresolved", "ambiguous", "embed"])
    );
    // The unlinked-mentions lens is counted by codeLens/resolve.
    assert_eq!(c["codeLensProvider"]["resolveProvider"], true);
    assert_eq!(c["inlayHintProvider"], true);
    assert_eq!(c["documentHighlightProvider"], true);
}

#[test]
fn semantic_tokens_after_emoji_and_cjk_in_both_encodings() {
    let fixture = Fixture::parse(
        r#"
        //- a.md
        ---
        up: "[[漢字 note]]"
        ^^ keyword
               ^^^^^^^ class
        ---
        😀 漢字 [[漢字 note#見出し|x]] 🌲 [[Gone]] #タグ ![[pic.png]] text ^b1
               ^^^^^^^ class
                       ^^^ property
                                   ^^^^ class.unresolved
                                          ^^^ decorator
                                                 ^^^^^^^ string.embed
                                                                ^^^ enumMember.declaration
        //- 漢字 note.md
        # 見出し
        //- pic.png
        "#,
    );
    both_encodings(|utf8| {
        let v = Vault::from_fixture(&fixture);
        let mut lsp = start(v.path(), utf8);
        lsp.open("a.md");
        let r = full_tokens(&mut lsp, "a.md");
        let text = fixture.text("a.md");
        let tokens = decode(&lsp, text, &r["data"]);
        let labels: Vec<String> = tokens.iter().map(|t| label(&lsp, t.1, t.2)).collect();
        let marks = tokens
            .iter()
            .zip(&labels)
            .map(|(t, l)| ("a.md", t.0, l.as_str()));
        assert_eq!(fixture.annotate(marks), fixture.written(), "utf8={utf8}");
        // A range asks for the tokens it overlaps: here the body line only.
        let body = text.find("😀").unwrap();
        let range = json!({ "start": lsp.pos(text, body), "end": lsp.pos(text, text.len()) });
        let mut p = doc(&lsp, "a.md");
        p["range"] = range;
        let r = lsp.request("textDocument/semanticTokens/range", p).unwrap();
        let in_range = decode(&lsp, text, &r["data"]);
        assert_eq!(in_range.len(), tokens.len() - 2);
        assert_eq!(in_range[..], tokens[2..]);
    });
}

/// Applies `semanticTokens/full/delta` edits to the data the client holds.
fn apply_delta(held: &mut Vec<Value>, edits: &Value) {
    let mut edits: Vec<&Value> = edits.as_array().unwrap().iter().collect();
    // Edits refer to the data before any of them: apply from the end.
    edits.sort_by_key(|e| std::cmp::Reverse(e["start"].as_u64().unwrap()));
    for e in edits {
        let start = e["start"].as_u64().unwrap() as usize;
        let count = e["deleteCount"].as_u64().unwrap() as usize;
        let data = e["data"].as_array().cloned().unwrap_or_default();
        held.splice(start..start + count, data);
    }
}

/// Edits interleaved over two notes, each followed by a delta request
/// (and a range request over the edited line) against the result the client holds — sometimes an older one, as when a
/// request was cancelled: after each, the client's tokens equal a full
/// request's, and a result id nobody knows gets all the tokens.
#[test]
fn semantic_token_deltas_stay_right_under_interleaved_edits() {
    both_encodings(|utf8| {
        let v = Vault::new(&[
            ("a.md", "# A 😀\n\nsee [[b]] and #tag\n"),
            ("b.md", "# B 漢字\n\n[[a#A 😀]] ^blk\n"),
        ]);
        let mut lsp = start(v.path(), utf8);
        let mut texts = [
            ("a.md", "# A 😀\n\nsee [[b]] and #tag\n".to_string()),
            ("b.md", "# B 漢字\n\n[[a#A 😀]] ^blk\n".to_string()),
        ];
        let mut held: Vec<(String, Vec<Value>, String)> = Vec::new();
        for (rel, text) in &texts {
            lsp.open_text(rel, text);
            let r = full_tokens(&mut lsp, rel);
            let id = r["resultId"].as_str().unwrap().to_string();
            held.push((rel.to_string(), r["data"].as_array().unwrap().clone(), id));
        }
        let inserts = [
            "[[missing]] ",
            "😀 [[b#B 漢字]] ",
            "#new ",
            "",
            "[[a]] 漢 ",
            "x",
        ];
        let mut versions = [1, 1];
        for (step, insert) in inserts.iter().cycle().take(12).enumerate() {
            let d = step % 2;
            let (rel, text) = &mut texts[d];
            // Insert at the start of the last line; every other step, delete
            // what the step before inserted instead.
            let last = text.trim_end().rfind('\n').unwrap() + 1;
            let at = lsp.pos(text, last);
            versions[d] += 1;
            let change = if step % 4 == 3 {
                let line_end = text[last..].find('\n').unwrap() + last;
                let end = lsp.pos(text, line_end);
                text.replace_range(last..line_end, "tail");
                json!({ "range": { "start": at, "end": end }, "text": "tail" })
            } else {
                text.insert_str(last, insert);
                json!({ "range": { "start": at, "end": at }, "text": insert })
            };
            lsp.notify(
                "textDocument/didChange",
                json!({ "textDocument": { "uri": lsp.file_uri(rel), "version": versions[d] },
                        "contentChanges": [change] }),
            );
            let (_, data, id) = &mut held[d];
            let mut p = doc(&lsp, rel);
            p["previousResultId"] = json!(id.clone());
            let r = lsp
                .request("textDocument/semanticTokens/full/delta", p)
                .unwrap();
            // Every third step the client "loses" the answer (a cancelled
            // request) and keeps the older result.
            let lost = step % 3 == 2;
            if !lost {
                match r.get("edits") {
                    Some(edits) => apply_delta(data, edits),
                    None => *data = r["data"].as_array().unwrap().clone(),
                }
                *id = r["resultId"].as_str().unwrap().to_string();
            }
            let full = full_tokens(&mut lsp, rel);
            if !lost {
                assert_eq!(
                    Value::Array(data.clone()),
                    full["data"],
                    "step {step}, utf8={utf8}"
                );
            }
            let all = decode(&lsp, text, &full["data"]);
            // A range over the edited line asks for its tokens only.
            let mut p = doc(&lsp, rel);
            p["range"] = json!({ "start": at, "end": lsp.pos(text, text.len()) });
            let r = lsp.request("textDocument/semanticTokens/range", p).unwrap();
            let want: Vec<_> = all
                .into_iter()
                .filter(|t| t.0.end as usize > last)
                .collect();
            assert_eq!(
                decode(&lsp, text, &r["data"]),
                want,
                "step {step}, utf8={utf8}"
            );
        }
        let mut p = doc(&lsp, "a.md");
        p["previousResultId"] = json!("no such result");
        let r = lsp
            .request("textDocument/semanticTokens/full/delta", p)
            .unwrap();
        assert!(r.get("edits").is_none() && r["data"].is_array());
    });
}

/// The lenses of `rel` as marks labelled with their titles; an
/// unlinked-mentions lens is resolved first, and left out when it counts
/// none (it then has no command, which editors draw as nothing).
fn lens_marks(lsp: &mut Lsp, fixture: &Fixture, rel: &str) -> Vec<(String, Span, String)> {
    let r = lsp.request("textDocument/codeLens", doc(lsp, rel)).unwrap();
    let text = fixture.text(rel);
    let lenses: Vec<Value> = r
        .as_array()
        .unwrap()
        .iter()
        .map(|l| match l["command"].is_null() {
            true => {
                assert_eq!(l["data"]["mentions"], true, "{l}");
                lsp.request("codeLens/resolve", l.clone()).unwrap()
            }
            false => l.clone(),
        })
        .filter(|l| !l["command"].is_null())
        .collect();
    lenses
        .iter()
        .map(|l| {
            let mut span = strict_range(lsp, text, &l["range"], "lens");
            // A lens at the start of a note (a title that is not a heading) is empty.
            span.end = span.end.max(span.start + 1);
            let command = &l["command"];
            assert_eq!(command["command"], "carnet.showReferences");
            assert_eq!(command["arguments"][0], lsp.file_uri(rel));
            assert_eq!(command["arguments"][1], l["range"]["start"]);
            (
                rel.to_string(),
                span,
                command["title"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn lenses_count_backlinks_and_their_command_finds_them() {
    let fixture = Fixture::parse(
        r#"
        //- hub 😀.md
        # Hub 漢字 😀
        ^^^^^^^^^^ 4 backlinks
        ## Part 見出し
        ^^^^^^^^^^^ 2 backlinks
        😀 quoted ^blk
                 ^^^^ 1 backlink
        ## Unlinked
        //- a.md
        😀 [[hub 😀]] [[hub 😀#Part 見出し]] 漢字 [[hub 😀#^blk]]
        //- b.md
        [x](hub%20😀.md#part-見出し)
        //- lonely.md
        nobody links here
        ^ no backlinks
        "#,
    );
    both_encodings(|utf8| {
        let v = Vault::from_fixture(&fixture);
        let mut lsp = start(v.path(), utf8);
        let mut marks = Vec::new();
        for rel in ["hub 😀.md", "lonely.md"] {
            lsp.open(rel);
            marks.extend(lens_marks(&mut lsp, &fixture, rel));
        }
        let drawn = fixture.annotate(marks.iter().map(|(p, s, l)| (p.as_str(), *s, l.as_str())));
        assert_eq!(drawn, fixture.written(), "utf8={utf8}");
        // Each lens's command, run through carnet/backlinks, finds what it counts.
        let r = lsp
            .request("textDocument/codeLens", doc(&lsp, "hub 😀.md"))
            .unwrap();
        // (An unlinked-mentions lens, unresolved, is tested in tests/helpers.rs.)
        for lens in r
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| !l["command"].is_null())
        {
            let args = &lens["command"]["arguments"];
            let found = lsp
                .request(
                    "carnet/backlinks",
                    json!({ "textDocument": { "uri": args[0] }, "target": args[2] }),
                )
                .unwrap();
            let title = lens["command"]["title"].as_str().unwrap();
            let count: usize = title.split(' ').next().unwrap().parse().unwrap();
            assert_eq!(found.as_array().unwrap().len(), count, "{title}");
            for (path, range) in lsp.locations(&found) {
                let span = strict_range(&lsp, fixture.text(&path), range, "backlink");
                assert!(fixture.text(&path)[span.range()].starts_with('['));
            }
        }
    });
}

/// A lens count, an inlay preview and an unresolved token in one open note
/// all follow an edit made in another note: the server asks the client to
/// refresh each, and the next answers show the change.
#[test]
fn lenses_hints_and_tokens_follow_edits_in_other_notes() {
    both_encodings(|utf8| {
        let v = Vault::new(&[
            ("a.md", "# A\n\n😀 [[b#^blk]] [[new]]\n"),
            ("b.md", "# B\n\nold words ^blk\n"),
        ]);
        let mut lsp = start(v.path(), utf8);
        lsp.open("a.md");
        let b = lsp.open("b.md");
        let titles = |lsp: &mut Lsp, rel: &str| -> Vec<String> {
            let r = lsp.request("textDocument/codeLens", doc(lsp, rel)).unwrap();
            r.as_array()
                .unwrap()
                .iter()
                .map(|l| l["command"]["title"].as_str().unwrap().to_string())
                .collect()
        };
        let hints = |lsp: &mut Lsp| -> Vec<String> {
            let mut p = doc(lsp, "a.md");
            p["range"] = json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 9, "character": 0 } });
            let r = lsp.request("textDocument/inlayHint", p).unwrap();
            r.as_array()
                .unwrap()
                .iter()
                .map(|h| h["label"].as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(titles(&mut lsp, "a.md"), ["no backlinks"]);
        assert_eq!(hints(&mut lsp), ["old words"]);
        let a_text = "# A\n\n😀 [[b#^blk]] [[new]]\n";
        let tokens = |lsp: &mut Lsp| {
            let r = full_tokens(lsp, "a.md");
            decode(lsp, a_text, &r["data"])
                .into_iter()
                .map(|(s, k, m)| (a_text[s.range()].to_string(), label(lsp, k, m)))
                .collect::<Vec<_>>()
        };
        assert!(tokens(&mut lsp).contains(&("new".into(), "class.unresolved".into())));
        // Let start-up refreshes pass, then edit b.md.
        std::thread::sleep(Duration::from_millis(300));
        lsp.wait_message(Duration::from_millis(100), |_| false);
        lsp.inbox.clear();
        let end = json!({ "line": 2, "character": 9 });
        lsp.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": b, "version": 2 },
                    "contentChanges": [
                        { "range": { "start": { "line": 2, "character": 0 }, "end": end }, "text": "new text" },
                        { "range": { "start": { "line": 0, "character": 3 }, "end": { "line": 0, "character": 3 } }, "text": " [[a]]" },
                    ] }),
        );
        for method in [
            "workspace/codeLens/refresh",
            "workspace/inlayHint/refresh",
            "workspace/semanticTokens/refresh",
        ] {
            assert!(
                lsp.wait_for(method, Duration::from_secs(10), |_| true)
                    .is_some(),
                "{method} after an edit elsewhere"
            );
        }
        assert_eq!(titles(&mut lsp, "a.md"), ["1 backlink"]);
        assert_eq!(hints(&mut lsp), ["new text"]);
        // A note named `new` now exists: the link is no longer unresolved.
        lsp.open_text("new.md", "# New\n");
        assert!(tokens(&mut lsp).contains(&("new".into(), "class".into())));
    });
}

/// A client takes only the refreshes it announced: here semantic tokens,
/// which arrive after an edit elsewhere, and no lens or inlay refresh (it
/// asks again on its own, when the note is shown).
#[test]
fn refresh_requests_only_for_what_the_client_refreshes() {
    let v = Vault::new(&[
        ("a.md", "# A\n\n[[b#^blk]]\n"),
        ("b.md", "# B\n\nold ^blk\n"),
    ]);
    let mut caps = caps();
    caps["workspace"] = json!({ "semanticTokens": { "refreshSupport": true } });
    let mut lsp = Lsp::start_with(v.path(), false, caps);
    lsp.open("a.md");
    let b = lsp.open("b.md");
    std::thread::sleep(Duration::from_millis(300));
    lsp.wait_message(Duration::from_millis(100), |_| false);
    lsp.inbox.clear();
    lsp.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": b, "version": 2 },
                "contentChanges": [{ "text": "# B\n\nnew ^blk\n[[a]]\n" }] }),
    );
    assert!(
        lsp.wait_for(
            "workspace/semanticTokens/refresh",
            Duration::from_secs(10),
            |_| true
        )
        .is_some()
    );
    lsp.wait_message(Duration::from_millis(300), |_| false);
    let r = lsp
        .request("textDocument/codeLens", doc(&lsp, "a.md"))
        .unwrap();
    assert_eq!(r[0]["command"]["title"], "1 backlink");
    let refreshes: Vec<&Value> = lsp
        .inbox
        .iter()
        .filter(|m| {
            m["method"]
                .as_str()
                .is_some_and(|m| m.ends_with("/refresh"))
        })
        .collect();
    assert!(refreshes.is_empty(), "{refreshes:?}");
}

fn hint_marks(lsp: &mut Lsp, fixture: &Fixture, rel: &str) -> Vec<(String, Span, String)> {
    let text = fixture.text(rel);
    let mut p = doc(lsp, rel);
    p["range"] = json!({ "start": lsp.pos(text, 0), "end": lsp.pos(text, text.len()) });
    let r = lsp.request("textDocument/inlayHint", p).unwrap();
    r.as_array()
        .unwrap()
        .iter()
        .map(|h| {
            let at = strict(lsp, text, &h["position"], "hint");
            assert_eq!(h["paddingLeft"], true);
            // Shown right after the link: mark its last character.
            let before = text[..at].chars().next_back().unwrap();
            (
                rel.to_string(),
                Span::new(at - before.len_utf8()..at),
                h["label"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn inlay_previews_follow_the_setting_in_both_encodings() {
    let blocks = r#"
        //- a.md
        😀 [[t#^one]] 漢字 [[t#Sec]] [[gone#^one]] [[t#^nope]]
                   ^ 漢字 words of the block
        //- t.md
        # T
        ## Sec
        First line of the section, which is long enough to be cut here
        漢字 words of the block ^one
        "#;
    let all = r#"
        //- a.md
        😀 [[t#^one]] 漢字 [[t#Sec]] [[gone#^one]] [[t#^nope]]
                   ^ 漢字 words of the block
                                ^ First line of the section, which is long…
        //- t.md
        # T
        ## Sec
        First line of the section, which is long enough to be cut here
        漢字 words of the block ^one
        "#;
    both_encodings(|utf8| {
        for (setting, expected) in [(None, blocks), (Some("all"), all), (Some("off"), blocks)] {
            let fixture = Fixture::parse(expected);
            let v = Vault::from_fixture(&fixture);
            let mut lsp = start(v.path(), utf8);
            if let Some(previews) = setting {
                lsp.notify(
                    "workspace/didChangeConfiguration",
                    json!({ "settings": { "carnet": { "inlayHints": { "previews": previews } } } }),
                );
            }
            lsp.open("a.md");
            let marks = hint_marks(&mut lsp, &fixture, "a.md");
            if setting == Some("off") {
                assert!(marks.is_empty());
                continue;
            }
            let drawn =
                fixture.annotate(marks.iter().map(|(p, s, l)| (p.as_str(), *s, l.as_str())));
            assert_eq!(drawn, fixture.written(), "{setting:?} utf8={utf8}");
        }
    });
}

fn check_highlights(fixture: &str) {
    let fixture = Fixture::parse(fixture);
    both_encodings(|utf8| {
        let v = Vault::from_fixture(&fixture);
        let mut lsp = start(v.path(), utf8);
        let c = fixture.cursor().clone();
        lsp.open(&c.path);
        let r = lsp
            .request("textDocument/documentHighlight", lsp.at_cursor(&fixture))
            .unwrap();
        let text = fixture.text(&c.path);
        let marks: Vec<(Span, &str)> = r
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                let label = if h["kind"] == 3 { "write" } else { "" };
                (strict_range(&lsp, text, &h["range"], "highlight"), label)
            })
            .collect();
        let drawn = fixture.annotate(marks.iter().map(|(s, l)| (c.path.as_str(), *s, *l)));
        assert_eq!(drawn, fixture.written(), "utf8={utf8}");
    });
}

#[test]
fn document_highlights_after_emoji_and_cjk() {
    check_highlights(
        r#"
        //- a.md
        # 漢字 😀
        ## Part 見出し
        ^^^^^^^^^^^ write
        😀 [[#Part 見出$0し]] 漢字 [[a#part 見出し|x]] [[b]] 🌲 [[#漢字 😀]]
          ^^^^^^^^^^^^^    ^^^^^^^^^^^^^^^^
        //- b.md
        "#,
    );
    check_highlights(
        r#"
        //- a.md
        😀 #タ$0グ 漢字 #タグ #タグ/sub #other 🌲 #タグ
          ^^^    ^^^                  ^^^
        "#,
    );
}

/// On copies of every corpus vault, in both encodings: every token, lens,
/// preview and highlight of every note lies on its line and on character
/// boundaries, and the tokens are exactly the library's.
#[test]
fn corpus_ranges_are_strict_in_both_encodings() {
    let Some(corpora) = corpora() else { return };
    for vault in [
        "obsidian-help/en",
        "obsidian-help/fr",
        "obsidian-help/ru",
        "obsidian-help/zh",
        "foam-docs",
        "kepano-obsidian",
    ] {
        let from = corpora.join(vault);
        if !from.is_dir() {
            support::corpus_missing(&format!("{vault} not in the corpora"));
            continue;
        }
        let tmp = tempfile::tempdir().unwrap();
        copy_dir(&from, tmp.path());
        let loaded = carnet::vault::load(tmp.path()).expect("index the copy");
        let snap = &loaded.snapshot;
        let mut notes: Vec<String> = snap.notes().map(|n| n.path.to_string()).collect();
        notes.sort();
        both_encodings(|utf8| {
            let mut lsp = start(tmp.path(), utf8);
            lsp.notify(
                "workspace/didChangeConfiguration",
                json!({ "settings": { "carnet": { "inlayHints": { "previews": "all" } } } }),
            );
            let (mut tokens, mut lenses, mut hints, mut highlights) = (0, 0, 0, 0);
            for rel in &notes {
                let text = std::fs::read_to_string(tmp.path().join(rel)).unwrap();
                let text = text.strip_prefix('\u{feff}').unwrap_or(&text).to_string();
                lsp.open_text(rel, &text);
                let what = format!("{vault}/{rel} utf8={utf8}");
                let r = full_tokens(&mut lsp, rel);
                let got = decode(&lsp, &text, &r["data"]);
                assert_eq!(got, library_tokens(snap, rel), "{what}");
                tokens += got.len();
                let r = lsp
                    .request("textDocument/codeLens", doc(&lsp, rel))
                    .unwrap();
                for l in r.as_array().unwrap() {
                    strict_range(&lsp, &text, &l["range"], &what);
                    lenses += 1;
                }
                let mut p = doc(&lsp, rel);
                p["range"] =
                    json!({ "start": lsp.pos(&text, 0), "end": lsp.pos(&text, text.len()) });
                let r = lsp.request("textDocument/inlayHint", p).unwrap();
                for h in r.as_array().unwrap() {
                    strict(&lsp, &text, &h["position"], &what);
                    assert!(!h["label"].as_str().unwrap().is_empty(), "{what}");
                    hints += 1;
                }
                // Highlights on the first links and tags of the note.
                let facts = &snap.note(rel).unwrap().facts;
                let starts = facts
                    .links
                    .iter()
                    .map(|l| l.span.start)
                    .chain(facts.tags.iter().map(|t| t.span.start))
                    .take(4);
                for start in starts {
                    let mut p = doc(&lsp, rel);
                    p["position"] = lsp.pos(&text, start as usize + 1);
                    let r = lsp.request("textDocument/documentHighlight", p).unwrap();
                    let found = r.as_array().unwrap();
                    assert!(!found.is_empty(), "{what}: nothing highlighted at {start}");
                    for h in found {
                        strict_range(&lsp, &text, &h["range"], &what);
                        highlights += 1;
                    }
                }
                lsp.notify(
                    "textDocument/didClose",
                    json!({ "textDocument": { "uri": lsp.file_uri(rel) } }),
                );
            }
            assert!(tokens > 0 && lenses >= notes.len(), "{vault}");
            eprintln!(
                "{vault} utf8={utf8}: {tokens} tokens, {lenses} lenses, {hints} previews, {highlights} highlights"
            );
        });
    }
}

/// The library's tokens of `rel`, as `decode` gives them: span, the type's
/// index in the legend, modifier bits.
fn library_tokens(snap: &carnet::index::Snapshot, rel: &str) -> Vec<(Span, u32, u32)> {
    carnet::answers::semantic_tokens(snap, rel)
        .iter()
        .map(|t| {
            let kind = carnet::answers::TokenKind::ALL
                .iter()
                .position(|k| *k == t.kind)
                .unwrap();
            (t.span, kind as u32, t.modifiers)
        })
        .collect()
}

/// Whether a mark after typing `typed` is the one before: equal, except
/// that a preview of this same note may now show the typed words (and cut
/// the text elsewhere).
fn same_mark(
    after: &(String, String, String),
    before: &(String, String, String),
    typed: &str,
) -> bool {
    if after.0 != "hint" || after.0 != before.0 || after.1 != before.1 {
        return after == before;
    }
    let typed: Vec<&str> = typed.split_whitespace().collect();
    let words = |s: &str| -> Vec<String> {
        let s = s.trim_end_matches('…');
        s.split_whitespace()
            .filter(|w| !typed.contains(w))
            .map(String::from)
            .collect()
    };
    let (a, b) = (words(&after.2), words(&before.2));
    // The last word of a cut preview may itself be cut.
    let n = a.len().min(b.len()).saturating_sub(1);
    a[..n] == b[..n]
}

/// Real notes with emoji and CJK typed in front of their links and tags:
/// on copies of corpus vaults, the link-richest notes are edited in the
/// server (one `didChange` of many insertions, in both encodings) so that
/// `😀 漢字 ` stands before every link and tag that follows a space. After
/// the edit, the tokens are exactly the library's on the edited text and
/// name the same things as before; every lens, preview and highlight is
/// strict and keeps its label; each lens's `carnet/backlinks` finds what
/// it counts.
#[test]
fn corpus_notes_with_emoji_and_cjk_typed_before_their_links() {
    let Some(corpora) = corpora() else { return };
    const TYPED: &str = "😀 漢字 ";
    for vault in [
        "obsidian-help/en",
        "obsidian-help/zh",
        "obsidian-help/ru",
        "foam-docs",
    ] {
        let from = corpora.join(vault);
        if !from.is_dir() {
            support::corpus_missing(&format!("{vault} not in the corpora"));
            continue;
        }
        let tmp = tempfile::tempdir().unwrap();
        copy_dir(&from, tmp.path());
        let loaded = carnet::vault::load(tmp.path()).expect("index the copy");
        let snap = &loaded.snapshot;
        let mut notes: Vec<(usize, String)> = snap
            .notes()
            .map(|n| (n.facts.links.len() + n.facts.tags.len(), n.path.to_string()))
            .collect();
        notes.sort_by(|a, b| b.cmp(a));
        notes.truncate(8);
        both_encodings(|utf8| {
            let mut lsp = start(tmp.path(), utf8);
            lsp.notify(
                "workspace/didChangeConfiguration",
                json!({ "settings": { "carnet": { "inlayHints": { "previews": "all" } } } }),
            );
            let mut typed_before = 0;
            for (_, rel) in &notes {
                let what = format!("{vault}/{rel} utf8={utf8}");
                let text = std::fs::read_to_string(tmp.path().join(rel)).unwrap();
                let text = text.strip_prefix('\u{feff}').unwrap_or(&text).to_string();
                let uri = lsp.open_text(rel, &text);
                let facts = &snap.note(rel).unwrap().facts;
                let body = facts.front_matter.map_or(0, |s| s.end as usize);
                let mut at: Vec<usize> = facts
                    .links
                    .iter()
                    .map(|l| l.span.start as usize)
                    .chain(facts.tags.iter().map(|t| t.span.start as usize))
                    .filter(|&i| i > body && text[..i].ends_with(' '))
                    .collect();
                at.sort();
                at.dedup();
                typed_before += at.len();
                let labels = |lsp: &mut Lsp, text: &str| -> Vec<(String, String, String)> {
                    let mut out: Vec<(String, String, String)> = Vec::new();
                    let r = full_tokens(lsp, rel);
                    for (s, k, m) in decode(lsp, text, &r["data"]) {
                        out.push(("token".into(), text[s.range()].into(), label(lsp, k, m)));
                    }
                    let r = lsp.request("textDocument/codeLens", doc(lsp, rel)).unwrap();
                    for l in r.as_array().unwrap() {
                        let s = strict_range(lsp, text, &l["range"], &what);
                        // An unlinked-mentions lens, counted on resolve
                        // (tests/helpers.rs): its place is what is checked here.
                        if l["command"].is_null() {
                            assert_eq!(l["data"]["mentions"], true, "{what}: {l}");
                            out.push(("lens".into(), text[s.range()].into(), "mentions".into()));
                            continue;
                        }
                        let title = l["command"]["title"].as_str().unwrap();
                        out.push(("lens".into(), text[s.range()].into(), title.into()));
                        let args = &l["command"]["arguments"];
                        let found = lsp
                            .request(
                                "carnet/backlinks",
                                json!({ "textDocument": { "uri": args[0] }, "target": args[2] }),
                            )
                            .unwrap();
                        let count = title.split(' ').next().unwrap();
                        let count: usize = count.parse().unwrap_or(0);
                        assert_eq!(found.as_array().unwrap().len(), count, "{what}: {title}");
                    }
                    let mut p = doc(lsp, rel);
                    p["range"] =
                        json!({ "start": lsp.pos(text, 0), "end": lsp.pos(text, text.len()) });
                    let r = lsp.request("textDocument/inlayHint", p).unwrap();
                    for h in r.as_array().unwrap() {
                        let at = strict(lsp, text, &h["position"], &what);
                        let before = text[..at].chars().rev().take(2).collect::<String>();
                        let label = h["label"].as_str().unwrap();
                        out.push(("hint".into(), before, label.into()));
                    }
                    out
                };
                let before = labels(&mut lsp, &text);
                // Insert from the end, so each position is still one of the
                // original text when the server applies the changes in order.
                let mut edited = text.clone();
                let changes: Vec<Value> = at
                    .iter()
                    .rev()
                    .map(|&i| {
                        let p = lsp.pos(&text, i);
                        edited.insert_str(i, TYPED);
                        json!({ "range": { "start": p, "end": p }, "text": TYPED })
                    })
                    .collect();
                lsp.notify(
                    "textDocument/didChange",
                    json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": changes }),
                );
                let after = labels(&mut lsp, &edited);
                let differ: Vec<_> = after
                    .iter()
                    .zip(&before)
                    .filter(|(a, b)| !same_mark(a, b, TYPED))
                    .take(3)
                    .collect();
                assert!(
                    differ.is_empty() && after.len() == before.len(),
                    "{what}: after typing / before: {differ:?}, {} / {} marks",
                    after.len(),
                    before.len()
                );
                let edited_snap = snap.with_note(carnet::index::Note::new(
                    rel.as_str().into(),
                    carnet::facts::extract(&edited),
                    edited.len() as u64,
                ));
                let r = full_tokens(&mut lsp, rel);
                let got = decode(&lsp, &edited, &r["data"]);
                assert_eq!(got, library_tokens(&edited_snap, rel), "{what}");
                // Highlights on each link and tag that got the typed prefix.
                let facts = &edited_snap.note(rel).unwrap().facts;
                for (n, i) in at.iter().enumerate().take(12) {
                    let i = i + TYPED.len() * (n + 1);
                    assert!(
                        facts.links.iter().any(|l| l.span.start as usize == i)
                            || facts.tags.iter().any(|t| t.span.start as usize == i),
                        "{what}: nothing starts at {i} after typing"
                    );
                    let mut p = doc(&lsp, rel);
                    p["position"] = lsp.pos(&edited, i + 1);
                    let r = lsp.request("textDocument/documentHighlight", p).unwrap();
                    let found = r.as_array().unwrap();
                    let spans: Vec<Span> = found
                        .iter()
                        .map(|h| strict_range(&lsp, &edited, &h["range"], &what))
                        .collect();
                    assert!(
                        spans
                            .iter()
                            .any(|s| s.start as usize <= i && i < s.end as usize),
                        "{what}: the highlights at {i} miss it: {spans:?}"
                    );
                }
                lsp.notify(
                    "textDocument/didClose",
                    json!({ "textDocument": { "uri": uri } }),
                );
            }
            assert!(
                typed_before > 20,
                "{vault}: only {typed_before} places to type"
            );
            eprintln!("{vault} utf8={utf8}: typed before {typed_before} links and tags");
        });
    }
}
