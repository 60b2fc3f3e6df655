//! Every example in `examples/`, driven as a user would: the webhook bots
//! through `testing::TestProsody` (what mod_rest posts, and what the XMPP user
//! then receives), the senders against `testing::MockRest`.
//!
//! The examples are included as modules: each keeps its bot (or its sending
//! code) in a function that its `main` serves and these tests call, so that
//! what is tested is exactly what runs. (`cargo test` also builds them as
//! examples, so they compile as programs too.)

use std::collections::HashMap;
use std::time::Duration;

use xmpp_rest_bot::prelude::*;
use xmpp_rest_bot::stanza::{self, DataForm, DiscoItems, ErrorType, Ping, Version, ns};
use xmpp_rest_bot::testing::{MockRest, ModRestVersion, TestProsody};

// ANCHOR: include_example
#[allow(dead_code)] // `main` is not called here
#[path = "../echo_bot.rs"]
mod echo_bot;
// ANCHOR_END: include_example
#[allow(dead_code)]
#[path = "../chatops.rs"]
mod chatops;
#[allow(dead_code)]
#[path = "../echo_json.rs"]
mod echo_json;
#[allow(dead_code)]
#[path = "../iq_responder.rs"]
mod iq_responder;
#[allow(dead_code)]
#[path = "../muc_bot.rs"]
mod muc_bot;
#[allow(dead_code)]
#[path = "../nested_axum.rs"]
mod nested_axum;
#[allow(dead_code)]
#[path = "../notifier.rs"]
mod notifier;

// ----- echo_bot, echo_json -----

#[tokio::test]
async fn echo_bot_answers_in_xml() {
    let t = TestProsody::start(echo_bot::bot().into_router()).await;
    assert_eq!(t.format(), WireFormat::Xml);
    let alice = t.user("alice@example.org/phone");

    let received = alice.says("hi there").await;
    received.assert_body("hi there");
    assert_eq!(received.content_type(), Some("application/xmpp+xml"));
    let reply = received.message().unwrap();
    assert_eq!(reply.type_, MessageType::Chat);
    assert_eq!(
        reply.to.as_ref().unwrap().to_string(),
        "alice@example.org/phone"
    );

    // In a room the echo goes back to the room.
    let received = t
        .occupant("ops@rooms.example.org", "carol")
        .says("hello room")
        .await;
    received.assert_body("hello room");
    assert_eq!(received.message().unwrap().type_, MessageType::Groupchat);
    assert_eq!(
        received.message().unwrap().to.as_ref().unwrap().to_string(),
        "ops@rooms.example.org"
    );

    // No body (a chat state alone), a headline: no reply.
    alice
        .sends(Message::new(MessageType::Chat))
        .await
        .assert_no_reply();
    alice
        .sends(Message::new(MessageType::Headline).with_body("news"))
        .await
        .assert_no_reply();
}

#[tokio::test]
async fn echo_json_negotiates_json_with_the_probe() {
    let t = TestProsody::start(echo_json::bot().into_router()).await;
    let probe = t.probe_outcome().unwrap();
    assert_eq!(probe.status, Some(200));
    assert!(
        probe
            .accept
            .as_deref()
            .unwrap()
            .starts_with("application/json")
    );
    assert_eq!(t.format(), WireFormat::Json);

    let received = t.user("alice@example.org/phone").says("hi").await;
    received.assert_body("hi");
    assert!(received.posted_body().starts_with(b"{"));
    assert_eq!(received.content_type(), Some("application/json"));
    let answer: serde_json::Value = serde_json::from_slice(received.answer()).unwrap();
    assert_eq!(answer["body"], "hi");
}

#[tokio::test]
async fn echo_json_still_answers_xml_without_the_probe() {
    // The early-2020 mod_rest sends no probe: it posts in the configured
    // `rest_callback_content_type` (XML by default), and gets XML back.
    let t = TestProsody::builder()
        .version(ModRestVersion::Early2020)
        .start(echo_json::bot().into_router())
        .await;
    assert_eq!(t.format(), WireFormat::Xml);
    let received = t.user("alice@example.org").says("hi").await;
    received.assert_body("hi");
    assert_eq!(received.content_type(), Some("application/xmpp+xml"));
}

// ----- chatops -----

