//! {{project-name}}: an XMPP bot behind Prosody's mod_rest.
//!
//! The bot is built here, served by `main.rs` and tested by `tests/bot.rs`.

{% if storage != "none" -%}
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use xmpp_rest_bot::dialogue::Dialogue;
use xmpp_rest_bot::guard::{Access, Guardrails, RateLimit};
use xmpp_rest_bot::prelude::*;
use xmpp_rest_bot::storage::Storage;
{%- else -%}
use xmpp_rest_bot::guard::{Access, Guardrails, RateLimit};
use xmpp_rest_bot::prelude::*;
{%- endif %}

/// The chat commands, typed with `!` or `/`: `!ping`, `/echo hello`. Each
/// variant's doc comment is its line in `!help`, which the bot answers itself.
#[derive(BotCommands, Debug, PartialEq)]
pub enum Cmd {
    /// Check that the bot is alive.
    Ping,
    /// Send the text back.
    Echo {
        #[command(rest)]
        text: String,
    },
    /// Make the bot say something (admins only; it asks first).
    #[command(allow = "admins", confirm)]
    Say {
        #[command(rest)]
        text: String,
    },
{%- if storage != "none" %}
    /// Rate the bot: it asks for a rating from 1 to 5.
    Feedback,
{%- endif %}
}
{%- if storage != "none" %}

/// Where a sender's conversation is (kept in the storage `bot` is given).
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub enum Feedback {
    /// No conversation.
    #[default]
    Idle,
    /// `!feedback` was said: the next message is the rating.
    AskRating,
}
{%- endif %}

/// Runs a command. Mistakes never reach it: the sender is told what is wrong
/// (`echo: missing argument <text>`, `unknown command "pnig": did you mean "!ping"?`).
{%- if storage != "none" %}
#[on_message(type = ["chat", "groupchat", "normal"])]
pub async fn command(Command(cmd): Command<Cmd>, mut feedback: Dialogue<Feedback>) -> String {
    match cmd {
        Cmd::Ping => "pong".to_owned(),
        Cmd::Echo { text } | Cmd::Say { text } => text,
        Cmd::Feedback => match feedback.update(Feedback::AskRating).await {
            Ok(()) => "How would you rate me, from 1 to 5?".to_owned(),
            Err(e) => format!("Sorry, that failed: {e}"),
        },
    }
}

/// The answer to `!feedback`: a rating ends the conversation.
#[on_message(type = ["chat", "groupchat", "normal"], state = Feedback::AskRating)]
pub async fn rating(mut feedback: Dialogue<Feedback>, MessageText(text): MessageText) -> String {
    match text.trim().parse::<u8>() {
        Ok(stars @ 1..=5) => match feedback.exit().await {
            Ok(()) => format!("Thanks for the {stars}!"),
            Err(e) => format!("Sorry, that failed: {e}"),
        },
        _ => "A number from 1 to 5, please.".to_owned(),
    }
}
{%- else %}
#[on_message(type = ["chat", "groupchat", "normal"])]
pub async fn command(Command(cmd): Command<Cmd>) -> String {
    match cmd {
        Cmd::Ping => "pong".to_owned(),
        Cmd::Echo { text } | Cmd::Say { text } => text,
    }
}
{%- endif %}

/// Any other chat message (one that does not start like a command): echoed.
/// Not in rooms: a bot that repeats every line of a room is no fun.
#[on_message(type = ["chat", "normal"], body_regex = r"^\s*[^\s!/]")]
pub async fn echo(MessageText(text): MessageText) -> String {
    text
}

/// The guardrails: who is in which group (`admins` may `!say`), and at most
/// 30 commands a minute per sender. Each command leaves an audit line in the
/// logs (target `xmpp_rest_bot::audit`).
fn guardrails(access: Access) -> Guardrails {
    Guardrails::new()
        .access(access)
        .rate_limit(RateLimit::per_minute(30))
}

/// The bot: handlers are tried in this order, the first that takes a stanza
/// answers it. Disco, ping and software version (this package's name and
/// version, read by the attributes above) are answered by the bot itself.
{%- if storage != "none" %}
/// Conversations, and commands awaiting a `!yes`, are kept in `storage`
/// (see `main.rs`).
pub fn bot(access: Access, storage: impl Storage) -> Bot {
    let storage = Arc::new(storage);
    Bot::new()
        .guardrails(guardrails(access).confirmations(Arc::clone(&storage)))
        .dialogues(storage)
        .handler(command)
        .handler(rating)
        .handler(echo)
}
{%- else %}
pub fn bot(access: Access) -> Bot {
    Bot::new()
        .guardrails(guardrails(access))
        .handler(command)
        .handler(echo)
}
{%- endif %}
