//! The typed stanza model to and from [`Element`]s.
//!
//! A child element becomes a typed field only when the field can say all it
//! says: a known payload with an unexpected attribute or child, a required
//! attribute missing, an invalid JID, or a second occurrence of a payload that
//! the model holds only once, stays an [`Element`] in `extensions`, so that it
//! round-trips unchanged. Decoding never fails because of a payload; only the
//! stanza element itself (its name, namespace, addresses and type) can make it
//! fail.

use crate::stanza::{
    Caps, ChatState, Condition, Delay, Element, ErrorType, Iq, IqType, Jid, Marker, MarkerKind,
    Message, MessageType, MucHistory, MucJoin, Node, Oob, Presence, PresenceType, Reactions,
    Receipt, Reply, Show, Stanza, StanzaError, StanzaId, StanzaKind, Text, Thread, ns,
};
use crate::{Error, Result};

use super::reader::{RootAttr, is_whitespace};
use super::writer::{IntBuf, Sink};

/// A payload that did not fit its typed field: the element, given back intact.
type Parsed<T> = std::result::Result<T, Element>;

// ---------------------------------------------------------------------------
// Element -> Stanza

/// The attributes every stanza has.
struct Head {
    to: Option<Jid>,
    from: Option<Jid>,
    id: Option<String>,
    lang: Option<String>,
}

pub(crate) fn element_to_stanza(mut el: Element) -> Result<Stanza> {
    let kind = stanza_kind(&el)?;
    let nodes = take_nodes(&mut el);
    build_stanza(kind, nodes, |ns, name| el.attr_ns(ns, name))
}

/// [`element_to_stanza`] for the decoder, which gives the attributes of the
/// stanza element apart (see [`reader::parse_checked_stanza`](super::reader::parse_checked_stanza)).
pub(crate) fn parts_to_stanza(mut el: Element, attrs: &[RootAttr<'_>]) -> Result<Stanza> {
    let kind = stanza_kind(&el)?;
    let nodes = take_nodes(&mut el);
    build_stanza(kind, nodes, |ns, name| {
        attrs
            .iter()
            .find(|a| a.name == name && a.ns.as_deref() == ns)
            .map(|a| &*a.value)
    })
}

/// The kind of stanza `el` is, from its name and namespace.
fn stanza_kind(el: &Element) -> Result<StanzaKind> {
    let kind = if el.ns() == ns::CLIENT {
        StanzaKind::from_name(el.name())
    } else {
        None
    };
    kind.ok_or_else(|| {
        Error::invalid(if el.ns() == ns::CLIENT {
            format!(
                "the top element must be <message/>, <presence/> or <iq/>, found <{}/>",
                el.name()
            )
        } else {
            format!(
                "the top element must be <message/>, <presence/> or <iq/> in namespace {}, \
                 found <{}/> in namespace {:?}",
                ns::CLIENT,
                el.name(),
                el.ns()
            )
        })
    })
}

/// The stanza of `kind` with these children; `attr(ns, name)` gives the
/// stanza element's attributes.
fn build_stanza<'v>(
    kind: StanzaKind,
    nodes: Vec<Node>,
    attr: impl Fn(Option<&str>, &str) -> Option<&'v str>,
) -> Result<Stanza> {
    let head = Head {
        to: jid_attr(attr(None, "to"), "to", kind)?,
        from: jid_attr(attr(None, "from"), "from", kind)?,
        id: attr(None, "id").map(str::to_owned),
        lang: attr(Some(ns::XML), "lang").map(str::to_owned),
    };
    let type_ = attr(None, "type");
    Ok(match kind {
        StanzaKind::Message => {
            let type_ = match type_ {
                None => MessageType::Normal,
                Some(t) => t
                    .parse()
                    .map_err(|_| bad_type(kind, t, "chat, groupchat, headline, normal or error"))?,
            };
            Stanza::Message(decode_message(head, type_, nodes))
        }
        StanzaKind::Presence => {
            let type_ = match type_ {
                None => PresenceType::Available,
                Some(t) => t.parse().map_err(|_| {
                    bad_type(
                        kind,
                        t,
                        "unavailable, subscribe, subscribed, unsubscribe, unsubscribed, probe or error",
                    )
                })?,
            };
            Stanza::Presence(decode_presence(head, type_, nodes))
        }
        StanzaKind::Iq => {
            let type_: IqType = match type_ {
                None => return Err(Error::invalid("missing type attribute on <iq/>")),
                Some(t) => t
                    .parse()
                    .map_err(|_| bad_type(kind, t, "get, set, result or error"))?,
            };
            Stanza::Iq(decode_iq(head, type_, nodes))
        }
    })
}

