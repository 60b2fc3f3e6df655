//! Retries happen only when nothing reached Prosody.
#![cfg(all(feature = "client", feature = "testing"))]

mod client_support;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use client_support::builder;
use xmpp_rest_bot::client::{RestClient, RetryPolicy};
use xmpp_rest_bot::testing::MockRest;

/// A free port of 127.0.0.1 with nothing listening on it (a connection is refused).
fn refused_addr() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap()
}

/// A server that accepts connections, reads, and never answers; counts connections.
async fn silent_server() -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let counter = count.clone();
    tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            open.push(socket);
        }
    });
    (addr, count)
}

#[tokio::test]
async fn a_refused_connection_is_retried_until_prosody_is_up() {
    let addr = refused_addr();
    let client = RestClient::builder(format!("http://{addr}"))
        .bearer_token(MockRest::DEFAULT_TOKEN)
        .retries(RetryPolicy::new(
            5,
            Duration::from_millis(100),
            Duration::from_millis(400),
        ))
        .build()
        .unwrap();
    let started = Instant::now();
    let send = tokio::spawn(async move { client.send_chat("alice@localhost", "eventually").await });
    // Prosody comes up while the client is backing off.
    tokio::time::sleep(Duration::from_millis(150)).await;
    let mock = MockRest::builder().bind(addr).start().await.unwrap();

    send.await.unwrap().unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(100),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(mock.requests().len(), 1, "delivered once");
    mock.assert_sent_message("alice@localhost", "eventually");
}

#[tokio::test]
async fn retries_give_up_with_a_connect_error() {
    let addr = refused_addr();
    let client = RestClient::builder(format!("http://{addr}"))
        .bearer_token("x")
        .retries(RetryPolicy::new(
            2,
            Duration::from_millis(50),
            Duration::from_millis(50),
        ))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client.send_chat("alice@localhost", "x").await.unwrap_err();
    assert!(
        err.is_connect() && !err.is_status() && !err.is_timeout(),
        "{err}"
    );
    // Two backoffs of 50 ms.
    assert!(
        started.elapsed() >= Duration::from_millis(100),
        "{:?}",
        started.elapsed()
    );
    let message = err.to_string();
    assert!(
        message.starts_with(&format!("could not connect to http://{addr}/rest")),
        "{message}"
    );
    assert!(message.contains("is prosody running"), "{message}");
}

#[tokio::test]
async fn without_retries_a_refused_connection_fails_at_once() {
    let addr = refused_addr();
    let client = RestClient::builder(format!("http://{addr}"))
        .retries(RetryPolicy::never())
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client.ping("localhost").await.unwrap_err();
    assert!(err.is_connect(), "{err}");
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[tokio::test]
async fn a_server_error_for_a_message_is_not_retried() {
    let mock = MockRest::start().await;
    mock.fail_next_request(500);
    let client = builder(&mock)
        .retries(RetryPolicy::new(
            3,
            Duration::from_millis(10),
            Duration::from_millis(10),
        ))
        .build()
        .unwrap();
    let err = client
        .send_chat("alice@localhost", "maybe delivered")
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(500));
    assert_eq!(
        mock.requests().len(),
        1,
        "a 500 may mean delivered: no second try"
    );
}

#[tokio::test]
async fn a_timeout_after_sending_is_not_retried() {
    let (addr, connections) = silent_server().await;
    let client = RestClient::builder(format!("http://{addr}"))
        .bearer_token("x")
        .timeout(Duration::from_millis(300))
        .retries(RetryPolicy::new(
            3,
            Duration::from_millis(10),
            Duration::from_millis(10),
        ))
        .build()
        .unwrap();
    let err = client.send_chat("alice@localhost", "x").await.unwrap_err();
    assert!(err.is_timeout() && !err.is_connect(), "{err}");
    assert!(err.to_string().contains("timed out"), "{err}");
    assert_eq!(connections.load(Ordering::SeqCst), 1, "no second try");
}

#[tokio::test]
async fn a_query_waits_past_the_prosody_timeout_before_timing_out_locally() {
    let (addr, _) = silent_server().await;
    let client = RestClient::builder(format!("http://{addr}"))
        .bearer_token("x")
        .retries(RetryPolicy::never())
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client
        .query_with_timeout(
            xmpp_rest_bot::stanza::Iq::get(xmpp_rest_bot::stanza::Ping)
                .with_to("localhost".parse().unwrap()),
            Duration::from_millis(100),
        )
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err}");
    // Prosody is told 1 s; the HTTP exchange is allowed 5 s more.
    assert!(
        started.elapsed() >= Duration::from_secs(6),
        "{:?}",
        started.elapsed()
    );
}
