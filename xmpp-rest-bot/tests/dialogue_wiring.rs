//! `Bot::dialogues` through real HTTP: the conversation loaded once before
//! the routes, the `Dialogue` extractor, state filters, and the clear errors
//! (no storage configured, a failing storage, a state that does not decode).

mod webhook_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::{Deserialize, Serialize};
use webhook_support::{HttpResponse, post_xml, start};
use xmpp_rest_bot::dialogue::{Dialogue, Dialogues};
use xmpp_rest_bot::prelude::*;
use xmpp_rest_bot::storage::{Entry, MemoryStorage, Storage, StorageError, StorageFuture, Version};

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
enum Wizard {
    #[default]
    Idle,
    AskVersion,
    Confirm {
        version: String,
    },
}

fn chat(from: &str, body: &str) -> String {
    format!(
        "<message type='chat' id='m1' from='{from}' to='bot@bot.localhost'>\
         <body>{body}</body></message>"
    )
}

fn body_of(answer: &HttpResponse) -> String {
    match answer.stanza() {
        Stanza::Message(m) => m.body().unwrap_or_default().to_owned(),
        other => panic!("expected a message, got {other:?}"),
    }
}

fn condition_of(answer: &HttpResponse) -> Condition {
    match answer.stanza() {
        Stanza::Message(m) => m.error.expect("an error stanza").condition,
        other => panic!("expected a message error, got {other:?}"),
    }
}

/// The wizard as three routes chosen by state, each taking the dialogue.
fn wizard_bot(storage: impl Into<Dialogues>) -> Bot {
    Bot::new()
        .dialogues(storage)
        .route(
            Dialogue::<Wizard>::in_state(|s| matches!(s, Wizard::AskVersion)),
            |mut dialogue: Dialogue<Wizard>, MessageText(text): MessageText| async move {
                let version = text.trim().to_owned();
                match dialogue
                    .update(Wizard::Confirm {
                        version: version.clone(),
                    })
                    .await
                {
                    Ok(()) => format!("deploy {version}? (yes/no)"),
                    Err(e) => format!("failed: {e}"),
                }
            },
        )
        .route(
            Dialogue::<Wizard>::in_state(|s| matches!(s, Wizard::Confirm { .. })),
            |mut dialogue: Dialogue<Wizard>, MessageText(text): MessageText| async move {
                let Wizard::Confirm { version } = dialogue.get().clone() else {
                    return "unreachable".to_owned();
                };
                match dialogue.exit().await {
                    Ok(()) if text == "yes" => format!("deploying {version}"),
                    Ok(()) => "cancelled".to_owned(),
                    Err(e) => format!("failed: {e}"),
                }
            },
        )
        .route(
            Filter::new(|_| true),
            |mut dialogue: Dialogue<Wizard>, MessageText(text): MessageText| async move {
                if text != "!deploy" {
                    return format!("state {:?}", dialogue.get());
                }
                match dialogue.update(Wizard::AskVersion).await {
                    Ok(()) => "which version?".to_owned(),
                    Err(e) => format!("failed: {e}"),
                }
            },
        )
}

