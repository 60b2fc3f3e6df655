//! Every row of mod_rest's reply table (the book's "mod_rest on the wire"), over real HTTP, in XML and in JSON:
//! what the bot answers mod_rest for each kind of handler return value.

mod webhook_support;

use webhook_support::{Server, capture, start};
use xmpp_rest_bot::prelude::*;
use xmpp_rest_bot::stanza::{Element, ErrorType, Receipt};

const FORMATS: [WireFormat; 2] = [WireFormat::Xml, WireFormat::Json];

fn jid(s: &str) -> Jid {
    s.parse().unwrap()
}

fn chat(body: &str) -> Message {
    Message::chat(jid("bot@bot.localhost"), body)
        .with_from(jid("alice@localhost/phone"))
        .with_id("m1")
}

fn version_get() -> Iq {
    let mut iq = Iq::new(
        IqType::Get,
        Some(Element::builder("query", "jabber:iq:version").build()),
    )
    .with_id("q1")
    .with_to(jid("bot@bot.localhost"));
    iq.from = Some(jid("alice@localhost/phone"));
    iq
}

fn presence(type_: PresenceType) -> Presence {
    let mut p = Presence::new(type_).with_to(jid("bot@bot.localhost"));
    p.from = Some(jid("alice@localhost/phone"));
    p
}

async fn post(
    server: &Server,
    format: WireFormat,
    stanza: impl Into<Stanza>,
) -> webhook_support::HttpResponse {
    server.post_stanza(format, &stanza.into()).await
}

fn assert_no_reply(answer: &webhook_support::HttpResponse) {
    assert_eq!(answer.status, 202, "{answer:?}");
    assert!(answer.body.is_empty(), "{answer:?}");
    assert_eq!(answer.content_type(), None);
}

fn assert_stanza_in(answer: &webhook_support::HttpResponse, format: WireFormat) -> Stanza {
    webhook_support::stanza_answered_to(answer, format)
}

fn message_of(stanza: Stanza) -> Message {
    match stanza {
        Stanza::Message(m) => m,
        other => panic!("expected a message, got {other:?}"),
    }
}

#[tokio::test]
async fn unit_ack_and_none_answer_202_without_body() {
    async fn unit(_: Message) {}
    async fn ack(_: Presence) -> Ack {
        Ack
    }
    async fn none(_: Iq) -> Option<Iq> {
        None
    }
    let server = start(Bot::new().handler(unit).handler(ack).handler(none)).await;
    for format in FORMATS {
        assert_no_reply(&post(&server, format, chat("hi")).await);
        assert_no_reply(&post(&server, format, presence(PresenceType::Available)).await);
        // mod_rest turns this 202 into an empty iq result.
        assert_no_reply(&post(&server, format, version_get()).await);
    }
    server.stop().await.unwrap();
}

#[tokio::test]
async fn stanza_replies_answer_200_with_the_stanza() {
    async fn pong(msg: Message) -> Message {
        msg.reply("pong")
    }
    async fn subscribed(p: Presence) -> Option<Presence> {
        (p.type_ == PresenceType::Subscribe).then(|| {
            let mut reply = Presence::new(PresenceType::Subscribed);
            reply.to = p.from;
            reply
        })
    }
    async fn version(iq: Iq) -> Stanza {
        let mut result = Iq::new(
            IqType::Result,
            Some(
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
            ),
        );
        result.id = iq.id;
        Stanza::Iq(result)
    }
    let server = start(
        Bot::new()
            .handler(pong)
            .handler(subscribed)
            .handler(version),
    )
    .await;
    for format in FORMATS {
        let answer = post(&server, format, chat("ping")).await;
        assert_eq!(answer.status, 200);
        let reply = message_of(assert_stanza_in(&answer, format));
        assert_eq!(reply.type_, MessageType::Chat);
        assert_eq!(reply.body(), Some("pong"));

        let answer = post(&server, format, presence(PresenceType::Subscribe)).await;
        assert_eq!(answer.status, 200);
        let Stanza::Presence(p) = assert_stanza_in(&answer, format) else {
            panic!("expected a presence")
        };
        assert_eq!(p.type_, PresenceType::Subscribed);

        let answer = post(&server, format, version_get()).await;
        assert_eq!(answer.status, 200);
        let Stanza::Iq(result) = assert_stanza_in(&answer, format) else {
            panic!("expected an iq")
        };
        assert_eq!(result.type_, IqType::Result);
        let payload = result.payload.expect("the version payload");
        assert_eq!(
            payload.child_text("name", "jabber:iq:version").as_deref(),
            Some("bot")
        );
    }
    server.stop().await.unwrap();
}

