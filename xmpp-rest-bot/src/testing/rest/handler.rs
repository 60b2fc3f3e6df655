//! How the emulator answers a request: mod_rest's checks, in mod_rest's order.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

use super::{RecordedRequest, Shared};
use crate::stanza::{
    BareJid, Condition, DiscoInfo, DiscoItems, Element, Identity, Iq, IqType, Jid, Message,
    MessageType, Payload, Ping, Presence, Stanza, StanzaKind, Version, ns,
};
use crate::wire::{Limits, WireFormat};

/// The most the emulator reads of a body (Prosody's own HTTP limit is 10 MiB).
const MAX_READ: usize = 16 * 1024 * 1024;
/// mod_rest's default wait for an iq answer (`rest_iq_timeout`).
const DEFAULT_IQ_TIMEOUT: f64 = 120.0;
/// mod_rest's cap on `Prosody-Rest-Timeout` (`rest_iq_max_timeout`).
const MAX_IQ_TIMEOUT: f64 = 300.0;

pub(super) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .fallback(handle)
        .layer(DefaultBodyLimit::disable())
        .with_state(shared)
}

/// A mod_rest error: HTTP status, error type, condition, text.
#[derive(Debug, Clone, Copy)]
struct RestError {
    status: u16,
    type_: &'static str,
    condition: &'static str,
    text: &'static str,
}

const fn err(
    status: u16,
    type_: &'static str,
    condition: &'static str,
    text: &'static str,
) -> RestError {
    RestError {
        status,
        type_,
        condition,
        text,
    }
}

// The error table of the late-2023 mod_rest.
const NOAUTHZ: RestError = err(401, "auth", "not-authorized", "No credentials provided");
const UNAUTHZ: RestError = err(403, "auth", "not-authorized", "Credentials not accepted");
const MALFORMAUTHZ: RestError = err(403, "auth", "not-authorized", "Credentials malformed");
const PREPAUTHZ: RestError = err(
    403,
    "auth",
    "not-authorized",
    "Credentials failed stringprep",
);
const PARSE: RestError = err(400, "modify", "not-well-formed", "Failed to parse payload");
const XMLNS: RestError = err(
    422,
    "modify",
    "invalid-namespace",
    "'xmlns' attribute must be empty",
);
const NAME: RestError = err(
    422,
    "modify",
    "unsupported-stanza-type",
    "Invalid stanza, must be 'message', 'presence' or 'iq'.",
);
const TO: RestError = err(
    422,
    "modify",
    "improper-addressing",
    "Invalid destination JID",
);
const FROM: RestError = err(422, "modify", "invalid-from", "Invalid source JID");
const FROM_AUTH: RestError = err(
    403,
    "auth",
    "not-authorized",
    "Not authorized to send stanza with requested 'from'",
);
const IQ_TYPE: RestError = err(
    422,
    "modify",
    "invalid-xml",
    "'iq' stanza must be of type 'get' or 'set'",
);
const IQ_TAGS: RestError = err(
    422,
    "modify",
    "bad-format",
    "'iq' stanza must have exactly one child tag",
);
const MEDIATYPE: RestError = err(415, "cancel", "bad-format", "Unsupported media type");
const SIZE: RestError = err(413, "modify", "resource-constraint", "Payload too large");
const IQ_TIMEOUT: RestError = err(500, "wait", "remote-server-timeout", "IQ stanza timed out");
/// The early-2020 module's 403 for a `from` outside its host.
const LEGACY_FROM: RestError = err(
    403,
    "cancel",
    "undefined-condition",
    "Source JID must belong to current host",
);

/// What went wrong, with the module it comes from deciding the body.
enum Failure {
    /// An error of mod_rest's table.
    Rest(RestError),
    /// A bare status (an unknown route, the early module's 401).
    Status(u16),
}

impl From<RestError> for Failure {
    fn from(e: RestError) -> Self {
        Failure::Rest(e)
    }
}

