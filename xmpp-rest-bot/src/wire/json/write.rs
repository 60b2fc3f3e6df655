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
    let size: usize = object
        .entries()
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
    object.for_each_sorted(|e| {
        if out.len() > 1 {
            out.push(b',');
        }
        if e.plain_key {
            out.push(b'"');
            out.extend_from_slice(e.key.as_bytes());
            out.extend_from_slice(b"\":");
        } else {
            string(&mut out, &e.key);
            out.push(b':');
        }
        match &e.val {
            OutVal::Str(s) => string(&mut out, s),
            OutVal::Bool(true) => out.extend_from_slice(b"true"),
            OutVal::Bool(false) => out.extend_from_slice(b"false"),
            OutVal::Int(n) => out.extend_from_slice(IntBuf::new(*n).as_str().as_bytes()),
            OutVal::Value(v) => nested(&mut out, v),
            OutVal::Kept(v) => nested(&mut out, v),
        }
    });
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
    out.push(b'"');
    // `bytes[start..i]` is plain and not copied yet.
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Eight plain bytes at a time, the common case; the last few padded
        // with spaces, which need nothing.
        let chunk = &bytes[i..bytes.len().min(i + 8)];
        let mut word = [b' '; 8];
        word[..chunk.len()].copy_from_slice(chunk);
        if !needs_a_look(u64::from_le_bytes(word)) {
            i += chunk.len();
            continue;
        }
        // Byte by byte to the end of this word (an escape may end past it).
        let end = (i + 8).min(bytes.len());
        while i < end {
            let (escape, len): (&[u8], usize) = match CLASS[usize::from(bytes[i])] {
                0 => {
                    i += 1;
                    continue;
                }
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
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Whether one of the eight bytes of `word` may need more than a copy: a
/// control character, `"`, `\\` or 0xEF (the classic "has a zero byte" and
/// "has a byte less than" word tricks; a false positive only costs a look
/// byte by byte).
fn needs_a_look(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let has_zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS;
    let below_space = word.wrapping_sub(ONES * 0x20) & !word & HIGHS;
    below_space
        | has_zero(word ^ (ONES * u64::from(b'"')))
        | has_zero(word ^ (ONES * u64::from(b'\\')))
        | has_zero(word ^ (ONES * 0xEF))
        != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every character class is written as serde_json and then `xml_safe`
    /// write it, in a word of eight bytes or across two.
    #[test]
    fn strings_are_escaped_as_serde_json_then_made_xml_safe() {
        let mut all: String = (0u32..0x250).filter_map(char::from_u32).collect();
        all.push_str("\u{D7FF}\u{E000}\u{FFFD}\u{FFFE}\u{FFFF}\u{EFFF}\u{10000}\u{10FFFF}ï¿");
        let long = format!("{all}{all}0123456789abcdef\u{FFFE}x");
        let edges = [
            "",
            "plain",
            "\u{FFFF}",
            "a\"b\\c\u{0}",
            "1234567\u{FFFE}",
            "123456\u{FFFF}9",
            "12345678\n",
            "1234567\"",
            "exactly8",
            "\u{7f}\u{80}\u{9f}\u{a0}",
        ];
        for s in [all.as_str(), long.as_str()].into_iter().chain(edges) {
            let mut ours = Vec::new();
            string(&mut ours, s);
            let theirs = xml_safe(serde_json::to_vec(s).unwrap_or_default());
            assert_eq!(
                String::from_utf8_lossy(&ours),
                String::from_utf8_lossy(&theirs)
            );
        }
    }

    /// A key set twice is written once, with its last value; `put` keeps
    /// what is there; many kept keys (the sort beyond the stack) come out
    /// sorted as serde_json sorts them.
    #[test]
    fn keys_are_written_once_and_sorted() {
        let mut out = JsonOut::new();
        out.str("b", "1");
        out.str("a", "x");
        out.str("b", "2");
        out.put("b", serde_json::json!(3));
        out.bool("c", false);
        assert_eq!(write(out), br#"{"a":"x","b":"2","c":false}"#);

        let extra: serde_json::Map<String, serde_json::Value> = (0..80)
            .map(|i| (format!("k{}", 97 * i % 80), serde_json::json!(i)))
            .collect();
        let mut out = JsonOut::new();
        out.str("kind", "message");
        out.str("zz", "last");
        out.merge_extra(&extra);
        let mut expected = extra.clone();
        expected.insert("kind".into(), "message".into());
        expected.insert("zz".into(), "last".into());
        assert_eq!(
            String::from_utf8_lossy(&write(out)),
            serde_json::Value::Object(expected).to_string()
        );
    }
}
