//! `Command<C>`: the extractor that hands a handler its parsed chat command.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use super::adhoc::AdHocCall;
use super::{BotCommands, CommandInfo, CommandSet, Invocation, ParseError, parse};
use crate::extract::{FromStanza, Incoming, Rejection};
use crate::guard::{self, Source};
use crate::handler::Filter;
use crate::stanza::{Condition, MessageType, Stanza, StanzaError};

/// A command of the [`BotCommands`] enum `C`, parsed: a handler taking
/// `Command<C>` only receives messages that are commands of `C`.
///
/// ```no_run
/// use xmpp_rest_bot::prelude::*;
/// use xmpp_rest_bot::command::{BotCommands, Command};
///
/// #[derive(BotCommands)]
/// enum Ops {
///     /// Deploy a version to an environment.
///     Deploy { env: String, version: String },
///     /// Show the status.
///     Status,
/// }
///
/// async fn ops(Command(cmd): Command<Ops>) -> String {
///     match cmd {
///         Ops::Deploy { env, version } => format!("deploying {version} to {env}"),
///         Ops::Status => "all green".to_owned(),
///     }
/// }
///
/// # async fn run() -> std::io::Result<()> {
/// Bot::new()
///     .handler(ops)
///     .ad_hoc_commands::<Ops>() // the same commands in the clients' commands menu
///     .serve("127.0.0.1:8080")
///     .await
/// # }
/// ```
///
/// # What it does with a message
/// | message body | the handler | the sender receives |
/// |---|---|---|
/// | `!deploy prod v1.2` (a command of `C`, its arguments valid) | runs with the parsed command | the handler's reply |
/// | `hello`, `! deploy` (no prefix, or none followed by a name) | is skipped: the next handlers are tried | what they answer |
/// | `!deploy prod` (missing, extra or invalid argument, unclosed quote) | does not run, no further handler is tried | the parse error as a message of the incoming type: `deploy: missing argument <version> (usage: !deploy <env> <version>)` |
/// | `!deplyo prod v1` (no command of `C` has this name) | is skipped, with a [fallback](Rejection::fallback) | what the next handlers answer (another command enum may know the name); when none takes it, `unknown command "deplyo": did you mean "!deploy"?` |
/// | `!help`, `/help` (any of `C`'s prefixes), when `C` has no `help` command | does not run | `Commands:` and [`C::help()`](BotCommands::help) |
/// | `!help deploy` | does not run | the help line of that command |
///
/// The replies are messages of the incoming type, so a command typed in a room
/// is answered in the room (chat clients show error stanzas badly, so parse
/// errors are not sent as such). The help starts with a `Commands:` line so
/// that the bot, reading its own help reflected by a room, does not take it
/// for a command. Groupchat messages with a delay (the history a room sends
/// on join) are skipped: a command typed in the past is not run now.
///
/// To override the automatic help, give `C` a command named `help`: it is
/// then parsed (and handled) like the others.
///
/// # Ad-hoc commands
/// With [`Bot::ad_hoc_commands::<C>()`](crate::Bot::ad_hoc_commands), `C`'s
/// commands are also XEP-0050 ad-hoc commands; a submitted form reaches the
/// same handler as a `Command<C>` built from the form's values (other
/// extractors of the handler then see the iq, not a message).
///
/// # Several handlers and enums
/// The first handler (in registration order) taking `Command<C>` whose other
/// extractors and filter accept the stanza runs. Commands can be split over
/// several enums sharing a prefix (public commands, admin commands): an
/// unknown name is only answered when no handler takes the message. A
/// catch-all handler registered after a `Command<C>` handler also receives
/// unknown commands; keep them out of it with `!Command::<C>::filter()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Command<C>(pub C);

impl<C> Command<C> {
    /// The parsed command.
    pub fn into_inner(self) -> C {
        self.0
    }
}

impl<C: BotCommands + 'static> Command<C> {
    /// A filter accepting the messages whose body looks like a command of `C`
    /// (one of its prefixes followed by a name), whether or not the command
    /// then parses.
    ///
    /// ```
    /// use xmpp_rest_bot::Bot;
    /// use xmpp_rest_bot::command::{BotCommands, Command};
    /// use xmpp_rest_bot::extract::MessageText;
    /// use xmpp_rest_bot::handler::HandlerExt;
    ///
    /// #[derive(BotCommands)]
    /// enum Ops {
    ///     Status,
    /// }
    ///
    /// async fn ops(Command(_): Command<Ops>) -> &'static str {
    ///     "all green"
    /// }
    ///
    /// async fn chat(MessageText(text): MessageText) -> String {
    ///     format!("you said: {text}")
    /// }
    ///
    /// // `!stauts` gets "did you mean !status?", not "you said: !stauts".
    /// let bot: Bot = Bot::new()
    ///     .handler(ops)
    ///     .handler(chat.with_filter(!Command::<Ops>::filter()));
    /// ```
    pub fn filter() -> Filter {
        Filter::new(|stanza| match stanza {
            Stanza::Message(m) => m.body().is_some_and(|b| C::command_set().is_command(b)),
            _ => false,
        })
    }
}

