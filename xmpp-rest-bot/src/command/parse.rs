//! Splitting a chat line into a command name and arguments.

use std::fmt;

use super::{ArgKind, CommandSet, Invocation};

/// Why a chat line is not a valid command.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseError {
    /// The line does not start with a command prefix: it is ordinary chat.
    NotACommand,
    /// No command has this name.
    UnknownCommand {
        /// The name typed.
        name: String,
        /// The closest known name, with prefix, when one is close enough.
        suggestion: Option<String>,
    },
    /// A required argument is missing.
    MissingArgument {
        /// The command.
        command: String,
        /// The argument's name.
        argument: String,
        /// The usage line.
        usage: String,
    },
    /// More arguments were given than the command takes.
    TooManyArguments {
        /// The command.
        command: String,
        /// The first superfluous argument.
        extra: String,
        /// The usage line.
        usage: String,
    },
    /// An argument does not parse into its type.
    InvalidArgument {
        /// The command.
        command: String,
        /// The argument's name.
        argument: String,
        /// The value given.
        value: String,
        /// The type's own parse error.
        reason: String,
        /// The usage line.
        usage: String,
    },
    /// A quote was opened and never closed.
    UnterminatedQuote {
        /// The text before the opening quote, trimmed (with the command
        /// prefix and name when the line is a command): where the quote
        /// opened, in words a person recognises.
        after: String,
        /// The byte offset of the opening quote in the (trimmed) line.
        position: usize,
    },
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseError::NotACommand => f.write_str("not a command"),
            ParseError::UnknownCommand {
                name,
                suggestion: Some(s),
            } => write!(f, "unknown command {name:?}: did you mean {s:?}?"),
            ParseError::UnknownCommand {
                name,
                suggestion: None,
            } => write!(f, "unknown command {name:?}"),
            ParseError::MissingArgument {
                command,
                argument,
                usage,
            } => write!(
                f,
                "{command}: missing argument <{argument}> (usage: {usage})"
            ),
            ParseError::TooManyArguments {
                command,
                extra,
                usage,
            } => write!(
                f,
                "{command}: unexpected argument {extra:?} (usage: {usage})"
            ),
            ParseError::InvalidArgument {
                command,
                argument,
                value,
                reason,
                usage,
            } => write!(
                f,
                "{command}: invalid <{argument}> {value:?}: {reason} (usage: {usage})"
            ),
            ParseError::UnterminatedQuote { after, .. } if after.is_empty() => {
                f.write_str("unclosed quote at the start: close it, or escape it with a backslash")
            }
            ParseError::UnterminatedQuote { after, .. } => write!(
                f,
                "unclosed quote after `{}`: close it, or escape it with a backslash",
                shorten_front(after, 40)
            ),
        }
    }
}

impl std::error::Error for ParseError {}

/// `text`, or its last `max` characters after an ellipsis: the words right
/// before a quote say where it is; a whole long line would hide them.
fn shorten_front(text: &str, max: usize) -> String {
    let count = text.chars().count();
    if count <= max {
        return text.to_owned();
    }
    let tail: String = text.chars().skip(count - max).collect();
    format!("…{}", tail.trim_start())
}

/// A token of a command line: its unquoted value and where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Token {
    value: String,
    start: usize,
}

/// Splits `line` into arguments: white space separates, `"..."` and `'...'`
/// group, `\` escapes `"` and `\` inside double quotes.
///
/// # Errors
/// [`ParseError::UnterminatedQuote`] when a quote is not closed.
///
/// ```
/// use xmpp_rest_bot::command::tokenize;
///
/// assert_eq!(tokenize(r#"say "hello world" it's"#).unwrap_err().to_string(),
///            "unclosed quote after `say \"hello world\" it`: close it, or escape it with a backslash");
/// assert_eq!(tokenize(r#"say "hello \"world\"" 'x y'"#).unwrap(),
///            ["say", "hello \"world\"", "x y"]);
/// ```
pub fn tokenize(line: &str) -> Result<Vec<String>, ParseError> {
    Ok(tokens(line)?.into_iter().map(|t| t.value).collect())
}

fn tokens(line: &str) -> Result<Vec<Token>, ParseError> {
    let unclosed = |position: usize| ParseError::UnterminatedQuote {
        after: line[..position].trim().to_owned(),
        position,
    };
    let mut out = Vec::new();
    let mut chars = line.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut value = String::new();
        while let Some(&(pos, c)) = chars.peek() {
            if c.is_whitespace() {
                break;
            }
            chars.next();
            match c {
                '"' => loop {
                    match chars.next() {
                        None => return Err(unclosed(pos)),
                        Some((_, '"')) => break,
                        Some((_, '\\')) => match chars.next() {
                            Some((_, e @ ('"' | '\\'))) => value.push(e),
                            Some((_, other)) => {
                                value.push('\\');
                                value.push(other);
                            }
                            None => return Err(unclosed(pos)),
                        },
                        Some((_, other)) => value.push(other),
                    }
                },
                '\'' => loop {
                    match chars.next() {
                        None => return Err(unclosed(pos)),
                        Some((_, '\'')) => break,
                        Some((_, other)) => value.push(other),
                    }
                },
                other => value.push(other),
            }
        }
        out.push(Token { value, start });
    }
    Ok(out)
}

