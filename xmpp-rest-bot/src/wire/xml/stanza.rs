//! The typed stanza model to and from [`Element`]s.
//!
//! A child element becomes a typed field only when the field can say all it
//! says: a known payload with an unexpected attribute or child, a required
//! attribute missing, an invalid JID, or a second occurrence of a payload that
//! the model holds only once, stays an [`Element`] in `extensions`, so that it
//! round-trips unchanged. Decoding never fails because of a payload; only the
//! stanza element itself (its name, namespace, addresses and type) can make it
//! fail.

use std::borrow::Cow;

use crate::stanza::mapping::{AttrView, Field, XmlIn, XmlOut};
use crate::stanza::{
    Element, Iq, IqType, Jid, MESSAGE_FIELDS, Message, MessageType, Node, PRESENCE_FIELDS,
    Presence, PresenceType, Stanza, StanzaKind, error_mapping, ns,
};
use crate::{Error, Result};

// ---------------------------------------------------------------------------
// Element -> Stanza

pub(crate) fn element_to_stanza(mut el: Element) -> Result<Stanza> {
    let mut stanza = {
        let attrs: Vec<AttrView<'_>> = el
            .attrs()
            .iter()
            .map(|a| AttrView {
                ns: a.ns.as_deref().map(Cow::Borrowed),
                name: &a.name,
                value: Cow::Borrowed(&a.value),
            })
            .collect();
        stanza_head(el.name(), el.ns(), &attrs)?
    };
    let nodes = std::mem::take(el.nodes_mut());
    // Text directly inside a stanza has no meaning in XMPP and is skipped.
    let children = nodes.into_iter().filter_map(|node| match node {
        Node::Element(el) => Some(el),
        Node::Text(_) => None,
    });
    for child in children {
        match &mut stanza {
            Stanza::Message(m) => {
                if !read_child(m, MESSAGE_FIELDS, &XmlIn::element(&child)) {
                    m.extensions.push(child);
                }
            }
            Stanza::Presence(p) => {
                if !read_child(p, PRESENCE_FIELDS, &XmlIn::element(&child)) {
                    p.extensions.push(child);
                }
            }
            Stanza::Iq(iq) => iq_child(iq, child),
        }
    }
    Ok(stanza)
}

