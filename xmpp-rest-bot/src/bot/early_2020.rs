//! What the early-2020 mod_rest cannot deliver to a bot that receives JSON,
//! said out loud: once at startup for what the bot registered, and once at
//! run time when a request arrives without its payload.
//!
//! That module's JSON mapping knows few payloads. It posts a software version
//! query and an ad-hoc command as bare iqs with no payload, a disco#items
//! query without its node; only chat, ping and disco#info get through. The
//! bot cannot tell which module posts to it before such a request comes, so
//! the startup warning is conditional: the current module is fine.

use std::sync::atomic::{AtomicBool, Ordering};

use super::Config;
use crate::handler::Route;
use crate::reply::Reply;
use crate::stanza::{Condition, Iq, StanzaError, ns};

/// What the user gets for a request whose payload mod_rest dropped.
const DROPPED_PAYLOAD: &str = "this request reached the bot without its payload \
     (the early-2020 mod_rest drops it in JSON)";

/// What `routes` and `config` have that cannot work with the early-2020
/// module in JSON, in words; empty when nothing.
pub(crate) fn unreachable_in_json<S: 'static>(routes: &[Route<S>], config: &Config) -> Vec<String> {
    let mut found = Vec::new();
    if config
        .ad_hoc
        .as_ref()
        .is_some_and(|a| a.registry.has_commands())
    {
        found.push("ad-hoc commands (XEP-0050)".to_owned());
    }
    for route in routes {
        for feature in route.features() {
            let what = match feature {
                ns::VERSION => "software version queries",
                ns::COMMANDS => "ad-hoc commands",
                ns::DISCO_ITEMS => "disco#items queries on a node",
                _ => continue,
            };
            found.push(format!("{what} (handler {})", route.name()));
        }
    }
    found
}

/// Warns when a bot configured for JSON has what the early-2020 module would
/// never deliver to it.
pub(crate) fn warn_at_startup<S: 'static>(routes: &[Route<S>], config: &Config) {
    let found = unreachable_in_json(routes, config);
    if found.is_empty() {
        return;
    }
    tracing::warn!(
        unreachable = %found.join(", "),
        "the bot asks for JSON: if Prosody runs the early-2020 mod_rest, these never \
         reach it (that module's JSON drops their payloads; the current module is fine); \
         with that module use XML (Bot::format(WireFormat::Xml), or \
         rest_callback_content_type = \"application/xmpp+xml\")"
    );
}

/// The answer to an iq request that arrived in JSON with no payload, which
/// is what the early-2020 module makes of the queries it cannot map; `warned`
/// makes the operator's warning a one-off.
pub(crate) fn payload_dropped(iq: &Iq, warned: &AtomicBool) -> Reply {
    if !warned.swap(true, Ordering::Relaxed) {
        tracing::warn!(
            id = iq.id.as_deref().unwrap_or_default(),
            "an iq request arrived in JSON without a payload: the early-2020 mod_rest \
             drops version, ad-hoc and disco#items-node queries in JSON; configure the \
             component with rest_callback_content_type = \"application/xmpp+xml\" \
             (warned once)"
        );
    }
    Reply::error(StanzaError::new(Condition::ServiceUnavailable).with_text(DROPPED_PAYLOAD))
}
