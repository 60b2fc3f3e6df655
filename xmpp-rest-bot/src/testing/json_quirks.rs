//! What mod_rest's JSON mapping really does, beyond the mapping itself: the
//! replies it drops or breaks on their way back to XML, and what the early-2020
//! module posts and keeps. Observed on Prosody 0.12.3 (the fixtures under
//! `tests/fixtures/mod_rest/json-2020` and `json-2023`), emulated here so that
//! a bot whose reply would be lost fails its test, with the reason.
//!
//! Where the real module's behaviour was seen only from the user's side (a
//! reply that never arrived), the emulation takes the strict reading: the
//! reply is lost.
//!
//! The SDK's own rule for answering in XML instead
//! ([`reply_gap`](crate::wire::json::reply_gap)) rests on the same facts; a
//! test holds the two together: whatever that rule lets through in JSON, the
//! emulation delivers intact.

use serde_json::{Map, Value};

use super::ModRestVersion;
use crate::stanza::{DiscoInfo, DiscoItems, Element, Node, Payload, Ping, Stanza, StanzaKind, ns};
use crate::wire::{WireFormat, json};

/// What mod_rest makes of a JSON answer body.
pub(crate) enum JsonAnswer {
    /// The stanza it sends on (before the addresses are rewritten).
    Parsed(Box<Stanza>),
    /// It parses, but mod_rest fails on it and nothing is sent: why.
    Dropped(String),
    /// It does not parse: mod_rest logs a warning and ignores it.
    Unparsed,
}

/// Why a message error written with `"type": "error"` reaches nobody.
const TYPED_MESSAGE_ERROR: &str = "the webhook answered a message error in JSON with \
     \"type\": \"error\"; mod_rest then asks Prosody for an error reply to an error, which \
     Prosody refuses (\"got stanza of type error which must not be replied to\"), so the \
     sender gets nothing: write a message error without \"type\" (the SDK's encoder does)";

/// Why a disco#info result in JSON reaches nobody with the early-2020 module.
const EARLY_2020_DISCO: &str = "the webhook answered a disco#info result in JSON, which the \
     early-2020 mod_rest does not turn back into XML: the sender gets nothing (answer it in XML, \
     as the SDK does)";

/// Reads a JSON answer as `version` of mod_rest does.
pub(crate) fn answer(version: ModRestVersion, body: &[u8]) -> JsonAnswer {
    let Ok(mut value) = serde_json::from_slice::<Value>(body) else {
        tracing::warn!("Failed parsing data from REST callback: not JSON");
        return JsonAnswer::Unparsed;
    };
    if version == ModRestVersion::Early2020
        && let Value::Object(map) = &mut value
    {
        if map.get("disco").is_some_and(Value::is_object) {
            return JsonAnswer::Dropped(EARLY_2020_DISCO.to_owned());
        }
        keep_early_2020_keys(map, Direction::Answer);
    }
    let typed_error = value.get("type").and_then(Value::as_str) == Some("error")
        && value.get("error").is_some_and(|e| !e.is_null());
    let stanza = match json::from_value(value) {
        Ok(stanza) => stanza,
        Err(err) => {
            tracing::warn!(%err, "Failed parsing data from REST callback");
            return JsonAnswer::Unparsed;
        }
    };
    if typed_error && stanza.kind() == StanzaKind::Message {
        return JsonAnswer::Dropped(TYPED_MESSAGE_ERROR.to_owned());
    }
    JsonAnswer::Parsed(Box::new(break_like_mod_rest(stanza)))
}

/// The forms and notes of a parsed JSON answer as mod_rest turns them into
/// XML: each field of a form nested in the one before it (mod_rest never
/// closes a `<field>`), an ad-hoc note dropped when there are actions.
fn break_like_mod_rest(mut stanza: Stanza) -> Stanza {
    let elements: Vec<&mut Element> = match &mut stanza {
        Stanza::Message(m) => m.extensions.iter_mut().collect(),
        Stanza::Presence(p) => p.extensions.iter_mut().collect(),
        Stanza::Iq(iq) => iq
            .payload
            .iter_mut()
            .chain(iq.extensions.iter_mut())
            .collect(),
    };
    for el in elements {
        if el.is("command", ns::COMMANDS) {
            if el.child("actions", ns::COMMANDS).is_some() {
                el.nodes_mut()
                    .retain(|n| !matches!(n, Node::Element(c) if c.is("note", ns::COMMANDS)));
            }
            for node in el.nodes_mut() {
                if let Node::Element(child) = node {
                    nest_fields(child);
                }
            }
        }
        nest_fields(el);
    }
    stanza
}

