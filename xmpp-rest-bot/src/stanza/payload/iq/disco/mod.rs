//! XEP-0030 service discovery (with XEP-0128 extended information).

mod json;

pub(crate) use json::{DISCO_JSON, ITEMS_JSON};

use super::{DataForm, expect_payload, parse_jid, required_attr};
use crate::stanza::{Element, Jid, Payload, ns};

/// XEP-0030 service discovery information: `<query xmlns="http://jabber.org/protocol/disco#info"/>`.
///
/// Empty in a get; in a result it lists identities, features and XEP-0128
/// extension forms. Other children are kept in [`other`](Self::other).
///
/// ```
/// use xmpp_rest_bot::stanza::{DataForm, DiscoInfo, FormField, Identity, Payload};
///
/// let info = DiscoInfo::new()
///     .with_identity(Identity::bot("Deploy bot"))
///     .with_features(["http://jabber.org/protocol/disco#info", "http://jabber.org/protocol/commands"])
///     .with_extension(
///         DataForm::result()
///             .with_form_type("urn:xmpp:dataforms:softwareinfo")
///             .with_field(FormField::text_single("software", "Software").with_value("deploy-bot")),
///     );
/// assert!(info.has_feature("http://jabber.org/protocol/commands"));
/// assert_eq!(DiscoInfo::from_element(&info.to_element()).unwrap(), info);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct DiscoInfo {
    /// The node queried.
    pub node: Option<String>,
    /// What the entity is.
    pub identities: Vec<Identity>,
    /// The feature namespaces it supports.
    pub features: Vec<String>,
    /// XEP-0128 extended information: data forms of type `result`.
    pub extensions: Vec<DataForm>,
    /// Child elements not modelled here, in document order (written back last).
    pub other: Vec<Element>,
}

impl DiscoInfo {
    /// An empty query (a get), or the start of a result.
    pub fn new() -> Self {
        DiscoInfo::default()
    }

    /// An empty query about `node`.
    pub fn for_node(node: impl Into<String>) -> Self {
        DiscoInfo {
            node: Some(node.into()),
            ..DiscoInfo::default()
        }
    }

    /// Adds an identity.
    #[must_use]
    pub fn with_identity(mut self, identity: Identity) -> Self {
        self.identities.push(identity);
        self
    }

    /// Adds a feature.
    #[must_use]
    pub fn with_feature(mut self, feature: impl Into<String>) -> Self {
        self.features.push(feature.into());
        self
    }

    /// Adds features.
    #[must_use]
    pub fn with_features<F: Into<String>>(mut self, features: impl IntoIterator<Item = F>) -> Self {
        self.features.extend(features.into_iter().map(Into::into));
        self
    }

    /// Adds an XEP-0128 extension form (it should be of type `result` with a `FORM_TYPE`).
    #[must_use]
    pub fn with_extension(mut self, form: DataForm) -> Self {
        self.extensions.push(form);
        self
    }

    /// Whether `feature` is listed.
    pub fn has_feature(&self, feature: &str) -> bool {
        self.features.iter().any(|f| f == feature)
    }

    /// The extension form whose `FORM_TYPE` is `form_type`.
    pub fn extension(&self, form_type: &str) -> Option<&DataForm> {
        self.extensions
            .iter()
            .find(|f| f.form_type() == Some(form_type))
    }

    /// Whether this is the empty query of a get (a node is allowed).
    pub fn is_query(&self) -> bool {
        self.identities.is_empty()
            && self.features.is_empty()
            && self.extensions.is_empty()
            && self.other.is_empty()
    }
}

impl Payload for DiscoInfo {
    const NAME: &'static str = "query";
    const NS: &'static str = ns::DISCO_INFO;

    fn from_element(el: &Element) -> crate::Result<Self> {
        expect_payload::<Self>(el)?;
        let mut info = DiscoInfo {
            node: el.attr("node").map(str::to_owned),
            ..DiscoInfo::default()
        };
        for child in el.children() {
            if child.is("identity", ns::DISCO_INFO) {
                info.identities.push(Identity::from_element(child)?);
            } else if child.is("feature", ns::DISCO_INFO) {
                let var = required_attr(child, "var", "disco#info feature")?;
                info.features.push(var.to_owned());
            } else if DataForm::matches(child) {
                info.extensions.push(DataForm::from_element(child)?);
            } else {
                info.other.push(child.clone());
            }
        }
        Ok(info)
    }

    fn to_element(&self) -> Element {
        Element::builder(Self::NAME, Self::NS)
            .attr_opt("node", self.node.as_deref())
            .children(self.identities.iter().map(Identity::to_element))
            .children(self.features.iter().map(|f| {
                Element::builder("feature", ns::DISCO_INFO)
                    .attr("var", f)
                    .build()
            }))
            .children(self.extensions.iter().map(DataForm::to_element))
            .children(self.other.iter().cloned())
            .build()
    }
}

/// An XEP-0030 identity.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Identity {
    /// The category (`client`, `component`, ...).
    pub category: String,
    /// The type within it (`bot`, ...).
    pub type_: String,
    /// A human-readable name.
    pub name: Option<String>,
    /// The language of the name.
    pub lang: Option<String>,
}

