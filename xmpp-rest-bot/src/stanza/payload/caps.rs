//! XEP-0115 entity capabilities: `<c hash='…' node='…' ver='…'/>`, JSON
//! `caps` (`{hash, node, ver}`; a caps object without all three stays JSON).

use crate::stanza::mapping::json::Obj;
use crate::stanza::mapping::{Field, object};
use crate::stanza::{Presence, ns};

/// XEP-0115 entity capabilities.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Caps {
    /// The hash algorithm (`sha-1`).
    pub hash: String,
    /// The software's node URI.
    pub node: String,
    /// The verification string.
    pub ver: String,
}

/// `Presence::caps`.
pub(crate) const FIELD: Field<Presence> = Field {
    ns: ns::CAPS,
    read_xml: |p, el| {
        if el.name() != "c" || p.caps.is_some() || !el.is_empty_with(&["hash", "node", "ver"]) {
            return false;
        }
        let (Some(hash), Some(node), Some(ver)) =
            (el.attr("hash"), el.attr("node"), el.attr("ver"))
        else {
            return false;
        };
        p.caps = Some(Caps {
            hash: hash.to_owned(),
            node: node.to_owned(),
            ver: ver.to_owned(),
        });
        true
    },
    write_xml: |p, out| {
        if let Some(caps) = &p.caps {
            out.start("c", ns::CAPS);
            out.attr("hash", &caps.hash);
            out.attr("node", &caps.node);
            out.attr("ver", &caps.ver);
            out.end();
        }
    },
    read_json: |p, json| {
        let Some(v) = json.top.take("caps") else {
            return Ok(());
        };
        let original = v.clone();
        let mut o = Obj::new(v, json.top.key_path("caps"))?;
        match (o.string("hash")?, o.string("node")?, o.string("ver")?) {
            (Some(hash), Some(node), Some(ver)) => {
                p.caps = Some(Caps { hash, node, ver });
                json.keep("caps", o.into_rest());
            }
            // Legacy caps without a hash do not fit the model: kept as JSON.
            _ => json.keep_value("caps", original),
        }
        Ok(())
    },
    write_json: |p, out| {
        if let Some(c) = &p.caps {
            let props = [
                ("hash", Some(c.hash.as_str())),
                ("node", Some(c.node.as_str())),
                ("ver", Some(c.ver.as_str())),
            ];
            out.insert("caps".into(), object(props));
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
        let mut p = Presence::default();
        p.caps = Some(Caps {
            hash: "sha-1".into(),
            node: "https://gajim.org".into(),
            ver: "abc=".into(),
        });
        assert_round_trips(&FIELD, &p);
    }

    #[test]
    fn legacy_caps_stay_json() {
        let legacy = json!({"caps": {"node": "n", "ver": "v", "ext": "x"}});
        let (p, _, nested) = read_json(&FIELD, legacy).unwrap();
        assert_eq!(p.caps, None);
        assert_eq!(nested["caps"], json!({"node": "n", "ver": "v", "ext": "x"}));
    }
}
