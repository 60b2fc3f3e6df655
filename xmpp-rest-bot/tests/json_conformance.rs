//! mod_rest's JSON mode as a real Prosody runs it, with each module version,
//! through real HTTP: error replies that arrive, replies JSON cannot carry
//! answered in XML, the early-2020 module's JSON shapes, and the JSON-mode
//! captures replayed through `TestProsody` (posts compared with what the real
//! module posted, replies with what the user received). Every bot test runs
//! in the four setups: both module versions, XML and JSON.

mod command_support;
mod webhook_support;

use std::time::Duration;

use axum::http::{StatusCode, header};
use command_support::Env;
use webhook_support::{capture, normalized, sorted};
use xmpp_rest_bot::command::{BotCommands, Command};
use xmpp_rest_bot::extract::{FromStanza, Incoming, IqPayload, Rejection};
use xmpp_rest_bot::prelude::*;
use xmpp_rest_bot::reply::{IqResult, Reply};
use xmpp_rest_bot::stanza::{
    self, AdHocActions, AdHocNote, DataForm, DiscoInfo, Element, FormField, Payload, Ping, Receipt,
    Version,
};
use xmpp_rest_bot::testing::{ModRestVersion, Received, TestProsody, mod_rest_reply};
use xmpp_rest_bot::wire::{Limits, json};

const SETUPS: [(ModRestVersion, WireFormat); 4] = [
    (ModRestVersion::Current, WireFormat::Xml),
    (ModRestVersion::Current, WireFormat::Json),
    (ModRestVersion::Early2020, WireFormat::Xml),
    (ModRestVersion::Early2020, WireFormat::Json),
];

/// `bot` served to an emulated Prosody of `version` posting in `format`.
async fn emulated(version: ModRestVersion, format: WireFormat, bot: Bot) -> TestProsody {
    let prosody = TestProsody::builder()
        .version(version)
        .content_type(format)
        .start(bot.format(format).into_router())
        .await;
    assert_eq!(prosody.format(), format);
    prosody
}

/// The format the webhook answered in.
fn answered_in(received: &Received) -> WireFormat {
    received
        .content_type()
        .and_then(WireFormat::from_content_type)
        .unwrap_or_else(|| panic!("no stanza in the answer: {received:?}"))
}

// ------------------------------------------------------- error replies

async fn refuse(MessageText(_): MessageText) -> StanzaError {
    StanzaError::new(Condition::Forbidden).with_text("admins only")
}

async fn crash(MessageText(_): MessageText) -> String {
    panic!("boom")
}

async fn dawdle(MessageText(text): MessageText) -> String {
    tokio::time::sleep(Duration::from_millis(400)).await;
    text
}

/// Only admins: an extractor that refuses everyone, with an error.
struct Admin;

impl<S: Sync> FromStanza<S> for Admin {
    fn from_stanza(_: &Incoming, _: &S) -> Result<Self, Rejection> {
        Err(Rejection::error(
            StanzaError::new(Condition::NotAllowed).with_text("admins only"),
        ))
    }
}

async fn admin_only(_: Admin, MessageText(text): MessageText) -> String {
    text
}

#[tokio::test]
async fn message_errors_reach_the_sender_in_every_setup() {
    for (version, format) in SETUPS {
        let setup = format!("{version:?} {format}");
        let prosody = emulated(version, format, Bot::new().handler(refuse)).await;
        let received = prosody.user("alice@example.org/phone").says("hi").await;
        received.assert_error(Condition::Forbidden);
        let error = received.error().unwrap();
        assert_eq!(error.text.as_deref(), Some("admins only"), "{setup}");
        assert_eq!(received.stanza().unwrap().id(), received.sent().id());
        // Still JSON, written the way mod_rest delivers it: without "type".
        assert_eq!(answered_in(&received), format, "{setup}");
        if format == WireFormat::Json {
            let answer: serde_json::Value = serde_json::from_slice(received.answer()).unwrap();
            assert_eq!(answer.get("type"), None, "{setup}: {answer}");
            assert_eq!(answer["error"]["condition"], "forbidden");
        }

        let prosody = emulated(version, format, Bot::new().handler(admin_only)).await;
        let received = prosody.user("alice@example.org/phone").says("hi").await;
        received.assert_error(Condition::NotAllowed);
        assert_eq!(
            received.error().unwrap().text.as_deref(),
            Some("admins only")
        );

        let prosody = emulated(version, format, Bot::new().handler(crash)).await;
        let received = prosody.user("alice@example.org/phone").says("hi").await;
        received.assert_error(Condition::InternalServerError);

        let bot = Bot::new()
            .handler(dawdle)
            .timeout(Duration::from_millis(50));
        let prosody = emulated(version, format, bot).await;
        let received = prosody.user("alice@example.org/phone").says("hi").await;
        received.assert_error(Condition::RemoteServerTimeout);

        // Load shedding: the second of two concurrent messages is refused
        // with an error stanza too (503 without a body).
        let bot = Bot::new().handler(dawdle).max_concurrency(1);
        let prosody = emulated(version, format, bot).await;
        let alice = prosody.user("alice@example.org/phone");
        let bob = prosody.user("bob@example.org/laptop");
        let (first, second) = tokio::join!(alice.says("one"), async {
            tokio::time::sleep(Duration::from_millis(100)).await;
            bob.says("two").await
        });
        first.assert_body("one");
        second.assert_error(Condition::ServiceUnavailable);
    }
}

