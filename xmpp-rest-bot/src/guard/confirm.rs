//! Commands awaiting the sender's `!yes`, kept in a [`Storage`] so that the
//! answer may reach another replica than the command did.
//!
//! One pending command per conversation (see
//! [`ConversationKey`](crate::dialogue::ConversationKey)): a new command
//! that asks for confirmation replaces the one awaiting. The entry holds the
//! command's text and the time it expires; `!yes` takes it out of the store
//! (compare-and-set, so two replicas cannot both run it) and the command runs
//! as if sent again, `!no` takes it out and runs nothing.

use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::Guardrails;
use crate::dialogue::ConversationKey;
use crate::stanza::{Stanza, Text};
use crate::storage::{StorageError, StorageErrorKind};

/// What is stored while a command awaits its confirmation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Pending {
    /// The command's text as the sender typed it.
    pub(crate) text: String,
    /// The command's name, for the audit trail.
    pub(crate) command: String,
    /// The command as shown to the sender (secrets masked).
    pub(crate) shown: String,
    /// When the confirmation stops being accepted, in ms since the Unix epoch.
    pub(crate) expires_ms: u64,
}

impl Pending {
    pub(crate) fn expired(&self) -> bool {
        now_ms() >= self.expires_ms
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// `Some(true)` for `!yes`, `Some(false)` for `!no` (any of `!`, `/` or no
/// prefix, any case), `None` for other text.
pub(crate) fn answer(stanza: &Stanza) -> Option<bool> {
    let Stanza::Message(message) = stanza else {
        return None;
    };
    let body = message.body()?.trim();
    let word = body
        .strip_prefix(['!', '/'])
        .unwrap_or(body)
        .to_ascii_lowercase();
    match word.as_str() {
        "yes" | "y" => Some(true),
        "no" | "n" => Some(false),
        _ => None,
    }
}

/// The storage key of the conversation's pending command.
pub(crate) fn key(rails: &Guardrails, stanza: &Stanza) -> Option<String> {
    let conversation = ConversationKey::of(stanza)?;
    Some(format!(
        "{}:confirm:{}",
        rails.scope.replace(':', "%3A"),
        conversation.as_str()
    ))
}

/// Keeps `pending` under `key`, replacing what was there.
pub(crate) async fn keep(
    rails: &Guardrails,
    key: &str,
    text: String,
    command: String,
    shown: String,
) -> Result<(), StorageError> {
    let pending = Pending {
        text,
        command,
        shown,
        expires_ms: now_ms()
            .saturating_add(u64::try_from(rails.confirm_timeout.as_millis()).unwrap_or(u64::MAX)),
    };
    let value = serde_json::to_vec(&pending).map_err(|e| {
        StorageError::new(rails.confirmations.backend(), StorageErrorKind::Codec)
            .with_key(key)
            .with_source(e)
    })?;
    // Two tries: a concurrent writer of the same conversation changes the
    // version between our load and save at most once in practice; after
    // that, the error is reported.
    let mut attempt = 0;
    loop {
        attempt += 1;
        let current = rails.confirmations.load(key).await?;
        match rails
            .confirmations
            .save(key, value.clone(), current.map(|e| e.version))
            .await
        {
            Ok(_) => return Ok(()),
            Err(e) if e.is_conflict() && attempt < 2 => {}
            Err(e) => return Err(e),
        }
    }
}

/// Takes the pending command out of the store; `None` when there is none,
/// or another replica took it first.
pub(crate) async fn take(rails: &Guardrails, key: &str) -> Result<Option<Pending>, StorageError> {
    let Some(entry) = rails.confirmations.load(key).await? else {
        return Ok(None);
    };
    match rails.confirmations.remove(key, entry.version).await {
        Ok(()) => {}
        Err(e) if e.is_conflict() => return Ok(None),
        Err(e) => return Err(e),
    }
    match serde_json::from_slice(&entry.value) {
        Ok(pending) => Ok(Some(pending)),
        Err(e) => {
            tracing::warn!(key, error = %e, "unreadable pending confirmation dropped");
            Ok(None)
        }
    }
}

/// Makes the message's body the confirmed command's text.
pub(crate) fn rewrite(stanza: &mut Stanza, text: &str) {
    if let Stanza::Message(message) = stanza {
        message.bodies = vec![Text::new(text)];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stanza::Message;

    fn chat(body: &str) -> Stanza {
        Stanza::Message(
            Message::chat("bot@example.net".parse().unwrap(), body)
                .with_from("alice@example.net/a".parse().unwrap()),
        )
    }

    #[test]
    fn answers_are_yes_or_no_in_any_form() {
        for yes in ["!yes", "/YES", " yes ", "y", "!Y"] {
            assert_eq!(answer(&chat(yes)), Some(true), "{yes}");
        }
        for no in ["!no", "No", "/n"] {
            assert_eq!(answer(&chat(no)), Some(false), "{no}");
        }
        for other in ["yes please", "!yess", "", "!deploy"] {
            assert_eq!(answer(&chat(other)), None, "{other}");
        }
    }

    #[tokio::test]
    async fn a_pending_command_is_taken_once() {
        let rails = Guardrails::new();
        let key = key(&rails, &chat("x")).unwrap();
        assert_eq!(key, "xmpp-rest-bot:confirm:chat:alice@example.net");
        keep(
            &rails,
            &key,
            "!deploy prod".into(),
            "deploy".into(),
            "!deploy".into(),
        )
        .await
        .unwrap();
        // A second command replaces the first.
        keep(
            &rails,
            &key,
            "!deploy qa".into(),
            "deploy".into(),
            "!deploy".into(),
        )
        .await
        .unwrap();
        let pending = take(&rails, &key).await.unwrap().unwrap();
        assert_eq!(pending.text, "!deploy qa");
        assert!(!pending.expired());
        assert_eq!(take(&rails, &key).await.unwrap(), None);
    }
}
