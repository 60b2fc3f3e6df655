//! The code the book shows (`book/src/*.md` include it by its `ANCHOR`
//! markers), compiled and tested here so that the book cannot rot. The
//! examples in `examples/` are tested by `examples/tests/examples.rs`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use xmpp_rest_bot::client::RestClient;
use xmpp_rest_bot::extract::Rejection;
use xmpp_rest_bot::handler::{Filter, HandlerExt};
use xmpp_rest_bot::prelude::*;
use xmpp_rest_bot::stanza::{BareJid, Element, Version};
use xmpp_rest_bot::testing::{MockRest, ModRestVersion, TestProsody};

// ===== Handlers and filters =====

// ANCHOR: filters
/// Exactly `!ping`, in a chat.
#[on_message(type = "chat", body = "!ping")]
async fn ping() -> &'static str {
    "pong"
}

/// `!weather Paris`: the regex is checked when the bot compiles, and its
/// named groups reach the handler through `Captures`.
#[on_message(body_regex = r"^!weather (?P<city>\w+)$")]
async fn weather(caps: Captures) -> String {
    format!("sunny in {}", caps.name("city").unwrap_or("?"))
}

/// Only from this account (any of its resources).
#[on_message(from = "admin@example.org", body = "!shutdown")]
async fn shutdown() -> &'static str {
    "shutting down"
}

/// Subscription requests: accept them.
#[on_presence(subscribe)]
async fn accept(_request: Presence) -> Presence {
    Presence::new(PresenceType::Subscribed)
}
// ANCHOR_END: filters

// ANCHOR: fallback
/// Any other `!` command: registered after the commands, so it only sees
/// what they did not take.
#[on_message(body_regex = "^!")]
async fn unknown(Body(text): Body) -> String {
    format!("unknown command {text}, try !ping")
}
// ANCHOR_END: fallback

// ANCHOR: register
fn ops_bot() -> Bot {
    Bot::new()
        .handler(ping)
        .handler(weather)
        .handler(shutdown)
        .handler(unknown) // after the commands
        .handler(accept)
}
// ANCHOR_END: register

#[tokio::test]
async fn handlers_filters_and_order() {
    let t = TestProsody::start(ops_bot().into_router()).await;
    let alice = t.user("alice@example.org/phone");
    alice.says("!ping").await.assert_body("pong");
    alice
        .says("!weather Oslo")
        .await
        .assert_body("sunny in Oslo");
    alice
        .says("!shutdown")
        .await
        .assert_body("unknown command !shutdown, try !ping");
    t.user("admin@example.org/laptop")
        .says("!shutdown")
        .await
        .assert_body("shutting down");
    // Not a command: no handler takes it, no reply.
    alice.says("hello").await.assert_no_reply();
    let subscribed = alice.subscribes().await;
    assert_eq!(
        subscribed.presence().unwrap().type_,
        PresenceType::Subscribed
    );
    // An iq no handler takes (and not one the bot answers itself, such as
    // disco, ping or version): service-unavailable.
    let unhandled_query = Element::builder("query", "urn:example:unknown").build();
    alice
        .sends(Iq::new(IqType::Get, Some(unhandled_query)))
        .await
        .assert_error(Condition::ServiceUnavailable);
}

// ANCHOR: extractors
/// Arguments are extractors: each one takes its part of the stanza, and
/// the handler only runs for stanzas where all of them apply (here: messages,
/// with a sender and a body).
#[on_message(chat)]
async fn whoami(Sender(from): Sender, message: Message, Body(text): Body) -> String {
    let lang = message.lang.as_deref().unwrap_or("unknown");
    format!("{from} said {text:?} (language: {lang})")
}
// ANCHOR_END: extractors

#[tokio::test]
async fn extractors_read_the_stanza() {
    let t = TestProsody::start(Bot::new().handler(whoami).into_router()).await;
    t.user("alice@example.org/phone")
        .says("hi")
        .await
        .assert_body("alice@example.org/phone said \"hi\" (language: en)");
    // A chat state alone has no body: `Body` does not apply, no reply.
    t.user("alice@example.org/phone")
        .sends(Message::new(MessageType::Chat))
        .await
        .assert_no_reply();
}

// ANCHOR: state
/// What the handlers share. Cloned for every handler: keep it cheap to clone.
#[derive(Clone)]
struct AppState {
    counter: Counter,
    greeting: Arc<str>,
}

#[derive(Clone, Default)]
struct Counter(Arc<AtomicU64>);

/// Lets handlers take `State<Counter>`, only the part they need.
impl FromRef<AppState> for Counter {
    fn from_ref(state: &AppState) -> Counter {
        state.counter.clone()
    }
}

