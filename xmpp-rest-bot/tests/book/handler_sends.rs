//! The book's client chapter, "From a handler".

// ANCHOR: handler_sends
use xmpp_rest_bot::client::RestClient;
use xmpp_rest_bot::prelude::*;
use xmpp_rest_bot::stanza::BareJid;

/// What the handler needs to send stanzas that are not its reply.
#[derive(Clone)]
struct Outbox {
    client: RestClient,
    ops: BareJid,
}

/// Accepts every subscription (the reply, through the webhook) and tells the
/// ops team (another stanza to someone else: through `/rest`).
#[on_presence(subscribe)]
async fn welcome(Sender(from): Sender, State(outbox): State<Outbox>) -> Presence {
    let note = format!("{} subscribed to the bot", from.to_bare());
    // Spawned: mod_rest is waiting for the reply, the note need not hold it up.
    tokio::spawn(async move {
        if let Err(e) = outbox.client.send_chat(&outbox.ops, note).await {
            eprintln!("cannot tell the ops team: {e}");
        }
    });
    Presence::new(PresenceType::Subscribed)
}
// ANCHOR_END: handler_sends

#[tokio::test]
async fn handlers_send_through_rest() {
    use std::time::Duration;
    use xmpp_rest_bot::testing::{MockRest, TestProsody};

    let mock = MockRest::start().await;
    let outbox = Outbox {
        client: RestClient::builder(mock.url())
            .bearer_token(MockRest::DEFAULT_TOKEN)
            .build()
            .unwrap(),
        ops: "ops@localhost".parse().unwrap(),
    };
    let bot: Bot = Bot::new().handler(welcome).with_state(outbox);
    let t = TestProsody::start(bot.into_router()).await;

    let r = t.user("alice@example.org/phone").subscribes().await;
    assert_eq!(r.presence().unwrap().type_, PresenceType::Subscribed);

    mock.wait_for_sent(1, Duration::from_secs(5)).await;
    mock.assert_sent_typed_message(
        MessageType::Chat,
        "ops@localhost",
        "alice@example.org subscribed to the bot",
    );
}
