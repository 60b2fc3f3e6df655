//! XEP-0172 user nickname: `<nick xmlns='http://jabber.org/protocol/nick'>name</nick>`,
//! JSON `nick`, in messages and presences.

use crate::stanza::mapping::{Field, JsonIn, JsonOut, XmlIn, XmlOut, string};
use crate::stanza::{Message, Presence, ns};

fn read(slot: &mut Option<String>, el: &XmlIn<'_>) -> bool {
    if el.name() != "nick" || slot.is_some() {
        return false;
    }
    *slot = el.plain_text().map(|t| t.into_owned());
    slot.is_some()
}

fn write<'a>(slot: &Option<String>, out: &mut dyn XmlOut<'a>) {
    if let Some(nick) = slot {
        out.text_element("nick", ns::NICK, nick);
    }
}

fn read_json(slot: &mut Option<String>, json: &mut JsonIn<'_>) -> crate::Result<()> {
    *slot = json.top.string("nick")?;
    Ok(())
}

fn write_json(slot: &Option<String>, out: &mut JsonOut) {
    if let Some(nick) = slot {
        out.insert("nick".into(), string(nick));
    }
}

/// `Message::nick`.
pub(crate) const MESSAGE: Field<Message> = Field {
    ns: ns::NICK,
    read_xml: |m, el| read(&mut m.nick, el),
    write_xml: |m, out| write(&m.nick, out),
    read_json: |m, json| read_json(&mut m.nick, json),
    write_json: |m, out| write_json(&m.nick, out),
};

/// `Presence::nick`.
pub(crate) const PRESENCE: Field<Presence> = Field {
    ns: ns::NICK,
    read_xml: |p, el| read(&mut p.nick, el),
    write_xml: |p, out| write(&p.nick, out),
    read_json: |p, json| read_json(&mut p.nick, json),
    write_json: |p, out| write_json(&p.nick, out),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stanza::Element;
    use crate::stanza::mapping::testing::{assert_round_trips, read_one};

    #[test]
    fn round_trips() {
        let mut p = Presence::default();
        p.nick = Some("Ishmael".into());
        assert_round_trips(&PRESENCE, &p);
        let el = Element::builder("nick", ns::NICK)
            .attr("x", "1")
            .text("a")
            .build();
        assert!(read_one(&MESSAGE, el).is_none());
    }
}