#[on_message(body = "!count")]
async fn count(State(counter): State<Counter>) -> String {
    let n = counter.0.fetch_add(1, Ordering::Relaxed) + 1;
    format!("{n} so far")
}

#[on_message(body = "!hello")]
async fn greet(State(state): State<AppState>, Sender(from): Sender) -> String {
    format!("{}, {}", state.greeting, from.to_bare())
}

fn stateful_bot() -> Bot {
    let state = AppState {
        counter: Counter::default(),
        greeting: "welcome aboard".into(),
    };
    // `Bot<AppState>` until the state is given; then `Bot`, ready to serve.
    Bot::<AppState>::new()
        .handler(count)
        .handler(greet)
        .with_state(state)
}
// ANCHOR_END: state

#[tokio::test]
async fn state_is_shared() {
    let t = TestProsody::start(stateful_bot().into_router()).await;
    let alice = t.user("alice@example.org");
    alice.says("!count").await.assert_body("1 so far");
    t.user("bob@example.org")
        .says("!count")
        .await
        .assert_body("2 so far");
    alice
        .says("!hello")
        .await
        .assert_body("welcome aboard, alice@example.org");
}

// ANCHOR: custom_extractor
/// The sender, when it is the administrator. A handler taking `Admin` refuses
/// everyone else with `forbidden`, before it runs.
struct Admin(BareJid);

const ADMIN: &str = "admin@example.org";

impl<S> FromStanza<S> for Admin {
    fn from_stanza(incoming: &Incoming, _state: &S) -> Result<Self, Rejection> {
        let Some(from) = incoming.stanza().from() else {
            // Not applicable: the next handler is tried.
            return Err(Rejection::skip("no sender"));
        };
        let sender = from.to_bare();
        if sender.as_str() == ADMIN {
            Ok(Admin(sender))
        } else {
            // Applicable, and refused: this is the answer.
            Err(Rejection::error(
                StanzaError::new(Condition::Forbidden).with_text("administrators only"),
            ))
        }
    }
}

#[on_message(body = "!restart")]
async fn restart(Admin(who): Admin) -> String {
    format!("restarting, as {who} asked")
}
// ANCHOR_END: custom_extractor

#[tokio::test]
async fn custom_extractors_refuse() {
    let t = TestProsody::start(Bot::new().handler(restart).into_router()).await;
    t.user("admin@example.org/laptop")
        .says("!restart")
        .await
        .assert_body("restarting, as admin@example.org asked");
    let refused = t.user("mallory@example.org").says("!restart").await;
    refused.assert_error(Condition::Forbidden);
    assert_eq!(refused.status(), Some(403));
    assert_eq!(
        refused.error().unwrap().text.as_deref(),
        Some("administrators only")
    );
}

// ANCHOR: without_macros
/// A plain `async fn`: no attribute, no filter of its own.
async fn shout(Body(text): Body) -> String {
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

// ===== Replies and errors =====

// ANCHOR: replies
/// Text: a message of the incoming type, back to the sender (to the room, in a room).
#[on_message(body = "!hi")]
async fn hi() -> &'static str {
    "hi!"
}

/// A stanza of your own, here a message whose type is not the incoming one:
/// mod_rest rewrites the addresses, and keeps the type as written.
#[on_message(body = "!news")]
async fn news() -> Message {
    Message::new(MessageType::Headline).with_body("v1.4.2 is out")
}

/// An error: the sender gets exactly this condition, type and text.
#[on_message(body = "!secret")]
async fn secret() -> StanzaError {
    StanzaError::new(Condition::NotAuthorized).with_text("log in first")
}

/// `Result`: `Ok` and `Err` are replies each.
#[on_message(body_regex = r"^!double (?P<n>\S+)$")]
async fn double(caps: Captures) -> Result<String, StanzaError> {
    let not_a_number = || StanzaError::new(Condition::BadRequest).with_text("not a number");
    let n: i64 = caps
        .name("n")
        .unwrap_or_default()
        .parse()
        .map_err(|_| not_a_number())?;
    n.checked_mul(2)
        .map(|d| d.to_string())
        .ok_or_else(not_a_number)
}

/// `None` (like `()`): no reply at all.
#[on_message(chat)]
async fn only_questions(Body(text): Body) -> Option<&'static str> {
    text.ends_with('?').then_some("good question")
}

/// A built-in iq payload: the iq result carrying it.
#[on_iq(get)]
async fn software(_query: Version) -> Version {
    Version::new("book-bot", "0.1.0")
}
// ANCHOR_END: replies

// ANCHOR: into_reply
/// A type of your own, returned from handlers.
enum Deploy {
    Started(String),
    Busy,
}

