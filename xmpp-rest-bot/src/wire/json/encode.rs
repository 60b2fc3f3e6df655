//! Stanza → JSON value, following mod_rest's `st2json`.

use serde_json::{Map, Value};

use super::flat;
use crate::stanza::{
    DataForm, Element, IQ_JSON, Iq, Jid, MESSAGE_FIELDS, Message, MessageType, PRESENCE_FIELDS,
    Payload, Presence, Stanza, StanzaError, StanzaKind, dataform_to_json, error_mapping,
};

type Out = Map<String, Value>;

fn string(s: &str) -> Value {
    Value::String(s.to_owned())
}

/// Inserts unless the key is already there (the first element of a kind wins,
/// as with mod_rest's `get_child`).
fn put(out: &mut Out, key: &str, value: Value) {
    out.entry(key.to_owned()).or_insert(value);
}

/// The JSON text of a message that has only the common fields (addresses,
/// id, type, lang, body, chat state, thread), written straight into the
/// buffer: what [`stanza`] and serde_json write, byte for byte (keys in
/// serde_json's sorted order), without building a `Value` (a reply is
/// usually such a message: a third of the JSON echo bot's encoding cost was
/// the `Value`). `None` for any other message.
pub(super) fn simple_message(m: &Message) -> Option<Vec<u8>> {
    // Every field named, so that a new field of `Message` has to be looked
    // at here before it compiles.
    let Message {
        to,
        from,
        id,
        type_,
        lang,
        bodies,
        subjects,
        thread,
        html,
        oob,
        chat_state,
        receipt: _,   // not in mod_rest's mapping
        origin_id: _, // not in mod_rest's mapping
        markable,
        marker,
        replace,
        reactions,
        reply,
        delay,
        nick,
        stanza_ids,
        occupant_id,
        error,
        extensions,
        json_extra,
    } = m;
    let simple = subjects.is_empty()
        && html.is_none()
        && oob.is_empty()
        && !markable
        && marker.is_none()
        && replace.is_none()
        && reactions.is_none()
        && reply.is_none()
        && delay.is_none()
        && nick.is_none()
        && stanza_ids.is_empty()
        && occupant_id.is_none()
        && error.is_none()
        && extensions.is_empty()
        && json_extra.is_empty();
    if !simple {
        return None;
    }
    let mut out = Vec::with_capacity(128 + bodies.first().map_or(0, |b| b.text.len()));
    let mut first = true;
    let mut field = |out: &mut Vec<u8>, key: &str, value: &str| {
        out.push(if first { b'{' } else { b',' });
        first = false;
        json_string(out, key);
        out.push(b':');
        json_string(out, value);
    };
    // serde_json's map is sorted: body, from, id, kind, lang, state, thread, to, type.
    if let Some(body) = bodies.first() {
        field(&mut out, "body", &body.text);
    }
    if let Some(from) = from {
        field(&mut out, "from", from.as_str());
    }
    if let Some(id) = id {
        field(&mut out, "id", id);
    }
    field(&mut out, "kind", StanzaKind::Message.as_str());
    if let Some(lang) = lang {
        field(&mut out, "lang", lang);
    }
    if let Some(state) = chat_state {
        field(&mut out, "state", state.as_str());
    }
    // "kind" is always there: the fields below are never the first.
    if let Some(thread) = thread {
        // (the object's keys are sorted too: id, parent)
        out.extend_from_slice(br#","thread":{"id":"#);
        json_string(&mut out, &thread.id);
        if let Some(parent) = &thread.parent {
            out.extend_from_slice(br#","parent":"#);
            json_string(&mut out, parent);
        }
        out.push(b'}');
    }
    if let Some(to) = to {
        out.extend_from_slice(br#","to":"#);
        json_string(&mut out, to.as_str());
    }
    if *type_ != MessageType::Normal {
        out.extend_from_slice(br#","type":"#);
        json_string(&mut out, type_.as_str());
    }
    out.push(b'}');
    Some(out)
}

/// Appends `s` as a JSON string, escaped as serde_json escapes it.
fn json_string(out: &mut Vec<u8>, s: &str) {
    // Writing to a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

pub(super) fn stanza(s: &Stanza) -> Value {
    let mut out = Out::new();
    out.insert("kind".into(), string(s.kind().as_str()));
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
    merge_extra(extra, &mut out);
    Value::Object(out)
}

/// Writes back the JSON keys the model does not know. Unknown keys of a mapped
/// object are added to the object the model produced; the model's own values win.
fn merge_extra(extra: &Map<String, Value>, out: &mut Out) {
    for (key, value) in extra {
        match out.get_mut(key) {
            None => {
                out.insert(key.clone(), value.clone());
            }
            Some(Value::Object(generated)) => {
                if let Value::Object(more) = value {
                    for (k, v) in more {
                        generated.entry(k.clone()).or_insert_with(|| v.clone());
                    }
                }
            }
            Some(_) => {}
        }
    }
}

fn header(
    out: &mut Out,
    type_: Option<&str>,
    to: Option<&Jid>,
    from: Option<&Jid>,
    id: Option<&str>,
    lang: Option<&str>,
    error: Option<&StanzaError>,
) {
    if let Some(t) = type_ {
        out.insert("type".into(), string(t));
    }
    if let Some(to) = to {
        out.insert("to".into(), string(to.as_str()));
    }
    if let Some(from) = from {
        out.insert("from".into(), string(from.as_str()));
    }
    if let Some(id) = id {
        out.insert("id".into(), string(id));
    }
    if let Some(lang) = lang {
        out.insert("lang".into(), string(lang));
    }
    if let Some(e) = error {
        error_mapping::write_json(e, out);
    }
}

fn message(m: &Message, out: &mut Out) {
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

fn presence(p: &Presence, out: &mut Out) {
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

fn iq(iq: &Iq, out: &mut Out) {
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
        if let Some((key, value)) = iq_payload(el) {
            put(out, key, value);
        } else {
            extension(StanzaKind::Iq, el, out);
        }
    }
}

/// The key and value of an iq payload with a JSON key; an element that
/// does not convert (invalid content) has no JSON form.
fn iq_payload(el: &Element) -> Option<(&'static str, Value)> {
    let payload = IQ_JSON.iter().find(|p| (p.matches)(el))?;
    Some((payload.key, (payload.write)(el)?))
}

/// An element the model keeps untyped: a data form or a [`flat`] key.
fn extension(kind: StanzaKind, el: &Element, out: &mut Out) {
    if DataForm::matches(el) {
        if let Ok(form) = DataForm::from_element(el) {
            put(out, "dataform", dataform_to_json(&form));
        }
    } else if let Some(f) = flat::lookup(kind, el)
        && let Some(value) = flat::to_json(f, el)
    {
        put(out, f.key, value);
    }
}
