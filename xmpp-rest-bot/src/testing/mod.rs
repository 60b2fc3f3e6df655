//! Test kit: in-process emulators of the peers a bot talks to.
//!
//! - [`MockRest`]: Prosody's `/rest` endpoint (mod_rest, `CONTRACT.md`
//!   section 2), a real HTTP server on `127.0.0.1` that records what a
//!   [`RestClient`](crate::client::RestClient) sends and answers iqs with
//!   scripted replies.
//!
//! Everything here needs a Tokio runtime (`#[tokio::test]`) and no network
//! beyond `127.0.0.1`.

mod rest;

pub use rest::{IntoIqReplies, MockRest, MockRestBuilder, RecordedRequest};
