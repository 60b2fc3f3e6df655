//! # xmpp-rest-bot
//!
//! Write XMPP bots and chatops services on top of Prosody's
//! [mod_rest](https://modules.prosody.im/mod_rest.html).
//!
//! mod_rest turns XMPP into HTTP: it POSTs every stanza addressed to a component
//! to a webhook, and the HTTP answer becomes the reply. This crate gives you the
//! typed stanzas ([`stanza`]) and both wire formats ([`wire`]).
//!
//! ## Feature flags
//!
//! | feature  | default | enables |
//! |----------|---------|---------|
//! | `macros` | yes     | the `#[on_message]`, `#[on_iq]`, `#[on_presence]` attributes and `#[derive(BotCommands)]` |
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod error;
pub mod stanza;
pub mod wire;

pub use error::{Error, Result};
