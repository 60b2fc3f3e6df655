//! The `/rest` client: send stanzas and query entities through Prosody.
//!
//! Bots also speak first: a CI notification, an alert, a scheduled report.
//! [`RestClient`] posts stanzas to mod_rest's `/rest` endpoint
//! (the book's chapter "mod_rest on the wire", section "Sending") and waits for the answer to
//! iqs.
//!
//! ```no_run
//! use xmpp_rest_bot::client::RestClient;
//!
//! # async fn run() -> xmpp_rest_bot::client::Result<()> {
//! let client = RestClient::builder("https://example.org:5281")
//!     .bearer_token(std::env::var("XMPP_REST_TOKEN").unwrap_or_default())
//!     .build()?;
//!
//! client.send_chat("alice@example.org", "deploy finished").await?;
//!
//! let version = client.version("example.org").await?;
//! println!("{:?} {:?}", version.name, version.version);
//! # Ok(()) }
//! ```
//!
//! # Which mod_rest
//! Both versions of mod_rest work. The late one (2022 on) takes Basic or Bearer
//! credentials of an account and has the GET shortcuts
//! (`GET /rest/version/{to}`) and the text path (`POST /rest/message/chat/{to}`).
//! The early-2020 one takes one static `rest_credentials = "Bearer <token>"`,
//! has only `POST /rest` and needs a `to` on every stanza: pass that token to
//! [`bearer_token`](RestClientBuilder::bearer_token), and either set
//! [`legacy_2020`](RestClientBuilder::legacy_2020) or let the client notice the
//! 404 of the first shortcut and switch by itself.
//!
//! # Errors
//! Every method returns a [`RestError`]; ask it what happened:
//! [`is_auth`](RestError::is_auth) (401/403),
//! [`is_rejected`](RestError::is_rejected) (422, with mod_rest's
//! [`http_condition`](RestError::http_condition)),
//! [`status`](RestError::status), [`stanza_error`](RestError::stanza_error)
//! (the entity answered with an error), [`is_timeout`](RestError::is_timeout),
//! [`is_connect`](RestError::is_connect),
//! [`is_invalid_input`](RestError::is_invalid_input) (an argument is not a JID:
//! nothing was sent). The stanza codec's own [`Error`](crate::Error), for an
//! invalid argument or an answer that cannot be read, is its
//! [`codec_error`](RestError::codec_error).

mod answer;
mod builder;
mod error;
mod error_body;
mod into_jid;
mod request;
mod retry;
mod status;

pub use builder::RestClientBuilder;
pub use error::{RestError, Result};
pub use into_jid::IntoJid;
pub use request::{MAX_IQ_TIMEOUT, TIMEOUT_HEADER};
pub use retry::RetryPolicy;

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use reqwest::header::HeaderValue;
use reqwest::{Method, Url};

use crate::stanza::{
    DiscoInfo, DiscoItems, Iq, Jid, Message, MessageType, Payload, Ping, Presence, Show, Stanza,
    Version,
};
use crate::wire::{Limits, WireFormat};
use answer::{check_iq_answer, final_iq, required_payload};
use into_jid::parse_jid;
use request::{Answer, Body, Request};

/// A client of Prosody's `/rest` endpoint. Cheap to clone: clones share the
/// connection pool.
///
/// Build one with [`RestClient::builder`]; see the [module docs](self).
#[derive(Clone)]
pub struct RestClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    endpoint: Url,
    authorization: Option<HeaderValue>,
    user_agent: HeaderValue,
    timeout: Duration,
    format: WireFormat,
    retry: RetryPolicy,
    /// Set by `legacy_2020()`, or once a shortcut answered 404/405.
    legacy: AtomicBool,
    limits: Limits,
    max_response_size: usize,
    /// The `Host` header set with `host()`, else the URL's goes.
    host: Option<HeaderValue>,
}

impl fmt::Debug for RestClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RestClient")
            .field("endpoint", &self.inner.endpoint.as_str())
            .field("host", &self.inner.host)
            .field("format", &self.inner.format)
            .field("authenticated", &self.inner.authorization.is_some())
            .field("legacy_2020", &self.is_legacy())
            .finish_non_exhaustive()
    }
}