fn bad_type(kind: StanzaKind, value: &str, expected: &str) -> Error {
    Error::invalid(format!(
        "invalid type attribute {value:?} on <{kind}/>: expected {expected}"
    ))
}

fn jid_attr(value: Option<&str>, name: &str, kind: StanzaKind) -> Result<Option<Jid>> {
    match value {
        None => Ok(None),
        Some(value) => crate::wire::jid_cache::parse(value).map(Some).map_err(|e| {
            Error::invalid(format!(
                "invalid {name} attribute {value:?} on <{kind}/>: not a valid jid ({e})"
            ))
            .with_source(e)
        }),
    }
}

fn take_nodes(el: &mut Element) -> Vec<Node> {
    std::mem::take(el.nodes_mut())
}

/// The child elements of a stanza; text directly inside a stanza has no meaning
/// in XMPP and is skipped.
fn child_elements(nodes: Vec<Node>) -> impl Iterator<Item = Element> {
    nodes.into_iter().filter_map(|node| match node {
        Node::Element(el) => Some(el),
        Node::Text(_) => None,
    })
}

fn decode_message(head: Head, type_: MessageType, nodes: Vec<Node>) -> Message {
    let mut m = Message {
        to: head.to,
        from: head.from,
        id: head.id,
        type_,
        lang: head.lang,
        ..Message::default()
    };
    for el in child_elements(nodes) {
        if let Err(el) = message_child(&mut m, el) {
            m.extensions.push(el);
        }
    }
    m
}

fn message_child(m: &mut Message, el: Element) -> Parsed<()> {
    match el.ns() {
        ns::CLIENT => match el.name() {
            "body" if !has_lang_of(&m.bodies, &el) => m.bodies.push(text(el)?),
            "subject" if !has_lang_of(&m.subjects, &el) => m.subjects.push(text(el)?),
            "thread" if m.thread.is_none() => m.thread = Some(thread(el)?),
            "error" if m.error.is_none() => m.error = Some(stanza_error(el)?),
            _ => return Err(el),
        },
        ns::XHTML_IM if el.name() == "html" && m.html.is_none() => m.html = Some(el),
        ns::OOB if el.name() == "x" => m.oob.push(oob(el)?),
        ns::CHATSTATES if m.chat_state.is_none() => m.chat_state = Some(chat_state(el)?),
        ns::RECEIPTS if m.receipt.is_none() => m.receipt = Some(receipt(el)?),
        ns::CHAT_MARKERS => {
            if el.name() == "markable" {
                if m.markable {
                    return Err(el);
                }
                if !empty(&el, &[]) {
                    return Err(el);
                }
                m.markable = true;
            } else if m.marker.is_none() {
                m.marker = Some(marker(el)?);
            } else {
                return Err(el);
            }
        }
        ns::MESSAGE_CORRECT if el.name() == "replace" && m.replace.is_none() => {
            m.replace = Some(id_only(el)?);
        }
        ns::REACTIONS if el.name() == "reactions" && m.reactions.is_none() => {
            m.reactions = Some(reactions(el)?);
        }
        ns::REPLY if el.name() == "reply" && m.reply.is_none() => m.reply = Some(reply(el)?),
        ns::DELAY if el.name() == "delay" && m.delay.is_none() => m.delay = Some(delay(el)?),
        ns::NICK if el.name() == "nick" && m.nick.is_none() => m.nick = Some(nick(el)?),
        ns::SID if el.name() == "stanza-id" => m.stanza_ids.push(stanza_id(el)?),
        ns::SID if el.name() == "origin-id" && m.origin_id.is_none() => {
            m.origin_id = Some(id_only(el)?);
        }
        ns::OCCUPANT_ID if el.name() == "occupant-id" && m.occupant_id.is_none() => {
            m.occupant_id = Some(id_only(el)?);
        }
        _ => return Err(el),
    }
    Ok(())
}

