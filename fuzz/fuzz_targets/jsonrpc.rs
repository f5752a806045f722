//! The JSON-RPC reader on hostile input: truncated headers, wrong
//! Content-Length, invalid JSON, huge lengths, no line breaks at all. Every
//! frame is either passed on as a valid message or answered with a
//! well-formed error response; reading always reaches the end of the input
//! (no hang), consuming input as it goes.
#![no_main]

use std::sync::LazyLock;

use carnet::lsp::fuzzing::{Frame, check, read_frame};
use libfuzzer_sys::fuzz_target;
use tokio::io::BufReader;

static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime")
});

fuzz_target!(|data: &[u8]| {
    let Some((&cap, input)) = data.split_first() else {
        return;
    };
    RUNTIME.block_on(async {
        // A small buffer puts header lines and bodies across reads.
        let mut r = BufReader::with_capacity(1 + cap as usize % 32, input);
        let mut frames = 0;
        while let Some(frame) = read_frame(&mut r).await {
            frames += 1;
            assert!(frames <= input.len(), "a frame that consumed nothing");
            match frame {
                Frame::Body(body) => match check(&body) {
                    Ok(()) => {
                        let v: serde_json::Value =
                            serde_json::from_slice(&body).expect("valid JSON");
                        assert!(v.is_object(), "a message is an object: {v}");
                    }
                    Err(reply) if reply.is_empty() => {} // A malformed notification.
                    Err(reply) => assert_error_frame(&reply).await,
                },
                Frame::Bad(why) => assert!(!why.is_empty()),
            }
        }
    });
});

/// Our answer to a bad message is itself one well-formed error frame.
async fn assert_error_frame(reply: &[u8]) {
    let mut r = BufReader::new(reply);
    let Some(Frame::Body(body)) = read_frame(&mut r).await else {
        panic!("not a frame: {:?}", String::from_utf8_lossy(reply));
    };
    assert!(read_frame(&mut r).await.is_none(), "one frame only");
    let v: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
    let code = v["error"]["code"].as_i64().expect("an error code");
    assert!(code == -32700 || code == -32600, "{v}");
    assert_eq!(v["jsonrpc"], "2.0");
}
