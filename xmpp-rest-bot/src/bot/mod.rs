//! The bot: handlers, state and settings, served as mod_rest's webhook.
//!
//! See [`Bot`].

mod auth;
mod courtesy;
mod dispatch;
mod early_2020;
mod metrics;
mod order;
mod panics;
mod policy;
mod server;
mod service;
mod serving;

pub use dispatch::Answer;
pub use metrics::Metrics;

use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, ToSocketAddrs};

use crate::command::{BotCommands, Registry};
use crate::extract::Incoming;
use crate::handler::{Filter, Handler, IntoRoute, Route};
use crate::stanza::{BareJid, DiscoInfo, DiscoItem, Identity, Version};
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
/// handler takes the stanza. Otherwise, when no handler takes the stanza, the
/// [built-in answers](#built-in-answers) get their chance; then an iq
/// `get`/`set` is answered with `service-unavailable` (RFC 6120), a presence
/// with nothing (202), and a message with nothing (202) or, when it asks for
/// a receipt, with a message carrying only the receipt (200; see
/// [`receipts`](Self::receipts)). Ad-hoc commands registered with
/// [`ad_hoc_commands`](Self::ad_hoc_commands) are looked at before the
/// handlers.
///
/// Stanzas of type `error` and iq results are never answered (mod_rest would
/// drop the answer): they only reach handlers whose [`Filter`] opts in with
/// [`Filter::include_responses`], and whatever those return, the answer is 202.
///
/// # Built-in answers
/// Every XMPP entity is expected to answer service discovery and pings; the
/// bot does it for you, **after** your handlers: a handler that takes the same
/// request (one with a [`Version`] argument, say) answers instead, so any of
/// them can be overridden. Only `get` requests are answered
/// ([`builtin_answers`](Self::builtin_answers) switches them off):
///
/// | request | answer |
/// |---|---|
/// | XEP-0030 disco#info | the [identity](Self::identity) (`client`/`bot`, [named](Self::name)) and the features: the built-in ones, the payload namespaces of every route ([`Route::features`]: typed payload arguments declare theirs, [`Route::with_feature`] adds more), and those added with [`disco_feature`](Self::disco_feature); on a node, what [`disco_node_info`](Self::disco_node_info) gave, else `item-not-found` |
/// | XEP-0030 disco#items | the items added with [`disco_item`](Self::disco_item) (none by default); on a node, those added with [`disco_node_item`](Self::disco_node_item), else `item-not-found` |
/// | XEP-0199 ping | an empty result |
/// | XEP-0092 software version | [`software`](Self::software): your package's name and version when a handler has an attribute macro, else `xmpp-rest-bot`'s, unless you give yours ([`software_version!`](crate::software_version)) |
///
/// # Skipped messages
/// Some messages are not meant for a bot's handlers, and answering them makes
/// bots loop or spam. By default they reach only the routes whose [`Filter`]
/// explicitly asks for them, and no other handler sees them (when no route
/// takes them, the answer is 202, or 200 with only a receipt when one was
/// requested):
///
/// | messages | rule (default on) | a route asks for them with |
/// |---|---|---|
/// | of type `error` | [`skip_error_messages`](Self::skip_error_messages) | [`Filter::include_responses`] |
/// | without content: a chat state, a marker, a receipt alone | [`skip_contentless`](Self::skip_contentless) | [`Filter::include_contentless`] |
/// | delayed (XEP-0203): room history on join, offline messages | [`skip_delayed`](Self::skip_delayed) | [`Filter::include_delayed`] |
/// | the bot's own groupchat messages reflected by the room | [`skip_own_messages`](Self::skip_own_messages) (with [`muc_nick`](Self::muc_nick) / [`default_muc_nick`](Self::default_muc_nick)) | [`Filter::include_own_messages`] |
///
/// A rule switched off lets those messages reach every route.
///
/// # Order
/// mod_rest posts every stanza on its own HTTP request, concurrently: two
/// messages of one user can be handled at the same time and finish in any
/// order. [`ordered_per_sender`](Self::ordered_per_sender) handles the
/// stanzas of one sender (bare JID) one at a time, in the order they reached
/// the bot, which is the best order mod_rest leaves.
///
/// # Requests mod_rest would never send
/// | request | answer |
/// |---|---|
/// | a method other than `POST` and `OPTIONS` | 405 |
/// | a `Content-Type` other than `application/xmpp+xml` and `application/json` (charset other than UTF-8 included) | 415 |
/// | a body over [`Limits::bytes`] (or over another decoding limit) | 413 |
/// | a body that is not well-formed XML or JSON, or JSON that is not mod_rest's mapping (a value of the wrong type, such as `"to": 5`; mod_rest's `/rest` answers such JSON with 400 too) | 400 |
/// | well-formed, but not an acceptable stanza (wrong top element, invalid JID, ...) | 422 |
/// | missing credentials, when [`secret_path`](Self::secret_path) or [`basic_auth`](Self::basic_auth) is set | 401 |
/// | a body that takes longer than [`read_timeout`](Self::read_timeout) to arrive | 408 |
/// | a post while [`max_concurrency`](Self::max_concurrency) requests are in flight | 503, without a body and with `Retry-After: 1` |
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
/// Conversation state (where each user is in a dialogue, say) lives in that
/// state, keyed by the sender's bare JID, behind a lock; with
/// [`ordered_per_sender`](Self::ordered_per_sender) the handlers of one sender
/// never run at the same time, so read-modify-write on its entry is safe:
///
/// ```
/// use std::collections::HashMap;
/// use std::sync::{Arc, Mutex};
/// use xmpp_rest_bot::prelude::*;
///
/// #[derive(Clone, Default)]
/// struct Conversations(Arc<Mutex<HashMap<String, Vec<String>>>>);
///
/// async fn remember(
///     State(conversations): State<Conversations>,
///     Sender(from): Sender,
///     Body(text): Body,
/// ) -> String {
///     let mut all = conversations.0.lock().unwrap();
///     let history = all.entry(from.to_bare().to_string()).or_default();
///     history.push(text);
///     format!("{} messages so far", history.len())
/// }
///
/// let bot: Bot = Bot::new()
///     .handler(remember)
///     .with_state(Conversations::default())
///     .ordered_per_sender(true);
/// ```
///
/// Such state is in the memory of one process. To run several replicas
/// behind a load balancer, either keep the state in a shared store (a
/// database), or route each sender to one replica: mod_rest's callback URL
/// can carry the sender (`rest_callback_url =
/// "http://proxy/<secret>/{from}"`), and the proxy hashes on its bare JID. The
/// deployment chapter of the book shows the nginx configuration, which
/// `scripts/nginx_replicas_test.sh` tests with two replicas. Per-sender order
/// then holds across replicas too.
///
/// # Defaults
/// | setting | default |
/// |---|---|
/// | [`format`](Self::format) | [`WireFormat::Xml`] (what the startup probe asks mod_rest for) |
/// | [`limits`](Self::limits) | [`Limits::default`]: 192 KiB per stanza (like mod_rest), depth 64, 64 attributes and 4096 children per element |
/// | [`max_concurrency`](Self::max_concurrency) | [`DEFAULT_MAX_CONCURRENCY`](Bot::DEFAULT_MAX_CONCURRENCY) (512); 503 beyond |
/// | [`read_timeout`](Self::read_timeout) | [`DEFAULT_READ_TIMEOUT`](Bot::DEFAULT_READ_TIMEOUT) (10 s) for the request body; 408 beyond |
/// | [`max_connections`](Self::max_connections) | [`DEFAULT_MAX_CONNECTIONS`](Bot::DEFAULT_MAX_CONNECTIONS) (1024, lowered to three quarters of the file limit) with [`serve`](Self::serve); beyond, the longest idle connection is closed (503 when none is idle) |
/// | [`max_header_size`](Self::max_header_size) | [`DEFAULT_MAX_HEADER_SIZE`](Bot::DEFAULT_MAX_HEADER_SIZE) (8 KiB) per request head with [`serve`](Self::serve); 431 beyond |
/// | [`first_request_timeout`](Self::first_request_timeout) | [`DEFAULT_FIRST_REQUEST_TIMEOUT`](Bot::DEFAULT_FIRST_REQUEST_TIMEOUT) (5 s) for a new connection's first request head with [`serve`](Self::serve); the connection is closed beyond |
/// | [`header_read_timeout`](Self::header_read_timeout) | [`DEFAULT_HEADER_READ_TIMEOUT`](Bot::DEFAULT_HEADER_READ_TIMEOUT) (75 s) between requests on a keep-alive connection with [`serve`](Self::serve); the connection is closed beyond |
/// | [`shutdown_timeout`](Self::shutdown_timeout), [`shutdown_drain`](Self::shutdown_drain) | [`DEFAULT_SHUTDOWN_TIMEOUT`](Bot::DEFAULT_SHUTDOWN_TIMEOUT) (10 s) for the whole shutdown of [`serve`](Self::serve), [`DEFAULT_SHUTDOWN_DRAIN`](Bot::DEFAULT_SHUTDOWN_DRAIN) (1 s) of it for keep-alive connections |
/// | [`timeout`](Self::timeout) | none (per handler; 504 beyond) |
/// | [`receipts`](Self::receipts) | on |
/// | [`builtin_answers`](Self::builtin_answers) | on: disco#info, disco#items, ping, version |
/// | [`name`](Self::name), [`identity`](Self::identity), [`software`](Self::software) | `client`/`bot` named after the software; the package of the first attributed handler, else `xmpp-rest-bot`, and its version |
/// | [`skip_error_messages`](Self::skip_error_messages), [`skip_contentless`](Self::skip_contentless), [`skip_delayed`](Self::skip_delayed), [`skip_own_messages`](Self::skip_own_messages) | on |
/// | [`muc_nick`](Self::muc_nick), [`default_muc_nick`](Self::default_muc_nick) | none (nicks are still learnt from the rooms' self-presences) |
/// | [`ordered_per_sender`](Self::ordered_per_sender) | off |
/// | [`metrics_route`](Self::metrics_route) | none (the [metrics](Self::metrics) are collected anyway) |
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
    pub(crate) courtesy: courtesy::Courtesy,
    pub(crate) policy: policy::Policy,
    pub(crate) ordered: bool,
    pub(crate) max_concurrency: MaxConcurrency,
    pub(crate) read_timeout: ReadTimeout,
    pub(crate) serving: serving::Serving,
    pub(crate) metrics_path: Option<String>,
    pub(crate) shared: Arc<Shared>,
}

