//! XML (`application/xmpp+xml`) as mod_rest sends and accepts it.
//!
//! mod_rest posts each stanza as a stand-alone document: the `<message/>`,
//! `<presence/>` or `<iq/>` element with no `xmlns` (its default namespace is
//! `jabber:client`) and no XML declaration. [`decode`] reads that (and also
//! accepts `xmlns='jabber:client'` on the top element, an XML declaration, a
//! byte order mark and surrounding whitespace); [`encode`] writes it back the
//! same way.
//!
//! ```
//! use xmpp_rest_bot::stanza::Stanza;
//! use xmpp_rest_bot::wire::{Limits, xml};
//!
//! let body = "<message to='bot@bot.localhost' id='m1' xml:lang='en' \
//!             from='alice@localhost/phone' type='chat'><body>hi</body></message>";
//! let Stanza::Message(msg) = xml::decode(body.as_bytes(), &Limits::default())? else {
//!     unreachable!()
//! };
//! assert_eq!(msg.body(), Some("hi"));
//!
//! let reply = Stanza::Message(msg.reply("hello & welcome"));
//! assert_eq!(
//!     xml::encode(&reply),
//!     "<message to='alice@localhost/phone' from='bot@bot.localhost' type='chat'>\
//!      <body>hello &amp; welcome</body></message>"
//! );
//! # Ok::<(), xmpp_rest_bot::Error>(())
//! ```
//!
//! # Decoding
//!
//! Decoding is one pass over the input: the stanza is filled as its
//! elements are read, and a child is built into an [`Element`] only when it
//! is kept as one. Every input is treated as hostile. In this order:
//!
//! 1. The size is checked against [`Limits::bytes`] before anything is parsed.
//! 2. The input must be UTF-8 and contain only characters XML 1.0 allows.
//! 3. It must be one well-formed, namespace-well-formed element: no DOCTYPE (so
//!    no entity declarations, no billion laughs, no external entities), no
//!    entity references but `&amp; &lt; &gt; &apos; &quot;`, character references
//!    only to legal characters, no processing instructions (other than the XML
//!    declaration at the very start), no unbound prefixes, no duplicate
//!    attributes, nothing but whitespace and comments around the root. Depth,
//!    attributes per element and children per element are held to [`Limits`].
//! 4. The top element must be `message`, `presence` or `iq` in `jabber:client`,
//!    `to` and `from` must be valid JIDs and `type` a known value (an `iq`
//!    must have one).
//!
//! Failures of steps 2 and 3 are [`Error::is_malformed`](crate::Error::is_malformed)
//! and carry the line and column; the size, depth and count limits are
//! [`Error::is_limit`](crate::Error::is_limit); step 4 is
//! [`Error::is_invalid`](crate::Error::is_invalid) and names the attribute.
//!
//! Payloads never make decoding fail. A child becomes a typed field only when it
//! has exactly the shape the field describes (required attributes present, no
//! unknown attributes or children, valid JIDs, the first occurrence of a
//! single-valued payload); anything else, and every child the SDK does not
//! model, is kept as an [`Element`] in `extensions`, in document order, and is
//! written back unchanged. An iq's first child other than `<error/>` is its
//! payload, further children go to `extensions`. In a stanza error, the
//! application-specific condition and any other unknown child go to the
//! error's `extensions`.
//!
//! What decoding does drop, because the model has no place for it and it
//! carries no meaning in XMPP: attributes of the stanza element other than
//! `to`, `from`, `id`, `type` and `xml:lang`; text directly inside the stanza
//! element; whitespace-only text between the children of a typed payload; the
//! legacy RFC 3920 `code` attribute of `<error/>`; and the explicit default
//! types `type='normal'` (message) and `type='available'` (presence), which are
//! written back as an absent attribute. Inside [`Element`]s (extensions, the
//! XHTML-IM body, iq payloads) all text, whitespace included, is kept.
//!
//! # Encoding
//!
//! No XML declaration, no `xmlns` on the top element, single-quoted attributes.
//! Children in `jabber:client` carry no `xmlns`; any other element declares
//! `xmlns='...'` where its namespace differs from its parent's. Namespaced
//! attributes get generated prefixes (`ns0`, `ns1`, ... declared on the same
//! element) except `xml:lang`, which uses the built-in `xml` prefix. Text
//! escapes `& < >` and carriage returns, attribute values escape `& < '` and
//! tab, newline and carriage return, so that everything survives a parser's
//! normalisation.
//!
//! Element and attribute names are written as they are: an [`Element`] built by
//! hand with a name that is not an XML name (or contains a `:`) produces XML
//! that does not parse. Writing recurses once per level of nesting; trees
//! from the decoder are bounded by [`Limits::depth`].
//!
//! Children are written in a fixed order, then the extensions in their order:
//!
//! - message: body, subject, thread, html, oob, chat state, receipt, markable,
//!   marker, replace, reactions, reply, delay, nick, stanza-id, origin-id,
//!   occupant-id, error;
//! - presence: show, status, priority, MUC join, caps, idle, nick, error;
//! - iq: payload, error.

