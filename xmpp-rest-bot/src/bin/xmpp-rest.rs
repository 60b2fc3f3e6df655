//! `xmpp-rest`: send XMPP messages and query entities through Prosody's
//! mod_rest, from shell scripts and CI pipelines. Run `xmpp-rest --help`.

use std::io::Read;
use std::process::ExitCode;
use std::time::Duration;

use xmpp_rest_bot::client::{RestClient, RetryPolicy};
use xmpp_rest_bot::stanza::{Jid, Message, MessageType};
use xmpp_rest_bot::wire::WireFormat;

const USAGE: &str = "\
xmpp-rest: send XMPP messages and query entities through Prosody's mod_rest

USAGE:
    xmpp-rest [OPTIONS] send --to JID [--type TYPE] TEXT...
    xmpp-rest [OPTIONS] send --to JID [--type TYPE] -      (the text from stdin)
    xmpp-rest [OPTIONS] ping JID
    xmpp-rest [OPTIONS] version JID
    xmpp-rest [OPTIONS] disco JID

OPTIONS:
    --url URL          Prosody's HTTP base (https://example.org:5281) or its
                       /rest URL                             [env: XMPP_REST_URL]
    --token TOKEN      bearer token (mod_tokenauth, or the early-2020 module's
                       rest_credentials)                   [env: XMPP_REST_TOKEN]
    --user USER        account for basic auth: the local part of the JID
                                                            [env: XMPP_REST_USER]
    --password PASS    its password (prefer the env var: arguments are visible
                       to other users)                  [env: XMPP_REST_PASSWORD]
    --type TYPE        message type: chat (default), groupchat, normal, headline
    --json             send and ask for mod_rest's JSON mapping instead of XML
    --timeout SECS     how long to wait for Prosody and for answers (default 30)
    --legacy           the early-2020 mod_rest (only POST /rest)
    -h, --help         print this help
    -V, --version      print the version

Options may come before or after the command; `--` ends them (for a text
that starts with `-`). Flags win over environment variables.

EXIT CODES:
    0    success
    1    usage error: bad arguments, missing URL or credentials, invalid JID
    2    authentication error: Prosody refused the credentials (HTTP 401/403)
    3    the entity answered with an error (the ping failed, no such entity)
    4    no connection to Prosody, or a timeout
    5    any other error (stanza rejected, server error, unreadable answer)

EXAMPLES:
    export XMPP_REST_URL=https://example.org:5281 XMPP_REST_TOKEN=...
    xmpp-rest send --to ops@example.org \"deploy $CI_COMMIT_SHA finished\"
    make test 2>&1 | tail -n 20 | xmpp-rest send --to ci@rooms.example.org --type groupchat -
    xmpp-rest ping example.org || echo \"xmpp is down\"
";

/// The largest text read from stdin (mod_rest takes at most 192 KiB by default).
const MAX_STDIN: u64 = 1024 * 1024;

#[derive(Debug)]
enum Command {
    Send {
        to: Jid,
        type_: MessageType,
        text: Text,
    },
    Ping(Jid),
    Version(Jid),
    Disco(Jid),
}

#[derive(Debug)]
enum Text {
    Args(String),
    Stdin,
}

#[derive(Debug, Default)]
struct Options {
    url: Option<String>,
    token: Option<String>,
    user: Option<String>,
    password: Option<String>,
    json: bool,
    legacy: bool,
    timeout: Option<Duration>,
}

enum Parsed {
    Run(Options, Command),
    Help,
    Version,
}

