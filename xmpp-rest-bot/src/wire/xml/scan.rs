//! The byte-level half of the strict reader: where markup ends, the
//! attributes of a start tag, and character data with its references
//! resolved. Positions are byte offsets into the whole input, so that the
//! reader can turn any of them into a line and column.
//!
//! Every split point is an ASCII byte (`<`, `>`, `=`, quotes, whitespace,
//! `&`, `;`) or an end of the input, so every slice taken here is on a
//! character boundary of the (already UTF-8) input.

use std::borrow::Cow;

use super::chars::{forbidden_at, resolve_reference};
use super::words::{HIGHS, bytes_below, bytes_equal, word_at};
use crate::stanza::xml_text::is_ncname;

/// A name split into prefix and local part, `None` when it is not a
/// qualified name (Namespaces in XML).
pub(super) type QName<'a> = Option<(Option<&'a str>, &'a str)>;

/// XML's whitespace (the `S` production).
pub(super) const fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// A syntax error: the message and the byte offset it points at.
pub(super) type SyntaxError = (Cow<'static, str>, usize);

/// What stops a run of character data: `<` ends it, `&` and `\r` make it
/// need resolving (references, line ends), and the bytes that may start a
/// character XML does not allow are looked at (see `chars::forbidden_at`);
/// every other byte is copied as it is.
static TEXT_STOP: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = CHECK;
        b += 1;
    }
    table[b'\t' as usize] = 0;
    table[b'\n' as usize] = 0;
    table[0xEF] = CHECK;
    table[b'<' as usize] = MARKUP;
    table[b'&' as usize] = SPECIAL;
    table[b'\r' as usize] = SPECIAL;
    table
};
const MARKUP: u8 = 1;
const SPECIAL: u8 = 2;
const CHECK: u8 = 8;

/// The end of the character data starting at `from` (the next `<`, or the
/// end of the input), and whether it holds a reference or a carriage
/// return; `Err` with the offset of a character XML does not allow.
pub(super) fn text_end(bytes: &[u8], from: usize) -> Result<(usize, bool), usize> {
    let mut special = false;
    let mut i = from;
    while let Some(word) = word_at(bytes, i) {
        // One test for the common word: nothing but plain text. (Control
        // characters, tab and line ends included, and 0xEF, the first byte
        // of U+FFFE and U+FFFF, may start a character XML does not allow.)
        let ctrl = bytes_below(word, 0x20) | bytes_equal(word, 0xEF);
        let refs = bytes_equal(word, b'&');
        let lt = bytes_equal(word, b'<');
        if lt | ctrl | refs != 0 {
            // Only the bytes before the first `<` are the text's (see the
            // attribute values in `TagScanner::next`).
            let (within, len) = if lt == 0 {
                (u64::MAX, 8)
            } else {
                (
                    (lt & lt.wrapping_neg()) - 1,
                    (lt.trailing_zeros() / 8) as usize,
                )
            };
            special |= (refs | bytes_equal(word, b'\r')) & within != 0;
            if ctrl & within != 0
                && let Some(at) = (i..i + len).find(|&at| forbidden_at(bytes, at))
            {
                return Err(at);
            }
            if lt != 0 {
                return Ok((i + len, special));
            }
        }
        i += 8;
    }
    let rest = bytes.get(i..).unwrap_or_default();
    for (at, &b) in rest.iter().enumerate() {
        match TEXT_STOP[usize::from(b)] {
            0 => {}
            MARKUP => return Ok((i + at, special)),
            SPECIAL => special = true,
            _ if forbidden_at(bytes, i + at) => return Err(i + at),
            _ => {}
        }
    }
    Ok((bytes.len(), special))
}

/// The offset of the `>` that closes the tag whose `<` is at `lt`, outside
/// quoted regions, as XML defines the end of a tag; `None` when the input
/// ends first. Used to tell an unterminated tag from an error inside one.
pub(super) fn tag_end(bytes: &[u8], lt: usize) -> Option<usize> {
    let mut quote = None;
    let mut i = lt + 1;
    while let Some(&b) = bytes.get(i) {
        match (quote, b) {
            (None, b'>') => return Some(i),
            (None, b'\'' | b'"') => quote = Some(b),
            (Some(q), _) if q == b => quote = None,
            _ => {}
        }
        i += 1;
    }
    None
}

