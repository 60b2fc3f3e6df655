//! Dispatch: which handler takes a stanza, and what its reply becomes.

use std::any::Any;
use std::future::{Future, poll_fn};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::pin;
use std::task::Poll;
use std::time::Duration;

use axum::http::StatusCode;

use super::Config;
use super::metrics::RequestOutcome;
use super::panics;
use crate::extract::{Effect, Incoming};
use crate::handler::{ReplyFuture, Route, Skips};
use crate::intercept::{Chain, Handled, Handling, Next};
use crate::reply::{Reply, ReplyKind};
use crate::stanza::{Condition, Iq, IqType, Message, MessageType, Receipt, Stanza, StanzaError};
use crate::wire::WireFormat;

/// What the webhook answers to a stanza: the HTTP status and the stanza in the
/// body, if any (encoded in the request's format).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Answer {
    /// The HTTP status: 200 with a reply, 202 without, 4xx/5xx with an error stanza.
    pub status: StatusCode,
    /// The reply stanza, sent as the body.
    pub stanza: Option<Stanza>,
}

impl Answer {
    fn accepted() -> Self {
        Answer {
            status: StatusCode::ACCEPTED,
            stanza: None,
        }
    }

    fn ok(stanza: Stanza) -> Self {
        Answer {
            status: StatusCode::OK,
            stanza: Some(stanza),
        }
    }

    /// An error stanza of the incoming kind, with the status mod_rest maps back
    /// to the same condition where one exists.
    fn error(incoming: &Stanza, error: StanzaError) -> Self {
        let status = StatusCode::from_u16(error.condition.http_status())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        Answer {
            status,
            stanza: Some(incoming.error(error)),
        }
    }

    fn internal(incoming: &Stanza) -> Self {
        Answer::error(incoming, StanzaError::new(Condition::InternalServerError))
    }
}

/// The handler chosen for a stanza, or why there is none.
enum Selection {
    Run(&'static str, ReplyFuture),
    /// An extractor answered (an error for an invalid stanza, or a reply).
    Respond(&'static str, Reply),
    /// No handler takes the stanza; the first fallback answer, if any.
    Unhandled(Option<Reply>),
}

/// The pipeline's stages for one stanza, and what each reports for the
/// metrics:
///
/// 1. the message rules say which routes may see the stanza (`skipped` when
///    they kept it from every route and nothing else answered);
/// 2. with per-sender ordering, the stanza waits for the previous ones of
///    its sender;
/// 3. the interceptors, outermost first (the built-in answers, then the
///    ones registered, the ad-hoc commands among them), and the routes
///    ([`Routing`]) each say how they handled it ([`Handling`]);
/// 4. the default answer when nothing answered (nothing, or
///    `service-unavailable` to an iq request), and the reply rules turn the
///    reply into the HTTP answer (`reply`, `ack`, `error`, or `failed` for a
///    reply they refuse).
pub(crate) async fn dispatch(
    routes: &[Route],
    config: &Config,
    chain: &Chain,
    mut incoming: Incoming,
) -> (Answer, RequestOutcome) {
    let shared = &config.shared;
    shared.self_in_rooms.observe(incoming.stanza());
    let skips = config
        .rules
        .classify(incoming.stanza(), &shared.self_in_rooms);
    // Held until the answer is ready: the sender's next stanza waits for it.
    // The key is only built when ordering is on (it costs two allocations).
    let _turn = match config.ordered.then(|| sender_key(incoming.stanza())) {
        Some(Some(sender)) => Some(shared.sequencer.turn(sender).await),
        _ => None,
    };
    let routing = Routing {
        routes,
        skips,
        timeout: config.timeout,
    };
    let handled = if chain.is_empty() {
        routing.run(&mut incoming).await
    } else {
        let next = Next::new(chain, &routing);
        match catch_panics(next.run(&mut incoming)).await {
            Ok(handled) => handled,
            Err(panic) => Handled::new(
                panicked("(an interceptor)", incoming.stanza(), &*panic),
                Handling::Failed,
            ),
        }
    };
    let handling = handled.handling();
    let stage = match handling {
        Handling::Builtin => Some(RequestOutcome::Builtin),
        Handling::Failed => Some(RequestOutcome::Failed),
        Handling::Unhandled if !handled.is_answered() && !skips.is_empty() => {
            tracing::debug!(reasons = ?skips, "stanza skipped by the message rules");
            Some(RequestOutcome::Skipped)
        }
        _ => None,
    };
    let reply = match handled.into_reply() {
        Some(reply) => reply,
        None => unhandled(&incoming, config),
    };
    // mod_rest's JSON mapping carries no receipts, so a request that came in
    // JSON never asked for one (the sender's client saw none delivered); a
    // receipt added anyway would also push the reply to XML (`reply_gap`).
    let receipts = config.receipts.0 && incoming.format() == WireFormat::Xml;
    let (answer, delivered) = resolve(reply, incoming.stanza(), receipts);
    (answer, stage.unwrap_or(delivered))
}

/// The ordering key: the sender's bare JID (for a room occupant, the room).
fn sender_key(stanza: &Stanza) -> Option<String> {
    stanza.from().map(|from| from.to_bare().to_string())
}

/// The routes stage: the first route that takes the stanza runs.
pub(crate) struct Routing<'a> {
    routes: &'a [Route],
    /// Why the message rules keep the stanza from routes that do not opt in.
    skips: Skips,
    timeout: Option<Duration>,
}

impl Routing<'_> {
    /// Selects the route and runs its handler, guarded against panics and
    /// (with a time limit) slowness.
    pub(crate) async fn run(&self, incoming: &mut Incoming) -> Handled {
        let selection = catch_unwind(AssertUnwindSafe(|| {
            panics::in_handler(|| select(self.routes, incoming, self.skips))
        }));
        let stanza = incoming.stanza();
        match selection {
            Err(panic) => Handled::new(
                panicked("(a filter or extractor)", stanza, &*panic),
                Handling::Failed,
            ),
            Ok(Selection::Unhandled(Some(fallback))) => Handled::new(fallback, Handling::Unhandled),
            Ok(Selection::Unhandled(None)) => Handled::unhandled(),
            Ok(Selection::Respond(name, reply)) => {
                tracing::debug!(handler = name, "stanza answered by an extractor");
                Handled::new(reply, Handling::Route)
            }
            Ok(Selection::Run(name, future)) => run(name, future, self.timeout, stanza).await,
        }
    }
}

