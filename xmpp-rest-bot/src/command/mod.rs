//! Chat commands: `!deploy prod v1.2` parsed into a typed enum.
//!
//! Derive [`BotCommands`] on an enum (with the default `macros` feature), one
//! variant per command; each field is an argument parsed with `FromStr`.
//!
//! ```
//! use xmpp_rest_bot::command::BotCommands;
//!
//! #[derive(BotCommands, Debug, PartialEq)]
//! enum Ops {
//!     /// Deploy a version to an environment.
//!     Deploy { env: String, version: String },
//!     /// Say something in the room.
//!     Say { #[command(rest)] text: String },
//!     /// Show the status.
//!     #[command(aliases = ["st"])]
//!     Status,
//! }
//!
//! assert_eq!(
//!     Ops::parse("!deploy prod v1.2").unwrap(),
//!     Ops::Deploy { env: "prod".into(), version: "v1.2".into() },
//! );
//! assert_eq!(Ops::parse("/ST").unwrap(), Ops::Status);
//! assert_eq!(Ops::parse("!say hello   world").unwrap(), Ops::Say { text: "hello   world".into() });
//! let err = Ops::parse("!deplyo prod v1").unwrap_err();
//! assert_eq!(err.to_string(), "unknown command \"deplyo\": did you mean \"!deploy\"?");
//! assert!(Ops::help().contains("!deploy <env> <version> — Deploy a version to an environment."));
//! ```
//!
//! ## Attributes
//!
//! | where | attribute | meaning |
//! |-------|-----------|---------|
//! | enum | `#[command(prefix = ".")]` | the one prefix commands start with (default: `!` and `/`) |
//! | enum | `#[command(prefixes = ["!", "."])]` | several prefixes; the first is shown in help |
//! | enum | `#[command(case_sensitive)]` | command names are case-sensitive (default: not) |
//! | variant | `#[command(rename = "name")]` | the command's name (default: the variant name in lowercase) |
//! | variant | `#[command(aliases = ["a", "b"])]` | other names |
//! | variant | `#[command(description = "...")]` | the help text (default: the doc comment's first paragraph) |
//! | variant | `#[command(hide)]` | parsed, but not listed in help |
//! | variant or enum | `#[command(allow = "ops")]` | only members of the [access group](crate::guard::Access) `ops` run it; others get `forbidden`, and do not see it in `!help` nor in the ad-hoc command list |
//! | variant or enum | `#[command(confirm)]`, `#[command(confirm = "Deploy to production?")]` | runs only after the sender answers `!yes` (within the [timeout](crate::guard::Guardrails::confirm_timeout)); an ad-hoc command gets a confirmation stage |
//! | variant or enum | `#[command(rate = "2/min")]` | its own rate limit per sender (`N/s`, `N/min`, `N/h`, `N/day`), instead of the guardrails' default |
//! | field | `#[command(rest)]` | the last field takes the rest of the line verbatim |
//! | field | `#[command(rename = "name")]` | the argument's name in help and errors |
//! | field | `#[command(redact)]` | a secret: `***` in the audit trail and the confirmation prompt |
//! | field | `#[command(step = 2)]` | asked in the second form of the [ad-hoc command](crate::Bot::ad_hoc_commands) (default: step 1); steps go up in field order without gaps; chat commands ignore it |
//!
//! `allow`, `confirm` and `rate` are enforced by the bot's
//! [guardrails](crate::guard::Guardrails) ([`Bot::guardrails`](crate::Bot::guardrails));
//! a bot without guardrails refuses such commands to everyone.
//!
//! Arguments are separated by white space; `"double"` or `'single'` quotes keep
//! white space inside one argument, and `\` escapes a quote inside double quotes.
//! A field of type `Option<T>` is optional (only trailing arguments may be), a
//! field of type `Vec<T>` takes every remaining argument.
//!
//! ## In a bot
//!
//! A handler taking the extractor [`Command<C>`] receives the messages that
//! are commands of `C`, parsed; plain chat goes on to the other handlers, a
//! wrongly typed command is answered with the parse error as a chat message,
//! and `!help` with the help text (see [`Command`] for the details).
//! [`Bot::ad_hoc_commands::<C>()`](crate::Bot::ad_hoc_commands) also offers
//! the commands as XEP-0050 ad-hoc commands, the commands menu of XMPP
//! clients: each command's arguments become a form, and the submitted form
//! runs the same handler.
//!
//! ```no_run
//! use xmpp_rest_bot::prelude::*;
//! use xmpp_rest_bot::command::{BotCommands, Command};
//!
//! #[derive(BotCommands)]
//! enum Ops {
//!     /// Deploy a version to an environment.
//!     Deploy { env: String, version: String },
//!     /// Show the status.
//!     Status,
//! }
//!
//! async fn ops(Command(cmd): Command<Ops>) -> String {
//!     match cmd {
//!         Ops::Deploy { env, version } => format!("deploying {version} to {env}"),
//!         Ops::Status => "all green".to_owned(),
//!     }
//! }
//!
//! # async fn run() -> std::io::Result<()> {
//! Bot::new().handler(ops).ad_hoc_commands::<Ops>().serve("127.0.0.1:8080").await
//! # }
//! ```

