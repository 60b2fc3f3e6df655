//! The messages the bot keeps from handlers unless they opt in: errors,
//! messages without content, delayed messages, and its own groupchat messages
//! reflected by the room.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::handler::Skips;
use crate::stanza::ns::MUC_USER;
use crate::stanza::{BareJid, Element, Message, MessageType, Presence, PresenceType, Stanza, ns};

/// At most this many rooms' self-presences are remembered (anyone can send
/// the bot a presence claiming to be one).
const MAX_LEARNED_ROOMS: usize = 4096;

/// The message rules: which messages the bot keeps from the routes that do
/// not ask for them, and its nicknames in rooms (to recognise its own
/// messages). Give them to [`Bot::message_rules`](crate::Bot::message_rules).
///
#[doc = include_str!("../docs/message_rules.md")]
///
/// ```
/// use xmpp_rest_bot::Bot;
/// use xmpp_rest_bot::bot::MessageRules;
///
/// let bot: Bot = Bot::new().message_rules(
///     MessageRules::default()
///         .skip_delayed(false)
///         .default_muc_nick("deploybot")
///         .muc_nick("ops@rooms.example.org".parse().unwrap(), "deploybot-ops"),
/// );
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct MessageRules {
    pub(crate) skip_error_messages: bool,
    pub(crate) skip_contentless: bool,
    pub(crate) skip_delayed: bool,
    pub(crate) skip_own_messages: bool,
    pub(crate) nicks: Vec<(BareJid, String)>,
    pub(crate) default_nick: Option<String>,
}

impl Default for MessageRules {
    /// Every rule on, no nickname configured.
    fn default() -> Self {
        MessageRules {
            skip_error_messages: true,
            skip_contentless: true,
            skip_delayed: true,
            skip_own_messages: true,
            nicks: Vec::new(),
            default_nick: None,
        }
    }
}

impl MessageRules {
    /// Whether messages of type `error` are kept from handlers (default on).
    /// They still reach routes whose filter
    /// [includes responses](crate::handler::Filter::include_responses); off, they reach
    /// every route. Whatever a handler returns, they are never answered.
    pub fn skip_error_messages(mut self, enabled: bool) -> Self {
        self.skip_error_messages = enabled;
        self
    }

    /// Whether messages without content (no body, subject, XHTML or link:
    /// a chat state, a chat marker or a receipt alone) are kept from handlers
    /// (default on). They still reach routes whose filter
    /// [includes them](crate::handler::Filter::include_contentless); off, they reach every route.
    pub fn skip_contentless(mut self, enabled: bool) -> Self {
        self.skip_contentless = enabled;
        self
    }

    /// Whether delayed messages (XEP-0203 `<delay/>`: the history a room
    /// sends on join, offline messages) are kept from handlers (default on),
    /// so that a bot does not answer hours-old commands. They still reach
    /// routes whose filter [includes them](crate::handler::Filter::include_delayed); off,
    /// they reach every route.
    pub fn skip_delayed(mut self, enabled: bool) -> Self {
        self.skip_delayed = enabled;
        self
    }

    /// Whether the bot's own groupchat messages, which the room reflects back
    /// to it, are kept from handlers (default on): an echo bot in a room would
    /// otherwise answer itself forever. Its own messages are those from its
    /// nickname in the room ([`muc_nick`](Self::muc_nick),
    /// [`default_muc_nick`](Self::default_muc_nick), or the one the room's
    /// self-presence gave it), or carrying its XEP-0421 occupant id (learnt
    /// from the room's self-presence, status 110). They still reach routes
    /// whose filter [includes them](crate::handler::Filter::include_own_messages).
    pub fn skip_own_messages(mut self, enabled: bool) -> Self {
        self.skip_own_messages = enabled;
        self
    }

    /// The bot's nickname in `room`, to recognise its own reflected messages
    /// (see [`skip_own_messages`](Self::skip_own_messages)); a second call
    /// for the same room replaces the nickname.
    pub fn muc_nick(mut self, room: BareJid, nick: impl Into<String>) -> Self {
        let nick = nick.into();
        match self.nicks.iter_mut().find(|(r, _)| *r == room) {
            Some(entry) => entry.1 = nick,
            None => self.nicks.push((room, nick)),
        }
        self
    }

    /// The bot's nickname in the rooms not named with
    /// [`muc_nick`](Self::muc_nick).
    pub fn default_muc_nick(mut self, nick: impl Into<String>) -> Self {
        self.default_nick = Some(nick.into());
        self
    }
}

