//! The safe defaults for messages: errors, messages without content, delayed
//! messages and the bot's own reflected groupchat messages are kept from
//! handlers unless a route opts in or the rule is switched off.

mod webhook_support;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use webhook_support::start;
use xmpp_rest_bot::bot::MessageRules;
use xmpp_rest_bot::handler::{Filter, HandlerExt};
use xmpp_rest_bot::prelude::*;

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/xml")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A bot whose only handler counts the messages it sees (and answers them).
fn counting_bot(configure: impl FnOnce(Bot) -> Bot) -> (Bot, Arc<AtomicUsize>) {
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&seen);
    let bot = Bot::new().handler(move |_: Message| {
        let counter = Arc::clone(&counter);
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            "seen"
        }
    });
    (configure(bot), seen)
}

/// Turns one rule off.
type SwitchOff = fn(Bot) -> Bot;

/// The fixtures the default rules skip, with the switch that turns the rule off.
fn skipped_cases() -> Vec<(&'static str, SwitchOff)> {
    vec![
        ("chat-state-only.xml", |b| {
            b.message_rules(MessageRules::default().skip_contentless(false))
        }),
        ("marker-displayed.xml", |b| {
            b.message_rules(MessageRules::default().skip_contentless(false))
        }),
        ("receipt-received.xml", |b| {
            b.message_rules(MessageRules::default().skip_contentless(false))
        }),
        ("muc-groupchat-history.xml", |b| {
            b.message_rules(MessageRules::default().skip_delayed(false))
        }),
        ("offline-delay.xml", |b| {
            b.message_rules(MessageRules::default().skip_delayed(false))
        }),
        ("message-error.xml", |b| {
            b.message_rules(MessageRules::default().skip_error_messages(false))
        }),
    ]
}

