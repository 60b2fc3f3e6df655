//! Rate limits shared by replicas through a real `redis-server`: two bots on
//! two ports, one Redis; a sender's burst is spent across both, the refusal
//! comes from either, and the bucket recovers with time. And a Redis that
//! goes away lets commands run (logged) rather than locking operators out.
#![cfg(feature = "redis")]

#[allow(dead_code)] // `restart` is for the storage tests
#[path = "storage/redis_server.rs"]
mod redis_server;
mod webhook_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use webhook_support::{HttpResponse, post_xml, start};
use xmpp_rest_bot::command::{BotCommands, Command};
use xmpp_rest_bot::guard::{Guardrails, RateLimit};
use xmpp_rest_bot::prelude::*;
use xmpp_rest_bot::storage::RedisStorage;

#[derive(BotCommands)]
enum Ops {
    /// Show the status.
    Status,
    /// Restart, at most once a second per sender.
    #[command(rate = "1/s")]
    Restart,
}

fn chat(from: &str, body: &str) -> String {
    format!(
        "<message type='chat' id='m1' from='{from}' to='bot@bot.localhost'><body>{body}</body></message>"
    )
}

fn refused(answer: &HttpResponse) -> bool {
    match answer.stanza() {
        Stanza::Message(m) => m
            .error
            .as_ref()
            .is_some_and(|e| e.condition == Condition::PolicyViolation),
        _ => false,
    }
}

fn replica(redis: &Arc<RedisStorage>, scope: &str, runs: &Arc<AtomicUsize>) -> Bot {
    let runs = Arc::clone(runs);
    let handler = move |Command(_): Command<Ops>| {
        let runs = Arc::clone(&runs);
        // Counted when the handler runs, not when its future is made.
        async move {
            runs.fetch_add(1, Ordering::Relaxed);
            "ok"
        }
    };
    Bot::new()
        .guardrails(
            Guardrails::new()
                .scope(scope)
                .rate_limit(RateLimit::every(Duration::from_millis(400)).burst(3))
                .shared_rates(Arc::clone(redis)),
        )
        .handler(handler)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_share_one_bucket_per_sender() {
    let Some(server) = redis_server::redis("replicas_share_one_bucket_per_sender") else {
        return;
    };
    let redis = Arc::new(RedisStorage::builder(&server.url).connect().await.unwrap());
    let runs = Arc::new(AtomicUsize::new(0));
    let a = start(replica(&redis, &server.prefix, &runs)).await;
    let b = start(replica(&redis, &server.prefix, &runs)).await;
    let carol = "carol@localhost/c";

    // A burst of three, alternating replicas; the fourth is refused by
    // whichever gets it (each replica alone would allow three).
    for addr in [a.addr, b.addr, a.addr] {
        let ok = post_xml(addr, "/", &chat(carol, "!status")).await;
        assert_eq!(ok.status, 200, "{}", ok.text());
    }
    let fourth = post_xml(b.addr, "/", &chat(carol, "!status")).await;
    assert!(refused(&fourth), "{}", fourth.text());
    assert_eq!(
        runs.load(Ordering::Relaxed),
        3,
        "the refused run must not start"
    );

    // A command's own bucket is shared too.
    let first = post_xml(a.addr, "/", &chat(carol, "!restart")).await;
    assert_eq!(first.status, 200, "{}", first.text());
    let second = post_xml(b.addr, "/", &chat(carol, "!restart")).await;
    assert!(refused(&second), "{}", second.text());

    // Another sender has buckets of their own; carol recovers with time.
    let dave = post_xml(a.addr, "/", &chat("dave@localhost/d", "!status")).await;
    assert_eq!(dave.status, 200);
    tokio::time::sleep(Duration::from_millis(450)).await;
    let recovered = post_xml(b.addr, "/", &chat(carol, "!status")).await;
    assert_eq!(recovered.status, 200, "{}", recovered.text());
    a.stop().await.unwrap();
    b.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_store_lets_commands_run() {
    // Our own server, so that it can be stopped.
    let Some(mut server) = redis_server::own_redis("an_unreachable_store_lets_commands_run") else {
        return;
    };
    let redis = Arc::new(
        RedisStorage::builder(&server.url)
            .timeout(Duration::from_millis(300))
            .connect()
            .await
            .unwrap(),
    );
    let runs = Arc::new(AtomicUsize::new(0));
    let bot = start(replica(&redis, &server.prefix, &runs)).await;
    server.stop();
    let answer = post_xml(bot.addr, "/", &chat("carol@localhost/c", "!status")).await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(runs.load(Ordering::Relaxed), 1);
    bot.stop().await.unwrap();
}