/// The offset of the first `needle` at or after `from`.
pub(super) fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|at| from + at)
}

/// The text of `src[start..end]`.
#[inline]
fn slice(src: &str, start: usize, end: usize) -> Result<&str, SyntaxError> {
    // Cannot fail (see the module docs); an error rather than a panic if it did.
    src.get(start..end).ok_or((
        "internal error: a token is not on a character boundary".into(),
        start,
    ))
}

/// One attribute as written: the qualified name and the raw value.
pub(super) struct RawAttr<'a> {
    pub(super) key: &'a str,
    /// `key` split, when it is a qualified name.
    pub(super) qname: QName<'a>,
    pub(super) value: &'a str,
    /// Offset of the first byte of the value.
    pub(super) at: usize,
    /// Whether the value holds `&`, `<`, a tab or a line end: it needs
    /// unescaping or normalising ([`unescape_attr`](super::chars::unescape_attr));
    /// otherwise it is the value as it is.
    pub(super) special: bool,
}

/// How an attribute value's bytes are read: its end (one of the quotes)
/// and the bytes that make it need unescaping or normalising.
static VALUE_BYTES: [u8; 256] = {
    let mut table = [0u8; 256];
    table[b'\'' as usize] = SINGLE_QUOTE;
    table[b'"' as usize] = DOUBLE_QUOTE;
    table[b'&' as usize] = VALUE_SPECIAL;
    table[b'<' as usize] = VALUE_SPECIAL;
    table[b'\t' as usize] = VALUE_SPECIAL;
    table[b'\n' as usize] = VALUE_SPECIAL;
    table[b'\r' as usize] = VALUE_SPECIAL;
    let mut b = 0;
    while b < 0x20 {
        if table[b] == 0 {
            table[b] = VALUE_CHECK;
        }
        b += 1;
    }
    table[0xEF] = VALUE_CHECK;
    table
};
const SINGLE_QUOTE: u8 = 1;
const DOUBLE_QUOTE: u8 = 2;
const VALUE_SPECIAL: u8 = 4;
/// May start a character XML does not allow (see `chars::forbidden_at`).
const VALUE_CHECK: u8 = 8;

/// A start tag's name and attributes, read in the same pass that finds its
/// end: `<name attr='value' ...>` or `.../>`.
pub(super) struct TagScanner<'a> {
    src: &'a str,
    pos: usize,
    /// The byte besides `=` and whitespace that ends an attribute name:
    /// `>` in a tag; in the XML declaration `>` is an ordinary byte (`=`
    /// here then repeats the other).
    key_stop: u8,
}

/// How a start tag ends.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum TagClose {
    /// `>`: content follows.
    Open,
    /// `/>`: an empty element.
    Empty,
}

impl<'a> TagScanner<'a> {
    /// A scanner of the tag whose `<` is at `lt`.
    pub(super) fn new(src: &'a str, lt: usize) -> Self {
        TagScanner {
            src,
            pos: lt + 1,
            key_stop: b'>',
        }
    }

    /// A scanner of the pseudo-attributes of the XML declaration, from `pos`
    /// of `src` (what is between `<?` and `?>`) to its end.
    pub(super) fn declaration(src: &'a str, pos: usize) -> Self {
        TagScanner {
            src,
            pos,
            key_stop: b'=',
        }
    }

    /// The offset after what has been read.
    pub(super) fn pos(&self) -> usize {
        self.pos
    }

