//! Characters, references and line ends: the checks and conversions the
//! strict reader applies to the raw text, and line:column positions.

use std::borrow::Cow;

use crate::stanza::xml_text::is_xml_char;
use crate::{Error, Result};

/// `input` as text, when it is UTF-8.
pub(super) fn utf8(input: &[u8]) -> Result<&str> {
    std::str::from_utf8(input).map_err(|e| {
        let (line, column) = line_col(input, e.valid_up_to());
        Error::xml("invalid utf-8", line, column).with_source(e)
    })
}

/// Whether the byte at `i` starts a character XML 1.0 does not allow
/// anywhere in a document: a C0 control other than tab, newline and
/// carriage return, or U+FFFE or U+FFFF.
#[inline]
pub(super) fn forbidden_at(bytes: &[u8], i: usize) -> bool {
    match bytes.get(i) {
        Some(&0xEF) => {
            bytes.get(i + 1) == Some(&0xBF) && matches!(bytes.get(i + 2), Some(0xBE | 0xBF))
        }
        Some(&b) => (b < 0x20) & (b != b'\t') & (b != b'\n') & (b != b'\r'),
        None => false,
    }
}

/// The offset of the first character of `bytes[start..end]` that XML does
/// not allow.
pub(super) fn first_forbidden(bytes: &[u8], start: usize, end: usize) -> Option<usize> {
    let region = bytes.get(start..end)?;
    // Scan fixed-size chunks branch-free (the compiler vectorises this) for a
    // byte that could start a forbidden character; only such chunks are
    // looked at byte by byte.
    const CHUNK: usize = 32;
    let suspicious =
        |b: u8| ((b < 0x20) & (b != b'\t') & (b != b'\n') & (b != b'\r')) | (b == 0xEF);
    for (c, chunk) in region.chunks(CHUNK).enumerate() {
        if !chunk.iter().fold(false, |acc, &b| acc | suspicious(b)) {
            continue;
        }
        let from = start + c * CHUNK;
        if let Some(at) = (from..from + chunk.len()).find(|&at| forbidden_at(bytes, at)) {
            return Some(at);
        }
    }
    None
}

/// The error for the forbidden character at `at` of `src`.
pub(super) fn forbidden_char(src: &str, at: usize) -> Error {
    let (line, column) = line_col(src.as_bytes(), at);
    let c = src
        .get(at..)
        .and_then(|s| s.chars().next())
        .unwrap_or_default();
    Error::xml(
        format!("character U+{:04X} is not allowed in xml", c as u32),
        line,
        column,
    )
}

/// Checks that `src` holds only characters XML 1.0 allows anywhere in a
/// document (see [`forbidden_at`]).
pub(super) fn check_chars(src: &str) -> Result<()> {
    match first_forbidden(src.as_bytes(), 0, src.len()) {
        Some(at) => Err(forbidden_char(src, at)),
        None => Ok(()),
    }
}

/// The 1-based line and column (in characters) of byte `offset` of `input`.
pub(crate) fn line_col(input: &[u8], offset: usize) -> (u64, u64) {
    let before = input.get(..offset).unwrap_or(input);
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let column = before[line_start..]
        .iter()
        .filter(|&&b| (b & 0xC0) != 0x80)
        .count()
        + 1;
    (line as u64, column as u64)
}

/// Resolves the name of a reference (between `&` and `;`): one of the five
/// predefined entities or a character reference to a legal character.
pub(super) fn resolve_reference(name: &str) -> std::result::Result<char, String> {
    Ok(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "apos" => '\'',
        "quot" => '"',
        _ => {
            let Some(number) = name.strip_prefix('#') else {
                return Err(format!(
                    "undefined entity &{name};: only &amp; &lt; &gt; &apos; &quot; and character references are allowed"
                ));
            };
            let code = match number.strip_prefix('x') {
                Some(hex) if !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
                    u32::from_str_radix(hex, 16).ok()
                }
                None if !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()) => {
                    number.parse::<u32>().ok()
                }
                _ => return Err(format!("invalid character reference &{name};")),
            };
            match code.and_then(char::from_u32) {
                Some(c) if is_xml_char(c) => c,
                _ => {
                    return Err(format!(
                        "character reference &{name}; is not a character allowed in xml"
                    ));
                }
            }
        }
    })
}

/// The bytes that make an attribute value need unescaping or normalising.
static ATTR_SPECIAL: [bool; 256] = {
    let mut table = [false; 256];
    table[b'&' as usize] = true;
    table[b'<' as usize] = true;
    table[b'\t' as usize] = true;
    table[b'\n' as usize] = true;
    table[b'\r' as usize] = true;
    table
};

/// Unescapes an attribute value and normalises its whitespace as XML 1.0
/// requires (literal tab, newline and carriage return become spaces; character
/// references to them are kept). The error carries the offset in `raw`.
pub(super) fn unescape_attr(raw: &str) -> std::result::Result<Cow<'_, str>, (String, usize)> {
    let bytes = raw.as_bytes();
    // Values are short: a table lookup per byte beats a vectorised scan that
    // never gets past its scalar tail.
    if !bytes.iter().any(|&b| ATTR_SPECIAL[usize::from(b)]) {
        return Ok(Cow::Borrowed(raw));
    }
    let mut out = String::with_capacity(raw.len());
    let mut last = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'<' => return Err(("'<' is not allowed in an attribute value".into(), i)),
            b'\t' | b'\n' => {
                out.push_str(&raw[last..i]);
                out.push(' ');
                last = i + 1;
            }
            b'\r' => {
                out.push_str(&raw[last..i]);
                out.push(' ');
                if bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                last = i + 1;
            }
            b'&' => {
                out.push_str(&raw[last..i]);
                let Some(len) = raw[i..].find(';') else {
                    return Err((
                        "unterminated entity or character reference (no ';')".into(),
                        i,
                    ));
                };
                let c = resolve_reference(&raw[i + 1..i + len]).map_err(|msg| (msg, i))?;
                out.push(c);
                i += len;
                last = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    out.push_str(&raw[last..]);
    Ok(Cow::Owned(out))
}
