//! A direct reader for what mod_rest posts most: a chat message with the
//! common payloads, read straight from the text into a [`Message`], without
//! the element tree.
//!
//! It takes one narrow, fixed shape, the way Prosody serialises such a
//! message, and nothing else:
//!
//! ```text
//! <message to='…' from='…' id='…' type='chat' xml:lang='…'>   (each optional, any order)
//!   <body>text</body>                                        (at most one)
//!   <active xmlns='http://jabber.org/protocol/chatstates'/>  (or another chat state)
//!   <request xmlns='urn:xmpp:receipts'/>
//!   <markable xmlns='urn:xmpp:chat-markers:0'/>
//!   <origin-id xmlns='urn:xmpp:sid:0' id='…'/>
//!   <stanza-id xmlns='urn:xmpp:sid:0' id='…' by='…'/>
//!   <occupant-id xmlns='urn:xmpp:occupant-id:0' id='…'/>
//!   <reply xmlns='urn:xmpp:reply:0' id='…' to='…'/>           (to optional)
//!   <store xmlns='urn:xmpp:hints'/>                          (or another hint: an extension)
//! </message>
//! ```
//!
//! with no whitespace between the elements, each payload at most once (but
//! stanza ids), valid addresses and a message type. For such an input it
//! gives exactly the `Message` the strict reader gives (the tests check it on
//! every fixture and on generated variants); for anything else, errors
//! included, it gives `None` and the strict reader decodes the input and
//! says what is wrong. The input has already passed the size limit and the
//! character checks of the strict reader.

use std::borrow::Cow;

use super::reader::{resolve_reference, unescape_attr};
use crate::stanza::{ChatState, Element, Message, MessageType, Receipt, Reply, StanzaId, Text, ns};
use crate::wire::Limits;
use crate::wire::jid_cache;

/// XEP-0334 message processing hints.
const HINTS: &str = "urn:xmpp:hints";

/// At most this many children (below every sane limit).
const MAX_CHILDREN: usize = 16;

/// The message in `src`, when it has the shape above.
pub(super) fn message(src: &str, limits: &Limits) -> Option<Message> {
    // What the shape needs of the limits: two levels, five attributes on the
    // message, a few children. Tighter limits are the strict reader's job.
    if limits.depth() < 2 || limits.attributes() < 5 || limits.children() < MAX_CHILDREN {
        return None;
    }
    let mut cursor = Cursor { rest: src };
    cursor.eat("<message")?;
    let [to, from, id, type_, lang] =
        cursor.attributes(["to", "from", "id", "type", "xml:lang"])?;
    cursor.eat(">")?;
    let type_ = match type_.as_deref() {
        None | Some("normal") => MessageType::Normal,
        Some("chat") => MessageType::Chat,
        Some("groupchat") => MessageType::Groupchat,
        Some("headline") => MessageType::Headline,
        Some(_) => return None,
    };
    let mut m = Message::new(type_);
    m.to = match to {
        Some(to) => Some(jid_cache::parse(&to).ok()?),
        None => None,
    };
    m.from = match from {
        Some(from) => Some(jid_cache::parse(&from).ok()?),
        None => None,
    };
    m.id = id.map(Cow::into_owned);
    m.lang = lang.map(Cow::into_owned);

    let mut children = 0;
    while !cursor.eat_if("</message>") {
        children += 1;
        if children > MAX_CHILDREN {
            return None;
        }
        if cursor.eat_if("<body>") {
            if !m.bodies.is_empty() {
                return None;
            }
            let text = cursor.text()?;
            cursor.eat("</body>")?;
            m.bodies.push(Text::new(text));
            continue;
        }
        payload(&mut cursor, &mut m)?;
    }
    cursor.rest.is_empty().then_some(m)
}