#[tokio::test]
async fn iq_errors_reach_the_sender_in_every_setup() {
    async fn deny(IqPayload(_): IqPayload<Ping>) -> StanzaError {
        StanzaError::new(Condition::Forbidden).with_text("no")
    }
    for (version, format) in SETUPS {
        let prosody = emulated(version, format, Bot::new().handler(deny)).await;
        let received = prosody.user("alice@example.org/phone").iq_get(Ping).await;
        received.assert_error(Condition::Forbidden);
        assert_eq!(received.error().unwrap().text.as_deref(), Some("no"));
        assert_eq!(answered_in(&received), format);
    }
}

// ------------------------------------------------- what JSON cannot carry

#[derive(BotCommands, Debug, PartialEq)]
enum Ops {
    /// Deploy a version to an environment.
    Deploy { env: Env, version: String },
}

async fn ops(Command(cmd): Command<Ops>) -> String {
    match cmd {
        Ops::Deploy { env, version } => format!("deploying {version} to {env:?}"),
    }
}

fn ops_bot() -> Bot {
    Bot::new().handler(ops).ad_hoc_commands::<Ops>()
}

fn field_vars(form: &DataForm) -> Vec<&str> {
    form.fields
        .iter()
        .filter_map(|f| f.var.as_deref())
        .collect()
}

#[tokio::test]
async fn ad_hoc_forms_and_notes_arrive_whole_where_the_request_reaches_the_bot() {
    for (version, format) in SETUPS {
        let setup = format!("{version:?} {format}");
        let prosody = emulated(version, format, ops_bot()).await;
        let alice = prosody.user("alice@example.org/phone");
        let received = alice.iq_set(stanza::AdHocCommand::execute("deploy")).await;
        if (version, format) == (ModRestVersion::Early2020, WireFormat::Json) {
            // The module posts the command without its payload: the bot
            // cannot know what was asked, and says so.
            received.assert_error(Condition::ServiceUnavailable);
            let text = received.error().unwrap().text.clone().unwrap_or_default();
            assert!(text.contains("early-2020"), "{setup}: {text}");
            continue;
        }
        // A form with two fields: XML, whatever the request's format.
        assert_eq!(answered_in(&received), WireFormat::Xml, "{setup}");
        let step: stanza::AdHocCommand = received.payload().expect("a command");
        let form = step.form.clone().expect("a form");
        assert_eq!(field_vars(&form), ["env", "version"], "{setup}");
        let sessionid = step.sessionid.clone().expect("a session");

        let submit = stanza::AdHocCommand::new("deploy")
            .with_action("complete")
            .with_sessionid(sessionid)
            .with_form(DataForm::submit([("env", "mars"), ("version", "1.2")]));
        let received = alice.iq_set(submit).await;
        assert_eq!(answered_in(&received), WireFormat::Xml, "{setup}");
        let again: stanza::AdHocCommand = received.payload().expect("a command");
        assert!(again.actions.is_some(), "{setup}");
        let note = again.notes.first().expect("the note beside the actions");
        assert!(
            note.text.starts_with("deploy: invalid <env> \"mars\"")
                && note.text.ends_with("(usage: !deploy <env> <version>)"),
            "{setup}: {}",
            note.text
        );
        assert_eq!(field_vars(again.form.as_ref().unwrap()), ["env", "version"]);
    }
}

