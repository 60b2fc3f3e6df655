//! The bot, tested through `TestProsody`: it posts stanzas as mod_rest does
//! and tells what the XMPP user receives. No Prosody needed.

use xmpp_rest_bot::guard::Access;
use xmpp_rest_bot::prelude::*;
use xmpp_rest_bot::stanza::Version;
use xmpp_rest_bot::testing::TestProsody;
{%- if storage != "none" %}
use xmpp_rest_bot::storage::MemoryStorage;
{%- endif %}

async fn prosody() -> TestProsody {
    let access = Access::new().group("admins", ["alice@example.org"]).unwrap();
    TestProsody::builder()
        .component("{{component}}")
{%- if storage == "none" %}
        .start({{crate_name}}::bot(access).into_router())
{%- else %}
        .start({{crate_name}}::bot(access, MemoryStorage::new()).into_router())
{%- endif %}
        .await
}

#[tokio::test]
async fn admins_say_things_once_they_confirm() {
    let t = prosody().await;
    let alice = t.user("alice@example.org/phone");
    alice
        .says("!say hello everyone")
        .await
        .assert_body("Run !say text=\"hello everyone\"? Answer !yes or !no within 60 s.");
    alice.says("!yes").await.assert_body("hello everyone");
    // Not an admin: refused, and not shown in the help.
    let bob = t.user("bob@example.org");
    bob.says("!say hi").await.assert_error(Condition::Forbidden);
    assert!(!bob.says("!help").await.body().unwrap().contains("!say"));
}

#[tokio::test]
async fn answers_commands() {
    let t = prosody().await;
    let alice = t.user("alice@example.org/phone");
    alice.says("!ping").await.assert_body("pong");
    alice.says("/echo hello  there").await.assert_body("hello  there");
    let help = alice.says("!help").await;
    assert!(help.body().unwrap().contains("!ping — Check that the bot is alive."));
    alice
        .says("!pnig")
        .await
        .assert_body("unknown command \"pnig\": did you mean \"!ping\"?");
    alice
        .says("!echo")
        .await
        .assert_body("echo: missing argument <text> (usage: !echo <text...>)");
}

#[tokio::test]
async fn echoes_chat_messages() {
    let t = prosody().await;
    t.user("alice@example.org").says("hi").await.assert_body("hi");
}

#[tokio::test]
async fn answers_commands_in_rooms_and_nothing_else() {
    let t = prosody().await;
    let carol = t.occupant("team@rooms.example.org", "carol");
    let reply = carol.says("!ping").await;
    reply.assert_body("pong");
    assert_eq!(reply.message().unwrap().type_, MessageType::Groupchat);
    carol.says("good morning").await.assert_no_reply();
}

#[tokio::test]
async fn answers_software_version() {
    let t = prosody().await;
    let reply = t.user("alice@example.org").iq_get(Version::default()).await;
    reply.assert_result();
    let version: Version = reply.payload().unwrap();
    assert_eq!(version.name.as_deref(), Some(env!("CARGO_PKG_NAME")));
}
{%- if storage != "none" %}

#[tokio::test]
async fn asks_for_feedback_and_remembers_the_question() {
    let t = prosody().await;
    let alice = t.user("alice@example.org/phone");
    alice
        .says("!feedback")
        .await
        .assert_body("How would you rate me, from 1 to 5?");
    // Commands still work mid-conversation.
    alice.says("!ping").await.assert_body("pong");
    alice.says("great").await.assert_body("A number from 1 to 5, please.");
    // Another client of the same account continues the conversation.
    t.user("alice@example.org/laptop")
        .says("5")
        .await
        .assert_body("Thanks for the 5!");
    // Over: chat messages are echoed again.
    alice.says("5").await.assert_body("5");
}
{%- endif %}
