//! Notes moved outside the editor while the server runs: the server sees
//! the note disappear and the same note appear, offers to update the links
//! (`window/showMessageRequest`) and sends the edit (`workspace/applyEdit`)
//! when the editor accepts; or sends it without asking, or says nothing,
//! as `carnet.moves.updateLinks` says.

mod support;

use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};
use support::Vault;
use support::lsp::{Lsp, uri};

/// What VS Code says it can do, as far as these tests go. `watch`: the
/// editor watches files (else carnet does, with its own watcher).
fn caps(watch: bool) -> Value {
    json!({
        "general": { "positionEncodings": ["utf-8", "utf-16"] },
        "workspace": {
            "applyEdit": true,
            "workspaceEdit": { "documentChanges": true, "resourceOperations": ["create", "rename", "delete"] },
            "didChangeWatchedFiles": { "dynamicRegistration": watch },
            "workspaceFolders": true
        },
        "window": { "showMessage": { "messageActionItem": { "additionalPropertiesSupport": false } } }
    })
}

fn vault() -> Vault {
    Vault::new(&[
        (
            "index.md",
            "[[notes/Target]] [t](notes/Target.md#part) [[Target]]\n",
        ),
        ("notes/Target.md", "# Target\n## Part\n[i](../index.md)\n"),
        ("other.md", "[[index]]\n"),
    ])
}

/// A client that answers the offer and the edit itself.
fn start(root: &Path, watch: bool, mode: &str) -> Lsp {
    let mut c = Lsp::start_with(root, true, caps(watch));
    c.hold("window/showMessageRequest");
    c.hold("workspace/applyEdit");
    c.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "carnet": { "moves": { "updateLinks": mode } } } }),
    );
    // Answered once the vault is indexed.
    c.request("workspace/symbol", json!({ "query": "Target" }))
        .expect("symbols");
    c
}

/// Moves `notes/Target.md` to `archive/2024/Target.md` behind the editor's
/// back, and tells the server as an editor's file watcher would.
fn move_outside(c: &mut Lsp, root: &Path, tell: bool) {
    std::fs::create_dir_all(root.join("archive/2024")).unwrap();
    std::fs::rename(
        root.join("notes/Target.md"),
        root.join("archive/2024/Target.md"),
    )
    .unwrap();
    if tell {
        c.notify(
            "workspace/didChangeWatchedFiles",
            json!({ "changes": [
                { "uri": uri(&root.join("notes/Target.md")), "type": 3 },
                { "uri": uri(&root.join("archive/2024/Target.md")), "type": 1 },
            ] }),
        );
    }
}

fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).unwrap()
}

const FIXED_INDEX: &str = "[[2024/Target]] [t](archive/2024/Target.md#part) [[Target]]\n";
const FIXED_TARGET: &str = "# Target\n## Part\n[i](../../index.md)\n";

/// Applies the edit the server sent, as the editor does, and says so.
fn accept_edit(c: &mut Lsp) {
    let request = c
        .wait_for("workspace/applyEdit", Duration::from_secs(10), |_| true)
        .expect("the edit is sent");
    support::edit::apply(&request["params"]["edit"], true).expect("the edit applies cleanly");
    c.reply(&request, json!({ "applied": true }));
}

#[test]
fn an_editor_that_accepts_the_offer_gets_every_link_updated() {
    let v = vault();
    let root = v.path();
    let mut c = start(root, true, "ask");
    move_outside(&mut c, root, true);
    let offer = c
        .wait_for("window/showMessageRequest", Duration::from_secs(10), |_| {
            true
        })
        .expect("an offer to update the links");
    assert_eq!(
        offer["params"]["message"],
        "Update 3 links in 2 notes to the moved note Target?"
    );
    let actions = offer["params"]["actions"].as_array().unwrap();
    assert_eq!(actions[0]["title"], "Update links");
    c.reply(&offer, actions[0].clone());
    accept_edit(&mut c);
    assert_eq!(read(root, "index.md"), FIXED_INDEX);
    assert_eq!(read(root, "archive/2024/Target.md"), FIXED_TARGET);
}

#[test]
fn always_updates_without_asking_with_carnets_own_file_watcher() {
    let v = vault();
    let root = v.path();
    let mut c = start(root, false, "always");
    move_outside(&mut c, root, false);
    accept_edit(&mut c);
    assert!(
        c.wait_for("window/showMessageRequest", Duration::ZERO, |_| true)
            .is_none(),
        "nothing was asked"
    );
    assert_eq!(read(root, "index.md"), FIXED_INDEX);
    assert_eq!(read(root, "archive/2024/Target.md"), FIXED_TARGET);
}

#[test]
fn declined_or_turned_off_the_links_stay_as_they_are() {
    for mode in ["ask", "never"] {
        let v = vault();
        let root = v.path();
        let mut c = start(root, true, mode);
        move_outside(&mut c, root, true);
        if mode == "ask" {
            let offer = c
                .wait_for("window/showMessageRequest", Duration::from_secs(10), |_| {
                    true
                })
                .expect("an offer");
            c.reply(&offer, offer["params"]["actions"][1].clone()); // "Not now"
        } else {
            assert!(
                c.wait_for("window/showMessageRequest", Duration::from_secs(2), |_| {
                    true
                })
                .is_none()
            );
        }
        assert!(
            c.wait_for("workspace/applyEdit", Duration::from_secs(2), |_| true)
                .is_none(),
            "{mode}: no edit"
        );
        assert_eq!(read(root, "index.md"), vault_text("index.md"), "{mode}");
    }
}

fn vault_text(rel: &str) -> String {
    let v = vault();
    read(v.path(), rel)
}

#[test]
fn a_move_the_editor_made_itself_is_not_offered_again() {
    let v = vault();
    let root = v.path();
    let mut c = start(root, true, "ask");
    // The editor's own rename: links edited first (willRenameFiles), the
    // file moved, then announced.
    let files = json!({ "files": [{
        "oldUri": c.file_uri("notes/Target.md"),
        "newUri": c.file_uri("archive/2024/Target.md"),
    }] });
    let edit = c
        .request("workspace/willRenameFiles", files.clone())
        .expect("link edits");
    support::edit::apply(&edit, true).unwrap();
    move_outside(&mut c, root, true);
    c.notify("workspace/didRenameFiles", files);
    assert!(
        c.wait_for("window/showMessageRequest", Duration::from_secs(2), |_| {
            true
        })
        .is_none(),
        "no second offer"
    );
    assert_eq!(read(root, "index.md"), FIXED_INDEX);
}
