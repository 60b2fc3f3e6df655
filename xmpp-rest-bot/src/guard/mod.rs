//! Chatops guardrails: who may run what, how often, after which
//! confirmation, and the audit trail of what ran.
//!
//! Commands declare what they need where they are declared; the bot's
//! [`Guardrails`] hold what operators change without a rebuild (the groups'
//! members, the default limits, the confirmation timeout and store):
//!
//! ```
//! use xmpp_rest_bot::guard::{Access, Guardrails, RateLimit};
//! use xmpp_rest_bot::prelude::*;
//!
//! #[derive(BotCommands)]
//! #[command(allow = "ops")] // every command: the `ops` group only
//! enum Ops {
//!     /// Deploy a version.
//!     #[command(confirm, rate = "6/min")]
//!     Deploy { env: String, version: String },
//!     /// Rotate a credential.
//!     Rotate {
//!         name: String,
//!         #[command(redact)] // `***` in the audit trail
//!         secret: String,
//!     },
//! }
//!
//! async fn ops(Command(cmd): Command<Ops>) -> String {
//!     match cmd {
//!         Ops::Deploy { env, version } => format!("deploying {version} to {env}"),
//!         Ops::Rotate { name, .. } => format!("{name} rotated"),
//!     }
//! }
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // BOT_GROUP_OPS="alice@example.net *@ops.example.net"
//! let access = Access::from_env("BOT_GROUP_")?;
//! let bot: Bot = Bot::new()
//!     .guardrails(Guardrails::new().access(access).rate_limit(RateLimit::per_minute(20)))
//!     .handler(ops);
//! # let _ = bot; Ok(()) }
//! ```
//!
//! What each refusal looks like, who a room occupant is, and the audit
//! trail's fields are in the book's chapter "Guardrails". The building
//! blocks ([`Access`], [`RateLimiter`]) can also be used on their own, in an
//! [interceptor](crate::intercept) of yours.

mod access;
mod audit;
mod confirm;
mod context;
mod guardrails;
mod occupants;
mod rate;
mod shared;
mod stage;

pub use access::{Access, AccessError, JidPattern};
pub use guardrails::{DEFAULT_CONFIRM_TIMEOUT, Guardrails};
pub use rate::{DEFAULT_MAX_TRACKED, RateDecision, RateLimit, RateLimiter};
pub use shared::RateStore;

pub(crate) use context::{Source, admit, admit_route, may_run, refusal};
pub(crate) use shared::pending_check;
pub(crate) use stage::GuardStage;
