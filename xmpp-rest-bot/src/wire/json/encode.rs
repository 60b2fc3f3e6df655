//! Stanza → JSON value, following mod_rest's `st2json`.

use serde_json::{Map, Number, Value};

use super::flat;
use super::payloads::{
    command_to_json, dataform_to_json, disco_to_json, items_to_json, version_to_json,
};
use crate::stanza::{
    Command, DataForm, DiscoInfo, DiscoItems, Element, Iq, Jid, MarkerKind, Message, MessageType,
    Payload, Ping, Presence, Stanza, StanzaError, StanzaKind, Version, ns,
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
        let mut o = Out::new();
        o.insert("type".into(), string(e.type_.as_str()));
        o.insert("condition".into(), string(e.condition.as_str()));
        if let Some(text) = &e.text {
            o.insert("text".into(), string(text));
        }
        if let Some(by) = &e.by {
            o.insert("by".into(), string(by.as_str()));
        }
        out.insert("error".into(), Value::Object(o));
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
    if let Some(body) = m.bodies.first() {
        out.insert("body".into(), string(&body.text));
    }
    if let Some(subject) = m.subjects.first() {
        out.insert("subject".into(), string(&subject.text));
    }
    if let Some(thread) = &m.thread {
        let mut o = Out::new();
        o.insert("id".into(), string(&thread.id));
        if let Some(parent) = &thread.parent {
            o.insert("parent".into(), string(parent));
        }
        out.insert("thread".into(), Value::Object(o));
    }
    if let Some(html) = &m.html {
        out.insert("html".into(), Value::String(html_to_json(html)));
    }
    if let Some(oob) = m.oob.first() {
        let mut o = Out::new();
        o.insert("url".into(), string(&oob.url));
        if let Some(desc) = &oob.desc {
            o.insert("desc".into(), string(desc));
        }
        out.insert("oob".into(), Value::Object(o));
        out.insert("oob_url".into(), string(&oob.url));
    }
    if let Some(state) = m.chat_state {
        out.insert("state".into(), string(state.as_str()));
    }
    if m.markable {
        out.insert("markable".into(), Value::Bool(true));
    }
    if let Some(marker) = &m.marker
        && marker.kind == MarkerKind::Displayed
    {
        out.insert("displayed".into(), string(&marker.id));
    }
    if let Some(id) = &m.replace {
        out.insert("replace".into(), string(id));
    }
    if let Some(r) = &m.reactions {
        let mut o = Out::new();
        o.insert("id".into(), string(&r.id));
        if !r.reactions.is_empty() {
            let list = r.reactions.iter().map(|e| string(e)).collect();
            o.insert("reactions".into(), Value::Array(list));
        }
        out.insert("reactions".into(), Value::Object(o));
    }
    if let Some(reply) = &m.reply {
        let mut o = Out::new();
        o.insert("id".into(), string(&reply.id));
        if let Some(to) = &reply.to {
            o.insert("to".into(), string(to.as_str()));
        }
        out.insert("reply".into(), Value::Object(o));
    }
    if let Some(delay) = &m.delay {
        out.insert("delay".into(), string(&delay.stamp));
    }
    if let Some(nick) = &m.nick {
        out.insert("nick".into(), string(nick));
    }
    if !m.stanza_ids.is_empty() {
        let ids = m
            .stanza_ids
            .iter()
            .map(|sid| {
                let mut o = Out::new();
                o.insert("id".into(), string(&sid.id));
                o.insert("by".into(), string(sid.by.as_str()));
                Value::Object(o)
            })
            .collect();
        out.insert("stanza_ids".into(), Value::Array(ids));
    }
    if let Some(id) = &m.occupant_id {
        out.insert("occupant_id".into(), string(id));
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
    if let Some(show) = p.show {
        out.insert("show".into(), string(show.as_str()));
    }
    if let Some(status) = p.statuses.first() {
        out.insert("status".into(), string(&status.text));
    }
    if let Some(priority) = p.priority {
        out.insert("priority".into(), Value::Number(Number::from(priority)));
    }
    if let Some(muc) = &p.muc {
        let mut o = Out::new();
        if let Some(h) = &muc.history {
            let mut history = Out::new();
            for (key, value) in [
                ("maxchars", h.max_chars),
                ("maxstanzas", h.max_stanzas),
                ("seconds", h.seconds),
            ] {
                if let Some(n) = value {
                    history.insert(key.into(), Value::Number(Number::from(n)));
                }
            }
            if let Some(since) = &h.since {
                history.insert("since".into(), string(since));
            }
            o.insert("history".into(), Value::Object(history));
        }
        out.insert("muc".into(), Value::Object(o));
    }
    if let Some(caps) = &p.caps {
        let mut o = Out::new();
        o.insert("hash".into(), string(&caps.hash));
        o.insert("node".into(), string(&caps.node));
        o.insert("ver".into(), string(&caps.ver));
        out.insert("caps".into(), Value::Object(o));
    }
    if let Some(since) = &p.idle_since {
        out.insert("idle_since".into(), string(since));
    }
    if let Some(nick) = &p.nick {
        out.insert("nick".into(), string(nick));
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

/// The key and value of an iq payload with a typed [`Payload`]; an element
/// that does not convert (invalid content) has no JSON form.
fn iq_payload(el: &Element) -> Option<(&'static str, Value)> {
    if Ping::matches(el) {
        Some(("ping", Value::Bool(true)))
    } else if Version::matches(el) {
        Some(("version", version_to_json(&Version::from_element(el).ok()?)))
    } else if DiscoInfo::matches(el) {
        Some(("disco", disco_to_json(&DiscoInfo::from_element(el).ok()?)))
    } else if DiscoItems::matches(el) {
        Some(("items", items_to_json(&DiscoItems::from_element(el).ok()?)))
    } else if Command::matches(el) {
        Some(("command", command_to_json(&Command::from_element(el).ok()?)))
    } else if el.is("x", ns::OOB) {
        Some(("oob_url", string(&el.child_text("url", ns::OOB)?)))
    } else {
        None
    }
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

/// The children of `<html/>` as XML text with XHTML as the default namespace,
/// which is mod_rest's `html` string (the `<body/>` without its `xmlns`).
fn html_to_json(html: &Element) -> String {
    html.children()
        .map(|child| crate::wire::xml::element_to_string(child, Some(ns::XHTML)))
        .collect()
}