/// What the bot learnt of itself from the rooms' self-presences (status 110):
/// its actual nickname (the room may have changed it) and occupant id.
#[derive(Debug, Default)]
pub(crate) struct SelfInRooms {
    rooms: Mutex<HashMap<BareJid, Occupant>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Occupant {
    nick: String,
    occupant_id: Option<String>,
}

impl SelfInRooms {
    /// Records (or forgets, when it leaves) the bot's occupant in a room from
    /// a self-presence.
    pub(crate) fn observe(&self, stanza: &Stanza) {
        let Stanza::Presence(presence) = stanza else {
            return;
        };
        let Some(from) = &presence.from else {
            return;
        };
        let (Some(nick), true) = (from.resource(), is_self_presence(presence)) else {
            return;
        };
        let room = from.to_bare();
        let Ok(mut rooms) = self.rooms.lock() else {
            return;
        };
        match presence.type_ {
            PresenceType::Unavailable => {
                rooms.remove(&room);
            }
            PresenceType::Available => {
                if rooms.len() >= MAX_LEARNED_ROOMS && !rooms.contains_key(&room) {
                    tracing::warn!(
                        limit = MAX_LEARNED_ROOMS,
                        "too many rooms: this self-presence is not remembered"
                    );
                    return;
                }
                let occupant = Occupant {
                    nick: nick.as_str().to_owned(),
                    occupant_id: occupant_id(&presence.extensions),
                };
                rooms.insert(room, occupant);
            }
            _ => {}
        }
    }

    fn is_own(&self, room: &BareJid, nick: &str, occupant_id: Option<&str>) -> bool {
        let Ok(rooms) = self.rooms.lock() else {
            return false;
        };
        rooms.get(room).is_some_and(|me| {
            me.nick == nick || (occupant_id.is_some() && me.occupant_id.as_deref() == occupant_id)
        })
    }
}

/// A presence carrying `<x xmlns='...muc#user'><status code='110'/></x>`.
fn is_self_presence(presence: &Presence) -> bool {
    presence
        .extensions
        .iter()
        .filter(|el| el.is("x", MUC_USER))
        .flat_map(Element::children)
        .any(|child| child.is("status", MUC_USER) && child.attr("code") == Some("110"))
}

fn occupant_id(extensions: &[Element]) -> Option<String> {
    extensions
        .iter()
        .find(|el| el.is("occupant-id", ns::OCCUPANT_ID))
        .and_then(|el| el.attr("id"))
        .map(str::to_owned)
}

impl MessageRules {
    /// Why `stanza` is kept from routes that do not opt in (empty: it is not).
    pub(crate) fn classify(&self, stanza: &Stanza, learnt: &SelfInRooms) -> Skips {
        let mut skips = Skips::NONE;
        let Stanza::Message(message) = stanza else {
            if stanza.is_response() {
                skips = skips.union(Skips::RESPONSE);
            }
            return skips;
        };
        if message.type_ == MessageType::Error {
            if self.skip_error_messages {
                skips = skips.union(Skips::RESPONSE);
            }
            // An error is answered by nothing and read by no one: the other
            // rules do not apply.
            return skips;
        }
        if self.skip_contentless && message.is_contentless() {
            skips = skips.union(Skips::CONTENTLESS);
        }
        if self.skip_delayed && message.delay.is_some() {
            skips = skips.union(Skips::DELAYED);
        }
        if self.skip_own_messages && self.is_own(message, learnt) {
            skips = skips.union(Skips::OWN);
        }
        skips
    }

