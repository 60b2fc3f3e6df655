//! The HTTP server behind [`Bot::serve`](super::Bot::serve): the bot's axum
//! router on hyper's HTTP/1 connections.
//!
//! Not `axum::serve`, which gives hyper no timer and so no way to time out a
//! client that trickles its request headers (slowloris): here every
//! connection has a header read timeout, and the shutdown is graceful as with
//! axum (no new connections; the requests in flight are answered, then their
//! connections close).

use std::future::Future;
use std::io;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;

/// Accepts connections on `listener` and serves `router` on them until
/// `signal` completes, then waits for the connections in flight.
pub(crate) async fn serve(
    listener: TcpListener,
    router: axum::Router,
    header_read_timeout: Option<Duration>,
    signal: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout);
    // Turns the router's handlers into routes once, as axum::serve does;
    // otherwise axum rebuilds the fallback's route for every request.
    let router = router.with_state::<()>(());
    let graceful = GracefulShutdown::new();
    let mut signal = std::pin::pin!(signal);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut signal => break,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(e) => {
                // The pause (see `accept_failed`) gives way to the signal.
                tokio::select! {
                    () = accept_failed(e) => continue,
                    () = &mut signal => break,
                }
            }
        };
        let service = TowerToHyperService::new(router.clone());
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                // Timeouts, resets, garbage instead of HTTP: the client's
                // problem, and no request of it was lost (hyper answered
                // what it could).
                tracing::debug!(%peer, error = %e, "connection ended with an error");
            }
        });
    }
    // Refuse new connections at once, then let the others finish.
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// An error from `accept`: a connection that went away before it was
/// accepted is nothing; anything else (out of file descriptors, say) is
/// logged, and the loop pauses instead of spinning on it.
async fn accept_failed(e: io::Error) {
    use io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        e.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    tracing::error!(error = %e, "cannot accept connections; retrying in 1 s");
    tokio::time::sleep(Duration::from_secs(1)).await;
}
