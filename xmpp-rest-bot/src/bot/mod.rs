//! The bot: handlers, state and settings, served as mod_rest's webhook.
//!
//! See [`Bot`].

mod auth;
mod builtin;
mod config;
mod dispatch;
mod early_2020;
mod message_rules;
mod metrics;
mod order;
mod panics;
mod run;
mod server;
mod service;
mod serving;

pub use auth::Auth;
pub use builtin::Builtin;
pub(crate) use config::Config;
use config::{AdHoc, MaxConcurrency, ReadTimeout, Receipts};
pub use dispatch::Answer;
pub(crate) use dispatch::Routing;
pub use message_rules::MessageRules;
pub use metrics::Metrics;
pub use run::Ready;
pub use serving::Serving;

use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, ToSocketAddrs};

use crate::command::{BotCommands, Registry};
use crate::extract::Incoming;
use crate::handler::{Filter, Handler, IntoRoute, Route};
use crate::intercept::Interceptor;
use crate::stanza::{DiscoInfo, Version};
use crate::wire::{Limits, WireFormat};

#[doc = include_str!("../docs/bot.md")]
#[must_use]
pub struct Bot<S = ()> {
    routes: Vec<Route<S>>,
    config: Config,
}

impl<S: 'static> Default for Bot<S> {
    fn default() -> Self {
        Bot::new()
    }
}

impl<S> Clone for Bot<S> {
    fn clone(&self) -> Self {
        Bot {
            routes: self.routes.clone(),
            config: self.config.clone(),
        }
    }
}

impl<S> std::fmt::Debug for Bot<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bot")
            .field("routes", &self.routes)
            .field("config", &self.config)
            .finish()
    }
}

