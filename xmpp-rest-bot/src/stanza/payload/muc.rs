//! XEP-0045 join requests: `<x xmlns='http://jabber.org/protocol/muc'>` with
//! a password and history options; JSON `muc` (`{history: {maxchars,
//! maxstanzas, seconds, since}}`), and the early-2020 module's `"join": true`.

use serde_json::{Map, Number, Value};

use crate::stanza::mapping::json::type_error;
use crate::stanza::mapping::{Field, IntBuf, XmlIn, set_once, string};
use crate::stanza::{Presence, ns};

/// XEP-0045 join request: `<x xmlns="http://jabber.org/protocol/muc"/>`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct MucJoin {
    /// The room password.
    pub password: Option<String>,
    /// How much history the room should send on join.
    pub history: Option<MucHistory>,
}

impl MucJoin {
    /// A join that asks for no history at all (what bots want: no replay of old commands).
    pub fn without_history() -> Self {
        MucJoin {
            password: None,
            history: Some(MucHistory {
                max_stanzas: Some(0),
                ..MucHistory::default()
            }),
        }
    }
}

/// XEP-0045 history options of a join.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct MucHistory {
    /// At most this many characters.
    pub max_chars: Option<u32>,
    /// At most this many messages.
    pub max_stanzas: Option<u32>,
    /// Messages of the last this many seconds.
    pub seconds: Option<u32>,
    /// Messages since this date-time (XEP-0082).
    pub since: Option<String>,
}

fn read(el: &XmlIn<'_>) -> Option<MucJoin> {
    if el.name() != "x" || !el.has_no_attrs() {
        return None;
    }
    let mut join = MucJoin::default();
    for child in el.elements()? {
        match (child.ns() == ns::MUC, child.name()) {
            (true, "password") if join.password.is_none() => {
                join.password = Some(child.plain_text()?.into_owned());
            }
            (true, "history") if join.history.is_none() => join.history = Some(history(&child)?),
            _ => return None,
        }
    }
    Some(join)
}

fn history(el: &XmlIn<'_>) -> Option<MucHistory> {
    if !el.is_empty_with(&["maxchars", "maxstanzas", "seconds", "since"]) {
        return None;
    }
    let number = |name: &str| match el.attr(name) {
        None => Some(None),
        Some(v) => v.parse().ok().map(Some),
    };
    Some(MucHistory {
        max_chars: number("maxchars")?,
        max_stanzas: number("maxstanzas")?,
        seconds: number("seconds")?,
        since: el.attr("since").map(str::to_owned),
    })
}

/// `Presence::muc`.
pub(crate) const FIELD: Field<Presence> = Field {
    ns: ns::MUC,
    read_xml: |p, el| set_once(&mut p.muc, el, read),
    write_xml: |p, out| {
        let Some(muc) = &p.muc else {
            return;
        };
        out.start("x", ns::MUC);
        if let Some(password) = &muc.password {
            out.text_element("password", ns::MUC, password);
        }
        if let Some(h) = &muc.history {
            out.start("history", ns::MUC);
            let numbers = [
                ("maxchars", h.max_chars),
                ("maxstanzas", h.max_stanzas),
                ("seconds", h.seconds),
            ];
            for (name, value) in numbers {
                if let Some(value) = value {
                    out.attr(name, IntBuf::new(value.into()).as_str());
                }
            }
            if let Some(since) = &h.since {
                out.attr("since", since);
            }
            out.end();
        }
        out.end();
    },
    read_json: |p, json| {
        if let Some(mut o) = json.top.object("muc")? {
            let mut muc = MucJoin::default();
            if let Some(mut h) = o.object("history")? {
                muc.history = Some(MucHistory {
                    max_chars: h.integer("maxchars")?,
                    max_stanzas: h.integer("maxstanzas")?,
                    seconds: h.integer("seconds")?,
                    since: h.string("since")?,
                });
            }
            p.muc = Some(muc);
            json.keep("muc", o.into_rest());
        }
        // The early-2020 mod_rest's `"join": true`; the late one still reads it.
        match json.top.take("join") {
            None | Some(Value::Bool(false)) => {}
            Some(Value::Bool(true)) => {
                p.muc.get_or_insert_with(MucJoin::default);
            }
            Some(other) => return Err(type_error("a boolean", &other, &json.top.key_path("join"))),
        }
        Ok(())
    },
    write_json: |p, out| {
        let Some(muc) = &p.muc else {
            return;
        };
        let mut o = Map::new();
        if let Some(h) = &muc.history {
            let mut history = Map::new();
            for (key, value) in [
                ("maxchars", h.max_chars),
                ("maxstanzas", h.max_stanzas),
                ("seconds", h.seconds),
            ] {
                if let Some(n) = value {
                    history.insert(key.into(), Value::Number(Number::from(n)));
                }
            }
            if let Some(since) = &h.since {
                history.insert("since".into(), string(since));
            }
            o.insert("history".into(), Value::Object(history));
        }
        out.insert("muc".into(), Value::Object(o));
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
        let mut p = Presence::default();
        p.muc = Some(MucJoin::without_history());
        assert_round_trips(&FIELD, &p);
        p.muc = Some(MucJoin {
            password: None,
            history: Some(MucHistory {
                max_chars: Some(10),
                max_stanzas: None,
                seconds: Some(60),
                since: Some("2024-01-01T00:00:00Z".into()),
            }),
        });
        assert_round_trips(&FIELD, &p);
    }

    #[test]
    fn join_true_and_odd_history() {
        let (p, _, _) = read_json(&FIELD, json!({"join": true})).unwrap();
        assert_eq!(p.muc, Some(MucJoin::default()));
        let el = Element::builder("x", ns::MUC)
            .child(
                Element::builder("history", ns::MUC)
                    .attr("maxstanzas", "many")
                    .build(),
            )
            .build();
        assert!(read_one(&FIELD, el).is_none());
    }
}
