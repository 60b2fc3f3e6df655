//! Dispatch: which handler takes a stanza, and what its reply becomes.

use std::any::Any;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::http::StatusCode;

use super::Config;
use super::metrics;
use super::panics;
use crate::command::Intercept;
use crate::extract::{Incoming, Outcome};
use crate::handler::{ReplyFuture, Route, Skips};
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

/// Finds the handler for `incoming` and turns its reply into the answer; says
/// how it went, for the metrics.
///
/// In order: the message rules say which routes may see the stanza; with
/// per-sender ordering, the stanza waits for the previous ones of its sender;
/// registered ad-hoc commands are looked at; the first route that takes the
/// stanza runs; when none does, the first fallback answer, then the built-in
/// answers (disco, ping, version), then the default (nothing, or
/// `service-unavailable` to an iq request).
pub(crate) async fn dispatch(
    routes: &[Route],
    config: &Config,
    mut incoming: Incoming,
) -> (Answer, metrics::Outcome) {
    let shared = &config.shared;
    shared.self_in_rooms.observe(incoming.stanza());
    let skips = config
        .policy
        .classify(incoming.stanza(), &shared.self_in_rooms);
    // Held until the answer is ready: the sender's next stanza waits for it.
    // The key is only built when ordering is on (it costs two allocations).
    let _turn = match config.ordered.then(|| sender_key(incoming.stanza())) {
        Some(Some(sender)) => Some(shared.sequencer.turn(sender).await),
        _ => None,
    };
    // XEP-0050 commands of the registered enums: discovery and the stages
    // that need no handler are answered here; a submission goes on to the
    // routes with its call attached, and its reply becomes the command's.
    let mut fallback = None;
    let mut call = None;
    match config.ad_hoc.intercept(&incoming) {
        Intercept::Pass => {}
        Intercept::Answer(reply) => {
            let answer = resolve(reply, incoming.stanza(), false);
            return (answer, metrics::Outcome::Builtin);
        }
        Intercept::Fallback(reply) => fallback = Some(reply),
        Intercept::Run(ad_hoc) => {
            incoming.set_ad_hoc(Arc::clone(&ad_hoc));
            call = Some(ad_hoc);
        }
    }
    let selection = catch_unwind(AssertUnwindSafe(|| {
        panics::in_handler(|| select(routes, &incoming, skips))
    }));
    let stanza = incoming.stanza();
    let mut outcome = None;
    let reply = match selection {
        Err(panic) => panicked("(a filter or extractor)", stanza, &*panic),
        Ok(Selection::Unhandled(route_fallback)) => match (route_fallback.or(fallback), &call) {
            (Some(reply), Some(call)) => call.finish(reply),
            (Some(reply), None) => reply,
            (None, Some(call)) => call.unhandled(),
            (None, None) => match builtin(stanza, routes, config) {
                Some(reply) => {
                    outcome = Some(metrics::Outcome::Builtin);
                    reply
                }
                None => {
                    if !skips.is_empty() {
                        tracing::debug!(reasons = ?skips, "stanza skipped by the message rules");
                        outcome = Some(metrics::Outcome::Skipped);
                    }
                    unhandled(&incoming, config)
                }
            },
        },
        Ok(Selection::Respond(name, reply)) => {
            tracing::debug!(handler = name, "stanza answered by an extractor");
            match &call {
                Some(call) => call.finish(reply),
                None => reply,
            }
        }
        Ok(Selection::Run(name, future)) => {
            let future = match &call {
                Some(call) => call.wrap(future),
                None => future,
            };
            run(name, future, config, stanza).await
        }
    };
    // mod_rest's JSON mapping carries no receipts, so a request that came in
    // JSON never asked for one (the sender's client saw none delivered); a
    // receipt added anyway would also push the reply to XML (`reply_gap`).
    let receipts = config.receipts.0 && incoming.format() == WireFormat::Xml;
    let answer = resolve(reply, stanza, receipts);
    let outcome = outcome.unwrap_or(match answer.status.as_u16() {
        200 => metrics::Outcome::Reply,
        202 => metrics::Outcome::Ack,
        500 | 504 => metrics::Outcome::Failed,
        _ => metrics::Outcome::Error,
    });
    (answer, outcome)
}

/// The ordering key: the sender's bare JID (for a room occupant, the room).
fn sender_key(stanza: &Stanza) -> Option<String> {
    stanza.from().map(|from| from.to_bare().to_string())
}

/// The built-in answer to an iq request no route took.
fn builtin(stanza: &Stanza, routes: &[Route], config: &Config) -> Option<Reply> {
    match stanza {
        Stanza::Iq(iq) => {
            let reply = config.courtesy.answer(iq, routes)?;
            tracing::debug!(payload = iq.payload_ns(), "answered by the bot itself");
            Some(reply)
        }
        _ => None,
    }
}

