//! Graceful shutdown on a real SIGTERM: `Bot::serve` runs in a child process
//! (this test binary, running the ignored `serve_until_sigterm`), slow
//! requests are in flight when the signal arrives, and every one of them
//! completes with 200 while new connections are refused.

mod webhook_support;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use webhook_support::post_xml;
use xmpp_rest_bot::prelude::*;

const ADDR_ENV: &str = "XMPP_REST_BOT_SHUTDOWN_TEST_ADDR";
const IN_FLIGHT: usize = 16;
const HANDLER_TIME: Duration = Duration::from_millis(1500);

/// The child: serves until SIGTERM. Each handler says on stdout that it
/// started, then takes its time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "the server side of `sigterm_lets_requests_in_flight_finish`, run by it in a child process"]
async fn serve_until_sigterm() {
    async fn slow_echo(MessageText(text): MessageText) -> String {
        println!("started {text}");
        tokio::time::sleep(HANDLER_TIME).await;
        text
    }
    let addr = std::env::var(ADDR_ENV).expect("run by sigterm_lets_requests_in_flight_finish");
    Bot::new().handler(slow_echo).serve(addr).await.unwrap();
    println!("served");
}

/// Kills the child if the test fails before it exits.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

async fn refused(addr: SocketAddr) -> bool {
    matches!(
        tokio::net::TcpStream::connect(addr).await,
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_requests_in_flight_finish() {
    let addr = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap()
    };
    let mut child = KillOnDrop(
        Command::new(std::env::current_exe().unwrap())
            .args([
                "serve_until_sigterm",
                "--exact",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(ADDR_ENV, addr.to_string())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let child_id = child.0.id();
    let stdout = child.0.stdout.take().unwrap();
    let (lines_tx, lines) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });

    // wait until it answers
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if tokio::net::TcpStream::connect(addr).await.is_ok() {
            break;
        }
        assert!(Instant::now() < deadline, "the child never listened");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let in_flight: Vec<_> = (0..IN_FLIGHT)
        .map(|n| {
            tokio::spawn(async move {
                let body = format!(
                    "<message type='chat' id='m{n}' from='user{n}@localhost/r' \
                     to='bot@bot.localhost'><body>msg{n}</body></message>"
                );
                post_xml(addr, "/", &body).await
            })
        })
        .collect();
    let mut started = 0;
    while started < IN_FLIGHT {
        let line = lines
            .recv_timeout(Duration::from_secs(20))
            .expect("the handlers did not all start");
        // (libtest prints the test's name on the same line as the first one)
        if line.contains("started msg") {
            started += 1;
        }
    }

    let signalled = Instant::now();
    let status = Command::new("kill")
        .args(["-TERM", &child_id.to_string()])
        .status()
        .unwrap();
    assert!(status.success());

    // new connections are refused, while the handlers are still running
    loop {
        if refused(addr).await {
            break;
        }
        assert!(
            signalled.elapsed() < HANDLER_TIME / 2,
            "still accepting connections after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(in_flight.iter().all(|task| !task.is_finished()));

    for (n, task) in in_flight.into_iter().enumerate() {
        let answer = task.await.unwrap();
        assert_eq!(answer.status, 200, "request {n} in flight failed");
        let Stanza::Message(reply) = answer.stanza() else {
            panic!("expected a message")
        };
        assert_eq!(reply.body(), Some(format!("msg{n}").as_str()));
    }
    let exit = child.0.wait().unwrap();
    assert!(exit.success(), "the child exited with {exit}");
    let rest: Vec<String> = lines.try_iter().collect();
    assert!(rest.iter().any(|l| l.contains("served")), "{rest:?}");
}