fn decode_presence(head: Head, type_: PresenceType, nodes: Vec<Node>) -> Presence {
    let mut p = Presence {
        to: head.to,
        from: head.from,
        id: head.id,
        type_,
        lang: head.lang,
        ..Presence::default()
    };
    for el in child_elements(nodes) {
        if let Err(el) = presence_child(&mut p, el) {
            p.extensions.push(el);
        }
    }
    p
}

fn presence_child(p: &mut Presence, el: Element) -> Parsed<()> {
    match el.ns() {
        ns::CLIENT => match el.name() {
            "show" if p.show.is_none() => p.show = Some(show(el)?),
            "status" if !has_lang_of(&p.statuses, &el) => p.statuses.push(text(el)?),
            "priority" if p.priority.is_none() => p.priority = Some(priority(el)?),
            "error" if p.error.is_none() => p.error = Some(stanza_error(el)?),
            _ => return Err(el),
        },
        ns::MUC if el.name() == "x" && p.muc.is_none() => p.muc = Some(muc_join(el)?),
        ns::CAPS if el.name() == "c" && p.caps.is_none() => p.caps = Some(caps(el)?),
        ns::IDLE if el.name() == "idle" && p.idle_since.is_none() => {
            p.idle_since = Some(required_attr_only(el, "since")?);
        }
        ns::NICK if el.name() == "nick" && p.nick.is_none() => p.nick = Some(nick(el)?),
        _ => return Err(el),
    }
    Ok(())
}

fn decode_iq(head: Head, type_: IqType, nodes: Vec<Node>) -> Iq {
    let mut iq = Iq::new(type_, None);
    iq.to = head.to;
    iq.from = head.from;
    iq.id = head.id;
    iq.lang = head.lang;
    for el in child_elements(nodes) {
        if el.is("error", ns::CLIENT) {
            if iq.error.is_none() {
                match stanza_error(el) {
                    Ok(error) => iq.error = Some(error),
                    Err(el) => iq.extensions.push(el),
                }
            } else {
                iq.extensions.push(el);
            }
        } else if iq.payload.is_none() {
            iq.payload = Some(el);
        } else {
            iq.extensions.push(el);
        }
    }
    iq
}

// ---------------------------------------------------------------------------
// Shape checks: a payload is typed only when it has exactly the expected shape.

/// Whether every attribute is unprefixed and one of `allowed`.
fn attrs_within(el: &Element, allowed: &[&str]) -> bool {
    el.attrs()
        .iter()
        .all(|a| a.ns.is_none() && allowed.contains(&a.name.as_str()))
}

/// Like [`attrs_within`], also allowing `xml:lang`.
fn attrs_within_lang(el: &Element, allowed: &[&str]) -> bool {
    el.attrs().iter().all(|a| match a.ns.as_deref() {
        None => allowed.contains(&a.name.as_str()),
        Some(ns::XML) => a.name == "lang",
        Some(_) => false,
    })
}

/// Whether the element holds nothing but (ignorable) whitespace.
fn has_no_content(el: &Element) -> bool {
    el.nodes().iter().all(|n| match n {
        Node::Text(t) => is_whitespace(t),
        Node::Element(_) => false,
    })
}

