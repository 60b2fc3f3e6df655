//! The recorded mod_rest exchanges (tests/fixtures/mod_rest), replayed byte for
//! byte against the bot: the bot's answer must be one that made the real
//! Prosody deliver what the XMPP user received.

mod webhook_support;

use webhook_support::{capture, json_mode_requests, start};
use xmpp_rest_bot::prelude::*;
use xmpp_rest_bot::stanza::Element;
use xmpp_rest_bot::wire::Limits;

fn received(xml: &str) -> Stanza {
    WireFormat::Xml
        .decode(xml.as_bytes(), &Limits::default())
        .unwrap()
}

async fn pong(msg: Message) -> Message {
    msg.reply("pong")
}

#[tokio::test]
async fn chat_reply() {
    let case = capture("msg-200-xml-chat");
    let server = start(Bot::new().handler(pong)).await;
    let answer = case.replay(server.addr).await;
    assert_eq!(answer.status, case.answer_status);
    assert_eq!(
        answer.content_type(),
        Some(case.answer_content_type.as_str())
    );
    let (Stanza::Message(ours), Stanza::Message(theirs)) =
        (answer.stanza(), received(&case.received[0]))
    else {
        panic!("expected messages")
    };
    assert_eq!(ours.type_, theirs.type_);
    assert_eq!(ours.body(), theirs.body());
    server.stop().await.unwrap();
}

#[tokio::test]
async fn no_reply_to_a_message() {
    async fn silent(_: Message) {}
    let server = start(Bot::new().handler(silent)).await;
    for name in ["msg-202", "msg-204"] {
        let case = capture(name);
        let answer = case.replay(server.addr).await;
        assert_eq!(answer.status, 202);
        assert!(answer.body.is_empty());
        assert!(case.received.is_empty());
    }
    server.stop().await.unwrap();
}

#[tokio::test]
async fn no_reply_to_an_iq_means_an_empty_result() {
    async fn silent(_: Iq) {}
    let case = capture("iq-202");
    let server = start(Bot::new().handler(silent)).await;
    let answer = case.replay(server.addr).await;
    assert_eq!(answer.status, case.answer_status);
    assert!(answer.body.is_empty());
    let Stanza::Iq(theirs) = received(&case.received[0]) else {
        panic!("expected an iq")
    };
    assert_eq!(theirs.type_, IqType::Result);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn iq_result() {
    async fn version(iq: Iq) -> Iq {
        let mut result = iq.result(None::<IqPayloadNone>);
        result.payload = Some(
            Element::builder("query", "jabber:iq:version")
                .child(
                    Element::builder("name", "jabber:iq:version")
                        .text("bot")
                        .build(),
                )
                .child(
                    Element::builder("version", "jabber:iq:version")
                        .text("1")
                        .build(),
                )
                .build(),
        );
        result
    }
    let case = capture("iq-200-xml");
    let server = start(Bot::new().handler(version)).await;
    let answer = case.replay(server.addr).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.content_type(), Some("application/xmpp+xml"));
    let (Stanza::Iq(ours), Stanza::Iq(theirs)) = (answer.stanza(), received(&case.received[0]))
    else {
        panic!("expected iqs")
    };
    assert_eq!(ours.type_, theirs.type_);
    assert_eq!(ours.id, theirs.id);
    assert_eq!(ours.payload, theirs.payload);
    server.stop().await.unwrap();
}

/// `Iq::result` wants a payload type; this one is never built.
struct IqPayloadNone;

impl Payload for IqPayloadNone {
    const NAME: &'static str = "none";
    const NS: &'static str = "urn:example:none";
    fn from_element(_: &Element) -> xmpp_rest_bot::Result<Self> {
        Ok(IqPayloadNone)
    }
    fn to_element(&self) -> Element {
        Element::builder(Self::NAME, Self::NS).build()
    }
}

#[tokio::test]
async fn unhandled_iq_is_service_unavailable() {
    let case = capture("iq-503-errstanza");
    // (a version query: without the built-in answers, nobody takes it)
    let server =
        start(Bot::new().builtin(xmpp_rest_bot::bot::Builtin::default().enabled(false))).await;
    let answer = case.replay(server.addr).await;
    assert_eq!(answer.status, case.answer_status);
    assert_eq!(
        answer.content_type(),
        Some(case.answer_content_type.as_str())
    );
    let ours = answer.stanza();
    let theirs = received(&case.received[0]);
    assert_eq!(ours.kind(), theirs.kind());
    assert_eq!(ours.type_str(), "error");
    assert_eq!(
        ours.stanza_error().unwrap().condition,
        theirs.stanza_error().unwrap().condition
    );
    server.stop().await.unwrap();
}

#[tokio::test]
async fn errors_reach_the_sender_exactly() {
    async fn forbidden(MessageText(_): MessageText) -> StanzaError {
        StanzaError::new(Condition::Forbidden).with_text("admins only")
    }
    async fn policy(MessageText(_): MessageText) -> StanzaError {
        StanzaError::new(Condition::PolicyViolation).with_text("no spam")
    }
    for (name, bot) in [
        ("msg-403-errstanza", Bot::new().handler(forbidden)),
        ("msg-400-policy-errstanza", Bot::new().handler(policy)),
    ] {
        let case = capture(name);
        let server = start(bot).await;
        let answer = case.replay(server.addr).await;
        assert!(answer.status >= 400, "{name}: {answer:?}");
        assert_eq!(answer.content_type(), Some("application/xmpp+xml"));
        let ours = answer.stanza();
        let theirs = received(&case.received[0]);
        assert_eq!(ours.kind(), theirs.kind(), "{name}");
        assert_eq!(ours.type_str(), "error");
        assert_eq!(
            ours.id(),
            theirs.id(),
            "{name}: an error keeps the request id"
        );
        assert_eq!(ours.stanza_error(), theirs.stanza_error(), "{name}");
        server.stop().await.unwrap();
    }
}

#[tokio::test]
async fn json_mode_session() {
    async fn echo(MessageText(text): MessageText) -> String {
        text
    }
    let requests = json_mode_requests();
    let server = start(Bot::new().handler(echo).format(WireFormat::Json)).await;

    let probe = &requests[0];
    assert_eq!(probe.method, "OPTIONS");
    let answer = probe.replay(server.addr).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("accept"), Some("application/json"));

    let answer = requests[1].replay(server.addr).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.content_type(), Some("application/json"));
    let Stanza::Message(reply) = answer.stanza() else {
        panic!("expected a message")
    };
    assert_eq!(reply.type_, MessageType::Chat);
    assert_eq!(reply.body(), Some("hi json"));

    // presence available, away
    let answer = requests[2].replay(server.addr).await;
    assert_eq!(answer.status, 202);

    // disco#info get: no handler takes it, the bot answers it itself (in
    // XML: the early-2020 module's JSON would not deliver the result)
    let answer = requests[3].replay(server.addr).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.content_type(), Some("application/xmpp+xml"));
    let Stanza::Iq(result) = answer.stanza() else {
        panic!("expected an iq")
    };
    assert_eq!(result.id.as_deref(), Some("d1"));
    assert_eq!(result.type_, IqType::Result);
    let info = result
        .payload_as::<xmpp_rest_bot::stanza::DiscoInfo>()
        .unwrap()
        .unwrap();
    assert_eq!(info.identities[0].type_, "bot");
    assert!(info.has_feature("urn:xmpp:ping"));

    // presence unavailable, without Content-Language
    let answer = requests[4].replay(server.addr).await;
    assert_eq!(answer.status, 202);
    server.stop().await.unwrap();
}
