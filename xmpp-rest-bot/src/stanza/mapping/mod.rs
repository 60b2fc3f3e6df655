//! How a payload meets the wire, without knowing the codecs.
//!
//! Each payload module (`stanza/payload/*`) maps its type to XML and to
//! mod_rest's JSON against the views defined here, and the codecs of the
//! `wire` module implement them:
//!
//! - [`XmlIn`]: a read-only view of one child element. The streaming XML
//!   decoder hands out a borrowed *leaf* (start tag plus text, no copy of the
//!   input) for the common case of a child without children of its own, and
//!   an [`Element`] view otherwise; [`Element`]s built by hand
//!   (`wire::xml::element_to_stanza`) use the same view, so there is one
//!   mapping per payload.
//! - [`XmlOut`]: where a payload writes its element; the XML encoder writes
//!   text, the tree builder an [`Element`].
//! - [`json::Obj`] and [`JsonIn`]: a JSON object read key by key, each
//!   failure naming its path; payloads write plain `serde_json` maps.
//! - [`Field`]: one typed field of a stanza with its four mappings; the
//!   registries (`payload::MESSAGE_FIELDS`, `payload::PRESENCE_FIELDS`) list
//!   them in the order they are written.
//!
//! So the model (`crate::stanza`) imports no codec: the dependency goes from
//! `wire` to `stanza` only.

pub(crate) mod json;
pub(crate) mod json_entries;
pub(crate) mod json_out;
pub(crate) mod tree;

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::{Attribute, Element, Node, ns};

pub(crate) use json::{JsonIn, JsonOut};

/// An attribute as the XML decoder reads it: borrowed from the input where it
/// needed no unescaping.
#[derive(Debug, Clone)]
pub(crate) struct AttrView<'a> {
    /// The namespace of a prefixed attribute (`xml:lang` has [`ns::XML`]).
    pub(crate) ns: Option<Cow<'a, str>>,
    /// The local name.
    pub(crate) name: &'a str,
    /// The unescaped value.
    pub(crate) value: Cow<'a, str>,
}

#[derive(Clone, Copy)]
enum Attrs<'v> {
    Read(&'v [AttrView<'v>]),
    Tree(&'v [Attribute]),
}

#[derive(Clone, Copy)]
enum Content<'v> {
    /// A leaf: text only (possibly empty).
    Text(&'v str),
    /// An element's nodes.
    Nodes(&'v [Node]),
}

/// A read-only view of one element, for the payload mappings.
#[derive(Clone, Copy)]
pub(crate) struct XmlIn<'v> {
    name: &'v str,
    ns: &'v str,
    attrs: Attrs<'v>,
    content: Content<'v>,
}

impl<'v> XmlIn<'v> {
    /// A view of an element tree.
    pub(crate) fn element(el: &'v Element) -> Self {
        XmlIn {
            name: el.name(),
            ns: el.ns(),
            attrs: Attrs::Tree(el.attrs()),
            content: Content::Nodes(el.nodes()),
        }
    }

