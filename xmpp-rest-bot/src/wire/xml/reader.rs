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

use crate::stanza::mapping::{AttrView, is_whitespace};
use crate::stanza::ns;
use crate::stanza::xml_text::{XMLNS_NS, is_ncname, is_xml_char};
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

/// Checks that `input` is UTF-8 and holds only characters XML 1.0 allows
/// anywhere in a document (no C0 controls other than tab, newline and carriage
/// return, no U+FFFE or U+FFFF).
fn check_chars(input: &[u8]) -> Result<&str> {
    let src = std::str::from_utf8(input).map_err(|e| {
        let (line, column) = line_col(input, e.valid_up_to());
        Error::xml("invalid utf-8", line, column).with_source(e)
    })?;
    let bytes = src.as_bytes();
    // Scan fixed-size chunks branch-free (the compiler vectorises this) for a
    // byte that could start a forbidden character; only such chunks are
    // looked at byte by byte.
    const CHUNK: usize = 32;
    let suspicious =
        |b: u8| ((b < 0x20) & (b != b'\t') & (b != b'\n') & (b != b'\r')) | (b == 0xEF);
    for (c, chunk) in bytes.chunks(CHUNK).enumerate() {
        if !chunk.iter().fold(false, |acc, &b| acc | suspicious(b)) {
            continue;
        }
        for (j, &b) in chunk.iter().enumerate() {
            let i = c * CHUNK + j;
            let forbidden = if b == 0xEF {
                bytes.get(i + 1) == Some(&0xBF) && matches!(bytes.get(i + 2), Some(0xBE | 0xBF))
            } else {
                suspicious(b)
            };
            if forbidden {
                let (line, column) = line_col(input, i);
                let c = src
                    .get(i..)
                    .and_then(|s| s.chars().next())
                    .unwrap_or_default();
                return Err(Error::xml(
                    format!("character U+{:04X} is not allowed in xml", c as u32),
                    line,
                    column,
                ));
            }
        }
    }
    Ok(src)
}

/// The 1-based line and column (in characters) of byte `offset` of `input`.
pub(crate) fn line_col(input: &[u8], offset: usize) -> (u64, u64) {
    let before = input.get(..offset).unwrap_or(input);
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let column = before[line_start..]
        .iter()
        .filter(|&&b| (b & 0xC0) != 0x80)
        .count()
        + 1;
    (line as u64, column as u64)
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

/// Resolves the name of a reference (between `&` and `;`): one of the five
/// predefined entities or a character reference to a legal character.
pub(super) fn resolve_reference(name: &str) -> std::result::Result<char, String> {
    Ok(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "apos" => '\'',
        "quot" => '"',
        _ => {
            let Some(number) = name.strip_prefix('#') else {
                return Err(format!(
                    "undefined entity &{name};: only &amp; &lt; &gt; &apos; &quot; and character references are allowed"
                ));
            };
            let code = match number.strip_prefix('x') {
                Some(hex) if !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
                    u32::from_str_radix(hex, 16).ok()
                }
                None if !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()) => {
                    number.parse::<u32>().ok()
                }
                _ => return Err(format!("invalid character reference &{name};")),
            };
            match code.and_then(char::from_u32) {
                Some(c) if is_xml_char(c) => c,
                _ => {
                    return Err(format!(
                        "character reference &{name}; is not a character allowed in xml"
                    ));
                }
            }
        }
    })
}

/// The bytes that make an attribute value need unescaping or normalising.
static ATTR_SPECIAL: [bool; 256] = {
    let mut table = [false; 256];
    table[b'&' as usize] = true;
    table[b'<' as usize] = true;
    table[b'\t' as usize] = true;
    table[b'\n' as usize] = true;
    table[b'\r' as usize] = true;
    table
};

/// Unescapes an attribute value and normalises its whitespace as XML 1.0
/// requires (literal tab, newline and carriage return become spaces; character
/// references to them are kept). The error carries the offset in `raw`.
pub(super) fn unescape_attr(raw: &str) -> std::result::Result<Cow<'_, str>, (String, usize)> {
    let bytes = raw.as_bytes();
    // Values are short: a table lookup per byte beats a vectorised scan that
    // never gets past its scalar tail.
    if !bytes.iter().any(|&b| ATTR_SPECIAL[usize::from(b)]) {
        return Ok(Cow::Borrowed(raw));
    }
    let mut out = String::with_capacity(raw.len());
    let mut last = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'<' => return Err(("'<' is not allowed in an attribute value".into(), i)),
            b'\t' | b'\n' => {
                out.push_str(&raw[last..i]);
                out.push(' ');
                last = i + 1;
            }
            b'\r' => {
                out.push_str(&raw[last..i]);
                out.push(' ');
                if bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                last = i + 1;
            }
            b'&' => {
                out.push_str(&raw[last..i]);
                let Some(len) = raw[i..].find(';') else {
                    return Err((
                        "unterminated entity or character reference (no ';')".into(),
                        i,
                    ));
                };
                let c = resolve_reference(&raw[i + 1..i + len]).map_err(|msg| (msg, i))?;
                out.push(c);
                i += len;
                last = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    out.push_str(&raw[last..]);
    Ok(Cow::Owned(out))
}