async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, MAX_READ).await;
    let path = crate::encoding::percent_decode(parts.uri.path());
    let recorded = RecordedRequest {
        method: parts.method.as_str().to_owned(),
        path: path.clone(),
        query: parts.uri.query().map(str::to_owned),
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: body.as_ref().map(|b| b.to_vec()).unwrap_or_default(),
        status: None,
    };
    let (index, failure) = {
        let mut state = shared.state();
        state.requests.push(recorded);
        (state.requests.len() - 1, state.failures.pop_front())
    };

    let response = match (failure, body) {
        (Some(status), _) => html_error(status),
        (None, Err(_)) => error_response(&shared, &parts.headers, SIZE.into(), None),
        (None, Ok(body)) => {
            let request = Incoming {
                method: parts.method.as_str(),
                path: &path,
                query: parts.uri.query(),
                headers: &parts.headers,
                body: &body,
            };
            answer(&shared, &request).await
        }
    };

    if let Some(recorded) = shared.state().requests.get_mut(index) {
        recorded.status = Some(response.status().as_u16());
    }
    response
}

struct Incoming<'a> {
    method: &'a str,
    path: &'a str,
    query: Option<&'a str>,
    headers: &'a HeaderMap,
    body: &'a [u8],
}

impl Incoming<'_> {
    fn header(&self, name: header::HeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

async fn answer(shared: &Shared, request: &Incoming<'_>) -> Response {
    let config = &shared.config;
    let legacy = config.legacy.is_some();

    // Prosody's HTTP server picks the host by the Host header: another name
    // (an IP address) reaches no module, and its own error page answers.
    if config.check_host && !names_host(request.header(header::HOST), &config.domain) {
        return html_error(404);
    }

    // Routes: the early module has only `POST /rest`; the late one also
    // `POST /rest/*` and `GET /rest/*`.
    let sub_path = match request.path.strip_prefix("/rest") {
        Some("") => None,
        Some(rest) if rest.starts_with('/') && !legacy => Some(&rest[1..]),
        _ => return error_response(shared, request.headers, Failure::Status(404), None),
    };
    let route_ok = matches!((request.method, sub_path), ("POST", _) | ("GET", Some(_)));
    if !route_ok {
        return error_response(shared, request.headers, Failure::Status(404), None);
    }

    let from = match authenticate(shared, request) {
        Ok(jid) => jid,
        Err((failure, challenge)) => {
            return error_response(shared, request.headers, failure, challenge);
        }
    };

    if !legacy && request.body.len() > config.size_limit {
        return error_response(shared, request.headers, SIZE.into(), None);
    }

    let result = match (request.method, sub_path) {
        ("GET", Some(path)) => parse_get(path, request.query),
        _ => parse_post(request, sub_path, legacy),
    };
    let stanza = match result.and_then(|parsed| check(shared, parsed, &from)) {
        Ok(stanza) => stanza,
        Err(failure) => return error_response(shared, request.headers, failure, None),
    };

    let accept = request.header(header::ACCEPT).unwrap_or_default();
    let content_type = request.header(header::CONTENT_TYPE).unwrap_or_default();
    let format = decide_format(&format!("{accept},{content_type}"));

    match stanza {
        Stanza::Iq(iq) => answer_iq(shared, request, iq, &from, format).await,
        other => {
            record(shared, other);
            let reply = shared.state().send_replies.pop_front();
            match reply {
                Some(reply) => body_response(StatusCode::OK, format, format.encode(&reply)),
                None => StatusCode::ACCEPTED.into_response(),
            }
        }
    }
}

/// Whether a `Host` header names `domain`, as Prosody compares them: the port
/// cut off, the case ignored.
fn names_host(host: Option<&str>, domain: &str) -> bool {
    let Some(host) = host else {
        return false;
    };
    let name = match host.rsplit_once(':') {
        Some((name, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    };
    name.eq_ignore_ascii_case(domain)
}

/// The authenticated JID, or the failure with the challenge to send.
fn authenticate(shared: &Shared, request: &Incoming<'_>) -> Result<Jid, (Failure, Option<String>)> {
    let config = &shared.config;
    let authorization = request.header(header::AUTHORIZATION);
    if let Some(credential) = &config.legacy {
        return match authorization {
            None => Err((
                Failure::Status(401),
                Some(format!("Bearer realm=\"{}/rest\"", config.domain)),
            )),
            Some(value) if value == credential => Ok(Jid::from(config.domain_jid.clone())),
            Some(_) => Err((Failure::Status(401), None)),
        };
    }
    let Some(value) = authorization else {
        let realm = format!("{}/rest", config.domain);
        return Err((
            NOAUTHZ.into(),
            Some(format!("Bearer realm=\"{realm}\", Basic realm=\"{realm}\"")),
        ));
    };
    let Some((scheme, data)) = value.split_once(' ') else {
        return Err((NOAUTHZ.into(), None));
    };
    let data = data.trim();
    if scheme.eq_ignore_ascii_case("bearer") {
        return config
            .tokens
            .iter()
            .find(|(token, _)| token == data)
            .map(|(_, jid)| jid.clone())
            .ok_or((UNAUTHZ.into(), None));
    }
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err((NOAUTHZ.into(), None));
    }
    let Some(decoded) =
        crate::encoding::base64_decode(data).and_then(|b| String::from_utf8(b).ok())
    else {
        return Err((MALFORMAUTHZ.into(), None));
    };
    let Some((user, password)) = decoded.split_once(':').filter(|(u, _)| !u.is_empty()) else {
        return Err((MALFORMAUTHZ.into(), None));
    };
    let Ok(jid) = BareJid::new(&format!("{user}@{}", config.domain)) else {
        return Err((PREPAUTHZ.into(), None));
    };
    // nodeprep refuses what a local part cannot hold, such as a whole JID.
    if user.contains('@') || user.contains('/') {
        return Err((PREPAUTHZ.into(), None));
    }
    let known = config
        .users
        .iter()
        .any(|(u, p)| u.eq_ignore_ascii_case(user) && p == password);
    if known {
        Ok(Jid::from(jid))
    } else {
        Err((UNAUTHZ.into(), None))
    }
}

/// What the request says before the checks: the top element's name and
/// namespace, its raw addresses and type, its number of child elements, and
/// the decoded stanza (`None` when only the raw form was seen).
struct Parsed {
    name: String,
    xmlns: Option<String>,
    to: Option<String>,
    from: Option<String>,
    type_: Option<String>,
    children: usize,
    stanza: Stanza,
}

/// `GET /rest/{query}/{to}[?node=...]`: an iq-get built like mod_rest does.
fn parse_get(path: &str, query: Option<&str>) -> Result<Parsed, Failure> {
    let Some((name, to)) = path.split_once('/') else {
        return Err(PARSE.into());
    };
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Err(PARSE.into());
    }
    let node = query.and_then(|q| {
        q.split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(k, _)| *k == "node")
            .map(|(_, v)| crate::encoding::percent_decode(&v.replace('+', " ")))
    });
    let payload = match name {
        "ping" => Some(Ping.to_element()),
        "version" => Some(Version::default().to_element()),
        "disco" => Some(with_node(
            DiscoInfo::default().to_element(),
            node.as_deref(),
        )),
        "items" => Some(with_node(
            DiscoItems::default().to_element(),
            node.as_deref(),
        )),
        "lastactivity" => Some(Element::new("query", "jabber:iq:last")),
        "stats" => Some(Element::new("query", "http://jabber.org/protocol/stats")),
        "extdisco" => Some(Element::new("services", "urn:xmpp:extdisco:2")),
        "archive" => Some(Element::new("query", "urn:xmpp:mam:2")),
        "oob" => Some(Element::new("query", "jabber:iq:oob")),
        // mod_rest drops keys it does not map: an iq without a child.
        _ => None,
    };
    let children = usize::from(payload.is_some());
    let to = (!to.is_empty()).then(|| to.to_owned());
    let mut iq = Iq::new(IqType::Get, payload);
    if let Some(to) = &to {
        iq.to = to.parse().ok();
    }
    Ok(Parsed {
        name: "iq".to_owned(),
        xmlns: None,
        to,
        from: None,
        type_: Some("get".to_owned()),
        children,
        stanza: Stanza::Iq(iq),
    })
}

