//! The stdio transport: framing checked before tower-lsp sees a message.
//!
//! tower-lsp stops reading for good after one undecodable message (its
//! framed reader ends on the first error), so a single bad byte from a
//! client would end the session. This layer reads frames itself: a valid
//! JSON-RPC message is passed on; anything else (a garbage header, a wrong
//! Content-Length, invalid JSON, a message of the wrong shape, an oversized
//! body) gets the JSON-RPC error response the spec asks for, and reading
//! goes on with the next frame.
//!
//! On the way out, it splices answers whose JSON a handler wrote itself
//! ([`Splices`]) into the response frames tower-lsp writes for them.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc::{Request, Response};
use tower_lsp_server::ls_types::{Location, Range, Uri};

/// Larger bodies are refused (and skipped): 256 MiB is far beyond any note.
const MAX_BODY: usize = 256 << 20;
/// A longer header line is garbage; it is read in pieces of this size so a
/// client sending bytes without a line break cannot fill our memory.
const MAX_HEADER_LINE: u64 = 8 << 10;

pub enum Frame {
    Body(Vec<u8>),
    /// A framing error; the reader has skipped what it could not use.
    Bad(String),
}

/// Reads the next frame; `None` at end of input.
pub async fn read_frame<R: AsyncRead + Unpin>(r: &mut BufReader<R>) -> Option<Frame> {
    let mut length: Option<usize> = None;
    let mut garbage = false;
    loop {
        let mut line = Vec::new();
        let n = (&mut *r)
            .take(MAX_HEADER_LINE)
            .read_until(b'\n', &mut line)
            .await
            .ok()?;
        if n == 0 {
            return None;
        }
        if n as u64 == MAX_HEADER_LINE && line.last() != Some(&b'\n') {
            garbage = true; // The rest of the line is dropped on the next turns.
            continue;
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            match length {
                Some(n) if n > MAX_BODY => {
                    let skipped =
                        tokio::io::copy(&mut (&mut *r).take(n as u64), &mut tokio::io::sink())
                            .await;
                    return Some(Frame::Bad(format!(
                        "message of {n} bytes is too large (skipped {} bytes)",
                        skipped.unwrap_or(0)
                    )));
                }
                Some(n) => {
                    // Grown as bytes arrive: a wrong length costs no memory up front.
                    let mut body = Vec::with_capacity(n.min(1 << 20));
                    (&mut *r).take(n as u64).read_to_end(&mut body).await.ok()?;
                    // Shorter: the input ended inside the body.
                    return (body.len() == n).then_some(Frame::Body(body));
                }
                None if garbage => return Some(Frame::Bad("invalid message header".into())),
                None => continue, // Blank lines between messages are harmless.
            }
        }
        match text.split_once(':') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("content-length") => {
                match value.trim().parse() {
                    Ok(n) => length = Some(n),
                    Err(_) => garbage = true,
                }
            }
            Some((name, _)) if !name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic()) => {}
            _ => {
                // Not a header: leftovers of a message whose length was wrong.
                // Report once, then look for the next header.
                if length.is_none() && !garbage {
                    garbage = true;
                }
            }
        }
    }
}

/// Answers written as JSON by their handlers, waiting to be spliced into
/// their response frames.
///
/// tower-lsp turns every result into a `serde_json::Value` (a map per
/// object) before writing it; for the backlinks of a hub, 9,000 locations,
/// that was most of the server's time. So a handler may write its result's
/// JSON itself, on its blocking thread, and hand it over here: the request
/// then returns a stand-in (a result naming a token), which tower-lsp
/// frames as usual — same id, same order, cancellation and errors as any
/// other answer — and [`pump_output`] replaces the stand-in's result with
/// the JSON before the frame leaves. A stand-in is made in the same poll in
/// which the handler returns it (no `.await` between), so every JSON kept
/// here reaches the pump and is taken once.
pub struct Splices {
    /// `carnet-splice:<random>-`: a client cannot make the server echo a
    /// token it cannot guess.
    prefix: String,
    next: AtomicU64,
    waiting: Mutex<HashMap<u64, Vec<u8>>>,
}

