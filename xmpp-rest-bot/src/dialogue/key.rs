//! [`ConversationKey`]: which conversation a stanza belongs to.

use std::fmt;

use crate::stanza::{Jid, MessageType, Stanza};

/// Which conversation a stanza belongs to: the key a [`Dialogue`](super::Dialogue)
/// keeps its state under.
///
/// - a `chat` or `normal` message: the sender's **bare** JID, so that every
///   client of one account continues the same conversation;
/// - a `groupchat` message: the room and the occupant. When the room gives
///   [XEP-0421](https://xmpp.org/extensions/xep-0421.html) occupant ids, the
///   occupant id (stable across nick changes, and not reusable by someone
///   else); otherwise the nick. **In an anonymous room a nick is not an
///   identity**: whoever takes a nick after its owner left continues their
///   conversation. Do not guard anything sensitive by a nick-keyed state.
/// - an ad-hoc command session (XEP-0050): the requester's full JID, the
///   command's node and the session id ([`ad_hoc`](Self::ad_hoc)).
///
/// Headlines, errors, presences and other iqs belong to no conversation.
///
/// The parts are escaped (`%` and `:`) so that two different conversations
/// never get one key.
///
/// ```
/// use xmpp_rest_bot::dialogue::ConversationKey;
/// use xmpp_rest_bot::stanza::{Message, Stanza};
///
/// let from = "alice@example.org/phone".parse().unwrap();
/// let to = "bot.example.org".parse().unwrap();
/// let chat = Stanza::Message(Message::chat(to, "hi").with_from(from));
/// let key = ConversationKey::of(&chat).unwrap();
/// assert_eq!(key.as_str(), "chat:alice@example.org");
/// assert_eq!(key.storage_key("deploy-bot"), "deploy-bot:dialogue:chat:alice@example.org");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ConversationKey(String);

impl ConversationKey {
    /// The conversation `stanza` belongs to, or `None` (see the type's docs).
    pub fn of(stanza: &Stanza) -> Option<Self> {
        let Stanza::Message(message) = stanza else {
            return None;
        };
        let from = message.from.as_ref()?;
        match message.type_ {
            MessageType::Chat | MessageType::Normal => Some(Self::chat(from)),
            MessageType::Groupchat => {
                let room = from.to_bare();
                match (&message.occupant_id, from.resource()) {
                    (Some(id), _) => Some(Self::join(&["muc", room.as_str(), "id", id])),
                    (None, Some(nick)) => {
                        Some(Self::join(&["muc", room.as_str(), "nick", nick.as_str()]))
                    }
                    // The room's own messages (subject, status) come from no occupant.
                    (None, None) => None,
                }
            }
            _ => None,
        }
    }

    /// The one-to-one conversation with `sender` (by its bare JID).
    pub fn chat(sender: &Jid) -> Self {
        Self::join(&["chat", sender.to_bare().as_str()])
    }

    /// The conversation with the occupant `nick` of `room` (the room's bare
    /// JID is used). See the type's docs on nicks in anonymous rooms.
    pub fn room_nick(room: &Jid, nick: &str) -> Self {
        Self::join(&["muc", room.to_bare().as_str(), "nick", nick])
    }

    /// The XEP-0050 session `session_id` of the command `node`, run by
    /// `requester` (its full JID: a session belongs to the client that
    /// started it).
    pub fn ad_hoc(requester: &Jid, node: &str, session_id: &str) -> Self {
        Self::join(&["adhoc", node, session_id, requester.as_str()])
    }

    /// A conversation key of your own making, escaped like the built-in ones
    /// and prefixed with `custom`.
    pub fn custom(parts: &[&str]) -> Self {
        let mut all = Vec::with_capacity(parts.len() + 1);
        all.push("custom");
        all.extend_from_slice(parts);
        Self::join(&all)
    }

    /// The key as text, e.g. `chat:alice@example.org`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key in a storage shared by several bots (or by other data):
    /// `{scope}:dialogue:{key}`. Use one `scope` per bot, e.g. its JID.
    pub fn storage_key(&self, scope: &str) -> String {
        format!("{}:dialogue:{}", escape(scope), self.0)
    }

    fn join(parts: &[&str]) -> Self {
        let mut key = String::new();
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                key.push(':');
            }
            key.push_str(&escape(part));
        }
        ConversationKey(key)
    }
}

/// `%` and `:` percent-escaped, so that `:` only ever separates parts.
fn escape(part: &str) -> std::borrow::Cow<'_, str> {
    if !part.contains(['%', ':']) {
        return part.into();
    }
    part.replace('%', "%25").replace(':', "%3A").into()
}

impl fmt::Display for ConversationKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stanza::{Iq, Message};

    fn jid(s: &str) -> Jid {
        s.parse().unwrap()
    }

    fn message(type_: MessageType, from: &str) -> Message {
        Message::new(type_).with_from(jid(from)).with_body("x")
    }

    #[test]
    fn chat_and_normal_use_the_bare_jid() {
        for type_ in [MessageType::Chat, MessageType::Normal] {
            let a = ConversationKey::of(&Stanza::Message(message(type_, "a@x.org/one")));
            let b = ConversationKey::of(&Stanza::Message(message(type_, "a@x.org/two")));
            assert_eq!(a, b);
            assert_eq!(a.unwrap().as_str(), "chat:a@x.org");
        }
    }

    #[test]
    fn groupchat_uses_the_occupant_id_when_there_is_one_else_the_nick() {
        let by_nick = message(MessageType::Groupchat, "room@muc.x.org/Ann:ie");
        assert_eq!(
            ConversationKey::of(&Stanza::Message(by_nick.clone()))
                .unwrap()
                .as_str(),
            "muc:room@muc.x.org:nick:Ann%3Aie"
        );
        let mut by_id = by_nick;
        by_id.occupant_id = Some("abc%1".into());
        assert_eq!(
            ConversationKey::of(&Stanza::Message(by_id))
                .unwrap()
                .as_str(),
            "muc:room@muc.x.org:id:abc%251"
        );
        let from_room = message(MessageType::Groupchat, "room@muc.x.org");
        assert_eq!(ConversationKey::of(&Stanza::Message(from_room)), None);
    }

    #[test]
    fn no_conversation_for_headlines_errors_iqs_and_senderless_messages() {
        let headline = message(MessageType::Headline, "a@x.org");
        assert_eq!(ConversationKey::of(&Stanza::Message(headline)), None);
        let error = message(MessageType::Error, "a@x.org");
        assert_eq!(ConversationKey::of(&Stanza::Message(error)), None);
        let anonymous = Message::new(MessageType::Chat).with_body("x");
        assert_eq!(ConversationKey::of(&Stanza::Message(anonymous)), None);
        let mut iq = Iq::new(crate::stanza::IqType::Get, None);
        iq.from = Some(jid("a@x.org/r"));
        assert_eq!(ConversationKey::of(&Stanza::Iq(iq)), None);
    }

    #[test]
    fn escaping_keeps_different_parts_apart() {
        let requester = jid("a@x.org/res:1");
        let one = ConversationKey::ad_hoc(&requester, "urn:x:deploy", "s1");
        let two = ConversationKey::ad_hoc(&requester, "urn", "x:deploy:s1");
        assert_ne!(one, two);
        assert_eq!(one.as_str(), "adhoc:urn%3Ax%3Adeploy:s1:a@x.org/res%3A1");
        assert_eq!(
            ConversationKey::custom(&["a:b", "c"]).storage_key("bot:1"),
            "bot%3A1:dialogue:custom:a%3Ab:c"
        );
    }
}
