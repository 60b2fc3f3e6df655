//! Dialogue semantics on the in-memory store. (The same race against SQLite
//! and Redis is in `tests/storage.rs`.)

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use serde::{Deserialize, Serialize};

use super::*;
use crate::storage::MemoryStorage;

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .unwrap()
}

fn memory() -> Arc<dyn Storage> {
    Arc::new(MemoryStorage::new())
}

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
enum Wizard {
    #[default]
    Start,
    AskName,
    Named(String),
}

#[test]
fn a_plain_update_on_a_changed_conversation_fails_and_writes_nothing() {
    rt().block_on(async {
        let storage = memory();
        let mut mine = Dialogue::<Wizard>::load(storage.clone(), "k")
            .await
            .unwrap();
        let mut theirs = Dialogue::<Wizard>::load(storage.clone(), "k")
            .await
            .unwrap();
        theirs.update(Wizard::AskName).await.unwrap();

        let err = mine.update(Wizard::Named("x".into())).await.unwrap_err();
        assert!(err.is_conflict(), "{err}");
        assert_eq!(mine.get(), &Wizard::Start, "the dialogue keeps its state");
        let stored = Dialogue::<Wizard>::load(storage.clone(), "k")
            .await
            .unwrap();
        assert_eq!(stored.get(), &Wizard::AskName, "the other's update stands");

        // After a reload, the update goes through.
        mine.reload().await.unwrap();
        mine.update(Wizard::Named("x".into())).await.unwrap();
    });
}

#[test]
fn update_with_reruns_the_closure_on_the_fresh_state() {
    rt().block_on(async {
        let storage = memory();
        let mut mine = Dialogue::<u32>::load(storage.clone(), "k").await.unwrap();
        let mut theirs = Dialogue::<u32>::load(storage.clone(), "k").await.unwrap();
        theirs.update(10).await.unwrap();
        let calls = AtomicU32::new(0);
        let seen = std::sync::Mutex::new(Vec::new());
        let now = *mine
            .update_with(|n| {
                calls.fetch_add(1, Ordering::Relaxed);
                seen.lock().unwrap().push(*n);
                n + 1
            })
            .await
            .unwrap();
        assert_eq!(now, 11);
        assert_eq!(calls.load(Ordering::Relaxed), 2);
        assert_eq!(*seen.lock().unwrap(), [0, 10]);
    });
}

#[test]
fn exit_wins_over_a_concurrent_change_and_resets_to_the_default() {
    rt().block_on(async {
        let storage = memory();
        let mut mine = Dialogue::<Wizard>::load(storage.clone(), "k")
            .await
            .unwrap();
        mine.update(Wizard::AskName).await.unwrap();
        let mut theirs = Dialogue::<Wizard>::load(storage.clone(), "k")
            .await
            .unwrap();
        theirs.update(Wizard::Named("y".into())).await.unwrap();

        mine.exit().await.unwrap();
        assert_eq!(mine.get(), &Wizard::Start);
        assert!(!mine.is_stored());
        assert!(storage.load("k").await.unwrap().is_none());
        // Exiting a conversation that is not stored is a no-op.
        mine.exit().await.unwrap();
    });
}

#[test]
fn a_value_of_another_type_is_a_clear_error_and_can_still_be_ended() {
    rt().block_on(async {
        let storage = memory();
        storage
            .save("bot:k", b"{\"not\":\"a wizard\"}".to_vec(), None)
            .await
            .unwrap();
        let err = Dialogue::<Wizard>::load(storage.clone(), "bot:k")
            .await
            .unwrap_err();
        assert_eq!(err.kind(), &StorageErrorKind::Codec);
        assert_eq!(err.key(), Some("bot:k"));
        assert!(
            err.to_string()
                .starts_with("memory storage, key \"bot:k\": the value could not be")
        );

        // The bot can end it: a fresh dialogue, then exit.
        let mut fresh = Dialogue::<serde_json::Value>::load(storage.clone(), "bot:k")
            .await
            .unwrap();
        fresh.exit().await.unwrap();
        let restarted = Dialogue::<Wizard>::load(storage, "bot:k").await.unwrap();
        assert_eq!(restarted.get(), &Wizard::Start);
    });
}

#[test]
fn concurrent_update_with_loses_no_update() {
    const TASKS: u32 = 64;
    rt().block_on(async {
        let storage = memory();
        let calls = Arc::new(AtomicU32::new(0));
        let tasks: Vec<_> = (0..TASKS)
            .map(|_| {
                let storage = storage.clone();
                let calls = calls.clone();
                tokio::spawn(async move {
                    let mut d = Dialogue::<u32>::load(storage, "race").await?;
                    tokio::task::yield_now().await; // let the others load: a real race
                    d.update_with(|n| {
                        calls.fetch_add(1, Ordering::Relaxed);
                        n + 1
                    })
                    .await
                    .copied()
                })
            })
            .collect();
        let mut ok = 0;
        for task in tasks {
            task.await.unwrap().unwrap();
            ok += 1;
        }
        let final_count = *Dialogue::<u32>::load(storage, "race").await.unwrap().get();
        assert_eq!((ok, final_count), (TASKS, TASKS));
        // The race happened: some updates conflicted and were retried.
        assert!(calls.load(Ordering::Relaxed) > TASKS);
    });
}

#[test]
fn from_entry_decodes_what_was_loaded_once() {
    rt().block_on(async {
        let storage = memory();
        let mut first = Dialogue::<Wizard>::load(storage.clone(), "k")
            .await
            .unwrap();
        first.update(Wizard::AskName).await.unwrap();

        let entry = storage.load("k").await.unwrap();
        let mut again = Dialogue::<Wizard>::from_entry(storage.clone(), "k", entry).unwrap();
        assert_eq!(again.get(), &Wizard::AskName);
        assert!(again.is_stored());
        // It carries the loaded version: its update is a valid compare-and-set.
        again.update(Wizard::Named("z".into())).await.unwrap();
        // ...and the first dialogue's is now stale.
        assert!(first.update(Wizard::Start).await.unwrap_err().is_conflict());

        let none = Dialogue::<Wizard>::from_entry(storage, "absent", None).unwrap();
        assert_eq!((none.get(), none.is_stored()), (&Wizard::Start, false));
    });
}