/// Whether the element holds only text (no child elements).
fn is_text_only(el: &Element) -> bool {
    el.nodes().iter().all(|n| matches!(n, Node::Text(_)))
}

/// Whether the element has attributes among `allowed` only and no content.
fn empty(el: &Element, allowed: &[&str]) -> bool {
    attrs_within(el, allowed) && has_no_content(el)
}

/// Moves the text out of a text-only element.
fn take_text(el: &mut Element) -> String {
    let mut out = String::new();
    for node in take_nodes(el) {
        if let Node::Text(t) = node {
            if out.is_empty() {
                out = t;
            } else {
                out.push_str(&t);
            }
        }
    }
    out
}

/// The text of a text-only element with no attributes.
fn plain_text(mut el: Element) -> Parsed<String> {
    if el.attrs().is_empty() && is_text_only(&el) {
        Ok(take_text(&mut el))
    } else {
        Err(el)
    }
}

fn lang_of(el: &Element) -> Option<&str> {
    el.attr_ns(Some(ns::XML), "lang")
}

/// Whether `texts` already has a text in the language of `el`.
fn has_lang_of(texts: &[Text], el: &Element) -> bool {
    let lang = lang_of(el);
    texts.iter().any(|t| t.lang.as_deref() == lang)
}

fn jid(value: &str) -> Option<Jid> {
    crate::wire::jid_cache::parse(value).ok()
}

// ---------------------------------------------------------------------------
// Payloads

/// `<body/>`, `<subject/>`, `<status/>`.
fn text(mut el: Element) -> Parsed<Text> {
    if !attrs_within_lang(&el, &[]) || !is_text_only(&el) {
        return Err(el);
    }
    let lang = lang_of(&el).map(str::to_owned);
    Ok(Text {
        lang,
        text: take_text(&mut el),
    })
}

fn thread(mut el: Element) -> Parsed<Thread> {
    if !attrs_within(&el, &["parent"]) || !is_text_only(&el) {
        return Err(el);
    }
    let parent = el.attr("parent").map(str::to_owned);
    let id = take_text(&mut el);
    if id.is_empty() {
        // Put the element back as it was: an empty thread id is not an id.
        if let Some(p) = &parent {
            el.set_attr("parent", p.as_str());
        }
        return Err(el);
    }
    Ok(Thread { id, parent })
}

fn oob(el: Element) -> Parsed<Oob> {
    let mut url = None;
    let mut desc = None;
    let mut valid = el.attrs().is_empty();
    for node in el.nodes() {
        match node {
            Node::Text(t) if is_whitespace(t) => {}
            Node::Element(child)
                if child.is("url", ns::OOB)
                    && url.is_none()
                    && child.attrs().is_empty()
                    && is_text_only(child) =>
            {
                url = Some(child.text());
            }
            Node::Element(child)
                if child.is("desc", ns::OOB)
                    && desc.is_none()
                    && child.attrs().is_empty()
                    && is_text_only(child) =>
            {
                desc = Some(child.text());
            }
            _ => valid = false,
        }
    }
    match url {
        Some(url) if valid => Ok(Oob { url, desc }),
        _ => Err(el),
    }
}

fn chat_state(el: Element) -> Parsed<ChatState> {
    match ChatState::from_name(el.name()) {
        Some(state) if empty(&el, &[]) => Ok(state),
        _ => Err(el),
    }
}

fn receipt(el: Element) -> Parsed<Receipt> {
    match el.name() {
        "request" if empty(&el, &[]) => Ok(Receipt::Request),
        "received" if empty(&el, &["id"]) => Ok(Receipt::Received {
            id: el.attr("id").map(str::to_owned),
        }),
        _ => Err(el),
    }
}

fn marker(el: Element) -> Parsed<Marker> {
    let kind = match el.name() {
        "received" => MarkerKind::Received,
        "displayed" => MarkerKind::Displayed,
        "acknowledged" => MarkerKind::Acknowledged,
        _ => return Err(el),
    };
    let id = required_attr_only(el, "id")?;
    Ok(Marker { kind, id })
}

