//! `TestProsody`: talks to a bot exactly as Prosody's mod_rest would, and tells
//! what the XMPP user would receive.

// A test kit reports misuse and failed expectations the way tests do: by
// panicking, with a message that says what was expected.
#![allow(clippy::panic)]

use std::net::SocketAddr;
use std::time::Duration;

use axum::http::{HeaderMap, Method, header};

mod received;
mod user;

pub use received::Received;
pub use user::TestUser;

use super::json_quirks;
use super::reply_rules::mod_rest_reply;
use crate::encoding::percent_encode;
use crate::stanza::{Condition, ErrorType, Jid, Stanza, StanzaError};
use crate::wire::WireFormat;

/// Which mod_rest to emulate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ModRestVersion {
    /// The current module: startup `OPTIONS` probe, `Accept` negotiation.
    #[default]
    Current,
    /// The early-2020 module: no probe; the format is `rest_callback_content_type`
    /// alone, and the webhook `Accept` header lists only XML and JSON. Its
    /// JSON mapping knows few payloads: it posts version queries and ad-hoc
    /// commands as bare iqs, disco#items without its node, disco#info as
    /// `{"identities": [], "features": []}`; of a JSON answer it keeps the
    /// chat keys and of an iq result nothing (a disco#info result in JSON
    /// reaches nobody).
    Early2020,
}

const ACCEPT_CURRENT: &str =
    "application/xmpp+xml, application/json, application/x-www-form-urlencoded, text/plain";
const ACCEPT_2020: &str = "application/xmpp+xml, application/json";

/// Configures a [`TestProsody`]. See [`TestProsody::builder`].
#[derive(Debug, Clone)]
#[must_use]
pub struct TestProsodyBuilder {
    component: String,
    callback_path: String,
    content_type: WireFormat,
    version: ModRestVersion,
    timeout: Duration,
    user_lang: Option<String>,
}

impl TestProsodyBuilder {
    /// The component's domain, the bot's address (default `bot.example.net`).
    pub fn component(mut self, domain: impl Into<String>) -> Self {
        self.component = domain.into();
        self
    }

    /// The path of `rest_callback_url` on the bot's server (default `/`). It may
    /// hold mod_rest's `{kind}`, `{type}`, `{to}` and `{from}` placeholders.
    pub fn callback_path(mut self, path: impl Into<String>) -> Self {
        self.callback_path = path.into();
        self
    }

    /// `rest_callback_content_type`: the format used until (or without) the probe
    /// (default XML).
    pub fn content_type(mut self, format: WireFormat) -> Self {
        self.content_type = format;
        self
    }

    /// Which mod_rest to emulate (default [`ModRestVersion::Current`]).
    pub fn version(mut self, version: ModRestVersion) -> Self {
        self.version = version;
        self
    }

    /// How long mod_rest waits for the webhook (default 10 s); past it the user
    /// gets a `recipient-unavailable` error.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The `xml:lang` Prosody stamps on users' stanzas (default `en`, as a
    /// real server does from the client's stream); `None` for none.
    pub fn user_lang(mut self, lang: Option<&str>) -> Self {
        self.user_lang = lang.map(str::to_owned);
        self
    }

    /// Serves `router` on `127.0.0.1:0` and connects to it (with the startup
    /// probe, for the current module).
    ///
    /// # Panics
    /// When no local port can be bound or the component domain is not a valid JID:
    /// this is a test helper.
    pub async fn start(self, router: axum::Router) -> TestProsody {
        let listener = match tokio::net::TcpListener::bind("127.0.0.1:0").await {
            Ok(l) => l,
            Err(e) => panic!("TestProsody: cannot bind 127.0.0.1:0: {e}"),
        };
        let addr = match listener.local_addr() {
            Ok(a) => a,
            Err(e) => panic!("TestProsody: no local address: {e}"),
        };
        let server = tokio::spawn(async move {
            // Ends when the TestProsody is dropped (the task is aborted).
            let _ = axum::serve(listener, router).await;
        });
        let mut prosody = self.connect_to(format!("http://{addr}")).await;
        prosody.server = Some(server);
        prosody.addr = Some(addr);
        prosody
    }

