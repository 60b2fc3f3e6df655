//! [`Dialogue<St>`] as a handler argument, and the routes' state filter.

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::Dialogue;
use super::stage::{Conversation, log_undecodable};
use crate::extract::{FromStanza, Incoming, Rejection};
use crate::handler::Filter;
use crate::stanza::{Condition, StanzaError};

/// The conversation of the stanza, as [`Bot::dialogues`](crate::Bot::dialogues)
/// loaded it before the routes (no second load): applies to the messages
/// that belong to a conversation (see
/// [`ConversationKey`](super::ConversationKey)), and skips the others.
///
/// Without `Bot::dialogues` there is nothing to read: the bot logs the
/// mistake and answers `internal-server-error`. A stored value that does not
/// decode as `St` is logged and answered the same way.
///
/// `St` is `Clone` because the state is decoded once per request and shared
/// by the state filters and the extractor.
impl<S, St> FromStanza<S> for Dialogue<St>
where
    St: Serialize + DeserializeOwned + Default + Clone + Send + Sync + 'static,
{
    fn from_stanza(incoming: &Incoming, _state: &S) -> Result<Self, Rejection> {
        let Some(conversation) = incoming.extensions().get::<Conversation>() else {
            tracing::error!(
                state = std::any::type_name::<St>(),
                "a handler takes a `Dialogue`, but the bot has no storage for \
                 conversations: call `Bot::dialogues(storage)`; answering internal-server-error"
            );
            return Err(Rejection::error(StanzaError::new(
                Condition::InternalServerError,
            )));
        };
        let Some(loaded) = &conversation.loaded else {
            return Err(Rejection::skip("the stanza belongs to no conversation"));
        };
        match loaded.state::<St>(&*conversation.storage) {
            Ok(state) => Ok(Dialogue {
                storage: conversation.storage.clone(),
                key: loaded.key.clone(),
                state: St::clone(&state),
                version: loaded.entry.as_ref().map(|e| e.version),
            }),
            Err(error) => {
                log_undecodable(&error, std::any::type_name::<St>());
                Err(Rejection::error(StanzaError::new(
                    Condition::InternalServerError,
                )))
            }
        }
    }
}

impl<St> Dialogue<St>
where
    St: DeserializeOwned + Default + Send + Sync + 'static,
{
    /// A route filter: accepts the messages whose conversation is in a state
    /// `predicate` accepts (a new conversation is in `St::default()`).
    /// `#[on_message(state = ...)]` writes one for you.
    ///
    /// The state is decoded once per request, whatever the number of routes
    /// filtering on it. A message of no conversation, a bot without
    /// [`Bot::dialogues`](crate::Bot::dialogues) and a state that does not
    /// decode (logged) do not match.
    ///
    /// ```
    /// use serde::{Deserialize, Serialize};
    /// use xmpp_rest_bot::dialogue::Dialogue;
    /// use xmpp_rest_bot::handler::Filter;
    ///
    /// #[derive(Default, Clone, Serialize, Deserialize)]
    /// enum Wizard {
    ///     #[default]
    ///     Idle,
    ///     AskVersion,
    /// }
    ///
    /// let asking: Filter = Dialogue::<Wizard>::in_state(|s| matches!(s, Wizard::AskVersion));
    /// # let _ = asking;
    /// ```
    pub fn in_state(predicate: impl Fn(&St) -> bool + Send + Sync + 'static) -> Filter {
        Filter::incoming(move |incoming| {
            let Some(conversation) = incoming.extensions().get::<Conversation>() else {
                tracing::error!(
                    state = std::any::type_name::<St>(),
                    "a route filters on a conversation's state, but the bot has no storage \
                     for conversations: call `Bot::dialogues(storage)`"
                );
                return false;
            };
            let Some(loaded) = &conversation.loaded else {
                return false;
            };
            match loaded.state::<St>(&*conversation.storage) {
                Ok(state) => predicate(&state),
                Err(error) => {
                    log_undecodable(&error, std::any::type_name::<St>());
                    false
                }
            }
        })
    }
}
