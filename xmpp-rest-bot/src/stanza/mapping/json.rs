//! The JSON side of the payload mappings, read side: typed reads out of the
//! top-level object as the decoder read it (or a `serde_json::Value`), each
//! failure naming the JSON path. The write side is [`super::json_out`].

use std::borrow::Cow;

use serde_json::{Map, Value};

pub(crate) use super::json_entries::{Entries, Val, key_tag};
use super::json_entries::{Entry, TAKEN};
pub(crate) use super::json_out::{JsonOut, OutVal};
use crate::Error;
pub(crate) use crate::error::snippet;
use crate::stanza::{Element, Jid};

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

/// The keys mod_rest puts on every stanza (`kind`, `type`, `to`, `from`,
/// `id`, `lang`), by [`header_index`]: the top-level object keeps their
/// values apart, so reading them is no lookup.
pub(crate) type Header<'a> = [Option<Val<'a>>; 6];

/// The header keys, in the order of their slots.
pub(crate) const HEADER_KEYS: [&str; 6] = ["kind", "type", "to", "from", "id", "lang"];

/// The slot of a header key in a [`Header`]: the key's bytes compared as
/// one integer (every key of the top level goes through here).
#[inline]
pub(crate) fn header_index(key: &str) -> Option<usize> {
    const KIND: u32 = u32::from_le_bytes(*b"kind");
    const TYPE: u32 = u32::from_le_bytes(*b"type");
    const FROM: u32 = u32::from_le_bytes(*b"from");
    const LANG: u32 = u32::from_le_bytes(*b"lang");
    const TO: u16 = u16::from_le_bytes(*b"to");
    const ID: u16 = u16::from_le_bytes(*b"id");
    let b = key.as_bytes();
    if let Ok(four) = <[u8; 4]>::try_from(b) {
        match u32::from_le_bytes(four) {
            KIND => Some(0),
            TYPE => Some(1),
            FROM => Some(3),
            LANG => Some(5),
            _ => None,
        }
    } else if let Ok(two) = <[u8; 2]>::try_from(b) {
        match u16::from_le_bytes(two) {
            TO => Some(2),
            ID => Some(4),
            _ => None,
        }
    } else {
        None
    }
}

/// A JSON object being read key by key; what is left unread are the keys the
/// mapping does not know.
///
/// The keys sit in a vector, in input order, a repeated key included: a
/// lookup takes the last occurrence (the one a `serde_json::Map` keeps) and
/// drops the others, so a hostile object with thousands of keys costs one
/// scan per key the mapping asks for, never a scan per key read. An entry
/// read is marked, not removed (no moves).
pub(crate) struct Obj<'a> {
    entries: Entries<'a>,
    /// The top-level object's header keys (then never among `entries`).
    header: Option<Header<'a>>,
    /// The keys not read yet.
    live: usize,
    /// A bit per [`tag_bit`] of the keys in `entries`: most lookups are of
    /// absent keys, and most of those end here.
    present: u64,
    path: Cow<'static, str>,
}

/// The bit of a key's tag in [`Obj::present`].
#[inline(always)]
const fn tag_bit(tag: u64) -> u64 {
    1 << (tag.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58)
}

/// The [`tag_bit`]s of [`HEADER_KEYS`].
const HEADER_BITS: [u64; 6] = {
    let mut bits = [0; 6];
    let mut h = 0;
    while h < 6 {
        bits[h] = tag_bit(key_tag(HEADER_KEYS[h]));
        h += 1;
    }
    bits
};

/// The bits of the keys of `entries`.
fn present(entries: &Entries<'_>) -> u64 {
    entries.iter().fold(0, |bits, e| bits | tag_bit(e.tag))
}

