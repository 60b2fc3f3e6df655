//! [`SqliteStorage`]: entries in one SQLite file (feature `sqlite`).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use tokio::sync::{mpsc, oneshot};

use super::{
    DEFAULT_TTL, Entry, Storage, StorageError, StorageErrorKind, StorageFuture, Version, ttl_millis,
};

const BACKEND: &str = "sqlite";

/// Jobs waiting for the worker thread; a sender waits when it is full.
const QUEUE: usize = 1024;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS xmpp_rest_bot_entries (
    key TEXT PRIMARY KEY NOT NULL,
    value BLOB NOT NULL,
    version INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS xmpp_rest_bot_entries_expiry ON xmpp_rest_bot_entries (expires_at);
CREATE TABLE IF NOT EXISTS xmpp_rest_bot_counter (
    id INTEGER PRIMARY KEY CHECK (id = 0),
    last_version INTEGER NOT NULL
);
INSERT OR IGNORE INTO xmpp_rest_bot_counter (id, last_version) VALUES (0, 0);
";

/// Entries in one SQLite file: they survive a restart, and the bot's replicas
/// on one machine can share the file.
///
/// The file is created (with its tables) when the store is
/// [opened](SqliteStorageBuilder::open), in WAL mode so that reads do not wait
/// for writes. SQLite's calls block, so they run on a thread of the store's
/// own, never on the async runtime; each save is one `BEGIN IMMEDIATE`
/// transaction (version check, version counter, write), so two processes on
/// one file cannot both win a compare-and-set. A process waiting for the
/// other's write lock waits up to [`busy_timeout`](SqliteStorageBuilder::busy_timeout).
///
/// Expired rows read as absent, are overwritten by the next save of their key,
/// and are deleted every [`purge_interval`](SqliteStorageBuilder::purge_interval).
///
/// ```no_run
/// use std::time::Duration;
/// use xmpp_rest_bot::storage::SqliteStorage;
///
/// # async fn f() -> Result<(), xmpp_rest_bot::storage::StorageError> {
/// let storage = SqliteStorage::builder("bot-conversations.sqlite3")
///     .ttl(Duration::from_secs(3600))
///     .open()
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct SqliteStorage {
    jobs: mpsc::Sender<Job>,
    ttl_ms: i64,
    path: Arc<Path>,
}

/// The settings of a [`SqliteStorage`]; from [`SqliteStorage::builder`].
#[derive(Debug, Clone)]
#[must_use = "call .open() to get the storage"]
pub struct SqliteStorageBuilder {
    path: PathBuf,
    ttl: Duration,
    purge_interval: Duration,
    busy_timeout: Duration,
}

type Job = Box<dyn FnOnce(&mut Connection) + Send>;

impl SqliteStorage {
    /// The settings for a store in the file at `path`.
    pub fn builder(path: impl Into<PathBuf>) -> SqliteStorageBuilder {
        SqliteStorageBuilder {
            path: path.into(),
            ttl: DEFAULT_TTL,
            purge_interval: Duration::from_secs(60),
            busy_timeout: Duration::from_secs(5),
        }
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Deletes the expired rows now (the store also does it periodically) and
    /// returns how many there were.
    pub async fn purge_expired(&self) -> Result<usize, StorageError> {
        self.call(None, move |conn| {
            conn.prepare_cached("DELETE FROM xmpp_rest_bot_entries WHERE expires_at <= ?1")
                .and_then(|mut stmt| stmt.execute([now_ms()]))
                .map_err(|e| failure("purge", e))
        })
        .await
    }

    /// Runs `job` on the worker thread and waits for its result.
    async fn call<T: Send + 'static>(
        &self,
        key: Option<&str>,
        job: impl FnOnce(&mut Connection) -> Result<T, StorageError> + Send + 'static,
    ) -> Result<T, StorageError> {
        let (reply, result) = oneshot::channel();
        let job: Job = Box::new(move |conn| {
            let _ = reply.send(job(conn));
        });
        let closed = || {
            let error = StorageError::new(BACKEND, StorageErrorKind::Closed);
            match key {
                Some(key) => error.with_key(key),
                None => error,
            }
        };
        self.jobs.send(job).await.map_err(|_| closed())?;
        result.await.map_err(|_| closed())?
    }
}

impl SqliteStorageBuilder {
    /// How long an entry lives after its last save (default: one day).
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// How often expired rows are deleted (default: every minute).
    pub fn purge_interval(mut self, interval: Duration) -> Self {
        self.purge_interval = interval.max(Duration::from_millis(1));
        self
    }

    /// How long a write waits for another process's write lock on the same
    /// file before it fails (default: five seconds).
    pub fn busy_timeout(mut self, timeout: Duration) -> Self {
        self.busy_timeout = timeout;
        self
    }

    /// Opens the file, creating it and its tables when absent, and starts the
    /// store's thread and its periodic purge. Needs a tokio runtime.
    pub async fn open(self) -> Result<SqliteStorage, StorageError> {
        let (jobs, queue) = mpsc::channel::<Job>(QUEUE);
        let (opened, open_result) = oneshot::channel();
        let path = self.path.clone();
        let busy_timeout = self.busy_timeout;
        std::thread::Builder::new()
            .name("xmpp-rest-bot-sqlite".into())
            .spawn(move || match open_connection(&path, busy_timeout) {
                Ok(conn) => {
                    let _ = opened.send(Ok(()));
                    run(conn, queue);
                }
                Err(error) => {
                    let _ = opened.send(Err(error));
                }
            })
            .map_err(|e| failure("open", e))?;
        open_result
            .await
            .map_err(|_| StorageError::new(BACKEND, StorageErrorKind::Closed))??;
        let storage = SqliteStorage {
            jobs,
            ttl_ms: i64::try_from(ttl_millis(self.ttl)).unwrap_or(i64::MAX),
            path: Arc::from(self.path),
        };
        tokio::spawn(purge_periodically(
            storage.jobs.downgrade(),
            self.purge_interval,
        ));
        Ok(storage)
    }
}

fn open_connection(path: &Path, busy_timeout: Duration) -> Result<Connection, StorageError> {
    let with_path = |e: rusqlite::Error| failure("open", format!("{}: {e}", path.display()));
    let conn = Connection::open(path).map_err(with_path)?;
    conn.busy_timeout(busy_timeout).map_err(with_path)?;
    // WAL: readers do not wait for the writer. NORMAL is durable across a
    // crash of the bot; a power loss may lose the last transactions.
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(with_path)?;
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(with_path)?;
    conn.execute_batch(SCHEMA).map_err(with_path)?;
    Ok(conn)
}

/// The worker thread: runs jobs until every handle of the store is dropped.
fn run(mut conn: Connection, mut queue: mpsc::Receiver<Job>) {
    while let Some(job) = queue.blocking_recv() {
        job(&mut conn);
    }
}

/// Deletes expired rows every `interval` while the store is alive.
async fn purge_periodically(jobs: mpsc::WeakSender<Job>, interval: Duration) {
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticks.tick().await; // the first tick is immediate
    loop {
        ticks.tick().await;
        let Some(jobs) = jobs.upgrade() else { break };
        let job: Job = Box::new(|conn| {
            let purged = conn
                .prepare_cached("DELETE FROM xmpp_rest_bot_entries WHERE expires_at <= ?1")
                .and_then(|mut stmt| stmt.execute([now_ms()]));
            match purged {
                Ok(0) => {}
                Ok(rows) => tracing::debug!(rows, "sqlite storage: purged expired entries"),
                Err(error) => tracing::warn!(%error, "sqlite storage: purge failed"),
            }
        });
        if jobs.send(job).await.is_err() {
            break;
        }
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn failure(
    operation: &'static str,
    cause: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
) -> StorageError {
    StorageError::backend_failure(BACKEND, operation, cause)
}

/// A version read from the file (never negative: the counter starts at 0).
fn version(number: i64) -> Version {
    Version::new(u64::try_from(number).unwrap_or(0))
}

fn load(conn: &Connection, key: &str) -> rusqlite::Result<Option<Entry>> {
    conn.prepare_cached(
        "SELECT value, version FROM xmpp_rest_bot_entries WHERE key = ?1 AND expires_at > ?2",
    )?
    .query_row(params![key, now_ms()], |row| {
        Ok(Entry::new(row.get(0)?, version(row.get(1)?)))
    })
    .optional()
}

/// The compare-and-set: `Ok(Err(found))` on a conflict.
fn save(
    conn: &mut Connection,
    key: &str,
    value: &[u8],
    expected: Option<Version>,
    ttl_ms: i64,
) -> rusqlite::Result<Result<Version, Option<Version>>> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let now = now_ms();
    let found = tx
        .prepare_cached(
            "SELECT version FROM xmpp_rest_bot_entries WHERE key = ?1 AND expires_at > ?2",
        )?
        .query_row(params![key, now], |row| row.get::<_, i64>(0))
        .optional()?
        .map(version);
    if found != expected {
        return Ok(Err(found)); // the transaction rolls back when dropped
    }
    let new: i64 = tx
        .prepare_cached(
            "UPDATE xmpp_rest_bot_counter SET last_version = last_version + 1 WHERE id = 0 \
             RETURNING last_version",
        )?
        .query_row([], |row| row.get(0))?;
    tx.prepare_cached(
        "INSERT INTO xmpp_rest_bot_entries (key, value, version, expires_at) \
         VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, \
         version = excluded.version, expires_at = excluded.expires_at",
    )?
    .execute(params![key, value, new, now.saturating_add(ttl_ms)])?;
    tx.commit()?;
    Ok(Ok(version(new)))
}

/// The conditional delete: `Ok(Err(found))` on a conflict.
fn remove(
    conn: &mut Connection,
    key: &str,
    expected: Version,
) -> rusqlite::Result<Result<(), Option<Version>>> {
    let expected_number = i64::try_from(expected.get()).unwrap_or(-1);
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let deleted = tx
        .prepare_cached(
            "DELETE FROM xmpp_rest_bot_entries WHERE key = ?1 AND version = ?2 AND expires_at > ?3",
        )?
        .execute(params![key, expected_number, now_ms()])?;
    if deleted == 1 {
        tx.commit()?;
        return Ok(Ok(()));
    }
    Ok(Err(load(&tx, key)?.map(|entry| entry.version)))
}

impl Storage for SqliteStorage {
    fn backend(&self) -> &'static str {
        BACKEND
    }

    fn load<'a>(&'a self, key: &'a str) -> StorageFuture<'a, Option<Entry>> {
        Box::pin(async move {
            let owned = key.to_owned();
            self.call(Some(key), move |conn| {
                load(conn, &owned).map_err(|e| failure("load", e).with_key(owned))
            })
            .await
        })
    }

    fn save<'a>(
        &'a self,
        key: &'a str,
        value: Vec<u8>,
        expected: Option<Version>,
    ) -> StorageFuture<'a, Version> {
        let ttl_ms = self.ttl_ms;
        Box::pin(async move {
            let owned = key.to_owned();
            self.call(Some(key), move |conn| {
                match save(conn, &owned, &value, expected, ttl_ms) {
                    Ok(Ok(version)) => Ok(version),
                    Ok(Err(found)) => Err(StorageError::conflict(BACKEND, &owned, expected, found)),
                    Err(e) => Err(failure("save", e).with_key(owned)),
                }
            })
            .await
        })
    }

    fn remove<'a>(&'a self, key: &'a str, expected: Version) -> StorageFuture<'a, ()> {
        Box::pin(async move {
            let owned = key.to_owned();
            self.call(Some(key), move |conn| {
                match remove(conn, &owned, expected) {
                    Ok(Ok(())) => Ok(()),
                    Ok(Err(found)) => Err(StorageError::conflict(
                        BACKEND,
                        &owned,
                        Some(expected),
                        found,
                    )),
                    Err(e) => Err(failure("remove", e).with_key(owned)),
                }
            })
            .await
        })
    }
}
