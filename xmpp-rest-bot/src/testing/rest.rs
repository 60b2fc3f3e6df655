//! [`MockRest`]: an emulator of mod_rest's `/rest` endpoint.

mod auth;
mod failure;
mod handler;
mod iq;
mod parse;

use std::collections::VecDeque;
use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::task::JoinHandle;

use crate::stanza::{BareJid, Iq, Jid, Message, MessageType, Stanza};
use crate::wire::Limits;

/// A running emulator of Prosody's `/rest` endpoint, on `127.0.0.1`.
///
/// It behaves like mod_rest (the book's "mod_rest on the wire", and the source of the
/// late-2023 and early-2020 modules):
/// - **auth**: no `Authorization` gives 401 with
///   `WWW-Authenticate: Bearer realm="<domain>/rest", Basic realm="<domain>/rest"`;
///   wrong credentials give 403. Accepted: the bearer tokens of
///   [`token`](MockRestBuilder::token) and the accounts of
///   [`user`](MockRestBuilder::user) (Basic, with the local part as user name).
///   By default the token [`DEFAULT_TOKEN`](Self::DEFAULT_TOKEN) and the
///   account `bot` / [`DEFAULT_PASSWORD`](Self::DEFAULT_PASSWORD), both
///   `bot@localhost`.
/// - **bodies**: `application/xmpp+xml`, `application/json`, `text/plain`
///   (a chat message); any other type is 415. Over the size limit (192 KiB by
///   default) is 413, a body that does not parse 400.
/// - **422** for an `xmlns` other than `jabber:client`, a top element other
///   than message/presence/iq, an invalid `to` or `from`, an iq that is not
///   get/set or has not exactly one child; a `from` other than the
///   authenticated JID is 403.
/// - **message and presence**: recorded and answered 202 (or 200 with the
///   reply queued with [`push_send_reply`](Self::push_send_reply)).
/// - **iq**: recorded and answered after the [delay](Self::set_iq_delay) by
///   the canned replies of [`push_iq_reply`](Self::push_iq_reply), else the
///   responder of [`on_iq`](Self::on_iq) for its payload's namespace, else the
///   defaults: ping, version (`Prosody 0.12.3 Linux`), disco#info (a server
///   with ping, version and disco), disco#items (none); anything else gets
///   `service-unavailable`. The answer has `id` = the request's, `from` = the
///   entity queried, `to` = the authenticated JID. Several stanzas come back
///   in an `<xmpp>` wrapper (`{"xmpp": [...]}`). An iq that is not answered
///   within `Prosody-Rest-Timeout` seconds (default 120, at most 300) gets what
///   mod_rest sends then: HTTP 500 with a `remote-server-timeout` error body.
/// - **GET** `/rest/{ping,version,disco,items,...}/{to}` (with `?node=`) and
///   **POST** `/rest/{kind}/{type}/{to}` (a `text/plain` body is the message
///   body).
/// - **errors** come in the format of `Accept`: JSON
///   `{"type":"error","error":{...},"code":N}`, XML
///   `<error xmlns="http://etherx.jabber.org/streams">`, else HTML.
///
/// With [`check_host`](MockRestBuilder::check_host) it also routes like
/// Prosody's HTTP server: a request whose `Host` header does not name the
/// [domain](MockRestBuilder::domain) reaches no mod_rest and is answered 404.
///
/// [`legacy_2020`](MockRestBuilder::legacy_2020) makes it the early-2020
/// module instead: one static credential compared with the whole
/// `Authorization` header (401 when wrong), only `POST /rest` (anything else
/// is 404), a `to` required on every stanza, the authenticated JID is the
/// domain, no size limit, no `Prosody-Rest-Timeout`, errors always in JSON.
///
/// `application/x-www-form-urlencoded` bodies, `/rest/echo` and cbor are not
/// emulated.
///
/// ```
/// use std::time::Duration;
/// use xmpp_rest_bot::client::RestClient;
/// use xmpp_rest_bot::testing::MockRest;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> xmpp_rest_bot::client::Result<()> {
/// let mock = MockRest::start().await;
/// let client = RestClient::builder(mock.url())
///     .bearer_token(MockRest::DEFAULT_TOKEN)
///     .build()?;
///
/// client.send_chat("alice@localhost", "hello").await?;
///
/// let sent = mock.wait_for_sent(1, Duration::from_secs(1)).await;
/// assert_eq!(sent[0].from().unwrap().to_string(), "bot@localhost");
/// mock.assert_sent_message("alice@localhost", "hello");
/// # Ok(()) }
/// ```
pub struct MockRest {
    shared: Arc<Shared>,
    addr: SocketAddr,
    server: JoinHandle<()>,
}

