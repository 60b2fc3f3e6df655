//! The command line: what `xmpp-rest` accepts, and its help.

use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use clap_complete::Shell;
use xmpp_rest_bot::stanza::{Jid, MessageType};

/// Shown in the top-level usage: the shape of each command at a glance.
const USAGE: &str = "\
xmpp-rest [OPTIONS] send --to JID [--type TYPE] TEXT...
       xmpp-rest [OPTIONS] send --to JID [--type TYPE] -      (the text from stdin)
       xmpp-rest [OPTIONS] ping|version|disco JID
       xmpp-rest completions bash|zsh|fish|elvish|powershell";

/// The exit codes and examples under `--help`; a unit test checks the table
/// against the codes `main` returns.
const AFTER_HELP: &str = "\
Options may come before or after the command; `--` ends them (for a text that
starts with `-`). Flags win over environment variables.

EXIT CODES:
    0    success
    1    Prosody refused the credentials (HTTP 401/403)
    2    usage error: bad arguments, no URL or credentials, an invalid JID or
         URL, an unusable text on stdin
    3    the entity answered with an error (the ping failed, no such entity)
    4    no connection to Prosody, or a timeout
    5    any other error (stanza rejected, not found, server error, unreadable
         answer)

EXAMPLES:
    export XMPP_REST_URL=https://example.org:5281 XMPP_REST_TOKEN=...
    xmpp-rest send --to ops@example.org \"deploy $CI_COMMIT_SHA finished\"
    make test 2>&1 | tail -n 20 | xmpp-rest send --to ci@rooms.example.org --type groupchat -
    xmpp-rest ping example.org || echo \"xmpp is down\"
    xmpp-rest --url http://127.0.0.1:5280 --host example.org version example.org
    xmpp-rest completions bash > ~/.local/share/bash-completion/completions/xmpp-rest";

/// `xmpp-rest`: send XMPP messages and query entities through Prosody's
/// mod_rest, from shell scripts and CI pipelines.
#[derive(Debug, Parser)]
#[command(
    name = "xmpp-rest",
    version,
    about = "Send XMPP messages and query entities through Prosody's mod_rest",
    override_usage = USAGE,
    after_help = AFTER_HELP,
    max_term_width = 100
)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) connection: Connection,
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Where Prosody is and how to talk to it: global, so that they may follow
/// the command as they did before clap.
#[derive(Debug, Args)]
pub(crate) struct Connection {
    // Help as an attribute: rustdoc would take the URL for a broken link.
    #[arg(
        long,
        global = true,
        env = "XMPP_REST_URL",
        value_name = "URL",
        value_parser = parse_url,
        help = "Prosody's HTTP base (https://example.org:5281) or its /rest URL"
    )]
    pub(crate) url: Option<String>,

    /// The name of the Prosody host, when the URL has an IP address or another
    /// name: Prosody chooses the virtual host by the Host header
    #[arg(long, global = true, env = "XMPP_REST_HOST", value_name = "NAME")]
    pub(crate) host: Option<String>,

    /// A bearer token (mod_tokenauth, or the early-2020 module's
    /// rest_credentials)
    #[arg(
        long,
        global = true,
        env = "XMPP_REST_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub(crate) token: Option<String>,

    /// An account for Basic auth: the local part of its JID
    #[arg(long, global = true, env = "XMPP_REST_USER", value_name = "USER")]
    pub(crate) user: Option<String>,

    /// The account's password (prefer the variable: arguments are visible to
    /// other users)
    #[arg(
        long,
        global = true,
        env = "XMPP_REST_PASSWORD",
        hide_env_values = true,
        value_name = "PASS"
    )]
    pub(crate) password: Option<String>,

    /// Send, and ask for, mod_rest's JSON mapping instead of XML
    #[arg(long, global = true)]
    pub(crate) json: bool,

    /// How long to wait for Prosody and for answers, in seconds [default: 30]
    // A negative number gets the message of `parse_timeout`, not "unexpected argument".
    #[arg(
        long,
        global = true,
        value_name = "SECS",
        value_parser = parse_timeout,
        allow_negative_numbers = true
    )]
    pub(crate) timeout: Option<Duration>,

    /// Talk to the early-2020 mod_rest (only POST /rest)
    #[arg(long, global = true)]
    pub(crate) legacy: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Send a message
    #[command(
        override_usage = "xmpp-rest send [OPTIONS] --to <JID> <TEXT>...\n       \
                          xmpp-rest send [OPTIONS] --to <JID> -",
        after_help = "The words of TEXT are joined with spaces; a single - reads the text from \
                      stdin (a final newline dropped). A groupchat goes to the room's bare JID."
    )]
    Send(Send),
    /// Ping an entity (XEP-0199) and print the round trip
    Ping(Target),
    /// Ask an entity for its software version (XEP-0092)
    Version(Target),
    /// Ask an entity what it is and supports (XEP-0030 disco#info)
    Disco(Target),
    /// Print a completion script for a shell
    #[command(after_help = "\
