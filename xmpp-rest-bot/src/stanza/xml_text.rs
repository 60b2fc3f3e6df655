//! The XML text of an [`Element`]: how an element prints ([`Display`](std::fmt::Display))
//! and how the XML encoder writes the elements it is given, with the
//! escaping rules and the XML name rules both need.

use std::fmt::Write as _;

use super::{Element, Node, ns};

/// The namespace bound to the `xmlns` prefix: attributes in it are namespace
/// declarations, which the writer generates itself.
pub(crate) const XMLNS_NS: &str = "http://www.w3.org/2000/xmlns/";

/// Writes `el` and its subtree; `parent_ns` is the default namespace in scope.
///
/// An element built in code can have what no XML can carry: a name that is
/// not an XML name (`"a b"`, `"x:y"`, `""`), or one of the two reserved
/// namespaces, which cannot be a default namespace. Such an element is left
/// out with its subtree, and so is such an attribute, with a warning in the
/// log: written, it would make the whole stanza unreadable for Prosody, or
/// inject markup. (Decoded elements never have them.)
pub(crate) fn write_element(out: &mut String, el: &Element, parent_ns: &str) {
    if !is_ncname(el.name()) || el.ns() == ns::XML || el.ns() == XMLNS_NS {
        tracing::warn!(
            name = el.name(),
            ns = el.ns(),
            "element left out of the stanza: not an XML name, or a reserved namespace"
        );
        return;
    }
    out.push('<');
    out.push_str(el.name());
    if el.ns() != parent_ns {
        out.push_str(" xmlns='");
        escape_attr(out, el.ns());
        out.push('\'');
    }
    write_attrs(out, el);
    if el.nodes().is_empty() {
        out.push_str("/>");
        return;
    }
    out.push('>');
    for node in el.nodes() {
        match node {
            Node::Element(child) => write_element(out, child, el.ns()),
            Node::Text(text) => escape_text(out, text),
        }
    }
    out.push_str("</");
    out.push_str(el.name());
    out.push('>');
}

/// Writes the attributes of `el`. Namespaced attributes get prefixes: `xml`
/// for the XML namespace, generated `ns0`, `ns1`, ... declared on this very
/// element for the others. Attributes that would themselves be namespace
/// declarations are skipped: the writer owns those.
fn write_attrs(out: &mut String, el: &Element) {
    let needs_prefixes = el.attrs().iter().any(|a| {
        a.ns.as_deref()
            .is_some_and(|n| !n.is_empty() && n != ns::XML && n != XMLNS_NS)
    });
    // Namespaces needing a generated prefix, in order of first use; only
    // allocated when an attribute uses one.
    let mut prefixed: Vec<&str> = Vec::new();
    if needs_prefixes {
        for a in el.attrs() {
            if let Some(n) = a.ns.as_deref()
                && !n.is_empty()
                && n != ns::XML
                && n != XMLNS_NS
                && !prefixed.contains(&n)
            {
                let _ = write!(out, " xmlns:ns{}='", prefixed.len());
                escape_attr(out, n);
                out.push('\'');
                prefixed.push(n);
            }
        }
    }
    for a in el.attrs() {
        if !is_ncname(&a.name) {
            tracing::warn!(
                element = el.name(),
                name = %a.name,
                "attribute left out of the stanza: not an XML name"
            );
            continue;
        }
        match a.ns.as_deref() {
            None | Some("") => {
                if a.name == "xmlns" || a.name.starts_with("xmlns:") {
                    continue;
                }
                out.push(' ');
            }
            Some(ns::XML) => out.push_str(" xml:"),
            Some(XMLNS_NS) => continue,
            Some(n) => {
                let index = prefixed.iter().position(|p| *p == n).unwrap_or_default();
                let _ = write!(out, " ns{index}:");
            }
        }
        out.push_str(&a.name);
        out.push_str("='");
        escape_attr(out, &a.value);
        out.push('\'');
    }
}

/// Bytes escaped in character data: `&`, `<`, `>` (so `]]>` never appears) and
/// `\r` (which a parser would otherwise turn into `\n`); and the bytes of the
/// characters XML 1.0 cannot carry at all (see [`escape_with`]).
const TEXT_ESCAPES: [bool; 256] = escape_table(b"&<>\r");
/// Bytes escaped in single-quoted attribute values: `&`, `<`, `'`, and tab,
/// newline and carriage return, which attribute normalisation would otherwise
/// turn into spaces; and, as in text, the characters XML cannot carry.
const ATTR_ESCAPES: [bool; 256] = escape_table(b"&<'\t\n\r");

/// Marks `special`, the C0 control characters other than tab, newline and
/// carriage return, and 0xEF (the first byte of U+FFFE and U+FFFF).
const fn escape_table(special: &[u8]) -> [bool; 256] {
    let mut table = [false; 256];
    let mut i = 0;
    while i < 0x20 {
        table[i] = !matches!(i as u8, b'\t' | b'\n' | b'\r');
        i += 1;
    }
    table[0xEF] = true;
    let mut i = 0;
    while i < special.len() {
        table[special[i] as usize] = true;
        i += 1;
    }
    table
}

