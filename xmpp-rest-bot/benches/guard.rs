//! The cost of the guardrails on a request: a rate-limit check (one sender
//! sending again, and a new sender each time), an access-group lookup, and a
//! whole command request through the bot's router with and without
//! `Bot::guardrails` (in process, no socket); then the limiter's memory with
//! 1,000,000 distinct senders.
//!
//! Run: `cargo bench -p xmpp-rest-bot --bench guard`
//! (the memory figure is printed first, from /proc/self/status, on Linux).

use std::hint::black_box;
use std::time::Duration;

use criterion::Criterion;
use tower::ServiceExt as _;
use xmpp_rest_bot::guard::{Access, Guardrails, RateLimit, RateLimiter};
use xmpp_rest_bot::prelude::*;
use xmpp_rest_bot::stanza::Jid;

fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// RSS before and after a million distinct senders, each checked once, with
/// the default cap on tracked keys.
fn memory_with_a_million_senders() {
    let before = rss_kib();
    let limiter = RateLimiter::new(RateLimit::per_minute(10));
    let mut key = String::with_capacity(40);
    for i in 0..1_000_000u32 {
        key.clear();
        use std::fmt::Write as _;
        let _ = write!(key, "sender{i}@example.net");
        black_box(limiter.check(&key));
    }
    let after = rss_kib();
    match (before, after) {
        (Some(b), Some(a)) => println!(
            "rate limiter, 1,000,000 distinct senders: RSS {:.1} MiB -> {:.1} MiB (+{:.1} MiB), {} keys tracked",
            b as f64 / 1024.0,
            a as f64 / 1024.0,
            a.saturating_sub(b) as f64 / 1024.0,
            limiter.tracked()
        ),
        _ => println!(
            "rate limiter: RSS not available on this system ({} keys tracked)",
            limiter.tracked()
        ),
    }
}

fn guard(c: &mut Criterion) {
    let mut group = c.benchmark_group("guard");
    // Generous enough that the repeated sender is always allowed.
    let limiter = RateLimiter::new(RateLimit::every(Duration::from_nanos(1)).burst(1_000_000));
    group.bench_function("rate check, same sender", |b| {
        b.iter(|| black_box(limiter.check(black_box("alice@example.net"))))
    });
    let mut i = 0u64;
    let mut key = String::with_capacity(40);
    group.bench_function("rate check, new sender each time", |b| {
        b.iter(|| {
            use std::fmt::Write as _;
            i += 1;
            key.clear();
            let _ = write!(key, "sender{i}@example.net");
            black_box(limiter.check(&key))
        })
    });
    let access = Access::new()
        .group(
            "ops",
            [
                "alice@example.net",
                "*@ops.example.net",
                "root@example.net/console",
            ],
        )
        .and_then(|a| a.group("admins", ["root@example.net/console"]))
        .unwrap_or_default();
    let sender = Jid::new("carol@ops.example.net/phone").ok();
    group.bench_function("access check, 3 patterns", |b| {
        b.iter(|| sender.as_ref().map(|s| black_box(access.allows("ops", s))))
    });
    group.finish();
}

#[derive(BotCommands)]
enum Ops {
    /// Show the status.
    Status,
    /// Deploy (ops only).
    #[command(allow = "ops")]
    Deploy { env: String },
}

async fn ops(Command(cmd): Command<Ops>) -> String {
    match cmd {
        Ops::Status => "all green".to_owned(),
        Ops::Deploy { env } => format!("deploying to {env}"),
    }
}

/// One `!status` (or `!deploy prod`) request through the router.
fn request(body: &str) -> axum::http::Request<axum::body::Body> {
    let xml = format!(
        "<message type='chat' id='m1' from='carol@ops.example.net/phone' to='bot@example.net'><body>{body}</body></message>"
    );
    axum::http::Request::post("/")
        .header("content-type", "application/xmpp+xml")
        .body(axum::body::Body::from(xml))
        .unwrap_or_default()
}

fn command_requests(c: &mut Criterion) {
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return;
    };
    let access = Access::new()
        .group("ops", ["*@ops.example.net"])
        .unwrap_or_default();
    let plain = Bot::new().handler(ops).into_router();
    let guarded = Bot::new()
        .guardrails(
            Guardrails::new()
                .access(access)
                .rate_limit(RateLimit::every(Duration::from_nanos(1)).burst(1_000_000)),
        )
        .handler(ops)
        .into_router();
    let mut group = c.benchmark_group("command request");
    for (name, router, body) in [
        ("!status, no guardrails", &plain, "!status"),
        ("!status, guardrails", &guarded, "!status"),
        (
            "!deploy prod, guardrails (allowed)",
            &guarded,
            "!deploy prod",
        ),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                let response = runtime.block_on(router.clone().oneshot(request(body)));
                black_box(response.map(|r| r.status()))
            })
        });
    }
    group.finish();
}

fn main() {
    memory_with_a_million_senders();
    let mut c = Criterion::default().configure_from_args();
    guard(&mut c);
    command_requests(&mut c);
    c.final_summary();
}
