//! Chatops guardrails: who may run what, and how often.
//!
//! - [`Access`]: named groups of JIDs (exact, bare, `*@domain`, `*`),
//!   configured at runtime from code, the environment or TOML.
//! - [`RateLimiter`]: a token bucket per sender or room, in bounded memory.
//!
//! They are checked in an [interceptor](crate::intercept), before any handler
//! runs:
//!
//! ```
//! use xmpp_rest_bot::guard::{Access, RateDecision, RateLimit, RateLimiter};
//! use xmpp_rest_bot::intercept::{Handled, Interceptor, Next};
//! use xmpp_rest_bot::prelude::*;
//!
//! struct OpsOnly {
//!     access: Access,
//!     limiter: RateLimiter,
//! }
//!
//! impl Interceptor for OpsOnly {
//!     async fn intercept(&self, incoming: &mut Incoming, next: Next<'_>) -> Handled {
//!         let Some(from) = incoming.stanza().from().cloned() else {
//!             return next.run(incoming).await;
//!         };
//!         if !self.access.allows("ops", &from) {
//!             let error = StanzaError::new(Condition::Forbidden).with_text("this bot needs the `ops` group");
//!             return Handled::intercepted(error);
//!         }
//!         if let RateDecision::Limited { retry_after } = self.limiter.check(&from.to_bare().to_string()) {
//!             let text = format!("too many requests: retry in {} s", retry_after.as_secs() + 1);
//!             return Handled::intercepted(StanzaError::new(Condition::PolicyViolation).with_text(text));
//!         }
//!         next.run(incoming).await
//!     }
//! }
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let guard = OpsOnly {
//!     // BOT_GROUP_OPS="alice@example.net *@ops.example.net"
//!     access: Access::from_env("BOT_GROUP_")?,
//!     limiter: RateLimiter::new(RateLimit::per_minute(10)),
//! };
//! let bot: Bot = Bot::new().interceptor(guard);
//! # Ok(()) }
//! ```

mod access;
mod audit;
mod confirm;
mod context;
mod guardrails;
mod occupants;
mod rate;
mod stage;

pub use access::{Access, AccessError, JidPattern};
pub use guardrails::{DEFAULT_CONFIRM_TIMEOUT, Guardrails};
pub use rate::{DEFAULT_MAX_TRACKED, RateDecision, RateLimit, RateLimiter};

pub(crate) use context::{Source, admit, admit_route, may_run, refusal};
pub(crate) use stage::GuardStage;
