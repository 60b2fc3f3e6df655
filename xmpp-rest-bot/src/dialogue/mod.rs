//! Typed conversation state that survives restarts and replicas.
//!
//! A bot that asks questions back ("which environment?", "really deploy to
//! prod?") keeps where each conversation is. A [`Dialogue<St>`] is that state
//! for one conversation: any `St: Serialize + DeserializeOwned + Default`
//! (usually an enum of the steps), stored as JSON in a
//! [`Storage`] under the conversation's
//! [`ConversationKey`] (the sender's bare JID in a chat, the occupant in a
//! room).
//!
//! In a bot, [`Bot::dialogues`](crate::Bot::dialogues) loads each message's
//! conversation once, before the routes; a handler takes it as a
//! `Dialogue<St>` argument, and `#[on_message(state = St::Variant { .. })]`
//! (or [`Dialogue::in_state`]) chooses handlers by it. The book's
//! "Conversations" chapter walks through an example.
//!
//! Writes are compare-and-set against the version the dialogue loaded: if
//! another request or replica changed the conversation in between,
//! [`update_with`](Dialogue::update_with) runs its closure again on the fresh
//! state, and a plain [`update`](Dialogue::update) fails with a
//! [conflict](crate::storage::StorageError::is_conflict). Nothing is silently
//! overwritten.
//!
//! ```
//! use std::sync::Arc;
//! use serde::{Deserialize, Serialize};
//! use xmpp_rest_bot::dialogue::{ConversationKey, Dialogue};
//! use xmpp_rest_bot::storage::{MemoryStorage, Storage};
//!
//! #[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
//! enum Deploy {
//!     #[default]
//!     Idle,
//!     AskEnvironment,
//!     Confirm { environment: String },
//! }
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let storage: Arc<dyn Storage> = Arc::new(MemoryStorage::new());
//! let alice = ConversationKey::chat(&"alice@example.org/phone".parse().unwrap());
//! let key = alice.storage_key("deploy-bot");
//!
//! // "!deploy": a new conversation starts in the default state.
//! let mut dialogue = Dialogue::<Deploy>::load(storage.clone(), &key).await?;
//! assert_eq!(dialogue.get(), &Deploy::Idle);
//! dialogue.update(Deploy::AskEnvironment).await?;
//!
//! // "prod", in a later request (possibly on another replica).
//! let mut dialogue = Dialogue::<Deploy>::load(storage.clone(), &key).await?;
//! if let Deploy::AskEnvironment = dialogue.get() {
//!     dialogue.update(Deploy::Confirm { environment: "prod".into() }).await?;
//! }
//!
//! // "yes": done, the conversation ends.
//! let mut dialogue = Dialogue::<Deploy>::load(storage.clone(), &key).await?;
//! assert!(matches!(dialogue.get(), Deploy::Confirm { .. }));
//! dialogue.exit().await?;
//! assert_eq!(Dialogue::<Deploy>::load(storage, &key).await?.get(), &Deploy::Idle);
//! # Ok::<_, xmpp_rest_bot::storage::StorageError>(())
//! # }).unwrap();
//! ```

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::storage::{Entry, Storage, StorageError, StorageErrorKind, Version};

mod extract;
mod key;
mod stage;

pub use key::ConversationKey;
pub use stage::Dialogues;

/// How many times [`Dialogue::update_with`] and [`Dialogue::exit`] try before
/// they give up with a conflict.
pub const MAX_ATTEMPTS: u32 = 16;

/// The state of one conversation, loaded from a storage, written back with
/// compare-and-set. See the [module docs](self).
///
/// A dialogue holds the state as loaded (or as last written by it):
/// [`get`](Self::get) does not go to the storage; [`reload`](Self::reload)
/// does.
pub struct Dialogue<St> {
    storage: Arc<dyn Storage>,
    key: String,
    state: St,
    version: Option<Version>,
}

impl<St> std::fmt::Debug for Dialogue<St>
where
    St: std::fmt::Debug,
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dialogue")
            .field("key", &self.key)
            .field("state", &self.state)
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

