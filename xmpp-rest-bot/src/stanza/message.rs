//! The `<message/>` stanza.

use std::fmt;
use std::str::FromStr;

use super::payload::{
    ChatState, Delay, Marker, Oob, Reactions, Receipt, ReplyTo, StanzaId, Text, Thread,
};
use super::{Element, Jid, StanzaError};

/// The type of a message (RFC 6121 section 5.2.2).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MessageType {
    /// One-to-one chat.
    Chat,
    /// Multi-user chat (a room).
    Groupchat,
    /// A notification that expects no reply.
    Headline,
    /// A standalone message: the default when the attribute is absent.
    #[default]
    Normal,
    /// An error answering an earlier message.
    Error,
}

impl MessageType {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageType::Chat => "chat",
            MessageType::Groupchat => "groupchat",
            MessageType::Headline => "headline",
            MessageType::Normal => "normal",
            MessageType::Error => "error",
        }
    }
}

impl FromStr for MessageType {
    type Err = crate::Error;
    fn from_str(s: &str) -> crate::Result<Self> {
        Ok(match s {
            "chat" => MessageType::Chat,
            "groupchat" => MessageType::Groupchat,
            "headline" => MessageType::Headline,
            "normal" => MessageType::Normal,
            "error" => MessageType::Error,
            other => {
                return Err(crate::Error::invalid(format!(
                    "unknown message type {other:?}"
                )));
            }
        })
    }
}

impl fmt::Display for MessageType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `<message/>` stanza with its typed payloads.
///
/// Children the SDK does not model are kept in [`extensions`](Self::extensions)
/// and JSON keys it does not know in [`json_extra`](Self::json_extra), so that
/// nothing a user sent is dropped.
///
/// ```
/// use xmpp_rest_bot::stanza::{Message, MessageType};
///
/// let to = "alice@example.org".parse().unwrap();
/// let msg = Message::chat(to, "hello");
/// assert_eq!(msg.type_, MessageType::Chat);
/// assert_eq!(msg.body(), Some("hello"));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Message {
    /// The recipient.
    pub to: Option<Jid>,
    /// The sender.
    pub from: Option<Jid>,
    /// The stanza id.
    pub id: Option<String>,
    /// The message type; `Normal` when the attribute is absent.
    pub type_: MessageType,
    /// The stanza's `xml:lang`.
    pub lang: Option<String>,
    /// The bodies, one per language.
    pub bodies: Vec<Text>,
    /// The subjects, one per language.
    pub subjects: Vec<Text>,
    /// The conversation thread.
    pub thread: Option<Thread>,
    /// XEP-0071 XHTML-IM: the whole `<html/>` element.
    pub html: Option<Element>,
    /// XEP-0066 out-of-band links.
    pub oob: Vec<Oob>,
    /// XEP-0085 chat state.
    pub chat_state: Option<ChatState>,
    /// XEP-0184 receipt request or acknowledgement.
    pub receipt: Option<Receipt>,
    /// XEP-0333 `<markable/>`: the sender wants chat markers for this message.
    pub markable: bool,
    /// XEP-0333 chat marker.
    pub marker: Option<Marker>,
    /// XEP-0308: the id of the message this one corrects.
    pub replace: Option<String>,
    /// XEP-0444 reactions.
    pub reactions: Option<Reactions>,
    /// XEP-0461 reply.
    pub reply: Option<ReplyTo>,
    /// XEP-0203 delayed delivery.
    pub delay: Option<Delay>,
    /// XEP-0172 nickname.
    pub nick: Option<String>,
    /// XEP-0359 stanza ids.
    pub stanza_ids: Vec<StanzaId>,
    /// XEP-0359 origin id.
    pub origin_id: Option<String>,
    /// XEP-0421 occupant id (in a room).
    pub occupant_id: Option<String>,
    /// The error of a message of type `error`.
    pub error: Option<StanzaError>,
    /// Child elements the SDK does not model, in document order.
    pub extensions: Vec<Element>,
    /// JSON keys the SDK does not model (JSON wire format only).
    pub json_extra: serde_json::Map<String, serde_json::Value>,
}

impl Message {
    /// An empty message of this type.
    pub fn new(type_: MessageType) -> Self {
        Message {
            type_,
            ..Message::default()
        }
    }

    /// A chat message to `to` with `body`.
    pub fn chat(to: Jid, body: impl Into<String>) -> Self {
        Message::new(MessageType::Chat).with_to(to).with_body(body)
    }

    /// A groupchat message to the room `room` with `body`.
    pub fn groupchat(room: Jid, body: impl Into<String>) -> Self {
        Message::new(MessageType::Groupchat)
            .with_to(room)
            .with_body(body)
    }

    /// Sets the recipient.
    #[must_use]
    pub fn with_to(mut self, to: Jid) -> Self {
        self.to = Some(to);
        self
    }

    /// Sets the sender.
    #[must_use]
    pub fn with_from(mut self, from: Jid) -> Self {
        self.from = Some(from);
        self
    }

    /// Sets the id.
    #[must_use]
    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// Replaces the bodies by one body without a language of its own.
    #[must_use]
    pub fn with_body(mut self, body: impl Into<String>) -> Self {
        self.bodies = vec![Text::new(body)];
        self
    }

    /// The body: the one without a language of its own, or the one in the
    /// stanza's language, or the first.
    pub fn body(&self) -> Option<&str> {
        pick_text(&self.bodies, self.lang.as_deref())
    }

    /// The body in language `lang`.
    pub fn body_in(&self, lang: &str) -> Option<&str> {
        self.bodies
            .iter()
            .find(|t| t.lang.as_deref() == Some(lang))
            .map(|t| t.text.as_str())
    }

    /// The subject, chosen like [`body`](Self::body).
    pub fn subject(&self) -> Option<&str> {
        pick_text(&self.subjects, self.lang.as_deref())
    }

    /// A reply to this message carrying `body`: addresses swapped, same type,
    /// same thread; a groupchat reply goes to the room (the sender's bare JID).
    pub fn reply(&self, body: impl Into<String>) -> Message {
        let to = match (self.type_, &self.from) {
            (MessageType::Groupchat, Some(from)) => Some(Jid::from(from.to_bare())),
            (_, from) => from.clone(),
        };
        Message {
            to,
            from: self.to.clone(),
            type_: match self.type_ {
                MessageType::Error => MessageType::Normal,
                other => other,
            },
            thread: self.thread.clone(),
            ..Message::default()
        }
        .with_body(body)
    }

    /// An error reply to this message: addresses swapped, same id, type `error`.
    pub fn error_reply(&self, error: impl Into<StanzaError>) -> Message {
        Message {
            to: self.from.clone(),
            from: self.to.clone(),
            id: self.id.clone(),
            type_: MessageType::Error,
            error: Some(error.into()),
            ..Message::default()
        }
    }

    /// Whether this message has no content a person would read: no body, subject,
    /// html or link (a chat state or marker alone, say).
    pub fn is_contentless(&self) -> bool {
        self.bodies.is_empty()
            && self.subjects.is_empty()
            && self.html.is_none()
            && self.oob.is_empty()
    }
}

/// Picks the text without a language, then the one in `lang`, then the first.
pub(crate) fn pick_text<'a>(texts: &'a [Text], lang: Option<&str>) -> Option<&'a str> {
    texts
        .iter()
        .find(|t| t.lang.is_none())
        .or_else(|| lang.and_then(|l| texts.iter().find(|t| t.lang.as_deref() == Some(l))))
        .or_else(|| texts.first())
        .map(|t| t.text.as_str())
}