EXAMPLES:
    xmpp-rest completions bash > ~/.local/share/bash-completion/completions/xmpp-rest
    xmpp-rest completions zsh > ~/.zfunc/_xmpp-rest
    xmpp-rest completions fish > ~/.config/fish/completions/xmpp-rest.fish")]
    Completions {
        /// The shell
        shell: Shell,
    },
}

#[derive(Debug, Args)]
pub(crate) struct Send {
    /// The recipient: an account, a room for groupchat, a full JID
    #[arg(long, value_name = "JID", value_parser = parse_jid)]
    pub(crate) to: Jid,

    /// The message type
    #[arg(long = "type", value_name = "TYPE", value_enum, default_value_t = Kind::Chat)]
    pub(crate) kind: Kind,

    /// The text, or - to read it from stdin
    #[arg(required = true, value_name = "TEXT")]
    pub(crate) words: Vec<String>,
}

#[derive(Debug, Args)]
pub(crate) struct Target {
    /// The entity: a server (example.org), an account, a component
    #[arg(value_name = "JID", value_parser = parse_jid)]
    pub(crate) jid: Jid,
}

/// The message types a script sends (`error` is for answers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Kind {
    /// One-to-one chat
    Chat,
    /// A message to a room
    Groupchat,
    /// A standalone message (no type attribute)
    Normal,
    /// An alert or notification that expects no reply
    Headline,
}

impl From<Kind> for MessageType {
    fn from(kind: Kind) -> Self {
        match kind {
            Kind::Chat => MessageType::Chat,
            Kind::Groupchat => MessageType::Groupchat,
            Kind::Normal => MessageType::Normal,
            Kind::Headline => MessageType::Headline,
        }
    }
}

/// The address of Prosody's `/rest`, checked enough to name the fix before
/// anything is sent (`RestClientBuilder::build` checks the rest). clap puts
/// the value and the flag before these messages.
fn parse_url(raw: &str) -> Result<String, String> {
    const FIX: &str = "give the full address of Prosody's /rest, like http://localhost:5280/rest";
    let raw = raw.trim();
    // An empty variable is an unset one: `main` then says how to give a URL.
    if raw.is_empty() {
        return Ok(String::new());
    }
    match reqwest::Url::parse(raw) {
        Err(_) => Err(format!("not a URL: {FIX}")),
        // `example.org:5281` parses, with `example.org` as its scheme.
        Ok(_) if !raw.contains("://") => Err(format!("not a URL: {FIX}")),
        Ok(url) if !matches!(url.scheme(), "http" | "https") => Err(format!(
            "not an http or https URL (the scheme is {}): {FIX}",
            url.scheme()
        )),
        Ok(_) => Ok(raw.to_owned()),
    }
}

fn parse_jid(raw: &str) -> Result<Jid, String> {
    raw.parse()
        .map_err(|e| format!("not a valid jid ({e}): give an address like alice@example.org"))
}

