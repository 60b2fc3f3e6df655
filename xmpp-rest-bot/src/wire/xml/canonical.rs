//! A tokenizer for the one serialization Prosody's mod_rest writes for a
//! chat message, in front of the strict reader: a flat `<message>` whose
//! children are leaves (empty, or text only), no whitespace between tags,
//! lowercase names, quoted attributes with no tabs or line ends:
//!
//! ```text
//! <message to='…' from='…' id='…' type='chat' xml:lang='…'>
//!   <body>text</body><active xmlns='http://jabber.org/protocol/chatstates'/>…
//! </message>
//! ```
//!
//! It only tokenizes: each child goes, as a borrowed leaf view, to the same
//! payload fields (`stanza::MESSAGE_FIELDS`) and the same stanza head as
//! the streaming decoder's, so a payload's mapping exists once. For anything
//! outside the shape, errors included, it answers `None` and the streaming
//! decoder reads the input (the tests check on every fixture and on
//! generated and mutated inputs that both give the same stanza).
//!
//! Why it exists: quick-xml's general tokenizer, attribute iterator and
//! namespace bookkeeping cost about 8,000 instructions more per chat
//! message than this (bench/profile.sh xml), a sixth of a whole request.

use std::borrow::Cow;

use super::chars::{resolve_reference, unescape_attr};
use super::stanza::{read_child, stanza_head};
use crate::stanza::mapping::{AttrView, XmlIn};
use crate::stanza::xml_text::XMLNS_NS;
use crate::stanza::{MESSAGE_FIELDS, Message, Stanza, ns};
use crate::wire::Limits;

/// At most this many children (below every sane limit).
const MAX_CHILDREN: usize = 16;
/// At most this many attributes on one element.
const MAX_ATTRIBUTES: usize = 8;

/// The message in `src`, when it has the shape above.
pub(super) fn message(src: &str, limits: &Limits) -> Option<Message> {
    // What the shape needs of the limits: two levels, a few attributes, a
    // few children. Tighter limits are the strict reader's job.
    if limits.depth() < 2
        || limits.attributes() < MAX_ATTRIBUTES
        || limits.children() < MAX_CHILDREN
    {
        return None;
    }
    let mut cursor = Cursor { rest: src };
    let mut attrs: Vec<AttrView<'_>> = Vec::with_capacity(MAX_ATTRIBUTES);
    cursor.eat("<message")?;
    cursor.attributes(&mut attrs)?;
    cursor.eat(">")?;
    if attrs.iter().any(|a| a.name == "xmlns") {
        return None;
    }
    let Ok(Stanza::Message(mut m)) = stanza_head("message", ns::CLIENT, &attrs) else {
        return None;
    };
    let mut children = 0;
    while !cursor.eat_if("</message>") {
        children += 1;
        if children > MAX_CHILDREN {
            return None;
        }
        cursor.eat("<")?;
        let name = cursor.name()?;
        cursor.attributes(&mut attrs)?;
        let text = if cursor.eat_if("/>") {
            Cow::Borrowed("")
        } else {
            cursor.eat(">")?;
            let text = cursor.text()?;
            cursor.eat("</")?;
            cursor.eat(name)?;
            cursor.eat(">")?;
            text
        };
        // The namespace: declared on the leaf, or the stanza's.
        let mut element_ns = ns::CLIENT;
        if let Some(at) = attrs
            .iter()
            .position(|a| a.name == "xmlns" && a.ns.is_none())
        {
            element_ns = match attrs.remove(at).value {
                Cow::Borrowed(v) if !v.is_empty() && v != ns::XML && v != XMLNS_NS => v,
                _ => return None,
            };
        }
        let view = XmlIn::leaf(name, element_ns, &attrs, &text);
        if !read_child(&mut m, MESSAGE_FIELDS, &view) {
            m.extensions.push(view.to_element());
        }
    }
    cursor.rest.is_empty().then_some(m)
}

/// The input not read yet.
struct Cursor<'a> {
    rest: &'a str,
}

impl<'a> Cursor<'a> {
    /// Skips `literal`, or fails.
    fn eat(&mut self, literal: &str) -> Option<()> {
        self.eat_if(literal).then_some(())
    }

    /// Skips `literal` when the input goes on with it.
    fn eat_if(&mut self, literal: &str) -> bool {
        match self.rest.strip_prefix(literal) {
            Some(rest) => {
                self.rest = rest;
                true
            }
            None => false,
        }
    }

