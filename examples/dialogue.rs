//! An incident-report wizard: the bot asks back (which service, how severe,
//! what happened) and files the report. Each sender's progress is a
//! conversation kept in a storage, so it survives a restart (SQLite) and is
//! shared by replicas (Redis). `!cancel` drops it at any step.
//!
//! The same report is a multi-step ad-hoc command (XEP-0050), "File an
//! incident report" in the commands menu of Gajim or Conversations: one form
//! per step, its session in the same storage (so a replica can finish what
//! another began). In a chat, `!file db high disk full` files it at once.
//!
//! ```sh
//! cargo run --example dialogue                                   # in memory
//! DIALOGUE_STORAGE=sqlite:/var/lib/bot/dialogues.db \
//!   cargo run --features sqlite --example dialogue -- 127.0.0.1:8080
//! DIALOGUE_STORAGE=redis://127.0.0.1:6379/ \
//!   cargo run --features redis --example dialogue -- 127.0.0.1:8081
//! ```

use std::str::FromStr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tracing_subscriber::EnvFilter;
use xmpp_rest_bot::command::{BotCommands, Command};
use xmpp_rest_bot::dialogue::{Dialogue, Dialogues};
use xmpp_rest_bot::prelude::*;
use xmpp_rest_bot::storage::{MemoryStorage, Storage, StorageError};