/// A usage error: exit code 1.
struct Usage(String);

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match parse_args(&args) {
        Ok(Parsed::Help) => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        Ok(Parsed::Version) => {
            println!("xmpp-rest {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Ok(Parsed::Run(options, command)) => run(options, command),
        Err(Usage(message)) => {
            eprintln!("xmpp-rest: {message}\nrun `xmpp-rest --help` for usage");
            ExitCode::from(1)
        }
    }
}

fn parse_args(args: &[String]) -> Result<Parsed, Usage> {
    let mut options = Options::default();
    let mut to: Option<String> = None;
    let mut type_: Option<String> = None;
    let mut positional: Vec<String> = Vec::new();
    let mut only_positional = false;
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if only_positional || !arg.starts_with('-') || arg == "-" {
            positional.push(arg.clone());
            continue;
        }
        if arg == "--" {
            only_positional = true;
            continue;
        }
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) if name.starts_with("--") => (name, Some(value.to_owned())),
            _ => (arg.as_str(), None),
        };
        let mut value = |flag: &str| -> Result<String, Usage> {
            match inline.clone() {
                Some(v) => Ok(v),
                None => iter
                    .next()
                    .cloned()
                    .ok_or_else(|| Usage(format!("{flag} needs a value"))),
            }
        };
        match name {
            "-h" | "--help" => return Ok(Parsed::Help),
            "-V" | "--version" => return Ok(Parsed::Version),
            "--url" => options.url = Some(value(name)?),
            "--token" => options.token = Some(value(name)?),
            "--user" => options.user = Some(value(name)?),
            "--password" => options.password = Some(value(name)?),
            "--to" => to = Some(value(name)?),
            "--type" => type_ = Some(value(name)?),
            "--timeout" => {
                let raw = value(name)?;
                let secs: f64 = raw
                    .parse()
                    .ok()
                    .filter(|s: &f64| s.is_finite() && *s > 0.0 && *s <= 86_400.0)
                    .ok_or_else(|| {
                        Usage(format!(
                            "--timeout takes seconds (0 < SECS <= 86400), not {raw:?}"
                        ))
                    })?;
                options.timeout = Some(Duration::from_secs_f64(secs));
            }
            "--json" if inline.is_none() => options.json = true,
            "--legacy" if inline.is_none() => options.legacy = true,
            _ => return Err(Usage(format!("unknown option {arg}"))),
        }
    }

    let mut positional = positional.into_iter();
    let Some(command) = positional.next() else {
        return Err(Usage(
            "no command: give send, ping, version or disco".to_owned(),
        ));
    };
    let rest: Vec<String> = positional.collect();
    let command = match command.as_str() {
        "send" => {
            let to = to.ok_or_else(|| Usage("send needs --to JID".to_owned()))?;
            let to = parse_jid(&to)?;
            let type_ = match type_.as_deref().unwrap_or("chat") {
                "chat" => MessageType::Chat,
                "groupchat" => MessageType::Groupchat,
                "normal" => MessageType::Normal,
                "headline" => MessageType::Headline,
                other => {
                    return Err(Usage(format!(
                        "--type must be chat, groupchat, normal or headline, not {other:?}"
                    )));
                }
            };
            let text = match rest.as_slice() {
                [] => {
                    return Err(Usage(
                        "send needs a TEXT, or - to read it from stdin".to_owned(),
                    ));
                }
                [dash] if dash == "-" => Text::Stdin,
                words => Text::Args(words.join(" ")),
            };
            Command::Send { to, type_, text }
        }
        "ping" | "version" | "disco" => {
            if to.is_some() || type_.is_some() {
                return Err(Usage(format!(
                    "--to and --type are options of send, not of {command}"
                )));
            }
            let jid = match rest.as_slice() {
                [jid] => parse_jid(jid)?,
                [] => return Err(Usage(format!("{command} needs a JID"))),
                _ => return Err(Usage(format!("{command} takes one JID"))),
            };
            match command.as_str() {
                "ping" => Command::Ping(jid),
                "version" => Command::Version(jid),
                _ => Command::Disco(jid),
            }
        }
        other => {
            return Err(Usage(format!(
                "unknown command {other:?}: give send, ping, version or disco"
            )));
        }
    };
    Ok(Parsed::Run(options, command))
}

