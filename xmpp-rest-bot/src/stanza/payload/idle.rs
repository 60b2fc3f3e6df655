//! XEP-0319 last user interaction in presence: `<idle since='…'/>`, JSON
//! `idle_since`.

use crate::stanza::mapping::Field;
use crate::stanza::{Presence, ns};

/// `Presence::idle_since`.
pub(crate) const FIELD: Field<Presence> = Field {
    ns: ns::IDLE,
    read_xml: |p, el| {
        if el.name() != "idle" || p.idle_since.is_some() || !el.is_empty_with(&["since"]) {
            return false;
        }
        p.idle_since = el.attr("since").map(str::to_owned);
        p.idle_since.is_some()
    },
    write_xml: |p, out| {
        if let Some(since) = &p.idle_since {
            out.empty_with_attr("idle", ns::IDLE, "since", since);
        }
    },
    read_json: |p, json| {
        p.idle_since = json.top.string("idle_since")?;
        Ok(())
    },
    write_json: |p, out| {
        if let Some(since) = &p.idle_since {
            out.str("idle_since", since);
        }
    },
};

#[cfg(test)]
// Each test sets the one field it is about on a default stanza.
#[allow(clippy::field_reassign_with_default)]
mod tests {
    use super::*;
    use crate::stanza::Element;
    use crate::stanza::mapping::testing::{assert_round_trips, read_one};

    #[test]
    fn round_trips() {
        let mut p = Presence::default();
        p.idle_since = Some("2024-01-01T00:00:00Z".into());
        assert_round_trips(&FIELD, &p);
        assert!(read_one(&FIELD, Element::new("idle", ns::IDLE)).is_none());
    }
}