    /// A view of an element without child elements, as the decoder read it.
    pub(crate) fn leaf(
        name: &'v str,
        ns: &'v str,
        attrs: &'v [AttrView<'v>],
        text: &'v str,
    ) -> Self {
        XmlIn {
            name,
            ns,
            attrs: Attrs::Read(attrs),
            content: Content::Text(text),
        }
    }

    /// The local name.
    pub(crate) fn name(&self) -> &'v str {
        self.name
    }

    /// The namespace.
    pub(crate) fn ns(&self) -> &'v str {
        self.ns
    }

    /// Whether the element has this name and namespace.
    pub(crate) fn is(&self, name: &str, ns: &str) -> bool {
        self.name == name && self.ns == ns
    }

    /// Calls `f(ns, name, value)` for each attribute until it returns false;
    /// whether it never did.
    fn all_attrs(&self, mut f: impl FnMut(Option<&str>, &str, &str) -> bool) -> bool {
        match self.attrs {
            Attrs::Read(attrs) => attrs.iter().all(|a| f(a.ns.as_deref(), a.name, &a.value)),
            Attrs::Tree(attrs) => attrs.iter().all(|a| f(a.ns.as_deref(), &a.name, &a.value)),
        }
    }

    /// The value of attribute `name` in namespace `ns` (`None`: unprefixed).
    pub(crate) fn attr_ns(&self, ns: Option<&str>, name: &str) -> Option<&'v str> {
        match self.attrs {
            Attrs::Read(attrs) => attrs
                .iter()
                .find(|a| a.name == name && a.ns.as_deref() == ns)
                .map(|a| &*a.value),
            Attrs::Tree(attrs) => attrs
                .iter()
                .find(|a| a.name == name && a.ns.as_deref() == ns)
                .map(|a| a.value.as_str()),
        }
    }

    /// The value of the unprefixed attribute `name`.
    pub(crate) fn attr(&self, name: &str) -> Option<&'v str> {
        self.attr_ns(None, name)
    }

    /// The `xml:lang` of the element itself.
    pub(crate) fn lang(&self) -> Option<&'v str> {
        self.attr_ns(Some(ns::XML), "lang")
    }

    /// Whether the element has no attributes.
    pub(crate) fn has_no_attrs(&self) -> bool {
        match self.attrs {
            Attrs::Read(attrs) => attrs.is_empty(),
            Attrs::Tree(attrs) => attrs.is_empty(),
        }
    }

    /// Whether every attribute is unprefixed and one of `allowed`.
    pub(crate) fn attrs_within(&self, allowed: &[&str]) -> bool {
        self.all_attrs(|ns, name, _| ns.is_none() && allowed.contains(&name))
    }

    /// Like [`attrs_within`](Self::attrs_within), also allowing `xml:lang`.
    pub(crate) fn attrs_within_lang(&self, allowed: &[&str]) -> bool {
        self.all_attrs(|ns_, name, _| match ns_ {
            None => allowed.contains(&name),
            Some(ns::XML) => name == "lang",
            Some(_) => false,
        })
    }

    /// The text, when the element holds only text (no child elements).
    pub(crate) fn text(&self) -> Option<Cow<'v, str>> {
        match self.content {
            Content::Text(t) => Some(Cow::Borrowed(t)),
            Content::Nodes([]) => Some(Cow::Borrowed("")),
            Content::Nodes([Node::Text(t)]) => Some(Cow::Borrowed(t)),
            Content::Nodes(nodes) => {
                let mut out = String::new();
                for node in nodes {
                    match node {
                        Node::Text(t) => out.push_str(t),
                        Node::Element(_) => return None,
                    }
                }
                Some(Cow::Owned(out))
            }
        }
    }

    /// Whether the element holds nothing but (ignorable) whitespace.
    pub(crate) fn is_blank(&self) -> bool {
        match self.content {
            Content::Text(t) => is_whitespace(t),
            Content::Nodes(nodes) => nodes.iter().all(|n| match n {
                Node::Text(t) => is_whitespace(t),
                Node::Element(_) => false,
            }),
        }
    }

    /// Whether the element has attributes among `allowed` only and no content.
    pub(crate) fn is_empty_with(&self, allowed: &[&str]) -> bool {
        self.attrs_within(allowed) && self.is_blank()
    }

    /// The child elements, when the element has no text but whitespace
    /// between them; `None` otherwise.
    pub(crate) fn elements(&self) -> Option<impl Iterator<Item = XmlIn<'v>> + 'v> {
        let nodes: &'v [Node] = match self.content {
            Content::Text(t) if is_whitespace(t) => &[],
            Content::Text(_) => return None,
            Content::Nodes(nodes) => nodes,
        };
        if nodes
            .iter()
            .any(|n| matches!(n, Node::Text(t) if !is_whitespace(t)))
        {
            return None;
        }
        Some(nodes.iter().filter_map(|n| match n {
            Node::Element(el) => Some(XmlIn::element(el)),
            Node::Text(_) => None,
        }))
    }

    /// The element itself, as a tree (a leaf is copied into one, with the
    /// names and namespaces the SDK knows shared rather than allocated).
    pub(crate) fn to_element(self) -> Element {
        let mut el = Element::from_cow(shared_name(self.name), shared_ns(self.ns));
        self.all_attrs(|ns, name, value| {
            el.push_new_attr(Attribute {
                ns: ns.map(str::to_owned),
                name: name.to_owned(),
                value: value.to_owned(),
            });
            true
        });
        match self.content {
            Content::Text(t) => el.push_text(t),
            Content::Nodes(nodes) => el.nodes_mut().extend(nodes.iter().cloned()),
        }
        el
    }

    /// The text of a child element without attributes that holds only text.
    pub(crate) fn plain_text(&self) -> Option<Cow<'v, str>> {
        if self.has_no_attrs() {
            self.text()
        } else {
            None
        }
    }
}

