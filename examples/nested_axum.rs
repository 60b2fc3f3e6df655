//! The bot inside an existing axum application: the webhook is one more
//! service of the app, under `/xmpp`, next to the app's own routes.
//!
//! Run it (the address defaults to 127.0.0.1:8080):
//!
//! ```sh
//! cargo run --example nested_axum -- 127.0.0.1:8080
//! curl -i http://127.0.0.1:8080/health
//! ```
//!
//! Point the Prosody component at the bot's path:
//!
//! ```lua
//! Component "bot.localhost" "rest"
//!     rest_callback_url = "http://127.0.0.1:8080/xmpp/"
//! ```

// ANCHOR: uses
use axum::routing::get;
use tracing_subscriber::EnvFilter;
use xmpp_rest_bot::prelude::*;
// ANCHOR_END: uses

#[on_message(type = ["chat", "normal"])]
async fn echo(MessageText(text): MessageText) -> String {
    text
}

// ANCHOR: app
/// The application: its own routes, and the bot under `/xmpp`.
pub(crate) fn app() -> axum::Router {
    let bot = Bot::new().handler(echo);
    axum::Router::new()
        .route("/health", get(|| async { "ok" }))
        // `nest_service`, not `nest`: it also routes `/xmpp/` (the URL to give
        // mod_rest) and every path below, which callback URLs with
        // `{kind}`/`{type}` placeholders use.
        .nest_service("/xmpp", bot.into_router())
}
// ANCHOR_END: app

// ANCHOR: main
#[tokio::main]
async fn main() -> std::io::Result<()> {
    // Logs: one line per stanza, and when the bot starts and stops
    // (RUST_LOG=debug for why a handler did or did not take a stanza).
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    tracing_subscriber::fmt().with_env_filter(filter).init();
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    tracing::info!("app on http://{addr}/ (webhook under /xmpp/, ctrl-c to stop)");
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down: finishing the requests in flight");
    };
    // Served like any axum app; `Bot::serve` is not involved.
    axum::serve(listener, app())
        .with_graceful_shutdown(ctrl_c)
        .await
}
// ANCHOR_END: main
