//! The strict, namespace-aware XML 1.0 reader on top of quick-xml's
//! borrowing slice reader, shared by the stanza decoder (`decoder.rs`) and
//! the element tree builder (`tree.rs`).
//!
//! Everything an XMPP peer must not send is rejected rather than interpreted:
//! DTDs (and with them every entity declaration, so no billion laughs and no
//! external entities), entity references other than the five predefined ones,
//! character references to characters XML does not allow, processing
//! instructions, a second root, text outside the root, unbound prefixes,
//! duplicate attributes, invalid names and invalid UTF-8. Limits are checked as
//! the input is read, so hostile input costs at most one pass over its bytes.

use std::borrow::Cow;

use quick_xml::errors::{Error as QxError, IllFormedError, SyntaxError};
use quick_xml::events::attributes::AttrError;
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

use super::chars::{check_chars, line_col, normalize_eols, resolve_reference, unescape_attr};
use crate::stanza::mapping::{AttrView, is_whitespace};
use crate::stanza::ns;
use crate::stanza::xml_text::{XMLNS_NS, is_ncname};
use crate::wire::Limits;
use crate::{Error, Result};

/// `input` as text, once it is within the size limit and holds only
/// characters XML allows: what the [`Parser`] reads.
pub(crate) fn checked_source<'a>(input: &'a [u8], limits: &Limits) -> Result<&'a str> {
    if input.len() > limits.bytes() {
        return Err(Error::limit("xml input size in bytes", limits.bytes()));
    }
    check_chars(input)
}

/// A namespace declaration in scope.
struct Binding<'a> {
    /// The prefix, `""` for the default namespace.
    prefix: &'a str,
    /// The namespace name (`""` undeclares the default namespace).
    ns: Cow<'a, str>,
    /// Depth of the declaring element (the root is 1).
    depth: usize,
}

/// An attribute of the start tag being read, before namespace resolution.
struct RawAttr<'a> {
    prefix: Option<&'a str>,
    local: &'a str,
    value: Cow<'a, str>,
    offset: usize,
}

/// A start tag, its names and attributes resolved and checked.
pub(super) struct StartTag<'a, 'p> {
    /// The local name.
    pub(super) name: &'a str,
    /// The namespace.
    pub(super) ns: Cow<'a, str>,
    /// The attributes (namespace declarations are not attributes).
    pub(super) attrs: &'p [AttrView<'a>],
    /// 1 for the root element.
    pub(super) depth: usize,
}

/// What the [`Parser`] reports, in document order, inside the root element.
pub(super) trait Handler<'a> {
    /// An element starts.
    fn open(&mut self, tag: &StartTag<'a, '_>) -> Result<()>;
    /// Character data, line ends normalised; `None` when it is not a slice
    /// of the input (see `temp`).
    fn text(&mut self, text: &str, input: Option<&'a str>) -> Result<()>;
    /// The innermost open element ends.
    fn close(&mut self) -> Result<()>;
}

/// The strict XML reader: quick-xml's events, checked, with names and
/// namespaces resolved, handed to a [`Handler`] that builds what it needs
/// (an element tree, or a stanza straight away).
pub(super) struct Parser<'a, 'l> {
    src: &'a str,
    reader: Reader<&'a [u8]>,
    limits: &'l Limits,
    default_ns: &'static str,
    bindings: Vec<Binding<'a>>,
    /// The qualified names of the open elements, outermost first.
    open: Vec<&'a str>,
    /// Whether the root element has been closed.
    root_done: bool,
    /// Reused buffers for the attributes of one start tag.
    raw: Vec<RawAttr<'a>>,
    attrs: Vec<AttrView<'a>>,
}

impl<'a, 'l> Parser<'a, 'l> {
    /// A parser of `src` (already through [`checked_source`]); `default_ns`
    /// is the default namespace in scope before the root element.
    pub(super) fn new(src: &'a str, limits: &'l Limits, default_ns: &'static str) -> Self {
        let mut reader = Reader::from_str(src);
        let config = reader.config_mut();
        config.check_end_names = true;
        config.check_comments = true;
        config.expand_empty_elements = false;
        config.allow_dangling_amp = false;
        config.allow_unmatched_ends = false;
        config.trim_text(false);
        Parser {
            src,
            reader,
            limits,
            default_ns,
            // Room for what a stanza needs, so that the vectors do not grow.
            bindings: Vec::with_capacity(4),
            open: Vec::with_capacity(8),
            root_done: false,
            raw: Vec::with_capacity(8),
            attrs: Vec::with_capacity(8),
        }
    }

