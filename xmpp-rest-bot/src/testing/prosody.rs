//! `TestProsody`: talks to a bot exactly as Prosody's mod_rest would, and tells
//! what the XMPP user would receive.

// A test kit reports misuse and failed expectations the way tests do: by
// panicking, with a message that says what was expected.
#![allow(clippy::panic)]

use std::net::SocketAddr;
use std::time::Duration;

use axum::http::{HeaderMap, Method, header};

use super::json_quirks;
use super::reply_rules::{mod_rest_reply, new_id};
use crate::encoding::percent_encode;
use crate::stanza::{
    Condition, ErrorType, Iq, IqType, Jid, Message, MessageType, Payload, Presence, PresenceType,
    Stanza, StanzaError,
};
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
        let jid: Jid = match jid.parse() {
            Ok(j) => j,
            Err(e) => panic!("TestProsody::user: invalid JID {jid:?}: {e}"),
        };
        TestUser {
            prosody: self,
            jid,
            to: self.component.clone(),
            occupant: false,
        }
    }

    /// An occupant of a room, sending groupchat messages to the bot.
    ///
    /// # Panics
    /// When `room` is not a bare JID or `nick` is not a valid resource.
    pub fn occupant(&self, room: &str, nick: &str) -> TestUser<'_> {
        let mut occupant = self.user(&format!("{room}/{nick}"));
        occupant.occupant = true;
        occupant
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

/// A user (or room occupant) of the emulated server. See [`TestProsody::user`].
#[derive(Debug, Clone)]
pub struct TestUser<'a> {
    prosody: &'a TestProsody,
    jid: Jid,
    to: Jid,
    occupant: bool,
}

impl TestUser<'_> {
    /// Addresses this user's stanzas to `jid` (default: the component itself);
    /// the bot's component receives stanzas for any `user@component` too.
    ///
    /// # Panics
    /// When `jid` is not a valid JID.
    #[must_use]
    pub fn to(mut self, jid: &str) -> Self {
        self.to = match jid.parse() {
            Ok(j) => j,
            Err(e) => panic!("TestUser::to: invalid JID {jid:?}: {e}"),
        };
        self
    }

    /// The user's address.
    pub fn jid(&self) -> &Jid {
        &self.jid
    }

    fn stamp(&self, stanza: Stanza) -> Stanza {
        let lang = self.prosody.user_lang.clone();
        let to = self.to.clone();
        let from = self.jid.clone();
        match stanza {
            Stanza::Message(mut m) => {
                m.to.get_or_insert(to);
                m.from = Some(from);
                m.id.get_or_insert_with(new_id);
                if m.lang.is_none() {
                    m.lang = lang;
                }
                Stanza::Message(m)
            }
            Stanza::Presence(mut p) => {
                p.to.get_or_insert(to);
                p.from = Some(from);
                if p.lang.is_none() {
                    p.lang = lang;
                }
                Stanza::Presence(p)
            }
            Stanza::Iq(mut iq) => {
                iq.to.get_or_insert(to);
                iq.from = Some(from);
                iq.id.get_or_insert_with(new_id);
                if iq.lang.is_none() {
                    iq.lang = lang;
                }
                Stanza::Iq(iq)
            }
        }
    }

    /// Sends a chat message (a groupchat message when this is a room occupant
    /// made with [`TestProsody::occupant`]) with body `text`.
    pub async fn says(&self, text: &str) -> Received {
        let type_ = if self.occupant {
            MessageType::Groupchat
        } else {
            MessageType::Chat
        };
        self.sends(Message::new(type_).with_body(text)).await
    }

    /// Sends `stanza` from this user: `from` is set to the user, `to` to the bot
    /// unless given, an id is added when missing.
    pub async fn sends(&self, stanza: impl Into<Stanza>) -> Received {
        let stanza = self.stamp(stanza.into());
        self.prosody.deliver(stanza).await
    }

    /// Sends an iq get carrying `payload`.
    pub async fn iq_get(&self, payload: impl Payload) -> Received {
        self.sends(Iq::get(payload)).await
    }

    /// Sends an iq set carrying `payload`.
    pub async fn iq_set(&self, payload: impl Payload) -> Received {
        self.sends(Iq::set(payload)).await
    }

    /// Sends an available presence.
    pub async fn is_available(&self) -> Received {
        self.sends(Presence::available()).await
    }

    /// Sends a subscription request.
    pub async fn subscribes(&self) -> Received {
        self.sends(Presence::new(PresenceType::Subscribe)).await
    }
}

/// What happened to one stanza: what was posted, how the webhook answered, and
/// the stanza the XMPP user receives (see
/// [`mod_rest_reply`](super::mod_rest_reply)).
#[derive(Debug, Clone)]
pub struct Received {
    sent: Stanza,
    posted: Vec<u8>,
    status: Option<u16>,
    content_type: Option<String>,
    answer: Vec<u8>,
    stanza: Option<Stanza>,
    dropped: Option<String>,
    failure: Option<&'static str>,
}