fn select(routes: &[Route], incoming: &Incoming, skips: Skips) -> Selection {
    let mut fallback = None;
    for route in routes {
        if !route.accepts_skipping(incoming, skips) {
            continue;
        }
        match route.call(incoming, &()) {
            Ok(future) => {
                tracing::debug!(handler = route.name(), "handler selected");
                return Selection::Run(route.name(), future);
            }
            Err(rejection) => match rejection.into_effect() {
                Effect::Skip => {}
                Effect::Fallback(reply) => {
                    fallback.get_or_insert(reply);
                }
                Effect::Stop(reply) => return Selection::Respond(route.name(), reply),
            },
        }
    }
    Selection::Unhandled(fallback)
}

/// What a stanza nothing answered gets: `service-unavailable` for an iq
/// request (RFC 6120 section 8.4), nothing otherwise. An iq request that came
/// in JSON without a payload is what the early-2020 mod_rest makes of the
/// queries it cannot map: the error says so, and the operator is told once.
fn unhandled(incoming: &Incoming, config: &Config) -> Reply {
    tracing::debug!("no handler takes this stanza");
    match incoming.stanza() {
        Stanza::Iq(iq) if iq.type_.is_request() => {
            if iq.payload.is_none() && incoming.format() == WireFormat::Json {
                super::early_2020::payload_dropped(iq, &config.shared.payload_dropped_warned)
            } else {
                Reply::error(Condition::ServiceUnavailable)
            }
        }
        _ => Reply::ack(),
    }
}

async fn run(
    name: &'static str,
    future: ReplyFuture,
    timeout: Option<Duration>,
    stanza: &Stanza,
) -> Handled {
    let guarded = catch_panics(future);
    let outcome = match timeout {
        Some(limit) => match tokio::time::timeout(limit, guarded).await {
            Ok(outcome) => outcome,
            Err(_) => {
                tracing::warn!(handler = name, ?limit, "handler timed out");
                let timed_out = Reply::error(StanzaError::new(Condition::RemoteServerTimeout));
                return Handled::new(timed_out, Handling::Failed);
            }
        },
        None => guarded.await,
    };
    match outcome {
        Ok(reply) => Handled::new(reply, Handling::Route),
        Err(panic) => Handled::new(panicked(name, stanza, &*panic), Handling::Failed),
    }
}

/// Logs a panic caught in handler code, in one line (the hook of
/// `panics` keeps the rest of the report to a few a minute), and answers
/// `internal-server-error`.
fn panicked(handler: &'static str, stanza: &Stanza, panic: &(dyn Any + Send)) -> Reply {
    tracing::error!(
        handler,
        stanza_id = stanza.id().unwrap_or_default(),
        kind = %stanza.kind(),
        panic = panic_message(panic),
        location = panics::take_location().as_deref().unwrap_or("unknown"),
        "handler panicked: answering internal-server-error"
    );
    // Logged here: an internal_error reply would be logged a second time.
    Reply::error(StanzaError::new(Condition::InternalServerError))
}

/// The reply stage: turns a reply into the answer for `incoming`, and says
/// what was delivered (`Failed` for a reply the rules refuse).
fn resolve(reply: Reply, incoming: &Stanza, receipts: bool) -> (Answer, RequestOutcome) {
    if incoming.is_response() {
        if !reply.is_ack() {
            tracing::debug!(
                "reply to a stanza of type {} dropped: mod_rest never answers those",
                incoming.type_str()
            );
        }
        return (Answer::accepted(), RequestOutcome::Ack);
    }
    let delivered = match &reply.kind {
        ReplyKind::Ack => RequestOutcome::Ack,
        ReplyKind::Error(_) => RequestOutcome::Error,
        ReplyKind::Internal(_) => RequestOutcome::Failed,
        ReplyKind::Stanza(_) | ReplyKind::Text(_) | ReplyKind::Payload(_) => RequestOutcome::Reply,
    };
    match build_answer(reply, incoming, receipts) {
        Some(answer) => (answer, delivered),
        None => (Answer::internal(incoming), RequestOutcome::Failed),
    }
}