fn with_node(mut el: Element, node: Option<&str>) -> Element {
    if let Some(node) = node {
        el.set_attr("node", node);
    }
    el
}

/// `POST /rest` and `POST /rest/{kind}/{type}/{to}`.
fn parse_post(
    request: &Incoming<'_>,
    sub_path: Option<&str>,
    legacy: bool,
) -> Result<Parsed, Failure> {
    let content_type = request.header(header::CONTENT_TYPE).unwrap_or_default();
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let path = match sub_path {
        Some(path) => Some(parse_path(path).ok_or(Failure::from(PARSE))?),
        None => None,
    };
    let limits = Limits::default().max_bytes(MAX_READ);
    match essence.as_str() {
        "application/xmpp+xml" => parse_xml(request.body, &limits, legacy),
        "application/json" => parse_json(request.body, path.as_ref(), &limits),
        "text/plain" => {
            let text =
                String::from_utf8(request.body.to_vec()).map_err(|_| Failure::from(PARSE))?;
            parse_text(text, path.as_ref())
        }
        _ => Err(MEDIATYPE.into()),
    }
}

/// `{kind}/{type}/{to}` of a POST path.
struct PathParts {
    kind: String,
    type_: String,
    to: Option<String>,
}

fn parse_path(path: &str) -> Option<PathParts> {
    let mut parts = path.splitn(3, '/');
    let kind = parts.next()?;
    let type_ = parts.next()?;
    let to = parts.next()?;
    let word = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !word(kind) || !word(type_) || !matches!(kind.as_bytes().first(), Some(b'm' | b'p' | b'i')) {
        return None;
    }
    Some(PathParts {
        kind: kind.to_owned(),
        type_: type_.to_owned(),
        to: (!to.is_empty()).then(|| to.to_owned()),
    })
}