async fn chatops() -> TestProsody {
    let access = xmpp_rest_bot::guard::Access::new()
        .group("ops", ["alice@localhost"])
        .unwrap()
        .group("viewers", ["*"])
        .unwrap();
    TestProsody::builder()
        .component("ops.localhost")
        .start(chatops::bot(access).into_router())
        .await
}

#[tokio::test]
async fn chatops_runs_commands_for_operators_once_confirmed() {
    let t = chatops().await;
    let alice = t.user("alice@localhost/phone");
    alice.says("!deploy prod v1.4.2").await.assert_body(
        "Run !deploy env=\"prod\" version=\"v1.4.2\"? Answer !yes or !no within 60 s.",
    );
    alice
        .says("!yes")
        .await
        .assert_body("deploying v1.4.2 to production (requested by alice@localhost)");
    alice.says("!deploy production v1.4.2").await;
    alice
        .says("yes")
        .await
        .assert_body("v1.4.2 already runs on production");
    alice
        .says("/status")
        .await
        .assert_body("staging: nothing deployed\nproduction: v1.4.2");
    alice
        .says("!st stg")
        .await
        .assert_body("staging: nothing deployed");
    alice
        .says("!rollback prod \"bad build\"")
        .await
        .assert_body("Roll back? Every instance restarts. Answer !yes or !no within 60 s.");
    alice
        .says("!yes")
        .await
        .assert_body("production has no previous release to roll back to");
    alice.says("!deploy prod v1.4.3").await;
    alice.says("!yes").await;
    alice.says("!rollback prod broken login page").await;
    alice
        .says("!no")
        .await
        .assert_body("Cancelled: !rollback env=\"prod\" reason=\"broken login page\" was not run.");
    alice.says("!rollback prod broken login page").await;
    alice
        .says("!yes")
        .await
        .assert_body("rolled production back from v1.4.3 to v1.4.2 (broken login page)");
    // In the ops room: viewers (everyone) get the status, in the room.
    let occupant = t
        .occupant("ops@conference.localhost", "alice")
        .to("ops@ops.localhost");
    let r = occupant.says("!status prod").await;
    r.assert_body("production: v1.4.2");
    assert_eq!(r.message().unwrap().type_, MessageType::Groupchat);
    // A nick the room gave no real JID for is not alice's account.
    occupant
        .says("!deploy prod v1.4.4")
        .await
        .assert_error(Condition::Forbidden);
}

#[tokio::test]
async fn chatops_explains_mistakes_and_refuses_strangers() {
    let t = chatops().await;
    let alice = t.user("alice@localhost/phone");
    alice
        .says("!deploy prod")
        .await
        .assert_body("deploy: missing argument <version> (usage: !deploy <env> <version>)");
    let r = alice.says("!deploy moon v1").await;
    assert!(
        r.body()
            .unwrap()
            .contains("expected staging (stg) or production (prod)"),
        "{r:?}"
    );
    let r = alice.says("!deploy prod 1.4").await;
    assert!(
        r.body().unwrap().contains("a version starts with v"),
        "{r:?}"
    );
    alice
        .says("!deplyo prod v1")
        .await
        .assert_body("unknown command \"deplyo\": did you mean \"!deploy\"?");
    let help = alice.says("!help").await;
    assert!(
        help.body()
            .unwrap()
            .starts_with("Commands:\n!deploy <env> <version>"),
        "{help:?}"
    );
    // Not a command: no handler takes it.
    alice.says("good morning").await.assert_no_reply();

    let mallory = t.user("mallory@example.org");
    let r = mallory.says("!deploy prod v6.6.6").await;
    r.assert_error(Condition::Forbidden);
    assert_eq!(
        r.error().unwrap().text.as_deref(),
        Some("!deploy is for the ops group only")
    );
    // The help shows what mallory may run.
    let help = mallory.says("!help").await;
    assert_eq!(
        help.body().unwrap(),
        "Commands:\n!status [env] — Show what runs where. (also !st)"
    );
}

