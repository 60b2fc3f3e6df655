//! How the emulator answers an iq: canned replies, responders or its own
//! defaults, within mod_rest's wait, addressed as Prosody addresses them.

use std::time::Duration;

use axum::http::StatusCode;
use axum::response::Response;

use super::Shared;
use super::failure::{IQ_TIMEOUT, error_response};
use super::handler::{Incoming, body_response, record};
use crate::stanza::{
    Condition, DiscoInfo, DiscoItems, Identity, Iq, IqType, Jid, Ping, Stanza, Version, ns,
};
use crate::wire::WireFormat;

/// mod_rest's default wait for an iq answer (`rest_iq_timeout`).
const DEFAULT_IQ_TIMEOUT: f64 = 120.0;
/// mod_rest's cap on `Prosody-Rest-Timeout` (`rest_iq_max_timeout`).
const MAX_IQ_TIMEOUT: f64 = 300.0;

pub(super) async fn answer_iq(
    shared: &Shared,
    request: &Incoming<'_>,
    iq: Iq,
    from: &Jid,
    format: WireFormat,
) -> Response {
    record(shared, Stanza::Iq(iq.clone()));
    let legacy = shared.config.legacy.is_some();
    let wait = if legacy {
        DEFAULT_IQ_TIMEOUT
    } else {
        request
            .headers
            .get("prosody-rest-timeout")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|secs| secs.is_finite() && *secs >= 0.0)
            .unwrap_or(DEFAULT_IQ_TIMEOUT)
            .min(MAX_IQ_TIMEOUT)
    };
    let wait = Duration::from_secs_f64(wait);

    let (delay, replies) = {
        let mut state = shared.state();
        let canned = state.iq_replies.pop_front();
        let responder = state
            .responders
            .iter()
            .rev()
            .find(|(ns, _)| iq.payload_ns() == Some(ns.as_str()))
            .map(|(_, r)| r.clone());
        (state.iq_delay, (canned, responder))
    };
    let replies = match replies {
        (Some(canned), _) => canned,
        (None, Some(responder)) => responder(&iq),
        (None, None) => default_reply(&iq),
    };

    let Some(last_iq) = replies.iter().rposition(|s| matches!(s, Stanza::Iq(_))) else {
        // Never answered: mod_rest gives up after the wait.
        tokio::time::sleep(wait).await;
        return error_response(shared, request.headers, IQ_TIMEOUT.into(), None);
    };
    if delay > wait {
        tokio::time::sleep(wait).await;
        return error_response(shared, request.headers, IQ_TIMEOUT.into(), None);
    }
    tokio::time::sleep(delay).await;

    let mut replies: Vec<Stanza> = replies.into_iter().take(last_iq + 1).collect();
    for (i, stanza) in replies.iter_mut().enumerate() {
        match stanza {
            Stanza::Iq(reply) if i == last_iq => {
                reply.id.clone_from(&iq.id);
                reply.from = Some(iq.to.clone().unwrap_or_else(|| Jid::from(from.to_bare())));
                reply.to = Some(from.clone());
                if reply.type_.is_request() {
                    reply.type_ = IqType::Result;
                }
            }
            Stanza::Message(m) => {
                m.to.get_or_insert_with(|| from.clone());
            }
            Stanza::Presence(p) => {
                p.to.get_or_insert_with(|| from.clone());
            }
            Stanza::Iq(other) => {
                other.to.get_or_insert_with(|| from.clone());
            }
        }
    }
    // The early module returns the iq alone.
    if legacy || replies.len() == 1 {
        let Some(last) = replies.pop() else {
            return error_response(shared, request.headers, IQ_TIMEOUT.into(), None);
        };
        return body_response(StatusCode::OK, format, format.encode(&last));
    }
    body_response(StatusCode::OK, format, encode_wrapper(format, &replies))
}

/// The built-in answers: ping, version, disco#info, disco#items; anything else
/// is `service-unavailable`.
fn default_reply(iq: &Iq) -> Vec<Stanza> {
    let reply = match iq.payload_ns() {
        Some(ns::PING) => iq.result(None::<Ping>),
        Some(ns::VERSION) => iq.result(Some(Version::new("Prosody", "0.12.3").with_os("Linux"))),
        Some(ns::DISCO_INFO) => {
            let info = match iq.payload.as_ref().and_then(|p| p.attr("node")) {
                Some(node) => DiscoInfo::for_node(node),
                None => DiscoInfo::new(),
            };
            iq.result(Some(
                info.with_identity(Identity::new("server", "im").with_name("Prosody"))
                    .with_features([ns::DISCO_INFO, ns::DISCO_ITEMS, ns::PING, ns::VERSION]),
            ))
        }
        Some(ns::DISCO_ITEMS) => iq.result(Some(
            match iq.payload.as_ref().and_then(|p| p.attr("node")) {
                Some(node) => DiscoItems::for_node(node),
                None => DiscoItems::new(),
            },
        )),
        _ => iq.error_reply(Condition::ServiceUnavailable),
    };
    vec![Stanza::Iq(reply)]
}

/// Several stanzas: `<xmpp>...</xmpp>` or `{"xmpp": [...]}`.
fn encode_wrapper(format: WireFormat, stanzas: &[Stanza]) -> Vec<u8> {
    match format {
        WireFormat::Json => {
            let items: Vec<serde_json::Value> =
                stanzas.iter().map(crate::wire::json::to_value).collect();
            serde_json::to_vec(&serde_json::json!({ "xmpp": items })).unwrap_or_default()
        }
        _ => {
            let mut out = b"<xmpp>".to_vec();
            for stanza in stanzas {
                out.extend_from_slice(&WireFormat::Xml.encode(stanza));
            }
            out.extend_from_slice(b"</xmpp>");
            out
        }
    }
}