fn parse_xml(body: &[u8], limits: &Limits, legacy: bool) -> Result<Parsed, Failure> {
    let top = scan_xml(body).ok_or(Failure::from(PARSE))?;
    // The late module accepts `jabber:client`; the early one no xmlns at all.
    let bad_ns = match top.xmlns.as_deref() {
        None => false,
        Some(ns::CLIENT) => legacy,
        Some(_) => true,
    };
    if bad_ns {
        return Err(XMLNS.into());
    }
    if StanzaKind::from_name(&top.name).is_none() {
        return Err(NAME.into());
    }
    // Checked here, before decoding, so that mod_rest's 422 wins over the
    // model's own validation.
    check_addresses(top.to.as_deref(), top.from.as_deref())?;
    if top.name == "iq" {
        check_iq_shape(top.type_.as_deref(), top.children)?;
    }
    let stanza = WireFormat::Xml
        .decode(body, limits)
        .map_err(|_| Failure::from(PARSE))?;
    Ok(Parsed { stanza, ..top })
}

/// The top element of an XML body, read without the model.
fn scan_xml(body: &[u8]) -> Option<Parsed> {
    let text = std::str::from_utf8(body).ok()?;
    let mut reader = NsReader::from_str(text);
    let mut top: Option<Parsed> = None;
    let mut depth = 0usize;
    loop {
        let (resolved, event) = reader.read_resolved_event().ok()?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let is_start = matches!(event, Event::Start(_));
                if depth == 0 {
                    if top.is_some() {
                        return None;
                    }
                    let xmlns = match resolved {
                        ResolveResult::Bound(n) => {
                            Some(String::from_utf8_lossy(n.as_ref()).into_owned())
                        }
                        _ => None,
                    };
                    let attr = |name: &[u8]| {
                        e.attributes()
                            .flatten()
                            .find(|a| a.key.as_ref() == name)
                            .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()))
                    };
                    top = Some(Parsed {
                        name: String::from_utf8_lossy(e.local_name().as_ref()).into_owned(),
                        xmlns,
                        to: attr(b"to"),
                        from: attr(b"from"),
                        type_: attr(b"type"),
                        children: 0,
                        stanza: Stanza::Message(Message::default()),
                    });
                } else if depth == 1
                    && let Some(top) = top.as_mut()
                {
                    top.children += 1;
                }
                if is_start {
                    depth += 1;
                }
            }
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::DocType(_) => return None,
            Event::Eof => return top,
            _ => {}
        }
    }
}