/// What the requests share at run time; clones of a bot share it too.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    pub(crate) metrics: Metrics,
    pub(crate) sequencer: order::Sequencer,
    pub(crate) self_in_rooms: policy::SelfInRooms,
    /// Whether the operator was told that a request arrived without its
    /// payload (the early-2020 mod_rest in JSON).
    pub(crate) payload_dropped_warned: std::sync::atomic::AtomicBool,
}

/// The concurrency limit; a newtype for its default.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MaxConcurrency(pub(crate) usize);

impl Default for MaxConcurrency {
    fn default() -> Self {
        MaxConcurrency(Bot::<()>::DEFAULT_MAX_CONCURRENCY)
    }
}

/// The body read timeout; a newtype for its default.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ReadTimeout(pub(crate) Duration);

impl Default for ReadTimeout {
    fn default() -> Self {
        ReadTimeout(Bot::<()>::DEFAULT_READ_TIMEOUT)
    }
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
        let route = handler.into_route();
        let software = &mut self.config.courtesy.software;
        if let (None, Some((name, version))) = (&software, route.package) {
            *software = Some(Version::new(name, version));
        }
        self.routes.push(route);
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
    ///
    /// The bot's own disco#info (see [Built-in answers](#built-in-answers))
    /// then lists the feature `http://jabber.org/protocol/commands`.
    pub fn ad_hoc_commands<C: BotCommands + 'static>(mut self) -> Self {
        self.config.ad_hoc.add::<C>();
        self.disco_feature(crate::stanza::ns::COMMANDS)
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