impl<'a> Obj<'a> {
    pub(crate) fn new(v: Value, path: impl Into<String>) -> crate::Result<Obj<'static>> {
        match v {
            Value::Object(map) => {
                let mut entries = Entries::new();
                for (k, v) in map {
                    entries.push(Entry::new(Cow::Owned(k), Val::from(v)));
                }
                Ok(Obj {
                    live: entries.len(),
                    present: present(&entries),
                    entries,
                    header: None,
                    path: Cow::Owned(path.into()),
                })
            }
            other => Err(type_error("an object", &other, &path.into())),
        }
    }

    /// An empty top-level object (path `$`), which the decoder fills with
    /// [`push`](Self::push) as it reads the text.
    pub(crate) fn top() -> Obj<'a> {
        Obj {
            entries: Entries::new(),
            header: Some(Header::default()),
            live: 0,
            present: 0,
            path: Cow::Borrowed("$"),
        }
    }

    /// Adds a key and its value as read; of a repeated key, the lookups
    /// take the last (as a `serde_json::Map` keeps it).
    #[inline]
    pub(crate) fn push(&mut self, key: Cow<'a, str>, val: Val<'a>) {
        // A header key goes to its slot without an entry; its bit is a
        // constant.
        if let Some(header) = &mut self.header
            && let Some(h) = header_index(&key)
            && let (Some(slot), Some(&bit)) = (header.get_mut(h), HEADER_BITS.get(h))
        {
            self.present |= bit;
            self.live += usize::from(slot.is_none());
            *slot = Some(val);
            return;
        }
        let e = Entry::new(key, val);
        self.present |= tag_bit(e.tag);
        self.entries.push(e);
        self.live += 1;
    }

    /// This object as the top level: its header keys set apart.
    pub(crate) fn into_top(mut self) -> Obj<'a> {
        let mut header = Header::default();
        for e in self.entries.iter_mut() {
            if let Some(h) = header_index(&e.key) {
                // A map has no repeated key: no value is overwritten.
                header[h] = e.val.take();
                e.tag = TAKEN;
            }
        }
        self.header = Some(header);
        self
    }

    pub(crate) fn key_path(&self, key: &str) -> String {
        key_path(&self.path, key)
    }

    /// Whether `key` is surely not in the object (header keys included): a
    /// miss in [`present`](Self::present). Inlined into the readers, which
    /// are inlined into the mappings, so that for a literal key this is a
    /// test of a constant bit, and most absent keys cost no call.
    #[inline(always)]
    fn surely_absent(&self, key: &str) -> bool {
        self.present & tag_bit(key_tag(key)) == 0
    }

    /// The index of the last occurrence of `key` not read yet.
    fn find(&self, key: &str) -> Option<usize> {
        let tag = key_tag(key);
        if self.present & tag_bit(tag) == 0 {
            return None;
        }
        self.entries.rposition(|e| e.is(tag, key))
    }

    /// Whether `key` is present with a value other than `null` or `false`
    /// (what mod_rest's Lua tests as true).
    #[inline]
    pub(crate) fn is_truthy(&self, key: &str) -> bool {
        if self.surely_absent(key) {
            return false;
        }
        let val = match (&self.header, header_index(key)) {
            (Some(header), Some(h)) => header[h].as_ref(),
            _ => self
                .find(key)
                .and_then(|i| self.entries.get(i))
                .and_then(|e| e.val.as_ref()),
        };
        !matches!(val, None | Some(Val::Null | Val::Bool(false)))
    }

    /// Whether every key has been read.
    pub(crate) fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// The keys not read yet, in order (a nested object's are sorted; the
    /// top level's header keys come first).
    pub(crate) fn keys(&self) -> impl Iterator<Item = &str> {
        let header = self.header.iter().flat_map(|header| {
            HEADER_KEYS
                .into_iter()
                .zip(header)
                .filter(|(_, v)| v.is_some())
                .map(|(k, _)| k)
        });
        header.chain(
            self.entries
                .iter()
                .filter(|e| e.tag != TAKEN)
                .map(|e| &*e.key),
        )
    }

    /// Marks entry `i` read; its value.
    fn mark(&mut self, i: usize) -> Option<Val<'a>> {
        let e = self.entries.get_mut(i)?;
        e.tag = TAKEN;
        self.live -= 1;
        e.val.take()
    }

    /// Takes `key` out (its last occurrence, dropping the earlier ones), `null` included.
    #[inline(always)]
    pub(crate) fn take_val_raw(&mut self, key: &str) -> Option<Val<'a>> {
        if self.surely_absent(key) {
            return None;
        }
        self.take_present(key)
    }

    /// [`take_val_raw`](Self::take_val_raw) past the presence test.
    #[inline(never)]
    fn take_present(&mut self, key: &str) -> Option<Val<'a>> {
        if let Some(header) = &mut self.header
            && let Some(h) = header_index(key)
        {
            let v = header.get_mut(h).and_then(Option::take);
            self.live -= usize::from(v.is_some());
            return v;
        }
        let i = self.find(key)?;
        let v = self.mark(i);
        let tag = key_tag(key);
        for j in 0..i {
            if self.entries.get(j).is_some_and(|e| e.is(tag, key)) {
                self.mark(j);
            }
        }
        v
    }

    /// The string of the header key in slot `h` (see [`HEADER_KEYS`]):
    /// what [`str`](Self::str) reads, without looking the key up.
    /// Inlined (a slot is a constant where it is called), the error apart.
    #[inline]
    pub(crate) fn header_str(&mut self, h: usize) -> crate::Result<Option<Cow<'a, str>>> {
        let Some(header) = &mut self.header else {
            return self.str(HEADER_KEYS.get(h).copied().unwrap_or_default());
        };
        let v = header.get_mut(h).and_then(Option::take);
        self.live -= usize::from(v.is_some());
        match v {
            None | Some(Val::Null) => Ok(None),
            Some(Val::Str(s)) => Ok(Some(s)),
            Some(other) => Err(self.header_type_error(h, other)),
        }
    }

    #[cold]
    #[inline(never)]
    fn header_type_error(&self, h: usize, found: Val<'_>) -> Error {
        let key = HEADER_KEYS.get(h).copied().unwrap_or_default();
        type_error("a string", &found.into_value(), &self.key_path(key))
    }

    /// The JID of the header key in slot `h`.
    #[inline]
    pub(crate) fn header_jid(&mut self, h: usize) -> crate::Result<Option<Jid>> {
        match self.header_str(h)? {
            None => Ok(None),
            Some(s) => crate::stanza::jid_cache::parse(&s).map(Some).map_err(|e| {
                let key = HEADER_KEYS.get(h).copied().unwrap_or_default();
                jid_error(&s, &self.key_path(key), e)
            }),
        }
    }

    /// Takes `key` out; `null` counts as absent.
    #[inline(always)]
    pub(crate) fn take_val(&mut self, key: &str) -> Option<Val<'a>> {
        match self.take_val_raw(key) {
            Some(Val::Null) | None => None,
            v => v,
        }
    }

    /// Takes `key` out, `null` included.
    #[inline(always)]
    pub(crate) fn take_raw(&mut self, key: &str) -> Option<Value> {
        self.take_val_raw(key).map(Val::into_value)
    }

    /// Takes `key` out; `null` counts as absent.
    #[inline(always)]
    pub(crate) fn take(&mut self, key: &str) -> Option<Value> {
        self.take_val(key).map(Val::into_value)
    }

    // The readers below build the key's path (an allocation and a format) only
    // for an error or a nested object: decoding tries dozens of absent keys.
    // Each is split in two: the presence test, inlined into the mapping (a
    // constant bit for a literal key), and the read proper, out of line.

    /// The string at `key`, borrowed from the input where it can be.
    #[inline(always)]
    pub(crate) fn str(&mut self, key: &str) -> crate::Result<Option<Cow<'a, str>>> {
        if self.surely_absent(key) {
            return Ok(None);
        }
        self.str_present(key)
    }

    #[inline(never)]
    fn str_present(&mut self, key: &str) -> crate::Result<Option<Cow<'a, str>>> {
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

    #[inline(always)]
    pub(crate) fn string(&mut self, key: &str) -> crate::Result<Option<String>> {
        Ok(self.str(key)?.map(Cow::into_owned))
    }

    pub(crate) fn required_string(&mut self, key: &str) -> crate::Result<String> {
        self.string(key)?.ok_or_else(|| self.missing(key))
    }

    #[inline(always)]
    pub(crate) fn boolean(&mut self, key: &str) -> crate::Result<Option<bool>> {
        if self.surely_absent(key) {
            return Ok(None);
        }
        self.boolean_present(key)
    }

    #[inline(never)]
    fn boolean_present(&mut self, key: &str) -> crate::Result<Option<bool>> {
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

    #[inline(always)]
    pub(crate) fn object(&mut self, key: &str) -> crate::Result<Option<Obj<'static>>> {
        if self.surely_absent(key) {
            return Ok(None);
        }
        self.object_present(key)
    }

    #[inline(never)]
    fn object_present(&mut self, key: &str) -> crate::Result<Option<Obj<'static>>> {
        match self.take(key) {
            None => Ok(None),
            Some(v) => Obj::new(v, self.key_path(key)).map(Some),
        }
    }

    #[inline(always)]
    pub(crate) fn array(&mut self, key: &str) -> crate::Result<Option<Vec<Value>>> {
        if self.surely_absent(key) {
            return Ok(None);
        }
        self.array_present(key)
    }

    #[inline(never)]
    fn array_present(&mut self, key: &str) -> crate::Result<Option<Vec<Value>>> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::Array(a)) => Ok(Some(a)),
            Some(other) => Err(type_error("an array", &other, &self.key_path(key))),
        }
    }

    #[inline(always)]
    pub(crate) fn jid(&mut self, key: &str) -> crate::Result<Option<Jid>> {
        if self.surely_absent(key) {
            return Ok(None);
        }
        self.jid_present(key)
    }

    #[inline(never)]
    fn jid_present(&mut self, key: &str) -> crate::Result<Option<Jid>> {
        match self.str(key)? {
            None => Ok(None),
            Some(s) => match crate::stanza::jid_cache::parse(&s) {
                Ok(jid) => Ok(Some(jid)),
                Err(e) => Err(jid_error(&s, &self.key_path(key), e)),
            },
        }
    }

    #[inline(always)]
    pub(crate) fn integer<T: TryFrom<i64>>(&mut self, key: &str) -> crate::Result<Option<T>> {
        if self.surely_absent(key) {
            return Ok(None);
        }
        self.integer_present(key)
    }

    fn integer_present<T: TryFrom<i64>>(&mut self, key: &str) -> crate::Result<Option<T>> {
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
    pub(crate) fn into_rest(mut self) -> Map<String, Value> {
        self.take_rest()
    }

    /// Takes the keys not read out (of a repeated key, the last value).
    pub(crate) fn take_rest(&mut self) -> Map<String, Value> {
        let mut rest = Map::new();
        if self.live == 0 {
            return rest;
        }
        self.live = 0;
        if let Some(header) = &mut self.header {
            for (k, v) in HEADER_KEYS.into_iter().zip(header) {
                if let Some(v) = v.take() {
                    rest.insert(k.to_owned(), v.into_value());
                }
            }
        }
        for e in self.entries.iter_mut() {
            if let Some(v) = e.val.take() {
                e.tag = TAKEN;
                rest.insert(std::mem::take(&mut e.key).into_owned(), v.into_value());
            }
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
#[path = "json_tests.rs"]
mod tests;
