//! Payloads carried by presences: availability, MUC join, capabilities, idle time.

/// The `<show/>` of an available presence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Show {
    /// Temporarily away.
    Away,
    /// Interested in chatting.
    Chat,
    /// Busy: do not disturb.
    Dnd,
    /// Away for an extended period.
    Xa,
}

impl Show {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Show::Away => "away",
            Show::Chat => "chat",
            Show::Dnd => "dnd",
            Show::Xa => "xa",
        }
    }

    /// Parses a wire value.
    pub fn from_name(s: &str) -> Option<Self> {
        Some(match s {
            "away" => Show::Away,
            "chat" => Show::Chat,
            "dnd" => Show::Dnd,
            "xa" => Show::Xa,
            _ => return None,
        })
    }
}

/// XEP-0045 join request: `<x xmlns="http://jabber.org/protocol/muc"/>`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct MucJoin {
    /// The room password.
    pub password: Option<String>,
    /// How much history the room should send on join.
    pub history: Option<MucHistory>,
}

impl MucJoin {
    /// A join that asks for no history at all (what bots want: no replay of old commands).
    pub fn without_history() -> Self {
        MucJoin {
            password: None,
            history: Some(MucHistory {
                max_stanzas: Some(0),
                ..MucHistory::default()
            }),
        }
    }
}

/// XEP-0045 history options of a join.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct MucHistory {
    /// At most this many characters.
    pub max_chars: Option<u32>,
    /// At most this many messages.
    pub max_stanzas: Option<u32>,
    /// Messages of the last this many seconds.
    pub seconds: Option<u32>,
    /// Messages since this date-time (XEP-0082).
    pub since: Option<String>,
}

/// XEP-0115 entity capabilities.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Caps {
    /// The hash algorithm (`sha-1`).
    pub hash: String,
    /// The software's node URI.
    pub node: String,
    /// The verification string.
    pub ver: String,
}
