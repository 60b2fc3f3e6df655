//! The book's testing chapter, "TestProsody".

// The bot under test, from the handlers chapter.
use super::register::ops_bot;

// ANCHOR: test_prosody
use xmpp_rest_bot::prelude::*;
use xmpp_rest_bot::stanza::Version;
use xmpp_rest_bot::testing::TestProsody;

#[tokio::test]
async fn the_ops_bot_answers_commands() {
    // Serves the bot on 127.0.0.1, sends mod_rest's startup probe.
    let t = TestProsody::start(ops_bot().into_router()).await;

    // What alice receives, after mod_rest turned the webhook's answer into a stanza.
    let alice = t.user("alice@example.org/phone");
    alice.says("!ping").await.assert_body("pong");
    alice.says("hello").await.assert_no_reply();

    // In a room: `occupant` sends groupchat messages from room@service/nick.
    let received = t
        .occupant("ops@rooms.example.org", "carol")
        .says("!weather Oslo")
        .await;
    received.assert_body("sunny in Oslo");
    assert_eq!(received.message().unwrap().type_, MessageType::Groupchat);

    // Iqs and presences; and the raw exchange, when the detail matters.
    // (The bot answers software version queries itself.)
    let received = alice.iq_get(Version::default()).await;
    received.assert_result();
    assert_eq!(received.status(), Some(200));
    assert_eq!(received.content_type(), Some("application/xmpp+xml"));
    assert!(received.posted_body().starts_with(b"<iq"));
}
// ANCHOR_END: test_prosody
