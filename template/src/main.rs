//! Serves the bot as the webhook of the Prosody component {{component}}
//! (see `prosody.cfg.lua`).

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::var("BOT_ADDR").unwrap_or_else(|_| "127.0.0.1:8080".to_owned());
    eprintln!("{{project-name}}: webhook on http://{addr}/ (ctrl-c to stop)");
    {{crate_name}}::bot().serve(addr).await
}