#[tokio::test]
async fn chatops_commands_are_ad_hoc_commands_too() {
    let t = chatops().await;
    let gajim = t.user("alice@localhost/gajim").to("ops@ops.localhost");

    // The commands menu: one item per command alice may run.
    let r = gajim.iq_get(DiscoItems::for_node(ns::COMMANDS)).await;
    r.assert_result();
    let items = r.payload::<DiscoItems>().unwrap().items;
    let nodes: Vec<_> = items.iter().filter_map(|i| i.node.as_deref()).collect();
    assert_eq!(nodes, ["deploy", "status", "rollback"]);

    // Executing `status` gives a form; submitting it runs the chat handler.
    let r = gajim.iq_set(stanza::AdHocCommand::execute("status")).await;
    let stage: stanza::AdHocCommand = r.payload().unwrap();
    assert_eq!(stage.status.as_deref(), Some("executing"));
    let fields: Vec<_> = stage
        .form
        .as_ref()
        .unwrap()
        .fields
        .iter()
        .filter_map(|f| f.var.clone())
        .collect();
    assert_eq!(fields, ["env"]);
    let submit = stanza::AdHocCommand::new("status")
        .with_action("complete")
        .with_sessionid(stage.sessionid.clone().unwrap())
        .with_form(DataForm::submit([("env", "staging")]));
    let done: stanza::AdHocCommand = gajim.iq_set(submit).await.payload().unwrap();
    assert_eq!(done.status.as_deref(), Some("completed"));
    assert_eq!(done.notes[0].text, "staging: nothing deployed");

    // A stranger sees only the status, and cannot run the others by node.
    let stranger = t.user("mallory@example.org/gajim").to("ops@ops.localhost");
    let r = stranger.iq_get(DiscoItems::for_node(ns::COMMANDS)).await;
    let items = r.payload::<DiscoItems>().unwrap().items;
    let nodes: Vec<_> = items.iter().filter_map(|i| i.node.as_deref()).collect();
    assert_eq!(nodes, ["status"]);
    let r = stranger
        .iq_set(stanza::AdHocCommand::execute("rollback"))
        .await;
    r.assert_error(Condition::Forbidden);
}

// ----- iq_responder -----

fn host(name: Option<&str>) -> iq_responder::Host {
    iq_responder::Host {
        name: name.map(str::to_owned),
        ..Default::default()
    }
}

#[tokio::test]
async fn iq_responder_answers_its_own_payload() {
    let t = TestProsody::start(iq_responder::bot().into_router()).await;
    let alice = t.user("alice@example.org/laptop");

    let received = alice.iq_get(host(Some("web1"))).await;
    received.assert_result();
    let answer: iq_responder::Host = received.payload().unwrap();
    assert_eq!(answer.name.as_deref(), Some("web1"));
    assert_eq!(answer.address.as_deref(), Some("192.0.2.10"));
    assert_eq!(answer.role.as_deref(), Some("frontend"));
    // On the wire: the custom element, in its namespace.
    let xml = String::from_utf8(received.answer().to_vec()).unwrap();
    assert!(xml.contains("urn:example:inventory"), "{xml}");

    let received = alice.iq_get(host(Some("web9"))).await;
    received.assert_error(Condition::ItemNotFound);
    let error = received.error().unwrap();
    assert_eq!(error.type_, ErrorType::Cancel);
    assert!(error.text.as_deref().unwrap().contains("web9"));

    alice
        .iq_get(host(None))
        .await
        .assert_error(Condition::BadRequest);
    // No handler takes a set.
    alice
        .iq_set(host(Some("web1")))
        .await
        .assert_error(Condition::ServiceUnavailable);
}

#[tokio::test]
async fn iq_responder_answers_version_and_ping() {
    let t = TestProsody::start(iq_responder::bot().into_router()).await;
    let alice = t.user("alice@example.org/laptop");

    let received = alice.iq_get(Version::default()).await;
    received.assert_result();
    let version: Version = received.payload().unwrap();
    assert_eq!(version.name.as_deref(), Some("inventory-bot"));
    assert_eq!(version.version.as_deref(), Some("1.0.0"));

    // The pong is an empty result, made by mod_rest from the 202.
    let received = alice.iq_get(Ping).await;
    assert_eq!(received.status(), Some(202));
    received.assert_result();
    assert!(received.iq().unwrap().payload.is_none());
}

// ----- muc_bot -----

const ROOM: &str = "ops@conference.example.net";

