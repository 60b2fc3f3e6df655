//! Multi-stage commands (XEP-0050 §3.4): one form per step of the arguments
//! (`#[command(step = N)]`), then a confirmation stage for a command with
//! `confirm`, the session kept in a [`Sessions`] store between requests.
//!
//! Every change of a session is a compare-and-set against the version the
//! request answers (the form's hidden stage field, else the version
//! loaded): a stale or duplicated request, or the loser of two racing ones,
//! gets `bad-request` with `<bad-sessionid/>` and changes nothing.

use std::sync::Arc;

use super::form::{self, CONFIRM_FIELD};
use super::session::{MAX_SESSION_ID, Session, Sessions, new_session_id};
use super::{AdHocCall, Intercept, Registered, answer};
use crate::command::{ArgKind, CommandInfo, Invocation, ParseError};
use crate::reply::Reply;
use crate::stanza::{
    self, AdHocActions, AdHocNote, Condition, DataForm, Element, Iq, Jid, StanzaError, ns,
};
use crate::storage::{StorageError, Version};

/// The stages of a command: its argument steps, and a confirmation.
#[derive(Debug, Clone, Copy)]
pub(super) struct Plan {
    steps: u8,
    confirm: bool,
}

impl Plan {
    pub(super) fn of(cmd: &CommandInfo) -> Plan {
        Plan {
            steps: cmd.args.iter().map(|a| a.step).max().unwrap_or(0),
            confirm: cmd.confirm.is_some(),
        }
    }

    /// Whether the command needs a session: several steps, or a
    /// confirmation. The others stay stateless (the form carries all).
    pub(super) fn is_staged(self) -> bool {
        self.steps > 1 || self.confirm
    }

    fn stages(self) -> usize {
        usize::from(self.steps) + usize::from(self.confirm)
    }

    /// The argument step of `stage` (from 1), `None` for the confirmation.
    fn step(self, stage: usize) -> Option<u8> {
        u8::try_from(stage + 1).ok().filter(|&s| s <= self.steps)
    }
}

/// What a staged request is about.
pub(super) struct Request<'a> {
    pub(super) iq: &'a Iq,
    pub(super) command: stanza::AdHocCommand,
    pub(super) owner: &'a Arc<dyn Registered>,
    pub(super) index: usize,
    pub(super) cmd: &'static CommandInfo,
}

/// Answers a request for a staged command.
pub(super) async fn execute(sessions: &Sessions, request: Request<'_>) -> Intercept {
    let plan = Plan::of(request.cmd);
    let Some(requester) = request.iq.from.clone() else {
        // mod_rest always gives the sender; without one nobody owns a session.
        return error(Condition::BadRequest, "a command session needs a sender");
    };
    let submitted = request.command.form.as_ref();
    let action = if request.command.is_cancel() || submitted.is_some_and(DataForm::is_cancel) {
        "cancel"
    } else {
        request.command.action_or_execute()
    };
    let Some(id) = request.command.sessionid.clone() else {
        return match action {
            "execute" => start(sessions, &request, plan, &requester).await,
            _ => bad_sessionid("no session: execute the command first"),
        };
    };
    if id.len() > MAX_SESSION_ID {
        return bad_sessionid("no such session");
    }
    let key = sessions.key(request.iq.to.as_ref(), &requester, request.cmd.name, &id);
    let (mut session, loaded) = match sessions.load(&key).await {
        Ok(Some(found)) => found,
        // Unknown, expired, or another requester's (the key names the requester).
        Ok(None) => {
            return bad_sessionid(format!(
                "no session {}: unknown or expired",
                form::quoted(&id)
            ));
        }
        Err(e) => return storage_failed(&e),
    };
    if session.requester != requester.as_str()
        || session.node != request.cmd.name
        || session.values.len() != request.cmd.args.len()
        || session.stage >= plan.stages()
    {
        // Not what this bot writes under this key (another version of it?).
        return bad_sessionid("this session does not belong to this command");
    }
    // The version the request answers: a form answering an older stage
    // is stale even when nothing races it.
    let expected = match form::stage_token(submitted) {
        None => loaded,
        Some(Some(v)) if v == loaded.get() => loaded,
        Some(_) => return stale(),
    };
    let last = session.stage + 1 == plan.stages();
    let action = match action {
        "execute" if last => "complete",
        "execute" => "next",
        other => other,
    };
    let flow = Flow {
        sessions,
        request: &request,
        plan,
        key: &key,
        expected,
    };
    match action {
        "cancel" => flow.cancel().await,
        "prev" if session.stage == 0 => bad_action("prev: this is the first stage"),
        "prev" => {
            session.stage -= 1;
            flow.show(&session, None, None).await
        }
        "complete" if !last => bad_action("complete: the command has further stages; use next"),
        // `next` at the last stage completes, as a lax client means it.
        "next" | "complete" => flow.advance(session, last).await,
        other => bad_action(format!(
            "unsupported action {}: expected execute, next, prev, complete or cancel",
            form::quoted(other)
        )),
    }
}

