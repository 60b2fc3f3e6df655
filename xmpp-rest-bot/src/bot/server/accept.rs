//! The accept loop: the connection limit (the oldest idle connection makes
//! room for a new one), and accept errors, out of file descriptors above all,
//! survived with a backoff and a log line.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hyper::server::conn::http1;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};

use super::connection::{self, Registry, Timeouts};

/// What the accept loop needs.
pub(super) struct Acceptor<'a> {
    pub(super) listener: &'a TcpListener,
    pub(super) http: &'a http1::Builder,
    pub(super) router: &'a TowerToHyperService<axum::Router>,
    pub(super) registry: &'a Arc<Registry>,
    pub(super) timeouts: Timeouts,
    pub(super) max_connections: usize,
}

/// The first pause after a failed accept; it doubles up to [`MAX_BACKOFF`]
/// while accepts keep failing.
const MIN_BACKOFF: Duration = Duration::from_millis(5);
const MAX_BACKOFF: Duration = Duration::from_secs(1);

/// How often the same trouble is logged at most: a flood must not flood the
/// logs too.
const LOG_EVERY: Duration = Duration::from_secs(10);

impl Acceptor<'_> {
    /// Accepts connections until `signal` completes.
    pub(super) async fn run(&self, signal: impl Future<Output = ()>) {
        let mut signal = std::pin::pin!(signal);
        let mut backoff = MIN_BACKOFF;
        let mut failures = Throttled::default();
        let mut refusals = Throttled::default();
        let mut evictions = Throttled::default();
        loop {
            let accepted = tokio::select! {
                accepted = self.listener.accept() => accepted,
                () = &mut signal => return,
            };
            let (stream, peer) = match accepted {
                Ok(accepted) => accepted,
                Err(e) if is_connection_error(&e) => continue,
                Err(e) => {
                    // Out of file descriptors (or memory): an idle
                    // connection gives one back, the pause lets others end.
                    // The pending connection stays in the backlog meanwhile.
                    let freed = self.registry.evict_oldest_idle();
                    failures.note(|count| {
                        tracing::error!(
                            error = %e,
                            count,
                            connections = self.registry.len(),
                            closed_an_idle_one = freed,
                            retry_in = ?backoff,
                            "cannot accept connections (out of file descriptors?); lower \
                             Serving::max_connections or raise the process's file limit"
                        );
                    });
                    tokio::select! {
                        () = tokio::time::sleep(backoff) => {}
                        () = &mut signal => return,
                    }
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                    continue;
                }
            };
            backoff = MIN_BACKOFF;
            if self.registry.len() >= self.max_connections {
                if self.registry.evict_oldest_idle() {
                    evictions.note(|count| {
                        tracing::warn!(
                            limit = self.max_connections,
                            count,
                            "connection limit reached: closed the longest idle connection"
                        );
                    });
                } else {
                    refusals.note(|count| {
                        tracing::warn!(
                            limit = self.max_connections,
                            count,
                            "connection limit reached with a request on every connection: \
                             refusing new connections (503)"
                        );
                    });
                    refuse(&stream);
                    continue;
                }
            }
            self.serve(stream, peer);
        }
    }
}

impl Acceptor<'_> {
    /// Serves an accepted connection on a task of its own.
    fn serve(&self, stream: TcpStream, peer: SocketAddr) {
        connection::spawn(
            stream,
            peer,
            self.http,
            self.router,
            self.registry,
            self.timeouts,
        );
    }

    /// Accepts the connections already waiting in the listen backlog, at
    /// shutdown: closing the listener would reset them, and their clients
    /// may have written a request on them already. They are served like the
    /// keep-alive connections during the drain. Returns how many.
    pub(super) async fn accept_backlog(&self) -> usize {
        let mut accepted = 0;
        // A timeout of zero polls `accept` once: what is ready, no waiting.
        while accepted < self.max_connections {
            let Ok(Ok((stream, peer))) =
                tokio::time::timeout(Duration::ZERO, self.listener.accept()).await
            else {
                break;
            };
            self.serve(stream, peer);
            accepted += 1;
        }
        accepted
    }
}

/// An error about the connection being accepted, not about the listener.
fn is_connection_error(e: &io::Error) -> bool {
    use io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    matches!(
        e.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    )
}

/// Answers 503 on a connection there is no room for, as far as the socket
/// buffer takes it at once, and closes it (when dropped).
fn refuse(stream: &TcpStream) {
    const ANSWER: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\n\
                            Content-Length: 0\r\nConnection: close\r\n\r\n";
    let _ = stream.try_write(ANSWER);
}

/// A log line that is written at most every [`LOG_EVERY`], with the number of
/// occurrences since the last one.
#[derive(Default)]
struct Throttled {
    last: Option<Instant>,
    count: u64,
}

impl Throttled {
    fn note(&mut self, log: impl FnOnce(u64)) {
        self.count += 1;
        if self.last.is_none_or(|at| at.elapsed() >= LOG_EVERY) {
            log(self.count);
            self.count = 0;
            self.last = Some(Instant::now());
        }
    }
}

/// How many connections the process can hold: `wanted`, lowered to three
/// quarters of the soft limit on open files (`RLIMIT_NOFILE`, read from
/// `/proc/self/limits` on Linux) so that accepting never runs out of file
/// descriptors before the limit is reached; the rest is left for the
/// listener, the runtime, logs and the handlers' own files and connections.
pub(super) fn connection_budget(wanted: usize) -> usize {
    let Some(files) = open_files_limit() else {
        return wanted;
    };
    let budget = usize::try_from(files / 4 * 3).unwrap_or(usize::MAX).max(1);
    if budget < wanted {
        tracing::warn!(
            max_connections = wanted,
            open_files_limit = files,
            lowered_to = budget,
            "the process may not open enough files for Serving::max_connections: \
             the limit is lowered (raise LimitNOFILE)"
        );
        budget
    } else {
        wanted
    }
}

/// The soft limit on open files, when the system says (Linux).
fn open_files_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    parse_open_files(&limits)
}

/// "Max open files            4096                 524288               files"
fn parse_open_files(limits: &str) -> Option<u64> {
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    let soft = line
        .trim_start_matches("Max open files")
        .split_whitespace()
        .next()?;
    // "unlimited" is no limit.
    soft.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_soft_limit() {
        let limits = "Limit                     Soft Limit           Hard Limit           Units     \n\
                      Max processes             63711                63711                processes \n\
                      Max open files            4096                 524288               files     \n";
        assert_eq!(parse_open_files(limits), Some(4096));
        let unlimited =
            "Max open files            unlimited            unlimited            files\n";
        assert_eq!(parse_open_files(unlimited), None);
        assert_eq!(parse_open_files(""), None);
    }

    #[test]
    fn the_budget_stays_below_the_file_limit() {
        if let Some(files) = open_files_limit() {
            let budget = connection_budget(usize::MAX);
            assert!((budget as u64) < files.max(2), "{budget} for {files} files");
        }
        assert!(connection_budget(1) >= 1);
    }
}
