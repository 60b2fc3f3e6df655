//! What `#[derive(BotCommands)]` generates calls to. Not public API:
//! reached through `__private::command`.

use crate::command::{CommandSet, Invocation, ParseError};

/// A type a command argument can be parsed into.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a command argument",
    label = "this type does not implement `FromStr` with a displayable error",
    note = "command arguments are parsed from text: implement `std::str::FromStr` for `{Self}` (with an `Err` type that implements `Display`), or use `String`"
)]
pub trait CommandArgument: Sized {
    /// Parses one argument.
    fn parse_argument(value: &str) -> Result<Self, String>;
}

impl<T> CommandArgument for T
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    fn parse_argument(value: &str) -> Result<Self, String> {
        value.parse().map_err(|e: T::Err| e.to_string())
    }
}

fn invalid(
    inv: &Invocation,
    set: &CommandSet,
    arg: usize,
    value: &str,
    reason: String,
) -> ParseError {
    let cmd = set.commands.get(inv.index);
    ParseError::InvalidArgument {
        command: cmd.map_or_else(|| inv.invoked_as.clone(), |c| c.name.to_owned()),
        argument: cmd
            .and_then(|c| c.args.get(arg))
            .map_or_else(|| format!("arg{}", arg + 1), |a| a.name.to_owned()),
        value: value.to_owned(),
        reason,
        usage: cmd
            .map(|c| c.usage(set.primary_prefix()))
            .unwrap_or_default(),
    }
}

/// Parses a required or rest argument.
pub fn required<T: CommandArgument>(
    inv: &Invocation,
    set: &CommandSet,
    arg: usize,
) -> Result<T, ParseError> {
    let value = inv
        .args
        .get(arg)
        .and_then(|v| v.first())
        .map(String::as_str)
        .unwrap_or_default();
    T::parse_argument(value).map_err(|e| invalid(inv, set, arg, value, e))
}

/// Parses an optional argument.
pub fn optional<T: CommandArgument>(
    inv: &Invocation,
    set: &CommandSet,
    arg: usize,
) -> Result<Option<T>, ParseError> {
    match inv.args.get(arg).and_then(|v| v.first()) {
        None => Ok(None),
        Some(value) => T::parse_argument(value)
            .map(Some)
            .map_err(|e| invalid(inv, set, arg, value, e)),
    }
}

/// Parses every remaining argument.
pub fn many<T: CommandArgument>(
    inv: &Invocation,
    set: &CommandSet,
    arg: usize,
) -> Result<Vec<T>, ParseError> {
    inv.args.get(arg).map_or_else(
        || Ok(Vec::new()),
        |values| {
            values
                .iter()
                .map(|value| T::parse_argument(value).map_err(|e| invalid(inv, set, arg, value, e)))
                .collect()
        },
    )
}