/// The stanza of the top element `name` in `ns` with `attrs`, without its
/// children yet.
// Inlined into the decoder, so that the stanza is built where it stays
// rather than moved there (a copy of a few hundred bytes).
#[inline]
pub(super) fn stanza_head(name: &str, ns_: &str, attrs: &[AttrView<'_>]) -> Result<Stanza> {
    let kind = stanza_kind(name, ns_)?;
    let attr = |ns: Option<&str>, name: &str| {
        attrs
            .iter()
            .find(|a| a.name == name && a.ns.as_deref() == ns)
            .map(|a| &*a.value)
    };
    let to = jid_attr(attr(None, "to"), "to", kind)?;
    let from = jid_attr(attr(None, "from"), "from", kind)?;
    let id = attr(None, "id").map(str::to_owned);
    let lang = attr(Some(ns::XML), "lang").map(str::to_owned);
    let type_ = attr(None, "type");
    Ok(match kind {
        StanzaKind::Message => {
            let type_ = match type_ {
                None => MessageType::Normal,
                Some(t) => t
                    .parse()
                    .map_err(|_| bad_type(kind, t, "chat, groupchat, headline, normal or error"))?,
            };
            let mut m = Message::new(type_);
            (m.to, m.from, m.id, m.lang) = (to, from, id, lang);
            Stanza::Message(m)
        }
        StanzaKind::Presence => {
            let type_ = match type_ {
                None => PresenceType::Available,
                Some(t) => t.parse().map_err(|_| {
                    bad_type(
                        kind,
                        t,
                        "unavailable, subscribe, subscribed, unsubscribe, unsubscribed, probe or error",
                    )
                })?,
            };
            let mut p = Presence::new(type_);
            (p.to, p.from, p.id, p.lang) = (to, from, id, lang);
            Stanza::Presence(p)
        }
        StanzaKind::Iq => {
            let type_: IqType = match type_ {
                None => return Err(Error::invalid("missing type attribute on <iq/>")),
                Some(t) => t
                    .parse()
                    .map_err(|_| bad_type(kind, t, "get, set, result or error"))?,
            };
            let mut iq = Iq::new(type_, None);
            (iq.to, iq.from, iq.id, iq.lang) = (to, from, id, lang);
            Stanza::Iq(iq)
        }
    })
}

/// The kind of stanza the top element `name` in `ns_` is.
fn stanza_kind(name: &str, ns_: &str) -> Result<StanzaKind> {
    let kind = if ns_ == ns::CLIENT {
        StanzaKind::from_name(name)
    } else {
        None
    };
    kind.ok_or_else(|| {
        Error::invalid(if ns_ == ns::CLIENT {
            format!("the top element must be <message/>, <presence/> or <iq/>, found <{name}/>")
        } else {
            format!(
                "the top element must be <message/>, <presence/> or <iq/> in namespace {}, \
                 found <{name}/> in namespace {ns_:?}",
                ns::CLIENT,
            )
        })
    })
}

fn bad_type(kind: StanzaKind, value: &str, expected: &str) -> Error {
    Error::invalid(format!(
        "invalid type attribute {value:?} on <{kind}/>: expected {expected}"
    ))
}

fn jid_attr(value: Option<&str>, name: &str, kind: StanzaKind) -> Result<Option<Jid>> {
    match value {
        None => Ok(None),
        Some(value) => crate::stanza::jid_cache::parse(value)
            .map(Some)
            .map_err(|e| {
                Error::invalid(format!(
                    "invalid {name} attribute {value:?} on <{kind}/>: not a valid jid ({e})"
                ))
                .with_source(e)
            }),
    }
}

/// Offers `el` to the fields of its namespace; whether one took it.
pub(super) fn read_child<S>(stanza: &mut S, fields: &[Field<S>], el: &XmlIn<'_>) -> bool {
    fields
        .iter()
        .any(|f| f.ns == el.ns() && (f.read_xml)(stanza, el))
}

/// An iq's child: its error, its payload (the first other child), or an extension.
pub(super) fn iq_child(iq: &mut Iq, el: Element) {
    if el.is("error", ns::CLIENT) {
        if iq.error.is_none()
            && let Some(error) = error_mapping::read_xml(&XmlIn::element(&el))
        {
            iq.error = Some(error);
            return;
        }
    } else if iq.payload.is_none() {
        iq.payload = Some(el);
        return;
    }
    iq.extensions.push(el);
}

// ---------------------------------------------------------------------------
// Stanza -> XmlOut (XML text or Element)

/// Writes a stanza. The order of the children is fixed: see the module docs of
/// [`wire::xml`](super).
pub(crate) fn write_stanza<'a>(s: &mut dyn XmlOut<'a>, stanza: &'a Stanza) {
    match stanza {
        Stanza::Message(m) => {
            s.start("message", ns::CLIENT);
            let type_ = (m.type_ != MessageType::Normal).then(|| m.type_.as_str());
            write_head(s, &m.to, &m.from, &m.id, type_, &m.lang);
            for field in MESSAGE_FIELDS {
                (field.write_xml)(m, s);
            }
            for ext in &m.extensions {
                s.element(ext);
            }
            s.end();
        }
        Stanza::Presence(p) => {
            s.start("presence", ns::CLIENT);
            let type_ = (p.type_ != PresenceType::Available).then(|| p.type_.as_str());
            write_head(s, &p.to, &p.from, &p.id, type_, &p.lang);
            for field in PRESENCE_FIELDS {
                (field.write_xml)(p, s);
            }
            for ext in &p.extensions {
                s.element(ext);
            }
            s.end();
        }
        Stanza::Iq(iq) => {
            s.start("iq", ns::CLIENT);
            let type_ = Some(iq.type_.as_str());
            write_head(s, &iq.to, &iq.from, &iq.id, type_, &iq.lang);
            if let Some(payload) = &iq.payload {
                s.element(payload);
            }
            if let Some(error) = &iq.error {
                error_mapping::write_xml(error, s);
            }
            for ext in &iq.extensions {
                s.element(ext);
            }
            s.end();
        }
    }
}

fn write_head<'a>(
    s: &mut dyn XmlOut<'a>,
    to: &Option<Jid>,
    from: &Option<Jid>,
    id: &Option<String>,
    type_: Option<&'static str>,
    lang: &Option<String>,
) {
    if let Some(to) = to {
        s.attr("to", to.as_str());
    }
    if let Some(from) = from {
        s.attr("from", from.as_str());
    }
    if let Some(id) = id {
        s.attr("id", id);
    }
    if let Some(type_) = type_ {
        s.attr("type", type_);
    }
    if let Some(lang) = lang {
        s.lang(lang);
    }
}