    /// Requires the first path segment of every request to be `secret`
    /// (compared in constant time; 401 otherwise). Configure mod_rest with
    /// `rest_callback_url = "http://127.0.0.1:8080/<secret>"` (placeholders
    /// may follow: `/<secret>/{kind}/{type}`). Use URL-safe characters, for
    /// instance a random hex string.
    ///
    /// The SDK never logs the secret, nor the paths of requests (which carry
    /// it, or an attacker's guesses): `Debug` of the bot only says whether one
    /// is set. Keep it out of your own startup messages too (they end up in
    /// journald): print the URL with a placeholder, `http://{addr}/<secret>/`.
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

    // ----- protocol courtesy -----

    /// The bot's name, shown by clients in service discovery (the name of
    /// its disco#info identity). Default: the software name
    /// ([`software`](Self::software)).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.config.courtesy.name = Some(name.into());
        self
    }

    /// The disco#info identity. Default: category `client`, type `bot` ("an
    /// automated conversation bot"), named by [`name`](Self::name). An
    /// identity without a name gets that name.
    ///
    /// ```
    /// use xmpp_rest_bot::Bot;
    /// use xmpp_rest_bot::stanza::Identity;
    ///
    /// let bot: Bot = Bot::new().identity(Identity::new("component", "generic").with_name("Deploy"));
    /// assert_eq!(bot.disco_info().identities[0].category, "component");
    /// ```
    pub fn identity(mut self, identity: Identity) -> Self {
        self.config.courtesy.identity = Some(identity);
        self
    }

    /// What the bot answers to XEP-0092 software version requests. Default:
    /// the name and version of the Cargo package of the first handler
    /// registered with an attribute macro (`#[on_message]`, `#[on_iq]`,
    /// `#[on_presence]` read them when your crate compiles), else
    /// `xmpp-rest-bot` and this crate's version; without OS. A library cannot
    /// read your package at run time: for a bot of plain functions or
    /// closures, give it with [`software_version!`](crate::software_version),
    /// with the OS if you want to tell it:
    ///
    /// ```
    /// use xmpp_rest_bot::{Bot, software_version};
    ///
    /// let bot: Bot = Bot::new().software(software_version!().with_os(std::env::consts::OS));
    /// ```
    pub fn software(mut self, software: Version) -> Self {
        self.config.courtesy.software = Some(software);
        self
    }

    /// Whether the bot answers disco#info, disco#items, ping and software
    /// version requests itself when no handler takes them (default on).
    pub fn builtin_answers(mut self, enabled: bool) -> Self {
        self.config.courtesy.enabled = enabled;
        self
    }

    /// Adds a feature (protocol namespace) to the disco#info answer, for a
    /// protocol the bot implements in a way its routes do not declare (see
    /// [`Route::with_feature`]).
    pub fn disco_feature(mut self, namespace: impl Into<String>) -> Self {
        let namespace = namespace.into();
        if !self.config.courtesy.features.contains(&namespace) {
            self.config.courtesy.features.push(namespace);
        }
        self
    }

    /// Adds an item to the disco#items answer (without node).
    pub fn disco_item(mut self, item: DiscoItem) -> Self {
        self.config.courtesy.items.push(item);
        self
    }

    /// Adds an item to the disco#items answer for `node` (the node becomes
    /// known: a disco#items query on it is answered, with an empty list if
    /// need be). This is how the ad-hoc commands list (node
    /// `http://jabber.org/protocol/commands`) is published.
    ///
    /// ```
    /// use xmpp_rest_bot::Bot;
    /// use xmpp_rest_bot::stanza::{DiscoInfo, DiscoItem, Identity, ns};
    ///
    /// let me = "bot@bot.example.net".parse().unwrap();
    /// let bot: Bot = Bot::new()
    ///     .disco_feature(ns::COMMANDS)
    ///     .disco_node_item(ns::COMMANDS, DiscoItem::new(me).with_node("deploy").with_name("Deploy"))
    ///     .disco_node_info(
    ///         "deploy",
    ///         DiscoInfo::new()
    ///             .with_identity(Identity::new("automation", "command-node").with_name("Deploy"))
    ///             .with_features([ns::COMMANDS, ns::DATA_FORMS]),
    ///     );
    /// assert!(bot.disco_info().has_feature(ns::COMMANDS));
    /// ```
    pub fn disco_node_item(mut self, node: impl Into<String>, item: DiscoItem) -> Self {
        self.config.courtesy.node_mut(node.into()).items.push(item);
        self
    }

    /// The disco#info answer for `node` (replacing an earlier one). Queries
    /// on nodes without one are answered `item-not-found`.
    pub fn disco_node_info(mut self, node: impl Into<String>, info: DiscoInfo) -> Self {
        self.config.courtesy.node_mut(node.into()).info = Some(info);
        self
    }

    /// What the bot answers to a disco#info query without node: its identity
    /// and features (the built-in ones, those of its routes, those added with
    /// [`disco_feature`](Self::disco_feature)), each once.
    pub fn disco_info(&self) -> DiscoInfo {
        self.config.courtesy.disco_info(&self.routes)
    }

    // ----- message rules -----

    /// Whether messages of type `error` are kept from handlers (default on).
    /// They still reach routes whose filter
    /// [includes responses](Filter::include_responses); off, they reach
    /// every route. Whatever a handler returns, they are never answered.
    pub fn skip_error_messages(mut self, enabled: bool) -> Self {
        self.config.policy.skip_error_messages = enabled;
        self
    }

    /// Whether messages without content (no body, subject, XHTML or link:
    /// a chat state, a chat marker or a receipt alone) are kept from handlers
    /// (default on). They still reach routes whose filter
    /// [includes them](Filter::include_contentless); off, they reach every route.
    pub fn skip_contentless(mut self, enabled: bool) -> Self {
        self.config.policy.skip_contentless = enabled;
        self
    }

    /// Whether delayed messages (XEP-0203 `<delay/>`: the history a room
    /// sends on join, offline messages) are kept from handlers (default on),
    /// so that a bot does not answer hours-old commands. They still reach
    /// routes whose filter [includes them](Filter::include_delayed); off,
    /// they reach every route.
    pub fn skip_delayed(mut self, enabled: bool) -> Self {
        self.config.policy.skip_delayed = enabled;
        self
    }

    /// Whether the bot's own groupchat messages, which the room reflects back
    /// to it, are kept from handlers (default on): an echo bot in a room would
    /// otherwise answer itself forever. Its own messages are those from its
    /// nickname in the room ([`muc_nick`](Self::muc_nick),
    /// [`default_muc_nick`](Self::default_muc_nick), or the one the room's
    /// self-presence gave it), or carrying its XEP-0421 occupant id (learnt
    /// from the room's self-presence, status 110). They still reach routes
    /// whose filter [includes them](Filter::include_own_messages).
    pub fn skip_own_messages(mut self, enabled: bool) -> Self {
        self.config.policy.skip_own_messages = enabled;
        self
    }

    /// The bot's nickname in `room`, to recognise its own reflected messages
    /// (see [`skip_own_messages`](Self::skip_own_messages)).
    ///
    /// ```
    /// use xmpp_rest_bot::Bot;
    ///
    /// let bot: Bot = Bot::new()
    ///     .default_muc_nick("deploybot")
    ///     .muc_nick("ops@rooms.example.org".parse().unwrap(), "deploybot-ops");
    /// ```
    pub fn muc_nick(mut self, room: BareJid, nick: impl Into<String>) -> Self {
        let nick = nick.into();
        match self
            .config
            .policy
            .nicks
            .iter_mut()
            .find(|(r, _)| *r == room)
        {
            Some(entry) => entry.1 = nick,
            None => self.config.policy.nicks.push((room, nick)),
        }
        self
    }

    /// The bot's nickname in the rooms not named with
    /// [`muc_nick`](Self::muc_nick).
    pub fn default_muc_nick(mut self, nick: impl Into<String>) -> Self {
        self.config.policy.default_nick = Some(nick.into());
        self
    }

    // ----- ordering, limits, metrics -----

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
    /// [`max_connections`](Self::max_connections)).
    pub fn max_concurrency(mut self, limit: usize) -> Self {
        self.config.max_concurrency = MaxConcurrency(limit);
        self
    }

    /// How long reading a request body may take (default
    /// [`DEFAULT_READ_TIMEOUT`](Bot::DEFAULT_READ_TIMEOUT)); slower clients get
    /// 408. mod_rest sends a stanza in one go: only a broken or hostile
    /// client needs this long. The headers have their own timeout,
    /// [`header_read_timeout`](Self::header_read_timeout).
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.config.read_timeout = ReadTimeout(timeout);
        self
    }

    /// Serves the [metrics](Metrics) in the Prometheus text format on `GET
    /// path` (default: not served). The route needs no credentials, even
    /// with [`secret_path`](Self::secret_path) or
    /// [`basic_auth`](Self::basic_auth): expose it only where it may be read
    /// (the reverse proxy of the deployment chapter does not forward it).
    ///
    /// ```
    /// use xmpp_rest_bot::Bot;
    ///
    /// let bot: Bot = Bot::new().secret_path("3f6c9a").metrics_route("/metrics");
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
}