/// The namespace as a string shared by every element in it when it is one
/// the SDK knows (no allocation), or a copy.
pub(crate) fn shared_ns(name: &str) -> Cow<'static, str> {
    let known = match name {
        ns::CLIENT => ns::CLIENT,
        ns::CHATSTATES => ns::CHATSTATES,
        ns::RECEIPTS => ns::RECEIPTS,
        ns::CHAT_MARKERS => ns::CHAT_MARKERS,
        ns::SID => ns::SID,
        ns::OCCUPANT_ID => ns::OCCUPANT_ID,
        ns::REPLY => ns::REPLY,
        ns::DELAY => ns::DELAY,
        ns::MESSAGE_CORRECT => ns::MESSAGE_CORRECT,
        ns::REACTIONS => ns::REACTIONS,
        ns::NICK => ns::NICK,
        ns::OOB => ns::OOB,
        ns::XHTML_IM => ns::XHTML_IM,
        ns::XHTML => ns::XHTML,
        ns::STANZAS => ns::STANZAS,
        ns::MUC => ns::MUC,
        ns::CAPS => ns::CAPS,
        ns::IDLE => ns::IDLE,
        ns::PING => ns::PING,
        ns::VERSION => ns::VERSION,
        ns::DISCO_INFO => ns::DISCO_INFO,
        ns::DISCO_ITEMS => ns::DISCO_ITEMS,
        ns::COMMANDS => ns::COMMANDS,
        ns::DATA_FORMS => ns::DATA_FORMS,
        ns::HINTS => ns::HINTS,
        ns::FALLBACK => ns::FALLBACK,
        "" => "",
        _ => return Cow::Owned(name.to_owned()),
    };
    Cow::Borrowed(known)
}

/// The element name as a shared static string when it is a common one in
/// stanzas (no allocation), or a copy.
pub(crate) fn shared_name(name: &str) -> Cow<'static, str> {
    macro_rules! shared {
        ($($known:literal),* $(,)?) => {
            match name {
                $($known => Cow::Borrowed($known),)*
                _ => Cow::Owned(name.to_owned()),
            }
        };
    }
    shared!(
        "body",
        "subject",
        "thread",
        "error",
        "text",
        "active",
        "composing",
        "paused",
        "inactive",
        "gone",
        "request",
        "received",
        "markable",
        "displayed",
        "acknowledged",
        "origin-id",
        "stanza-id",
        "occupant-id",
        "reply",
        "store",
        "no-store",
        "no-copy",
        "no-permanent-store",
        "fallback",
        "delay",
        "nick",
        "replace",
        "reactions",
        "reaction",
        "html",
        "x",
        "url",
        "desc",
        "show",
        "status",
        "priority",
        "c",
        "idle",
        "query",
        "ping",
        "item",
        "identity",
        "feature",
        "command",
        "field",
        "value",
        "option",
        "name",
        "version",
        "os",
        "message",
        "presence",
        "iq",
    )
}

/// Whether `s` is only XML whitespace.
pub(crate) fn is_whitespace(s: &str) -> bool {
    s.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
}

/// Parses a JID attribute value (through the per-thread cache of recent JIDs).
pub(crate) fn jid(value: &str) -> Option<super::Jid> {
    super::jid_cache::parse(value).ok()
}

/// An optional JID attribute: `Some(None)` when absent, `None` when invalid.
pub(crate) fn opt_jid(value: Option<&str>) -> Option<Option<super::Jid>> {
    match value {
        None => Some(None),
        Some(v) => jid(v).map(Some),
    }
}