    /// The element name: everything up to whitespace or `>` (a trailing
    /// `/` before the `>` ends an empty element and is not part of it), and
    /// whether the tag ends right after it.
    #[inline(always)]
    pub(super) fn name(&mut self) -> Result<(&'a str, QName<'a>, Option<TagClose>), SyntaxError> {
        let bytes = self.src.as_bytes();
        let start = self.pos;
        // Nearly every name is ASCII: read and checked in one pass.
        let (end, colon) = ascii_name_end(bytes, start);
        let close = match (bytes.get(end), bytes.get(end + 1)) {
            (Some(&b), _) if is_space(b) => Some(None),
            (Some(b'>'), _) => Some(Some(TagClose::Open)),
            (Some(b'/'), Some(b'>')) => Some(Some(TagClose::Empty)),
            _ => None,
        };
        if let Some(close) = close {
            let name = slice(self.src, start, end)?;
            self.pos = match close {
                None => end,
                Some(TagClose::Open) => end + 1,
                Some(TagClose::Empty) => end + 2,
            };
            return Ok((name, ascii_qname(name, colon), close));
        }
        let (name, close) = self.any_name(start)?;
        Ok((name, split_qname(name), close))
    }

    /// [`Self::name`] for any name: up to whitespace or `>`.
    fn any_name(&mut self, start: usize) -> Result<(&'a str, Option<TagClose>), SyntaxError> {
        let bytes = self.src.as_bytes();
        let mut i = start;
        loop {
            match bytes.get(i) {
                None => return Err(unterminated(start - 1)),
                Some(&b) if is_space(b) => {
                    self.pos = i;
                    return Ok((slice(self.src, start, i)?, None));
                }
                Some(b'>') => {
                    self.pos = i + 1;
                    if i > start && bytes[i - 1] == b'/' {
                        return Ok((slice(self.src, start, i - 1)?, Some(TagClose::Empty)));
                    }
                    return Ok((slice(self.src, start, i)?, Some(TagClose::Open)));
                }
                Some(_) => i += 1,
            }
        }
    }