/// The line after its command prefix, if it starts with one.
pub(super) fn strip_prefix<'a>(set: &CommandSet, line: &'a str) -> Option<&'a str> {
    set.prefixes
        .iter()
        .filter_map(|p| line.strip_prefix(p))
        .next()
}

/// Parses `text` into an invocation of one of `set`'s commands.
pub(super) fn invocation(set: &CommandSet, text: &str) -> Result<Invocation, ParseError> {
    let line = text.trim();
    let rest = strip_prefix(set, line).ok_or(ParseError::NotACommand)?;
    let name_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
    let (name, args_text) = rest.split_at(name_end);
    if name.is_empty() {
        return Err(ParseError::NotACommand);
    }
    let Some((index, cmd)) = set.find(name) else {
        return Err(ParseError::UnknownCommand {
            name: name.to_owned(),
            suggestion: suggest(set, name),
        });
    };
    let usage = || cmd.usage(set.primary_prefix());
    // Positions in errors count from the start of the trimmed line.
    let args_offset = line.len() - args_text.len();
    let tokens = tokens(args_text).map_err(|e| match e {
        ParseError::UnterminatedQuote { position, .. } => ParseError::UnterminatedQuote {
            after: line[..position + args_offset].trim().to_owned(),
            position: position + args_offset,
        },
        other => other,
    })?;
    let mut args = Vec::with_capacity(cmd.args.len());
    let mut next = 0;
    for arg in cmd.args {
        match arg.kind {
            ArgKind::Required => match tokens.get(next) {
                Some(t) => {
                    args.push(vec![t.value.clone()]);
                    next += 1;
                }
                None => {
                    return Err(ParseError::MissingArgument {
                        command: cmd.name.to_owned(),
                        argument: arg.name.to_owned(),
                        usage: usage(),
                    });
                }
            },
            ArgKind::Optional => match tokens.get(next) {
                Some(t) => {
                    args.push(vec![t.value.clone()]);
                    next += 1;
                }
                None => args.push(Vec::new()),
            },
            ArgKind::Many => {
                args.push(
                    tokens[next.min(tokens.len())..]
                        .iter()
                        .map(|t| t.value.clone())
                        .collect(),
                );
                next = tokens.len();
            }
            ArgKind::Rest => {
                let raw = tokens
                    .get(next)
                    .map(|t| args_text[t.start..].trim())
                    .unwrap_or_default();
                if raw.is_empty() {
                    return Err(ParseError::MissingArgument {
                        command: cmd.name.to_owned(),
                        argument: arg.name.to_owned(),
                        usage: usage(),
                    });
                }
                args.push(vec![raw.to_owned()]);
                next = tokens.len();
            }
        }
    }
    if let Some(extra) = tokens.get(next) {
        return Err(ParseError::TooManyArguments {
            command: cmd.name.to_owned(),
            extra: extra.value.clone(),
            usage: usage(),
        });
    }
    Ok(Invocation {
        index,
        invoked_as: name.to_owned(),
        args,
    })
}

/// The visible command name closest to `name`, if close enough to be a typo.
pub(super) fn suggest(set: &CommandSet, name: &str) -> Option<String> {
    let typed = name.to_lowercase();
    set.commands
        .iter()
        .filter(|c| !c.hidden)
        .flat_map(|c| std::iter::once(c.name).chain(c.aliases.iter().copied()))
        .map(|candidate| (edit_distance(&typed, &candidate.to_lowercase()), candidate))
        .filter(|(d, candidate)| *d <= (candidate.chars().count().max(2) / 3).max(1) + 1 && *d > 0)
        .min_by_key(|(d, _)| *d)
        .map(|(_, candidate)| format!("{}{candidate}", set.primary_prefix()))
}

/// Damerau-Levenshtein (optimal string alignment) distance over chars.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev2 = vec![0usize; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0usize; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cur[j] = cur[j].min(prev2[j - 2] + 1);
            }
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_line_is_shortened_before_the_quote() {
        assert_eq!(shorten_front("abc", 5), "abc");
        assert_eq!(shorten_front("one two three four", 9), "…hree four");
        assert_eq!(shorten_front("é".repeat(50).as_str(), 3), "…ééé");
    }

    #[test]
    fn edit_distance_counts_transpositions_once() {
        assert_eq!(edit_distance("deploy", "deplyo"), 1);
        assert_eq!(edit_distance("status", "stats"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("abc", "abc"), 0);
    }

    #[test]
    fn tokenizer_handles_quotes_and_escapes() {
        assert_eq!(tokenize("  a  b ").unwrap(), ["a", "b"]);
        assert_eq!(tokenize(r#"a"b c"d"#).unwrap(), ["ab cd"]);
        assert_eq!(tokenize(r#""" ''"#).unwrap(), ["", ""]);
        assert_eq!(tokenize(r#""a\\b\n""#).unwrap(), [r"a\b\n"]);
        assert_eq!(
            tokenize("x 'open").unwrap_err(),
            ParseError::UnterminatedQuote {
                after: "x".into(),
                position: 2
            }
        );
        assert_eq!(
            tokenize("'open").unwrap_err().to_string(),
            "unclosed quote at the start: close it, or escape it with a backslash"
        );
        assert_eq!(tokenize("«héllo» wörld").unwrap(), ["«héllo»", "wörld"]);
    }
}
