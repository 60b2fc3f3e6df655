//! The in-memory store's own rules: expiry and its bound. (The rules every
//! store shares run against all three in `tests/storage.rs`.)

use std::time::Duration;

use super::*;

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
}

#[test]
fn expired_entries_read_as_absent_and_can_be_created_again() {
    rt().block_on(async {
        let storage = MemoryStorage::builder()
            .ttl(Duration::from_millis(30))
            .build();
        let first = storage.save("k", b"a".to_vec(), None).await.unwrap();
        tokio::time::sleep(Duration::from_millis(60)).await;
        assert_eq!(storage.load("k").await.unwrap(), None);
        // A stale writer still holding the old version loses...
        let stale = storage.save("k", b"b".to_vec(), Some(first)).await;
        assert!(stale.unwrap_err().is_conflict());
        // ...and a new conversation starts, with a version never seen before.
        let again = storage.save("k", b"c".to_vec(), None).await.unwrap();
        assert!(again > first);
        assert_eq!(storage.len(), 1);
    });
}

#[test]
fn a_save_refreshes_the_time_to_live() {
    rt().block_on(async {
        let storage = MemoryStorage::builder()
            .ttl(Duration::from_millis(80))
            .build();
        let mut version = storage.save("k", b"0".to_vec(), None).await.unwrap();
        for _ in 0..4 {
            tokio::time::sleep(Duration::from_millis(40)).await;
            version = storage
                .save("k", b"n".to_vec(), Some(version))
                .await
                .unwrap();
        }
        // 160 ms after creation, 0 after the last save: alive.
        assert_eq!(storage.load("k").await.unwrap().unwrap().version, version);
    });
}

#[test]
fn saves_drop_expired_entries_so_memory_does_not_grow() {
    rt().block_on(async {
        let storage = MemoryStorage::builder()
            .ttl(Duration::from_millis(20))
            .build();
        for i in 0..100 {
            storage
                .save(&format!("old{i}"), vec![0; 100], None)
                .await
                .unwrap();
        }
        assert_eq!(storage.len(), 100);
        tokio::time::sleep(Duration::from_millis(40)).await;
        storage.save("new", vec![], None).await.unwrap();
        assert_eq!(storage.len(), 1);
    });
}

#[test]
fn a_full_store_evicts_the_entry_saved_longest_ago() {
    rt().block_on(async {
        let storage = MemoryStorage::builder().max_entries(3).build();
        let mut versions = Vec::new();
        for key in ["a", "b", "c"] {
            versions.push(storage.save(key, key.into(), None).await.unwrap());
        }
        // "a" is saved again: now "b" is the oldest.
        storage
            .save("a", b"a2".to_vec(), Some(versions[0]))
            .await
            .unwrap();
        storage.save("d", b"d".to_vec(), None).await.unwrap();
        assert_eq!(storage.len(), 3);
        assert_eq!(storage.load("b").await.unwrap(), None);
        for key in ["a", "c", "d"] {
            assert!(storage.load(key).await.unwrap().is_some(), "{key} evicted");
        }
    });
}

#[test]
fn ttls_are_clamped() {
    assert_eq!(ttl_millis(Duration::ZERO), 1);
    assert_eq!(ttl_millis(Duration::MAX), ttl_millis(MAX_TTL));
    // An entry with the longest TTL can still be written (no Instant overflow).
    rt().block_on(async {
        let storage = MemoryStorage::builder().ttl(Duration::MAX).build();
        storage.save("k", vec![], None).await.unwrap();
        assert!(storage.load("k").await.unwrap().is_some());
    });
}

#[test]
fn errors_name_the_backend_the_key_and_the_versions() {
    rt().block_on(async {
        let storage = MemoryStorage::new();
        let v = storage.save("bot:k", vec![], None).await.unwrap();
        let err = storage.save("bot:k", vec![], None).await.unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("memory storage, key \"bot:k\": version conflict (expected no entry, found version {v})")
        );
        let err = storage.remove("other", v).await.unwrap_err();
        assert_eq!(
            err.kind(),
            &StorageErrorKind::Conflict {
                expected: Some(v),
                found: None
            }
        );
    });
}