/// A payload of the bot's own, which mod_rest's JSON mapping has no key for.
#[derive(Debug, Clone, PartialEq)]
struct Stats {
    uptime: String,
}

impl Payload for Stats {
    const NAME: &'static str = "stats";
    const NS: &'static str = "urn:example:stats";
    fn from_element(el: &Element) -> xmpp_rest_bot::Result<Self> {
        Ok(Stats {
            uptime: el.child_text("uptime", Self::NS).unwrap_or_default(),
        })
    }
    fn to_element(&self) -> Element {
        Element::builder(Self::NAME, Self::NS)
            .child(
                Element::builder("uptime", Self::NS)
                    .text(&self.uptime)
                    .build(),
            )
            .build()
    }
}

/// Pings are answered with the bot's stats: a payload of its own in answer
/// to a query every module posts (a query in a payload of its own would not
/// reach the bot in JSON at all: the mapping drops it).
async fn stats(IqPayload(_): IqPayload<Ping>) -> IqResult<Stats> {
    IqResult(Stats {
        uptime: "42 days".into(),
    })
}

#[tokio::test]
async fn custom_payloads_arrive_in_json_mode() {
    for (version, format) in SETUPS {
        let prosody = emulated(version, format, Bot::new().handler(stats)).await;
        let received = prosody.user("alice@example.org/phone").iq_get(Ping).await;
        received.assert_result();
        assert_eq!(answered_in(&received), WireFormat::Xml);
        assert_eq!(
            received.payload::<Stats>(),
            Some(Stats {
                uptime: "42 days".into()
            })
        );
    }
}

// --------------------------------------------- the early-2020 module's JSON

#[tokio::test]
async fn disco_info_ping_and_version_with_each_module() {
    for (version, format) in SETUPS {
        let setup = format!("{version:?} {format}");
        let bot = Bot::new()
            .handler(refuse)
            .builtin(xmpp_rest_bot::bot::Builtin::default().name("Ops bot"));
        let prosody = emulated(version, format, bot).await;
        let alice = prosody.user("alice@example.org/phone");

        let received = alice.iq_get(DiscoInfo::new()).await;
        let info: DiscoInfo = received.payload().unwrap_or_else(|| panic!("{setup}"));
        let identity = info.identities.first().expect("an identity");
        assert_eq!(
            (identity.category.as_str(), identity.type_.as_str()),
            ("client", "bot")
        );
        assert_eq!(identity.name.as_deref(), Some("Ops bot"));
        assert!(
            info.features.iter().any(|f| f == "urn:xmpp:ping"),
            "{setup}"
        );
        if (version, format) == (ModRestVersion::Early2020, WireFormat::Json) {
            // What the early module posts for a disco#info query.
            let posted: serde_json::Value = serde_json::from_slice(received.posted_body()).unwrap();
            assert_eq!(
                posted["disco"],
                serde_json::json!({"identities": [], "features": []})
            );
        }

        alice.iq_get(Ping).await.assert_result();

        let received = alice.iq_get(Version::default()).await;
        if (version, format) == (ModRestVersion::Early2020, WireFormat::Json) {
            received.assert_error(Condition::ServiceUnavailable);
        } else {
            let software: Version = received.payload().unwrap_or_else(|| panic!("{setup}"));
            assert!(software.name.is_some(), "{setup}");
        }
    }
}

// ------------------------------------------------- the emulator is strict

/// A webhook that answers every post with this status, type and body.
fn canned(status: u16, content_type: &'static str, body: &'static str) -> axum::Router {
    axum::Router::new().fallback(move || async move {
        (
            StatusCode::from_u16(status).unwrap(),
            [(header::CONTENT_TYPE, content_type)],
            body,
        )
    })
}

const TYPED_ERROR: &str =
    r#"{"kind":"message","type":"error","error":{"type":"auth","condition":"forbidden"}}"#;

