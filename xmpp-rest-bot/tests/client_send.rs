//! Sending messages and presences through `/rest`, against the emulator.
#![cfg(all(feature = "client", feature = "testing"))]

mod client_support;

use std::time::Duration;

use client_support::{FORMATS, basic_client, builder, client};
use xmpp_rest_bot::stanza::{
    Condition, Message, MessageType, Presence, PresenceType, Show, Stanza,
};
use xmpp_rest_bot::testing::MockRest;

const WAIT: Duration = Duration::from_secs(2);

#[tokio::test]
async fn a_chat_message_is_accepted_and_routed_from_the_account() {
    for format in FORMATS {
        let mock = MockRest::start().await;
        let client = client(&mock, format);

        let reply = client
            .send_chat("alice@localhost", "deploy finished")
            .await
            .unwrap();

        assert!(reply.is_none(), "{format}: 202 has no reply");
        let message =
            mock.assert_sent_typed_message(MessageType::Chat, "alice@localhost", "deploy finished");
        assert_eq!(
            message.from.unwrap().to_string(),
            "bot@localhost",
            "{format}"
        );
        assert!(message.id.is_some(), "{format}: prosody fills in an id");
        let request = &mock.requests()[0];
        assert_eq!(request.method, "POST");
        assert_eq!(request.path, "/rest");
        assert_eq!(request.status, Some(202));
        assert_eq!(request.header("content-type"), Some(format.content_type()));
        assert_eq!(request.header("accept"), Some(format.content_type()));
        assert_eq!(request.header("authorization"), Some("Bearer test-token"));
        assert!(
            request
                .header("user-agent")
                .unwrap()
                .starts_with("xmpp-rest-bot/")
        );
        assert_eq!(
            request.header("prosody-rest-timeout"),
            None,
            "only iqs wait"
        );
    }
}

#[tokio::test]
async fn basic_auth_sends_the_account_credentials() {
    for format in FORMATS {
        let mock = MockRest::start().await;
        basic_client(&mock, format)
            .send_message("alice@localhost", "hi")
            .await
            .unwrap();
        let message = mock.assert_sent_typed_message(MessageType::Normal, "alice@localhost", "hi");
        assert_eq!(message.from.unwrap().to_string(), "bot@localhost");
        // base64("bot:secret")
        assert_eq!(
            mock.requests()[0].header("authorization"),
            Some("Basic Ym90OnNlY3JldA==")
        );
    }
}

#[tokio::test]
async fn groupchat_goes_to_the_bare_room() {
    for format in FORMATS {
        let mock = MockRest::start().await;
        client(&mock, format)
            .send_groupchat("ops@rooms.localhost/somebody", "build is red")
            .await
            .unwrap();
        mock.assert_sent_typed_message(
            MessageType::Groupchat,
            "ops@rooms.localhost",
            "build is red",
        );
    }
}

#[tokio::test]
async fn joining_a_room_asks_for_no_history() {
    for format in FORMATS {
        let mock = MockRest::start().await;
        client(&mock, format)
            .join_room("ops@rooms.localhost", "ci-bot")
            .await
            .unwrap();
        let sent = mock.wait_for_sent(1, WAIT).await;
        let Stanza::Presence(presence) = &sent[0] else {
            panic!("{format}: not a presence: {sent:?}");
        };
        assert_eq!(
            presence.to.as_ref().unwrap().to_string(),
            "ops@rooms.localhost/ci-bot"
        );
        let muc = presence.muc.as_ref().expect("a muc join");
        assert_eq!(
            muc.history.as_ref().unwrap().max_stanzas,
            Some(0),
            "{format}"
        );
    }
}

#[tokio::test]
async fn an_invalid_nick_or_jid_fails_before_sending() {
    let mock = MockRest::start().await;
    let client = client(&mock, Default::default());
    let err = client.send_chat("not a jid@@", "x").await.unwrap_err();
    assert!(err.is_invalid_input(), "{err}");
    assert!(err.codec_error().is_some_and(|e| e.is_invalid()), "{err}");
    assert!(err.to_string().contains("invalid jid"), "{err}");
    assert!(mock.requests().is_empty());
}

#[tokio::test]
async fn presence_carries_show_and_status() {
    for format in FORMATS {
        let mock = MockRest::start().await;
        client(&mock, format)
            .set_presence(Some(Show::Dnd), Some("deploying"))
            .await
            .unwrap();
        let sent = mock.wait_for_sent(1, WAIT).await;
        let Stanza::Presence(presence) = &sent[0] else {
            panic!("not a presence: {sent:?}");
        };
        assert_eq!(presence.type_, PresenceType::Available);
        assert_eq!(presence.show, Some(Show::Dnd), "{format}");
        assert_eq!(presence.status(), Some("deploying"), "{format}");
        assert!(presence.to.is_none());
    }
}

