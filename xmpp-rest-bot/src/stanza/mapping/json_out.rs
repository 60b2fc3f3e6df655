//! The JSON side of the payload mappings, write side: the top-level object
//! the payloads write their keys into, borrowing from the stanza; the codec
//! writes it out (`wire::json`).

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::json::key_tag;

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

/// One key of the object being written.
#[derive(Debug)]
pub(crate) struct OutEntry<'s> {
    tag: u64,
    /// Whether the key is one of the mapping's own (ASCII letters, digits
    /// and `_`: nothing to escape), rather than one kept from the input.
    pub(crate) plain_key: bool,
    pub(crate) key: Cow<'s, str>,
    pub(crate) val: OutVal<'s>,
}

/// The top-level JSON object a stanza is written into: its keys and values
/// borrowed from the stanza where they can be, written out once by the codec
/// (in the order of a `serde_json::Map`: [`into_sorted`](Self::into_sorted)).
/// A key is there once: [`insert`](Self::insert) replaces, [`put`](Self::put)
/// keeps the first.
#[derive(Debug, Default)]
pub(crate) struct JsonOut<'s> {
    entries: Vec<OutEntry<'s>>,
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
        self.position_within(key, self.entries.len())
    }

    /// The index of `key` among the first `end` entries.
    fn position_within(&self, key: &str, end: usize) -> Option<usize> {
        let tag = key_tag(key);
        self.entries[..end].iter().position(|e| {
            e.tag == tag && e.key.len() == key.len() && (key.len() <= 8 || e.key == key)
        })
    }

    fn push(&mut self, key: Cow<'s, str>, val: OutVal<'s>) {
        self.entries.push(OutEntry {
            tag: key_tag(&key),
            plain_key: false,
            key,
            val,
        });
    }

    /// Pushes one of the mapping's own keys.
    fn push_own(&mut self, key: &'s str, val: OutVal<'s>) {
        debug_assert!(key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
        self.entries.push(OutEntry {
            tag: key_tag(key),
            plain_key: true,
            key: Cow::Borrowed(key),
            val,
        });
    }

    /// Sets one of the mapping's own keys, replacing a value already there.
    fn set_own(&mut self, key: &'s str, value: OutVal<'s>) {
        match self.position(key) {
            Some(i) => self.entries[i].val = value,
            None => self.push_own(key, value),
        }
    }

    /// Sets `key`, replacing a value already there.
    pub(crate) fn insert(&mut self, key: Cow<'s, str>, value: impl Into<OutVal<'s>>) {
        let value = value.into();
        match self.position(&key) {
            Some(i) => self.entries[i].val = value,
            None => self.push(key, value),
        }
    }

    /// Sets `key` to a string borrowed from the stanza.
    pub(crate) fn str(&mut self, key: &'s str, value: &'s str) {
        self.set_own(key, OutVal::Str(value));
    }

    /// Sets `key` to a boolean.
    pub(crate) fn bool(&mut self, key: &'s str, value: bool) {
        self.set_own(key, OutVal::Bool(value));
    }

    /// Sets `key` to an integer.
    pub(crate) fn int(&mut self, key: &'s str, value: i64) {
        self.set_own(key, OutVal::Int(value));
    }

    /// Sets `key` unless it is already there (the first element of a kind
    /// wins, as with mod_rest's `get_child`).
    pub(crate) fn put(&mut self, key: &'s str, value: impl Into<OutVal<'s>>) {
        if self.position(key).is_none() {
            self.push_own(key, value.into());
        }
    }

    /// Adds the keys the model does not know (`json_extra`). Unknown keys of
    /// a mapped object are added to the object the model produced; the
    /// model's own values win.
    pub(crate) fn merge_extra(&mut self, extra: &'s Map<String, Value>) {
        // The keys of a map are unique: each is looked up among the model's
        // keys only, so thousands of kept keys cost no quadratic scan.
        let generated = self.entries.len();
        for (key, value) in extra {
            match self.position_within(key, generated) {
                None => self.push(Cow::Borrowed(key), OutVal::Kept(value)),
                Some(i) => {
                    if let (OutVal::Value(Value::Object(generated)), Value::Object(more)) =
                        (&mut self.entries[i].val, value)
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
            .map(|e| (e.key.into_owned(), e.val.into_value()))
            .collect()
    }

    /// The entries, keys in the order of a `serde_json::Map` (sorted).
    pub(crate) fn into_sorted(mut self) -> Vec<OutEntry<'s>> {
        if self.entries.len() > 32 {
            // Many kept keys: a sort that stays n log n.
            self.entries
                .sort_unstable_by(|a, b| a.tag.cmp(&b.tag).then_with(|| a.key.cmp(&b.key)));
            return self.entries;
        }
        // An insertion sort: a handful of keys, written nearly in order, and
        // compared by their tags first. Keys are unique, so the order is total.
        for i in 1..self.entries.len() {
            let mut j = i;
            while j > 0 && {
                let (a, b) = (&self.entries[j - 1], &self.entries[j]);
                a.tag > b.tag || (a.tag == b.tag && a.key > b.key)
            } {
                self.entries.swap(j - 1, j);
                j -= 1;
            }
        }
        self.entries
    }
}