#[tokio::test]
#[should_panic(
    expected = "mod_rest drops the bot's reply, because the webhook answered a \
                           message error in JSON with \"type\": \"error\""
)]
async fn a_bot_whose_json_message_error_is_lost_fails_its_test() {
    let prosody = TestProsody::builder()
        .content_type(WireFormat::Json)
        .start(canned(403, "application/json", TYPED_ERROR))
        .await;
    let received = prosody.user("alice@example.org/phone").says("hi").await;
    assert!(received.is_none());
    received.assert_error(Condition::Forbidden);
}

#[tokio::test]
#[should_panic(expected = "the bot answered a reply that mod_rest drops")]
async fn a_lost_reply_is_not_taken_for_no_reply() {
    let prosody = TestProsody::builder()
        .version(ModRestVersion::Early2020)
        .content_type(WireFormat::Json)
        .start(canned(403, "application/json", TYPED_ERROR))
        .await;
    let received = prosody.user("alice@example.org/phone").says("hi").await;
    received.assert_no_reply();
}

/// Replies whose JSON form the SDK lets through, and some it does not.
fn replies() -> Vec<Stanza> {
    let to: Jid = "alice@example.org/phone".parse().unwrap();
    let chat = || Message::chat(to.clone(), "hi");
    let iq = Iq::get(Ping).with_id("q1");
    let two_fields = DataForm::form()
        .with_field(FormField::text_single("env", "Environment"))
        .with_field(FormField::text_single("version", "Version"));
    vec![
        Stanza::Message(chat()),
        Stanza::Message({
            let mut m = chat();
            m.lang = Some("en".into());
            m
        }),
        Stanza::Message({
            let mut m = chat();
            m.error = Some(StanzaError::new(Condition::Forbidden).with_text("no"));
            m.type_ = MessageType::Error;
            m
        }),
        Stanza::Message({
            let mut m = chat();
            m.receipt = Some(Receipt::Received {
                id: Some("m1".into()),
            });
            m
        }),
        Stanza::Message({
            let mut m = chat();
            m.thread = Some(stanza::Thread {
                id: "t1".into(),
                parent: None,
            });
            m
        }),
        Stanza::Presence(Presence::available().with_status("here")),
        Stanza::Iq(iq.result::<Ping>(None)),
        Stanza::Iq(iq.clone()).error(StanzaError::new(Condition::Forbidden).with_text("no")),
        Stanza::Iq(iq.result(Some(Version::new("bot", "1")))),
        Stanza::Iq(iq.result(Some(DiscoInfo::new().with_feature("urn:xmpp:ping")))),
        Stanza::Iq(iq.result(Some(
            stanza::AdHocCommand::new("deploy").with_form(two_fields.clone()),
        ))),
        Stanza::Iq(
            iq.result(Some(
                stanza::AdHocCommand::new("deploy")
                    .with_actions(AdHocActions::new().with_complete())
                    .with_note(AdHocNote::error("bad env")),
            )),
        ),
        Stanza::Iq(iq.result(Some(Stats { uptime: "1".into() }))),
    ]
}

/// The SDK's rule (`reply_gap`) and the emulation rest on the same facts:
/// what the rule sends in JSON arrives intact with both modules; what it
/// sends in XML would not have, with at least one of them.
#[test]
fn replies_json_carries_arrive_intact_and_the_others_do_not() {
    let incoming = Stanza::Message(
        Message::chat("bot@bot.example.net".parse().unwrap(), "hi")
            .with_from("alice@example.org/phone".parse().unwrap())
            .with_id("m1"),
    );
    let alice: Jid = "alice@example.org/phone".parse().unwrap();
    let bot: Jid = "bot@bot.example.net".parse().unwrap();
    let mut iq = Iq::get(Ping).with_id("q1");
    (iq.from, iq.to) = (Some(alice.clone()), Some(bot.clone()));
    let incoming_iq = Stanza::Iq(iq);
    let mut presence = Presence::available();
    (presence.from, presence.to) = (Some(alice), Some(bot));
    let presence = Stanza::Presence(presence);
    let mut carried = 0;
    for reply in replies() {
        let incoming = match reply.kind() {
            StanzaKind::Message => &incoming,
            StanzaKind::Presence => &presence,
            _ => &incoming_iq,
        };
        let gap = json::reply_gap(&reply);
        let body = json::encode(&reply);
        let intact_with = |version| {
            let delivery = mod_rest_reply(version, incoming, 200, Some("application/json"), &body);
            let Some(mut got) = delivery.stanza else {
                return false;
            };
            let mut want = reply.clone();
            for s in [&mut got, &mut want] {
                match s {
                    Stanza::Message(m) => (m.to, m.from, m.id) = (None, None, None),
                    Stanza::Presence(p) => (p.to, p.from, p.id) = (None, None, None),
                    Stanza::Iq(i) => (i.to, i.from, i.id) = (None, None, None),
                    _ => unreachable!(),
                }
            }
            sorted(got) == sorted(want)
        };
        let both = intact_with(ModRestVersion::Current) && intact_with(ModRestVersion::Early2020);
        match gap {
            None => {
                assert!(both, "JSON does not carry {reply:?}");
                carried += 1;
            }
            Some(gap) => assert!(!both, "{gap}, yet JSON carries {reply:?}"),
        }
    }
    assert!(carried >= 5, "the cases cover both sides");
}

