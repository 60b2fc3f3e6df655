//! The entries of a JSON object being read ([`super::json::Obj`]) and their
//! values: keys compared through an integer tag, and the first few kept
//! inline, so that a stanza as mod_rest posts it is read without allocating
//! an entry list.

use std::borrow::Cow;

use serde_json::Value;

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

/// The first eight bytes of `key`, zero-padded, as a big-endian integer: two
/// keys with different tags differ, and tags order as the keys do (ties
/// aside), so most comparisons of keys are one of integers.
///
/// Inlined, and without a `memcpy` of a variable length, so that the tag of
/// a mapping's literal key is a constant (`const` for tables of them; hence
/// the widening `as` casts).
#[inline(always)]
pub(crate) const fn key_tag(key: &str) -> u64 {
    let b = key.as_bytes();
    if let Some(first) = b.first_chunk::<8>() {
        return u64::from_be_bytes(*first);
    }
    // Shorter keys (most): two loads that may overlap rather than a loop
    // over the bytes; where they overlap, they hold the same bytes.
    let n = b.len();
    if let (Some(head), Some(tail)) = (b.first_chunk::<4>(), b.last_chunk::<4>()) {
        return (u32::from_be_bytes(*head) as u64) << 32
            | (u32::from_be_bytes(*tail) as u64) << (8 * (8 - n));
    }
    if let (Some(head), Some(tail)) = (b.first_chunk::<2>(), b.last_chunk::<2>()) {
        return (u16::from_be_bytes(*head) as u64) << 48
            | (u16::from_be_bytes(*tail) as u64) << (8 * (8 - n));
    }
    match b.first() {
        Some(&byte) => (byte as u64) << 56,
        None => 0,
    }
}

/// The tag of an entry already read: no key has it (0xFF is never in UTF-8).
pub(super) const TAKEN: u64 = u64::MAX;

/// One key of an object and its value, in the order read.
pub(crate) struct Entry<'a> {
    pub(super) tag: u64,
    pub(super) key: Cow<'a, str>,
    /// `None` once read.
    pub(super) val: Option<Val<'a>>,
}

impl<'a> Entry<'a> {
    pub(crate) fn new(key: Cow<'a, str>, val: Val<'a>) -> Self {
        Entry {
            tag: key_tag(&key),
            key,
            val: Some(val),
        }
    }

    /// A free inline slot (read already, no key).
    fn vacant() -> Self {
        Entry {
            tag: TAKEN,
            key: Cow::Borrowed(""),
            val: None,
        }
    }

    pub(super) fn is(&self, tag: u64, key: &str) -> bool {
        self.tag == tag && self.key.len() == key.len() && (key.len() <= 8 || self.key == key)
    }
}

/// Entries kept inline: a stanza's top level has two to four besides the
/// header keys, a nested object of a mapping rarely more than six; each
/// slot costs its setting up and its drop on every object.
const INLINE: usize = 6;

/// A list of entries in input order, the first [`INLINE`] without an
/// allocation, the others in a vector.
pub(crate) struct Entries<'a> {
    inline: [Entry<'a>; INLINE],
    len: usize,
    spill: Vec<Entry<'a>>,
}

impl<'a> Entries<'a> {
    pub(crate) fn new() -> Self {
        Entries {
            inline: std::array::from_fn(|_| Entry::vacant()),
            len: 0,
            spill: Vec::new(),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn push(&mut self, e: Entry<'a>) {
        match self.inline.get_mut(self.len) {
            Some(slot) => *slot = e,
            None => self.spill.push(e),
        }
        self.len += 1;
    }

    /// The inline entries in use.
    fn inline_used(&self) -> &[Entry<'a>] {
        &self.inline[..self.len.min(INLINE)]
    }

    pub(crate) fn get(&self, i: usize) -> Option<&Entry<'a>> {
        match i.checked_sub(INLINE) {
            None => self.inline_used().get(i),
            Some(j) => self.spill.get(j),
        }
    }

    pub(crate) fn get_mut(&mut self, i: usize) -> Option<&mut Entry<'a>> {
        match i.checked_sub(INLINE) {
            None => self.inline[..self.len.min(INLINE)].get_mut(i),
            Some(j) => self.spill.get_mut(j),
        }
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &Entry<'a>> {
        self.inline_used().iter().chain(&self.spill)
    }

    pub(crate) fn iter_mut(&mut self) -> impl Iterator<Item = &mut Entry<'a>> {
        let used = self.len.min(INLINE);
        self.inline[..used].iter_mut().chain(&mut self.spill)
    }

    /// The index of the last entry that satisfies `f`.
    pub(crate) fn rposition(&self, f: impl Fn(&Entry<'a>) -> bool) -> Option<usize> {
        if let Some(j) = self.spill.iter().rposition(&f) {
            return Some(INLINE + j);
        }
        self.inline_used().iter().rposition(f)
    }
}
