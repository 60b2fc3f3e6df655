//! The conversation thread (RFC 6121 section 5.2.5): `<thread parent='…'>id</thread>`,
//! JSON `thread` (`{id, parent}`; the early-2020 module wrote a string).

use serde_json::Value;

use crate::stanza::mapping::json::{Obj, type_error};
use crate::stanza::mapping::{Field, JsonIn, XmlIn, object, set_once};
use crate::stanza::{Message, ns};

/// A conversation thread (RFC 6121 section 5.2.5).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Thread {
    /// The thread identifier.
    pub id: String,
    /// The parent thread, when this one was forked from it.
    pub parent: Option<String>,
}

fn read(el: &XmlIn<'_>) -> Option<Thread> {
    if el.name() != "thread" || !el.attrs_within(&["parent"]) {
        return None;
    }
    let id = el.text()?;
    // An empty thread id is not an id.
    (!id.is_empty()).then(|| Thread {
        id: id.into_owned(),
        parent: el.attr("parent").map(str::to_owned),
    })
}

fn read_json(json: &mut JsonIn<'_, '_>) -> crate::Result<Option<Thread>> {
    let Some(v) = json.top.take("thread") else {
        return Ok(None);
    };
    let path = json.top.key_path("thread");
    Ok(Some(match v {
        Value::String(id) => Thread { id, parent: None },
        v @ Value::Object(_) => {
            let mut o = Obj::new(v, path)?;
            let thread = Thread {
                id: o.required_string("id")?,
                parent: o.string("parent")?,
            };
            json.keep("thread", o.into_rest());
            thread
        }
        other => return Err(type_error("a string or an object", &other, &path)),
    }))
}

/// `Message::thread`.
pub(crate) const FIELD: Field<Message> = Field {
    ns: ns::CLIENT,
    read_xml: |m, el| set_once(&mut m.thread, el, read),
    write_xml: |m, out| {
        if let Some(thread) = &m.thread {
            out.start("thread", ns::CLIENT);
            if let Some(parent) = &thread.parent {
                out.attr("parent", parent);
            }
            out.text(&thread.id);
            out.end();
        }
    },
    read_json: |m, json| {
        m.thread = read_json(json)?;
        Ok(())
    },
    write_json: |m, out| {
        if let Some(t) = &m.thread {
            let value = object([("id", Some(&t.id)), ("parent", t.parent.as_deref())]);
            out.insert("thread".into(), value);
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
        m.thread = Some(Thread {
            id: "t1".into(),
            parent: Some("t0".into()),
        });
        assert_round_trips(&FIELD, &m);
    }

    #[test]
    fn an_empty_id_is_no_thread() {
        assert!(read_one(&FIELD, Element::new("thread", ns::CLIENT)).is_none());
    }

    #[test]
    fn the_early_module_wrote_a_string() {
        let (m, _, _) = read_json(&FIELD, json!({"thread": "t9"})).unwrap();
        assert_eq!(m.thread.unwrap().id, "t9");
        let err = read_json(&FIELD, json!({"thread": 5})).unwrap_err();
        assert_eq!(err.json_path(), Some("$.thread"));
    }
}
