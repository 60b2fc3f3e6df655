//! Element trees and typed stanzas to XML text, written into one `String`.
//!
//! Typed payloads are written through the [`Sink`] trait, which has two
//! implementations: [`XmlSink`] writes XML text directly (no intermediate
//! elements) and [`TreeSink`] builds an [`Element`]. The stanza mapping in
//! `stanza.rs` is written once against the trait, so both outputs agree.

use std::fmt::Write as _;

use crate::stanza::{Element, Node, ns};

/// The namespace bound to the `xmlns` prefix: attributes in it are namespace
/// declarations, which the writer generates itself.
const XMLNS_NS: &str = "http://www.w3.org/2000/xmlns/";

/// Where a typed stanza is written to: XML text or an element tree.
///
/// Calls nest like tags: `start`, then `attr`/`lang` (before any content),
/// then `text`/`start`/`element` content, then `end`.
pub(crate) trait Sink<'a> {
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
}

/// Writes XML text. The element names and namespaces it is given are declared
/// with `xmlns='...'` wherever they differ from the parent's.
pub(crate) struct XmlSink<'a> {
    out: String,
    /// The open elements (name, namespace), outermost first.
    open: Vec<(&'a str, &'a str)>,
    /// The default namespace in scope outside the first element.
    base_ns: &'a str,
    /// Whether the last start tag still lacks its closing `>`.
    pending: bool,
}

impl<'a> XmlSink<'a> {
    /// A sink whose first element is written inside `base_ns` (it is declared
    /// only if the element's namespace differs).
    pub(crate) fn new(base_ns: &'a str, capacity: usize) -> Self {
        XmlSink {
            out: String::with_capacity(capacity),
            open: Vec::with_capacity(8),
            base_ns,
            pending: false,
        }
    }

    /// The XML written so far.
    pub(crate) fn finish(self) -> String {
        self.out
    }

    fn current_ns(&self) -> &'a str {
        self.open.last().map_or(self.base_ns, |&(_, ns)| ns)
    }

    fn close_start_tag(&mut self) {
        if self.pending {
            self.out.push('>');
            self.pending = false;
        }
    }
}

impl<'a> Sink<'a> for XmlSink<'a> {
    fn start(&mut self, name: &'a str, ns: &'a str) {
        self.close_start_tag();
        self.out.push('<');
        self.out.push_str(name);
        if ns != self.current_ns() {
            self.out.push_str(" xmlns='");
            escape_attr(&mut self.out, ns);
            self.out.push('\'');
        }
        self.open.push((name, ns));
        self.pending = true;
    }

    fn attr(&mut self, name: &'a str, value: &str) {
        self.out.push(' ');
        self.out.push_str(name);
        self.out.push_str("='");
        escape_attr(&mut self.out, value);
        self.out.push('\'');
    }

    fn lang(&mut self, value: &str) {
        self.out.push_str(" xml:lang='");
        escape_attr(&mut self.out, value);
        self.out.push('\'');
    }

    fn text(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        self.close_start_tag();
        escape_text(&mut self.out, text);
    }

    fn end(&mut self) {
        let Some((name, _)) = self.open.pop() else {
            return;
        };
        if self.pending {
            self.out.push_str("/>");
            self.pending = false;
        } else {
            self.out.push_str("</");
            self.out.push_str(name);
            self.out.push('>');
        }
    }

    fn element(&mut self, el: &'a Element) {
        self.close_start_tag();
        let parent_ns = self.current_ns();
        write_element(&mut self.out, el, parent_ns);
    }
}

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

