//! {{project-name}}: an XMPP bot behind Prosody's mod_rest.
//!
//! The bot is built here, served by `main.rs` and tested by `tests/bot.rs`.

use xmpp_rest_bot::prelude::*;

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
}

/// Runs a command. Mistakes never reach it: the sender is told what is wrong
/// (`echo: missing argument <text>`, `unknown command "pnig": did you mean "!ping"?`).
#[on_message(type = ["chat", "groupchat", "normal"])]
pub async fn command(Command(cmd): Command<Cmd>) -> String {
    match cmd {
        Cmd::Ping => "pong".to_owned(),
        Cmd::Echo { text } => text,
    }
}

/// Any other chat message (one that does not start like a command): echoed.
/// Not in rooms: a bot that repeats every line of a room is no fun.
#[on_message(type = ["chat", "normal"], body_regex = r"^\s*[^\s!/]")]
pub async fn echo(MessageText(text): MessageText) -> String {
    text
}

/// The bot: handlers are tried in this order, the first that takes a stanza
/// answers it. Disco, ping and software version (this package's name and
/// version, read by the attributes above) are answered by the bot itself.
pub fn bot() -> Bot {
    Bot::new().handler(command).handler(echo)
}