/// Starts a session at its first stage.
async fn start(
    sessions: &Sessions,
    request: &Request<'_>,
    plan: Plan,
    requester: &Jid,
) -> Intercept {
    let session = Session {
        node: request.cmd.name.to_owned(),
        requester: requester.to_string(),
        stage: 0,
        values: vec![Vec::new(); request.cmd.args.len()],
    };
    // A fresh id; created only if absent, so a clash is a retry, not a
    // takeover of someone's session.
    for _ in 0..3 {
        let id = new_session_id();
        let key = sessions.key(request.iq.to.as_ref(), requester, request.cmd.name, &id);
        match sessions.save(&key, &session, None).await {
            Ok(version) => {
                let command = request.command.clone().with_sessionid(id);
                let request = Request {
                    command,
                    ..*request
                };
                return stage_answer(&request, plan, &session, version, None, None);
            }
            Err(e) if e.is_conflict() => {}
            Err(e) => return storage_failed(&e),
        }
    }
    error(Condition::InternalServerError, "no free session id")
}

/// One step of a loaded session.
struct Flow<'a> {
    sessions: &'a Sessions,
    request: &'a Request<'a>,
    plan: Plan,
    key: &'a str,
    expected: Version,
}

impl Flow<'_> {
    /// Stores `session` and shows its stage (with `note`, and `submitted`
    /// values instead of the stored ones when given).
    async fn show(
        &self,
        session: &Session,
        note: Option<AdHocNote>,
        submitted: Option<&DataForm>,
    ) -> Intercept {
        match self
            .sessions
            .save(self.key, session, Some(self.expected))
            .await
        {
            Ok(version) => stage_answer(self.request, self.plan, session, version, note, submitted),
            Err(e) if e.is_conflict() => stale(),
            Err(e) => storage_failed(&e),
        }
    }

    /// The current stage again, unchanged (nothing stored), with an error note.
    fn again(&self, session: &Session, note: String, submitted: &DataForm) -> Intercept {
        let note = Some(AdHocNote::error(note));
        stage_answer(
            self.request,
            self.plan,
            session,
            self.expected,
            note,
            Some(submitted),
        )
    }

    async fn cancel(&self) -> Intercept {
        match self.sessions.remove(self.key, self.expected).await {
            Ok(()) => answer(self.request.iq, self.request.command.canceled()),
            Err(e) if e.is_conflict() => stale(),
            Err(e) => storage_failed(&e),
        }
    }

    /// `next` or `complete`: validates the stage's values, then shows the
    /// next stage, or runs the command after the last.
    async fn advance(&self, mut session: Session, last: bool) -> Intercept {
        let empty = DataForm::new("submit");
        let submitted = self.request.command.form.as_ref().unwrap_or(&empty);
        let Some(step) = self.plan.step(session.stage) else {
            // The confirmation stage.
            return match submitted.value(CONFIRM_FIELD).map(str::trim) {
                Some("1" | "true") => self.run(&session).await,
                Some("0" | "false") => {
                    match self.sessions.remove(self.key, self.expected).await {
                        Ok(()) => {
                            answer(
                                self.request.iq,
                                self.request.command.canceled().with_note(AdHocNote::info(
                                    format!("Canceled: {} was not run.", self.request.cmd.name),
                                )),
                            )
                        }
                        Err(e) if e.is_conflict() => stale(),
                        Err(e) => storage_failed(&e),
                    }
                }
                _ => self.again(&session, "answer the question: yes or no".into(), submitted),
            };
        };
        match step_values(self.request, step, &session, submitted) {
            Err(e) => self.again(&session, e.to_string(), submitted),
            Ok(values) => {
                session.values = values;
                if last {
                    self.run(&session).await
                } else {
                    session.stage += 1;
                    self.show(&session, None, None).await
                }
            }
        }
    }

    /// Ends the session and runs the command with its values. The session
    /// is removed first: a duplicated `complete` finds none and runs nothing.
    async fn run(&self, session: &Session) -> Intercept {
        let request = self.request;
        let invocation = Invocation {
            index: request.index,
            invoked_as: request.cmd.name.to_owned(),
            args: session.values.clone(),
        };
        if let Err(e) = request.owner.check(&invocation) {
            // Each step was checked; a command whose parsing depends on more
            // than its own values can still refuse the whole.
            return answer(
                request.iq,
                request
                    .command
                    .completed()
                    .with_note(AdHocNote::error(e.to_string())),
            );
        }
        match self.sessions.remove(self.key, self.expected).await {
            Ok(()) => Intercept::Run(Arc::new(AdHocCall {
                enum_type: request.owner.enum_type(),
                invocation,
                request: request.command.clone(),
                iq: request.iq.clone(),
            })),
            Err(e) if e.is_conflict() => stale(),
            Err(e) => storage_failed(&e),
        }
    }
}

