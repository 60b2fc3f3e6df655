//! The book's handlers chapter, "Registration order": the bot.

// The handlers of the previous snippets (in the book, the same file).
use super::fallback::unknown;
use super::filters::{accept, ping, shutdown, weather};

// ANCHOR: register
use xmpp_rest_bot::prelude::*;

pub(crate) fn ops_bot() -> Bot {
    Bot::new()
        .handler(ping)
        .handler(weather)
        .handler(shutdown)
        .handler(unknown) // after the commands
        .handler(accept)
}
// ANCHOR_END: register

#[tokio::test]
async fn handlers_filters_and_order() {
    use xmpp_rest_bot::stanza::Element;
    use xmpp_rest_bot::testing::TestProsody;

    let t = TestProsody::start(ops_bot().into_router()).await;
    let alice = t.user("alice@example.org/phone");
    alice.says("!ping").await.assert_body("pong");
    alice
        .says("!weather Oslo")
        .await
        .assert_body("sunny in Oslo");
    alice
        .says("!shutdown")
        .await
        .assert_body("unknown command !shutdown, try !ping");
    t.user("admin@example.org/laptop")
        .says("!shutdown")
        .await
        .assert_body("shutting down");
    // Not a command: no handler takes it, no reply.
    alice.says("hello").await.assert_no_reply();
    let subscribed = alice.subscribes().await;
    assert_eq!(
        subscribed.presence().unwrap().type_,
        PresenceType::Subscribed
    );
    // An iq no handler takes (and not one the bot answers itself, such as
    // disco, ping or version): service-unavailable.
    let unhandled_query = Element::builder("query", "urn:example:unknown").build();
    alice
        .sends(Iq::new(IqType::Get, Some(unhandled_query)))
        .await
        .assert_error(Condition::ServiceUnavailable);
}