mod adhoc;
mod extract;
mod parse;

pub(crate) use adhoc::Registry;
pub use extract::Command;
pub use parse::{ParseError, tokenize};

use crate::guard::RateLimit;

#[cfg(feature = "macros")]
pub use xmpp_rest_bot_macros::BotCommands;

/// How an argument is consumed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ArgKind {
    /// Exactly one argument.
    Required,
    /// One argument, or none at the end of the line (`Option<T>`).
    Optional,
    /// Every remaining argument (`Vec<T>`).
    Many,
    /// The rest of the line, verbatim (`#[command(rest)]`).
    Rest,
}

/// One argument of a command, for help texts, errors and ad-hoc command forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ArgInfo {
    /// The argument's name.
    pub name: &'static str,
    /// The Rust type it is parsed into, as written.
    pub type_name: &'static str,
    /// How it is consumed.
    pub kind: ArgKind,
    /// Whether its value is a secret (`#[command(redact)]`): the audit trail
    /// and the confirmation prompt show `***` instead.
    pub redacted: bool,
    /// The step of a multi-step ad-hoc command whose form asks for it
    /// (`#[command(step = 2)]`), from 1; chat commands ignore it.
    pub step: u8,
}

impl ArgInfo {
    #[doc(hidden)]
    pub const fn new(name: &'static str, type_name: &'static str, kind: ArgKind) -> Self {
        ArgInfo {
            name,
            type_name,
            kind,
            redacted: false,
            step: 1,
        }
    }

    #[doc(hidden)]
    #[must_use]
    pub const fn redact(mut self) -> Self {
        self.redacted = true;
        self
    }

    #[doc(hidden)]
    #[must_use]
    pub const fn in_step(mut self, step: u8) -> Self {
        self.step = step;
        self
    }
}

/// One command of a [`BotCommands`] enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct CommandInfo {
    /// The command's name, without prefix.
    pub name: &'static str,
    /// Other names.
    pub aliases: &'static [&'static str],
    /// The help text.
    pub description: &'static str,
    /// The arguments, in order.
    pub args: &'static [ArgInfo],
    /// Whether help leaves it out.
    pub hidden: bool,
    /// The [access group](crate::guard::Access) whose members alone may run
    /// it (`#[command(allow = "ops")]`); `None`: everyone.
    pub allow: Option<&'static str>,
    /// `Some(prompt)` when it runs only once the sender confirmed
    /// (`#[command(confirm)]`: an empty prompt, the default one is used;
    /// `#[command(confirm = "...")]`).
    pub confirm: Option<&'static str>,
    /// Its own rate limit per sender (`#[command(rate = "2/min")]`), instead
    /// of the guardrails' default one.
    pub rate: Option<RateLimit>,
}

impl CommandInfo {
    #[doc(hidden)]
    pub const fn new(
        name: &'static str,
        aliases: &'static [&'static str],
        description: &'static str,
        args: &'static [ArgInfo],
        hidden: bool,
    ) -> Self {
        CommandInfo {
            name,
            aliases,
            description,
            args,
            hidden,
            allow: None,
            confirm: None,
            rate: None,
        }
    }

    #[doc(hidden)]
    #[must_use]
    pub const fn with_allow(mut self, group: &'static str) -> Self {
        self.allow = Some(group);
        self
    }

    #[doc(hidden)]
    #[must_use]
    pub const fn with_confirm(mut self, prompt: &'static str) -> Self {
        self.confirm = Some(prompt);
        self
    }

    #[doc(hidden)]
    #[must_use]
    pub const fn with_rate(mut self, limit: RateLimit) -> Self {
        self.rate = Some(limit);
        self
    }

    /// The usage line: `!deploy <env> <version> [note]`.
    pub fn usage(&self, prefix: &str) -> String {
        let mut out = format!("{prefix}{}", self.name);
        for arg in self.args {
            out.push(' ');
            match arg.kind {
                ArgKind::Required => out.push_str(&format!("<{}>", arg.name)),
                ArgKind::Optional => out.push_str(&format!("[{}]", arg.name)),
                ArgKind::Many => out.push_str(&format!("[{}...]", arg.name)),
                ArgKind::Rest => out.push_str(&format!("<{}...>", arg.name)),
            }
        }
        out
    }
}

