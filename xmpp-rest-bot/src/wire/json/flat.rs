//! mod_rest keys whose element the model keeps as a plain [`Element`]
//! (message/presence `extensions`, iq payloads without a typed [`Payload`](crate::stanza::Payload)).
//!
//! Each entry is a port of one property of mod_rest's `res/schema-xmpp.json`,
//! converted the way Prosody's `util.datamapper` does it: a flag element, one
//! attribute of an element, the text of an element, or an object whose
//! properties are attributes, child texts, child flags or the element's text.

use serde_json::{Map, Number, Value};

use crate::stanza::mapping::json::{Obj, type_error};
use crate::stanza::{Element, StanzaKind};

#[derive(Clone, Copy)]
pub(super) enum Ty {
    Str,
    Int,
    Bool,
}

#[derive(Clone, Copy)]
pub(super) enum Place {
    /// An attribute of the element.
    Attr(&'static str),
    /// The text of a child element (same namespace).
    ChildText(&'static str),
    /// A child element (same namespace) whose presence is the value `true`.
    Flag(&'static str),
    /// The element's own text.
    Text,
}

pub(super) struct Prop {
    key: &'static str,
    place: Place,
    ty: Ty,
}

pub(super) enum Shape {
    /// The element's presence is `true`.
    Flag,
    /// One attribute of the element.
    Attr(&'static str, Ty),
    /// The element's text.
    Text,
    /// An object of properties.
    Object(&'static [Prop]),
}

pub(super) struct Flat {
    pub(super) key: &'static str,
    kinds: &'static [StanzaKind],
    pub(super) name: &'static str,
    pub(super) ns: &'static str,
    shape: Shape,
}

const M: &[StanzaKind] = &[StanzaKind::Message];
const P: &[StanzaKind] = &[StanzaKind::Presence];
const I: &[StanzaKind] = &[StanzaKind::Iq];
const PI: &[StanzaKind] = &[StanzaKind::Presence, StanzaKind::Iq];

const fn attr(key: &'static str, ty: Ty) -> Prop {
    Prop {
        key,
        place: Place::Attr(key),
        ty,
    }
}

const fn child(key: &'static str) -> Prop {
    Prop {
        key,
        place: Place::ChildText(key),
        ty: Ty::Str,
    }
}

const fn flag(key: &'static str) -> Prop {
    Prop {
        key,
        place: Place::Flag(key),
        ty: Ty::Bool,
    }
}

/// The table, in the order keys are tried when decoding.
pub(super) static FLAT: &[Flat] = &[
    // message
    Flat {
        key: "fallback",
        kinds: M,
        name: "fallback",
        ns: "urn:xmpp:fallback:0",
        shape: Shape::Flag,
    },
    Flat {
        key: "encryption",
        kinds: M,
        name: "encryption",
        ns: "urn:xmpp:eme:0",
        shape: Shape::Attr("namespace", Ty::Str),
    },
    Flat {
        key: "attach_to",
        kinds: M,
        name: "attach-to",
        ns: "urn:xmpp:message-attaching:1",
        shape: Shape::Attr("id", Ty::Str),
    },
    Flat {
        key: "invite",
        kinds: M,
        name: "x",
        ns: "jabber:x:conference",
        shape: Shape::Object(&[
            attr("jid", Ty::Str),
            attr("password", Ty::Str),
            attr("reason", Ty::Str),
            attr("thread", Ty::Str),
            attr("continue", Ty::Bool),
        ]),
    },
    Flat {
        key: "reference",
        kinds: M,
        name: "reference",
        ns: "urn:xmpp:reference:0",
        shape: Shape::Object(&[
            attr("type", Ty::Str),
            attr("uri", Ty::Str),
            attr("begin", Ty::Int),
            attr("end", Ty::Int),
        ]),
    },
    // presence
    Flat {
        key: "vcard_update",
        kinds: P,
        name: "x",
        ns: "vcard-temp:x:update",
        shape: Shape::Object(&[child("photo")]),
    },
    // iq
    Flat {
        key: "oob",
        kinds: I,
        name: "query",
        ns: "jabber:iq:oob",
        shape: Shape::Object(&[child("url"), child("desc")]),
    },
    Flat {
        key: "lastactivity",
        kinds: I,
        name: "query",
        ns: "jabber:iq:last",
        shape: Shape::Object(&[
            attr("seconds", Ty::Int),
            Prop {
                key: "status",
                place: Place::Text,
                ty: Ty::Str,
            },
        ]),
    },
    Flat {
        key: "gateway",
        kinds: I,
        name: "query",
        ns: "jabber:iq:gateway",
        shape: Shape::Object(&[child("desc"), child("prompt"), child("jid")]),
    },
    Flat {
        key: "upload_request",
        kinds: I,
        name: "request",
        ns: "urn:xmpp:http:upload:0",
        shape: Shape::Object(&[
            attr("filename", Ty::Str),
            attr("size", Ty::Int),
            attr("content-type", Ty::Str),
        ]),
    },
    Flat {
        key: "register",
        kinds: I,
        name: "query",
        ns: "jabber:iq:register",
        shape: Shape::Object(&[
            child("instructions"),
            child("username"),
            child("nick"),
            child("password"),
            child("name"),
            child("first"),
            child("last"),
            child("email"),
            child("address"),
            child("city"),
            child("state"),
            child("zip"),
            child("phone"),
            child("url"),
            child("date"),
            child("misc"),
            child("text"),
            child("key"),
            flag("registered"),
            flag("remove"),
        ]),
    },
    // not payloads: tried last so that an iq's payload comes first
    Flat {
        key: "delay",
        kinds: PI,
        name: "delay",
        ns: "urn:xmpp:delay",
        shape: Shape::Attr("stamp", Ty::Str),
    },
    Flat {
        key: "nick",
        kinds: I,
        name: "nick",
        ns: "http://jabber.org/protocol/nick",
        shape: Shape::Text,
    },
];

impl Flat {
    fn applies(&self, kind: StanzaKind) -> bool {
        self.kinds.contains(&kind)
    }
}

/// The entries for `kind`.
pub(super) fn for_kind(kind: StanzaKind) -> impl Iterator<Item = &'static Flat> {
    FLAT.iter().filter(move |f| f.applies(kind))
}

/// The entry mapping `el` in a stanza of `kind`.
pub(super) fn lookup(kind: StanzaKind, el: &Element) -> Option<&'static Flat> {
    for_kind(kind).find(|f| el.is(f.name, f.ns))
}

fn scalar_to_xml(v: Value, ty: Ty, path: &str) -> crate::Result<String> {
    match (ty, v) {
        (Ty::Str, Value::String(s)) => Ok(s),
        (Ty::Int, Value::Number(n)) if n.is_i64() || n.is_u64() => Ok(n.to_string()),
        // mod_rest turns a string `upload_request.size` (from a GET query) into a number.
        (Ty::Int, Value::String(s)) if s.parse::<i64>().is_ok() => Ok(s),
        (Ty::Bool, Value::Bool(b)) => Ok(if b { "true" } else { "false" }.to_owned()),
        (Ty::Str, other) => Err(type_error("a string", &other, path)),
        (Ty::Int, other) => Err(type_error("an integer", &other, path)),
        (Ty::Bool, other) => Err(type_error("a boolean", &other, path)),
    }
}

fn scalar_to_json(s: &str, ty: Ty) -> Option<Value> {
    match ty {
        Ty::Str => Some(Value::String(s.to_owned())),
        Ty::Int => s
            .trim()
            .parse::<i64>()
            .ok()
            .map(|n| Value::Number(Number::from(n))),
        // util.datamapper's toboolean: any other present value reads as true.
        Ty::Bool => Some(Value::Bool(!matches!(s, "false" | "0"))),
    }
}

/// Builds the element for `flat` from the JSON value `v` (at `path`); `None`
/// for a flag that is `false`. Unknown keys of an object are returned.
pub(super) fn from_json(
    flat: &Flat,
    v: Value,
    path: &str,
) -> crate::Result<(Option<Element>, Map<String, Value>)> {
    let mut el = Element::new(flat.name, flat.ns);
    let rest = match &flat.shape {
        Shape::Flag => match v {
            Value::Bool(true) => Map::new(),
            Value::Bool(false) => return Ok((None, Map::new())),
            other => return Err(type_error("a boolean", &other, path)),
        },
        Shape::Attr(attr, ty) => {
            el.set_attr(*attr, scalar_to_xml(v, *ty, path)?);
            Map::new()
        }
        Shape::Text => {
            el.push_text(scalar_to_xml(v, Ty::Str, path)?);
            Map::new()
        }
        Shape::Object(props) => {
            let mut obj = Obj::new(v, path)?;
            for prop in *props {
                let Some(value) = obj.take(prop.key) else {
                    continue;
                };
                let ppath = obj.key_path(prop.key);
                match prop.place {
                    Place::Attr(name) => el.set_attr(name, scalar_to_xml(value, prop.ty, &ppath)?),
                    Place::ChildText(name) => el.push_child(
                        Element::builder(name, flat.ns)
                            .text(scalar_to_xml(value, prop.ty, &ppath)?)
                            .build(),
                    ),
                    Place::Flag(name) => {
                        if scalar_to_xml(value, Ty::Bool, &ppath)? == "true" {
                            el.push_child(Element::new(name, flat.ns));
                        }
                    }
                    Place::Text => el.push_text(scalar_to_xml(value, prop.ty, &ppath)?),
                }
            }
            obj.into_rest()
        }
    };
    Ok((Some(el), rest))
}

/// The JSON value of `el` under `flat`; `None` when it carries no value
/// (an attribute mapping whose attribute is absent).
pub(super) fn to_json(flat: &Flat, el: &Element) -> Option<Value> {
    match &flat.shape {
        Shape::Flag => Some(Value::Bool(true)),
        Shape::Attr(attr, ty) => el.attr(attr).and_then(|a| scalar_to_json(a, *ty)),
        Shape::Text => Some(Value::String(el.text())),
        Shape::Object(props) => {
            let mut out = Map::new();
            for prop in *props {
                let value = match prop.place {
                    Place::Attr(name) => el.attr(name).and_then(|a| scalar_to_json(a, prop.ty)),
                    Place::ChildText(name) => el
                        .child(name, flat.ns)
                        .and_then(|c| scalar_to_json(&c.text(), prop.ty)),
                    Place::Flag(name) => el.child(name, flat.ns).map(|_| Value::Bool(true)),
                    Place::Text => Some(el.text())
                        .filter(|t| !t.is_empty())
                        .and_then(|t| scalar_to_json(&t, prop.ty)),
                };
                if let Some(value) = value {
                    out.insert(prop.key.to_owned(), value);
                }
            }
            Some(Value::Object(out))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(key: &str) -> &'static Flat {
        FLAT.iter().find(|f| f.key == key).unwrap()
    }

    fn round_trip(key: &str, v: Value) {
        let (el, rest) = from_json(entry(key), v.clone(), "$").unwrap();
        assert!(rest.is_empty());
        assert_eq!(to_json(entry(key), &el.unwrap()), Some(v), "{key}");
    }

    #[test]
    fn every_shape_round_trips() {
        round_trip("fallback", json!(true));
        round_trip("encryption", json!("eu.siacs.conversations.axolotl"));
        round_trip(
            "invite",
            json!({"jid": "room@muc.example", "reason": "hi", "continue": true}),
        );
        round_trip(
            "reference",
            json!({"type": "mention", "uri": "xmpp:a@b", "begin": 0, "end": 5}),
        );
        round_trip("vcard_update", json!({"photo": "abc123"}));
        round_trip("nick", json!("Ishmael"));
        round_trip("lastactivity", json!({"seconds": 903, "status": "gone"}));
        round_trip(
            "register",
            json!({"username": "u", "password": "p", "registered": true}),
        );
    }

    #[test]
    fn elements_are_built_like_datamapper() {
        let (el, _) = from_json(
            entry("lastactivity"),
            json!({"seconds": 5, "status": "x"}),
            "$",
        )
        .unwrap();
        let el = el.unwrap();
        assert!(el.is("query", "jabber:iq:last"));
        assert_eq!(el.attr("seconds"), Some("5"));
        assert_eq!(el.text(), "x");
        let (el, _) = from_json(
            entry("register"),
            json!({"username": "u", "remove": true}),
            "$",
        )
        .unwrap();
        let el = el.unwrap();
        assert_eq!(
            el.child_text("username", "jabber:iq:register").as_deref(),
            Some("u")
        );
        assert!(el.child("remove", "jabber:iq:register").is_some());
        assert_eq!(
            from_json(entry("fallback"), json!(false), "$").unwrap().0,
            None
        );
    }

    #[test]
    fn wrong_types_name_the_path() {
        let err = from_json(
            entry("lastactivity"),
            json!({"seconds": true}),
            "$.lastactivity",
        )
        .unwrap_err();
        assert_eq!(err.json_path(), Some("$.lastactivity.seconds"));
        let err = from_json(entry("fallback"), json!("yes"), "$.fallback").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid json at $.fallback: expected a boolean, found a string"
        );
        let err = from_json(
            entry("upload_request"),
            json!({"size": 1.5}),
            "$.upload_request",
        )
        .unwrap_err();
        assert_eq!(err.json_path(), Some("$.upload_request.size"));
        let err = from_json(entry("upload_request"), json!({"size": "big"}), "$.u").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid json at $.u.size: expected an integer, found a string"
        );
        // mod_rest reads a numeric string size (from a GET query) as a number.
        let (el, _) = from_json(entry("upload_request"), json!({"size": "1024"}), "$").unwrap();
        assert_eq!(el.unwrap().attr("size"), Some("1024"));
    }

    #[test]
    fn unknown_subkeys_are_returned() {
        let (_, rest) =
            from_json(entry("invite"), json!({"jid": "r@m", "x-extra": 1}), "$").unwrap();
        assert_eq!(Value::Object(rest), json!({"x-extra": 1}));
    }

    #[test]
    fn lookup_is_per_kind() {
        let delay = Element::builder("delay", "urn:xmpp:delay")
            .attr("stamp", "2024-01-01T00:00:00Z")
            .build();
        assert!(lookup(StanzaKind::Presence, &delay).is_some());
        assert!(
            lookup(StanzaKind::Message, &delay).is_none(),
            "messages map delay to a typed field"
        );
        assert_eq!(
            to_json(entry("delay"), &Element::new("delay", "urn:xmpp:delay")),
            None
        );
    }
}
