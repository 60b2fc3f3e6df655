//! What a stage of the pipeline made of a stanza.

use crate::reply::{IntoReply, Reply};

/// Which stage answered a stanza, as that stage reports it. The metrics
/// label requests with it (`builtin`, `failed`, and for the others what the
/// reply was: `reply`, `ack` or `error`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Handling {
    /// A route's handler ran, or one of its extractors answered (an invalid
    /// payload, a command's parse error).
    Route,
    /// An interceptor answered instead of the routes.
    Intercepted,
    /// The bot answered by itself: a built-in answer (disco, ping, version)
    /// or a stage of an ad-hoc command that needs no handler.
    Builtin,
    /// A handler panicked or ran over its time limit: the reply is
    /// `internal-server-error` or `remote-server-timeout`.
    Failed,
    /// No route took the stanza; the reply, if any, is the first
    /// [fallback](crate::extract::Rejection::fallback) an extractor offered.
    /// Without one, the bot answers its default (nothing, or
    /// `service-unavailable` to an iq request).
    Unhandled,
}

/// What the rest of the pipeline made of a stanza: the reply, and which
/// stage gave it. [`Next::run`](super::Next::run) returns it; an
/// [`Interceptor`](super::Interceptor) returns it, as it is or changed.
///
/// ```
/// use xmpp_rest_bot::intercept::{Handled, Handling};
/// use xmpp_rest_bot::stanza::Condition;
///
/// let refused = Handled::intercepted(Condition::Forbidden);
/// assert_eq!(refused.handling(), Handling::Intercepted);
/// assert!(refused.is_answered());
/// assert!(!Handled::unhandled().is_answered());
/// ```
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct Handled {
    reply: Option<Reply>,
    handling: Handling,
}

impl Handled {
    /// An interceptor's answer, given instead of the routes'.
    pub fn intercepted(reply: impl IntoReply) -> Self {
        Handled::new(reply.into_reply(), Handling::Intercepted)
    }

    /// The bot's own answer (built-in answers, ad-hoc command stages).
    pub fn builtin(reply: impl IntoReply) -> Self {
        Handled::new(reply.into_reply(), Handling::Builtin)
    }

    /// Nothing took the stanza, and nothing is offered: the bot's default
    /// answer applies.
    pub fn unhandled() -> Self {
        Handled {
            reply: None,
            handling: Handling::Unhandled,
        }
    }

    /// `reply`, given by the stage `handling`.
    pub fn new(reply: Reply, handling: Handling) -> Self {
        Handled {
            reply: Some(reply),
            handling,
        }
    }

    /// The stage that answered.
    pub fn handling(&self) -> Handling {
        self.handling
    }

    /// Whether a stage gave a reply (a fallback counts); otherwise the bot's
    /// default answer applies.
    pub fn is_answered(&self) -> bool {
        self.reply.is_some()
    }

    /// The reply, if a stage gave one.
    pub fn reply(&self) -> Option<&Reply> {
        self.reply.as_ref()
    }

    /// Takes the reply out.
    pub fn into_reply(self) -> Option<Reply> {
        self.reply
    }

    /// Changes the reply, if there is one; the stage stays the one that
    /// answered.
    pub fn map_reply(mut self, f: impl FnOnce(Reply) -> Reply) -> Self {
        self.reply = self.reply.map(f);
        self
    }
}