/// The value of the one attribute of an empty element that has only that one.
fn required_attr_only(el: Element, name: &str) -> Parsed<String> {
    if !empty(&el, &[name]) {
        return Err(el);
    }
    match el.attr(name) {
        Some(value) => Ok(value.to_owned()),
        None => Err(el),
    }
}

/// `<replace id/>`, `<origin-id id/>`, `<occupant-id id/>`.
fn id_only(el: Element) -> Parsed<String> {
    required_attr_only(el, "id")
}

fn reactions(el: Element) -> Parsed<Reactions> {
    if !attrs_within(&el, &["id"]) {
        return Err(el);
    }
    let Some(id) = el.attr("id") else {
        return Err(el);
    };
    let mut list = Vec::new();
    for node in el.nodes() {
        match node {
            Node::Text(t) if is_whitespace(t) => {}
            Node::Element(child)
                if child.is("reaction", ns::REACTIONS)
                    && child.attrs().is_empty()
                    && is_text_only(child) =>
            {
                list.push(child.text());
            }
            _ => return Err(el),
        }
    }
    Ok(Reactions {
        id: id.to_owned(),
        reactions: list,
    })
}

fn reply(el: Element) -> Parsed<Reply> {
    if !empty(&el, &["to", "id"]) {
        return Err(el);
    }
    let to = match el.attr("to") {
        None => None,
        Some(to) => match jid(to) {
            Some(j) => Some(j),
            None => return Err(el),
        },
    };
    match el.attr("id") {
        Some(id) => Ok(Reply {
            to,
            id: id.to_owned(),
        }),
        None => Err(el),
    }
}

fn delay(mut el: Element) -> Parsed<Delay> {
    if !attrs_within(&el, &["stamp", "from"]) || !is_text_only(&el) {
        return Err(el);
    }
    let Some(stamp) = el.attr("stamp").map(str::to_owned) else {
        return Err(el);
    };
    let from = match el.attr("from") {
        None => None,
        Some(from) => match jid(from) {
            Some(j) => Some(j),
            None => return Err(el),
        },
    };
    let reason = take_text(&mut el);
    Ok(Delay {
        stamp,
        from,
        reason: (!reason.is_empty()).then_some(reason),
    })
}

fn nick(el: Element) -> Parsed<String> {
    plain_text(el)
}

fn stanza_id(el: Element) -> Parsed<StanzaId> {
    if !empty(&el, &["id", "by"]) {
        return Err(el);
    }
    match (el.attr("id"), el.attr("by").and_then(jid)) {
        (Some(id), Some(by)) => Ok(StanzaId {
            id: id.to_owned(),
            by,
        }),
        _ => Err(el),
    }
}

fn show(el: Element) -> Parsed<Show> {
    if !el.attrs().is_empty() || !is_text_only(&el) {
        return Err(el);
    }
    match Show::from_name(&el.text()) {
        Some(show) => Ok(show),
        None => Err(el),
    }
}

fn priority(el: Element) -> Parsed<i8> {
    if !el.attrs().is_empty() || !is_text_only(&el) {
        return Err(el);
    }
    match el.text().trim().parse::<i8>() {
        Ok(p) => Ok(p),
        Err(_) => Err(el),
    }
}

fn muc_join(el: Element) -> Parsed<MucJoin> {
    if !el.attrs().is_empty() {
        return Err(el);
    }
    let mut join = MucJoin::default();
    for node in el.nodes() {
        match node {
            Node::Text(t) if is_whitespace(t) => {}
            Node::Element(child)
                if child.is("password", ns::MUC)
                    && join.password.is_none()
                    && child.attrs().is_empty()
                    && is_text_only(child) =>
            {
                join.password = Some(child.text());
            }
            Node::Element(child) if child.is("history", ns::MUC) && join.history.is_none() => {
                match muc_history(child) {
                    Some(history) => join.history = Some(history),
                    None => return Err(el),
                }
            }
            _ => return Err(el),
        }
    }
    Ok(join)
}

