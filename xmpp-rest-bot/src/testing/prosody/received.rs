//! [`Received`]: what happened to one stanza posted to the bot, and the
//! assertions on what the XMPP user receives.

// A test kit reports failed expectations the way tests do: by panicking, with
// a message that says what was expected.
#![allow(clippy::panic)]

use crate::stanza::{Condition, Iq, IqType, Message, Payload, Presence, Stanza, StanzaError};
use crate::wire::WireFormat;

/// What happened to one stanza: what was posted, how the webhook answered, and
/// the stanza the XMPP user receives (see
/// [`mod_rest_reply`](crate::testing::mod_rest_reply)).
#[derive(Debug, Clone)]
pub struct Received {
    pub(super) sent: Stanza,
    pub(super) posted: Vec<u8>,
    pub(super) status: Option<u16>,
    pub(super) content_type: Option<String>,
    pub(super) answer: Vec<u8>,
    pub(super) stanza: Option<Stanza>,
    pub(super) dropped: Option<String>,
    pub(super) failure: Option<&'static str>,
}

impl Received {
    /// The stanza the user receives, `None` when mod_rest sends nothing.
    pub fn stanza(&self) -> Option<&Stanza> {
        self.stanza.as_ref()
    }

    /// The received stanza, when it is a message.
    pub fn message(&self) -> Option<&Message> {
        match &self.stanza {
            Some(Stanza::Message(m)) => Some(m),
            _ => None,
        }
    }

    /// The received stanza, when it is a presence.
    pub fn presence(&self) -> Option<&Presence> {
        match &self.stanza {
            Some(Stanza::Presence(p)) => Some(p),
            _ => None,
        }
    }

    /// The received stanza, when it is an iq.
    pub fn iq(&self) -> Option<&Iq> {
        match &self.stanza {
            Some(Stanza::Iq(iq)) => Some(iq),
            _ => None,
        }
    }

    /// The body of the received message.
    pub fn body(&self) -> Option<&str> {
        self.message().and_then(Message::body)
    }

    /// The stanza error received, if the reply is an error.
    pub fn error(&self) -> Option<&StanzaError> {
        self.stanza.as_ref().and_then(Stanza::stanza_error)
    }

    /// The condition of the error received.
    pub fn condition(&self) -> Option<Condition> {
        self.error().map(|e| e.condition)
    }

    /// The iq payload received, typed.
    pub fn payload<P: Payload>(&self) -> Option<P> {
        self.iq()
            .and_then(|iq| iq.payload_as::<P>())
            .and_then(Result::ok)
    }

    /// Whether the user receives nothing.
    pub fn is_none(&self) -> bool {
        self.stanza.is_none()
    }

    /// Why the webhook's reply reaches nobody, when mod_rest drops it (see
    /// [`Delivery::dropped`](crate::testing::Delivery::dropped)). Every assertion
    /// of this type fails when a reply was dropped, with this reason.
    pub fn dropped(&self) -> Option<&str> {
        self.dropped.as_deref()
    }

    /// The stanza that was posted.
    pub fn sent(&self) -> &Stanza {
        &self.sent
    }

    /// The request body that was posted.
    pub fn posted_body(&self) -> &[u8] {
        &self.posted
    }

    /// The webhook's HTTP status (`None` when the request failed).
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// The webhook's `Content-Type`.
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// The webhook's answer body.
    pub fn answer(&self) -> &[u8] {
        &self.answer
    }

    /// Whether the request timed out.
    pub fn timed_out(&self) -> bool {
        self.failure == Some("timed out")
    }

    /// Whether the connection to the webhook failed (or timed out).
    pub fn failed(&self) -> bool {
        self.failure.is_some()
    }

    /// Asserts that the user receives nothing.
    ///
    /// # Panics
    /// When the user receives a stanza.
    #[track_caller]
    pub fn assert_no_reply(&self) {
        if let Some(why) = &self.dropped {
            panic!("the bot answered a reply that mod_rest drops: {why}");
        }
        if let Some(stanza) = &self.stanza {
            panic!(
                "expected no reply, the user receives {}",
                String::from_utf8_lossy(&WireFormat::Xml.encode(stanza))
            );
        }
    }

    /// Asserts that the user receives a message with this body.
    ///
    /// # Panics
    /// When the user receives something else.
    #[track_caller]
    pub fn assert_body(&self, expected: &str) {
        if self.body() != Some(expected) {
            panic!(
                "expected a message with body {expected:?}, the user receives {}",
                self.describe()
            );
        }
    }

    /// Asserts that the user receives an error with this condition.
    ///
    /// # Panics
    /// When the user receives something else.
    #[track_caller]
    pub fn assert_error(&self, condition: Condition) {
        if self.condition() != Some(condition) {
            panic!(
                "expected a {condition} error, the user receives {}",
                self.describe()
            );
        }
    }

    /// Asserts that the user receives an iq result.
    ///
    /// # Panics
    /// When the user receives something else.
    #[track_caller]
    pub fn assert_result(&self) {
        if self.iq().map(|iq| iq.type_) != Some(IqType::Result) {
            panic!(
                "expected an iq result, the user receives {}",
                self.describe()
            );
        }
    }

    fn describe(&self) -> String {
        let stanza = match (&self.stanza, &self.dropped) {
            (Some(s), _) => String::from_utf8_lossy(&WireFormat::Xml.encode(s)).into_owned(),
            (None, Some(why)) => format!("nothing: mod_rest drops the bot's reply, because {why}"),
            (None, None) => "nothing".into(),
        };
        match self.status {
            Some(status) => format!(
                "{stanza} (webhook answered {status} {}: {:?})",
                self.content_type
                    .as_deref()
                    .unwrap_or("without content type"),
                String::from_utf8_lossy(&self.answer)
            ),
            None => format!("{stanza} ({})", self.failure.unwrap_or("no answer")),
        }
    }
}
