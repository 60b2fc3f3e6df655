//! The messages the bot keeps from handlers unless they opt in: errors,
//! messages without content, delayed messages, and its own groupchat messages
//! reflected by the room.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::handler::Skips;
use crate::stanza::{BareJid, Element, Message, MessageType, Presence, PresenceType, Stanza, ns};

/// The namespace of MUC occupant information in presences (XEP-0045).
const MUC_USER: &str = "http://jabber.org/protocol/muc#user";

/// At most this many rooms' self-presences are remembered (anyone can send
/// the bot a presence claiming to be one).
const MAX_LEARNED_ROOMS: usize = 4096;

/// Which messages are skipped, and the bot's nicknames in rooms.
#[derive(Debug, Clone)]
pub(crate) struct Policy {
    pub(crate) skip_error_messages: bool,
    pub(crate) skip_contentless: bool,
    pub(crate) skip_delayed: bool,
    pub(crate) skip_own_messages: bool,
    pub(crate) nicks: Vec<(BareJid, String)>,
    pub(crate) default_nick: Option<String>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            skip_error_messages: true,
            skip_contentless: true,
            skip_delayed: true,
            skip_own_messages: true,
            nicks: Vec::new(),
            default_nick: None,
        }
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

impl Policy {
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
        let policy = Policy::default();
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
        let off = Policy {
            skip_error_messages: false,
            ..Policy::default()
        };
        assert!(off.classify(&Stanza::Message(error), &learnt).is_empty());
    }

    #[test]
    fn own_messages_by_configured_default_or_learnt_nick() {
        let learnt = SelfInRooms::default();
        let mut policy = Policy::default();
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
        let policy = Policy::default();
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
