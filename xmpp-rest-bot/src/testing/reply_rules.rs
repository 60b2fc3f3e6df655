//! What mod_rest makes of the webhook's HTTP answer: the stanza the XMPP sender
//! receives. Every rule, as observed on Prosody 0.12.3 with the current module
//! and the early-2020 one (the book's chapter "mod_rest on the wire").

use std::sync::atomic::{AtomicU64, Ordering};

use super::ModRestVersion;
use super::json_quirks::{self, JsonAnswer};
use crate::stanza::{
    Condition, ErrorType, Iq, IqType, Message, MessageType, Presence, PresenceType, Stanza,
    StanzaError,
};
use crate::wire::{Limits, WireFormat};

/// What mod_rest does with the webhook's answer: the stanza the sender
/// receives, and, when a reply the webhook gave is lost on the way, why.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Delivery {
    /// The stanza the sender receives; `None` when mod_rest sends nothing.
    pub stanza: Option<Stanza>,
    /// Why the webhook's reply reaches nobody, when mod_rest drops it (a
    /// message error in JSON written with `"type": "error"`; a disco#info
    /// result in JSON to the early-2020 module).
    pub dropped: Option<String>,
}

impl Delivery {
    fn sent(stanza: Stanza) -> Self {
        Delivery {
            stanza: Some(stanza),
            dropped: None,
        }
    }

    fn nothing() -> Self {
        Delivery {
            stanza: None,
            dropped: None,
        }
    }
}

/// What `version` of mod_rest sends to the sender of `incoming` when the
/// webhook answered with `status`, `content_type` and `body`.
///
/// The rules:
/// - an incoming stanza of type `error` or `result` is never answered;
/// - 202 and 204 mean no reply, except for an iq get/set, which gets an empty result
///   (receipt requests are not answered: a real Prosody 0.12.3 sends nothing);
/// - any other status: the body is parsed by its content type (`application/xmpp+xml`,
///   `application/json`, `application/x-www-form-urlencoded`, `text/plain` as a chat
///   message); a stanza of the incoming kind becomes the reply, with `from`/`to`
///   swapped (a groupchat reply goes to the room), its own id or a new one, its own
///   type and language; an error reply or an iq reply takes the incoming id; an iq
///   reply that is not an error becomes a `result`;
/// - a body that does not parse or is of another kind is ignored: a 2xx then yields an
///   empty reply of the incoming kind and type, any other status an error reply whose
///   condition comes from the status ([`condition_for_status`]) and whose text
///   is the status line;
/// - a JSON body goes through the mapping as mod_rest really applies it: a
///   message error written with `"type": "error"` is dropped (nothing is
///   sent, [`Delivery::dropped`] says why), the fields of a data form with
///   several come out nested, an ad-hoc note beside actions is dropped; the
///   early-2020 module keeps only the keys it knows (chat keys; of an iq
///   result, none: an empty result), and a disco#info result reaches nobody.
///
/// ```
/// use xmpp_rest_bot::stanza::{Condition, Message, Stanza};
/// use xmpp_rest_bot::testing::{ModRestVersion, mod_rest_reply};
///
/// let incoming = Stanza::Message(
///     Message::chat("bot@bot.example.net".parse().unwrap(), "hi")
///         .with_from("alice@example.org/phone".parse().unwrap())
///         .with_id("m1"),
/// );
/// let reply = mod_rest_reply(ModRestVersion::Current, &incoming, 404, None, b"");
/// let err = reply.stanza.as_ref().and_then(Stanza::stanza_error).unwrap();
/// assert_eq!(err.condition, Condition::ItemNotFound);
/// assert_eq!(err.text.as_deref(), Some("404 Not Found"));
///
/// let typed = br#"{"kind":"message","type":"error","error":{"type":"auth","condition":"forbidden"}}"#;
/// let lost = mod_rest_reply(ModRestVersion::Current, &incoming, 403, Some("application/json"), typed);
/// assert!(lost.stanza.is_none());
/// assert!(lost.dropped.unwrap().contains("without \"type\""));
/// ```
pub fn mod_rest_reply(
    version: ModRestVersion,
    incoming: &Stanza,
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
) -> Delivery {
    if incoming.is_response() {
        return Delivery::nothing();
    }
    if status == 202 || status == 204 {
        return match incoming {
            Stanza::Iq(iq) => Delivery::sent(Stanza::Iq(empty_iq_result(iq))),
            _ => Delivery::nothing(),
        };
    }
    match parse_body(version, content_type, body) {
        JsonAnswer::Dropped(why) => {
            tracing::error!(reason = %why, "mod_rest drops the webhook's reply");
            return Delivery {
                stanza: None,
                dropped: Some(why),
            };
        }
        JsonAnswer::Parsed(parsed) if parsed.kind() == incoming.kind() => {
            return Delivery::sent(rewrite(incoming, *parsed));
        }
        JsonAnswer::Parsed(parsed) => tracing::warn!(
            got = %parsed.kind(),
            expected = %incoming.kind(),
            "REST callback responded with the wrong stanza type"
        ),
        JsonAnswer::Unparsed => {}
    }
    if (200..300).contains(&status) {
        return Delivery::sent(empty_reply(incoming));
    }
    let (type_, condition) = condition_for_status(status);
    let error = StanzaError::new(condition)
        .with_type(type_)
        .with_text(status_line(status));
    Delivery::sent(incoming.error(error))
}

