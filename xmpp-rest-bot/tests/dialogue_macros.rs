//! `#[on_message(state = ...)]` through real HTTP: handlers chosen by the
//! conversation's state, the pattern checked against the state type by the
//! compiler; a handler without a state filter takes any state.

mod webhook_support;

use serde::{Deserialize, Serialize};
use webhook_support::post_xml;
use xmpp_rest_bot::dialogue::Dialogue;
use xmpp_rest_bot::prelude::*;
use xmpp_rest_bot::storage::MemoryStorage;

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
enum Wizard {
    #[default]
    Idle,
    AskVersion,
    Confirm {
        version: String,
    },
    Done(u32),
}

#[on_message(chat, body = "!cancel")]
async fn cancel(mut dialogue: Dialogue<Wizard>) -> String {
    match dialogue.exit().await {
        Ok(()) => "cancelled".into(),
        Err(e) => format!("failed: {e}"),
    }
}

#[on_message(chat, body = "!deploy", state = Wizard::Idle | Wizard::Done(_))]
async fn start(mut dialogue: Dialogue<Wizard>) -> String {
    match dialogue.update(Wizard::AskVersion).await {
        Ok(()) => "which version?".into(),
        Err(e) => format!("failed: {e}"),
    }
}

#[on_message(chat, state = Wizard::AskVersion)]
async fn ask_version(mut dialogue: Dialogue<Wizard>, MessageText(version): MessageText) -> String {
    let reply = format!("deploy {version}?");
    match dialogue.update(Wizard::Confirm { version }).await {
        Ok(()) => reply,
        Err(e) => format!("failed: {e}"),
    }
}

#[on_message(chat, body = "yes", state = Wizard::Confirm { .. })]
async fn confirm(mut dialogue: Dialogue<Wizard>) -> String {
    let Wizard::Confirm { version } = dialogue.get().clone() else {
        return "not confirming".into();
    };
    match dialogue.update(Wizard::Done(7)).await {
        Ok(()) => format!("deploying {version}"),
        Err(e) => format!("failed: {e}"),
    }
}

#[on_message(chat)]
async fn anything_else(dialogue: Dialogue<Wizard>) -> String {
    format!("state {:?}", dialogue.get())
}

fn chat(body: &str) -> String {
    format!(
        "<message type='chat' id='m1' from='alice@localhost/phone' to='bot@bot.localhost'>\
         <body>{body}</body></message>"
    )
}

#[tokio::test]
async fn handlers_are_chosen_by_the_state_pattern() {
    let bot = Bot::new()
        .dialogues(MemoryStorage::new())
        .handler(cancel)
        .handler(start)
        .handler(ask_version)
        .handler(confirm)
        .handler(anything_else);
    let server = webhook_support::start(bot).await;
    let mut said = Vec::new();
    for body in [
        "hi", "!deploy", "1.2.3", "no?", "yes", "hi", "!deploy", "!cancel", "hi",
    ] {
        let answer = post_xml(server.addr, "/", &chat(body)).await;
        let Stanza::Message(m) = answer.stanza() else {
            panic!("not a message: {}", answer.text())
        };
        said.push(m.body().unwrap_or_default().to_owned());
    }
    assert_eq!(
        said,
        [
            "state Idle",
            "which version?",
            "deploy 1.2.3?",
            "state Confirm { version: \"1.2.3\" }",
            "deploying 1.2.3",
            "state Done(7)",
            "which version?",
            "cancelled",
            "state Idle",
        ]
    );
    server.stop().await.unwrap();
}
