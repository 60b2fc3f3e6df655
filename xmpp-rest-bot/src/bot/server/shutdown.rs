//! The shutdown, once the signal came and the listener is closed: a
//! deadline for everything, a short drain for keep-alive connections.

use std::time::{Duration, Instant};

use super::connection::{Registry, Which};

/// How long the shutdown may take, and how long keep-alive connections stay
/// open for requests already on their way.
#[derive(Debug, Clone, Copy)]
pub(super) struct Shutdown {
    pub(super) timeout: Duration,
    pub(super) drain: Duration,
}

impl Shutdown {
    /// In order:
    /// - every response from now on says `Connection: close`;
    /// - connections that never carried a request close at once (a client
    ///   trickling its first head, or holding a connection it never uses);
    /// - keep-alive connections stay open for `drain`: a request their client
    ///   wrote before it saw the listener close is still answered (with
    ///   `Connection: close`), then the idle ones close;
    /// - the handlers in flight have until `timeout` (from the signal) to
    ///   finish; the connections still open then are cut, and counted in the
    ///   log.
    pub(super) async fn run(self, registry: &Registry) {
        let signalled = Instant::now();
        let deadline = signalled
            .checked_add(self.timeout)
            .unwrap_or_else(far_future);
        let drain_end = signalled
            .checked_add(self.drain.min(self.timeout))
            .unwrap_or_else(far_future);
        registry.start_draining();
        let fresh = registry.close(Which::Fresh, false);
        tracing::info!(
            connections = registry.len(),
            closed_unused = fresh,
            in_flight = registry.busy(),
            drain = ?self.drain,
            timeout = ?self.timeout,
            "shutting down: answering the requests in flight"
        );
        if registry.wait_empty_until(drain_end).await {
            return;
        }
        registry.close(Which::All, false);
        if registry.wait_empty_until(deadline).await {
            return;
        }
        let in_flight = registry.busy();
        tracing::warn!(
            connections = registry.len(),
            in_flight,
            timeout = ?self.timeout,
            "shutdown deadline reached: cutting the requests still in flight"
        );
        registry.close(Which::All, true);
        // Their tasks only have to drop the connections.
        let _ = registry
            .wait_empty_until(Instant::now() + Duration::from_secs(1))
            .await;
    }
}

/// A deadline that never comes (for durations that overflow an `Instant`).
fn far_future() -> Instant {
    Instant::now() + Duration::from_secs(100 * 365 * 24 * 3600)
}
