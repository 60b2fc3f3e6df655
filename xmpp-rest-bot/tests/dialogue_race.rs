//! Concurrent requests of one conversation through real HTTP, with the
//! per-sender order off so that they really race: each handler does
//! `update_with(+1)` on the conversation's counter. Every answer is counted:
//! the stored count equals the number of increments answered as done (no
//! update lost), and an increment that gave up says so (a conflict), never
//! silently. On memory, on SQLite (a file in a temporary directory), on a
//! real Redis (see tests/storage/redis_server.rs).

mod webhook_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use webhook_support::{post_xml, start};
use xmpp_rest_bot::dialogue::{ConversationKey, Dialogue, Dialogues};
use xmpp_rest_bot::prelude::*;
use xmpp_rest_bot::storage::{Entry, MemoryStorage, Storage, StorageFuture, Version};

#[cfg(feature = "redis")]
#[allow(dead_code)] // the restart helpers are for the storage tests
#[path = "storage/redis_server.rs"]
mod redis_server;

/// How many requests race.
const RACERS: usize = 24;

async fn count(mut counter: Dialogue<u64>) -> String {
    // Some work between the load (before the routes) and the save, so that
    // the requests overlap there.
    tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    match counter.update_with(|n| n + 1).await {
        Ok(n) => format!("counted {n}"),
        Err(e) if e.is_conflict() => format!("conflict: {e}"),
        Err(e) => format!("failed: {e}"),
    }
}

/// A storage counting the conflicting saves: the races that happened.
struct CountingConflicts(Arc<dyn Storage>, Arc<AtomicUsize>);

impl Storage for CountingConflicts {
    fn backend(&self) -> &'static str {
        self.0.backend()
    }

    fn load<'a>(&'a self, key: &'a str) -> StorageFuture<'a, Option<Entry>> {
        self.0.load(key)
    }

    fn save<'a>(
        &'a self,
        key: &'a str,
        value: Vec<u8>,
        expected: Option<Version>,
    ) -> StorageFuture<'a, Version> {
        Box::pin(async move {
            let saved = self.0.save(key, value, expected).await;
            if saved.as_ref().is_err_and(|e| e.is_conflict()) {
                self.1.fetch_add(1, Ordering::Relaxed);
            }
            saved
        })
    }

    fn remove<'a>(&'a self, key: &'a str, expected: Version) -> StorageFuture<'a, ()> {
        self.0.remove(key, expected)
    }
}

/// Races [`RACERS`] posts of one conversation and checks every answer.
async fn race(storage: Arc<dyn Storage>, scope: &str) {
    let races = Arc::new(AtomicUsize::new(0));
    let bot = Bot::new()
        .dialogues(Dialogues::new(CountingConflicts(storage.clone(), races.clone())).scope(scope))
        .ordered_per_sender(false)
        .max_concurrency(RACERS * 2)
        .handler(count);
    let server = start(bot).await;
    let stanza = "<message type='chat' id='m1' from='racer@localhost/phone' \
                  to='bot@bot.localhost'><body>+1</body></message>";
    let posts: Vec<_> = (0..RACERS)
        .map(|_| {
            let addr = server.addr;
            tokio::spawn(async move { post_xml(addr, "/", stanza).await })
        })
        .collect();
    let (mut counted, mut conflicts) = (Vec::new(), 0);
    for post in posts {
        let answer = post.await.unwrap();
        let Stanza::Message(m) = answer.stanza() else {
            panic!("not a message: {}", answer.text())
        };
        let body = m.body().unwrap_or_default().to_owned();
        if let Some(n) = body.strip_prefix("counted ") {
            counted.push(n.parse::<u64>().unwrap());
        } else if body.starts_with("conflict: ") {
            conflicts += 1;
        } else {
            panic!("unexpected answer {body:?}");
        }
    }
    let racer = "racer@localhost".parse().unwrap();
    let key = ConversationKey::chat(&racer).storage_key(scope);
    let stored: u64 = match storage.load(&key).await.unwrap() {
        Some(entry) => serde_json::from_slice(&entry.value).unwrap(),
        None => 0,
    };
    println!(
        "{}: {RACERS} racers, {} counted, {} conflicting saves retried, \
         {conflicts} gave up on conflicts, stored {stored}",
        storage.backend(),
        counted.len(),
        races.load(Ordering::Relaxed)
    );
    assert_eq!(counted.len() + conflicts, RACERS);
    assert_eq!(stored, counted.len() as u64, "an update was lost");
    // Each increment that succeeded saw a count no other one saw.
    counted.sort_unstable();
    assert_eq!(counted, (1..=stored).collect::<Vec<_>>());
    assert!(stored > 0);
    assert!(
        races.load(Ordering::Relaxed) > 0,
        "the requests did not race"
    );
    server.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_requests_lose_no_update_in_memory() {
    race(Arc::new(MemoryStorage::new()), "race-memory").await;
}

#[cfg(feature = "sqlite")]
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_requests_lose_no_update_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let storage = xmpp_rest_bot::storage::SqliteStorage::builder(dir.path().join("race.db"))
        .open()
        .await
        .unwrap();
    race(Arc::new(storage), "race-sqlite").await;
}

#[cfg(feature = "redis")]
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_requests_lose_no_update_on_redis() {
    let Some(redis) = redis_server::redis("dialogue_race") else {
        return;
    };
    let storage = xmpp_rest_bot::storage::RedisStorage::builder(redis.url.as_str())
        .connect()
        .await
        .unwrap();
    race(Arc::new(storage), &redis.prefix).await;
}
