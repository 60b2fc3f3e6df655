//! The HTTP side of the webhook: the startup probe, content negotiation,
//! limits, methods, authentication, failures of handlers, nesting, shutdown.

mod webhook_support;

use std::time::Duration;

use webhook_support::{
    capture, mod_rest_headers, post_xml, request, send_raw, start, start_bot_serve, start_router,
};
use xmpp_rest_bot::prelude::*;
use xmpp_rest_bot::wire::Limits;

const MESSAGE_XML: &str = "<message to='bot@bot.localhost' id='m1' xml:lang='en' \
    from='alice@localhost/phone' type='chat'><body>hi</body></message>";
const MESSAGE_JSON: &str = r#"{"kind":"message","type":"chat","to":"bot@bot.localhost","from":"alice@localhost/phone","id":"m1","body":"hi"}"#;

async fn echo(MessageText(text): MessageText) -> String {
    text
}

#[tokio::test]
async fn the_probe_selects_xml_by_default_and_json_when_configured() {
    for (bot, accept) in [
        (Bot::new(), "application/xmpp+xml"),
        (Bot::new().format(WireFormat::Json), "application/json"),
    ] {
        let server = start(bot).await;
        // As Prosody sends it: no body, no content type, on the callback path.
        let answer = request(
            server.addr,
            "OPTIONS",
            "/",
            &[
                ("Host", "127.0.0.1:8080"),
                ("User-Agent", "Prosody XMPP Server"),
            ],
            b"",
        )
        .await;
        assert_eq!(answer.status, 200);
        assert_eq!(answer.header("accept"), Some(accept));
        // placeholders filled from the `meta`/`info` pseudo stanza
        let answer = request(server.addr, "OPTIONS", "/meta/info", &[], b"").await;
        assert_eq!(answer.status, 200);
        server.stop().await.unwrap();
    }
}

#[tokio::test]
async fn both_formats_are_accepted_whatever_the_probe_said() {
    for bot in [
        Bot::new().handler(echo),
        Bot::new().handler(echo).format(WireFormat::Json),
    ] {
        let server = start(bot).await;
        let answer = server
            .post("application/xmpp+xml", MESSAGE_XML.as_bytes())
            .await;
        assert_eq!(answer.status, 200);
        assert_eq!(answer.content_type(), Some("application/xmpp+xml"));
        let answer = server
            .post("application/json", MESSAGE_JSON.as_bytes())
            .await;
        assert_eq!(answer.status, 200);
        assert_eq!(answer.content_type(), Some("application/json"));
        // charset parameters and letter case
        let answer = server
            .post(
                "Application/XMPP+XML; charset=UTF-8",
                MESSAGE_XML.as_bytes(),
            )
            .await;
        assert_eq!(answer.status, 200);
        server.stop().await.unwrap();
    }
}

#[tokio::test]
async fn unknown_or_missing_content_types_are_415() {
    let server = start(Bot::new().handler(echo)).await;
    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("text/csv"),
        Some("application/xmpp+xml; charset=iso-8859-1"),
        None,
    ] {
        let headers: Vec<(&str, &str)> = content_type
            .map(|c| ("Content-Type", c))
            .into_iter()
            .collect();
        let answer = request(server.addr, "POST", "/", &headers, MESSAGE_XML.as_bytes()).await;
        assert_eq!(answer.status, 415, "{content_type:?}");
        assert_eq!(answer.content_type(), Some("text/plain; charset=utf-8"));
        assert!(
            answer.text().contains("application/xmpp+xml"),
            "{}",
            answer.text()
        );
    }
    server.stop().await.unwrap();
}

