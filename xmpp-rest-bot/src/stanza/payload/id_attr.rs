//! Payloads that are one `id` attribute on an empty element: XEP-0308
//! corrections (`<replace/>`, JSON `replace`), XEP-0359 origin ids
//! (`<origin-id/>`, no JSON key) and XEP-0421 occupant ids
//! (`<occupant-id/>`, JSON `occupant_id`).

use crate::stanza::mapping::{Field, JsonIn, JsonOut, XmlIn, no_json, no_json_out};
use crate::stanza::{Message, ns};

/// Reads `<name id='…'/>` into an empty `slot`.
fn read(slot: &mut Option<String>, name: &str, el: &XmlIn<'_>) -> bool {
    if el.name() != name || slot.is_some() || !el.is_empty_with(&["id"]) {
        return false;
    }
    *slot = el.attr("id").map(str::to_owned);
    slot.is_some()
}

fn read_json(slot: &mut Option<String>, key: &str, json: &mut JsonIn<'_, '_>) -> crate::Result<()> {
    *slot = json.top.string(key)?;
    Ok(())
}

fn write_json<'s>(slot: &'s Option<String>, key: &'static str, out: &mut JsonOut<'s>) {
    if let Some(id) = slot {
        out.str(key, id);
    }
}

/// `Message::replace` (XEP-0308 last message correction).
pub(crate) const REPLACE: Field<Message> = Field {
    ns: ns::MESSAGE_CORRECT,
    read_xml: |m, el| read(&mut m.replace, "replace", el),
    write_xml: |m, out| {
        if let Some(id) = &m.replace {
            out.empty_with_attr("replace", ns::MESSAGE_CORRECT, "id", id);
        }
    },
    read_json: |m, json| read_json(&mut m.replace, "replace", json),
    write_json: |m, out| write_json(&m.replace, "replace", out),
};

/// `Message::origin_id` (XEP-0359).
pub(crate) const ORIGIN_ID: Field<Message> = Field {
    ns: ns::SID,
    read_xml: |m, el| read(&mut m.origin_id, "origin-id", el),
    write_xml: |m, out| {
        if let Some(id) = &m.origin_id {
            out.empty_with_attr("origin-id", ns::SID, "id", id);
        }
    },
    read_json: no_json,
    write_json: no_json_out,
};

/// `Message::occupant_id` (XEP-0421).
pub(crate) const OCCUPANT_ID: Field<Message> = Field {
    ns: ns::OCCUPANT_ID,
    read_xml: |m, el| read(&mut m.occupant_id, "occupant-id", el),
    write_xml: |m, out| {
        if let Some(id) = &m.occupant_id {
            out.empty_with_attr("occupant-id", ns::OCCUPANT_ID, "id", id);
        }
    },
    read_json: |m, json| read_json(&mut m.occupant_id, "occupant_id", json),
    write_json: |m, out| write_json(&m.occupant_id, "occupant_id", out),
};

#[cfg(test)]
// Each test sets the one field it is about on a default stanza.
#[allow(clippy::field_reassign_with_default)]
mod tests {
    use super::*;
    use crate::stanza::Element;
    use crate::stanza::mapping::testing::{assert_round_trips, read_one, read_xml, write_xml};

    #[test]
    fn round_trips() {
        let mut m = Message::default();
        m.replace = Some("m1".into());
        assert_round_trips(&REPLACE, &m);
        let mut m = Message::default();
        m.occupant_id = Some("dGhpcyBpcyBhbiBpZA==".into());
        assert_round_trips(&OCCUPANT_ID, &m);
        let mut m = Message::default();
        m.origin_id = Some("o1".into());
        let (back, _) = read_xml(&ORIGIN_ID, &write_xml(&ORIGIN_ID, &m));
        assert_eq!(back.origin_id, m.origin_id);
    }

    #[test]
    fn only_the_id_attribute() {
        let el = Element::builder("occupant-id", ns::OCCUPANT_ID)
            .attr("id", "a")
            .attr("by", "b")
            .build();
        assert!(read_one(&OCCUPANT_ID, el).is_none());
        assert!(read_one(&REPLACE, Element::new("replace", ns::MESSAGE_CORRECT)).is_none());
    }
}
