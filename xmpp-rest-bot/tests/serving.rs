//! What `Bot::serve` does with connections, over real sockets: handler
//! places are not held by bodies being received, the head size limit, the
//! connection limit, the first-request timeout, the shutdown (unused
//! connections closed at once, a drain answering keep-alive clients with
//! `Connection: close`, a deadline for handlers), and characters XML cannot
//! carry refused in both formats.

mod webhook_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use webhook_support::{post_xml, request, start};
use xmpp_rest_bot::prelude::*;

const MESSAGE: &str = "<message type='chat' id='m1' from='alice@localhost/phone' \
    to='bot@bot.localhost'><body>hi</body></message>";

async fn echo(MessageText(text): MessageText) -> String {
    text
}

/// A keep-alive request for `MESSAGE`.
fn keep_alive_post() -> String {
    format!(
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/xmpp+xml\r\n\
         Content-Length: {}\r\n\r\n{MESSAGE}",
        MESSAGE.len()
    )
}

/// Reads one response (head and `Content-Length` body) from a keep-alive
/// connection; the head, lowercased.
async fn read_response(stream: &mut TcpStream) -> String {
    let mut got = Vec::new();
    let mut buf = [0; 4096];
    loop {
        if let Some(end) = got.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&got[..end]).to_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .map_or(0, |v| v.trim().parse().unwrap());
            if got.len() >= end + 4 + length {
                return head;
            }
        }
        let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf))
            .await
            .expect("no response in time")
            .unwrap();
        assert!(n > 0, "closed before a response: {got:?}");
        got.extend_from_slice(&buf[..n]);
    }
}

