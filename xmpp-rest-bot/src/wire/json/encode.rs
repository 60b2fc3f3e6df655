//! Stanza → JSON, following mod_rest's `st2json`: one writer for every
//! stanza. The mappings fill a [`JsonOut`] with values borrowed from the
//! stanza, which is written straight to bytes ([`JsonOut::write`]) or, for
//! [`to_value`](super::to_value), turned into a `serde_json::Value`.

use super::flat;
use crate::stanza::mapping::JsonOut;
use crate::stanza::{
    DataForm, Element, IQ_JSON, Iq, Jid, MESSAGE_FIELDS, Message, MessageType, PRESENCE_FIELDS,
    Payload, Presence, Stanza, StanzaError, StanzaKind, dataform_to_json, error_mapping,
};

/// The top-level object of `s`.
pub(super) fn stanza(s: &Stanza) -> JsonOut<'_> {
    let mut out = JsonOut::new();
    out.str("kind", s.kind().as_str());
    let extra = match s {
        Stanza::Message(m) => {
            message(m, &mut out);
            &m.json_extra
        }
        Stanza::Presence(p) => {
            presence(p, &mut out);
            &p.json_extra
        }
        Stanza::Iq(iq) => {
            self::iq(iq, &mut out);
            &iq.json_extra
        }
    };
    out.merge_extra(extra);
    out
}

fn header<'s>(
    out: &mut JsonOut<'s>,
    type_: Option<&'s str>,
    to: Option<&'s Jid>,
    from: Option<&'s Jid>,
    id: Option<&'s str>,
    lang: Option<&'s str>,
    error: Option<&'s StanzaError>,
) {
    if let Some(t) = type_ {
        out.str("type", t);
    }
    if let Some(to) = to {
        out.str("to", to.as_str());
    }
    if let Some(from) = from {
        out.str("from", from.as_str());
    }
    if let Some(id) = id {
        out.str("id", id);
    }
    if let Some(lang) = lang {
        out.str("lang", lang);
    }
    if let Some(e) = error {
        error_mapping::write_json(e, out);
    }
}

fn message<'s>(m: &'s Message, out: &mut JsonOut<'s>) {
    // A message without a type attribute has no "type" in mod_rest's JSON.
    // Nor does a message error: with `"type": "error"` mod_rest asks Prosody
    // for an error reply to an error, which Prosody refuses, and the message
    // is dropped (both module versions); without it mod_rest makes it an
    // error itself, and the decoder reads it back as one.
    let untyped =
        m.type_ == MessageType::Normal || (m.type_ == MessageType::Error && m.error.is_some());
    let type_ = (!untyped).then(|| m.type_.as_str());
    header(
        out,
        type_,
        m.to.as_ref(),
        m.from.as_ref(),
        m.id.as_deref(),
        m.lang.as_deref(),
        m.error.as_ref(),
    );
    for field in MESSAGE_FIELDS {
        (field.write_json)(m, out);
    }
    for el in &m.extensions {
        extension(StanzaKind::Message, el, out);
    }
}

fn presence<'s>(p: &'s Presence, out: &mut JsonOut<'s>) {
    header(
        out,
        Some(p.type_.as_str()),
        p.to.as_ref(),
        p.from.as_ref(),
        p.id.as_deref(),
        p.lang.as_deref(),
        p.error.as_ref(),
    );
    for field in PRESENCE_FIELDS {
        (field.write_json)(p, out);
    }
    for el in &p.extensions {
        extension(StanzaKind::Presence, el, out);
    }
}

fn iq<'s>(iq: &'s Iq, out: &mut JsonOut<'s>) {
    header(
        out,
        Some(iq.type_.as_str()),
        iq.to.as_ref(),
        iq.from.as_ref(),
        iq.id.as_deref(),
        iq.lang.as_deref(),
        iq.error.as_ref(),
    );
    for el in iq.payload.iter().chain(&iq.extensions) {
        // A payload that does not convert (invalid content) is offered as
        // an extension, like an element without a key.
        if let Some(payload) = IQ_JSON.iter().find(|p| (p.matches)(el))
            && let Some(value) = (payload.write)(el)
        {
            out.put(payload.key, value);
        } else {
            extension(StanzaKind::Iq, el, out);
        }
    }
}

/// An element the model keeps untyped: a data form or a [`flat`] key.
fn extension(kind: StanzaKind, el: &Element, out: &mut JsonOut<'_>) {
    if DataForm::matches(el) {
        if let Ok(form) = DataForm::from_element(el) {
            out.put("dataform", dataform_to_json(&form));
        }
    } else if let Some(f) = flat::lookup(kind, el)
        && let Some(value) = flat::to_json(f, el)
    {
        out.put(f.key, value);
    }
}
