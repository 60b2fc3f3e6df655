//! Filters: predicates over the incoming stanza that decide which routes are tried.

use std::borrow::Cow;
use std::fmt;
use std::ops::Not;
use std::sync::Arc;

use crate::extract::Incoming;
use crate::stanza::{Jid, Stanza, StanzaKind};

/// Stanzas the bot keeps from routes unless their filter opts in: a set of
/// reasons, as bits.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Skips(u8);

impl Skips {
    pub(crate) const NONE: Skips = Skips(0);
    /// A stanza of type `error`, or an iq result.
    pub(crate) const RESPONSE: Skips = Skips(1);
    /// A message with nothing a person would read.
    pub(crate) const CONTENTLESS: Skips = Skips(1 << 1);
    /// A delayed message (XEP-0203).
    pub(crate) const DELAYED: Skips = Skips(1 << 2);
    /// The bot's own groupchat message reflected by the room.
    pub(crate) const OWN: Skips = Skips(1 << 3);

    pub(crate) const fn union(self, other: Skips) -> Skips {
        Skips(self.0 | other.0)
    }

    pub(crate) const fn contains(self, other: Skips) -> bool {
        self.0 & other.0 == other.0
    }

    pub(crate) const fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl fmt::Debug for Skips {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = [
            (Skips::RESPONSE, "responses"),
            (Skips::CONTENTLESS, "contentless"),
            (Skips::DELAYED, "delayed"),
            (Skips::OWN, "own messages"),
        ];
        f.debug_set()
            .entries(
                names
                    .iter()
                    .filter(|(s, _)| self.contains(*s))
                    .map(|(_, n)| n),
            )
            .finish()
    }
}

type Predicate = dyn Fn(&Incoming) -> bool + Send + Sync + 'static;

/// A predicate over the incoming stanza (and what the
/// [interceptors](crate::intercept) attached to it) that decides whether a
/// [`Route`](super::Route) is tried. Cheap to clone; combine filters with [`and`](Self::and),
/// [`or`](Self::or) and `!`.
///
/// Stanzas of type `error` and iq results (which are never answered) only
/// reach routes whose filter [opts in](Self::include_responses); the filters
/// made by [`stanza_type("error")`](Self::stanza_type) and
/// `stanza_type("result")` do. In the same way, the messages the bot skips by
/// default (see [message rules](crate::bot::MessageRules): without
/// content, delayed, its own in a room) only reach routes whose filter opts
/// in with [`include_contentless`](Self::include_contentless),
/// [`include_delayed`](Self::include_delayed) or
/// [`include_own_messages`](Self::include_own_messages).
///
/// ```
/// use xmpp_rest_bot::extract::Incoming;
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
/// assert!(filter.matches(&Incoming::new(msg)));
/// ```
#[derive(Clone)]
pub struct Filter {
    predicate: Arc<Predicate>,
    includes: Skips,
}

impl Filter {
    /// A filter from a predicate over the stanza.
    pub fn new(predicate: impl Fn(&Stanza) -> bool + Send + Sync + 'static) -> Self {
        Filter::incoming(move |incoming| predicate(incoming.stanza()))
    }

    /// A filter from a predicate over the whole [`Incoming`]: the stanza, the
    /// request headers and the extensions.
    pub fn incoming(predicate: impl Fn(&Incoming) -> bool + Send + Sync + 'static) -> Self {
        Filter {
            predicate: Arc::new(predicate),
            includes: Skips::NONE,
        }
    }