/// The values of every argument with step `step`'s taken from `submitted`,
/// checked: the command is built from the steps so far, later arguments
/// left empty, and only an error about an argument of a later step is
/// ignored (arguments parse in field order, and steps go up in it).
fn step_values(
    request: &Request<'_>,
    step: u8,
    session: &Session,
    submitted: &DataForm,
) -> Result<Vec<Vec<String>>, ParseError> {
    let set = request.owner.set();
    let cmd = request.cmd;
    let mut values = session.values.clone();
    let mut trial = values.clone();
    for (i, arg) in cmd.args.iter().enumerate() {
        if arg.step == step {
            let given = form::arg_values(set, cmd, arg, submitted)?;
            values[i] = given.clone();
            trial[i] = given;
        } else if arg.step > step {
            trial[i] = Vec::new();
        }
    }
    let invocation = Invocation {
        index: request.index,
        invoked_as: cmd.name.to_owned(),
        args: trial,
    };
    match request.owner.check(&invocation) {
        Ok(()) => Ok(values),
        Err(e) => {
            let later = match &e {
                ParseError::MissingArgument { argument, .. }
                | ParseError::InvalidArgument { argument, .. } => cmd
                    .args
                    .iter()
                    .find(|a| a.name == argument.as_str())
                    .is_some_and(|a| a.step > step),
                _ => false,
            };
            if later { Ok(values) } else { Err(e) }
        }
    }
}

/// The answer showing `session`'s stage, at `version`.
fn stage_answer(
    request: &Request<'_>,
    plan: Plan,
    session: &Session,
    version: Version,
    note: Option<AdHocNote>,
    submitted: Option<&DataForm>,
) -> Intercept {
    let cmd = request.cmd;
    let last = session.stage + 1 == plan.stages();
    let mut actions = AdHocActions::new();
    if session.stage > 0 {
        actions = actions.with_prev();
    }
    actions = if last {
        actions.with_execute("complete").with_complete()
    } else {
        actions.with_execute("next").with_next()
    };
    let sessionid = request.command.sessionid.clone().unwrap_or_default();
    let mut stage = request.command.executing(sessionid).with_actions(actions);
    let form = match plan.step(session.stage) {
        Some(step) => form::step_form(
            cmd,
            step,
            plan.steps,
            &session.values,
            submitted,
            version.get(),
        ),
        None => {
            let prompt = prompt(cmd, &session.values);
            // The note for clients that show notes, the instructions for
            // those that show only the form (and for mod_rest's JSON).
            if note.is_none() {
                stage = stage.with_note(AdHocNote::info(prompt.clone()));
            }
            form::confirm_form(cmd, &prompt, version.get())
        }
    };
    if let Some(note) = note {
        stage = stage.with_note(note);
    }
    answer(request.iq, stage.with_form(form))
}