fn parse_json(body: &[u8], path: Option<&PathParts>, limits: &Limits) -> Result<Parsed, Failure> {
    let mut value: serde_json::Value =
        serde_json::from_slice(body).map_err(|_| Failure::from(PARSE))?;
    let Some(object) = value.as_object_mut() else {
        return Err(PARSE.into());
    };
    if let Some(path) = path {
        object.insert("kind".into(), path.kind.clone().into());
        object.insert("type".into(), path.type_.clone().into());
        if let Some(to) = &path.to {
            object.insert("to".into(), to.clone().into());
        }
    }
    let field = |name: &str| object.get(name).and_then(|v| v.as_str()).map(str::to_owned);
    let name = field("kind").unwrap_or_else(|| "message".to_owned());
    let (to, from, type_) = (field("to"), field("from"), field("type"));
    if StanzaKind::from_name(&name).is_none() {
        return Err(NAME.into());
    }
    check_addresses(to.as_deref(), from.as_deref())?;
    if name == "iq" && !matches!(type_.as_deref(), Some("get" | "set")) {
        return Err(IQ_TYPE.into());
    }
    let bytes = serde_json::to_vec(&value).map_err(|_| Failure::from(PARSE))?;
    let stanza = WireFormat::Json
        .decode(&bytes, limits)
        .map_err(|_| Failure::from(PARSE))?;
    let children = match &stanza {
        Stanza::Iq(iq) => usize::from(iq.payload.is_some()) + iq.extensions.len(),
        _ => 0,
    };
    Ok(Parsed {
        name,
        xmlns: None,
        to,
        from,
        type_,
        children,
        stanza,
    })
}

fn parse_text(text: String, path: Option<&PathParts>) -> Result<Parsed, Failure> {
    let Some(path) = path else {
        // `text/plain` on `/rest`: a chat message without a recipient.
        return Ok(Parsed {
            name: "message".to_owned(),
            xmlns: None,
            to: None,
            from: None,
            type_: Some("chat".to_owned()),
            children: 1,
            stanza: Stanza::Message(Message::new(MessageType::Chat).with_body(text)),
        });
    };
    check_addresses(path.to.as_deref(), None)?;
    let to = path.to.as_deref().and_then(|t| t.parse::<Jid>().ok());
    let stanza = match path.kind.as_str() {
        "message" => {
            let type_ = path
                .type_
                .parse::<MessageType>()
                .map_err(|_| Failure::from(PARSE))?;
            let mut message = Message::new(type_).with_body(text);
            message.to = to;
            Stanza::Message(message)
        }
        "presence" => {
            let show = crate::stanza::Show::from_name(text.trim()).ok_or(Failure::from(PARSE))?;
            let mut presence = Presence::available().with_show(show);
            presence.to = to;
            Stanza::Presence(presence)
        }
        _ => return Err(PARSE.into()),
    };
    Ok(Parsed {
        name: path.kind.clone(),
        xmlns: None,
        to: path.to.clone(),
        from: None,
        type_: Some(path.type_.clone()),
        children: 1,
        stanza,
    })
}

fn check_addresses(to: Option<&str>, from: Option<&str>) -> Result<(), Failure> {
    if to.is_some_and(|t| t.parse::<Jid>().is_err()) {
        return Err(TO.into());
    }
    if from.is_some_and(|f| f.parse::<Jid>().is_err()) {
        return Err(FROM.into());
    }
    Ok(())
}

fn check_iq_shape(type_: Option<&str>, children: usize) -> Result<(), Failure> {
    if !matches!(type_, Some("get" | "set")) {
        return Err(IQ_TYPE.into());
    }
    if children != 1 {
        return Err(IQ_TAGS.into());
    }
    Ok(())
}

