//! mod_rest's JSON for data forms: `dataform` (and a command's `form`):
//! `{type, title, instructions, fields: [{var, type, label, desc, required,
//! value, options}]}`, and the simple `formdata` object (`{var: value}`).

use serde_json::{Map, Value};

use super::{DataForm, FormField, FormOption};
use crate::stanza::mapping::json::{Obj, index_path, strings, type_error};
use crate::stanza::mapping::{insert_opt, string};

const MULTI: [&str; 3] = ["jid-multi", "list-multi", "text-multi"];

/// `"dataform"` (and a command's `"form"`): `{type, title, instructions,
/// fields: [{var, type, label, desc, required, value, options}]}`, where
/// `value` is a string, or an array for the `*-multi` types (`text-multi`
/// joined with newlines).
pub(crate) fn dataform_from_json(mut o: Obj<'_>) -> crate::Result<(DataForm, Map<String, Value>)> {
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

pub(crate) fn dataform_to_json(form: &DataForm) -> Value {
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
pub(crate) fn formdata_from_json(
    mut o: Obj<'_>,
    form_type: &str,
    typed: bool,
) -> crate::Result<DataForm> {
    let mut form = DataForm::new(form_type);
    let keys: Vec<String> = o.keys().map(str::to_owned).collect();
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
pub(crate) fn formdata_to_json(form: &DataForm) -> Map<String, Value> {
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
