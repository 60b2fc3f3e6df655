//! Filters: predicates over the incoming stanza that decide which routes are tried.

use std::borrow::Cow;
use std::fmt;
use std::ops::Not;
use std::sync::Arc;

use crate::stanza::{Jid, Stanza, StanzaKind};

type Predicate = dyn Fn(&Stanza) -> bool + Send + Sync + 'static;

/// A predicate over the incoming stanza that decides whether a [`Route`](super::Route)
/// is tried. Cheap to clone; combine filters with [`and`](Self::and),
/// [`or`](Self::or) and `!`.
///
/// Stanzas of type `error` and iq results (which are never answered) only
/// reach routes whose filter [opts in](Self::include_responses); the filters
/// made by [`stanza_type("error")`](Self::stanza_type) and
/// `stanza_type("result")` do.
///
/// ```
/// use xmpp_rest_bot::handler::Filter;
/// use xmpp_rest_bot::stanza::{Message, Stanza};
///
/// let admin = Filter::sender("admin@example.org".parse().unwrap());
/// let command = Filter::new(|s| match s {
///     Stanza::Message(m) => m.body().is_some_and(|b| b.starts_with('!')),
///     _ => false,
/// });
/// let filter = Filter::stanza_type("chat").and(admin).and(command);
///
/// let msg = Message::chat("bot@example.net".parse().unwrap(), "!deploy")
///     .with_from("admin@example.org/laptop".parse().unwrap());
/// assert!(filter.matches(&Stanza::Message(msg)));
/// ```
#[derive(Clone)]
pub struct Filter {
    predicate: Arc<Predicate>,
    responses: bool,
}

impl Filter {
    /// A filter from a predicate.
    pub fn new(predicate: impl Fn(&Stanza) -> bool + Send + Sync + 'static) -> Self {
        Filter {
            predicate: Arc::new(predicate),
            responses: false,
        }
    }

    /// Accepts stanzas of this kind.
    pub fn kind(kind: StanzaKind) -> Self {
        Filter::new(move |s| s.kind() == kind)
    }

    /// Accepts stanzas whose `type` is `type_` as written on the wire (`"chat"`,
    /// `"groupchat"`, `"get"`, `"subscribe"`, `"available"` for a presence
    /// without type, ...). For `"error"` and `"result"` the filter
    /// [includes responses](Self::include_responses).
    pub fn stanza_type(type_: impl Into<Cow<'static, str>>) -> Self {
        let type_ = type_.into();
        let responses = type_ == "error" || type_ == "result";
        Filter {
            predicate: Arc::new(move |s| s.type_str() == type_),
            responses,
        }
    }

    /// Accepts stanzas from `jid`: from any of its resources when `jid` is
    /// bare, from exactly `jid` when it is full.
    pub fn sender(jid: Jid) -> Self {
        Filter::new(move |s| s.from().is_some_and(|from| jid_matches(&jid, from)))
    }

    /// Accepts stanzas to `jid` (bare: any resource; full: exactly).
    pub fn recipient(jid: Jid) -> Self {
        Filter::new(move |s| s.to().is_some_and(|to| jid_matches(&jid, to)))
    }

    /// Lets stanzas of type `error` and iq results through to the predicate
    /// (by default they never reach a route).
    #[must_use]
    pub fn include_responses(mut self) -> Self {
        self.responses = true;
        self
    }

    /// Accepts what both filters accept. Includes responses when either does:
    /// the predicates decide.
    #[must_use]
    pub fn and(self, other: Filter) -> Self {
        let (a, b) = (self.predicate, other.predicate);
        Filter {
            predicate: Arc::new(move |s| a(s) && b(s)),
            responses: self.responses || other.responses,
        }
    }

    /// Accepts what either filter accepts. Includes responses when either does.
    #[must_use]
    pub fn or(self, other: Filter) -> Self {
        let (a, b) = (self.predicate, other.predicate);
        Filter {
            predicate: Arc::new(move |s| a(s) || b(s)),
            responses: self.responses || other.responses,
        }
    }

    /// Whether the predicate accepts `stanza` (ignoring the response rule).
    pub fn matches(&self, stanza: &Stanza) -> bool {
        (self.predicate)(stanza)
    }

    /// Whether stanzas of type `error` and iq results reach the predicate.
    pub fn accepts_responses(&self) -> bool {
        self.responses
    }
}

impl Not for Filter {
    type Output = Filter;

    /// Accepts what this filter rejects (responses included as before).
    fn not(self) -> Filter {
        let p = self.predicate;
        Filter {
            predicate: Arc::new(move |s| !p(s)),
            responses: self.responses,
        }
    }
}

impl fmt::Debug for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Filter")
            .field("responses", &self.responses)
            .finish_non_exhaustive()
    }
}

fn jid_matches(wanted: &Jid, actual: &Jid) -> bool {
    if wanted.is_bare() {
        wanted.node() == actual.node() && wanted.domain() == actual.domain()
    } else {
        wanted == actual
    }
}
