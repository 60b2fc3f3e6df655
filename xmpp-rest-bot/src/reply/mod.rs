//! Replies: what a handler returns, and how it reaches the sender.
//!
//! A handler returns any type implementing [`IntoReply`]. The bot turns the
//! [`Reply`] into the HTTP answer that makes mod_rest send exactly that reply
//! (the book's chapter "mod_rest on the wire"), encoded in the format of the
//! request (a reply JSON would not carry goes in XML, see
//! [`reply_gap`](crate::wire::json::reply_gap)):
//!
//! | handler returns | HTTP answer | the sender receives |
//! |---|---|---|
//! | `()`, [`Ack`], `None` | 202, no body | nothing (an empty `<iq type="result"/>` for an iq) |
//! | a [`Message`], [`Presence`], [`Iq`] or [`Stanza`] of the incoming kind | 200 with that stanza | that stanza |
//! | `String`, `&'static str`, `Cow<'static, str>` to a message | 200 with a reply message | a message with that body, of the incoming type (`groupchat` stays `groupchat`) |
//! | an iq payload: [`Version`], [`DiscoInfo`], [`DiscoItems`], [`Ping`], [`AdHocCommand`], [`DataForm`], or any [`Payload`] in [`IqResult`] | 200 with an iq result carrying it | that result |
//! | a [`StanzaError`] or [`Condition`] | [`Condition::http_status`] with an error stanza of the incoming kind | exactly that error: condition, type, text |
//! | `Result<T, E>` | `T`'s or `E`'s answer | |
//! | a stanza of another kind, or text to a presence or an iq | 500 with `internal-server-error`, and an error in the log | `internal-server-error` |
//! | an [`Error`](crate::Error) | 500 with `internal-server-error`, and the error in the log | `internal-server-error` (the text is not sent) |
//!
//! Whatever a handler returns to a stanza of type `error` (or an iq `result`),
//! the answer is 202: mod_rest never replies to those.

use std::borrow::Cow;
use std::convert::Infallible;

use crate::stanza::{
    AdHocCommand, Condition, DataForm, DiscoInfo, DiscoItems, Element, Iq, Message, Payload, Ping,
    Presence, Stanza, StanzaError, Version,
};

/// What a handler answered, before the bot turns it into an HTTP answer for the
/// incoming stanza. Build it with the constructors or from anything
/// [`IntoReply`].
///
/// ```
/// use xmpp_rest_bot::reply::{IntoReply, Reply};
/// use xmpp_rest_bot::stanza::Condition;
///
/// assert!(().into_reply().is_ack());
/// assert_eq!("pong".into_reply().as_text(), Some("pong"));
/// let err = Condition::Forbidden.into_reply();
/// assert_eq!(err.as_error().unwrap().condition, Condition::Forbidden);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct Reply {
    pub(crate) kind: ReplyKind,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ReplyKind {
    Ack,
    Stanza(Box<Stanza>),
    Text(String),
    Payload(Element),
    Error(StanzaError),
    Internal(String),
}

impl Reply {
    /// No reply (HTTP 202).
    pub fn ack() -> Self {
        Reply {
            kind: ReplyKind::Ack,
        }
    }

    /// This stanza, which must be of the incoming kind.
    pub fn stanza(stanza: impl Into<Stanza>) -> Self {
        Reply {
            kind: ReplyKind::Stanza(Box::new(stanza.into())),
        }
    }

    /// A message with this body and the incoming message's type; only valid in
    /// answer to a message.
    pub fn text(text: impl Into<String>) -> Self {
        Reply {
            kind: ReplyKind::Text(text.into()),
        }
    }

    /// An iq result carrying this payload; only valid in answer to an iq get or set.
    pub fn payload(payload: &impl Payload) -> Self {
        Reply {
            kind: ReplyKind::Payload(payload.to_element()),
        }
    }

    /// An error stanza of the incoming kind carrying this error.
    pub fn error(error: impl Into<StanzaError>) -> Self {
        Reply {
            kind: ReplyKind::Error(error.into()),
        }
    }

    /// An internal failure: `message` is logged at error level and the sender
    /// receives a bare `internal-server-error`, without the message.
    pub fn internal_error(message: impl Into<String>) -> Self {
        Reply {
            kind: ReplyKind::Internal(message.into()),
        }
    }

    /// Whether this is no reply at all.
    pub fn is_ack(&self) -> bool {
        matches!(self.kind, ReplyKind::Ack)
    }

    /// The stanza, for a stanza reply.
    pub fn as_stanza(&self) -> Option<&Stanza> {
        match &self.kind {
            ReplyKind::Stanza(s) => Some(s),
            _ => None,
        }
    }

    /// The text, for a text reply.
    pub fn as_text(&self) -> Option<&str> {
        match &self.kind {
            ReplyKind::Text(t) => Some(t),
            _ => None,
        }
    }

    /// The error, for an error reply.
    pub fn as_error(&self) -> Option<&StanzaError> {
        match &self.kind {
            ReplyKind::Error(e) => Some(e),
            _ => None,
        }
    }

