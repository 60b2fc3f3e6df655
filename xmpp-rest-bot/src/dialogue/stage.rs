//! The pipeline stage of [`Bot::dialogues`](crate::Bot::dialogues): loads the
//! conversation of each message once, before the routes, for the
//! [`Dialogue`](super::Dialogue) extractor and the state filters.

use std::any::{Any, TypeId};
use std::sync::{Arc, OnceLock};

use serde::de::DeserializeOwned;

use super::ConversationKey;
use crate::extract::Incoming;
use crate::intercept::{Handled, Interceptor, Next};
use crate::stanza::{Condition, Stanza, StanzaError};
use crate::storage::{Entry, Storage, StorageError, StorageErrorKind};

/// Where a bot keeps its conversations: a [`Storage`] and the scope its keys
/// are stored under. Give it to [`Bot::dialogues`](crate::Bot::dialogues)
/// (a storage alone converts into one).
///
/// The scope keeps the conversations of several bots sharing one storage
/// apart (see [`ConversationKey::storage_key`]). By default it is the bot's
/// own bare JID, the `to` of each stanza: bots with different JIDs never
/// share a conversation, replicas of one bot always do.
///
/// ```
/// use xmpp_rest_bot::Bot;
/// use xmpp_rest_bot::dialogue::Dialogues;
/// use xmpp_rest_bot::storage::MemoryStorage;
///
/// let bot: Bot = Bot::new().dialogues(Dialogues::new(MemoryStorage::new()).scope("deploy-bot"));
/// # let _ = bot;
/// ```
#[derive(Clone)]
#[must_use]
pub struct Dialogues {
    storage: Arc<dyn Storage>,
    scope: Option<Arc<str>>,
}

impl Dialogues {
    /// Conversations kept in `storage`, scoped by the bot's JID.
    pub fn new(storage: impl Storage) -> Self {
        Dialogues {
            storage: Arc::new(storage),
            scope: None,
        }
    }

    /// Conversations kept in a storage shared with other code.
    pub fn shared(storage: Arc<dyn Storage>) -> Self {
        Dialogues {
            storage,
            scope: None,
        }
    }

    /// Stores the keys under `scope` instead of the bot's bare JID.
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(Arc::from(scope.into()));
        self
    }

    /// The storage.
    pub fn storage(&self) -> &Arc<dyn Storage> {
        &self.storage
    }

    fn storage_key(&self, stanza: &Stanza, key: &ConversationKey) -> String {
        self.key_for(stanza.to(), key)
    }

    /// The storage key of `key` for a stanza sent to `bot` (the ad-hoc
    /// command sessions are stored beside the conversations, scoped alike).
    pub(crate) fn key_for(
        &self,
        bot: Option<&crate::stanza::Jid>,
        key: &ConversationKey,
    ) -> String {
        match &self.scope {
            Some(scope) => key.storage_key(scope),
            None => {
                let bot = bot.map(|to| to.to_bare());
                key.storage_key(bot.as_ref().map_or("bot", |jid| jid.as_str()))
            }
        }
    }
}

impl<S: Storage> From<S> for Dialogues {
    fn from(storage: S) -> Self {
        Dialogues::new(storage)
    }
}

impl std::fmt::Debug for Dialogues {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dialogues")
            .field("storage", &self.storage.backend())
            .field("scope", &self.scope)
            .finish()
    }
}

impl Interceptor for Dialogues {
    async fn intercept(&self, incoming: &mut Incoming, next: Next<'_>) -> Handled {
        let conversation = match ConversationKey::of(incoming.stanza()) {
            None => None,
            Some(key) => {
                let key = self.storage_key(incoming.stanza(), &key);
                match self.storage.load(&key).await {
                    Ok(entry) => Some(Loaded {
                        key,
                        entry,
                        decoded: OnceLock::new(),
                    }),
                    Err(error) => {
                        tracing::error!(
                            %error,
                            stanza_id = incoming.stanza().id().unwrap_or_default(),
                            "conversation not loaded: answering internal-server-error"
                        );
                        return Handled::intercepted(StanzaError::new(
                            Condition::InternalServerError,
                        ));
                    }
                }
            }
        };
        incoming.extensions_mut().insert(Conversation {
            storage: self.storage.clone(),
            loaded: conversation.map(Arc::new),
        });
        next.run(incoming).await
    }
}

/// The request's conversation, as [`Dialogues`] loaded it: the extension
/// the extractor and the state filters read.
#[derive(Clone)]
pub(crate) struct Conversation {
    pub(crate) storage: Arc<dyn Storage>,
    /// `None`: the stanza belongs to no conversation (a presence, an iq, a
    /// headline).
    pub(crate) loaded: Option<Arc<Loaded>>,
}

pub(crate) struct Loaded {
    pub(crate) key: String,
    pub(crate) entry: Option<Entry>,
    /// The state decoded by the first route that asked, as the type it asked
    /// for: the other routes (and the extractor) reuse it.
    decoded: OnceLock<Decoded>,
}

struct Decoded {
    type_id: TypeId,
    state: Result<Arc<dyn Any + Send + Sync>, Arc<StorageError>>,
}

impl Loaded {
    /// The state as an `St`, decoded once per request (per type, in the rare
    /// bot that reads one conversation as two types: those decode each time).
    pub(crate) fn state<St>(&self, storage: &dyn Storage) -> Result<Arc<St>, Arc<StorageError>>
    where
        St: DeserializeOwned + Default + Send + Sync + 'static,
    {
        let decode = || -> Result<Arc<dyn Any + Send + Sync>, Arc<StorageError>> {
            match &self.entry {
                None => Ok(Arc::new(St::default())),
                Some(entry) => match serde_json::from_slice::<St>(&entry.value) {
                    Ok(state) => Ok(Arc::new(state)),
                    Err(e) => Err(Arc::new(
                        StorageError::new(storage.backend(), StorageErrorKind::Codec)
                            .with_key(self.key.as_str())
                            .with_source(e),
                    )),
                },
            }
        };
        let wanted = TypeId::of::<St>();
        let decoded = self.decoded.get_or_init(|| Decoded {
            type_id: wanted,
            state: decode(),
        });
        let state = match &decoded.state {
            Ok(any) if decoded.type_id == wanted => any.clone(),
            Err(e) if decoded.type_id == wanted => return Err(e.clone()),
            _ => decode()?,
        };
        match state.downcast::<St>() {
            Ok(state) => Ok(state),
            // Not reached (the TypeId was checked); decoding again is right anyway.
            Err(_) => decode()?.downcast::<St>().map_err(|_| {
                Arc::new(
                    StorageError::new(storage.backend(), StorageErrorKind::Codec)
                        .with_key(self.key.as_str()),
                )
            }),
        }
    }
}

/// Logs a conversation that does not decode as the state type asked for.
pub(crate) fn log_undecodable(error: &StorageError, type_name: &str) {
    tracing::error!(
        %error,
        state = type_name,
        "conversation state does not decode: answering internal-server-error \
         (a changed state type? `Dialogue::exit` still removes it)"
    );
}
