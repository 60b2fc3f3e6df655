//! JSON value → stanza, following mod_rest's `json2st`.

use std::borrow::Cow;
use std::str::FromStr;

use serde_json::{Map, Value};

use super::flat;
use crate::Error;
use crate::stanza::mapping::json::{Obj, snippet, type_name};
use crate::stanza::mapping::{Field, JsonIn};
use crate::stanza::{
    ChatState, Element, IQ_JSON, Iq, IqType, MESSAGE_FIELDS, Message, MessageType, PRESENCE_FIELDS,
    Payload, Presence, PresenceType, Stanza, StanzaError, StanzaKind, Text, dataform_from_json,
    error_mapping, formdata_from_json, ns,
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

struct Header {
    type_: Option<String>,
    to: Option<crate::stanza::Jid>,
    from: Option<crate::stanza::Jid>,
    id: Option<String>,
    lang: Option<String>,
    error: Option<StanzaError>,
}

/// The keys of a common message, as mod_rest posts a chat line: read
/// straight from the text, strings borrowed where they have no escapes.
/// Any other key, a duplicate or a value of another type makes serde refuse
/// it, and the stanza goes the general way.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SimpleMessage<'a> {
    #[serde(borrow)]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow, rename = "type")]
    type_: Option<Cow<'a, str>>,
    #[serde(borrow)]
    to: Option<Cow<'a, str>>,
    #[serde(borrow)]
    from: Option<Cow<'a, str>>,
    #[serde(borrow)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    lang: Option<Cow<'a, str>>,
    #[serde(borrow)]
    body: Option<Cow<'a, str>>,
    #[serde(borrow)]
    state: Option<Cow<'a, str>>,
    markable: Option<bool>,
    #[serde(borrow)]
    occupant_id: Option<Cow<'a, str>>,
}

/// The message in `text` when it is a common one (`"kind": "message"` and
/// only the keys of [`SimpleMessage`], every value valid): the same
/// `Message` as [`stanza`] makes of it, without the `serde_json::Value` in
/// between (half of the JSON decoding cost of a chat line). `None` for
/// anything else, errors included: [`stanza`] decodes those, and says what
/// is wrong.
pub(super) fn simple_message(text: &str) -> Option<Message> {
    let simple: SimpleMessage<'_> = serde_json::from_str(text).ok()?;
    if simple.kind.as_deref() != Some("message") {
        return None;
    }
    let type_ = match simple.type_.as_deref() {
        None => MessageType::Normal,
        Some(t) => MessageType::from_str(t).ok()?,
    };
    let jid = |s: Option<Cow<'_, str>>| match s {
        None => Some(None),
        Some(s) => crate::stanza::jid_cache::parse(&s).ok().map(Some),
    };
    let mut m = Message::new(type_);
    m.to = jid(simple.to)?;
    m.from = jid(simple.from)?;
    m.id = simple.id.map(Cow::into_owned);
    m.lang = simple.lang.map(Cow::into_owned);
    m.bodies.extend(simple.body.map(Text::new));
    if let Some(state) = simple.state {
        m.chat_state = Some(ChatState::from_name(&state)?);
    }
    m.markable = simple.markable.unwrap_or(false);
    m.occupant_id = simple.occupant_id.map(Cow::into_owned);
    Some(m)
}

pub(super) fn stanza(value: Value, limits: &Limits) -> crate::Result<Stanza> {
    let mut top = match value {
        v @ Value::Object(_) => Obj::new(v, "$")?,
        other => {
            return Err(Error::invalid(format!(
                "the top level is {}, not a json object",
                type_name(&other)
            )));
        }
    };
    let kind = top.string("kind")?;
    let mut type_ = top.string("type")?;
    if type_.is_none() && top.is_truthy("command") {
        // mod_rest's `implied_types`
        type_ = Some("set".to_owned());
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
        to: top.jid("to")?,
        from: top.jid("from")?,
        id: top.string("id")?,
        lang: top.string("lang")?,
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
    top: &mut Obj,
    fields: &[Field<S>],
    stanza: &mut S,
) -> crate::Result<()> {
    let limits = d.limits;
    let xhtml = |html: &str, path: &str| parse_html(html, path, limits);
    let mut json = JsonIn::new(top, &mut d.nested, &xhtml);
    for field in fields {
        (field.read_json)(stanza, &mut json)?;
    }
    Ok(())
}

fn message(d: &mut Decoder<'_>, top: &mut Obj, h: Header) -> crate::Result<Message> {
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

fn presence(d: &mut Decoder<'_>, top: &mut Obj, h: Header) -> crate::Result<Presence> {
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

fn iq(d: &mut Decoder<'_>, top: &mut Obj, h: Header) -> crate::Result<Iq> {
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
    top: &mut Obj,
    kind: StanzaKind,
    out: &mut Vec<Element>,
) -> crate::Result<()> {
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