fn parse_timeout(raw: &str) -> Result<Duration, String> {
    raw.parse::<f64>()
        .ok()
        .filter(|secs| secs.is_finite() && *secs > 0.0 && *secs <= 86_400.0)
        .map(Duration::from_secs_f64)
        .ok_or_else(|| {
            "not a number of seconds: give one above 0 and at most 86400, like 2.5".to_owned()
        })
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;
    use crate::exit;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("xmpp-rest").chain(args.iter().copied()))
    }

    #[test]
    fn the_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    /// The codes of the EXIT CODES table of the help.
    fn documented_exit_codes() -> Vec<u8> {
        AFTER_HELP
            .lines()
            .skip_while(|line| *line != "EXIT CODES:")
            .skip(1)
            .take_while(|line| !line.is_empty())
            .filter_map(|line| line.split_whitespace().next()?.parse().ok())
            .collect()
    }

    #[test]
    fn the_help_lists_every_exit_code() {
        let codes = documented_exit_codes();
        assert_eq!(
            codes,
            [
                exit::SUCCESS,
                exit::AUTH,
                exit::USAGE,
                exit::ENTITY,
                exit::CONNECTION,
                exit::OTHER
            ]
        );
    }

    #[test]
    fn options_go_anywhere_and_words_are_collected() {
        let cli = parse(&[
            "send",
            "--to",
            "a@b",
            "hello",
            "--json",
            "world",
            "--timeout=2.5",
        ])
        .unwrap();
        let Command::Send(send) = cli.command else {
            panic!("not send: {:?}", cli.command);
        };
        assert_eq!(send.to.to_string(), "a@b");
        assert_eq!(send.kind, Kind::Chat);
        assert_eq!(send.words, ["hello", "world"]);
        assert!(cli.connection.json);
        assert_eq!(cli.connection.timeout, Some(Duration::from_millis(2500)));
    }

    #[test]
    fn a_dash_is_a_word_and_a_double_dash_ends_options() {
        let cli = parse(&["send", "--to", "a@b", "--", "--not-an-option"]).unwrap();
        let Command::Send(send) = cli.command else {
            panic!("not send");
        };
        assert_eq!(send.words, ["--not-an-option"]);
        let cli = parse(&["send", "--to", "a@b", "-"]).unwrap();
        let Command::Send(send) = cli.command else {
            panic!("not send");
        };
        assert_eq!(send.words, ["-"]);
    }

    #[test]
    fn usage_errors_say_what_is_wrong() {
        let cases: &[(&[&str], &str)] = &[
            (&[], "Usage"),
            (&["send", "hi"], "--to"),
            (&["send", "--to", "a@b"], "TEXT"),
            (&["send", "--to", "@@", "x"], "not a valid jid"),
            (&["send", "--to", "a@b", "--type", "bogus", "x"], "--type"),
            (&["ping"], "JID"),
            (&["ping", "a", "b"], "unexpected argument"),
            (&["frobnicate"], "unrecognized subcommand"),
            (&["ping", "a", "--bogus"], "unexpected argument"),
            (&["ping", "a", "--timeout", "-1"], "at most 86400"),
            (&["ping", "a", "--url"], "a value is required"),
            (&["ping", "a", "--to", "b"], "unexpected argument '--to'"),
            (
                &["ping", "a", "--url", "example.org"],
                "give the full address",
            ),
            (
                &["ping", "a", "--url", "ftp://x"],
                "not an http or https URL",
            ),
        ];
        for (args, expected) in cases {
            match parse(args) {
                Err(e) => {
                    let message = e.to_string();
                    assert!(message.contains(expected), "{args:?}: {message}");
                    assert_eq!(e.exit_code(), i32::from(exit::USAGE), "{args:?}");
                }
                Ok(cli) => panic!("{args:?} parsed: {cli:?}"),
            }
        }
    }

    #[test]
    fn help_and_version_are_not_errors() {
        for args in [&["ping", "--help"][..], &["-V"], &["help", "send"]] {
            let e = parse(args).unwrap_err();
            assert_eq!(e.exit_code(), 0, "{args:?}");
        }
    }
}
