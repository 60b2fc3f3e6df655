//! Rate limits shared by replicas: the buckets kept in a store all replicas
//! reach (Redis), instead of each replica's memory.
//!
//! A command's rate is checked in its extractor, which cannot wait for the
//! network; with a shared store the extractor only notes which buckets the
//! run takes a token from, and the route checks them before it starts the
//! handler (see [`Route::call`](crate::handler::Route::call)): a refused run
//! never starts.

use std::sync::Arc;
use std::time::Duration;

use super::RateLimit;
use super::audit::CommandOutcome;
use super::context::GuardContext;
use crate::extract::Incoming;
use crate::reply::Reply;
use crate::stanza::{Condition, StanzaError};
use crate::storage::StorageFuture;

/// Where shared rate-limit buckets are kept: one token per call, atomically,
/// by one clock for all replicas. [`RedisStorage`](crate::storage::RedisStorage)
/// is one (feature `redis`); give it to
/// [`Guardrails::shared_rates`](super::Guardrails::shared_rates).
pub trait RateStore: Send + Sync + 'static {
    /// Takes a token from the bucket `key` held to `limit`: `None` when
    /// allowed, else how long until a token comes back.
    fn take_token<'a>(
        &'a self,
        key: &'a str,
        limit: RateLimit,
    ) -> StorageFuture<'a, Option<Duration>>;
}

#[cfg(feature = "redis")]
impl RateStore for crate::storage::RedisStorage {
    fn take_token<'a>(
        &'a self,
        key: &'a str,
        limit: RateLimit,
    ) -> StorageFuture<'a, Option<Duration>> {
        Box::pin(async move {
            let wait_ms = crate::storage::RedisStorage::take_token(
                self,
                key,
                limit.interval_ms(),
                limit.tolerance_ms(),
            )
            .await?;
            Ok((wait_ms > 0).then(|| Duration::from_millis(wait_ms)))
        })
    }
}

impl<R: RateStore + ?Sized> RateStore for Arc<R> {
    fn take_token<'a>(
        &'a self,
        key: &'a str,
        limit: RateLimit,
    ) -> StorageFuture<'a, Option<Duration>> {
        (**self).take_token(key, limit)
    }
}

/// A bucket a run takes a token from: its store key, its limit, and the
/// command as the refusal names it.
#[derive(Debug, Clone)]
pub(crate) struct Bucket {
    pub(crate) key: String,
    pub(crate) limit: RateLimit,
    pub(crate) shown: String,
}

/// The check of the buckets the admitted command noted, to run before its
/// handler: `Some(refusal)` when a bucket is empty. A store that fails lets
/// the command run (the error is logged): an unreachable Redis must not
/// lock the operators out in the middle of an incident.
pub(crate) fn pending_check(
    incoming: &Incoming,
) -> Option<impl Future<Output = Option<Reply>> + Send + 'static> {
    let ctx = incoming.extensions().get::<Arc<GuardContext>>()?;
    let store = ctx.rails.shared.clone()?;
    let buckets = ctx.take_buckets();
    if buckets.is_empty() {
        return None;
    }
    let ctx = Arc::clone(ctx);
    Some(async move {
        for bucket in buckets {
            match store.take_token(&bucket.key, bucket.limit).await {
                Ok(None) => {}
                Ok(Some(retry_after)) => {
                    ctx.decide(CommandOutcome::RateLimited);
                    let secs = retry_after.as_millis().div_ceil(1000).max(1);
                    return Some(Reply::error(
                        StanzaError::new(Condition::PolicyViolation).with_text(format!(
                            "too many commands: retry {} in {secs} s",
                            bucket.shown
                        )),
                    ));
                }
                Err(error) => {
                    tracing::error!(
                        %error,
                        key = %bucket.key,
                        "shared rate limit not checked (store failed): the command runs"
                    );
                }
            }
        }
        None
    })
}
