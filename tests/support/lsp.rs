//! A small LSP client that drives the built `carnet` binary over stdio,
//! the way an editor does: Content-Length framing, requests matched by id,
//! notifications collected, and server-to-client requests answered (with
//! `null`, the settings for `workspace/configuration`) unless the test
//! holds their method to answer itself ([`Lsp::hold`], [`Lsp::reply`]).
//!
//! Messages are parsed into `serde_json::Value`s, except the answers of
//! [`Lsp::request_as`], which are parsed straight into typed structs (as an
//! editor's native JSON parser reads them, without building a map per
//! object): the benchmarks time large answers that way, for every server alike.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};

use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use carnet::fixture::Fixture;
use carnet::text::Span;
use serde::Deserialize;
use serde::de::{DeserializeOwned, IgnoredAny};
use serde_json::{Value, json};

pub const TIMEOUT: Duration = Duration::from_secs(20);

pub struct Lsp {
    child: Child,
    /// `None` once closed.
    stdin: Option<ChildStdin>,
    /// Message bodies as read, parsed on this side ([`Lsp::request_as`]
    /// parses its answer into the type asked for), with when each began
    /// to arrive.
    rx: mpsc::Receiver<(Instant, Vec<u8>)>,
    /// When the last message taken began to arrive (its header was read):
    /// a bench tells the server's time from the transfer and this side's
    /// parsing by it.
    pub arrived: Option<Instant>,
    next_id: i64,
    /// Notifications and server requests seen so far, oldest first.
    pub inbox: Vec<Value>,
    pub root: std::path::PathBuf,
    pub utf8: bool,
    pub init_result: Value,
    /// What this client answers to `workspace/configuration` (the `carnet` section).
    pub settings: Value,
    /// Responses that arrived while waiting for another (servers may answer
    /// concurrent requests in any order).
    early: std::collections::HashMap<i64, Value>,
    /// Server request methods the test answers itself.
    held: Vec<String>,
    /// How long [`Lsp::response`] waits ([`TIMEOUT`] unless changed).
    pub timeout: Duration,
}

/// `file://` URI of a path (spaces and non-ASCII percent-encoded).
pub fn uri(path: &Path) -> String {
    let mut out = String::from("file://");
    for b in path.to_str().expect("UTF-8 path").bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out += &format!("%{b:02X}");
        }
    }
    out
}

/// The path of a `file://` URI.
pub fn path_of(uri: &str) -> std::path::PathBuf {
    let s = uri.strip_prefix("file://").expect("file URI");
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap().into()
}

/// An LSP `Location`, as [`Lsp::request_as`] reads it.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    pub uri: String,
    pub range: Range,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Range {
    pub start: Position,
    pub end: Position,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    pub line: u64,
    pub character: u64,
}

/// A message read as the response [`Lsp::request_as`] waits for: its
/// result typed, everything else only looked at.
#[derive(Deserialize)]
struct Reply<T> {
    id: Option<Value>,
    method: Option<IgnoredAny>,
    result: Option<T>,
    error: Option<Value>,
}

/// The body of the next message (its JSON not parsed yet), and when its
/// first line was read.
fn read_message(r: &mut impl BufRead) -> Option<(Instant, Vec<u8>)> {
    let mut len = None;
    let mut began = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        began.get_or_insert_with(Instant::now);
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length: ") {
            len = v.parse().ok();
        }
    }
    let mut buf = vec![0; len?];
    r.read_exact(&mut buf).ok()?;
    Some((began?, buf))
}

fn parse(body: &[u8]) -> Value {
    serde_json::from_slice(body).unwrap_or_else(|e| {
        panic!(
            "the server sent invalid JSON ({e}): {}",
            String::from_utf8_lossy(&body[..body.len().min(300)])
        )
    })
}

/// A response's result as `T`: `Err` with the error, or with a message
/// when the result has another shape.
fn typed<T: DeserializeOwned>(msg: Value) -> Result<T, Value> {
    if let Some(e) = msg.get("error") {
        return Err(e.clone());
    }
    let result = msg.get("result").cloned().unwrap_or(Value::Null);
    serde_json::from_value(result)
        .map_err(|e| json!({ "message": format!("an answer of the wrong shape: {e}") }))
}

impl Lsp {
    /// Starts carnet on `root` with VS Code-like capabilities and completes
    /// the initialize handshake. `utf8`: offer utf-8 positions.
    pub fn start(root: &Path, utf8: bool) -> Lsp {
        Self::start_with(root, utf8, json!({}))
    }