mod chars;
mod decoder;
mod reader;
mod scan;
mod stack;
mod stanza;
mod tree;
mod words;
mod writer;

pub(crate) use crate::stanza::xml_text::is_xml_char;
#[cfg(feature = "client")] // its only user
pub(crate) use crate::stanza::xml_text::xml_safe_text;
pub(crate) use chars::line_col;

use super::Limits;
use crate::stanza::{Element, Stanza, ns};

/// Decodes one stanza from XML.
///
/// ```
/// use xmpp_rest_bot::wire::{Limits, xml};
///
/// let stanza = xml::decode(b"<iq type='get' id='p1'><ping xmlns='urn:xmpp:ping'/></iq>",
///                          &Limits::default())?;
/// assert_eq!(stanza.id(), Some("p1"));
///
/// let err = xml::decode(b"<!DOCTYPE x [<!ENTITY a 'b'>]><message/>", &Limits::default())
///     .unwrap_err();
/// assert!(err.is_malformed());
/// # Ok::<(), xmpp_rest_bot::Error>(())
/// ```
///
/// # Errors
/// When the input is malformed, over `limits`, or not an acceptable stanza
/// (see the [module docs](self)).
pub fn decode(input: &[u8], limits: &Limits) -> crate::Result<Stanza> {
    let src = reader::checked_source(input, limits)?;
    decoder::decode(src, limits)
}

/// Decodes an answer of mod_rest's `/rest` endpoint: one stanza, or several
/// wrapped in an `<xmpp>` element (as mod_rest returns e.g. the several replies
/// of a MAM query).
///
/// The wrapper's children are read in the default namespace `jabber:client`,
/// like a top-level stanza; text between them is ignored.
///
/// ```
/// use xmpp_rest_bot::wire::{Limits, xml};
///
/// let answer = b"<xmpp><message id='1'/><message id='2'/></xmpp>";
/// let stanzas = xml::decode_all(answer, &Limits::default())?;
/// assert_eq!(stanzas.len(), 2);
/// assert_eq!(xml::decode_all(b"<message/>", &Limits::default())?.len(), 1);
/// # Ok::<(), xmpp_rest_bot::Error>(())
/// ```
///
/// # Errors
/// Like [`decode`], for the wrapper and for each stanza in it.
pub fn decode_all(input: &[u8], limits: &Limits) -> crate::Result<Vec<Stanza>> {
    let mut root = tree::parse(input, limits, ns::CLIENT)?;
    if root.name() != "xmpp" {
        return stanza::element_to_stanza(root).map(|s| vec![s]);
    }
    std::mem::take(root.nodes_mut())
        .into_iter()
        .filter_map(|node| match node {
            crate::stanza::Node::Element(el) => Some(stanza::element_to_stanza(el)),
            crate::stanza::Node::Text(_) => None,
        })
        .collect()
}

