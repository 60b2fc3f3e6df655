//! The book's handlers chapter, "Extractors".

// ANCHOR: extractors
use xmpp_rest_bot::prelude::*;

/// Arguments are extractors: each one takes its part of the stanza, and
/// the handler only runs for stanzas where all of them apply (here: messages,
/// with a sender and a body).
#[on_message(chat)]
async fn whoami(Sender(from): Sender, message: Message, MessageText(text): MessageText) -> String {
    let lang = message.lang.as_deref().unwrap_or("unknown");
    format!("{from} said {text:?} (language: {lang})")
}
// ANCHOR_END: extractors

#[tokio::test]
async fn extractors_read_the_stanza() {
    use xmpp_rest_bot::testing::TestProsody;

    let t = TestProsody::start(Bot::new().handler(whoami).into_router()).await;
    t.user("alice@example.org/phone")
        .says("hi")
        .await
        .assert_body("alice@example.org/phone said \"hi\" (language: en)");
    // A chat state alone has no body: `MessageText` does not apply, no reply.
    t.user("alice@example.org/phone")
        .sends(Message::new(MessageType::Chat))
        .await
        .assert_no_reply();
}
