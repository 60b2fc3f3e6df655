//! The wire forms of a [`StanzaError`]: `<error type='…' by='…'>` with its
//! condition, text and application-specific children (RFC 6120 section 8.3),
//! and mod_rest's JSON `error` object (`{type, condition, text, by}`).

use std::str::FromStr;

use serde_json::Map;

use super::mapping::json::Obj;
use super::mapping::{Field, JsonOut, XmlIn, XmlOut, object, opt_jid};
use super::{Condition, ErrorType, Message, Presence, StanzaError, ns};

/// Reads `<error/>`. The legacy `code` attribute of RFC 3920 (still added by
/// some servers) carries nothing the condition does not and is dropped; any
/// other unexpected attribute, a missing type or condition, or text directly
/// inside, keeps the error untyped.
pub(crate) fn read_xml(el: &XmlIn<'_>) -> Option<StanzaError> {
    if !el.is("error", ns::CLIENT) || !el.attrs_within(&["type", "by", "code"]) {
        return None;
    }
    let type_ = ErrorType::from_str(el.attr("type")?).ok()?;
    let by = opt_jid(el.attr("by"))?;
    let mut condition = None;
    let mut text = None;
    let mut extensions = Vec::new();
    for child in el.elements()? {
        if child.ns() == ns::STANZAS {
            if child.name() == "text" {
                if text.is_none()
                    && child.attrs_within_lang(&[])
                    && let Some(t) = child.text()
                {
                    text = Some((t.into_owned(), child.lang().map(str::to_owned)));
                    continue;
                }
            } else if condition.is_none()
                && child.has_no_attrs()
                && let Ok(c) = Condition::from_str(child.name())
                && let Some(alternative) = child.text()
            {
                condition = Some((c, alternative.into_owned()));
                continue;
            }
        }
        extensions.push(child.to_element());
    }
    let (condition, alternative) = condition?;
    let mut error = StanzaError::new(condition).with_type(type_);
    error.by = by;
    error.alternative = (!alternative.is_empty()).then_some(alternative);
    if let Some((text, lang)) = text {
        error.text = Some(text);
        error.text_lang = lang;
    }
    error.extensions = extensions;
    Some(error)
}

/// Writes `<error/>`.
pub(crate) fn write_xml<'a>(e: &'a StanzaError, out: &mut dyn XmlOut<'a>) {
    out.start("error", ns::CLIENT);
    out.attr("type", e.type_.as_str());
    if let Some(by) = &e.by {
        out.attr("by", by.as_str());
    }
    out.start(e.condition.as_str(), ns::STANZAS);
    if let Some(alternative) = &e.alternative {
        out.text(alternative);
    }
    out.end();
    if let Some(text) = &e.text {
        out.start("text", ns::STANZAS);
        if let Some(lang) = &e.text_lang {
            out.lang(lang);
        }
        out.text(text);
        out.end();
    }
    for ext in &e.extensions {
        out.element(ext);
    }
    out.end();
}

/// Reads the JSON `error` object; its unknown keys come back.
pub(crate) fn read_json(
    mut o: Obj<'_>,
) -> crate::Result<(StanzaError, Map<String, serde_json::Value>)> {
    let condition = o.required_string("condition")?;
    let condition = Condition::from_str(&condition)
        .map_err(|_| o.unknown_value("condition", "error condition", &condition))?;
    let mut error = StanzaError::new(condition);
    if let Some(t) = o.string("type")? {
        error.type_ =
            ErrorType::from_str(&t).map_err(|_| o.unknown_value("type", "error type", &t))?;
    }
    error.text = o.string("text")?;
    error.by = o.jid("by")?;
    Ok((error, o.into_rest()))
}

/// Writes the JSON `error` object.
pub(crate) fn write_json(e: &StanzaError, out: &mut JsonOut<'_>) {
    let by = e.by.as_ref().map(super::Jid::as_str);
    let props = [
        ("type", Some(e.type_.as_str())),
        ("condition", Some(e.condition.as_str())),
        ("text", e.text.as_deref()),
        ("by", by),
    ];
    out.insert("error".into(), object(props));
}

fn read_slot(slot: &mut Option<StanzaError>, el: &XmlIn<'_>) -> bool {
    if el.name() != "error" || slot.is_some() {
        return false;
    }
    *slot = read_xml(el);
    slot.is_some()
}

/// `Message::error` in XML; its JSON is read and written with the stanza's
/// header (it decides the stanza type).
pub(crate) const MESSAGE: Field<Message> = Field {
    ns: ns::CLIENT,
    read_xml: |m, el| read_slot(&mut m.error, el),
    write_xml: |m, out| {
        if let Some(e) = &m.error {
            write_xml(e, out);
        }
    },
    read_json: super::mapping::no_json,
    write_json: super::mapping::no_json_out,
};

/// `Presence::error`, like [`MESSAGE`].
pub(crate) const PRESENCE: Field<Presence> = Field {
    ns: ns::CLIENT,
    read_xml: |p, el| read_slot(&mut p.error, el),
    write_xml: |p, out| {
        if let Some(e) = &p.error {
            write_xml(e, out);
        }
    },
    read_json: super::mapping::no_json,
    write_json: super::mapping::no_json_out,
};

#[cfg(test)]
// Each test sets the one field it is about on a default stanza.
#[allow(clippy::field_reassign_with_default)]
mod tests {
    use super::*;
    use crate::stanza::Element;
    use crate::stanza::mapping::testing::{read_one, read_xml as read_all, write_xml as write_all};
    use serde_json::json;

    fn full() -> StanzaError {
        let mut e = StanzaError::new(Condition::Gone).with_type(ErrorType::Cancel);
        e.alternative = Some("xmpp:new@example.org".into());
        e.text = Some("moved".into());
        e.text_lang = Some("en".into());
        e.by = Some("example.org".parse().unwrap());
        e.extensions.push(Element::new("app", "urn:example"));
        e
    }

    #[test]
    fn round_trips_in_xml() {
        let mut m = Message::default();
        m.error = Some(full());
        let (back, refused) = read_all(&MESSAGE, &write_all(&MESSAGE, &m));
        assert!(refused.is_empty());
        assert_eq!(back, m);
    }

    #[test]
    fn json_has_type_condition_text_and_by() {
        let mut out = JsonOut::new();
        write_json(&full(), &mut out);
        let value = serde_json::Value::Object(out.into_map());
        assert_eq!(
            value,
            json!({"error": {"type": "cancel", "condition": "gone", "text": "moved", "by": "example.org"}})
        );
        let o = Obj::new(value["error"].clone(), "$.error").unwrap();
        let (e, rest) = read_json(o).unwrap();
        assert_eq!(
            (e.condition, e.type_, e.text.as_deref()),
            (Condition::Gone, ErrorType::Cancel, Some("moved"))
        );
        assert!(rest.is_empty());
    }

    #[test]
    fn a_missing_condition_keeps_it_untyped() {
        let el = Element::builder("error", ns::CLIENT)
            .attr("type", "cancel")
            .build();
        assert!(read_one(&MESSAGE, el).is_none());
        let el = Element::builder("error", ns::CLIENT)
            .attr("type", "cancel")
            .attr("code", "404")
            .child(Element::new("item-not-found", ns::STANZAS))
            .build();
        assert_eq!(
            read_one(&MESSAGE, el).unwrap().error.unwrap().condition,
            Condition::ItemNotFound
        );
    }
}