#[tokio::test]
async fn muc_bot_joins_through_rest_as_the_component() {
    let mock = MockRest::builder()
        .domain("example.net")
        .token("component-token", "bot.example.net".parse().unwrap())
        .start()
        .await
        .unwrap();
    let client = xmpp_rest_bot::client::RestClient::builder(mock.url())
        .bearer_token("component-token")
        .build()
        .unwrap();

    muc_bot::join(&client, ROOM).await.unwrap();

    let sent = mock.wait_for_sent(1, Duration::from_secs(5)).await;
    let Stanza::Presence(join) = &sent[0] else {
        panic!("expected a presence, got {sent:?}");
    };
    assert_eq!(
        join.to.as_ref().unwrap().to_string(),
        format!("{ROOM}/{}", muc_bot::NICK)
    );
    assert_eq!(join.from.as_ref().unwrap().to_string(), "bot.example.net");
    assert_eq!(join.type_, PresenceType::Available);
    let history = join.muc.as_ref().unwrap().history.as_ref().unwrap();
    assert_eq!(history.max_stanzas, Some(0));

    // A room that does not exist or a nick that is not valid is the caller's error.
    assert!(muc_bot::join(&client, "not a room").await.is_err());
}

#[tokio::test]
async fn muc_bot_answers_mentions_in_the_room() {
    let t = TestProsody::builder()
        .component("bot.example.net")
        .start(muc_bot::bot().into_router())
        .await;
    let alice = t.occupant(ROOM, "alice");

    let received = alice.says("opsbot: ping").await;
    received.assert_body("alice: pong");
    let reply = received.message().unwrap();
    assert_eq!(reply.type_, MessageType::Groupchat);
    assert_eq!(reply.to.as_ref().unwrap().to_string(), ROOM);

    alice
        .says("OpsBot, help")
        .await
        .assert_body("alice: I answer `opsbot: ping`");
    alice
        .says("opsbot deploy")
        .await
        .assert_body("alice: I don't know \"deploy\", try `opsbot: help`");

    // Not a mention, a mention in the middle, the nick alone: nothing.
    alice.says("hello everyone").await.assert_no_reply();
    alice.says("ask opsbot: ping").await.assert_no_reply();
    alice.says("opsbot").await.assert_no_reply();
    // Its own messages, reflected by the room: never answered.
    t.occupant(ROOM, "opsbot")
        .says("opsbot: ping")
        .await
        .assert_no_reply();
    // A private chat message is not a room mention.
    t.user("alice@example.org/phone")
        .says("opsbot: ping")
        .await
        .assert_no_reply();
}

#[tokio::test]
async fn muc_bot_takes_the_rooms_error_presence_without_answering() {
    let t = TestProsody::builder()
        .component("bot.example.net")
        .start(muc_bot::bot().into_router())
        .await;
    let mut refusal = Presence::new(PresenceType::Error);
    refusal.error = Some(StanzaError::new(Condition::Conflict));
    let received = t.user(&format!("{ROOM}/opsbot")).sends(refusal).await;
    assert_eq!(received.status(), Some(202));
    received.assert_no_reply();
}

// ----- nested_axum -----

/// The nested app behind mod_rest calling `callback_path`: probed and
/// echoing.
async fn nested_axum_at(callback_path: &str) -> TestProsody {
    let t = TestProsody::builder()
        .callback_path(callback_path)
        .start(nested_axum::app())
        .await;
    assert_eq!(t.probe_outcome().unwrap().status, Some(200));
    t.user("alice@example.org")
        .says("hi")
        .await
        .assert_body("hi");
    t
}

#[tokio::test]
async fn nested_axum_serves_the_app_and_the_bot() {
    let t = nested_axum_at("/xmpp/").await;

    let base = format!("http://{}", t.local_addr().unwrap());
    let http = reqwest::Client::new();
    let health = http.get(format!("{base}/health")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(health.text().await.unwrap(), "ok");
    // Outside `/xmpp` the app's router answers, not the bot.
    let other = http
        .post(format!("{base}/other"))
        .body("<message/>")
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 404);
}

#[tokio::test]
async fn nested_axum_takes_callback_urls_with_placeholders() {
    nested_axum_at("/xmpp/{kind}/{type}").await;
}

// ----- notifier -----

fn env(vars: &[(&str, String)]) -> impl Fn(&str) -> Option<String> {
    let vars: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    move |name| vars.get(name).cloned()
}