impl IntoReply for Deploy {
    fn into_reply(self) -> Reply {
        match self {
            Deploy::Started(version) => Reply::text(format!("deploying {version}")),
            Deploy::Busy => Reply::error(
                StanzaError::new(Condition::ResourceConstraint).with_text("a deploy is running"),
            ),
        }
    }
}

#[on_message(body_regex = r"^!deploy (?P<version>\S+)$")]
async fn deploy(caps: Captures, State(running): State<Arc<AtomicU64>>) -> Deploy {
    if running.fetch_add(1, Ordering::SeqCst) > 0 {
        return Deploy::Busy;
    }
    Deploy::Started(caps.name("version").unwrap_or_default().to_owned())
}
// ANCHOR_END: into_reply

fn replies_bot() -> Bot {
    Bot::<Arc<AtomicU64>>::new()
        .handler(hi)
        .handler(news)
        .handler(secret)
        .handler(double)
        .handler(deploy)
        .handler(only_questions)
        .handler(software)
        .with_state(Arc::default())
}

#[tokio::test]
async fn replies_become_what_the_user_receives() {
    let t = TestProsody::start(replies_bot().into_router()).await;
    let alice = t.user("alice@example.org/phone");

    let r = alice.says("!hi").await;
    assert_eq!(r.status(), Some(200));
    r.assert_body("hi!");
    assert_eq!(r.message().unwrap().type_, MessageType::Chat);

    let r = alice.says("!news").await;
    r.assert_body("v1.4.2 is out");
    assert_eq!(r.message().unwrap().type_, MessageType::Headline);

    let r = alice.says("!secret").await;
    assert_eq!(r.status(), Some(401));
    r.assert_error(Condition::NotAuthorized);
    assert_eq!(r.error().unwrap().text.as_deref(), Some("log in first"));

    alice.says("!double 21").await.assert_body("42");
    let r = alice.says("!double x").await;
    assert_eq!(r.status(), Some(400));
    r.assert_error(Condition::BadRequest);
    alice
        .says(&format!("!double {}", i64::MAX))
        .await
        .assert_error(Condition::BadRequest);

    let r = alice.says("all good").await;
    assert_eq!(r.status(), Some(202));
    r.assert_no_reply();
    alice.says("all good?").await.assert_body("good question");

    let r = alice.iq_get(Version::default()).await;
    r.assert_result();
    assert_eq!(
        r.payload::<Version>().unwrap().name.as_deref(),
        Some("book-bot")
    );

    alice.says("!deploy v2").await.assert_body("deploying v2");
    let r = alice.says("!deploy v3").await;
    r.assert_error(Condition::ResourceConstraint);
    assert_eq!(r.status(), Some(429));
    // In a room the text goes back to the room.
    let r = t
        .occupant("ops@rooms.example.org", "carol")
        .says("!hi")
        .await;
    assert_eq!(
        r.message().unwrap().to.as_ref().unwrap().to_string(),
        "ops@rooms.example.org"
    );
}

// ===== Sending with the client =====

// ANCHOR: handler_sends
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

// ANCHOR: queries
/// One line about `server`: its software, and how long a ping takes.
async fn describe(client: &RestClient, server: &str) -> xmpp_rest_bot::Result<String> {
    let version = client.version(server).await?;
    let rtt = client.ping(server).await?;
    let info = client.disco_info(server).await?;
    Ok(format!(
        "{server} runs {} {}, answers pings in {} ms, supports {} features",
        version.name.unwrap_or_default(),
        version.version.unwrap_or_default(),
        rtt.as_millis(),
        info.features.len(),
    ))
}
// ANCHOR_END: queries

#[tokio::test]
async fn client_queries() {
    let mock = MockRest::start().await;
    let client = RestClient::builder(mock.url())
        .bearer_token(MockRest::DEFAULT_TOKEN)
        .build()
        .unwrap();
    let line = describe(&client, "localhost").await.unwrap();
    assert!(
        line.starts_with("localhost runs Prosody 0.12.3, answers pings in "),
        "{line}"
    );
    // MockRest's default server: disco#info, disco#items, ping, version.
    assert!(line.ends_with("supports 4 features"), "{line}");

    // An entity that answers with an error: the error says which.
    mock.on_iq("urn:xmpp:ping", |iq: &Iq| {
        iq.error_reply(Condition::ServiceUnavailable)
    });
    let error = describe(&client, "localhost").await.unwrap_err();
    assert_eq!(
        error.stanza_error().unwrap().condition,
        Condition::ServiceUnavailable
    );
}