/// Reads one empty payload element into `m`.
fn payload(cursor: &mut Cursor<'_>, m: &mut Message) -> Option<()> {
    cursor.eat("<")?;
    let name = cursor.name()?;
    let [xmlns, id, by, to] = cursor.attributes(["xmlns", "id", "by", "to"])?;
    cursor.eat("/>")?;
    let xmlns = xmlns?;
    if let ("reply", ns::REPLY, Some(id), None) = (name, &*xmlns, &id, &by) {
        if m.reply.is_some() {
            return None;
        }
        let to = match to {
            Some(to) => Some(jid_cache::parse(&to).ok()?),
            None => None,
        };
        m.reply = Some(Reply {
            id: id.clone().into_owned(),
            to,
        });
        return Some(());
    }
    if to.is_some() {
        return None;
    }
    match (name, &*xmlns, id, by) {
        // Hints have no field: kept as they are, like every other extension.
        ("store" | "no-store" | "no-copy" | "no-permanent-store", HINTS, None, None) => {
            m.extensions.push(Element::new(name, HINTS));
        }
        (_, ns::CHATSTATES, None, None) if m.chat_state.is_none() => {
            m.chat_state = Some(ChatState::from_name(name)?);
        }
        ("request", ns::RECEIPTS, None, None) if m.receipt.is_none() => {
            m.receipt = Some(Receipt::Request);
        }
        ("markable", ns::CHAT_MARKERS, None, None) if !m.markable => m.markable = true,
        ("origin-id", ns::SID, Some(id), None) if m.origin_id.is_none() => {
            m.origin_id = Some(id.into_owned());
        }
        ("stanza-id", ns::SID, Some(id), Some(by)) => m.stanza_ids.push(StanzaId {
            id: id.into_owned(),
            by: jid_cache::parse(&by).ok()?,
        }),
        ("occupant-id", ns::OCCUPANT_ID, Some(id), None) if m.occupant_id.is_none() => {
            m.occupant_id = Some(id.into_owned());
        }
        _ => return None,
    }
    Some(())
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

    /// An element name: ASCII letters and `-` (every name of the shape).
    fn name(&mut self) -> Option<&'a str> {
        let len = self
            .rest
            .bytes()
            .position(|b| !(b.is_ascii_lowercase() || b == b'-'))?;
        let (name, rest) = self.rest.split_at(len);
        self.rest = rest;
        (!name.is_empty()).then_some(name)
    }

    /// The attributes of a start tag, each of `names` at most once, by
    /// name; `None` for another name or a repeated one.
    fn attributes<const N: usize>(
        &mut self,
        names: [&str; N],
    ) -> Option<[Option<Cow<'a, str>>; N]> {
        let mut values: [Option<Cow<'a, str>>; N] = std::array::from_fn(|_| None);
        while let Some((name, value)) = self.attribute()? {
            let slot = names.iter().position(|n| *n == name)?;
            if values[slot].replace(value).is_some() {
                return None;
            }
        }
        Some(values)
    }

    /// ` name='value'` (or `"value"`), unescaped: `Some(None)` when no
    /// attribute follows, `None` when what follows is not of the shape.
    #[allow(clippy::option_option)]
    fn attribute(&mut self) -> Option<Option<(&'a str, Cow<'a, str>)>> {
        let Some(after_space) = self.rest.strip_prefix(' ') else {
            return Some(None);
        };
        let eq = after_space.find('=')?;
        let name = &after_space[..eq];
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_lowercase() || b == b':') {
            return None;
        }
        let quoted = &after_space[eq + 1..];
        let quote = match quoted.as_bytes().first()? {
            b'\'' => '\'',
            b'"' => '"',
            _ => return None,
        };
        let end = quoted[1..].find(quote)?;
        let raw = &quoted[1..1 + end];
        // Attribute-value normalisation of literal tabs and line ends is the
        // strict reader's business.
        if raw
            .bytes()
            .any(|b| matches!(b, b'<' | b'\t' | b'\n' | b'\r'))
        {
            return None;
        }
        let value = unescape_attr(raw).ok()?;
        self.rest = &quoted[end + 2..];
        Some(Some((name, value)))
    }

    /// Character data up to the next `<`, references resolved.
    fn text(&mut self) -> Option<String> {
        let end = self.rest.find('<')?;
        let (raw, rest) = self.rest.split_at(end);
        // Line-end normalisation and the `]]>` rule: the strict reader's.
        if raw.contains('\r') || raw.contains("]]>") {
            return None;
        }
        self.rest = rest;
        let Some(first) = raw.find('&') else {
            return Some(raw.to_owned());
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
        Some(out)
    }
}
