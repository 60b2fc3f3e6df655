//! Why an extractor did not produce a value.

use std::borrow::Cow;
use std::fmt;

use crate::reply::{IntoReply, Reply};
use crate::stanza::{Condition, StanzaError};

/// Why an extractor did not produce a value: either it does not apply to this
/// stanza (the bot tries the next handler) or it applies but the stanza is
/// invalid (the bot stops and answers the sender with a stanza error).
///
/// Two more variants let an extractor answer in a friendlier way than with an
/// error stanza:
///
/// | constructor | the bot | the sender receives |
/// |---|---|---|
/// | [`skip`](Self::skip) | tries the next handler | what the next handler answers |
/// | [`fallback`](Self::fallback) | tries the next handler | what the next handler answers; this reply when no handler takes the stanza |
/// | [`error`](Self::error) | stops | the stanza error |
/// | [`reply`](Self::reply) | stops | the reply (a chat message, say) |
///
/// [`Command`](crate::command::Command) uses them: plain chat is skipped, an
/// unknown command is a fallback ("did you mean ...?" unless another handler
/// knows the command), and a command with a wrong argument is answered with
/// the parse error as a chat message.
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
    Fallback(Box<Reply>),
    Error(Box<StanzaError>),
    Reply(Box<Reply>),
}

/// What dispatch does with a rejection.
pub(crate) enum Effect {
    /// Try the next handler.
    Skip,
    /// Try the next handler; answer with this when none takes the stanza.
    Fallback(Reply),
    /// Stop and answer with this.
    Stop(Reply),
}

impl Rejection {
    /// The extractor does not apply to this stanza (a `Message` argument and a
    /// presence, a `MessageText` argument and a message without body): the next
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

    /// The extractor applies and answers the stanza itself: no further
    /// handler is tried and the sender receives `reply`, as if a handler had
    /// returned it. Use it for answers a person reads better as a chat
    /// message than as an error stanza (`missing argument <version>`).
    ///
    /// ```
    /// use xmpp_rest_bot::extract::Rejection;
    ///
    /// let answered = Rejection::reply("usage: !deploy <env> <version>");
    /// assert!(!answered.is_skip());
    /// assert!(answered.stanza_error().is_none());
    /// ```
    pub fn reply(reply: impl IntoReply) -> Self {
        Rejection {
            kind: Kind::Reply(Box::new(reply.into_reply())),
        }
    }

    /// The extractor does not apply, but has an answer in case nothing else
    /// does: the next handlers are tried, and when none takes the stanza the
    /// sender receives `reply` (the first fallback registered wins). A
    /// fallback counts as a skip: `Option<T>` gives `None`.
    ///
    /// ```
    /// use xmpp_rest_bot::extract::Rejection;
    ///
    /// let unknown = Rejection::fallback("unknown command \"deplyo\": did you mean \"!deploy\"?");
    /// assert!(unknown.is_skip());
    /// ```
    pub fn fallback(reply: impl IntoReply) -> Self {
        Rejection {
            kind: Kind::Fallback(Box::new(reply.into_reply())),
        }
    }

    /// A `bad-request` error with this text.
    pub fn bad_request(text: impl Into<String>) -> Self {
        Rejection::error(StanzaError::new(Condition::BadRequest).with_text(text))
    }

    /// Whether the extractor merely does not apply (try the next handler):
    /// a [`skip`](Self::skip) or a [`fallback`](Self::fallback).
    pub fn is_skip(&self) -> bool {
        matches!(self.kind, Kind::Skip(_) | Kind::Fallback(_))
    }

    /// The error to answer with, when the extractor applies but the stanza is invalid.
    pub fn stanza_error(&self) -> Option<&StanzaError> {
        match &self.kind {
            Kind::Error(e) => Some(e),
            _ => None,
        }
    }

    /// Takes the error out, when the extractor applies but the stanza is invalid.
    pub fn into_stanza_error(self) -> Option<StanzaError> {
        match self.kind {
            Kind::Error(e) => Some(*e),
            _ => None,
        }
    }

    /// What dispatch does with it.
    pub(crate) fn into_effect(self) -> Effect {
        match self.kind {
            Kind::Skip(_) => Effect::Skip,
            Kind::Fallback(reply) => Effect::Fallback(*reply),
            Kind::Error(e) => Effect::Stop(Reply::error(*e)),
            Kind::Reply(reply) => Effect::Stop(*reply),
        }
    }
}

impl IntoReply for Rejection {
    /// The answer the bot would give for this rejection if no other handler
    /// took the stanza: the error, the reply or the fallback; no reply for a
    /// skip. Lets a handler taking `Result<T, Rejection>` answer with it.
    fn into_reply(self) -> Reply {
        match self.into_effect() {
            Effect::Skip => Reply::ack(),
            Effect::Fallback(reply) | Effect::Stop(reply) => reply,
        }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Skip(reason) => write!(f, "does not apply: {reason}"),
            Kind::Fallback(_) => f.write_str("does not apply (with a fallback answer)"),
            Kind::Error(e) => write!(f, "invalid stanza: {e}"),
            Kind::Reply(_) => f.write_str("answered by the extractor"),
        }
    }
}

impl std::error::Error for Rejection {}