    /// Accepts stanzas carrying an extension of type `T` (attached by an
    /// [interceptor](crate::intercept)) that `predicate` accepts: routes
    /// chosen by what a stage before them found out.
    ///
    /// ```
    /// use xmpp_rest_bot::extract::Incoming;
    /// use xmpp_rest_bot::handler::Filter;
    /// use xmpp_rest_bot::stanza::Message;
    ///
    /// #[derive(Clone)]
    /// enum Step { AskVersion, Confirm }
    ///
    /// let confirming = Filter::extension(|step: &Step| matches!(step, Step::Confirm));
    /// let msg = Message::chat("bot@example.net".parse().unwrap(), "yes");
    /// assert!(!confirming.matches(&Incoming::new(msg.clone())));
    /// assert!(confirming.matches(&Incoming::new(msg.clone()).with_extension(Step::Confirm)));
    /// assert!(!confirming.matches(&Incoming::new(msg).with_extension(Step::AskVersion)));
    /// ```
    pub fn extension<T: Send + Sync + 'static>(
        predicate: impl Fn(&T) -> bool + Send + Sync + 'static,
    ) -> Self {
        Filter::incoming(move |incoming| incoming.extensions().get::<T>().is_some_and(&predicate))
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
        let includes = if type_ == "error" || type_ == "result" {
            Skips::RESPONSE
        } else {
            Skips::NONE
        };
        Filter {
            predicate: Arc::new(move |i: &Incoming| i.stanza().type_str() == type_),
            includes,
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
        self.includes = self.includes.union(Skips::RESPONSE);
        self
    }

    /// Lets messages without content (no body, subject, XHTML or link: a chat
    /// state, a marker or a receipt alone) through to the predicate. By
    /// default the bot keeps them from every route
    /// ([`MessageRules::skip_contentless`](crate::bot::MessageRules::skip_contentless)).
    ///
    /// ```
    /// use xmpp_rest_bot::Bot;
    /// use xmpp_rest_bot::handler::{Filter, HandlerExt};
    /// use xmpp_rest_bot::stanza::{ChatState, Message, StanzaKind};
    ///
    /// async fn typing(msg: Message) {
    ///     if msg.chat_state == Some(ChatState::Composing) {
    ///         // show "typing..." somewhere
    ///     }
    /// }
    ///
    /// let bot: Bot = Bot::new()
    ///     .handler(typing.with_filter(Filter::kind(StanzaKind::Message).include_contentless()));
    /// ```
    #[must_use]
    pub fn include_contentless(mut self) -> Self {
        self.includes = self.includes.union(Skips::CONTENTLESS);
        self
    }

    /// Lets delayed messages (XEP-0203 `<delay/>`: room history on join,
    /// offline messages) through to the predicate. By default the bot keeps
    /// them from every route ([`MessageRules::skip_delayed`](crate::bot::MessageRules::skip_delayed)).
    #[must_use]
    pub fn include_delayed(mut self) -> Self {
        self.includes = self.includes.union(Skips::DELAYED);
        self
    }

    /// Lets the bot's own groupchat messages, reflected by the room, through
    /// to the predicate. By default the bot keeps them from every route
    /// ([`MessageRules::skip_own_messages`](crate::bot::MessageRules::skip_own_messages)).
    #[must_use]
    pub fn include_own_messages(mut self) -> Self {
        self.includes = self.includes.union(Skips::OWN);
        self
    }

    /// Accepts what both filters accept. Includes responses (and the other
    /// stanzas the bot skips by default) when either does: the predicates
    /// decide.
    #[must_use]
    pub fn and(self, other: Filter) -> Self {
        let (a, b) = (self.predicate, other.predicate);
        Filter {
            predicate: Arc::new(move |s| a(s) && b(s)),
            includes: self.includes.union(other.includes),
        }
    }

    /// Accepts what either filter accepts. Includes responses (and the other
    /// stanzas the bot skips by default) when either does.
    #[must_use]
    pub fn or(self, other: Filter) -> Self {
        let (a, b) = (self.predicate, other.predicate);
        Filter {
            predicate: Arc::new(move |s| a(s) || b(s)),
            includes: self.includes.union(other.includes),
        }
    }

    /// Whether the predicate accepts `incoming` (ignoring the response rule).
    pub fn matches(&self, incoming: &Incoming) -> bool {
        (self.predicate)(incoming)
    }

    /// Whether stanzas of type `error` and iq results reach the predicate.
    pub fn accepts_responses(&self) -> bool {
        self.includes.contains(Skips::RESPONSE)
    }

    /// The kinds of skipped stanzas this filter opted in to.
    pub(crate) fn includes(&self) -> Skips {
        self.includes
    }
}

impl Not for Filter {
    type Output = Filter;

    /// Accepts what this filter rejects (what it opted in to stays opted in).
    fn not(self) -> Filter {
        let p = self.predicate;
        Filter {
            predicate: Arc::new(move |s| !p(s)),
            includes: self.includes,
        }
    }
}

impl fmt::Debug for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Filter")
            .field("includes", &self.includes)
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
