//! mod_rest's JSON for service discovery: `disco` (`true` or a node in a
//! get; `{node, identities, features, extensions}`) and `items` (`true`, a
//! node, or `[{jid, node, name}]`).

use serde_json::{Map, Value};

use super::{DiscoInfo, DiscoItem, DiscoItems, Identity};
use crate::stanza::Payload;
use crate::stanza::mapping::IqJson;
use crate::stanza::mapping::json::{Obj, index_path, into_jid, strings, type_error};
use crate::stanza::mapping::{insert_opt, string};
use crate::stanza::payload::iq::form::{formdata_from_json, formdata_to_json};

/// `"disco"`: `true` (a get), a node string (a get on that node), or
/// `{node, identities, features, extensions}`.
fn disco_from_json(v: Value, path: &str) -> crate::Result<(DiscoInfo, Map<String, Value>)> {
    match v {
        Value::Bool(_) => return Ok((DiscoInfo::new(), Map::new())),
        Value::String(node) => return Ok((DiscoInfo::for_node(node), Map::new())),
        _ => {}
    }
    let mut o = Obj::new(v, path)?;
    let mut info = DiscoInfo {
        node: o.string("node")?,
        ..DiscoInfo::default()
    };
    let ipath = o.key_path("identities");
    for (i, item) in o
        .array("identities")?
        .unwrap_or_default()
        .into_iter()
        .enumerate()
    {
        let mut id = Obj::new(item, index_path(&ipath, i))?;
        info.identities.push(Identity {
            category: id.required_string("category")?,
            type_: id.required_string("type")?,
            name: id.string("name")?,
            lang: None,
        });
    }
    if let Some(features) = o.take("features") {
        info.features = strings(features, &o.key_path("features"))?;
    }
    if let Some(mut ext) = o.object("extensions")? {
        let keys: Vec<String> = ext.keys().map(str::to_owned).collect();
        for form_type in keys {
            let Some(fields) = ext.object(&form_type)? else {
                continue;
            };
            let form = formdata_from_json(fields, "result", true)?.with_form_type(form_type);
            info.extensions.push(form);
        }
    }
    Ok((info, o.into_rest()))
}

fn disco_to_json(info: &DiscoInfo) -> Value {
    if info.is_query() {
        return match &info.node {
            Some(node) => string(node),
            None => Value::Bool(true),
        };
    }
    let mut out = Map::new();
    insert_opt(&mut out, "node", info.node.as_deref());
    let identities = info
        .identities
        .iter()
        .map(|id| {
            let mut o = Map::new();
            o.insert("category".into(), string(&id.category));
            o.insert("type".into(), string(&id.type_));
            insert_opt(&mut o, "name", id.name.as_deref());
            Value::Object(o)
        })
        .collect();
    out.insert("identities".into(), Value::Array(identities));
    out.insert(
        "features".into(),
        Value::Array(info.features.iter().map(|f| string(f)).collect()),
    );
    let mut extensions = Map::new();
    for form in &info.extensions {
        if let Some(form_type) = form.form_type() {
            extensions.insert(form_type.to_owned(), Value::Object(formdata_to_json(form)));
        }
    }
    if !extensions.is_empty() {
        out.insert("extensions".into(), Value::Object(extensions));
    }
    Value::Object(out)
}

// ---------------------------------------------------------------- disco#items

/// `"items"`: `true` (a get), a node string, `{node}` (older mod_rest), or an
/// array of items, each a JID string or `{jid, node, name}`.
fn items_from_json(v: Value, path: &str) -> crate::Result<(DiscoItems, Map<String, Value>)> {
    match v {
        Value::Bool(_) => Ok((DiscoItems::new(), Map::new())),
        Value::String(node) => Ok((DiscoItems::for_node(node), Map::new())),
        Value::Object(_) => {
            let mut o = Obj::new(v, path)?;
            let items = DiscoItems {
                node: o.string("node")?,
                ..DiscoItems::default()
            };
            Ok((items, o.into_rest()))
        }
        Value::Array(list) => {
            let mut items = DiscoItems::new();
            for (i, item) in list.into_iter().enumerate() {
                let ipath = index_path(path, i);
                let item = match item {
                    Value::String(_) => DiscoItem::new(into_jid(item, &ipath)?),
                    Value::Object(_) => {
                        let mut o = Obj::new(item, &ipath)?;
                        let jid = o.take("jid").ok_or_else(|| o.missing("jid"))?;
                        DiscoItem {
                            jid: into_jid(jid, &o.key_path("jid"))?,
                            node: o.string("node")?,
                            name: o.string("name")?,
                        }
                    }
                    other => return Err(type_error("a string or an object", &other, &ipath)),
                };
                items.items.push(item);
            }
            Ok((items, Map::new()))
        }
        other => Err(type_error(
            "a boolean, a string, an object or an array",
            &other,
            path,
        )),
    }
}

fn items_to_json(items: &DiscoItems) -> Value {
    if items.items.is_empty() {
        return match &items.node {
            Some(node) => string(node),
            None => Value::Bool(true),
        };
    }
    Value::Array(
        items
            .items
            .iter()
            .map(|item| {
                let mut o = Map::new();
                o.insert("jid".into(), string(item.jid.as_str()));
                insert_opt(&mut o, "node", item.node.as_deref());
                insert_opt(&mut o, "name", item.name.as_deref());
                Value::Object(o)
            })
            .collect(),
    )
}

/// `disco`.
pub(crate) const DISCO_JSON: IqJson = IqJson {
    key: "disco",
    matches: DiscoInfo::matches,
    read: |v, path| {
        let (info, rest) = disco_from_json(v, path)?;
        Ok((Some(info.to_element()), rest))
    },
    write: |el| {
        DiscoInfo::from_element(el)
            .ok()
            .map(|info| disco_to_json(&info))
    },
};

/// `items`.
pub(crate) const ITEMS_JSON: IqJson = IqJson {
    key: "items",
    matches: DiscoItems::matches,
    read: |v, path| {
        let (items, rest) = items_from_json(v, path)?;
        Ok((Some(items.to_element()), rest))
    },
    write: |el| {
        DiscoItems::from_element(el)
            .ok()
            .map(|items| items_to_json(&items))
    },
};
