//! `xmpp-rest`: send XMPP messages and query entities through Prosody's
//! mod_rest, from shell scripts and CI pipelines. Run `xmpp-rest --help`.

mod cli;
mod commands;

use std::process::ExitCode;

use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory, FromArgMatches};
use xmpp_rest_bot::client::{RestClient, RetryPolicy};
use xmpp_rest_bot::wire::WireFormat;

use crate::cli::{Cli, Command, Connection};

/// The exit codes, as `--help` lists them.
mod exit {
    pub(crate) const SUCCESS: u8 = 0;
    pub(crate) const AUTH: u8 = 1;
    /// clap's own code for a usage error.
    pub(crate) const USAGE: u8 = 2;
    pub(crate) const ENTITY: u8 = 3;
    pub(crate) const CONNECTION: u8 = 4;
    pub(crate) const OTHER: u8 = 5;

    /// The code of a failed request.
    pub(crate) fn of(e: &xmpp_rest_bot::client::RestError) -> u8 {
        if e.is_auth() {
            AUTH
        } else if e.stanza_error().is_some() {
            ENTITY
        } else if e.is_connect() || e.is_timeout() {
            CONNECTION
        } else {
            OTHER
        }
    }
}

fn main() -> ExitCode {
    // Exits by itself for --help, --version and bad arguments (code 2).
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => return print_clap_error(&e),
    };
    if let Command::Completions { shell } = cli.command {
        let mut command = Cli::command();
        clap_complete::generate(shell, &mut command, "xmpp-rest", &mut std::io::stdout());
        return ExitCode::from(exit::SUCCESS);
    }
    let client = match build_client(&cli.connection, &matches) {
        Ok(client) => client,
        Err(message) => {
            let kind = clap::error::ErrorKind::MissingRequiredArgument;
            return print_clap_error(&Cli::command().error(kind, message));
        }
    };
    let text = match &cli.command {
        Command::Send(send) => match commands::message_text(send) {
            Ok(text) => Some(text),
            Err(message) => {
                eprintln!("xmpp-rest: {message}");
                return ExitCode::from(exit::USAGE);
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
            return ExitCode::from(exit::OTHER);
        }
    };
    match runtime.block_on(commands::execute(&client, cli.command, text)) {
        Ok(output) => {
            if !output.is_empty() {
                println!("{output}");
            }
            ExitCode::from(exit::SUCCESS)
        }
        Err(e) => {
            eprintln!("xmpp-rest: {e}");
            // The library's hint says "set the host"; here that is a flag.
            if e.status() == Some(404) && non_empty(cli.connection.host.as_ref()).is_none() {
                eprintln!(
                    "xmpp-rest: to set the host, give --host with the name of the prosody host (or set XMPP_REST_HOST)"
                );
            }
            ExitCode::from(exit::of(&e))
        }
    }
}

fn print_clap_error(e: &clap::Error) -> ExitCode {
    // Nothing better to do when stderr is gone.
    let _ = e.print();
    ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(exit::USAGE))
}

/// How the client authenticates.
enum Credentials {
    Token(String),
    Basic { user: String, password: String },
}

/// An empty setting counts as none: CI systems export unset secrets as "".
fn non_empty(value: Option<&String>) -> Option<&str> {
    value.map(String::as_str).filter(|v| !v.is_empty())
}

/// The credentials, flags winning over the environment, a token over an
/// account when both come from the same place.
fn credentials(connection: &Connection, matches: &ArgMatches) -> Result<Credentials, String> {
    let on_command_line = |id: &str| matches.value_source(id) == Some(ValueSource::CommandLine);
    let token = non_empty(connection.token.as_ref());
    let user = non_empty(connection.user.as_ref());
    let (token, user) = match (token, user) {
        (Some(_), Some(_)) if on_command_line("token") && on_command_line("user") => {
            return Err("give either --token or --user, not both".to_owned());
        }
        (Some(_), Some(user)) if on_command_line("user") => (None, Some(user)),
        (Some(token), Some(_)) => (Some(token), None),
        other => other,
    };
    match (token, user) {
        (Some(token), _) => Ok(Credentials::Token(token.to_owned())),
        (None, Some(user)) => {
            let password = non_empty(connection.password.as_ref()).ok_or_else(|| {
                format!("no password for {user}: set XMPP_REST_PASSWORD or give --password")
            })?;
            Ok(Credentials::Basic {
                user: user.to_owned(),
                password: password.to_owned(),
            })
        }
        (None, None) => Err("no credentials: give --token (or set XMPP_REST_TOKEN), or --user and --password (or XMPP_REST_USER and XMPP_REST_PASSWORD)".to_owned()),
    }
}

fn build_client(connection: &Connection, matches: &ArgMatches) -> Result<RestClient, String> {
    let url = non_empty(connection.url.as_ref()).ok_or(
        "no url: give --url or set XMPP_REST_URL to the address of Prosody's /rest, like http://localhost:5280/rest",
    )?;
    let mut builder = RestClient::builder(url)
        .user_agent(concat!("xmpp-rest/", env!("CARGO_PKG_VERSION")))
        .retries(RetryPolicy::default());
    builder = match credentials(connection, matches)? {
        Credentials::Token(token) => builder.bearer_token(token),
        Credentials::Basic { user, password } => builder.basic_auth(user, password),
    };
    if let Some(host) = non_empty(connection.host.as_ref()) {
        builder = builder.host(host);
    }
    if connection.json {
        builder = builder.format(WireFormat::Json);
    }
    if connection.legacy {
        builder = builder.legacy_2020();
    }
    if let Some(timeout) = connection.timeout {
        builder = builder.timeout(timeout).connect_timeout(timeout);
    }
    builder.build().map_err(|e| e.to_string())
}