impl fmt::Debug for MockRest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockRest")
            .field("addr", &self.addr)
            .field("domain", &self.shared.config.domain)
            .field("legacy_2020", &self.shared.config.legacy.is_some())
            .field("check_host", &self.shared.config.check_host)
            .finish_non_exhaustive()
    }
}

impl Drop for MockRest {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// What a scripted iq responder may return: the stanzas of the answer. The
/// last iq among them is the answer proper (its `id`, `from` and `to` are
/// set like Prosody does); stanzas before it (archive results) come back
/// first, in an `<xmpp>` wrapper. No iq at all (`None`, an empty `Vec`) means
/// the entity never answers: the request times out.
pub trait IntoIqReplies {
    /// The stanzas of the answer.
    fn into_iq_replies(self) -> Vec<Stanza>;
}

impl IntoIqReplies for Stanza {
    fn into_iq_replies(self) -> Vec<Stanza> {
        vec![self]
    }
}

impl IntoIqReplies for Iq {
    fn into_iq_replies(self) -> Vec<Stanza> {
        vec![Stanza::Iq(self)]
    }
}

impl IntoIqReplies for Vec<Stanza> {
    fn into_iq_replies(self) -> Vec<Stanza> {
        self
    }
}

impl<T: IntoIqReplies> IntoIqReplies for Option<T> {
    fn into_iq_replies(self) -> Vec<Stanza> {
        self.map(IntoIqReplies::into_iq_replies).unwrap_or_default()
    }
}

type Responder = Arc<dyn Fn(&Iq) -> Vec<Stanza> + Send + Sync>;

/// One HTTP request the emulator received.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// The method (`"POST"`, `"GET"`).
    pub method: String,
    /// The path, percent-decoded (`"/rest"`, `"/rest/version/localhost"`).
    pub path: String,
    /// The query string, if any.
    pub query: Option<String>,
    /// The headers, names in lower case, in the order received.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
    /// The status answered; `None` while the request is still being answered.
    pub status: Option<u16>,
}

impl RecordedRequest {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Builds a [`MockRest`]; see [`MockRest::builder`].
///
/// ```
/// use xmpp_rest_bot::testing::MockRest;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let mock = MockRest::builder()
///     .domain("example.org")
///     .token("s3cret", "notifier@example.org".parse().unwrap())
///     .user("alice", "wonderland")
///     .size_limit(1024)
///     .start()
///     .await?;
/// assert!(mock.rest_url().ends_with("/rest"));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct MockRestBuilder {
    domain: String,
    tokens: Vec<(String, Jid)>,
    users: Vec<(String, String)>,
    defaults: bool,
    legacy: Option<String>,
    size_limit: usize,
    addr: SocketAddr,
    iq_delay: Duration,
    check_host: bool,
}

impl Default for MockRestBuilder {
    fn default() -> Self {
        MockRestBuilder {
            domain: "localhost".to_owned(),
            tokens: Vec::new(),
            users: Vec::new(),
            defaults: true,
            legacy: None,
            size_limit: Limits::DEFAULT_MAX_BYTES,
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            iq_delay: Duration::ZERO,
            check_host: false,
        }
    }
}

impl MockRestBuilder {
    /// The Prosody host (default `localhost`): the domain of Basic accounts
    /// and of the realm.
    pub fn domain(mut self, domain: impl Into<String>) -> Self {
        self.domain = domain.into();
        self
    }

    /// Accepts `Authorization: Bearer <token>` as `jid`. Replaces the default
    /// credentials.
    pub fn token(mut self, token: impl Into<String>, jid: Jid) -> Self {
        self.tokens.push((token.into(), jid));
        self.defaults = false;
        self
    }

    /// Accepts Basic credentials of the account `localpart@<domain>`.
    /// Replaces the default credentials.
    pub fn user(mut self, localpart: impl Into<String>, password: impl Into<String>) -> Self {
        self.users.push((localpart.into(), password.into()));
        self.defaults = false;
        self
    }

    /// Emulates the early-2020 module configured with
    /// `rest_credentials = "Bearer <token>"`.
    pub fn legacy_2020(mut self, token: impl Into<String>) -> Self {
        self.legacy = Some(format!("Bearer {}", token.into()));
        self
    }

    /// The body size limit, `rest_stanza_size_limit` (default 192 KiB).
    pub fn size_limit(mut self, bytes: usize) -> Self {
        self.size_limit = bytes;
        self
    }

    /// Listens on `addr` instead of a free port of `127.0.0.1`.
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// How long iqs take to be answered (default: at once); see
    /// [`MockRest::set_iq_delay`].
    pub fn iq_delay(mut self, delay: Duration) -> Self {
        self.iq_delay = delay;
        self
    }

