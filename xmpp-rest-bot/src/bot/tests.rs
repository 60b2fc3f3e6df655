//! Dispatch tests on stanzas built in code (no HTTP, no codec).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::http::StatusCode;

use crate::Bot;
use crate::extract::{FromRef, Incoming, IqPayload, MessageText, Rejection, Sender, State};
use crate::handler::{Filter, HandlerExt, Route};
use crate::reply::Ack;
use crate::stanza::{
    Condition, Element, ErrorType, Iq, IqType, Jid, Message, MessageType, Payload, Presence,
    PresenceType, Receipt, Stanza, StanzaError,
};

fn jid(s: &str) -> Jid {
    s.parse().unwrap()
}

fn chat(body: &str) -> Message {
    Message::chat(jid("bot@bot.localhost"), body)
        .with_from(jid("alice@localhost/phone"))
        .with_id("m1")
}

fn with_type(mut m: Message, type_: MessageType) -> Message {
    m.type_ = type_;
    m
}

fn iq_get(payload: Element) -> Iq {
    let mut iq = Iq::new(IqType::Get, Some(payload)).with_id("q1");
    iq.to = Some(jid("bot@bot.localhost"));
    iq.from = Some(jid("alice@localhost/phone"));
    iq
}

fn presence() -> Presence {
    let mut p = Presence::available();
    p.to = Some(jid("bot@bot.localhost"));
    p.from = Some(jid("alice@localhost/phone"));
    p
}

fn reply_message(answer: &crate::bot::Answer) -> &Message {
    match &answer.stanza {
        Some(Stanza::Message(m)) => m,
        other => panic!("expected a message, got {other:?}"),
    }
}

fn error_of(answer: &crate::bot::Answer) -> &StanzaError {
    answer
        .stanza
        .as_ref()
        .and_then(Stanza::stanza_error)
        .unwrap_or_else(|| panic!("expected an error stanza, got {answer:?}"))
}

async fn echo(MessageText(text): MessageText) -> String {
    text
}

#[tokio::test]
async fn text_reply_to_chat_is_a_chat_message_to_the_sender() {
    let answer = Bot::new()
        .handler(echo)
        .dispatch(Incoming::new(chat("hi")))
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    let reply = reply_message(&answer);
    assert_eq!(reply.type_, MessageType::Chat);
    assert_eq!(reply.body(), Some("hi"));
    assert_eq!(reply.to, Some(jid("alice@localhost/phone")));
}

#[tokio::test]
async fn text_reply_to_groupchat_stays_groupchat_and_goes_to_the_room() {
    let msg = Message::groupchat(jid("bot@bot.localhost"), "hi all")
        .with_from(jid("room@muc.localhost/alice"));
    let answer = Bot::new().handler(echo).dispatch(Incoming::new(msg)).await;
    let reply = reply_message(&answer);
    assert_eq!(reply.type_, MessageType::Groupchat);
    assert_eq!(reply.to, Some(jid("room@muc.localhost")));
    assert_eq!(reply.body(), Some("hi all"));
}

#[tokio::test]
async fn text_reply_keeps_normal_and_headline_types() {
    for type_ in [MessageType::Normal, MessageType::Headline] {
        let answer = Bot::new()
            .handler(echo)
            .dispatch(Incoming::new(with_type(chat("x"), type_)))
            .await;
        assert_eq!(reply_message(&answer).type_, type_);
    }
}

#[tokio::test]
async fn no_reply_values_answer_202() {
    async fn unit(_: Message) {}
    async fn ack(_: Message) -> Ack {
        Ack
    }
    async fn none(_: Message) -> Option<String> {
        None
    }
    for bot in [
        Bot::new().handler(unit),
        Bot::new().handler(ack),
        Bot::new().handler(none),
    ] {
        let answer = bot.dispatch(Incoming::new(chat("hi"))).await;
        assert_eq!(answer.status, StatusCode::ACCEPTED);
        assert_eq!(answer.stanza, None);
    }
}

