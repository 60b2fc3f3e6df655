//! Routes: a handler, an optional filter, and a name for the logs.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use super::filter::Skips;
use super::{ErasedHandler, Filter, Handler, ReplyFuture, erase, provide_state};
use crate::extract::{Incoming, Rejection};

/// A handler as the bot stores it: the type-erased handler, an optional
/// [`Filter`] and a name used in the logs.
///
/// The bot tries its routes in registration order; a route is tried when its
/// filter accepts the stanza and runs when all its handler's extractors apply.
/// Routes without a filter, and routes whose filter does not
/// [opt in](Filter::include_responses), never see stanzas of type `error` or
/// iq results.
///
/// A route also carries the XEP-0030 features (protocol namespaces) its
/// handler implements, which the bot lists in its answer to disco#info: those
/// of its extractors ([`FromStanza::disco_features`](crate::extract::FromStanza::disco_features):
/// an [`IqPayload<P>`](crate::extract::IqPayload) argument declares `P::NS`)
/// and those added with [`with_feature`](Self::with_feature).
///
/// ```
/// use xmpp_rest_bot::Bot;
/// use xmpp_rest_bot::extract::MessageText;
/// use xmpp_rest_bot::handler::{Filter, Route};
///
/// async fn help(MessageText(_): MessageText) -> &'static str {
///     "commands: !help, !status"
/// }
///
/// let route = Route::new(help)
///     .with_filter(Filter::new(|s| s.kind().as_str() == "message"))
///     .with_name("help");
/// let bot: Bot = Bot::new().handler(route);
/// ```
pub struct Route<S = ()> {
    handler: Arc<dyn ErasedHandler<S>>,
    filter: Option<Filter>,
    name: &'static str,
    features: Vec<Cow<'static, str>>,
    /// The access group whose members alone run it.
    allow: Option<&'static str>,
    /// The Cargo package (name, version) the handler was written in, known
    /// for handlers made by the attribute macros: the bot's default answer
    /// to software version requests.
    pub(crate) package: Option<(&'static str, &'static str)>,
}

impl<S> Clone for Route<S> {
    fn clone(&self) -> Self {
        Route {
            handler: Arc::clone(&self.handler),
            filter: self.filter.clone(),
            name: self.name,
            features: self.features.clone(),
            allow: self.allow,
            package: self.package,
        }
    }
}

