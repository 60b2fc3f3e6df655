//! The audit trail through real HTTP: one `tracing` event per command, with
//! the sender, the command, its arguments (secrets masked), the outcome and
//! the duration. A subscriber of its own records the events (a global one:
//! the server's tasks run on other threads), so this file has one test.

mod webhook_support;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};
use webhook_support::{post_xml, start};
use xmpp_rest_bot::command::{BotCommands, Command};
use xmpp_rest_bot::guard::{Access, Guardrails};
use xmpp_rest_bot::prelude::*;

#[derive(BotCommands)]
enum Vault {
    /// Store a secret.
    #[command(allow = "ops")]
    Put {
        name: String,
        #[command(redact)]
        secret: String,
    },
    /// Fail on purpose.
    Fail,
}

type Fields = BTreeMap<String, String>;

/// Keeps the fields of every `xmpp_rest_bot::audit` event.
#[derive(Default)]
struct AuditLog(Mutex<Vec<Fields>>);

struct Collect<'a>(&'a mut Fields);

impl Visit for Collect<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

struct Recorder(Arc<AuditLog>);

impl Subscriber for Recorder {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.target() == "xmpp_rest_bot::audit"
    }

    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut fields = Fields::new();
        event.record(&mut Collect(&mut fields));
        self.0.0.lock().unwrap().push(fields);
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

fn audit_log() -> Arc<AuditLog> {
    static LOG: OnceLock<Arc<AuditLog>> = OnceLock::new();
    Arc::clone(LOG.get_or_init(|| {
        let log = Arc::new(AuditLog::default());
        tracing::subscriber::set_global_default(Recorder(Arc::clone(&log)))
            .expect("the only subscriber of this test binary");
        log
    }))
}

async fn vault(Command(cmd): Command<Vault>) -> Result<&'static str, StanzaError> {
    // Uses every field, so that the test shows what the handler gets.
    match cmd {
        Vault::Put { name, secret } if !secret.is_empty() => {
            Ok(if name == "db" { "stored" } else { "kept" })
        }
        Vault::Put { .. } => Err(StanzaError::new(Condition::BadRequest)),
        Vault::Fail => Err(StanzaError::new(Condition::Conflict).with_text("no")),
    }
}

fn chat(from: &str, body: &str) -> String {
    format!(
        "<message type='chat' id='m1' from='{from}' to='bot@bot.localhost'><body>{body}</body></message>"
    )
}

#[tokio::test]
async fn each_command_leaves_one_event_with_its_secrets_masked() {
    let log = audit_log();
    let access = Access::new().group("ops", ["alice@localhost"]).unwrap();
    let server = start(
        Bot::new()
            .guardrails(Guardrails::new().access(access))
            .handler(vault),
    )
    .await;
    post_xml(
        server.addr,
        "/",
        &chat("alice@localhost/a", "!put db hunter2"),
    )
    .await;
    post_xml(
        server.addr,
        "/",
        &chat("mallory@localhost/m", "!put db hunter3"),
    )
    .await;
    post_xml(server.addr, "/", &chat("alice@localhost/a", "!fail")).await;
    // Plain chat is no command: no event.
    post_xml(server.addr, "/", &chat("alice@localhost/a", "hello")).await;
    server.stop().await.unwrap();

    let events = log.0.lock().unwrap().clone();
    let summary: Vec<(&str, &str, &str, &str)> = events
        .iter()
        .map(|e| {
            (
                e["sender"].as_str(),
                e["command"].as_str(),
                e["args"].as_str(),
                e["outcome"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("alice@localhost/a", "put", "name=\"db\" secret=***", "ok"),
            (
                "mallory@localhost/m",
                "put",
                "name=\"db\" secret=***",
                "denied"
            ),
            ("alice@localhost/a", "fail", "", "error"),
        ]
    );
    for event in &events {
        assert!(event["duration_ms"].parse::<u64>().is_ok(), "{event:?}");
        assert!(
            !event.values().any(|v| v.contains("hunter")),
            "a secret leaked: {event:?}"
        );
    }
}
