//! One connection: what state it is in (fresh, busy with a request, idle
//! between requests), the registry of all of them (for the connection limit
//! and the shutdown), and the task that serves it.
//!
//! hyper has a single header read timeout, which runs from the moment it
//! waits for a request's head: it cannot tell a new connection (which should
//! carry its first request at once) from a keep-alive one (which a proxy
//! keeps open for a minute), and it cannot be told to close the oldest idle
//! connection or to keep idle ones open a moment longer at shutdown. So the
//! connection task watches the state itself and drops hyper's connection
//! when it is time.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes, HttpBody};
use axum::http::{HeaderValue, Request, header};
use hyper::body::{Frame, Incoming, SizeHint};
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpStream;
use tokio::sync::Notify;

/// The timeouts the connection task enforces; `None` is no timeout.
#[derive(Debug, Clone, Copy)]
pub(super) struct Timeouts {
    /// From the accept to the end of the first request's head.
    pub(super) first_request: Option<Duration>,
    /// From the end of a response to the end of the next request's head.
    pub(super) idle: Option<Duration>,
}

/// What the connection task is asked to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
enum Close {
    No = 0,
    /// Close it unless a request is in progress; then close it after the
    /// response (no keep-alive).
    IfIdle = 1,
    /// Close it now, cutting the request in progress.
    Now = 2,
}

/// Which connections a [`Registry::close`] applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Which {
    /// Those that never carried a request.
    Fresh,
    /// All of them.
    All,
}

/// The state of one connection, shared by its task, its requests and the
/// registry.
pub(super) struct Conn {
    id: u64,
    epoch: Instant,
    /// Requests whose head was received.
    requests: AtomicU64,
    /// Requests being received or handled, or whose response is being sent.
    busy: AtomicUsize,
    /// Milliseconds from `epoch` to the accept or to the end of the last
    /// response: when the connection became idle.
    idle_since: AtomicU64,
    close: AtomicU8,
    /// Wakes the task: the state changed, or it is asked to close.
    wake: Notify,
}

impl Conn {
    fn is_busy(&self) -> bool {
        self.busy.load(Ordering::Acquire) > 0
    }

    fn is_fresh(&self) -> bool {
        self.requests.load(Ordering::Acquire) == 0 && !self.is_busy()
    }

    fn idle_since(&self) -> u64 {
        self.idle_since.load(Ordering::Acquire)
    }

    fn request_close(&self, close: Close) {
        self.close.fetch_max(close as u8, Ordering::AcqRel);
        self.wake.notify_one();
    }

    fn close_request(&self) -> Close {
        match self.close.load(Ordering::Acquire) {
            0 => Close::No,
            1 => Close::IfIdle,
            _ => Close::Now,
        }
    }

    /// When an idle connection times out; `None` while a request is in
    /// progress, or without a timeout.
    fn deadline(&self, timeouts: &Timeouts) -> Option<Instant> {
        if self.is_busy() {
            return None;
        }
        let timeout = if self.requests.load(Ordering::Acquire) == 0 {
            timeouts.first_request
        } else {
            timeouts.idle
        }?;
        let since = Duration::from_millis(self.idle_since());
        // An overflow is a timeout beyond any lifetime: none.
        self.epoch.checked_add(since)?.checked_add(timeout)
    }

    /// Marks a request as started; it ends when the guard is dropped (after
    /// its response has been sent, or abandoned). The task is not woken: a
    /// request only postpones the deadline, which the task reads when its
    /// timer fires (see `drive`).
    fn start_request(self: &Arc<Self>) -> Busy {
        self.requests.fetch_add(1, Ordering::AcqRel);
        self.busy.fetch_add(1, Ordering::AcqRel);
        Busy(Arc::clone(self))
    }
}

/// A request in progress on a connection.
pub(super) struct Busy(Arc<Conn>);

impl Drop for Busy {
    fn drop(&mut self) {
        let conn = &self.0;
        let now = millis_since(conn.epoch);
        conn.idle_since.store(now, Ordering::Release);
        conn.busy.fetch_sub(1, Ordering::AcqRel);
    }
}

