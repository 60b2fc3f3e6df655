//! The dialogue example, in process and as real processes on real storages:
//! - the wizard through `TestProsody` (the conversation, `!cancel`, a wrong
//!   answer asked again, two senders apart), and as a multi-step ad-hoc
//!   command in XML and JSON (a form per step, a wrong value asked again,
//!   `prev`);
//! - restart: the bot on SQLite (a file in a temporary directory) killed
//!   mid-conversation and started again: the conversation continues;
//! - replicas: two bot processes on different ports sharing one real
//!   `redis-server`, the stanzas of one conversation alternating between
//!   them, then one killed and the other finishing the conversation.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use xmpp_rest_bot::stanza::{AdHocCommand, DataForm, FormField, Stanza};
use xmpp_rest_bot::testing::{Received, TestProsody};
use xmpp_rest_bot::wire::WireFormat;

#[allow(dead_code)] // `main` is not called here
#[path = "../dialogue.rs"]
mod dialogue;

#[allow(dead_code)] // the restart helpers are for the storage tests
#[path = "../../xmpp-rest-bot/tests/storage/redis_server.rs"]
mod redis_server;

#[tokio::test]
async fn the_wizard_asks_files_and_cancels() {
    let storage = dialogue::storage_from(None).await.unwrap();
    let t = TestProsody::start(dialogue::bot(storage).into_router()).await;
    let alice = t.user("alice@example.org/phone");
    let bob = t.user("bob@example.org/laptop");

    alice
        .says("hello")
        .await
        .assert_body("Say !report to file an incident.");
    alice
        .says("!report")
        .await
        .assert_body("Which service is affected?");
    // Bob's conversation is his own.
    bob.says("!report")
        .await
        .assert_body("Which service is affected?");
    bob.says("!cancel").await.assert_body("Report cancelled.");
    bob.says("!cancel").await.assert_body("Nothing to cancel.");

    alice
        .says("database")
        .await
        .assert_body("How severe is it: low, high or critical?");
    alice
        .says("meh")
        .await
        .assert_body("Please answer low, high or critical (or !cancel).");
    alice
        .says("Critical")
        .await
        .assert_body("In one line, what happened?");
    alice
        .says("disk full on db-2")
        .await
        .assert_body("Filed: [Critical] database: disk full on db-2");
    alice
        .says("hello")
        .await
        .assert_body("Say !report to file an incident.");
}

/// The `<command/>` a user received.
fn command_of(received: &Received) -> AdHocCommand {
    let Some(Stanza::Iq(iq)) = received.stanza() else {
        panic!("no iq: {received:?}")
    };
    iq.payload_as::<AdHocCommand>().unwrap().unwrap()
}

/// `action` on the stage `stage` answered, with `values` (and the stage's
/// hidden field, as clients send it back).
fn answer(stage: &AdHocCommand, action: &str, values: &[(&str, &str)]) -> AdHocCommand {
    let mut form = DataForm::submit(values.iter().copied());
    for field in &stage.form.as_ref().unwrap().fields {
        if field.type_.as_deref() == Some("hidden") {
            let var = field.var.clone().unwrap();
            form.fields
                .push(FormField::new(var).with_values(field.values.clone()));
        }
    }
    AdHocCommand::new("file")
        .with_action(action)
        .with_sessionid(stage.sessionid.clone().unwrap())
        .with_form(form)
}

fn asked(stage: &AdHocCommand) -> Vec<&str> {
    let form = stage.form.as_ref().expect("a form");
    form.fields
        .iter()
        .filter(|f| f.type_.as_deref() != Some("hidden"))
        .filter_map(|f| f.var.as_deref())
        .collect()
}

#[tokio::test]
async fn the_report_is_also_a_multi_step_ad_hoc_command() {
    for format in [WireFormat::Xml, WireFormat::Json] {
        let storage = dialogue::storage_from(None).await.unwrap();
        let t = TestProsody::builder()
            .content_type(format)
            .start(dialogue::bot(storage).into_router())
            .await;
        let alice = t.user("alice@example.org/gajim");
        let step1 = command_of(&alice.iq_set(AdHocCommand::execute("file")).await);
        assert_eq!(asked(&step1), ["service"]);
        let step2 = command_of(
            &alice
                .iq_set(answer(&step1, "next", &[("service", "database")]))
                .await,
        );
        assert_eq!(asked(&step2), ["severity"]);
        // A wrong value: the same step, with the reason.
        let again = command_of(
            &alice
                .iq_set(answer(&step2, "next", &[("severity", "meh")]))
                .await,
        );
        assert_eq!(asked(&again), ["severity"]);
        assert!(again.notes[0].text.contains("answer low, high or critical"));
        let step3 = command_of(
            &alice
                .iq_set(answer(&again, "next", &[("severity", "Critical")]))
                .await,
        );
        assert_eq!(asked(&step3), ["summary"]);
        let back = command_of(&alice.iq_set(answer(&step3, "prev", &[])).await);
        assert_eq!(
            back.form.as_ref().unwrap().value("severity"),
            Some("Critical")
        );
        let step3 = command_of(
            &alice
                .iq_set(answer(&back, "next", &[("severity", "critical")]))
                .await,
        );
        let done = command_of(
            &alice
                .iq_set(answer(
                    &step3,
                    "complete",
                    &[("summary", "disk full on db-2")],
                ))
                .await,
        );
        assert_eq!(done.status.as_deref(), Some("completed"));
        assert_eq!(
            done.notes[0].text,
            "Filed: [Critical] database: disk full on db-2"
        );
        // The chat wizard is still there, and `!file` files at once.
        alice
            .says("!file web low slow pages")
            .await
            .assert_body("Filed: [Low] web: slow pages");
        alice
            .says("!report")
            .await
            .assert_body("Which service is affected?");
    }
}

