//! [`Guardrails`]: the bot-wide configuration of access, rate limits and
//! confirmations, and the checks the command extractors run against it.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use super::occupants::Occupants;
use super::shared::{Bucket, RateStore};
use super::{Access, RateDecision, RateLimit, RateLimiter};
use crate::command::CommandInfo;
use crate::storage::{MemoryStorage, Storage};

/// How long a confirmation is awaited by default: one minute.
pub const DEFAULT_CONFIRM_TIMEOUT: Duration = Duration::from_secs(60);

/// The default text of a denial; `{command}` and `{group}` are replaced.
const DEFAULT_DENIED_TEXT: &str = "{command} is for the {group} group only";

/// Who may run which command, how often, and which commands wait for a
/// confirmation: the chatops guardrails of a bot, set with
/// [`Bot::guardrails`](crate::Bot::guardrails).
///
/// The commands say what they need where they are declared
/// (`#[command(allow = "ops", confirm, rate = "2/min")]`, see
/// [`BotCommands`](crate::command::BotCommands)); the guardrails hold what
/// operators change without a rebuild: the groups' members, the default
/// rate limits, the confirmation timeout and store.
///
/// ```
/// use std::time::Duration;
/// use xmpp_rest_bot::guard::{Access, Guardrails, RateLimit};
/// use xmpp_rest_bot::Bot;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let access = Access::new().group("ops", ["alice@example.net", "*@ops.example.net"])?;
/// let bot: Bot = Bot::new().guardrails(
///     Guardrails::new()
///         .access(access)
///         // every sender: 20 commands a minute, unless a command says otherwise
///         .rate_limit(RateLimit::per_minute(20))
///         // every room, all its occupants together
///         .room_rate_limit(RateLimit::per_minute(60))
///         .confirm_timeout(Duration::from_secs(30)),
/// );
/// # let _ = bot; Ok(()) }
/// ```
///
/// See the book's chapter "Guardrails" for the whole picture: who a sender
/// is in a room, what each refusal looks like, the audit trail and the
/// metrics.
pub struct Guardrails {
    pub(crate) access: Access,
    sender_limit: Option<RateLimiter>,
    room_limit: Option<RateLimiter>,
    /// One limiter per command with a rate of its own, created on first use
    /// (keyed by the command's static `CommandInfo` address).
    command_limits: Mutex<HashMap<usize, Arc<RateLimiter>>>,
    max_tracked: usize,
    /// Where the buckets are, when the replicas share them.
    pub(crate) shared: Option<Arc<dyn RateStore>>,
    pub(crate) confirm_timeout: Duration,
    pub(crate) confirmations: Arc<dyn Storage>,
    pub(crate) scope: String,
    denied_text: String,
    pub(crate) occupants: Occupants,
}

impl Default for Guardrails {
    fn default() -> Self {
        Guardrails::new()
    }
}

impl fmt::Debug for Guardrails {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Guardrails")
            .field("access", &self.access)
            .field(
                "rate_limit",
                &self.sender_limit.as_ref().map(RateLimiter::limit),
            )
            .field(
                "room_rate_limit",
                &self.room_limit.as_ref().map(RateLimiter::limit),
            )
            .field("shared_rates", &self.shared.is_some())
            .field("confirm_timeout", &self.confirm_timeout)
            .field("confirmations", &self.confirmations.backend())
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

impl Guardrails {
    /// No groups (a command with `allow` is then refused to everyone), no
    /// rate limit, confirmations awaited a minute in memory.
    pub fn new() -> Self {
        Guardrails {
            access: Access::new(),
            sender_limit: None,
            room_limit: None,
            command_limits: Mutex::new(HashMap::new()),
            max_tracked: super::DEFAULT_MAX_TRACKED,
            shared: None,
            confirm_timeout: DEFAULT_CONFIRM_TIMEOUT,
            confirmations: Arc::new(MemoryStorage::new()),
            scope: "xmpp-rest-bot".to_owned(),
            denied_text: DEFAULT_DENIED_TEXT.to_owned(),
            occupants: Occupants::new(super::DEFAULT_MAX_TRACKED),
        }
    }

    /// The access groups that `#[command(allow = "...")]` and
    /// `#[on_message(allow = "...")]` name.
    #[must_use]
    pub fn access(mut self, access: Access) -> Self {
        self.access = access;
        self
    }

