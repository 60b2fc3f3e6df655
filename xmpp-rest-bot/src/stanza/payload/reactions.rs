//! XEP-0444 message reactions: `<reactions id='…'><reaction>👍</reaction></reactions>`,
//! JSON `reactions` (`{id, reactions: [emoji]}`).

use serde_json::{Map, Value};

use crate::stanza::mapping::json::strings;
use crate::stanza::mapping::{Field, XmlIn, set_once, string};
use crate::stanza::{Message, ns};

/// XEP-0444 reactions to an earlier message (the full set from this sender).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reactions {
    /// The id of the message reacted to.
    pub id: String,
    /// The emojis, one per `<reaction/>`.
    pub reactions: Vec<String>,
}

fn read(el: &XmlIn<'_>) -> Option<Reactions> {
    if el.name() != "reactions" || !el.attrs_within(&["id"]) {
        return None;
    }
    let id = el.attr("id")?.to_owned();
    let mut reactions = Vec::new();
    for child in el.elements()? {
        if !child.is("reaction", ns::REACTIONS) {
            return None;
        }
        reactions.push(child.plain_text()?.into_owned());
    }
    Some(Reactions { id, reactions })
}

/// `Message::reactions`.
pub(crate) const FIELD: Field<Message> = Field {
    ns: ns::REACTIONS,
    read_xml: |m, el| set_once(&mut m.reactions, el, read),
    write_xml: |m, out| {
        if let Some(reactions) = &m.reactions {
            out.start("reactions", ns::REACTIONS);
            out.attr("id", &reactions.id);
            for reaction in &reactions.reactions {
                out.text_element("reaction", ns::REACTIONS, reaction);
            }
            out.end();
        }
    },
    read_json: |m, json| {
        if let Some(mut o) = json.top.object("reactions")? {
            let id = o.required_string("id")?;
            let path = o.key_path("reactions");
            let reactions = match o.array("reactions")? {
                None => Vec::new(),
                Some(list) => strings(Value::Array(list), &path)?,
            };
            m.reactions = Some(Reactions { id, reactions });
            json.keep("reactions", o.into_rest());
        }
        Ok(())
    },
    write_json: |m, out| {
        if let Some(r) = &m.reactions {
            let mut o = Map::new();
            o.insert("id".into(), string(&r.id));
            if !r.reactions.is_empty() {
                let list = r.reactions.iter().map(|e| string(e)).collect();
                o.insert("reactions".into(), Value::Array(list));
            }
            out.insert("reactions".into(), Value::Object(o));
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
        let mut m = Message::default();
        m.reactions = Some(Reactions {
            id: "m1".into(),
            reactions: vec!["👍".into(), "🎉".into()],
        });
        assert_round_trips(&FIELD, &m);
    }

    #[test]
    fn other_children_keep_it_untyped() {
        let el = Element::builder("reactions", ns::REACTIONS)
            .attr("id", "m1")
            .child(Element::new("other", ns::REACTIONS))
            .build();
        assert!(read_one(&FIELD, el).is_none());
    }
}
