//! Test kit: in-process emulators of the peers a bot talks to.
//!
//! - [`TestProsody`]: Prosody's mod_rest on the webhook side, the current
//!   module or the early-2020 one. It starts your bot's router on
//!   `127.0.0.1`, sends the startup probe, posts stanzas exactly as mod_rest
//!   does and tells what the XMPP user receives ([`mod_rest_reply`] applies
//!   every rule, including the replies mod_rest's JSON drops or breaks: a
//!   bot whose reply would be lost fails its test, with the reason). The
//!   book's chapter "mod_rest on the wire" tells the protocol.
//! - [`MockRest`]: Prosody's `/rest` endpoint (mod_rest's sending side),
//!   a real HTTP server on `127.0.0.1` that records what a
//!   [`RestClient`](crate::client::RestClient) sends and answers iqs with
//!   scripted replies.
//!
//! Everything here needs a Tokio runtime (`#[tokio::test]`) and no network
//! beyond `127.0.0.1`.

mod addressing;
mod json_quirks;
mod prosody;
mod reply_rules;
mod rest;

pub use prosody::{
    ModRestVersion, ProbeOutcome, Received, TestProsody, TestProsodyBuilder, TestUser,
};
pub use reply_rules::{Delivery, condition_for_status, mod_rest_reply};
pub use rest::{IntoIqReplies, MockRest, MockRestBuilder, RecordedRequest};

/// The media type of a `Content-Type` value, as both sides of mod_rest compare
/// it: without parameters, in lower case.
fn media_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}