impl Default for Splices {
    fn default() -> Self {
        use std::hash::{BuildHasher, Hasher};
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u32(std::process::id());
        Splices {
            prefix: format!("carnet-splice:{:016x}-", h.finish()),
            next: AtomicU64::new(0),
            waiting: Mutex::new(HashMap::new()),
        }
    }
}

impl Splices {
    /// Keeps `json`, the whole result of a request, and returns the token
    /// its stand-in names.
    fn keep(&self, json: Vec<u8>) -> String {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        self.lock().insert(n, json);
        format!("{}{n}", self.prefix)
    }

    /// The stand-in of a `Location[]` result whose JSON is `json`.
    pub fn locations(&self, json: Vec<u8>) -> Vec<Location> {
        let token = self.keep(json);
        let uri = token.parse::<Uri>().expect("a token is a URI");
        vec![Location::new(uri, Range::default())]
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Vec<u8>>> {
        self.waiting.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How many answers wait to be spliced (for tests).
    #[cfg(test)]
    fn waiting(&self) -> usize {
        self.lock().len()
    }

    /// The frame to send for `body`, a message tower-lsp wrote: a response
    /// whose result is a stand-in gets its kept JSON instead; anything else
    /// goes out as it is.
    fn frame(&self, body: &[u8]) -> Vec<u8> {
        // Only a stand-in names this process's prefix: other frames are
        // searched (a fast scan) but never parsed.
        if memchr::memmem::find(body, self.prefix.as_bytes()).is_none() {
            return frame(body);
        }
        let Ok(msg) = serde_json::from_slice::<serde_json::Value>(body) else {
            return frame(body);
        };
        // A response whose result is exactly a stand-in: one location, the token its URI.
        let token = match (msg.get("id"), msg.get("result").and_then(|r| r.as_array())) {
            (Some(id), Some(result)) if result.len() == 1 => result[0]
                .get("uri")
                .and_then(|u| u.as_str())
                .and_then(|u| u.strip_prefix(&self.prefix))
                .map(|n| (id, n)),
            _ => None,
        };
        let Some((id, n)) = token else {
            return frame(body);
        };
        let kept = n.parse().ok().and_then(|n| self.lock().remove(&n));
        let Some(json) = kept else {
            // Only a bug could name a token that is not kept: say so rather
            // than send the stand-in as if it were the answer.
            return error_response(id.clone(), -32603, "internal error: the answer was lost");
        };
        let id = id.to_string();
        let mut out = Vec::with_capacity(json.len() + id.len() + 64);
        let head = br#"{"jsonrpc":"2.0","id":"#;
        let len = head.len() + id.len() + br#","result":"#.len() + json.len() + 1;
        out.extend_from_slice(format!("Content-Length: {len}\r\n\r\n").as_bytes());
        out.extend_from_slice(head);
        out.extend_from_slice(id.as_bytes());
        out.extend_from_slice(br#","result":"#);
        out.extend_from_slice(&json);
        out.push(b'}');
        out
    }
}

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

fn error_response(id: serde_json::Value, code: i64, message: &str) -> Vec<u8> {
    let body = serde_json::json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": { "code": code, "message": message },
    });
    frame(body.to_string().as_bytes())
}

/// Checks one body: `Ok` to pass it on, `Err(response)` to answer instead.
pub fn check(body: &[u8]) -> Result<(), Vec<u8>> {
    if serde_json::from_slice::<Request>(body).is_ok()
        || serde_json::from_slice::<Response>(body).is_ok()
    {
        return Ok(());
    }
    match serde_json::from_slice::<serde_json::Value>(body) {
        Err(_) => Err(error_response(
            serde_json::Value::Null,
            -32700,
            "Parse error",
        )),
        Ok(v) => {
            let id = v.get("id").cloned().unwrap_or(serde_json::Value::Null);
            // A notification of the wrong shape gets no answer, a request does.
            if v.get("method").is_some() && v.get("id").is_none() {
                return Err(Vec::new());
            }
            Err(error_response(id, -32600, "Invalid Request"))
        }
    }
}

/// Copies client input into `server_in`, answering bad frames on `errors`.
pub async fn pump_input<R, W>(
    input: R,
    mut server_in: W,
    errors: mpsc::UnboundedSender<Vec<u8>>,
    log: &super::log::Logger,
) where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut r = BufReader::with_capacity(1 << 16, input);
    while let Some(f) = read_frame(&mut r).await {
        match f {
            Frame::Body(body) => match check(&body) {
                Ok(()) => {
                    if server_in.write_all(&frame(&body)).await.is_err() {
                        break;
                    }
                }
                Err(reply) => {
                    log.warn(format!(
                        "bad message from the client ({} bytes)",
                        body.len()
                    ));
                    if !reply.is_empty() {
                        let _ = errors.send(reply);
                    }
                }
            },
            Frame::Bad(why) => {
                log.warn(format!("bad message from the client: {why}"));
                let _ = errors.send(error_response(serde_json::Value::Null, -32700, &why));
            }
        }
    }
    let _ = server_in.shutdown().await;
}