#[tokio::test]
async fn a_conversation_goes_through_the_routes_chosen_by_its_state() {
    let storage = Arc::new(MemoryStorage::new());
    let server = start(wizard_bot(Dialogues::shared(storage.clone()))).await;
    let say = |from: &'static str, body: &'static str| {
        let addr = server.addr;
        async move { body_of(&post_xml(addr, "/", &chat(from, body)).await) }
    };

    assert_eq!(say("alice@localhost/phone", "hello").await, "state Idle");
    assert_eq!(
        say("alice@localhost/phone", "!deploy").await,
        "which version?"
    );
    // Another client of the same account continues the same conversation.
    assert_eq!(
        say("alice@localhost/laptop", "1.2.3").await,
        "deploy 1.2.3? (yes/no)"
    );
    // Another sender has a conversation of their own.
    assert_eq!(say("bob@localhost/x", "hello").await, "state Idle");
    // Stored under the bot's JID as scope.
    let key = "bot@bot.localhost:dialogue:chat:alice@localhost";
    let stored = storage.load(key).await.unwrap().expect("stored");
    assert_eq!(
        serde_json::from_slice::<Wizard>(&stored.value).unwrap(),
        Wizard::Confirm {
            version: "1.2.3".into()
        }
    );
    assert_eq!(say("alice@localhost/phone", "yes").await, "deploying 1.2.3");
    assert!(
        storage.load(key).await.unwrap().is_none(),
        "exit removes it"
    );
    assert_eq!(say("alice@localhost/phone", "hello").await, "state Idle");
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_dialogue_without_a_storage_is_an_internal_server_error() {
    let bot = Bot::new().handler(|_dialogue: Dialogue<Wizard>| async { "unreachable" });
    let server = start(bot).await;
    let answer = post_xml(server.addr, "/", &chat("alice@localhost/phone", "hi")).await;
    assert_eq!(answer.status, 500);
    assert_eq!(condition_of(&answer), Condition::InternalServerError);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_stanza_of_no_conversation_skips_the_dialogue_routes() {
    let bot = Bot::new()
        .dialogues(MemoryStorage::new())
        .handler(|_dialogue: Dialogue<Wizard>| async { "dialogue" })
        .handler(|_iq: Iq| async { Reply::ack() });
    let server = start(bot).await;
    let iq = "<iq type='get' id='q1' from='alice@localhost/phone' to='bot@bot.localhost'>\
              <query xmlns='urn:example:nothing'/></iq>";
    let answer = post_xml(server.addr, "/", iq).await;
    // 202: the iq route's ack; the dialogue route (a 200 with a body) was skipped.
    assert_eq!(answer.status, 202, "{}", answer.text());
    server.stop().await.unwrap();
}

/// A storage whose loads fail (a database that went away).
struct Unreachable;

impl Storage for Unreachable {
    fn load<'a>(&'a self, _key: &'a str) -> StorageFuture<'a, Option<Entry>> {
        Box::pin(async {
            Err(StorageError::backend_failure(
                "custom",
                "load",
                "connection refused",
            ))
        })
    }

    fn save<'a>(
        &'a self,
        _key: &'a str,
        _value: Vec<u8>,
        _expected: Option<Version>,
    ) -> StorageFuture<'a, Version> {
        Box::pin(async { Err(StorageError::backend_failure("custom", "save", "no")) })
    }

    fn remove<'a>(&'a self, _key: &'a str, _expected: Version) -> StorageFuture<'a, ()> {
        Box::pin(async { Err(StorageError::backend_failure("custom", "remove", "no")) })
    }
}