impl Identity {
    /// An identity of `category`/`type_` (see the XMPP registrar's disco categories).
    pub fn new(category: impl Into<String>, type_: impl Into<String>) -> Self {
        Identity {
            category: category.into(),
            type_: type_.into(),
            name: None,
            lang: None,
        }
    }

    /// The `client`/`bot` identity ("an automated conversation bot") named `name`.
    pub fn bot(name: impl Into<String>) -> Self {
        Identity::new("client", "bot").with_name(name)
    }

    /// Sets the name.
    #[must_use]
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets the language of the name.
    #[must_use]
    pub fn with_lang(mut self, lang: impl Into<String>) -> Self {
        self.lang = Some(lang.into());
        self
    }

    fn from_element(el: &Element) -> crate::Result<Self> {
        Ok(Identity {
            category: required_attr(el, "category", "disco#info identity")?.to_owned(),
            type_: required_attr(el, "type", "disco#info identity")?.to_owned(),
            name: el.attr("name").map(str::to_owned),
            lang: el.attr_ns(Some(ns::XML), "lang").map(str::to_owned),
        })
    }

    fn to_element(&self) -> Element {
        let mut el = Element::builder("identity", ns::DISCO_INFO)
            .attr("category", &self.category)
            .attr("type", &self.type_)
            .attr_opt("name", self.name.as_deref());
        if let Some(lang) = &self.lang {
            el = el.attr_ns(ns::XML, "lang", lang);
        }
        el.build()
    }
}

/// XEP-0030 service discovery items: `<query xmlns="http://jabber.org/protocol/disco#items"/>`.
///
/// Other children (such as an XEP-0059 `<set/>`) are kept in [`other`](Self::other).
///
/// ```
/// use xmpp_rest_bot::stanza::{DiscoItem, DiscoItems, Payload};
///
/// let items = DiscoItems::for_node("http://jabber.org/protocol/commands")
///     .with_item(DiscoItem::new("bot@example.net".parse().unwrap()).with_node("deploy").with_name("Deploy"));
/// assert_eq!(DiscoItems::from_element(&items.to_element()).unwrap(), items);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct DiscoItems {
    /// The node queried.
    pub node: Option<String>,
    /// The items.
    pub items: Vec<DiscoItem>,
    /// Child elements not modelled here, in document order (written back last).
    pub other: Vec<Element>,
}

impl DiscoItems {
    /// An empty query (a get), or the start of a result.
    pub fn new() -> Self {
        DiscoItems::default()
    }

    /// An empty query about `node`.
    pub fn for_node(node: impl Into<String>) -> Self {
        DiscoItems {
            node: Some(node.into()),
            ..DiscoItems::default()
        }
    }

    /// Adds an item.
    #[must_use]
    pub fn with_item(mut self, item: DiscoItem) -> Self {
        self.items.push(item);
        self
    }
}

impl Payload for DiscoItems {
    const NAME: &'static str = "query";
    const NS: &'static str = ns::DISCO_ITEMS;

    fn from_element(el: &Element) -> crate::Result<Self> {
        expect_payload::<Self>(el)?;
        let mut items = DiscoItems {
            node: el.attr("node").map(str::to_owned),
            ..DiscoItems::default()
        };
        for child in el.children() {
            if child.is("item", ns::DISCO_ITEMS) {
                items.items.push(DiscoItem::from_element(child)?);
            } else {
                items.other.push(child.clone());
            }
        }
        Ok(items)
    }

    fn to_element(&self) -> Element {
        Element::builder(Self::NAME, Self::NS)
            .attr_opt("node", self.node.as_deref())
            .children(self.items.iter().map(DiscoItem::to_element))
            .children(self.other.iter().cloned())
            .build()
    }
}

/// An XEP-0030 item.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DiscoItem {
    /// The item's address.
    pub jid: Jid,
    /// The node at that address.
    pub node: Option<String>,
    /// A human-readable name.
    pub name: Option<String>,
}

impl DiscoItem {
    /// An item at `jid`.
    pub fn new(jid: Jid) -> Self {
        DiscoItem {
            jid,
            node: None,
            name: None,
        }
    }

    /// Sets the node.
    #[must_use]
    pub fn with_node(mut self, node: impl Into<String>) -> Self {
        self.node = Some(node.into());
        self
    }

    /// Sets the name.
    #[must_use]
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    fn from_element(el: &Element) -> crate::Result<Self> {
        let jid = required_attr(el, "jid", "disco#items item")?;
        Ok(DiscoItem {
            jid: parse_jid(jid, "the \"jid\" of a disco#items item")?,
            node: el.attr("node").map(str::to_owned),
            name: el.attr("name").map(str::to_owned),
        })
    }

    fn to_element(&self) -> Element {
        Element::builder("item", ns::DISCO_ITEMS)
            .attr("jid", self.jid.to_string())
            .attr_opt("node", self.node.as_deref())
            .attr_opt("name", self.name.as_deref())
            .build()
    }
}

#[cfg(test)]
mod tests;
