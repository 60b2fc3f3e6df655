//! XEP-0050 ad-hoc commands derived from [`BotCommands`] enums.
//!
//! The [`Registry`] is an [interceptor](crate::intercept): it looks at every
//! stanza before the routes. Discovery and the stages that need no handler
//! (the form, a cancel, a form with a wrong value) are answered here; a valid
//! submission becomes an [`AdHocCall`] attached to the [`Incoming`] as an
//! extension, which the [`Command`](super::Command) extractor of the handler
//! reads, and the handler's reply is turned into the completed command.
//!
//! A command with one step and no confirmation is stateless: its one form
//! carries every argument. A command with several steps
//! (`#[command(step = N)]`) or a confirmation (`#[command(confirm)]`) keeps
//! a session between its stages ([`stages`]), in [`Sessions`].
//!
//! What a requester may not run (`#[command(allow = "...")]`, see
//! [`crate::guard`]) is left out of their command list and refused at every
//! stage.

mod form;
mod session;
mod stages;

use std::any::TypeId;
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use super::{BotCommands, CommandInfo, CommandSet, Invocation, ParseError};
use crate::extract::Incoming;
use crate::guard;
use crate::intercept::{Handled, Handling, Interceptor, Next};
use crate::reply::{Reply, ReplyKind};
use crate::stanza::{
    self, AdHocActions, AdHocNote, Condition, DataForm, DiscoInfo, DiscoItem, DiscoItems, Identity,
    Iq, IqType, Stanza, StanzaError, ns,
};
use form::{display_name, form_for, invocation_from_form, quoted};
pub(crate) use session::Sessions;
use session::new_session_id;
use stages::Plan;

/// The command enums exposed as ad-hoc commands, in registration order, and
/// where their sessions are kept.
#[derive(Clone, Default)]
pub(crate) struct Registry {
    enums: Vec<Arc<dyn Registered>>,
    sessions: Sessions,
}

/// A registered enum, its type erased.
trait Registered: Send + Sync + 'static {
    fn enum_type(&self) -> TypeId;
    fn enum_name(&self) -> &'static str;
    fn set(&self) -> &'static CommandSet;
    /// Whether the invocation builds a command (every argument parses).
    fn check(&self, invocation: &Invocation) -> Result<(), ParseError>;
}

struct Enum<C>(PhantomData<fn() -> C>);

impl<C: BotCommands + 'static> Registered for Enum<C> {
    fn enum_type(&self) -> TypeId {
        TypeId::of::<C>()
    }

    fn enum_name(&self) -> &'static str {
        std::any::type_name::<C>()
    }

    fn set(&self) -> &'static CommandSet {
        C::command_set()
    }

    fn check(&self, invocation: &Invocation) -> Result<(), ParseError> {
        C::from_invocation(invocation).map(drop)
    }
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.enums.iter().map(|e| e.enum_name()))
            .finish()
    }
}

/// What becomes of a stanza, as far as ad-hoc commands go.
enum Intercept {
    /// Not an ad-hoc matter: dispatch as usual.
    Pass,
    /// Answer this, without trying the routes.
    Answer(Reply),
    /// Dispatch as usual; answer this when no route takes the stanza.
    Fallback(Reply),
    /// A valid submission: attach the call and dispatch it to the routes.
    Run(Arc<AdHocCall>),
}

