//! The settings of [`Bot::serve`](crate::Bot::serve) that hold connections.

use std::time::Duration;

use super::server;

/// The settings of [`Bot::serve`](crate::Bot::serve) that hold connections: how many, how big
/// a request head, how long to wait for one, and how long a shutdown takes.
/// Give them to [`Bot::serving`](crate::Bot::serving); a router from [`Bot::into_router`](crate::Bot::into_router) runs in
/// your server, with its own.
///
/// ```
/// use std::time::Duration;
/// use xmpp_rest_bot::Bot;
/// use xmpp_rest_bot::bot::Serving;
///
/// // Reachable from Prosody only, without a proxy: no need to wait long.
/// let bot: Bot = Bot::new().serving(
///     Serving::default()
///         .header_read_timeout(Duration::from_secs(15))
///         .max_connections(256),
/// );
/// ```
#[derive(Debug, Clone, Copy)]
#[must_use]
pub struct Serving {
    max_connections: usize,
    max_header_size: usize,
    first_request_timeout: Duration,
    header_read_timeout: Duration,
    shutdown_timeout: Duration,
    shutdown_drain: Duration,
}

impl Default for Serving {
    /// The `DEFAULT_*` values.
    fn default() -> Self {
        Serving {
            max_connections: Serving::DEFAULT_MAX_CONNECTIONS,
            max_header_size: Serving::DEFAULT_MAX_HEADER_SIZE,
            first_request_timeout: Serving::DEFAULT_FIRST_REQUEST_TIMEOUT,
            header_read_timeout: Serving::DEFAULT_HEADER_READ_TIMEOUT,
            shutdown_timeout: Serving::DEFAULT_SHUTDOWN_TIMEOUT,
            shutdown_drain: Serving::DEFAULT_SHUTDOWN_DRAIN,
        }
    }
}

/// hyper refuses a smaller head buffer (it panics below 8 KiB).
const MIN_HEADER_SIZE: usize = 8192;

impl Serving {
    pub(crate) fn for_server(&self) -> server::Settings {
        // Zero turns a timeout off, rather than timing out every connection.
        let timeout = |d: Duration| (!d.is_zero()).then_some(d);
        server::Settings {
            max_connections: self.max_connections.max(1),
            max_header_size: self.max_header_size.max(MIN_HEADER_SIZE),
            first_request_timeout: timeout(self.first_request_timeout),
            idle_timeout: timeout(self.header_read_timeout),
            shutdown_timeout: self.shutdown_timeout,
            shutdown_drain: self.shutdown_drain,
        }
    }
}

impl Serving {
    /// The most connections [`serve`](crate::Bot::serve) holds open (default
    /// [`DEFAULT_MAX_CONNECTIONS`](Self::DEFAULT_MAX_CONNECTIONS)). At the
    /// limit, a new connection makes room by closing the connection idle for
    /// the longest time (one that never sent a request counts as idle since
    /// it was opened); when every connection has a request in progress, the
    /// new one is answered 503 and closed.
    ///
    /// The limit is lowered at startup to three quarters of the process's
    /// limit on open files (`RLIMIT_NOFILE`, systemd's `LimitNOFILE`; read
    /// on Linux), with a warning: the bot then never runs out of file
    /// descriptors because of its clients. Should `accept` fail anyway (other
    /// files), the bot closes an idle connection, pauses (5 ms, doubling up
    /// to 1 s) and logs the failure at most every 10 s.
    ///
    /// A limit of 0 counts as 1.
    pub fn max_connections(mut self, limit: usize) -> Self {
        self.max_connections = limit;
        self
    }

    /// The largest request head [`serve`](crate::Bot::serve) accepts, request line
    /// and headers together (default
    /// [`DEFAULT_MAX_HEADER_SIZE`](Self::DEFAULT_MAX_HEADER_SIZE)); a larger
    /// one is answered 431 and the connection closed. mod_rest's heads are a
    /// few hundred bytes; the limit bounds what a client sending an endless
    /// head costs. Values under 8 KiB count as 8 KiB (hyper's minimum).
    pub fn max_header_size(mut self, bytes: usize) -> Self {
        self.max_header_size = bytes;
        self
    }