#[tokio::test]
async fn text_replies_are_messages_of_the_incoming_type() {
    async fn echo(MessageText(text): MessageText) -> String {
        format!("echo: {text}")
    }
    let server = start(Bot::new().handler(echo)).await;
    for format in FORMATS {
        for type_ in [
            MessageType::Chat,
            MessageType::Normal,
            MessageType::Headline,
        ] {
            let mut msg = chat("hi");
            msg.type_ = type_;
            let answer = post(&server, format, msg).await;
            assert_eq!(answer.status, 200);
            let reply = message_of(assert_stanza_in(&answer, format));
            assert_eq!(reply.type_, type_, "{format}");
            assert_eq!(reply.body(), Some("echo: hi"));
        }

        let room = Message::groupchat(jid("bot@bot.localhost"), "hi all")
            .with_from(jid("ops@muc.localhost/alice"));
        let answer = post(&server, format, room).await;
        assert_eq!(answer.status, 200);
        let reply = message_of(assert_stanza_in(&answer, format));
        assert_eq!(
            reply.type_,
            MessageType::Groupchat,
            "groupchat stays groupchat"
        );
        assert_eq!(reply.to, Some(jid("ops@muc.localhost")), "to the room");
    }
    server.stop().await.unwrap();
}

#[tokio::test]
async fn errors_answer_their_status_with_an_error_stanza_of_the_incoming_kind() {
    async fn policy(_: Message) -> Result<String, StanzaError> {
        Err(StanzaError::new(Condition::PolicyViolation).with_text("no spam"))
    }
    async fn forbidden(_: Presence) -> StanzaError {
        StanzaError::new(Condition::Forbidden).with_text("admins only")
    }
    async fn jid_malformed(_: Iq) -> Condition {
        Condition::JidMalformed
    }
    let server = start(
        Bot::new()
            .handler(policy)
            .handler(forbidden)
            .handler(jid_malformed),
    )
    .await;
    for format in FORMATS {
        let answer = post(&server, format, chat("buy now")).await;
        assert_eq!(answer.status, Condition::PolicyViolation.http_status());
        let reply = message_of(assert_stanza_in(&answer, format));
        assert_eq!(reply.type_, MessageType::Error);
        let error = reply.error.expect("an error child");
        assert_eq!(error.condition, Condition::PolicyViolation);
        assert_eq!(error.type_, ErrorType::Modify);
        assert_eq!(error.text.as_deref(), Some("no spam"));

        let answer = post(&server, format, presence(PresenceType::Available)).await;
        assert_eq!(answer.status, 403);
        let Stanza::Presence(p) = assert_stanza_in(&answer, format) else {
            panic!("expected a presence")
        };
        assert_eq!(p.type_, PresenceType::Error);
        assert_eq!(p.error.unwrap().text.as_deref(), Some("admins only"));

        let answer = post(&server, format, version_get()).await;
        assert_eq!(answer.status, Condition::JidMalformed.http_status());
        let Stanza::Iq(iq) = assert_stanza_in(&answer, format) else {
            panic!("expected an iq")
        };
        assert_eq!(iq.type_, IqType::Error);
        assert_eq!(iq.id.as_deref(), Some("q1"));
        assert_eq!(iq.error.unwrap().condition, Condition::JidMalformed);
    }
    server.stop().await.unwrap();
}

