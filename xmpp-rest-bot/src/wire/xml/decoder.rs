//! The stanza decoder: one pass over the input, through the strict
//! [`Parser`], straight into the typed model. It is the only stanza decoder:
//! every input, the common chat message included, takes this path.
//!
//! The stanza element's attributes become the stanza's head. Each child is
//! read as a borrowed *leaf* (its start tag and its text, no copy) until it
//! turns out to have children of its own, when it becomes an [`Element`]
//! tree. When it ends, the payload fields of its namespace are offered it
//! through the model's view ([`XmlIn`]); a child no field takes is kept in
//! `extensions`, in document order. So the common chat message is decoded
//! without building any element, and every other input on the same path.
//!
//! An error in the stanza element itself (not a stanza, an invalid address
//! or type) is kept until the end of the input: a malformed input, or one
//! over the limits, reports that first, as a tree-then-map decoder would.

use std::borrow::Cow;

use super::reader::{Handler, Parser, StartTag};
use super::stanza::{iq_child, read_child, stanza_head};
use super::tree::TreeBuilder;
use crate::stanza::mapping::{AttrView, XmlIn};
use crate::stanza::{MESSAGE_FIELDS, PRESENCE_FIELDS, Stanza};
use crate::wire::Limits;
use crate::{Error, Result};

/// Decodes one stanza (default namespace `jabber:client`) from the text
/// `checked_source` gave.
pub(super) fn decode(src: &str, limits: &Limits) -> Result<Stanza> {
    let mut decoder = StanzaDecoder {
        max_children: limits.children(),
        stanza: None,
        invalid: None,
        depth: 0,
        root_nodes: 0,
        root_text_last: false,
        child: Child::None,
    };
    Parser::new(src, limits, crate::stanza::ns::CLIENT).run(&mut decoder)?;
    if let Some(error) = decoder.invalid {
        return Err(error);
    }
    decoder
        .stanza
        .ok_or_else(|| Error::xml("no root element", 1, 1))
}

/// The child of the stanza being read.
enum Child<'a> {
    None,
    /// No child elements so far: the start tag and the text (the
    /// attributes stay with the reader, which hands them back at the end).
    Leaf {
        name: &'a str,
        ns: Cow<'a, str>,
        text: Cow<'a, str>,
    },
    /// Children of its own: built as a tree (boxed: the common leaf
    /// moves less).
    Tree(Box<TreeBuilder>),
}

struct StanzaDecoder<'a> {
    max_children: usize,
    /// The stanza, from the start tag on; `None` when the top element is not
    /// a stanza (see `invalid`).
    stanza: Option<Stanza>,
    /// Why the stanza element is not acceptable, reported after the input.
    invalid: Option<Error>,
    depth: usize,
    /// Nodes of the stanza element so far (for the children limit; text
    /// directly inside a stanza counts, though the model drops it).
    root_nodes: usize,
    root_text_last: bool,
    child: Child<'a>,
}

impl StanzaDecoder<'_> {
    /// Counts a node of the stanza element.
    fn root_node(&mut self, is_text: bool) -> Result<()> {
        if !(is_text && self.root_text_last) {
            if self.root_nodes >= self.max_children {
                return Err(Error::limit("children of one element", self.max_children));
            }
            self.root_nodes += 1;
        }
        self.root_text_last = is_text;
        Ok(())
    }

    /// Gives a finished child element to the stanza.
    fn finish_child(&mut self, child: Child<'_>, attrs: &[AttrView<'_>]) {
        let Some(stanza) = &mut self.stanza else {
            return;
        };
        match child {
            Child::None => {}
            Child::Leaf { name, ns, text } => {
                let view = XmlIn::leaf(name, &ns, attrs, &text);
                match stanza {
                    Stanza::Message(m) => {
                        if !read_child(m, MESSAGE_FIELDS, &view) {
                            m.extensions.push(view.to_element());
                        }
                    }
                    Stanza::Presence(p) => {
                        if !read_child(p, PRESENCE_FIELDS, &view) {
                            p.extensions.push(view.to_element());
                        }
                    }
                    Stanza::Iq(iq) => iq_child(iq, view.to_element()),
                }
            }
            Child::Tree(mut tree) => {
                let Some(el) = tree.take() else {
                    return;
                };
                match stanza {
                    Stanza::Message(m) => {
                        if !read_child(m, MESSAGE_FIELDS, &XmlIn::element(&el)) {
                            m.extensions.push(el);
                        }
                    }
                    Stanza::Presence(p) => {
                        if !read_child(p, PRESENCE_FIELDS, &XmlIn::element(&el)) {
                            p.extensions.push(el);
                        }
                    }
                    Stanza::Iq(iq) => iq_child(iq, el),
                }
            }
        }
    }
}

impl<'a> Handler<'a> for StanzaDecoder<'a> {
    fn open(&mut self, tag: &StartTag<'a, '_>) -> Result<()> {
        self.depth = tag.depth;
        match tag.depth {
            1 => match stanza_head(tag.name, &tag.ns, tag.attrs) {
                Ok(stanza) => self.stanza = Some(stanza),
                Err(e) => self.invalid = Some(e),
            },
            2 => {
                self.root_node(false)?;
                self.child = Child::Leaf {
                    name: tag.name,
                    ns: tag.ns.clone(),
                    text: Cow::Borrowed(""),
                };
            }
            _ => {
                if let Child::Leaf { name, ns, text } = &self.child {
                    // The leaf has children: from here on, a tree.
                    let el = XmlIn::leaf(name, ns, tag.parent_attrs, text).to_element();
                    self.child =
                        Child::Tree(Box::new(TreeBuilder::with_open(el, self.max_children)));
                }
                if let Child::Tree(tree) = &mut self.child {
                    tree.open(tag)?;
                }
            }
        }
        Ok(())
    }

    fn text(&mut self, text: &str, input: Option<&'a str>) -> Result<()> {
        if text.is_empty() {
            return Ok(());
        }
        match self.depth {
            0 => Ok(()),
            1 => self.root_node(true),
            _ => match &mut self.child {
                Child::Leaf { text: leaf, .. } => {
                    if leaf.is_empty() {
                        if self.max_children == 0 {
                            return Err(Error::limit("children of one element", 0));
                        }
                        *leaf = match input {
                            Some(borrowed) => Cow::Borrowed(borrowed),
                            None => Cow::Owned(text.to_owned()),
                        };
                    } else {
                        leaf.to_mut().push_str(text);
                    }
                    Ok(())
                }
                Child::Tree(tree) => tree.text(text, input),
                Child::None => Ok(()),
            },
        }
    }

    fn close(&mut self, attrs: &[AttrView<'a>]) -> Result<()> {
        let depth = self.depth;
        self.depth -= 1;
        match depth {
            2 => {
                let mut child = std::mem::replace(&mut self.child, Child::None);
                if let Child::Tree(tree) = &mut child {
                    // Its own end tag: the tree is complete.
                    tree.close(&[])?;
                }
                self.finish_child(child, attrs);
            }
            3.. => {
                if let Child::Tree(tree) = &mut self.child {
                    tree.close(&[])?;
                }
            }
            _ => {}
        }
        Ok(())
    }
}