// ----- the example as processes -----

#[path = "support/process.rs"]
mod process;
use process::{example_binary, lines_of, listening_addr};

/// A running dialogue bot; killed (SIGKILL, no goodbye) when dropped.
struct BotProcess {
    child: Child,
    addr: String,
}

impl BotProcess {
    fn start(storage: &str) -> BotProcess {
        let mut child = Command::new(example_binary("dialogue"))
            .arg("127.0.0.1:0")
            .env("DIALOGUE_STORAGE", storage)
            .env("RUST_LOG", "info")
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let lines = lines_of(child.stdout.take().unwrap());
        let addr = listening_addr(&lines);
        // Keep draining stdout, so that the bot never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        BotProcess { child, addr }
    }

    /// What the bot answers `body` from `from`.
    fn says(&self, from: &str, body: &str) -> String {
        let stanza = format!(
            "<message type='chat' id='m1' from='{from}' to='bot@bot.localhost'>\
             <body>{body}</body></message>"
        );
        let mut http = std::net::TcpStream::connect(&self.addr).unwrap();
        http.set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        write!(
            http,
            "POST / HTTP/1.1\r\nHost: {}\r\nContent-Type: application/xmpp+xml\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{stanza}",
            self.addr,
            stanza.len()
        )
        .unwrap();
        let mut response = String::new();
        http.read_to_string(&mut response).unwrap();
        assert!(response.starts_with("HTTP/1.1 200"), "{response}");
        let body = response
            .split("<body>")
            .nth(1)
            .and_then(|rest| rest.split("</body>").next())
            .unwrap_or_else(|| panic!("no body in {response}"));
        body.to_owned()
    }

    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for BotProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A directory of this test's own, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(test: &str) -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let dir = std::env::temp_dir().join(format!(
            "xmpp-rest-bot-{test}-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn on_sqlite_a_conversation_survives_a_killed_and_restarted_bot() {
    let dir = TempDir::new("restart");
    let db = dir.0.join("dialogues.db");
    let storage = format!("sqlite:{}", db.display());
    let alice = "alice@localhost/phone";

    let bot = BotProcess::start(&storage);
    assert_eq!(bot.says(alice, "!report"), "Which service is affected?");
    assert_eq!(
        bot.says(alice, "billing"),
        "How severe is it: low, high or critical?"
    );
    bot.kill();
    assert!(db.exists(), "the SQLite file is created on first use");

    let bot = BotProcess::start(&storage);
    assert_eq!(bot.says(alice, "high"), "In one line, what happened?");
    assert_eq!(
        bot.says(alice, "invoices stuck"),
        "Filed: [High] billing: invoices stuck"
    );
    assert_eq!(bot.says(alice, "hi"), "Say !report to file an incident.");
}

#[test]
fn on_redis_two_replicas_share_a_conversation_and_one_finishes_what_the_other_began() {
    let Some(redis) = redis_server::redis("dialogue_replicas") else {
        return;
    };
    // One user per run: a shared CI Redis keeps the conversations of earlier runs.
    let alice = format!(
        "alice-{}-{}@localhost/phone",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    let a = BotProcess::start(&redis.url);
    let b = BotProcess::start(&redis.url);

    // Alternating: each step on the other replica than the one before.
    assert_eq!(a.says(&alice, "!report"), "Which service is affected?");
    assert_eq!(
        b.says(&alice, "search"),
        "How severe is it: low, high or critical?"
    );
    assert_eq!(
        a.says(&alice, "wrong"),
        "Please answer low, high or critical (or !cancel)."
    );
    assert_eq!(b.says(&alice, "low"), "In one line, what happened?");

    // Replica b dies mid-conversation; a finishes it.
    b.kill();
    assert_eq!(
        a.says(&alice, "slow results"),
        "Filed: [Low] search: slow results"
    );
    // And a new report starts on the survivor.
    assert_eq!(a.says(&alice, "!report"), "Which service is affected?");
    assert_eq!(a.says(&alice, "!cancel"), "Report cancelled.");
}