impl Received {
    /// The stanza the user receives, `None` when mod_rest sends nothing.
    pub fn stanza(&self) -> Option<&Stanza> {
        self.stanza.as_ref()
    }

    /// The received stanza, when it is a message.
    pub fn message(&self) -> Option<&Message> {
        match &self.stanza {
            Some(Stanza::Message(m)) => Some(m),
            _ => None,
        }
    }

    /// The received stanza, when it is a presence.
    pub fn presence(&self) -> Option<&Presence> {
        match &self.stanza {
            Some(Stanza::Presence(p)) => Some(p),
            _ => None,
        }
    }

    /// The received stanza, when it is an iq.
    pub fn iq(&self) -> Option<&Iq> {
        match &self.stanza {
            Some(Stanza::Iq(iq)) => Some(iq),
            _ => None,
        }
    }

    /// The body of the received message.
    pub fn body(&self) -> Option<&str> {
        self.message().and_then(Message::body)
    }

    /// The stanza error received, if the reply is an error.
    pub fn error(&self) -> Option<&StanzaError> {
        self.stanza.as_ref().and_then(Stanza::stanza_error)
    }

    /// The condition of the error received.
    pub fn condition(&self) -> Option<Condition> {
        self.error().map(|e| e.condition)
    }

    /// The iq payload received, typed.
    pub fn payload<P: Payload>(&self) -> Option<P> {
        self.iq()
            .and_then(|iq| iq.payload_as::<P>())
            .and_then(Result::ok)
    }

    /// Whether the user receives nothing.
    pub fn is_none(&self) -> bool {
        self.stanza.is_none()
    }

    /// Why the webhook's reply reaches nobody, when mod_rest drops it (see
    /// [`Delivery::dropped`](super::Delivery::dropped)). Every assertion
    /// of this type fails when a reply was dropped, with this reason.
    pub fn dropped(&self) -> Option<&str> {
        self.dropped.as_deref()
    }

    /// The stanza that was posted.
    pub fn sent(&self) -> &Stanza {
        &self.sent
    }

    /// The request body that was posted.
    pub fn posted_body(&self) -> &[u8] {
        &self.posted
    }

    /// The webhook's HTTP status (`None` when the request failed).
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// The webhook's `Content-Type`.
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// The webhook's answer body.
    pub fn answer(&self) -> &[u8] {
        &self.answer
    }

    /// Whether the request timed out.
    pub fn timed_out(&self) -> bool {
        self.failure == Some("timed out")
    }

    /// Whether the connection to the webhook failed (or timed out).
    pub fn failed(&self) -> bool {
        self.failure.is_some()
    }

    /// Asserts that the user receives nothing.
    ///
    /// # Panics
    /// When the user receives a stanza.
    #[track_caller]
    pub fn assert_no_reply(&self) {
        if let Some(why) = &self.dropped {
            panic!("the bot answered a reply that mod_rest drops: {why}");
        }
        if let Some(stanza) = &self.stanza {
            panic!(
                "expected no reply, the user receives {}",
                String::from_utf8_lossy(&WireFormat::Xml.encode(stanza))
            );
        }
    }

    /// Asserts that the user receives a message with this body.
    ///
    /// # Panics
    /// When the user receives something else.
    #[track_caller]
    pub fn assert_body(&self, expected: &str) {
        if self.body() != Some(expected) {
            panic!(
                "expected a message with body {expected:?}, the user receives {}",
                self.describe()
            );
        }
    }

    /// Asserts that the user receives an error with this condition.
    ///
    /// # Panics
    /// When the user receives something else.
    #[track_caller]
    pub fn assert_error(&self, condition: Condition) {
        if self.condition() != Some(condition) {
            panic!(
                "expected a {condition} error, the user receives {}",
                self.describe()
            );
        }
    }

    /// Asserts that the user receives an iq result.
    ///
    /// # Panics
    /// When the user receives something else.
    #[track_caller]
    pub fn assert_result(&self) {
        if self.iq().map(|iq| iq.type_) != Some(IqType::Result) {
            panic!(
                "expected an iq result, the user receives {}",
                self.describe()
            );
        }
    }

    fn describe(&self) -> String {
        let stanza = match (&self.stanza, &self.dropped) {
            (Some(s), _) => String::from_utf8_lossy(&WireFormat::Xml.encode(s)).into_owned(),
            (None, Some(why)) => format!("nothing: mod_rest drops the bot's reply, because {why}"),
            (None, None) => "nothing".into(),
        };
        match self.status {
            Some(status) => format!(
                "{stanza} (webhook answered {status} {}: {:?})",
                self.content_type
                    .as_deref()
                    .unwrap_or("without content type"),
                String::from_utf8_lossy(&self.answer)
            ),
            None => format!("{stanza} ({})", self.failure.unwrap_or("no answer")),
        }
    }
}