#[tokio::test]
async fn by_default_these_messages_reach_no_handler() {
    let (bot, seen) = counting_bot(|b| b);
    let metrics = bot.metrics();
    let server = start(bot).await;
    let cases = skipped_cases();
    for (name, _) in &cases {
        let answer = server.post("application/xmpp+xml", &fixture(name)).await;
        assert_eq!(answer.status, 202, "{name}");
        assert!(answer.body.is_empty(), "{name}");
    }
    assert_eq!(seen.load(Ordering::SeqCst), 0);
    // error messages are skipped as responses; they count as skipped too
    assert_eq!(
        metrics.count("message", "skipped"),
        cases.len() as u64,
        "{}",
        metrics.render()
    );
    // a message with a body still does
    let answer = server
        .post("application/xmpp+xml", &fixture("conversations-chat.xml"))
        .await;
    assert_eq!(answer.status, 200);
    assert_eq!(seen.load(Ordering::SeqCst), 1);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn each_rule_can_be_switched_off() {
    for (name, switch_off) in skipped_cases() {
        let (bot, seen) = counting_bot(switch_off);
        let answer = bot
            .dispatch(Incoming::new(
                WireFormat::Xml
                    .decode(&fixture(name), &Default::default())
                    .unwrap(),
            ))
            .await;
        assert_eq!(seen.load(Ordering::SeqCst), 1, "{name}");
        if name == "message-error.xml" {
            assert_eq!(answer.status.as_u16(), 202, "errors are never answered");
        } else {
            assert_eq!(answer.status.as_u16(), 200, "{name}");
        }
    }
}

#[tokio::test]
async fn routes_opt_in_one_rule_at_a_time() {
    async fn typing(msg: Message) -> String {
        format!("state {:?}", msg.chat_state)
    }
    async fn history(MessageText(text): MessageText) -> String {
        format!("history: {text}")
    }
    async fn errors(_: Message) {}
    let bot = Bot::new()
        .handler(typing.with_filter(Filter::kind(StanzaKind::Message).include_contentless()))
        .handler(history.with_filter(Filter::stanza_type("groupchat").include_delayed()))
        .handler(errors.with_filter(Filter::stanza_type("error")));
    let server = start(bot).await;

    let answer = server
        .post("application/xmpp+xml", &fixture("chat-state-only.xml"))
        .await;
    assert_eq!(answer.status, 200);
    let Stanza::Message(reply) = answer.stanza() else {
        panic!()
    };
    assert_eq!(reply.body(), Some("state Some(Composing)"));

    let answer = server
        .post(
            "application/xmpp+xml",
            &fixture("muc-groupchat-history.xml"),
        )
        .await;
    assert_eq!(answer.status, 200);
    let Stanza::Message(reply) = answer.stanza() else {
        panic!()
    };
    assert_eq!(reply.body(), Some("history: !deploy web-frontend"));

    // the offline message is delayed and a chat: the history route does not
    // match it, and the typing route did not opt in to delayed messages
    let answer = server
        .post("application/xmpp+xml", &fixture("offline-delay.xml"))
        .await;
    assert_eq!(answer.status, 202);
    server.stop().await.unwrap();
}

fn groupchat_from(nick: &str) -> Vec<u8> {
    format!(
        "<message from='ops@conference.localhost/{nick}' to='bot@bot.localhost/muc' \
         type='groupchat' id='g1'><body>!status</body>\
         <occupant-id xmlns='urn:xmpp:occupant-id:0' id='b2NjLWJvdA=='/></message>"
    )
    .into_bytes()
}

#[tokio::test]
async fn own_reflected_groupchat_messages_are_skipped() {
    async fn echo(MessageText(text): MessageText) -> String {
        text
    }
    // without a nick, the bot cannot know: the echo loop the rule prevents
    let server = start(Bot::new().handler(echo)).await;
    let answer = server
        .post("application/xmpp+xml", &groupchat_from("deploybot"))
        .await;
    assert_eq!(answer.status, 200);
    server.stop().await.unwrap();

    for bot in [
        Bot::new()
            .handler(echo)
            .message_rules(MessageRules::default().default_muc_nick("deploybot")),
        Bot::new().handler(echo).message_rules(
            MessageRules::default()
                .muc_nick("ops@conference.localhost".parse().unwrap(), "deploybot"),
        ),
    ] {
        let server = start(bot).await;
        let answer = server
            .post("application/xmpp+xml", &groupchat_from("deploybot"))
            .await;
        assert_eq!(answer.status, 202, "own message");
        let answer = server
            .post("application/xmpp+xml", &groupchat_from("alice"))
            .await;
        assert_eq!(answer.status, 200, "someone else's");
        server.stop().await.unwrap();
    }

    // switched off
    let bot = Bot::new().handler(echo).message_rules(
        MessageRules::default()
            .default_muc_nick("deploybot")
            .skip_own_messages(false),
    );
    let answer = bot
        .dispatch(Incoming::new(
            WireFormat::Xml
                .decode(&groupchat_from("deploybot"), &Default::default())
                .unwrap(),
        ))
        .await;
    assert_eq!(answer.status.as_u16(), 200);
}

#[tokio::test]
async fn the_rooms_self_presence_teaches_the_bot_its_nick_and_occupant_id() {
    async fn echo(MessageText(text): MessageText) -> String {
        text
    }
    // no nick configured: the room told the bot who it is (and renamed it)
    let server = start(Bot::new().handler(echo)).await;
    let self_presence = "<presence from='ops@conference.localhost/deploybot-2' \
        to='bot@bot.localhost/muc' id='j1'>\
        <occupant-id xmlns='urn:xmpp:occupant-id:0' id='b2NjLWJvdA=='/>\
        <x xmlns='http://jabber.org/protocol/muc#user'>\
        <item affiliation='member' role='participant'/>\
        <status code='110'/><status code='210'/></x></presence>";
    let answer = server
        .post("application/xmpp+xml", self_presence.as_bytes())
        .await;
    assert_eq!(answer.status, 202);
    let answer = server
        .post("application/xmpp+xml", &groupchat_from("deploybot-2"))
        .await;
    assert_eq!(answer.status, 202, "by nick");
    // same occupant id under another nick (a nick change the bot missed)
    let answer = server
        .post("application/xmpp+xml", &groupchat_from("renamed"))
        .await;
    assert_eq!(answer.status, 202, "by occupant id");
    server.stop().await.unwrap();
}
