//! A generic, namespace-aware XML element: how payloads the SDK does not model are kept.

use std::borrow::Cow;
use std::fmt;

/// An XML attribute: an optional namespace, a local name and a value.
///
/// Unprefixed attributes have no namespace. `xml:lang` is stored with the
/// namespace [`ns::XML`](super::ns::XML) and the local name `lang`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Attribute {
    /// The namespace URI of a prefixed attribute, `None` for a plain one.
    pub ns: Option<String>,
    /// The local name (no prefix).
    pub name: String,
    /// The unescaped value.
    pub value: String,
}

/// A child of an [`Element`]: another element or a run of text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Node {
    /// A child element.
    Element(Element),
    /// Unescaped character data.
    Text(String),
}

/// A namespace-aware XML element, kept losslessly in meaning: names, namespaces,
/// attributes (with their namespaces), children and text survive a round trip,
/// while prefixes and insignificant formatting may be rewritten.
///
/// ```
/// use xmpp_rest_bot::stanza::Element;
///
/// let el = Element::builder("query", "jabber:iq:version")
///     .child(Element::builder("name", "jabber:iq:version").text("bot").build())
///     .build();
/// assert_eq!(el.child_text("name", "jabber:iq:version").as_deref(), Some("bot"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Element {
    // `Cow` so that the decoder can use static strings for the names and
    // namespaces it sees all the time, instead of allocating them per element.
    name: Cow<'static, str>,
    ns: Cow<'static, str>,
    attrs: Vec<Attribute>,
    children: Vec<Node>,
}

impl Element {
    /// A new, empty element named `name` in namespace `ns`.
    ///
    /// `name` must be an XML name without prefix (`"query"`, not `"a b"` or
    /// `"x:query"`), and `ns` neither the `xml` nor the `xmlns` namespace:
    /// the XML encoder leaves out, with a warning in the log, an element it
    /// could not write as valid XML (and attributes whose names are not XML
    /// names).
    pub fn new(name: impl Into<String>, ns: impl Into<String>) -> Self {
        Element::from_cow(Cow::Owned(name.into()), Cow::Owned(ns.into()))
    }

    /// A new, empty element; the decoder passes borrowed static strings for
    /// well-known names and namespaces.
    pub(crate) fn from_cow(name: Cow<'static, str>, ns: Cow<'static, str>) -> Self {
        Element {
            name,
            ns,
            attrs: Vec::new(),
            children: Vec::new(),
        }
    }

    /// Starts building an element named `name` in namespace `ns`.
    pub fn builder(name: impl Into<String>, ns: impl Into<String>) -> ElementBuilder {
        ElementBuilder {
            element: Element::new(name, ns),
        }
    }

    /// The local name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The namespace URI (empty for no namespace).
    pub fn ns(&self) -> &str {
        &self.ns
    }

    /// Whether the element has this local name and namespace.
    pub fn is(&self, name: &str, ns: &str) -> bool {
        self.name == name && self.ns == ns
    }

    /// The value of the unprefixed attribute `name`.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attr_ns(None, name)
    }

    /// The value of attribute `name` in namespace `ns` (`None` for unprefixed).
    pub fn attr_ns(&self, ns: Option<&str>, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.name == name && a.ns.as_deref() == ns)
            .map(|a| a.value.as_str())
    }

    /// All attributes, in document order.
    pub fn attrs(&self) -> &[Attribute] {
        &self.attrs
    }

    /// Sets (or replaces) the unprefixed attribute `name`.
    pub fn set_attr(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.set_attr_ns(None, name, value);
    }

    /// Sets (or replaces) attribute `name` in namespace `ns`.
    pub fn set_attr_ns(
        &mut self,
        ns: Option<&str>,
        name: impl Into<String>,
        value: impl Into<String>,
    ) {
        let name = name.into();
        let value = value.into();
        if let Some(a) = self
            .attrs
            .iter_mut()
            .find(|a| a.name == name && a.ns.as_deref() == ns)
        {
            a.value = value;
        } else {
            self.attrs.push(Attribute {
                ns: ns.map(str::to_owned),
                name,
                value,
            });
        }
    }

    /// Appends an attribute that the element does not have yet (the decoder
    /// has checked that), without looking for one to replace.
    pub(crate) fn push_new_attr(&mut self, attr: Attribute) {
        debug_assert!(self.attr_ns(attr.ns.as_deref(), &attr.name).is_none());
        self.attrs.push(attr);
    }

    /// Removes the unprefixed attribute `name`, returning its value.
    pub fn remove_attr(&mut self, name: &str) -> Option<String> {
        let idx = self
            .attrs
            .iter()
            .position(|a| a.name == name && a.ns.is_none())?;
        Some(self.attrs.remove(idx).value)
    }

    /// All children (elements and text), in document order.
    pub fn nodes(&self) -> &[Node] {
        &self.children
    }

    /// Mutable access to the children.
    pub fn nodes_mut(&mut self) -> &mut Vec<Node> {
        &mut self.children
    }

    /// The child elements, in document order.
    pub fn children(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// The first child element with this name and namespace.
    pub fn child(&self, name: &str, ns: &str) -> Option<&Element> {
        self.children().find(|e| e.is(name, ns))
    }

    /// The text of the first child element with this name and namespace.
    pub fn child_text(&self, name: &str, ns: &str) -> Option<String> {
        self.child(name, ns).map(Element::text)
    }

    /// All direct text content, concatenated.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for n in &self.children {
            if let Node::Text(t) = n {
                out.push_str(t);
            }
        }
        out
    }

    /// Appends a child element.
    pub fn push_child(&mut self, child: Element) {
        self.children.push(Node::Element(child));
    }

    /// Appends text, merging it with a preceding text node.
    pub fn push_text(&mut self, text: impl AsRef<str>) {
        let text = text.as_ref();
        if text.is_empty() {
            return;
        }
        if let Some(Node::Text(last)) = self.children.last_mut() {
            last.push_str(text);
        } else {
            self.children.push(Node::Text(text.to_owned()));
        }
    }

    /// Whether the element has no children and no text.
    pub fn is_empty(&self) -> bool {
        self.children.is_empty()
    }
}

impl fmt::Display for Element {
    /// Formats the element as XML, declaring its namespace on the top element.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::with_capacity(128);
        super::xml_text::write_element(&mut out, self, "");
        f.write_str(&out)
    }
}

/// Builds an [`Element`]; see [`Element::builder`].
#[derive(Debug, Clone)]
#[must_use]
pub struct ElementBuilder {
    element: Element,
}

impl ElementBuilder {
    /// Adds an unprefixed attribute.
    pub fn attr(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.element.set_attr(name, value);
        self
    }

    /// Adds an unprefixed attribute when `value` is `Some`.
    pub fn attr_opt(self, name: impl Into<String>, value: Option<impl Into<String>>) -> Self {
        match value {
            Some(v) => self.attr(name, v),
            None => self,
        }
    }

    /// Adds a namespaced attribute.
    pub fn attr_ns(mut self, ns: &str, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.element.set_attr_ns(Some(ns), name, value);
        self
    }

    /// Appends a child element.
    pub fn child(mut self, child: Element) -> Self {
        self.element.push_child(child);
        self
    }

    /// Appends child elements.
    pub fn children(mut self, children: impl IntoIterator<Item = Element>) -> Self {
        for c in children {
            self.element.push_child(c);
        }
        self
    }

    /// Appends text.
    pub fn text(mut self, text: impl AsRef<str>) -> Self {
        self.element.push_text(text);
        self
    }

    /// Finishes the element.
    pub fn build(self) -> Element {
        self.element
    }
}
