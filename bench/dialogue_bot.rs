//! bench/run.sh's echo-with-dialogue bot: the echo bot, plus one conversation
//! read and write per message (a per-conversation message count in a
//! `MemoryStorage`, through `Bot::dialogues` and `update_with`). Beside the
//! plain echo bot it shows what a dialogue costs per request.
//!
//! Each sender's stanzas are handled in order (`ordered_per_sender`), as a
//! bot with conversations on one replica runs: the workload's four senders
//! would otherwise race on their counts and measure retries.

use tracing_subscriber::EnvFilter;
use xmpp_rest_bot::dialogue::Dialogue;
use xmpp_rest_bot::prelude::*;
use xmpp_rest_bot::storage::MemoryStorage;

#[on_message(type = ["chat", "groupchat", "normal"])]
async fn echo(mut seen: Dialogue<u64>, MessageText(text): MessageText) -> String {
    if let Err(error) = seen.update_with(|n| n + 1).await {
        tracing::error!(%error, "count not saved");
    }
    text
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    tracing_subscriber::fmt().with_env_filter(filter).init();
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    Bot::new()
        .dialogues(MemoryStorage::new())
        .ordered_per_sender(true)
        .handler(echo)
        .serve(addr)
        .await
}