fn millis_since(epoch: Instant) -> u64 {
    u64::try_from(epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// All open connections.
pub(super) struct Registry {
    epoch: Instant,
    next_id: AtomicU64,
    conns: Mutex<HashMap<u64, Arc<Conn>>>,
    /// Set at shutdown: every response then says `Connection: close`.
    draining: AtomicBool,
    /// Notified (all waiters) whenever a connection ends.
    ended: Notify,
}

impl Registry {
    pub(super) fn new() -> Self {
        Registry {
            epoch: Instant::now(),
            next_id: AtomicU64::new(0),
            conns: Mutex::new(HashMap::new()),
            draining: AtomicBool::new(false),
            ended: Notify::new(),
        }
    }

    /// The map; a panic elsewhere while it was locked left it consistent
    /// (every change is a single insert or remove), so poisoning is ignored.
    fn conns(&self) -> MutexGuard<'_, HashMap<u64, Arc<Conn>>> {
        self.conns.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn len(&self) -> usize {
        self.conns().len()
    }

    /// The connections with a request in progress.
    pub(super) fn busy(&self) -> usize {
        self.conns().values().filter(|c| c.is_busy()).count()
    }

    fn insert(&self) -> Arc<Conn> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let conn = Arc::new(Conn {
            id,
            epoch: self.epoch,
            requests: AtomicU64::new(0),
            busy: AtomicUsize::new(0),
            idle_since: AtomicU64::new(millis_since(self.epoch)),
            close: AtomicU8::new(Close::No as u8),
            wake: Notify::new(),
        });
        self.conns().insert(id, Arc::clone(&conn));
        conn
    }

    fn remove(&self, id: u64) {
        self.conns().remove(&id);
        self.ended.notify_waiters();
    }

    /// Closes the connection idle for the longest time (a fresh one counts
    /// as idle since it was accepted) to make room for a new one. It stops
    /// counting at once; its socket closes as soon as its task runs. `false`
    /// when every connection has a request in progress.
    pub(super) fn evict_oldest_idle(&self) -> bool {
        let mut conns = self.conns();
        let oldest = conns
            .values()
            .filter(|c| !c.is_busy())
            .min_by_key(|c| c.idle_since())
            .map(|c| c.id);
        let Some(conn) = oldest.and_then(|id| conns.remove(&id)) else {
            return false;
        };
        drop(conns);
        // A request that arrived since is answered, then the connection closes.
        conn.request_close(Close::IfIdle);
        true
    }

    /// Asks the connections in `which` to close once idle (`now`: at once);
    /// returns how many were asked.
    pub(super) fn close(&self, which: Which, now: bool) -> usize {
        let close = if now { Close::Now } else { Close::IfIdle };
        let conns = self.conns();
        let mut asked = 0;
        for conn in conns.values() {
            if which == Which::All || conn.is_fresh() {
                conn.request_close(close);
                asked += 1;
            }
        }
        asked
    }

    pub(super) fn start_draining(&self) {
        self.draining.store(true, Ordering::Release);
    }

    fn is_draining(&self) -> bool {
        self.draining.load(Ordering::Acquire)
    }

    /// Waits until no connection is left, or `deadline`; whether none is left.
    pub(super) async fn wait_empty_until(&self, deadline: Instant) -> bool {
        loop {
            // Registered before the check, so that no end is missed between them.
            let ended = self.ended.notified();
            if self.len() == 0 {
                return true;
            }
            tokio::select! {
                () = ended => {}
                () = tokio::time::sleep_until(deadline.into()) => return self.len() == 0,
            }
        }
    }
}

/// A response body that marks the request as finished when hyper drops it,
/// which it does once the last byte is written (or the connection failed).
pub(super) struct TrackedBody {
    inner: Body,
    _busy: Busy,
}

impl HttpBody for TrackedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Serves `stream` with `router` on a task of its own until the client
/// closes it, it times out, or the registry asks it to close.
pub(super) fn spawn(
    stream: TcpStream,
    peer: SocketAddr,
    http: &http1::Builder,
    router: &TowerToHyperService<axum::Router>,
    registry: &Arc<Registry>,
    timeouts: Timeouts,
) {
    let conn = registry.insert();
    let service = {
        let (conn, registry, router) = (Arc::clone(&conn), Arc::clone(registry), router.clone());
        hyper::service::service_fn(move |request: Request<Incoming>| {
            let busy = conn.start_request();
            let answer = hyper::service::Service::call(&router, request);
            let registry = Arc::clone(&registry);
            async move {
                let mut response = match answer.await {
                    Ok(response) => response,
                    Err(never) => match never {},
                };
                if registry.is_draining() {
                    // The client learns not to send another request on
                    // this connection, and hyper closes it after this one.
                    response
                        .headers_mut()
                        .insert(header::CONNECTION, HeaderValue::from_static("close"));
                }
                Ok::<_, Infallible>(response.map(|inner| TrackedBody { inner, _busy: busy }))
            }
        })
    };
    let connection = http.serve_connection(TokioIo::new(stream), service);
    let registry = Arc::clone(registry);
    tokio::spawn(async move {
        drive(connection, &conn, timeouts, peer).await;
        registry.remove(conn.id);
    });
}

/// Polls hyper's connection until it ends or has to be closed.
///
/// The timer is set lazily, to when the deadline could pass at the
/// earliest: the deadline, or one idle timeout from now if that is sooner
/// (a request may be on its way; once it ends, the deadline is one idle
/// timeout after that). When the timer fires the deadline is read again:
/// passed, the connection is closed; otherwise the timer is set again the
/// same way. Requests then cost the task nothing (no wake-up, no timer to
/// re-arm per request), and a timeout is never late.
async fn drive<S>(
    connection: http1::Connection<TokioIo<TcpStream>, S>,
    conn: &Conn,
    timeouts: Timeouts,
    peer: SocketAddr,
) where
    S: hyper::service::HttpService<Incoming>,
    S::ResBody: 'static,
    <S::ResBody as HttpBody>::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let mut connection = std::pin::pin!(connection);
    let mut closing = false;
    let now = Instant::now();
    let first = next_check(conn.deadline(&timeouts), timeouts, now);
    let mut armed = first.is_some();
    let timer = tokio::time::sleep_until(first.unwrap_or(now).into());
    let mut timer = std::pin::pin!(timer);
    loop {
        let fired = tokio::select! {
            biased;
            ended = connection.as_mut() => {
                if let Err(e) = ended {
                    // Timeouts, resets, garbage instead of HTTP, heads over
                    // the size limit (answered 431 by hyper): the client's
                    // problem, and no request of it was lost.
                    tracing::debug!(%peer, error = %e, "connection ended with an error");
                }
                return;
            }
            () = conn.wake.notified() => false,
            () = timer.as_mut(), if armed => true,
        };
        match conn.close_request() {
            Close::Now => return,
            // Once hyper was told, it closes the connection itself when the
            // response is written: returning here could cut its last bytes.
            Close::IfIdle if closing => {}
            Close::IfIdle if !conn.is_busy() => return,
            Close::IfIdle => {
                // hyper closes it after the response in progress.
                connection.as_mut().graceful_shutdown();
                closing = true;
            }
            Close::No => {}
        }
        if !fired {
            continue;
        }
        let now = Instant::now();
        match conn.deadline(&timeouts) {
            Some(at) if at <= now => {
                let first = conn.requests.load(Ordering::Acquire) == 0;
                tracing::debug!(
                    %peer,
                    first,
                    "connection closed: no request head in time"
                );
                return;
            }
            deadline => match next_check(deadline, timeouts, now) {
                Some(at) => timer.as_mut().reset(at.into()),
                None => armed = false,
            },
        }
    }
}

/// When to look at a connection's `deadline` next: at the deadline, or one
/// idle timeout from `now` if sooner (no request that starts after `now`
/// can end before it, and its end sets the deadline one idle timeout later);
/// `None`: never (no timeout applies).
fn next_check(deadline: Option<Instant>, timeouts: Timeouts, now: Instant) -> Option<Instant> {
    let idle_bound = timeouts.idle.and_then(|idle| now.checked_add(idle));
    match (deadline, idle_bound) {
        (Some(at), Some(bound)) => Some(at.min(bound)),
        (at, bound) => at.or(bound),
    }
}