    /// Connects to a bot already listening at `base_url` (`http://host:port`).
    ///
    /// # Panics
    /// When the component domain is not a valid JID.
    pub async fn connect(self, base_url: impl Into<String>) -> TestProsody {
        self.connect_to(base_url.into()).await
    }

    async fn connect_to(self, base_url: String) -> TestProsody {
        let component: Jid = match self.component.parse() {
            Ok(j) => j,
            Err(e) => panic!("TestProsody: invalid component {:?}: {e}", self.component),
        };
        let http = reqwest::Client::builder()
            .timeout(self.timeout)
            .user_agent("Prosody XMPP Server")
            .build()
            .unwrap_or_default();
        let mut prosody = TestProsody {
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
            callback_path: self.callback_path,
            component,
            format: self.content_type,
            version: self.version,
            user_lang: self.user_lang,
            probe: None,
            server: None,
            addr: None,
        };
        if prosody.version == ModRestVersion::Current {
            prosody.probe().await;
        }
        prosody
    }
}

/// The answer to mod_rest's startup `OPTIONS` probe.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProbeOutcome {
    /// The HTTP status, `None` when the connection failed.
    pub status: Option<u16>,
    /// The `Accept` header of the answer.
    pub accept: Option<String>,
}

/// An emulated Prosody with mod_rest, posting stanzas to a bot's webhook.
///
/// ```no_run
/// # async fn demo(router: axum::Router) {
/// use xmpp_rest_bot::testing::TestProsody;
///
/// let prosody = TestProsody::start(router).await;
/// let reply = prosody.user("alice@example.org").says("!ping").await;
/// assert_eq!(reply.body(), Some("pong"));
/// # }
/// ```
#[derive(Debug)]
pub struct TestProsody {
    http: reqwest::Client,
    base_url: String,
    callback_path: String,
    component: Jid,
    format: WireFormat,
    version: ModRestVersion,
    user_lang: Option<String>,
    probe: Option<ProbeOutcome>,
    server: Option<tokio::task::JoinHandle<()>>,
    addr: Option<SocketAddr>,
}

impl Drop for TestProsody {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            server.abort();
        }
    }
}

impl TestProsody {
    /// Configures an emulator.
    pub fn builder() -> TestProsodyBuilder {
        TestProsodyBuilder {
            component: "bot.example.net".into(),
            callback_path: "/".into(),
            content_type: WireFormat::Xml,
            version: ModRestVersion::Current,
            timeout: Duration::from_secs(10),
            user_lang: Some("en".into()),
        }
    }

    /// Serves `router` on `127.0.0.1:0` with the default configuration.
    ///
    /// # Panics
    /// When no local port can be bound.
    pub async fn start(router: axum::Router) -> TestProsody {
        TestProsody::builder().start(router).await
    }

    /// The format stanzas are posted in (after the probe's negotiation).
    pub fn format(&self) -> WireFormat {
        self.format
    }

    /// The startup probe's outcome (`None` for the early-2020 module).
    pub fn probe_outcome(&self) -> Option<&ProbeOutcome> {
        self.probe.as_ref()
    }