#[tokio::test]
async fn malformed_bodies_are_400() {
    let server = start(Bot::new().handler(echo)).await;
    for (content_type, body) in [
        ("application/xmpp+xml", "<message><body>x</message>"),
        ("application/xmpp+xml", "<message"),
        ("application/xmpp+xml", ""),
        ("application/json", r#"{"kind":"message","#),
        ("application/json", ""),
    ] {
        let answer = server.post(content_type, body.as_bytes()).await;
        assert_eq!(answer.status, 400, "{body:?}: {}", answer.text());
        assert_eq!(answer.content_type(), Some("text/plain; charset=utf-8"));
        assert!(!answer.text().is_empty());
    }
    server.stop().await.unwrap();
}

#[tokio::test]
async fn well_formed_non_stanzas_are_422() {
    let server = start(Bot::new().handler(echo)).await;
    for (content_type, body) in [
        ("application/xmpp+xml", "<foo/>"),
        ("application/xmpp+xml", "<message to='a@b@c' type='chat'/>"),
        ("application/json", r#"{"kind":"bogus"}"#),
        ("application/json", r#"{"kind":"message","to":"a@b@c"}"#),
    ] {
        let answer = server.post(content_type, body.as_bytes()).await;
        assert_eq!(answer.status, 422, "{body:?}: {}", answer.text());
        assert_eq!(answer.content_type(), Some("text/plain; charset=utf-8"));
    }
    server.stop().await.unwrap();
}

#[tokio::test]
async fn bodies_over_the_limit_are_413() {
    let server = start(
        Bot::new()
            .handler(echo)
            .limits(Limits::default().max_bytes(1024)),
    )
    .await;
    let big = format!(
        "<message type='chat'><body>{}</body></message>",
        "x".repeat(2048)
    );
    // announced by Content-Length
    let answer = server.post("application/xmpp+xml", big.as_bytes()).await;
    assert_eq!(answer.status, 413);
    assert!(answer.text().contains("1024"), "{}", answer.text());
    // chunked, without Content-Length
    let mut raw = format!(
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/xmpp+xml\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n{:x}\r\n",
        big.len()
    )
    .into_bytes();
    raw.extend_from_slice(big.as_bytes());
    raw.extend_from_slice(b"\r\n0\r\n\r\n");
    let answer = send_raw(server.addr, &raw).await;
    assert_eq!(answer.status, 413);
    // under the limit still works
    let answer = server
        .post("application/xmpp+xml", MESSAGE_XML.as_bytes())
        .await;
    assert_eq!(answer.status, 200);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn the_default_limit_is_mod_rest_s_192_kib() {
    let server = start(Bot::new().handler(echo)).await;
    let body = |n: usize| {
        format!(
            "<message type='chat'><body>{}</body></message>",
            "x".repeat(n)
        )
    };
    let overhead = body(0).len();
    let answer = server
        .post(
            "application/xmpp+xml",
            body(192 * 1024 - overhead).as_bytes(),
        )
        .await;
    assert_eq!(answer.status, 200);
    let answer = server
        .post(
            "application/xmpp+xml",
            body(192 * 1024 - overhead + 1).as_bytes(),
        )
        .await;
    assert_eq!(answer.status, 413);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn other_methods_are_405() {
    let server = start(Bot::new().handler(echo)).await;
    for method in ["GET", "PUT", "DELETE", "PATCH"] {
        let answer = request(server.addr, method, "/", &[], b"").await;
        assert_eq!(answer.status, 405, "{method}");
        assert_eq!(answer.header("allow"), Some("POST, OPTIONS"));
    }
    server.stop().await.unwrap();
}

#[tokio::test]
async fn every_path_is_served() {
    // rest_callback_url = "http://127.0.0.1:8080/{kind}/{type}"
    let server = start(Bot::new().handler(echo)).await;
    let answer = post_xml(server.addr, "/message/chat", MESSAGE_XML).await;
    assert_eq!(answer.status, 200);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_panicking_handler_is_a_500_and_the_server_goes_on() {
    async fn boom(MessageText(text): MessageText) -> String {
        assert_ne!(text, "boom", "handler exploded");
        text
    }
    let server = start(Bot::new().handler(boom)).await;
    let panicking = MESSAGE_XML.replace("<body>hi</body>", "<body>boom</body>");
    let answer = server
        .post("application/xmpp+xml", panicking.as_bytes())
        .await;
    assert_eq!(answer.status, 500);
    assert_eq!(answer.content_type(), Some("application/xmpp+xml"));
    let Stanza::Message(error) = answer.stanza() else {
        panic!("expected a message")
    };
    assert_eq!(
        error.error.unwrap().condition,
        Condition::InternalServerError
    );
    let answer = server
        .post("application/xmpp+xml", MESSAGE_XML.as_bytes())
        .await;
    assert_eq!(answer.status, 200);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_slow_handler_is_a_504() {
    async fn slow(_: Message) -> &'static str {
        tokio::time::sleep(Duration::from_secs(30)).await;
        "too late"
    }
    let server = start(Bot::new().handler(slow).timeout(Duration::from_millis(50))).await;
    let answer = server
        .post("application/json", MESSAGE_JSON.as_bytes())
        .await;
    assert_eq!(answer.status, 504);
    assert_eq!(answer.content_type(), Some("application/json"));
    assert_eq!(
        answer.stanza().stanza_error().unwrap().condition,
        Condition::RemoteServerTimeout
    );
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_secret_path_is_required_when_configured() {
    let server = start(
        Bot::new()
            .handler(echo)
            .auth(xmpp_rest_bot::bot::Auth::default().secret_path("0f3a9c")),
    )
    .await;
    let headers = mod_rest_headers(WireFormat::Xml);
    for path in ["/", "/0f3a9", "/0f3a9cc", "/other/0f3a9c"] {
        let answer = request(server.addr, "POST", path, &headers, MESSAGE_XML.as_bytes()).await;
        assert_eq!(answer.status, 401, "{path}");
        let answer = request(server.addr, "OPTIONS", path, &[], b"").await;
        assert_eq!(answer.status, 401, "{path}");
    }
    for path in ["/0f3a9c", "/0f3a9c/message/chat"] {
        let answer = request(server.addr, "POST", path, &headers, MESSAGE_XML.as_bytes()).await;
        assert_eq!(answer.status, 200, "{path}");
    }
    server.stop().await.unwrap();
}

#[tokio::test]
async fn basic_credentials_are_required_when_configured() {
    let server = start(
        Bot::new()
            .handler(echo)
            .auth(xmpp_rest_bot::bot::Auth::default().basic("prosody", "s3cret")),
    )
    .await;
    let mut headers = mod_rest_headers(WireFormat::Xml);
    let answer = request(server.addr, "POST", "/", &headers, MESSAGE_XML.as_bytes()).await;
    assert_eq!(answer.status, 401);
    assert_eq!(
        answer.header("www-authenticate"),
        Some("Basic realm=\"xmpp-rest-bot\"")
    );
    // base64("prosody:wrong")
    headers.push(("Authorization", "Basic cHJvc29keTp3cm9uZw=="));
    let answer = request(server.addr, "POST", "/", &headers, MESSAGE_XML.as_bytes()).await;
    assert_eq!(answer.status, 401);
    headers.pop();
    // base64("prosody:s3cret"), as Prosody sends it for http://prosody:s3cret@host/
    headers.push(("Authorization", "Basic cHJvc29keTpzM2NyZXQ="));
    let answer = request(server.addr, "POST", "/", &headers, MESSAGE_XML.as_bytes()).await;
    assert_eq!(answer.status, 200);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn the_router_nests_into_an_app_at_any_path() {
    use axum::routing::get;
    let app = axum::Router::new()
        .route("/health", get(|| async { "ok" }))
        .nest_service("/xmpp", Bot::new().handler(echo).into_router())
        .nest("/nested", Bot::new().handler(echo).into_router());
    let server = start_router(app).await;
    let headers = mod_rest_headers(WireFormat::Xml);
    let answer = request(server.addr, "GET", "/health", &[], b"").await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.text(), "ok");
    for path in [
        "/xmpp",
        "/xmpp/",
        "/xmpp/message/chat",
        "/nested",
        "/nested/message/chat",
    ] {
        let answer = request(server.addr, "POST", path, &headers, MESSAGE_XML.as_bytes()).await;
        assert_eq!(answer.status, 200, "{path}");
        let answer = request(server.addr, "OPTIONS", path, &[], b"").await;
        assert_eq!(answer.status, 200, "{path}");
    }
    let answer = request(
        server.addr,
        "POST",
        "/elsewhere",
        &headers,
        MESSAGE_XML.as_bytes(),
    )
    .await;
    assert_eq!(answer.status, 404);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn tower_layers_apply() {
    use axum::http::HeaderValue;
    use axum::response::Response;
    let router = Bot::new()
        .handler(echo)
        .into_router()
        .layer(axum::middleware::map_response(
            |mut r: Response| async move {
                r.headers_mut()
                    .insert("x-layer", HeaderValue::from_static("yes"));
                r
            },
        ));
    let server = start_router(router).await;
    let answer = server
        .post("application/xmpp+xml", MESSAGE_XML.as_bytes())
        .await;
    assert_eq!(answer.header("x-layer"), Some("yes"));
    server.stop().await.unwrap();
}

#[tokio::test]
async fn shutdown_lets_handlers_in_flight_finish() {
    async fn slow(MessageText(text): MessageText) -> String {
        tokio::time::sleep(Duration::from_millis(300)).await;
        text
    }
    let mut server = start_bot_serve(Bot::new().handler(slow)).await;
    let addr = server.addr;
    let in_flight = tokio::spawn(async move { post_xml(addr, "/", MESSAGE_XML).await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    server.signal_shutdown();
    let answer = in_flight.await.unwrap();
    assert_eq!(answer.status, 200);
    assert_eq!(answer.stanza().kind(), StanzaKind::Message);
    tokio::time::timeout(Duration::from_secs(5), server.join())
        .await
        .expect("the server stops once the handler finished")
        .unwrap();
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

#[tokio::test]
async fn concurrent_stanzas_are_handled_concurrently() {
    async fn slow(MessageText(text): MessageText) -> String {
        tokio::time::sleep(Duration::from_millis(200)).await;
        text
    }
    let server = start(Bot::new().handler(slow)).await;
    let started = std::time::Instant::now();
    let requests = (0..8).map(|_| {
        let addr = server.addr;
        tokio::spawn(async move { post_xml(addr, "/", MESSAGE_XML).await })
    });
    for r in requests.collect::<Vec<_>>() {
        assert_eq!(r.await.unwrap().status, 200);
    }
    assert!(started.elapsed() < Duration::from_millis(1500));
    server.stop().await.unwrap();
}

#[tokio::test]
async fn the_recorded_chat_post_is_answered() {
    let case = capture("msg-200-xml-chat");
    let server = start(Bot::new().handler(echo)).await;
    let answer = case.replay(server.addr).await;
    assert_eq!(answer.status, 200);
    let Stanza::Message(reply) = answer.stanza() else {
        panic!("expected a message")
    };
    assert_eq!(reply.body(), Some("hi"));
    assert_eq!(reply.type_, MessageType::Chat);
    server.stop().await.unwrap();
}
