//! A chatops bot: typed commands in chat (`!deploy production v1.4.2`) and the
//! same commands in the commands menu of XMPP clients (XEP-0050 ad-hoc
//! commands, in Gajim, Conversations, Dino...), with per-user authorization by
//! sender JID and an automatic `!help`.
//!
//! Run it (the address defaults to 127.0.0.1:8080; the operators, who may run
//! commands, to alice@localhost):
//!
//! ```sh
//! OPERATORS=alice@localhost,bob@localhost cargo run --example chatops -- 127.0.0.1:8080
//! ```
//!
//! Point a Prosody component at it:
//!
//! ```lua
//! Component "ops.localhost" "rest"
//!     rest_callback_url = "http://127.0.0.1:8080/"
//! ```
//!
//! or try it without Prosody, sending what mod_rest sends:
//!
//! ```sh
//! curl -i http://127.0.0.1:8080/ -H 'Content-Type: application/xmpp+xml' \
//!   -d "<message type='chat' id='m1' from='alice@localhost/phone' to='ops@ops.localhost'><body>!deploy prod v1.4.2</body></message>"
//! curl -i http://127.0.0.1:8080/ -H 'Content-Type: application/xmpp+xml' \
//!   -d "<iq type='get' id='i1' from='alice@localhost/gajim' to='ops@ops.localhost'><query xmlns='http://jabber.org/protocol/disco#items' node='http://jabber.org/protocol/commands'/></iq>"
//! ```

// ANCHOR: uses
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, Mutex};

use tracing_subscriber::EnvFilter;
use xmpp_rest_bot::prelude::*;
use xmpp_rest_bot::stanza::BareJid;
// ANCHOR_END: uses

/// Where a release runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Env {
    Staging,
    Production,
}

impl FromStr for Env {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "staging" | "stg" => Ok(Env::Staging),
            "production" | "prod" => Ok(Env::Production),
            _ => Err("expected staging (stg) or production (prod)".to_owned()),
        }
    }
}

impl fmt::Display for Env {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Env::Staging => "staging",
            Env::Production => "production",
        })
    }
}

/// A release: `v` and dotted numbers, such as `v1.4.2`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Version(String);

impl FromStr for Version {
    type Err = &'static str;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let numbers = s
            .strip_prefix('v')
            .ok_or("a version starts with v, as in v1.4.2")?;
        let valid = !numbers.is_empty()
            && numbers
                .split('.')
                .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        if valid {
            Ok(Version(s.to_owned()))
        } else {
            Err("a version is v and dotted numbers, as in v1.4.2")
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

// ANCHOR: commands
/// The commands: in chat with `!` or `/`, and in the clients' commands menu.
#[derive(BotCommands, Debug)]
enum Ops {
    /// Deploy a release to an environment.
    Deploy { env: Env, version: Version },
    /// Show what runs where.
    #[command(aliases = ["st"])]
    Status { env: Option<Env> },
    /// Roll an environment back to its previous release.
    Rollback {
        env: Env,
        #[command(rest)]
        reason: String,
    },
}
// ANCHOR_END: commands

/// The bot's state: who may run commands, and what runs where.
#[derive(Clone)]
struct AppState {
    operators: Arc<HashSet<BareJid>>,
    /// Per environment, the releases deployed, the current one last.
    releases: Arc<Mutex<HashMap<Env, Vec<Version>>>>,
}

/// The sender, when an operator. Anyone else is refused: in a chat with a
/// message they can read, in the commands menu with an error note.
struct Operator(BareJid);

impl FromStanza<AppState> for Operator {
    fn from_stanza(incoming: &Incoming, state: &AppState) -> Result<Self, Rejection> {
        let Some(from) = incoming.stanza().from() else {
            return Err(Rejection::skip("no sender"));
        };
        let who = from.to_bare();
        if state.operators.contains(&who) {
            return Ok(Operator(who));
        }
        let refusal = format!("sorry, {who} is not an operator: ask #ops for access");
        Err(match incoming.stanza() {
            Stanza::Message(_) => Rejection::reply(refusal),
            _ => Rejection::reply(StanzaError::new(Condition::Forbidden).with_text(refusal)),
        })
    }
}

// ANCHOR: handler
/// Runs a command. `Command<Ops>` comes first: plain chat and `!help` are
/// dealt with before the authorization check, which then only sees commands.
async fn ops(
    Command(cmd): Command<Ops>,
    Operator(who): Operator,
    State(state): State<AppState>,
) -> String {
    // A real bot would call its deploy pipeline here (with `tokio::spawn` for
    // long jobs, reporting back through `client::RestClient`).
    let Ok(mut releases) = state.releases.lock() else {
        return "the release registry is unavailable, try again".to_owned();
    };
    match cmd {
        Ops::Deploy { env, version } => {
            let history = releases.entry(env).or_default();
            if history.last() == Some(&version) {
                return format!("{version} already runs on {env}");
            }
            history.push(version.clone());
            format!("deploying {version} to {env} (requested by {who})")
        }
        Ops::Status { env } => {
            let envs = match env {
                Some(env) => vec![env],
                None => vec![Env::Staging, Env::Production],
            };
            envs.iter()
                .map(|env| match releases.get(env).and_then(|h| h.last()) {
                    Some(version) => format!("{env}: {version}"),
                    None => format!("{env}: nothing deployed"),
                })
                .collect::<Vec<_>>()
                .join("\n")
        }
        Ops::Rollback { env, reason } => {
            let history = releases.entry(env).or_default();
            if history.len() < 2 {
                return format!("{env} has no previous release to roll back to");
            }
            let dropped = history.pop().map(|v| v.to_string()).unwrap_or_default();
            let current = history.last().map(|v| v.to_string()).unwrap_or_default();
            format!("rolled {env} back from {dropped} to {current} ({reason})")
        }
    }
}
// ANCHOR_END: handler

// ANCHOR: main
/// The bot, for these operators, apart from serving it: `tests/examples.rs`
/// drives it through `testing::TestProsody`.
pub(crate) fn bot(operators: HashSet<BareJid>) -> Bot {
    let state = AppState {
        operators: Arc::new(operators),
        releases: Arc::default(),
    };
    Bot::new()
        .handler(ops)
        .ad_hoc_commands::<Ops>()
        .with_state(state)
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    // Logs: one line per stanza, and when the bot starts and stops
    // (RUST_LOG=debug for why a handler did or did not take a stanza).
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    tracing_subscriber::fmt().with_env_filter(filter).init();
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    let operators = std::env::var("OPERATORS").unwrap_or_else(|_| "alice@localhost".to_owned());
    let mut allowed = HashSet::new();
    for jid in operators
        .split(',')
        .map(str::trim)
        .filter(|j| !j.is_empty())
    {
        match jid.parse::<BareJid>() {
            Ok(jid) => {
                allowed.insert(jid);
            }
            Err(e) => tracing::warn!("ignoring operator {jid:?}: {e}"),
        }
    }
    tracing::info!(operators = allowed.len(), "chatops bot; {}", Ops::help());
    bot(allowed).serve(addr).await
}
// ANCHOR_END: main