    /// Reads the whole input into `handler`.
    pub(super) fn run<H: Handler<'a>>(&mut self, handler: &mut H) -> Result<()> {
        let mut first = true;
        loop {
            let pos = self.reader.buffer_position() as usize;
            let event = match self.reader.read_event() {
                Ok(event) => event,
                Err(e) => return Err(self.reader_error(e)),
            };
            match event {
                Event::Start(start) => {
                    self.open(&start, pos, handler)?;
                }
                Event::Empty(start) => {
                    self.open(&start, pos, handler)?;
                    self.close(handler)?;
                }
                Event::End(_) => {
                    // quick-xml has checked that the end tag matches the open one.
                    if self.open.is_empty() {
                        return Err(self.error_at("closing tag without a start tag", pos));
                    }
                    self.close(handler)?;
                }
                Event::Text(text) => {
                    let raw = self.sub(&text, pos)?;
                    if first && is_whitespace(raw) {
                        // Leading whitespace does not stop a declaration from following.
                        continue;
                    }
                    self.text(raw, pos, handler)?;
                }
                Event::CData(cdata) => {
                    let raw = self.sub(&cdata, pos)?;
                    if self.open.is_empty() {
                        return Err(self.error_at("cdata section outside the root element", pos));
                    }
                    self.text(raw, pos, handler)?;
                }
                Event::GeneralRef(reference) => {
                    let name = self.sub(&reference, pos)?;
                    if self.open.is_empty() {
                        return Err(self.error_at("reference outside the root element", pos));
                    }
                    let c = resolve_reference(name).map_err(|msg| self.error_at(msg, pos))?;
                    let mut buf = [0u8; 4];
                    handler.text(c.encode_utf8(&mut buf), None)?;
                }
                Event::Comment(_) => {}
                Event::Decl(decl) => {
                    if !first {
                        return Err(self.error_at(
                            "the xml declaration is only allowed at the start of the input",
                            pos,
                        ));
                    }
                    self.check_decl(&decl, pos)?;
                }
                Event::PI(_) => {
                    return Err(self.error_at("processing instructions are not allowed", pos));
                }
                Event::DocType(_) => {
                    return Err(self.error_at(
                        "doctype declarations are not allowed (no dtds, no entity declarations)",
                        pos,
                    ));
                }
                Event::Eof => break,
            }
            first = false;
        }
        if let Some(open) = self.open.last() {
            let msg = format!("unexpected end of input: <{open}> is not closed");
            return Err(self.error_at(msg, self.src.len()));
        }
        if self.root_done {
            Ok(())
        } else {
            Err(Error::xml("no root element", 1, 1))
        }
    }

    /// Checks a start tag, declares its namespaces and reports it.
    fn open<H: Handler<'a>>(
        &mut self,
        start: &BytesStart<'_>,
        pos: usize,
        handler: &mut H,
    ) -> Result<()> {
        let depth = self.open.len() + 1;
        if depth > self.limits.depth() {
            return Err(Error::limit("xml nesting depth", self.limits.depth()));
        }
        if self.root_done {
            return Err(self.error_at("more than one root element", pos));
        }
        let qname = self.sub(start.name().as_ref(), pos)?;
        let (prefix, local) = split_qname(qname)
            .ok_or_else(|| self.error_at(format!("invalid element name {qname:?}"), pos))?;

        self.raw.clear();
        let mut count = 0usize;
        // Duplicates are checked below on expanded names, which also catches
        // literal duplicates; quick-xml's own check would allocate per tag.
        for attr in start.attributes().with_checks(false) {
            let attr = attr.map_err(|e| self.attr_error(e, pos))?;
            count += 1;
            if count > self.limits.attributes() {
                return Err(Error::limit(
                    "attributes on one element",
                    self.limits.attributes(),
                ));
            }
            let key = self.sub(attr.key.as_ref(), pos)?;
            let raw = self.sub(&attr.value, pos)?;
            let offset = self.offset_of(raw.as_bytes()).unwrap_or(pos);
            let value = unescape_attr(raw).map_err(|(msg, at)| self.error_at(msg, offset + at))?;
            if key == "xmlns" {
                if self.declared_here("", depth) {
                    return Err(self.error_at("duplicate attribute \"xmlns\"", offset));
                }
                if value == ns::XML || value == XMLNS_NS {
                    return Err(
                        self.error_at(format!("{value:?} cannot be the default namespace"), offset)
                    );
                }
                self.bindings.push(Binding {
                    prefix: "",
                    ns: value,
                    depth,
                });
            } else if let Some(declared) = key.strip_prefix("xmlns:") {
                self.declare_prefix(declared, value, depth, offset)?;
            } else {
                let (prefix, local) = split_qname(key)
                    .ok_or_else(|| self.error_at(format!("invalid attribute name {key:?}"), pos))?;
                if prefix == Some("xmlns") {
                    return Err(self.error_at(format!("invalid attribute name {key:?}"), pos));
                }
                self.raw.push(RawAttr {
                    prefix,
                    local,
                    value,
                    offset,
                });
            }
        }

        let el_ns = match prefix {
            None => self.default_namespace(),
            Some("xmlns") => {
                return Err(self.error_at("element names cannot use the xmlns prefix", pos));
            }
            // Legal XML, but no XMPP element is in the XML namespace, and an
            // element of that namespace cannot be written back with a default
            // namespace declaration (found by fuzzing).
            Some("xml") => {
                return Err(self.error_at("element names cannot use the xml prefix", pos));
            }
            Some(p) => self
                .lookup_prefix(p)
                .ok_or_else(|| self.error_at(format!("unbound namespace prefix {p:?}"), pos))?,
        };
        self.attrs.clear();
        let mut raw = std::mem::take(&mut self.raw);
        for attr in raw.drain(..) {
            let attr_ns = match attr.prefix {
                None => None,
                Some(p) => Some(self.lookup_prefix(p).ok_or_else(|| {
                    self.error_at(format!("unbound namespace prefix {p:?}"), attr.offset)
                })?),
            };
            let duplicate = self
                .attrs
                .iter()
                .any(|a| a.name == attr.local && a.ns.as_deref() == attr_ns.as_deref());
            if duplicate {
                return Err(
                    self.error_at(format!("duplicate attribute {:?}", attr.local), attr.offset)
                );
            }
            self.attrs.push(AttrView {
                ns: attr_ns,
                name: attr.local,
                value: attr.value,
            });
        }
        self.raw = raw;
        self.open.push(qname);
        let tag = StartTag {
            name: local,
            ns: el_ns,
            attrs: &self.attrs,
            depth,
        };
        handler.open(&tag)
    }

    /// Ends the innermost element.
    fn close<H: Handler<'a>>(&mut self, handler: &mut H) -> Result<()> {
        self.open.pop();
        let depth = self.open.len();
        while self.bindings.last().is_some_and(|b| b.depth > depth) {
            self.bindings.pop();
        }
        if depth == 0 {
            self.root_done = true;
        }
        handler.close()
    }

    /// Reports raw character data (line ends not yet normalised).
    fn text<H: Handler<'a>>(&mut self, raw: &'a str, pos: usize, handler: &mut H) -> Result<()> {
        if self.open.is_empty() {
            return if is_whitespace(raw) {
                Ok(())
            } else if self.root_done {
                Err(self.error_at("text after the root element", pos))
            } else {
                Err(self.error_at("text before the root element", pos))
            };
        }
        match normalize_eols(raw) {
            Cow::Borrowed(s) => handler.text(s, Some(s)),
            Cow::Owned(s) => handler.text(&s, None),
        }
    }

    fn declare_prefix(
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
    fn declared_here(&self, prefix: &str, depth: usize) -> bool {
        self.bindings
            .iter()
            .rev()
            .take_while(|b| b.depth == depth)
            .any(|b| b.prefix == prefix)
    }

    fn default_namespace(&self) -> Cow<'a, str> {
        self.bindings
            .iter()
            .rev()
            .find(|b| b.prefix.is_empty())
            .map_or(Cow::Borrowed(self.default_ns), |b| b.ns.clone())
    }

    /// The namespace bound to `prefix`, as a string that can outlive the
    /// element's scope (borrowed from the input where the declaration needed
    /// no unescaping).
    fn lookup_prefix(&self, prefix: &str) -> Option<Cow<'a, str>> {
        if prefix == "xml" {
            return Some(Cow::Borrowed(ns::XML));
        }
        self.bindings
            .iter()
            .rev()
            .find(|b| b.prefix == prefix)
            .map(|b| b.ns.clone())
    }

    fn check_decl(&self, decl: &quick_xml::events::BytesDecl<'_>, pos: usize) -> Result<()> {
        let version = decl
            .version()
            .map_err(|e| self.error_at(describe(&e), pos))?;
        if version.as_ref() != b"1.0" {
            return Err(self.error_at(
                format!(
                    "unsupported xml version {:?}: only 1.0 is supported",
                    String::from_utf8_lossy(&version)
                ),
                pos,
            ));
        }
        if let Some(encoding) = decl.encoding() {
            let encoding = encoding.map_err(|e| self.attr_error(e, pos))?;
            if !encoding.eq_ignore_ascii_case(b"utf-8") {
                return Err(self.error_at(
                    format!(
                        "unsupported encoding {:?}: only utf-8 is supported",
                        String::from_utf8_lossy(&encoding)
                    ),
                    pos,
                ));
            }
        }
        Ok(())
    }

    /// The byte offset of `slice` in the input, when it points into it.
    fn offset_of(&self, slice: &[u8]) -> Option<usize> {
        let start = self.src.as_ptr() as usize;
        let at = slice.as_ptr() as usize;
        let offset = at.checked_sub(start)?;
        (offset + slice.len() <= self.src.len()).then_some(offset)
    }

    /// The input text under `slice`, a sub-slice of the input handed out by the
    /// slice reader; the input is already known to be UTF-8.
    fn sub(&self, slice: &[u8], pos: usize) -> Result<&'a str> {
        let src: &'a str = self.src;
        self.offset_of(slice)
            .and_then(|offset| src.get(offset..offset + slice.len()))
            .ok_or_else(|| self.error_at("internal error: parser data outside the input", pos))
    }

    fn error_at(&self, message: impl Into<String>, offset: usize) -> Error {
        let (line, column) = line_col(self.src.as_bytes(), offset);
        Error::xml(message, line, column)
    }

    fn reader_error(&self, e: QxError) -> Error {
        let offset = self.reader.error_position() as usize;
        self.error_at(describe(&e), offset).with_source(e)
    }

    fn attr_error(&self, e: AttrError, tag: usize) -> Error {
        // Attribute error positions count from the byte after `<`.
        let at = match e {
            AttrError::ExpectedEq(p)
            | AttrError::ExpectedValue(p)
            | AttrError::UnquotedValue(p)
            | AttrError::ExpectedQuote(p, _)
            | AttrError::Duplicated(p, _) => p,
        };
        let message = match e {
            AttrError::ExpectedEq(_) => "expected '=' after the attribute name",
            AttrError::ExpectedValue(_) => "expected a quoted attribute value",
            AttrError::UnquotedValue(_) => "attribute values must be quoted",
            AttrError::ExpectedQuote(..) => "attribute value is not terminated",
            AttrError::Duplicated(..) => "duplicate attribute",
        };
        self.error_at(message, tag + 1 + at).with_source(e)
    }
}

