//! How the emulator answers a request: mod_rest's checks, in mod_rest's order.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::auth::authenticate;
use super::failure::{FROM, FROM_AUTH, Failure, LEGACY_FROM, SIZE, TO, error_response, html_error};
use super::iq::answer_iq;
use super::parse::{Parsed, check_iq_shape, parse_get, parse_post};
use super::{RecordedRequest, Shared};
use crate::stanza::{Jid, Stanza};
use crate::testing::addressing::Addressing;
use crate::wire::WireFormat;

/// The most the emulator reads of a body (Prosody's own HTTP limit is 10 MiB).
pub(super) const MAX_READ: usize = 16 * 1024 * 1024;

pub(super) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .fallback(handle)
        .layer(DefaultBodyLimit::disable())
        .with_state(shared)
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

pub(super) struct Incoming<'a> {
    pub(super) method: &'a str,
    pub(super) path: &'a str,
    pub(super) query: Option<&'a str>,
    pub(super) headers: &'a HeaderMap,
    pub(super) body: &'a [u8],
}

impl Incoming<'_> {
    pub(super) fn header(&self, name: header::HeaderName) -> Option<&str> {
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
    let addressing = Addressing::of(&mut stanza);
    *addressing.from = Some(from);
    addressing.id.get_or_insert(id);
    Ok(stanza)
}

/// Prosody's `jid.compare(requested, authenticated)`: same account, and the
/// same resource when the authenticated JID has one.
fn jid_matches(requested: &Jid, authenticated: &Jid) -> bool {
    requested.node() == authenticated.node()
        && requested.domain() == authenticated.domain()
        && (authenticated.resource().is_none() || requested.resource() == authenticated.resource())
}

pub(super) fn record(shared: &Shared, stanza: Stanza) {
    shared.state().sent.push(stanza);
    shared.notify.notify_waiters();
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

pub(super) fn body_response(status: StatusCode, format: WireFormat, body: Vec<u8>) -> Response {
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
    }
}