/// Encodes one stanza as XML, the way mod_rest expects it.
///
/// ```
/// use xmpp_rest_bot::stanza::{Message, Stanza};
/// use xmpp_rest_bot::wire::xml;
///
/// let msg = Message::chat("alice@example.org".parse().unwrap(), "1 < 2");
/// assert_eq!(
///     xml::encode(&Stanza::Message(msg)),
///     "<message to='alice@example.org' type='chat'><body>1 &lt; 2</body></message>"
/// );
/// ```
pub fn encode(stanza: &Stanza) -> String {
    let mut sink = writer::XmlSink::new(ns::CLIENT, 256);
    stanza::write_stanza(&mut sink, stanza);
    sink.finish()
}

/// Parses any single element (a payload fragment such as an XHTML-IM body),
/// with the same checks and limits as [`decode`].
///
/// Unprefixed names without an `xmlns` declaration in scope are in no
/// namespace (`""`).
///
/// ```
/// use xmpp_rest_bot::wire::{Limits, xml};
///
/// let html = xml::parse_element(
///     b"<html xmlns='http://jabber.org/protocol/xhtml-im'>\
///       <body xmlns='http://www.w3.org/1999/xhtml'><p>hi <b>there</b></p></body></html>",
///     &Limits::default(),
/// )?;
/// assert!(html.is("html", "http://jabber.org/protocol/xhtml-im"));
/// assert!(html.child("body", "http://www.w3.org/1999/xhtml").is_some());
/// # Ok::<(), xmpp_rest_bot::Error>(())
/// ```
///
/// # Errors
/// When the input is malformed or over `limits`.
pub fn parse_element(input: &[u8], limits: &Limits) -> crate::Result<Element> {
    tree::parse(input, limits, "")
}

/// Converts a parsed element (e.g. a child of an `<xmpp>` wrapper, or of a
/// forwarded message) into a typed stanza, with the same rules as [`decode`].
///
/// ```
/// use xmpp_rest_bot::stanza::{Element, Stanza, ns};
/// use xmpp_rest_bot::wire::xml;
///
/// let el = Element::builder("presence", ns::CLIENT).attr("type", "unavailable").build();
/// let Stanza::Presence(p) = xml::element_to_stanza(el)? else { unreachable!() };
/// assert_eq!(p.type_.as_str(), "unavailable");
/// # Ok::<(), xmpp_rest_bot::Error>(())
/// ```
///
/// # Errors
/// When the element is not a message, presence or iq in `jabber:client`, or its
/// addresses or type are invalid.
pub fn element_to_stanza(el: Element) -> crate::Result<Stanza> {
    stanza::element_to_stanza(el)
}

/// Converts a typed stanza into an element tree (in `jabber:client`), e.g. to
/// wrap several stanzas in one document. Serialising the result gives the same
/// XML as [`encode`].
///
/// ```
/// use xmpp_rest_bot::stanza::{Message, Stanza};
/// use xmpp_rest_bot::wire::xml;
///
/// let msg = Stanza::Message(Message::chat("alice@example.org".parse().unwrap(), "hi"));
/// let el = xml::stanza_to_element(&msg);
/// assert_eq!(el.name(), "message");
/// assert_eq!(el.child_text("body", "jabber:client").as_deref(), Some("hi"));
/// ```
pub fn stanza_to_element(stanza: &Stanza) -> Element {
    let mut sink = crate::stanza::mapping::tree::TreeSink::new();
    stanza::write_stanza(&mut sink, stanza);
    // write_stanza always opens and closes exactly one top element.
    sink.finish()
        .unwrap_or_else(|| Element::new(stanza.kind().as_str(), ns::CLIENT))
}

#[cfg(test)]
mod tests;
