//! A presence's `<priority/>` (RFC 6121, -128..=127), JSON `priority` (an
//! integer; the early-2020 module wrote a string).

use serde_json::Value;

use crate::stanza::mapping::json::{into_integer, snippet};
use crate::stanza::mapping::{Field, IntBuf};
use crate::stanza::{Presence, ns};

/// `Presence::priority`.
pub(crate) const FIELD: Field<Presence> = Field {
    ns: ns::CLIENT,
    read_xml: |p, el| {
        if el.name() != "priority" || p.priority.is_some() {
            return false;
        }
        p.priority = el.plain_text().and_then(|t| t.trim().parse().ok());
        p.priority.is_some()
    },
    write_xml: |p, out| {
        if let Some(priority) = p.priority {
            let text = IntBuf::new(priority.into());
            out.text_element("priority", ns::CLIENT, text.as_str());
        }
    },
    read_json: |p, json| {
        let Some(v) = json.top.take("priority") else {
            return Ok(());
        };
        let path = json.top.key_path("priority");
        p.priority = Some(match v {
            Value::String(s) => s.trim().parse::<i8>().map_err(|_| {
                crate::Error::invalid(format!(
                    "{} at {path} is not a priority (-128..=127)",
                    snippet(&s)
                ))
            })?,
            v => into_integer(v, &path)?,
        });
        Ok(())
    },
    write_json: |p, out| {
        if let Some(priority) = p.priority {
            out.int("priority", i64::from(priority));
        }
    },
};

#[cfg(test)]
// Each test sets the one field it is about on a default stanza.
#[allow(clippy::field_reassign_with_default)]
mod tests {
    use super::*;
    use crate::stanza::Element;
    use crate::stanza::mapping::testing::{assert_round_trips, read_json, read_one};
    use serde_json::json;

    #[test]
    fn round_trips() {
        let mut p = Presence::default();
        p.priority = Some(-5);
        assert_round_trips(&FIELD, &p);
        let el = Element::builder("priority", ns::CLIENT).text("300").build();
        assert!(read_one(&FIELD, el).is_none());
    }

    #[test]
    fn the_early_module_wrote_a_string() {
        assert_eq!(
            read_json(&FIELD, json!({"priority": " 7"}))
                .unwrap()
                .0
                .priority,
            Some(7)
        );
        let err = read_json(&FIELD, json!({"priority": "high"})).unwrap_err();
        assert!(err.to_string().contains("$.priority"), "{err}");
        let err = read_json(&FIELD, json!({"priority": 300})).unwrap_err();
        assert!(err.is_invalid());
    }
}
