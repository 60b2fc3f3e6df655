//! Load shedding, the body read timeout and the metrics route.

mod webhook_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Notify;
use webhook_support::{post_xml, request, start};
use xmpp_rest_bot::prelude::*;

const MESSAGE: &str = "<message type='chat' id='m1' from='alice@localhost/phone' \
    to='bot@bot.localhost'><body>hi</body></message>";

/// A bot whose handler waits for `release` and counts the handlers waiting.
fn blocking_bot(waiting: Arc<AtomicUsize>, release: Arc<Notify>) -> Bot {
    Bot::new().handler(move |MessageText(text): MessageText| {
        let (waiting, release) = (Arc::clone(&waiting), Arc::clone(&release));
        async move {
            let notified = release.notified();
            waiting.fetch_add(1, Ordering::SeqCst);
            notified.await;
            text
        }
    })
}

async fn wait_for(what: &str, mut condition: impl FnMut() -> bool) {
    for _ in 0..500 {
        if condition() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_the_concurrency_limit_posts_are_shed_with_503() {
    let waiting = Arc::new(AtomicUsize::new(0));
    let release = Arc::new(Notify::new());
    let bot = blocking_bot(Arc::clone(&waiting), Arc::clone(&release)).max_concurrency(2);
    let metrics = bot.metrics();
    let server = start(bot).await;
    let addr = server.addr;
    let post = move || tokio::spawn(async move { post_xml(addr, "/", MESSAGE).await });
    let first = [post(), post()];
    wait_for("two handlers in flight", || {
        waiting.load(Ordering::SeqCst) == 2
    })
    .await;
    assert_eq!(metrics.requests_in_flight(), 2);
    for _ in 0..3 {
        let shed = post().await.unwrap();
        assert_eq!(shed.status, 503);
        assert_eq!(shed.header("retry-after"), Some("1"));
        // no body: mod_rest answers the sender with service-unavailable, and
        // never turns a text/plain body into a chat message
        assert!(shed.body.is_empty());
        assert_eq!(shed.content_type(), None);
    }
    // the probe is not a post: never shed
    let probe = request(addr, "OPTIONS", "/", &[], b"").await;
    assert_eq!(probe.status, 200);
    release.notify_waiters();
    for task in first {
        assert_eq!(task.await.unwrap().status, 200);
    }
    // capacity is back
    let waiting_before = waiting.load(Ordering::SeqCst);
    let again = post();
    wait_for("the next handler", || {
        waiting.load(Ordering::SeqCst) == waiting_before + 1
    })
    .await;
    release.notify_waiters();
    assert_eq!(again.await.unwrap().status, 200);
    assert_eq!(metrics.count("none", "shed"), 3);
    assert_eq!(metrics.count("message", "reply"), 3);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_body_that_does_not_arrive_in_time_is_408() {
    async fn echo(MessageText(text): MessageText) -> String {
        text
    }
    let bot = Bot::new()
        .handler(echo)
        .read_timeout(Duration::from_millis(200));
    let metrics = bot.metrics();
    let server = start(bot).await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    let head = format!(
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/xmpp+xml\r\n\
         Content-Length: {}\r\n\r\n",
        MESSAGE.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    // half the body, then nothing
    stream
        .write_all(&MESSAGE.as_bytes()[..MESSAGE.len() / 2])
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let mut answer = vec![0; 1024];
    let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut answer))
        .await
        .expect("the bot should answer by itself")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer[..n]);
    assert!(answer.starts_with("HTTP/1.1 408 "), "{answer}");
    assert!(started.elapsed() >= Duration::from_millis(150));
    assert_eq!(metrics.count("none", "rejected"), 1);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_client_trickling_its_headers_is_disconnected() {
    // (A new connection's head has the first-request timeout; see
    // tests/serving.rs for the keep-alive one.)
    let bot = Bot::new().serving(
        xmpp_rest_bot::bot::Serving::default().first_request_timeout(Duration::from_millis(300)),
    );
    let server = start(bot).await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    let started = std::time::Instant::now();
    // A byte of the head every 100 ms: the body timeout never starts, the
    // header timeout ends it.
    let mut closed = false;
    for byte in b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/xmpp+xml\r\n".iter() {
        if stream.write_all(&[*byte]).await.is_err() {
            closed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut answer = vec![0; 1024];
    if !closed {
        let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut answer))
            .await
            .expect("the bot should close the connection by itself")
            .unwrap_or(0);
        assert!(
            n == 0 || String::from_utf8_lossy(&answer[..n]).starts_with("HTTP/1.1 408"),
            "{}",
            String::from_utf8_lossy(&answer[..n])
        );
    }
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_millis(250), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(4), "{elapsed:?}");

    // A prompt client on a new connection is served as usual.
    assert_probe_answered(server.addr, &[b"OPTIONS / HTTP/1.1\r\n"]).await;
    server.stop().await.unwrap();
}