impl<C> Deref for Command<C> {
    type Target = C;

    fn deref(&self) -> &C {
        &self.0
    }
}

impl<C> DerefMut for Command<C> {
    fn deref_mut(&mut self) -> &mut C {
        &mut self.0
    }
}

impl<S, C: BotCommands + 'static> FromStanza<S> for Command<C> {
    fn from_stanza(incoming: &Incoming, _state: &S) -> Result<Self, Rejection> {
        if let Some(call) = incoming.extensions().get::<Arc<AdHocCall>>() {
            if !call.is_for::<C>() {
                return Err(Rejection::skip("an ad-hoc command of another enum"));
            }
            // Dispatch checked the invocation before recognising the call; an
            // error here would come from a `from_invocation` that is not
            // deterministic, and becomes an error note.
            let command = C::from_invocation(call.invocation()).map_err(|e| {
                Rejection::reply(StanzaError::new(Condition::BadRequest).with_text(e.to_string()))
            })?;
            admit::<C>(incoming, call.invocation(), Source::AdHoc)?;
            return Ok(Command(command));
        }
        let Stanza::Message(message) = incoming.stanza() else {
            return Err(Rejection::skip("not a message"));
        };
        let Some(body) = message.body() else {
            return Err(Rejection::skip("message without body"));
        };
        if message.type_ == MessageType::Groupchat && message.delay.is_some() {
            return Err(Rejection::skip("room history is not run as commands"));
        }
        let command = from_text::<C>(incoming, body)?;
        Ok(Command(command))
    }
}

/// The guardrails' checks of a parsed command (see [`crate::guard`]).
fn admit<C: BotCommands>(
    incoming: &Incoming,
    invocation: &Invocation,
    source: Source<'_>,
) -> Result<(), Rejection> {
    let set = C::command_set();
    match set.commands.get(invocation.index) {
        Some(cmd) => guard::admit(incoming, set, cmd, invocation, source),
        None => Err(Rejection::skip("not a command")),
    }
}

/// Parses `body` as a command of `C` and lets the guardrails check it, or
/// says what the sender is to receive.
fn from_text<C: BotCommands>(incoming: &Incoming, body: &str) -> Result<C, Rejection> {
    let set = C::command_set();
    if !set.is_command(body) {
        return Err(Rejection::skip("not a command"));
    }
    if let Some(topic) = help_request(set, body) {
        return Err(Rejection::reply(help_text(set, topic, |cmd| {
            guard::may_run(incoming, cmd)
        })));
    }
    let parsed = parse::invocation(set, body)
        .and_then(|invocation| C::from_invocation(&invocation).map(|c| (c, invocation)));
    match parsed {
        Ok((command, invocation)) => {
            admit::<C>(incoming, &invocation, Source::Chat(body))?;
            Ok(command)
        }
        Err(ParseError::NotACommand) => Err(Rejection::skip("not a command")),
        Err(e @ ParseError::UnknownCommand { .. }) => {
            Err(Rejection::fallback(unknown_command_text(set, &e)))
        }
        Err(e) => Err(Rejection::reply(e.to_string())),
    }
}

/// Whether the set answers `help` itself (it has no command of that name).
fn automatic_help(set: &CommandSet) -> bool {
    set.find("help").is_none()
}

/// `Some(topic)` when `body` asks for the automatic help (`topic` is what
/// follows `help`, possibly empty).
fn help_request<'a>(set: &CommandSet, body: &'a str) -> Option<&'a str> {
    if !automatic_help(set) {
        return None;
    }
    let rest = parse::strip_prefix(set, body.trim())?;
    let name_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
    let (name, topic) = rest.split_at(name_end);
    set.names_equal(name, "help").then(|| topic.trim())
}

/// The help, or the help line of the command `topic`, listing only the
/// commands `visible` lets the sender see (those they may run).
fn help_text(set: &CommandSet, topic: &str, visible: impl Fn(&CommandInfo) -> bool) -> String {
    if topic.is_empty() {
        let help = set.help_of(visible);
        return if help.is_empty() {
            "No commands.".to_owned()
        } else {
            format!("Commands:\n{help}")
        };
    }
    // `!help !deploy` works too.
    let name = parse::strip_prefix(set, topic).unwrap_or(topic);
    match set.find(name) {
        Some((_, cmd)) if visible(cmd) => set.help_line(cmd),
        // Not for this sender: as unknown, and not suggested.
        Some(_) => ParseError::UnknownCommand {
            name: name.to_owned(),
            suggestion: None,
        }
        .to_string(),
        None => ParseError::UnknownCommand {
            name: name.to_owned(),
            suggestion: parse::suggest(set, name),
        }
        .to_string(),
    }
}

fn unknown_command_text(set: &CommandSet, error: &ParseError) -> String {
    match error {
        ParseError::UnknownCommand {
            suggestion: None, ..
        } if automatic_help(set) => {
            format!(
                "{error}: send {}help for the list of commands",
                set.primary_prefix()
            )
        }
        _ => error.to_string(),
    }
}
