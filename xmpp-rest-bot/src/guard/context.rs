//! What the guard stage attaches to each stanza, and the admission of a
//! command against it: access, rate, confirmation, in that order.
//!
//! The checks run in the command extractor (it alone knows which command a
//! message is, after parsing); what needs the network (storing a pending
//! confirmation) and what needs the outcome (the audit event) is left in the
//! [`Record`] for the stage to finish once the routes are done.

use std::sync::{Arc, Mutex, PoisonError};

use super::audit::{CommandOutcome, Record};
use super::{Guardrails, RateDecision};
use crate::command::{CommandInfo, CommandSet, Invocation};
use crate::extract::{Incoming, Rejection};
use crate::stanza::{Condition, Jid, StanzaError};

/// The guardrails' view of one stanza, an extension of its [`Incoming`].
#[derive(Debug)]
pub(crate) struct GuardContext {
    pub(crate) rails: Arc<Guardrails>,
    /// Who is asking, for access and limits: the real JID behind a room
    /// nick when the room gave it, else the sender's address.
    pub(crate) requester: Option<Jid>,
    /// The room's address, for a groupchat message.
    pub(crate) room: Option<String>,
    /// The command text a `!yes` confirmed: it runs without asking again.
    pub(crate) confirmed: Option<String>,
    pub(crate) record: Mutex<Option<Record>>,
}

/// Where a command comes from.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Source<'a> {
    /// A chat message with this text.
    Chat(&'a str),
    /// An XEP-0050 submission (its confirmation is a stage of the form).
    AdHoc,
}

impl GuardContext {
    pub(crate) fn of(incoming: &Incoming) -> Option<&GuardContext> {
        incoming
            .extensions()
            .get::<Arc<GuardContext>>()
            .map(Arc::as_ref)
    }

    /// Whether the requester is a member of `group`.
    pub(crate) fn is_member(&self, group: &str) -> bool {
        self.requester
            .as_ref()
            .is_some_and(|jid| self.rails.access.allows(group, jid))
    }

    /// The key of the requester's rate bucket.
    fn rate_key(&self) -> String {
        match &self.requester {
            Some(jid) if jid.resource().is_some() && self.room.is_some() => jid.to_string(),
            Some(jid) => jid.to_bare().to_string(),
            None => String::new(),
        }
    }

    fn keep(&self, record: Record) {
        *self.record.lock().unwrap_or_else(PoisonError::into_inner) = Some(record);
    }

    /// Takes the shared buckets the admitted command noted.
    pub(crate) fn take_buckets(&self) -> Vec<super::shared::Bucket> {
        self.record
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_mut()
            .map(|r| std::mem::take(&mut r.buckets))
            .unwrap_or_default()
    }

    /// Records what the guardrails decided after admission (a shared rate
    /// limit refused the run).
    pub(crate) fn decide(&self, outcome: CommandOutcome) {
        if let Some(record) = self
            .record
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_mut()
        {
            record.decided = Some(outcome);
        }
    }

    pub(crate) fn take_record(&self) -> Option<Record> {
        self.record
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }
}

/// Whether the sender of `incoming` may run `cmd` (for `!help` and the ad-hoc
/// command list): a command naming a group is only shown to its members,
/// and to nobody when the bot has no guardrails.
pub(crate) fn may_run(incoming: &Incoming, cmd: &CommandInfo) -> bool {
    match cmd.allow {
        None => true,
        Some(group) => GuardContext::of(incoming).is_some_and(|ctx| ctx.is_member(group)),
    }
}

/// The `forbidden` error for a requester who may not run `cmd` (the ad-hoc
/// commands refuse its node at every stage, before any form), counted as
/// denied; `None` when they may. The text is [`admit`]'s.
pub(crate) fn refusal(
    incoming: &Incoming,
    set: &CommandSet,
    cmd: &CommandInfo,
) -> Option<StanzaError> {
    let group = cmd.allow?;
    let shown = format!("{}{}", set.primary_prefix(), cmd.name);
    let text = match GuardContext::of(incoming) {
        Some(ctx) if ctx.is_member(group) => return None,
        Some(ctx) => {
            let mut record = Record::named(cmd.name);
            record.decided = Some(CommandOutcome::Denied);
            ctx.keep(record);
            ctx.rails.denial(&shown, group)
        }
        None => format!("{shown} is disabled: the bot has no guardrails set"),
    };
    Some(StanzaError::new(Condition::Forbidden).with_text(text))
}

