//! An echo bot: answers every message that has a body with that body, in XML
//! (the lossless format, and mod_rest's default).
//!
//! Run it (the address defaults to 127.0.0.1:8080):
//!
//! ```sh
//! cargo run --example echo_bot -- 127.0.0.1:8080
//! ```
//!
//! Point a Prosody component at it:
//!
//! ```lua
//! Component "bot.localhost" "rest"
//!     rest_callback_url = "http://127.0.0.1:8080/"
//! ```
//!
//! or try it without Prosody, sending what mod_rest sends:
//!
//! ```sh
//! curl -i http://127.0.0.1:8080/ -H 'Content-Type: application/xmpp+xml' \
//!   -d "<message type='chat' id='m1' from='alice@localhost/phone' to='bot@bot.localhost'><body>hi</body></message>"
//! ```

// ANCHOR: all
use tracing_subscriber::EnvFilter;
use xmpp_rest_bot::prelude::*;

// ANCHOR: echo
/// The reply is a message of the incoming type (chat, groupchat, ...) with this
/// body. Messages without a body (chat states alone) do not match `MessageText`.
#[on_message(type = ["chat", "groupchat", "normal"])]
async fn echo(MessageText(text): MessageText) -> String {
    text
}
// ANCHOR_END: echo

/// The bot, apart from serving it: `tests/examples.rs` drives it through
/// `testing::TestProsody`.
pub(crate) fn bot() -> Bot {
    Bot::new().handler(echo)
}

// ANCHOR: main
#[tokio::main]
async fn main() -> std::io::Result<()> {
    // Logs: one line per stanza, and when the bot starts and stops
    // (RUST_LOG=debug for why a handler did or did not take a stanza).
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    tracing_subscriber::fmt().with_env_filter(filter).init();
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    bot().serve(addr).await
}
// ANCHOR_END: main
// ANCHOR_END: all