/// The software name and version of the crate it is written in, as a
/// [`Version`](crate::stanza::Version) for [`Bot::software`]: expands to
/// `Version::new(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"))`, read
/// when your crate is compiled.
///
/// ```
/// use xmpp_rest_bot::{Bot, software_version};
///
/// let version = software_version!();
/// assert_eq!(version.name.as_deref(), Some(env!("CARGO_PKG_NAME")));
/// let bot: Bot = Bot::new().software(version);
/// ```
#[macro_export]
macro_rules! software_version {
    () => {
        $crate::stanza::Version::new(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"))
    };
}

/// A bot whose handlers have everything they need: a [`Bot`] (`Bot<()>`), as
/// [`Bot::new`] makes it or [`Bot::with_state`] returns it. Only such a bot
/// serves, and the bound names `with_state` when a handler's `State<T>` was
/// never given (the bot is then a `Bot<T>`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot serve yet: its handlers take a state it was not given",
    label = "call `.with_state(...)` before this",
    note = "a handler with a `State<T>` argument makes the bot a `Bot<T>` until it gets its state: `Bot::new().handler(h).with_state(value)` is a `Bot`, ready to serve"
)]
pub trait Ready {
    #[doc(hidden)]
    fn into_ready(self) -> Bot;
    #[doc(hidden)]
    fn as_ready(&self) -> &Bot;
}