impl Registry {
    /// Adds `C` (once; a second registration changes nothing).
    pub(crate) fn add<C: BotCommands + 'static>(&mut self) {
        if self
            .enums
            .iter()
            .any(|e| e.enum_type() == TypeId::of::<C>())
        {
            return;
        }
        let set = C::command_set();
        for cmd in set.commands {
            if let Some((owner, _, _)) = self.find(cmd.name) {
                tracing::warn!(
                    command = cmd.name,
                    enum_ = std::any::type_name::<C>(),
                    already_in = owner.enum_name(),
                    "ad-hoc command node already registered: the first enum keeps it"
                );
            }
        }
        self.enums.push(Arc::new(Enum::<C>(PhantomData)));
    }

    /// The same commands, their sessions kept in `sessions`.
    pub(crate) fn with_sessions(&self, sessions: Sessions) -> Self {
        Registry {
            enums: self.enums.clone(),
            sessions,
        }
    }

    /// Whether any enum with commands is registered.
    pub(crate) fn has_commands(&self) -> bool {
        self.enums.iter().any(|e| !e.set().commands.is_empty())
    }

    /// The enum, index and command that `node` names.
    fn find(&self, node: &str) -> Option<(&Arc<dyn Registered>, usize, &'static CommandInfo)> {
        self.enums
            .iter()
            .find_map(|e| e.set().find(node).map(|(index, cmd)| (e, index, cmd)))
    }

    /// Looks at `incoming` before the routes do.
    async fn examine(&self, incoming: &Incoming) -> Intercept {
        let Stanza::Iq(iq) = incoming.stanza() else {
            return Intercept::Pass;
        };
        match iq.type_ {
            IqType::Get => self.discover(incoming, iq),
            IqType::Set => match iq.payload_as::<stanza::AdHocCommand>() {
                // A malformed `<command/>` is the routes' business (the
                // `stanza::AdHocCommand` extractor answers it with bad-request).
                Some(Ok(request)) => self.execute(incoming, iq, request).await,
                _ => Intercept::Pass,
            },
            _ => Intercept::Pass,
        }
    }

    /// disco#items on the commands node, disco#info on it and on a command's
    /// node; both as the requester sees them (the commands they may run).
    fn discover(&self, incoming: &Incoming, iq: &Iq) -> Intercept {
        if let Some(Ok(query)) = iq.payload_as::<DiscoItems>() {
            if query.node.as_deref() != Some(ns::COMMANDS) {
                return Intercept::Pass;
            }
            let mut items = DiscoItems::for_node(ns::COMMANDS);
            // The bot's address is where the request went (mod_rest always
            // sets it); without it there is no address to list.
            if let Some(bot) = &iq.to {
                for (_, cmd) in self.visible().filter(|(_, c)| guard::may_run(incoming, c)) {
                    items.items.push(
                        DiscoItem::new(bot.clone())
                            .with_node(cmd.name)
                            .with_name(display_name(cmd)),
                    );
                }
            }
            return Intercept::Answer(Reply::stanza(iq.result(Some(items))));
        }
        if let Some(Ok(query)) = iq.payload_as::<DiscoInfo>() {
            let Some(node) = query.node.as_deref() else {
                return Intercept::Pass;
            };
            if node == ns::COMMANDS {
                let info = DiscoInfo::for_node(node)
                    .with_identity(
                        Identity::new("automation", "command-list").with_name("Commands"),
                    )
                    .with_feature(ns::COMMANDS);
                return Intercept::Answer(Reply::stanza(iq.result(Some(info))));
            }
            // A node the requester may not run is as unknown to them.
            if let Some((_, _, cmd)) = self
                .find(node)
                .filter(|(_, _, c)| guard::may_run(incoming, c))
            {
                let info = DiscoInfo::for_node(node)
                    .with_identity(
                        Identity::new("automation", "command-node").with_name(display_name(cmd)),
                    )
                    .with_features([ns::COMMANDS, ns::DATA_FORMS]);
                return Intercept::Answer(Reply::stanza(iq.result(Some(info))));
            }
        }
        Intercept::Pass
    }

    fn visible(&self) -> impl Iterator<Item = (&Arc<dyn Registered>, &'static CommandInfo)> {
        self.enums.iter().flat_map(move |e| {
            e.set()
                .commands
                .iter()
                .filter(|c| !c.hidden)
                .filter(move |c| {
                    // A name an earlier enum already has is not its command.
                    self.find(c.name)
                        .is_some_and(|(owner, _, _)| Arc::ptr_eq(owner, e))
                })
                .map(move |c| (e, c))
        })
    }

    /// A `<command/>` request (an iq set).
    async fn execute(
        &self,
        incoming: &Incoming,
        iq: &Iq,
        request: stanza::AdHocCommand,
    ) -> Intercept {
        let Some((owner, index, cmd)) = self.find(&request.node) else {
            return Intercept::Fallback(Reply::error(
                StanzaError::new(Condition::ItemNotFound)
                    .with_text(format!("no command {}", quoted(&request.node))),
            ));
        };
        let set = owner.set();
        // At every stage, before any form: nothing of it is for them.
        if let Some(refused) = guard::refusal(incoming, set, cmd) {
            return Intercept::Answer(Reply::error(refused));
        }
        if Plan::of(cmd).is_staged() {
            let request = stages::Request {
                iq,
                command: request,
                owner,
                index,
                cmd,
            };
            return stages::execute(&self.sessions, request).await;
        }
        let submitted = request.form.as_ref();
        if request.is_cancel() || submitted.is_some_and(DataForm::is_cancel) {
            return answer(iq, request.canceled());
        }
        let action = request.action_or_execute();
        if !matches!(action, "execute" | "complete" | "next") {
            return stages::bad_action(format!(
                "unsupported action {}: this command only completes",
                quoted(action)
            ));
        }
        // With `execute`, only a submitted form runs the command (no form:
        // the client asks for it); `complete` and `next` carry the values,
        // whatever type a lax client gave the form.
        let submitted = submitted.filter(|f| f.is_submit() || action != "execute");
        if submitted.is_none() && action == "execute" && !cmd.args.is_empty() {
            let stage = request
                .executing(new_session_id())
                .with_actions(complete_only())
                .with_form(form_for(cmd, None));
            return answer(iq, stage);
        }
        let empty = DataForm::new("submit");
        let values = submitted.unwrap_or(&empty);
        let checked = invocation_from_form(set, index, cmd, values)
            .and_then(|invocation| owner.check(&invocation).map(|()| invocation));
        match checked {
            Ok(invocation) => Intercept::Run(Arc::new(AdHocCall {
                enum_type: owner.enum_type(),
                invocation,
                request,
                iq: iq.clone(),
            })),
            Err(error) if cmd.args.is_empty() => answer(
                iq,
                request
                    .completed()
                    .with_note(AdHocNote::error(error.to_string())),
            ),
            Err(error) => {
                // The form again, with what was submitted and the error, so
                // that the user can correct the value.
                let sessionid = request.sessionid.clone().unwrap_or_else(new_session_id);
                let stage = request
                    .executing(sessionid)
                    .with_note(AdHocNote::error(error.to_string()))
                    .with_actions(complete_only())
                    .with_form(form_for(cmd, Some(values)));
                answer(iq, stage)
            }
        }
    }
}

