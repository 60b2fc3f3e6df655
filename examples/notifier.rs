//! A notifier: sends one message through Prosody's `/rest` and exits, for CI
//! pipelines, cron jobs and alerting hooks. No webhook involved: bots also
//! speak first.
//!
//! ```sh
//! export XMPP_REST_URL=https://example.org:5281 XMPP_REST_TOKEN=...
//! cargo run --features client --example notifier -- ops@example.org "deploy $CI_COMMIT_SHA finished"
//! ```
//!
//! `XMPP_REST_USER` and `XMPP_REST_PASSWORD` (an account of the host, its
//! local part as the user) work instead of a token. The `xmpp-rest` command
//! line tool does the same without writing any code:
//!
//! ```sh
//! cargo install xmpp-rest-bot --features cli
//! xmpp-rest send --to ops@example.org "deploy $CI_COMMIT_SHA finished"
//! ```

// ANCHOR: uses
use std::process::ExitCode;
use std::time::Duration;

use tracing_subscriber::EnvFilter;
use xmpp_rest_bot::client::{RestClient, RetryPolicy};
// ANCHOR_END: uses

// ANCHOR: client
/// The client, configured from the environment (given as a function, so that
/// the tests need not change the process's environment).
pub(crate) fn client_from_env(env: impl Fn(&str) -> Option<String>) -> Result<RestClient, String> {
    let url = env("XMPP_REST_URL").ok_or("set XMPP_REST_URL to Prosody's HTTP base URL")?;
    let builder = RestClient::builder(url)
        .timeout(Duration::from_secs(20))
        // Retries only what cannot have reached Prosody (a refused connection,
        // say): a notification is never sent twice.
        .retries(RetryPolicy::default().max_retries(4));
    let builder = match (env("XMPP_REST_TOKEN"), env("XMPP_REST_USER")) {
        (Some(token), _) => builder.bearer_token(token),
        (None, Some(user)) => {
            let password = env("XMPP_REST_PASSWORD").ok_or("set XMPP_REST_PASSWORD")?;
            builder.basic_auth(user, password)
        }
        (None, None) => {
            return Err("set XMPP_REST_TOKEN, or XMPP_REST_USER and XMPP_REST_PASSWORD".into());
        }
    };
    builder
        .build()
        .map_err(|e| format!("cannot build the client: {e}"))
}
// ANCHOR_END: client

// ANCHOR: notify
/// Sends `text` to `to` as a chat message. The `Ok` means Prosody accepted it
/// (HTTP 202), not that someone read it: XMPP has receipts for that.
pub(crate) async fn notify(client: &RestClient, to: &str, text: &str) -> Result<(), String> {
    match client.send_chat(to, text).await {
        Ok(_) => Ok(()),
        Err(e) if e.is_auth() => Err(format!("prosody refused the credentials: {e}")),
        Err(e) => Err(format!("cannot send the notification: {e}")),
    }
}
// ANCHOR_END: notify

#[tokio::main]
async fn main() -> ExitCode {
    // Logs (RUST_LOG, default info): what was sent, or why not.
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    tracing_subscriber::fmt().with_env_filter(filter).init();
    let mut args = std::env::args().skip(1);
    let to = args.next();
    let text = args.collect::<Vec<_>>().join(" ");
    let Some(to) = to.filter(|_| !text.is_empty()) else {
        eprintln!("usage: notifier JID TEXT...");
        return ExitCode::from(1);
    };
    let result = match client_from_env(|name| std::env::var(name).ok()) {
        Ok(client) => notify(&client, &to, &text).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => {
            tracing::info!(%to, "notification sent");
            ExitCode::SUCCESS
        }
        Err(e) => {
            tracing::error!("{e}");
            ExitCode::from(2)
        }
    }
}