fn muc_history(el: &Element) -> Option<MucHistory> {
    if !attrs_within(el, &["maxchars", "maxstanzas", "seconds", "since"]) || !has_no_content(el) {
        return None;
    }
    fn number(el: &Element, name: &str) -> Option<Option<u32>> {
        match el.attr(name) {
            None => Some(None),
            Some(v) => v.parse().ok().map(Some),
        }
    }
    Some(MucHistory {
        max_chars: number(el, "maxchars")?,
        max_stanzas: number(el, "maxstanzas")?,
        seconds: number(el, "seconds")?,
        since: el.attr("since").map(str::to_owned),
    })
}

fn caps(el: Element) -> Parsed<Caps> {
    if !empty(&el, &["hash", "node", "ver"]) {
        return Err(el);
    }
    match (el.attr("hash"), el.attr("node"), el.attr("ver")) {
        (Some(hash), Some(node), Some(ver)) => Ok(Caps {
            hash: hash.to_owned(),
            node: node.to_owned(),
            ver: ver.to_owned(),
        }),
        _ => Err(el),
    }
}

/// `<error/>` (RFC 6120 section 8.3). The legacy `code` attribute of RFC 3920
/// (still added by some servers) carries nothing the condition does not and is
/// dropped; any other unexpected attribute keeps the error untyped.
fn stanza_error(mut el: Element) -> Parsed<StanzaError> {
    if !attrs_within(&el, &["type", "by", "code"]) {
        return Err(el);
    }
    let Some(type_) = el.attr("type").and_then(error_type) else {
        return Err(el);
    };
    let by = match el.attr("by") {
        None => None,
        Some(by) => match jid(by) {
            Some(j) => Some(j),
            None => return Err(el),
        },
    };
    // First pass, by reference: find the condition and the text, check shapes.
    let mut condition = None;
    let mut text_at = None;
    for (i, node) in el.nodes().iter().enumerate() {
        match node {
            Node::Text(t) if is_whitespace(t) => {}
            Node::Text(_) => return Err(el),
            Node::Element(child) if child.ns() == ns::STANZAS => {
                if child.name() == "text" {
                    if text_at.is_none() && attrs_within_lang(child, &[]) && is_text_only(child) {
                        text_at = Some(i);
                    }
                } else if condition.is_none()
                    && let Some(c) = condition_of(child.name())
                    && child.attrs().is_empty()
                    && is_text_only(child)
                {
                    condition = Some((i, c));
                }
            }
            Node::Element(_) => {}
        }
    }
    let Some((condition_at, condition)) = condition else {
        return Err(el);
    };
    let mut error = StanzaError::new(condition).with_type(type_);
    error.by = by;
    for (i, node) in take_nodes(&mut el).into_iter().enumerate() {
        let Node::Element(mut child) = node else {
            continue;
        };
        if i == condition_at {
            let alternative = take_text(&mut child);
            error.alternative = (!alternative.is_empty()).then_some(alternative);
        } else if Some(i) == text_at {
            error.text_lang = lang_of(&child).map(str::to_owned);
            error.text = Some(take_text(&mut child));
        } else {
            error.extensions.push(child);
        }
    }
    Ok(error)
}

fn error_type(value: &str) -> Option<ErrorType> {
    Some(match value {
        "auth" => ErrorType::Auth,
        "cancel" => ErrorType::Cancel,
        "continue" => ErrorType::Continue,
        "modify" => ErrorType::Modify,
        "wait" => ErrorType::Wait,
        _ => return None,
    })
}

fn condition_of(name: &str) -> Option<Condition> {
    Condition::ALL.iter().copied().find(|c| c.as_str() == name)
}

// ---------------------------------------------------------------------------
// Stanza -> Sink (XML text or Element)

