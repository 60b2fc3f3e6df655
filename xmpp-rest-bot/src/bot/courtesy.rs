//! Protocol courtesy: the iq requests every XMPP entity is expected to answer
//! (XEP-0030 service discovery, XEP-0199 ping, XEP-0092 software version),
//! answered by the bot when no handler of the user takes them.

use crate::handler::Route;
use crate::reply::Reply;
use crate::stanza::{
    Condition, DiscoInfo, DiscoItem, DiscoItems, Identity, Iq, IqType, Payload, Ping, StanzaError,
    Version, ns,
};

/// What the built-in answers say.
#[derive(Debug, Clone)]
pub(crate) struct Courtesy {
    pub(crate) enabled: bool,
    pub(crate) identity: Option<Identity>,
    pub(crate) name: Option<String>,
    /// Chosen by `Bot::software` or from the package of the first
    /// attributed handler; `None`: the SDK's name and version.
    pub(crate) software: Option<Version>,
    pub(crate) features: Vec<String>,
    pub(crate) items: Vec<DiscoItem>,
    pub(crate) nodes: Vec<Node>,
}

/// A disco node registered by a plugin (the ad-hoc commands list, a command).
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub(crate) node: String,
    pub(crate) info: Option<DiscoInfo>,
    pub(crate) items: Vec<DiscoItem>,
}

impl Default for Courtesy {
    fn default() -> Self {
        Courtesy {
            enabled: true,
            identity: None,
            name: None,
            software: None,
            features: Vec::new(),
            items: Vec::new(),
            nodes: Vec::new(),
        }
    }
}

/// The software name answered when the bot was given none.
pub(crate) const DEFAULT_SOFTWARE: &str = "xmpp-rest-bot";

/// The features the built-in answers implement.
pub(crate) const BUILTIN_FEATURES: [&str; 4] =
    [ns::DISCO_INFO, ns::DISCO_ITEMS, ns::PING, ns::VERSION];

impl Courtesy {
    pub(crate) fn node_mut(&mut self, node: String) -> &mut Node {
        let index = match self.nodes.iter().position(|n| n.node == node) {
            Some(index) => index,
            None => {
                self.nodes.push(Node {
                    node,
                    info: None,
                    items: Vec::new(),
                });
                self.nodes.len() - 1
            }
        };
        &mut self.nodes[index]
    }

    /// The identity: the configured one, or `client`/`bot` named after the
    /// configured name, else the software.
    pub(crate) fn identity(&self) -> Identity {
        let mut identity = self
            .identity
            .clone()
            .unwrap_or_else(|| Identity::new("client", "bot"));
        if identity.name.is_none() {
            identity.name = self
                .name
                .clone()
                .or_else(|| self.software.as_ref().and_then(|v| v.name.clone()))
                .or_else(|| Some(DEFAULT_SOFTWARE.to_owned()));
        }
        identity
    }

    /// The root disco#info: the identity, and the features of the built-in
    /// answers (when on), of the routes and of plugins, each once.
    pub(crate) fn disco_info<S: 'static>(&self, routes: &[Route<S>]) -> DiscoInfo {
        let mut features: Vec<String> = Vec::new();
        let mut add = |feature: &str| {
            if !features.iter().any(|f| f == feature) {
                features.push(feature.to_owned());
            }
        };
        if self.enabled {
            BUILTIN_FEATURES.iter().for_each(|f| add(f));
        }
        for route in routes {
            route.features().for_each(&mut add);
        }
        self.features.iter().for_each(|f| add(f));
        DiscoInfo::new()
            .with_identity(self.identity())
            .with_features(features)
    }

    /// The built-in answer to `iq`, when it is a request the bot answers.
    pub(crate) fn answer<S: 'static>(&self, iq: &Iq, routes: &[Route<S>]) -> Option<Reply> {
        if !self.enabled || iq.type_ != IqType::Get {
            return None;
        }
        let payload = iq.payload.as_ref()?;
        if Ping::matches(payload) {
            return Some(Reply::stanza(iq.result::<Ping>(None)));
        }
        if Version::matches(payload) {
            let software = self
                .software
                .clone()
                .unwrap_or_else(|| Version::new(DEFAULT_SOFTWARE, env!("CARGO_PKG_VERSION")));
            return Some(Reply::stanza(iq.result(Some(software))));
        }
        if DiscoInfo::matches(payload) {
            return Some(match DiscoInfo::from_element(payload) {
                Err(e) => bad_request(e),
                Ok(query) => match query.node {
                    None => Reply::stanza(iq.result(Some(self.disco_info(routes)))),
                    Some(node) => match self.nodes.iter().find(|n| n.node == node) {
                        Some(Node {
                            info: Some(info), ..
                        }) => {
                            let mut info = info.clone();
                            info.node = Some(node);
                            Reply::stanza(iq.result(Some(info)))
                        }
                        _ => Reply::error(Condition::ItemNotFound),
                    },
                },
            });
        }
        if DiscoItems::matches(payload) {
            return Some(match DiscoItems::from_element(payload) {
                Err(e) => bad_request(e),
                Ok(query) => match query.node {
                    None => {
                        let items = DiscoItems {
                            items: self.items.clone(),
                            ..DiscoItems::new()
                        };
                        Reply::stanza(iq.result(Some(items)))
                    }
                    Some(node) => match self.nodes.iter().find(|n| n.node == node) {
                        Some(found) => {
                            let items = DiscoItems {
                                items: found.items.clone(),
                                ..DiscoItems::for_node(node)
                            };
                            Reply::stanza(iq.result(Some(items)))
                        }
                        None => Reply::error(Condition::ItemNotFound),
                    },
                },
            });
        }
        None
    }
}

fn bad_request(e: crate::Error) -> Reply {
    Reply::error(StanzaError::new(Condition::BadRequest).with_text(e.to_string()))
}
