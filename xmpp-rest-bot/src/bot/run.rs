//! What serving needs besides the bot: the bound that says a bot has its
//! state, and the shutdown signals.

use std::future::Future;
use std::io;

use super::Bot;

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

/// Listens for ctrl-c, and SIGTERM on Unix, now; the future completes on the
/// first of them.
pub(super) fn shutdown_signal() -> io::Result<impl Future<Output = ()> + Send + 'static> {
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