    /// Answers 404, as Prosody does, to requests whose `Host` header (less
    /// its port) is not the [domain](Self::domain). Off by default: the
    /// emulator listens on `127.0.0.1`, and a client of
    /// [`MockRest::url`] sends `Host: 127.0.0.1:<port>`, which Prosody would
    /// not route to any host.
    ///
    /// ```
    /// use xmpp_rest_bot::client::RestClient;
    /// use xmpp_rest_bot::testing::MockRest;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> xmpp_rest_bot::client::Result<()> {
    /// let mock = MockRest::builder()
    ///     .domain("example.net")
    ///     .check_host()
    ///     .start()
    ///     .await
    ///     .expect("a free port");
    /// let client = RestClient::builder(mock.url())
    ///     .host("example.net")
    ///     .bearer_token(MockRest::DEFAULT_TOKEN)
    ///     .build()?;
    /// client.send_chat("alice@example.net", "hello").await?;
    /// # Ok(()) }
    /// ```
    pub fn check_host(mut self) -> Self {
        self.check_host = true;
        self
    }

    /// Starts the server.
    ///
    /// # Errors
    /// When the address cannot be bound.
    pub async fn start(self) -> std::io::Result<MockRest> {
        let mut tokens = self.tokens;
        let mut users = self.users;
        let domain = self.domain;
        if self.defaults {
            let bot = BareJid::new(&format!("bot@{domain}"))
                .map(Jid::from)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
            tokens.push((MockRest::DEFAULT_TOKEN.to_owned(), bot));
            users.push(("bot".to_owned(), MockRest::DEFAULT_PASSWORD.to_owned()));
        }
        let domain_jid = BareJid::new(&domain)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        let shared = Arc::new(Shared {
            config: Config {
                domain,
                domain_jid,
                tokens,
                users,
                legacy: self.legacy,
                size_limit: self.size_limit,
                check_host: self.check_host,
            },
            state: Mutex::new(State {
                iq_delay: self.iq_delay,
                ..State::default()
            }),
            notify: Notify::new(),
            ids: AtomicU64::new(0),
        });
        let listener = tokio::net::TcpListener::bind(self.addr).await?;
        let addr = listener.local_addr()?;
        let router = handler::router(shared.clone());
        let server = tokio::spawn(async move {
            // Ends only when the task is aborted (on drop) or the listener fails.
            let _ = axum::serve(listener, router).await;
        });
        Ok(MockRest {
            shared,
            addr,
            server,
        })
    }
}

struct Shared {
    config: Config,
    state: Mutex<State>,
    notify: Notify,
    ids: AtomicU64,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        // A panicking responder must not make every later request fail.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

struct Config {
    domain: String,
    domain_jid: BareJid,
    tokens: Vec<(String, Jid)>,
    users: Vec<(String, String)>,
    legacy: Option<String>,
    size_limit: usize,
    check_host: bool,
}

#[derive(Default)]
struct State {
    sent: Vec<Stanza>,
    requests: Vec<RecordedRequest>,
    responders: Vec<(String, Responder)>,
    iq_replies: VecDeque<Vec<Stanza>>,
    send_replies: VecDeque<Stanza>,
    failures: VecDeque<u16>,
    iq_delay: Duration,
}

impl MockRest {
    /// The bearer token accepted by default, for `bot@localhost`.
    pub const DEFAULT_TOKEN: &'static str = "test-token";
    /// The password of the default account `bot` (Basic auth).
    pub const DEFAULT_PASSWORD: &'static str = "secret";

    /// Starts an emulator with the default settings.
    ///
    /// # Panics
    /// When no port of `127.0.0.1` can be bound; use
    /// [`MockRestBuilder::start`] to handle that.
    #[allow(clippy::panic)]
    pub async fn start() -> MockRest {
        match MockRest::builder().start().await {
            Ok(mock) => mock,
            Err(e) => panic!("MockRest could not listen on 127.0.0.1: {e}"),
        }
    }

    /// Starts building an emulator.
    pub fn builder() -> MockRestBuilder {
        MockRestBuilder::default()
    }