// ANCHOR: host
/// A client of the Prosody on this machine (`http://127.0.0.1:5280`), whose
/// mod_rest is loaded on the virtual host `example.net`.
fn local_client(url: &str, token: &str) -> xmpp_rest_bot::Result<RestClient> {
    RestClient::builder(url)
        .host("example.net")
        .bearer_token(token)
        .build()
}
// ANCHOR_END: host

#[tokio::test]
async fn client_host() {
    let mock = MockRest::builder()
        .domain("example.net")
        .check_host()
        .start()
        .await
        .unwrap();
    let client = local_client(&mock.url(), MockRest::DEFAULT_TOKEN).unwrap();
    client.send_chat("alice@example.net", "hi").await.unwrap();
    mock.assert_sent_message("alice@example.net", "hi");
}

// ===== Testing your bot =====

// ANCHOR: test_prosody
#[tokio::test]
async fn the_ops_bot_answers_commands() {
    // Serves the bot on 127.0.0.1, sends mod_rest's startup probe.
    let t = TestProsody::start(ops_bot().into_router()).await;

    // What alice receives, after mod_rest turned the webhook's answer into a stanza.
    let alice = t.user("alice@example.org/phone");
    alice.says("!ping").await.assert_body("pong");
    alice.says("hello").await.assert_no_reply();

    // In a room: `occupant` sends groupchat messages from room@service/nick.
    let received = t
        .occupant("ops@rooms.example.org", "carol")
        .says("!weather Oslo")
        .await;
    received.assert_body("sunny in Oslo");
    assert_eq!(received.message().unwrap().type_, MessageType::Groupchat);

    // Iqs and presences; and the raw exchange, when the detail matters.
    // (The bot answers software version queries itself.)
    let received = alice.iq_get(Version::default()).await;
    received.assert_result();
    assert_eq!(received.status(), Some(200));
    assert_eq!(received.content_type(), Some("application/xmpp+xml"));
    assert!(received.posted_body().starts_with(b"<iq"));
}
// ANCHOR_END: test_prosody

// ANCHOR: test_versions
#[tokio::test]
async fn works_with_the_early_2020_module_in_json() {
    // No startup probe; the format is `rest_callback_content_type`.
    let t = TestProsody::builder()
        .version(ModRestVersion::Early2020)
        .content_type(WireFormat::Json)
        .component("ops.example.net")
        .callback_path("/hooks/{kind}/{type}")
        .start(ops_bot().into_router())
        .await;
    assert!(t.probe_outcome().is_none());
    let received = t.user("alice@example.org").says("!ping").await;
    received.assert_body("pong");
    assert_eq!(received.content_type(), Some("application/json"));
}
// ANCHOR_END: test_versions

// ANCHOR: test_plain
#[tokio::test]
async fn handlers_are_functions() {
    // The attribute keeps the function callable: no server, no stanza.
    assert_eq!(ping().await, "pong");
    assert_eq!(
        unknown(Body("!nope".into())).await,
        "unknown command !nope, try !ping"
    );
}

#[tokio::test]
async fn dispatch_without_http() {
    // The whole bot, without HTTP: which handler runs, and what it answers.
    let bot = ops_bot();
    let message = Message::chat("bot@bot.example.net".parse().unwrap(), "!ping")
        .with_from("alice@example.org/phone".parse().unwrap());
    let answer = bot.dispatch(Incoming::new(message)).await;
    assert_eq!(answer.status.as_u16(), 200);
    let Some(Stanza::Message(reply)) = answer.stanza else {
        panic!("expected a message, got {:?}", answer.stanza);
    };
    assert_eq!(reply.body(), Some("pong"));
}
// ANCHOR_END: test_plain

// ANCHOR: test_mock_rest
#[tokio::test]
async fn describes_a_server_from_mock_rest() {
    // An emulated Prosody `/rest` on 127.0.0.1, with its default account.
    let mock = MockRest::start().await;
    let client = RestClient::builder(mock.url())
        .bearer_token(MockRest::DEFAULT_TOKEN)
        .build()
        .unwrap();

    // Script the entity's answers: a canned reply for the next iq...
    let mut version = Version::new("Ejabberd", "24.02");
    version.os = Some("FreeBSD".into());
    mock.push_iq_reply(Iq::new(IqType::Result, Some(version.to_element())));

    let line = describe(&client, "example.org").await.unwrap();
    assert!(
        line.starts_with("example.org runs Ejabberd 24.02"),
        "{line}"
    );

    // ...and check what was sent: every stanza, every HTTP request.
    assert_eq!(mock.sent().len(), 3); // version, ping, disco#info
    let requests = mock.requests();
    assert!(requests.iter().all(|r| r.header("authorization").is_some()));
}
// ANCHOR_END: test_mock_rest
