//! Redis: a real `redis-server` (see `redis_server.rs`).

use std::sync::Arc;
use std::time::Duration;

use xmpp_rest_bot::storage::{RedisStorage, Storage};

use crate::contract;
use crate::redis_server::{own_redis, redis};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_keeps_the_contract() {
    let Some(redis) = redis("redis_keeps_the_contract") else {
        return;
    };
    let storage = RedisStorage::builder(&redis.url)
        .version_key(format!("{}:version", redis.prefix))
        .connect()
        .await
        .unwrap();
    contract::versions_and_conflicts(&storage, &redis.prefix).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_expires_idle_entries() {
    let Some(redis) = redis("redis_expires_idle_entries") else {
        return;
    };
    let storage = RedisStorage::builder(&redis.url)
        .ttl(Duration::from_millis(200))
        .connect()
        .await
        .unwrap();
    contract::expiry(&storage, &redis.prefix).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_clients_lose_no_update() {
    let Some(redis) = redis("two_clients_lose_no_update") else {
        return;
    };
    let mut clients: Vec<Arc<dyn Storage>> = Vec::new();
    for _ in 0..2 {
        let storage = RedisStorage::builder(&redis.url).connect().await.unwrap();
        clients.push(Arc::new(storage));
    }
    contract::race(&clients, &redis.prefix, 100).await;
}

#[tokio::test]
async fn an_unreachable_server_is_a_clear_error() {
    // A port nothing listens on: bound, then closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = RedisStorage::builder(format!("redis://:secret@127.0.0.1:{port}/"))
        .timeout(Duration::from_millis(500))
        .connect()
        .await
        .unwrap_err();
    let text = err.to_string();
    assert_eq!(err.backend(), "redis");
    assert!(text.starts_with("redis storage: connect failed"), "{text}");
    assert!(!text.contains("secret"), "the password leaked: {text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_server_is_an_error_and_a_restarted_one_is_reconnected_to() {
    // A server of its own: it is stopped and started again.
    let Some(mut redis) = own_redis("restart") else {
        return;
    };
    let storage = RedisStorage::builder(&redis.url)
        .timeout(Duration::from_millis(500))
        .connect()
        .await
        .unwrap();
    storage.save("k", b"1".to_vec(), None).await.unwrap();
    let port = redis.stop().unwrap();
    let err = storage.load("k").await.unwrap_err();
    assert_eq!(err.key(), Some("k"), "{err}");
    assert!(
        err.to_string()
            .starts_with("redis storage, key \"k\": load failed"),
        "{err}"
    );

    redis.restart(port);
    // The connection comes back by itself (the data does not: no persistence).
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        match storage.load("k").await {
            Ok(entry) => break assert_eq!(entry, None),
            Err(e) if std::time::Instant::now() > deadline => panic!("not reconnected: {e}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
    storage.save("k", b"2".to_vec(), None).await.unwrap();
}
