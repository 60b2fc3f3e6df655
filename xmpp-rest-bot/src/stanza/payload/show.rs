//! The `<show/>` of an available presence (RFC 6121), JSON `show`.

use crate::stanza::mapping::Field;
use crate::stanza::{Presence, ns};

/// The `<show/>` of an available presence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Show {
    /// Temporarily away.
    Away,
    /// Interested in chatting.
    Chat,
    /// Busy: do not disturb.
    Dnd,
    /// Away for an extended period.
    Xa,
}

impl Show {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Show::Away => "away",
            Show::Chat => "chat",
            Show::Dnd => "dnd",
            Show::Xa => "xa",
        }
    }

    /// Parses a wire value.
    pub fn from_name(s: &str) -> Option<Self> {
        Some(match s {
            "away" => Show::Away,
            "chat" => Show::Chat,
            "dnd" => Show::Dnd,
            "xa" => Show::Xa,
            _ => return None,
        })
    }
}

/// `Presence::show`.
pub(crate) const FIELD: Field<Presence> = Field {
    ns: ns::CLIENT,
    read_xml: |p, el| {
        if el.name() != "show" || p.show.is_some() {
            return false;
        }
        p.show = el.plain_text().and_then(|t| Show::from_name(&t));
        p.show.is_some()
    },
    write_xml: |p, out| {
        if let Some(show) = p.show {
            out.text_element("show", ns::CLIENT, show.as_str());
        }
    },
    read_json: |p, json| {
        if let Some(show) = json.top.str("show")? {
            p.show = Some(
                Show::from_name(&show)
                    .ok_or_else(|| json.top.unknown_value("show", "show value", &show))?,
            );
        }
        Ok(())
    },
    write_json: |p, out| {
        if let Some(show) = p.show {
            out.str("show", show.as_str());
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
        for show in [Show::Away, Show::Chat, Show::Dnd, Show::Xa] {
            let mut p = Presence::default();
            p.show = Some(show);
            assert_round_trips(&FIELD, &p);
        }
        let el = Element::builder("show", ns::CLIENT).text("busy").build();
        assert!(read_one(&FIELD, el).is_none());
    }
}
