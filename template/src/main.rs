//! Serves the bot as the webhook of the Prosody component {{component}}
//! (see `prosody.cfg.lua`).

use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    // Logs: one line per stanza (kind, sender, handler, status, time taken),
    // and the start and shutdown. RUST_LOG=debug says why a handler did or
    // did not take a stanza.
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    tracing_subscriber::fmt().with_env_filter(filter).init();
    let addr = std::env::var("BOT_ADDR").unwrap_or_else(|_| "127.0.0.1:8080".to_owned());
    {{crate_name}}::bot().serve(addr).await
}
