//! The book's testing chapter: handlers and the bot without HTTP.

// The handlers and the bot under test, from the handlers chapter.
use super::fallback::unknown;
use super::filters::ping;
use super::register::ops_bot;

// ANCHOR: test_plain
use xmpp_rest_bot::prelude::*;

#[tokio::test]
async fn handlers_are_functions() {
    // The attribute keeps the function callable: no server, no stanza.
    assert_eq!(ping().await, "pong");
    assert_eq!(
        unknown(MessageText("!nope".into())).await,
        "unknown command !nope, try !ping"
    );
}

#[tokio::test]
async fn dispatch_without_http() {
    // The whole bot, without HTTP: which handler runs, and what it answers.
    let bot = ops_bot();
    let message = Message::chat("bot@bot.example.net".parse().unwrap(), "!ping")
        .with_from("alice@example.org/phone".parse().unwrap());
    let answer = bot.dispatch(Incoming::new(message)).await;
    assert_eq!(answer.status.as_u16(), 200);
    let Some(Stanza::Message(reply)) = answer.stanza else {
        panic!("expected a message, got {:?}", answer.stanza);
    };
    assert_eq!(reply.body(), Some("pong"));
}
// ANCHOR_END: test_plain