    /// A groupchat message from the bot's occupant: from `room/nick` where
    /// `nick` is the one configured for the room (or the default one), or
    /// the one the room's self-presence gave, or with the occupant id it gave.
    fn is_own(&self, message: &Message, learnt: &SelfInRooms) -> bool {
        if message.type_ != MessageType::Groupchat {
            return false;
        }
        let Some(from) = &message.from else {
            return false;
        };
        let Some(nick) = from.resource() else {
            return false;
        };
        let nick = nick.as_str();
        let room = from.to_bare();
        let configured = self
            .nicks
            .iter()
            .find(|(r, _)| *r == room)
            .map(|(_, n)| n.as_str())
            .or(self.default_nick.as_deref());
        configured == Some(nick) || learnt.is_own(&room, nick, message.occupant_id.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stanza::{Delay, Jid};
    use crate::wire::{Limits, xml};

    fn decode(s: &str) -> Stanza {
        xml::decode(s.as_bytes(), &Limits::default()).unwrap()
    }

    fn groupchat(from: &str, occupant: Option<&str>) -> Stanza {
        let mut m = Message::groupchat("ops@rooms.example.org".parse().unwrap(), "hi")
            .with_from(from.parse::<Jid>().unwrap());
        m.occupant_id = occupant.map(str::to_owned);
        Stanza::Message(m)
    }

    #[test]
    fn default_policy_skips_each_kind() {
        let policy = MessageRules::default();
        let learnt = SelfInRooms::default();
        let chat = |body: Option<&str>| {
            let mut m = Message::new(MessageType::Chat)
                .with_from("alice@example.org/phone".parse::<Jid>().unwrap());
            if let Some(b) = body {
                m = m.with_body(b);
            }
            m
        };
        assert!(
            policy
                .classify(&Stanza::Message(chat(Some("hi"))), &learnt)
                .is_empty()
        );
        assert_eq!(
            policy.classify(&Stanza::Message(chat(None)), &learnt),
            Skips::CONTENTLESS
        );
        let mut delayed = chat(Some("old"));
        delayed.delay = Some(Delay {
            stamp: "2024-01-01T00:00:00Z".into(),
            from: None,
            reason: None,
        });
        assert_eq!(
            policy.classify(&Stanza::Message(delayed), &learnt),
            Skips::DELAYED
        );
        let mut error = chat(None);
        error.type_ = MessageType::Error;
        assert_eq!(
            policy.classify(&Stanza::Message(error.clone()), &learnt),
            Skips::RESPONSE
        );
        let off = MessageRules {
            skip_error_messages: false,
            ..MessageRules::default()
        };
        assert!(off.classify(&Stanza::Message(error), &learnt).is_empty());
    }

    #[test]
    fn own_messages_by_configured_default_or_learnt_nick() {
        let learnt = SelfInRooms::default();
        let mut policy = MessageRules::default();
        let mine = groupchat("ops@rooms.example.org/deploybot", None);
        let theirs = groupchat("ops@rooms.example.org/carol", None);
        assert!(policy.classify(&mine, &learnt).is_empty());
        policy.default_nick = Some("deploybot".into());
        assert_eq!(policy.classify(&mine, &learnt), Skips::OWN);
        assert!(policy.classify(&theirs, &learnt).is_empty());
        policy.default_nick = None;
        policy.nicks = vec![("ops@rooms.example.org".parse().unwrap(), "deploybot".into())];
        assert_eq!(policy.classify(&mine, &learnt), Skips::OWN);
        policy.nicks = vec![(
            "other@rooms.example.org".parse().unwrap(),
            "deploybot".into(),
        )];
        assert!(policy.classify(&mine, &learnt).is_empty());
        // a chat message from a full JID whose resource is the nick is not own
        let chat = Stanza::Message(
            Message::chat("bot@example.net".parse().unwrap(), "hi")
                .with_from("deploybot@example.org/deploybot".parse::<Jid>().unwrap()),
        );
        policy.default_nick = Some("deploybot".into());
        assert!(policy.classify(&chat, &learnt).is_empty());
    }

    #[test]
    fn self_presence_teaches_nick_and_occupant_id() {
        let learnt = SelfInRooms::default();
        let policy = MessageRules::default();
        learnt.observe(&decode(
            "<presence from='ops@rooms.example.org/bot-2' to='bot@bot.example.net'>\
             <occupant-id xmlns='urn:xmpp:occupant-id:0' id='me=='/>\
             <x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='none' role='participant'/>\
             <status code='110'/><status code='210'/></x></presence>",
        ));
        let by_nick = groupchat("ops@rooms.example.org/bot-2", None);
        let by_id = groupchat("ops@rooms.example.org/renamed", Some("me=="));
        let other = groupchat("ops@rooms.example.org/carol", Some("carol=="));
        assert_eq!(policy.classify(&by_nick, &learnt), Skips::OWN);
        assert_eq!(policy.classify(&by_id, &learnt), Skips::OWN);
        assert!(policy.classify(&other, &learnt).is_empty());
        // somebody else's presence (no 110) teaches nothing
        learnt.observe(&decode(
            "<presence from='dev@rooms.example.org/carol' to='bot@bot.example.net'>\
             <x xmlns='http://jabber.org/protocol/muc#user'><status code='100'/></x></presence>",
        ));
        assert!(
            policy
                .classify(&groupchat("dev@rooms.example.org/carol", None), &learnt)
                .is_empty()
        );
        // leaving forgets
        learnt.observe(&decode(
            "<presence type='unavailable' from='ops@rooms.example.org/bot-2' to='bot@bot.example.net'>\
             <x xmlns='http://jabber.org/protocol/muc#user'><status code='110'/></x></presence>",
        ));
        assert!(policy.classify(&by_nick, &learnt).is_empty());
    }
}