impl<S: 'static> Route<S> {
    /// A route for `handler`, without a filter, named after the handler's type
    /// (`my_bot::echo` for `async fn echo`), with the features its extractors
    /// declare.
    pub fn new<H, T>(handler: H) -> Self
    where
        H: Handler<T, S>,
        T: 'static,
    {
        let mut features = Vec::new();
        for feature in handler.disco_features() {
            let feature = Cow::Borrowed(feature);
            if !features.contains(&feature) {
                features.push(feature);
            }
        }
        Route {
            handler: erase(handler),
            filter: None,
            name: std::any::type_name::<H>(),
            features,
            allow: None,
            package: None,
        }
    }

    /// Declares that the handler implements the protocol `namespace`: the bot
    /// lists it among the features of its disco#info answer. Use it when the
    /// handler matches its payload in a way extractors do not tell (a
    /// [`Filter`] on the payload namespace, a raw [`Iq`](crate::stanza::Iq)
    /// argument).
    ///
    /// ```
    /// use xmpp_rest_bot::Bot;
    /// use xmpp_rest_bot::handler::{Filter, Route};
    /// use xmpp_rest_bot::stanza::{Iq, Stanza};
    ///
    /// async fn time(iq: Iq) -> Iq {
    ///     iq.result::<xmpp_rest_bot::stanza::Ping>(None)
    /// }
    ///
    /// let route = Route::new(time)
    ///     .with_filter(Filter::new(|s| match s {
    ///         Stanza::Iq(iq) => iq.payload_ns() == Some("urn:xmpp:time"),
    ///         _ => false,
    ///     }))
    ///     .with_feature("urn:xmpp:time");
    /// assert_eq!(route.features().collect::<Vec<_>>(), ["urn:xmpp:time"]);
    /// let bot: Bot = Bot::new().handler(route);
    /// ```
    #[must_use]
    pub fn with_feature(mut self, namespace: impl Into<Cow<'static, str>>) -> Self {
        let feature = namespace.into();
        if !self.features.contains(&feature) {
            self.features.push(feature);
        }
        self
    }

    /// The features (protocol namespaces) this route declares, for disco#info.
    pub fn features(&self) -> impl Iterator<Item = &str> {
        self.features.iter().map(|f| f.as_ref())
    }

    /// Adds a filter; a second filter is combined with the first with
    /// [`Filter::and`].
    #[must_use]
    pub fn with_filter(mut self, filter: Filter) -> Self {
        self.filter = Some(match self.filter.take() {
            Some(existing) => existing.and(filter),
            None => filter,
        });
        self
    }

    /// Lets only the members of the [access group](crate::guard::Access)
    /// `group` run the handler: for others, when its filter and extractors
    /// take the stanza, the bot answers `forbidden` (the
    /// [guardrails'](crate::guard::Guardrails) denial text) and tries no
    /// further route. `#[on_message(allow = "ops")]` does this.
    ///
    /// ```
    /// use xmpp_rest_bot::guard::{Access, Guardrails};
    /// use xmpp_rest_bot::handler::Route;
    /// use xmpp_rest_bot::Bot;
    ///
    /// async fn shutdown() -> &'static str {
    ///     "shutting down"
    /// }
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let access = Access::new().group("admins", ["root@example.net"])?;
    /// let bot: Bot = Bot::new()
    ///     .guardrails(Guardrails::new().access(access))
    ///     .handler(Route::new(shutdown).with_allow("admins"));
    /// # let _ = bot; Ok(()) }
    /// ```
    #[must_use]
    pub fn with_allow(mut self, group: &'static str) -> Self {
        self.allow = Some(group);
        self
    }

    /// Sets the name used in the logs.
    #[must_use]
    pub fn with_name(mut self, name: &'static str) -> Self {
        self.name = name;
        self
    }

    /// The name used in the logs.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The filter, if any.
    pub fn filter(&self) -> Option<&Filter> {
        self.filter.as_ref()
    }

    /// Whether this route is to be tried for `incoming`: its filter accepts it,
    /// and it is not an `error`/`result` stanza unless the filter opts in.
    ///
    /// The bot also keeps some messages from routes that do not opt in
    /// (without content, delayed, its own; see
    /// [message rules](crate::bot::MessageRules)); this method does not
    /// know the bot's settings and leaves them out.
    pub fn accepts(&self, incoming: &Incoming) -> bool {
        let skips = if incoming.stanza().is_response() {
            Skips::RESPONSE
        } else {
            Skips::NONE
        };
        self.accepts_skipping(incoming, skips)
    }

    /// Whether this route is to be tried for `incoming`, which the bot would
    /// skip for the reasons in `skips` unless the filter opts in to all of them.
    pub(crate) fn accepts_skipping(&self, incoming: &Incoming, skips: Skips) -> bool {
        match &self.filter {
            None => skips.is_empty(),
            Some(filter) => filter.includes().contains(skips) && filter.matches(incoming),
        }
    }

    /// Runs the handler's extractors and, when they all apply, starts it.
    ///
    /// # Errors
    /// The first extractor's [`Rejection`].
    pub fn call(&self, incoming: &Incoming, state: &S) -> Result<ReplyFuture, Rejection> {
        let call = self.handler.call(incoming, state);
        // Checked once the extractors took the stanza: a message the handler
        // would not run for is not refused. The future is not started yet,
        // so dropping it runs nothing.
        if let (Ok(_), Some(group)) = (&call, self.allow) {
            crate::guard::admit_route(incoming, self.name, group)?;
        }
        // Shared rate limits (guardrails on a Redis) are checked here, once
        // the handler is known to run, and before it starts.
        let call = match (call, crate::guard::pending_check(incoming)) {
            (Ok(handler), Some(check)) => Ok(Box::pin(async move {
                match check.await {
                    Some(refusal) => refusal,
                    None => handler.await,
                }
            }) as ReplyFuture),
            (call, _) => call,
        };
        if call.is_ok() {
            // Names the handler in the webhook's per-stanza log line (a field
            // of its `stanza` span; no effect outside that span).
            tracing::Span::current().record("handler", tracing::field::display(self.name));
        }
        call
    }

    /// Binds the route to `state`: it no longer needs the bot's state.
    pub(crate) fn provide_state<S2>(self, state: S) -> Route<S2>
    where
        S: Send + Sync + 'static,
    {
        Route {
            handler: provide_state(self.handler, state),
            filter: self.filter,
            name: self.name,
            features: self.features,
            allow: self.allow,
            package: self.package,
        }
    }
}

impl<S> fmt::Debug for Route<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Route")
            .field("name", &self.name)
            .field("filter", &self.filter)
            .field("features", &self.features)
            .finish_non_exhaustive()
    }
}

/// What [`Bot::handler`](crate::Bot::handler) accepts: every handler function
/// (as a route without a filter) and every [`Route`].
///
/// Implement it for a type of yours to register something that builds its own
/// route (the attribute macros do). A type of yours implementing [`Handler`]
/// is registered with [`Route::new`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be registered as a stanza handler",
    label = "not a handler or route",
    note = "register an `async fn` (its future must be `Send`) with at most 12 arguments that all implement `FromStanza` and a return type that implements `IntoReply`, or a `Route`",
    note = "check each argument against the extractors in `xmpp_rest_bot::extract` (the body text is `MessageText(text): MessageText`, not `String`) and the return type against `xmpp_rest_bot::reply`"
)]
pub trait IntoRoute<T, S> {
    /// Converts into a route.
    fn into_route(self) -> Route<S>;
}

impl<S> IntoRoute<(), S> for Route<S> {
    fn into_route(self) -> Route<S> {
        self
    }
}
