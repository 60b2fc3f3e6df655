//! The book's handlers chapter, "Registration order": the fallback.

// ANCHOR: fallback
use xmpp_rest_bot::prelude::*;

/// Any other `!` command: registered after the commands, so it only sees
/// what they did not take.
#[on_message(body_regex = "^!")]
pub(crate) async fn unknown(MessageText(text): MessageText) -> String {
    format!("unknown command {text}, try !ping")
}
// ANCHOR_END: fallback
