//! XEP-0172 user nickname: `<nick xmlns='http://jabber.org/protocol/nick'>name</nick>`,
//! JSON `nick`, in messages and presences.

use crate::stanza::mapping::{Field, JsonIn, JsonOut, XmlIn, XmlOut};
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

fn read_json(slot: &mut Option<String>, json: &mut JsonIn<'_, '_>) -> crate::Result<()> {
    *slot = json.top.string("nick")?;
    Ok(())
}

fn write_json<'s>(slot: &'s Option<String>, out: &mut JsonOut<'s>) {
    if let Some(nick) = slot {
        out.str("nick", nick);
    }
}

/// The field of `$stanza.nick`.
macro_rules! nick_field {
    ($stanza:ty) => {
        Field::<$stanza> {
            ns: ns::NICK,
            read_xml: |s, el| read(&mut s.nick, el),
            write_xml: |s, out| write(&s.nick, out),
            read_json: |s, json| read_json(&mut s.nick, json),
            write_json: |s, out| write_json(&s.nick, out),
        }
    };
}

/// `Message::nick`.
pub(crate) const MESSAGE: Field<Message> = nick_field!(Message);

/// `Presence::nick`.
pub(crate) const PRESENCE: Field<Presence> = nick_field!(Presence);

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
        p.nick = Some("Ishmael".into());
        assert_round_trips(&PRESENCE, &p);
        let el = Element::builder("nick", ns::NICK)
            .attr("x", "1")
            .text("a")
            .build();
        assert!(read_one(&MESSAGE, el).is_none());
    }
}
