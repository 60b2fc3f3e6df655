//! An iq responder: answers queries of its own little protocol (a payload type
//! of its own, implementing `Payload`), and the two queries every XMPP entity
//! should answer, software version (XEP-0092) and ping (XEP-0199).
//!
//! The protocol: an iq `get` carrying `<host xmlns="urn:example:inventory"
//! name="web1"/>` is answered with that element completed with the host's
//! `address` and `role`, or with an `item-not-found` error.
//!
//! Run it (the address defaults to 127.0.0.1:8080):
//!
//! ```sh
//! cargo run --example iq_responder -- 127.0.0.1:8080
//! ```
//!
//! and query it as mod_rest would post a client's iq:
//!
//! ```sh
//! curl -i http://127.0.0.1:8080/ -H 'Content-Type: application/xmpp+xml' \
//!   -d "<iq type='get' id='q1' from='alice@localhost/laptop' to='bot.localhost'><host xmlns='urn:example:inventory' name='web1'/></iq>"
//! ```
//!
//! Payloads of your own need the XML format (the default): mod_rest's JSON
//! mapping drops the elements it does not know.

// ANCHOR: uses
use tracing_subscriber::EnvFilter;
use xmpp_rest_bot::prelude::*;
use xmpp_rest_bot::stanza::{Element, Ping, Version};
// ANCHOR_END: uses

// ANCHOR: payload
/// `<host xmlns="urn:example:inventory" name="..." address="..." role="..."/>`:
/// a query names the host, the answer adds what the inventory knows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Host {
    pub(crate) name: Option<String>,
    pub(crate) address: Option<String>,
    pub(crate) role: Option<String>,
}

impl Payload for Host {
    const NAME: &'static str = "host";
    const NS: &'static str = "urn:example:inventory";

    // Lenient on purpose: the handler decides what a valid query is, and
    // answers with an error the sender can read.
    fn from_element(el: &Element) -> xmpp_rest_bot::Result<Self> {
        let attr = |name| el.attr(name).map(str::to_owned);
        Ok(Host {
            name: attr("name"),
            address: attr("address"),
            role: attr("role"),
        })
    }

    fn to_element(&self) -> Element {
        Element::builder(Self::NAME, Self::NS)
            .attr_opt("name", self.name.as_deref())
            .attr_opt("address", self.address.as_deref())
            .attr_opt("role", self.role.as_deref())
            .build()
    }
}
// ANCHOR_END: payload

/// The inventory: name, address, role. A real bot would ask a database or an
/// API (give the handler a `State` with the connection pool).
const INVENTORY: &[(&str, &str, &str)] = &[
    ("web1", "192.0.2.10", "frontend"),
    ("db1", "192.0.2.20", "database"),
];

// ANCHOR: handler
/// `IqPayload<Host>` only takes iqs carrying a `<host/>`; `get` leaves out the
/// `set`s, which no handler takes: the sender gets `service-unavailable`.
#[on_iq(get)]
async fn lookup(IqPayload(query): IqPayload<Host>) -> Result<IqResult<Host>, StanzaError> {
    let Some(name) = query.name else {
        return Err(StanzaError::new(Condition::BadRequest).with_text("<host/> needs a name"));
    };
    match INVENTORY.iter().find(|(known, ..)| *known == name) {
        Some((_, address, role)) => Ok(IqResult(Host {
            name: Some(name),
            address: Some((*address).to_owned()),
            role: Some((*role).to_owned()),
        })),
        None => Err(StanzaError::new(Condition::ItemNotFound)
            .with_text(format!("no host named {name:?} in the inventory"))),
    }
}
// ANCHOR_END: handler

// ANCHOR: builtin
/// XEP-0092: clients show this in the contact's details.
#[on_iq(get)]
async fn version(_query: Version) -> Version {
    Version::new("inventory-bot", "1.0.0")
}

/// XEP-0199: the pong is an empty iq result. Returning `()` answers HTTP 202,
/// which mod_rest turns into exactly that.
#[on_iq(get)]
async fn ping(_ping: Ping) {}
// ANCHOR_END: builtin

/// The bot, apart from serving it: `tests/examples.rs` drives it through
/// `testing::TestProsody`.
pub(crate) fn bot() -> Bot {
    Bot::new().handler(lookup).handler(version).handler(ping)
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    // Logs: one line per stanza, and when the bot starts and stops
    // (RUST_LOG=debug for why a handler did or did not take a stanza).
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    tracing_subscriber::fmt().with_env_filter(filter).init();
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    bot().serve(addr).await
}