/// The checks that need the authenticated JID, and the addressing Prosody
/// applies: `from` = the sender, a generated `id` when there is none.
fn check(shared: &Shared, parsed: Parsed, authenticated: &Jid) -> Result<Stanza, Failure> {
    let config = &shared.config;
    let legacy = config.legacy.is_some();
    if legacy && parsed.to.is_none() {
        return Err(TO.into());
    }
    let from = match parsed.from.as_deref().map(str::parse::<Jid>) {
        None => authenticated.clone(),
        Some(Err(_)) => return Err(FROM.into()),
        Some(Ok(requested)) => {
            let allowed = if legacy {
                requested.domain() == config.domain_jid.domain()
            } else {
                jid_matches(&requested, authenticated)
            };
            if !allowed {
                return Err(if legacy { LEGACY_FROM } else { FROM_AUTH }.into());
            }
            requested
        }
    };
    if parsed.name == "iq" {
        check_iq_shape(parsed.type_.as_deref(), parsed.children)?;
    }
    let id = format!("mock-{}", shared.ids.fetch_add(1, Ordering::Relaxed) + 1);
    let mut stanza = parsed.stanza;
    match &mut stanza {
        Stanza::Message(m) => {
            m.from = Some(from);
            m.id.get_or_insert(id);
        }
        Stanza::Presence(p) => {
            p.from = Some(from);
            p.id.get_or_insert(id);
        }
        Stanza::Iq(iq) => {
            iq.from = Some(from);
            iq.id.get_or_insert(id);
        }
    }
    Ok(stanza)
}

/// Prosody's `jid.compare(requested, authenticated)`: same account, and the
/// same resource when the authenticated JID has one.
fn jid_matches(requested: &Jid, authenticated: &Jid) -> bool {
    requested.node() == authenticated.node()
        && requested.domain() == authenticated.domain()
        && (authenticated.resource().is_none() || requested.resource() == authenticated.resource())
}

fn record(shared: &Shared, stanza: Stanza) {
    shared.state().sent.push(stanza);
    shared.notify.notify_waiters();
}

async fn answer_iq(
    shared: &Shared,
    request: &Incoming<'_>,
    iq: Iq,
    from: &Jid,
    format: WireFormat,
) -> Response {
    record(shared, Stanza::Iq(iq.clone()));
    let legacy = shared.config.legacy.is_some();
    let wait = if legacy {
        DEFAULT_IQ_TIMEOUT
    } else {
        request
            .headers
            .get("prosody-rest-timeout")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|secs| secs.is_finite() && *secs >= 0.0)
            .unwrap_or(DEFAULT_IQ_TIMEOUT)
            .min(MAX_IQ_TIMEOUT)
    };
    let wait = Duration::from_secs_f64(wait);

    let (delay, replies) = {
        let mut state = shared.state();
        let canned = state.iq_replies.pop_front();
        let responder = state
            .responders
            .iter()
            .rev()
            .find(|(ns, _)| iq.payload_ns() == Some(ns.as_str()))
            .map(|(_, r)| r.clone());
        (state.iq_delay, (canned, responder))
    };
    let replies = match replies {
        (Some(canned), _) => canned,
        (None, Some(responder)) => responder(&iq),
        (None, None) => default_reply(&iq),
    };

    let Some(last_iq) = replies.iter().rposition(|s| matches!(s, Stanza::Iq(_))) else {
        // Never answered: mod_rest gives up after the wait.
        tokio::time::sleep(wait).await;
        return error_response(shared, request.headers, IQ_TIMEOUT.into(), None);
    };
    if delay > wait {
        tokio::time::sleep(wait).await;
        return error_response(shared, request.headers, IQ_TIMEOUT.into(), None);
    }
    tokio::time::sleep(delay).await;

    let mut replies: Vec<Stanza> = replies.into_iter().take(last_iq + 1).collect();
    for (i, stanza) in replies.iter_mut().enumerate() {
        match stanza {
            Stanza::Iq(reply) if i == last_iq => {
                reply.id.clone_from(&iq.id);
                reply.from = Some(iq.to.clone().unwrap_or_else(|| Jid::from(from.to_bare())));
                reply.to = Some(from.clone());
                if reply.type_.is_request() {
                    reply.type_ = IqType::Result;
                }
            }
            Stanza::Message(m) => {
                m.to.get_or_insert_with(|| from.clone());
            }
            Stanza::Presence(p) => {
                p.to.get_or_insert_with(|| from.clone());
            }
            Stanza::Iq(other) => {
                other.to.get_or_insert_with(|| from.clone());
            }
        }
    }
    // The early module returns the iq alone.
    if legacy || replies.len() == 1 {
        let Some(last) = replies.pop() else {
            return error_response(shared, request.headers, IQ_TIMEOUT.into(), None);
        };
        return body_response(StatusCode::OK, format, format.encode(&last));
    }
    body_response(StatusCode::OK, format, encode_wrapper(format, &replies))
}

