//! The axum service: probe, content negotiation, limits, authentication.
//!
//! Answers to requests mod_rest would never send (wrong method, unknown
//! content type, malformed or oversized body) are `text/plain`: mod_rest would
//! turn a text/plain body into a chat message, but these answers only reach
//! whatever else sent the request.

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::rejection::{BytesRejection, FailedToBufferBody};
use axum::extract::{DefaultBodyLimit, FromRequest, Request};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tracing::Instrument;

use super::Config;
use super::dispatch::{Answer, dispatch};
use crate::extract::Incoming;
use crate::handler::Route;
use crate::wire::WireFormat;

/// Everything the webhook needs, shared by all requests.
pub(crate) struct Webhook {
    pub(crate) routes: Vec<Route>,
    pub(crate) config: Config,
}

pub(crate) fn router(webhook: Arc<Webhook>) -> Router {
    let limit = webhook.config.limits.bytes();
    let handler = move |request: Request| {
        let webhook = Arc::clone(&webhook);
        async move { webhook.handle(request).await }
    };
    // Every path: the callback URL may carry placeholders.
    Router::new()
        .fallback(handler)
        .layer(DefaultBodyLimit::max(limit))
}

impl Webhook {
    async fn handle(&self, request: Request) -> Response {
        if let Err(denied) = self
            .config
            .auth
            .check(request.uri().path(), request.headers())
        {
            return denied;
        }
        match *request.method() {
            Method::POST => self.post(request).await,
            Method::OPTIONS => self.probe(),
            _ => {
                let mut response = plain(
                    StatusCode::METHOD_NOT_ALLOWED,
                    format!(
                        "method {} not allowed: mod_rest posts stanzas with POST",
                        request.method()
                    ),
                );
                response
                    .headers_mut()
                    .insert(header::ALLOW, HeaderValue::from_static("POST, OPTIONS"));
                response
            }
        }
    }

    /// mod_rest's startup probe: the `Accept` header selects the format it
    /// posts in.
    fn probe(&self) -> Response {
        tracing::debug!(format = %self.config.format, "answering the startup probe");
        let accept = HeaderValue::from_static(self.config.format.content_type());
        (
            StatusCode::OK,
            [
                (header::ACCEPT, accept),
                (header::ALLOW, HeaderValue::from_static("POST, OPTIONS")),
            ],
        )
            .into_response()
    }

    async fn post(&self, request: Request) -> Response {
        let format = match request_format(request.headers()) {
            Ok(format) => format,
            Err(response) => return response,
        };
        let limit = self.config.limits.bytes();
        if content_length(request.headers()).is_some_and(|n| n > limit) {
            return too_large(limit);
        }
        let headers = request.headers().clone();
        let bytes = match Bytes::from_request(request, &()).await {
            Ok(bytes) => bytes,
            Err(BytesRejection::FailedToBufferBody(FailedToBufferBody::LengthLimitError(_))) => {
                return too_large(limit);
            }
            Err(e) => {
                return plain(
                    StatusCode::BAD_REQUEST,
                    format!("cannot read the request body: {e}"),
                );
            }
        };
        let stanza = match format.decode(&bytes, &self.config.limits) {
            Ok(stanza) => stanza,
            Err(e) => {
                let status = if e.is_limit() {
                    StatusCode::PAYLOAD_TOO_LARGE
                } else if e.is_invalid() {
                    StatusCode::UNPROCESSABLE_ENTITY
                } else {
                    StatusCode::BAD_REQUEST
                };
                tracing::debug!(%status, error = %e, "request body rejected");
                return plain(status, e.to_string());
            }
        };
        let span = tracing::info_span!(
            "stanza",
            kind = %stanza.kind(),
            r#type = stanza.type_str(),
            id = stanza.id().unwrap_or_default(),
            from = %stanza.from().map(|j| j.as_str()).unwrap_or_default(),
        );
        let incoming = Incoming::new(stanza)
            .with_headers(headers)
            .with_format(format);
        let answer = dispatch(&self.routes, &self.config, incoming)
            .instrument(span.clone())
            .await;
        span.in_scope(|| tracing::debug!(status = answer.status.as_u16(), "answered"));
        answer_response(answer, format)
    }
}

/// The format of a post from its `Content-Type`; 415 for anything else.
#[allow(clippy::result_large_err)]
fn request_format(headers: &HeaderMap) -> Result<WireFormat, Response> {
    let unsupported = |what: String| {
        Err(plain(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("{what}: expected application/xmpp+xml or application/json"),
        ))
    };
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return unsupported("missing content type".to_owned());
    };
    let Ok(value) = value.to_str() else {
        return unsupported("unreadable content type".to_owned());
    };
    let Some(format) = WireFormat::from_content_type(value) else {
        return unsupported(format!("unsupported content type {value:?}"));
    };
    for param in value.split(';').skip(1) {
        if let Some((name, charset)) = param.split_once('=') {
            let charset = charset.trim().trim_matches('"');
            if name.trim().eq_ignore_ascii_case("charset")
                && !charset.eq_ignore_ascii_case("utf-8")
                && !charset.eq_ignore_ascii_case("utf8")
            {
                return unsupported(format!("unsupported charset {charset:?} (only utf-8)"));
            }
        }
    }
    Ok(format)
}

fn content_length(headers: &HeaderMap) -> Option<usize> {
    headers
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

fn too_large(limit: usize) -> Response {
    plain(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("request body is over the limit of {limit} bytes"),
    )
}

fn plain(status: StatusCode, message: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        message,
    )
        .into_response()
}

fn answer_response(answer: Answer, format: WireFormat) -> Response {
    match answer.stanza {
        None => answer.status.into_response(),
        Some(stanza) => (
            answer.status,
            [(header::CONTENT_TYPE, format.content_type())],
            Body::from(format.encode(&stanza)),
        )
            .into_response(),
    }
}