impl Interceptor for Registry {
    async fn intercept(&self, incoming: &mut Incoming, next: Next<'_>) -> Handled {
        match self.examine(incoming).await {
            Intercept::Pass => next.run(incoming).await,
            Intercept::Answer(reply) => Handled::builtin(reply),
            Intercept::Fallback(reply) => {
                let handled = next.run(incoming).await;
                if handled.is_answered() {
                    handled
                } else {
                    Handled::intercepted(reply)
                }
            }
            Intercept::Run(call) => {
                incoming.extensions_mut().insert(Arc::clone(&call));
                let handled = next.run(incoming).await;
                match handled.handling() {
                    // A panic or a timeout is answered as such, not as a note.
                    Handling::Failed => handled,
                    Handling::Unhandled if !handled.is_answered() => {
                        Handled::intercepted(call.unhandled())
                    }
                    _ => handled.map_reply(|reply| call.finish(reply)),
                }
            }
        }
    }
}

fn answer(iq: &Iq, command: stanza::AdHocCommand) -> Intercept {
    Intercept::Answer(Reply::stanza(iq.result(Some(command))))
}

fn complete_only() -> AdHocActions {
    AdHocActions::new().with_execute("complete").with_complete()
}

/// A valid submission of a registered command, on its way to the handler.
pub(crate) struct AdHocCall {
    enum_type: TypeId,
    invocation: Invocation,
    request: stanza::AdHocCommand,
    iq: Iq,
}

impl fmt::Debug for AdHocCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AdHocCall")
            .field("node", &self.request.node)
            .field("invocation", &self.invocation)
            .finish_non_exhaustive()
    }
}

impl AdHocCall {
    /// Whether the call is for the enum `C`.
    pub(crate) fn is_for<C: 'static>(&self) -> bool {
        self.enum_type == TypeId::of::<C>()
    }

    pub(crate) fn invocation(&self) -> &Invocation {
        &self.invocation
    }

    /// Turns what a handler (or an extractor) answered into the answer to
    /// the command: text becomes an `info` note, an error an `error` note.
    fn finish(&self, reply: Reply) -> Reply {
        let done = self.request.completed();
        let note = match reply.kind {
            ReplyKind::Ack => None,
            ReplyKind::Text(text) => Some(AdHocNote::info(text)),
            ReplyKind::Stanza(stanza) => match *stanza {
                Stanza::Message(m) => m.body().map(AdHocNote::info),
                // An iq is the handler's own answer; anything else is
                // refused by the reply rules as usual.
                other => return Reply::stanza(other),
            },
            ReplyKind::Error(error) => {
                Some(AdHocNote::error(error.text.clone().unwrap_or_else(|| {
                    error.condition.as_str().replace('-', " ")
                })))
            }
            // An iq payload is the handler's own answer to the iq.
            kind @ ReplyKind::Payload(_) => return Reply { kind },
            ReplyKind::Internal(message) => return Reply::internal_error(message),
        };
        let done = match note {
            Some(note) => done.with_note(note),
            None => done,
        };
        Reply::stanza(self.iq.result(Some(done)))
    }

    /// The answer when no route takes the call.
    fn unhandled(&self) -> Reply {
        tracing::warn!(
            node = %self.request.node,
            "no handler takes this ad-hoc command: register one taking Command<C> \
             whose other arguments and filter accept iqs"
        );
        Reply::error(
            StanzaError::new(Condition::FeatureNotImplemented).with_text(format!(
                "no handler runs the command {:?}",
                self.request.node
            )),
        )
    }
}