impl<'a> Sink<'a> for TreeSink {
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

/// Writes `el` and its subtree; `parent_ns` is the default namespace in scope.
///
/// An element built in code can have what no XML can carry: a name that is
/// not an XML name (`"a b"`, `"x:y"`, `""`), or one of the two reserved
/// namespaces, which cannot be a default namespace. Such an element is left
/// out with its subtree, and so is such an attribute, with a warning in the
/// log: written, it would make the whole stanza unreadable for Prosody, or
/// inject markup. (Decoded elements never have them.)
pub(crate) fn write_element(out: &mut String, el: &Element, parent_ns: &str) {
    if !super::reader::is_ncname(el.name()) || el.ns() == ns::XML || el.ns() == XMLNS_NS {
        tracing::warn!(
            name = el.name(),
            ns = el.ns(),
            "element left out of the stanza: not an XML name, or a reserved namespace"
        );
        return;
    }
    out.push('<');
    out.push_str(el.name());
    if el.ns() != parent_ns {
        out.push_str(" xmlns='");
        escape_attr(out, el.ns());
        out.push('\'');
    }
    write_attrs(out, el);
    if el.nodes().is_empty() {
        out.push_str("/>");
        return;
    }
    out.push('>');
    for node in el.nodes() {
        match node {
            Node::Element(child) => write_element(out, child, el.ns()),
            Node::Text(text) => escape_text(out, text),
        }
    }
    out.push_str("</");
    out.push_str(el.name());
    out.push('>');
}

/// Writes the attributes of `el`. Namespaced attributes get prefixes: `xml`
/// for the XML namespace, generated `ns0`, `ns1`, ... declared on this very
/// element for the others. Attributes that would themselves be namespace
/// declarations are skipped: the writer owns those.
fn write_attrs(out: &mut String, el: &Element) {
    let needs_prefixes = el.attrs().iter().any(|a| {
        a.ns.as_deref()
            .is_some_and(|n| !n.is_empty() && n != ns::XML && n != XMLNS_NS)
    });
    // Namespaces needing a generated prefix, in order of first use; only
    // allocated when an attribute uses one.
    let mut prefixed: Vec<&str> = Vec::new();
    if needs_prefixes {
        for a in el.attrs() {
            if let Some(n) = a.ns.as_deref()
                && !n.is_empty()
                && n != ns::XML
                && n != XMLNS_NS
                && !prefixed.contains(&n)
            {
                let _ = write!(out, " xmlns:ns{}='", prefixed.len());
                escape_attr(out, n);
                out.push('\'');
                prefixed.push(n);
            }
        }
    }
    for a in el.attrs() {
        if !super::reader::is_ncname(&a.name) {
            tracing::warn!(
                element = el.name(),
                name = %a.name,
                "attribute left out of the stanza: not an XML name"
            );
            continue;
        }
        match a.ns.as_deref() {
            None | Some("") => {
                if a.name == "xmlns" || a.name.starts_with("xmlns:") {
                    continue;
                }
                out.push(' ');
            }
            Some(ns::XML) => out.push_str(" xml:"),
            Some(XMLNS_NS) => continue,
            Some(n) => {
                let index = prefixed.iter().position(|p| *p == n).unwrap_or_default();
                let _ = write!(out, " ns{index}:");
            }
        }
        out.push_str(&a.name);
        out.push_str("='");
        escape_attr(out, &a.value);
        out.push('\'');
    }
}

/// Bytes escaped in character data: `&`, `<`, `>` (so `]]>` never appears) and
/// `\r` (which a parser would otherwise turn into `\n`); and the bytes of the
/// characters XML 1.0 cannot carry at all (see [`escape_with`]).
const TEXT_ESCAPES: [bool; 256] = escape_table(b"&<>\r");
/// Bytes escaped in single-quoted attribute values: `&`, `<`, `'`, and tab,
/// newline and carriage return, which attribute normalisation would otherwise
/// turn into spaces; and, as in text, the characters XML cannot carry.
const ATTR_ESCAPES: [bool; 256] = escape_table(b"&<'\t\n\r");

/// Marks `special`, the C0 control characters other than tab, newline and
/// carriage return, and 0xEF (the first byte of U+FFFE and U+FFFF).
const fn escape_table(special: &[u8]) -> [bool; 256] {
    let mut table = [false; 256];
    let mut i = 0;
    while i < 0x20 {
        table[i] = !matches!(i as u8, b'\t' | b'\n' | b'\r');
        i += 1;
    }
    table[0xEF] = true;
    let mut i = 0;
    while i < special.len() {
        table[special[i] as usize] = true;
        i += 1;
    }
    table
}

/// Appends `s` with the bytes `table` marks escaped.
///
/// Characters that XML 1.0 forbids even as character references (control
/// characters other than tab, newline and carriage return; U+FFFE, U+FFFF)
/// are written as U+FFFD, the replacement character: a handler that answers
/// with a shell command's output (colour codes start with ESC) would
/// otherwise produce a reply that Prosody cannot parse and drops.
fn escape_with(out: &mut String, s: &str, table: &[bool; 256]) {
    let bytes = s.as_bytes();
    let mut last = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if !table[usize::from(b)] {
            i += 1;
            continue;
        }
        let (replacement, len) = match b {
            b'&' => ("&amp;", 1),
            b'<' => ("&lt;", 1),
            b'>' => ("&gt;", 1),
            b'\'' => ("&apos;", 1),
            b'\t' => ("&#9;", 1),
            b'\n' => ("&#10;", 1),
            b'\r' => ("&#13;", 1),
            0xEF if matches!(bytes.get(i + 1..i + 3), Some([0xBF, 0xBE | 0xBF])) => ("\u{FFFD}", 3),
            // Another character starting with 0xEF: written as it is.
            0xEF => {
                i += 1;
                continue;
            }
            _ => ("\u{FFFD}", 1),
        };
        out.push_str(&s[last..i]);
        out.push_str(replacement);
        i += len;
        last = i;
    }
    out.push_str(&s[last..]);
}

