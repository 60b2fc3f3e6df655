//! A cheap pass over the raw bytes that enforces the nesting and entry limits
//! before serde_json builds anything, so hostile input costs one linear scan;
//! the same pass refuses the characters XML cannot carry.

use crate::Error;
use crate::wire::Limits;

/// serde_json refuses to nest deeper than this on its own (its recursion limit
/// of 128 fails at the 128th level); the configured depth is capped to it so
/// that every input over the cap is reported as a limit, not a syntax error.
pub(super) const SERDE_MAX_DEPTH: usize = 127;

/// The depth limit actually enforced for `limits`.
pub(super) fn max_depth(limits: &Limits) -> usize {
    limits.depth().min(SERDE_MAX_DEPTH)
}

/// Checks nesting depth and entries per array/object, and refuses the
/// characters XML 1.0 cannot carry (control characters other than tab,
/// newline and carriage return; U+FFFE, U+FFFF), as the XML decoder does: a
/// stanza is XML to Prosody, so a JSON stanza with one of them was not
/// written by mod_rest, and a reply quoting it could not be delivered. JSON
/// carries them as escapes (`\u0000`, `\b`, `\f`), U+FFFE and U+FFFF also as
/// they are; a raw control character in a string is already a syntax error
/// for serde_json. Malformed JSON passes through untouched: serde_json
/// reports it with a position afterwards.
pub(super) fn prescan(input: &[u8], limits: &Limits) -> crate::Result<()> {
    let max_depth = max_depth(limits);
    let max_entries = limits.children();
    // Entries seen so far in each open array or object: on the stack, as
    // the depth is capped (no allocation per stanza).
    let mut open = Open {
        entries: [0; SERDE_MAX_DEPTH + 1],
        len: 0,
    };
    let mut i = 0;
    while let Some(&b) = input.get(i) {
        i += 1;
        match b {
            b' ' | b'\t' | b'\n' | b'\r' | b':' => continue,
            b']' | b'}' => {
                open.len = open.len.saturating_sub(1);
                continue;
            }
            b',' => {
                if let Some(entries) = open.last_mut() {
                    *entries += 1;
                    if *entries > max_entries {
                        return Err(entries_error(max_entries));
                    }
                }
                continue;
            }
            _ => {}
        }
        // Any other byte starts or continues a value: the first one in a
        // container counts as its first entry.
        if let Some(entries) = open.last_mut()
            && *entries == 0
        {
            *entries = 1;
            if max_entries == 0 {
                return Err(entries_error(max_entries));
            }
        }
        match b {
            b'"' => i = string_end(input, i)?,
            b'[' | b'{' => {
                if open.len >= max_depth {
                    return Err(Error::limit("json nesting depth", max_depth));
                }
                if let Some(slot) = open.entries.get_mut(open.len) {
                    *slot = 0;
                    open.len += 1;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// The index just past the closing quote of the string whose content starts
/// at `i` (the end of the input when the string is not terminated). Strings
/// are most of a stanza's bytes: this skips them without looking at each byte
/// through the state machine above, stopping only at quotes, escapes and the
/// lead byte of U+FFFE/U+FFFF.
fn string_end(input: &[u8], mut i: usize) -> crate::Result<usize> {
    while let Some(rest) = input.get(i..) {
        let plain = plain_words(rest);
        let Some(at) = rest
            .get(plain..)
            .unwrap_or_default()
            .iter()
            .position(|&c| c == b'"' || c == b'\\' || c == 0xEF)
        else {
            break;
        };
        let at = i + plain + at;
        let (code, len) = match &input[at..] {
            [b'"', ..] => return Ok(at + 1),
            [b'\\', b'b', ..] => (Some(0x08), 2),
            [b'\\', b'f', ..] => (Some(0x0C), 2),
            [b'\\', b'u', hex @ ..] if hex.len() >= 4 => {
                // A surrogate (U+D800..U+DFFF) is allowed here: serde_json
                // pairs them or refuses a lone one.
                match std::str::from_utf8(&hex[..4])
                    .ok()
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                {
                    Some(code) => (Some(code), 6),
                    None => (None, 2),
                }
            }
            // A backslash escapes the byte after it (`\"`, `\\`, ...).
            [b'\\', ..] => (None, 2),
            [0xEF, 0xBF, 0xBE, ..] => (Some(0xFFFE), 3),
            [0xEF, 0xBF, 0xBF, ..] => (Some(0xFFFF), 3),
            _ => (None, 1),
        };
        if let Some(code) = code
            && (matches!(code, 0xFFFE | 0xFFFF)
                || (code < 0x20 && !matches!(code, 0x09 | 0x0A | 0x0D)))
        {
            let (line, column) = crate::wire::xml::line_col(input, at);
            return Err(Error::json(
                format!(
                    "character U+{code:04X} at line {line} column {column} is not allowed: \
                     xml cannot carry it"
                ),
                "$",
            ));
        }
        i = at + len;
    }
    Ok(input.len())
}

/// The open arrays and objects, innermost last.
struct Open {
    entries: [usize; SERDE_MAX_DEPTH + 1],
    len: usize,
}

impl Open {
    fn last_mut(&mut self) -> Option<&mut usize> {
        match self.len {
            0 => None,
            n => self.entries.get_mut(n - 1),
        }
    }
}

/// The length of the leading 8-byte words of `bytes` with no quote,
/// backslash or 0xEF: string content skipped a word at a time (the "has a
/// zero byte" word trick, exact as a yes/no).
fn plain_words(bytes: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let has_zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS;
    let mut n = 0;
    while let Some(chunk) = bytes.get(n..n + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        if has_zero(w ^ (ONES * u64::from(b'"')))
            | has_zero(w ^ (ONES * u64::from(b'\\')))
            | has_zero(w ^ (ONES * 0xEF))
            != 0
        {
            break;
        }
        n += 8;
    }
    n
}

fn entries_error(max: usize) -> Error {
    Error::limit("number of entries in a json array or object", max)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(input: &str, depth: usize, children: usize) -> crate::Result<()> {
        prescan(
            input.as_bytes(),
            &Limits::default().max_depth(depth).max_children(children),
        )
    }

    #[test]
    fn depth_counts_arrays_and_objects() {
        assert!(scan(r#"{"a":[{"b":1}]}"#, 3, 10).is_ok());
        let err = scan(r#"{"a":[{"b":1}]}"#, 2, 10).unwrap_err();
        assert!(err.is_limit());
        assert_eq!(err.to_string(), "json nesting depth is over the limit of 2");
    }

    #[test]
    fn brackets_inside_strings_do_not_count() {
        assert!(scan(r#"{"a":"[[[[{{{{\"]]]"}"#, 1, 10).is_ok());
        assert!(scan(r#"{"a":"\\","b":"[["}"#, 1, 10).is_ok());
        // an escaped backslash right before the closing quote ends the string
        assert!(
            scan(r#"{"a":"x\\\\","b":[[1]]}"#, 2, 10)
                .unwrap_err()
                .is_limit()
        );
        // escaped quotes, then brackets after the string count again
        assert!(scan(r#"["\"[\"",[[]]]"#, 2, 10).unwrap_err().is_limit());
        // an unterminated string (serde_json reports it later) hides nothing
        assert!(scan(r#"{"a":"[[[["#, 1, 10).is_ok());
        assert!(scan(r#"{"a":"\"#, 1, 10).is_ok());
    }

    #[test]
    fn entries_are_counted_per_container() {
        assert!(scan("[1,2,3]", 5, 3).is_ok());
        assert!(scan(r#"{"a":[1,2],"b":[3,4]}"#, 5, 2).is_ok());
        let err = scan("[1,2,3,4]", 5, 3).unwrap_err();
        assert!(err.is_limit());
        assert_eq!(
            err.to_string(),
            "number of entries in a json array or object is over the limit of 3"
        );
        assert!(scan(r#"{"a":1,"b":2}"#, 5, 1).is_err());
    }

    #[test]
    fn zero_entries_allows_only_empty_containers() {
        assert!(scan("[]", 5, 0).is_ok());
        assert!(scan("{ }", 5, 0).is_ok());
        assert!(scan("[1]", 5, 0).is_err());
    }

    #[test]
    fn depth_is_capped_to_serde_json() {
        let deep = format!("{}{}", "[".repeat(127), "]".repeat(127));
        assert!(scan(&deep, 1000, 10).is_ok());
        assert!(serde_json::from_str::<serde_json::Value>(&deep).is_ok());
        let deeper = format!("[{deep}]");
        assert!(serde_json::from_str::<serde_json::Value>(&deeper).is_err());
        let err = scan(&deeper, 1000, 10).unwrap_err();
        assert_eq!(
            err.to_string(),
            "json nesting depth is over the limit of 127"
        );
    }
}