impl RestClient {
    /// Starts building a client for the Prosody at `base_url`.
    ///
    /// `base_url` is Prosody's HTTP base (`https://example.org:5281`, or a
    /// reverse proxy's prefix such as `https://example.org/xmpp`), to which
    /// `/rest` is appended, or the full endpoint URL whose path ends in `/rest`,
    /// which is used as it is. The URL is checked by
    /// [`build`](RestClientBuilder::build).
    pub fn builder(base_url: impl AsRef<str>) -> RestClientBuilder {
        RestClientBuilder::new(base_url.as_ref())
    }

    /// The `/rest` URL requests go to.
    pub fn endpoint(&self) -> &str {
        self.inner.endpoint.as_str()
    }

    /// The wire format of request bodies.
    pub fn format(&self) -> WireFormat {
        self.inner.format
    }

    /// Whether the client talks to the early-2020 mod_rest: set with
    /// [`legacy_2020`](RestClientBuilder::legacy_2020) or found out from a 404.
    pub fn is_legacy(&self) -> bool {
        self.inner.legacy.load(Ordering::Relaxed)
    }

    /// Sends a stanza through `POST /rest`.
    ///
    /// A message or presence is answered `202 Accepted`: `Ok(None)`. When
    /// Prosody generated a reply on the spot (a bounce from a local service,
    /// say), it comes back in the body and is returned. A reply that cannot be
    /// decoded is ignored rather than reported: the stanza *was* accepted, and
    /// an error could make the caller send it twice.
    ///
    /// An iq waits for its answer like [`query`](Self::query) and returns it.
    ///
    /// # Errors
    /// See the [module docs](self#errors).
    pub async fn send(&self, stanza: impl Into<Stanza>) -> Result<Option<Stanza>> {
        let stanza = stanza.into();
        if let Stanza::Iq(iq) = stanza {
            return self.query(iq).await.map(|iq| Some(Stanza::Iq(iq)));
        }
        let body = self.inner.format.encode(&stanza);
        let answer = self
            .execute(Request {
                method: Method::POST,
                url: self.inner.endpoint.clone(),
                body: Body::Stanza(body),
                iq_timeout: None,
            })
            .await?;
        Ok(self.optional_reply(&answer))
    }

    /// Sends a message of type `normal` (no `type` attribute) with `body` to `to`.
    ///
    /// # Errors
    /// When `to` is not a valid JID; see also the [module docs](self#errors).
    pub async fn send_message(
        &self,
        to: impl IntoJid,
        body: impl Into<String>,
    ) -> Result<Option<Stanza>> {
        let message = Message::new(MessageType::Normal)
            .with_to(parse_jid(to)?)
            .with_body(body);
        self.send(message).await
    }

    /// Sends a chat message (`type="chat"`) with `body` to `to`.
    ///
    /// # Errors
    /// When `to` is not a valid JID; see also the [module docs](self#errors).
    pub async fn send_chat(
        &self,
        to: impl IntoJid,
        body: impl Into<String>,
    ) -> Result<Option<Stanza>> {
        self.send(Message::chat(parse_jid(to)?, body)).await
    }

    /// Sends a groupchat message with `body` to the room `room` (its bare JID
    /// is used). The account must have joined the room (see
    /// [`join_room`](Self::join_room)).
    ///
    /// # Errors
    /// When `room` is not a valid JID; see also the [module docs](self#errors).
    pub async fn send_groupchat(
        &self,
        room: impl IntoJid,
        body: impl Into<String>,
    ) -> Result<Option<Stanza>> {
        let room = Jid::from(parse_jid(room)?.to_bare());
        self.send(Message::groupchat(room, body)).await
    }

    /// Joins the room `room` as `nick`, asking for no history (so that old
    /// commands are not replayed to the bot).
    ///
    /// # Errors
    /// When `room` is not a valid JID or `nick` is not a valid resource; see
    /// also the [module docs](self#errors).
    pub async fn join_room(&self, room: impl IntoJid, nick: &str) -> Result<Option<Stanza>> {
        let room = parse_jid(room)?.to_bare();
        let join = Presence::join_room(&room, nick).map_err(RestError::input)?;
        self.send(join).await
    }