/// Nests every `<field>` of a data form in the field before it.
fn nest_fields(form: &mut Element) {
    if !form.is("x", ns::DATA_FORMS) {
        return;
    }
    let nodes = std::mem::take(form.nodes_mut());
    let mut fields = Vec::new();
    for node in nodes {
        match node {
            Node::Element(e) if e.is("field", ns::DATA_FORMS) => fields.push(e),
            other => form.nodes_mut().push(other),
        }
    }
    let nested = fields.into_iter().rev().reduce(|inner, mut outer| {
        outer.push_child(inner);
        outer
    });
    if let Some(first) = nested {
        form.push_child(first);
    }
}

/// The body the early-2020 module posts for `stanza` in JSON.
pub(crate) fn early_2020_post(stanza: &Stanza) -> Vec<u8> {
    let mut value = json::to_value(stanza);
    if let (Value::Object(map), Stanza::Iq(iq)) = (&mut value, stanza) {
        map.retain(|key, _| matches!(key.as_str(), "kind" | "type" | "to" | "from" | "id"));
        // Of the payloads the SDK knows, ping, disco#info (as an empty
        // result-shaped object) and disco#items (without its node) survive.
        if let Some(payload) = &iq.payload {
            if Ping::matches(payload) {
                map.insert("ping".into(), Value::Bool(true));
            } else if DiscoInfo::matches(payload) {
                let mut disco = Map::new();
                disco.insert("identities".into(), Value::Array(Vec::new()));
                disco.insert("features".into(), Value::Array(Vec::new()));
                if let Some(node) = payload.attr("node") {
                    disco.insert("node".into(), Value::String(node.to_owned()));
                }
                map.insert("disco".into(), Value::Object(disco));
            } else if DiscoItems::matches(payload) {
                map.insert("items".into(), Value::Array(Vec::new()));
            }
        }
    } else if let Value::Object(map) = &mut value {
        keep_early_2020_keys(map, Direction::Post);
    }
    serde_json::to_vec(&value).unwrap_or_default()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Post,
    Answer,
}

/// Keeps the keys the early-2020 mapping knows, in their early shapes.
fn keep_early_2020_keys(map: &mut Map<String, Value>, direction: Direction) {
    map.retain(|key, value| match key.as_str() {
        "kind" | "type" | "to" | "from" | "id" | "error" => true,
        // Chat.
        "body" | "subject" | "state" | "nick" | "delay" | "replace" => true,
        // A text element then: the object form of 2021 is not read.
        "thread" => match value {
            Value::String(_) => true,
            Value::Object(o) if direction == Direction::Post => match o.get("id").cloned() {
                Some(id @ Value::String(_)) => {
                    *value = id;
                    true
                }
                _ => false,
            },
            _ => false,
        },
        // Presence.
        "show" | "status" | "priority" | "join" => true,
        // In an answer, an iq result keeps ping only. The language is not
        // posted; whether an answer's is read was not seen, so it is kept.
        "ping" | "lang" => direction == Direction::Answer,
        _ => false,
    });
    if direction == Direction::Answer {
        return;
    }
    if let Some(priority) = map.get_mut("priority")
        && let Value::Number(n) = priority
    {
        *priority = Value::String(n.to_string());
    }
}

/// The body mod_rest posts for `stanza` in `format` as `version`.
pub(crate) fn post_body(version: ModRestVersion, format: WireFormat, stanza: &Stanza) -> Vec<u8> {
    match (version, format) {
        (ModRestVersion::Early2020, WireFormat::Json) => early_2020_post(stanza),
        _ => format.encode(stanza),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stanza::{AdHocCommand, DataForm, FormField, Iq};

    #[test]
    fn fields_nest_like_mod_rest() {
        let form = DataForm::form()
            .with_field(FormField::text_single("a", "A").with_value("1"))
            .with_field(FormField::text_single("b", "B").with_value("2"))
            .with_field(FormField::text_single("c", "C").with_value("3"));
        let iq =
            Iq::get(AdHocCommand::new("x")).result(Some(AdHocCommand::new("x").with_form(form)));
        let body = json::encode(&Stanza::Iq(iq));
        let JsonAnswer::Parsed(parsed) = answer(ModRestVersion::Current, &body) else {
            panic!("not parsed")
        };
        let Stanza::Iq(parsed) = *parsed else {
            panic!("not an iq")
        };
        let command = parsed.payload.unwrap();
        let x = command.child("x", ns::DATA_FORMS).unwrap();
        let fields = |el: &Element| -> Vec<String> {
            el.children()
                .filter(|c| c.is("field", ns::DATA_FORMS))
                .filter_map(|c| c.attr("var").map(str::to_owned))
                .collect()
        };
        assert_eq!(fields(x), ["a"]);
        let a = x.child("field", ns::DATA_FORMS).unwrap();
        assert_eq!(fields(a), ["b"]);
        let b = a.child("field", ns::DATA_FORMS).unwrap();
        assert_eq!(fields(b), ["c"]);
        assert_eq!(b.child_text("value", ns::DATA_FORMS).as_deref(), Some("2"));
    }
}
