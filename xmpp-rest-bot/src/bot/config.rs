//! What a bot holds besides its routes: its settings, its interceptors, and
//! what its requests share at run time.

use std::sync::Arc;
use std::time::Duration;

use super::{Auth, Bot, Builtin, MessageRules, Metrics, Serving, message_rules, order};
use crate::command::Registry;
use crate::handler::Route;
use crate::intercept::ErasedInterceptor;
use crate::stanza::{Version, ns};
use crate::wire::{Limits, WireFormat};

/// The webhook settings.
#[derive(Debug, Clone, Default)]
pub(crate) struct Config {
    pub(crate) format: WireFormat,
    pub(crate) limits: Limits,
    pub(crate) receipts: Receipts,
    pub(crate) timeout: Option<Duration>,
    pub(crate) auth: Auth,
    pub(crate) interceptors: Interceptors,
    pub(crate) ad_hoc: Option<AdHoc>,
    /// The conversation storage of [`Bot::dialogues`], where the ad-hoc
    /// command sessions go too.
    pub(crate) dialogues: Option<crate::dialogue::Dialogues>,
    /// The guardrails' stage, outside the registered interceptors.
    pub(crate) guard: Option<Guard>,
    pub(crate) builtin: Builtin,
    /// The package of the first attributed handler: the software version
    /// answered when [`Builtin::software`] gives none.
    pub(crate) package: Option<Version>,
    pub(crate) rules: MessageRules,
    pub(crate) ordered: bool,
    pub(crate) max_concurrency: MaxConcurrency,
    pub(crate) read_timeout: ReadTimeout,
    pub(crate) serving: Serving,
    pub(crate) metrics_path: Option<String>,
    pub(crate) shared: Arc<Shared>,
}

/// The interceptors registered, in order (the ad-hoc commands among them).
#[derive(Clone, Default)]
pub(crate) struct Interceptors(pub(crate) Vec<Arc<dyn ErasedInterceptor>>);

impl std::fmt::Debug for Interceptors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|i| i.name()))
            .finish()
    }
}

/// The guardrails' stage.
#[derive(Clone)]
pub(crate) struct Guard(pub(crate) Arc<dyn ErasedInterceptor>);

impl std::fmt::Debug for Guard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Guardrails")
    }
}

/// The ad-hoc commands' interceptor: where it is in the chain, and the
/// enums registered so far.
#[derive(Debug, Clone)]
pub(crate) struct AdHoc {
    pub(crate) index: usize,
    pub(crate) registry: Registry,
}

impl Config {
    /// The interceptors, outermost first: the built-in answers (which answer
    /// what no route took), the guardrails, then the registered ones in order.
    pub(crate) fn chain<S: 'static>(&self, routes: &[Route<S>]) -> Vec<Arc<dyn ErasedInterceptor>> {
        let builtin =
            self.builtin
                .answers(routes, self.package.as_ref(), self.interceptor_features());
        let builtin = builtin.map(|b| Arc::new(b) as Arc<dyn ErasedInterceptor>);
        let mut interceptors = self.interceptors.0.clone();
        // The ad-hoc sessions go to the conversation storage when there is
        // one (replicas sharing it share the sessions), else they stay in
        // the registry's own memory store (shared by the bot's clones).
        // Resolved here, so that `dialogues` and `ad_hoc_commands` may be
        // called in either order.
        if let (Some(ad_hoc), Some(dialogues)) = (&self.ad_hoc, &self.dialogues)
            && let Some(slot) = interceptors.get_mut(ad_hoc.index)
        {
            *slot = Arc::new(ad_hoc.registry.with_sessions(dialogues.clone().into()));
        }
        builtin
            .into_iter()
            .chain(self.guard.iter().map(|g| Arc::clone(&g.0)))
            .chain(interceptors)
            .collect()
    }

    /// The features the SDK's own interceptors implement, for disco#info.
    pub(crate) fn interceptor_features(&self) -> &'static [&'static str] {
        match &self.ad_hoc {
            Some(_) => &[ns::COMMANDS],
            None => &[],
        }
    }
}

/// What the requests share at run time; clones of a bot share it too.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    pub(crate) metrics: Metrics,
    pub(crate) sequencer: order::Sequencer,
    pub(crate) self_in_rooms: message_rules::SelfInRooms,
    /// Whether the operator was told that a request arrived without its
    /// payload (the early-2020 mod_rest in JSON).
    pub(crate) payload_dropped_warned: std::sync::atomic::AtomicBool,
}

/// The concurrency limit; a newtype for its default.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MaxConcurrency(pub(crate) usize);

impl Default for MaxConcurrency {
    fn default() -> Self {
        MaxConcurrency(Bot::<()>::DEFAULT_MAX_CONCURRENCY)
    }
}

/// The body read timeout; a newtype for its default.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ReadTimeout(pub(crate) Duration);

impl Default for ReadTimeout {
    fn default() -> Self {
        ReadTimeout(Bot::<()>::DEFAULT_READ_TIMEOUT)
    }
}

/// Whether receipts are answered; a newtype so that the default is "on".
#[derive(Debug, Clone, Copy)]
pub(crate) struct Receipts(pub(crate) bool);

impl Default for Receipts {
    fn default() -> Self {
        Receipts(true)
    }
}
