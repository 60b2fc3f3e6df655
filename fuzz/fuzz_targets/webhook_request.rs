//! The whole request path: an arbitrary request (method, path, content type,
//! body) through the webhook's router, with an echo handler and the built-in
//! answers. It must never panic, answer only with the statuses the webhook
//! documents, and put a decodable stanza in every stanza answer.
#![no_main]

use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use libfuzzer_sys::fuzz_target;
use tower::ServiceExt;
use xmpp_rest_bot::Bot;
use xmpp_rest_bot::extract::MessageText as Text;
use xmpp_rest_bot::wire::{Limits, WireFormat};

async fn echo(Text(text): Text) -> String {
    text
}

fn router() -> &'static axum::Router {
    static ROUTER: OnceLock<axum::Router> = OnceLock::new();
    ROUTER.get_or_init(|| {
        Bot::new()
            .handler(echo)
            .message_rules(xmpp_rest_bot::bot::MessageRules::default().default_muc_nick("bot"))
            .ordered_per_sender(true)
            .metrics_route("/metrics")
            .into_router()
    })
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("a runtime")
    })
}

const CONTENT_TYPES: [Option<&str>; 6] = [
    Some("application/xmpp+xml"),
    Some("application/json"),
    Some("application/xmpp+xml; charset=utf-8"),
    Some("text/plain"),
    Some("application/json; charset=latin1"),
    None,
];

const METHODS: [Method; 4] = [Method::POST, Method::POST, Method::OPTIONS, Method::GET];

const PATHS: [&str; 4] = [
    "/",
    "/hook/alice%40example.org%2fphone",
    "/metrics",
    "/a/b/c?x=1",
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let content_type = CONTENT_TYPES[usize::from(selector & 0x7) % CONTENT_TYPES.len()];
    let method = METHODS[usize::from(selector >> 3 & 0x3)].clone();
    let path = PATHS[usize::from(selector >> 5 & 0x3)];
    let mut request = Request::builder().method(method).uri(path);
    if let Some(ct) = content_type {
        request = request.header(header::CONTENT_TYPE, ct);
    }
    let request = request
        .body(Body::from(body.to_vec()))
        .expect("a valid request");
    runtime().block_on(async {
        let response = router().clone().oneshot(request).await.expect("infallible");
        let status = response.status();
        let documented = [
            200, 202, 400, 401, 403, 404, 405, 406, 408, 409, 413, 415, 422, 500, 501, 503, 504,
        ];
        assert!(
            documented.contains(&status.as_u16()),
            "undocumented status {status}"
        );
        let format = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(WireFormat::from_content_type);
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("a body");
        if let Some(format) = format {
            format
                .decode(&bytes, &Limits::default().max_bytes(usize::MAX))
                .unwrap_or_else(|e| {
                    panic!(
                        "{status} answer is not a stanza ({e}): {:?}",
                        String::from_utf8_lossy(&bytes)
                    )
                });
        } else if status == StatusCode::OK {
            // the probe and the metrics
            assert!(bytes.is_empty() || path == "/metrics");
        }
    });
});
