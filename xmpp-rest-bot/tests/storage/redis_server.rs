//! A real Redis for the tests.
//!
//! - `XMPP_REST_BOT_TEST_REDIS_URL` set (CI starts one, see `.ci/run`): that one;
//! - otherwise a `redis-server` of our own on a free loopback port, without
//!   persistence, stopped when the test ends;
//! - no binary either: outside CI (`CI` unset) the test is skipped with a
//!   printed reason; in CI it fails.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

pub(crate) const URL_VAR: &str = "XMPP_REST_BOT_TEST_REDIS_URL";

/// A Redis to test against; stops the server it started when dropped.
pub(crate) struct TestRedis {
    pub(crate) url: String,
    /// A prefix no other test (or run) uses, for keys on a shared server.
    pub(crate) prefix: String,
    child: Option<Child>,
}

impl TestRedis {
    /// Stops the server, if it is ours; returns its port.
    pub(crate) fn stop(&mut self) -> Option<u16> {
        let mut child = self.child.take()?;
        let _ = child.kill();
        let _ = child.wait();
        let url = self.url.trim_end_matches('/');
        url.rsplit(':').next()?.parse().ok()
    }

    /// Starts our server again on the same port.
    pub(crate) fn restart(&mut self, port: u16) {
        let (_, child) = start_on(port).unwrap();
        self.child = Some(child);
    }
}

impl Drop for TestRedis {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A Redis, or `None` (printed why) when the test is to be skipped.
pub(crate) fn redis(test: &str) -> Option<TestRedis> {
    match std::env::var(URL_VAR) {
        Ok(url) => Some(TestRedis {
            url,
            prefix: unique_prefix(test),
            child: None,
        }),
        Err(_) => own_redis(test),
    }
}

/// A `redis-server` of this test's own (one it may stop and start again),
/// whatever `XMPP_REST_BOT_TEST_REDIS_URL` says; `None` as for [`redis`].
pub(crate) fn own_redis(test: &str) -> Option<TestRedis> {
    match start() {
        Ok((url, child)) => Some(TestRedis {
            url,
            prefix: unique_prefix(test),
            child: Some(child),
        }),
        Err(why) if std::env::var_os("CI").is_none() => {
            println!("skipped {test}: no Redis ({URL_VAR} unset, and {why})");
            None
        }
        Err(why) => panic!("CI needs Redis for {test}: {why}"),
    }
}

/// A key prefix no other test or run uses, for keys on a shared server.
fn unique_prefix(test: &str) -> String {
    static RUN: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let run = RUN.fetch_add(1, Ordering::Relaxed);
    format!("test:{}:{run}:{nanos}:{test}", std::process::id())
}

fn start() -> Result<(String, Child), String> {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| format!("no free port: {e}"))?
        .port();
    start_on(port)
}

/// A `redis-server` of our own on `port` (for a restart on the same port).
pub(crate) fn start_on(port: u16) -> Result<(String, Child), String> {
    let mut child = Command::new("redis-server")
        .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
        .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("redis-server could not be started: {e}"))?;
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if ping(port) {
            return Ok((format!("redis://127.0.0.1:{port}/"), child));
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("redis-server exited: {status}"));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    Err(format!(
        "redis-server did not answer on port {port} within 10 s"
    ))
}

fn ping(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
    let mut answer = [0; 7];
    stream.write_all(b"PING\r\n").is_ok()
        && stream.read_exact(&mut answer).is_ok()
        && &answer == b"+PONG\r\n"
}