fn select(routes: &[Route], incoming: &Incoming, skips: Skips) -> Selection {
    let mut fallback = None;
    for route in routes {
        if !route.accepts_skipping(incoming.stanza(), skips) {
            continue;
        }
        match route.call(incoming, &()) {
            Ok(future) => {
                tracing::debug!(handler = route.name(), "handler selected");
                return Selection::Run(route.name(), future);
            }
            Err(rejection) => match rejection.into_outcome() {
                Outcome::Skip => {}
                Outcome::Fallback(reply) => {
                    fallback.get_or_insert(reply);
                }
                Outcome::Stop(reply) => return Selection::Respond(route.name(), reply),
            },
        }
    }
    Selection::Unhandled(fallback)
}

/// What a stanza no handler takes gets: `service-unavailable` for an iq
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

async fn run(name: &'static str, future: ReplyFuture, config: &Config, stanza: &Stanza) -> Reply {
    let guarded = CatchUnwind { inner: future };
    let outcome = match config.timeout {
        Some(limit) => match tokio::time::timeout(limit, guarded).await {
            Ok(outcome) => outcome,
            Err(_) => {
                tracing::warn!(handler = name, ?limit, "handler timed out");
                return Reply::error(StanzaError::new(Condition::RemoteServerTimeout));
            }
        },
        None => guarded.await,
    };
    outcome.unwrap_or_else(|panic| panicked(name, stanza, &*panic))
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

/// Turns a handler's reply into the answer for `incoming`.
fn resolve(reply: Reply, incoming: &Stanza, receipts: bool) -> Answer {
    if incoming.is_response() {
        if !reply.is_ack() {
            tracing::debug!(
                "reply to a stanza of type {} dropped: mod_rest never answers those",
                incoming.type_str()
            );
        }
        return Answer::accepted();
    }
    let receipt_id = if receipts {
        receipt_request(incoming)
    } else {
        None
    };
    match reply.kind {
        ReplyKind::Stanza(stanza) => resolve_stanza(*stanza, incoming, receipt_id),
        ReplyKind::Ack => match (incoming, receipt_id) {
            (Stanza::Message(m), Some(id)) => Answer::ok(Stanza::Message(receipt_only(m, id))),
            _ => Answer::accepted(),
        },
        ReplyKind::Text(text) => match incoming {
            Stanza::Message(m) => {
                let mut reply = m.reply(text);
                if let Some(id) = receipt_id {
                    add_receipt(&mut reply, id);
                }
                Answer::ok(Stanza::Message(reply))
            }
            other => {
                tracing::error!(
                    "a handler answered a {} with text: text replies are messages and only \
                     answer messages; return a {} instead; answering internal-server-error",
                    other.kind(),
                    other.kind()
                );
                Answer::internal(incoming)
            }
        },
        ReplyKind::Payload(payload) => match incoming {
            Stanza::Iq(iq) if iq.type_.is_request() => {
                let mut result = Iq::new(IqType::Result, Some(payload));
                result.to = iq.from.clone();
                result.from = iq.to.clone();
                result.id = iq.id.clone();
                Answer::ok(Stanza::Iq(result))
            }
            other => {
                tracing::error!(
                    "a handler answered a {} with an iq payload: payloads answer iq requests; \
                     answering internal-server-error",
                    other.kind()
                );
                Answer::internal(incoming)
            }
        },
        ReplyKind::Error(error) => Answer::error(incoming, error),
        ReplyKind::Internal(message) => {
            tracing::error!(error = %message, "answering internal-server-error");
            Answer::internal(incoming)
        }
    }
}

/// A stanza reply: of the incoming kind, with the receipt added to a message.
fn resolve_stanza(stanza: Stanza, incoming: &Stanza, receipt_id: Option<String>) -> Answer {
    match stanza {
        stanza if stanza.kind() != incoming.kind() => {
            tracing::error!(
                "a handler answered a {} with a {}: a webhook reply must be a stanza of the \
                 incoming kind (send other stanzas through /rest); answering internal-server-error",
                incoming.kind(),
                stanza.kind()
            );
            Answer::internal(incoming)
        }
        Stanza::Message(mut reply) => {
            if let Some(id) = receipt_id {
                add_receipt(&mut reply, id);
            }
            Answer::ok(Stanza::Message(reply))
        }
        Stanza::Iq(reply) if !matches!(reply.type_, IqType::Result | IqType::Error) => {
            tracing::warn!(
                "a handler answered an iq with an iq of type {}; mod_rest sends it as a result",
                reply.type_
            );
            Answer::ok(Stanza::Iq(reply))
        }
        stanza => Answer::ok(stanza),
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

/// Polls a handler future, turning a panic into an error value.
struct CatchUnwind {
    inner: ReplyFuture,
}

impl Future for CatchUnwind {
    type Output = Result<Reply, Box<dyn Any + Send>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = &mut self.inner;
        let poll = || panics::in_handler(|| inner.as_mut().poll(cx));
        match catch_unwind(AssertUnwindSafe(poll)) {
            Ok(Poll::Ready(reply)) => Poll::Ready(Ok(reply)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(panic) => Poll::Ready(Err(panic)),
        }
    }
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
