//! When and how often a failed request is tried again.

use std::time::Duration;

/// How the client retries a request whose connection could not be made.
///
/// Only failures that happen *before anything was sent* are retried: a refused
/// connection, a DNS failure, a connect timeout, a failed TLS handshake. A
/// request that may have reached Prosody (a timeout while waiting for the
/// answer, a 5xx, a dropped connection after sending) is never retried, because
/// a message could then be delivered twice.
///
/// The wait before retry `n` (0-based) is `initial_backoff * 2^n`, capped at
/// `max_backoff`.
///
/// ```
/// use std::time::Duration;
/// use xmpp_rest_bot::client::RetryPolicy;
///
/// let policy = RetryPolicy::default().max_retries(5).max_backoff(Duration::from_secs(2));
/// assert_eq!(policy.backoff(0), Duration::from_millis(200));
/// assert_eq!(policy.backoff(1), Duration::from_millis(400));
/// assert_eq!(policy.backoff(10), Duration::from_secs(2));
/// assert_eq!(RetryPolicy::never().retries(), 0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub struct RetryPolicy {
    max_retries: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
}

impl RetryPolicy {
    /// The default number of retries after the first attempt.
    pub const DEFAULT_MAX_RETRIES: u32 = 2;
    /// The default wait before the first retry.
    pub const DEFAULT_INITIAL_BACKOFF: Duration = Duration::from_millis(200);
    /// The default cap on the wait between retries.
    pub const DEFAULT_MAX_BACKOFF: Duration = Duration::from_secs(5);

    /// A policy with these values.
    pub fn new(max_retries: u32, initial_backoff: Duration, max_backoff: Duration) -> Self {
        RetryPolicy {
            max_retries,
            initial_backoff,
            max_backoff,
        }
    }

    /// No retries at all.
    pub fn never() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        }
    }

    /// Sets the number of retries after the first attempt.
    pub fn max_retries(mut self, n: u32) -> Self {
        self.max_retries = n;
        self
    }

    /// Sets the wait before the first retry.
    pub fn initial_backoff(mut self, d: Duration) -> Self {
        self.initial_backoff = d;
        self
    }

    /// Sets the cap on the wait between retries.
    pub fn max_backoff(mut self, d: Duration) -> Self {
        self.max_backoff = d;
        self
    }

    /// The number of retries after the first attempt.
    pub fn retries(&self) -> u32 {
        self.max_retries
    }

    /// The wait before retry number `attempt` (0 for the first retry).
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = 2u32.checked_pow(attempt).unwrap_or(u32::MAX);
        self.initial_backoff
            .checked_mul(factor)
            .map_or(self.max_backoff, |d| d.min(self.max_backoff))
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: Self::DEFAULT_MAX_RETRIES,
            initial_backoff: Self::DEFAULT_INITIAL_BACKOFF,
            max_backoff: Self::DEFAULT_MAX_BACKOFF,
        }
    }
}