    /// Sends the account's presence: available, with an optional `show` and
    /// status text. The late mod_rest broadcasts a presence without `to`; the
    /// early-2020 one needs a `to` on every stanza, so send a
    /// [`Presence`] with one through [`send`](Self::send) there.
    ///
    /// # Errors
    /// See the [module docs](self#errors).
    pub async fn set_presence(
        &self,
        show: Option<Show>,
        status: Option<&str>,
    ) -> Result<Option<Stanza>> {
        let mut presence = Presence::available();
        presence.show = show;
        if let Some(status) = status {
            presence = presence.with_status(status);
        }
        self.send(presence).await
    }

    /// Sends `text` as a chat message to `to` through the text path
    /// `POST /rest/message/chat/{to}` (`text/plain`). Against the early-2020
    /// module it posts a chat message to `/rest` instead.
    ///
    /// # Errors
    /// When `to` is not a valid JID; see also the [module docs](self#errors).
    pub async fn send_text(
        &self,
        to: impl IntoJid,
        text: impl Into<String>,
    ) -> Result<Option<Stanza>> {
        let to = parse_jid(to)?;
        // Prosody refuses text XML cannot carry (the ESC of colour codes...).
        let text: String = text.into();
        let text = crate::wire::xml::xml_safe_text(&text).unwrap_or(text);
        if !self.is_legacy() {
            let url = self.path_url(&["message", "chat"], &to.to_string(), None);
            match self
                .execute(Request {
                    method: Method::POST,
                    url,
                    body: Body::Text(text.clone()),
                    iq_timeout: None,
                })
                .await
            {
                Ok(answer) => return Ok(self.optional_reply(&answer)),
                Err(e) if is_missing_route(&e) => self.inner.legacy.store(true, Ordering::Relaxed),
                Err(e) => return Err(e),
            }
        }
        self.send(Message::chat(to, text)).await
    }

    /// Sends an iq (get or set) and waits for its answer, for at most the
    /// client's [`timeout`](RestClientBuilder::timeout).
    ///
    /// When several stanzas come back (an archive query), this returns the iq
    /// and drops the rest: use [`query_all`](Self::query_all) for those.
    ///
    /// ```no_run
    /// use xmpp_rest_bot::client::RestClient;
    /// use xmpp_rest_bot::stanza::{Iq, Ping};
    ///
    /// # async fn run(client: RestClient) -> xmpp_rest_bot::client::Result<()> {
    /// let reply = client.query(Iq::get(Ping).with_to("example.org".parse().unwrap())).await?;
    /// assert!(reply.error.is_none());
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// An answer of type `error` is returned as an error whose
    /// [`stanza_error`](RestError::stanza_error) is the entity's error. See
    /// also the [module docs](self#errors).
    pub async fn query(&self, iq: Iq) -> Result<Iq> {
        self.query_with_timeout(iq, self.inner.timeout).await
    }

    /// [`query`](Self::query) waiting at most `timeout` for the answer: sent as
    /// `Prosody-Rest-Timeout` (whole seconds, rounded up, at least 1 and at
    /// most 300 as mod_rest allows); the HTTP exchange may take a few seconds
    /// more so that Prosody's `remote-server-timeout` arrives first.
    ///
    /// # Errors
    /// As [`query`](Self::query).
    pub async fn query_with_timeout(&self, iq: Iq, timeout: Duration) -> Result<Iq> {
        let stanzas = self.query_all_with_timeout(iq, timeout).await?;
        final_iq(stanzas)
    }

    /// Sends an iq and returns every stanza of the answer: the messages that
    /// came before the iq result (an archive query's results, in an `<xmpp>`
    /// wrapper or `{"xmpp": [...]}`) and the iq itself, last.
    ///
    /// # Errors
    /// As [`query`](Self::query): an iq of type `error` in the answer is
    /// returned as an error.
    pub async fn query_all(&self, iq: Iq) -> Result<Vec<Stanza>> {
        self.query_all_with_timeout(iq, self.inner.timeout).await
    }

    /// [`query_all`](Self::query_all) waiting at most `timeout` (see
    /// [`query_with_timeout`](Self::query_with_timeout)).
    ///
    /// # Errors
    /// As [`query`](Self::query).
    pub async fn query_all_with_timeout(&self, iq: Iq, timeout: Duration) -> Result<Vec<Stanza>> {
        let body = self.inner.format.encode(&Stanza::Iq(iq));
        let answer = self
            .execute(Request {
                method: Method::POST,
                url: self.inner.endpoint.clone(),
                body: Body::Stanza(body),
                iq_timeout: Some(timeout),
            })
            .await?;
        let stanzas = self.decode_answer(&answer)?;
        check_iq_answer(&stanzas)?;
        Ok(stanzas)
    }