/// Sends the startup probe (an `OPTIONS` request) in the parts given, a
/// moment apart, and checks that it is answered 200.
async fn assert_probe_answered(addr: std::net::SocketAddr, head: &[&[u8]]) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    for part in head {
        stream.write_all(part).await.unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stream
        .write_all(b"Host: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    assert!(
        answer.starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
}

#[tokio::test]
async fn header_timeouts_of_zero_or_ever_serve_as_usual() {
    for timeout in [Duration::ZERO, Duration::MAX] {
        let bot = Bot::new().serving(
            xmpp_rest_bot::bot::Serving::default()
                .header_read_timeout(timeout)
                .first_request_timeout(timeout),
        );
        let server = start(bot).await;
        // Headers in parts: zero means "off", not "at once".
        assert_probe_answered(
            server.addr,
            &[b"OPTIONS / HTTP/1.1\r\n", b"Accept: */*\r\n"],
        )
        .await;
        server.stop().await.unwrap();
    }
}

#[tokio::test]
async fn the_metrics_route_counts_requests_by_kind_and_outcome() {
    async fn echo(MessageText(text): MessageText) -> String {
        text
    }
    let bot = Bot::new()
        .handler(echo)
        .auth(xmpp_rest_bot::bot::Auth::default().secret_path("s3cret"))
        .metrics_route("/metrics");
    let server = start(bot).await;
    let addr = server.addr;
    let post =
        |path: &'static str, body: &'static str| async move { post_xml(addr, path, body).await };
    assert_eq!(post("/s3cret/", MESSAGE).await.status, 200);
    assert_eq!(post("/s3cret/", MESSAGE).await.status, 200);
    let ping = "<iq type='get' id='p1' from='alice@localhost/phone' to='bot@bot.localhost'>\
        <ping xmlns='urn:xmpp:ping'/></iq>";
    assert_eq!(post("/s3cret/", ping).await.status, 200);
    let presence = "<presence from='alice@localhost/phone' to='bot@bot.localhost'/>";
    assert_eq!(post("/s3cret/", presence).await.status, 202);
    assert_eq!(post("/wrong/", MESSAGE).await.status, 401);
    assert_eq!(post("/s3cret/", "<message").await.status, 400);
    // POST on the metrics path is a webhook request like any other (401 here)
    assert_eq!(post("/metrics", MESSAGE).await.status, 401);

    // no credentials needed for the metrics
    let answer = request(server.addr, "GET", "/metrics", &[], b"").await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.content_type(),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    let text = answer.text();
    for line in [
        "xmpp_webhook_requests_total{kind=\"message\",outcome=\"reply\"} 2",
        "xmpp_webhook_requests_total{kind=\"iq\",outcome=\"builtin\"} 1",
        "xmpp_webhook_requests_total{kind=\"presence\",outcome=\"ack\"} 1",
        "xmpp_webhook_requests_total{kind=\"none\",outcome=\"unauthorized\"} 2",
        "xmpp_webhook_requests_total{kind=\"none\",outcome=\"rejected\"} 1",
        "xmpp_webhook_request_duration_seconds_count{kind=\"message\",outcome=\"reply\"} 2",
        "xmpp_webhook_request_duration_seconds_bucket{kind=\"message\",outcome=\"reply\",le=\"+Inf\"} 2",
        "xmpp_webhook_requests_in_flight 0",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing {line:?} in\n{text}"
        );
    }
    // every sample line is `name{labels} value` with a numeric value
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let value = line.rsplit(' ').next().unwrap();
        assert!(value.parse::<f64>().is_ok(), "{line}");
    }
    // without metrics_route, GET /metrics is a webhook request (405)
    let plain = start(Bot::new()).await;
    let answer = request(plain.addr, "GET", "/metrics", &[], b"").await;
    assert_eq!(answer.status, 405);
    plain.stop().await.unwrap();
    server.stop().await.unwrap();
}
