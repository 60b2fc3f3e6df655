//! The JSON shapes of the typed iq payloads and of data forms, both ways,
//! following the `st2json`/`json2st` functions of mod_rest's `jsonmap.lib.lua`.

use serde_json::{Map, Value};

use crate::stanza::mapping::json::{Obj, index_path, into_jid, strings, type_error};
use crate::stanza::{
    Command, CommandActions, CommandNote, DataForm, DiscoInfo, DiscoItem, DiscoItems, FormField,
    FormOption, Identity, Version,
};

/// Unknown keys of the object a top-level key held, kept to be written back.
pub(super) type Rest = Map<String, Value>;

fn string(s: &str) -> Value {
    Value::String(s.to_owned())
}

fn insert_opt(out: &mut Map<String, Value>, key: &str, value: Option<&str>) {
    if let Some(v) = value {
        out.insert(key.to_owned(), string(v));
    }
}

// ---------------------------------------------------------------- version

/// `"version"`: `true` (a get) or `{name, version, os}`.
pub(super) fn version_from_json(v: Value, path: &str) -> crate::Result<(Version, Rest)> {
    if let Value::Bool(_) = v {
        return Ok((Version::default(), Rest::new()));
    }
    let mut o = Obj::new(v, path)?;
    let version = Version {
        name: o.string("name")?,
        version: o.string("version")?,
        os: o.string("os")?,
        other: Vec::new(),
    };
    Ok((version, o.into_rest()))
}

pub(super) fn version_to_json(v: &Version) -> Value {
    let mut out = Map::new();
    insert_opt(&mut out, "name", v.name.as_deref());
    insert_opt(&mut out, "version", v.version.as_deref());
    insert_opt(&mut out, "os", v.os.as_deref());
    Value::Object(out)
}

// ---------------------------------------------------------------- disco#info