    /// An element name: lowercase ASCII letters and `-`, starting with a letter.
    fn name(&mut self) -> Option<&'a str> {
        let len = self
            .rest
            .bytes()
            .position(|b| !(b.is_ascii_lowercase() || b == b'-'))?;
        let (name, rest) = self.rest.split_at(len);
        if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
            return None;
        }
        self.rest = rest;
        Some(name)
    }

    /// The attributes of a start tag into `out` (cleared first): unprefixed
    /// lowercase names and `xml:lang`, each at most once.
    fn attributes(&mut self, out: &mut Vec<AttrView<'a>>) -> Option<()> {
        out.clear();
        while let Some((name, value)) = self.attribute()? {
            let (attr_ns, local) = match name.strip_prefix("xml:") {
                Some("lang") => (Some(Cow::Borrowed(ns::XML)), "lang"),
                Some(_) => return None,
                None if name.contains(':') => return None,
                None => (None, name),
            };
            if out.len() == MAX_ATTRIBUTES
                || out
                    .iter()
                    .any(|a| a.name == local && a.ns.is_some() == attr_ns.is_some())
            {
                return None;
            }
            out.push(AttrView {
                ns: attr_ns,
                name: local,
                value,
            });
        }
        Some(())
    }

    /// ` name='value'` (or `"value"`), unescaped: `Some(None)` when no
    /// attribute follows, `None` when what follows is not of the shape.
    /// One pass over the bytes: attributes are most of what this reads.
    #[allow(clippy::option_option)]
    fn attribute(&mut self) -> Option<Option<(&'a str, Cow<'a, str>)>> {
        let rest: &'a str = self.rest;
        let bytes = rest.as_bytes();
        if bytes.first() != Some(&b' ') {
            return Some(None);
        }
        let mut i = 1;
        while bytes
            .get(i)
            .is_some_and(|&b| b.is_ascii_lowercase() || b == b':' || b == b'-')
        {
            i += 1;
        }
        if !bytes.get(1).is_some_and(u8::is_ascii_lowercase) || bytes.get(i) != Some(&b'=') {
            return None;
        }
        let name = &rest[1..i];
        let quote = *bytes.get(i + 1)?;
        if quote != b'\'' && quote != b'"' {
            return None;
        }
        let start = i + 2;
        let mut end = start;
        let mut escaped = false;
        loop {
            match *bytes.get(end)? {
                b if b == quote => break,
                // Attribute-value normalisation of literal tabs and line
                // ends is the strict reader's business.
                b'<' | b'\t' | b'\n' | b'\r' => return None,
                b'&' => escaped = true,
                _ => {}
            }
            end += 1;
        }
        let raw = &rest[start..end];
        let value = if escaped {
            unescape_attr(raw).ok()?
        } else {
            Cow::Borrowed(raw)
        };
        self.rest = &rest[end + 1..];
        Some(Some((name, value)))
    }

    /// Character data up to the next `<`, references resolved, in one pass.
    fn text(&mut self) -> Option<Cow<'a, str>> {
        let rest: &'a str = self.rest;
        let bytes = rest.as_bytes();
        let mut end = 0;
        let mut first_amp = None;
        loop {
            match *bytes.get(end)? {
                b'<' => break,
                // Line-end normalisation is the strict reader's.
                b'\r' => return None,
                // `]]>` is not allowed in text: the strict reader says so.
                b'>' if end >= 2 && &bytes[end - 2..end] == b"]]" => return None,
                b'&' if first_amp.is_none() => first_amp = Some(end),
                _ => {}
            }
            end += 1;
        }
        let raw = &rest[..end];
        self.rest = &rest[end..];
        let Some(first) = first_amp else {
            return Some(Cow::Borrowed(raw));
        };
        let mut out = String::with_capacity(raw.len());
        out.push_str(&raw[..first]);
        let mut tail = &raw[first..];
        while let Some(amp) = tail.find('&') {
            out.push_str(&tail[..amp]);
            let len = tail[amp..].find(';')?;
            out.push(resolve_reference(&tail[amp + 1..amp + len]).ok()?);
            tail = &tail[amp + len + 1..];
        }
        out.push_str(tail);
        Some(Cow::Owned(out))
    }
}