    pub fn start_with(root: &Path, utf8: bool, extra_caps: Value) -> Lsp {
        Self::start_with_settings(root, utf8, extra_caps, Value::Null)
    }

    /// Starts with `settings` as the editor's `carnet` configuration.
    pub fn start_with_settings(root: &Path, utf8: bool, extra_caps: Value, settings: Value) -> Lsp {
        Self::initialize(Self::spawn(root, utf8), extra_caps, settings)
    }

    /// Starts with the server's log level set (`CARNET_LOG`); its log
    /// messages arrive in the inbox as `window/logMessage`.
    pub fn start_logging(root: &Path, utf8: bool, level: &str) -> Lsp {
        Self::initialize(
            Self::spawn_logging(root, utf8, level),
            json!({}),
            Value::Null,
        )
    }

    /// Completes the initialize handshake of a spawned server.
    pub fn initialize_with(lsp: Lsp, extra_caps: Value) -> Lsp {
        Self::initialize(lsp, extra_caps, Value::Null)
    }

    fn initialize(mut lsp: Lsp, extra_caps: Value, settings: Value) -> Lsp {
        let (root, utf8) = (lsp.root.clone(), lsp.utf8);
        let root = root.as_path();
        lsp.settings = settings;
        let mut caps = json!({
            "general": { "positionEncodings": if utf8 { json!(["utf-8", "utf-16"]) } else { json!(["utf-16"]) } },
            "textDocument": {
                "definition": { "linkSupport": false },
                "documentSymbol": { "hierarchicalDocumentSymbolSupport": true },
            },
            "workspace": { "workspaceFolders": true },
        });
        merge(&mut caps, extra_caps);
        let result = lsp
            .request(
                "initialize",
                json!({
                    "processId": null,
                    "rootUri": uri(root),
                    "capabilities": caps,
                    "workspaceFolders": [{ "uri": uri(root), "name": "vault" }],
                }),
            )
            .expect("initialize succeeds");
        lsp.init_result = result;
        lsp.notify("initialized", json!({}));
        lsp
    }

    /// Spawns the server without initializing it.
    pub fn spawn(root: &Path, utf8: bool) -> Lsp {
        Self::spawn_logging(root, utf8, "warn")
    }

    fn spawn_logging(root: &Path, utf8: bool, level: &str) -> Lsp {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_carnet"));
        // The facts cache of test servers stays out of the user's own cache folder.
        cmd.arg("--stdio").env("CARNET_LOG", level).env(
            "XDG_CACHE_HOME",
            std::env::temp_dir().join("carnet-test-cache"),
        );
        Self::spawn_command(cmd, root, utf8)
    }