    /// Pings `to` (XEP-0199) and returns the round-trip time.
    ///
    /// Uses `GET /rest/ping/{to}`, or posts a ping iq to the early-2020 module.
    ///
    /// # Errors
    /// When `to` does not answer the ping: a [stanza error](RestError::stanza_error)
    /// such as `service-unavailable` or `remote-server-timeout`. See also the
    /// [module docs](self#errors).
    pub async fn ping(&self, to: impl IntoJid) -> Result<Duration> {
        let to = parse_jid(to)?;
        let started = Instant::now();
        self.get_query("ping", to, None, Ping).await?;
        Ok(started.elapsed())
    }

    /// Asks `to` for its software version (XEP-0092).
    ///
    /// Uses `GET /rest/version/{to}`, or posts the iq to the early-2020 module.
    ///
    /// # Errors
    /// When `to` answers with an error, or with an iq without a version. See
    /// also the [module docs](self#errors).
    pub async fn version(&self, to: impl IntoJid) -> Result<Version> {
        let to = parse_jid(to)?;
        let iq = self
            .get_query("version", to, None, Version::default())
            .await?;
        required_payload(&iq)
    }

    /// Asks `to` what it is and supports (XEP-0030 disco#info).
    ///
    /// Uses `GET /rest/disco/{to}`, or posts the iq to the early-2020 module.
    ///
    /// # Errors
    /// As [`version`](Self::version).
    pub async fn disco_info(&self, to: impl IntoJid) -> Result<DiscoInfo> {
        let to = parse_jid(to)?;
        let iq = self
            .get_query("disco", to, None, DiscoInfo::default())
            .await?;
        required_payload(&iq)
    }

    /// Asks `to` for its items (XEP-0030 disco#items), at `node` if given.
    ///
    /// Uses `GET /rest/items/{to}?node=...`, or posts the iq to the early-2020
    /// module.
    ///
    /// # Errors
    /// As [`version`](Self::version).
    pub async fn disco_items(&self, to: impl IntoJid, node: Option<&str>) -> Result<DiscoItems> {
        let to = parse_jid(to)?;
        let payload = match node {
            Some(node) => DiscoItems::for_node(node),
            None => DiscoItems::new(),
        };
        let iq = self.get_query("items", to, node, payload).await?;
        required_payload(&iq)
    }

    /// An iq-get through `GET /rest/{query}/{to}`, or through `POST /rest` with
    /// `payload` against the early-2020 module (or after a 404/405).
    async fn get_query<P: Payload>(
        &self,
        query: &str,
        to: Jid,
        node: Option<&str>,
        payload: P,
    ) -> Result<Iq> {
        if !self.is_legacy() {
            let url = self.path_url(&[query], &to.to_string(), node);
            match self
                .execute(Request {
                    method: Method::GET,
                    url,
                    body: Body::None,
                    iq_timeout: Some(self.inner.timeout),
                })
                .await
            {
                Ok(answer) => {
                    let stanzas = self.decode_answer(&answer)?;
                    return final_iq(stanzas);
                }
                Err(e) if is_missing_route(&e) => self.inner.legacy.store(true, Ordering::Relaxed),
                Err(e) => return Err(e),
            }
        }
        self.query(Iq::get(payload).with_to(to)).await
    }

    fn decode_answer(&self, answer: &Answer) -> Result<Vec<Stanza>> {
        answer::decode_stanzas(answer, self.inner.format, &self.inner.limits)
    }

    fn optional_reply(&self, answer: &Answer) -> Option<Stanza> {
        if answer.body.iter().all(u8::is_ascii_whitespace) {
            return None;
        }
        self.decode_answer(answer).ok()?.into_iter().next()
    }
}

/// A 404 or 405: the early-2020 module has no such route.
fn is_missing_route(e: &RestError) -> bool {
    e.stanza_error().is_none() && matches!(e.status(), Some(404 | 405))
}
