//! The built-in answers: the iq requests every XMPP entity is expected to
//! answer (XEP-0030 service discovery, XEP-0199 ping, XEP-0092 software
//! version), answered by the bot when no route takes them. An interceptor,
//! the outermost one: it looks at what the routes made of a stanza.

use crate::extract::Incoming;
use crate::handler::Route;
use crate::intercept::{Handled, Interceptor, Next};
use crate::reply::Reply;
use crate::stanza::{
    Condition, DiscoInfo, DiscoItem, DiscoItems, Identity, Iq, IqType, Payload, Ping, Stanza,
    StanzaError, Version, ns,
};

/// The built-in answers: what the bot answers by itself to the queries
/// every XMPP entity is expected to answer, when no route takes them. Give
/// them to [`Bot::builtin`](crate::Bot::builtin).
///
#[doc = include_str!("../docs/builtin.md")]
///
/// ```
/// use xmpp_rest_bot::{Bot, software_version};
/// use xmpp_rest_bot::bot::Builtin;
/// use xmpp_rest_bot::stanza::{DiscoInfo, DiscoItem, Identity, ns};
///
/// let me = "bot@bot.example.net".parse().unwrap();
/// let bot: Bot = Bot::new().builtin(
///     Builtin::default()
///         .name("Deploy bot")
///         .software(software_version!().with_os(std::env::consts::OS))
///         .feature("urn:example:deploy")
///         .node_item(ns::COMMANDS, DiscoItem::new(me).with_node("deploy").with_name("Deploy"))
///         .node_info(
///             "deploy",
///             DiscoInfo::new()
///                 .with_identity(Identity::new("automation", "command-node").with_name("Deploy"))
///                 .with_features([ns::COMMANDS, ns::DATA_FORMS]),
///         ),
/// );
/// let info = bot.disco_info();
/// assert_eq!(info.identities[0].name.as_deref(), Some("Deploy bot"));
/// assert!(info.has_feature("urn:example:deploy"));
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct Builtin {
    enabled: bool,
    identity: Option<Identity>,
    name: Option<String>,
    /// `None`: the package of the first attributed handler, else the SDK.
    software: Option<Version>,
    features: Vec<String>,
    items: Vec<DiscoItem>,
    nodes: Vec<Node>,
}

/// A disco node with its own answers (the ad-hoc commands list, a command).
#[derive(Debug, Clone)]
struct Node {
    node: String,
    info: Option<DiscoInfo>,
    items: Vec<DiscoItem>,
}