// ANCHOR: state
/// Where a sender's report is. `Idle` (the default) is "no conversation".
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) enum Report {
    #[default]
    Idle,
    AskService,
    AskSeverity {
        service: String,
    },
    AskSummary {
        service: String,
        severity: Severity,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(crate) enum Severity {
    Low,
    High,
    Critical,
}

impl FromStr for Severity {
    type Err = String;

    fn from_str(answer: &str) -> Result<Self, String> {
        match answer.trim().to_lowercase().as_str() {
            "low" => Ok(Severity::Low),
            "high" => Ok(Severity::High),
            "critical" => Ok(Severity::Critical),
            _ => Err("answer low, high or critical".into()),
        }
    }
}
// ANCHOR_END: state

// ANCHOR: adhoc
/// The report as an ad-hoc command: the service, then the severity, then
/// what happened, each in a form of its own.
#[derive(BotCommands)]
pub(crate) enum Incidents {
    /// File an incident report.
    File {
        service: String,
        #[command(step = 2)]
        severity: Severity,
        #[command(step = 3, rest)]
        summary: String,
    },
}

async fn file(Command(cmd): Command<Incidents>, Sender(from): Sender) -> String {
    let Incidents::File {
        service,
        severity,
        summary,
    } = cmd;
    tracing::info!(%from, %service, ?severity, summary, "incident filed");
    format!("Filed: [{severity:?}] {service}: {summary}")
}
// ANCHOR_END: adhoc

/// What the bot says when the storage fails: the sender may try again.
fn failed(error: &StorageError) -> String {
    tracing::error!(%error, "report not saved");
    "Sorry, I could not save that; please say it again.".to_owned()
}

// ANCHOR: handlers
#[on_message(chat, body = "!cancel")]
async fn cancel(mut report: Dialogue<Report>) -> String {
    if report.get() == &Report::Idle {
        return "Nothing to cancel.".into();
    }
    match report.exit().await {
        Ok(()) => "Report cancelled.".into(),
        Err(e) => failed(&e),
    }
}

#[on_message(chat, body = "!report", state = Report::Idle)]
async fn start(mut report: Dialogue<Report>) -> String {
    match report.update(Report::AskService).await {
        Ok(()) => "Which service is affected?".into(),
        Err(e) => failed(&e),
    }
}

#[on_message(chat, state = Report::AskService)]
async fn got_service(mut report: Dialogue<Report>, MessageText(service): MessageText) -> String {
    let service = service.trim().to_owned();
    match report.update(Report::AskSeverity { service }).await {
        Ok(()) => "How severe is it: low, high or critical?".into(),
        Err(e) => failed(&e),
    }
}

#[on_message(chat, state = Report::AskSeverity { .. })]
async fn got_severity(mut report: Dialogue<Report>, MessageText(answer): MessageText) -> String {
    let Ok(severity) = answer.parse::<Severity>() else {
        return "Please answer low, high or critical (or !cancel).".into();
    };
    let Report::AskSeverity { service } = report.get().clone() else {
        return "Say !report to file an incident.".into();
    };
    match report
        .update(Report::AskSummary { service, severity })
        .await
    {
        Ok(()) => "In one line, what happened?".into(),
        Err(e) => failed(&e),
    }
}

#[on_message(chat, state = Report::AskSummary { .. })]
async fn got_summary(
    mut report: Dialogue<Report>,
    Sender(from): Sender,
    MessageText(summary): MessageText,
) -> String {
    let Report::AskSummary { service, severity } = report.get().clone() else {
        return "Say !report to file an incident.".into();
    };
    if let Err(e) = report.exit().await {
        return failed(&e);
    }
    let summary = summary.trim();
    tracing::info!(%from, %service, ?severity, summary, "incident filed");
    format!("Filed: [{severity:?}] {service}: {summary}")
}

/// Anything else: say where the conversation is.
#[on_message(chat)]
async fn help(report: Dialogue<Report>) -> String {
    match report.get() {
        Report::Idle => "Say !report to file an incident.",
        Report::AskService => "Which service is affected? (or !cancel)",
        Report::AskSeverity { .. } => "How severe is it: low, high or critical? (or !cancel)",
        Report::AskSummary { .. } => "In one line, what happened? (or !cancel)",
    }
    .into()
}
// ANCHOR_END: handlers

// ANCHOR: bot
/// The wizard, its conversations (and ad-hoc sessions) kept in `storage`.
pub(crate) fn bot(storage: Arc<dyn Storage>) -> Bot {
    Bot::new()
        .dialogues(Dialogues::shared(storage))
        // First: `!file ...` is its command; anything else goes on.
        .handler(file)
        .ad_hoc_commands::<Incidents>()
        .handler(cancel)
        .handler(start)
        .handler(got_service)
        .handler(got_severity)
        .handler(got_summary)
        .handler(help)
}
// ANCHOR_END: bot

// ANCHOR: storage
/// The storage `DIALOGUE_STORAGE` names: `memory` (the default),
/// `sqlite:PATH` (feature `sqlite`), or a `redis://` URL (feature `redis`).
pub(crate) async fn storage_from(spec: Option<&str>) -> Result<Arc<dyn Storage>, String> {
    match spec.unwrap_or("memory") {
        "memory" => Ok(Arc::new(MemoryStorage::new())),
        #[cfg(feature = "sqlite")]
        spec if spec.starts_with("sqlite:") => {
            let path = &spec["sqlite:".len()..];
            let storage = xmpp_rest_bot::storage::SqliteStorage::builder(path)
                .open()
                .await
                .map_err(|e| e.to_string())?;
            Ok(Arc::new(storage))
        }
        #[cfg(feature = "redis")]
        spec if spec.starts_with("redis://") => {
            let storage = xmpp_rest_bot::storage::RedisStorage::builder(spec)
                .connect()
                .await
                .map_err(|e| e.to_string())?;
            Ok(Arc::new(storage))
        }
        other => Err(format!(
            "DIALOGUE_STORAGE={other:?}: expected `memory`, `sqlite:PATH` (built with \
             --features sqlite) or a redis:// URL (built with --features redis)"
        )),
    }
}
// ANCHOR_END: storage

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    tracing_subscriber::fmt().with_env_filter(filter).init();
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    let spec = std::env::var("DIALOGUE_STORAGE").ok();
    let storage = storage_from(spec.as_deref()).await?;
    tracing::info!(storage = storage.backend(), "conversations stored");
    bot(storage).serve(addr).await?;
    Ok(())
}
