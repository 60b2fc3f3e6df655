//! XEP-0461 message replies: `<reply xmlns='urn:xmpp:reply:0' to='…' id='…'/>`,
//! JSON `reply` (`{id, to}`).

use crate::stanza::mapping::{Field, XmlIn, object, opt_jid, set_once};
use crate::stanza::{Jid, Message, ns};

/// XEP-0461 reply to an earlier message.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReplyTo {
    /// The author of the message replied to.
    pub to: Option<Jid>,
    /// The id of the message replied to.
    pub id: String,
}

fn read(el: &XmlIn<'_>) -> Option<ReplyTo> {
    if el.name() != "reply" || !el.is_empty_with(&["to", "id"]) {
        return None;
    }
    Some(ReplyTo {
        to: opt_jid(el.attr("to"))?,
        id: el.attr("id")?.to_owned(),
    })
}

/// `Message::reply`.
pub(crate) const FIELD: Field<Message> = Field {
    ns: ns::REPLY,
    read_xml: |m, el| set_once(&mut m.reply, el, read),
    write_xml: |m, out| {
        if let Some(reply) = &m.reply {
            out.start("reply", ns::REPLY);
            if let Some(to) = &reply.to {
                out.attr("to", to.as_str());
            }
            out.attr("id", &reply.id);
            out.end();
        }
    },
    read_json: |m, json| {
        if let Some(mut o) = json.top.object("reply")? {
            m.reply = Some(ReplyTo {
                id: o.required_string("id")?,
                to: o.jid("to")?,
            });
            json.keep("reply", o.into_rest());
        }
        Ok(())
    },
    write_json: |m, out| {
        if let Some(reply) = &m.reply {
            let to = reply.to.as_ref().map(Jid::as_str);
            out.insert(
                "reply".into(),
                object([("id", Some(&reply.id)), ("to", to)]),
            );
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
        let mut m = Message::default();
        m.reply = Some(ReplyTo {
            to: Some("alice@example.org/phone".parse().unwrap()),
            id: "prev-42".into(),
        });
        assert_round_trips(&FIELD, &m);
        m.reply = Some(ReplyTo {
            to: None,
            id: "x".into(),
        });
        assert_round_trips(&FIELD, &m);
    }

    #[test]
    fn an_invalid_jid_keeps_it_untyped_in_xml_and_fails_in_json() {
        let el = Element::builder("reply", ns::REPLY)
            .attr("to", "@")
            .attr("id", "1")
            .build();
        assert!(read_one(&FIELD, el).is_none());
        let err = read_json(&FIELD, json!({"reply": {"id": "1", "to": "@"}})).unwrap_err();
        assert!(err.is_invalid());
        let (_, _, nested) = read_json(&FIELD, json!({"reply": {"id": "1", "x": 2}})).unwrap();
        assert_eq!(nested["reply"], json!({"x": 2}));
    }
}
