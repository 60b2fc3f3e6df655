//! The namespace half of the reader: declarations in scope, prefixes of
//! names resolved, and the attributes of a start tag checked against each
//! other.

use std::borrow::Cow;

use super::{Binding, Parser};
use crate::stanza::ns;
use crate::stanza::xml_text::{XMLNS_NS, is_ncname};
use crate::{Error, Result};

impl<'a> Parser<'a, '_> {
    /// Puts the prefixed attributes of the tag just read (from `start` on)
    /// in their namespaces (`prefixed`: there are any), and checks that no
    /// two of them have the same expanded name. Of several errors, the one
    /// of the earliest attribute is reported.
    pub(super) fn resolve_attrs(&mut self, start: usize, prefixed: bool) -> Result<()> {
        if prefixed {
            for i in start..self.attrs.len() {
                let attr = self.attrs.as_slice().get(i);
                // `xml:` attributes are in their namespace already (a
                // prefix, an NCName, cannot be that URI).
                let Some(prefix) = attr.and_then(|a| a.ns.as_deref()).filter(|&p| p != ns::XML)
                else {
                    continue;
                };
                let Some(resolved) = self.lookup_prefix(prefix) else {
                    // A duplicate before it is the earlier error.
                    self.check_duplicates(start, i)?;
                    let name = attr.map_or("", |a| a.name);
                    let msg = format!("unbound namespace prefix {prefix:?}");
                    return Err(self.error_at(msg, self.value_offset(name)));
                };
                if let Some(attr) = self.attrs.as_mut_slice().get_mut(i) {
                    attr.ns = Some(resolved);
                }
            }
        }
        self.check_duplicates(start, self.attrs.len())
    }

    /// Checks that no two of the (resolved) attributes `start..end` have
    /// the same expanded name.
    pub(super) fn check_duplicates(&self, start: usize, end: usize) -> Result<()> {
        let attrs = self.attrs.as_slice().get(start..end).unwrap_or_default();
        // A bit per name (from its length and ends): two attributes can only
        // have the same name if they set the same bit, which in most tags
        // none do; then they are compared in pairs.
        let mut seen = 0u64;
        let mut clash = false;
        for attr in attrs {
            let name = attr.name.as_bytes();
            let (first, last) = (name.first().copied(), name.last().copied());
            let mix = name.len() * 7
                + usize::from(first.unwrap_or(0))
                + 3 * usize::from(last.unwrap_or(0));
            let bit = 1u64 << (mix % 64);
            clash |= seen & bit != 0;
            seen |= bit;
        }
        if !clash {
            return Ok(());
        }
        for (i, attr) in attrs.iter().enumerate() {
            for earlier in attrs.get(..i).unwrap_or_default() {
                // The lengths first: most names differ in length.
                if earlier.name.len() == attr.name.len()
                    && earlier.name.as_bytes().first() == attr.name.as_bytes().first()
                    && earlier.name == attr.name
                    && earlier.ns == attr.ns
                {
                    return Err(self.duplicate(attr.name));
                }
            }
        }
        Ok(())
    }

    #[cold]
    pub(super) fn duplicate(&self, name: &str) -> Error {
        let msg = format!("duplicate attribute {name:?}");
        self.error_at(msg, self.value_offset(name))
    }

    /// Where the value of the attribute whose (local) name is `name`, a
    /// slice of the input, starts: what errors about an attribute point at.
    pub(super) fn value_offset(&self, name: &str) -> usize {
        let start = (name.as_ptr() as usize).saturating_sub(self.src.as_ptr() as usize);
        let after = start + name.len();
        let bytes = self.src.as_bytes();
        bytes
            .get(after..)
            .and_then(|rest| rest.iter().position(|&b| b == b'\'' || b == b'"'))
            .map_or(start, |quote| after + quote + 1)
    }

    pub(super) fn declare_prefix(
        &mut self,
        prefix: &'a str,
        value: Cow<'a, str>,
        depth: usize,
        offset: usize,
    ) -> Result<()> {
        if !is_ncname(prefix) {
            return Err(self.error_at(format!("invalid namespace prefix {prefix:?}"), offset));
        }
        if self.declared_here(prefix, depth) {
            return Err(self.error_at(format!("duplicate attribute \"xmlns:{prefix}\""), offset));
        }
        match prefix {
            "xmlns" => Err(self.error_at("the xmlns prefix cannot be declared", offset)),
            "xml" if value == ns::XML => Ok(()),
            "xml" => Err(self.error_at(
                format!("the xml prefix cannot be bound to {value:?}"),
                offset,
            )),
            _ if value.is_empty() => Err(self.error_at(
                format!("namespace prefix {prefix:?} cannot be bound to the empty namespace"),
                offset,
            )),
            _ if value == ns::XML || value == XMLNS_NS => Err(self.error_at(
                format!("namespace prefix {prefix:?} cannot be bound to {value:?}"),
                offset,
            )),
            _ => {
                self.bindings.push(Binding {
                    prefix,
                    ns: value,
                    depth,
                });
                Ok(())
            }
        }
    }

    /// Whether the element at `depth` (being opened) already declared `prefix`.
    pub(super) fn declared_here(&self, prefix: &str, depth: usize) -> bool {
        self.bindings
            .as_slice()
            .iter()
            .rev()
            .take_while(|b| b.depth == depth)
            .any(|b| b.prefix == prefix)
    }

    #[inline]
    pub(super) fn default_namespace(&self) -> Cow<'a, str> {
        self.bindings
            .as_slice()
            .iter()
            .rev()
            .find(|b| b.prefix.is_empty())
            .map_or(Cow::Borrowed(self.default_ns), |b| b.ns.clone())
    }

    /// The namespace bound to `prefix`, as a string that can outlive the
    /// element's scope (borrowed from the input where the declaration needed
    /// no unescaping).
    pub(super) fn lookup_prefix(&self, prefix: &str) -> Option<Cow<'a, str>> {
        if prefix == "xml" {
            return Some(Cow::Borrowed(ns::XML));
        }
        self.bindings
            .as_slice()
            .iter()
            .rev()
            .find(|b| b.prefix == prefix)
            .map(|b| b.ns.clone())
    }
}
