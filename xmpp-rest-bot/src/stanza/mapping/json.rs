//! The JSON side of the payload mappings: typed reads out of a
//! `serde_json::Value`, each failure naming the JSON path, and the object the
//! payloads write their keys into.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::IntBuf;
use crate::Error;
pub(crate) use crate::error::snippet;
use crate::stanza::{Element, Jid};

/// A value of the top-level object being written: scalars borrowed from the
/// stanza, nested objects and arrays as `Value`s.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum OutVal<'s> {
    Str(&'s str),
    Bool(bool),
    Int(i64),
    Value(Value),
    /// A value kept from the input (`json_extra`), written as it is.
    Kept(&'s Value),
}

impl From<Value> for OutVal<'_> {
    fn from(v: Value) -> Self {
        OutVal::Value(v)
    }
}

impl OutVal<'_> {
    fn into_value(self) -> Value {
        match self {
            OutVal::Str(s) => Value::String(s.to_owned()),
            OutVal::Bool(b) => Value::Bool(b),
            OutVal::Int(n) => Value::from(n),
            OutVal::Value(v) => v,
            OutVal::Kept(v) => v.clone(),
        }
    }
}

/// The top-level JSON object a stanza is written into: its keys and values
/// borrowed from the stanza where they can be, and written out once, in
/// the order of a `serde_json::Map` (sorted keys), by [`write`](Self::write).
/// A key is there once: [`insert`](Self::insert) replaces, [`put`](Self::put)
/// keeps the first.
#[derive(Debug, Default)]
pub(crate) struct JsonOut<'s> {
    entries: Vec<(Cow<'s, str>, OutVal<'s>)>,
}

/// Entries reserved up front: a reply has half a dozen keys.
const TYPICAL_OUT_KEYS: usize = 12;

impl<'s> JsonOut<'s> {
    pub(crate) fn new() -> Self {
        JsonOut {
            entries: Vec::with_capacity(TYPICAL_OUT_KEYS),
        }
    }

    fn position(&self, key: &str) -> Option<usize> {
        self.entries.iter().position(|(k, _)| k == key)
    }

    /// Sets `key`, replacing a value already there.
    pub(crate) fn insert(&mut self, key: Cow<'s, str>, value: impl Into<OutVal<'s>>) {
        let value = value.into();
        match self.position(&key) {
            Some(i) => self.entries[i].1 = value,
            None => self.entries.push((key, value)),
        }
    }

    /// Sets `key` to a string borrowed from the stanza.
    pub(crate) fn str(&mut self, key: &'s str, value: &'s str) {
        self.insert(Cow::Borrowed(key), OutVal::Str(value));
    }

    /// Sets `key` to a boolean.
    pub(crate) fn bool(&mut self, key: &'s str, value: bool) {
        self.insert(Cow::Borrowed(key), OutVal::Bool(value));
    }

    /// Sets `key` to an integer.
    pub(crate) fn int(&mut self, key: &'s str, value: i64) {
        self.insert(Cow::Borrowed(key), OutVal::Int(value));
    }

    /// Sets `key` unless it is already there (the first element of a kind
    /// wins, as with mod_rest's `get_child`).
    pub(crate) fn put(&mut self, key: &'s str, value: impl Into<OutVal<'s>>) {
        if self.position(key).is_none() {
            self.entries.push((Cow::Borrowed(key), value.into()));
        }
    }

    /// Adds the keys the model does not know (`json_extra`). Unknown keys of
    /// a mapped object are added to the object the model produced; the
    /// model's own values win.
    pub(crate) fn merge_extra(&mut self, extra: &'s Map<String, Value>) {
        for (key, value) in extra {
            match self.position(key) {
                None => self.entries.push((Cow::Borrowed(key), OutVal::Kept(value))),
                Some(i) => {
                    if let (OutVal::Value(Value::Object(generated)), Value::Object(more)) =
                        (&mut self.entries[i].1, value)
                    {
                        for (k, v) in more {
                            generated.entry(k.clone()).or_insert_with(|| v.clone());
                        }
                    }
                }
            }
        }
    }

    /// The object as a `serde_json::Map`.
    pub(crate) fn into_map(self) -> Map<String, Value> {
        self.entries
            .into_iter()
            .map(|(k, v)| (k.into_owned(), v.into_value()))
            .collect()
    }

