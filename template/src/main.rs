//! Serves the bot as the webhook of the Prosody component {{component}}
//! (see `prosody.cfg.lua`).

use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Logs: one line per stanza (kind, sender, handler, status, time taken),
    // and the start and shutdown. RUST_LOG=debug says why a handler did or
    // did not take a stanza.
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    tracing_subscriber::fmt().with_env_filter(filter).init();
    let addr = std::env::var("BOT_ADDR").unwrap_or_else(|_| "127.0.0.1:8080".to_owned());
    // The groups, from the environment: BOT_GROUP_ADMINS="alice@example.org, *@ops.example.org".
    let access = xmpp_rest_bot::guard::Access::from_env("BOT_GROUP_")?;
{%- if storage == "none" %}
    {{crate_name}}::bot(access).serve(addr).await?;
    Ok(())
{%- elsif storage == "memory" %}
    let storage = xmpp_rest_bot::storage::MemoryStorage::new();
    {{crate_name}}::bot(access, storage).serve(addr).await?;
    Ok(())
{%- elsif storage == "sqlite" %}
    // Conversations survive restarts in this file, created on first use.
    let db = std::env::var("BOT_DB").unwrap_or_else(|_| "{{project-name}}.db".to_owned());
    let storage = xmpp_rest_bot::storage::SqliteStorage::builder(db).open().await?;
    {{crate_name}}::bot(access, storage).serve(addr).await?;
    Ok(())
{%- else %}
    // Replicas of the bot share their conversations in this Redis.
    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1/".to_owned());
    let storage = xmpp_rest_bot::storage::RedisStorage::builder(url).connect().await?;
    {{crate_name}}::bot(access, storage).serve(addr).await?;
    Ok(())
{%- endif %}
}
