//! The ceiling for `bench/run.sh`: a bare axum handler that reads the posted
//! body and answers with a fixed XML message, parsing nothing. Whatever our
//! echo bot does on top of this (negotiating the format, decoding the stanza,
//! dispatching, encoding the reply) shows as the gap to this server.
//!
//! It runs on the same runtime as the echo examples (`#[tokio::main]`, whose
//! worker count `TOKIO_WORKER_THREADS` sets) so that the comparison is fair.
//!
//! ```sh
//! cargo run --release --example bench_raw_axum -- 127.0.0.1:8080
//! ```

use axum::body::Bytes;
use axum::http::header;
use axum::response::IntoResponse;

/// About the size of the echo bot's reply to the benchmark's messages.
const REPLY: &str = "<message xmlns='jabber:client' type='chat' to='alice@example.org/phone' \
                     from='bot@bot.example.net'><body>Could you deploy v1.2.3 to staging when \
                     the build is green? Thanks a lot.</body></message>";

/// Takes the whole body, as a webhook must, and ignores it.
async fn reply(body: Bytes) -> impl IntoResponse {
    drop(body);
    ([(header::CONTENT_TYPE, "application/xmpp+xml")], REPLY)
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    eprintln!("raw axum: fixed reply on http://{addr}/");
    // Stops cleanly on ctrl-c, as the echo bots do: bench/profile.sh needs
    // a clean exit for callgrind to write its profile.
    axum::serve(listener, axum::Router::new().fallback(reply))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
