//! Why an extractor did not produce a value.

use std::borrow::Cow;
use std::fmt;

use crate::stanza::{Condition, StanzaError};

/// Why an extractor did not produce a value: either it does not apply to this
/// stanza (the bot tries the next handler) or it applies but the stanza is
/// invalid (the bot stops and answers the sender with a stanza error).
///
/// ```
/// use xmpp_rest_bot::extract::Rejection;
/// use xmpp_rest_bot::stanza::Condition;
///
/// let skip = Rejection::skip("not a message");
/// assert!(skip.is_skip());
///
/// let invalid = Rejection::error(Condition::BadRequest);
/// assert_eq!(invalid.stanza_error().unwrap().condition, Condition::BadRequest);
/// ```
#[derive(Debug, Clone)]
pub struct Rejection {
    kind: Kind,
}

#[derive(Debug, Clone)]
enum Kind {
    Skip(Cow<'static, str>),
    Error(Box<StanzaError>),
}

impl Rejection {
    /// The extractor does not apply to this stanza (a `Message` argument and a
    /// presence, a `Body` argument and a message without body): the next
    /// handler is tried. `reason` is logged at debug level.
    pub fn skip(reason: impl Into<Cow<'static, str>>) -> Self {
        Rejection {
            kind: Kind::Skip(reason.into()),
        }
    }

    /// The extractor applies but the stanza is invalid (a malformed payload,
    /// say): no further handler is tried and the sender receives this error.
    pub fn error(error: impl Into<StanzaError>) -> Self {
        Rejection {
            kind: Kind::Error(Box::new(error.into())),
        }
    }

    /// A `bad-request` error with this text.
    pub fn bad_request(text: impl Into<String>) -> Self {
        Rejection::error(StanzaError::new(Condition::BadRequest).with_text(text))
    }

    /// Whether the extractor merely does not apply (try the next handler).
    pub fn is_skip(&self) -> bool {
        matches!(self.kind, Kind::Skip(_))
    }

    /// The error to answer with, when the extractor applies but the stanza is invalid.
    pub fn stanza_error(&self) -> Option<&StanzaError> {
        match &self.kind {
            Kind::Error(e) => Some(e),
            Kind::Skip(_) => None,
        }
    }

    /// Takes the error out, when the extractor applies but the stanza is invalid.
    pub fn into_stanza_error(self) -> Option<StanzaError> {
        match self.kind {
            Kind::Error(e) => Some(*e),
            Kind::Skip(_) => None,
        }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Skip(reason) => write!(f, "does not apply: {reason}"),
            Kind::Error(e) => write!(f, "invalid stanza: {e}"),
        }
    }
}

impl std::error::Error for Rejection {}