    /// The logged message, for an internal failure.
    pub fn as_internal_error(&self) -> Option<&str> {
        match &self.kind {
            ReplyKind::Internal(m) => Some(m),
            _ => None,
        }
    }
}

/// An iq result carrying `P`: return it from an iq handler to answer with a
/// payload type of yours (the built-in payloads can be returned as they are).
///
/// ```
/// use xmpp_rest_bot::reply::IqResult;
/// use xmpp_rest_bot::stanza::{Element, Payload};
///
/// struct Weather(String);
///
/// impl Payload for Weather {
///     const NAME: &'static str = "weather";
///     const NS: &'static str = "urn:example:weather";
///     fn from_element(el: &Element) -> xmpp_rest_bot::Result<Self> {
///         Ok(Weather(el.text()))
///     }
///     fn to_element(&self) -> Element {
///         Element::builder(Self::NAME, Self::NS).text(&self.0).build()
///     }
/// }
///
/// async fn forecast(_: xmpp_rest_bot::extract::IqPayload<Weather>) -> IqResult<Weather> {
///     IqResult(Weather("sunny".into()))
/// }
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IqResult<P>(pub P);

impl<P: Payload> IntoReply for IqResult<P> {
    fn into_reply(self) -> Reply {
        Reply::payload(&self.0)
    }
}

macro_rules! payload_replies {
    ($($payload:ty),*) => {$(
        impl IntoReply for $payload {
            /// An iq result carrying this payload.
            fn into_reply(self) -> Reply {
                Reply::payload(&self)
            }
        }
    )*};
}

payload_replies!(Ping, Version, DiscoInfo, DiscoItems, AdHocCommand, DataForm);

/// No reply: mod_rest gets a 202 and sends nothing back (an empty iq result to
/// an iq). The same as returning `()`, but says so.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ack;

/// A type a handler can return.
///
/// Implement it for your own types to return them from handlers:
///
/// ```
/// use xmpp_rest_bot::reply::{IntoReply, Reply};
/// use xmpp_rest_bot::stanza::Condition;
///
/// enum Outcome { Done, Denied }
///
/// impl IntoReply for Outcome {
///     fn into_reply(self) -> Reply {
///         match self {
///             Outcome::Done => Reply::text("done"),
///             Outcome::Denied => Reply::error(Condition::Forbidden),
///         }
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned from a handler",
    label = "this type does not implement `IntoReply`",
    note = "return `()`, `String`, `&'static str`, a `Message`/`Presence`/`Iq`/`Stanza`, a `StanzaError` or `Condition`, an `Option` or `Result` of those, or implement `xmpp_rest_bot::reply::IntoReply` for `{Self}`",
    note = "for `Result<T, E>`, `E` must implement `IntoReply` too: map your error to a `StanzaError` or an `xmpp_rest_bot::Error`"
)]
pub trait IntoReply {
    /// Converts into a reply.
    fn into_reply(self) -> Reply;
}

impl IntoReply for Reply {
    fn into_reply(self) -> Reply {
        self
    }
}

impl IntoReply for () {
    fn into_reply(self) -> Reply {
        Reply::ack()
    }
}

impl IntoReply for Ack {
    fn into_reply(self) -> Reply {
        Reply::ack()
    }
}

impl IntoReply for Infallible {
    fn into_reply(self) -> Reply {
        match self {}
    }
}

impl IntoReply for Stanza {
    fn into_reply(self) -> Reply {
        Reply::stanza(self)
    }
}

impl IntoReply for Message {
    fn into_reply(self) -> Reply {
        Reply::stanza(self)
    }
}

impl IntoReply for Presence {
    fn into_reply(self) -> Reply {
        Reply::stanza(self)
    }
}

impl IntoReply for Iq {
    fn into_reply(self) -> Reply {
        Reply::stanza(self)
    }
}

impl IntoReply for String {
    fn into_reply(self) -> Reply {
        Reply::text(self)
    }
}

impl IntoReply for &'static str {
    fn into_reply(self) -> Reply {
        Reply::text(self)
    }
}

impl IntoReply for Cow<'static, str> {
    fn into_reply(self) -> Reply {
        Reply::text(self)
    }
}

impl IntoReply for StanzaError {
    fn into_reply(self) -> Reply {
        Reply::error(self)
    }
}

impl IntoReply for Condition {
    fn into_reply(self) -> Reply {
        Reply::error(self)
    }
}

impl IntoReply for crate::Error {
    /// Logged; the sender gets `internal-server-error` without the details.
    fn into_reply(self) -> Reply {
        Reply::internal_error(self.to_string())
    }
}

impl<T: IntoReply> IntoReply for Option<T> {
    /// `None` is no reply (202).
    fn into_reply(self) -> Reply {
        match self {
            Some(value) => value.into_reply(),
            None => Reply::ack(),
        }
    }
}

impl<T: IntoReply, E: IntoReply> IntoReply for Result<T, E> {
    fn into_reply(self) -> Reply {
        match self {
            Ok(value) => value.into_reply(),
            Err(error) => error.into_reply(),
        }
    }
}
