//! [`TestUser`]: a user or room occupant of the emulated server, whose
//! stanzas [`TestProsody`] posts to the bot.

use super::{Received, TestProsody, jid_argument};
use crate::stanza::{Iq, Jid, Message, MessageType, Payload, Presence, PresenceType, Stanza};
use crate::testing::addressing::Addressing;
use crate::testing::reply_rules::new_id;

/// A user (or room occupant) of the emulated server. See [`TestProsody::user`].
#[derive(Debug, Clone)]
pub struct TestUser<'a> {
    prosody: &'a TestProsody,
    jid: Jid,
    to: Jid,
    occupant: bool,
}

impl<'a> TestUser<'a> {
    pub(super) fn new(prosody: &'a TestProsody, jid: Jid, occupant: bool) -> Self {
        TestUser {
            prosody,
            to: prosody.component.clone(),
            jid,
            occupant,
        }
    }

    /// Addresses this user's stanzas to `jid` (default: the component itself);
    /// the bot's component receives stanzas for any `user@component` too.
    ///
    /// # Panics
    /// When `jid` is not a valid JID.
    #[must_use]
    pub fn to(mut self, jid: &str) -> Self {
        self.to = jid_argument("TestUser::to", jid);
        self
    }

    /// The user's address.
    pub fn jid(&self) -> &Jid {
        &self.jid
    }

    /// The stanza as Prosody routes it from this user: `from` this user,
    /// `to` the bot unless set, the user's language unless set, and an `id`
    /// on a message or iq that has none.
    fn stamp(&self, mut stanza: Stanza) -> Stanza {
        let needs_id = !matches!(stanza, Stanza::Presence(_));
        let addressing = Addressing::of(&mut stanza);
        addressing.to.get_or_insert_with(|| self.to.clone());
        *addressing.from = Some(self.jid.clone());
        if needs_id {
            addressing.id.get_or_insert_with(new_id);
        }
        if addressing.lang.is_none() {
            addressing.lang.clone_from(&self.prosody.user_lang);
        }
        stanza
    }

    /// Sends a chat message (a groupchat message when this is a room occupant
    /// made with [`TestProsody::occupant`]) with body `text`.
    pub async fn says(&self, text: &str) -> Received {
        let type_ = if self.occupant {
            MessageType::Groupchat
        } else {
            MessageType::Chat
        };
        self.sends(Message::new(type_).with_body(text)).await
    }

    /// Sends `stanza` from this user: `from` is set to the user, `to` to the bot
    /// unless given, an id is added when missing.
    pub async fn sends(&self, stanza: impl Into<Stanza>) -> Received {
        let stanza = self.stamp(stanza.into());
        self.prosody.deliver(stanza).await
    }

    /// Sends an iq get carrying `payload`.
    pub async fn iq_get(&self, payload: impl Payload) -> Received {
        self.sends(Iq::get(payload)).await
    }

    /// Sends an iq set carrying `payload`.
    pub async fn iq_set(&self, payload: impl Payload) -> Received {
        self.sends(Iq::set(payload)).await
    }

    /// Sends an available presence.
    pub async fn is_available(&self) -> Received {
        self.sends(Presence::available()).await
    }

    /// Sends a subscription request.
    pub async fn subscribes(&self) -> Received {
        self.sends(Presence::new(PresenceType::Subscribe)).await
    }
}