#[tokio::test]
async fn unhandled_iqs_get_service_unavailable_and_the_rest_202() {
    async fn only_bodies(MessageText(_): MessageText) -> &'static str {
        "ok"
    }
    // (without the bot's own answers to version queries)
    let server = start(
        Bot::new()
            .handler(only_bodies)
            .builtin(xmpp_rest_bot::bot::Builtin::default().enabled(false)),
    )
    .await;
    for format in FORMATS {
        let answer = post(&server, format, version_get()).await;
        assert_eq!(answer.status, 503);
        let Stanza::Iq(iq) = assert_stanza_in(&answer, format) else {
            panic!("expected an iq")
        };
        assert_eq!(iq.type_, IqType::Error);
        assert_eq!(iq.error.unwrap().condition, Condition::ServiceUnavailable);

        assert_no_reply(&post(&server, format, presence(PresenceType::Unavailable)).await);
        let mut bodiless = chat("x");
        bodiless.bodies.clear();
        assert_no_reply(&post(&server, format, bodiless).await);
    }
    server.stop().await.unwrap();
}

#[tokio::test]
async fn error_and_result_stanzas_are_never_answered() {
    async fn everything(_: Stanza) -> &'static str {
        "must not be sent"
    }
    let server = start(
        Bot::new()
            .handler(everything)
            .route(Filter::new(|_| true).include_responses(), everything),
    )
    .await;
    let mut bounce = chat("bounced");
    bounce.type_ = MessageType::Error;
    bounce.error = Some(StanzaError::new(Condition::ServiceUnavailable));
    let mut result = version_get();
    result.type_ = IqType::Result;
    for format in FORMATS {
        assert_no_reply(&post(&server, format, bounce.clone()).await);
        assert_no_reply(&post(&server, format, result.clone()).await);
    }
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_reply_of_the_wrong_kind_is_refused_with_an_internal_error() {
    async fn wrong(_: Message) -> Presence {
        Presence::available()
    }
    async fn text_to_iq(_: Iq) -> &'static str {
        "text"
    }
    let server = start(Bot::new().handler(wrong).handler(text_to_iq)).await;
    for format in FORMATS {
        let answer = post(&server, format, chat("hi")).await;
        assert_eq!(answer.status, 500);
        let reply = message_of(assert_stanza_in(&answer, format));
        assert_eq!(
            reply.error.unwrap().condition,
            Condition::InternalServerError
        );

        let answer = post(&server, format, version_get()).await;
        assert_eq!(answer.status, 500);
        let Stanza::Iq(iq) = assert_stanza_in(&answer, format) else {
            panic!("expected an iq")
        };
        assert_eq!(iq.error.unwrap().condition, Condition::InternalServerError);
    }
    server.stop().await.unwrap();
}

#[tokio::test]
async fn receipt_requests_are_acknowledged() {
    async fn echo(MessageText(text): MessageText) -> String {
        text
    }
    async fn silent(_: Message) {}
    let with_reply = start(Bot::new().handler(echo)).await;
    let without_reply = start(Bot::new().handler(silent)).await;
    let switched_off = start(Bot::new().handler(silent).receipts(false)).await;
    let mut request = chat("hi");
    request.receipt = Some(Receipt::Request);
    let received = Some(Receipt::Received {
        id: Some("m1".to_owned()),
    });
    for format in [WireFormat::Xml] {
        // mod_rest's JSON mapping has no receipts: XML only.
        let answer = post(&with_reply, format, request.clone()).await;
        let reply = message_of(assert_stanza_in(&answer, format));
        assert_eq!(reply.body(), Some("hi"));
        assert_eq!(reply.receipt, received);

        let answer = post(&without_reply, format, request.clone()).await;
        assert_eq!(answer.status, 200);
        let reply = message_of(assert_stanza_in(&answer, format));
        assert_eq!(reply.type_, MessageType::Chat);
        assert!(reply.bodies.is_empty());
        assert_eq!(reply.receipt, received);

        assert_no_reply(&post(&switched_off, format, request.clone()).await);
    }
    for server in [with_reply, without_reply, switched_off] {
        server.stop().await.unwrap();
    }
}

#[tokio::test]
async fn recorded_receipt_request_is_acknowledged() {
    // msg-202-receipt: the real mod_rest sent nothing on 202; the bot answers itself.
    let case = capture("msg-202-receipt");
    let server = start(Bot::new()).await;
    let answer = case.replay(server.addr).await;
    assert_eq!(answer.status, 200);
    let reply = message_of(assert_stanza_in(&answer, WireFormat::Xml));
    assert_eq!(reply.type_, MessageType::Chat);
    assert_eq!(
        reply.receipt,
        Some(Receipt::Received {
            id: Some("r1".to_owned())
        })
    );
    server.stop().await.unwrap();
}

