//! Every storage against the same rules, with real parts: SQLite on a file in
//! a temporary directory, Redis as a real `redis-server` (see
//! `redis_server.rs` for where it comes from).

mod contract;
#[cfg(feature = "redis")]
mod redis;
#[cfg(feature = "redis")]
mod redis_server;
#[cfg(feature = "sqlite")]
mod sqlite;

use std::sync::Arc;
use std::time::Duration;

use xmpp_rest_bot::storage::{MemoryStorage, Storage};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_keeps_the_contract() {
    contract::versions_and_conflicts(&MemoryStorage::new(), "contract").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_expires_idle_entries() {
    let storage = MemoryStorage::builder()
        .ttl(Duration::from_millis(200))
        .build();
    contract::expiry(&storage, "expiry").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_race_loses_no_update() {
    let storage: Arc<dyn Storage> = Arc::new(MemoryStorage::new());
    contract::race(&[storage], "race", 100).await;
}