/// The built-in answers: ping, version, disco#info, disco#items; anything else
/// is `service-unavailable`.
fn default_reply(iq: &Iq) -> Vec<Stanza> {
    let reply = match iq.payload_ns() {
        Some(ns::PING) => iq.result(None::<Ping>),
        Some(ns::VERSION) => iq.result(Some(Version::new("Prosody", "0.12.3").with_os("Linux"))),
        Some(ns::DISCO_INFO) => {
            let info = match iq.payload.as_ref().and_then(|p| p.attr("node")) {
                Some(node) => DiscoInfo::for_node(node),
                None => DiscoInfo::new(),
            };
            iq.result(Some(
                info.with_identity(Identity::new("server", "im").with_name("Prosody"))
                    .with_features([ns::DISCO_INFO, ns::DISCO_ITEMS, ns::PING, ns::VERSION]),
            ))
        }
        Some(ns::DISCO_ITEMS) => iq.result(Some(
            match iq.payload.as_ref().and_then(|p| p.attr("node")) {
                Some(node) => DiscoItems::for_node(node),
                None => DiscoItems::new(),
            },
        )),
        _ => iq.error_reply(Condition::ServiceUnavailable),
    };
    vec![Stanza::Iq(reply)]
}

/// Several stanzas: `<xmpp>...</xmpp>` or `{"xmpp": [...]}`.
fn encode_wrapper(format: WireFormat, stanzas: &[Stanza]) -> Vec<u8> {
    match format {
        WireFormat::Json => {
            let items: Vec<serde_json::Value> =
                stanzas.iter().map(crate::wire::json::to_value).collect();
            serde_json::to_vec(&serde_json::json!({ "xmpp": items })).unwrap_or_default()
        }
        _ => {
            let mut out = b"<xmpp>".to_vec();
            for stanza in stanzas {
                out.extend_from_slice(&WireFormat::Xml.encode(stanza));
            }
            out.extend_from_slice(b"</xmpp>");
            out
        }
    }
}

/// mod_rest's `decide_type`: of the formats, the one named earliest in `accept`
/// (XML when none is).
fn decide_format(accept: &str) -> WireFormat {
    let xml = accept
        .find(WireFormat::Xml.content_type())
        .unwrap_or(usize::MAX);
    let json = accept
        .find(WireFormat::Json.content_type())
        .unwrap_or(usize::MAX);
    if json < xml {
        WireFormat::Json
    } else {
        WireFormat::Xml
    }
}

fn body_response(status: StatusCode, format: WireFormat, body: Vec<u8>) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static(format.content_type()),
        )],
        body,
    )
        .into_response()
}

/// An error answer in the format the module would use.
fn error_response(
    shared: &Shared,
    headers: &HeaderMap,
    failure: Failure,
    challenge: Option<String>,
) -> Response {
    let (status, body, content_type) = if shared.config.legacy.is_some() {
        // The early module turns every HTTP error of the server into JSON.
        let body = match failure {
            Failure::Status(status) => serde_json::json!({ "type": "error", "code": status }),
            // Its own errors carry a code and a text only; Prosody's (the iq
            // timeout) keep their type and condition.
            Failure::Rest(e) if e.condition == IQ_TIMEOUT.condition => serde_json::json!({
                "type": "error",
                "error": { "type": e.type_, "condition": e.condition, "text": e.text },
                "code": e.status,
            }),
            Failure::Rest(e) => serde_json::json!({
                "type": "error",
                "error": { "type": "cancel", "condition": "undefined-condition", "text": e.text, "code": e.status },
                "code": e.status,
            }),
        };
        let status = match failure {
            Failure::Status(s) => s,
            Failure::Rest(e) => e.status,
        };
        (
            status,
            serde_json::to_vec(&body).unwrap_or_default(),
            "application/json",
        )
    } else {
        let accept = headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let status = match failure {
            Failure::Status(s) => s,
            Failure::Rest(e) => e.status,
        };
        let error = match failure {
            Failure::Rest(e) => Some(e),
            Failure::Status(_) => None,
        };
        match decide_error_type(accept) {
            ErrorBody::Json => {
                let body = serde_json::json!({
                    "type": "error",
                    "error": error.map(|e| serde_json::json!({
                        "type": e.type_, "condition": e.condition, "text": e.text,
                        "code": e.status, "source": "mod_rest",
                    })),
                    "code": status,
                });
                (
                    status,
                    serde_json::to_vec(&body).unwrap_or_default(),
                    "application/json",
                )
            }
            ErrorBody::Xml => {
                let mut body = String::from("<error xmlns='http://etherx.jabber.org/streams'>");
                if let Some(e) = error {
                    body.push_str(&format!(
                        "<{} xmlns='urn:ietf:params:xml:ns:xmpp-streams'/><text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>{}</text>",
                        e.condition,
                        xml_escape(e.text)
                    ));
                }
                body.push_str("</error>");
                (status, body.into_bytes(), "application/xmpp+xml")
            }
            ErrorBody::Html => (
                status,
                html_page(status).into_bytes(),
                "text/html; charset=utf-8",
            ),
        }
    };
    let mut response = (
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
        Body::from(body),
    )
        .into_response();
    if let Some(challenge) = challenge.and_then(|c| HeaderValue::from_str(&c).ok()) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, challenge);
    }
    response
}