    /// Spawns any language server (`cmd`, e.g. a peer in a benchmark) on
    /// `root` without initializing it; [`Lsp::initialize_with`] does that.
    pub fn spawn_command(mut cmd: Command, root: &Path, utf8: bool) -> Lsp {
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {:?}: {e}", cmd.get_program()));
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            while let Some(msg) = read_message(&mut r) {
                if tx.send(msg).is_err() {
                    break;
                }
            }
        });
        Lsp {
            child,
            stdin: Some(stdin),
            rx,
            arrived: None,
            next_id: 1,
            inbox: Vec::new(),
            root: root.to_path_buf(),
            utf8,
            init_result: Value::Null,
            settings: Value::Null,
            early: std::collections::HashMap::new(),
            held: Vec::new(),
            timeout: TIMEOUT,
        }
    }

    pub fn send_raw(&mut self, bytes: &[u8]) {
        if let Some(stdin) = &mut self.stdin {
            let _ = stdin.write_all(bytes);
            let _ = stdin.flush();
        }
    }

    fn send(&mut self, msg: &Value) {
        let body = serde_json::to_vec(msg).unwrap();
        let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        out.extend(body);
        self.send_raw(&out);
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and waits for its response: `Ok(result)` or `Err(error)`.
    pub fn request(&mut self, method: &str, params: Value) -> Result<Value, Value> {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        self.response(id)
    }

    /// Sends a request and parses its result straight into `T` (e.g.
    /// `Option<Vec<Location>>`); `Err` with the error, or when the result
    /// has another shape.
    pub fn request_as<T: DeserializeOwned>(
        &mut self,
        method: &str,
        params: Value,
    ) -> Result<T, Value> {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        let deadline = Instant::now() + self.timeout;
        loop {
            if let Some(msg) = self.early.remove(&id) {
                return typed(msg);
            }
            let body = self
                .recv(deadline)
                .unwrap_or_else(|| panic!("no response to request {id}"));
            // One pass over the answer when it has the expected shape.
            if let Ok(reply) = serde_json::from_slice::<Reply<T>>(&body)
                && reply.method.is_none()
                && reply.id == Some(json!(id))
            {
                return match (reply.error, reply.result) {
                    (Some(e), _) => Err(e),
                    (None, Some(result)) => Ok(result),
                    (None, None) => typed(json!({ "result": null })),
                };
            }
            // Anything else, as `response` would handle it.
            let msg = self.take(parse(&body));
            if msg.get("method").is_none() && msg["id"] == json!(id) {
                return typed(msg);
            }
            if msg.get("method").is_none() && !msg["id"].is_null() {
                let other = msg["id"].as_i64().expect("numeric ids");
                self.early.insert(other, msg);
            }
        }
    }

    /// Waits for the response with `id`, keeping everything else in the inbox.
    pub fn response(&mut self, id: i64) -> Result<Value, Value> {
        let deadline = Instant::now() + self.timeout;
        loop {
            let mut msg = match self.early.remove(&id) {
                Some(msg) => msg,
                None => self
                    .next_message(deadline)
                    .unwrap_or_else(|| panic!("no response to request {id}")),
            };
            if msg.get("method").is_none() && msg["id"] == json!(id) {
                // Taken, not cloned: a large answer (tens of thousands of
                // locations) would be copied for nothing.
                return match msg.get_mut("error") {
                    Some(e) => Err(e.take()),
                    None => Ok(msg.get_mut("result").map_or(Value::Null, Value::take)),
                };
            }
            if msg.get("method").is_none() && !msg["id"].is_null() {
                let other = msg["id"].as_i64().expect("numeric ids");
                self.early.insert(other, msg);
            }
        }
    }

    /// The next message; server requests are answered unless held (as an
    /// editor that accepts them would, else a null result) and, like
    /// notifications, kept in the inbox.
    fn next_message(&mut self, deadline: Instant) -> Option<Value> {
        let body = self.recv(deadline)?;
        Some(self.take(parse(&body)))
    }

    /// The next message's body, by `deadline`.
    fn recv(&mut self, deadline: Instant) -> Option<Vec<u8>> {
        let left = deadline.saturating_duration_since(Instant::now());
        let (arrived, body) = self.rx.recv_timeout(left).ok()?;
        self.arrived = Some(arrived);
        Some(body)
    }

    /// What [`Lsp::next_message`] does with a message: server requests
    /// answered unless held, they and notifications kept in the inbox.
    fn take(&mut self, msg: Value) -> Value {
        if msg.get("method").is_none() && msg["id"].is_null() {
            self.inbox.push(msg.clone());
        } else if let Some(method) = msg["method"].as_str() {
            let held = self.held.iter().any(|h| h == method);
            if let Some(id) = msg.get("id").filter(|_| !held) {
                let id = id.clone();
                // Tests that take an edit or a document apply or check it
                // themselves (support/edit.rs); the answer is an editor's.
                let result = match msg["method"].as_str() {
                    Some("workspace/configuration") => json!([self.settings.clone()]),
                    Some("workspace/applyEdit") => json!({ "applied": true }),
                    Some("window/showDocument") => json!({ "success": true }),
                    _ => Value::Null,
                };
                self.send(&json!({ "jsonrpc": "2.0", "id": id, "result": result }));
            }
            self.inbox.push(msg.clone());
        }
        msg
    }

    /// Waits for a notification (or server request) `method` that `pred`
    /// accepts, looking at the inbox first. Removes and returns it.
    pub fn wait_for(
        &mut self,
        method: &str,
        timeout: Duration,
        pred: impl Fn(&Value) -> bool,
    ) -> Option<Value> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(i) = self
                .inbox
                .iter()
                .position(|m| m["method"] == method && pred(&m["params"]))
            {
                return Some(self.inbox.remove(i));
            }
            self.next_message(deadline)?;
        }
    }

    /// Waits for any kept message (notification, server request or error
    /// without id) that `pred` accepts; it stays in the inbox.
    pub fn wait_message(&mut self, timeout: Duration, pred: impl Fn(&Value) -> bool) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            if self.inbox.iter().any(&pred) {
                return true;
            }
            if self.next_message(deadline).is_none() {
                return false;
            }
        }
    }

    /// Leaves server requests `method` for the test to answer: they wait
    /// in the inbox (see [`Lsp::wait_for`]) until [`Lsp::reply`].
    pub fn hold(&mut self, method: &str) {
        self.held.push(method.to_string());
    }

    /// Answers the server request `request` (as [`Lsp::wait_for`] returned it).
    pub fn reply(&mut self, request: &Value, result: Value) {
        let id = request["id"].clone();
        assert!(!id.is_null(), "not a request: {request}");
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "result": result }));
    }

    pub fn file_uri(&self, rel: &str) -> String {
        uri(&self.root.join(rel))
    }

    /// Opens `rel` with its text from disk.
    pub fn open(&mut self, rel: &str) -> String {
        let text = std::fs::read_to_string(self.root.join(rel)).expect("note exists");
        self.open_text(rel, &text)
    }

    pub fn open_text(&mut self, rel: &str, text: &str) -> String {
        let u = self.file_uri(rel);
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": u, "languageId": "markdown", "version": 1, "text": text } }),
        );
        u
    }

    /// Replaces the whole text of the open note at `uri`, as version `version`.
    pub fn change(&mut self, uri: &str, version: i32, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": text }] }),
        );
    }

    /// Replaces `range` of the open note at `uri` with `text`, as version
    /// `version`.
    pub fn edit(&mut self, uri: &str, version: i32, range: Value, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version },
                    "contentChanges": [{ "range": range, "text": text }] }),
        );
    }

    pub fn close(&mut self, uri: &str) {
        self.notify(
            "textDocument/didClose",
            json!({ "textDocument": { "uri": uri } }),
        );
    }

    /// An LSP position of byte offset `offset` in `text`, in the negotiated encoding.
    pub fn pos(&self, text: &str, offset: usize) -> Value {
        let before = &text[..offset];
        let line_start = before.rfind(['\n', '\r']).map_or(0, |i| i + 1);
        let line = before[..line_start]
            .char_indices()
            .filter(|&(i, c)| c == '\n' || (c == '\r' && !before[i + 1..].starts_with('\n')))
            .count();
        let col_text = &before[line_start..];
        let character = if self.utf8 {
            col_text.len()
        } else {
            col_text.encode_utf16().count()
        };
        json!({ "line": line, "character": character })
    }

    /// Position of the first occurrence of `needle` (plus `delta` bytes) in `text`.
    pub fn pos_of(&self, text: &str, needle: &str, delta: usize) -> Value {
        let i = text
            .find(needle)
            .unwrap_or_else(|| panic!("{needle:?} not in text"));
        self.pos(text, i + delta)
    }

    /// The vault path and range of each location (or location link) in a
    /// response.
    pub fn locations<'v>(&self, v: &'v Value) -> Vec<(String, &'v Value)> {
        let Some(list) = v.as_array() else {
            return vec![];
        };
        list.iter()
            .map(|l| {
                let uri = l.get("targetUri").or(l.get("uri")).unwrap();
                let range = l.get("targetSelectionRange").or(l.get("range")).unwrap();
                (self.rel(uri.as_str().unwrap()), range)
            })
            .collect()
    }

    /// `rel:line` of each location (or location link) in a response, sorted.
    pub fn places(&self, v: &Value) -> Vec<String> {
        let mut out: Vec<String> = self
            .locations(v)
            .into_iter()
            .map(|(rel, range)| format!("{rel}:{}", range["start"]["line"]))
            .collect();
        out.sort();
        out
    }

    /// A URI's path relative to the vault root.
    pub fn rel(&self, uri: &str) -> String {
        let path = path_of(uri);
        path.strip_prefix(&self.root)
            .unwrap()
            .to_str()
            .unwrap()
            .to_string()
    }

    /// `textDocument` and `position` of the fixture's `$0`.
    pub fn at_cursor(&self, fixture: &Fixture) -> Value {
        let c = fixture.cursor();
        let pos = self.pos(fixture.text(&c.path), c.offset as usize);
        json!({ "textDocument": { "uri": self.file_uri(&c.path) }, "position": pos })
    }

    /// The locations (or location links) of a response as fixture marks,
    /// their ranges turned back into byte spans of the fixture's texts: draw
    /// them with `Fixture::annotate`.
    pub fn marks(&self, fixture: &Fixture, v: &Value) -> Vec<(String, Span)> {
        let span = |path: &str, range: &Value| {
            let text = fixture.text(path);
            let at = |p: &Value| {
                let (line, ch) = (
                    p["line"].as_u64().unwrap(),
                    p["character"].as_u64().unwrap(),
                );
                offset(text, line, ch, self.utf8).unwrap_or_else(|e| panic!("{path}: {e}"))
            };
            Span::new(at(&range["start"])..at(&range["end"]))
        };
        self.locations(v)
            .into_iter()
            .map(|(path, range)| {
                let span = span(&path, range);
                (path, span)
            })
            .collect()
    }

    /// Asserts that a response's locations are exactly the fixture's marks.
    pub fn assert_marks(&self, fixture: &Fixture, v: &Value) {
        let marks = self.marks(fixture, v);
        let drawn = fixture.annotate(marks.iter().map(|(p, s)| (p.as_str(), *s, "")));
        assert_eq!(drawn, fixture.written(), "utf8={}", self.utf8);
    }

    /// Asserts that `diagnostics` of the note `path` are exactly the
    /// fixture's marks in that note, each labelled with its code.
    pub fn assert_diagnostics(&self, fixture: &Fixture, path: &str, diagnostics: &[Value]) {
        let text = fixture.text(path);
        let at = |p: &Value| {
            let (line, ch) = (
                p["line"].as_u64().unwrap(),
                p["character"].as_u64().unwrap(),
            );
            offset(text, line, ch, self.utf8).unwrap_or_else(|e| panic!("{path}: {e}"))
        };
        let actual: Vec<(Span, &str)> = diagnostics
            .iter()
            .map(|d| {
                let r = &d["range"];
                let code = d["code"].as_str().unwrap_or("?");
                (Span::new(at(&r["start"])..at(&r["end"])), code)
            })
            .collect();
        let expected = fixture.marks().into_iter().filter(|m| m.0 == path);
        assert_eq!(
            fixture.annotate(actual.iter().map(|(s, c)| (path, *s, *c))),
            fixture.annotate(expected),
            "utf8={}",
            self.utf8
        );
    }

    pub fn shutdown(&mut self) {
        self.request("shutdown", Value::Null)
            .expect("shutdown succeeds");
    }

    /// Sends `exit` and returns the process exit code.
    pub fn exit(mut self) -> Option<i32> {
        self.notify("exit", Value::Null);
        self.exit_code("carnet did not exit")
    }

    /// Waits for the process to end (killing it and panicking with `why`
    /// after [`TIMEOUT`]) and returns its exit code.
    fn exit_code(&mut self, why: &str) -> Option<i32> {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("{why}");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Closes the server's input, as an editor that goes away does, and
    /// returns its exit code.
    pub fn close_input(mut self) -> Option<i32> {
        self.stdin = None;
        self.exit_code("carnet did not exit when its input closed")
    }

    /// Sends SIGKILL and waits for the process to go.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn is_running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }
}

