//! [`MemoryStorage`]: entries in this process's memory, bounded.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use super::{DEFAULT_TTL, Entry, Storage, StorageError, StorageFuture, Version, clamp_ttl};

const BACKEND: &str = "memory";

/// How many entries a [`MemoryStorage`] keeps when not told otherwise.
const DEFAULT_MAX_ENTRIES: usize = 100_000;

/// Entries in this process's memory: the default storage, fast, lost on
/// restart and not shared between replicas.
///
/// Bounded in two ways: expired entries are dropped at each save (and read as
/// absent before that), and when the store holds
/// [`max_entries`](MemoryStorageBuilder::max_entries) live entries, a save that
/// creates one more first evicts the entry saved longest ago (the next to
/// expire), with a `warn` log. A flood of new senders can so push out old
/// conversations but never grow memory without bound.
///
/// ```
/// use std::time::Duration;
/// use xmpp_rest_bot::storage::MemoryStorage;
///
/// let storage = MemoryStorage::builder()
///     .ttl(Duration::from_secs(15 * 60))
///     .max_entries(10_000)
///     .build();
/// assert_eq!(storage.len(), 0);
/// ```
#[derive(Debug)]
pub struct MemoryStorage {
    state: Mutex<State>,
    ttl: Duration,
    max_entries: usize,
}

/// The settings of a [`MemoryStorage`]; from [`MemoryStorage::builder`].
#[derive(Debug, Clone)]
#[must_use = "call .build() to get the storage"]
pub struct MemoryStorageBuilder {
    ttl: Duration,
    max_entries: usize,
}

#[derive(Debug, Default)]
struct State {
    entries: HashMap<Arc<str>, Slot>,
    /// The keys by expiry time (ties broken by version, unique in the store):
    /// the first is the next to expire and the first to evict.
    by_expiry: BTreeMap<(Instant, u64), Arc<str>>,
    last_version: u64,
}

#[derive(Debug)]
struct Slot {
    value: Vec<u8>,
    version: u64,
    expires_at: Instant,
}

impl Default for MemoryStorage {
    fn default() -> Self {
        Self::new()
    }
}

impl MemoryStorage {
    /// A store with the default settings: entries live one day
    /// ([`DEFAULT_TTL`]) after their last save, at most 100,000 of them.
    pub fn new() -> Self {
        Self::builder().build()
    }

    /// The settings, to change before [`build`](MemoryStorageBuilder::build).
    pub fn builder() -> MemoryStorageBuilder {
        MemoryStorageBuilder {
            ttl: DEFAULT_TTL,
            max_entries: DEFAULT_MAX_ENTRIES,
        }
    }

    /// How many entries the store holds (expired ones not yet dropped included).
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Whether the store holds no entry.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // No code under this lock can panic halfway through a change, so a
        // poisoned lock still guards consistent data.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn load_now(&self, key: &str) -> Option<Entry> {
        let state = self.lock();
        let slot = state.entries.get(key)?;
        (slot.expires_at > Instant::now())
            .then(|| Entry::new(slot.value.clone(), Version::new(slot.version)))
    }

    fn save_now(
        &self,
        key: &str,
        value: Vec<u8>,
        expected: Option<Version>,
    ) -> Result<Version, StorageError> {
        let now = Instant::now();
        let mut state = self.lock();
        state.purge_expired(now);
        let found = state
            .entries
            .get(key)
            .map(|slot| Version::new(slot.version));
        if found != expected {
            return Err(StorageError::conflict(BACKEND, key, expected, found));
        }
        state.last_version += 1;
        let version = state.last_version;
        let expires_at = now + self.ttl;
        let key: Arc<str> = match state.entries.remove_entry(key) {
            Some((key, old)) => {
                state.by_expiry.remove(&(old.expires_at, old.version));
                key
            }
            None => {
                state.make_room(self.max_entries);
                Arc::from(key)
            }
        };
        state.by_expiry.insert((expires_at, version), key.clone());
        state.entries.insert(
            key,
            Slot {
                value,
                version,
                expires_at,
            },
        );
        Ok(Version::new(version))
    }

    fn remove_now(&self, key: &str, expected: Version) -> Result<(), StorageError> {
        let now = Instant::now();
        let mut state = self.lock();
        state.purge_expired(now);
        let found = state
            .entries
            .get(key)
            .map(|slot| Version::new(slot.version));
        if found != Some(expected) {
            return Err(StorageError::conflict(BACKEND, key, Some(expected), found));
        }
        if let Some(old) = state.entries.remove(key) {
            state.by_expiry.remove(&(old.expires_at, old.version));
        }
        Ok(())
    }
}

impl State {
    /// Drops the entries whose time is up: O(log n) per dropped entry.
    fn purge_expired(&mut self, now: Instant) {
        while let Some(entry) = self.by_expiry.first_entry() {
            if entry.key().0 > now {
                break;
            }
            let key = entry.remove();
            self.entries.remove(&key);
        }
    }

    /// Evicts the entries saved longest ago until one more fits.
    fn make_room(&mut self, max_entries: usize) {
        while self.entries.len() >= max_entries.max(1) {
            let Some((_, key)) = self.by_expiry.pop_first() else {
                break;
            };
            self.entries.remove(&key);
            tracing::warn!(
                key = %crate::error::snippet(&key),
                max_entries,
                "memory storage full: evicted the entry saved longest ago"
            );
        }
    }
}

impl MemoryStorageBuilder {
    /// How long an entry lives after its last save (default: one day).
    /// Clamped to between a millisecond and [`MAX_TTL`](super::MAX_TTL).
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = clamp_ttl(ttl);
        self
    }

    /// The most entries the store keeps (default: 100,000; at least 1).
    pub fn max_entries(mut self, max_entries: usize) -> Self {
        self.max_entries = max_entries.max(1);
        self
    }

    /// The store.
    pub fn build(self) -> MemoryStorage {
        MemoryStorage {
            state: Mutex::new(State::default()),
            ttl: self.ttl,
            max_entries: self.max_entries,
        }
    }
}

impl Storage for MemoryStorage {
    fn backend(&self) -> &'static str {
        BACKEND
    }

    fn load<'a>(&'a self, key: &'a str) -> StorageFuture<'a, Option<Entry>> {
        Box::pin(async move { Ok(self.load_now(key)) })
    }

    fn save<'a>(
        &'a self,
        key: &'a str,
        value: Vec<u8>,
        expected: Option<Version>,
    ) -> StorageFuture<'a, Version> {
        // Done when polled, like the other stores: a future dropped unpolled
        // writes nothing.
        Box::pin(async move { self.save_now(key, value, expected) })
    }

    fn remove<'a>(&'a self, key: &'a str, expected: Version) -> StorageFuture<'a, ()> {
        Box::pin(async move { self.remove_now(key, expected) })
    }
}
