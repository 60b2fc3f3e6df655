//! SQLite on a real file in a temporary directory.

use std::sync::Arc;
use std::time::Duration;

use xmpp_rest_bot::dialogue::{ConversationKey, Dialogue};
use xmpp_rest_bot::storage::{SqliteStorage, Storage};

use crate::contract;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_file_is_created_on_first_use_and_keeps_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bot.sqlite3");
    assert!(!path.exists());
    let storage = SqliteStorage::builder(&path).open().await.unwrap();
    assert!(path.exists());
    assert_eq!(storage.path(), path);
    contract::versions_and_conflicts(&storage, "contract").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conversations_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bot.sqlite3");
    let key = ConversationKey::chat(&"alice@example.org/phone".parse().unwrap()).storage_key("bot");
    let version = {
        let storage: Arc<dyn Storage> =
            Arc::new(SqliteStorage::builder(&path).open().await.unwrap());
        let mut dialogue = Dialogue::<Vec<String>>::load(storage.clone(), &key)
            .await
            .unwrap();
        dialogue.update(vec!["prod".into()]).await.unwrap();
        storage.load(&key).await.unwrap().unwrap().version
    }; // dropped: the store's thread ends and closes the file

    let reopened: Arc<dyn Storage> = Arc::new(SqliteStorage::builder(&path).open().await.unwrap());
    let mut dialogue = Dialogue::<Vec<String>>::load(reopened.clone(), &key)
        .await
        .unwrap();
    assert_eq!(dialogue.get(), &["prod".to_string()]);
    dialogue
        .update_with(|steps| [steps.clone(), vec!["yes".into()]].concat())
        .await
        .unwrap();
    // The version counter survived too: the new version is past the old one.
    let now = reopened.load(&key).await.unwrap().unwrap().version;
    assert!(now > version, "{now} after {version}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_entries_expire_and_are_purged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bot.sqlite3");
    let storage = SqliteStorage::builder(&path)
        .ttl(Duration::from_millis(200))
        .purge_interval(Duration::from_secs(3600))
        .open()
        .await
        .unwrap();
    contract::expiry(&storage, "expiry").await;

    for i in 0..10 {
        storage
            .save(&format!("old{i}"), vec![1], None)
            .await
            .unwrap();
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    // No periodic purge has run yet (an hour): the 10 expired rows are there,
    // and the one the expiry check above left.
    assert_eq!(storage.purge_expired().await.unwrap(), 11);
    assert_eq!(storage.purge_expired().await.unwrap(), 0);

    // With a short interval, the periodic purge deletes them by itself.
    let purging = SqliteStorage::builder(&path)
        .ttl(Duration::from_millis(50))
        .purge_interval(Duration::from_millis(100))
        .open()
        .await
        .unwrap();
    for i in 0..10 {
        purging
            .save(&format!("short{i}"), vec![1], None)
            .await
            .unwrap();
    }
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(purging.purge_expired().await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_connections_on_one_file_lose_no_update() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bot.sqlite3");
    let one: Arc<dyn Storage> = Arc::new(SqliteStorage::builder(&path).open().await.unwrap());
    let two: Arc<dyn Storage> = Arc::new(SqliteStorage::builder(&path).open().await.unwrap());
    contract::race(&[one, two], "race", 100).await;
}

#[tokio::test]
async fn an_unusable_path_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing-dir").join("bot.sqlite3");
    let err = SqliteStorage::builder(&path).open().await.unwrap_err();
    assert_eq!(err.backend(), "sqlite");
    let text = err.to_string();
    assert!(
        text.contains("open failed") && text.contains("missing-dir"),
        "{text}"
    );
}
