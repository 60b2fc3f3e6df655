//! The strict, namespace-aware XML 1.0 reader, shared by the stanza decoder
//! (`decoder.rs`) and the element tree builder (`tree.rs`). It tokenizes the
//! input itself (`scan.rs`), in one pass, borrowing names, values and text
//! from the input wherever nothing needs unescaping.
//!
//! Everything an XMPP peer must not send is rejected rather than interpreted:
//! DTDs (and with them every entity declaration, so no billion laughs and no
//! external entities), entity references other than the five predefined ones,
//! character references to characters XML does not allow, processing
//! instructions, a second root, text outside the root, unbound prefixes,
//! duplicate attributes, invalid names and invalid UTF-8. Limits are checked as
//! the input is read, so hostile input costs at most one pass over its bytes.
//!
//! Why not a general XML library: its tokenizer, attribute iterator and
//! namespace bookkeeping cost a mod_rest chat message about as much again as
//! all the rest of decoding it (bench/profile.sh xml); the subset XMPP allows
//! is small enough to read directly.

use std::borrow::Cow;

use super::chars::{check_chars, forbidden_char, line_col, unescape_attr, utf8};
use super::scan::{self, SyntaxError, TagClose, TagScanner};
use super::stack::{Blank, Stack};
use crate::stanza::mapping::{AttrView, is_whitespace};
use crate::stanza::ns;
use crate::stanza::xml_text::XMLNS_NS;
use crate::wire::Limits;
use crate::{Error, Result};

/// `input` as text, once it is within the size limit and UTF-8: what the
/// [`Parser`] reads. (The characters are checked as they are read.)
pub(crate) fn checked_source<'a>(input: &'a [u8], limits: &Limits) -> Result<&'a str> {
    if input.len() > limits.bytes() {
        return Err(Error::limit("xml input size in bytes", limits.bytes()));
    }
    utf8(input)
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

impl Blank for Binding<'_> {
    fn blank() -> Self {
        Binding {
            prefix: "",
            ns: Cow::Borrowed(""),
            depth: 0,
        }
    }
}

/// An open element.
struct OpenElement<'a> {
    /// Its qualified name, as its end tag must repeat it.
    qname: &'a str,
    /// Where its attributes start in `Parser::attrs`.
    attrs: usize,
}

impl Blank for OpenElement<'_> {
    fn blank() -> Self {
        OpenElement {
            qname: "",
            attrs: 0,
        }
    }
}

impl Blank for AttrView<'_> {
    fn blank() -> Self {
        AttrView {
            ns: None,
            name: "",
            value: Cow::Borrowed(""),
        }
    }
}

/// A start tag, its names and attributes resolved and checked.
pub(super) struct StartTag<'a, 'p> {
    /// The local name.
    pub(super) name: &'a str,
    /// The namespace.
    pub(super) ns: Cow<'a, str>,
    /// The attributes (namespace declarations are not attributes).
    pub(super) attrs: &'p [AttrView<'a>],
    /// The attributes of the parent element (none for the root).
    pub(super) parent_attrs: &'p [AttrView<'a>],
    /// 1 for the root element.
    pub(super) depth: usize,
}

