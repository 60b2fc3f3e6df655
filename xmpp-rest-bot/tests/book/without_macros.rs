//! The book's handlers chapter, "Without the attributes".

// ANCHOR: without_macros
use xmpp_rest_bot::prelude::*;

/// A plain `async fn`: no attribute, no filter of its own.
async fn shout(MessageText(text): MessageText) -> String {
    text.to_uppercase()
}

fn manual_bot() -> Bot {
    let admin = Filter::sender("admin@example.org".parse().expect("a valid JID"));
    Bot::new()
        // Only groupchat messages from the admin.
        .route(Filter::stanza_type("groupchat").and(admin), shout)
        // The same handler behind another filter, through `HandlerExt`.
        .handler(shout.with_filter(Filter::new(|stanza| {
            matches!(stanza, Stanza::Message(m) if m.body().is_some_and(|b| b.ends_with('!')))
        })))
}
// ANCHOR_END: without_macros

#[tokio::test]
async fn manual_routes() {
    use xmpp_rest_bot::testing::TestProsody;

    let t = TestProsody::start(manual_bot().into_router()).await;
    t.occupant("ops@rooms.example.org", "admin")
        .says("hello")
        .await
        .assert_no_reply(); // from the room occupant, not from admin@example.org
    t.user("admin@example.org")
        .sends(
            Message::new(MessageType::Groupchat)
                .with_body("status")
                .with_to("bot@bot.example.net".parse().unwrap()),
        )
        .await
        .assert_body("STATUS");
    t.user("alice@example.org")
        .says("hey!")
        .await
        .assert_body("HEY!");
    t.user("alice@example.org")
        .says("hey")
        .await
        .assert_no_reply();
}
