//! JSON value → stanza, following mod_rest's `json2st`.

use std::borrow::Cow;
use std::str::FromStr;

use serde_json::{Map, Value};

use super::{flat, read};
use crate::Error;
use crate::stanza::mapping::json::{Obj, snippet, type_name};
use crate::stanza::mapping::{Field, JsonIn};
use crate::stanza::{
    Element, IQ_JSON, Iq, IqType, MESSAGE_FIELDS, Message, MessageType, PRESENCE_FIELDS, Payload,
    Presence, PresenceType, Stanza, StanzaError, StanzaKind, dataform_from_json, error_mapping,
    formdata_from_json, ns,
};
use crate::wire::Limits;

/// Keys that let mod_rest guess the kind of a stanza without `kind` (`implied_kinds`).
const IMPLIED_KINDS: &[(&str, StanzaKind)] = &[
    ("disco", StanzaKind::Iq),
    ("items", StanzaKind::Iq),
    ("ping", StanzaKind::Iq),
    ("version", StanzaKind::Iq),
    ("command", StanzaKind::Iq),
    ("archive", StanzaKind::Iq),
    ("body", StanzaKind::Message),
    ("html", StanzaKind::Message),
    ("replace", StanzaKind::Message),
    ("state", StanzaKind::Message),
    ("subject", StanzaKind::Message),
    ("thread", StanzaKind::Message),
    ("join", StanzaKind::Presence),
    ("priority", StanzaKind::Presence),
    ("show", StanzaKind::Presence),
    ("status", StanzaKind::Presence),
];

/// mod_rest's `kind_by_type`.
fn kind_by_type(type_: &str) -> Option<StanzaKind> {
    Some(match type_ {
        "get" | "set" | "result" => StanzaKind::Iq,
        "normal" | "chat" | "headline" | "groupchat" => StanzaKind::Message,
        "available" | "unavailable" | "subscribe" | "unsubscribe" | "subscribed"
        | "unsubscribed" => StanzaKind::Presence,
        _ => return None,
    })
}

struct Decoder<'l> {
    limits: &'l Limits,
    /// Unknown keys found inside the objects of top-level keys, by top-level key.
    nested: Map<String, Value>,
}

impl Decoder<'_> {
    fn keep(&mut self, key: &str, rest: Map<String, Value>) {
        if !rest.is_empty() {
            self.nested.insert(key.to_owned(), Value::Object(rest));
        }
    }
}

struct Header<'a> {
    type_: Option<Cow<'a, str>>,
    to: Option<crate::stanza::Jid>,
    from: Option<crate::stanza::Jid>,
    id: Option<String>,
    lang: Option<String>,
    error: Option<StanzaError>,
}

/// Decodes the JSON `text` (through the prescan already) in one pass: the
/// top-level object is read straight from the text (see [`read`]), and the
/// mappings take their keys out of it.
pub(super) fn decode(text: &str, limits: &Limits) -> crate::Result<Stanza> {
    let mut top = Obj::top();
    match read::top(text, &mut top) {
        Err(e) => Err(Error::json(e.to_string(), "$").with_source(e)),
        Ok(Some(what)) => Err(not_an_object(what)),
        Ok(None) => stanza(&mut top, limits),
    }
}

/// Decodes a value already parsed, the same way.
pub(super) fn from_value(value: Value, limits: &Limits) -> crate::Result<Stanza> {
    match value {
        v @ Value::Object(_) => stanza(&mut Obj::new(v, "$")?.into_top(), limits),
        other => Err(not_an_object(type_name(&other))),
    }
}

fn not_an_object(what: &str) -> Error {
    Error::invalid(format!("the top level is {what}, not a json object"))
}

fn stanza(top: &mut Obj<'_>, limits: &Limits) -> crate::Result<Stanza> {
    // The header keys' slots, in the order of `HEADER_KEYS`.
    let [kind, type_, to, from, id, lang] = [0, 1, 2, 3, 4, 5];
    let kind = top.header_str(kind)?;
    let mut type_ = top.header_str(type_)?;
    if type_.is_none() && top.is_truthy("command") {
        // mod_rest's `implied_types`
        type_ = Some(Cow::Borrowed("set"));
    }
    let kind = match kind {
        Some(k) => StanzaKind::from_name(&k).ok_or_else(|| {
            Error::invalid(format!(
                "unknown \"kind\" {} (expected message, presence or iq)",
                snippet(&k)
            ))
        })?,
        None => type_
            .as_deref()
            .and_then(kind_by_type)
            .or_else(|| {
                IMPLIED_KINDS
                    .iter()
                    .find(|(key, _)| top.is_truthy(key))
                    .map(|(_, kind)| *kind)
            })
            .ok_or_else(|| Error::invalid("missing \"kind\""))?,
    };
    let mut d = Decoder {
        limits,
        nested: Map::new(),
    };
    let mut header = Header {
        type_,
        to: top.header_jid(to)?,
        from: top.header_jid(from)?,
        id: top.header_str(id)?.map(Cow::into_owned),
        lang: top.header_str(lang)?.map(Cow::into_owned),
        error: None,
    };
    if let Some(e) = top.object("error")? {
        let (error, rest) = error_mapping::read_json(e)?;
        header.error = Some(error);
        d.keep("error", rest);
    }
    // The stanza is built in place and filled through a reference: a message
    // is large, and each move of one is a memcpy.
    let mut stanza = match kind {
        StanzaKind::Message => Stanza::Message(Message::new(MessageType::Normal)),
        StanzaKind::Presence => Stanza::Presence(Presence::new(PresenceType::Available)),
        StanzaKind::Iq => Stanza::Iq(Iq::new(IqType::Get, None)),
    };
    match &mut stanza {
        Stanza::Message(m) => message(&mut d, top, header, m)?,
        Stanza::Presence(p) => presence(&mut d, top, header, p)?,
        Stanza::Iq(iq) => self::iq(&mut d, top, header, iq)?,
    }
    let mut extra = top.take_rest();
    extra.append(&mut d.nested);
    match &mut stanza {
        Stanza::Message(m) => m.json_extra = extra,
        Stanza::Presence(p) => p.json_extra = extra,
        Stanza::Iq(iq) => iq.json_extra = extra,
    }
    Ok(stanza)
}

