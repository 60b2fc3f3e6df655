//! XEP-0359 stanza ids assigned by archives: `<stanza-id id='…' by='…'/>`,
//! JSON `stanza_ids` (`[{id, by}]`). The origin id of the same XEP is in
//! `id_attr`.

use serde_json::Value;

use crate::stanza::mapping::json::Obj;
use crate::stanza::mapping::{Field, XmlIn, jid, object};
use crate::stanza::{Jid, Message, ns};

/// XEP-0359 stanza id assigned by an archive.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StanzaId {
    /// The id.
    pub id: String,
    /// The entity that assigned it.
    pub by: Jid,
}

fn read(el: &XmlIn<'_>) -> Option<StanzaId> {
    if el.name() != "stanza-id" || !el.is_empty_with(&["id", "by"]) {
        return None;
    }
    Some(StanzaId {
        id: el.attr("id")?.to_owned(),
        by: jid(el.attr("by")?)?,
    })
}

/// `Message::stanza_ids`.
pub(crate) const FIELD: Field<Message> = Field {
    ns: ns::SID,
    read_xml: |m, el| match read(el) {
        Some(sid) => {
            m.stanza_ids.push(sid);
            true
        }
        None => false,
    },
    write_xml: |m, out| {
        for sid in &m.stanza_ids {
            out.start("stanza-id", ns::SID);
            out.attr("id", &sid.id);
            out.attr("by", sid.by.as_str());
            out.end();
        }
    },
    read_json: |m, json| {
        let Some(list) = json.top.array("stanza_ids")? else {
            return Ok(());
        };
        let path = json.top.key_path("stanza_ids");
        for (i, v) in list.into_iter().enumerate() {
            let mut o = Obj::new(v, format!("{path}[{i}]"))?;
            let id = o.required_string("id")?;
            let by = o.jid("by")?.ok_or_else(|| o.missing("by"))?;
            m.stanza_ids.push(StanzaId { id, by });
        }
        Ok(())
    },
    write_json: |m, out| {
        if !m.stanza_ids.is_empty() {
            let ids = m
                .stanza_ids
                .iter()
                .map(|sid| object([("id", Some(&sid.id)), ("by", Some(sid.by.as_str()))]))
                .collect();
            out.insert("stanza_ids".into(), Value::Array(ids));
        }
    },
};

#[cfg(test)]
// Each test sets the one field it is about on a default stanza.
#[allow(clippy::field_reassign_with_default)]
mod tests {
    use super::*;
    use crate::stanza::mapping::testing::{assert_round_trips, read_json};
    use serde_json::json;

    #[test]
    fn round_trips() {
        let mut m = Message::default();
        for id in ["a", "b"] {
            m.stanza_ids.push(StanzaId {
                id: id.into(),
                by: "room@muc.example.org".parse().unwrap(),
            });
        }
        assert_round_trips(&FIELD, &m);
    }

    #[test]
    fn json_errors_name_the_entry() {
        let err = read_json(&FIELD, json!({"stanza_ids": [{"id": "a"}]})).unwrap_err();
        assert!(
            err.to_string()
                .contains("$.stanza_ids[0] is missing \"by\""),
            "{err}"
        );
    }
}
