//! Typed reads out of a `serde_json::Value`, each failure naming the JSON path.

use serde_json::{Map, Value};

use crate::Error;
pub(super) use crate::error::snippet;
use crate::stanza::Jid;

/// What a value is, for error messages.
pub(super) fn type_name(v: &Value) -> &'static str {
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
pub(super) fn type_error(expected: &str, found: &Value, path: &str) -> Error {
    Error::json(
        format!("expected {expected}, found {}", type_name(found)),
        path,
    )
}

/// `path.key`, or `path["key"]` when the key is not a plain identifier.
pub(super) fn key_path(path: &str, key: &str) -> String {
    let plain = !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if plain {
        format!("{path}.{key}")
    } else {
        format!("{path}[{}]", Value::String(key.to_owned()))
    }
}

/// `path[index]`.
pub(super) fn index_path(path: &str, index: usize) -> String {
    format!("{path}[{index}]")
}

pub(super) fn into_string(v: Value, path: &str) -> crate::Result<String> {
    match v {
        Value::String(s) => Ok(s),
        other => Err(type_error("a string", &other, path)),
    }
}

pub(super) fn into_array(v: Value, path: &str) -> crate::Result<Vec<Value>> {
    match v {
        Value::Array(a) => Ok(a),
        other => Err(type_error("an array", &other, path)),
    }
}

/// An array of strings.
pub(super) fn strings(v: Value, path: &str) -> crate::Result<Vec<String>> {
    into_array(v, path)?
        .into_iter()
        .enumerate()
        .map(|(i, s)| into_string(s, &index_path(path, i)))
        .collect()
}

pub(super) fn into_jid(v: Value, path: &str) -> crate::Result<Jid> {
    let s = into_string(v, path)?;
    crate::wire::jid_cache::parse(&s).map_err(|e| jid_error(&s, path, e))
}

fn jid_error(value: &str, path: &str, e: jid::Error) -> Error {
    Error::invalid(format!("invalid jid {} at {path}: {e}", snippet(value))).with_source(e)
}

/// An integer in `T`'s range.
pub(super) fn into_integer<T: TryFrom<i64>>(v: Value, path: &str) -> crate::Result<T> {
    let n = match &v {
        Value::Number(n) => n.as_i64(),
        _ => return Err(type_error("an integer", &v, path)),
    };
    let n = n.ok_or_else(|| type_error("an integer", &v, path))?;
    T::try_from(n).map_err(|_| Error::invalid(format!("{n} at {path} is out of range")))
}

/// A JSON object being read key by key; what is left unread are the keys the
/// mapping does not know.
pub(super) struct Obj {
    map: Map<String, Value>,
    path: String,
}

impl Obj {
    pub(super) fn new(v: Value, path: impl Into<String>) -> crate::Result<Obj> {
        let path = path.into();
        match v {
            Value::Object(map) => Ok(Obj { map, path }),
            other => Err(type_error("an object", &other, &path)),
        }
    }

    pub(super) fn key_path(&self, key: &str) -> String {
        key_path(&self.path, key)
    }

    /// Whether `key` is present with a value other than `null` or `false`
    /// (what mod_rest's Lua tests as true).
    pub(super) fn is_truthy(&self, key: &str) -> bool {
        !matches!(
            self.map.get(key),
            None | Some(Value::Null | Value::Bool(false))
        )
    }

    /// The keys not read yet, in order.
    pub(super) fn keys(&self) -> impl Iterator<Item = &String> {
        self.map.keys()
    }

    /// Takes `key` out, `null` included.
    pub(super) fn take_raw(&mut self, key: &str) -> Option<Value> {
        self.map.remove(key)
    }

    /// Takes `key` out; `null` counts as absent.
    pub(super) fn take(&mut self, key: &str) -> Option<Value> {
        match self.map.remove(key) {
            Some(Value::Null) | None => None,
            Some(v) => Some(v),
        }
    }

    // The readers below build the key's path (an allocation and a format) only
    // for an error or a nested object: decoding tries dozens of absent keys.

    pub(super) fn string(&mut self, key: &str) -> crate::Result<Option<String>> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(type_error("a string", &other, &self.key_path(key))),
        }
    }

    pub(super) fn required_string(&mut self, key: &str) -> crate::Result<String> {
        self.string(key)?.ok_or_else(|| self.missing(key))
    }

    pub(super) fn boolean(&mut self, key: &str) -> crate::Result<Option<bool>> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(b)),
            Some(other) => Err(type_error("a boolean", &other, &self.key_path(key))),
        }
    }

    pub(super) fn object(&mut self, key: &str) -> crate::Result<Option<Obj>> {
        match self.take(key) {
            None => Ok(None),
            Some(v) => Obj::new(v, self.key_path(key)).map(Some),
        }
    }

    pub(super) fn array(&mut self, key: &str) -> crate::Result<Option<Vec<Value>>> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::Array(a)) => Ok(Some(a)),
            Some(other) => Err(type_error("an array", &other, &self.key_path(key))),
        }
    }

    pub(super) fn jid(&mut self, key: &str) -> crate::Result<Option<Jid>> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::String(s)) => match crate::wire::jid_cache::parse(&s) {
                Ok(jid) => Ok(Some(jid)),
                Err(e) => Err(jid_error(&s, &self.key_path(key), e)),
            },
            Some(other) => Err(type_error("a string", &other, &self.key_path(key))),
        }
    }

    pub(super) fn integer<T: TryFrom<i64>>(&mut self, key: &str) -> crate::Result<Option<T>> {
        match self.take(key) {
            None => Ok(None),
            Some(v) => into_integer(v, &self.key_path(key)).map(Some),
        }
    }

    /// The error for a required key that is absent.
    pub(super) fn missing(&self, key: &str) -> Error {
        Error::invalid(format!("{} is missing {key:?}", self.path))
    }

    /// The keys not read.
    pub(super) fn into_rest(self) -> Map<String, Value> {
        self.map
    }

    /// The error for a value outside a fixed set of strings.
    pub(super) fn unknown_value(&self, key: &str, what: &str, value: &str) -> Error {
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
