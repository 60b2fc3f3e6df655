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
    let top: read::Top<'_> =
        serde_json::from_str(text).map_err(|e| Error::json(e.to_string(), "$").with_source(e))?;
    match top {
        read::Top::Object(header, entries) => stanza(Obj::top(header, entries), limits),
        read::Top::Other(what) => Err(not_an_object(what)),
    }
}

/// Decodes a value already parsed, the same way.
pub(super) fn from_value(value: Value, limits: &Limits) -> crate::Result<Stanza> {
    match value {
        v @ Value::Object(_) => stanza(Obj::new(v, "$")?.into_top(), limits),
        other => Err(not_an_object(type_name(&other))),
    }
}

fn not_an_object(what: &str) -> Error {
    Error::invalid(format!("the top level is {what}, not a json object"))
}

fn stanza(mut top: Obj<'_>, limits: &Limits) -> crate::Result<Stanza> {
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
    let mut stanza = match kind {
        StanzaKind::Message => Stanza::Message(message(&mut d, &mut top, header)?),
        StanzaKind::Presence => Stanza::Presence(presence(&mut d, &mut top, header)?),
        StanzaKind::Iq => Stanza::Iq(iq(&mut d, &mut top, header)?),
    };
    let mut extra = top.into_rest();
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

fn message(d: &mut Decoder<'_>, top: &mut Obj<'_>, h: Header<'_>) -> crate::Result<Message> {
    let mut m = Message::new(match h.type_.as_deref() {
        None => MessageType::Normal,
        Some(t) => parse_type(t, StanzaKind::Message)?,
    });
    if h.error.is_some() {
        m.type_ = MessageType::Error;
    }
    (m.to, m.from, m.id, m.lang, m.error) = (h.to, h.from, h.id, h.lang, h.error);
    read_fields(d, top, MESSAGE_FIELDS, &mut m)?;
    extension_keys(d, top, StanzaKind::Message, &mut m.extensions)?;
    Ok(m)
}

fn presence(d: &mut Decoder<'_>, top: &mut Obj<'_>, h: Header<'_>) -> crate::Result<Presence> {
    let mut p = Presence::new(match h.type_.as_deref() {
        None => PresenceType::Available,
        Some(t) => parse_type(t, StanzaKind::Presence)?,
    });
    if h.error.is_some() {
        p.type_ = PresenceType::Error;
    }
    (p.to, p.from, p.id, p.lang, p.error) = (h.to, h.from, h.id, h.lang, h.error);
    read_fields(d, top, PRESENCE_FIELDS, &mut p)?;
    extension_keys(d, top, StanzaKind::Presence, &mut p.extensions)?;
    Ok(p)
}

fn iq(d: &mut Decoder<'_>, top: &mut Obj<'_>, h: Header<'_>) -> crate::Result<Iq> {
    let mut iq = Iq::new(
        match h.type_.as_deref() {
            None => IqType::Get,
            Some(t) => parse_type(t, StanzaKind::Iq)?,
        },
        None,
    );
    if h.error.is_some() {
        iq.type_ = IqType::Error;
    }
    (iq.to, iq.from, iq.id, iq.lang, iq.error) = (h.to, h.from, h.id, h.lang, h.error);
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
    Ok(iq)
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
