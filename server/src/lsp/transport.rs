//! The stdio transport: framing checked before tower-lsp sees a message.
//!
//! tower-lsp stops reading for good after one undecodable message (its
//! framed reader ends on the first error), so a single bad byte from a
//! client would end the session. This layer reads frames itself: a valid
//! JSON-RPC message is passed on; anything else (a garbage header, a wrong
//! Content-Length, invalid JSON, a message of the wrong shape, an oversized
//! body) gets the JSON-RPC error response the spec asks for, and reading
//! goes on with the next frame.

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc::{Request, Response};

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

/// Copies server output and our error responses to the client, one whole
/// frame at a time so the two never interleave.
pub async fn pump_output<R, W>(
    server_out: R,
    mut output: W,
    mut errors: mpsc::UnboundedReceiver<Vec<u8>>,
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
                    if output.write_all(&frame(&body)).await.is_err() || output.flush().await.is_err() {
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
