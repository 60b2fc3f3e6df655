//! The element tree builder: [`Element`]s from the strict reader, for
//! fragments (`parse_element`, an XHTML-IM body from JSON) and `<xmpp>`
//! wrappers (`decode_all`), and for the children of a stanza that have
//! children of their own.

use super::reader::{Handler, Parser, StartTag, checked_source};
use crate::stanza::mapping::{AttrView, shared_name, shared_ns};
use crate::stanza::{Attribute, Element, Node};
use crate::wire::Limits;
use crate::{Error, Result};

/// Parses `input` into one element tree.
///
/// `default_ns` is the default namespace in scope before the root element:
/// `jabber:client` for stanzas, `""` (no namespace) for free-standing fragments.
pub(crate) fn parse(input: &[u8], limits: &Limits, default_ns: &'static str) -> Result<Element> {
    let src = checked_source(input, limits)?;
    let mut tree = TreeBuilder::new(limits.children());
    Parser::new(src, limits, default_ns).run(&mut tree)?;
    tree.done.ok_or_else(|| Error::xml("no root element", 1, 1))
}

/// Builds elements; at most [`Limits::children`] children per element.
pub(super) struct TreeBuilder {
    /// The open elements, outermost first.
    stack: Vec<Element>,
    done: Option<Element>,
    max_children: usize,
}

impl TreeBuilder {
    pub(super) fn new(max_children: usize) -> Self {
        TreeBuilder {
            stack: Vec::with_capacity(8),
            done: None,
            max_children,
        }
    }

    /// A builder whose outermost element is `el`, already open.
    pub(super) fn with_open(el: Element, max_children: usize) -> Self {
        let mut tree = TreeBuilder::new(max_children);
        tree.stack.push(el);
        tree
    }

    /// The element built, once its end tag was read.
    pub(super) fn take(&mut self) -> Option<Element> {
        self.done.take()
    }

    fn full(&self, parent: &Element) -> Result<()> {
        if parent.nodes().len() >= self.max_children {
            Err(Error::limit("children of one element", self.max_children))
        } else {
            Ok(())
        }
    }
}

/// An element of a start tag (names and namespaces the SDK knows are shared
/// static strings, not copies).
pub(super) fn element_of(tag: &StartTag<'_, '_>) -> Element {
    let mut el = Element::from_cow(shared_name(tag.name), shared_ns(&tag.ns));
    for a in tag.attrs {
        el.push_new_attr(Attribute {
            ns: a.ns.as_deref().map(str::to_owned),
            name: a.name.to_owned(),
            value: a.value.as_ref().to_owned(),
        });
    }
    el
}

impl<'a> Handler<'a> for TreeBuilder {
    fn open(&mut self, tag: &StartTag<'a, '_>) -> Result<()> {
        self.stack.push(element_of(tag));
        Ok(())
    }

    fn text(&mut self, text: &str, _input: Option<&'a str>) -> Result<()> {
        if text.is_empty() {
            return Ok(());
        }
        let Some(parent) = self.stack.last() else {
            return Ok(());
        };
        if !matches!(parent.nodes().last(), Some(Node::Text(_))) {
            self.full(parent)?;
        }
        if let Some(parent) = self.stack.last_mut() {
            parent.push_text(text);
        }
        Ok(())
    }

    fn close(&mut self, _attrs: &[AttrView<'a>]) -> Result<()> {
        let Some(el) = self.stack.pop() else {
            return Ok(());
        };
        match self.stack.last() {
            Some(parent) => {
                self.full(parent)?;
                if let Some(parent) = self.stack.last_mut() {
                    parent.push_child(el);
                }
            }
            None => self.done = Some(el),
        }
        Ok(())
    }
}
