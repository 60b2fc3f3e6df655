//! Handlers: async functions that take extractors and return replies, and the
//! routes that carry them with an optional [`Filter`].
//!
//! A handler is any `async fn` (or closure returning a future) whose arguments
//! all implement [`FromStanza`] and whose output implements [`IntoReply`], with
//! up to 12 arguments:
//!
//! ```
//! use xmpp_rest_bot::extract::{MessageText, Sender};
//! use xmpp_rest_bot::stanza::{Condition, Iq, Message};
//!
//! async fn echo(MessageText(text): MessageText) -> String {
//!     text
//! }
//!
//! async fn greet(Sender(from): Sender, msg: Message) -> Message {
//!     msg.reply(format!("hello {from}"))
//! }
//!
//! async fn refuse(_iq: Iq) -> Condition {
//!     Condition::NotAllowed
//! }
//! ```
//!
//! The handler's arguments are checked at compile time. The error for a
//! wrong argument or return type says the function "cannot be registered as a
//! stanza handler" without naming the culprit: check each argument against
//! the extractor list in [`extract`](crate::extract) and the return type
//! against [`reply`](crate::reply) (the attribute macros point at the
//! offending type instead).

mod filter;
mod route;

pub use filter::Filter;
pub(crate) use filter::Skips;
pub use route::{IntoRoute, Route};

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::extract::{FromStanza, Incoming, Rejection};
use crate::reply::{IntoReply, Reply};

/// The future a handler call returns.
pub type ReplyFuture = Pin<Box<dyn Future<Output = Reply> + Send + 'static>>;

/// A function that can handle stanzas: implemented for every
/// `Fn(T1, ..., Tn) -> impl Future<Output: IntoReply>` (n up to 12) whose
/// arguments all implement [`FromStanza<S>`](FromStanza).
///
/// `T` is the tuple of argument types, which only serves to tell the
/// implementations apart; `S` is the bot's state type.
///
/// Calling a handler runs its extractors: when one of them rejects the stanza
/// the handler does not run and the [`Rejection`] says whether the next
/// handler is to be tried.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a valid stanza handler",
    label = "not a handler",
    note = "a handler is an `async fn` (or closure returning a `Send` future) with up to 12 arguments that all implement `FromStanza<S>` (`Message`, `MessageText`, `Sender`, `State<T>`, ...), returning a type that implements `IntoReply` (`()`, `String`, `Message`, `StanzaError`, ...)",
    note = "a `State<T>` argument needs `T: FromRef<S>` where `S` is the type given to `Bot::with_state`"
)]
pub trait Handler<T, S>: Send + Sync + 'static {
    /// Runs the extractors and, when they all apply, starts the handler.
    ///
    /// # Errors
    /// The first extractor's [`Rejection`].
    fn call(&self, incoming: &Incoming, state: &S) -> Result<ReplyFuture, Rejection>;

    /// The XEP-0030 features (protocol namespaces) this handler implements,
    /// listed in the bot's disco#info answer. For handler functions: the
    /// features of their arguments ([`FromStanza::disco_features`]).
    fn disco_features(&self) -> Vec<&'static str> {
        Vec::new()
    }
}

macro_rules! impl_handler {
    ($($ty:ident),*) => {
        impl<F, Fut, S, R, $($ty,)*> Handler<($($ty,)*), S> for F
        where
            F: Fn($($ty),*) -> Fut + Send + Sync + 'static,
            Fut: Future<Output = R> + Send + 'static,
            R: IntoReply,
            $($ty: FromStanza<S>,)*
        {
            #[allow(non_snake_case, unused_variables)]
            fn call(&self, incoming: &Incoming, state: &S) -> Result<ReplyFuture, Rejection> {
                $(let $ty = $ty::from_stanza(incoming, state)?;)*
                let future = (self)($($ty),*);
                Ok(Box::pin(async move { future.await.into_reply() }))
            }

            fn disco_features(&self) -> Vec<&'static str> {
                #[allow(unused_mut)]
                let mut features = Vec::new();
                $(features.extend(<$ty as FromStanza<S>>::disco_features());)*
                features
            }
        }

        impl<F, Fut, S, R, $($ty,)*> IntoRoute<($($ty,)*), S> for F
        where
            F: Fn($($ty),*) -> Fut + Send + Sync + 'static,
            Fut: Future<Output = R> + Send + 'static,
            R: IntoReply,
            S: 'static,
            $($ty: FromStanza<S> + 'static,)*
        {
            fn into_route(self) -> Route<S> {
                Route::new(self)
            }
        }
    };
}