impl Default for Builtin {
    /// On, with the default identity and software and no extra feature,
    /// item or node.
    fn default() -> Self {
        Builtin {
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

impl Builtin {
    /// Whether the bot answers these queries itself when no handler takes
    /// them (default on). Off, they get what any unhandled iq gets
    /// (`service-unavailable`).
    pub fn enabled(mut self, enabled: bool) -> Self {
        self.enabled = enabled;
        self
    }

    /// The bot's name, shown by clients in service discovery (the name of
    /// its disco#info identity). Default: the software name
    /// ([`software`](Self::software)).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The disco#info identity. Default: category `client`, type `bot` ("an
    /// automated conversation bot"), named by [`name`](Self::name). An
    /// identity without a name gets that name.
    pub fn identity(mut self, identity: Identity) -> Self {
        self.identity = Some(identity);
        self
    }

    /// What the bot answers to XEP-0092 software version requests. Default:
    /// the name and version of the Cargo package of the first handler
    /// registered with an attribute macro (`#[on_message]`, `#[on_iq]`,
    /// `#[on_presence]` read them when your crate compiles), else
    /// `xmpp-rest-bot` and this crate's version; without OS. A library cannot
    /// read your package at run time: for a bot of plain functions or
    /// closures, give it with [`software_version!`](crate::software_version),
    /// with the OS if you want to tell it.
    pub fn software(mut self, software: Version) -> Self {
        self.software = Some(software);
        self
    }

    /// Adds a feature (protocol namespace) to the disco#info answer, for a
    /// protocol the bot implements in a way its routes do not declare (see
    /// [`Route::with_feature`]).
    pub fn feature(mut self, namespace: impl Into<String>) -> Self {
        let namespace = namespace.into();
        if !self.features.contains(&namespace) {
            self.features.push(namespace);
        }
        self
    }

    /// Adds an item to the disco#items answer (without node).
    pub fn item(mut self, item: DiscoItem) -> Self {
        self.items.push(item);
        self
    }

    /// Adds an item to the disco#items answer for `node` (the node becomes
    /// known: a disco#items query on it is answered, with an empty list if
    /// need be).
    pub fn node_item(mut self, node: impl Into<String>, item: DiscoItem) -> Self {
        self.node_mut(node.into()).items.push(item);
        self
    }

    /// The disco#info answer for `node` (replacing an earlier one). Queries
    /// on nodes without one are answered `item-not-found`.
    pub fn node_info(mut self, node: impl Into<String>, info: DiscoInfo) -> Self {
        self.node_mut(node.into()).info = Some(info);
        self
    }
}

/// The software name answered when the bot was given none.
const DEFAULT_SOFTWARE: &str = "xmpp-rest-bot";

/// The features the built-in answers implement.
const BUILTIN_FEATURES: [&str; 4] = [ns::DISCO_INFO, ns::DISCO_ITEMS, ns::PING, ns::VERSION];

impl Builtin {
    fn node_mut(&mut self, node: String) -> &mut Node {
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

    /// The software answered: the configured one, else `package` (of the
    /// first attributed handler), else the SDK.
    fn software_or(&self, package: Option<&Version>) -> Version {
        self.software
            .as_ref()
            .or(package)
            .cloned()
            .unwrap_or_else(|| Version::new(DEFAULT_SOFTWARE, env!("CARGO_PKG_VERSION")))
    }

    /// The identity: the configured one, or `client`/`bot` named after the
    /// configured name, else the software.
    fn current_identity(&self, software: &Version) -> Identity {
        let mut identity = self
            .identity
            .clone()
            .unwrap_or_else(|| Identity::new("client", "bot"));
        if identity.name.is_none() {
            identity.name = self.name.clone().or_else(|| software.name.clone());
        }
        identity
    }

    /// The root disco#info: the identity, and the features of the built-in
    /// answers (when on), of the routes, the `extra` ones (of interceptors)
    /// and the configured ones, each once.
    pub(crate) fn disco_info<S: 'static>(
        &self,
        routes: &[Route<S>],
        package: Option<&Version>,
        extra: &[&str],
    ) -> DiscoInfo {
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
        extra.iter().for_each(|f| add(f));
        self.features.iter().for_each(|f| add(f));
        DiscoInfo::new()
            .with_identity(self.current_identity(&self.software_or(package)))
            .with_features(features)
    }

    /// The interceptor answering with these settings for `routes` (whose
    /// features the root disco#info lists); `None` when switched off.
    pub(crate) fn answers<S: 'static>(
        &self,
        routes: &[Route<S>],
        package: Option<&Version>,
        extra: &[&str],
    ) -> Option<BuiltinAnswers> {
        self.enabled.then(|| BuiltinAnswers {
            disco_info: self.disco_info(routes, package, extra),
            software: self.software_or(package),
            builtin: self.clone(),
        })
    }

    /// The built-in answer to `iq`, when it is a request the bot answers.
    fn answer(&self, iq: &Iq, disco_info: &DiscoInfo, software: &Version) -> Option<Reply> {
        if iq.type_ != IqType::Get {
            return None;
        }
        let payload = iq.payload.as_ref()?;
        if Ping::matches(payload) {
            return Some(Reply::stanza(iq.result::<Ping>(None)));
        }
        if Version::matches(payload) {
            return Some(Reply::stanza(iq.result(Some(software.clone()))));
        }
        if DiscoInfo::matches(payload) {
            return Some(match DiscoInfo::from_element(payload) {
                Err(e) => bad_request(e),
                Ok(query) => match query.node {
                    None => Reply::stanza(iq.result(Some(disco_info.clone()))),
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

/// The built-in answers as an interceptor, with the root disco#info worked
/// out once.
pub(crate) struct BuiltinAnswers {
    builtin: Builtin,
    disco_info: DiscoInfo,
    software: Version,
}

impl Interceptor for BuiltinAnswers {
    async fn intercept(&self, incoming: &mut Incoming, next: Next<'_>) -> Handled {
        let handled = next.run(incoming).await;
        if handled.is_answered() {
            return handled;
        }
        let Stanza::Iq(iq) = incoming.stanza() else {
            return handled;
        };
        match self.builtin.answer(iq, &self.disco_info, &self.software) {
            Some(reply) => {
                tracing::debug!(payload = iq.payload_ns(), "answered by the bot itself");
                Handled::builtin(reply)
            }
            None => handled,
        }
    }
}
