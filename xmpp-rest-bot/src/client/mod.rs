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
//! # async fn run() -> xmpp_rest_bot::Result<()> {
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
//! Every method returns the crate's [error](crate::Error); ask it what
//! happened: [`is_auth`](crate::Error::is_auth) (401/403),
//! [`is_rejected`](crate::Error::is_rejected) (422, with mod_rest's
//! [`http_condition`](crate::Error::http_condition)),
//! [`status`](crate::Error::status), [`stanza_error`](crate::Error::stanza_error)
//! (the entity answered with an error), [`is_timeout`](crate::Error::is_timeout),
//! [`is_connect`](crate::Error::is_connect).

mod builder;
mod response;
mod retry;

pub use builder::RestClientBuilder;
pub use retry::RetryPolicy;

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use reqwest::header::{
    ACCEPT, AUTHORIZATION, CONTENT_TYPE, HOST, HeaderValue, USER_AGENT, WWW_AUTHENTICATE,
};
use reqwest::{Method, Url};

use crate::error::SentHost;
use crate::stanza::{
    BareJid, DiscoInfo, DiscoItems, FullJid, Iq, IqType, Jid, Message, MessageType, Payload, Ping,
    Presence, Show, Stanza, StanzaError, Version,
};
use crate::wire::{Limits, WireFormat};
use crate::{Error, Result};

/// The header that tells mod_rest how long to wait for an iq's answer.
pub const TIMEOUT_HEADER: &str = "Prosody-Rest-Timeout";
/// The longest wait mod_rest allows for an iq (its `rest_iq_max_timeout` default).
pub const MAX_IQ_TIMEOUT: Duration = Duration::from_secs(300);
/// How much longer than Prosody's iq wait the HTTP exchange may take, so that
/// Prosody's own answer (the reply, or its timeout) arrives first.
const IQ_GRACE: Duration = Duration::from_secs(5);

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

/// Something that names an XMPP address: a [`Jid`], [`BareJid`], [`FullJid`]
/// or a string, parsed and validated.
pub trait IntoJid {
    /// The address.
    ///
    /// # Errors
    /// When a string is not a valid JID.
    fn into_jid(self) -> Result<Jid>;
}

impl IntoJid for Jid {
    fn into_jid(self) -> Result<Jid> {
        Ok(self)
    }
}

impl IntoJid for &Jid {
    fn into_jid(self) -> Result<Jid> {
        Ok(self.clone())
    }
}

impl IntoJid for BareJid {
    fn into_jid(self) -> Result<Jid> {
        Ok(self.into())
    }
}

impl IntoJid for &BareJid {
    fn into_jid(self) -> Result<Jid> {
        Ok(self.clone().into())
    }
}

impl IntoJid for FullJid {
    fn into_jid(self) -> Result<Jid> {
        Ok(self.into())
    }
}

impl IntoJid for &FullJid {
    fn into_jid(self) -> Result<Jid> {
        Ok(self.clone().into())
    }
}

impl IntoJid for &str {
    fn into_jid(self) -> Result<Jid> {
        self.parse::<Jid>()
            .map_err(|e| Error::invalid(format!("invalid jid {self:?}: {e}")))
    }
}

impl IntoJid for String {
    fn into_jid(self) -> Result<Jid> {
        self.as_str().into_jid()
    }
}

impl IntoJid for &String {
    fn into_jid(self) -> Result<Jid> {
        self.as_str().into_jid()
    }
}

/// The body of a request.
enum MessageText {
    None,
    Stanza(Vec<u8>),
    Text(String),
}