    /// How long [`serve`](crate::Bot::serve) waits for the head of the first
    /// request on a new connection (default
    /// [`DEFAULT_FIRST_REQUEST_TIMEOUT`](Self::DEFAULT_FIRST_REQUEST_TIMEOUT)),
    /// then closes it. mod_rest and proxies write their request as soon as
    /// they connect: only a client that holds connections without using them
    /// is slower. Later requests on the connection have the
    /// [`header_read_timeout`](Self::header_read_timeout).
    ///
    /// `Duration::ZERO` turns the timeout off.
    pub fn first_request_timeout(mut self, timeout: Duration) -> Self {
        self.first_request_timeout = timeout;
        self
    }

    /// How long [`serve`](crate::Bot::serve) keeps a keep-alive connection open
    /// between requests, waiting for the next request's head (default
    /// [`DEFAULT_HEADER_READ_TIMEOUT`](Self::DEFAULT_HEADER_READ_TIMEOUT)):
    /// from the end of a response to the end of the next head, so clients
    /// trickling their headers (slowloris) cannot hold connections for ever.
    /// The first request of a connection has the shorter
    /// [`first_request_timeout`](Self::first_request_timeout).
    ///
    /// Keep it above the idle timeout of a reverse proxy's pooled connections
    /// (nginx's upstream `keepalive_timeout`, 60 s by default): the proxy
    /// must be the one that closes them, or a request it sends just as the
    /// bot closes the connection fails with 502.
    ///
    /// `Duration::ZERO` turns the timeout off.
    ///
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.header_read_timeout = timeout;
        self
    }

    /// How long the shutdown of [`serve`](crate::Bot::serve) may take, from the
    /// signal (default
    /// [`DEFAULT_SHUTDOWN_TIMEOUT`](Self::DEFAULT_SHUTDOWN_TIMEOUT)). The
    /// listener closes at once, and so do connections that never carried a
    /// request; the handlers in flight have until then to finish, and the
    /// requests still in flight then are cut (their connections closed, their
    /// number logged). Keep it under systemd's `TimeoutStopSec` (30 s in the
    /// deployment chapter's unit), and above [`timeout`](crate::Bot::timeout)
    /// when handlers should always finish.
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.shutdown_timeout = timeout;
        self
    }

    /// How long keep-alive connections stay open once the shutdown began
    /// (default [`DEFAULT_SHUTDOWN_DRAIN`](Self::DEFAULT_SHUTDOWN_DRAIN); at
    /// most the [`shutdown_timeout`](Self::shutdown_timeout)). A client
    /// (mod_rest, a proxy) may be writing a request on one just as the signal
    /// arrives: it is still answered, with `Connection: close`, as are the
    /// requests in flight, so the client opens a new connection for its next
    /// request (to another replica, behind a proxy) instead of losing it. The
    /// idle connections are closed at the end of the drain.
    pub fn shutdown_drain(mut self, drain: Duration) -> Self {
        self.shutdown_drain = drain;
        self
    }
}

impl Serving {
    /// The default of [`max_connections`](Self::max_connections): 1024
    /// connections (lowered to fit the process's file limit).
    pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;

    /// The default of [`max_header_size`](Self::max_header_size): 8 KiB, the
    /// smallest hyper allows, like nginx's buffer for a long header line;
    /// mod_rest sends a few hundred bytes.
    pub const DEFAULT_MAX_HEADER_SIZE: usize = 8192;

    /// The default of [`first_request_timeout`](Self::first_request_timeout):
    /// 5 seconds.
    pub const DEFAULT_FIRST_REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

    /// The default of [`header_read_timeout`](Self::header_read_timeout): 75
    /// seconds, above nginx's 60 s upstream `keepalive_timeout` (like nginx's
    /// own client `keepalive_timeout`).
    pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(75);

    /// The default of [`shutdown_timeout`](Self::shutdown_timeout): 10
    /// seconds, well under systemd's default `TimeoutStopSec` (90 s) and the
    /// 30 s of the deployment chapter's unit.
    pub const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(10);

    /// The default of [`shutdown_drain`](Self::shutdown_drain): 1 second.
    pub const DEFAULT_SHUTDOWN_DRAIN: Duration = Duration::from_secs(1);
}
