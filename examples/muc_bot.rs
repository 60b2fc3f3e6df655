//! A room bot: joins a multi-user chat room (XEP-0045) when it starts, through
//! Prosody's `/rest`, and answers the messages that mention its nick.
//!
//! The join must come from the component itself, so that the room sends its
//! messages to the component, hence to this webhook: the client authenticates
//! as the component. mod_rest on a component takes HTTP Basic with the
//! component's domain as the user and its `component_secret` as the password
//! (the early-2020 module takes its `rest_credentials` token instead: use
//! `bearer_token`).
//!
//! ```lua
//! Component "bot.localhost" "rest"
//!     rest_callback_url = "http://127.0.0.1:8080/"
//!     component_secret = "s3cret"
//! ```
//!
//! Run it (the webhook address defaults to 127.0.0.1:8080; `XMPP_REST_URL` is
//! Prosody's HTTP address for the component's host):
//!
//! ```sh
//! XMPP_REST_URL=http://bot.localhost:5280 COMPONENT=bot.localhost COMPONENT_SECRET=s3cret \
//! MUC_ROOM=ops@conference.localhost cargo run --features client --example muc_bot -- 127.0.0.1:8080
//! ```
//!
//! then say `opsbot: ping` in the room.

// ANCHOR: uses
use tracing_subscriber::EnvFilter;
use xmpp_rest_bot::client::RestClient;
use xmpp_rest_bot::prelude::*;
// ANCHOR_END: uses

/// The bot's nick in the room. The mention regex below spells it too (filters
/// are compiled in): keep them in step.
pub(crate) const NICK: &str = "opsbot";

// ANCHOR: mention
/// `opsbot: ping`, `OpsBot, help`: a groupchat message that starts with the
/// nick. The reply, text, goes back to the room as a groupchat message.
#[on_message(groupchat, body_regex = r"(?i)^opsbot\s*[:,]?\s+(?P<text>\S.*)$")]
async fn mention(caps: Captures, Sender(from): Sender) -> Option<String> {
    // In a room, `from` is room@service/nick. The room sends every message to
    // every occupant, the bot's own included: never answer yourself (a reply
    // that mentions the nick would loop).
    let nick = from.resource()?.as_str();
    if nick == NICK {
        return None;
    }
    let text = caps.name("text").unwrap_or_default().trim();
    Some(match text.to_lowercase().as_str() {
        "ping" => format!("{nick}: pong"),
        "help" => format!("{nick}: I answer `{NICK}: ping`"),
        _ => format!("{nick}: I don't know {text:?}, try `{NICK}: help`"),
    })
}
// ANCHOR_END: mention

/// The room's answer to the join arrives through the webhook too; an error
/// (nick taken, members only, banned) is a presence of type `error`, which only
/// a handler that asks for it receives.
#[on_presence(error)]
async fn join_failed(presence: Presence) {
    let condition = presence.error.map(|e| e.condition.to_string());
    tracing::warn!(
        "room presence error from {:?}: {}",
        presence.from.map(|j| j.to_string()),
        condition.as_deref().unwrap_or("unknown")
    );
}

/// The bot, apart from serving it: `tests/examples.rs` drives it through
/// `testing::TestProsody`.
pub(crate) fn bot() -> Bot {
    Bot::new().handler(mention).handler(join_failed)
}

// ANCHOR: join
/// Joins `room` as [`NICK`]. The join asks for no history: the room would
/// replay old mentions, and the bot would answer them again.
pub(crate) async fn join(client: &RestClient, room: &str) -> xmpp_rest_bot::client::Result<()> {
    client.join_room(room, NICK).await?;
    Ok(())
}
// ANCHOR_END: join

fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("set {name} (see the example's doc comment)"))
}

// ANCHOR: main
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Logs: one line per stanza, and when the bot starts and stops
    // (RUST_LOG=debug for why a handler did or did not take a stanza).
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    tracing_subscriber::fmt().with_env_filter(filter).init();
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    let client = RestClient::builder(env("XMPP_REST_URL")?)
        .basic_auth(env("COMPONENT")?, env("COMPONENT_SECRET")?)
        .build()?;
    let room = env("MUC_ROOM")?;

    // Listen before joining: the room answers the join at once, through the
    // webhook (connections wait in the backlog until `serve` accepts them).
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    join(&client, &room).await?;
    tracing::info!("in {room} as {NICK}, webhook on http://{addr}/ (ctrl-c to stop)");
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down: leaving the room once the stanzas in flight are answered");
    };
    bot().serve_with_shutdown(listener, ctrl_c).await?;

    // Leave the room on the way out.
    let occupant: Jid = format!("{room}/{NICK}").parse()?;
    client
        .send(Presence::unavailable().with_to(occupant))
        .await?;
    Ok(())
}
// ANCHOR_END: main