/// The confirmation's question: the command's own prompt, or `Run deploy
/// with env="prod", token=***?` (secrets masked, values quoted and escaped:
/// they come from the network).
fn prompt(cmd: &CommandInfo, values: &[Vec<String>]) -> String {
    match cmd.confirm {
        Some(prompt) if !prompt.is_empty() => prompt.to_owned(),
        _ => {
            let args: Vec<String> = cmd
                .args
                .iter()
                .zip(values)
                .filter(|(_, v)| !v.is_empty())
                .map(|(arg, v)| match (arg.redacted, arg.kind, v.as_slice()) {
                    (true, _, _) => format!("{}=***", arg.name),
                    (false, ArgKind::Many, _) => format!("{}={v:?}", arg.name),
                    (false, _, [one]) => format!("{}={one:?}", arg.name),
                    (false, _, _) => format!("{}={v:?}", arg.name),
                })
                .collect();
            if args.is_empty() {
                format!("Run {}?", cmd.name)
            } else {
                format!("Run {} with {}?", cmd.name, args.join(", "))
            }
        }
    }
}

fn error(condition: Condition, text: impl Into<String>) -> Intercept {
    Intercept::Answer(Reply::error(StanzaError::new(condition).with_text(text)))
}

/// `bad-request` with XEP-0050's `<bad-sessionid/>`.
fn bad_sessionid(text: impl Into<String>) -> Intercept {
    let mut error = StanzaError::new(Condition::BadRequest).with_text(text);
    error
        .extensions
        .push(Element::new("bad-sessionid", ns::COMMANDS));
    Intercept::Answer(Reply::error(error))
}

/// A request answering a stage the session has left (a duplicate, a
/// request delayed past a later one, or the loser of a race).
fn stale() -> Intercept {
    bad_sessionid("the session moved on: this request answers an earlier stage")
}

/// `bad-request` with XEP-0050's `<bad-action/>`.
pub(super) fn bad_action(text: impl Into<String>) -> Intercept {
    let mut error = StanzaError::new(Condition::BadRequest).with_text(text);
    error
        .extensions
        .push(Element::new("bad-action", ns::COMMANDS));
    Intercept::Answer(Reply::error(error))
}

fn storage_failed(e: &StorageError) -> Intercept {
    tracing::error!(error = %e, "ad-hoc session storage failed: answering internal-server-error");
    Intercept::Answer(Reply::internal_error("command session storage failed"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::ArgInfo;

    #[test]
    fn plans_and_prompts() {
        const ARGS: &[ArgInfo] = &[
            ArgInfo::new("env", "String", ArgKind::Required),
            ArgInfo::new("token", "String", ArgKind::Required)
                .redact()
                .in_step(2),
            ArgInfo::new("hosts", "Vec<String>", ArgKind::Many).in_step(3),
        ];
        let cmd = CommandInfo::new("deploy", &[], "", ARGS, false);
        let plan = Plan::of(&cmd);
        assert!(plan.is_staged());
        assert_eq!(
            (plan.stages(), plan.step(2), plan.step(3)),
            (3, Some(3), None)
        );
        let confirmed = cmd.with_confirm("");
        let plan = Plan::of(&confirmed);
        assert_eq!((plan.stages(), plan.step(3)), (4, None));
        let values = vec![
            vec!["prod\n".to_owned()],
            vec!["s3cret".to_owned()],
            vec!["a".to_owned(), "b".to_owned()],
        ];
        assert_eq!(
            prompt(&confirmed, &values),
            r#"Run deploy with env="prod\n", token=***, hosts=["a", "b"]?"#
        );
        assert_eq!(prompt(&confirmed.with_confirm("Sure?"), &values), "Sure?");
        let bare = CommandInfo::new("restart", &[], "", &[], false).with_confirm("");
        assert_eq!(prompt(&bare, &[]), "Run restart?");
        assert!(Plan::of(&bare).is_staged());
        let single = CommandInfo::new("say", &[], "", &ARGS[..1], false);
        assert!(!Plan::of(&single).is_staged());
    }
}
