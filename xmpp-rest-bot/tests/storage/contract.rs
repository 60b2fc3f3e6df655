//! The rules every `Storage` keeps, as functions each backend's tests call.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use xmpp_rest_bot::dialogue::Dialogue;
use xmpp_rest_bot::storage::{Storage, StorageErrorKind, Version};

fn conflict(expected: Option<Version>, found: Option<Version>) -> StorageErrorKind {
    StorageErrorKind::Conflict { expected, found }
}

/// Create, replace, remove: each only from the expected version.
pub(crate) async fn versions_and_conflicts(storage: &dyn Storage, prefix: &str) {
    let key = format!("{prefix}:cas");
    let key = key.as_str();
    assert_eq!(storage.load(key).await.unwrap(), None);

    let v1 = storage.save(key, b"one".to_vec(), None).await.unwrap();
    let err = storage.save(key, b"x".to_vec(), None).await.unwrap_err();
    assert_eq!(err.kind(), &conflict(None, Some(v1)), "{err}");
    assert_eq!(err.key(), Some(key));
    assert_eq!(err.backend(), storage.backend());

    // Binary values, not only UTF-8.
    let binary = vec![0, 159, 146, 150, 255, b':'];
    let v2 = storage.save(key, binary.clone(), Some(v1)).await.unwrap();
    assert_ne!(v1, v2);
    let stale = storage
        .save(key, b"x".to_vec(), Some(v1))
        .await
        .unwrap_err();
    assert_eq!(stale.kind(), &conflict(Some(v1), Some(v2)), "{stale}");
    let entry = storage.load(key).await.unwrap().unwrap();
    assert_eq!((entry.value, entry.version), (binary, v2));

    let err = storage.remove(key, v1).await.unwrap_err();
    assert_eq!(err.kind(), &conflict(Some(v1), Some(v2)), "{err}");
    assert!(
        storage.load(key).await.unwrap().is_some(),
        "nothing removed"
    );
    storage.remove(key, v2).await.unwrap();
    assert_eq!(storage.load(key).await.unwrap(), None);
    let err = storage.remove(key, v2).await.unwrap_err();
    assert_eq!(err.kind(), &conflict(Some(v2), None), "{err}");

    // Created again: a version it never had, and an empty value is a value.
    let v3 = storage.save(key, Vec::new(), None).await.unwrap();
    assert!(v3 != v1 && v3 != v2);
    let stale = storage
        .save(key, b"x".to_vec(), Some(v2))
        .await
        .unwrap_err();
    assert!(stale.is_conflict());
    assert_eq!(storage.load(key).await.unwrap().unwrap().value, b"");
}

/// An entry of a store whose TTL is 200 ms: gone after 400 ms idle, and its
/// key free for a new conversation.
pub(crate) async fn expiry(storage: &dyn Storage, prefix: &str) {
    let key = format!("{prefix}:expiry");
    let v1 = storage.save(&key, b"a".to_vec(), None).await.unwrap();
    assert!(storage.load(&key).await.unwrap().is_some());
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(storage.load(&key).await.unwrap(), None, "not expired");
    assert!(
        storage
            .save(&key, b"b".to_vec(), Some(v1))
            .await
            .unwrap_err()
            .is_conflict()
    );
    let v2 = storage.save(&key, b"c".to_vec(), None).await.unwrap();
    assert_ne!(v1, v2);
}

/// `tasks` concurrent `update_with(+1)` on one conversation, spread over the
/// given storages (one per client or connection): every one succeeds and the
/// count is exact. Returns how many times the closures ran (≥ tasks: the
/// extra runs are the conflicts that were retried).
pub(crate) async fn race(storages: &[Arc<dyn Storage>], prefix: &str, tasks: u32) -> u32 {
    let key = format!("{prefix}:race");
    let calls = Arc::new(AtomicU32::new(0));
    let handles: Vec<_> = (0..tasks)
        .map(|i| {
            let storage = storages[i as usize % storages.len()].clone();
            let (key, calls) = (key.clone(), calls.clone());
            tokio::spawn(async move {
                let mut dialogue = Dialogue::<u32>::load(storage, key).await?;
                // Let the others load too (the in-memory store never waits,
                // so without this each task could run alone): a real race.
                tokio::task::yield_now().await;
                dialogue
                    .update_with(|n| {
                        calls.fetch_add(1, Ordering::Relaxed);
                        n + 1
                    })
                    .await
                    .copied()
            })
        })
        .collect();
    let mut succeeded = 0;
    for handle in handles {
        match handle.await.unwrap() {
            Ok(_) => succeeded += 1,
            Err(e) => panic!("an update failed: {e}"),
        }
    }
    let count = *Dialogue::<u32>::load(storages[0].clone(), key)
        .await
        .unwrap()
        .get();
    let calls = calls.load(Ordering::Relaxed);
    println!(
        "race on {}: {tasks} tasks over {} clients, {succeeded} succeeded, count {count}, {} conflicts retried",
        storages[0].backend(),
        storages.len(),
        calls - tasks
    );
    assert_eq!(succeeded, tasks);
    assert_eq!(count, tasks, "lost updates: {}", tasks - count);
    assert!(
        calls > tasks,
        "no update conflicted: the tasks did not race"
    );
    calls
}