#[tokio::test]
async fn typed_payloads_route_iqs() {
    #[derive(Debug)]
    struct Weather {
        city: String,
    }
    impl Payload for Weather {
        const NAME: &'static str = "weather";
        const NS: &'static str = "urn:example:weather";
        fn from_element(el: &Element) -> xmpp_rest_bot::Result<Self> {
            Ok(Weather {
                city: el.attr("city").unwrap_or("nowhere").to_owned(),
            })
        }
        fn to_element(&self) -> Element {
            Element::builder(Self::NAME, Self::NS)
                .attr("city", &self.city)
                .build()
        }
    }
    async fn weather(iq: Iq, IqPayload(q): IqPayload<Weather>) -> Iq {
        iq.result(Some(Weather {
            city: format!("{} is sunny", q.city),
        }))
    }
    let server = start(
        Bot::new()
            .handler(weather)
            .builtin(xmpp_rest_bot::bot::Builtin::default().enabled(false)),
    )
    .await;
    let mut asking = version_get();
    asking.payload = Some(
        Element::builder("weather", "urn:example:weather")
            .attr("city", "Oslo")
            .build(),
    );
    // A user payload only survives the XML format (mod_rest's JSON drops it).
    let answer = post(&server, WireFormat::Xml, asking).await;
    assert_eq!(answer.status, 200);
    let Stanza::Iq(result) = answer.stanza() else {
        panic!("expected an iq")
    };
    assert_eq!(
        result.payload_as::<Weather>().unwrap().unwrap().city,
        "Oslo is sunny"
    );
    let answer = post(&server, WireFormat::Xml, version_get()).await;
    assert_eq!(answer.status, 503);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn built_in_payloads_route_iqs_in_both_formats() {
    use xmpp_rest_bot::stanza::{DiscoInfo, Identity, Ping, Version};
    async fn ping(_: Ping) {}
    async fn version(iq: Iq, query: Version) -> Iq {
        assert!(query.is_query());
        iq.result(Some(Version::new("bot", "1")))
    }
    async fn disco(iq: Iq, _: DiscoInfo) -> Iq {
        iq.result(Some(
            DiscoInfo::new()
                .with_identity(Identity::bot("echo"))
                .with_feature("urn:xmpp:ping"),
        ))
    }
    let server = start(Bot::new().handler(ping).handler(version).handler(disco)).await;
    let request = |payload: Element| {
        let mut iq = version_get();
        iq.payload = Some(payload);
        iq
    };
    for format in FORMATS {
        let answer = post(
            &server,
            format,
            request(Element::builder("ping", "urn:xmpp:ping").build()),
        )
        .await;
        assert_no_reply(&answer);

        let answer = post(&server, format, version_get()).await;
        assert_eq!(answer.status, 200, "{format}");
        let Stanza::Iq(result) = assert_stanza_in(&answer, format) else {
            panic!("expected an iq")
        };
        let v = result.payload_as::<Version>().unwrap().unwrap();
        assert_eq!(
            (v.name.as_deref(), v.version.as_deref()),
            (Some("bot"), Some("1"))
        );

        let query = Element::builder("query", "http://jabber.org/protocol/disco#info").build();
        let answer = post(&server, format, request(query)).await;
        assert_eq!(answer.status, 200, "{format}");
        let Stanza::Iq(result) = assert_stanza_in(&answer, format) else {
            panic!("expected an iq")
        };
        let info = result.payload_as::<DiscoInfo>().unwrap().unwrap();
        assert!(info.has_feature("urn:xmpp:ping"));
        assert_eq!(info.identities[0].type_, "bot");

        // disco#items: no handler takes it, the bot answers (no items)
        let query = Element::builder("query", "http://jabber.org/protocol/disco#items").build();
        let answer = post(&server, format, request(query)).await;
        assert_eq!(answer.status, 200, "{format}");
        let Stanza::Iq(result) = assert_stanza_in(&answer, format) else {
            panic!("expected an iq")
        };
        let items = result
            .payload_as::<xmpp_rest_bot::stanza::DiscoItems>()
            .unwrap()
            .unwrap();
        assert!(items.items.is_empty());
    }
    server.stop().await.unwrap();
}
