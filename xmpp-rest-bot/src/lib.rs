//! # xmpp-rest-bot
//!
//! Write XMPP bots and chatops services on top of Prosody's
//! [mod_rest](https://modules.prosody.im/mod_rest.html).
//!
//! mod_rest turns XMPP into HTTP: it POSTs every stanza addressed to a component
//! to a webhook, and the HTTP answer becomes the reply. This crate gives you the
//! typed stanzas ([`stanza`]), both wire formats ([`wire`]), and the webhook
//! server ([`Bot`]) that dispatches stanzas to your handlers.
//!
//! ## Quick start
//!
//! ```no_run
//! use xmpp_rest_bot::prelude::*;
//!
//! /// Answers every chat message with its own text.
//! #[on_message(chat)]
//! async fn echo(MessageText(text): MessageText) -> String {
//!     text
//! }
//!
//! #[tokio::main]
//! async fn main() -> std::io::Result<()> {
//!     Bot::new().handler(echo).serve("127.0.0.1:8080").await
//! }
//! ```
//!
//! and in Prosody:
//!
//! ```lua
//! Component "bot.example.net" "rest"
//!     rest_callback_url = "http://127.0.0.1:8080/"
//! ```
//!
//! Handlers are plain `async fn`s: their arguments are extractors
//! ([`extract`]), their return value a reply ([`reply`]); see [`handler`] and
//! [`Bot`] for how stanzas find their handler.
//!
#![doc = include_str!("docs/handlers.md")]
//!
//! ## Feature flags
//!
//! | feature  | default | enables |
//! |----------|---------|---------|
//! | `macros` | yes     | the `#[on_message]`, `#[on_iq]`, `#[on_presence]` attributes and `#[derive(BotCommands)]` |
//! | `client` | yes     | [`client::RestClient`]: send stanzas and query entities through Prosody's `/rest` (reqwest) |
//! | `rustls` | yes     | TLS for the client through rustls |
//! | `native-tls` | no  | TLS for the client through the platform's library (OpenSSL, Secure Transport, SChannel) |
//! | `testing` | no     | `testing::TestProsody` and `testing::MockRest`: in-process emulators of mod_rest (webhook side and `/rest`) for tests |
//! | `cli`    | no      | the `xmpp-rest` command-line tool (`cargo install xmpp-rest-bot --features cli`) |
//! | `toml`   | no      | `guard::Access::from_toml`: access groups from a TOML file |
//! | `sqlite` | no      | `storage::SqliteStorage`: conversations in one SQLite file (SQLite compiled in) |
//! | `redis`  | no      | `storage::RedisStorage`: conversations in Redis, shared by replicas |
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod bot;
#[cfg(feature = "client")]
pub mod client;
pub mod command;
pub mod dialogue;
mod encoding;
mod error;
pub mod extract;
pub mod guard;
pub mod handler;
pub mod intercept;
pub mod reply;
pub mod stanza;
pub mod storage;
#[cfg(feature = "testing")]
pub mod testing;
pub mod wire;

pub use bot::Bot;
pub use error::{Error, Result};

/// The names a bot needs, for a glob import: `use xmpp_rest_bot::prelude::*;`.
pub mod prelude {
    pub use crate::Bot;
    #[cfg(feature = "macros")]
    pub use crate::command::BotCommands;
    pub use crate::command::Command;
    pub use crate::extract::{
        Captures, FromRef, FromStanza, Headers, Incoming, IqPayload, MessageText, Recipient,
        Rejection, Sender, State,
    };
    pub use crate::handler::{Filter, Handler, HandlerExt, IntoRoute, Route};
    pub use crate::reply::{Ack, IntoReply, IqResult, Reply};
    pub use crate::software_version;
    pub use crate::stanza::{
        Condition, Iq, IqType, Jid, Message, MessageType, Payload, Presence, PresenceType, Stanza,
        StanzaError, StanzaKind,
    };
    pub use crate::wire::WireFormat;
    #[cfg(feature = "macros")]
    pub use xmpp_rest_bot_macros::{on_iq, on_message, on_presence};
}

#[doc(hidden)]
pub mod __private;