#[tokio::test]
async fn notifier_sends_a_chat_message() {
    let mock = MockRest::start().await;
    let client = notifier::client_from_env(env(&[
        ("XMPP_REST_URL", mock.url()),
        ("XMPP_REST_TOKEN", MockRest::DEFAULT_TOKEN.to_owned()),
    ]))
    .unwrap();

    notifier::notify(&client, "ops@localhost", "deploy 1a2b3c finished")
        .await
        .unwrap();

    let message = mock.assert_sent_typed_message(
        MessageType::Chat,
        "ops@localhost",
        "deploy 1a2b3c finished",
    );
    assert_eq!(message.from.unwrap().to_string(), "bot@localhost");
    let request = &mock.requests()[0];
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {}", MockRest::DEFAULT_TOKEN).as_str())
    );
}

#[tokio::test]
async fn notifier_with_an_account() {
    let mock = MockRest::start().await;
    let client = notifier::client_from_env(env(&[
        ("XMPP_REST_URL", mock.url()),
        ("XMPP_REST_USER", "bot".to_owned()),
        ("XMPP_REST_PASSWORD", MockRest::DEFAULT_PASSWORD.to_owned()),
    ]))
    .unwrap();
    notifier::notify(&client, "ops@localhost", "backup done")
        .await
        .unwrap();
    mock.assert_sent_message("ops@localhost", "backup done");
}

#[tokio::test]
async fn notifier_reports_refused_credentials_and_bad_settings() {
    let mock = MockRest::start().await;
    let client = notifier::client_from_env(env(&[
        ("XMPP_REST_URL", mock.url()),
        ("XMPP_REST_TOKEN", "wrong".to_owned()),
    ]))
    .unwrap();
    let error = notifier::notify(&client, "ops@localhost", "hi")
        .await
        .unwrap_err();
    assert!(
        error.starts_with("prosody refused the credentials"),
        "{error}"
    );
    mock.assert_nothing_sent();

    let client = notifier::client_from_env(env(&[
        ("XMPP_REST_URL", mock.url()),
        ("XMPP_REST_TOKEN", MockRest::DEFAULT_TOKEN.to_owned()),
    ]))
    .unwrap();
    let error = notifier::notify(&client, "not a jid@", "hi")
        .await
        .unwrap_err();
    assert!(error.starts_with("cannot send the notification"), "{error}");

    let error = notifier::client_from_env(env(&[])).unwrap_err();
    assert!(error.contains("XMPP_REST_URL"), "{error}");
    let error = notifier::client_from_env(env(&[("XMPP_REST_URL", mock.url())])).unwrap_err();
    assert!(error.contains("XMPP_REST_TOKEN"), "{error}");
    let error = notifier::client_from_env(env(&[
        ("XMPP_REST_URL", mock.url()),
        ("XMPP_REST_USER", "bot".to_owned()),
    ]))
    .unwrap_err();
    assert!(error.contains("XMPP_REST_PASSWORD"), "{error}");
    let error = notifier::client_from_env(env(&[
        ("XMPP_REST_URL", "not a url".to_owned()),
        ("XMPP_REST_TOKEN", "t".to_owned()),
    ]))
    .unwrap_err();
    assert!(error.starts_with("cannot build the client"), "{error}");
}

// ----- logs: the echo bot as a program -----

#[path = "support/process.rs"]
mod process;
use process::{example_binary, lines_of, listening_addr, wait_for_line};

/// What a person running `cargo run --example echo_bot` sees: where it
/// listens, one line per stanza (kind, sender, handler, status, time taken),
/// and the shutdown.
#[cfg(unix)]
#[test]
fn echo_bot_logs_each_stanza_and_its_shutdown() {
    use std::io::{Read, Write};
    use std::process::{Command, Stdio};

    let mut bot = Command::new(example_binary("echo_bot"))
        .arg("127.0.0.1:0")
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = lines_of(bot.stdout.take().unwrap());
    let addr = listening_addr(&lines);
    let addr = addr.as_str();

    let body = "<message type='chat' id='m1' from='alice@localhost/phone' \
                to='bot@bot.localhost'><body>hi</body></message>";
    let mut http = std::net::TcpStream::connect(addr).unwrap();
    write!(
        http,
        "POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/xmpp+xml\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    http.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");

    let line = wait_for_line(&lines, "answered");
    for part in [
        " INFO ",
        "kind=message",
        "from=alice@localhost/phone",
        "handler=echo_bot::echo",
        "status=200",
        "took=",
    ] {
        assert!(line.contains(part), "{part:?} missing in {line:?}");
    }

    let interrupted = Command::new("kill")
        .args(["-INT", &bot.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    wait_for_line(&lines, "shutting down");
    assert!(bot.wait().unwrap().success());
}
