//! Interceptors: stages that look at a stanza before the routes, and at what
//! the routes made of it after.
//!
//! The bot hands every stanza down a pipeline: the message rules (which
//! routes may see it), the per-sender order, then the **interceptors** in
//! registration order, then the routes, then the reply. An [`Interceptor`]
//! gets the stanza and [`Next`], the rest of the pipeline, and decides:
//!
//! | it | by |
//! |---|---|
//! | answers instead of the routes | returning [`Handled::intercepted`] without running `next` |
//! | passes | returning `next.run(incoming).await` |
//! | tells the routes something | inserting a value into [`Incoming::extensions_mut`] before `next.run`: extractors and [filters](crate::handler::Filter::extension) read it |
//! | observes or changes the outcome | looking at, or [mapping](Handled::map_reply), what `next.run` returned (and timing it) |
//!
//! The bot's own answers are interceptors too: the built-in answers
//! ([`Builtin`](crate::bot::Builtin)) run first and answer the disco, ping
//! and version queries no route took, and
//! [`Bot::ad_hoc_commands`](crate::Bot::ad_hoc_commands) adds the one for
//! XEP-0050 commands where it is called.
//!
//! ```
//! use xmpp_rest_bot::prelude::*;
//! use xmpp_rest_bot::intercept::{Handled, Interceptor, Next};
//!
//! /// Refuses everything from the listed users, before any handler runs.
//! struct DenyList(Vec<Jid>);
//!
//! impl Interceptor for DenyList {
//!     async fn intercept(&self, incoming: &mut Incoming, next: Next<'_>) -> Handled {
//!         let denied = incoming
//!             .stanza()
//!             .from()
//!             .is_some_and(|from| self.0.iter().any(|j| j.to_bare() == from.to_bare()));
//!         if denied {
//!             return Handled::intercepted(Condition::Forbidden);
//!         }
//!         next.run(incoming).await
//!     }
//! }
//!
//! async fn echo(MessageText(text): MessageText) -> String {
//!     text
//! }
//!
//! let bot: Bot = Bot::new()
//!     .interceptor(DenyList(vec!["spammer@example.org".parse().unwrap()]))
//!     .handler(echo);
//! ```

mod handled;

pub use handled::{Handled, Handling};

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::bot::Routing;
use crate::extract::Incoming;

/// A stage of the bot's pipeline between the per-sender order and the
/// routes: see the [module documentation](self).
///
/// Implement [`intercept`](Self::intercept) as an `async fn`; register the
/// interceptor with [`Bot::interceptor`](crate::Bot::interceptor).
pub trait Interceptor: Send + Sync + 'static {
    /// Handles `incoming`: answer it, or run the rest of the pipeline with
    /// `next.run(incoming)` (at most once) and return, or change, its result.
    fn intercept(
        &self,
        incoming: &mut Incoming,
        next: Next<'_>,
    ) -> impl Future<Output = Handled> + Send;
}

/// The future of an erased interceptor.
pub(crate) type HandledFuture<'a> = Pin<Box<dyn Future<Output = Handled> + Send + 'a>>;

/// An interceptor as the bot stores it (the trait's `impl Future` makes
/// [`Interceptor`] itself unusable as `dyn`).
pub(crate) trait ErasedInterceptor: Send + Sync + 'static {
    fn intercept<'a>(&'a self, incoming: &'a mut Incoming, next: Next<'a>) -> HandledFuture<'a>;
    /// The type's name, for `Debug` of the bot.
    fn name(&self) -> &'static str;
}

impl<I: Interceptor> ErasedInterceptor for I {
    fn intercept<'a>(&'a self, incoming: &'a mut Incoming, next: Next<'a>) -> HandledFuture<'a> {
        Box::pin(Interceptor::intercept(self, incoming, next))
    }

    fn name(&self) -> &'static str {
        std::any::type_name::<I>()
    }
}

/// The interceptors of a bot, outermost first.
pub(crate) type Chain = [Arc<dyn ErasedInterceptor>];

/// The rest of the pipeline after an interceptor: the next interceptors,
/// then the routes.
#[derive(Clone, Copy)]
pub struct Next<'a> {
    chain: &'a Chain,
    routing: &'a Routing<'a>,
}

impl<'a> Next<'a> {
    pub(crate) fn new(chain: &'a Chain, routing: &'a Routing<'a>) -> Self {
        Next { chain, routing }
    }

    /// Runs the rest of the pipeline on `incoming`: what the next
    /// interceptor, or else the first route that takes it, answers.
    pub async fn run(self, incoming: &mut Incoming) -> Handled {
        match self.chain.split_first() {
            Some((first, rest)) => {
                first
                    .intercept(incoming, Next::new(rest, self.routing))
                    .await
            }
            None => self.routing.run(incoming).await,
        }
    }
}

impl std::fmt::Debug for Next<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Next")
            .field(
                "interceptors",
                &self.chain.iter().map(|i| i.name()).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}
