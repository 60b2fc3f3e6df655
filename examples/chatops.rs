//! A chatops bot: typed commands in chat (`!deploy production v1.4.2`) and the
//! same commands in the commands menu of XMPP clients (XEP-0050 ad-hoc
//! commands, in Gajim, Conversations, Dino...), with guardrails: access groups
//! declared on the commands, a confirmation before a deploy or a rollback,
//! rate limits, and an audit trail; and an automatic `!help` that shows each
//! sender what they may run.
//!
//! Run it (the address defaults to 127.0.0.1:8080). The groups come from the
//! environment, so operators change them without a rebuild: `BOT_GROUP_OPS`
//! may deploy (default alice@localhost), `BOT_GROUP_VIEWERS` may ask for the
//! status (default everyone):
//!
//! ```sh
//! BOT_GROUP_OPS="alice@localhost *@ops.example.net" RUST_LOG=info,xmpp_rest_bot::audit=info \
//!     cargo run --example chatops -- 127.0.0.1:8080
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
//!   -d "<message type='chat' id='m2' from='alice@localhost/phone' to='ops@ops.localhost'><body>!yes</body></message>"
//! curl -i http://127.0.0.1:8080/ -H 'Content-Type: application/xmpp+xml' \
//!   -d "<iq type='get' id='i1' from='alice@localhost/gajim' to='ops@ops.localhost'><query xmlns='http://jabber.org/protocol/disco#items' node='http://jabber.org/protocol/commands'/></iq>"
//! ```

// ANCHOR: uses
use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, Mutex};

use tracing_subscriber::EnvFilter;
use xmpp_rest_bot::guard::{Access, AccessError, Guardrails, RateLimit};
use xmpp_rest_bot::prelude::*;
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
/// Every command is for the `ops` group unless it says otherwise.
#[derive(BotCommands, Debug)]
#[command(allow = "ops")]
enum Ops {
    /// Deploy a release to an environment.
    #[command(confirm, rate = "6/min")]
    Deploy { env: Env, version: Version },
    /// Show what runs where.
    #[command(aliases = ["st"], allow = "viewers")]
    Status { env: Option<Env> },
    /// Roll an environment back to its previous release.
    #[command(confirm = "Roll back? Every instance restarts.")]
    Rollback {
        env: Env,
        #[command(rest)]
        reason: String,
    },
}
// ANCHOR_END: commands

/// The bot's state: what runs where.
#[derive(Clone, Default)]
struct AppState {
    /// Per environment, the releases deployed, the current one last.
    releases: Arc<Mutex<HashMap<Env, Vec<Version>>>>,
}

// ANCHOR: handler
/// Runs a command. The guardrails checked the sender's group, the rate and
/// the confirmation before the handler is called: it only does the work.
async fn ops(
    Command(cmd): Command<Ops>,
    Sender(who): Sender,
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
            format!(
                "deploying {version} to {env} (requested by {})",
                who.to_bare()
            )
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
/// The groups: from `BOT_GROUP_OPS`, `BOT_GROUP_VIEWERS` (patterns such as
/// `alice@example.net`, `*@ops.example.net`, `*`), with defaults.
pub(crate) fn access_from_env() -> Result<Access, AccessError> {
    let mut access = Access::from_env("BOT_GROUP_")?;
    if !access.has_group("ops") {
        access = access.group("ops", ["alice@localhost"])?;
    }
    if !access.has_group("viewers") {
        access = access.group("viewers", ["*"])?;
    }
    Ok(access)
}

/// The bot, for these groups, apart from serving it: `tests/examples.rs`
/// drives it through `testing::TestProsody`.
pub(crate) fn bot(access: Access) -> Bot {
    let guardrails = Guardrails::new()
        .access(access)
        // Each sender: 30 commands a minute (deploy has its own 6/min).
        .rate_limit(RateLimit::per_minute(30))
        // A room: 60 a minute, all occupants together.
        .room_rate_limit(RateLimit::per_minute(60));
    Bot::new()
        .guardrails(guardrails)
        .handler(ops)
        .ad_hoc_commands::<Ops>()
        .metrics_route("/metrics")
        .with_state(AppState::default())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Logs: one line per stanza, one audit line per command (target
    // `xmpp_rest_bot::audit`), and when the bot starts and stops.
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    tracing_subscriber::fmt().with_env_filter(filter).init();
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    let access = access_from_env()?;
    tracing::info!(?access, "chatops bot; {}", Ops::help());
    bot(access).serve(addr).await?;
    Ok(())
}
// ANCHOR_END: main
