//! The bot of `bench/probe.sh`'s panic probe: the echo bot, except that its
//! handler panics on the body `panic` (as a bug in a real handler would).
//!
//! ```sh
//! cargo run --release --example bench_probe_bot -- 127.0.0.1:8080
//! ```

use xmpp_rest_bot::prelude::*;

async fn echo_or_panic(MessageText(text): MessageText) -> String {
    assert!(text != "panic", "probe: the handler panics on request");
    text
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    Bot::new().handler(echo_or_panic).serve(addr).await
}