/// Where a typed stanza is written to: XML text or an element tree.
///
/// Calls nest like tags: `start`, then `attr`/`lang` (before any content),
/// then `text`/`start`/`element` content, then `end`.
pub(crate) trait XmlOut<'a> {
    /// Opens an element.
    fn start(&mut self, name: &'a str, ns: &'a str);
    /// Adds an unprefixed attribute to the element just opened.
    fn attr(&mut self, name: &'a str, value: &str);
    /// Adds `xml:lang` to the element just opened.
    fn lang(&mut self, value: &str);
    /// Adds character data.
    fn text(&mut self, text: &str);
    /// Closes the innermost open element.
    fn end(&mut self);
    /// Adds a whole element.
    fn element(&mut self, el: &'a Element);

    /// Adds `<name>text</name>`.
    fn text_element(&mut self, name: &'a str, ns: &'a str, text: &str) {
        self.start(name, ns);
        self.text(text);
        self.end();
    }

    /// Adds `<name attr='value'/>`.
    fn empty_with_attr(&mut self, name: &'a str, ns: &'a str, attr: &'a str, value: &str) {
        self.start(name, ns);
        self.attr(attr, value);
        self.end();
    }

    /// Adds an empty `<name/>`.
    fn empty(&mut self, name: &'a str, ns: &'a str) {
        self.start(name, ns);
        self.end();
    }
}

/// One typed field of stanza `S` (a [`Message`](super::Message) or a
/// [`Presence`](super::Presence)) and its mappings; see the module docs.
pub(crate) struct Field<S: 'static> {
    /// The namespace of the elements the field reads: the decoder offers a
    /// child only to the fields of its namespace.
    pub(crate) ns: &'static str,
    /// Reads a child element into the stanza; `false` leaves the stanza as
    /// it was, and the decoder keeps the element in `extensions` (another
    /// name, a second occurrence of a single field, a shape off).
    pub(crate) read_xml: fn(&mut S, &XmlIn<'_>) -> bool,
    /// Writes the field's elements (nothing when it is empty).
    pub(crate) write_xml: for<'a> fn(&'a S, &mut dyn XmlOut<'a>),
    /// Reads the field's keys out of the top-level JSON object.
    pub(crate) read_json: fn(&mut S, &mut JsonIn<'_, '_>) -> crate::Result<()>,
    /// Writes the field's keys (borrowing from the stanza).
    pub(crate) write_json: for<'s> fn(&'s S, &mut JsonOut<'s>),
}

/// Fills a single-valued field from `el` with `read`: `false` (the element
/// stays an extension) when the field is already set or `read` refuses it.
pub(crate) fn set_once<T>(
    slot: &mut Option<T>,
    el: &XmlIn<'_>,
    read: impl FnOnce(&XmlIn<'_>) -> Option<T>,
) -> bool {
    if slot.is_some() {
        return false;
    }
    *slot = read(el);
    slot.is_some()
}

/// A [`Field::read_json`] for a field that has no JSON key.
pub(crate) fn no_json<S>(_: &mut S, _: &mut JsonIn<'_, '_>) -> crate::Result<()> {
    Ok(())
}

/// A [`Field::write_json`] for a field that has no JSON key.
pub(crate) fn no_json_out<S>(_: &S, _: &mut JsonOut<'_>) {}

/// What [`IqJson::read`] gives: the payload element (`None`: no payload)
/// and the unknown keys of the key's object.
pub(crate) type IqRead = (Option<Element>, Map<String, Value>);

/// An iq payload's mod_rest JSON key. Iq payloads are [`Payload`](super::Payload)s
/// kept as [`Element`]s in the [`Iq`](super::Iq); their XML mapping is
/// `from_element`/`to_element`, this is the JSON one.
pub(crate) struct IqJson {
    /// The top-level key.
    pub(crate) key: &'static str,
    /// Whether an element is this payload.
    pub(crate) matches: fn(&Element) -> bool,
    /// The payload element for the key's value at a path (`None`: no
    /// payload); the unknown keys of an object come back.
    pub(crate) read: fn(Value, &str) -> crate::Result<IqRead>,
    /// The key's value for a payload element; `None` when its content does
    /// not convert.
    pub(crate) write: fn(&Element) -> Option<Value>,
}

/// Inserts `key` when `value` is there.
pub(crate) fn insert_opt(out: &mut Map<String, Value>, key: &str, value: Option<&str>) {
    if let Some(v) = value {
        out.insert(key.to_owned(), string(v));
    }
}

/// `Value::String` of a borrowed string.
pub(crate) fn string(s: &str) -> Value {
    Value::String(s.to_owned())
}

/// A JSON object of string properties, the absent ones left out.
pub(crate) fn object<const N: usize>(props: [(&str, Option<&str>); N]) -> Value {
    let mut o = Map::new();
    for (key, value) in props {
        if let Some(value) = value {
            o.insert(key.to_owned(), string(value));
        }
    }
    Value::Object(o)
}

/// Formats an integer without allocating.
pub(crate) struct IntBuf {
    buf: [u8; 20],
    start: usize,
}

impl IntBuf {
    pub(crate) fn new(value: i64) -> Self {
        let mut buf = [0u8; 20];
        let mut start = buf.len();
        let negative = value < 0;
        let mut n = value.unsigned_abs();
        loop {
            start -= 1;
            buf[start] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        if negative {
            start -= 1;
            buf[start] = b'-';
        }
        IntBuf { buf, start }
    }

    pub(crate) fn as_str(&self) -> &str {
        // Only ASCII digits and '-' were written.
        std::str::from_utf8(&self.buf[self.start..]).unwrap_or("0")
    }
}

#[cfg(test)]
pub(crate) mod testing;
