//! Payloads carried by messages: text, threads, links, states, receipts, markers,
//! corrections, reactions, replies, delays and ids.

use crate::stanza::Jid;

/// A text in an optional language: a `<body/>`, `<subject/>` or `<status/>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Text {
    /// The `xml:lang` of this text, `None` when it has none of its own.
    pub lang: Option<String>,
    /// The text itself.
    pub text: String,
}

impl Text {
    /// A text without a language of its own.
    pub fn new(text: impl Into<String>) -> Self {
        Text {
            lang: None,
            text: text.into(),
        }
    }

    /// A text in language `lang`.
    pub fn with_lang(lang: impl Into<String>, text: impl Into<String>) -> Self {
        Text {
            lang: Some(lang.into()),
            text: text.into(),
        }
    }
}

/// A conversation thread (RFC 6121 section 5.2.5).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Thread {
    /// The thread identifier.
    pub id: String,
    /// The parent thread, when this one was forked from it.
    pub parent: Option<String>,
}

/// XEP-0066 out-of-band data: a link, usually to a shared file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Oob {
    /// The URL.
    pub url: String,
    /// A description.
    pub desc: Option<String>,
}

/// XEP-0085 chat state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ChatState {
    /// The user is actively participating.
    Active,
    /// The user is composing a message.
    Composing,
    /// The user had been composing but now has stopped.
    Paused,
    /// The user has not been actively participating.
    Inactive,
    /// The user has effectively ended their participation.
    Gone,
}

impl ChatState {
    /// The element name (`"composing"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            ChatState::Active => "active",
            ChatState::Composing => "composing",
            ChatState::Paused => "paused",
            ChatState::Inactive => "inactive",
            ChatState::Gone => "gone",
        }
    }

    /// Parses an element name.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "active" => ChatState::Active,
            "composing" => ChatState::Composing,
            "paused" => ChatState::Paused,
            "inactive" => ChatState::Inactive,
            "gone" => ChatState::Gone,
            _ => return None,
        })
    }
}

/// XEP-0184 message delivery receipt.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Receipt {
    /// `<request/>`: the sender asks for a receipt.
    Request,
    /// `<received id="..."/>`: the message with that id was received.
    Received {
        /// The id of the message acknowledged.
        id: Option<String>,
    },
}

/// XEP-0333 chat marker kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MarkerKind {
    /// `<received/>`.
    Received,
    /// `<displayed/>`.
    Displayed,
    /// `<acknowledged/>`.
    Acknowledged,
}

impl MarkerKind {
    /// The element name.
    pub fn as_str(self) -> &'static str {
        match self {
            MarkerKind::Received => "received",
            MarkerKind::Displayed => "displayed",
            MarkerKind::Acknowledged => "acknowledged",
        }
    }
}

/// XEP-0333 chat marker pointing at an earlier message.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Marker {
    /// Which marker.
    pub kind: MarkerKind,
    /// The id of the message marked.
    pub id: String,
}

/// XEP-0444 reactions to an earlier message (the full set from this sender).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reactions {
    /// The id of the message reacted to.
    pub id: String,
    /// The emojis, one per `<reaction/>`.
    pub reactions: Vec<String>,
}

/// XEP-0461 reply to an earlier message.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reply {
    /// The author of the message replied to.
    pub to: Option<Jid>,
    /// The id of the message replied to.
    pub id: String,
}

/// XEP-0203 delayed delivery: the message was sent earlier (offline storage, MUC history).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Delay {
    /// When it was originally sent (XEP-0082 date-time, kept as written).
    pub stamp: String,
    /// Who delayed it.
    pub from: Option<Jid>,
    /// Why, in words.
    pub reason: Option<String>,
}

/// XEP-0359 stanza id assigned by an archive.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StanzaId {
    /// The id.
    pub id: String,
    /// The entity that assigned it.
    pub by: Jid,
}