#[tokio::test]
async fn send_accepts_any_stanza_and_returns_a_reply_in_the_body() {
    for format in FORMATS {
        let mock = MockRest::start().await;
        let bounce = Message::chat("bot@localhost".parse().unwrap(), "")
            .with_from("alice@localhost".parse().unwrap());
        let mut bounce = bounce;
        bounce.type_ = MessageType::Error;
        bounce.error = Some(Condition::RecipientUnavailable.into());
        mock.push_send_reply(bounce);

        let reply = client(&mock, format)
            .send(Message::chat("alice@localhost".parse().unwrap(), "hello"))
            .await
            .unwrap()
            .expect("the reply in the body");
        assert_eq!(
            reply.stanza_error().map(|e| e.condition),
            Some(Condition::RecipientUnavailable),
            "{format}"
        );
        assert_eq!(mock.requests()[0].status, Some(200));
    }
}

#[tokio::test]
async fn an_unsubscribe_presence_is_sent_as_is() {
    let mock = MockRest::start().await;
    let presence =
        Presence::new(PresenceType::Unsubscribe).with_to("alice@localhost".parse().unwrap());
    client(&mock, Default::default())
        .send(presence)
        .await
        .unwrap();
    let sent = mock.wait_for_sent(1, WAIT).await;
    assert!(matches!(&sent[0], Stanza::Presence(p) if p.type_ == PresenceType::Unsubscribe));
}

#[tokio::test]
async fn send_text_uses_the_text_path() {
    let mock = MockRest::start().await;
    let client = client(&mock, Default::default());
    client
        .send_text("bob@localhost/phone", "hi bob")
        .await
        .unwrap();

    let request = &mock.requests()[0];
    assert_eq!(request.path, "/rest/message/chat/bob@localhost/phone");
    assert_eq!(
        request.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(request.body, b"hi bob");
    assert_eq!(request.status, Some(202));
    mock.assert_sent_typed_message(MessageType::Chat, "bob@localhost/phone", "hi bob");
    assert!(!client.is_legacy());
}

#[tokio::test]
async fn text_xml_cannot_carry_is_replaced_before_sending() {
    let mock = MockRest::start().await;
    let client = client(&mock, Default::default());
    let output = "\u{1b}[32mok\u{1b}[0m\tdone\u{0}";
    client.send_text("bob@localhost", output).await.unwrap();
    client.send_chat("bob@localhost", output).await.unwrap();
    let expected = "\u{fffd}[32mok\u{fffd}[0m\tdone\u{fffd}";
    assert_eq!(mock.requests()[0].body, expected.as_bytes());
    let sent = mock.wait_for_sent(2, WAIT).await;
    for stanza in &sent {
        let Stanza::Message(message) = stanza else {
            panic!("not a message: {stanza:?}")
        };
        assert_eq!(message.body(), Some(expected));
    }
}

#[tokio::test]
async fn the_endpoint_url_is_accepted_too() {
    let mock = MockRest::start().await;
    let client = xmpp_rest_bot::client::RestClient::builder(mock.rest_url() + "/")
        .bearer_token(MockRest::DEFAULT_TOKEN)
        .build()
        .unwrap();
    assert_eq!(client.endpoint(), mock.rest_url());
    client.send_chat("alice@localhost", "x").await.unwrap();
    mock.assert_sent_message("alice@localhost", "x");
}

#[tokio::test]
async fn a_from_of_the_account_is_accepted_and_another_is_forbidden() {
    let mock = MockRest::start().await;
    let client = client(&mock, Default::default());
    let own = Message::chat("alice@localhost".parse().unwrap(), "mine")
        .with_from("bot@localhost/ci".parse().unwrap());
    client.send(own).await.unwrap();
    let message = mock.assert_sent_message("alice@localhost", "mine");
    assert_eq!(message.from.unwrap().to_string(), "bot@localhost/ci");

    let forged = Message::chat("alice@localhost".parse().unwrap(), "x")
        .with_from("admin@localhost".parse().unwrap());
    let err = client.send(forged).await.unwrap_err();
    assert!(err.is_auth(), "{err}");
    assert_eq!(err.status(), Some(403));
    assert!(err.to_string().contains("leave `from` unset"), "{err}");
}

#[tokio::test]
async fn user_agent_is_configurable() {
    let mock = MockRest::start().await;
    builder(&mock)
        .user_agent("deploy-notifier/2")
        .build()
        .unwrap()
        .send_chat("alice@localhost", "x")
        .await
        .unwrap();
    assert_eq!(
        mock.requests()[0].header("user-agent"),
        Some("deploy-notifier/2")
    );
}

#[tokio::test]
async fn an_existing_reqwest_client_is_used() {
    let mock = MockRest::start().await;
    let http = reqwest::Client::builder().build().unwrap();
    let client = builder(&mock).http_client(http).build().unwrap();
    client.send_chat("alice@localhost", "pooled").await.unwrap();
    mock.assert_sent_message("alice@localhost", "pooled");
}