/// What the [`Parser`] reports, in document order, inside the root element.
pub(super) trait Handler<'a> {
    /// An element starts.
    fn open(&mut self, tag: &StartTag<'a, '_>) -> Result<()>;
    /// Character data, references resolved and line ends normalised; `input`
    /// is the same text when it is a slice of the input (nothing needed
    /// resolving), so that it can be kept without a copy.
    fn text(&mut self, text: &str, input: Option<&'a str>) -> Result<()>;
    /// The innermost open element ends; `attrs` are its attributes (still
    /// at hand, so that a handler need not copy them at `open`).
    fn close(&mut self, attrs: &[AttrView<'a>]) -> Result<()>;
}

/// The strict XML reader: the input tokenized and checked, names and
/// namespaces resolved, handed to a [`Handler`] that builds what it needs
/// (an element tree, or a stanza straight away).
pub(super) struct Parser<'a, 'l> {
    src: &'a str,
    limits: &'l Limits,
    default_ns: &'static str,
    // Inline room for what a stanza needs: no allocation per request.
    bindings: Stack<Binding<'a>, 3>,
    /// The open elements, outermost first.
    open: Stack<OpenElement<'a>, 6>,
    /// Whether the root element has been closed.
    root_done: bool,
    /// The attributes of the open elements, outermost first. While a
    /// start tag is read, the `ns` of its prefixed attributes holds the
    /// prefix, until all the tag's namespace declarations are known.
    attrs: Stack<AttrView<'a>, 8>,
}

impl<'a, 'l> Parser<'a, 'l> {
    /// A parser of `src` (already through [`checked_source`]); `default_ns`
    /// is the default namespace in scope before the root element.
    // Built where it is used: it is large (the inline stacks).
    #[inline(always)]
    pub(super) fn new(src: &'a str, limits: &'l Limits, default_ns: &'static str) -> Self {
        Parser {
            src,
            limits,
            default_ns,
            bindings: Stack::new(),
            open: Stack::new(),
            root_done: false,
            attrs: Stack::new(),
        }
    }

    /// Reads the whole input into `handler`.
    pub(super) fn run<H: Handler<'a>>(&mut self, handler: &mut H) -> Result<()> {
        let read = self.read(handler);
        if read.is_err() {
            // A character XML does not allow is the first error, wherever it
            // is, as if the input had been checked before it was read. (The
            // reading checks every character it passes over: an input read
            // without error has none.)
            check_chars(self.src)?;
        }
        read
    }

    fn read<H: Handler<'a>>(&mut self, handler: &mut H) -> Result<()> {
        let bytes = self.src.as_bytes();
        // A byte order mark is not part of the document.
        let mut pos = if self.src.starts_with('\u{FEFF}') {
            3
        } else {
            0
        };
        // Nothing but whitespace read yet: where the XML declaration may be.
        let mut first = true;
        while let Some(&b) = bytes.get(pos) {
            if b != b'<' {
                let (end, special) =
                    scan::text_end(bytes, pos).map_err(|at| forbidden_char(self.src, at))?;
                let raw = self.slice(pos, end)?;
                if !(first && is_whitespace(raw)) {
                    self.text(raw, pos, special, handler)?;
                    first = false;
                }
                pos = end;
                continue;
            }
            pos = match bytes.get(pos + 1) {
                Some(b'/') => self.end_tag(pos, handler)?,
                Some(b'!') => self.bang(pos, handler)?,
                Some(b'?') => self.question(pos, first)?,
                Some(_) => self.start_tag(pos, handler)?,
                None => return Err(self.error_at("unexpected end of input inside a tag", pos)),
            };
            first = false;
        }
        if let Some(open) = self.open.last().map(|e| e.qname) {
            let msg = format!("unexpected end of input: <{open}> is not closed");
            return Err(self.error_at(msg, self.src.len()));
        }
        if self.root_done {
            Ok(())
        } else {
            Err(Error::xml("no root element", 1, 1))
        }
    }

    /// A start tag at `lt`; the offset after it.
    fn start_tag<H: Handler<'a>>(&mut self, lt: usize, handler: &mut H) -> Result<usize> {
        match self.open_tag(lt, handler) {
            Ok(next) => Ok(next),
            // The tag is read in the same pass as its attributes: whatever
            // else is wrong with it, an unterminated tag is reported as such.
            Err(_) if scan::tag_end(self.src.as_bytes(), lt).is_none() => {
                Err(self.error_at("unexpected end of input inside a tag", lt))
            }
            Err(e) => Err(e),
        }
    }

    /// Checks a start tag, declares its namespaces and reports it (and its
    /// end, for an empty element).
    fn open_tag<H: Handler<'a>>(&mut self, lt: usize, handler: &mut H) -> Result<usize> {
        let depth = self.open.len() + 1;
        if depth > self.limits.depth() {
            return Err(Error::limit("xml nesting depth", self.limits.depth()));
        }
        if self.root_done {
            return Err(self.error_at("more than one root element", lt));
        }
        let mut scanner = TagScanner::new(self.src, lt);
        let (qname, parts, mut close) = scanner.name().map_err(|e| self.syntax(e))?;
        let (prefix, local) =
            parts.ok_or_else(|| self.error_at(format!("invalid element name {qname:?}"), lt))?;

        let start = self.attrs.len();
        let max_attributes = self.limits.attributes();
        let mut count = 0usize;
        let mut prefixed = false;
        while close.is_none() {
            let attr = match scanner.next().map_err(|e| self.syntax(e))? {
                Ok(attr) => attr,
                Err(end) => {
                    close = Some(end);
                    break;
                }
            };
            count += 1;
            if count > max_attributes {
                return Err(Error::limit("attributes on one element", max_attributes));
            }
            let (key, offset) = (attr.key, attr.at);
            let value = if attr.special {
                unescape_attr(attr.value).map_err(|(msg, at)| self.error_at(msg, offset + at))?
            } else {
                Cow::Borrowed(attr.value)
            };
            match attr.qname {
                Some((None, "xmlns")) => {
                    if self.declared_here("", depth) {
                        return Err(self.error_at("duplicate attribute \"xmlns\"", offset));
                    }
                    if value == ns::XML || value == XMLNS_NS {
                        return Err(self.error_at(
                            format!("{value:?} cannot be the default namespace"),
                            offset,
                        ));
                    }
                    self.bindings.push(Binding {
                        prefix: "",
                        ns: value,
                        depth,
                    });
                }
                Some((Some("xmlns"), declared)) => {
                    self.declare_prefix(declared, value, depth, offset)?;
                }
                // Not a name, but a declaration: the prefix is the error.
                None if key.starts_with("xmlns:") => {
                    let declared = key.get(6..).unwrap_or_default();
                    self.declare_prefix(declared, value, depth, offset)?;
                }
                None => {
                    return Err(self.error_at(format!("invalid attribute name {key:?}"), lt));
                }
                // `xml` is bound to its namespace once and for all.
                Some((Some("xml"), local)) => self.attrs.push(AttrView {
                    ns: Some(Cow::Borrowed(ns::XML)),
                    name: local,
                    value,
                }),
                Some((prefix, local)) => {
                    prefixed |= prefix.is_some();
                    self.attrs.push(AttrView {
                        ns: prefix.map(Cow::Borrowed),
                        name: local,
                        value,
                    });
                }
            }
        }

        let el_ns = match prefix {
            None => self.default_namespace(),
            Some("xmlns") => {
                return Err(self.error_at("element names cannot use the xmlns prefix", lt));
            }
            // Legal XML, but no XMPP element is in the XML namespace, and an
            // element of that namespace cannot be written back with a default
            // namespace declaration (found by fuzzing).
            Some("xml") => {
                return Err(self.error_at("element names cannot use the xml prefix", lt));
            }
            Some(p) => self
                .lookup_prefix(p)
                .ok_or_else(|| self.error_at(format!("unbound namespace prefix {p:?}"), lt))?,
        };
        if prefixed || self.attrs.len() > start + 1 {
            self.resolve_attrs(start, prefixed)?;
        }
        let parent = self.open.last().map_or(start, |e| e.attrs);
        self.open.push(OpenElement {
            qname,
            attrs: start,
        });
        let all = self.attrs.as_slice();
        let tag = StartTag {
            name: local,
            ns: el_ns,
            attrs: all.get(start..).unwrap_or_default(),
            parent_attrs: all.get(parent..start).unwrap_or_default(),
            depth,
        };
        handler.open(&tag)?;
        if close == Some(TagClose::Empty) {
            self.close(handler)?;
        }
        Ok(scanner.pos())
    }

    /// An end tag at `lt`; the offset after it.
    fn end_tag<H: Handler<'a>>(&mut self, lt: usize, handler: &mut H) -> Result<usize> {
        // The usual end tag: `</` the open element's name `>`.
        if let Some(open) = self.open.last().map(|e| e.qname) {
            let bytes = self.src.as_bytes();
            let name_end = lt + 2 + open.len();
            if bytes.get(lt + 2..name_end) == Some(open.as_bytes())
                && bytes.get(name_end) == Some(&b'>')
            {
                self.close(handler)?;
                return Ok(name_end + 1);
            }
        }
        let Some(gt) = scan::tag_end(self.src.as_bytes(), lt) else {
            return Err(self.error_at("unexpected end of input inside a tag", lt));
        };
        // Whitespace may follow the name.
        let name = self
            .slice(lt + 2, gt)?
            .trim_end_matches([' ', '\t', '\n', '\r']);
        match self.open.last().map(|e| e.qname) {
            None => Err(self.error_at(format!("closing tag </{name}> has no start tag"), lt)),
            Some(open) if open != name => {
                Err(self.error_at(format!("expected </{open}>, found </{name}>"), lt))
            }
            Some(_) => {
                self.close(handler)?;
                Ok(gt + 1)
            }
        }
    }

    /// Ends the innermost element.
    // Once per element, from three places: inlined (a call costs a quarter of it).
    #[inline(always)]
    fn close<H: Handler<'a>>(&mut self, handler: &mut H) -> Result<()> {
        let depth = self.open.len().saturating_sub(1);
        let start = self.open.last().map_or(0, |e| e.attrs);
        self.open.truncate(depth);
        // The declarations of the element (at the top of the stack) go.
        let bindings = self.bindings.as_slice();
        let mut in_scope = bindings.len();
        while in_scope > 0 && bindings.get(in_scope - 1).is_some_and(|b| b.depth > depth) {
            in_scope -= 1;
        }
        self.bindings.truncate(in_scope);
        if depth == 0 {
            self.root_done = true;
        }
        let closed = handler.close(self.attrs.as_slice().get(start..).unwrap_or_default());
        self.attrs.truncate(start);
        closed
    }

    /// Reports character data at `at` (`special`: it holds a reference or
    /// a carriage return).
    fn text<H: Handler<'a>>(
        &mut self,
        raw: &'a str,
        at: usize,
        special: bool,
        handler: &mut H,
    ) -> Result<()> {
        if self.open.is_empty() {
            return self.outside_text(raw, at);
        }
        self.inside_text(raw, at, special, true, handler)
    }

    /// Character data inside the root element (`refs`: not a CDATA section).
    #[inline(always)]
    fn inside_text<H: Handler<'a>>(
        &mut self,
        raw: &'a str,
        at: usize,
        special: bool,
        refs: bool,
        handler: &mut H,
    ) -> Result<()> {
        if !special {
            return handler.text(raw, Some(raw));
        }
        match scan::resolve_text(raw, at, refs) {
            Ok(text) => handler.text(&text, None),
            Err((before, error)) => {
                // The text before the error first: a limit it breaks is
                // reported as such, before the malformed reference.
                handler.text(&before, None)?;
                Err(self.syntax(error))
            }
        }
    }

    /// The input between two offsets that the scanner found.
    fn slice(&self, start: usize, end: usize) -> Result<&'a str> {
        let src: &'a str = self.src;
        src.get(start..end)
            .ok_or_else(|| self.error_at("internal error: token outside the input", start))
    }

    fn syntax(&self, (message, offset): SyntaxError) -> Error {
        self.error_at(message, offset)
    }

    fn error_at(&self, message: impl Into<String>, offset: usize) -> Error {
        let (line, column) = line_col(self.src.as_bytes(), offset);
        Error::xml(message, line, column)
    }
}

#[path = "reader_markup.rs"]
mod markup;
#[path = "reader_ns.rs"]
mod scope;

#[cfg(test)]
#[path = "reader_tests.rs"]
mod tests;
