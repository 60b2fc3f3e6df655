//! [`XmlOut`] into an [`Element`] tree: what `wire::xml::stanza_to_element`
//! gives, and how the payload tests look at what a mapping writes.

use super::XmlOut;
use crate::stanza::{Element, ns};

/// Builds an element tree.
pub(crate) struct TreeSink {
    stack: Vec<Element>,
    done: Option<Element>,
}

impl TreeSink {
    pub(crate) fn new() -> Self {
        TreeSink {
            stack: Vec::with_capacity(8),
            done: None,
        }
    }

    /// The first finished top-level element.
    pub(crate) fn finish(self) -> Option<Element> {
        self.done
    }

    fn add(&mut self, el: Element) {
        match self.stack.last_mut() {
            Some(parent) => parent.push_child(el),
            None => {
                if self.done.is_none() {
                    self.done = Some(el);
                }
            }
        }
    }
}

impl<'a> XmlOut<'a> for TreeSink {
    fn start(&mut self, name: &'a str, ns: &'a str) {
        self.stack.push(Element::new(name, ns));
    }

    fn attr(&mut self, name: &'a str, value: &str) {
        if let Some(el) = self.stack.last_mut() {
            el.set_attr(name, value);
        }
    }

    fn lang(&mut self, value: &str) {
        if let Some(el) = self.stack.last_mut() {
            el.set_attr_ns(Some(ns::XML), "lang", value);
        }
    }

    fn text(&mut self, text: &str) {
        if let Some(el) = self.stack.last_mut() {
            el.push_text(text);
        }
    }

    fn end(&mut self) {
        if let Some(el) = self.stack.pop() {
            self.add(el);
        }
    }

    fn element(&mut self, el: &'a Element) {
        self.add(el.clone());
    }
}
