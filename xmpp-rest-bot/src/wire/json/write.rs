//! The JSON text of a [`JsonOut`]: the one writer of every stanza.
//!
//! Byte for byte what serde_json writes of the same object as a `Map`
//! (compact, keys sorted), followed by [`xml_safe`]: the strings the mapping
//! borrowed from the stanza are escaped here, with the characters XML cannot
//! carry replaced in the same pass; only nested values go through serde_json
//! and then `xml_safe`, on their own bytes.

use super::xml_safe;
use crate::stanza::mapping::json::OutVal;
use crate::stanza::mapping::{IntBuf, JsonOut};

/// What a byte of a string needs. `0`: nothing, it is copied; `b'u'`: a
/// control character XML cannot carry, written `\ufffd` (serde_json would
/// write `\u00XX`, `\b` or `\f`, which `xml_safe` turns into that); `b'E'`:
/// the lead byte of U+FFFE or U+FFFF maybe; anything else: the letter of
/// the escape (`"`, `\`, `n`, `r`, `t`).
static CLASS: [u8; 256] = {
    let mut class = [0u8; 256];
    let mut b = 0;
    while b < 0x20 {
        class[b] = b'u';
        b += 1;
    }
    class[b'\n' as usize] = b'n';
    class[b'\r' as usize] = b'r';
    class[b'\t' as usize] = b't';
    class[b'"' as usize] = b'"';
    class[b'\\' as usize] = b'\\';
    class[0xEF] = b'E';
    class
};

/// The object's JSON text.
pub(super) fn write(object: JsonOut<'_>) -> Vec<u8> {
    let entries = object.into_sorted();
    let size: usize = entries
        .iter()
        .map(|e| {
            e.key.len()
                + 4
                + match &e.val {
                    OutVal::Str(s) => s.len() + 2,
                    _ => 32,
                }
        })
        .sum();
    let mut out = Vec::with_capacity(size + 2);
    out.push(b'{');
    for (i, e) in entries.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        string(&mut out, &e.key);
        out.push(b':');
        match &e.val {
            OutVal::Str(s) => string(&mut out, s),
            OutVal::Bool(true) => out.extend_from_slice(b"true"),
            OutVal::Bool(false) => out.extend_from_slice(b"false"),
            OutVal::Int(n) => out.extend_from_slice(IntBuf::new(*n).as_str().as_bytes()),
            OutVal::Value(v) => nested(&mut out, v),
            OutVal::Kept(v) => nested(&mut out, v),
        }
    }
    out.push(b'}');
    out
}

/// Appends a nested value as serde_json writes it, made XML-safe.
fn nested(out: &mut Vec<u8>, v: &serde_json::Value) {
    let start = out.len();
    // A `Value` has only string keys and a Vec takes every byte: this
    // cannot fail.
    let _ = serde_json::to_writer(&mut *out, v);
    if out[start..].iter().any(|&b| b == b'\\' || b == 0xEF) {
        let tail = out.split_off(start);
        out.extend_from_slice(&xml_safe(tail));
    }
}

/// Appends `s` as a JSON string: serde_json's escapes, and U+FFFD for what
/// XML cannot carry.
fn string(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let class = CLASS[usize::from(bytes[i])];
        if class == 0 {
            i += 1;
            continue;
        }
        let (escape, len): (&[u8], usize) = match class {
            b'E' => match bytes.get(i + 1..i + 3) {
                Some([0xBF, 0xBE | 0xBF]) => ("\u{FFFD}".as_bytes(), 3),
                _ => {
                    i += 1;
                    continue;
                }
            },
            b'u' => (b"\\ufffd", 1),
            b'n' => (b"\\n", 1),
            b'r' => (b"\\r", 1),
            b't' => (b"\\t", 1),
            b'"' => (b"\\\"", 1),
            _ => (b"\\\\", 1),
        };
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(escape);
        i += len;
        start = i;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every character class is written as serde_json and then `xml_safe` write it.
    #[test]
    fn strings_are_escaped_as_serde_json_then_made_xml_safe() {
        let mut all: String = (0u32..0x250).filter_map(char::from_u32).collect();
        all.push_str("\u{D7FF}\u{E000}\u{FFFD}\u{FFFE}\u{FFFF}\u{EFFF}\u{10000}\u{10FFFF}ï¿");
        for s in [
            all.as_str(),
            "",
            "plain",
            "\u{FFFF}",
            "a\"b\\c\u{0}",
            "\u{EF}\u{BF}",
        ] {
            let mut ours = Vec::new();
            string(&mut ours, s);
            let theirs = xml_safe(serde_json::to_vec(s).unwrap_or_default());
            assert_eq!(
                String::from_utf8_lossy(&ours),
                String::from_utf8_lossy(&theirs)
            );
        }
    }
}