/// Appends `s` with the bytes `table` marks escaped.
///
/// Characters that XML 1.0 forbids even as character references (control
/// characters other than tab, newline and carriage return; U+FFFE, U+FFFF)
/// are written as U+FFFD, the replacement character: a handler that answers
/// with a shell command's output (colour codes start with ESC) would
/// otherwise produce a reply that Prosody cannot parse and drops.
fn escape_with(out: &mut String, s: &str, table: &[bool; 256]) {
    let bytes = s.as_bytes();
    let mut last = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if !table[usize::from(b)] {
            i += 1;
            continue;
        }
        let (replacement, len) = match b {
            b'&' => ("&amp;", 1),
            b'<' => ("&lt;", 1),
            b'>' => ("&gt;", 1),
            b'\'' => ("&apos;", 1),
            b'\t' => ("&#9;", 1),
            b'\n' => ("&#10;", 1),
            b'\r' => ("&#13;", 1),
            0xEF if matches!(bytes.get(i + 1..i + 3), Some([0xBF, 0xBE | 0xBF])) => ("\u{FFFD}", 3),
            // Another character starting with 0xEF: written as it is.
            0xEF => {
                i += 1;
                continue;
            }
            _ => ("\u{FFFD}", 1),
        };
        out.push_str(&s[last..i]);
        out.push_str(replacement);
        i += len;
        last = i;
    }
    out.push_str(&s[last..]);
}

/// `s` with the characters XML 1.0 cannot carry replaced by U+FFFD, as
/// [`escape_with`] writes them, or `None` when it has none: for text sent as
/// it is (the client's `text/plain` posts, which Prosody turns into a
/// message body).
#[cfg(feature = "client")] // its only user
pub(crate) fn xml_safe_text(s: &str) -> Option<String> {
    let forbidden = |c: char| !is_xml_char(c);
    s.chars().any(forbidden).then(|| {
        s.chars()
            .map(|c| if forbidden(c) { '\u{fffd}' } else { c })
            .collect()
    })
}

/// Appends `s` escaped as character data.
pub(crate) fn escape_text(out: &mut String, s: &str) {
    escape_with(out, s, &TEXT_ESCAPES);
}

/// Appends `s` escaped for a single-quoted attribute value.
pub(crate) fn escape_attr(out: &mut String, s: &str) {
    escape_with(out, s, &ATTR_ESCAPES);
}

/// Whether `s` is an XML name without colons (Namespaces in XML, NCName).
pub(crate) fn is_ncname(s: &str) -> bool {
    // Nearly every name is ASCII: check those bytes with a table, and only
    // decode characters for the rest.
    let bytes = s.as_bytes();
    let Some(&first) = bytes.first() else {
        return false;
    };
    if bytes.iter().all(|&b| ASCII_NAME[usize::from(b)] != 0) {
        return ASCII_NAME[usize::from(first)] == NAME_START;
    }
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if is_name_start_char(c) => chars.all(is_name_char),
        _ => false,
    }
}

const NAME_START: u8 = 2;
const NAME_ONLY: u8 = 1;

/// For each byte: [`NAME_START`] for the ASCII characters that may start an
/// NCName, [`NAME_ONLY`] for those that may only follow, 0 otherwise (every
/// non-ASCII byte, which `is_ncname` checks by character).
static ASCII_NAME: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        table[b] = if c.is_ascii_alphabetic() || c == b'_' {
            NAME_START
        } else if c.is_ascii_digit() || c == b'-' || c == b'.' {
            NAME_ONLY
        } else {
            0
        };
        b += 1;
    }
    table
};

fn is_name_start_char(c: char) -> bool {
    match c {
        'a'..='z' | 'A'..='Z' | '_' => true,
        _ if c.is_ascii() => false,
        '\u{C0}'..='\u{D6}'
        | '\u{D8}'..='\u{F6}'
        | '\u{F8}'..='\u{2FF}'
        | '\u{370}'..='\u{37D}'
        | '\u{37F}'..='\u{1FFF}'
        | '\u{200C}'..='\u{200D}'
        | '\u{2070}'..='\u{218F}'
        | '\u{2C00}'..='\u{2FEF}'
        | '\u{3001}'..='\u{D7FF}'
        | '\u{F900}'..='\u{FDCF}'
        | '\u{FDF0}'..='\u{FFFD}'
        | '\u{10000}'..='\u{EFFFF}' => true,
        _ => false,
    }
}

fn is_name_char(c: char) -> bool {
    match c {
        'a'..='z' | 'A'..='Z' | '_' | '-' | '.' | '0'..='9' => true,
        _ if c.is_ascii() => false,
        '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}' => true,
        _ => is_name_start_char(c),
    }
}

/// Whether `c` may appear in an XML 1.0 document (the `Char` production).
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}
