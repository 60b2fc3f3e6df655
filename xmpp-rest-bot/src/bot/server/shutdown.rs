//! The shutdown, once the signal came and the listener is closed: a
//! deadline for everything, a short drain for keep-alive connections.

use std::time::{Duration, Instant};

use super::connection::{Registry, Which};

/// A shutdown under way: how long it may take, and how long keep-alive
/// connections stay open for requests already on their way.
#[derive(Debug, Clone, Copy)]
pub(super) struct Shutdown {
    timeout: Duration,
    drain: Duration,
    /// Connections that never carried a request, closed at once.
    closed_unused: usize,
    deadline: Instant,
    drain_end: Instant,
}

impl Shutdown {
    /// Begins the shutdown, at the signal: every response from now on says
    /// `Connection: close`, and connections that never carried a request
    /// close at once (a client trickling its first head, or holding a
    /// connection it never uses).
    pub(super) fn begin(registry: &Registry, timeout: Duration, drain: Duration) -> Self {
        let signalled = Instant::now();
        registry.start_draining();
        Shutdown {
            timeout,
            drain,
            closed_unused: registry.close(Which::Fresh, false),
            deadline: signalled.checked_add(timeout).unwrap_or_else(far_future),
            drain_end: signalled
                .checked_add(drain.min(timeout))
                .unwrap_or_else(far_future),
        }
    }

    /// Then, with the listener closed:
    /// - keep-alive connections (and those taken from the listen backlog,
    ///   `backlog`) stay open for the drain: a request their client wrote
    ///   before it saw the listener close is still answered (with
    ///   `Connection: close`), then the idle ones close;
    /// - the handlers in flight have until the timeout (from the signal) to
    ///   finish; the connections still open then are cut, and counted in the
    ///   log.
    pub(super) async fn run(self, registry: &Registry, backlog: usize) {
        let Shutdown {
            deadline,
            drain_end,
            ..
        } = self;
        tracing::info!(
            connections = registry.len(),
            closed_unused = self.closed_unused,
            from_backlog = backlog,
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
