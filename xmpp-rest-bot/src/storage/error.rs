//! The one error type of every storage.

use std::fmt;

use super::Version;

/// A failed storage operation: which storage, which key, and why.
///
/// Its `Display` is written for an operator's log:
/// `sqlite storage, key "bot:dialogue:chat:alice@example.org": version conflict
/// (expected version 4, found 5)`. The cause (the driver's own error) is its
/// [`source`](std::error::Error::source).
///
/// A [conflict](Self::is_conflict) is not a failure of the storage: another
/// request or replica changed the entry since it was loaded. [`Dialogue`]
/// retries those when it can (see [`Dialogue::update_with`]).
///
/// [`Dialogue`]: crate::dialogue::Dialogue
/// [`Dialogue::update_with`]: crate::dialogue::Dialogue::update_with
///
/// ```
/// use xmpp_rest_bot::storage::{MemoryStorage, Storage};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let storage = MemoryStorage::new();
/// let first = storage.save("k", b"one".to_vec(), None).await?;
/// // Creating it again (expected: absent) conflicts: it exists.
/// let err = storage.save("k", b"two".to_vec(), None).await.unwrap_err();
/// assert!(err.is_conflict());
/// assert_eq!(err.key(), Some("k"));
/// assert_eq!(err.backend(), "memory");
/// # let _ = first;
/// # Ok::<_, xmpp_rest_bot::storage::StorageError>(())
/// # }).unwrap();
/// ```
pub struct StorageError {
    inner: Box<Inner>,
}

struct Inner {
    backend: &'static str,
    key: Option<String>,
    kind: StorageErrorKind,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

/// What kind of failure a [`StorageError`] is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StorageErrorKind {
    /// The entry's version is not the one expected: another request or replica
    /// changed (or created, or removed) it in between. Nothing was written.
    Conflict {
        /// The version the caller expected (`None`: that the entry is absent).
        expected: Option<Version>,
        /// The version found (`None`: absent), when the storage knows it.
        found: Option<Version>,
    },
    /// The backend failed: the database or server could not be reached, an I/O
    /// error, a broken file. The source says what the driver said.
    Backend {
        /// What was being done ("open", "load", "save", ...).
        operation: &'static str,
    },
    /// The stored value could not be decoded into the expected type, or the
    /// value could not be encoded (JSON).
    Codec,
    /// The storage's worker is gone (the storage was shut down).
    Closed,
}

impl StorageError {
    /// An error of this kind in `backend` (`"memory"`, `"sqlite"`, `"redis"`,
    /// or a name of your own for your own [`Storage`](super::Storage)).
    pub fn new(backend: &'static str, kind: StorageErrorKind) -> Self {
        StorageError {
            inner: Box::new(Inner {
                backend,
                key: None,
                kind,
                source: None,
            }),
        }
    }

    /// A [`Conflict`](StorageErrorKind::Conflict) on `key`.
    pub fn conflict(
        backend: &'static str,
        key: &str,
        expected: Option<Version>,
        found: Option<Version>,
    ) -> Self {
        Self::new(backend, StorageErrorKind::Conflict { expected, found }).with_key(key)
    }

    /// A [`Backend`](StorageErrorKind::Backend) failure while doing `operation`,
    /// caused by `source`.
    pub fn backend_failure(
        backend: &'static str,
        operation: &'static str,
        source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> Self {
        Self::new(backend, StorageErrorKind::Backend { operation }).with_source(source)
    }

    /// The same error, about `key`.
    pub fn with_key(mut self, key: impl Into<String>) -> Self {
        self.inner.key = Some(key.into());
        self
    }

    /// The same error, caused by `source`.
    pub fn with_source(
        mut self,
        source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> Self {
        self.inner.source = Some(source.into());
        self
    }

    /// The storage that failed: `"memory"`, `"sqlite"`, `"redis"`, ...
    pub fn backend(&self) -> &'static str {
        self.inner.backend
    }

    /// The key the operation was about, when it was about one.
    pub fn key(&self) -> Option<&str> {
        self.inner.key.as_deref()
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> &StorageErrorKind {
        &self.inner.kind
    }

    /// Whether this is a version conflict (someone else changed the entry;
    /// nothing was written).
    pub fn is_conflict(&self) -> bool {
        matches!(self.inner.kind, StorageErrorKind::Conflict { .. })
    }
}

impl fmt::Display for StorageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} storage", self.inner.backend)?;
        if let Some(key) = &self.inner.key {
            write!(f, ", key {}", crate::error::snippet(key))?;
        }
        match &self.inner.kind {
            StorageErrorKind::Conflict { expected, found } => {
                f.write_str(": version conflict (expected ")?;
                match expected {
                    Some(v) => write!(f, "version {v}")?,
                    None => f.write_str("no entry")?,
                }
                match found {
                    Some(v) => write!(f, ", found version {v})")?,
                    None => f.write_str(", found none)")?,
                }
            }
            StorageErrorKind::Backend { operation } => write!(f, ": {operation} failed")?,
            StorageErrorKind::Codec => {
                f.write_str(": the value could not be encoded or decoded")?
            }
            StorageErrorKind::Closed => f.write_str(": the storage is closed")?,
        }
        if let Some(source) = &self.inner.source {
            write!(f, ": {source}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for StorageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StorageError")
            .field("backend", &self.inner.backend)
            .field("key", &self.inner.key)
            .field("kind", &self.inner.kind)
            .field("source", &self.inner.source)
            .finish()
    }
}

impl std::error::Error for StorageError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}
