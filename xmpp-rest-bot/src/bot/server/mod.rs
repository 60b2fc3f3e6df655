//! The HTTP server behind [`Bot::serve`](super::Bot::serve): the bot's axum
//! router on hyper's HTTP/1 connections.
//!
//! Not `axum::serve`, which has no limit on connections, no timeout for
//! clients that trickle their request heads (slowloris) and no deadline at
//! shutdown. Here:
//! - the number of connections is limited, below the process's file limit;
//!   at the limit the connection idle for the longest time is closed to
//!   make room ([`accept`]);
//! - request heads are limited in size (hyper answers 431 beyond), a new
//!   connection has a short time to send its first head, a keep-alive one a
//!   long time between requests ([`connection`]);
//! - the shutdown has a deadline and a short drain during which keep-alive
//!   clients still get answers, with `Connection: close` ([`shutdown`]).

mod accept;
mod connection;
mod shutdown;

use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;

/// What `serve` enforces; `None` is no timeout.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings {
    pub(crate) max_connections: usize,
    pub(crate) max_header_size: usize,
    pub(crate) first_request_timeout: Option<Duration>,
    pub(crate) idle_timeout: Option<Duration>,
    pub(crate) shutdown_timeout: Duration,
    pub(crate) shutdown_drain: Duration,
}

/// Accepts connections on `listener` and serves `router` on them until
/// `signal` completes, then shuts down (see [`shutdown`]).
pub(crate) async fn serve(
    listener: TcpListener,
    router: axum::Router,
    settings: Settings,
    signal: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let mut http = http1::Builder::new();
    // The connection task times out heads itself (hyper's timer would need
    // one timeout for new and keep-alive connections alike).
    http.header_read_timeout(None)
        .max_header_size(settings.max_header_size);
    // Turns the router's handlers into routes once, as axum::serve does;
    // otherwise axum rebuilds the fallback's route for every request.
    let router = TowerToHyperService::new(router.with_state::<()>(()));
    let registry = Arc::new(connection::Registry::new());
    let acceptor = accept::Acceptor {
        listener: &listener,
        http: &http,
        router: &router,
        registry: &registry,
        timeouts: connection::Timeouts {
            first_request: settings.first_request_timeout,
            idle: settings.idle_timeout,
        },
        max_connections: accept::connection_budget(settings.max_connections),
    };
    acceptor.run(signal).await;
    let shutdown = shutdown::Shutdown::begin(
        &registry,
        settings.shutdown_timeout,
        settings.shutdown_drain,
    );
    // Connections that completed their handshake are answered, not reset
    // by closing the listener; then new ones are refused at once.
    let backlog = acceptor.accept_backlog().await;
    drop(listener);
    shutdown.run(&registry, backlog).await;
    Ok(())
}