impl<St> Dialogue<St>
where
    St: Serialize + DeserializeOwned + Default,
{
    /// Loads the conversation stored under `key` (usually
    /// [`ConversationKey::storage_key`]); `St::default()` when there is none
    /// (or it expired).
    ///
    /// Fails when the storage fails or the stored value is not an `St`
    /// (e.g. after a change of the state type: the error says so, with the
    /// key; [`exit`](Self::exit) still works).
    pub async fn load(
        storage: Arc<dyn Storage>,
        key: impl Into<String>,
    ) -> Result<Self, StorageError> {
        let key = key.into();
        let entry = storage.load(&key).await?;
        Self::from_entry(storage, key, entry)
    }

    /// A dialogue from an entry already loaded from `storage` under `key`
    /// (`None`: there was none), without loading it again: for code that
    /// loads a conversation once and decodes it where its type is known.
    ///
    /// Fails, like [`load`](Self::load), when the value is not an `St`.
    pub fn from_entry(
        storage: Arc<dyn Storage>,
        key: impl Into<String>,
        entry: Option<Entry>,
    ) -> Result<Self, StorageError> {
        let mut dialogue = Dialogue {
            storage,
            key: key.into(),
            state: St::default(),
            version: None,
        };
        dialogue.set_entry(entry)?;
        Ok(dialogue)
    }

    /// The state, as loaded or as last written by this dialogue.
    pub fn get(&self) -> &St {
        &self.state
    }

    /// The storage key.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Whether the conversation is stored (`false`: new, or ended).
    pub fn is_stored(&self) -> bool {
        self.version.is_some()
    }

    /// Loads the state again from the storage.
    pub async fn reload(&mut self) -> Result<&St, StorageError> {
        let entry = self.storage.load(&self.key).await?;
        self.set_entry(entry)?;
        Ok(&self.state)
    }

    fn set_entry(&mut self, entry: Option<Entry>) -> Result<(), StorageError> {
        match entry {
            Some(entry) => {
                // Decoded before anything changes, so that a failure leaves
                // the version with its state.
                let state = serde_json::from_slice(&entry.value).map_err(|e| self.codec(e))?;
                self.state = state;
                self.version = Some(entry.version);
            }
            None => {
                self.state = St::default();
                self.version = None;
            }
        }
        Ok(())
    }

    /// Stores `state` if the conversation is still as this dialogue loaded it.
    ///
    /// When another request or replica changed it in between, fails with a
    /// [conflict](StorageError::is_conflict) and writes nothing (the dialogue
    /// keeps its state: [`reload`](Self::reload) to see the other's). Use
    /// [`update_with`](Self::update_with) to compute the new state from the
    /// current one, retried on conflicts.
    pub async fn update(&mut self, state: St) -> Result<(), StorageError> {
        let value = serde_json::to_vec(&state).map_err(|e| self.codec(e))?;
        let version = self.storage.save(&self.key, value, self.version).await?;
        self.state = state;
        self.version = Some(version);
        Ok(())
    }

    /// Stores `next(current)`. On a conflict (the conversation changed since
    /// it was loaded), loads the fresh state and calls `next` on it again,
    /// after a short random pause, up to [`MAX_ATTEMPTS`] times; then fails
    /// with the conflict. `next` may so run more than once: keep side effects
    /// out of it.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use xmpp_rest_bot::dialogue::Dialogue;
    /// # use xmpp_rest_bot::storage::{MemoryStorage, Storage};
    /// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
    /// let storage: Arc<dyn Storage> = Arc::new(MemoryStorage::new());
    /// let mut mine = Dialogue::<u32>::load(storage.clone(), "bot:count").await?;
    /// // Another replica counts first.
    /// let mut theirs = Dialogue::<u32>::load(storage.clone(), "bot:count").await?;
    /// theirs.update_with(|n| n + 1).await?;
    /// // Mine conflicts, reloads (1) and counts again: no count lost.
    /// assert_eq!(mine.update_with(|n| n + 1).await?, &2);
    /// # Ok::<_, xmpp_rest_bot::storage::StorageError>(())
    /// # }).unwrap();
    /// ```
    pub async fn update_with(
        &mut self,
        mut next: impl FnMut(&St) -> St,
    ) -> Result<&St, StorageError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let state = next(&self.state);
            match self.update(state).await {
                Ok(()) => return Ok(&self.state),
                Err(e) if e.is_conflict() && attempt < MAX_ATTEMPTS => {
                    backoff(attempt).await;
                    self.reload().await?;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Ends the conversation: removes its state (the next load starts from
    /// `St::default()`). Ending wins over a concurrent change: on a conflict
    /// it loads the fresh version and removes that, up to [`MAX_ATTEMPTS`]
    /// times. Nothing to do when the conversation is not stored.
    pub async fn exit(&mut self) -> Result<(), StorageError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let Some(version) = self.version else {
                self.state = St::default();
                return Ok(());
            };
            match self.storage.remove(&self.key, version).await {
                Ok(()) => {
                    self.state = St::default();
                    self.version = None;
                    return Ok(());
                }
                Err(e) if e.is_conflict() && attempt < MAX_ATTEMPTS => {
                    // Only the version is needed: a value that no longer
                    // decodes (a changed state type) is removed all the same.
                    self.version = self.storage.load(&self.key).await?.map(|e| e.version);
                }
                Err(e) => return Err(e),
            }
        }
    }

    fn codec(&self, cause: serde_json::Error) -> StorageError {
        StorageError::new(self.storage.backend(), StorageErrorKind::Codec)
            .with_key(self.key.as_str())
            .with_source(cause)
    }
}

/// A random pause before retrying a conflicting update: 0.5 to 1 times
/// `2^attempt` × 100 µs, at most 50 ms, so that racing writers spread out.
async fn backoff(attempt: u32) {
    use std::hash::{BuildHasher, RandomState};
    let ceiling = (100u64 << attempt.min(9)).min(50_000);
    // A fresh RandomState is randomly seeded: jitter without a random crate.
    let random = RandomState::new().hash_one(attempt);
    let micros = ceiling / 2 + random % (ceiling / 2 + 1);
    tokio::time::sleep(Duration::from_micros(micros)).await;
}

#[cfg(test)]
mod tests;
