//! The book's replies chapter: what a handler returns.

// ANCHOR: replies
use xmpp_rest_bot::prelude::*;
use xmpp_rest_bot::stanza::Version;

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
async fn only_questions(MessageText(text): MessageText) -> Option<&'static str> {
    text.ends_with('?').then_some("good question")
}

/// A built-in iq payload: the iq result carrying it.
#[on_iq(get)]
async fn software(_query: Version) -> Version {
    Version::new("book-bot", "0.1.0")
}
// ANCHOR_END: replies

fn replies_bot() -> Bot {
    Bot::new()
        .handler(hi)
        .handler(news)
        .handler(secret)
        .handler(double)
        .handler(only_questions)
        .handler(software)
}

#[tokio::test]
async fn replies_become_what_the_user_receives() {
    use xmpp_rest_bot::testing::TestProsody;

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