/// The error type and condition mod_rest derives from an HTTP status.
pub fn condition_for_status(status: u16) -> (ErrorType, Condition) {
    use Condition::*;
    let condition = match status {
        400 | 411 | 416 | 422 => BadRequest,
        401 => NotAuthorized,
        402 => PaymentRequired,
        403 | 451 => Forbidden,
        404 => ItemNotFound,
        405 => NotAllowed,
        406 => NotAcceptable,
        407 => RegistrationRequired,
        408 | 502 | 504 => RemoteServerTimeout,
        409 | 412 => Conflict,
        410 => Gone,
        413 | 414 | 423 | 429 | 431 => ResourceConstraint,
        415 | 501 => FeatureNotImplemented,
        500 => InternalServerError,
        503 => ServiceUnavailable,
        _ => UndefinedCondition,
    };
    let type_ = match status {
        423 | 429 | 500 => ErrorType::Wait,
        _ => ErrorType::Cancel,
    };
    (type_, condition)
}

/// `"404 Not Found"`: the text mod_rest puts in an error reply.
fn status_line(status: u16) -> String {
    match axum::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
    {
        Some(reason) => format!("{status} {reason}"),
        None => status.to_string(),
    }
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// A fresh id, as Prosody's `id.medium()` would make.
pub(crate) fn new_id() -> String {
    format!("prosody-{}", NEXT_ID.fetch_add(1, Ordering::Relaxed))
}

fn empty_iq_result(iq: &Iq) -> Iq {
    let mut reply = Iq::new(IqType::Result, None);
    reply.to = iq.from.clone();
    reply.from = iq.to.clone();
    reply.id = iq.id.clone();
    reply
}

/// `st.reply(stanza)`: addresses swapped, type kept; a new id except for iqs.
fn empty_reply(incoming: &Stanza) -> Stanza {
    match incoming {
        Stanza::Message(m) => {
            let mut reply = Message::new(m.type_);
            reply.to = m.from.clone();
            reply.from = m.to.clone();
            reply.id = Some(new_id());
            Stanza::Message(reply)
        }
        Stanza::Presence(p) => {
            let mut reply = Presence::new(p.type_);
            reply.to = p.from.clone();
            reply.from = p.to.clone();
            reply.id = Some(new_id());
            Stanza::Presence(reply)
        }
        Stanza::Iq(iq) => Stanza::Iq(empty_iq_result(iq)),
    }
}

/// Rewrites the attributes of a parsed reply as mod_rest does.
fn rewrite(incoming: &Stanza, parsed: Stanza) -> Stanza {
    let to = incoming.from().cloned();
    let from = incoming.to().cloned();
    let incoming_id = incoming.id().map(str::to_owned);
    // mod_rest checks for an absent type attribute; the model cannot tell an
    // absent message type from "normal", nor an absent presence type from
    // "available", so those count as absent.
    let incoming_untyped = match incoming {
        Stanza::Message(m) => m.type_ == MessageType::Normal,
        Stanza::Presence(p) => p.type_ == PresenceType::Available,
        Stanza::Iq(_) => false,
    };
    match parsed {
        Stanza::Message(mut m) => {
            m.to = if m.type_ == MessageType::Groupchat {
                to.map(|j| j.to_bare().into())
            } else {
                to
            };
            m.from = from;
            if incoming_untyped && m.error.is_some() {
                m.type_ = MessageType::Error;
            }
            m.id = if m.type_ == MessageType::Error {
                incoming_id
            } else {
                m.id.or_else(|| Some(new_id()))
            };
            Stanza::Message(m)
        }
        Stanza::Presence(mut p) => {
            p.to = to;
            p.from = from;
            if incoming_untyped && p.error.is_some() {
                p.type_ = PresenceType::Error;
            }
            p.id = if p.type_ == PresenceType::Error {
                incoming_id
            } else {
                p.id.or_else(|| Some(new_id()))
            };
            Stanza::Presence(p)
        }
        Stanza::Iq(mut iq) => {
            iq.to = to;
            iq.from = from;
            iq.id = incoming_id;
            if iq.type_ != IqType::Error {
                iq.type_ = IqType::Result;
            }
            Stanza::Iq(iq)
        }
    }
}

/// Parses the webhook's answer body the way mod_rest does (a body that does
/// not parse is logged and ignored).
fn parse_body(version: ModRestVersion, content_type: Option<&str>, body: &[u8]) -> JsonAnswer {
    let Some(content_type) = content_type else {
        return JsonAnswer::Unparsed;
    };
    let essence = super::media_type(content_type);
    let limits = Limits::default();
    let parsed = match essence.as_str() {
        "application/xmpp+xml" => WireFormat::Xml.decode(body, &limits),
        // The JSON reader infers a missing `kind` (and an iq's `type`) as mod_rest does.
        "application/json" => return json_quirks::answer(version, body),
        "application/x-www-form-urlencoded" => match std::str::from_utf8(body) {
            Ok(text) => crate::wire::json::from_value(form_to_json(text)),
            Err(_) => return JsonAnswer::Unparsed,
        },
        "text/plain" => {
            let Ok(text) = std::str::from_utf8(body) else {
                return JsonAnswer::Unparsed;
            };
            let msg = Message::new(MessageType::Chat).with_body(text);
            return JsonAnswer::Parsed(Box::new(Stanza::Message(msg)));
        }
        _ => return JsonAnswer::Unparsed,
    };
    match parsed {
        Ok(stanza) => JsonAnswer::Parsed(Box::new(stanza)),
        Err(err) => {
            tracing::warn!(%err, "Failed parsing data from REST callback");
            JsonAnswer::Unparsed
        }
    }
}

/// `a=1&b=x%20y` as a flat JSON object of strings.
fn form_to_json(text: &str) -> serde_json::Value {
    use crate::encoding::percent_decode;
    let mut map = serde_json::Map::new();
    for pair in text.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let decode = |s: &str| percent_decode(&s.replace('+', " "));
        map.insert(decode(key), decode(value).into());
    }
    serde_json::Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines_and_conditions() {
        assert_eq!(status_line(418), "418 I'm a teapot");
        assert_eq!(status_line(599), "599");
        assert_eq!(
            condition_for_status(500),
            (ErrorType::Wait, Condition::InternalServerError)
        );
        assert_eq!(
            condition_for_status(418),
            (ErrorType::Cancel, Condition::UndefinedCondition)
        );
    }
}