#[tokio::test]
async fn a_failing_storage_answers_internal_server_error_and_runs_no_handler() {
    let runs = Arc::new(AtomicUsize::new(0));
    let counted = runs.clone();
    let bot = Bot::new()
        .dialogues(Unreachable)
        .handler(move |_: Dialogue<Wizard>| {
            counted.fetch_add(1, Ordering::Relaxed);
            async { "ran" }
        });
    let server = start(bot).await;
    let answer = post_xml(server.addr, "/", &chat("alice@localhost/phone", "hi")).await;
    assert_eq!(answer.status, 500);
    assert_eq!(condition_of(&answer), Condition::InternalServerError);
    assert_eq!(runs.load(Ordering::Relaxed), 0);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_state_that_does_not_decode_is_an_internal_server_error_and_exit_clears_it() {
    let storage = Arc::new(MemoryStorage::new());
    let key = "bot@bot.localhost:dialogue:chat:alice@localhost";
    storage
        .save(key, br#"{"Retired":1}"#.to_vec(), None)
        .await
        .unwrap();
    let server = start(wizard_bot(Dialogues::shared(storage.clone()))).await;
    let answer = post_xml(server.addr, "/", &chat("alice@localhost/phone", "hi")).await;
    assert_eq!(condition_of(&answer), Condition::InternalServerError);

    // The operator's way out: a dialogue of the new type exits.
    let mut dialogue = Dialogue::<Wizard>::load(storage.clone(), key).await;
    assert!(dialogue.is_err());
    let mut raw = Dialogue::<serde_json::Value>::load(storage.clone(), key)
        .await
        .unwrap();
    raw.exit().await.unwrap();
    dialogue = Dialogue::<Wizard>::load(storage, key).await;
    assert_eq!(dialogue.unwrap().get(), &Wizard::Idle);
    let answer = post_xml(server.addr, "/", &chat("alice@localhost/phone", "hi")).await;
    assert_eq!(body_of(&answer), "state Idle");
    server.stop().await.unwrap();
}

#[tokio::test]
async fn an_update_against_a_version_changed_meanwhile_fails_with_a_conflict() {
    let storage = Arc::new(MemoryStorage::new());
    let meddler = storage.clone();
    let bot = Bot::new()
        .dialogues(Dialogues::shared(storage.clone()))
        .handler(move |mut dialogue: Dialogue<u32>| {
            let meddler = meddler.clone();
            async move {
                // Another replica writes between our load and our update.
                let key = dialogue.key().to_owned();
                meddler.save(&key, b"41".to_vec(), None).await.unwrap();
                match dialogue.update(1).await {
                    Ok(()) => "saved".to_owned(),
                    Err(e) if e.is_conflict() => "conflict".to_owned(),
                    Err(e) => format!("failed: {e}"),
                }
            }
        });
    let server = start(bot).await;
    let answer = post_xml(server.addr, "/", &chat("alice@localhost/phone", "hi")).await;
    assert_eq!(body_of(&answer), "conflict");
    let key = "bot@bot.localhost:dialogue:chat:alice@localhost";
    assert_eq!(storage.load(key).await.unwrap().unwrap().value, b"41");
    server.stop().await.unwrap();
}

static DECODES: AtomicUsize = AtomicUsize::new(0);

/// A state that counts how often it is decoded.
#[derive(Debug, Default, Clone, Serialize)]
struct Step(u32);

impl<'de> Deserialize<'de> for Step {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        DECODES.fetch_add(1, Ordering::Relaxed);
        u32::deserialize(d).map(Step)
    }
}

/// A storage counting its loads.
struct CountingLoads(MemoryStorage, Arc<AtomicUsize>);

impl Storage for CountingLoads {
    fn load<'a>(&'a self, key: &'a str) -> StorageFuture<'a, Option<Entry>> {
        self.1.fetch_add(1, Ordering::Relaxed);
        self.0.load(key)
    }

    fn save<'a>(
        &'a self,
        key: &'a str,
        value: Vec<u8>,
        expected: Option<Version>,
    ) -> StorageFuture<'a, Version> {
        self.0.save(key, value, expected)
    }

    fn remove<'a>(&'a self, key: &'a str, expected: Version) -> StorageFuture<'a, ()> {
        self.0.remove(key, expected)
    }
}

#[tokio::test]
async fn the_conversation_is_loaded_and_decoded_once_per_request_whatever_the_routes() {
    let loads = Arc::new(AtomicUsize::new(0));
    let mut bot = Bot::new().dialogues(CountingLoads(MemoryStorage::new(), loads.clone()));
    // Five routes filtering on states the conversation is never in, then one taking it.
    for never in 100..105 {
        bot = bot.route(
            Dialogue::<Step>::in_state(move |s| s.0 == never),
            || async { "never" },
        );
    }
    let bot = bot.handler(|mut dialogue: Dialogue<Step>| async move {
        match dialogue.update_with(|s| Step(s.0 + 1)).await {
            Ok(step) => format!("step {}", step.0),
            Err(e) => format!("failed: {e}"),
        }
    });
    let server = start(bot).await;
    for expected in 1..=3 {
        let before = DECODES.load(Ordering::Relaxed);
        let answer = post_xml(server.addr, "/", &chat("carol@localhost/phone", "go")).await;
        assert_eq!(body_of(&answer), format!("step {expected}"));
        assert_eq!(
            loads.load(Ordering::Relaxed),
            expected as usize,
            "one load per request"
        );
        let decodes = DECODES.load(Ordering::Relaxed) - before;
        // The first request finds no entry: nothing to decode.
        assert_eq!(decodes, usize::from(expected > 1), "one decode per request");
    }
    server.stop().await.unwrap();
}