    /// Writes the object as JSON text, exactly as serde_json writes the
    /// same `Map` (compact, keys sorted), without building one.
    pub(crate) fn write(mut self) -> Vec<u8> {
        // Keys are unique, so the order is total.
        self.entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let size: usize = self
            .entries
            .iter()
            .map(|(k, v)| {
                k.len()
                    + 6
                    + match v {
                        OutVal::Str(s) => s.len(),
                        _ => 32,
                    }
            })
            .sum();
        let mut out = Vec::with_capacity(size + 2);
        out.push(b'{');
        for (i, (key, value)) in self.entries.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            json_string(&mut out, key);
            out.push(b':');
            match value {
                OutVal::Str(s) => json_string(&mut out, s),
                OutVal::Bool(true) => out.extend_from_slice(b"true"),
                OutVal::Bool(false) => out.extend_from_slice(b"false"),
                OutVal::Int(n) => out.extend_from_slice(IntBuf::new(*n).as_str().as_bytes()),
                OutVal::Value(v) => json_value(&mut out, v),
                OutVal::Kept(v) => json_value(&mut out, v),
            }
        }
        out.push(b'}');
        out
    }
}

/// Appends `s` as a JSON string, escaped as serde_json escapes it.
fn json_string(out: &mut Vec<u8>, s: &str) {
    // Writing a string to a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

/// Appends a value as serde_json writes it.
fn json_value(out: &mut Vec<u8>, v: &Value) {
    // A `Value` has only string keys and a Vec takes every byte: this cannot fail.
    let _ = serde_json::to_writer(&mut *out, v);
}

/// Parses mod_rest's `html` string (XHTML markup) into the `<html/>`
/// element, naming the JSON path in errors: the one place a JSON key holds
/// XML, so the JSON codec lends the XML reader for it.
pub(crate) type XhtmlReader<'d> = &'d dyn Fn(&str, &str) -> crate::Result<Element>;

/// The top-level JSON object of a stanza being read, for the payload
/// mappings: each takes its keys out of [`top`](Self::top); unknown keys
/// inside a mapped object are handed back with [`keep`](Self::keep), and the
/// codec keeps them in `json_extra` under that key.
pub(crate) struct JsonIn<'d, 'a> {
    /// The keys not read yet.
    pub(crate) top: &'d mut Obj<'a>,
    nested: &'d mut Map<String, Value>,
    xhtml: XhtmlReader<'d>,
}

impl<'d, 'a> JsonIn<'d, 'a> {
    pub(crate) fn new(
        top: &'d mut Obj<'a>,
        nested: &'d mut Map<String, Value>,
        xhtml: XhtmlReader<'d>,
    ) -> Self {
        JsonIn { top, nested, xhtml }
    }

    /// Keeps the unknown keys `rest` of the object under `key`.
    pub(crate) fn keep(&mut self, key: &str, rest: Map<String, Value>) {
        if !rest.is_empty() {
            self.nested.insert(key.to_owned(), Value::Object(rest));
        }
    }

    /// Keeps the whole value of `key` as JSON (a value the model cannot hold).
    pub(crate) fn keep_value(&mut self, key: &str, value: Value) {
        self.nested.insert(key.to_owned(), value);
    }

    /// Parses the XHTML markup of the `html` key at `path`.
    pub(crate) fn xhtml(&self, html: &str, path: &str) -> crate::Result<Element> {
        (self.xhtml)(html, path)
    }
}

/// What a value is, for error messages.
pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The error for a value of the wrong JSON type.
pub(crate) fn type_error(expected: &str, found: &Value, path: &str) -> Error {
    Error::json(
        format!("expected {expected}, found {}", type_name(found)),
        path,
    )
}

/// `path.key`, or `path["key"]` when the key is not a plain identifier.
pub(crate) fn key_path(path: &str, key: &str) -> String {
    let plain = !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if plain {
        format!("{path}.{key}")
    } else {
        format!("{path}[{}]", Value::String(key.to_owned()))
    }
}

/// `path[index]`.
pub(crate) fn index_path(path: &str, index: usize) -> String {
    format!("{path}[{index}]")
}

pub(crate) fn into_string(v: Value, path: &str) -> crate::Result<String> {
    match v {
        Value::String(s) => Ok(s),
        other => Err(type_error("a string", &other, path)),
    }
}

pub(crate) fn into_array(v: Value, path: &str) -> crate::Result<Vec<Value>> {
    match v {
        Value::Array(a) => Ok(a),
        other => Err(type_error("an array", &other, path)),
    }
}

/// An array of strings.
pub(crate) fn strings(v: Value, path: &str) -> crate::Result<Vec<String>> {
    into_array(v, path)?
        .into_iter()
        .enumerate()
        .map(|(i, s)| into_string(s, &index_path(path, i)))
        .collect()
}

pub(crate) fn into_jid(v: Value, path: &str) -> crate::Result<Jid> {
    let s = into_string(v, path)?;
    crate::stanza::jid_cache::parse(&s).map_err(|e| jid_error(&s, path, e))
}

fn jid_error(value: &str, path: &str, e: jid::Error) -> Error {
    Error::invalid(format!("invalid jid {} at {path}: {e}", snippet(value))).with_source(e)
}

/// An integer in `T`'s range.
pub(crate) fn into_integer<T: TryFrom<i64>>(v: Value, path: &str) -> crate::Result<T> {
    let n = match &v {
        Value::Number(n) => n.as_i64(),
        _ => return Err(type_error("an integer", &v, path)),
    };
    let n = n.ok_or_else(|| type_error("an integer", &v, path))?;
    T::try_from(n).map_err(|_| Error::invalid(format!("{n} at {path} is out of range")))
}

/// A JSON value as the decoder hands it to the mappings: the scalars mod_rest
/// puts at the top level of every stanza (strings, booleans) without a
/// `serde_json::Value`, strings borrowed from the input where they had no
/// escapes; numbers, arrays and objects as a `Value`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val<'a> {
    Null,
    Bool(bool),
    Str(Cow<'a, str>),
    /// A number, an array or an object.
    Other(Value),
}

impl Val<'_> {
    /// The value as a `serde_json::Value` (a copy of a borrowed string).
    pub(crate) fn into_value(self) -> Value {
        match self {
            Val::Null => Value::Null,
            Val::Bool(b) => Value::Bool(b),
            Val::Str(s) => Value::String(s.into_owned()),
            Val::Other(v) => v,
        }
    }
}

