//! XEP-0050 ad-hoc commands derived from [`BotCommands`] enums.
//!
//! The [`Registry`] is an [interceptor](crate::intercept): it looks at every
//! stanza before the routes. Discovery and the stages that need no handler
//! (the form, a cancel, a form with a wrong value) are answered here; a valid
//! submission becomes an [`AdHocCall`] attached to the [`Incoming`] as an
//! extension, which the [`Command`](super::Command) extractor of the handler
//! reads, and the handler's reply is turned into the completed command.

use std::any::TypeId;
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use super::{ArgInfo, ArgKind, BotCommands, CommandInfo, CommandSet, Invocation, ParseError};
use crate::extract::Incoming;
use crate::intercept::{Handled, Handling, Interceptor, Next};
use crate::reply::{Reply, ReplyKind};
use crate::stanza::{
    self, AdHocActions, AdHocNote, Condition, DataForm, DiscoInfo, DiscoItem, DiscoItems, Element,
    FormField, Identity, Iq, IqType, Stanza, StanzaError, ns,
};

/// The command enums exposed as ad-hoc commands, in registration order.
#[derive(Clone, Default)]
pub(crate) struct Registry {
    enums: Vec<Arc<dyn Registered>>,
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
    fn examine(&self, incoming: &Incoming) -> Intercept {
        let Stanza::Iq(iq) = incoming.stanza() else {
            return Intercept::Pass;
        };
        match iq.type_ {
            IqType::Get => self.discover(iq),
            IqType::Set => match iq.payload_as::<stanza::AdHocCommand>() {
                // A malformed `<command/>` is the routes' business (the
                // `stanza::AdHocCommand` extractor answers it with bad-request).
                Some(Ok(request)) => self.execute(iq, request),
                _ => Intercept::Pass,
            },
            _ => Intercept::Pass,
        }
    }