/// The grammar of a command enum: prefixes, case sensitivity and its commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct CommandSet {
    /// The prefixes a command may start with; the first is shown in help.
    pub prefixes: &'static [&'static str],
    /// Whether names are matched case-sensitively.
    pub case_sensitive: bool,
    /// The commands, in declaration order.
    pub commands: &'static [CommandInfo],
}

impl CommandSet {
    #[doc(hidden)]
    pub const fn new(
        prefixes: &'static [&'static str],
        case_sensitive: bool,
        commands: &'static [CommandInfo],
    ) -> Self {
        CommandSet {
            prefixes,
            case_sensitive,
            commands,
        }
    }

    /// The prefix shown in help.
    pub fn primary_prefix(&self) -> &'static str {
        self.prefixes.first().copied().unwrap_or("")
    }

    /// Whether `text` looks like a command of this set (starts with a prefix and
    /// a name character), whether or not it then parses.
    pub fn is_command(&self, text: &str) -> bool {
        parse::strip_prefix(self, text.trim_start())
            .is_some_and(|rest| rest.chars().next().is_some_and(|c| !c.is_whitespace()))
    }

    /// The command named `name` (or one of its aliases).
    pub fn find(&self, name: &str) -> Option<(usize, &'static CommandInfo)> {
        self.commands.iter().enumerate().find(|(_, c)| {
            std::iter::once(&c.name)
                .chain(c.aliases.iter())
                .any(|n| self.names_equal(n, name))
        })
    }

    fn names_equal(&self, a: &str, b: &str) -> bool {
        if self.case_sensitive {
            a == b
        } else {
            a.eq_ignore_ascii_case(b) || a.to_lowercase() == b.to_lowercase()
        }
    }

    /// The help text: one line per visible command, `usage — description`.
    pub fn help(&self) -> String {
        self.help_of(|_| true)
    }

    /// The help text of the commands that are not hidden and that `shown`
    /// accepts (the bot shows each sender the commands they may run).
    pub fn help_of(&self, shown: impl Fn(&CommandInfo) -> bool) -> String {
        let lines: Vec<String> = self
            .commands
            .iter()
            .filter(|c| !c.hidden && shown(c))
            .map(|c| self.help_line(c))
            .collect();
        lines.join("\n")
    }

    /// One line of the help: `usage — description (also aliases)`.
    fn help_line(&self, cmd: &CommandInfo) -> String {
        let prefix = self.primary_prefix();
        let mut out = cmd.usage(prefix);
        if !cmd.description.is_empty() {
            out.push_str(" — ");
            out.push_str(cmd.description);
        }
        if !cmd.aliases.is_empty() {
            let aliases: Vec<String> = cmd.aliases.iter().map(|a| format!("{prefix}{a}")).collect();
            out.push_str(&format!(" (also {})", aliases.join(", ")));
        }
        out
    }
}

/// A parsed invocation: which command, and its raw arguments, one string per
/// argument of the command (an absent optional argument is `None`, a `Many`
/// argument is split into the remaining strings).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Invocation {
    /// Index of the command in [`CommandSet::commands`].
    pub index: usize,
    /// The name it was invoked by, as typed.
    pub invoked_as: String,
    /// The arguments, one entry per [`ArgInfo`], each a list of raw values
    /// (0 or 1 for `Required`/`Optional`/`Rest`, any number for `Many`).
    pub args: Vec<Vec<String>>,
}

/// A typed set of chat commands. Derive it with `#[derive(BotCommands)]`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a command enum",
    label = "this type does not implement `BotCommands`",
    note = "add `#[derive(xmpp_rest_bot::command::BotCommands)]` to the enum `{Self}`"
)]
pub trait BotCommands: Sized {
    /// The grammar: prefixes and commands.
    fn command_set() -> &'static CommandSet;

    /// Builds the command from a parsed invocation.
    ///
    /// # Errors
    /// When an argument does not parse into its field's type.
    fn from_invocation(invocation: &Invocation) -> Result<Self, ParseError>;

    /// Parses a chat line such as `!deploy prod v1.2`.
    ///
    /// # Errors
    /// [`ParseError`] says precisely what is wrong: not a command, an unknown
    /// command (with a suggestion), a missing, extra or invalid argument.
    fn parse(text: &str) -> Result<Self, ParseError> {
        let invocation = parse::invocation(Self::command_set(), text)?;
        Self::from_invocation(&invocation)
    }

    /// The help text listing every visible command with its usage and description.
    fn help() -> String {
        Self::command_set().help()
    }

    /// The commands, in declaration order.
    fn commands() -> &'static [CommandInfo] {
        Self::command_set().commands
    }
}
