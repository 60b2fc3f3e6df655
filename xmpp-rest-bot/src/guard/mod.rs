//! Chatops guardrails: who may run what, and how often.
//!
//! - [`Access`]: named groups of JIDs (exact, bare, `*@domain`, `*`),
//!   configured at runtime from code, the environment or TOML.
//! - [`RateLimiter`]: a token bucket per sender or room, in bounded memory.

mod access;
mod rate;

pub use access::{Access, AccessError, JidPattern};
pub use rate::{DEFAULT_MAX_TRACKED, RateDecision, RateLimit, RateLimiter};
