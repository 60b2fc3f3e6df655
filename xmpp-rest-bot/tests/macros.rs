//! `#[on_message]`, `#[on_iq]`, `#[on_presence]`: filters, registration order,
//! captures, typed iq payloads, plain calls, through the real HTTP server.

use xmpp_rest_bot::prelude::*;
use xmpp_rest_bot::stanza::{DiscoInfo, Element, Ping, Version};
use xmpp_rest_bot::testing::TestProsody;

#[on_message(type = "chat", body = "!ping")]
async fn ping() -> &'static str {
    "pong"
}

#[on_message(body_regex = r"^!weather (?P<city>\w+)(?: (?P<days>\d+))?$")]
async fn weather(caps: Captures, Sender(from): Sender) -> String {
    let city = caps.name("city").unwrap_or("?");
    let days = caps.name("days").unwrap_or("1");
    format!("{days} day(s) of sun in {city} for {}", from.to_bare())
}

#[on_message(from = "admin@example.org", body_regex = "^!shutdown$")]
async fn shutdown() -> &'static str {
    "shutting down"
}

#[on_message(body_regex = "^!")]
async fn unknown_command(MessageText(text): MessageText) -> String {
    format!("unknown command {text}")
}

#[on_message(groupchat)]
async fn room_echo(MessageText(text): MessageText) -> String {
    format!("room: {text}")
}

/// Everything else that is a chat message with a body.
#[on_message(type = ["chat", "normal"])]
async fn echo(MessageText(text): MessageText) -> String {
    text
}

#[on_iq(get)]
async fn version(_q: Version) -> Version {
    Version::new("macro-bot", "2.0")
}

#[on_iq(get, ns = "urn:xmpp:ping")]
async fn pong(iq: Iq) -> Iq {
    iq.result(None::<Ping>)
}

#[on_iq(set, ns = "urn:example:never")]
async fn never(_iq: Iq) -> Condition {
    Condition::NotAllowed
}

#[on_presence(subscribe)]
async fn subscribed(p: Presence) -> Presence {
    let mut reply = Presence::new(PresenceType::Subscribed);
    reply.to = p.from;
    reply
}

#[on_presence(to = "bot@bot.example.net/desk", type = "available")]
async fn desk_presence() -> Condition {
    Condition::Forbidden
}

fn bot() -> Bot {
    Bot::new()
        .handler(ping)
        .handler(weather)
        .handler(shutdown)
        .handler(unknown_command)
        .handler(room_echo)
        .handler(echo)
        .handler(version)
        .handler(pong)
        .handler(never)
        .handler(subscribed)
        .handler(desk_presence)
}

#[tokio::test]
async fn body_filters_and_registration_order() {
    let t = TestProsody::start(bot().into_router()).await;
    let alice = t.user("alice@example.org/phone");
    alice.says("!ping").await.assert_body("pong");
    alice
        .says("!weather Paris 3")
        .await
        .assert_body("3 day(s) of sun in Paris for alice@example.org");
    alice
        .says("!weather Oslo")
        .await
        .assert_body("1 day(s) of sun in Oslo for alice@example.org");
    // Not from the admin: the next matching handler in registration order runs.
    alice
        .says("!shutdown")
        .await
        .assert_body("unknown command !shutdown");
    t.user("admin@example.org/laptop")
        .says("!shutdown")
        .await
        .assert_body("shutting down");
    alice.says("hello").await.assert_body("hello");
}

#[tokio::test]
async fn type_filters() {
    let t = TestProsody::start(bot().into_router()).await;
    t.occupant("ops@rooms.example.org", "carol")
        .says("hi all")
        .await
        .assert_body("room: hi all");
    // A headline matches no handler: no reply.
    let headline = Message::new(MessageType::Headline).with_body("news");
    t.user("alice@example.org")
        .sends(headline)
        .await
        .assert_no_reply();
}

#[tokio::test]
async fn iq_payload_and_namespace_filters() {
    let t = TestProsody::start(bot().into_router()).await;
    let alice = t.user("alice@example.org/phone");
    let reply = alice.iq_get(Version::default()).await;
    reply.assert_result();
    assert_eq!(
        reply.payload::<Version>().unwrap().name.as_deref(),
        Some("macro-bot")
    );
    alice.iq_get(Ping).await.assert_result();
    // A get for a payload no handler takes (disco#info, which the bot
    // answers itself when no handler does, is not one).
    alice.iq_get(DiscoInfo::default()).await.assert_result();
    let unknown = Element::builder("q", "urn:example:unknown").build();
    alice
        .sends(Iq::new(IqType::Get, Some(unknown)))
        .await
        .assert_error(Condition::ServiceUnavailable);
    // `set` filter: a get with that namespace does not reach `never`.
    let el = Element::builder("q", "urn:example:never").build();
    alice
        .sends(Iq::new(IqType::Get, Some(el.clone())))
        .await
        .assert_error(Condition::ServiceUnavailable);
    alice
        .sends(Iq::new(IqType::Set, Some(el)))
        .await
        .assert_error(Condition::NotAllowed);
}

#[tokio::test]
async fn presence_filters() {
    let t = TestProsody::start(bot().into_router()).await;
    let reply = t.user("alice@example.org").subscribes().await;
    assert_eq!(reply.presence().unwrap().type_, PresenceType::Subscribed);
    t.user("alice@example.org")
        .is_available()
        .await
        .assert_no_reply();
    t.user("alice@example.org")
        .to("bot@bot.example.net/desk")
        .is_available()
        .await
        .assert_error(Condition::Forbidden);
}

#[tokio::test]
async fn handlers_stay_callable_as_plain_functions() {
    assert_eq!(ping().await, "pong");
    assert_eq!(echo(MessageText("direct".into())).await, "direct");
    let v = version(Version::default()).await;
    assert_eq!(v.version.as_deref(), Some("2.0"));
    // And they are values that can be passed around and registered twice.
    let h = echo;
    let _bot: Bot = Bot::new().handler(h).handler(h);
}

mod renamed_imports {
    // Generated code must not depend on what the user imported.
    #[xmpp_rest_bot::prelude::on_message(chat)]
    pub(super) async fn bare(text: xmpp_rest_bot::extract::MessageText) -> String {
        text.0
    }
}

#[tokio::test]
async fn generated_code_needs_no_imports() {
    let t = TestProsody::start(Bot::new().handler(renamed_imports::bare).into_router()).await;
    t.user("alice@example.org").says("x").await.assert_body("x");
}

#[derive(Clone)]
struct Counter(std::sync::Arc<std::sync::atomic::AtomicUsize>);

#[on_message(chat)]
async fn count(State(counter): State<Counter>) -> String {
    let n = counter.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
    format!("#{n}")
}

#[tokio::test]
async fn attribute_handlers_take_state() {
    let counter = Counter(Default::default());
    let bot: Bot = Bot::new().handler(count).with_state(counter);
    let t = TestProsody::start(bot.into_router()).await;
    t.user("alice@example.org")
        .says("a")
        .await
        .assert_body("#1");
    t.user("alice@example.org")
        .says("b")
        .await
        .assert_body("#2");
}
