//! XEP-0203 delayed delivery: `<delay stamp='…' from='…'>reason</delay>`,
//! JSON `delay` (the stamp only). In a presence, the element stays an
//! extension (JSON: see `wire::json`'s flat keys).

use crate::stanza::mapping::{Field, XmlIn, opt_jid, set_once};
use crate::stanza::{Jid, Message, ns};

/// XEP-0203 delayed delivery: the message was sent earlier (offline storage, MUC history).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Delay {
    /// When it was originally sent (XEP-0082 date-time, kept as written).
    pub stamp: String,
    /// Who delayed it.
    pub from: Option<Jid>,
    /// Why, in words.
    pub reason: Option<String>,
}

fn read(el: &XmlIn<'_>) -> Option<Delay> {
    if el.name() != "delay" || !el.attrs_within(&["stamp", "from"]) {
        return None;
    }
    let reason = el.text()?;
    Some(Delay {
        stamp: el.attr("stamp")?.to_owned(),
        from: opt_jid(el.attr("from"))?,
        reason: (!reason.is_empty()).then(|| reason.into_owned()),
    })
}

/// `Message::delay`.
pub(crate) const FIELD: Field<Message> = Field {
    ns: ns::DELAY,
    read_xml: |m, el| set_once(&mut m.delay, el, read),
    write_xml: |m, out| {
        if let Some(delay) = &m.delay {
            out.start("delay", ns::DELAY);
            if let Some(from) = &delay.from {
                out.attr("from", from.as_str());
            }
            out.attr("stamp", &delay.stamp);
            if let Some(reason) = &delay.reason {
                out.text(reason);
            }
            out.end();
        }
    },
    read_json: |m, json| {
        if let Some(stamp) = json.top.string("delay")? {
            m.delay = Some(Delay {
                stamp,
                from: None,
                reason: None,
            });
        }
        Ok(())
    },
    write_json: |m, out| {
        if let Some(delay) = &m.delay {
            out.str("delay", &delay.stamp);
        }
    },
};

#[cfg(test)]
// Each test sets the one field it is about on a default stanza.
#[allow(clippy::field_reassign_with_default)]
mod tests {
    use super::*;
    use crate::stanza::mapping::testing::{assert_round_trips, read_xml, write_json, write_xml};
    use serde_json::json;

    #[test]
    fn json_keeps_the_stamp_only() {
        let mut m = Message::default();
        m.delay = Some(Delay {
            stamp: "2024-01-01T00:00:00Z".into(),
            from: Some("muc.example.org".parse().unwrap()),
            reason: Some("offline".into()),
        });
        let (back, _) = read_xml(&FIELD, &write_xml(&FIELD, &m));
        assert_eq!(back, m);
        assert_eq!(
            write_json(&FIELD, &m),
            json!({"delay": "2024-01-01T00:00:00Z"})
        );
        m.delay = Some(Delay {
            stamp: "2024-01-01T00:00:00Z".into(),
            from: None,
            reason: None,
        });
        assert_round_trips(&FIELD, &m);
    }
}