#[tokio::test]
async fn stanza_replies_are_sent_as_returned() {
    async fn pong(msg: Message) -> Message {
        msg.reply("pong")
    }
    async fn subscribed(p: Presence) -> Presence {
        let mut reply = Presence::new(PresenceType::Subscribed);
        reply.to = p.from;
        reply
    }
    async fn version(iq: Iq) -> Iq {
        iq.result(None::<Weather>)
    }
    let bot = Bot::new()
        .handler(pong)
        .handler(subscribed)
        .handler(version);

    let answer = bot.dispatch(Incoming::new(chat("ping"))).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(reply_message(&answer).body(), Some("pong"));

    let mut sub = presence();
    sub.type_ = PresenceType::Subscribe;
    let answer = bot.dispatch(Incoming::new(sub)).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(
        matches!(&answer.stanza, Some(Stanza::Presence(p)) if p.type_ == PresenceType::Subscribed)
    );

    let answer = bot
        .dispatch(Incoming::new(iq_get(Weather::query("Oslo"))))
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(
        matches!(&answer.stanza, Some(Stanza::Iq(iq)) if iq.type_ == IqType::Result && iq.id.as_deref() == Some("q1"))
    );
}

#[tokio::test]
async fn errors_carry_condition_text_and_status() {
    async fn forbid(_: Message) -> StanzaError {
        StanzaError::new(Condition::Forbidden).with_text("admins only")
    }
    let answer = Bot::new()
        .handler(forbid)
        .dispatch(Incoming::new(chat("hi")))
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    let Some(Stanza::Message(m)) = &answer.stanza else {
        panic!("expected a message")
    };
    assert_eq!(m.type_, MessageType::Error);
    assert_eq!(m.id.as_deref(), Some("m1"));
    let error = m.error.as_ref().unwrap();
    assert_eq!(error.condition, Condition::Forbidden);
    assert_eq!(error.type_, ErrorType::Auth);
    assert_eq!(error.text.as_deref(), Some("admins only"));
}

#[tokio::test]
async fn conditions_without_http_code_still_reach_the_sender_exactly() {
    async fn policy(_: Message) -> Result<String, StanzaError> {
        Err(StanzaError::new(Condition::PolicyViolation).with_text("no spam"))
    }
    let answer = Bot::new()
        .handler(policy)
        .dispatch(Incoming::new(chat("buy")))
        .await;
    assert_eq!(
        answer.status.as_u16(),
        Condition::PolicyViolation.http_status()
    );
    assert!(answer.status.is_client_error());
    let error = error_of(&answer);
    assert_eq!(error.condition, Condition::PolicyViolation);
    assert_eq!(error.text.as_deref(), Some("no spam"));
}

#[tokio::test]
async fn every_condition_maps_to_an_error_status_and_an_error_stanza() {
    for &condition in Condition::ALL {
        let bot = Bot::new().handler(move |_: Iq| async move { condition });
        let answer = bot
            .dispatch(Incoming::new(iq_get(Weather::query("x"))))
            .await;
        assert!(answer.status.is_client_error() || answer.status.is_server_error());
        assert!(matches!(&answer.stanza, Some(Stanza::Iq(iq)) if iq.type_ == IqType::Error));
        assert_eq!(error_of(&answer).condition, condition);
    }
}

#[tokio::test]
async fn a_reply_of_the_wrong_kind_is_an_internal_error_of_the_right_kind() {
    async fn wrong(_: Message) -> Presence {
        Presence::available()
    }
    let answer = Bot::new()
        .handler(wrong)
        .dispatch(Incoming::new(chat("hi")))
        .await;
    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(matches!(&answer.stanza, Some(Stanza::Message(_))));
    assert_eq!(error_of(&answer).condition, Condition::InternalServerError);
}