/// Whether the bot closed `stream` within `within` (EOF or reset).
async fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    let mut buf = [0; 1024];
    loop {
        match tokio::time::timeout(within, stream.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0) | Err(_)) => return true,
            // an answer (408, 503) before the close
            Ok(Ok(_)) => {}
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_being_received_holds_no_handler_place() {
    let bot = Bot::new().handler(echo).max_concurrency(1);
    let server = start(bot).await;
    // Heads announcing a body that never comes, on more connections than
    // there are handler places.
    let mut waiting = Vec::new();
    for _ in 0..4 {
        let mut stream = TcpStream::connect(server.addr).await.unwrap();
        let head = "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/xmpp+xml\r\n\
                    Content-Length: 100\r\n\r\n<message";
        stream.write_all(head.as_bytes()).await.unwrap();
        waiting.push(stream);
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    // A complete request still gets the one place.
    let answer = post_xml(server.addr, "/", MESSAGE).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    drop(waiting);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_head_over_the_size_limit_is_431() {
    let server = start(
        Bot::new()
            .handler(echo)
            .serving(xmpp_rest_bot::bot::Serving::default().max_header_size(16 * 1024)),
    )
    .await;
    // a head of 12 KiB is under the limit
    let pad = "p".repeat(12 * 1024);
    let answer = request(
        server.addr,
        "POST",
        "/",
        &[("Content-Type", "application/xmpp+xml"), ("X-Pad", &pad)],
        MESSAGE.as_bytes(),
    )
    .await;
    assert_eq!(answer.status, 200);
    // one of 380 KB, sent without its end, is answered as soon as it is
    // over the limit, and the connection closed
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    let head = format!(
        "POST / HTTP/1.1\r\nHost: x\r\nX-Pad: {}",
        "p".repeat(380_000)
    );
    // The bot may close before it has read everything.
    let _ = stream.write_all(head.as_bytes()).await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 431"),
        "{answer}"
    );
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_new_connection_has_a_short_time_for_its_first_request_only() {
    let bot = Bot::new().handler(echo).serving(
        xmpp_rest_bot::bot::Serving::default()
            .first_request_timeout(Duration::from_millis(300))
            .header_read_timeout(Duration::from_secs(30)),
    );
    let server = start(bot).await;
    // silent: closed after the first-request timeout
    let mut silent = TcpStream::connect(server.addr).await.unwrap();
    let started = Instant::now();
    assert!(closed_within(&mut silent, Duration::from_secs(3)).await);
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_millis(250), "{elapsed:?}");
    // trickling its first head: the same
    let mut trickling = TcpStream::connect(server.addr).await.unwrap();
    let started = Instant::now();
    for byte in b"POST / HTTP/1.1\r\nHost: x\r\n" {
        if trickling.write_all(&[*byte]).await.is_err() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(closed_within(&mut trickling, Duration::from_secs(3)).await);
    assert!(started.elapsed() < Duration::from_secs(2));
    // after a first request, the keep-alive connection waits longer
    let mut kept = TcpStream::connect(server.addr).await.unwrap();
    kept.write_all(keep_alive_post().as_bytes()).await.unwrap();
    assert!(read_response(&mut kept).await.starts_with("http/1.1 200"));
    tokio::time::sleep(Duration::from_millis(700)).await;
    kept.write_all(keep_alive_post().as_bytes()).await.unwrap();
    assert!(read_response(&mut kept).await.starts_with("http/1.1 200"));
    server.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_the_connection_limit_the_longest_idle_connection_is_closed() {
    let bot = Bot::new()
        .handler(echo)
        .serving(xmpp_rest_bot::bot::Serving::default().max_connections(3));
    let server = start(bot).await;
    let mut idle = Vec::new();
    for _ in 0..3 {
        idle.push(TcpStream::connect(server.addr).await.unwrap());
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    // The oldest one made room for this request's connection ...
    let answer = post_xml(server.addr, "/", MESSAGE).await;
    assert_eq!(answer.status, 200);
    assert!(closed_within(&mut idle[0], Duration::from_secs(2)).await);
    // ... and only it.
    assert!(!closed_within(&mut idle[2], Duration::from_millis(200)).await);
    server.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_the_connection_limit_with_every_connection_busy_a_new_one_gets_503() {
    let started = Arc::new(AtomicUsize::new(0));
    let release = Arc::new(tokio::sync::Notify::new());
    let bot = {
        let (started, release) = (Arc::clone(&started), Arc::clone(&release));
        Bot::new()
            .handler(move |MessageText(text): MessageText| {
                let (started, release) = (Arc::clone(&started), Arc::clone(&release));
                async move {
                    let released = release.notified();
                    started.fetch_add(1, Ordering::SeqCst);
                    released.await;
                    text
                }
            })
            .serving(xmpp_rest_bot::bot::Serving::default().max_connections(1))
    };
    let server = start(bot).await;
    let addr = server.addr;
    let busy = tokio::spawn(async move { post_xml(addr, "/", MESSAGE).await });
    while started.load(Ordering::SeqCst) == 0 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let mut refused = TcpStream::connect(addr).await.unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), refused.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    release.notify_waiters();
    assert_eq!(busy.await.unwrap().status, 200);
    server.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_closes_unused_connections_at_once() {
    let mut server = start(Bot::new().handler(echo)).await;
    let mut half = TcpStream::connect(server.addr).await.unwrap();
    half.write_all(b"POST / HTTP/1.1\r\nHost: x\r\nContent-")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    let signalled = Instant::now();
    server.signal_shutdown();
    assert!(closed_within(&mut half, Duration::from_millis(500)).await);
    server.join().await.unwrap();
    assert!(signalled.elapsed() < Duration::from_millis(500));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn during_the_drain_keep_alive_requests_are_answered_with_connection_close() {
    let bot = Bot::new()
        .handler(echo)
        .serving(xmpp_rest_bot::bot::Serving::default().shutdown_drain(Duration::from_millis(500)));
    let mut server = start(bot).await;
    let mut kept = TcpStream::connect(server.addr).await.unwrap();
    kept.write_all(keep_alive_post().as_bytes()).await.unwrap();
    let head = read_response(&mut kept).await;
    assert!(!head.contains("connection: close"), "{head}");
    let signalled = Instant::now();
    server.signal_shutdown();
    // A request the client wrote just after the signal is still answered,
    // and the client told to close.
    tokio::time::sleep(Duration::from_millis(30)).await;
    kept.write_all(keep_alive_post().as_bytes()).await.unwrap();
    let head = read_response(&mut kept).await;
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(head.contains("connection: close"), "{head}");
    assert!(closed_within(&mut kept, Duration::from_secs(1)).await);
    // An idle keep-alive connection is closed at the end of the drain.
    server.join().await.unwrap();
    assert!(signalled.elapsed() < Duration::from_secs(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_the_shutdown_deadline_handlers_in_flight_are_cut() {
    let started = Arc::new(AtomicUsize::new(0));
    let bot = {
        let started = Arc::clone(&started);
        Bot::new()
            .handler(move |MessageText(text): MessageText| {
                let started = Arc::clone(&started);
                async move {
                    started.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_secs(60)).await;
                    text
                }
            })
            .serving(
                xmpp_rest_bot::bot::Serving::default().shutdown_timeout(Duration::from_millis(400)),
            )
    };
    let mut server = start(bot).await;
    let mut stuck = TcpStream::connect(server.addr).await.unwrap();
    stuck.write_all(keep_alive_post().as_bytes()).await.unwrap();
    while started.load(Ordering::SeqCst) == 0 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let signalled = Instant::now();
    server.signal_shutdown();
    server.join().await.unwrap();
    let elapsed = signalled.elapsed();
    assert!(elapsed >= Duration::from_millis(350), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
    assert!(closed_within(&mut stuck, Duration::from_secs(1)).await);
}

#[tokio::test]
async fn characters_xml_cannot_carry_are_400_in_both_formats() {
    let server = start(Bot::new().handler(echo)).await;
    let xml = "<message type='chat' to='bot@b'><body>a\u{1}b</body></message>";
    let answer = server.post("application/xmpp+xml", xml.as_bytes()).await;
    assert_eq!(answer.status, 400, "{}", answer.text());
    assert!(answer.text().contains("U+0001"), "{}", answer.text());
    for body in [r"a\u0000b", r"a\u0001b", r"a\uFFFEb", "a\u{FFFE}b"] {
        // the direct reader's chat line, and the general path (a subject)
        for json in [
            format!(r#"{{"kind":"message","type":"chat","to":"bot@b","body":"{body}"}}"#),
            format!(r#"{{"kind":"message","type":"chat","subject":"s","body":"{body}"}}"#),
        ] {
            let answer = server.post("application/json", json.as_bytes()).await;
            assert_eq!(answer.status, 400, "{json}: {}", answer.text());
            assert!(
                answer.text().contains("at line 1 column"),
                "{}",
                answer.text()
            );
        }
    }
    server.stop().await.unwrap();
}

const PANIC_ADDR_ENV: &str = "XMPP_REST_BOT_PANIC_TEST_ADDR";

/// The child of `handler_panics_reach_stderr_a_few_times_a_minute`: serves a
/// handler that always panics until SIGTERM.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "the server side of `handler_panics_reach_stderr_a_few_times_a_minute`, run by it"]
async fn serve_a_panicking_handler() {
    async fn boom(MessageText(_): MessageText) -> String {
        panic!("boom")
    }
    let addr = std::env::var(PANIC_ADDR_ENV).expect("run by its parent test");
    Bot::new().handler(boom).serve(addr).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handler_panics_reach_stderr_a_few_times_a_minute() {
    use std::process::{Command, Stdio};
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "serve_a_panicking_handler",
            "--exact",
            "--ignored",
            "--nocapture",
        ])
        .env(PANIC_ADDR_ENV, addr.to_string())
        .env("RUST_BACKTRACE", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read while it runs: a full pipe would block the child's panic hook.
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut all = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stderr, &mut all);
        all
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(addr).await.is_err() {
        assert!(Instant::now() < deadline, "the child never listened");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    const POSTS: usize = 40;
    for _ in 0..POSTS {
        let answer = post_xml(addr, "/", MESSAGE).await;
        assert_eq!(answer.status, 500);
    }
    let stopped = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(stopped.success());
    assert!(child.wait().unwrap().success());
    let stderr = reader.join().unwrap();
    let stderr = String::from_utf8_lossy(&stderr);
    let reports = stderr.matches("panicked at").count();
    assert_eq!(
        reports,
        Bot::PANIC_REPORTS_PER_MINUTE as usize,
        "{POSTS} panics: {stderr}"
    );
    // with their backtraces
    assert!(stderr.contains("stack backtrace"), "{stderr}");
}
