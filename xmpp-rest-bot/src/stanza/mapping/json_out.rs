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
        // The last: of a key set twice, the one written.
        self.entries[..end].iter().rposition(|e| {
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

    /// The entries, in the order set.
    pub(crate) fn entries(&self) -> &[OutEntry<'s>] {
        &self.entries
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

    /// Sets one of the mapping's own keys, replacing a value already there:
    /// pushed without a look (each key has one field, and the header keys
    /// are the codec's), the last of a key set twice wins when written.
    fn set_own(&mut self, key: &'s str, value: OutVal<'s>) {
        self.push_own(key, value);
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
        // Of a key set twice, the last, as `insert` does.
        self.entries
            .into_iter()
            .map(|e| (e.key.into_owned(), e.val.into_value()))
            .collect()
    }

    /// The entries in the order of a `serde_json::Map` (sorted keys); of a
    /// key set twice, the last only.
    pub(crate) fn for_each_sorted(&self, mut f: impl FnMut(&OutEntry<'s>)) {
        // The order is sorted, not the entries: (tag, index) pairs on the
        // stack for the handful of keys of a stanza.
        let n = self.entries.len();
        let mut small = [(0u64, 0usize); SORTED_ON_STACK];
        let mut large = Vec::new();
        let order: &mut [(u64, usize)] = if n <= SORTED_ON_STACK {
            &mut small[..n]
        } else {
            large.resize(n, (0, 0));
            &mut large
        };
        for (slot, (i, e)) in order.iter_mut().zip(self.entries.iter().enumerate()) {
            *slot = (e.tag, i);
        }
        let key = |i: usize| self.entries.get(i).map_or("", |e| &*e.key);
        // Equal keys stay in the order set (the index breaks the tie).
        let before = |a: &(u64, usize), b: &(u64, usize)| {
            a.0.cmp(&b.0)
                .then_with(|| key(a.1).cmp(key(b.1)))
                .then_with(|| a.1.cmp(&b.1))
        };
        if n <= SORTED_ON_STACK {
            // An insertion sort: a few keys, set nearly in order.
            for i in 1..n {
                let mut j = i;
                while j > 0 && before(&order[j - 1], &order[j]).is_gt() {
                    order.swap(j - 1, j);
                    j -= 1;
                }
            }
        } else {
            order.sort_unstable_by(before);
        }
        for (k, &(tag, i)) in order.iter().enumerate() {
            let superseded = order
                .get(k + 1)
                .is_some_and(|&(next_tag, next)| next_tag == tag && key(next) == key(i));
            if !superseded && let Some(e) = self.entries.get(i) {
                f(e);
            }
        }
    }
}

/// Keys sorted without an allocation.
const SORTED_ON_STACK: usize = 32;
