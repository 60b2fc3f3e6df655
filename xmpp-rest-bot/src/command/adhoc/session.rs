//! Where multi-stage sessions are kept: a [`Storage`], under
//! [`ConversationKey::ad_hoc`] keys scoped like the bot's conversations,
//! written with compare-and-set.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::dialogue::{ConversationKey, Dialogues};
use crate::stanza::Jid;
use crate::storage::{MemoryStorage, Storage, StorageError, Version};

/// How long an idle session lives in the in-memory store a bot without
/// [`Bot::dialogues`](crate::Bot::dialogues) gets: a wizard left open over
/// lunch still finishes, an abandoned one does not stay for a day.
pub(super) const MEMORY_TTL: Duration = Duration::from_secs(60 * 60);

/// How many sessions that in-memory store keeps at most (the oldest go
/// first): a flood of `execute` requests cannot grow it without bound.
const MEMORY_MAX_SESSIONS: usize = 10_000;

/// The longest session id accepted: ids come from the network and become
/// storage keys.
pub(super) const MAX_SESSION_ID: usize = 128;

/// One session of a multi-stage command, as stored (JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Session {
    /// The command's name (not the alias or case it was executed by).
    pub(super) node: String,
    /// The full JID that started it: only it continues it.
    pub(super) requester: String,
    /// The stage shown last, from 0: the argument steps, then the
    /// confirmation when the command has one.
    pub(super) stage: usize,
    /// The raw values of each argument so far (empty: not asked yet).
    pub(super) values: Vec<Vec<String>>,
}

/// The session store of a [`Registry`](super::Registry): the bot's
/// conversation storage when it has one, else its own in-memory one.
#[derive(Clone, Debug)]
pub(crate) struct Sessions(Dialogues);

impl Default for Sessions {
    fn default() -> Self {
        let memory = MemoryStorage::builder()
            .ttl(MEMORY_TTL)
            .max_entries(MEMORY_MAX_SESSIONS)
            .build();
        Sessions(Dialogues::shared(Arc::new(memory)))
    }
}

impl From<Dialogues> for Sessions {
    fn from(dialogues: Dialogues) -> Self {
        Sessions(dialogues)
    }
}

impl Sessions {
    fn storage(&self) -> &Arc<dyn Storage> {
        self.0.storage()
    }

    /// The storage key of session `id` of `node`, run by `requester` on `bot`.
    pub(super) fn key(&self, bot: Option<&Jid>, requester: &Jid, node: &str, id: &str) -> String {
        self.0
            .key_for(bot, &ConversationKey::ad_hoc(requester, node, id))
    }

    /// The session under `key`; `None` when there is none, it expired, or it
    /// does not decode (written by another version of the bot: logged, and
    /// answered like an expired one).
    pub(super) async fn load(&self, key: &str) -> Result<Option<(Session, Version)>, StorageError> {
        let Some(entry) = self.storage().load(key).await? else {
            return Ok(None);
        };
        match serde_json::from_slice(&entry.value) {
            Ok(session) => Ok(Some((session, entry.version))),
            Err(error) => {
                tracing::warn!(%error, key, "ad-hoc session does not decode: taken as expired");
                Ok(None)
            }
        }
    }

    /// Writes `session` if the stored one is still at `expected` (`None`:
    /// only if there is none); a [conflict](StorageError::is_conflict)
    /// otherwise.
    pub(super) async fn save(
        &self,
        key: &str,
        session: &Session,
        expected: Option<Version>,
    ) -> Result<Version, StorageError> {
        // Plain strings and numbers: serializing cannot fail; an empty value
        // would then read back as a session that does not decode.
        let value = serde_json::to_vec(session).unwrap_or_default();
        self.storage().save(key, value, expected).await
    }

    /// Removes the session if it is still at `expected`.
    pub(super) async fn remove(&self, key: &str, expected: Version) -> Result<(), StorageError> {
        self.storage().remove(key, expected).await
    }
}

/// A new session id: a time and 64 random bits, so that replicas sharing a
/// storage do not hand out the same one (a clash would still only be a
/// conflict when the session is created, and the keys name the requester).
pub(super) fn new_session_id() -> String {
    use std::hash::{BuildHasher, RandomState};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let t = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros());
    // A fresh RandomState is randomly seeded: randomness without a crate.
    let random = RandomState::new().hash_one(n);
    format!("{t:x}-{random:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jid(s: &str) -> Jid {
        s.parse().unwrap()
    }

    #[test]
    fn session_ids_are_unique() {
        assert_ne!(new_session_id(), new_session_id());
    }

    #[tokio::test]
    async fn sessions_are_saved_with_compare_and_set() {
        let sessions = Sessions::default();
        let key = sessions.key(
            Some(&jid("bot@x.org/r")),
            &jid("alice@x.org/phone"),
            "deploy",
            "s1",
        );
        assert_eq!(key, "bot@x.org:dialogue:adhoc:deploy:s1:alice@x.org/phone");
        let session = Session {
            node: "deploy".into(),
            requester: "alice@x.org/phone".into(),
            stage: 0,
            values: vec![vec![]],
        };
        let v1 = sessions.save(&key, &session, None).await.unwrap();
        assert!(
            sessions
                .save(&key, &session, None)
                .await
                .unwrap_err()
                .is_conflict()
        );
        let (loaded, version) = sessions.load(&key).await.unwrap().unwrap();
        assert_eq!((loaded, version), (session, v1));
        sessions.remove(&key, v1).await.unwrap();
        assert!(sessions.load(&key).await.unwrap().is_none());
    }
}