/// `s` with the characters XML 1.0 cannot carry replaced by U+FFFD, as
/// [`escape_with`] writes them, or `None` when it has none: for text sent as
/// it is (the client's `text/plain` posts, which Prosody turns into a
/// message body).
#[cfg(feature = "client")] // its only user
pub(crate) fn xml_safe_text(s: &str) -> Option<String> {
    let forbidden = |c: char| !super::reader::is_xml_char(c);
    s.chars().any(forbidden).then(|| {
        s.chars()
            .map(|c| if forbidden(c) { '\u{fffd}' } else { c })
            .collect()
    })
}

/// Appends `s` escaped as character data.
pub(crate) fn escape_text(out: &mut String, s: &str) {
    escape_with(out, s, &TEXT_ESCAPES);
}

/// Appends `s` escaped for a single-quoted attribute value.
pub(crate) fn escape_attr(out: &mut String, s: &str) {
    escape_with(out, s, &ATTR_ESCAPES);
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
mod tests {
    use super::*;

    fn to_string(el: &Element, parent: &str) -> String {
        let mut out = String::new();
        write_element(&mut out, el, parent);
        out
    }

    #[test]
    fn escapes_text_and_attributes() {
        let mut out = String::new();
        escape_text(&mut out, "a<b>&c'\"\r\n\t]]>");
        assert_eq!(out, "a&lt;b&gt;&amp;c'\"&#13;\n\t]]&gt;");
        let mut out = String::new();
        escape_attr(&mut out, "a<b>&c'\"\r\n\t");
        assert_eq!(out, "a&lt;b>&amp;c&apos;\"&#13;&#10;&#9;");
        let mut out = String::new();
        escape_text(&mut out, "plain é 😀");
        assert_eq!(out, "plain é 😀");
    }

    #[test]
    fn declares_namespaces_only_where_they_change() {
        let el = Element::builder("x", "urn:a")
            .child(Element::builder("y", "urn:a").build())
            .child(Element::builder("z", "").build())
            .child(Element::builder("w", "urn:b").text("t").build())
            .build();
        assert_eq!(
            to_string(&el, ns::CLIENT),
            "<x xmlns='urn:a'><y/><z xmlns=''/><w xmlns='urn:b'>t</w></x>"
        );
        assert_eq!(
            to_string(&el, "urn:a"),
            "<x><y/><z xmlns=''/><w xmlns='urn:b'>t</w></x>"
        );
    }

    #[test]
    fn prefixes_namespaced_attributes() {
        let el = Element::builder("x", "urn:a")
            .attr("plain", "1")
            .attr_ns(ns::XML, "lang", "en")
            .attr_ns("urn:p", "a", "2")
            .attr_ns("urn:q", "b", "3")
            .attr_ns("urn:p", "c", "4")
            .build();
        assert_eq!(
            to_string(&el, "urn:a"),
            "<x xmlns:ns0='urn:p' xmlns:ns1='urn:q' plain='1' xml:lang='en' ns0:a='2' ns1:b='3' ns0:c='4'/>"
        );
    }

    #[test]
    fn skips_attributes_that_would_declare_namespaces() {
        let mut el = Element::new("x", "urn:a");
        el.set_attr("xmlns", "urn:evil");
        el.set_attr("xmlns:p", "urn:evil");
        el.set_attr_ns(Some(XMLNS_NS), "q", "urn:evil");
        assert_eq!(to_string(&el, "urn:a"), "<x/>");
    }

    #[test]
    fn xml_sink_and_tree_sink_agree() {
        fn write<'a, S: Sink<'a>>(s: &mut S, ext: &'a Element) {
            s.start("message", ns::CLIENT);
            s.attr("type", "chat");
            s.lang("en");
            s.text_element("body", ns::CLIENT, "hi & bye");
            s.empty_with_attr("origin-id", ns::SID, "id", "o1");
            s.element(ext);
            s.start("empty", ns::CLIENT);
            s.end();
            s.end();
        }
        let ext = Element::builder("x", "urn:x").text("<t>").build();
        let mut xml = XmlSink::new(ns::CLIENT, 0);
        write(&mut xml, &ext);
        let xml = xml.finish();
        assert_eq!(
            xml,
            "<message type='chat' xml:lang='en'><body>hi &amp; bye</body>\
             <origin-id xmlns='urn:xmpp:sid:0' id='o1'/><x xmlns='urn:x'>&lt;t&gt;</x><empty/></message>"
        );
        let mut tree = TreeSink::new();
        write(&mut tree, &ext);
        let tree = tree.finish().unwrap();
        let parsed = super::super::reader::parse(
            xml.as_bytes(),
            &crate::wire::Limits::default(),
            ns::CLIENT,
        )
        .unwrap();
        assert_eq!(tree, parsed);
    }

    #[test]
    fn int_buf_formats_integers() {
        for n in [0i64, 7, -1, 127, -128, i64::MAX, i64::MIN] {
            assert_eq!(IntBuf::new(n).as_str(), n.to_string());
        }
    }
}
