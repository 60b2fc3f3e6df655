//! The `<presence/>` stanza.

use std::fmt;
use std::str::FromStr;

use super::message::pick_text;
use super::payload::{Caps, MucJoin, Show, Text};
use super::{Element, Jid, StanzaError};

/// The type of a presence (RFC 6121 section 4.7.1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PresenceType {
    /// Available: the attribute is absent on the wire (`"available"` in JSON).
    #[default]
    Available,
    /// No longer available.
    Unavailable,
    /// A request to subscribe to the recipient's presence.
    Subscribe,
    /// The subscription request was approved.
    Subscribed,
    /// A request to unsubscribe.
    Unsubscribe,
    /// The subscription was denied or cancelled.
    Unsubscribed,
    /// A request for the current presence (sent by servers).
    Probe,
    /// An error answering an earlier presence.
    Error,
}

impl PresenceType {
    /// The wire value (`"available"` for the absent attribute, as in JSON).
    pub fn as_str(self) -> &'static str {
        match self {
            PresenceType::Available => "available",
            PresenceType::Unavailable => "unavailable",
            PresenceType::Subscribe => "subscribe",
            PresenceType::Subscribed => "subscribed",
            PresenceType::Unsubscribe => "unsubscribe",
            PresenceType::Unsubscribed => "unsubscribed",
            PresenceType::Probe => "probe",
            PresenceType::Error => "error",
        }
    }
}

impl FromStr for PresenceType {
    type Err = crate::Error;
    fn from_str(s: &str) -> crate::Result<Self> {
        Ok(match s {
            "available" => PresenceType::Available,
            "unavailable" => PresenceType::Unavailable,
            "subscribe" => PresenceType::Subscribe,
            "subscribed" => PresenceType::Subscribed,
            "unsubscribe" => PresenceType::Unsubscribe,
            "unsubscribed" => PresenceType::Unsubscribed,
            "probe" => PresenceType::Probe,
            "error" => PresenceType::Error,
            other => {
                return Err(crate::Error::invalid(format!(
                    "unknown presence type {other:?}"
                )));
            }
        })
    }
}

impl fmt::Display for PresenceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `<presence/>` stanza with its typed payloads.
///
/// ```
/// use xmpp_rest_bot::stanza::{Presence, Show};
///
/// let p = Presence::available().with_show(Show::Dnd).with_status("deploying");
/// assert_eq!(p.status(), Some("deploying"));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Presence {
    /// The recipient.
    pub to: Option<Jid>,
    /// The sender.
    pub from: Option<Jid>,
    /// The stanza id.
    pub id: Option<String>,
    /// The presence type.
    pub type_: PresenceType,
    /// The stanza's `xml:lang`.
    pub lang: Option<String>,
    /// Availability detail.
    pub show: Option<Show>,
    /// Status texts, one per language.
    pub statuses: Vec<Text>,
    /// Priority (-128..=127).
    pub priority: Option<i8>,
    /// XEP-0045 join request.
    pub muc: Option<MucJoin>,
    /// XEP-0115 capabilities.
    pub caps: Option<Caps>,
    /// XEP-0319 idle since (XEP-0082 date-time, kept as written).
    pub idle_since: Option<String>,
    /// XEP-0172 nickname.
    pub nick: Option<String>,
    /// The error of a presence of type `error`.
    pub error: Option<StanzaError>,
    /// Child elements the SDK does not model, in document order.
    pub extensions: Vec<Element>,
    /// JSON keys the SDK does not model (JSON wire format only).
    pub json_extra: serde_json::Map<String, serde_json::Value>,
}

impl Presence {
    /// A presence of this type.
    pub fn new(type_: PresenceType) -> Self {
        Presence {
            type_,
            ..Presence::default()
        }
    }

    /// An available presence.
    pub fn available() -> Self {
        Presence::new(PresenceType::Available)
    }

    /// An unavailable presence.
    pub fn unavailable() -> Self {
        Presence::new(PresenceType::Unavailable)
    }

    /// A request to join the room `room` as `nick`, asking for no history.
    ///
    /// # Errors
    /// When `nick` is not a valid resource.
    pub fn join_room(room: &jid::BareJid, nick: &str) -> crate::Result<Self> {
        let occupant = room
            .with_resource_str(nick)
            .map_err(|e| crate::Error::invalid(format!("invalid room nick {nick:?}: {e}")))?;
        Ok(Presence {
            to: Some(occupant.into()),
            muc: Some(MucJoin::without_history()),
            ..Presence::default()
        })
    }

    /// Sets the recipient.
    #[must_use]
    pub fn with_to(mut self, to: Jid) -> Self {
        self.to = Some(to);
        self
    }

    /// Sets the show value.
    #[must_use]
    pub fn with_show(mut self, show: Show) -> Self {
        self.show = Some(show);
        self
    }

    /// Replaces the statuses by one status without a language.
    #[must_use]
    pub fn with_status(mut self, status: impl Into<String>) -> Self {
        self.statuses = vec![Text::new(status)];
        self
    }

    /// The status text, chosen like [`Message::body`](super::Message::body).
    pub fn status(&self) -> Option<&str> {
        pick_text(&self.statuses, self.lang.as_deref())
    }

    /// An error reply to this presence: addresses swapped, same id, type `error`.
    pub fn error_reply(&self, error: impl Into<StanzaError>) -> Presence {
        Presence {
            to: self.from.clone(),
            from: self.to.clone(),
            id: self.id.clone(),
            type_: PresenceType::Error,
            error: Some(error.into()),
            ..Presence::default()
        }
    }
}