// ---------------------------------------------- the captures, over HTTP

/// Replays a JSON-mode capture through `TestProsody` over HTTP: the user's
/// stanza is sent from the recorded address, the webhook answers what was
/// recorded; the post must be what the real module posted (JSON posts), the
/// reply what the user received.
async fn replay_over_http(version: ModRestVersion, name: &str) {
    let case = capture(name);
    let recorded_post = case.stanza();
    let mut sent = WireFormat::Xml
        .decode(case.sent.as_bytes(), &Limits::default())
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    if let (Stanza::Message(m), Some(from)) = (&mut sent, recorded_post.from()) {
        m.from = Some(from.clone());
    } else if let (Stanza::Iq(iq), Some(from)) = (&mut sent, recorded_post.from()) {
        iq.from = Some(from.clone());
    }
    let posted_format = case.format();
    let answer_type: &'static str = match case.answer_content_type.as_str() {
        "application/json" => "application/json",
        "application/xmpp+xml" => "application/xmpp+xml",
        _ => "text/plain",
    };
    let body: &'static str = Box::leak(case.answer_body.clone().into_boxed_str());
    let prosody = TestProsody::builder()
        .version(version)
        .content_type(posted_format)
        .user_lang(None)
        .start(canned(case.answer_status, answer_type, body))
        .await;
    let received = prosody.deliver(sent).await;
    if posted_format == WireFormat::Json {
        let ours: serde_json::Value = serde_json::from_slice(received.posted_body()).unwrap();
        let theirs: serde_json::Value = serde_json::from_str(&case.body).unwrap();
        assert_eq!(ours, theirs, "{name}: the post");
    }
    match (case.received.first(), received.stanza()) {
        (None, None) => {}
        (Some(expected), Some(ours)) => {
            let expected = WireFormat::Xml
                .decode(expected.as_bytes(), &Limits::default())
                .unwrap();
            assert_eq!(
                normalized(ours.clone(), received.sent(), &expected),
                sorted(expected),
                "{name}"
            );
        }
        (expected, ours) => panic!("{name}: the user received {expected:?}, we give {ours:?}"),
    }
}

#[tokio::test]
async fn the_json_captures_replay_over_http() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mod_rest");
    let mut replayed = 0;
    for (sub, version) in [
        ("json-2020", ModRestVersion::Early2020),
        ("json-2023", ModRestVersion::Current),
    ] {
        let mut names: Vec<String> = std::fs::read_dir(dir.join(sub))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .map(|p| format!("{sub}/{}", p.file_stem().unwrap().to_string_lossy()))
            .collect();
        names.sort();
        for name in names {
            replay_over_http(version, &name).await;
            replayed += 1;
        }
    }
    assert_eq!(replayed, 19);
}

#[tokio::test]
async fn a_reply_with_a_receipt_goes_in_xml() {
    async fn acknowledged(MessageText(text): MessageText) -> Reply {
        let mut reply = Message::new(MessageType::Chat).with_body(text);
        reply.receipt = Some(Receipt::Received {
            id: Some("m1".into()),
        });
        Reply::stanza(reply)
    }
    let prosody = emulated(
        ModRestVersion::Current,
        WireFormat::Json,
        Bot::new().handler(acknowledged),
    )
    .await;
    let received = prosody.user("alice@example.org/phone").says("hi").await;
    assert_eq!(answered_in(&received), WireFormat::Xml);
    assert!(received.message().unwrap().receipt.is_some());
}