/// A successful (2xx) answer.
struct Answer {
    content_type: Option<String>,
    body: Vec<u8>,
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
            .execute(
                Method::POST,
                self.inner.endpoint.clone(),
                MessageText::Stanza(body),
                None,
                false,
            )
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
            .with_to(to.into_jid()?)
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
        self.send(Message::chat(to.into_jid()?, body)).await
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
        let room = Jid::from(room.into_jid()?.to_bare());
        self.send(Message::groupchat(room, body)).await
    }

    /// Joins the room `room` as `nick`, asking for no history (so that old
    /// commands are not replayed to the bot).
    ///
    /// # Errors
    /// When `room` is not a valid JID or `nick` is not a valid resource; see
    /// also the [module docs](self#errors).
    pub async fn join_room(&self, room: impl IntoJid, nick: &str) -> Result<Option<Stanza>> {
        let room = room.into_jid()?.to_bare();
        self.send(Presence::join_room(&room, nick)?).await
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
        let to = to.into_jid()?;
        // Prosody refuses text XML cannot carry (the ESC of colour codes...).
        let text: String = text.into();
        let text = crate::wire::xml::xml_safe_text(&text).unwrap_or(text);
        if !self.is_legacy() {
            let url = self.path_url(&["message", "chat"], &to.to_string(), None);
            match self
                .execute(
                    Method::POST,
                    url,
                    MessageText::Text(text.clone()),
                    None,
                    false,
                )
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
    /// # async fn run(client: RestClient) -> xmpp_rest_bot::Result<()> {
    /// let reply = client.query(Iq::get(Ping).with_to("example.org".parse().unwrap())).await?;
    /// assert!(reply.error.is_none());
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// An answer of type `error` is returned as an error whose
    /// [`stanza_error`](crate::Error::stanza_error) is the entity's error. See
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
            .execute(
                Method::POST,
                self.inner.endpoint.clone(),
                MessageText::Stanza(body),
                Some(timeout),
                true,
            )
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
    /// When `to` does not answer the ping: a [stanza error](crate::Error::stanza_error)
    /// such as `service-unavailable` or `remote-server-timeout`. See also the
    /// [module docs](self#errors).
    pub async fn ping(&self, to: impl IntoJid) -> Result<Duration> {
        let to = to.into_jid()?;
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
        let to = to.into_jid()?;
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
        let to = to.into_jid()?;
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
        let to = to.into_jid()?;
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
                .execute(
                    Method::GET,
                    url,
                    MessageText::None,
                    Some(self.inner.timeout),
                    true,
                )
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

    /// `{endpoint}/{segments...}/{to}`, `to` percent-encoded as needed, with
    /// `?node=` when given.
    fn path_url(&self, segments: &[&str], to: &str, node: Option<&str>) -> Url {
        let mut url = self.inner.endpoint.clone();
        let mut path = url.path().trim_end_matches('/').to_owned();
        for segment in segments {
            path.push('/');
            path.push_str(segment);
        }
        path.push('/');
        path.push_str(&encode_path(to));
        url.set_path(&path);
        if let Some(node) = node {
            url.query_pairs_mut().append_pair("node", node);
        }
        url
    }

    /// Sends one request, retrying a failed connection as the policy says, and
    /// returns a 2xx answer or the error for any other status.
    async fn execute(
        &self,
        method: Method,
        url: Url,
        body: MessageText,
        iq_timeout: Option<Duration>,
        is_iq: bool,
    ) -> Result<Answer> {
        let inner = &self.inner;
        let sent_host = sent_host(inner.host.as_ref(), &url);
        let mut builder = inner
            .http
            .request(method, url)
            .header(ACCEPT, inner.format.content_type())
            .header(USER_AGENT, inner.user_agent.clone());
        if let Some(authorization) = &inner.authorization {
            builder = builder.header(AUTHORIZATION, authorization.clone());
        }
        // hyper writes the URL's authority only when no Host header is set.
        if let Some(host) = &inner.host {
            builder = builder.header(HOST, host.clone());
        }
        builder = match iq_timeout {
            Some(wait) => {
                let secs = iq_timeout_secs(wait);
                builder
                    .header(TIMEOUT_HEADER, secs.to_string())
                    .timeout(Duration::from_secs(secs) + IQ_GRACE)
            }
            None => builder.timeout(inner.timeout),
        };
        builder = match body {
            MessageText::None => builder,
            MessageText::Stanza(bytes) => builder
                .header(CONTENT_TYPE, inner.format.content_type())
                .body(bytes),
            MessageText::Text(text) => builder
                .header(CONTENT_TYPE, "text/plain; charset=utf-8")
                .body(text),
        };
        let request = builder.build().map_err(response::transport_error)?;

        let mut attempt = 0;
        let mut response = loop {
            let Some(this_try) = request.try_clone() else {
                return Err(Error::protocol("the request body cannot be sent twice"));
            };
            match inner.http.execute(this_try).await {
                Ok(response) => break response,
                // Nothing reached Prosody: safe to try again.
                Err(e) if e.is_connect() && attempt < inner.retry.retries() => {
                    tokio::time::sleep(inner.retry.backoff(attempt)).await;
                    attempt += 1;
                }
                Err(e) => return Err(response::transport_error(e)),
            }
        };

        let status = response.status().as_u16();
        let content_type = header_str(&response, CONTENT_TYPE);
        let challenge = header_str(&response, WWW_AUTHENTICATE);
        let body = response::read_body(&mut response, inner.max_response_size).await?;
        if (200..300).contains(&status) {
            Ok(Answer { content_type, body })
        } else {
            Err(response::status_error(
                status,
                &body,
                content_type.as_deref(),
                challenge,
                inner.authorization.is_some(),
                is_iq,
                sent_host,
            ))
        }
    }

    fn decode_answer(&self, answer: &Answer) -> Result<Vec<Stanza>> {
        if answer.body.iter().all(u8::is_ascii_whitespace) {
            return Err(Error::protocol("an empty answer to an iq"));
        }
        response::decode_stanzas(
            &answer.body,
            answer.content_type.as_deref(),
            self.inner.format,
            &self.inner.limits,
        )
    }

    fn optional_reply(&self, answer: &Answer) -> Option<Stanza> {
        if answer.body.iter().all(u8::is_ascii_whitespace) {
            return None;
        }
        self.decode_answer(answer).ok()?.into_iter().next()
    }
}

fn header_str(response: &reqwest::Response, name: reqwest::header::HeaderName) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The `Host` header a request carries, for the hint of a 404: the one set
/// with `host()`, else the URL's host and port (hyper leaves out a default port).
fn sent_host(explicit: Option<&HeaderValue>, url: &Url) -> Option<SentHost> {
    if let Some(host) = explicit {
        return Some(SentHost {
            value: String::from_utf8_lossy(host.as_bytes()).into_owned(),
            explicit: true,
        });
    }
    let host = url.host_str()?;
    let value = match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    };
    Some(SentHost {
        value,
        explicit: false,
    })
}

/// A 404 or 405: the early-2020 module has no such route.
fn is_missing_route(e: &Error) -> bool {
    e.stanza_error().is_none() && matches!(e.status(), Some(404 | 405))
}

/// The `Prosody-Rest-Timeout` value: whole seconds, rounded up, 1..=300.
fn iq_timeout_secs(wait: Duration) -> u64 {
    let mut secs = wait.as_secs();
    if wait.subsec_nanos() > 0 {
        secs += 1;
    }
    secs.clamp(1, MAX_IQ_TIMEOUT.as_secs())
}

/// An error for the first iq of type `error` in an answer.
fn check_iq_answer(stanzas: &[Stanza]) -> Result<()> {
    for stanza in stanzas {
        if let Stanza::Iq(iq) = stanza
            && iq.type_ == IqType::Error
        {
            let error = iq
                .error
                .clone()
                .unwrap_or_else(|| StanzaError::new(crate::stanza::Condition::UndefinedCondition));
            return Err(Error::stanza(error, iq.from.clone(), None));
        }
    }
    Ok(())
}

/// The last iq of an answer (the result follows any messages), or the error it carries.
fn final_iq(stanzas: Vec<Stanza>) -> Result<Iq> {
    check_iq_answer(&stanzas)?;
    stanzas
        .into_iter()
        .rev()
        .find_map(|s| match s {
            Stanza::Iq(iq) => Some(iq),
            _ => None,
        })
        .ok_or_else(|| Error::protocol("the answer to an iq holds no iq"))
}

/// The typed payload of a result, which must be there.
fn required_payload<P: Payload>(iq: &Iq) -> Result<P> {
    match iq.payload_as::<P>() {
        Some(result) => result,
        None => Err(Error::protocol(format!(
            "the result holds no <{} xmlns='{}'/>",
            P::NAME,
            P::NS
        ))),
    }
}

/// Percent-encodes a JID for a path: everything but RFC 3986 `pchar` and `/`
/// (a resource may contain `/`; mod_rest takes the rest of the path as `to`).
fn encode_path(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        let keep = b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/".contains(&b);
        if keep {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iq_timeout_is_rounded_up_and_capped() {
        assert_eq!(iq_timeout_secs(Duration::from_millis(1)), 1);
        assert_eq!(iq_timeout_secs(Duration::ZERO), 1);
        assert_eq!(iq_timeout_secs(Duration::from_millis(1500)), 2);
        assert_eq!(iq_timeout_secs(Duration::from_secs(30)), 30);
        assert_eq!(iq_timeout_secs(Duration::from_secs(3600)), 300);
    }

    #[test]
    fn jids_are_encoded_for_paths() {
        assert_eq!(
            encode_path("bob@example.org/phone"),
            "bob@example.org/phone"
        );
        assert_eq!(encode_path("a b#c?d%e@x"), "a%20b%23c%3Fd%25e@x");
        assert_eq!(encode_path("é@x"), "%C3%A9@x");
    }
}