/// XML 1.0 end-of-line handling: `\r\n` and lone `\r` become `\n`.
fn normalize_eols(raw: &str) -> Cow<'_, str> {
    if !raw.as_bytes().contains(&b'\r') {
        return Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            if chars.peek() == Some(&'\n') {
                chars.next();
            }
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stanza::{Element, Node};
    use crate::wire::xml::tree::parse;

    #[test]
    fn known_and_unknown_names_compare_alike() {
        let el = parse_str("<a xmlns='jabber:client'><body/><bodyx/></a>").unwrap();
        let built = Element::builder("a", ns::CLIENT)
            .child(Element::new("body", ns::CLIENT))
            .child(Element::new("bodyx", ns::CLIENT))
            .build();
        assert_eq!(el, built);
    }

    fn parse_str(s: &str) -> Result<Element> {
        parse(s.as_bytes(), &Limits::default(), "")
    }

    #[test]
    fn namespaces_resolve_per_scope() {
        let el = parse_str(
            "<a xmlns='urn:a' xmlns:p='urn:p'><p:b p:x='1' y='2'><c xmlns=''/></p:b><d/></a>",
        )
        .unwrap();
        assert!(el.is("a", "urn:a"));
        let b = el.children().next().unwrap();
        assert!(b.is("b", "urn:p"));
        assert_eq!(b.attr_ns(Some("urn:p"), "x"), Some("1"));
        assert_eq!(b.attr("y"), Some("2"));
        assert!(b.children().next().unwrap().is("c", ""));
        assert!(el.children().nth(1).unwrap().is("d", "urn:a"));
        // namespace declarations are not attributes
        assert_eq!(el.attrs().len(), 0);
    }

    #[test]
    fn default_namespace_applies_to_unprefixed_root() {
        let el = parse(b"<message/>", &Limits::default(), ns::CLIENT).unwrap();
        assert!(el.is("message", ns::CLIENT));
    }

    #[test]
    fn xml_lang_is_in_the_xml_namespace() {
        let el = parse_str("<a xml:lang='de'/>").unwrap();
        assert_eq!(el.attr_ns(Some(ns::XML), "lang"), Some("de"));
    }

    #[test]
    fn text_references_and_cdata_merge_into_one_text_node() {
        let el = parse_str("<a>x &amp; y &#x1F600;&#65;<![CDATA[<z>]]></a>").unwrap();
        assert_eq!(el.nodes().len(), 1);
        assert_eq!(el.text(), "x & y \u{1F600}A<z>");
    }

    #[test]
    fn line_ends_are_normalised_in_text_and_attributes() {
        let el = parse_str("<a b='1\r\n2\t3&#10;4'>x\r\ny\rz</a>").unwrap();
        assert_eq!(el.attr("b"), Some("1 2 3\n4"));
        assert_eq!(el.text(), "x\ny\nz");
    }

    #[test]
    fn attribute_borrowed_fast_path_keeps_value() {
        let el = parse_str("<a b=\"it's\" c='say \"hi\"'/>").unwrap();
        assert_eq!(el.attr("b"), Some("it's"));
        assert_eq!(el.attr("c"), Some("say \"hi\""));
    }

    #[test]
    fn whitespace_between_elements_is_kept_inside_the_root() {
        let el = parse_str("\n <p><b>a</b> <i>b</i></p>\n").unwrap();
        assert_eq!(el.nodes().len(), 3);
        assert_eq!(el.nodes()[1], Node::Text(" ".into()));
    }

    #[test]
    fn declaration_bom_and_comments_are_accepted() {
        let el = parse_str(
            "\u{FEFF}<?xml version='1.0' encoding='UTF-8'?><!-- hi --><a/><!-- bye -->\n",
        )
        .unwrap();
        assert!(el.is("a", ""));
    }

    fn malformed(s: &str) -> String {
        let err = parse_str(s).unwrap_err();
        assert!(err.is_malformed(), "{s:?}: {err}");
        err.to_string()
    }

    #[test]
    fn rejects_what_xmpp_forbids() {
        assert!(malformed("<!DOCTYPE a><a/>").contains("doctype"));
        assert!(malformed("<a>&foo;</a>").contains("undefined entity &foo;"));
        assert!(malformed("<a b='&foo;'/>").contains("undefined entity"));
        assert!(malformed("<a>&#0;</a>").contains("&#0;"));
        assert!(malformed("<a>&#x1;</a>").contains("not a character allowed"));
        assert!(malformed("<a>&#xD800;</a>").contains("not a character allowed"));
        assert!(malformed("<a>&#xFFFE;</a>").contains("not a character allowed"));
        assert!(malformed("<a>&#-1;</a>").contains("invalid character reference"));
        assert!(malformed("<a>&#x;</a>").contains("invalid character reference"));
        assert!(malformed("<a>\u{1}</a>").contains("U+0001"));
        assert!(malformed("<a>\u{FFFF}</a>").contains("U+FFFF"));
        assert!(malformed("<a>\u{FFFE}</a>").contains("U+FFFE"));
        // other characters starting with the same byte are fine
        assert!(parse_str("<a>\u{FE0F}\u{FF01}\u{FFFD}</a>").is_ok());
        // a forbidden character far into the input, after harmless newlines
        let long = format!("<a>{}\u{7}</a>", "x\n".repeat(100));
        assert!(malformed(&long).contains("U+0007"));
        assert!(malformed("<?pi x?><a/>").contains("processing instructions"));
        assert!(malformed("<a/><?xml version='1.0'?>").contains("only allowed at the start"));
        assert!(malformed("<?xml version='1.1'?><a/>").contains("1.0"));
        assert!(malformed("<?xml version='1.0' encoding='latin1'?><a/>").contains("utf-8"));
        assert!(malformed("<a/><b/>").contains("more than one root"));
        assert!(malformed("<a/>x").contains("text after the root"));
        assert!(malformed("x<a/>").contains("text before the root"));
        assert!(malformed("<a>").contains("<a> is not closed"));
        assert!(malformed("<a><b></a>").contains("expected </b>"));
        assert!(malformed("<a b='1").contains("end of input"));
        assert!(malformed("<p:a/>").contains("unbound namespace prefix \"p\""));
        assert!(malformed("<a p:b='1'/>").contains("unbound namespace prefix \"p\""));
        assert!(malformed("<a b='1' b='2'/>").contains("duplicate attribute"));
        assert!(malformed("<a xmlns='u' xmlns='v'/>").contains("duplicate attribute"));
        assert!(malformed("<a xmlns:p='u' xmlns:p='v'/>").contains("duplicate attribute"));
        assert!(malformed("<a xml:lang='en' xml:lang='de'/>").contains("duplicate attribute"));
        assert!(
            malformed("<a xmlns:p='u' xmlns:q='u' p:b='1' q:b='2'/>")
                .contains("duplicate attribute")
        );
        assert!(malformed("<a b='x<y'/>").contains("'<'"));
        assert!(malformed("<a xmlns:p=''/>").contains("empty namespace"));
        assert!(malformed("<a xmlns:xml='urn:x'/>").contains("xml prefix"));
        assert!(malformed("<a xmlns:xmlns='urn:x'/>").contains("xmlns prefix"));
        assert!(
            malformed("<a xmlns='http://www.w3.org/XML/1998/namespace'/>")
                .contains("default namespace")
        );
        assert!(malformed("<xmlns:a/>").contains("xmlns prefix"));
        assert!(malformed("<1a/>").contains("invalid element name"));
        assert!(malformed("<a:b:c/>").contains("invalid element name"));
        assert!(malformed("<a b/>").contains("'='"));
        assert!(malformed("<a b=c/>").contains("quoted"));
        assert!(malformed("").contains("no root element"));
        assert!(malformed("  \n ").contains("no root element"));
        assert!(malformed("<a>x &amp y</a>").contains("reference"));
    }

    #[test]
    fn error_positions_are_line_and_column() {
        let err = parse_str("<a>\n  <b>&bad;</b>\n</a>").unwrap_err();
        assert_eq!(err.position(), Some((2, 6)));
        let err = parse(b"<a>\n\xC3\xA9\xFF</a>", &Limits::default(), "").unwrap_err();
        assert!(err.is_malformed());
        assert!(err.to_string().contains("utf-8"));
        assert_eq!(err.position(), Some((2, 2)));
    }

    #[test]
    fn limits_are_enforced() {
        let limits = Limits::default().max_bytes(10);
        let err = parse(b"<a>01234567890</a>", &limits, "").unwrap_err();
        assert!(err.is_limit());

        let limits = Limits::default().max_depth(2);
        assert!(parse(b"<a><b/></a>", &limits, "").is_ok());
        assert!(
            parse(b"<a><b><c/></b></a>", &limits, "")
                .unwrap_err()
                .is_limit()
        );

        let limits = Limits::default().max_attributes(2);
        assert!(parse(b"<a x='1' xmlns:p='u'/>", &limits, "").is_ok());
        assert!(
            parse(b"<a x='1' y='2' z='3'/>", &limits, "")
                .unwrap_err()
                .is_limit()
        );

        let limits = Limits::default().max_children(2);
        assert!(parse(b"<a>x<b/></a>", &limits, "").is_ok());
        // text split by references is one node
        assert!(parse(b"<a>x&amp;y<b/></a>", &limits, "").is_ok());
        assert!(parse(b"<a>x<b/>y</a>", &limits, "").unwrap_err().is_limit());
        assert!(
            parse(b"<a><b/><b/><b/></a>", &limits, "")
                .unwrap_err()
                .is_limit()
        );
    }

    #[test]
    fn names_follow_the_xml_name_production() {
        assert!(is_ncname("a-b.c_d9"));
        assert!(is_ncname("été"));
        assert!(!is_ncname("-a"));
        assert!(!is_ncname("a b"));
        assert!(!is_ncname(""));
        assert!(!is_ncname("a:b"));
    }
}
