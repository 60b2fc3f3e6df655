//! The stanza model: [`Message`], [`Presence`] and [`Iq`], their typed payloads,
//! [`StanzaError`], and [`Element`] for everything else.

mod element;
mod error;
pub(crate) mod error_mapping;
mod iq;
pub(crate) mod jid_cache;
pub(crate) mod mapping;
mod message;
pub mod ns;
mod payload;
mod presence;
pub(crate) mod xml_text;

pub use element::{Attribute, Element, ElementBuilder, Node};
pub use error::{Condition, ErrorType, StanzaError};
pub use iq::{Iq, IqType};
pub use message::{Message, MessageType};
pub use payload::*;

pub use presence::{Presence, PresenceType};

/// An XMPP address, validated (RFC 7622): `node@domain/resource`.
pub use jid::{BareJid, FullJid, Jid};

use std::fmt;

/// The three kinds of stanza.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StanzaKind {
    /// `<message/>`.
    Message,
    /// `<presence/>`.
    Presence,
    /// `<iq/>`.
    Iq,
}

impl StanzaKind {
    /// The element name, also the JSON `kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            StanzaKind::Message => "message",
            StanzaKind::Presence => "presence",
            StanzaKind::Iq => "iq",
        }
    }

    /// Parses an element name or JSON `kind`.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "message" => StanzaKind::Message,
            "presence" => StanzaKind::Presence,
            "iq" => StanzaKind::Iq,
            _ => return None,
        })
    }
}

impl fmt::Display for StanzaKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Any stanza.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
// A message with all its typed payloads is larger than an iq; boxing it would
// cost an allocation per decoded message for no gain: stanzas are built once
// and passed by reference.
#[allow(clippy::large_enum_variant)]
pub enum Stanza {
    /// A message.
    Message(Message),
    /// A presence.
    Presence(Presence),
    /// An iq.
    Iq(Iq),
}

impl Stanza {
    /// Which kind of stanza this is.
    pub fn kind(&self) -> StanzaKind {
        match self {
            Stanza::Message(_) => StanzaKind::Message,
            Stanza::Presence(_) => StanzaKind::Presence,
            Stanza::Iq(_) => StanzaKind::Iq,
        }
    }

    /// The wire value of the type attribute (`"available"` for a plain presence).
    pub fn type_str(&self) -> &'static str {
        match self {
            Stanza::Message(m) => m.type_.as_str(),
            Stanza::Presence(p) => p.type_.as_str(),
            Stanza::Iq(iq) => iq.type_.as_str(),
        }
    }

    /// The recipient.
    pub fn to(&self) -> Option<&Jid> {
        match self {
            Stanza::Message(m) => m.to.as_ref(),
            Stanza::Presence(p) => p.to.as_ref(),
            Stanza::Iq(iq) => iq.to.as_ref(),
        }
    }

    /// The sender.
    pub fn from(&self) -> Option<&Jid> {
        match self {
            Stanza::Message(m) => m.from.as_ref(),
            Stanza::Presence(p) => p.from.as_ref(),
            Stanza::Iq(iq) => iq.from.as_ref(),
        }
    }

    /// The stanza id.
    pub fn id(&self) -> Option<&str> {
        match self {
            Stanza::Message(m) => m.id.as_deref(),
            Stanza::Presence(p) => p.id.as_deref(),
            Stanza::Iq(iq) => iq.id.as_deref(),
        }
    }

    /// The stanza's `xml:lang`.
    pub fn lang(&self) -> Option<&str> {
        match self {
            Stanza::Message(m) => m.lang.as_deref(),
            Stanza::Presence(p) => p.lang.as_deref(),
            Stanza::Iq(iq) => iq.lang.as_deref(),
        }
    }

    /// The stanza error, on a stanza of type `error`.
    pub fn stanza_error(&self) -> Option<&StanzaError> {
        match self {
            Stanza::Message(m) => m.error.as_ref(),
            Stanza::Presence(p) => p.error.as_ref(),
            Stanza::Iq(iq) => iq.error.as_ref(),
        }
    }

    /// Whether this is of type `error` or (for an iq) `result`: such stanzas are
    /// never answered.
    pub fn is_response(&self) -> bool {
        match self {
            Stanza::Message(m) => m.type_ == MessageType::Error,
            Stanza::Presence(p) => p.type_ == PresenceType::Error,
            Stanza::Iq(iq) => !iq.type_.is_request(),
        }
    }

    /// An error reply of the same kind: addresses swapped, same id, type `error`.
    ///
    /// ```
    /// use xmpp_rest_bot::stanza::{Condition, Message, Stanza};
    ///
    /// let msg = Stanza::Message(Message::chat("bot@example.net".parse().unwrap(), "hi"));
    /// let err = msg.error(Condition::NotAllowed);
    /// assert_eq!(err.stanza_error().unwrap().condition, Condition::NotAllowed);
    /// ```
    pub fn error(&self, error: impl Into<StanzaError>) -> Stanza {
        match self {
            Stanza::Message(m) => Stanza::Message(m.error_reply(error)),
            Stanza::Presence(p) => Stanza::Presence(p.error_reply(error)),
            Stanza::Iq(iq) => Stanza::Iq(iq.error_reply(error)),
        }
    }
}

impl From<Message> for Stanza {
    fn from(m: Message) -> Self {
        Stanza::Message(m)
    }
}

impl From<Presence> for Stanza {
    fn from(p: Presence) -> Self {
        Stanza::Presence(p)
    }
}

impl From<Iq> for Stanza {
    fn from(iq: Iq) -> Self {
        Stanza::Iq(iq)
    }
}
