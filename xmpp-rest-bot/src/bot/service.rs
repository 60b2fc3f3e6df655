//! The axum service: probe, content negotiation, limits, authentication,
//! load shedding, metrics.
//!
//! Answers to requests mod_rest would never send (wrong method, unknown
//! content type, malformed or oversized body) are `text/plain`: mod_rest would
//! turn a text/plain body into a chat message, but these answers only reach
//! whatever else sent the request.

use std::future::poll_fn;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tokio::sync::Semaphore;
use tracing::Instrument;

use super::Config;
use super::dispatch::{Answer, dispatch};
use super::metrics::{Kind, Metrics, RequestOutcome};
use crate::extract::Incoming;
use crate::handler::Route;
use crate::intercept::ErasedInterceptor;
use crate::wire::{WireFormat, json};

/// Everything the webhook needs, shared by all requests.
pub(crate) struct Webhook {
    routes: Vec<Route>,
    config: Config,
    /// The interceptors, built once.
    chain: Vec<Arc<dyn ErasedInterceptor>>,
    permits: Arc<Semaphore>,
}

impl Webhook {
    pub(crate) fn new(routes: Vec<Route>, config: Config) -> Self {
        if config.format == WireFormat::Json {
            super::early_2020::warn_at_startup(&routes, &config);
        }
        let permits = config.max_concurrency.0.min(Semaphore::MAX_PERMITS);
        Webhook {
            chain: config.chain(&routes),
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
    let handler = move |request: Request| {
        let webhook = Arc::clone(&webhook);
        async move { webhook.handle(request).await }
    };
    // Every path: the callback URL may carry placeholders. The body limit is
    // enforced while reading the body (`read_body`), not by a layer: a layer
    // costs a few allocations per request.
    Router::new().fallback(handler)
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
    async fn answer(&self, request: Request) -> (Response, Kind, RequestOutcome) {
        if let Err(denied) = self
            .config
            .auth
            .check(request.uri().path(), request.headers())
        {
            return (denied, Kind::None, RequestOutcome::Unauthorized);
        }
        match *request.method() {
            Method::POST => self.post(request).await,
            Method::OPTIONS => (self.probe(), Kind::None, RequestOutcome::Probe),
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
                (response, Kind::None, RequestOutcome::Rejected)
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

    async fn post(&self, request: Request) -> (Response, Kind, RequestOutcome) {
        let rejected = |response| (response, Kind::None, RequestOutcome::Rejected);
        let format = match request_format(request.headers()) {
            Ok(format) => format,
            Err(response) => return rejected(response),
        };
        let limit = self.config.limits.bytes();
        if content_length(request.headers()).is_some_and(|n| n > limit) {
            return rejected(too_large(limit));
        }
        let (parts, body) = request.into_parts();
        let read_timeout = self.config.read_timeout.0;
        let bytes = match tokio::time::timeout(read_timeout, read_body(body, limit)).await {
            Ok(Ok(bytes)) => bytes,
            Ok(Err(BodyError::TooLarge)) => return rejected(too_large(limit)),
            Ok(Err(BodyError::Read(e))) => {
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
        // A handler's place is taken once the body is here: clients still
        // sending theirs (slowly, or never) hold connections, bounded by the
        // connection limit and the read timeout, but never keep a complete
        // request from being handled. A saturated bot answers at once
        // instead of queueing requests up.
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
            return (response, Kind::None, RequestOutcome::Shed);
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
        // `handler` is filled in by `Route::call` when a handler takes the
        // stanza; it stays empty for built-in answers and unhandled stanzas.
        let span = tracing::info_span!(
            "stanza",
            kind = %stanza.kind(),
            r#type = stanza.type_str(),
            id = stanza.id().unwrap_or_default(),
            from = %stanza.from().map(|j| j.as_str()).unwrap_or_default(),
            handler = tracing::field::Empty,
        );
        let incoming = Incoming::new(stanza)
            .with_headers(parts.headers)
            .with_format(format);
        let started = Instant::now();
        let (answer, outcome) = dispatch(&self.routes, &self.config, &self.chain, incoming)
            .instrument(span.clone())
            .await;
        // The one line per stanza an operator reads (the span's fields name
        // the stanza and the handler).
        span.in_scope(|| {
            tracing::info!(
                status = answer.status.as_u16(),
                took = ?started.elapsed(),
                "answered"
            );
        });
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
    // What mod_rest sends, exactly: no parameters to look at.
    match value.as_bytes() {
        b"application/xmpp+xml" => return Ok(WireFormat::Xml),
        b"application/json" => return Ok(WireFormat::Json),
        _ => {}
    }
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

/// Why a request body could not be read.
enum BodyError {
    TooLarge,
    Read(axum::Error),
}

/// Reads the whole body, stopping as soon as it is over `limit` bytes.
///
/// A body that arrives in one frame (what a post of a stanza is) is kept as it
/// is, without a copy; only a body in several frames is gathered into a buffer.
async fn read_body(mut body: Body, limit: usize) -> Result<Bytes, BodyError> {
    let mut first: Option<Bytes> = None;
    let mut gathered: Vec<u8> = Vec::new();
    while let Some(frame) = poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        // Trailers carry no data.
        let Ok(data) = frame.map_err(BodyError::Read)?.into_data() else {
            continue;
        };
        let so_far = first.as_ref().map_or(0, Bytes::len) + gathered.len();
        if data.len() > limit.saturating_sub(so_far) {
            return Err(BodyError::TooLarge);
        }
        match first.take() {
            None if gathered.is_empty() => first = Some(data),
            None => gathered.extend_from_slice(&data),
            Some(earlier) => {
                gathered.reserve(earlier.len() + data.len());
                gathered.extend_from_slice(&earlier);
                gathered.extend_from_slice(&data);
            }
        }
    }
    Ok(first.unwrap_or_else(|| Bytes::from(gathered)))
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

/// The HTTP answer: the reply in the format of the request, except a reply
/// that JSON would not carry to the sender, which goes in XML (mod_rest reads
/// an answer by its own content type, whatever it posted in).
fn answer_response(answer: Answer, format: WireFormat) -> Response {
    let Some(stanza) = answer.stanza else {
        return answer.status.into_response();
    };
    let format = match format {
        WireFormat::Json => match json::reply_gap(&stanza) {
            Some(gap) => {
                tracing::debug!(%gap, "reply answered in XML: JSON would not carry it");
                WireFormat::Xml
            }
            None => WireFormat::Json,
        },
        other => other,
    };
    (
        answer.status,
        [(header::CONTENT_TYPE, format.content_type())],
        Body::from(format.encode(&stanza)),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};

    use crate::Bot;
    use crate::extract::MessageText;
    use crate::wire::Limits;

    async fn echo(MessageText(text): MessageText) -> String {
        text
    }

    /// Posts a stanza in chunks (chunked transfer encoding, one write and a
    /// pause per chunk, so that the body reaches the bot in several frames)
    /// and returns the raw answer. Unless `finish`, the body is left open.
    async fn post_in_chunks(limit: usize, chunks: &[&str], finish: bool) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let bot = Bot::new()
            .handler(echo)
            .limits(Limits::default().max_bytes(limit));
        let server = tokio::spawn(bot.serve_with_shutdown(listener, async {
            let _ = stopped.await;
        }));
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let head = "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/xmpp+xml\r\n\
                    Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
        stream.write_all(head.as_bytes()).await.unwrap();
        for chunk in chunks {
            // The bot may answer 413 and close before the last chunks.
            let _ = stream
                .write_all(format!("{:x}\r\n{chunk}\r\n", chunk.len()).as_bytes())
                .await;
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        if finish {
            let _ = stream.write_all(b"0\r\n\r\n").await;
        }
        let mut answer = String::new();
        let read = stream.read_to_string(&mut answer);
        let _ = tokio::time::timeout(Duration::from_secs(5), read).await;
        drop(stream);
        let _ = stop.send(());
        server.await.unwrap().unwrap();
        answer
    }

    #[tokio::test]
    async fn a_body_in_several_frames_is_gathered() {
        let chunks = [
            "<message type='chat' from='a@b/c' to='bot@d'>",
            "<body>in three</body>",
            "</message>",
        ];
        let answer = post_in_chunks(1024, &chunks, true).await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(answer.contains("<body>in three</body>"), "{answer}");
    }

    #[tokio::test]
    async fn the_limit_holds_across_frames() {
        let body = "<message type='chat'><body>xxxxxxxxxxxxxxxxxxxxxxxxxx</body></message>";
        let (first, rest) = body.split_at(40);
        // Each frame is under the limit, the whole body is not: the answer
        // comes as soon as the limit is crossed, without the end of the body.
        let answer = post_in_chunks(60, &[first, rest], false).await;
        assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
        // exactly at the limit is accepted
        let answer = post_in_chunks(body.len(), &[first, rest], true).await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    }
}
