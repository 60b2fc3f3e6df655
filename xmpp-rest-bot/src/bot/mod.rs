//! The bot: handlers, state and settings, served as mod_rest's webhook.
//!
//! See [`Bot`].

mod auth;
mod dispatch;
mod service;

pub use dispatch::Answer;

use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, ToSocketAddrs};

use crate::command::{BotCommands, Registry};
use crate::extract::Incoming;
use crate::handler::{Filter, Handler, IntoRoute, Route};
use crate::wire::{Limits, WireFormat};

/// An XMPP bot: the handlers, the shared state and the webhook settings.
///
/// Build it with [`Bot::new`] and the setters, register handlers with
/// [`handler`](Self::handler), give it its state with
/// [`with_state`](Self::with_state), then [`serve`](Self::serve) it or turn it
/// into an axum [`Router`](axum::Router) with [`into_router`](Self::into_router).
///
/// ```no_run
/// use xmpp_rest_bot::Bot;
/// use xmpp_rest_bot::extract::Body;
///
/// async fn echo(Body(text): Body) -> String {
///     text
/// }
///
/// # async fn run() -> std::io::Result<()> {
/// Bot::new().handler(echo).serve("127.0.0.1:8080").await
/// # }
/// ```
///
/// # Dispatch
/// For each stanza the handlers are tried **in registration order**: the
/// first whose filter accepts the stanza and whose extractors all apply runs,
/// and its return value is the reply. An extractor that applies but finds the
/// stanza invalid (a malformed payload) stops the search and answers with its
/// error, or with its reply ([`Rejection::reply`](crate::extract::Rejection::reply));
/// one that does not apply but has a [fallback](crate::extract::Rejection::fallback)
/// answer lets the search go on, and the first fallback is the answer when no
/// handler takes the stanza. Otherwise, when no handler takes the stanza, an
/// iq `get`/`set` is answered with `service-unavailable` (RFC 6120) and a
/// message or presence with nothing (202). Ad-hoc commands registered with
/// [`ad_hoc_commands`](Self::ad_hoc_commands) are looked at before the
/// handlers.
///
/// Stanzas of type `error` and iq results are never answered (mod_rest would
/// drop the answer): they only reach handlers whose [`Filter`] opts in with
/// [`Filter::include_responses`], and whatever those return, the answer is 202.
///
/// # Requests mod_rest would never send
/// | request | answer |
/// |---|---|
/// | a method other than `POST` and `OPTIONS` | 405 |
/// | a `Content-Type` other than `application/xmpp+xml` and `application/json` (charset other than UTF-8 included) | 415 |
/// | a body over [`Limits::bytes`] (or over another decoding limit) | 413 |
/// | a body that is not well-formed XML or JSON | 400 |
/// | well-formed, but not a stanza (wrong top element, invalid JID, ...) | 422 |
/// | missing credentials, when [`secret_path`](Self::secret_path) or [`basic_auth`](Self::basic_auth) is set | 401 |
///
/// These answers carry a `text/plain` explanation. (mod_rest would turn a
/// `text/plain` body into a chat message to the sender; it never sends such
/// requests, so only whatever else sent them reads it.) Failures while
/// handling a stanza are answered with error stanzas instead: a handler that
/// panics gets `internal-server-error` (500), one that runs over the
/// [`timeout`](Self::timeout) gets `remote-server-timeout` (504), and the bot
/// goes on serving.
///
/// # State
/// `S` is the type of the state the handlers need: `Bot<S>` is a bot still
/// missing its state, as axum's `Router<S>`. [`with_state`](Self::with_state)
/// provides it and turns the bot into a `Bot<()>`, which is what can be served.
/// Handlers take the state (or parts of it, see
/// [`FromRef`](crate::extract::FromRef)) with [`State`](crate::extract::State).
///
/// # Defaults
/// | setting | default |
/// |---|---|
/// | [`format`](Self::format) | [`WireFormat::Xml`] (what the startup probe asks mod_rest for) |
/// | [`limits`](Self::limits) | [`Limits::default`]: 192 KiB per stanza, like mod_rest |
/// | [`receipts`](Self::receipts) | on |
/// | [`timeout`](Self::timeout) | none |
/// | [`secret_path`](Self::secret_path), [`basic_auth`](Self::basic_auth) | none: no authentication, as mod_rest sends none |
#[must_use]
pub struct Bot<S = ()> {
    routes: Vec<Route<S>>,
    config: Config,
}

