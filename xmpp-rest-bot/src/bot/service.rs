//! The axum service: probe, content negotiation, limits, authentication,
//! load shedding, metrics.
//!
//! Answers to requests mod_rest would never send (wrong method, unknown
//! content type, malformed or oversized body) are `text/plain`: mod_rest would
//! turn a text/plain body into a chat message, but these answers only reach
//! whatever else sent the request.

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::rejection::{BytesRejection, FailedToBufferBody};
use axum::extract::{DefaultBodyLimit, FromRequest, Request};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tokio::sync::Semaphore;
use tracing::Instrument;

use super::Config;
use super::dispatch::{Answer, dispatch};
use super::metrics::{Kind, Metrics, Outcome};
use crate::extract::Incoming;
use crate::handler::Route;
use crate::wire::WireFormat;

/// Everything the webhook needs, shared by all requests.
pub(crate) struct Webhook {
    routes: Vec<Route>,
    config: Config,
    permits: Arc<Semaphore>,
}

impl Webhook {
    pub(crate) fn new(routes: Vec<Route>, config: Config) -> Self {
        let permits = config.max_concurrency.0.min(Semaphore::MAX_PERMITS);
        Webhook {
            routes,
            config,
            permits: Arc::new(Semaphore::new(permits)),
        }
    }

    fn metrics(&self) -> &Metrics {
        &self.config.shared.metrics
    }
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
        if request.method() == Method::GET
            && self
                .config
                .metrics_path
                .as_deref()
                .is_some_and(|path| path == request.uri().path())
        {
            return (
                [(header::CONTENT_TYPE, Metrics::CONTENT_TYPE)],
                self.metrics().render(),
            )
                .into_response();
        }
        let started = Instant::now();
        let _in_flight = self.metrics().in_flight();
        let (response, kind, outcome) = self.answer(request).await;
        self.metrics().record(kind, outcome, started.elapsed());
        response
    }

    /// The answer to a request, with its labels for the metrics.
    async fn answer(&self, request: Request) -> (Response, Kind, Outcome) {
        if let Err(denied) = self
            .config
            .auth
            .check(request.uri().path(), request.headers())
        {
            return (denied, Kind::None, Outcome::Unauthorized);
        }
        match *request.method() {
            Method::POST => {
                // Shed load before reading anything: a saturated bot answers
                // at once instead of queueing requests up.
                let Ok(_permit) = Arc::clone(&self.permits).try_acquire_owned() else {
                    tracing::warn!(
                        limit = self.config.max_concurrency.0,
                        "too many requests in flight: answering 503"
                    );
                    let response = (
                        StatusCode::SERVICE_UNAVAILABLE,
                        [(header::RETRY_AFTER, "1")],
                    )
                        .into_response();
                    return (response, Kind::None, Outcome::Shed);
                };
                self.post(request).await
            }
            Method::OPTIONS => (self.probe(), Kind::None, Outcome::Probe),
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
                (response, Kind::None, Outcome::Rejected)
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

    async fn post(&self, request: Request) -> (Response, Kind, Outcome) {
        let rejected = |response| (response, Kind::None, Outcome::Rejected);
        let format = match request_format(request.headers()) {
            Ok(format) => format,
            Err(response) => return rejected(response),
        };
        let limit = self.config.limits.bytes();
        if content_length(request.headers()).is_some_and(|n| n > limit) {
            return rejected(too_large(limit));
        }
        let headers = request.headers().clone();
        let read_timeout = self.config.read_timeout.0;
        let read = tokio::time::timeout(read_timeout, Bytes::from_request(request, &()));
        let bytes = match read.await {
            Ok(Ok(bytes)) => bytes,
            Ok(Err(BytesRejection::FailedToBufferBody(FailedToBufferBody::LengthLimitError(
                _,
            )))) => {
                return rejected(too_large(limit));
            }
            Ok(Err(e)) => {
                return rejected(plain(
                    StatusCode::BAD_REQUEST,
                    format!("cannot read the request body: {e}"),
                ));
            }
            Err(_) => {
                tracing::debug!(?read_timeout, "request body not received in time");
                return rejected(plain(
                    StatusCode::REQUEST_TIMEOUT,
                    format!("request body not received within {read_timeout:?}"),
                ));
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
                return rejected(plain(status, e.to_string()));
            }
        };
        let kind = Kind::from(stanza.kind());
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
        let (answer, outcome) = dispatch(&self.routes, &self.config, incoming)
            .instrument(span.clone())
            .await;
        span.in_scope(|| tracing::debug!(status = answer.status.as_u16(), "answered"));
        (answer_response(answer, format), kind, outcome)
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
