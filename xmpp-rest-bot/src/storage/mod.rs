//! Versioned key-value storage for conversation state: in memory, in SQLite, in Redis.
//!
//! A [`Storage`] keeps entries (bytes) under string keys, each with a
//! [`Version`]. Every write is a *compare-and-set*: [`save`](Storage::save)
//! creates an entry only if it is absent, and replaces one only if its version
//! is still the one the caller loaded; otherwise it fails with a
//! [conflict](StorageError::is_conflict) and writes nothing. So when two
//! requests of one conversation race (two replicas behind a load balancer, or
//! a bot that does not order stanzas per sender), one wins and the other
//! learns it lost: no update is silently overwritten.
//!
//! Idle entries expire: each store has a time to live counted from an entry's
//! last save. An expired entry reads as absent.
//!
//! Most bots do not call a storage directly: [`Dialogue`](crate::dialogue::Dialogue)
//! keeps a typed state per conversation on top of one.
//!
//! | storage | feature | shared by replicas | survives a restart | expiry |
//! |---------|---------|--------------------|--------------------|--------|
//! | [`MemoryStorage`] | always | no | no | checked on read, purged on write; bounded number of entries |
//! | `SqliteStorage` | `sqlite` | replicas on one machine (one file) | yes | checked on read, purged periodically |
//! | `RedisStorage` | `redis` | yes | as Redis persists | Redis `PEXPIRE` |
//!
//! ```
//! use std::sync::Arc;
//! use std::time::Duration;
//! use xmpp_rest_bot::storage::{MemoryStorage, Storage};
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let storage: Arc<dyn Storage> = Arc::new(
//!     MemoryStorage::builder().ttl(Duration::from_secs(3600)).build(),
//! );
//!
//! // Create (expected: absent), then replace with the version just written.
//! let v1 = storage.save("bot:counter", b"1".to_vec(), None).await?;
//! let v2 = storage.save("bot:counter", b"2".to_vec(), Some(v1)).await?;
//!
//! // A writer still holding v1 lost the race: a conflict, nothing written.
//! let stale = storage.save("bot:counter", b"9".to_vec(), Some(v1)).await;
//! assert!(stale.unwrap_err().is_conflict());
//!
//! let entry = storage.load("bot:counter").await?.expect("saved above");
//! assert_eq!((entry.value.as_slice(), entry.version), (&b"2"[..], v2));
//!
//! storage.remove("bot:counter", v2).await?;
//! assert!(storage.load("bot:counter").await?.is_none());
//! # Ok::<_, xmpp_rest_bot::storage::StorageError>(())
//! # }).unwrap();
//! ```

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

mod error;
mod memory;
#[cfg(feature = "redis")]
mod redis_storage;
#[cfg(feature = "sqlite")]
mod sqlite_storage;

pub use error::{StorageError, StorageErrorKind};
pub use memory::{MemoryStorage, MemoryStorageBuilder};
#[cfg(feature = "redis")]
pub use redis_storage::{RedisStorage, RedisStorageBuilder};
#[cfg(feature = "sqlite")]
pub use sqlite_storage::{SqliteStorage, SqliteStorageBuilder};

/// How long an entry lives after its last save when the store is not told
/// otherwise: one day.
pub const DEFAULT_TTL: Duration = Duration::from_secs(24 * 60 * 60);

/// The future a [`Storage`] method returns (boxed, so that the trait can be
/// used as `Arc<dyn Storage>`).
pub type StorageFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StorageError>> + Send + 'a>>;

/// The version of a stored entry: changes at every save.
///
/// Versions come from a counter of the whole store, so an entry that expired
/// and was created again never gets a version it had before: a writer that
/// still holds an old one gets a conflict instead of overwriting the new entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version(u64);

impl Version {
    /// A version with this number (for implementations of [`Storage`]).
    pub const fn new(number: u64) -> Self {
        Version(number)
    }

    /// The version's number.
    pub const fn get(self) -> u64 {
        self.0
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// An entry as loaded: its value and the version to pass to the next
/// [`save`](Storage::save) or [`remove`](Storage::remove).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Entry {
    /// The stored bytes.
    pub value: Vec<u8>,
    /// The entry's current version.
    pub version: Version,
}

impl Entry {
    /// An entry (for implementations of [`Storage`]).
    pub fn new(value: Vec<u8>, version: Version) -> Self {
        Entry { value, version }
    }
}

/// A versioned key-value store with compare-and-set writes and expiry.
///
/// Object safe: a bot holds one as `Arc<dyn Storage>`. Implementations must
/// make `save` and `remove` atomic (the version check and the write are one
/// step, also against other processes sharing the store), count each entry's
/// time to live from its last save, and treat an expired entry as absent.
/// Every failure is a [`StorageError`], never a panic.
pub trait Storage: Send + Sync + 'static {
    /// The storage's name for errors and logs: `"memory"`, `"sqlite"`,
    /// `"redis"`; `"custom"` unless an implementation says otherwise.
    fn backend(&self) -> &'static str {
        "custom"
    }

    /// The entry under `key` with its version, or `None` when there is none
    /// (or it expired).
    fn load<'a>(&'a self, key: &'a str) -> StorageFuture<'a, Option<Entry>>;

    /// Writes `value` under `key` if the entry's current version is `expected`
    /// (`None`: only if there is no entry), and returns the new version.
    /// Otherwise writes nothing and fails with a
    /// [conflict](StorageError::is_conflict). The entry's time to live starts
    /// again.
    fn save<'a>(
        &'a self,
        key: &'a str,
        value: Vec<u8>,
        expected: Option<Version>,
    ) -> StorageFuture<'a, Version>;

    /// Removes the entry under `key` if its current version is `expected`;
    /// otherwise (changed, or absent) removes nothing and fails with a
    /// [conflict](StorageError::is_conflict).
    fn remove<'a>(&'a self, key: &'a str, expected: Version) -> StorageFuture<'a, ()>;
}

impl<S: Storage + ?Sized> Storage for Arc<S> {
    fn backend(&self) -> &'static str {
        (**self).backend()
    }

    fn load<'a>(&'a self, key: &'a str) -> StorageFuture<'a, Option<Entry>> {
        (**self).load(key)
    }

    fn save<'a>(
        &'a self,
        key: &'a str,
        value: Vec<u8>,
        expected: Option<Version>,
    ) -> StorageFuture<'a, Version> {
        (**self).save(key, value, expected)
    }

    fn remove<'a>(&'a self, key: &'a str, expected: Version) -> StorageFuture<'a, ()> {
        (**self).remove(key, expected)
    }
}

/// The longest time to live a store keeps: a hundred years (a longer one is
/// taken as this). Redis refuses expiry times past what a 64-bit millisecond
/// clock holds, and `Instant + ttl` must not overflow.
pub const MAX_TTL: Duration = Duration::from_secs(100 * 365 * 24 * 60 * 60);

/// A time to live as the stores keep it: at least a millisecond (a zero TTL
/// would make Redis refuse `PEXPIRE`), at most [`MAX_TTL`].
fn clamp_ttl(ttl: Duration) -> Duration {
    ttl.clamp(Duration::from_millis(1), MAX_TTL)
}

/// A (clamped) time to live in whole milliseconds.
#[cfg_attr(not(any(feature = "sqlite", feature = "redis")), allow(dead_code))]
fn ttl_millis(ttl: Duration) -> u64 {
    u64::try_from(clamp_ttl(ttl).as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests;