impl<S: 'static> Bot<S> {
    /// A bot without handlers, with the default settings (see [Defaults](Self#defaults)).
    pub fn new() -> Self {
        Bot {
            routes: Vec::new(),
            config: Config::default(),
        }
    }

    /// Registers a handler (an `async fn` taking extractors) or a [`Route`].
    /// Handlers are tried in registration order.
    pub fn handler<T>(mut self, handler: impl IntoRoute<T, S>) -> Self {
        let route = handler.into_route();
        if let (None, Some((name, version))) = (&self.config.package, route.package) {
            self.config.package = Some(Version::new(name, version));
        }
        self.routes.push(route);
        self
    }

    /// Registers a handler behind a filter: it is only tried for stanzas the
    /// filter accepts.
    ///
    /// ```
    /// use xmpp_rest_bot::Bot;
    /// use xmpp_rest_bot::extract::MessageText;
    /// use xmpp_rest_bot::handler::Filter;
    ///
    /// async fn admin_only(MessageText(cmd): MessageText) -> String {
    ///     format!("running {cmd}")
    /// }
    ///
    /// let bot: Bot = Bot::new().route(
    ///     Filter::sender("admin@example.org".parse().unwrap()),
    ///     admin_only,
    /// );
    /// ```
    pub fn route<H, T>(mut self, filter: Filter, handler: H) -> Self
    where
        H: Handler<T, S>,
        T: 'static,
    {
        self.routes.push(Route::new(handler).with_filter(filter));
        self
    }

    #[doc = include_str!("../docs/ad_hoc_commands.md")]
    pub fn ad_hoc_commands<C: BotCommands + 'static>(mut self) -> Self {
        let interceptors = &mut self.config.interceptors.0;
        let ad_hoc = self.config.ad_hoc.get_or_insert_with(|| {
            interceptors.push(Arc::new(Registry::default()));
            AdHoc {
                index: interceptors.len() - 1,
                registry: Registry::default(),
            }
        });
        ad_hoc.registry.add::<C>();
        interceptors[ad_hoc.index] = Arc::new(ad_hoc.registry.clone());
        self
    }

    /// Adds an [`Interceptor`] to the pipeline: it sees every stanza after
    /// the message rules and the per-sender order, before the routes, and
    /// what the routes made of it after; it can answer instead of them,
    /// attach [extensions](crate::extract::Incoming::extensions) for their extractors and
    /// filters, or change their reply (see [`intercept`](crate::intercept)).
    ///
    /// Interceptors run in registration order, the first registered
    /// outermost; [`ad_hoc_commands`](Self::ad_hoc_commands) adds its own
    /// where it is first called. The built-in answers are outside them all:
    /// they answer what is still unanswered when the others are done.
    pub fn interceptor(mut self, interceptor: impl Interceptor) -> Self {
        self.config.interceptors.0.push(Arc::new(interceptor));
        self
    }

    /// Sets the chatops [guardrails](crate::guard::Guardrails): the access
    /// groups that commands (`#[command(allow = "ops")]`) and handlers
    /// (`#[on_message(allow = "ops")]`) name, the rate limits, the
    /// confirmations (`#[command(confirm)]`), and the audit trail (one
    /// `tracing` event per command, target `xmpp_rest_bot::audit`, and the
    /// `xmpp_bot_commands_total` [metrics](Self::metrics)).
    ///
    /// Their stage runs before every [interceptor](Self::interceptor),
    /// wherever this is called; a second call replaces the first.
    /// Without guardrails, a command or handler that names a group, asks for
    /// confirmation or has a rate of its own is refused to everyone
    /// (`forbidden`, and an error in the log): guardrails fail closed.
    ///
    /// ```
    /// use xmpp_rest_bot::guard::{Access, Guardrails, RateLimit};
    /// use xmpp_rest_bot::Bot;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// // BOT_GROUP_OPS="alice@example.net *@ops.example.net"
    /// let access = Access::from_env("BOT_GROUP_")?;
    /// let bot: Bot = Bot::new().guardrails(
    ///     Guardrails::new().access(access).rate_limit(RateLimit::per_minute(20)),
    /// );
    /// # let _ = bot; Ok(()) }
    /// ```
    pub fn guardrails(mut self, guardrails: crate::guard::Guardrails) -> Self {
        self.config.guard = Some(config::Guard(Arc::new(crate::guard::GuardStage {
            rails: Arc::new(guardrails),
            metrics: self.config.shared.metrics.clone(),
        })));
        self
    }

    /// Keeps conversations in a storage: each message's conversation (see
    /// [`ConversationKey`](crate::dialogue::ConversationKey)) is loaded once,
    /// before the routes, for the [`Dialogue`](crate::dialogue::Dialogue)
    /// extractor and the routes' state filters. Takes a
    /// [`Storage`](crate::storage::Storage) or a
    /// [`Dialogues`](crate::dialogue::Dialogues) (to choose the key scope).
    /// A storage that fails answers `internal-server-error` (logged).
    /// The sessions of multi-stage [ad-hoc commands](Self::ad_hoc_commands)
    /// are kept there too.
    ///
    /// An interceptor, added where this is called (see
    /// [`interceptor`](Self::interceptor)).
    ///
    /// ```
    /// use xmpp_rest_bot::Bot;
    /// use xmpp_rest_bot::storage::MemoryStorage;
    ///
    /// let bot: Bot = Bot::new().dialogues(MemoryStorage::new());
    /// # let _ = bot;
    /// ```
    pub fn dialogues(mut self, dialogues: impl Into<crate::dialogue::Dialogues>) -> Self {
        let dialogues = dialogues.into();
        // The ad-hoc command sessions are kept there too (see `ad_hoc_commands`).
        self.config.dialogues = Some(dialogues.clone());
        self.interceptor(dialogues)
    }

    /// The registered routes, in the order they are tried.
    pub fn routes(&self) -> &[Route<S>] {
        &self.routes
    }

    /// Provides the state the handlers need; the bot no longer needs one.
    ///
    /// The state is cloned once per handler registered so far, so keep it
    /// cheap to clone (put shared data behind an `Arc`).
    pub fn with_state<S2>(self, state: S) -> Bot<S2>
    where
        S: Clone + Send + Sync + 'static,
    {
        Bot {
            routes: self
                .routes
                .into_iter()
                .map(|route| route.provide_state(state.clone()))
                .collect(),
            config: self.config,
        }
    }

    /// The format the startup probe asks mod_rest to post in (default XML).
    ///
    /// mod_rest sends `OPTIONS` to the callback URL when it loads, and takes
    /// the format from the `Accept` header of the answer. Posts in either
    /// format are always accepted, whatever this says (the early-2020
    /// mod_rest sends no probe and uses `rest_callback_content_type`), and
    /// every reply is in the format of its request, except a reply that
    /// JSON would not carry to the sender
    /// ([`reply_gap`](crate::wire::json::reply_gap): forms with several
    /// fields, notes beside actions, most iq results, receipts, ...), which
    /// goes in XML: mod_rest reads an answer by its own content type.
    ///
    /// With JSON, the bot warns at startup when it has what the early-2020
    /// mod_rest never delivers in JSON (ad-hoc commands, handlers of version
    /// or disco#items queries): that module posts those requests without
    /// their payload. The book's "JSON vs XML" chapter has the table.
    pub fn format(mut self, format: WireFormat) -> Self {
        self.config.format = format;
        self
    }

    /// The decoding limits; [`Limits::bytes`] is also the largest request body
    /// accepted (413 beyond). Default: [`Limits::default`] (192 KiB).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.config.limits = limits;
        self
    }

    /// Whether to acknowledge XEP-0184 receipt requests (default on).
    ///
    /// mod_rest does not answer them (a real Prosody sends nothing on a 202), so the bot does:
    /// when a message of type other than `error` and `groupchat` carries
    /// `<request xmlns="urn:xmpp:receipts"/>` and an id, the reply message gets
    /// a `<received id="..."/>`, or, when the handler returns no reply (or no
    /// handler takes the message), the answer is a message carrying only the
    /// `<received/>`, of the incoming type. Error replies carry none. XML
    /// only: mod_rest's JSON mapping has no receipts.
    pub fn receipts(mut self, enabled: bool) -> Self {
        self.config.receipts = Receipts(enabled);
        self
    }

    /// A time limit for each handler (default none). A handler that takes
    /// longer is dropped and the sender receives `remote-server-timeout` (HTTP
    /// 504). Keep it under mod_rest's own HTTP timeout.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.config.timeout = Some(timeout);
        self
    }

    /// Which messages the bot keeps from routes that do not ask for them
    /// (see [`MessageRules`]).
    pub fn message_rules(mut self, rules: MessageRules) -> Self {
        self.config.rules = rules;
        self
    }

    /// What the bot answers by itself to disco, ping and version queries no
    /// route takes (see [`Builtin`]).
    pub fn builtin(mut self, builtin: Builtin) -> Self {
        self.config.builtin = builtin;
        self
    }

    /// How requests are authenticated (see [`Auth`]; default: not at all).
    pub fn auth(mut self, auth: Auth) -> Self {
        self.config.auth = auth;
        self
    }

    /// The connection settings of [`serve`](Self::serve) (see [`Serving`]).
    pub fn serving(mut self, serving: Serving) -> Self {
        self.config.serving = serving;
        self
    }

    /// What the bot answers to a disco#info query without node: its identity
    /// and features (the built-in ones, those of its routes, of the ad-hoc
    /// commands, and those added with [`Builtin::feature`]), each once.
    pub fn disco_info(&self) -> DiscoInfo {
        let config = &self.config;
        config.builtin.disco_info(
            &self.routes,
            config.package.as_ref(),
            config.interceptor_features(),
        )
    }

    /// Whether the stanzas of one sender are handled one at a time, in the
    /// order they reached the bot (default off: concurrently).
    ///
    /// The sender is the bare JID of `from`: all resources of a user share
    /// one queue, and for a room occupant the bare JID is the room, so a
    /// room's messages are handled in order too. Stanzas of different senders
    /// still run concurrently. mod_rest posts stanzas concurrently, each on
    /// its own HTTP request, so two messages sent in quick succession can
    /// reach the bot in either order: the order of arrival at the bot is the
    /// best order available, and it is the one kept. A stanza waiting for its
    /// turn counts against [`max_concurrency`](Self::max_concurrency) and,
    /// while it waits, against nothing else ([`timeout`](Self::timeout) starts
    /// with its handler). With several replicas, route each sender to one
    /// replica (see the deployment chapter of the book).
    pub fn ordered_per_sender(mut self, enabled: bool) -> Self {
        self.config.ordered = enabled;
        self
    }

    /// The most requests handled at once (default
    /// [`DEFAULT_MAX_CONCURRENCY`](Bot::DEFAULT_MAX_CONCURRENCY)). Over it, a
    /// post is answered 503 at once, without a body (mod_rest turns that into
    /// `service-unavailable` for the sender), instead of queueing up and
    /// running the bot out of memory. Counts posts once their body is read
    /// (a client still sending its body holds a connection, not a handler's
    /// place: see [`read_timeout`](Self::read_timeout) and
    /// [`Serving::max_connections`]).
    pub fn max_concurrency(mut self, limit: usize) -> Self {
        self.config.max_concurrency = MaxConcurrency(limit);
        self
    }

    /// How long reading a request body may take (default
    /// [`DEFAULT_READ_TIMEOUT`](Bot::DEFAULT_READ_TIMEOUT)); slower clients get
    /// 408. mod_rest sends a stanza in one go: only a broken or hostile
    /// client needs this long. The headers have their own timeout,
    /// [`Serving::header_read_timeout`].
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.config.read_timeout = ReadTimeout(timeout);
        self
    }

    /// Serves the [metrics](Metrics) in the Prometheus text format on `GET
    /// path` (default: not served). The route needs no credentials, even
    /// with [`secret_path`](Auth::secret_path) or
    /// [`basic_auth`](Auth::basic): expose it only where it may be read
    /// (the reverse proxy of the deployment chapter does not forward it).
    ///
    /// ```
    /// use xmpp_rest_bot::Bot;
    ///
    /// let bot: Bot = Bot::new()
    ///     .auth(xmpp_rest_bot::bot::Auth::default().secret_path("3f6c9a"))
    ///     .metrics_route("/metrics");
    /// ```
    pub fn metrics_route(mut self, path: impl Into<String>) -> Self {
        self.config.metrics_path = Some(path.into());
        self
    }

    /// The bot's metrics (collected whether or not they are served), shared
    /// with its clones and with the router it becomes.
    pub fn metrics(&self) -> Metrics {
        self.config.shared.metrics.clone()
    }
}