#[tokio::test]
async fn text_to_an_iq_or_a_presence_is_an_internal_error_of_the_right_kind() {
    async fn text(_: crate::stanza::Stanza) -> &'static str {
        "text"
    }
    let bot = Bot::new().handler(text);
    let answer = bot
        .dispatch(Incoming::new(iq_get(Weather::query("x"))))
        .await;
    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(matches!(&answer.stanza, Some(Stanza::Iq(iq)) if iq.type_ == IqType::Error));
    let answer = bot.dispatch(Incoming::new(presence())).await;
    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(matches!(&answer.stanza, Some(Stanza::Presence(_))));
}

#[tokio::test]
async fn crate_errors_are_internal_errors_without_details() {
    async fn fails(_: Message) -> crate::Result<String> {
        Err(crate::Error::invalid("database password is hunter2"))
    }
    let answer = Bot::new()
        .handler(fails)
        .dispatch(Incoming::new(chat("hi")))
        .await;
    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
    let error = error_of(&answer);
    assert_eq!(error.condition, Condition::InternalServerError);
    assert_eq!(error.text, None);
}

#[tokio::test]
async fn unhandled_iq_requests_get_service_unavailable() {
    let bot = Bot::new().handler(echo);
    for type_ in [IqType::Get, IqType::Set] {
        let mut iq = iq_get(Weather::query("x"));
        iq.type_ = type_;
        let answer = bot.dispatch(Incoming::new(iq)).await;
        assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(
            matches!(&answer.stanza, Some(Stanza::Iq(iq)) if iq.type_ == IqType::Error && iq.id.as_deref() == Some("q1"))
        );
        assert_eq!(error_of(&answer).condition, Condition::ServiceUnavailable);
    }
}

#[tokio::test]
async fn unhandled_messages_and_presences_get_202() {
    async fn only_iq(_: Iq) {}
    let bot = Bot::new().handler(only_iq);
    for stanza in [Stanza::Message(chat("hi")), Stanza::Presence(presence())] {
        let answer = bot.dispatch(Incoming::new(stanza)).await;
        assert_eq!(answer.status, StatusCode::ACCEPTED);
        assert_eq!(answer.stanza, None);
    }
}

fn counting() -> (
    Arc<AtomicUsize>,
    impl Fn(crate::stanza::Stanza) -> std::future::Ready<&'static str> + Clone + Send + Sync + 'static,
) {
    let count = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&count);
    let handler = move |_: crate::stanza::Stanza| {
        seen.fetch_add(1, Ordering::SeqCst);
        std::future::ready("answer")
    };
    (count, handler)
}

fn responses() -> Vec<Stanza> {
    let mut error_msg = with_type(chat("bounced"), MessageType::Error);
    error_msg.error = Some(StanzaError::new(Condition::ServiceUnavailable));
    let mut result = iq_get(Weather::query("x"));
    result.type_ = IqType::Result;
    let mut error_iq = iq_get(Weather::query("x"));
    error_iq.type_ = IqType::Error;
    let mut error_presence = presence();
    error_presence.type_ = PresenceType::Error;
    vec![
        Stanza::Message(error_msg),
        Stanza::Iq(result),
        Stanza::Iq(error_iq),
        Stanza::Presence(error_presence),
    ]
}

