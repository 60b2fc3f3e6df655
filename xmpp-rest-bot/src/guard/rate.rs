//! Rate limits: a token bucket per key (a sender, a room), in bounded memory.
//!
//! Each key costs 16 bytes (a hash of the key and one timestamp), whatever the
//! key's length, and the number of keys held is capped: with millions of
//! distinct senders the limiter stays at its cap, it does not grow.
//!
//! The bucket is kept as the generic cell rate algorithm keeps it: one
//! "theoretical arrival time" per key instead of a token count and a refill
//! time. A key whose time is in the past has a full bucket, exactly as a key
//! never seen; that is what makes forgetting keys safe.
//!
//! Forgetting is by generations: keys live in the current generation; when it
//! is full, it becomes the previous one and the previous one is dropped whole.
//! A key found in the previous generation moves back to the current one. So a
//! sender that keeps sending stays tracked, and what is dropped is what has
//! not been seen for a whole generation: with the default cap of 65,536 keys
//! per generation, a flood of new senders must bring 65,536 others before it
//! pushes out a throttled one, and a throttled sender that was pushed out
//! starts again from a full bucket (the limit errs on letting through).

use std::collections::HashMap;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How many requests a key may make: `burst` at once, then one every `every`.
///
/// ```
/// use std::time::Duration;
/// use xmpp_rest_bot::guard::RateLimit;
///
/// // 5 at once, then one every 12 seconds (5 a minute on average).
/// let limit = RateLimit::per_minute(5);
/// assert_eq!(limit.burst_size(), 5);
/// assert_eq!(limit.interval(), Duration::from_secs(12));
///
/// // 3 at once, then one every 2 seconds.
/// let limit = RateLimit::every(Duration::from_secs(2)).burst(3);
/// assert_eq!(limit.burst_size(), 3);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    interval: Duration,
    burst: u32,
}

impl RateLimit {
    /// One request every `interval`, with a burst of one (see [`burst`](Self::burst)).
    /// An interval under a millisecond counts as one millisecond.
    pub const fn every(interval: Duration) -> Self {
        let interval = if interval.as_nanos() < 1_000_000 {
            Duration::from_millis(1)
        } else {
            interval
        };
        RateLimit { interval, burst: 1 }
    }

    /// `n` requests per `period`: a burst of `n`, then one every `period / n`.
    /// `0` counts as `1`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use xmpp_rest_bot::guard::RateLimit;
    ///
    /// let limit = RateLimit::per(10, Duration::from_secs(3600));
    /// assert_eq!(limit.burst_size(), 10);
    /// assert_eq!(limit.interval(), Duration::from_secs(360));
    /// ```
    pub const fn per(n: u32, period: Duration) -> Self {
        let n = if n == 0 { 1 } else { n };
        // Whole nanoseconds: a period of centuries still fits in a u128.
        let nanos = period.as_nanos() / n as u128;
        let nanos = if nanos > u64::MAX as u128 {
            u64::MAX
        } else {
            nanos as u64
        };
        RateLimit::every(Duration::from_nanos(nanos)).burst(n)
    }

    /// `n` requests a minute: a burst of `n`, then one every `60 s / n`.
    /// `0` counts as `1`.
    pub const fn per_minute(n: u32) -> Self {
        RateLimit::per(n, Duration::from_secs(60))
    }

    /// `n` requests a second: a burst of `n`, then one every `1 s / n`.
    /// `0` counts as `1`.
    pub const fn per_second(n: u32) -> Self {
        RateLimit::per(n, Duration::from_secs(1))
    }

    /// How many requests may come at once, after a quiet time (at least 1).
    #[must_use]
    pub const fn burst(mut self, n: u32) -> Self {
        self.burst = if n == 0 { 1 } else { n };
        self
    }

    /// The burst size.
    pub const fn burst_size(&self) -> u32 {
        self.burst
    }

    /// The time one request's token takes to come back.
    pub const fn interval(&self) -> Duration {
        self.interval
    }

    pub(crate) fn interval_ms(&self) -> u64 {
        u64::try_from(self.interval.as_millis()).unwrap_or(u64::MAX)
    }

    /// How far ahead of now a key's arrival time may run: `(burst - 1)` intervals.
    pub(crate) fn tolerance_ms(&self) -> u64 {
        self.interval_ms()
            .saturating_mul(u64::from(self.burst.saturating_sub(1)))
    }
}

