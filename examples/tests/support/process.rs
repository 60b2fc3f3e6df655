//! An example run as a program: its executable, the lines it writes, and the
//! address it says it listens on. Shared by the test files that start
//! examples as processes.

use std::io::BufRead;
use std::path::PathBuf;
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

/// An example's executable. `cargo test` builds the examples next to the tests
/// (`target/debug/examples/` beside `target/debug/deps/`, where this test runs
/// from); `cargo test --test NAME` alone does not, hence the message.
pub(crate) fn example_binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(|deps| deps.parent()).unwrap();
    let path = profile_dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "{} is missing: run `cargo test --all-features` without --test, or \
         `cargo build -p xmpp-rest-bot-examples --all-features --example {name}` first",
        path.display()
    );
    path
}

/// The lines a child process writes to stdout, as they come.
pub(crate) fn lines_of(stdout: std::process::ChildStdout) -> Receiver<String> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// The first line that contains `needle`, within 20 s (a loaded CI machine
/// starts the program slowly).
pub(crate) fn wait_for_line(lines: &Receiver<String>, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut seen = Vec::new();
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match lines.recv_timeout(left) {
            Ok(line) if line.contains(needle) => return line,
            Ok(line) => seen.push(line),
            Err(_) => break,
        }
    }
    panic!(
        "no line with {needle:?}; the program wrote:\n{}",
        seen.join("\n")
    );
}

/// Waits for the bot's "listening" log line and returns its `addr=` value.
pub(crate) fn listening_addr(lines: &Receiver<String>) -> String {
    let listening = wait_for_line(lines, "xmpp webhook listening");
    listening
        .split("addr=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no address in {listening:?}"))
        .to_owned()
}