#[tokio::test]
async fn error_and_result_stanzas_reach_no_handler_by_default() {
    let (count, handler) = counting();
    let bot = Bot::new()
        .handler(handler.clone())
        .route(Filter::new(|_| true), handler);
    for stanza in responses() {
        let answer = bot.dispatch(Incoming::new(stanza)).await;
        assert_eq!(answer.status, StatusCode::ACCEPTED);
        assert_eq!(answer.stanza, None);
    }
    assert_eq!(count.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn error_and_result_stanzas_reach_opted_in_handlers_but_are_never_answered() {
    let (count, handler) = counting();
    let bot = Bot::new().route(Filter::new(|_| true).include_responses(), handler);
    for stanza in responses() {
        let answer = bot.dispatch(Incoming::new(stanza)).await;
        assert_eq!(answer.status, StatusCode::ACCEPTED);
        assert_eq!(answer.stanza, None);
    }
    assert_eq!(count.load(Ordering::SeqCst), 4);

    let (count, handler) = counting();
    let bot = Bot::new().route(Filter::stanza_type("error"), handler);
    for stanza in responses() {
        bot.dispatch(Incoming::new(stanza)).await;
    }
    assert_eq!(count.load(Ordering::SeqCst), 3);
}

fn receipt_request(m: Message) -> Message {
    Message {
        receipt: Some(Receipt::Request),
        ..m
    }
}

#[tokio::test]
async fn receipts_are_added_to_replies() {
    let answer = Bot::new()
        .handler(echo)
        .dispatch(Incoming::new(receipt_request(chat("hi"))))
        .await;
    let reply = reply_message(&answer);
    assert_eq!(reply.body(), Some("hi"));
    assert_eq!(
        reply.receipt,
        Some(Receipt::Received {
            id: Some("m1".into())
        })
    );
}

#[tokio::test]
async fn receipts_are_answered_alone_when_there_is_no_reply() {
    async fn silent(_: MessageText) {}
    for bot in [Bot::new().handler(silent), Bot::new()] {
        let answer = bot
            .dispatch(Incoming::new(receipt_request(chat("hi"))))
            .await;
        assert_eq!(answer.status, StatusCode::OK);
        let reply = reply_message(&answer);
        assert_eq!(reply.type_, MessageType::Chat);
        assert!(reply.bodies.is_empty());
        assert_eq!(
            reply.receipt,
            Some(Receipt::Received {
                id: Some("m1".into())
            })
        );
    }
}

#[tokio::test]
async fn receipts_can_be_switched_off() {
    let bot = Bot::new().handler(echo).receipts(false);
    let answer = bot
        .dispatch(Incoming::new(receipt_request(chat("hi"))))
        .await;
    assert_eq!(reply_message(&answer).receipt, None);
    let answer = Bot::new()
        .receipts(false)
        .dispatch(Incoming::new(receipt_request(chat("hi"))))
        .await;
    assert_eq!(answer.status, StatusCode::ACCEPTED);
}

#[tokio::test]
async fn receipts_are_not_sent_to_rooms_without_id_or_with_errors() {
    let groupchat = with_type(receipt_request(chat("hi")), MessageType::Groupchat);
    let answer = Bot::new().dispatch(Incoming::new(groupchat)).await;
    assert_eq!(answer.status, StatusCode::ACCEPTED);

    let mut no_id = receipt_request(chat("hi"));
    no_id.id = None;
    let answer = Bot::new().dispatch(Incoming::new(no_id)).await;
    assert_eq!(answer.status, StatusCode::ACCEPTED);

    async fn refuse(_: Message) -> Condition {
        Condition::NotAllowed
    }
    let answer = Bot::new()
        .handler(refuse)
        .dispatch(Incoming::new(receipt_request(chat("hi"))))
        .await;
    assert_eq!(reply_message(&answer).receipt, None);
    assert_eq!(error_of(&answer).condition, Condition::NotAllowed);
}

/// A user payload type for typed iq routing.

#[derive(Debug, Clone, PartialEq)]
struct Weather {
    city: String,
}

impl Weather {
    fn query(city: &str) -> Element {
        Weather {
            city: city.to_owned(),
        }
        .to_element()
    }
}

impl Payload for Weather {
    const NAME: &'static str = "weather";
    const NS: &'static str = "urn:example:weather";

    fn from_element(el: &Element) -> crate::Result<Self> {
        el.attr("city")
            .map(|city| Weather {
                city: city.to_owned(),
            })
            .ok_or_else(|| crate::Error::invalid("missing city"))
    }

    fn to_element(&self) -> Element {
        Element::builder(Self::NAME, Self::NS)
            .attr("city", &self.city)
            .build()
    }
}

mod routing;
