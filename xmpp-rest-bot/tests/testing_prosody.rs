//! The testing kit's mod_rest emulator: one test per rule of how mod_rest
//! turns the webhook's answer into a reply (so that a change of rule is a
//! visible test change), every recorded capture replayed through it, and
//! `TestProsody` against real bots. The JSON-mode captures are replayed in
//! `json_conformance.rs`.

mod webhook_support;

use std::time::Duration;

use webhook_support::{capture, normalized, sorted};
use xmpp_rest_bot::prelude::*;
use xmpp_rest_bot::stanza::{ErrorType, Ping, Version};
use xmpp_rest_bot::testing::{ModRestVersion, TestProsody, mod_rest_reply};

/// What the current module sends the user for this answer.
fn reply_of(
    incoming: &Stanza,
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
) -> Option<Stanza> {
    let delivery = mod_rest_reply(
        ModRestVersion::Current,
        incoming,
        status,
        content_type,
        body,
    );
    assert_eq!(delivery.dropped, None);
    delivery.stanza
}
use xmpp_rest_bot::wire::Limits;

fn xml(s: &str) -> Stanza {
    WireFormat::Xml
        .decode(s.as_bytes(), &Limits::default())
        .unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn chat_from_alice() -> Stanza {
    xml(
        "<message to='bot@bot.localhost' id='m1' xml:lang='en' from='alice@localhost/phone' type='chat'><body>hi</body></message>",
    )
}

fn iq_get_from_alice() -> Stanza {
    xml(
        "<iq to='bot@bot.localhost' id='q1' from='alice@localhost/phone' type='get'><query xmlns='jabber:iq:version'/></iq>",
    )
}

/// Replays a recorded case: what the webhook answered must turn into what the
/// user received on the real Prosody (ids compared where they are not random).
fn replay(version: ModRestVersion, name: &str) {
    let case = capture(name);
    let incoming = case.stanza();
    let content_type =
        (!case.answer_content_type.is_empty()).then_some(case.answer_content_type.as_str());
    let ours = mod_rest_reply(
        version,
        &incoming,
        case.answer_status,
        content_type,
        case.answer_body.as_bytes(),
    );
    match (case.received.first(), ours.stanza) {
        (None, None) => {}
        (None, Some(ours)) => panic!("{name}: the user received nothing, we predict {ours:?}"),
        (Some(expected), None) => {
            panic!("{name}: the user received {expected}, we predict nothing")
        }
        (Some(expected), Some(ours)) => {
            let expected = xml(expected);
            assert_eq!(
                normalized(ours, &incoming, &expected),
                sorted(expected),
                "{name}"
            );
        }
    }
}

macro_rules! replays {
    ($($test:ident => $name:literal,)*) => {$(
        #[test]
        fn $test() {
            replay(ModRestVersion::Current, $name);
        }
    )*};
    ($version:ident: $($test:ident => $name:literal,)*) => {$(
        #[test]
        fn $test() {
            replay(ModRestVersion::$version, $name);
        }
    )*};
}

replays! {
    capture_iq_200_json => "iq-200-json",
    capture_iq_200_xml => "iq-200-xml",
    capture_iq_202 => "iq-202",
    capture_iq_501 => "iq-501",
    capture_iq_503_errstanza => "iq-503-errstanza",
    capture_msg_200_json => "msg-200-json",
    capture_msg_200_malformed => "msg-200-malformed",
    capture_msg_200_text => "msg-200-text",
    capture_msg_200_wrongkind => "msg-200-wrongkind",
    capture_msg_200_xml_chat => "msg-200-xml-chat",
    capture_msg_202_receipt => "msg-202-receipt",
    capture_msg_202 => "msg-202",
    capture_msg_204 => "msg-204",
    capture_msg_400_policy_errstanza => "msg-400-policy-errstanza",
    capture_msg_403_errstanza => "msg-403-errstanza",
    capture_msg_404_nobody => "msg-404-nobody",
    capture_msg_418_text => "msg-418-text",
    capture_msg_500_text_plain_error => "msg-500-text-plain-error",
    capture_msg_500_text => "msg-500-text",
    capture_msg_503_nobody => "msg-503-nobody",
}

// The JSON-mode cases (the current module's posts there were XML).
replays! { Current:
    json_2023_iq_adhoc_completed_note => "json-2023/json-iq-200-adhoc-completed-note",
    json_2023_iq_adhoc_form => "json-2023/json-iq-200-adhoc-form",
    json_2023_iq_403_error_typed => "json-2023/json-iq-403-error-typed",
    json_2023_msg_403_error_typed => "json-2023/json-msg-403-error-typed",
    json_2023_msg_403_error_untyped => "json-2023/json-msg-403-error-untyped",
    json_2023_msg_500_error_untyped => "json-2023/json-msg-500-error-untyped",
}

replays! { Early2020:
    json_2020_iq_adhoc_completed_note => "json-2020/json-iq-200-adhoc-completed-note",
    json_2020_iq_adhoc_form => "json-2020/json-iq-200-adhoc-form",
    json_2020_iq_xml_answer_to_json_post => "json-2020/json-iq-200-xml-answer-to-json-post",
    json_2020_iq_403_error_typed => "json-2020/json-iq-403-error-typed",
    json_2020_msg_403_error_typed => "json-2020/json-msg-403-error-typed",
    json_2020_msg_403_error_untyped => "json-2020/json-msg-403-error-untyped",
    json_2020_msg_500_error_untyped => "json-2020/json-msg-500-error-untyped",
    json_2020_post_command_execute => "json-2020/json-post-command-execute",
    json_2020_post_disco_info_node => "json-2020/json-post-disco-info-node",
    json_2020_post_disco_info => "json-2020/json-post-disco-info",
    json_2020_post_items_node => "json-2020/json-post-items-node",
    json_2020_post_ping => "json-2020/json-post-ping",
    json_2020_post_version => "json-2020/json-post-version",
}

/// The typed message errors reach nobody, and the emulator says why.
#[test]
fn a_typed_json_message_error_is_dropped_with_the_reason() {
    for version in [ModRestVersion::Current, ModRestVersion::Early2020] {
        let dir = match version {
            ModRestVersion::Current => "json-2023",
            _ => "json-2020",
        };
        let case = capture(&format!("{dir}/json-msg-403-error-typed"));
        let delivery = mod_rest_reply(
            version,
            &case.stanza(),
            case.answer_status,
            Some(&case.answer_content_type),
            case.answer_body.as_bytes(),
        );
        assert_eq!(delivery.stanza, None);
        let why = delivery.dropped.expect("a reason");
        assert!(why.contains("without \"type\""), "{why}");
    }
}

// One test per rule.

#[test]
fn rule_error_and_result_stanzas_are_never_answered() {
    let error = xml(
        "<message from='alice@localhost/p' to='bot@bot.localhost' type='error' id='e'><error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>",
    );
    let result = xml("<iq from='alice@localhost/p' to='bot@bot.localhost' type='result' id='r'/>");
    let reply = b"<message type='chat'><body>x</body></message>";
    for s in [&error, &result] {
        for status in [200, 202, 404, 500] {
            assert!(reply_of(s, status, Some("application/xmpp+xml"), reply).is_none());
        }
    }
}

#[test]
fn rule_202_and_204_send_nothing_for_messages_and_presences() {
    let presence = xml("<presence from='alice@localhost/p' to='bot@bot.localhost'/>");
    for status in [202, 204] {
        assert!(reply_of(&chat_from_alice(), status, None, b"").is_none());
        assert!(reply_of(&presence, status, None, b"").is_none());
    }
}

#[test]
fn rule_202_and_204_send_an_empty_result_for_iq_requests() {
    for status in [202, 204] {
        let reply = reply_of(&iq_get_from_alice(), status, None, b"").unwrap();
        let Stanza::Iq(iq) = reply else { panic!() };
        assert_eq!(iq.type_, IqType::Result);
        assert_eq!(iq.id.as_deref(), Some("q1"));
        assert!(iq.payload.is_none());
        assert_eq!(iq.to.unwrap().as_str(), "alice@localhost/phone");
    }
}

#[test]
fn rule_receipt_requests_are_not_answered_by_mod_rest() {
    let s = xml(
        "<message to='bot@bot.localhost' id='r1' from='alice@localhost/p' type='chat'><body>hi</body><request xmlns='urn:xmpp:receipts'/></message>",
    );
    assert!(reply_of(&s, 202, None, b"").is_none());
}

#[test]
fn rule_reply_addresses_are_swapped_and_type_and_lang_kept() {
    let body = b"<message type='headline' xml:lang='de'><body>hallo</body></message>";
    let reply = reply_of(&chat_from_alice(), 200, Some("application/xmpp+xml"), body).unwrap();
    let Stanza::Message(m) = reply else { panic!() };
    assert_eq!(m.to.unwrap().as_str(), "alice@localhost/phone");
    assert_eq!(m.from.unwrap().as_str(), "bot@bot.localhost");
    assert_eq!(m.type_, MessageType::Headline);
    assert_eq!(m.lang.as_deref(), Some("de"));
}

#[test]
fn rule_reply_keeps_its_own_id_or_gets_a_new_one() {
    let with_id = b"<message type='chat' id='mine'><body>x</body></message>";
    let reply = reply_of(
        &chat_from_alice(),
        200,
        Some("application/xmpp+xml"),
        with_id,
    )
    .unwrap();
    assert_eq!(reply.id(), Some("mine"));
    let without = b"<message type='chat'><body>x</body></message>";
    let reply = reply_of(
        &chat_from_alice(),
        200,
        Some("application/xmpp+xml"),
        without,
    )
    .unwrap();
    assert!(reply.id().is_some_and(|id| id != "m1"));
}

#[test]
fn rule_a_typeless_reply_stays_typeless() {
    let body = b"<message><body>x</body></message>";
    let reply = reply_of(&chat_from_alice(), 200, Some("application/xmpp+xml"), body).unwrap();
    assert_eq!(reply.type_str(), "normal");
}

#[test]
fn rule_groupchat_replies_go_to_the_room() {
    let s = xml(
        "<message to='bot@bot.localhost' id='g1' from='ops@rooms.localhost/carol' type='groupchat'><body>!status</body></message>",
    );
    let body = b"<message type='groupchat'><body>ok</body></message>";
    let reply = reply_of(&s, 200, Some("application/xmpp+xml"), body).unwrap();
    assert_eq!(reply.to().unwrap().as_str(), "ops@rooms.localhost");
}

#[test]
fn rule_error_child_makes_the_reply_an_error_when_the_incoming_had_no_type() {
    let s = xml(
        "<message to='bot@bot.localhost' id='n1' from='alice@localhost/p'><body>hi</body></message>",
    );
    let body = b"<message><error type='cancel'><not-allowed xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>";
    let reply = reply_of(&s, 200, Some("application/xmpp+xml"), body).unwrap();
    assert_eq!(reply.type_str(), "error");
    assert_eq!(reply.id(), Some("n1"));
}

#[test]
fn rule_error_replies_and_iq_replies_take_the_incoming_id() {
    let err = b"<message type='error' id='other'><error type='auth'><forbidden xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>";
    let reply = reply_of(&chat_from_alice(), 403, Some("application/xmpp+xml"), err).unwrap();
    assert_eq!(reply.id(), Some("m1"));
    let iq = b"<iq type='set' id='other'><query xmlns='jabber:iq:version'/></iq>";
    let reply = reply_of(&iq_get_from_alice(), 200, Some("application/xmpp+xml"), iq).unwrap();
    assert_eq!(reply.id(), Some("q1"));
    assert_eq!(
        reply.type_str(),
        "result",
        "an iq reply that is not an error is a result"
    );
}

#[test]
fn rule_text_plain_is_a_chat_message_even_on_error_statuses() {
    for status in [200, 500] {
        let reply = reply_of(
            &chat_from_alice(),
            status,
            Some("text/plain; charset=utf-8"),
            b"oops",
        )
        .unwrap();
        let Stanza::Message(m) = reply else { panic!() };
        assert_eq!(m.type_, MessageType::Chat);
        assert_eq!(m.body(), Some("oops"));
    }
}

#[test]
fn rule_form_urlencoded_bodies_are_read_as_flat_json() {
    let reply = reply_of(
        &chat_from_alice(),
        200,
        Some("application/x-www-form-urlencoded"),
        b"kind=message&type=chat&body=hello+world%21",
    )
    .unwrap();
    assert_eq!(reply.type_str(), "chat");
    let Stanza::Message(m) = reply else { panic!() };
    assert_eq!(m.body(), Some("hello world!"));
}

#[test]
fn rule_json_without_kind_is_inferred_like_mod_rest() {
    let reply = reply_of(
        &iq_get_from_alice(),
        200,
        Some("application/json"),
        br#"{"version":{"name":"bot","version":"1"}}"#,
    )
    .unwrap();
    let Stanza::Iq(iq) = reply else {
        panic!("an iq was inferred")
    };
    assert_eq!(iq.type_, IqType::Result);
    assert_eq!(
        iq.payload_as::<Version>().unwrap().unwrap().name.as_deref(),
        Some("bot")
    );
}

#[test]
fn rule_wrong_kind_or_malformed_bodies_are_ignored() {
    for body in [
        &b"<presence/>"[..],
        b"<message><body>x</message>",
        b"{",
        b"\xff",
    ] {
        let reply = reply_of(&chat_from_alice(), 200, Some("application/xmpp+xml"), body).unwrap();
        let Stanza::Message(m) = &reply else { panic!() };
        assert!(m.bodies.is_empty(), "an empty reply of the incoming kind");
        assert_eq!(m.type_, MessageType::Chat, "with the incoming type");
        let reply = reply_of(&chat_from_alice(), 500, Some("application/xmpp+xml"), body).unwrap();
        assert_eq!(
            reply.stanza_error().unwrap().condition,
            Condition::InternalServerError
        );
    }
}

#[test]
fn rule_status_codes_map_to_conditions_with_the_status_line_as_text() {
    let table = [
        (
            400,
            ErrorType::Cancel,
            Condition::BadRequest,
            "400 Bad Request",
        ),
        (
            401,
            ErrorType::Cancel,
            Condition::NotAuthorized,
            "401 Unauthorized",
        ),
        (
            402,
            ErrorType::Cancel,
            Condition::PaymentRequired,
            "402 Payment Required",
        ),
        (
            403,
            ErrorType::Cancel,
            Condition::Forbidden,
            "403 Forbidden",
        ),
        (
            404,
            ErrorType::Cancel,
            Condition::ItemNotFound,
            "404 Not Found",
        ),
        (
            405,
            ErrorType::Cancel,
            Condition::NotAllowed,
            "405 Method Not Allowed",
        ),
        (
            406,
            ErrorType::Cancel,
            Condition::NotAcceptable,
            "406 Not Acceptable",
        ),
        (
            407,
            ErrorType::Cancel,
            Condition::RegistrationRequired,
            "407 Proxy Authentication Required",
        ),
        (
            408,
            ErrorType::Cancel,
            Condition::RemoteServerTimeout,
            "408 Request Timeout",
        ),
        (409, ErrorType::Cancel, Condition::Conflict, "409 Conflict"),
        (410, ErrorType::Cancel, Condition::Gone, "410 Gone"),
        (
            411,
            ErrorType::Cancel,
            Condition::BadRequest,
            "411 Length Required",
        ),
        (
            412,
            ErrorType::Cancel,
            Condition::Conflict,
            "412 Precondition Failed",
        ),
        (
            413,
            ErrorType::Cancel,
            Condition::ResourceConstraint,
            "413 Payload Too Large",
        ),
        (
            414,
            ErrorType::Cancel,
            Condition::ResourceConstraint,
            "414 URI Too Long",
        ),
        (
            415,
            ErrorType::Cancel,
            Condition::FeatureNotImplemented,
            "415 Unsupported Media Type",
        ),
        (
            416,
            ErrorType::Cancel,
            Condition::BadRequest,
            "416 Range Not Satisfiable",
        ),
        (
            418,
            ErrorType::Cancel,
            Condition::UndefinedCondition,
            "418 I'm a teapot",
        ),
        (
            422,
            ErrorType::Cancel,
            Condition::BadRequest,
            "422 Unprocessable Entity",
        ),
        (
            423,
            ErrorType::Wait,
            Condition::ResourceConstraint,
            "423 Locked",
        ),
        (
            429,
            ErrorType::Wait,
            Condition::ResourceConstraint,
            "429 Too Many Requests",
        ),
        (
            431,
            ErrorType::Cancel,
            Condition::ResourceConstraint,
            "431 Request Header Fields Too Large",
        ),
        (
            451,
            ErrorType::Cancel,
            Condition::Forbidden,
            "451 Unavailable For Legal Reasons",
        ),
        (
            500,
            ErrorType::Wait,
            Condition::InternalServerError,
            "500 Internal Server Error",
        ),
        (
            501,
            ErrorType::Cancel,
            Condition::FeatureNotImplemented,
            "501 Not Implemented",
        ),
        (
            502,
            ErrorType::Cancel,
            Condition::RemoteServerTimeout,
            "502 Bad Gateway",
        ),
        (
            503,
            ErrorType::Cancel,
            Condition::ServiceUnavailable,
            "503 Service Unavailable",
        ),
        (
            504,
            ErrorType::Cancel,
            Condition::RemoteServerTimeout,
            "504 Gateway Timeout",
        ),
        (599, ErrorType::Cancel, Condition::UndefinedCondition, "599"),
    ];
    for (status, type_, condition, text) in table {
        let reply = reply_of(&chat_from_alice(), status, None, b"").unwrap();
        let err = reply.stanza_error().unwrap();
        assert_eq!(
            (err.type_, err.condition),
            (type_, condition),
            "status {status}"
        );
        assert_eq!(err.text.as_deref(), Some(text), "status {status}");
        assert_eq!(reply.id(), Some("m1"));
    }
}

// TestProsody against real bots.

async fn echo(MessageText(text): MessageText) -> String {
    text
}

async fn version(_q: Version) -> Version {
    Version::new("test-bot", "1.0")
}

#[tokio::test]
async fn probe_negotiates_the_bots_format() {
    let t = TestProsody::start(Bot::new().handler(echo).into_router()).await;
    assert_eq!(t.format(), WireFormat::Xml);
    assert_eq!(t.probe_outcome().unwrap().status, Some(200));
    let t = TestProsody::start(
        Bot::new()
            .format(WireFormat::Json)
            .handler(echo)
            .into_router(),
    )
    .await;
    assert_eq!(t.format(), WireFormat::Json);
    let reply = t.user("alice@example.org/phone").says("hi in json").await;
    reply.assert_body("hi in json");
    assert_eq!(reply.content_type(), Some("application/json"));
}

#[tokio::test]
async fn early_2020_module_sends_no_probe_and_uses_its_configured_format() {
    let t = TestProsody::builder()
        .version(ModRestVersion::Early2020)
        .content_type(WireFormat::Json)
        .start(Bot::new().handler(echo).into_router())
        .await;
    assert!(t.probe_outcome().is_none());
    assert_eq!(t.format(), WireFormat::Json);
    t.user("alice@example.org")
        .says("hello")
        .await
        .assert_body("hello");
}

#[tokio::test]
async fn users_talk_to_the_bot_like_xmpp_clients() {
    let t = TestProsody::start(Bot::new().handler(echo).handler(version).into_router()).await;
    let alice = t.user("alice@example.org/phone");

    let reply = alice.says("ping").await;
    reply.assert_body("ping");
    let msg = reply.message().unwrap();
    assert_eq!(msg.type_, MessageType::Chat);
    assert_eq!(msg.to.as_ref().unwrap().as_str(), "alice@example.org/phone");
    assert_eq!(msg.from.as_ref().unwrap().as_str(), "bot.example.net");

    let reply = alice.iq_get(Version::default()).await;
    reply.assert_result();
    assert_eq!(
        reply.payload::<Version>().unwrap().name.as_deref(),
        Some("test-bot")
    );

    // No handler takes pings here: the bot answers them itself. An iq get
    // nobody handles is service-unavailable.
    alice.iq_get(Ping).await.assert_result();
    let unknown = xmpp_rest_bot::stanza::Element::builder("q", "urn:example:unknown").build();
    alice
        .sends(Iq::new(IqType::Get, Some(unknown)))
        .await
        .assert_error(Condition::ServiceUnavailable);
    // Presences nobody handles get nothing back.
    alice.is_available().await.assert_no_reply();
}

#[tokio::test]
async fn room_occupants_send_groupchat_and_replies_go_to_the_room() {
    let t = TestProsody::start(Bot::new().handler(echo).into_router()).await;
    let reply = t
        .occupant("ops@rooms.example.org", "carol")
        .to("bot@bot.example.net")
        .says("hello room")
        .await;
    reply.assert_body("hello room");
    let msg = reply.message().unwrap();
    assert_eq!(msg.type_, MessageType::Groupchat);
    assert_eq!(msg.to.as_ref().unwrap().as_str(), "ops@rooms.example.org");
}

#[tokio::test]
async fn a_webhook_that_does_not_answer_in_time_yields_recipient_unavailable() {
    async fn slow(MessageText(_): MessageText) -> &'static str {
        tokio::time::sleep(Duration::from_secs(5)).await;
        "late"
    }
    let t = TestProsody::builder()
        .timeout(Duration::from_millis(200))
        .start(Bot::new().handler(slow).into_router())
        .await;
    let reply = t.user("alice@example.org").says("hi").await;
    assert!(reply.timed_out());
    reply.assert_error(Condition::RecipientUnavailable);
    assert_eq!(reply.error().unwrap().type_, ErrorType::Wait);
}

#[tokio::test]
async fn a_webhook_that_is_down_yields_recipient_unavailable() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let t = TestProsody::builder()
        .connect(format!("http://{addr}"))
        .await;
    assert_eq!(t.probe_outcome().unwrap().status, None);
    let reply = t.user("alice@example.org").says("anyone?").await;
    assert!(reply.failed());
    reply.assert_error(Condition::RecipientUnavailable);
}

#[tokio::test]
async fn callback_url_placeholders_are_filled_in_and_url_encoded() {
    use std::sync::{Arc, Mutex};
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let record = seen.clone();
    let router = axum::Router::new().fallback(move |uri: axum::http::Uri| {
        let record = record.clone();
        async move {
            record.lock().unwrap().push(uri.to_string());
            axum::http::StatusCode::ACCEPTED
        }
    });
    let t = TestProsody::builder()
        .callback_path("/hook/{kind}/{type}/{from}")
        .start(router)
        .await;
    t.user("alice@example.org/a b")
        .says("hi")
        .await
        .assert_no_reply();
    let seen = seen.lock().unwrap();
    assert_eq!(seen[0], "/hook/meta/info/bot.example.net", "the probe");
    assert_eq!(seen[1], "/hook/message/chat/alice%40example.org%2Fa%20b");
}
