//! [`RedisStorage`]: entries in Redis, shared by replicas (feature `redis`).

use std::time::Duration;

use ::redis::aio::{ConnectionManager, ConnectionManagerConfig};
use ::redis::{Client, Script};

use super::{DEFAULT_TTL, Entry, Storage, StorageError, StorageFuture, Version, ttl_millis};

const BACKEND: &str = "redis";

/// The compare-and-set of a save, run by Redis as one step.
/// KEYS[1]: the entry (a hash: `v` version, `d` data); KEYS[2]: the store's
/// version counter. ARGV[1]: the expected version, "0" for absent;
/// ARGV[2]: the value; ARGV[3]: the time to live in milliseconds.
/// Versions are compared as strings: Lua numbers are doubles.
const SAVE: &str = r"
local current = redis.call('HGET', KEYS[1], 'v') or '0'
if current ~= ARGV[1] then return {0, current} end
local version = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], 'v', version, 'd', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {1, tostring(version)}
";

/// The conditional delete. KEYS[1]: the entry; ARGV[1]: the expected version.
const REMOVE: &str = r"
local current = redis.call('HGET', KEYS[1], 'v') or '0'
if current ~= ARGV[1] then return {0, current} end
redis.call('DEL', KEYS[1])
return {1, current}
";

/// A token of a rate limit's bucket (the generic cell rate algorithm, as
/// `guard::RateLimiter` keeps it in memory): the key holds the bucket's
/// theoretical arrival time in ms, by Redis's clock, so that the replicas'
/// clocks do not matter. Returns 0 when allowed, else the ms to wait.
/// ARGV: interval ms, tolerance ms ((burst - 1) intervals).
const TAKE_TOKEN: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local tat = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
if tat < now then tat = now end
local ahead = tat - now
local tolerance = tonumber(ARGV[2])
if ahead > tolerance then return ahead - tolerance end
local next_tat = tat + tonumber(ARGV[1])
redis.call('SET', KEYS[1], tostring(next_tat), 'PX', next_tat - now + 1)
return 0
";

/// Entries in Redis: shared by every replica of the bot, expired by Redis
/// itself (`PEXPIRE`, reset at each save).
///
/// Each entry is a hash (`v`: version, `d`: value). Saves and removes are Lua
/// scripts (sent once, then called by their SHA1 with `EVALSHA`): Redis runs a
/// script as one step, so the version check and the write cannot be split by
/// another client, in one round trip, over the one multiplexed connection the
/// store shares between all its requests. (`WATCH`/`MULTI` would need a
/// connection per concurrent request, since `WATCH` is a state of the
/// connection, and a second round trip.) Versions come from a counter key of
/// the store ([`version_key`](RedisStorageBuilder::version_key)); the scripts
/// name both keys, as Redis requires.
///
/// The connection reconnects by itself after Redis restarts or the network
/// fails; a request made while it is down fails with an error.
///
/// ```no_run
/// use std::time::Duration;
/// use xmpp_rest_bot::storage::RedisStorage;
///
/// # async fn f() -> Result<(), xmpp_rest_bot::storage::StorageError> {
/// let storage = RedisStorage::builder("redis://127.0.0.1:6379/")
///     .ttl(Duration::from_secs(3600))
///     .connect()
///     .await?;
/// # Ok(()) }
/// ```
///
/// It is also a [`RateStore`](crate::guard::RateStore): the guardrails' rate
/// limits shared by replicas (a Lua script per token, by Redis's clock).
#[derive(Clone)]
pub struct RedisStorage {
    connection: ConnectionManager,
    save: Script,
    remove: Script,
    take_token: Script,
    version_key: String,
    ttl_ms: u64,
}

impl std::fmt::Debug for RedisStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStorage")
            .field("version_key", &self.version_key)
            .field("ttl_ms", &self.ttl_ms)
            .finish_non_exhaustive()
    }
}

/// The settings of a [`RedisStorage`]; from [`RedisStorage::builder`].
#[derive(Debug, Clone)]
#[must_use = "call .connect() to get the storage"]
pub struct RedisStorageBuilder {
    url: String,
    ttl: Duration,
    version_key: String,
    timeout: Duration,
}

impl RedisStorage {
    /// The settings for a store on the Redis server at `url`
    /// (`redis://[user:password@]host[:port][/db]`, or
    /// `redis+unix:///path/to/socket`).
    pub fn builder(url: impl Into<String>) -> RedisStorageBuilder {
        RedisStorageBuilder {
            url: url.into(),
            ttl: DEFAULT_TTL,
            version_key: "xmpp-rest-bot:version".into(),
            timeout: Duration::from_secs(2),
        }
    }
}

impl RedisStorageBuilder {
    /// How long an entry lives after its last save (default: one day).
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// The key of the counter that versions come from (default:
    /// `xmpp-rest-bot:version`). Stores that share keys must share it.
    pub fn version_key(mut self, key: impl Into<String>) -> Self {
        self.version_key = key.into();
        self
    }

