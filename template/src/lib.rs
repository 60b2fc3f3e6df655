//! {{project-name}}: an XMPP bot behind Prosody's mod_rest.
//!
//! The bot is built here, served by `main.rs` and tested by `tests/bot.rs`.

use xmpp_rest_bot::prelude::*;
use xmpp_rest_bot::stanza::Version;

/// The chat commands, typed with `!` or `/`: `!ping`, `/echo hello`.
/// Each variant's doc comment is its help line.
#[derive(BotCommands, Debug, PartialEq)]
pub enum Cmd {
    /// Check that the bot is alive.
    Ping,
    /// Send the text back.
    Echo {
        #[command(rest)]
        text: String,
    },
    /// List the commands.
    Help,
}

/// Messages that start like a command: parsed into a `Cmd`, or answered with
/// what is wrong (`unknown command "pnig": did you mean "!ping"?`).
#[on_message(type = ["chat", "groupchat", "normal"], body_regex = "^[!/]")]
pub async fn command(Body(text): Body) -> String {
    match Cmd::parse(&text) {
        Ok(Cmd::Ping) => "pong".to_owned(),
        Ok(Cmd::Echo { text }) => text,
        Ok(Cmd::Help) => format!("Commands:\n{}", Cmd::help()),
        Err(error) => error.to_string(),
    }
}

/// Any other chat message: echoed. (Not in rooms: a bot that repeats every
/// line of a room is no fun.)
#[on_message(type = ["chat", "normal"])]
pub async fn echo(Body(text): Body) -> String {
    text
}

/// Software version (XEP-0092): what clients show about the bot.
#[on_iq(get)]
pub async fn version(_query: Version) -> Version {
    Version::new(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"))
}

/// The bot: handlers are tried in this order, the first that takes a stanza
/// answers it.
pub fn bot() -> Bot {
    Bot::new().handler(command).handler(echo).handler(version)
}