/// Checks a run of `cmd`, parsed as `invocation`: `Ok` when it may run now
/// (the audit record is kept for the stage), else what the sender receives.
pub(crate) fn admit(
    incoming: &Incoming,
    set: &CommandSet,
    cmd: &'static CommandInfo,
    invocation: &Invocation,
    source: Source<'_>,
) -> Result<(), Rejection> {
    // `!deploy`, for the texts of refusals (made only when one is).
    let shown = || format!("{}{}", set.primary_prefix(), cmd.name);
    let Some(ctx) = GuardContext::of(incoming) else {
        if cmd.allow.is_none() && cmd.confirm.is_none() && cmd.rate.is_none() {
            return Ok(());
        }
        // Fail closed: a command that asks for guardrails never runs without.
        tracing::error!(
            command = cmd.name,
            "the command declares allow, confirm or rate, but the bot has no guardrails: \
             call Bot::guardrails; refused"
        );
        return Err(Rejection::reply(
            StanzaError::new(Condition::Forbidden).with_text(format!(
                "{} is disabled: the bot has no guardrails set",
                shown()
            )),
        ));
    };
    let mut record = Record::new(cmd, invocation);
    if let Some(group) = cmd.allow
        && !ctx.is_member(group)
    {
        record.decided = Some(CommandOutcome::Denied);
        ctx.keep(record);
        return Err(Rejection::reply(
            StanzaError::new(Condition::Forbidden).with_text(ctx.rails.denial(&shown(), group)),
        ));
    }
    // A confirmed run paid its token when the confirmation was asked.
    let confirmed =
        matches!(source, Source::Chat(text) if ctx.confirmed.as_deref() == Some(text.trim()));
    let rate = if confirmed {
        RateDecision::Allowed
    } else if ctx.rails.shared.is_some() {
        // Checked by the route before the handler starts (it needs the network).
        record.buckets =
            ctx.rails
                .shared_buckets(cmd, &ctx.rate_key(), ctx.room.as_deref(), &shown());
        RateDecision::Allowed
    } else {
        ctx.rails
            .take_token(cmd, &ctx.rate_key(), ctx.room.as_deref())
    };
    if let RateDecision::Limited { retry_after } = rate {
        record.decided = Some(CommandOutcome::RateLimited);
        ctx.keep(record);
        // Whole seconds, rounded up: "retry in 0 s" would be wrong.
        let secs = retry_after.as_millis().div_ceil(1000).max(1);
        return Err(Rejection::reply(
            StanzaError::new(Condition::PolicyViolation)
                .with_text(format!("too many commands: retry {} in {secs} s", shown())),
        ));
    }
    if let (Some(prompt), Source::Chat(text)) = (cmd.confirm, source)
        && !confirmed
    {
        let display = record.display(set.primary_prefix());
        let timeout = ctx.rails.confirm_timeout.as_secs().max(1);
        let question = if prompt.is_empty() {
            format!("Run {display}?")
        } else {
            prompt.to_owned()
        };
        let yes = format!("{}yes", set.primary_prefix());
        let no = format!("{}no", set.primary_prefix());
        record.decided = Some(CommandOutcome::AwaitingConfirmation);
        record.pending = Some(text.trim().to_owned());
        record.shown = display;
        ctx.keep(record);
        return Err(Rejection::reply(format!(
            "{question} Answer {yes} or {no} within {timeout} s."
        )));
    }
    ctx.keep(record);
    Ok(())
}

/// Checks a route registered with an access group (`#[on_message(allow = "ops")]`,
/// [`Route::with_allow`](crate::handler::Route::with_allow)).
pub(crate) fn admit_route(
    incoming: &Incoming,
    route: &'static str,
    group: &'static str,
) -> Result<(), Rejection> {
    let Some(ctx) = GuardContext::of(incoming) else {
        tracing::error!(
            route,
            group,
            "the handler has an access group, but the bot has no guardrails: call Bot::guardrails; refused"
        );
        return Err(Rejection::reply(
            StanzaError::new(Condition::Forbidden)
                .with_text("disabled: the bot has no guardrails set"),
        ));
    };
    if ctx.is_member(group) {
        return Ok(());
    }
    let mut record = Record::named(route);
    record.decided = Some(CommandOutcome::Denied);
    ctx.keep(record);
    Err(Rejection::reply(
        StanzaError::new(Condition::Forbidden).with_text(ctx.rails.denial("this", group)),
    ))
}