/// What the limiter says of one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RateDecision {
    /// Under the limit: the request may run (and has used a token).
    Allowed,
    /// Over the limit: nothing may run; a token comes back after `retry_after`.
    Limited {
        /// When the next request of this key would be allowed.
        retry_after: Duration,
    },
}

impl RateDecision {
    /// Whether the request may run.
    pub fn is_allowed(&self) -> bool {
        matches!(self, RateDecision::Allowed)
    }
}

/// The default cap on the keys one limiter tracks (two generations of this
/// size at most: about 2 MiB).
pub const DEFAULT_MAX_TRACKED: usize = 65_536;

/// Token buckets for many keys, in bounded memory.
///
/// ```
/// use std::time::Duration;
/// use xmpp_rest_bot::guard::{RateDecision, RateLimit, RateLimiter};
///
/// let limiter = RateLimiter::new(RateLimit::per_minute(2));
/// assert!(limiter.check("alice@example.net").is_allowed());
/// assert!(limiter.check("alice@example.net").is_allowed());
/// let RateDecision::Limited { retry_after } = limiter.check("alice@example.net") else {
///     panic!("the third request in a row is over the limit");
/// };
/// assert!(retry_after > Duration::from_secs(29) && retry_after <= Duration::from_secs(30));
/// // Another sender has a bucket of their own.
/// assert!(limiter.check("bob@example.net").is_allowed());
/// ```
#[derive(Debug)]
pub struct RateLimiter {
    limit: RateLimit,
    per_generation: usize,
    hasher: RandomState,
    epoch: Instant,
    shards: Box<[Mutex<Generations>]>,
}

const SHARDS: usize = 16;

impl RateLimiter {
    /// A limiter for `limit`, tracking at most [`DEFAULT_MAX_TRACKED`] keys
    /// per generation.
    pub fn new(limit: RateLimit) -> Self {
        RateLimiter {
            limit,
            per_generation: DEFAULT_MAX_TRACKED / SHARDS,
            hasher: RandomState::new(),
            epoch: Instant::now(),
            shards: (0..SHARDS)
                .map(|_| Mutex::new(Generations::default()))
                .collect(),
        }
    }

    /// Caps the keys tracked per generation (at least 16); memory stays under
    /// about 32 bytes times twice this number.
    pub fn max_tracked(mut self, keys: usize) -> Self {
        self.per_generation = (keys / SHARDS).max(1);
        self
    }

    /// The limit each key is held to.
    pub fn limit(&self) -> RateLimit {
        self.limit
    }

    /// Takes a token for `key` now, if there is one.
    pub fn check(&self, key: &str) -> RateDecision {
        self.check_at(key, self.now_ms())
    }

