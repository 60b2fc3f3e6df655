//! Iq payloads: ping, software version, service discovery, ad-hoc commands, data forms.
//!
//! Every type here implements [`Payload`]: `from_element` checks the element's
//! name and namespace, rejects missing required attributes with a clear error,
//! and keeps child elements it does not model in an `other` field that
//! `to_element` writes back, so an element survives element → payload → element.

mod command;
mod disco;
mod form;

pub use command::{AdHocActions, AdHocCommand, AdHocNote};
pub use disco::{DiscoInfo, DiscoItem, DiscoItems, Identity};
pub use form::{DataForm, FormField, FormOption};
pub(crate) use form::{dataform_from_json, dataform_to_json, formdata_from_json};

use serde_json::{Map, Value};

use crate::error::snippet;
use crate::stanza::mapping::json::Obj;
use crate::stanza::mapping::json::type_error;
use crate::stanza::mapping::{IqJson, insert_opt};
use crate::stanza::{Element, Jid, Payload, ns};

/// Fails unless `el` is `P`'s element.
pub(crate) fn expect_payload<P: Payload>(el: &Element) -> crate::Result<()> {
    if P::matches(el) {
        Ok(())
    } else {
        Err(crate::Error::invalid(format!(
            "expected <{} xmlns='{}'/>, found <{} xmlns='{}'/>",
            P::NAME,
            P::NS,
            el.name(),
            el.ns()
        )))
    }
}

/// The required attribute `attr` of `el`, described as `what` in the error.
pub(crate) fn required_attr<'a>(el: &'a Element, attr: &str, what: &str) -> crate::Result<&'a str> {
    el.attr(attr)
        .ok_or_else(|| crate::Error::invalid(format!("{what} is missing the {attr:?} attribute")))
}

/// Parses a JID attribute value, naming `what` in the error.
pub(crate) fn parse_jid(value: &str, what: &str) -> crate::Result<Jid> {
    Jid::new(value).map_err(|e| {
        crate::Error::invalid(format!(
            "{what} is not a valid jid ({}): {e}",
            snippet(value)
        ))
        .with_source(e)
    })
}

/// XEP-0199 ping: `<ping xmlns="urn:xmpp:ping"/>`.
///
/// The XEP defines no content: children of a received ping are ignored.
///
/// ```
/// use xmpp_rest_bot::stanza::{Iq, Payload, Ping};
///
/// let iq = Iq::get(Ping);
/// assert!(Ping::matches(iq.payload.as_ref().unwrap()));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Ping;

impl Payload for Ping {
    const NAME: &'static str = "ping";
    const NS: &'static str = ns::PING;

    fn from_element(el: &Element) -> crate::Result<Self> {
        expect_payload::<Self>(el)?;
        Ok(Ping)
    }

    fn to_element(&self) -> Element {
        Element::new(Self::NAME, Self::NS)
    }
}

/// XEP-0092 software version: `<query xmlns="jabber:iq:version"/>`.
///
/// Empty in a get; filled in a result.
///
/// ```
/// use xmpp_rest_bot::stanza::{Payload, Version};
///
/// let v = Version::new("echo-bot", "1.2.0").with_os("Linux");
/// let el = v.to_element();
/// assert_eq!(el.child_text("name", "jabber:iq:version").as_deref(), Some("echo-bot"));
/// assert_eq!(Version::from_element(&el).unwrap(), v);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Version {
    /// The software's name.
    pub name: Option<String>,
    /// Its version.
    pub version: Option<String>,
    /// The operating system.
    pub os: Option<String>,
    /// Child elements not modelled here, in document order (written back as they were).
    pub other: Vec<Element>,
}

impl Version {
    /// A version answer: software `name` at `version`.
    pub fn new(name: impl Into<String>, version: impl Into<String>) -> Self {
        Version {
            name: Some(name.into()),
            version: Some(version.into()),
            ..Version::default()
        }
    }

    /// Sets the operating system.
    #[must_use]
    pub fn with_os(mut self, os: impl Into<String>) -> Self {
        self.os = Some(os.into());
        self
    }

    /// Whether this is the empty query of a get.
    pub fn is_query(&self) -> bool {
        self.name.is_none() && self.version.is_none() && self.os.is_none() && self.other.is_empty()
    }
}

impl Payload for Version {
    const NAME: &'static str = "query";
    const NS: &'static str = ns::VERSION;

    fn from_element(el: &Element) -> crate::Result<Self> {
        expect_payload::<Self>(el)?;
        let mut v = Version::default();
        for child in el.children() {
            let slot = match (child.ns() == ns::VERSION, child.name()) {
                (true, "name") => &mut v.name,
                (true, "version") => &mut v.version,
                (true, "os") => &mut v.os,
                _ => {
                    v.other.push(child.clone());
                    continue;
                }
            };
            if slot.is_some() {
                v.other.push(child.clone());
            } else {
                *slot = Some(child.text());
            }
        }
        Ok(v)
    }