    /// The rate limit of every sender, counted over the commands they run
    /// (a command with `#[command(rate = "...")]` has its own bucket instead).
    #[must_use]
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.sender_limit = Some(RateLimiter::new(limit).max_tracked(self.max_tracked));
        self
    }

    /// The rate limit of every room, counted over the commands all its
    /// occupants run there, on top of each sender's own.
    #[must_use]
    pub fn room_rate_limit(mut self, limit: RateLimit) -> Self {
        self.room_limit = Some(RateLimiter::new(limit).max_tracked(self.max_tracked));
        self
    }

    /// The number of senders (and rooms, and room occupants) each limiter and
    /// the occupant map keep track of (default
    /// [`DEFAULT_MAX_TRACKED`](super::DEFAULT_MAX_TRACKED)); see
    /// [`RateLimiter::max_tracked`]. Applies to the limits set before and
    /// after it.
    #[must_use]
    pub fn max_tracked(mut self, keys: usize) -> Self {
        self.max_tracked = keys;
        self.occupants = Occupants::new(keys);
        // Nothing is tracked while the guardrails are built: the limiters
        // set so far are made again with the new cap.
        let remade = |l: RateLimiter| RateLimiter::new(l.limit()).max_tracked(keys);
        self.sender_limit = self.sender_limit.map(remade);
        self.room_limit = self.room_limit.map(remade);
        self
    }

    /// Keeps the rate limits' buckets in `store`, shared by every replica
    /// given the same store (a [`RedisStorage`](crate::storage::RedisStorage)),
    /// instead of each replica's memory: with N replicas behind a load
    /// balancer, a sender gets the limit, not N times it. Each command then
    /// costs a round trip to the store before its handler starts. A store
    /// that fails lets the command run, and logs the error.
    ///
    /// ```no_run
    /// # #[cfg(feature = "redis")]
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// use std::sync::Arc;
    /// use xmpp_rest_bot::guard::{Guardrails, RateLimit};
    /// use xmpp_rest_bot::storage::RedisStorage;
    ///
    /// let redis = Arc::new(RedisStorage::builder("redis://10.0.0.5/").connect().await?);
    /// let guardrails = Guardrails::new()
    ///     .rate_limit(RateLimit::per_minute(20))
    ///     .shared_rates(Arc::clone(&redis))
    ///     .confirmations(redis);
    /// # let _ = guardrails; Ok(()) }
    /// ```
    #[must_use]
    pub fn shared_rates(mut self, store: impl RateStore) -> Self {
        self.shared = Some(Arc::new(store));
        self
    }

    /// How long a confirmation is awaited (default one minute).
    #[must_use]
    pub fn confirm_timeout(mut self, timeout: Duration) -> Self {
        self.confirm_timeout = timeout;
        self
    }

    /// Where the commands awaiting confirmation are kept (default: in
    /// memory). With several replicas, give them the shared store (the
    /// Redis storage of the dialogues, say), so that `!yes` may reach any.
    #[must_use]
    pub fn confirmations(mut self, storage: impl Storage) -> Self {
        self.confirmations = Arc::new(storage);
        self
    }