/// Copies server output (with [`Splices`] spliced in) and our error
/// responses to the client, one whole frame at a time so the two never
/// interleave.
pub async fn pump_output<R, W>(
    server_out: R,
    mut output: W,
    mut errors: mpsc::UnboundedReceiver<Vec<u8>>,
    splices: std::sync::Arc<Splices>,
) where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut r = BufReader::with_capacity(1 << 16, server_out);
    let mut errors_open = true;
    loop {
        tokio::select! {
            f = read_frame(&mut r) => match f {
                Some(Frame::Body(body)) => {
                    if output.write_all(&splices.frame(&body)).await.is_err() || output.flush().await.is_err() {
                        return;
                    }
                }
                Some(Frame::Bad(_)) => {}
                None => break,
            },
            e = errors.recv(), if errors_open => match e {
                Some(reply) => {
                    if output.write_all(&reply).await.is_err() || output.flush().await.is_err() {
                        return;
                    }
                }
                None => errors_open = false,
            },
        }
    }
    let _ = output.flush().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn frames(input: &[u8]) -> Vec<String> {
        let mut r = BufReader::new(input);
        let mut out = Vec::new();
        while let Some(f) = read_frame(&mut r).await {
            out.push(match f {
                Frame::Body(b) => String::from_utf8(b).unwrap(),
                Frame::Bad(why) => format!("BAD {why}"),
            });
        }
        out
    }

    #[tokio::test]
    async fn reads_good_frames_and_recovers_from_bad_ones() {
        let input = b"Content-Length: 2\r\n\r\n{}\
                      Content-Length: 3\r\n\r\n{}\
                      garbage here\r\n\r\n\
                      Content-Length: 2\r\nContent-Type: x\r\n\r\n[]\
                      Content-Length: nope\r\n\r\n\
                      Content-Length: 5\r\n\r\n{";
        let got = frames(input).await;
        assert_eq!(got[0], "{}");
        assert_eq!(got[1], "{}g");
        assert!(got[2].starts_with("BAD"), "{got:?}");
        assert_eq!(got[3], "[]");
        assert!(got[4].starts_with("BAD"), "{got:?}");
        assert_eq!(
            got.len(),
            5,
            "a truncated body at the end is dropped: {got:?}"
        );
    }

    #[tokio::test]
    async fn oversized_bodies_are_skipped() {
        let input = format!("Content-Length: {}\r\n\r\n", MAX_BODY + 1).into_bytes();
        let got = frames(&input).await;
        assert!(got[0].contains("too large"), "{got:?}");
    }

    #[tokio::test]
    async fn an_endless_header_line_is_dropped_in_pieces() {
        let mut input = vec![b'x'; 3 * MAX_HEADER_LINE as usize + 5];
        input.extend_from_slice(b"\r\n\r\nContent-Length: 2\r\n\r\n{}");
        let got = frames(&input).await;
        assert!(got[0].starts_with("BAD"), "{got:?}");
        assert_eq!(got[1..], ["{}"], "{got:?}");
    }

    /// What tower-lsp writes for a response with `result`.
    fn response_body(id: tower_lsp_server::jsonrpc::Id, result: impl serde::Serialize) -> Vec<u8> {
        let result = serde_json::to_value(result).unwrap();
        serde_json::to_vec(&Response::from_ok(id, result)).unwrap()
    }

    fn body_of(frame: &[u8]) -> serde_json::Value {
        let text = std::str::from_utf8(frame).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert_eq!(head, format!("Content-Length: {}", body.len()));
        serde_json::from_str(body).unwrap()
    }

    #[test]
    fn stand_ins_get_their_answers_once_with_their_ids() {
        use tower_lsp_server::jsonrpc::Id;
        let splices = Splices::default();
        let json = br#"[{"uri":"file:///a%20b.md","range":{"start":{"line":1,"character":2},"end":{"line":1,"character":9}}}]"#;
        let first = response_body(Id::Number(7), splices.locations(json.to_vec()));
        // Ids as long as a client likes.
        let long = format!("x\"{}", "y".repeat(5000));
        let second = response_body(Id::String(long.clone()), splices.locations(b"[]".to_vec()));
        assert_eq!(splices.waiting(), 2);
        // In any order: each stand-in has its own answer.
        let out = body_of(&splices.frame(&second));
        assert_eq!(
            out,
            serde_json::json!({ "jsonrpc": "2.0", "id": long, "result": [] })
        );
        let out = body_of(&splices.frame(&first));
        assert_eq!(out["id"], 7);
        assert_eq!(
            out["result"],
            serde_json::from_slice::<serde_json::Value>(json).unwrap()
        );
        assert_eq!(splices.waiting(), 0, "each answer is taken once");
        // A stand-in seen again (a bug) is an error, not a wrong answer.
        let again = body_of(&splices.frame(&first));
        assert_eq!(again["id"], 7);
        assert_eq!(again["error"]["code"], -32603);
    }

    #[test]
    fn other_frames_go_out_as_they_are() {
        use tower_lsp_server::jsonrpc::Id;
        let splices = Splices::default();
        let other = Splices::default();
        let kept = splices.locations(b"[]".to_vec());
        let token = kept[0].uri.as_str().to_string();
        // Another server's token (another random prefix), a notification
        // that quotes ours, an answer that does but is no stand-in, and
        // text that is not JSON: untouched.
        let unchanged = [
            response_body(Id::Number(1), other.locations(b"[]".to_vec())),
            serde_json::to_vec(&serde_json::json!({ "jsonrpc": "2.0", "method": "window/logMessage", "params": { "message": token } })).unwrap(),
            response_body(Id::Number(2), vec![token.clone(); 100]),
            format!("{{not json {token}").into_bytes(),
        ];
        for body in unchanged {
            assert_eq!(splices.frame(&body), frame(&body));
        }
        assert_eq!(splices.waiting(), 1, "still waiting for its own stand-in");
        assert!(!token.starts_with(&other.prefix));
    }

    #[test]
    fn checks_message_shapes() {
        assert!(check(br#"{"jsonrpc":"2.0","id":1,"method":"x"}"#).is_ok());
        assert!(check(br#"{"jsonrpc":"2.0","method":"x","params":{}}"#).is_ok());
        assert!(check(br#"{"jsonrpc":"2.0","id":1,"result":null}"#).is_ok());
        let reply = String::from_utf8(check(b"{oops").unwrap_err()).unwrap();
        assert!(reply.contains("-32700"), "{reply}");
        let reply =
            String::from_utf8(check(br#"{"jsonrpc":"2.0","id":7,"method":5}"#).unwrap_err())
                .unwrap();
        assert!(
            reply.contains("-32600") && reply.contains("\"id\":7"),
            "{reply}"
        );
    }
}