    /// The address the bot is served on, when [`start`](TestProsodyBuilder::start)ed here.
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.addr
    }

    /// The component's address (the bot's domain).
    pub fn component(&self) -> &Jid {
        &self.component
    }

    /// A user who sends stanzas to the bot.
    ///
    /// # Panics
    /// When `jid` is not a valid JID.
    pub fn user(&self, jid: &str) -> TestUser<'_> {
        TestUser::new(self, jid_argument("TestProsody::user", jid), false)
    }

    /// An occupant of a room, sending groupchat messages to the bot.
    ///
    /// # Panics
    /// When `room` is not a bare JID or `nick` is not a valid resource.
    pub fn occupant(&self, room: &str, nick: &str) -> TestUser<'_> {
        let jid = jid_argument("TestProsody::occupant", &format!("{room}/{nick}"));
        TestUser::new(self, jid, true)
    }

    /// Sends the startup probe again (mod_rest sends it when the module loads).
    pub async fn probe(&mut self) -> &ProbeOutcome {
        let url = self.render_url("meta", "info", &self.component, &self.component);
        let outcome = match self.http.request(Method::OPTIONS, url).send().await {
            Ok(resp) => {
                let status = resp.status().as_u16();
                let accept = header_str(resp.headers(), header::ACCEPT);
                if status == 200
                    && let Some(format) = accept.as_deref().and_then(decide_type)
                {
                    self.format = format;
                }
                ProbeOutcome {
                    status: Some(status),
                    accept,
                }
            }
            Err(_) => ProbeOutcome {
                status: None,
                accept: None,
            },
        };
        self.probe.insert(outcome)
    }

    fn render_url(&self, kind: &str, type_: &str, to: &Jid, from: &Jid) -> String {
        let path = self
            .callback_path
            .replace("{kind}", &percent_encode(kind))
            .replace("{type}", &percent_encode(type_))
            .replace("{to}", &percent_encode(to.as_str()))
            .replace("{from}", &percent_encode(from.as_str()));
        let slash = if path.starts_with('/') { "" } else { "/" };
        format!("{}{slash}{path}", self.base_url)
    }

    /// Posts `stanza` to the webhook as mod_rest does and returns what its sender
    /// receives. The stanza is sent as given: set `from`, `to` and `id` yourself,
    /// or use [`user`](Self::user).
    pub async fn deliver(&self, stanza: impl Into<Stanza>) -> Received {
        let stanza = stanza.into();
        let format = self.format;
        let body = json_quirks::post_body(self.version, format, &stanza);
        let fallback = self.component.clone();
        let url = self.render_url(
            stanza.kind().as_str(),
            stanza.type_str(),
            stanza.to().unwrap_or(&fallback),
            stanza.from().unwrap_or(&fallback),
        );
        let accept = match self.version {
            ModRestVersion::Current => ACCEPT_CURRENT,
            ModRestVersion::Early2020 => ACCEPT_2020,
        };
        let mut request = self
            .http
            .post(url)
            .header(header::CONTENT_TYPE, format.content_type())
            .header(header::ACCEPT, accept)
            .body(body.clone());
        if let Some(lang) = stanza.lang() {
            request = request.header(header::CONTENT_LANGUAGE, lang);
        }
        match request.send().await {
            Ok(resp) => {
                let status = resp.status().as_u16();
                let content_type = header_str(resp.headers(), header::CONTENT_TYPE);
                let answer = resp.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
                let delivery = mod_rest_reply(
                    self.version,
                    &stanza,
                    status,
                    content_type.as_deref(),
                    &answer,
                );
                Received {
                    sent: stanza,
                    posted: body,
                    status: Some(status),
                    content_type,
                    answer,
                    stanza: delivery.stanza,
                    dropped: delivery.dropped,
                    failure: None,
                }
            }
            Err(err) => {
                // mod_rest: `wait/recipient-unavailable` when the callback fails.
                let failure = if err.is_timeout() {
                    "timed out"
                } else {
                    "connection failed"
                };
                let reply = (!stanza.is_response()).then(|| {
                    stanza.error(
                        StanzaError::new(Condition::RecipientUnavailable)
                            .with_type(ErrorType::Wait)
                            .with_text(failure),
                    )
                });
                Received {
                    sent: stanza,
                    posted: body,
                    status: None,
                    content_type: None,
                    answer: Vec::new(),
                    stanza: reply,
                    dropped: None,
                    failure: Some(failure),
                }
            }
        }
    }
}

/// The JID a test gave to `caller`; a panic that says so when it is invalid.
fn jid_argument(caller: &str, jid: &str) -> Jid {
    match jid.parse() {
        Ok(jid) => jid,
        Err(e) => panic!("{caller}: invalid JID {jid:?}: {e}"),
    }
}

/// mod_rest's `decide_type`: the supported format named earliest in `Accept`.
fn decide_type(accept: &str) -> Option<WireFormat> {
    let accept = accept.to_ascii_lowercase();
    [
        ("application/xmpp+xml", WireFormat::Xml),
        ("application/json", WireFormat::Json),
    ]
    .into_iter()
    .filter_map(|(mime, format)| accept.find(mime).map(|pos| (pos, format)))
    .min_by_key(|(pos, _)| *pos)
    .map(|(_, format)| format)
}

fn header_str(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}