    /// The prefix of the keys the confirmations are stored under (default
    /// `xmpp-rest-bot`): one per bot when several share a store.
    #[must_use]
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = scope.into();
        self
    }

    /// The text of the `forbidden` error a denied sender receives;
    /// `{command}` becomes the command (`!deploy`) and `{group}` the group it
    /// needs. Default: `{command} is for the {group} group only`.
    #[must_use]
    pub fn denied_text(mut self, text: impl Into<String>) -> Self {
        self.denied_text = text.into();
        self
    }

    /// The denial's text for `command` (as shown to the sender) and `group`.
    pub(crate) fn denial(&self, command: &str, group: &str) -> String {
        self.denied_text
            .replace("{command}", command)
            .replace("{group}", group)
    }

    /// Takes a token for a run of `cmd` by `sender` (in `room`, for a
    /// groupchat): the command's own bucket or the sender's default one,
    /// then the room's.
    pub(crate) fn take_token(
        &self,
        cmd: &'static CommandInfo,
        sender: &str,
        room: Option<&str>,
    ) -> RateDecision {
        let decision = match cmd.rate {
            Some(limit) => self.command_limiter(cmd, limit).check(sender),
            None => self
                .sender_limit
                .as_ref()
                .map_or(RateDecision::Allowed, |l| l.check(sender)),
        };
        match (decision, room, &self.room_limit) {
            (RateDecision::Allowed, Some(room), Some(limiter)) => limiter.check(room),
            _ => decision,
        }
    }

    /// The shared buckets a run of `cmd` by `sender` (in `room`) takes a
    /// token from, as [`take_token`](Self::take_token) picks them.
    pub(crate) fn shared_buckets(
        &self,
        cmd: &'static CommandInfo,
        sender: &str,
        room: Option<&str>,
        shown: &str,
    ) -> Vec<Bucket> {
        let scope = self.scope.replace(':', "%3A");
        let mut buckets = Vec::with_capacity(2);
        let own = match cmd.rate {
            Some(limit) => Some((format!("command:{}", cmd.name), limit)),
            None => self
                .sender_limit
                .as_ref()
                .map(|l| ("sender".to_owned(), l.limit())),
        };
        if let Some((bucket, limit)) = own {
            buckets.push(Bucket {
                key: format!("{scope}:rate:{bucket}:{sender}"),
                limit,
                shown: shown.to_owned(),
            });
        }
        if let (Some(room), Some(limiter)) = (room, &self.room_limit) {
            buckets.push(Bucket {
                key: format!("{scope}:rate:room:{room}"),
                limit: limiter.limit(),
                shown: shown.to_owned(),
            });
        }
        buckets
    }

    fn command_limiter(&self, cmd: &'static CommandInfo, limit: RateLimit) -> Arc<RateLimiter> {
        let key = std::ptr::from_ref(cmd) as usize;
        let mut limits = self
            .command_limits
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        Arc::clone(
            limits
                .entry(key)
                .or_insert_with(|| Arc::new(RateLimiter::new(limit).max_tracked(self.max_tracked))),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::ArgInfo;

    static PLAIN: CommandInfo = CommandInfo::new("status", &[], "", &[], false);
    static OWN: CommandInfo = CommandInfo::new("deploy", &[], "", &[] as &[ArgInfo], false)
        .with_rate(RateLimit::per_minute(1));

    #[test]
    fn a_command_with_its_own_rate_has_its_own_bucket() {
        let rails = Guardrails::new().rate_limit(RateLimit::per_minute(2));
        assert!(rails.take_token(&OWN, "alice", None).is_allowed());
        assert!(!rails.take_token(&OWN, "alice", None).is_allowed());
        // The default bucket was not touched by `deploy`.
        assert!(rails.take_token(&PLAIN, "alice", None).is_allowed());
        assert!(rails.take_token(&PLAIN, "alice", None).is_allowed());
        assert!(!rails.take_token(&PLAIN, "alice", None).is_allowed());
        assert!(rails.take_token(&PLAIN, "bob", None).is_allowed());
    }

    #[test]
    fn a_room_has_one_bucket_for_all_its_occupants() {
        let rails = Guardrails::new().room_rate_limit(RateLimit::per_minute(2));
        assert!(rails.take_token(&PLAIN, "a", Some("room")).is_allowed());
        assert!(rails.take_token(&PLAIN, "b", Some("room")).is_allowed());
        assert!(!rails.take_token(&PLAIN, "c", Some("room")).is_allowed());
        assert!(rails.take_token(&PLAIN, "c", Some("other")).is_allowed());
        assert!(rails.take_token(&PLAIN, "c", None).is_allowed());
    }

    #[test]
    fn the_cap_on_tracked_keys_holds_in_any_order() {
        let before = Guardrails::new()
            .max_tracked(16)
            .rate_limit(RateLimit::per_minute(1));
        let after = Guardrails::new()
            .rate_limit(RateLimit::per_minute(1))
            .max_tracked(16);
        for rails in [before, after] {
            for i in 0..1000 {
                rails.take_token(&PLAIN, &format!("s{i}"), None);
            }
            let tracked = rails.sender_limit.as_ref().map_or(0, RateLimiter::tracked);
            assert!(tracked <= 64, "{tracked} keys tracked");
        }
    }

    #[test]
    fn the_denial_names_command_and_group() {
        let rails = Guardrails::new();
        assert_eq!(
            rails.denial("!deploy", "ops"),
            "!deploy is for the ops group only"
        );
        let rails = rails.denied_text("ask {group} (for {command})");
        assert_eq!(rails.denial("!deploy", "ops"), "ask ops (for !deploy)");
    }
}
