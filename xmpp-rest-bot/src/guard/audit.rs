//! The audit trail: one `tracing` event per command, and a counter per
//! command and outcome in the bot's metrics.
//!
//! The event has the target `xmpp_rest_bot::audit`, so that operators can
//! route it to a file of its own (`RUST_LOG=xmpp_rest_bot::audit=info`), and
//! the fields `sender`, `command`, `args` (with `#[command(redact)]` values
//! as `***`), `outcome` and `duration_ms`.

use std::time::Duration;

use crate::command::{ArgInfo, CommandInfo, Invocation};
use crate::intercept::{Handled, Handling};
use crate::reply::ReplyKind;
use crate::stanza::Jid;

/// What became of a command, as the audit trail and the metrics say it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CommandOutcome {
    /// It ran, and its reply is no error.
    Ok,
    /// It ran, and replied with an error.
    Error,
    /// It ran, and panicked or ran over its time limit.
    Failed,
    /// It parsed, but no handler took it after all.
    Unhandled,
    /// The sender is not in the group it needs.
    Denied,
    /// Over the sender's (or the room's) rate limit.
    RateLimited,
    /// Waiting for the sender's `!yes`.
    AwaitingConfirmation,
    /// The sender answered `!no`.
    Cancelled,
    /// The sender answered after the timeout.
    Expired,
}

impl CommandOutcome {
    pub(crate) fn label(self) -> &'static str {
        match self {
            CommandOutcome::Ok => "ok",
            CommandOutcome::Error => "error",
            CommandOutcome::Failed => "failed",
            CommandOutcome::Unhandled => "unhandled",
            CommandOutcome::Denied => "denied",
            CommandOutcome::RateLimited => "rate_limited",
            CommandOutcome::AwaitingConfirmation => "awaiting_confirmation",
            CommandOutcome::Cancelled => "cancelled",
            CommandOutcome::Expired => "expired",
        }
    }

    /// The outcome of a command that was let through, from what the routes
    /// made of it.
    pub(crate) fn of(handled: &Handled) -> Self {
        match handled.handling() {
            Handling::Failed => CommandOutcome::Failed,
            Handling::Unhandled => CommandOutcome::Unhandled,
            _ => match handled.reply().map(|r| &r.kind) {
                Some(ReplyKind::Error(_) | ReplyKind::Internal(_)) => CommandOutcome::Error,
                _ => CommandOutcome::Ok,
            },
        }
    }
}

/// One command's entry in the audit trail, filled while it is checked.
#[derive(Debug, Clone)]
pub(crate) struct Record {
    /// The command's name (or a guarded route's).
    pub(crate) command: String,
    /// The arguments as `name="value"`, secrets masked.
    pub(crate) args: String,
    /// Set when the guardrails decided (denied, limited, confirmation asked).
    pub(crate) decided: Option<CommandOutcome>,
    /// The command text to keep until the sender confirms it.
    pub(crate) pending: Option<String>,
    /// The command as the confirmation prompt shows it.
    pub(crate) shown: String,
    /// The shared rate buckets to take a token from before the handler runs.
    pub(crate) buckets: Vec<super::shared::Bucket>,
}

impl Record {
    pub(crate) fn new(cmd: &CommandInfo, invocation: &Invocation) -> Self {
        Record {
            command: cmd.name.to_owned(),
            args: render_args(cmd.args, &invocation.args),
            decided: None,
            pending: None,
            shown: String::new(),
            buckets: Vec::new(),
        }
    }

    /// A record of `command` (a command's or a guarded route's name) whose
    /// arguments are not known or not shown.
    pub(crate) fn named(command: &str) -> Self {
        Record {
            command: command.to_owned(),
            args: String::new(),
            decided: None,
            pending: None,
            shown: String::new(),
            buckets: Vec::new(),
        }
    }

    /// `!deploy env="prod" token=***`: the command for a confirmation prompt.
    pub(crate) fn display(&self, prefix: &str) -> String {
        if self.args.is_empty() {
            format!("{prefix}{}", self.command)
        } else {
            format!("{prefix}{} {}", self.command, self.args)
        }
    }
}

/// `env="prod" hosts=["a", "b"] token=***`; values are quoted and escaped
/// (they come from the network: a newline must not forge a log line).
fn render_args(infos: &[ArgInfo], values: &[Vec<String>]) -> String {
    let mut out = String::new();
    for (info, values) in infos.iter().zip(values) {
        if values.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(info.name);
        out.push('=');
        if info.redacted {
            out.push_str("***");
        } else if let [one] = values.as_slice() {
            out.push_str(&format!("{one:?}"));
        } else {
            out.push_str(&format!("{values:?}"));
        }
    }
    out
}

/// Writes the audit event.
pub(crate) fn emit(record: &Record, sender: Option<&Jid>, outcome: CommandOutcome, took: Duration) {
    tracing::info!(
        target: "xmpp_rest_bot::audit",
        sender = sender.map_or("", Jid::as_str),
        command = %record.command,
        args = %record.args,
        outcome = outcome.label(),
        duration_ms = u64::try_from(took.as_millis()).unwrap_or(u64::MAX),
        "command"
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::ArgKind;

    #[test]
    fn redacted_values_are_masked_and_others_escaped() {
        let infos = [
            ArgInfo::new("env", "String", ArgKind::Required),
            ArgInfo::new("token", "String", ArgKind::Required).redact(),
            ArgInfo::new("note", "Option<String>", ArgKind::Optional),
            ArgInfo::new("hosts", "Vec<String>", ArgKind::Many),
        ];
        let values = vec![
            vec!["prod\nFAKE LOG LINE".to_owned()],
            vec!["s3cr3t".to_owned()],
            vec![],
            vec!["a".to_owned(), "b".to_owned()],
        ];
        let args = render_args(&infos, &values);
        assert_eq!(
            args,
            r#"env="prod\nFAKE LOG LINE" token=*** hosts=["a", "b"]"#
        );
        assert!(!args.contains("s3cr3t"));
    }
}