    /// The HTTP base URL, `http://127.0.0.1:<port>`: what
    /// [`RestClient::builder`](crate::client::RestClient::builder) takes.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The endpoint URL, `http://127.0.0.1:<port>/rest`.
    pub fn rest_url(&self) -> String {
        format!("http://{}/rest", self.addr)
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Answers iqs whose payload is in namespace `ns` with `responder`. A later
    /// responder for the same namespace replaces an earlier one (and the
    /// default).
    ///
    /// ```
    /// use xmpp_rest_bot::stanza::{Condition, Iq, Stanza};
    /// use xmpp_rest_bot::testing::MockRest;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let mock = MockRest::start().await;
    /// mock.on_iq("urn:xmpp:ping", |iq: &Iq| Stanza::Iq(iq.error_reply(Condition::ServiceUnavailable)));
    /// # }
    /// ```
    pub fn on_iq<R, F>(&self, ns: impl Into<String>, responder: F)
    where
        R: IntoIqReplies,
        F: Fn(&Iq) -> R + Send + Sync + 'static,
    {
        let responder: Responder = Arc::new(move |iq| responder(iq).into_iq_replies());
        self.shared.state().responders.push((ns.into(), responder));
    }

    /// Answers the next iq with `replies`, whatever it asks (before any
    /// responder). Canned replies are used in the order pushed.
    pub fn push_iq_reply(&self, replies: impl IntoIqReplies) {
        self.shared
            .state()
            .iq_replies
            .push_back(replies.into_iq_replies());
    }

    /// Returns `reply` in the body of the next accepted message or presence,
    /// as Prosody does when it generates a reply on the spot (status 200).
    pub fn push_send_reply(&self, reply: impl Into<Stanza>) {
        self.shared.state().send_replies.push_back(reply.into());
    }

    /// Answers the next request with `status` and an HTML error page, before
    /// looking at it (as a proxy or a broken Prosody would). Nothing is sent.
    pub fn fail_next_request(&self, status: u16) {
        self.shared.state().failures.push_back(status);
    }

    /// Makes later iqs take `delay` to be answered.
    pub fn set_iq_delay(&self, delay: Duration) {
        self.shared.state().iq_delay = delay;
    }

    /// Every stanza accepted so far (messages, presences and iqs), as Prosody
    /// routed it: with `from` and `id` filled in.
    pub fn sent(&self) -> Vec<Stanza> {
        self.shared.state().sent.clone()
    }

    /// The messages among [`sent`](Self::sent).
    pub fn sent_messages(&self) -> Vec<Message> {
        self.shared
            .state()
            .sent
            .iter()
            .filter_map(|s| match s {
                Stanza::Message(m) => Some(m.clone()),
                _ => None,
            })
            .collect()
    }

    /// Every HTTP request received so far, accepted or not.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.state().requests.clone()
    }

    /// Forgets the stanzas and requests recorded so far (responders, canned
    /// replies and the delay stay).
    pub fn clear(&self) {
        let mut state = self.shared.state();
        state.sent.clear();
        state.requests.clear();
    }

    /// Waits until at least `n` stanzas were accepted and returns them all.
    ///
    /// # Panics
    /// When fewer than `n` arrived within `timeout`: this is a test assertion.
    #[allow(clippy::panic)]
    pub async fn wait_for_sent(&self, n: usize, timeout: Duration) -> Vec<Stanza> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            // Created before the check, so that no notification is missed.
            let notified = self.shared.notify.notified();
            {
                let state = self.shared.state();
                if state.sent.len() >= n {
                    return state.sent.clone();
                }
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                let sent = self.sent();
                panic!(
                    "MockRest: expected {n} stanza(s) within {timeout:?}, got {}: {sent:#?}",
                    sent.len()
                );
            }
        }
    }

    /// Asserts that a message to `to` with body `body` was sent, and returns it.
    ///
    /// # Panics
    /// When there is no such message: this is a test assertion.
    #[allow(clippy::panic)]
    pub fn assert_sent_message(&self, to: &str, body: &str) -> Message {
        let messages = self.sent_messages();
        let found = messages
            .iter()
            .find(|m| m.to.as_ref().is_some_and(|t| t.to_string() == to) && m.body() == Some(body));
        match found {
            Some(m) => m.clone(),
            None => panic!("MockRest: no message to {to} with body {body:?} among {messages:#?}"),
        }
    }

    /// Asserts that a message of type `type_` to `to` with body `body` was sent.
    ///
    /// # Panics
    /// When there is no such message: this is a test assertion.
    #[allow(clippy::panic)]
    pub fn assert_sent_typed_message(&self, type_: MessageType, to: &str, body: &str) -> Message {
        let message = self.assert_sent_message(to, body);
        if message.type_ != type_ {
            panic!(
                "MockRest: the message to {to} with body {body:?} has type {}, not {type_}",
                message.type_
            );
        }
        message
    }

    /// Asserts that nothing was accepted.
    ///
    /// # Panics
    /// When a stanza was: this is a test assertion.
    #[allow(clippy::panic)]
    pub fn assert_nothing_sent(&self) {
        let sent = self.sent();
        if !sent.is_empty() {
            panic!("MockRest: expected nothing sent, got {sent:#?}");
        }
    }
}