    /// disco#items on the commands node, disco#info on it and on a command's node.
    fn discover(&self, iq: &Iq) -> Intercept {
        if let Some(Ok(query)) = iq.payload_as::<DiscoItems>() {
            if query.node.as_deref() != Some(ns::COMMANDS) {
                return Intercept::Pass;
            }
            let mut items = DiscoItems::for_node(ns::COMMANDS);
            // The bot's address is where the request went (mod_rest always
            // sets it); without it there is no address to list.
            if let Some(bot) = &iq.to {
                for (_, cmd) in self.visible() {
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
            if let Some((_, _, cmd)) = self.find(node) {
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
    fn execute(&self, iq: &Iq, request: stanza::AdHocCommand) -> Intercept {
        let Some((owner, index, cmd)) = self.find(&request.node) else {
            return Intercept::Fallback(Reply::error(
                StanzaError::new(Condition::ItemNotFound)
                    .with_text(format!("no command {}", quoted(&request.node))),
            ));
        };
        let set = owner.set();
        let submitted = request.form.as_ref();
        if request.is_cancel() || submitted.is_some_and(DataForm::is_cancel) {
            return answer(iq, request.canceled());
        }
        let action = request.action_or_execute();
        if !matches!(action, "execute" | "complete" | "next") {
            let mut error = StanzaError::new(Condition::BadRequest).with_text(format!(
                "unsupported action {action:?}: this command only completes"
            ));
            error
                .extensions
                .push(Element::new("bad-action", ns::COMMANDS));
            return Intercept::Answer(Reply::error(error));
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
        match self.examine(incoming) {
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

/// `value` quoted for a message, cut short when long (it comes from the network).
fn quoted(value: &str) -> String {
    const MAX: usize = 64;
    match value.char_indices().nth(MAX) {
        None => format!("{value:?}"),
        Some((end, _)) => format!("{:?}...", &value[..end]),
    }
}

fn answer(iq: &Iq, command: stanza::AdHocCommand) -> Intercept {
    Intercept::Answer(Reply::stanza(iq.result(Some(command))))
}

fn complete_only() -> AdHocActions {
    AdHocActions::new().with_execute("complete").with_complete()
}

/// What clients show for a command: its description, else its name.
fn display_name(cmd: &CommandInfo) -> &'static str {
    if cmd.description.is_empty() {
        cmd.name
    } else {
        cmd.description
    }
}

/// A session id: unique within the process, which is all a stateless
/// command needs (the submitted form carries everything).
fn new_session_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let t = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros());
    format!("{t:x}-{n:x}")
}

/// Whether the argument is a `bool` (or `Option<bool>`): a boolean field.
fn is_bool(arg: &ArgInfo) -> bool {
    let ty = arg
        .type_name
        .strip_prefix("Option<")
        .and_then(|t| t.strip_suffix('>'))
        .unwrap_or(arg.type_name);
    matches!(arg.kind, ArgKind::Required | ArgKind::Optional)
        && (ty == "bool" || ty.ends_with("::bool"))
}

/// The form for `cmd`'s arguments, filled with `values` when given.
fn form_for(cmd: &CommandInfo, values: Option<&DataForm>) -> DataForm {
    let mut form = DataForm::form().with_title(display_name(cmd));
    for arg in cmd.args {
        let name = arg.name;
        let mut field = if is_bool(arg) {
            FormField::boolean(name, name)
        } else {
            match arg.kind {
                ArgKind::Many => FormField::text_multi(name, name),
                ArgKind::Optional => FormField::text_single(name, name),
                _ => FormField::text_single(name, name).with_required(true),
            }
        };
        if let Some(values) = values {
            field.values = match arg.kind {
                ArgKind::Many => lines(values.values(name)).map(str::to_owned).collect(),
                _ => values.value(name).map(str::to_owned).into_iter().collect(),
            };
        }
        form.fields.push(field);
    }
    form
}

/// The non-empty lines of a multi-line field (XML sends one value per line,
/// mod_rest's JSON one string with newlines).
fn lines(values: &[String]) -> impl Iterator<Item = &str> {
    values
        .iter()
        .flat_map(|v| v.lines())
        .map(str::trim)
        .filter(|l| !l.is_empty())
}

/// An XEP-0004 boolean as Rust's `bool` parses it; other text is kept for
/// the argument's own error.
fn boolean(value: &str) -> &str {
    match value {
        "1" | "true" => "true",
        "0" | "false" => "false",
        other => other,
    }
}

/// The invocation of `cmd` with the submitted values.
fn invocation_from_form(
    set: &CommandSet,
    index: usize,
    cmd: &CommandInfo,
    form: &DataForm,
) -> Result<Invocation, ParseError> {
    let mut args = Vec::with_capacity(cmd.args.len());
    for arg in cmd.args {
        let value = form
            .value(arg.name)
            .map(str::trim)
            .filter(|v| !v.is_empty());
        let value = if is_bool(arg) {
            value.map(boolean)
        } else {
            value
        };
        let values = match (arg.kind, value) {
            (ArgKind::Many, _) => lines(form.values(arg.name)).map(str::to_owned).collect(),
            (ArgKind::Optional, value) => value.map(str::to_owned).into_iter().collect(),
            (_, Some(value)) => vec![value.to_owned()],
            // An unchecked box may be left out of the submission.
            (_, None) if is_bool(arg) => vec!["false".to_owned()],
            (_, None) => {
                return Err(ParseError::MissingArgument {
                    command: cmd.name.to_owned(),
                    argument: arg.name.to_owned(),
                    usage: cmd.usage(set.primary_prefix()),
                });
            }
        };
        args.push(values);
    }
    Ok(Invocation {
        index,
        invoked_as: cmd.name.to_owned(),
        args,
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    const ARGS: &[ArgInfo] = &[
        ArgInfo::new("env", "Env", ArgKind::Required),
        ArgInfo::new("force", "bool", ArgKind::Required),
        ArgInfo::new("note", "Option<String>", ArgKind::Optional),
        ArgInfo::new("dry", "Option<bool>", ArgKind::Optional),
        ArgInfo::new("hosts", "Vec<String>", ArgKind::Many),
    ];
    const CMD: CommandInfo = CommandInfo::new("deploy", &[], "Deploy.", ARGS, false);
    static SET: CommandSet = CommandSet::new(&["!"], false, &[CMD]);

    #[test]
    fn form_fields_follow_the_argument_kinds() {
        let form = form_for(&CMD, None);
        assert_eq!(form.type_, "form");
        assert_eq!(form.title.as_deref(), Some("Deploy."));
        let types: Vec<(&str, bool)> = form
            .fields
            .iter()
            .map(|f| (f.type_.as_deref().unwrap(), f.required))
            .collect();
        assert_eq!(
            types,
            [
                ("text-single", true),
                ("boolean", false),
                ("text-single", false),
                ("boolean", false),
                ("text-multi", false)
            ]
        );
        assert!(form.fields.iter().all(|f| f.label == f.var));
    }

    #[test]
    fn form_values_become_the_invocation() {
        let mut form = DataForm::submit([("env", " prod "), ("force", "1"), ("dry", "0")]);
        form.fields
            .push(FormField::new("hosts").with_values(["a", "b\nc", " ", ""]));
        let inv = invocation_from_form(&SET, 0, &CMD, &form).unwrap();
        assert_eq!(
            inv.args,
            vec![
                vec!["prod".to_owned()],
                vec!["true".to_owned()],
                vec![],
                vec!["false".to_owned()],
                vec!["a".to_owned(), "b".to_owned(), "c".to_owned()],
            ]
        );
        // An unchecked box may be missing; a required text may not.
        let inv = invocation_from_form(&SET, 0, &CMD, &DataForm::submit([("env", "x")])).unwrap();
        assert_eq!(inv.args[1], ["false"]);
        let err =
            invocation_from_form(&SET, 0, &CMD, &DataForm::submit([("env", "  ")])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "deploy: missing argument <env> (usage: !deploy <env> <force> [note] [dry] [hosts...])"
        );
    }

    #[test]
    fn refilled_form_keeps_the_submitted_values() {
        let form = form_for(
            &CMD,
            Some(&DataForm::submit([("env", "qa"), ("hosts", "a\nb")])),
        );
        assert_eq!(form.value("env"), Some("qa"));
        assert_eq!(form.values("hosts"), ["a", "b"]);
        assert_eq!(form.value("note"), None);
    }

    #[test]
    fn long_nodes_are_cut_in_messages() {
        assert_eq!(quoted("deploy"), "\"deploy\"");
        let long = "é".repeat(100);
        let q = quoted(&long);
        assert!(q.ends_with("\"..."), "{q}");
        assert_eq!(q.chars().filter(|&c| c == 'é').count(), 64);
    }

    #[test]
    fn session_ids_are_unique() {
        assert_ne!(new_session_id(), new_session_id());
    }
}