    /// The next attribute, or how the tag ends. The errors are the attribute
    /// syntax errors; whether the tag is terminated at all is for the caller
    /// to check ([`tag_end`]) before it reports one.
    // Called once per attribute from one place: inlined, so that the
    // nested result is not built in memory (a third of its cost otherwise).
    #[inline(always)]
    pub(super) fn next(&mut self) -> Result<Result<RawAttr<'a>, TagClose>, SyntaxError> {
        let bytes = self.src.as_bytes();
        let mut i = self.pos;
        while bytes.get(i).is_some_and(|&b| is_space(b)) {
            i += 1;
        }
        match bytes.get(i) {
            Some(b'>') if self.key_stop == b'>' => {
                self.pos = i + 1;
                return Ok(Err(TagClose::Open));
            }
            Some(b'/') if self.key_stop == b'>' && bytes.get(i + 1) == Some(&b'>') => {
                self.pos = i + 2;
                return Ok(Err(TagClose::Empty));
            }
            None if self.key_stop == b'>' => return Err(unterminated(i)),
            _ => {}
        }
        // The first byte belongs to the name whatever it is (a name cannot
        // be empty): `='v'` is a name without a value, not a value without a name.
        let key_start = i;
        let (mut key_end, colon) = ascii_name_end(bytes, key_start);
        let ascii = key_end > key_start
            && bytes
                .get(key_end)
                .is_some_and(|&b| b == b'=' || is_space(b));
        if !ascii {
            key_end = key_start + 1;
            while bytes
                .get(key_end)
                .is_some_and(|&b| b != b'=' && b != self.key_stop && !is_space(b))
            {
                key_end += 1;
            }
        }
        let key = slice(self.src, key_start, key_end)?;
        let qname = if ascii {
            ascii_qname(key, colon)
        } else {
            split_qname(key)
        };
        i = key_end;
        while bytes.get(i).is_some_and(|&b| is_space(b)) {
            i += 1;
        }
        if bytes.get(i) != Some(&b'=') {
            return Err(("expected '=' after the attribute name".into(), i));
        }
        i += 1;
        while bytes.get(i).is_some_and(|&b| is_space(b)) {
            i += 1;
        }
        let quote = match bytes.get(i) {
            Some(b'\'') => SINGLE_QUOTE,
            Some(b'"') => DOUBLE_QUOTE,
            Some(b'>') | None => return Err(("expected a quoted attribute value".into(), i)),
            Some(_) => return Err(("attribute values must be quoted".into(), i)),
        };
        let open = i;
        let at = i + 1;
        let mut end = at;
        let mut special = false;
        // One pass over the value: its end, and whether it needs unescaping
        // (`&`, `<`, or any control character: tabs and line ends are
        // normalised); words up to the one with the quote, then bytes.
        let quote_byte = if quote == SINGLE_QUOTE { b'\'' } else { b'"' };
        // Whether the closing quote was found among the words.
        let mut closed = false;
        while let Some(word) = word_at(bytes, end) {
            // One test for the common word: no byte below `(` (control
            // characters, space, both quotes and `&` are), no `<`, nothing
            // past ASCII (0xEF, the first byte of U+FFFE and U+FFFF, is);
            // the others are looked at closer.
            let odd = bytes_below(word, b'(') | bytes_equal(word, b'<') | (word & HIGHS);
            if odd != 0 {
                // Only the bytes before the first quote are the value's. (The
                // lowest flag of each test is exact; a flag above it may be
                // false, but only above a true one: "any before the quote"
                // is exact.)
                let quotes = bytes_equal(word, quote_byte);
                let within = if quotes == 0 {
                    u64::MAX
                } else {
                    (quotes & quotes.wrapping_neg()) - 1
                };
                let len = if quotes == 0 {
                    8
                } else {
                    (quotes.trailing_zeros() / 8) as usize
                };
                let ctrl = bytes_below(word, 0x20);
                let refs = bytes_equal(word, b'&') | bytes_equal(word, b'<');
                special |= (ctrl | refs) & within != 0;
                if (ctrl | (word & HIGHS)) & within != 0
                    && let Some(at) = (end..end + len).find(|&i| forbidden_at(bytes, i))
                {
                    return Err(forbidden(at));
                }
                if quotes != 0 {
                    end += len;
                    closed = true;
                    break;
                }
            }
            end += 8;
        }
        if !closed {
            // The last bytes of the input, fewer than eight.
            let rest = bytes.get(end..).unwrap_or_default();
            let mut classes = 0;
            let Some(len) = rest.iter().position(|&b| {
                let class = VALUE_BYTES[usize::from(b)];
                classes |= class;
                class & quote != 0
            }) else {
                return Err(("attribute value is not terminated".into(), open));
            };
            special |= classes & VALUE_SPECIAL != 0;
            if classes & VALUE_CHECK != 0
                && let Some(at) = (end..end + len).find(|&i| forbidden_at(bytes, i))
            {
                return Err(forbidden(at));
            }
            end += len;
        }
        self.pos = end + 1;
        Ok(Ok(RawAttr {
            key,
            qname,
            value: slice(self.src, at, end)?,
            at,
            special,
        }))
    }
}

/// A character XML does not allow at `at` (the reader reports the first
/// of the input, with its code point).
#[cold]
fn forbidden(at: usize) -> SyntaxError {
    ("character not allowed in xml".into(), at)
}

fn unterminated(lt: usize) -> SyntaxError {
    ("unexpected end of input inside a tag".into(), lt)
}

/// Character data `raw` (at offset `at` of the input) with its references
/// resolved (when `refs`: not in a CDATA section) and its line ends
/// normalised (`\r\n` and a lone `\r` become `\n`).
///
/// On an error the text before it is returned too, so that the caller can
/// hand it on first, as a reader of one event per reference would have.
pub(super) fn resolve_text(
    raw: &str,
    at: usize,
    refs: bool,
) -> Result<String, (String, SyntaxError)> {
    let bytes = raw.as_bytes();
    let mut out = String::with_capacity(raw.len());
    let mut last = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\r' => {
                out.push_str(&raw[last..i]);
                out.push('\n');
                if bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                last = i + 1;
            }
            b'&' if refs => {
                out.push_str(&raw[last..i]);
                // The name ends at `;`; another `&` first means this one is
                // not terminated (the run ends before any `<`).
                let end = bytes[i + 1..]
                    .iter()
                    .position(|&b| b == b';' || b == b'&')
                    .map(|len| i + 1 + len)
                    .filter(|&end| bytes[end] == b';');
                let Some(end) = end else {
                    let msg = "unterminated entity or character reference (no ';')";
                    return Err((out, (msg.into(), at + i)));
                };
                match resolve_reference(&raw[i + 1..end]) {
                    Ok(c) => out.push(c),
                    Err(msg) => return Err((out, (msg.into(), at + i))),
                }
                i = end;
                last = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    out.push_str(&raw[last..]);
    Ok(out)
}

