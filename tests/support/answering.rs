//! An LSP client whose test answers the server's requests itself (where
//! `support::lsp` answers them all with `null`): for offers the server
//! makes, `window/showMessageRequest` and `workspace/applyEdit`.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::lsp::uri;

pub struct Client {
    child: Child,
    stdin: ChildStdin,
    rx: mpsc::Receiver<Value>,
    next_id: i64,
    /// Server requests and notifications not yet looked at.
    queue: VecDeque<Value>,
    pub root: PathBuf,
    settings: Value,
}

fn frame(r: &mut impl BufRead) -> Option<Value> {
    let mut len = 0;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        match line.trim_end() {
            "" => break,
            l => {
                if let Some(n) = l.strip_prefix("Content-Length: ") {
                    len = n.parse().ok()?;
                }
            }
        }
    }
    let mut body = vec![0; len];
    r.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

impl Client {
    /// Starts carnet on `root` (utf-8 positions) with `caps` and the
    /// editor settings `settings`, and initializes it.
    pub fn start(root: &Path, caps: Value, settings: Value) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_carnet"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start carnet");
        let stdin = child.stdin.take().unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            while let Some(msg) = frame(&mut out) {
                if tx.send(msg).is_err() {
                    break;
                }
            }
        });
        let mut c = Client {
            child,
            stdin,
            rx,
            next_id: 1,
            queue: VecDeque::new(),
            root: root.to_path_buf(),
            settings,
        };
        c.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": uri(root),
                "capabilities": caps,
                "workspaceFolders": [{ "uri": uri(root), "name": "vault" }],
            }),
        );
        c.notify("initialized", json!({}));
        c
    }

    fn send(&mut self, msg: &Value) {
        let body = msg.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and waits for its result (errors panic).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let msg = self
                .next(deadline)
                .unwrap_or_else(|| panic!("no answer to {method}"));
            if msg.get("method").is_none() && msg["id"] == json!(id) {
                assert!(msg.get("error").is_none(), "{method}: {msg}");
                return msg["result"].clone();
            }
        }
    }

    /// The next message; configuration, registration and progress requests
    /// are answered here, other server requests and notifications queued.
    fn next(&mut self, deadline: Instant) -> Option<Value> {
        let msg = self
            .rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .ok()?;
        match msg["method"].as_str() {
            Some("workspace/configuration") => {
                let reply = json!({ "jsonrpc": "2.0", "id": msg["id"], "result": [self.settings] });
                self.send(&reply);
            }
            Some("client/registerCapability") | Some("window/workDoneProgress/create") => {
                self.reply(&msg["id"], Value::Null);
            }
            Some(_) => self.queue.push_back(msg.clone()),
            None => {}
        }
        Some(msg)
    }

    /// Waits (at most `timeout`) for the server request or notification
    /// `method`, and removes it from the queue.
    pub fn wait_for(&mut self, method: &str, timeout: Duration) -> Option<Value> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(i) = self.queue.iter().position(|m| m["method"] == method) {
                return self.queue.remove(i);
            }
            self.next(deadline)?;
        }
    }

    pub fn reply(&mut self, id: &Value, result: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "result": result }));
    }

    pub fn file_uri(&self, rel: &str) -> String {
        uri(&self.root.join(rel))
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
