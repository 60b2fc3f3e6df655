//! Running a bot: as an axum router, served on an address, or one stanza
//! at a time in tests.

use std::future::Future;
use std::io;
use std::sync::Arc;

use tokio::net::{TcpListener, ToSocketAddrs};

use super::{Answer, Bot, dispatch, panics, server, service};
use crate::extract::Incoming;

/// A bot whose handlers have everything they need: a [`Bot`] (`Bot<()>`), as
/// [`Bot::new`] makes it or [`Bot::with_state`] returns it. Only such a bot
/// serves, and the bound names `with_state` when a handler's `State<T>` was
/// never given (the bot is then a `Bot<T>`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot serve yet: its handlers take a state it was not given",
    label = "call `.with_state(...)` before this",
    note = "a handler with a `State<T>` argument makes the bot a `Bot<T>` until it gets its state: `Bot::new().handler(h).with_state(value)` is a `Bot`, ready to serve"
)]
pub trait Ready {
    #[doc(hidden)]
    fn into_ready(self) -> Bot;
    #[doc(hidden)]
    fn as_ready(&self) -> &Bot;
}

impl Ready for Bot {
    fn into_ready(self) -> Bot {
        self
    }

    fn as_ready(&self) -> &Bot {
        self
    }
}

// Generic over the state with a `Ready` bound, rather than on `Bot<()>`
// alone: a bot missing its state then gets `Ready`'s message instead of
// "no method named `serve`".
impl<S> Bot<S> {
    /// The webhook as an axum [`Router`](axum::Router), to serve yourself or to
    /// nest into an existing app at any path; tower layers apply as usual.
    ///
    /// It answers every path below where it is mounted (mod_rest callback URLs
    /// may carry `{kind}`/`{type}` placeholders). Mount it with
    /// [`nest_service`](axum::Router::nest_service), which also routes the
    /// prefix with a trailing slash (`/xmpp/`) to it; axum's `nest` does not.
    ///
    /// ```
    /// use axum::routing::get;
    /// use xmpp_rest_bot::Bot;
    /// use xmpp_rest_bot::extract::MessageText;
    ///
    /// async fn echo(MessageText(text): MessageText) -> String {
    ///     text
    /// }
    ///
    /// let app: axum::Router = axum::Router::new()
    ///     .route("/health", get(|| async { "ok" }))
    ///     .nest_service("/xmpp", Bot::new().handler(echo).into_router());
    /// ```
    pub fn into_router(self) -> axum::Router
    where
        Self: Ready,
    {
        let bot = self.into_ready();
        service::router(Arc::new(service::Webhook::new(bot.routes, bot.config)))
    }

    /// Serves the webhook on `addr` until SIGTERM or ctrl-c, then stops
    /// accepting connections, lets the handlers in flight finish (until the
    /// [`shutdown_timeout`](super::Serving::shutdown_timeout)) and returns.
    ///
    /// HTTP/1.1 with keep-alive, as mod_rest speaks it, with limits on what
    /// clients hold: [`Serving::max_connections`](super::Serving::max_connections),
    /// [`max_header_size`](super::Serving::max_header_size),
    /// [`first_request_timeout`](super::Serving::first_request_timeout) and
    /// [`Serving::header_read_timeout`](super::Serving::header_read_timeout); the shutdown is
    /// described at [`shutdown_timeout`](super::Serving::shutdown_timeout) and
    /// [`shutdown_drain`](super::Serving::shutdown_drain).
    ///
    /// While it serves, a handler that panics is logged in one line (the
    /// handler, the stanza id, the message and where it panicked) and the
    /// panic hook that was installed before (Rust's default one prints the
    /// message and, with `RUST_BACKTRACE`, a backtrace) runs for at most
    /// [`PANIC_REPORTS_PER_MINUTE`](Bot::PANIC_REPORTS_PER_MINUTE) handler
    /// panics a minute: a handler panicking on every request cannot flood
    /// stderr. Panics outside handlers always reach the previous hook. A hook
    /// you install after `serve` started replaces this one.
    ///
    /// # Errors
    /// When the address cannot be bound, or the signal handlers cannot be
    /// installed.
    pub async fn serve(self, addr: impl ToSocketAddrs) -> io::Result<()>
    where
        Self: Ready,
    {
        let bot = self.into_ready();
        // Listen for the signals before binding: once the address answers, a
        // SIGTERM is a graceful shutdown, never the default "terminate now".
        let signal = shutdown_signal()?;
        let listener = TcpListener::bind(addr).await?;
        bot.serve_with_shutdown(listener, signal).await
    }

    /// Serves the webhook on `listener` until `signal` completes, then stops
    /// accepting connections, lets the handlers in flight finish (until the
    /// [`shutdown_timeout`](super::Serving::shutdown_timeout)) and returns; otherwise
    /// as [`serve`](Self::serve).
    ///
    /// # Errors
    /// When the listener's address cannot be read.
    pub async fn serve_with_shutdown(
        self,
        listener: TcpListener,
        signal: impl Future<Output = ()> + Send + 'static,
    ) -> io::Result<()>
    where
        Self: Ready,
    {
        let bot = self.into_ready();
        tracing::info!(addr = %listener.local_addr()?, "xmpp webhook listening");
        let settings = bot.config.serving.for_server();
        panics::install();
        server::serve(listener, bot.into_router(), settings, signal).await
    }

    /// Dispatches one stanza without HTTP: runs the handler that takes it and
    /// says what the webhook would answer. For tests.
    ///
    /// ```
    /// use xmpp_rest_bot::Bot;
    /// use xmpp_rest_bot::extract::{MessageText, Incoming};
    /// use xmpp_rest_bot::stanza::{Message, Stanza};
    ///
    /// async fn echo(MessageText(text): MessageText) -> String {
    ///     text
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let bot = Bot::new().handler(echo);
    /// let msg = Message::chat("bot@example.net".parse().unwrap(), "hi")
    ///     .with_from("alice@example.org/phone".parse().unwrap());
    /// let answer = bot.dispatch(Incoming::new(msg)).await;
    /// assert_eq!(answer.status.as_u16(), 200);
    /// let Some(Stanza::Message(reply)) = answer.stanza else { panic!() };
    /// assert_eq!(reply.body(), Some("hi"));
    /// # }
    /// ```
    ///
    /// The message rules, per-sender ordering and built-in answers apply as
    /// in the webhook; the HTTP layer (limits, authentication, metrics) does not.
    pub async fn dispatch(&self, incoming: Incoming) -> Answer
    where
        Self: Ready,
    {
        let bot = self.as_ready();
        let chain = bot.config.chain(&bot.routes);
        dispatch::dispatch(&bot.routes, &bot.config, &chain, incoming)
            .await
            .0
    }
}

/// Listens for ctrl-c, and SIGTERM on Unix, now; the future completes on the
/// first of them.
fn shutdown_signal() -> io::Result<impl Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        Ok(async move {
            let name = tokio::select! {
                _ = interrupt.recv() => "SIGINT",
                _ = terminate.recv() => "SIGTERM",
            };
            tracing::info!(
                signal = name,
                "shutting down: finishing the stanzas in flight"
            );
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            if let Err(e) = tokio::signal::ctrl_c().await {
                tracing::warn!(error = %e, "cannot listen for ctrl-c");
                std::future::pending::<()>().await;
            }
            tracing::info!("shutting down: finishing the stanzas in flight");
        })
    }
}