    /// How long connecting, and each request, may take before it fails
    /// (default: two seconds).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Connects (and fails when Redis cannot be reached now, so that a
    /// misconfigured bot says so at startup). Needs a tokio runtime.
    pub async fn connect(self) -> Result<RedisStorage, StorageError> {
        // The URL may hold a password: errors name the operation, not the URL.
        let client = Client::open(self.url.as_str())
            .map_err(|e| StorageError::backend_failure(BACKEND, "parse the URL", e))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.timeout))
            .set_response_timeout(Some(self.timeout))
            .set_number_of_retries(2);
        let mut connection = ConnectionManager::new_with_config(client, config)
            .await
            .map_err(|e| StorageError::backend_failure(BACKEND, "connect", e))?;
        let save = Script::new(SAVE);
        let remove = Script::new(REMOVE);
        let take_token = Script::new(TAKE_TOKEN);
        for script in [&save, &remove, &take_token] {
            script
                .prepare_invoke()
                .load_async(&mut connection)
                .await
                .map_err(|e| StorageError::backend_failure(BACKEND, "load the scripts", e))?;
        }
        Ok(RedisStorage {
            connection,
            save,
            remove,
            take_token,
            version_key: self.version_key,
            ttl_ms: ttl_millis(self.ttl),
        })
    }
}

impl RedisStorage {
    /// Takes a token of the bucket under `key` (see `TAKE_TOKEN`): `Ok(0)`
    /// when allowed, else the milliseconds until one comes back.
    pub(crate) async fn take_token(
        &self,
        key: &str,
        interval_ms: u64,
        tolerance_ms: u64,
    ) -> Result<u64, StorageError> {
        let mut connection = self.connection.clone();
        self.take_token
            .key(key)
            .arg(interval_ms)
            .arg(tolerance_ms)
            .invoke_async(&mut connection)
            .await
            .map_err(|e| {
                StorageError::backend_failure(BACKEND, "take a rate token", e).with_key(key)
            })
    }
}

/// A version as the scripts say it: "0" is none.
fn parse_version(
    key: &str,
    operation: &'static str,
    text: &str,
) -> Result<Option<Version>, StorageError> {
    match text.parse::<u64>() {
        Ok(0) => Ok(None),
        Ok(number) => Ok(Some(Version::new(number))),
        Err(e) => Err(StorageError::backend_failure(
            BACKEND,
            operation,
            format!("the entry's version {text:?} is not a number: {e}"),
        )
        .with_key(key)),
    }
}

fn expected_arg(expected: Option<Version>) -> String {
    expected.map_or(0, Version::get).to_string()
}

impl Storage for RedisStorage {
    fn backend(&self) -> &'static str {
        BACKEND
    }

    fn load<'a>(&'a self, key: &'a str) -> StorageFuture<'a, Option<Entry>> {
        Box::pin(async move {
            let mut connection = self.connection.clone();
            let (version, value): (Option<String>, Option<Vec<u8>>) = ::redis::cmd("HMGET")
                .arg(key)
                .arg("v")
                .arg("d")
                .query_async(&mut connection)
                .await
                .map_err(|e| StorageError::backend_failure(BACKEND, "load", e).with_key(key))?;
            let (Some(version), Some(value)) = (version, value) else {
                return Ok(None);
            };
            Ok(parse_version(key, "load", &version)?.map(|version| Entry::new(value, version)))
        })
    }

    fn save<'a>(
        &'a self,
        key: &'a str,
        value: Vec<u8>,
        expected: Option<Version>,
    ) -> StorageFuture<'a, Version> {
        Box::pin(async move {
            let mut connection = self.connection.clone();
            let (saved, version): (i64, String) = self
                .save
                .key(key)
                .key(&self.version_key)
                .arg(expected_arg(expected))
                .arg(value)
                .arg(self.ttl_ms)
                .invoke_async(&mut connection)
                .await
                .map_err(|e| StorageError::backend_failure(BACKEND, "save", e).with_key(key))?;
            let version = parse_version(key, "save", &version)?;
            match (saved, version) {
                (1, Some(version)) => Ok(version),
                _ => Err(StorageError::conflict(BACKEND, key, expected, version)),
            }
        })
    }

    fn remove<'a>(&'a self, key: &'a str, expected: Version) -> StorageFuture<'a, ()> {
        Box::pin(async move {
            let mut connection = self.connection.clone();
            let (removed, found): (i64, String) = self
                .remove
                .key(key)
                .arg(expected_arg(Some(expected)))
                .invoke_async(&mut connection)
                .await
                .map_err(|e| StorageError::backend_failure(BACKEND, "remove", e).with_key(key))?;
            if removed == 1 {
                return Ok(());
            }
            let found = parse_version(key, "remove", &found)?;
            Err(StorageError::conflict(BACKEND, key, Some(expected), found))
        })
    }
}
