//! XEP-0333 chat markers: `<markable/>` and `<received|displayed|acknowledged id='…'/>`.
//! JSON: `markable` (`true`) and `displayed` (the id); mod_rest maps no other
//! marker.

use crate::stanza::mapping::Field;
use crate::stanza::{Message, ns};

/// XEP-0333 chat marker kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MarkerKind {
    /// `<received/>`.
    Received,
    /// `<displayed/>`.
    Displayed,
    /// `<acknowledged/>`.
    Acknowledged,
}

impl MarkerKind {
    /// The element name.
    pub fn as_str(self) -> &'static str {
        match self {
            MarkerKind::Received => "received",
            MarkerKind::Displayed => "displayed",
            MarkerKind::Acknowledged => "acknowledged",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "received" => MarkerKind::Received,
            "displayed" => MarkerKind::Displayed,
            "acknowledged" => MarkerKind::Acknowledged,
            _ => return None,
        })
    }
}

/// XEP-0333 chat marker pointing at an earlier message.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Marker {
    /// Which marker.
    pub kind: MarkerKind,
    /// The id of the message marked.
    pub id: String,
}

/// `Message::markable`.
pub(crate) const MARKABLE: Field<Message> = Field {
    ns: ns::CHAT_MARKERS,
    read_xml: |m, el| {
        if el.name() != "markable" || m.markable || !el.is_empty_with(&[]) {
            return false;
        }
        m.markable = true;
        true
    },
    write_xml: |m, out| {
        if m.markable {
            out.empty("markable", ns::CHAT_MARKERS);
        }
    },
    read_json: |m, json| {
        m.markable = json.top.boolean("markable")?.unwrap_or(false);
        Ok(())
    },
    write_json: |m, out| {
        if m.markable {
            out.bool("markable", true);
        }
    },
};

/// `Message::marker`.
pub(crate) const MARKER: Field<Message> = Field {
    ns: ns::CHAT_MARKERS,
    read_xml: |m, el| {
        if m.marker.is_some() || !el.is_empty_with(&["id"]) {
            return false;
        }
        let (Some(kind), Some(id)) = (MarkerKind::from_name(el.name()), el.attr("id")) else {
            return false;
        };
        m.marker = Some(Marker {
            kind,
            id: id.to_owned(),
        });
        true
    },
    write_xml: |m, out| {
        if let Some(marker) = &m.marker {
            out.empty_with_attr(marker.kind.as_str(), ns::CHAT_MARKERS, "id", &marker.id);
        }
    },
    read_json: |m, json| {
        if let Some(id) = json.top.string("displayed")? {
            m.marker = Some(Marker {
                kind: MarkerKind::Displayed,
                id,
            });
        }
        Ok(())
    },
    write_json: |m, out| {
        if let Some(marker) = &m.marker
            && marker.kind == MarkerKind::Displayed
        {
            out.str("displayed", &marker.id);
        }
    },
};

#[cfg(test)]
// Each test sets the one field it is about on a default stanza.
#[allow(clippy::field_reassign_with_default)]
mod tests {
    use super::*;
    use crate::stanza::Element;
    use crate::stanza::mapping::testing::{assert_round_trips, read_one, write_json};
    use serde_json::json;

    #[test]
    fn round_trips() {
        let mut m = Message::default();
        m.markable = true;
        assert_round_trips(&MARKABLE, &m);
        let mut m = Message::default();
        m.marker = Some(Marker {
            kind: MarkerKind::Displayed,
            id: "m1".into(),
        });
        assert_round_trips(&MARKER, &m);
    }

    #[test]
    fn json_has_only_displayed() {
        let mut m = Message::default();
        m.marker = Some(Marker {
            kind: MarkerKind::Received,
            id: "m1".into(),
        });
        assert_eq!(write_json(&MARKER, &m), json!({}));
    }

    #[test]
    fn a_marker_needs_its_id() {
        assert!(read_one(&MARKER, Element::new("displayed", ns::CHAT_MARKERS)).is_none());
        let markable = Element::builder("markable", ns::CHAT_MARKERS)
            .attr("id", "1")
            .build();
        assert!(read_one(&MARKABLE, markable).is_none());
    }
}