/// The webhook settings.
#[derive(Debug, Clone, Default)]
pub(crate) struct Config {
    pub(crate) format: WireFormat,
    pub(crate) limits: Limits,
    pub(crate) receipts: Receipts,
    pub(crate) timeout: Option<Duration>,
    pub(crate) auth: auth::Auth,
    pub(crate) ad_hoc: Registry,
}

/// Whether receipts are answered; a newtype so that the default is "on".
#[derive(Debug, Clone, Copy)]
pub(crate) struct Receipts(pub(crate) bool);

impl Default for Receipts {
    fn default() -> Self {
        Receipts(true)
    }
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
        self.routes.push(handler.into_route());
        self
    }

    /// Registers a handler behind a filter: it is only tried for stanzas the
    /// filter accepts.
    ///
    /// ```
    /// use xmpp_rest_bot::Bot;
    /// use xmpp_rest_bot::extract::Body;
    /// use xmpp_rest_bot::handler::Filter;
    ///
    /// async fn admin_only(Body(cmd): Body) -> String {
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

    /// Exposes the commands of `C` as XEP-0050 ad-hoc commands, the commands
    /// menu of clients such as Gajim and Conversations; their submissions run
    /// the handler taking [`Command<C>`](crate::command::Command), the same
    /// one as the chat commands.
    ///
    /// ```no_run
    /// use xmpp_rest_bot::Bot;
    /// use xmpp_rest_bot::command::{BotCommands, Command};
    ///
    /// #[derive(BotCommands)]
    /// enum Ops {
    ///     /// Deploy a version to an environment.
    ///     Deploy { env: String, version: String },
    ///     /// Show the status.
    ///     Status,
    /// }
    ///
    /// async fn ops(Command(cmd): Command<Ops>) -> String {
    ///     match cmd {
    ///         Ops::Deploy { env, version } => format!("deploying {version} to {env}"),
    ///         Ops::Status => "all green".to_owned(),
    ///     }
    /// }
    ///
    /// # async fn run() -> std::io::Result<()> {
    /// // `!deploy prod v1.2` in a chat, or "Deploy a version..." in the commands menu.
    /// Bot::new().handler(ops).ad_hoc_commands::<Ops>().serve("127.0.0.1:8080").await
    /// # }
    /// ```
    ///
    /// This is explicit (registering a `Command<C>` handler does not do it)
    /// because it makes the commands visible to every XMPP client that asks:
    /// a deliberate choice for an ops bot.
    ///
    /// | the client sends (iq) | the bot answers |
    /// |---|---|
    /// | disco#items get on node `http://jabber.org/protocol/commands` | one item per visible command: the bot's address (the request's `to`), node = the command's name, name = its description |
    /// | disco#info get on a command's node | identity `automation`/`command-node`, features `http://jabber.org/protocol/commands` and `jabber:x:data` |
    /// | `<command node="deploy" action="execute"/>`, for a command with arguments | status `executing`, a `sessionid`, the action `complete`, and a form with one field per argument (label = the argument's name): `text-single` (required) for a plain or `rest` argument, `text-single` for an `Option`, `text-multi` (one value per line) for a `Vec`, `boolean` for a `bool` |
    /// | the same, for a command without arguments | runs it (below) |
    /// | the form submitted (`action="complete"`, or `execute` with `<x type="submit">`) | runs the handler with the command built from the values; the reply becomes status `completed` with a `<note type="info">` carrying the text (a message's body), an error reply a `<note type="error">`, no reply no note |
    /// | a submitted value that does not parse, or a required one missing | the form again, with the submitted values and a `<note type="error">` naming the argument |
    /// | `action="cancel"` | status `canceled` |
    /// | an action other than execute, complete, next and cancel | `bad-request` with `<bad-action/>` |
    /// | a node that no registered enum has | the routes as usual, then `item-not-found` when none takes it |
    ///
    /// The bot keeps no session state: the submitted form carries all the
    /// arguments. The handler's other extractors see the iq (a handler that
    /// also takes `Message` or `Body` cannot run an ad-hoc command: the sender
    /// gets `feature-not-implemented`), and so does its filter. Hidden
    /// commands are not listed but can be executed by node. Registering the
    /// same enum twice changes nothing; when two enums have a command of the
    /// same name, the first registered keeps the node.
    pub fn ad_hoc_commands<C: BotCommands + 'static>(mut self) -> Self {
        self.config.ad_hoc.add::<C>();
        self
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
    /// every reply is in the format of its request.
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
    /// mod_rest does not answer them (CONTRACT.md section 1), so the bot does:
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

    /// Requires the first path segment of every request to be `secret`
    /// (compared in constant time; 401 otherwise). Configure mod_rest with
    /// `rest_callback_url = "http://127.0.0.1:8080/<secret>"` (placeholders
    /// may follow: `/<secret>/{kind}/{type}`). Use URL-safe characters, for
    /// instance a random hex string.
    pub fn secret_path(mut self, secret: impl Into<String>) -> Self {
        self.config.auth.secret_path = Some(secret.into());
        self
    }

    /// Requires HTTP Basic credentials (compared in constant time; 401 with
    /// `WWW-Authenticate` otherwise). mod_rest sends them when they are in the
    /// URL: `rest_callback_url = "http://user:password@127.0.0.1:8080/"`.
    pub fn basic_auth(mut self, user: impl Into<String>, password: impl Into<String>) -> Self {
        self.config.auth.basic = Some(auth::Credentials::new(user.into(), password.into()));
        self
    }
}