enum ErrorBody {
    Html,
    Xml,
    Json,
}

/// mod_rest's error format: of HTML, XML and JSON, the one named earliest in
/// `Accept`, HTML when none is.
fn decide_error_type(accept: &str) -> ErrorBody {
    let pos = |t: &str| accept.find(t).unwrap_or(usize::MAX);
    let (html, xml, json) = (
        pos("text/html"),
        pos(WireFormat::Xml.content_type()),
        pos(WireFormat::Json.content_type()),
    );
    if xml < html && xml <= json {
        ErrorBody::Xml
    } else if json < html && json < xml {
        ErrorBody::Json
    } else {
        ErrorBody::Html
    }
}

fn html_error(status: u16) -> Response {
    (
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        html_page(status),
    )
        .into_response()
}

fn html_page(status: u16) -> String {
    let reason = StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Error");
    format!(
        "<!DOCTYPE html>\n<html>\n<head><meta charset=\"utf-8\"><title>{reason}</title></head>\n<body><h1>{reason}</h1><p>That's all I know.</p></body>\n</html>\n"
    )
}

fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\'' => out.push_str("&apos;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_host_header_names_the_domain_without_its_port() {
        assert!(names_host(Some("example.net"), "example.net"));
        assert!(names_host(Some("Example.NET:5280"), "example.net"));
        assert!(!names_host(Some("127.0.0.1:5280"), "example.net"));
        assert!(!names_host(Some("example.net.evil"), "example.net"));
        assert!(!names_host(None, "example.net"));
    }

    #[test]
    fn formats_are_decided_like_mod_rest() {
        assert!(matches!(decide_format(""), WireFormat::Xml));
        assert!(matches!(
            decide_format("application/json,application/xmpp+xml"),
            WireFormat::Json
        ));
        assert!(matches!(
            decide_format(",application/json"),
            WireFormat::Json
        ));
        assert!(matches!(decide_error_type(""), ErrorBody::Html));
        assert!(matches!(
            decide_error_type("application/json"),
            ErrorBody::Json
        ));
        assert!(matches!(
            decide_error_type("application/xmpp+xml"),
            ErrorBody::Xml
        ));
        assert!(matches!(
            decide_error_type("text/html, application/json"),
            ErrorBody::Html
        ));
    }

    #[test]
    fn top_element_is_scanned_without_the_model() {
        let top = scan_xml(
            b"<iq type='get' to='a@b' xmlns='jabber:server'><ping xmlns='urn:xmpp:ping'/><x/></iq>",
        )
        .unwrap();
        assert_eq!(top.name, "iq");
        assert_eq!(top.xmlns.as_deref(), Some("jabber:server"));
        assert_eq!(top.to.as_deref(), Some("a@b"));
        assert_eq!(top.type_.as_deref(), Some("get"));
        assert_eq!(top.children, 2);
        assert!(scan_xml(b"<message/><message/>").is_none());
        assert!(scan_xml(b"<!DOCTYPE x><message/>").is_none());
        assert!(scan_xml(b"<message>").is_some());
    }
}
