//! The book's handlers chapter, "Filters".

// ANCHOR: filters
use xmpp_rest_bot::prelude::*;

/// Exactly `!ping`, in a chat.
#[on_message(type = "chat", body = "!ping")]
pub(crate) async fn ping() -> &'static str {
    "pong"
}

/// `!weather Paris`: the regex is checked when the bot compiles, and its
/// named groups reach the handler through `Captures`.
#[on_message(body_regex = r"^!weather (?P<city>\w+)$")]
pub(crate) async fn weather(caps: Captures) -> String {
    format!("sunny in {}", caps.name("city").unwrap_or("?"))
}

/// Only from this account (any of its resources).
#[on_message(from = "admin@example.org", body = "!shutdown")]
pub(crate) async fn shutdown() -> &'static str {
    "shutting down"
}

/// Subscription requests: accept them.
#[on_presence(subscribe)]
pub(crate) async fn accept(_request: Presence) -> Presence {
    Presence::new(PresenceType::Subscribed)
}
// ANCHOR_END: filters