impl From<Value> for Val<'static> {
    fn from(v: Value) -> Self {
        match v {
            Value::Null => Val::Null,
            Value::Bool(b) => Val::Bool(b),
            Value::String(s) => Val::Str(Cow::Owned(s)),
            other => Val::Other(other),
        }
    }
}

/// One key of an object and its value, in the order read.
pub(crate) type Entry<'a> = (Cow<'a, str>, Val<'a>);

/// A JSON object being read key by key; what is left unread are the keys the
/// mapping does not know.
///
/// The keys sit in a vector, in input order, a repeated key included: a
/// lookup takes the last occurrence (the one a `serde_json::Map` keeps) and
/// drops the others, so a hostile object with thousands of keys costs one
/// scan per key the mapping asks for, never a scan per key read.
pub(crate) struct Obj<'a> {
    entries: Vec<Entry<'a>>,
    path: Cow<'static, str>,
}

impl<'a> Obj<'a> {
    pub(crate) fn new(v: Value, path: impl Into<String>) -> crate::Result<Obj<'static>> {
        match v {
            Value::Object(map) => Ok(Obj {
                entries: map
                    .into_iter()
                    .map(|(k, v)| (Cow::Owned(k), Val::from(v)))
                    .collect(),
                path: Cow::Owned(path.into()),
            }),
            other => Err(type_error("an object", &other, &path.into())),
        }
    }

    /// The top-level object (path `$`), its entries as read.
    pub(crate) fn top(entries: Vec<Entry<'a>>) -> Obj<'a> {
        Obj {
            entries,
            path: Cow::Borrowed("$"),
        }
    }

    pub(crate) fn key_path(&self, key: &str) -> String {
        key_path(&self.path, key)
    }

    /// The index of the last occurrence of `key`.
    fn find(&self, key: &str) -> Option<usize> {
        self.entries.iter().rposition(|(k, _)| k == key)
    }

    /// Whether `key` is present with a value other than `null` or `false`
    /// (what mod_rest's Lua tests as true).
    pub(crate) fn is_truthy(&self, key: &str) -> bool {
        self.find(key)
            .is_some_and(|i| !matches!(self.entries[i].1, Val::Null | Val::Bool(false)))
    }

    /// Whether every key has been read.
    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The keys not read yet, in order (a nested object's are sorted).
    pub(crate) fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(k, _)| &**k)
    }

    /// Takes `key` out (its last occurrence, dropping the earlier ones), `null` included.
    pub(crate) fn take_val_raw(&mut self, key: &str) -> Option<Val<'a>> {
        let i = self.find(key)?;
        // In order: the relative order of another repeated key must stay.
        let (_, v) = self.entries.remove(i);
        if self.entries[..i].iter().any(|(k, _)| k == key) {
            self.entries.retain(|(k, _)| k != key);
        }
        Some(v)
    }

    /// Takes `key` out; `null` counts as absent.
    pub(crate) fn take_val(&mut self, key: &str) -> Option<Val<'a>> {
        match self.take_val_raw(key) {
            Some(Val::Null) | None => None,
            v => v,
        }
    }

    /// Takes `key` out, `null` included.
    pub(crate) fn take_raw(&mut self, key: &str) -> Option<Value> {
        self.take_val_raw(key).map(Val::into_value)
    }

    /// Takes `key` out; `null` counts as absent.
    pub(crate) fn take(&mut self, key: &str) -> Option<Value> {
        self.take_val(key).map(Val::into_value)
    }

    // The readers below build the key's path (an allocation and a format) only
    // for an error or a nested object: decoding tries dozens of absent keys.

    /// The string at `key`, borrowed from the input where it can be.
    pub(crate) fn str(&mut self, key: &str) -> crate::Result<Option<Cow<'a, str>>> {
        match self.take_val(key) {
            None => Ok(None),
            Some(Val::Str(s)) => Ok(Some(s)),
            Some(other) => Err(type_error(
                "a string",
                &other.into_value(),
                &self.key_path(key),
            )),
        }
    }

    pub(crate) fn string(&mut self, key: &str) -> crate::Result<Option<String>> {
        Ok(self.str(key)?.map(Cow::into_owned))
    }

    pub(crate) fn required_string(&mut self, key: &str) -> crate::Result<String> {
        self.string(key)?.ok_or_else(|| self.missing(key))
    }

    pub(crate) fn boolean(&mut self, key: &str) -> crate::Result<Option<bool>> {
        match self.take_val(key) {
            None => Ok(None),
            Some(Val::Bool(b)) => Ok(Some(b)),
            Some(other) => Err(type_error(
                "a boolean",
                &other.into_value(),
                &self.key_path(key),
            )),
        }
    }

    pub(crate) fn object(&mut self, key: &str) -> crate::Result<Option<Obj<'static>>> {
        match self.take(key) {
            None => Ok(None),
            Some(v) => Obj::new(v, self.key_path(key)).map(Some),
        }
    }

    pub(crate) fn array(&mut self, key: &str) -> crate::Result<Option<Vec<Value>>> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::Array(a)) => Ok(Some(a)),
            Some(other) => Err(type_error("an array", &other, &self.key_path(key))),
        }
    }

    pub(crate) fn jid(&mut self, key: &str) -> crate::Result<Option<Jid>> {
        match self.str(key)? {
            None => Ok(None),
            Some(s) => match crate::stanza::jid_cache::parse(&s) {
                Ok(jid) => Ok(Some(jid)),
                Err(e) => Err(jid_error(&s, &self.key_path(key), e)),
            },
        }
    }

    pub(crate) fn integer<T: TryFrom<i64>>(&mut self, key: &str) -> crate::Result<Option<T>> {
        match self.take(key) {
            None => Ok(None),
            Some(v) => into_integer(v, &self.key_path(key)).map(Some),
        }
    }

    /// The error for a required key that is absent.
    pub(crate) fn missing(&self, key: &str) -> Error {
        Error::invalid(format!("{} is missing {key:?}", self.path))
    }

    /// The keys not read (of a repeated key, the last value).
    pub(crate) fn into_rest(self) -> Map<String, Value> {
        let mut rest = Map::new();
        for (k, v) in self.entries {
            rest.insert(k.into_owned(), v.into_value());
        }
        rest
    }

    /// The error for a value outside a fixed set of strings.
    pub(crate) fn unknown_value(&self, key: &str, what: &str, value: &str) -> Error {
        Error::invalid(format!(
            "unknown {what} {} at {}",
            snippet(value),
            self.key_path(key)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths() {
        assert_eq!(key_path("$", "disco"), "$.disco");
        assert_eq!(key_path("$.disco", "before-id"), "$.disco[\"before-id\"]");
        assert_eq!(
            key_path("$.x", "urn:xmpp:dataforms:softwareinfo"),
            "$.x[\"urn:xmpp:dataforms:softwareinfo\"]"
        );
        assert_eq!(index_path("$.features", 2), "$.features[2]");
    }

    #[test]
    fn typed_reads() {
        let mut o = Obj::new(
            json!({"s": "x", "n": 5, "b": true, "z": null, "f": 1.5, "big": 300}),
            "$",
        )
        .unwrap();
        assert!(o.is_truthy("b"));
        assert!(!o.is_truthy("z"));
        assert_eq!(o.string("z").unwrap(), None);
        let err = o.string("n").unwrap_err();
        assert!(err.is_malformed());
        assert_eq!(err.json_path(), Some("$.n"));
        assert_eq!(
            err.to_string(),
            "invalid json at $.n: expected a string, found a number"
        );
        assert_eq!(
            o.integer::<i8>("f").unwrap_err().to_string(),
            "invalid json at $.f: expected an integer, found a number"
        );
        let err = o.integer::<i8>("big").unwrap_err();
        assert!(err.is_invalid());
        assert_eq!(
            err.to_string(),
            "invalid stanza: 300 at $.big is out of range"
        );
        assert_eq!(o.boolean("b").unwrap(), Some(true));
        assert_eq!(o.required_string("s").unwrap(), "x");
        assert_eq!(
            o.required_string("s").unwrap_err().to_string(),
            "invalid stanza: $ is missing \"s\""
        );
        assert!(o.into_rest().is_empty());
    }
}