    /// How many keys are tracked now (both generations).
    pub fn tracked(&self) -> usize {
        self.shards
            .iter()
            .map(|shard| {
                let g = lock(shard);
                g.current.len() + g.previous.len()
            })
            .sum()
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// The decision at `now_ms` milliseconds after the limiter's creation
    /// (the clock is a parameter so tests need no sleeping).
    fn check_at(&self, key: &str, now_ms: u64) -> RateDecision {
        let hash = {
            let mut h = self.hasher.build_hasher();
            h.write(key.as_bytes());
            h.finish()
        };
        // The low bits pick the shard; the map hashes with the full value.
        let shard = &self.shards[(hash as usize) % SHARDS];
        let mut g = lock(shard);
        let tat = g.take(hash).filter(|&tat| tat > now_ms).unwrap_or(now_ms);
        let ahead = tat - now_ms;
        let tolerance = self.limit.tolerance_ms();
        if ahead > tolerance {
            // Put it back unchanged: being refused does not cost a token.
            g.insert(hash, tat, self.per_generation);
            return RateDecision::Limited {
                retry_after: Duration::from_millis(ahead - tolerance),
            };
        }
        g.insert(
            hash,
            tat.saturating_add(self.limit.interval_ms()),
            self.per_generation,
        );
        RateDecision::Allowed
    }
}

/// A poisoned shard still holds valid numbers: a panic elsewhere while it was
/// locked cannot have left a half-written entry (inserts are single moves).
fn lock(shard: &Mutex<Generations>) -> std::sync::MutexGuard<'_, Generations> {
    shard
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Key hash -> theoretical arrival time (ms since the limiter's epoch).
type Times = HashMap<u64, u64, BuildHasherDefault<AlreadyHashed>>;

#[derive(Debug, Default)]
struct Generations {
    current: Times,
    previous: Times,
}

impl Generations {
    fn take(&mut self, hash: u64) -> Option<u64> {
        self.current
            .remove(&hash)
            .or_else(|| self.previous.remove(&hash))
    }

    fn insert(&mut self, hash: u64, tat: u64, per_generation: usize) {
        if self.current.len() >= per_generation {
            self.previous = std::mem::take(&mut self.current);
        }
        self.current.insert(hash, tat);
    }
}

/// The maps' keys are already the output of a keyed SipHash (`RandomState`),
/// so hashing them again would only cost time; a sender cannot choose keys
/// that collide without knowing the process's random keys.
#[derive(Debug, Default)]
struct AlreadyHashed(u64);

impl Hasher for AlreadyHashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only u64 keys are hashed here; keep any other input well mixed anyway.
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limited(d: RateDecision) -> Duration {
        match d {
            RateDecision::Limited { retry_after } => retry_after,
            RateDecision::Allowed => panic!("expected the request to be limited"),
        }
    }

    #[test]
    fn burst_then_one_per_interval() {
        let l = RateLimiter::new(RateLimit::every(Duration::from_secs(10)).burst(3));
        for _ in 0..3 {
            assert!(l.check_at("a", 0).is_allowed());
        }
        assert_eq!(limited(l.check_at("a", 0)), Duration::from_secs(10));
        assert_eq!(limited(l.check_at("a", 4_000)), Duration::from_secs(6));
        assert!(l.check_at("a", 10_000).is_allowed());
        assert_eq!(limited(l.check_at("a", 10_000)), Duration::from_secs(10));
        // After a long quiet time the whole burst is back, not more.
        for _ in 0..3 {
            assert!(l.check_at("a", 1_000_000).is_allowed());
        }
        assert!(!l.check_at("a", 1_000_000).is_allowed());
    }

    #[test]
    fn refused_requests_cost_nothing() {
        let l = RateLimiter::new(RateLimit::every(Duration::from_secs(1)));
        assert!(l.check_at("a", 0).is_allowed());
        for t in 0..100 {
            assert!(!l.check_at("a", t).is_allowed());
        }
        assert!(l.check_at("a", 1_000).is_allowed());
    }

    #[test]
    fn keys_are_independent() {
        let l = RateLimiter::new(RateLimit::every(Duration::from_secs(1)));
        assert!(l.check_at("a", 0).is_allowed());
        assert!(!l.check_at("a", 0).is_allowed());
        assert!(l.check_at("b", 0).is_allowed());
    }

    #[test]
    fn per_minute_and_second() {
        assert_eq!(RateLimit::per_minute(0).burst_size(), 1);
        assert_eq!(
            RateLimit::per_second(4).interval(),
            Duration::from_millis(250)
        );
        assert_eq!(
            RateLimit::every(Duration::ZERO).interval(),
            Duration::from_millis(1)
        );
    }

    #[test]
    fn memory_is_bounded_and_active_senders_stay_tracked() {
        let l = RateLimiter::new(RateLimit::every(Duration::from_secs(3600))).max_tracked(1_024);
        assert!(l.check_at("throttled", 0).is_allowed());
        for i in 0..100_000u32 {
            let _ = l.check_at(&format!("flood{i}@example.net"), 1);
            // The throttled sender keeps trying and keeps being refused.
            if i % 256 == 0 {
                assert!(!l.check_at("throttled", 1).is_allowed(), "forgotten at {i}");
            }
        }
        assert!(l.tracked() <= 2 * 1_024, "{} keys tracked", l.tracked());
    }

    #[test]
    fn a_forgotten_key_restarts_full() {
        let l = RateLimiter::new(RateLimit::every(Duration::from_secs(3600))).max_tracked(16);
        assert!(l.check_at("quiet", 0).is_allowed());
        for i in 0..1_000u32 {
            let _ = l.check_at(&format!("k{i}"), 0);
        }
        // Pushed out by two generations of others: a full bucket again.
        assert!(l.check_at("quiet", 0).is_allowed());
    }
}