    fn to_element(&self) -> Element {
        let text = |name: &str, value: &Option<String>| {
            value
                .as_ref()
                .map(|v| Element::builder(name, ns::VERSION).text(v).build())
        };
        Element::builder(Self::NAME, Self::NS)
            .children(text("name", &self.name))
            .children(text("version", &self.version))
            .children(text("os", &self.os))
            .children(self.other.iter().cloned())
            .build()
    }
}

// ---------------------------------------------------------------- JSON

/// `"version"`: `true` (a get) or `{name, version, os}`.
fn version_from_json(v: Value, path: &str) -> crate::Result<(Version, Map<String, Value>)> {
    if let Value::Bool(_) = v {
        return Ok((Version::default(), Map::new()));
    }
    let mut o = Obj::new(v, path)?;
    let version = Version {
        name: o.string("name")?,
        version: o.string("version")?,
        os: o.string("os")?,
        other: Vec::new(),
    };
    Ok((version, o.into_rest()))
}

fn version_to_json(v: &Version) -> Value {
    let mut out = Map::new();
    insert_opt(&mut out, "name", v.name.as_deref());
    insert_opt(&mut out, "version", v.version.as_deref());
    insert_opt(&mut out, "os", v.os.as_deref());
    Value::Object(out)
}

/// `ping`: `true` (`false`: no payload).
const PING_JSON: IqJson = IqJson {
    key: "ping",
    matches: Ping::matches,
    read: |v, path| match v {
        Value::Bool(true) => Ok((Some(Ping.to_element()), Map::new())),
        Value::Bool(false) => Ok((None, Map::new())),
        other => Err(type_error("a boolean", &other, path)),
    },
    write: |_| Some(Value::Bool(true)),
};

/// `version`.
const VERSION_JSON: IqJson = IqJson {
    key: "version",
    matches: Version::matches,
    read: |v, path| {
        let (version, rest) = version_from_json(v, path)?;
        Ok((Some(version.to_element()), rest))
    },
    write: |el| Version::from_element(el).ok().map(|v| version_to_json(&v)),
};

/// The iq payloads with a mod_rest JSON key, in the order the keys are
/// read (the first one found is the iq's payload).
pub(crate) static IQ_JSON: &[IqJson] = &[
    PING_JSON,
    VERSION_JSON,
    disco::DISCO_JSON,
    disco::ITEMS_JSON,
    command::JSON,
    crate::stanza::payload::oob::IQ_JSON,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ping_round_trip() {
        let el = Ping.to_element();
        assert!(el.is("ping", ns::PING));
        assert_eq!(Ping::from_element(&el).unwrap(), Ping);
        assert_eq!(Ping::from_element(&el).unwrap().to_element(), el);
    }

    #[test]
    fn ping_rejects_other_elements() {
        let err = Ping::from_element(&Element::new("ping", "urn:other")).unwrap_err();
        assert!(err.is_invalid());
        assert!(
            err.to_string()
                .contains("expected <ping xmlns='urn:xmpp:ping'/>"),
            "{err}"
        );
    }

    #[test]
    fn version_round_trip() {
        let el = Element::builder("query", ns::VERSION)
            .child(
                Element::builder("name", ns::VERSION)
                    .text("Prosody")
                    .build(),
            )
            .child(
                Element::builder("version", ns::VERSION)
                    .text("0.12.3")
                    .build(),
            )
            .child(Element::builder("os", ns::VERSION).text("Linux").build())
            .build();
        let v = Version::from_element(&el).unwrap();
        assert_eq!(v, Version::new("Prosody", "0.12.3").with_os("Linux"));
        assert_eq!(v.to_element(), el);
    }

    #[test]
    fn version_get_is_empty() {
        let v = Version::from_element(&Element::new("query", ns::VERSION)).unwrap();
        assert!(v.is_query());
        assert!(v.to_element().is_empty());
    }

    #[test]
    fn version_keeps_unknown_children() {
        let el = Element::builder("query", ns::VERSION)
            .child(Element::builder("name", ns::VERSION).text("bot").build())
            .child(
                Element::builder("build", "urn:example:build")
                    .attr("id", "7")
                    .build(),
            )
            .build();
        let v = Version::from_element(&el).unwrap();
        assert_eq!(v.other.len(), 1);
        assert_eq!(v.to_element(), el);
    }

    #[test]
    fn snippet_cuts_long_values_on_char_boundaries() {
        let long = "é".repeat(100);
        let s = snippet(&long);
        assert!(s.ends_with("..."));
        assert!(s.len() < 80);
        assert_eq!(snippet("a"), "\"a\"");
    }
}
