//! Typed stanzas to XML text, written into one `String`.
//!
//! Payloads write themselves through the model's `XmlOut` trait, which has
//! two implementations: [`XmlSink`] here writes XML text directly (no
//! intermediate elements) and the model's `TreeSink` builds an [`Element`],
//! so both outputs agree.

use super::stack::{Blank, Stack};
use crate::stanza::Element;
use crate::stanza::mapping::XmlOut;
use crate::stanza::xml_text::{escape_attr, escape_text, write_element};

/// Writes XML text. The element names and namespaces it is given are declared
/// with `xmlns='...'` wherever they differ from the parent's.
pub(crate) struct XmlSink<'a> {
    out: String,
    /// The open elements (name, namespace), outermost first (inline: a
    /// stanza is written without allocating for them).
    open: Stack<OpenTag<'a>, 8>,
    /// The default namespace in scope outside the first element.
    base_ns: &'a str,
    /// Whether the last start tag still lacks its closing `>`.
    pending: bool,
}

/// An open element: name and namespace.
#[derive(Clone, Copy)]
struct OpenTag<'a>(&'a str, &'a str);

impl Blank for OpenTag<'_> {
    fn blank() -> Self {
        OpenTag("", "")
    }
}

impl<'a> XmlSink<'a> {
    /// A sink whose first element is written inside `base_ns` (it is declared
    /// only if the element's namespace differs).
    pub(crate) fn new(base_ns: &'a str, capacity: usize) -> Self {
        XmlSink {
            out: String::with_capacity(capacity),
            open: Stack::new(),
            base_ns,
            pending: false,
        }
    }

    /// The XML written so far.
    pub(crate) fn finish(self) -> String {
        self.out
    }

    fn current_ns(&self) -> &'a str {
        self.open.last().map_or(self.base_ns, |tag| tag.1)
    }

    fn close_start_tag(&mut self) {
        if self.pending {
            self.out.push('>');
            self.pending = false;
        }
    }
}

impl<'a> XmlOut<'a> for XmlSink<'a> {
    fn start(&mut self, name: &'a str, ns: &'a str) {
        self.close_start_tag();
        self.out.push('<');
        self.out.push_str(name);
        if ns != self.current_ns() {
            self.out.push_str(" xmlns='");
            escape_attr(&mut self.out, ns);
            self.out.push('\'');
        }
        self.open.push(OpenTag(name, ns));
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
        let Some(OpenTag(name, _)) = self.open.last().copied() else {
            return;
        };
        self.open.truncate(self.open.len() - 1);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stanza::mapping::IntBuf;
    use crate::stanza::mapping::tree::TreeSink;
    use crate::stanza::ns;
    use crate::stanza::xml_text::XMLNS_NS;

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
        fn write<'a, S: XmlOut<'a>>(s: &mut S, ext: &'a Element) {
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
        let parsed =
            super::super::tree::parse(xml.as_bytes(), &crate::wire::Limits::default(), ns::CLIENT)
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