impl Drop for Lsp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn merge(base: &mut Value, extra: Value) {
    match (base, extra) {
        (Value::Object(b), Value::Object(e)) => {
            for (k, v) in e {
                merge(b.entry(k).or_insert(Value::Null), v);
            }
        }
        (b, e) => *b = e,
    }
}

/// Copies a folder (a corpus vault) into a fresh temporary one.
pub fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Byte offset of an LSP position in `text`; `Err` when it is not inside.
pub fn offset(text: &str, line: u64, character: u64, utf8: bool) -> Result<usize, String> {
    let mut start = 0usize;
    let bytes = text.as_bytes();
    for _ in 0..line {
        let rest = &bytes[start..];
        let i = rest
            .iter()
            .position(|&b| b == b'\n' || b == b'\r')
            .ok_or_else(|| format!("line {line} is past the end"))?;
        start += i + 1;
        if rest[i] == b'\r' && rest.get(i + 1) == Some(&b'\n') {
            start += 1;
        }
    }
    let end = bytes[start..]
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .map_or(bytes.len(), |i| start + i);
    let line_text = &text[start..end];
    if utf8 {
        let c = character as usize;
        if c > line_text.len() || !line_text.is_char_boundary(c) {
            return Err(format!(
                "utf-8 column {c} is not a boundary of {line_text:?}"
            ));
        }
        return Ok(start + c);
    }
    let mut units = 0u64;
    for (i, ch) in line_text.char_indices() {
        if units == character {
            return Ok(start + i);
        }
        units += ch.len_utf16() as u64;
        if units > character {
            return Err(format!("utf-16 column {character} splits a character"));
        }
    }
    if units == character {
        Ok(end)
    } else {
        Err(format!(
            "utf-16 column {character} is past the end of {line_text:?}"
        ))
    }
}