/// Writes a stanza. The order of the children is fixed: see the module docs of
/// [`wire::xml`](super).
pub(crate) fn write_stanza<'a, S: Sink<'a>>(s: &mut S, stanza: &'a Stanza) {
    match stanza {
        Stanza::Message(m) => write_message(s, m),
        Stanza::Presence(p) => write_presence(s, p),
        Stanza::Iq(iq) => write_iq(s, iq),
    }
}

fn write_head<'a, S: Sink<'a>>(
    s: &mut S,
    to: &Option<Jid>,
    from: &Option<Jid>,
    id: &Option<String>,
    type_: Option<&'static str>,
    lang: &Option<String>,
) {
    if let Some(to) = to {
        s.attr("to", to.as_str());
    }
    if let Some(from) = from {
        s.attr("from", from.as_str());
    }
    if let Some(id) = id {
        s.attr("id", id);
    }
    if let Some(type_) = type_ {
        s.attr("type", type_);
    }
    if let Some(lang) = lang {
        s.lang(lang);
    }
}

fn write_text<'a, S: Sink<'a>>(s: &mut S, name: &'a str, text: &Text) {
    s.start(name, ns::CLIENT);
    if let Some(lang) = &text.lang {
        s.lang(lang);
    }
    s.text(&text.text);
    s.end();
}

fn write_message<'a, S: Sink<'a>>(s: &mut S, m: &'a Message) {
    s.start("message", ns::CLIENT);
    let type_ = (m.type_ != MessageType::Normal).then(|| m.type_.as_str());
    write_head(s, &m.to, &m.from, &m.id, type_, &m.lang);
    for body in &m.bodies {
        write_text(s, "body", body);
    }
    for subject in &m.subjects {
        write_text(s, "subject", subject);
    }
    if let Some(thread) = &m.thread {
        s.start("thread", ns::CLIENT);
        if let Some(parent) = &thread.parent {
            s.attr("parent", parent);
        }
        s.text(&thread.id);
        s.end();
    }
    if let Some(html) = &m.html {
        s.element(html);
    }
    for oob in &m.oob {
        s.start("x", ns::OOB);
        s.text_element("url", ns::OOB, &oob.url);
        if let Some(desc) = &oob.desc {
            s.text_element("desc", ns::OOB, desc);
        }
        s.end();
    }
    if let Some(state) = m.chat_state {
        s.start(state.as_str(), ns::CHATSTATES);
        s.end();
    }
    match &m.receipt {
        Some(Receipt::Request) => {
            s.start("request", ns::RECEIPTS);
            s.end();
        }
        Some(Receipt::Received { id }) => {
            s.start("received", ns::RECEIPTS);
            if let Some(id) = id {
                s.attr("id", id);
            }
            s.end();
        }
        None => {}
    }
    if m.markable {
        s.start("markable", ns::CHAT_MARKERS);
        s.end();
    }
    if let Some(marker) = &m.marker {
        s.empty_with_attr(marker.kind.as_str(), ns::CHAT_MARKERS, "id", &marker.id);
    }
    if let Some(id) = &m.replace {
        s.empty_with_attr("replace", ns::MESSAGE_CORRECT, "id", id);
    }
    if let Some(reactions) = &m.reactions {
        s.start("reactions", ns::REACTIONS);
        s.attr("id", &reactions.id);
        for reaction in &reactions.reactions {
            s.text_element("reaction", ns::REACTIONS, reaction);
        }
        s.end();
    }
    if let Some(reply) = &m.reply {
        s.start("reply", ns::REPLY);
        if let Some(to) = &reply.to {
            s.attr("to", to.as_str());
        }
        s.attr("id", &reply.id);
        s.end();
    }
    if let Some(delay) = &m.delay {
        s.start("delay", ns::DELAY);
        if let Some(from) = &delay.from {
            s.attr("from", from.as_str());
        }
        s.attr("stamp", &delay.stamp);
        if let Some(reason) = &delay.reason {
            s.text(reason);
        }
        s.end();
    }
    if let Some(nick) = &m.nick {
        s.text_element("nick", ns::NICK, nick);
    }
    for sid in &m.stanza_ids {
        s.start("stanza-id", ns::SID);
        s.attr("id", &sid.id);
        s.attr("by", sid.by.as_str());
        s.end();
    }
    if let Some(id) = &m.origin_id {
        s.empty_with_attr("origin-id", ns::SID, "id", id);
    }
    if let Some(id) = &m.occupant_id {
        s.empty_with_attr("occupant-id", ns::OCCUPANT_ID, "id", id);
    }
    if let Some(error) = &m.error {
        write_error(s, error);
    }
    for ext in &m.extensions {
        s.element(ext);
    }
    s.end();
}