impl Ready for Bot {
    fn into_ready(self) -> Bot {
        self
    }

    fn as_ready(&self) -> &Bot {
        self
    }
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
    pub fn into_router(self) -> axum::Router
    where
        Self: Ready,
    {
        let bot = self.into_ready();
        service::router(Arc::new(service::Webhook::new(bot.routes, bot.config)))
    }

    /// Serves the webhook on `addr` until SIGTERM or ctrl-c, then stops
    /// accepting connections, lets the handlers in flight finish (until the
    /// [`shutdown_timeout`](Self::shutdown_timeout)) and returns.
    ///
    /// HTTP/1.1 with keep-alive, as mod_rest speaks it, with limits on what
    /// clients hold: [`max_connections`](Self::max_connections),
    /// [`max_header_size`](Self::max_header_size),
    /// [`first_request_timeout`](Self::first_request_timeout) and
    /// [`header_read_timeout`](Self::header_read_timeout); the shutdown is
    /// described at [`shutdown_timeout`](Self::shutdown_timeout) and
    /// [`shutdown_drain`](Self::shutdown_drain).
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
        let signal = shutdown_signal()?;
        let listener = TcpListener::bind(addr).await?;
        bot.serve_with_shutdown(listener, signal).await
    }

    /// Serves the webhook on `listener` until `signal` completes, then stops
    /// accepting connections, lets the handlers in flight finish (until the
    /// [`shutdown_timeout`](Self::shutdown_timeout)) and returns; otherwise
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
    ///
    /// The message rules, per-sender ordering and built-in answers apply as
    /// in the webhook; the HTTP layer (limits, authentication, metrics) does not.
    pub async fn dispatch(&self, incoming: Incoming) -> Answer
    where
        Self: Ready,
    {
        let bot = self.as_ready();
        dispatch::dispatch(&bot.routes, &bot.config, incoming)
            .await
            .0
    }
}

/// Listens for ctrl-c, and SIGTERM on Unix, now; the future completes on the
/// first of them.
fn shutdown_signal() -> io::Result<impl Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        Ok(async move {
            let name = tokio::select! {
                _ = interrupt.recv() => "SIGINT",
                _ = terminate.recv() => "SIGTERM",
            };
            tracing::info!(
                signal = name,
                "shutting down: finishing the stanzas in flight"
            );
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            if let Err(e) = tokio::signal::ctrl_c().await {
                tracing::warn!(error = %e, "cannot listen for ctrl-c");
                std::future::pending::<()>().await;
            }
            tracing::info!("shutting down: finishing the stanzas in flight");
        })
    }
}

#[cfg(test)]
mod tests;
