//! What each command does through the client, and what it prints.

use std::io::Read;

use xmpp_rest_bot::client::RestClient;
use xmpp_rest_bot::stanza::{Jid, Message, MessageType};

use crate::cli::{Command, Send};

/// The largest text read from stdin (mod_rest takes at most 192 KiB by default).
const MAX_STDIN: u64 = 1024 * 1024;

/// The text of `send`: its words, or stdin for a single `-`. Read before the
/// runtime starts, so that a bad text is a usage error and nothing is sent.
pub(crate) fn message_text(send: &Send) -> Result<String, String> {
    match send.words.as_slice() {
        [dash] if dash == "-" => read_stdin(),
        words => Ok(words.join(" ")),
    }
}

fn read_stdin() -> Result<String, String> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .take(MAX_STDIN + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read stdin: {e}"))?;
    if bytes.len() as u64 > MAX_STDIN {
        return Err(format!(
            "the text on stdin is over {MAX_STDIN} bytes: send a shorter text, such as its last lines (tail -n 50)"
        ));
    }
    let mut text = String::from_utf8(bytes).map_err(|_| {
        "the text on stdin is not utf-8: convert it first (iconv -t utf-8)".to_owned()
    })?;
    if text.ends_with('\n') {
        text.pop();
        if text.ends_with('\r') {
            text.pop();
        }
    }
    Ok(text)
}

/// Runs `command` and returns what to print (nothing for `send`).
pub(crate) async fn execute(
    client: &RestClient,
    command: Command,
    text: Option<String>,
) -> xmpp_rest_bot::client::Result<String> {
    match command {
        Command::Send(send) => {
            let type_ = MessageType::from(send.kind);
            let to = match type_ {
                MessageType::Groupchat => Jid::from(send.to.to_bare()),
                _ => send.to,
            };
            let message = Message::new(type_)
                .with_to(to)
                .with_body(text.unwrap_or_default());
            client.send(message).await?;
            Ok(String::new())
        }
        Command::Ping(target) => {
            let rtt = client.ping(&target.jid).await?;
            Ok(format!(
                "pong from {} in {} ms",
                target.jid,
                rtt.as_millis()
            ))
        }
        Command::Version(target) => {
            let v = client.version(&target.jid).await?;
            let mut line = v.name.unwrap_or_else(|| "(no name)".to_owned());
            if let Some(version) = v.version {
                line.push(' ');
                line.push_str(&version);
            }
            if let Some(os) = v.os {
                line.push_str(&format!(" ({os})"));
            }
            Ok(line)
        }
        Command::Disco(target) => {
            let info = client.disco_info(&target.jid).await?;
            let mut lines = Vec::new();
            for identity in &info.identities {
                let mut line = format!("identity {}/{}", identity.category, identity.type_);
                if let Some(name) = &identity.name {
                    line.push(' ');
                    line.push_str(name);
                }
                lines.push(line);
            }
            for feature in &info.features {
                lines.push(format!("feature {feature}"));
            }
            Ok(lines.join("\n"))
        }
        // Answered in `main` without a client.
        Command::Completions { .. } => Ok(String::new()),
    }
}