/// The answer carrying `reply`, or `None` when the reply cannot answer
/// `incoming` (logged: the sender gets `internal-server-error`).
fn build_answer(reply: Reply, incoming: &Stanza, receipts: bool) -> Option<Answer> {
    let receipt_id = if receipts {
        receipt_request(incoming)
    } else {
        None
    };
    match reply.kind {
        ReplyKind::Stanza(stanza) => resolve_stanza(*stanza, incoming, receipt_id),
        ReplyKind::Ack => match (incoming, receipt_id) {
            (Stanza::Message(m), Some(id)) => {
                Some(Answer::ok(Stanza::Message(receipt_only(m, id))))
            }
            _ => Some(Answer::accepted()),
        },
        ReplyKind::Text(text) => match incoming {
            Stanza::Message(m) => {
                let mut reply = m.reply(text);
                if let Some(id) = receipt_id {
                    add_receipt(&mut reply, id);
                }
                Some(Answer::ok(Stanza::Message(reply)))
            }
            other => {
                tracing::error!(
                    "a handler answered a {} with text: text replies are messages and only \
                     answer messages; return a {} instead; answering internal-server-error",
                    other.kind(),
                    other.kind()
                );
                None
            }
        },
        ReplyKind::Payload(payload) => match incoming {
            Stanza::Iq(iq) if iq.type_.is_request() => {
                let mut result = Iq::new(IqType::Result, Some(payload));
                result.to = iq.from.clone();
                result.from = iq.to.clone();
                result.id = iq.id.clone();
                Some(Answer::ok(Stanza::Iq(result)))
            }
            other => {
                tracing::error!(
                    "a handler answered a {} with an iq payload: payloads answer iq requests; \
                     answering internal-server-error",
                    other.kind()
                );
                None
            }
        },
        ReplyKind::Error(error) => Some(Answer::error(incoming, error)),
        ReplyKind::Internal(message) => {
            tracing::error!(error = %message, "answering internal-server-error");
            Some(Answer::internal(incoming))
        }
    }
}

/// A stanza reply: of the incoming kind, with the receipt added to a message.
fn resolve_stanza(stanza: Stanza, incoming: &Stanza, receipt_id: Option<String>) -> Option<Answer> {
    match stanza {
        stanza if stanza.kind() != incoming.kind() => {
            tracing::error!(
                "a handler answered a {} with a {}: a webhook reply must be a stanza of the \
                 incoming kind (send other stanzas through /rest); answering internal-server-error",
                incoming.kind(),
                stanza.kind()
            );
            None
        }
        Stanza::Message(mut reply) => {
            if let Some(id) = receipt_id {
                add_receipt(&mut reply, id);
            }
            Some(Answer::ok(Stanza::Message(reply)))
        }
        Stanza::Iq(reply) if !matches!(reply.type_, IqType::Result | IqType::Error) => {
            tracing::warn!(
                "a handler answered an iq with an iq of type {}; mod_rest sends it as a result",
                reply.type_
            );
            Some(Answer::ok(Stanza::Iq(reply)))
        }
        stanza => Some(Answer::ok(stanza)),
    }
}

/// The id to acknowledge, when `incoming` is a message asking for a receipt
/// that may be answered (not an error, not in a room).
fn receipt_request(incoming: &Stanza) -> Option<String> {
    match incoming {
        Stanza::Message(m)
            if m.receipt == Some(Receipt::Request)
                && !matches!(m.type_, MessageType::Error | MessageType::Groupchat) =>
        {
            m.id.clone()
        }
        _ => None,
    }
}

fn add_receipt(reply: &mut Message, id: String) {
    if reply.receipt.is_none() && reply.type_ != MessageType::Error {
        reply.receipt = Some(Receipt::Received { id: Some(id) });
    }
}

/// A message carrying only the receipt for `incoming`.
fn receipt_only(incoming: &Message, id: String) -> Message {
    let mut receipt = Message::new(incoming.type_);
    receipt.to = incoming.from.clone();
    receipt.from = incoming.to.clone();
    receipt.receipt = Some(Receipt::Received { id: Some(id) });
    receipt
}

/// Runs `future`, turning a panic while it is polled into an error value.
async fn catch_panics<F: Future>(future: F) -> Result<F::Output, Box<dyn Any + Send>> {
    let mut future = pin!(future);
    poll_fn(|cx| {
        let poll = || panics::in_handler(|| future.as_mut().poll(cx));
        match catch_unwind(AssertUnwindSafe(poll)) {
            Ok(Poll::Ready(output)) => Poll::Ready(Ok(output)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(panic) => Poll::Ready(Err(panic)),
        }
    })
    .await
}

fn panic_message(panic: &(dyn Any + Send)) -> &str {
    if let Some(s) = panic.downcast_ref::<&'static str>() {
        s
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s
    } else {
        "(no message)"
    }
}