fn parse_jid(raw: &str) -> Result<Jid, Usage> {
    raw.parse()
        .map_err(|e| Usage(format!("invalid jid {raw:?}: {e}")))
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn build_client(options: Options) -> Result<RestClient, Usage> {
    let url = options
        .url
        .or_else(|| env("XMPP_REST_URL"))
        .ok_or_else(|| Usage("no url: give --url or set XMPP_REST_URL".to_owned()))?;
    let mut builder = RestClient::builder(&url)
        .user_agent(concat!("xmpp-rest/", env!("CARGO_PKG_VERSION")))
        .retries(RetryPolicy::default());
    if options.token.is_some() && options.user.is_some() {
        return Err(Usage("give either --token or --user, not both".to_owned()));
    }
    let basic = |user: String, password: Option<String>| -> Result<(String, String), Usage> {
        let password = password
            .or_else(|| env("XMPP_REST_PASSWORD"))
            .ok_or_else(|| {
                Usage(format!(
                    "no password for {user}: give --password or set XMPP_REST_PASSWORD"
                ))
            })?;
        Ok((user, password))
    };
    builder = if let Some(token) = options.token {
        builder.bearer_token(token)
    } else if let Some(user) = options.user {
        let (user, password) = basic(user, options.password)?;
        builder.basic_auth(user, password)
    } else if let Some(token) = env("XMPP_REST_TOKEN") {
        builder.bearer_token(token)
    } else if let Some(user) = env("XMPP_REST_USER") {
        let (user, password) = basic(user, options.password)?;
        builder.basic_auth(user, password)
    } else {
        return Err(Usage(
            "no credentials: give --token (or XMPP_REST_TOKEN), or --user and --password"
                .to_owned(),
        ));
    };
    if options.json {
        builder = builder.format(WireFormat::Json);
    }
    if options.legacy {
        builder = builder.legacy_2020();
    }
    if let Some(timeout) = options.timeout {
        builder = builder.timeout(timeout).connect_timeout(timeout);
    }
    builder.build().map_err(|e| Usage(e.to_string()))
}

fn run(options: Options, command: Command) -> ExitCode {
    let client = match build_client(options) {
        Ok(client) => client,
        Err(Usage(message)) => {
            eprintln!("xmpp-rest: {message}");
            return ExitCode::from(1);
        }
    };
    let text = match &command {
        Command::Send {
            text: Text::Stdin, ..
        } => match read_stdin() {
            Ok(text) => Some(text),
            Err(message) => {
                eprintln!("xmpp-rest: {message}");
                return ExitCode::from(1);
            }
        },
        _ => None,
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("xmpp-rest: cannot start the async runtime: {e}");
            return ExitCode::from(5);
        }
    };
    match runtime.block_on(execute(&client, command, text)) {
        Ok(output) => {
            if !output.is_empty() {
                println!("{output}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("xmpp-rest: {e}");
            ExitCode::from(exit_code(&e))
        }
    }
}

fn read_stdin() -> Result<String, String> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .take(MAX_STDIN + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read stdin: {e}"))?;
    if bytes.len() as u64 > MAX_STDIN {
        return Err(format!("the text on stdin is over {MAX_STDIN} bytes"));
    }
    let mut text =
        String::from_utf8(bytes).map_err(|_| "the text on stdin is not utf-8".to_owned())?;
    if text.ends_with('\n') {
        text.pop();
        if text.ends_with('\r') {
            text.pop();
        }
    }
    Ok(text)
}

async fn execute(
    client: &RestClient,
    command: Command,
    stdin: Option<String>,
) -> xmpp_rest_bot::Result<String> {
    match command {
        Command::Send { to, type_, text } => {
            let text = match (text, stdin) {
                (Text::Args(text), _) => text,
                (Text::Stdin, Some(text)) => text,
                (Text::Stdin, None) => String::new(),
            };
            let to = match type_ {
                MessageType::Groupchat => Jid::from(to.to_bare()),
                _ => to,
            };
            let message = Message::new(type_).with_to(to).with_body(text);
            client.send(message).await?;
            Ok(String::new())
        }
        Command::Ping(jid) => {
            let rtt = client.ping(&jid).await?;
            Ok(format!("pong from {jid} in {} ms", rtt.as_millis()))
        }
        Command::Version(jid) => {
            let v = client.version(&jid).await?;
            let mut line = v.name.unwrap_or_else(|| "(no name)".to_owned());
            if let Some(version) = v.version {
                line.push(' ');
                line.push_str(&version);
            }
            if let Some(os) = v.os {
                line.push_str(&format!(" ({os})"));
            }
            Ok(line)
        }
        Command::Disco(jid) => {
            let info = client.disco_info(&jid).await?;
            let mut lines = Vec::new();
            for identity in &info.identities {
                let mut line = format!("identity {}/{}", identity.category, identity.type_);
                if let Some(name) = &identity.name {
                    line.push(' ');
                    line.push_str(name);
                }
                lines.push(line);
            }
            for feature in &info.features {
                lines.push(format!("feature {feature}"));
            }
            Ok(lines.join("\n"))
        }
    }
}

/// The documented exit code of an error.
fn exit_code(e: &xmpp_rest_bot::Error) -> u8 {
    if e.is_auth() {
        2
    } else if e.stanza_error().is_some() {
        3
    } else if e.is_connect() || e.is_timeout() {
        4
    } else {
        5
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Parsed, Usage> {
        parse_args(&args.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>())
    }

    #[test]
    fn options_go_anywhere_and_words_are_joined() {
        let Ok(Parsed::Run(
            options,
            Command::Send {
                to,
                type_,
                text: Text::Args(text),
            },
        )) = parse(&[
            "send",
            "--to",
            "a@b",
            "hello",
            "--json",
            "world",
            "--timeout=2.5",
        ])
        else {
            panic!("not parsed");
        };
        assert_eq!(to.to_string(), "a@b");
        assert_eq!(type_, MessageType::Chat);
        assert_eq!(text, "hello world");
        assert!(options.json);
        assert_eq!(options.timeout, Some(Duration::from_millis(2500)));
    }

    #[test]
    fn dash_reads_stdin_and_double_dash_ends_options() {
        assert!(matches!(
            parse(&["send", "--to", "a@b", "-"]),
            Ok(Parsed::Run(
                _,
                Command::Send {
                    text: Text::Stdin,
                    ..
                }
            ))
        ));
        let Ok(Parsed::Run(
            _,
            Command::Send {
                text: Text::Args(text),
                ..
            },
        )) = parse(&["send", "--to", "a@b", "--", "--not-an-option"])
        else {
            panic!("not parsed");
        };
        assert_eq!(text, "--not-an-option");
    }

    #[test]
    fn usage_errors_say_what_is_wrong() {
        let cases: &[(&[&str], &str)] = &[
            (&[], "no command"),
            (&["send", "hi"], "--to"),
            (&["send", "--to", "a@b"], "TEXT"),
            (&["send", "--to", "@@", "x"], "invalid jid"),
            (&["send", "--to", "a@b", "--type", "bogus", "x"], "--type"),
            (&["ping"], "needs a JID"),
            (&["ping", "a", "b"], "one JID"),
            (&["frobnicate"], "unknown command"),
            (&["ping", "a", "--bogus"], "unknown option"),
            (&["ping", "a", "--timeout", "-1"], "--timeout"),
            (&["ping", "a", "--url"], "needs a value"),
            (&["ping", "a", "--to", "b"], "options of send"),
        ];
        for (args, expected) in cases {
            match parse(args) {
                Err(Usage(message)) => assert!(message.contains(expected), "{args:?}: {message}"),
                Ok(_) => panic!("{args:?} parsed"),
            }
        }
    }

    #[test]
    fn help_and_version_win() {
        assert!(matches!(parse(&["ping", "--help"]), Ok(Parsed::Help)));
        assert!(matches!(parse(&["-V"]), Ok(Parsed::Version)));
    }
}