impl Bot {
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
    /// use xmpp_rest_bot::extract::Body;
    ///
    /// async fn echo(Body(text): Body) -> String {
    ///     text
    /// }
    ///
    /// let app: axum::Router = axum::Router::new()
    ///     .route("/health", get(|| async { "ok" }))
    ///     .nest_service("/xmpp", Bot::new().handler(echo).into_router());
    /// ```
    pub fn into_router(self) -> axum::Router {
        service::router(Arc::new(service::Webhook {
            routes: self.routes,
            config: self.config,
        }))
    }

    /// Serves the webhook on `addr` until SIGTERM or ctrl-c, then stops
    /// accepting connections, lets the handlers in flight finish and returns.
    ///
    /// # Errors
    /// When the address cannot be bound.
    pub async fn serve(self, addr: impl ToSocketAddrs) -> io::Result<()> {
        let listener = TcpListener::bind(addr).await?;
        self.serve_with_shutdown(listener, shutdown_signal()).await
    }

    /// Serves the webhook on `listener` until `signal` completes, then stops
    /// accepting connections, lets the handlers in flight finish and returns.
    ///
    /// # Errors
    /// When the listener's address cannot be read.
    pub async fn serve_with_shutdown(
        self,
        listener: TcpListener,
        signal: impl Future<Output = ()> + Send + 'static,
    ) -> io::Result<()> {
        tracing::info!(addr = %listener.local_addr()?, "xmpp webhook listening");
        axum::serve(listener, self.into_router())
            .with_graceful_shutdown(signal)
            .await
    }

    /// Dispatches one stanza without HTTP: runs the handler that takes it and
    /// says what the webhook would answer. For tests.
    ///
    /// ```
    /// use xmpp_rest_bot::Bot;
    /// use xmpp_rest_bot::extract::{Body, Incoming};
    /// use xmpp_rest_bot::stanza::{Message, Stanza};
    ///
    /// async fn echo(Body(text): Body) -> String {
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
    pub async fn dispatch(&self, incoming: Incoming) -> Answer {
        dispatch::dispatch(&self.routes, &self.config, incoming).await
    }
}

/// Completes on ctrl-c, or on SIGTERM on Unix.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %e, "cannot listen for ctrl-c");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut sigterm) => {
                sigterm.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutting down: finishing the stanzas in flight");
}

#[cfg(test)]
mod tests;
