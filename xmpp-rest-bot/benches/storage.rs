//! One read + one write per message, for each storage: what a dialogue costs a
//! bot per stanza. Each iteration loads a conversation (one of 1,000, in
//! turn) and saves it back with compare-and-set through `Dialogue::update`
//! (JSON of a small state).
//!
//! Run: `cargo bench -p xmpp-rest-bot --features sqlite,redis --bench storage`
//!
//! SQLite runs on a file in a temporary directory (WAL, synchronous=NORMAL).
//! Redis: `XMPP_REST_BOT_TEST_REDIS_URL` when set, else a `redis-server` the
//! bench starts on a free loopback port (no persistence); skipped with a
//! message when there is neither.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use serde::{Deserialize, Serialize};
use xmpp_rest_bot::dialogue::{ConversationKey, Dialogue};
use xmpp_rest_bot::storage::{MemoryStorage, RedisStorage, SqliteStorage, Storage};

const CONVERSATIONS: usize = 1_000;

/// A typical wizard state: a step and what was answered so far.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
struct Wizard {
    step: u32,
    environment: Option<String>,
    version: Option<String>,
}

fn keys() -> Vec<String> {
    (0..CONVERSATIONS)
        .map(|i| {
            let jid = format!("user{i}@example.org/phone").parse().unwrap();
            ConversationKey::chat(&jid).storage_key("bench")
        })
        .collect()
}

/// `iters` messages, each one load and one update of a conversation.
async fn messages(storage: &Arc<dyn Storage>, keys: &[String], iters: u64) -> Duration {
    let start = Instant::now();
    for i in 0..iters {
        let key = &keys[i as usize % keys.len()];
        let mut dialogue = Dialogue::<Wizard>::load(storage.clone(), key.as_str())
            .await
            .unwrap();
        let mut next = dialogue.get().clone();
        next.step += 1;
        next.environment = Some("prod".into());
        dialogue.update(next).await.unwrap();
    }
    start.elapsed()
}

fn bench_storage(
    c: &mut Criterion,
    name: &str,
    rt: &tokio::runtime::Runtime,
    storage: Arc<dyn Storage>,
) {
    let keys = keys();
    c.bench_function(&format!("load+update/{name}"), |b| {
        b.iter_custom(|iters| rt.block_on(messages(&storage, &keys, iters)))
    });
}

fn storages(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();

    bench_storage(c, "memory", &rt, Arc::new(MemoryStorage::new()));

    let dir = tempfile::tempdir().unwrap();
    let sqlite = rt
        .block_on(SqliteStorage::builder(dir.path().join("bench.sqlite3")).open())
        .unwrap();
    bench_storage(c, "sqlite", &rt, Arc::new(sqlite));

    let (url, server) = match std::env::var("XMPP_REST_BOT_TEST_REDIS_URL") {
        Ok(url) => (url, None),
        Err(_) => match start_redis() {
            Some((url, child)) => (url, Some(ServerGuard(child))),
            None => {
                eprintln!(
                    "load+update/redis skipped: no XMPP_REST_BOT_TEST_REDIS_URL and no redis-server"
                );
                return;
            }
        },
    };
    let redis = rt
        .block_on(
            RedisStorage::builder(url)
                .version_key("bench:version")
                .connect(),
        )
        .unwrap();
    bench_storage(c, "redis", &rt, Arc::new(redis));
    drop(server);
}

struct ServerGuard(Child);

impl Drop for ServerGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_redis() -> Option<(String, Child)> {
    let port = TcpListener::bind("127.0.0.1:0")
        .ok()?
        .local_addr()
        .ok()?
        .port();
    let child = Command::new("redis-server")
        .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
        .args(["--save", "", "--appendonly", "no"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    for _ in 0..500 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some((format!("redis://127.0.0.1:{port}/"), child));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(ServerGuard(child));
    None
}

criterion_group!(benches, storages);
criterion_main!(benches);