fn write_presence<'a, S: Sink<'a>>(s: &mut S, p: &'a Presence) {
    s.start("presence", ns::CLIENT);
    let type_ = (p.type_ != PresenceType::Available).then(|| p.type_.as_str());
    write_head(s, &p.to, &p.from, &p.id, type_, &p.lang);
    if let Some(show) = p.show {
        s.text_element("show", ns::CLIENT, show.as_str());
    }
    for status in &p.statuses {
        write_text(s, "status", status);
    }
    if let Some(priority) = p.priority {
        s.text_element(
            "priority",
            ns::CLIENT,
            IntBuf::new(priority.into()).as_str(),
        );
    }
    if let Some(muc) = &p.muc {
        s.start("x", ns::MUC);
        if let Some(password) = &muc.password {
            s.text_element("password", ns::MUC, password);
        }
        if let Some(h) = &muc.history {
            s.start("history", ns::MUC);
            let numbers = [
                ("maxchars", h.max_chars),
                ("maxstanzas", h.max_stanzas),
                ("seconds", h.seconds),
            ];
            for (name, value) in numbers {
                if let Some(value) = value {
                    s.attr(name, IntBuf::new(value.into()).as_str());
                }
            }
            if let Some(since) = &h.since {
                s.attr("since", since);
            }
            s.end();
        }
        s.end();
    }
    if let Some(caps) = &p.caps {
        s.start("c", ns::CAPS);
        s.attr("hash", &caps.hash);
        s.attr("node", &caps.node);
        s.attr("ver", &caps.ver);
        s.end();
    }
    if let Some(since) = &p.idle_since {
        s.empty_with_attr("idle", ns::IDLE, "since", since);
    }
    if let Some(nick) = &p.nick {
        s.text_element("nick", ns::NICK, nick);
    }
    if let Some(error) = &p.error {
        write_error(s, error);
    }
    for ext in &p.extensions {
        s.element(ext);
    }
    s.end();
}

fn write_iq<'a, S: Sink<'a>>(s: &mut S, iq: &'a Iq) {
    s.start("iq", ns::CLIENT);
    write_head(
        s,
        &iq.to,
        &iq.from,
        &iq.id,
        Some(iq.type_.as_str()),
        &iq.lang,
    );
    if let Some(payload) = &iq.payload {
        s.element(payload);
    }
    if let Some(error) = &iq.error {
        write_error(s, error);
    }
    for ext in &iq.extensions {
        s.element(ext);
    }
    s.end();
}

fn write_error<'a, S: Sink<'a>>(s: &mut S, e: &'a StanzaError) {
    s.start("error", ns::CLIENT);
    s.attr("type", e.type_.as_str());
    if let Some(by) = &e.by {
        s.attr("by", by.as_str());
    }
    s.start(e.condition.as_str(), ns::STANZAS);
    if let Some(alternative) = &e.alternative {
        s.text(alternative);
    }
    s.end();
    if let Some(text) = &e.text {
        s.start("text", ns::STANZAS);
        if let Some(lang) = &e.text_lang {
            s.lang(lang);
        }
        s.text(text);
        s.end();
    }
    for ext in &e.extensions {
        s.element(ext);
    }
    s.end();
}