/// `"disco"`: `true` (a get), a node string (a get on that node), or
/// `{node, identities, features, extensions}`.
pub(super) fn disco_from_json(v: Value, path: &str) -> crate::Result<(DiscoInfo, Rest)> {
    match v {
        Value::Bool(_) => return Ok((DiscoInfo::new(), Rest::new())),
        Value::String(node) => return Ok((DiscoInfo::for_node(node), Rest::new())),
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
        let keys: Vec<String> = ext.keys().cloned().collect();
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

pub(super) fn disco_to_json(info: &DiscoInfo) -> Value {
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
pub(super) fn items_from_json(v: Value, path: &str) -> crate::Result<(DiscoItems, Rest)> {
    match v {
        Value::Bool(_) => Ok((DiscoItems::new(), Rest::new())),
        Value::String(node) => Ok((DiscoItems::for_node(node), Rest::new())),
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
            Ok((items, Rest::new()))
        }
        other => Err(type_error(
            "a boolean, a string, an object or an array",
            &other,
            path,
        )),
    }
}

pub(super) fn items_to_json(items: &DiscoItems) -> Value {
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

// ---------------------------------------------------------------- command

/// `"command"`: a node string, or `{node, action, sessionid, status, actions,
/// note, form | data}`.
pub(super) fn command_from_json(v: Value, path: &str) -> crate::Result<(Command, Rest)> {
    if let Value::String(node) = v {
        return Ok((Command::new(node), Rest::new()));
    }
    let mut o = Obj::new(v, path)?;
    let mut cmd = Command {
        node: o.required_string("node")?,
        action: o.string("action")?,
        sessionid: o.string("sessionid")?,
        status: o.string("status")?,
        ..Command::default()
    };
    if let Some(mut a) = o.object("actions")? {
        cmd.actions = Some(CommandActions {
            execute: a.string("execute")?,
            prev: a.boolean("prev")?.unwrap_or(false),
            next: a.boolean("next")?.unwrap_or(false),
            complete: a.boolean("complete")?.unwrap_or(false),
        });
    }
    if let Some(mut n) = o.object("note")? {
        cmd.notes.push(CommandNote {
            type_: n.string("type")?,
            text: n.string("text")?.unwrap_or_default(),
        });
    }
    if let Some(form) = o.object("form")? {
        cmd.form = Some(dataform_from_json(form)?.0);
    } else if let Some(data) = o.object("data")? {
        // mod_rest writes `data` as a form without a type; XEP-0050 submissions
        // are of type `submit`.
        cmd.form = Some(formdata_from_json(data, "submit", false)?);
    }
    Ok((cmd, o.into_rest()))
}

pub(super) fn command_to_json(cmd: &Command) -> Value {
    let mut out = Map::new();
    out.insert("node".into(), string(&cmd.node));
    insert_opt(&mut out, "action", cmd.action.as_deref());
    insert_opt(&mut out, "sessionid", cmd.sessionid.as_deref());
    insert_opt(&mut out, "status", cmd.status.as_deref());
    if let Some(actions) = &cmd.actions {
        let mut a = Map::new();
        insert_opt(&mut a, "execute", actions.execute.as_deref());
        for (on, name) in [
            (actions.prev, "prev"),
            (actions.next, "next"),
            (actions.complete, "complete"),
        ] {
            if on {
                a.insert(name.into(), Value::Bool(true));
            }
        }
        out.insert("actions".into(), Value::Object(a));
    }
    if let Some(note) = cmd.notes.first() {
        let mut n = Map::new();
        insert_opt(&mut n, "type", note.type_.as_deref());
        n.insert("text".into(), string(&note.text));
        out.insert("note".into(), Value::Object(n));
    }
    if let Some(form) = &cmd.form {
        out.insert("form".into(), dataform_to_json(form));
    }
    Value::Object(out)
}

// ---------------------------------------------------------------- data forms

const MULTI: [&str; 3] = ["jid-multi", "list-multi", "text-multi"];

/// `"dataform"` (and a command's `"form"`): `{type, title, instructions,
/// fields: [{var, type, label, desc, required, value, options}]}`, where
/// `value` is a string, or an array for the `*-multi` types (`text-multi`
/// joined with newlines).
pub(super) fn dataform_from_json(mut o: Obj) -> crate::Result<(DataForm, Rest)> {
    let type_ = o.required_string("type")?;
    if !matches!(type_.as_str(), "form" | "submit" | "cancel" | "result") {
        return Err(o.unknown_value("type", "data form type", &type_));
    }
    let mut form = DataForm {
        type_,
        title: o.string("title")?,
        instructions: o.string("instructions")?.into_iter().collect(),
        ..DataForm::default()
    };
    let fpath = o.key_path("fields");
    for (i, f) in o
        .array("fields")?
        .unwrap_or_default()
        .into_iter()
        .enumerate()
    {
        let mut f = Obj::new(f, index_path(&fpath, i))?;
        let mut field = FormField {
            var: f.string("var")?,
            type_: f.string("type")?,
            label: f.string("label")?,
            desc: f.string("desc")?,
            required: f.boolean("required")?.unwrap_or(false),
            ..FormField::default()
        };
        if field.var.is_none() && field.type_.as_deref() != Some("fixed") {
            return Err(f.missing("var"));
        }
        let vpath = f.key_path("value");
        match f.take("value") {
            None => {}
            Some(Value::String(s)) if field.type_.as_deref() == Some("text-multi") => {
                field.values = s.lines().map(str::to_owned).collect();
            }
            Some(Value::String(s)) => field.values.push(s),
            Some(v @ Value::Array(_)) => field.values = strings(v, &vpath)?,
            Some(other) => return Err(type_error("a string or an array", &other, &vpath)),
        }
        let opath = f.key_path("options");
        for (j, opt) in f
            .array("options")?
            .unwrap_or_default()
            .into_iter()
            .enumerate()
        {
            let mut opt = Obj::new(opt, index_path(&opath, j))?;
            field.options.push(FormOption {
                label: opt.string("label")?,
                value: opt.required_string("value")?,
            });
        }
        form.fields.push(field);
    }
    Ok((form, o.into_rest()))
}

pub(super) fn dataform_to_json(form: &DataForm) -> Value {
    let mut out = Map::new();
    out.insert("type".into(), string(&form.type_));
    insert_opt(&mut out, "title", form.title.as_deref());
    if !form.instructions.is_empty() {
        out.insert("instructions".into(), string(&form.instructions.join("\n")));
    }
    let fields = form
        .fields
        .iter()
        .map(|field| {
            let mut f = Map::new();
            insert_opt(&mut f, "var", field.var.as_deref());
            insert_opt(&mut f, "type", field.type_.as_deref());
            insert_opt(&mut f, "label", field.label.as_deref());
            insert_opt(&mut f, "desc", field.desc.as_deref());
            if field.required {
                f.insert("required".into(), Value::Bool(true));
            }
            let type_ = field.type_.as_deref().unwrap_or_default();
            if type_ == "text-multi" {
                f.insert("value".into(), string(&field.values.join("\n")));
            } else if MULTI.contains(&type_) || field.values.len() > 1 {
                // An untyped field of a submission may carry several values.
                let values = field.values.iter().map(|v| string(v)).collect();
                f.insert("value".into(), Value::Array(values));
            } else {
                insert_opt(&mut f, "value", field.value());
            }
            if matches!(type_, "list-single" | "list-multi") {
                let options = field
                    .options
                    .iter()
                    .map(|o| {
                        let mut m = Map::new();
                        insert_opt(&mut m, "label", o.label.as_deref());
                        m.insert("value".into(), string(&o.value));
                        Value::Object(m)
                    })
                    .collect();
                f.insert("options".into(), Value::Array(options));
            }
            Value::Object(f)
        })
        .collect();
    out.insert("fields".into(), Value::Array(fields));
    Value::Object(out)
}

/// The simple `{var: value}` form of mod_rest's `formdata` (disco extensions,
/// a command's `data`, the `formdata` key). With `typed`, field types are
/// chosen so that [`formdata_to_json`] gives the same object back: a string
/// is `text-single`, a boolean `boolean`, `null` an empty `text-single`, an
/// array an untyped field.
pub(super) fn formdata_from_json(
    mut o: Obj,
    form_type: &str,
    typed: bool,
) -> crate::Result<DataForm> {
    let mut form = DataForm::new(form_type);
    let keys: Vec<String> = o.keys().cloned().collect();
    for var in keys {
        let path = o.key_path(&var);
        let value = o.take_raw(&var).unwrap_or(Value::Null);
        let mut field = FormField::new(var);
        let type_ = match value {
            Value::String(s) => {
                field.values.push(s);
                "text-single"
            }
            Value::Bool(b) => {
                field.values.push(if b { "1" } else { "0" }.to_owned());
                "boolean"
            }
            Value::Null => "text-single",
            v @ Value::Array(_) => {
                field.values = strings(v, &path)?;
                ""
            }
            other => {
                return Err(type_error(
                    "a string, an array of strings, a boolean or null",
                    &other,
                    &path,
                ));
            }
        };
        if typed && !type_.is_empty() {
            field.type_ = Some(type_.to_owned());
        }
        form.fields.push(field);
    }
    Ok(form)
}

/// A form as mod_rest's `formdata.st2json` writes it, without `FORM_TYPE`.
pub(super) fn formdata_to_json(form: &DataForm) -> Map<String, Value> {
    let mut out = Map::new();
    for field in &form.fields {
        let Some(var) = field.var.as_deref() else {
            continue;
        };
        if var == "FORM_TYPE" {
            continue;
        }
        let value = match field.type_.as_deref() {
            Some("list-single" | "list-multi") | None => {
                Value::Array(field.values.iter().map(|v| string(v)).collect())
            }
            Some("text-multi") => string(&field.values.join("\n")),
            Some("boolean") => Value::Bool(matches!(field.value(), Some("1" | "true"))),
            Some(_) => field.value().map_or(Value::Null, string),
        };
        out.insert(var.to_owned(), value);
    }
    out
}