impl_handler!();
impl_handler!(T1);
impl_handler!(T1, T2);
impl_handler!(T1, T2, T3);
impl_handler!(T1, T2, T3, T4);
impl_handler!(T1, T2, T3, T4, T5);
impl_handler!(T1, T2, T3, T4, T5, T6);
impl_handler!(T1, T2, T3, T4, T5, T6, T7);
impl_handler!(T1, T2, T3, T4, T5, T6, T7, T8);
impl_handler!(T1, T2, T3, T4, T5, T6, T7, T8, T9);
impl_handler!(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10);
impl_handler!(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11);
impl_handler!(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12);

/// Methods on every [`Handler`].
pub trait HandlerExt<T, S>: Handler<T, S> + Sized {
    /// This handler behind a filter: it is only tried for stanzas the filter
    /// accepts.
    ///
    /// ```
    /// use xmpp_rest_bot::Bot;
    /// use xmpp_rest_bot::extract::MessageText;
    /// use xmpp_rest_bot::handler::{Filter, HandlerExt};
    ///
    /// async fn shout(MessageText(text): MessageText) -> String {
    ///     text.to_uppercase()
    /// }
    ///
    /// let bot: Bot = Bot::new().handler(shout.with_filter(Filter::stanza_type("groupchat")));
    /// ```
    fn with_filter(self, filter: Filter) -> Route<S>
    where
        T: 'static,
        S: 'static,
    {
        Route::new(self).with_filter(filter)
    }
}

impl<H: Handler<T, S>, T, S> HandlerExt<T, S> for H {}

/// A handler with its types erased, as routes store it.
pub(crate) trait ErasedHandler<S>: Send + Sync + 'static {
    fn call(&self, incoming: &Incoming, state: &S) -> Result<ReplyFuture, Rejection>;
}

struct Erased<H, T> {
    handler: H,
    _args: std::marker::PhantomData<fn() -> T>,
}

impl<H, T, S> ErasedHandler<S> for Erased<H, T>
where
    H: Handler<T, S>,
    T: 'static,
{
    fn call(&self, incoming: &Incoming, state: &S) -> Result<ReplyFuture, Rejection> {
        self.handler.call(incoming, state)
    }
}

pub(crate) fn erase<H, T, S>(handler: H) -> Arc<dyn ErasedHandler<S>>
where
    H: Handler<T, S>,
    T: 'static,
{
    Arc::new(Erased {
        handler,
        _args: std::marker::PhantomData,
    })
}

/// A handler bound to its state: it ignores the state of the bot it is in.
struct WithState<S> {
    inner: Arc<dyn ErasedHandler<S>>,
    state: S,
}

impl<S, S2> ErasedHandler<S2> for WithState<S>
where
    S: Send + Sync + 'static,
{
    fn call(&self, incoming: &Incoming, _state: &S2) -> Result<ReplyFuture, Rejection> {
        self.inner.call(incoming, &self.state)
    }
}

pub(crate) fn provide_state<S, S2>(
    inner: Arc<dyn ErasedHandler<S>>,
    state: S,
) -> Arc<dyn ErasedHandler<S2>>
where
    S: Send + Sync + 'static,
{
    Arc::new(WithState { inner, state })
}
