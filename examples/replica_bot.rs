//! A bot set up for production, meant to run as one of several replicas
//! behind a reverse proxy (see the deployment chapter of the book, and
//! `scripts/nginx_replicas_test.sh`, which runs two of these behind nginx).
//!
//! It answers `[replica ID] text` to every message, so that you can see which
//! replica took it, and keeps a per-sender message count in its state.
//!
//! ```sh
//! cargo run --example replica_bot -- 127.0.0.1:8081 a
//! ```
//!
//! Environment: `BOT_SECRET` (the secret first path segment, default
//! `hook`), `BOT_NICK` (the bot's nickname in rooms, default `replicabot`).
//! Metrics are on `GET /metrics`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tracing_subscriber::EnvFilter;
use xmpp_rest_bot::bot::{Auth, Builtin, MessageRules};
use xmpp_rest_bot::prelude::*;

/// Conversation state: messages seen per sender (bare JID), in this replica.
/// With the proxy hashing on the sender, each sender's state lives in one
/// replica.
#[derive(Clone)]
struct AppState {
    replica: Arc<str>,
    seen: Arc<Mutex<HashMap<String, u64>>>,
}

async fn echo(
    State(app): State<AppState>,
    Sender(from): Sender,
    MessageText(text): MessageText,
) -> String {
    let count = {
        let mut seen = app.seen.lock().unwrap_or_else(|e| e.into_inner());
        let n = seen.entry(from.to_bare().to_string()).or_default();
        *n += 1;
        *n
    };
    format!("[replica {}] #{count} {text}", app.replica)
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    // Logs: one line per stanza, and when the bot starts and stops
    // (RUST_LOG=debug for why a handler did or did not take a stanza).
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    tracing_subscriber::fmt().with_env_filter(filter).init();
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:8081".to_owned());
    let replica = args.next().unwrap_or_else(|| "a".to_owned());
    let secret = std::env::var("BOT_SECRET").unwrap_or_else(|_| "hook".to_owned());
    let nick = std::env::var("BOT_NICK").unwrap_or_else(|_| "replicabot".to_owned());
    // The secret is a credential: the journal gets its length, never its value.
    tracing::info!(
        %replica,
        "webhook under /<secret, {} characters>/, metrics on /metrics",
        secret.chars().count()
    );
    let state = AppState {
        replica: replica.into(),
        seen: Arc::default(),
    };
    Bot::new()
        .handler(echo)
        .with_state(state)
        .builtin(
            Builtin::default()
                .name("Replica bot")
                .software(software_version!()),
        )
        .auth(Auth::default().secret_path(secret))
        .message_rules(MessageRules::default().default_muc_nick(nick))
        .ordered_per_sender(true)
        .timeout(Duration::from_secs(20))
        .metrics_route("/metrics")
        .serve(addr)
        .await
}