impl Bot {
    /// The default of [`max_concurrency`](Bot::max_concurrency): 512 requests
    /// (at most 96 MiB of stanzas with the default 192 KiB limit).
    pub const DEFAULT_MAX_CONCURRENCY: usize = 512;

    /// The default of [`read_timeout`](Bot::read_timeout): 10 seconds.
    pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(10);

    /// How many handler panics a minute reach the panic hook that was
    /// installed before [`serve`](Bot::serve) (Rust's default hook prints the
    /// message and, with `RUST_BACKTRACE`, a backtrace); every panic is
    /// logged in one line anyway.
    pub const PANIC_REPORTS_PER_MINUTE: u32 = 5;
}

/// The software name and version of the crate it is written in, as a
/// [`Version`](crate::stanza::Version) for [`Builtin::software`]: expands to
/// `Version::new(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"))`, read
/// when your crate is compiled.
///
/// ```
/// use xmpp_rest_bot::{Bot, software_version};
///
/// let version = software_version!();
/// assert_eq!(version.name.as_deref(), Some(env!("CARGO_PKG_NAME")));
/// let bot: Bot = Bot::new().builtin(xmpp_rest_bot::bot::Builtin::default().software(version));
/// ```
#[macro_export]
macro_rules! software_version {
    () => {
        $crate::stanza::Version::new(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"))
    };
}

// Generic over the state with a `Ready` bound, rather than on `Bot<()>`
// alone: a bot missing its state then gets `Ready`'s message instead of
// "no method named `serve`".
impl<S> Bot<S> {
    /// The webhook as an axum [`Router`](axum::Router), to serve yourself or to
    /// nest into an existing app at any path; tower layers apply as usual.
    ///
    /// It answers every path below where it is mounted (mod_rest callback URLs
    /// may carry `{kind}`/`{type}` placeholders). Mount it with
    /// [`nest_service`](axum::Router::nest_service), which also routes the
    /// prefix with a trailing slash (`/xmpp/`) to it; axum's `nest` does not.
    ///
    /// ```
    /// use axum::routing::get;
    /// use xmpp_rest_bot::Bot;
    /// use xmpp_rest_bot::extract::MessageText;
    ///
    /// async fn echo(MessageText(text): MessageText) -> String {
    ///     text
    /// }
    ///
    /// let app: axum::Router = axum::Router::new()
    ///     .route("/health", get(|| async { "ok" }))
    ///     .nest_service("/xmpp", Bot::new().handler(echo).into_router());
    /// ```
    pub fn into_router(self) -> axum::Router
    where
        Self: Ready,
    {
        let bot = self.into_ready();
        service::router(Arc::new(service::Webhook::new(bot.routes, bot.config)))
    }

    /// Serves the webhook on `addr` until SIGTERM or ctrl-c, then stops
    /// accepting connections, lets the handlers in flight finish (until the
    /// [`shutdown_timeout`](Serving::shutdown_timeout)) and returns.
    ///
    /// HTTP/1.1 with keep-alive, as mod_rest speaks it, with limits on what
    /// clients hold: [`Serving::max_connections`](Serving::max_connections),
    /// [`max_header_size`](Serving::max_header_size),
    /// [`first_request_timeout`](Serving::first_request_timeout) and
    /// [`Serving::header_read_timeout`](Serving::header_read_timeout); the shutdown is
    /// described at [`shutdown_timeout`](Serving::shutdown_timeout) and
    /// [`shutdown_drain`](Serving::shutdown_drain).
    ///
    /// While it serves, a handler that panics is logged in one line (the
    /// handler, the stanza id, the message and where it panicked) and the
    /// panic hook that was installed before (Rust's default one prints the
    /// message and, with `RUST_BACKTRACE`, a backtrace) runs for at most
    /// [`PANIC_REPORTS_PER_MINUTE`](Bot::PANIC_REPORTS_PER_MINUTE) handler
    /// panics a minute: a handler panicking on every request cannot flood
    /// stderr. Panics outside handlers always reach the previous hook. A hook
    /// you install after `serve` started replaces this one.
    ///
    /// # Errors
    /// When the address cannot be bound, or the signal handlers cannot be
    /// installed.
    pub async fn serve(self, addr: impl ToSocketAddrs) -> io::Result<()>
    where
        Self: Ready,
    {
        let bot = self.into_ready();
        // Listen for the signals before binding: once the address answers, a
        // SIGTERM is a graceful shutdown, never the default "terminate now".
        let signal = run::shutdown_signal()?;
        let listener = TcpListener::bind(addr).await?;
        bot.serve_with_shutdown(listener, signal).await
    }

    /// Serves the webhook on `listener` until `signal` completes, then stops
    /// accepting connections, lets the handlers in flight finish (until the
    /// [`shutdown_timeout`](Serving::shutdown_timeout)) and returns; otherwise
    /// as [`serve`](Self::serve).
    ///
    /// # Errors
    /// When the listener's address cannot be read.
    pub async fn serve_with_shutdown(
        self,
        listener: TcpListener,
        signal: impl Future<Output = ()> + Send + 'static,
    ) -> io::Result<()>
    where
        Self: Ready,
    {
        let bot = self.into_ready();
        tracing::info!(addr = %listener.local_addr()?, "xmpp webhook listening");
        let settings = bot.config.serving.for_server();
        panics::install();
        server::serve(listener, bot.into_router(), settings, signal).await
    }

    /// Dispatches one stanza without HTTP: runs the handler that takes it and
    /// says what the webhook would answer. For tests.
    ///
    /// ```
    /// use xmpp_rest_bot::Bot;
    /// use xmpp_rest_bot::extract::{MessageText, Incoming};
    /// use xmpp_rest_bot::stanza::{Message, Stanza};
    ///
    /// async fn echo(MessageText(text): MessageText) -> String {
    ///     text
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let bot = Bot::new().handler(echo);
    /// let msg = Message::chat("bot@example.net".parse().unwrap(), "hi")
    ///     .with_from("alice@example.org/phone".parse().unwrap());
    /// let answer = bot.dispatch(Incoming::new(msg)).await;
    /// assert_eq!(answer.status.as_u16(), 200);
    /// let Some(Stanza::Message(reply)) = answer.stanza else { panic!() };
    /// assert_eq!(reply.body(), Some("hi"));
    /// # }
    /// ```
    ///
    /// The message rules, per-sender ordering and built-in answers apply as
    /// in the webhook; the HTTP layer (limits, authentication, metrics) does not.
    pub async fn dispatch(&self, incoming: Incoming) -> Answer
    where
        Self: Ready,
    {
        let bot = self.as_ready();
        let chain = bot.config.chain(&bot.routes);
        dispatch::dispatch(&bot.routes, &bot.config, &chain, incoming)
            .await
            .0
    }
}

#[cfg(test)]
mod tests;