/// A lowercase description of a quick-xml error.
fn describe(e: &QxError) -> String {
    match e {
        QxError::Syntax(s) => match s {
            SyntaxError::InvalidBangMarkup => "invalid markup after '<!'".into(),
            SyntaxError::UnclosedPIOrXmlDecl => {
                "unexpected end of input inside a processing instruction or xml declaration".into()
            }
            SyntaxError::UnclosedComment => "unexpected end of input inside a comment".into(),
            SyntaxError::UnclosedDoctype => {
                "doctype declarations are not allowed (and this one is not closed)".into()
            }
            SyntaxError::UnclosedCData => "unexpected end of input inside a cdata section".into(),
            SyntaxError::UnclosedTag => "unexpected end of input inside a tag".into(),
        },
        QxError::IllFormed(i) => match i {
            IllFormedError::MissingDeclVersion(_) => {
                "the xml declaration must start with a version".into()
            }
            IllFormedError::MissingDoctypeName => "doctype declarations are not allowed".into(),
            IllFormedError::MissingEndTag(tag) => {
                format!("unexpected end of input: <{tag}> is not closed")
            }
            IllFormedError::UnmatchedEndTag(tag) => {
                format!("closing tag </{tag}> has no start tag")
            }
            IllFormedError::MismatchedEndTag { expected, found } => {
                format!("expected </{expected}>, found </{found}>")
            }
            IllFormedError::DoubleHyphenInComment => "'--' inside a comment".into(),
            IllFormedError::UnclosedReference => {
                "unterminated entity or character reference (no ';')".into()
            }
        },
        other => other.to_string(),
    }
}

/// Splits a qualified name into prefix and local part, checking both are NCNames.
fn split_qname(qname: &str) -> Option<(Option<&str>, &str)> {
    let colon = qname.bytes().position(|b| b == b':');
    match colon.map(|at| (&qname[..at], &qname[at + 1..])) {
        None => is_ncname(qname).then_some((None, qname)),
        Some((prefix, local)) => {
            (is_ncname(prefix) && is_ncname(local)).then_some((Some(prefix), local))
        }
    }
}

#[cfg(test)]
#[path = "reader_tests.rs"]
mod tests;
