//! The echo bot in mod_rest's JSON format: the startup probe asks mod_rest to
//! post JSON, and the replies are JSON (posts in XML are still answered, in XML).
//!
//! Run it (the address defaults to 127.0.0.1:8080):
//!
//! ```sh
//! cargo run --example echo_json -- 127.0.0.1:8080
//! ```
//!
//! Point a Prosody component at it:
//!
//! ```lua
//! Component "bot.localhost" "rest"
//!     rest_callback_url = "http://127.0.0.1:8080/"
//! ```
//!
//! or try it without Prosody:
//!
//! ```sh
//! curl -i -X OPTIONS http://127.0.0.1:8080/
//! curl -i http://127.0.0.1:8080/ -H 'Content-Type: application/json' \
//!   -d '{"kind":"message","type":"chat","id":"m1","from":"alice@localhost/phone","to":"bot@bot.localhost","body":"hi"}'
//! ```

// ANCHOR: uses
use tracing_subscriber::EnvFilter;
use xmpp_rest_bot::prelude::*;
// ANCHOR_END: uses

/// The reply is a message of the incoming type (chat, groupchat, ...) with this
/// body. Messages without a body (chat states alone) do not match `MessageText`.
#[on_message(type = ["chat", "groupchat", "normal"])]
async fn echo(MessageText(text): MessageText) -> String {
    text
}

// ANCHOR: bot
/// The bot, apart from serving it: `tests/examples.rs` drives it through
/// `testing::TestProsody`.
pub(crate) fn bot() -> Bot {
    // The startup probe's answer says `Accept: application/json`: mod_rest
    // then posts every stanza in JSON.
    Bot::new().handler(echo).format(WireFormat::Json)
}
// ANCHOR_END: bot

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