/// Splits a qualified name into prefix and local part, checking both are NCNames.
pub(super) fn split_qname(qname: &str) -> Option<(Option<&str>, &str)> {
    // Nearly every name is ASCII: one pass over its bytes with a table; a
    // name with other bytes (or a second colon) gets the full check.
    let bytes = qname.as_bytes();
    let mut colon = None;
    for (i, &b) in bytes.iter().enumerate() {
        match ASCII_NAME[usize::from(b)] {
            NAME_START | NAME_CHAR => {}
            COLON if colon.is_none() => colon = Some(i),
            _ => return split_any_qname(qname),
        }
    }
    let starts_name = |at: usize| {
        bytes
            .get(at)
            .is_some_and(|&b| ASCII_NAME[usize::from(b)] == NAME_START)
    };
    match colon {
        None => starts_name(0).then_some((None, qname)),
        Some(at) => (starts_name(0) && starts_name(at + 1))
            .then(|| (qname.get(..at), qname.get(at + 1..)))
            .and_then(|(prefix, local)| Some((Some(prefix?), local?))),
    }
}

/// [`split_qname`] for any name, by characters.
fn split_any_qname(qname: &str) -> Option<(Option<&str>, &str)> {
    match qname.split_once(':') {
        None => is_ncname(qname).then_some((None, qname)),
        Some((prefix, local)) => {
            (is_ncname(prefix) && is_ncname(local)).then_some((Some(prefix), local))
        }
    }
}

// Bits, so that one test tells a name byte other than the colon.
const NAME_START: u8 = 1;
const NAME_CHAR: u8 = 2;
const COLON: u8 = 4;

/// For each byte: [`NAME_START`] for the ASCII characters that may start an
/// NCName, [`NAME_CHAR`] for those that may only follow, [`COLON`], and 0
/// for every other byte (non-ASCII ones included).
static ASCII_NAME: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        table[b] = match b as u8 {
            b'A'..=b'Z' | b'a'..=b'z' | b'_' => NAME_START,
            b'0'..=b'9' | b'-' | b'.' => NAME_CHAR,
            b':' => COLON,
            _ => 0,
        };
        b += 1;
    }
    table
};

/// From `start`, the bytes that may make an ASCII qualified name: where
/// they end, and where among them the colon is (a second one ends them).
#[inline(always)]
fn ascii_name_end(bytes: &[u8], start: usize) -> (usize, Option<usize>) {
    let rest = bytes.get(start..).unwrap_or_default();
    // A tight loop over the bytes other than the colon (a load, a table
    // look-up and a test each: most of the reader's names are a few bytes,
    // too short for eight at a time); a colon, once, resumes it.
    let mut len = 0;
    let mut colon = None;
    loop {
        while rest
            .get(len)
            .is_some_and(|&b| ASCII_NAME[usize::from(b)] & (NAME_START | NAME_CHAR) != 0)
        {
            len += 1;
        }
        if colon.is_some() || rest.get(len) != Some(&b':') {
            return (start + len, colon);
        }
        colon = Some(len);
        len += 1;
    }
}

/// The parts of `name`, all of whose bytes are ASCII name bytes with at
/// most one colon (at `colon`), when it is a qualified name.
#[inline]
fn ascii_qname(name: &str, colon: Option<usize>) -> QName<'_> {
    let starts_name = |at: usize| {
        name.as_bytes()
            .get(at)
            .is_some_and(|&b| ASCII_NAME[usize::from(b)] == NAME_START)
    };
    match colon {
        None => starts_name(0).then_some((None, name)),
        Some(at) if starts_name(0) && starts_name(at + 1) => {
            Some((Some(name.get(..at)?), name.get(at + 1..)?))
        }
        Some(_) => None,
    }
}
