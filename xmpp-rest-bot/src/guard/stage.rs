//! The guardrails' stage of the pipeline: works out who is asking, answers
//! `!yes`/`!no` to a pending command, and, once the routes are done, stores
//! a confirmation asked for and writes the audit trail.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use super::audit::{self, CommandOutcome, Record};
use super::context::GuardContext;
use super::{Guardrails, confirm};
use crate::bot::Metrics;
use crate::extract::Incoming;
use crate::intercept::{Handled, Interceptor, Next};
use crate::reply::Reply;
use crate::stanza::{Jid, MessageType, Stanza};

/// The interceptor [`Bot::guardrails`](crate::Bot::guardrails) installs,
/// outermost, so that the ad-hoc commands' listing sees the requester.
pub(crate) struct GuardStage {
    pub(crate) rails: Arc<Guardrails>,
    pub(crate) metrics: Metrics,
}

impl GuardStage {
    /// Who is asking, and in which room: the real JID behind a nick when the
    /// room gave it.
    fn identity(&self, stanza: &Stanza) -> (Option<Jid>, Option<String>) {
        let from = stanza.from().cloned();
        match stanza {
            Stanza::Message(m) if m.type_ == MessageType::Groupchat => {
                let Some(from) = from else {
                    return (None, None);
                };
                let room = Some(from.to_bare().to_string());
                let real = self.rails.occupants.real_jid(&from).map(Jid::from);
                (real.or(Some(from)), room)
            }
            _ => (from, None),
        }
    }

    fn finish(
        &self,
        record: &Record,
        requester: Option<&Jid>,
        outcome: CommandOutcome,
        started: Instant,
    ) {
        audit::emit(record, requester, outcome, started.elapsed());
        self.metrics
            .record_command(&record.command, outcome.label());
    }

    /// The sender answered `!yes` or `!no`: `Ok(Some(text))` when a command
    /// was confirmed (the body is now its text), `Ok(None)` when nothing
    /// awaited an answer, `Err(answer)` when this stage answers.
    async fn answer(
        &self,
        incoming: &mut Incoming,
        yes: bool,
        requester: Option<&Jid>,
        started: Instant,
    ) -> Result<Option<String>, Handled> {
        let Some(key) = confirm::key(&self.rails, incoming.stanza()) else {
            return Ok(None);
        };
        let pending = match confirm::take(&self.rails, &key).await {
            Ok(Some(pending)) => pending,
            // Nothing awaits: `!yes` is an ordinary message.
            Ok(None) => return Ok(None),
            Err(error) => {
                tracing::error!(%error, "pending confirmation not loaded: answering internal-server-error");
                return Err(Handled::intercepted(Reply::internal_error(
                    "confirmation storage failed",
                )));
            }
        };
        let mut record = Record::named(&pending.command);
        record.shown = pending.shown.clone();
        if pending.expired() {
            self.finish(&record, requester, CommandOutcome::Expired, started);
            return Err(Handled::intercepted(format!(
                "Too late: {} was not run. Send it again to be asked again.",
                pending.shown
            )));
        }
        if !yes {
            self.finish(&record, requester, CommandOutcome::Cancelled, started);
            return Err(Handled::intercepted(format!(
                "Cancelled: {} was not run.",
                pending.shown
            )));
        }
        // The command runs as if sent again; the extractor recognises the
        // confirmed text and does not ask again.
        confirm::rewrite(incoming.stanza_mut(), &pending.text);
        Ok(Some(pending.text))
    }
}

impl Interceptor for GuardStage {
    async fn intercept(&self, incoming: &mut Incoming, next: Next<'_>) -> Handled {
        if let Stanza::Presence(presence) = incoming.stanza() {
            self.rails.occupants.observe(presence);
            return next.run(incoming).await;
        }
        let started = Instant::now();
        let (requester, room) = self.identity(incoming.stanza());
        let mut confirmed = None;
        if let Some(yes) = confirm::answer(incoming.stanza()) {
            match self
                .answer(incoming, yes, requester.as_ref(), started)
                .await
            {
                Ok(text) => confirmed = text,
                Err(handled) => return handled,
            }
        }
        let ctx = Arc::new(GuardContext {
            rails: Arc::clone(&self.rails),
            requester,
            room,
            confirmed,
            record: Mutex::new(None),
        });
        incoming.extensions_mut().insert(Arc::clone(&ctx));
        let mut handled = next.run(incoming).await;
        let Some(record) = ctx.take_record() else {
            return handled;
        };
        let mut outcome = record
            .decided
            .unwrap_or_else(|| CommandOutcome::of(&handled));
        if let Some(text) = &record.pending
            && let Some(key) = confirm::key(&self.rails, incoming.stanza())
        {
            let kept = confirm::keep(
                &self.rails,
                &key,
                text.clone(),
                record.command.clone(),
                record.shown.clone(),
            )
            .await;
            if let Err(error) = kept {
                tracing::error!(%error, "confirmation not stored: answering internal-server-error");
                handled =
                    Handled::intercepted(Reply::internal_error("confirmation storage failed"));
                outcome = CommandOutcome::Failed;
            }
        }
        self.finish(&record, ctx.requester.as_ref(), outcome, started);
        handled
    }
}