fn parse_type<T: FromStr>(type_: &str, kind: StanzaKind) -> crate::Result<T> {
    T::from_str(type_)
        .map_err(|_| Error::invalid(format!("unknown {kind} type {} at $.type", snippet(type_))))
}

/// Reads the keys of `fields` into `stanza`.
fn read_fields<S>(
    d: &mut Decoder<'_>,
    top: &mut Obj<'_>,
    fields: &[Field<S>],
    stanza: &mut S,
) -> crate::Result<()> {
    let limits = d.limits;
    let xhtml = |html: &str, path: &str| parse_html(html, path, limits);
    let mut json = JsonIn::new(top, &mut d.nested, &xhtml);
    for field in fields {
        // Once every key is read, the other fields would only find theirs
        // absent, which leaves the defaults of the new stanza.
        if json.top.is_empty() {
            break;
        }
        (field.read_json)(stanza, &mut json)?;
    }
    Ok(())
}

/// Fills the new message `m` (of type normal).
fn message(
    d: &mut Decoder<'_>,
    top: &mut Obj<'_>,
    h: Header<'_>,
    m: &mut Message,
) -> crate::Result<()> {
    if let Some(t) = h.type_.as_deref() {
        m.type_ = parse_type(t, StanzaKind::Message)?;
    }
    (m.to, m.from, m.id, m.lang) = (h.to, h.from, h.id, h.lang);
    if let Some(e) = h.error {
        m.type_ = MessageType::Error;
        m.error = Some(e);
    }
    read_fields(d, top, MESSAGE_FIELDS, m)?;
    extension_keys(d, top, StanzaKind::Message, &mut m.extensions)
}

/// Fills the new presence `p` (available).
fn presence(
    d: &mut Decoder<'_>,
    top: &mut Obj<'_>,
    h: Header<'_>,
    p: &mut Presence,
) -> crate::Result<()> {
    if let Some(t) = h.type_.as_deref() {
        p.type_ = parse_type(t, StanzaKind::Presence)?;
    }
    (p.to, p.from, p.id, p.lang) = (h.to, h.from, h.id, h.lang);
    if let Some(e) = h.error {
        p.type_ = PresenceType::Error;
        p.error = Some(e);
    }
    read_fields(d, top, PRESENCE_FIELDS, p)?;
    extension_keys(d, top, StanzaKind::Presence, &mut p.extensions)
}

/// Fills the new iq `iq` (a get without a payload).
fn iq(d: &mut Decoder<'_>, top: &mut Obj<'_>, h: Header<'_>, iq: &mut Iq) -> crate::Result<()> {
    if let Some(t) = h.type_.as_deref() {
        iq.type_ = parse_type(t, StanzaKind::Iq)?;
    }
    (iq.to, iq.from, iq.id, iq.lang) = (h.to, h.from, h.id, h.lang);
    if let Some(e) = h.error {
        iq.type_ = IqType::Error;
        iq.error = Some(e);
    }
    let mut elements = Vec::new();
    for payload in IQ_JSON {
        if let Some(v) = top.take(payload.key) {
            let (el, rest) = (payload.read)(v, &top.key_path(payload.key))?;
            elements.extend(el);
            d.keep(payload.key, rest);
        }
    }
    extension_keys(d, top, StanzaKind::Iq, &mut elements)?;
    let mut elements = elements.into_iter();
    iq.payload = elements.next();
    iq.extensions = elements.collect();
    Ok(())
}

/// The keys whose elements the model keeps untyped, plus `dataform`/`formdata`.
fn extension_keys(
    d: &mut Decoder<'_>,
    top: &mut Obj<'_>,
    kind: StanzaKind,
    out: &mut Vec<Element>,
) -> crate::Result<()> {
    if top.is_empty() {
        return Ok(());
    }
    if let Some(o) = top.object("dataform")? {
        let (form, rest) = dataform_from_json(o)?;
        out.push(form.to_element());
        d.keep("dataform", rest);
    }
    if let Some(o) = top.object("formdata")? {
        out.push(formdata_from_json(o, "submit", false)?.to_element());
    }
    for f in flat::for_kind(kind) {
        if let Some(v) = top.take(f.key) {
            let (el, rest) = flat::from_json(f, v, &top.key_path(f.key))?;
            out.extend(el);
            d.keep(f.key, rest);
        }
    }
    Ok(())
}

/// The `html` string: the XHTML `<body/>` (without its namespace), parsed the
/// way mod_rest does, inside `<html/>` with XHTML as the default namespace.
fn parse_html(html: &str, path: &str, limits: &Limits) -> crate::Result<Element> {
    let doc = format!(
        "<x:html xmlns:x='{}' xmlns='{}'>{html}</x:html>",
        ns::XHTML_IM,
        ns::XHTML
    );
    let limits = limits.max_bytes(limits.bytes().saturating_add(doc.len() - html.len()));
    crate::wire::xml::parse_element(doc.as_bytes(), &limits).map_err(|e| {
        if e.is_limit() {
            e
        } else {
            Error::invalid(format!("the xhtml at {path} is not acceptable: {e}")).with_source(e)
        }
    })
}
