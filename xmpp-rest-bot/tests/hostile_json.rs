//! Hostile JSON: every case must fail fast with the right class of error and a
//! message that says what was wrong, never panic.

use std::time::{Duration, Instant};

use xmpp_rest_bot::Error;
use xmpp_rest_bot::stanza::Stanza;
use xmpp_rest_bot::wire::{Limits, json};

/// Decodes with the default limits, checking that it does not take long.
fn decode(input: &[u8]) -> Result<Stanza, Error> {
    decode_with(input, &Limits::default())
}

fn decode_with(input: &[u8], limits: &Limits) -> Result<Stanza, Error> {
    let start = Instant::now();
    let result = json::decode(input, limits);
    let took = start.elapsed();
    assert!(took < Duration::from_secs(2), "took {took:?}");
    result
}

fn fails(input: impl AsRef<[u8]>) -> Error {
    match decode(input.as_ref()) {
        Ok(s) => panic!("decoded to {s:?}"),
        Err(e) => e,
    }
}

#[test]
fn over_the_size_limit() {
    let body = format!(
        r#"{{"kind":"message","body":"{}"}}"#,
        "a".repeat(200 * 1024)
    );
    let err = fails(&body);
    assert!(err.is_limit());
    assert_eq!(
        err.to_string(),
        "json input size in bytes is over the limit of 196608"
    );
    // The size is checked first: even garbage of that size is a limit error.
    let err = fails(vec![0xffu8; 10 * 1024 * 1024]);
    assert!(err.is_limit());
}

#[test]
fn deep_nesting() {
    // A generous size limit, so that the depth limit is what stops it.
    let limits = Limits::default().max_bytes(16 * 1024 * 1024);
    for open in ["[", "{\"a\":"] {
        let deep = open.repeat(100_000);
        let err = decode_with(deep.as_bytes(), &limits).unwrap_err();
        assert!(err.is_limit(), "{err}");
        assert_eq!(
            err.to_string(),
            "json nesting depth is over the limit of 64"
        );
    }
    // Nesting inside a known key is no different.
    let deep = format!(r#"{{"kind":"iq","disco":{}}}"#, "[".repeat(100_000));
    assert!(fails(deep).is_limit());
}

#[test]
fn depth_limit_is_exact() {
    let limits = Limits::default().max_depth(4);
    // The stanza object is depth 1.
    let ok = br#"{"kind":"message","x":{"y":[{}]}}"#;
    assert!(decode_with(ok, &limits).is_ok());
    let over = br#"{"kind":"message","x":{"y":[{"z":[]}]}}"#;
    let err = decode_with(over, &limits).unwrap_err();
    assert!(err.is_limit());
    assert_eq!(err.to_string(), "json nesting depth is over the limit of 4");
}

#[test]
fn depth_limit_is_capped_at_serde_json_s() {
    let limits = Limits::default().max_depth(100_000);
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    let err = decode_with(deep.as_bytes(), &limits).unwrap_err();
    assert!(err.is_limit());
    assert_eq!(
        err.to_string(),
        "json nesting depth is over the limit of 127"
    );
}

#[test]
fn brackets_in_strings_are_not_nesting() {
    let body = format!(
        r#"{{"kind":"message","body":"\"{}\\"}}"#,
        "[{".repeat(50_000)
    );
    let Stanza::Message(m) = decode(body.as_bytes()).unwrap() else {
        panic!()
    };
    assert!(m.body().unwrap().starts_with("\"[{[{"));
}

#[test]
fn huge_arrays_and_objects() {
    let limits = Limits::default().max_bytes(16 * 1024 * 1024);
    let array = format!(r#"{{"kind":"message","x":[{}1]}}"#, "1,".repeat(1_000_000));
    let err = decode_with(array.as_bytes(), &limits).unwrap_err();
    assert!(err.is_limit());
    assert_eq!(
        err.to_string(),
        "number of entries in a json array or object is over the limit of 4096"
    );
    let mut object = String::from(r#"{"kind":"message""#);
    for i in 0..5000 {
        object.push_str(&format!(r#","k{i}":0"#));
    }
    object.push('}');
    assert!(fails(&object).is_limit());
    // Features of a disco result count the same way.
    let features = format!(
        r#"{{"kind":"iq","disco":{{"features":[{}"x"]}}}}"#,
        r#""x","#.repeat(5000)
    );
    assert!(fails(&features).is_limit());
    // Within the limit, fine.
    let small = format!(r#"{{"kind":"message","x":[{}1]}}"#, "1,".repeat(4095));
    assert!(decode(small.as_bytes()).is_ok());
}

#[test]
fn wrong_types_at_depth_name_the_path() {
    let cases: &[(&str, &str, &str)] = &[
        (
            r#"{"kind":"iq","disco":{"features":["a","b",3]}}"#,
            "$.disco.features[2]",
            "expected a string, found a number",
        ),
        (
            r#"{"kind":"iq","command":{"node":"n","form":{"type":"form","fields":[{"var":"a"},{"var":"b","options":[{"value":"x"},{"value":["y"]}]}]}}}"#,
            "$.command.form.fields[1].options[1].value",
            "expected a string, found an array",
        ),
        (
            r#"{"kind":"iq","disco":{"extensions":{"urn:xmpp:dataforms:softwareinfo":{"os":{}}}}}"#,
            "$.disco.extensions[\"urn:xmpp:dataforms:softwareinfo\"].os",
            "expected a string, an array of strings, a boolean or null, found an object",
        ),
        (
            r#"{"kind":"presence","muc":{"history":{"maxchars":"10"}}}"#,
            "$.muc.history.maxchars",
            "expected an integer, found a string",
        ),
        (
            r#"{"kind":"message","reactions":{"id":"m","reactions":[[]]}}"#,
            "$.reactions.reactions[0]",
            "expected a string, found an array",
        ),
        (
            r#"{"kind":"iq","register":{"username":false}}"#,
            "$.register.username",
            "expected a string, found a boolean",
        ),
        (
            r#"{"kind":"message","id":5}"#,
            "$.id",
            "expected a string, found a number",
        ),
        (
            r#"{"kind":true}"#,
            "$.kind",
            "expected a string, found a boolean",
        ),
    ];
    for (input, path, message) in cases {
        let err = fails(input);
        assert!(err.is_malformed(), "{input}: {err}");
        assert_eq!(err.json_path(), Some(*path), "{input}");
        assert_eq!(
            err.to_string(),
            format!("invalid json at {path}: {message}")
        );
    }
}

#[test]
fn not_json() {
    let err = fails(b"{\"kind\":\"message\",");
    assert!(err.is_malformed());
    assert_eq!(err.json_path(), Some("$"));
    assert!(err.to_string().contains("EOF while parsing"), "{err}");
    assert!(fails(b"").is_malformed());
    assert!(fails(b"{\"kind\":\"message\"} trailing").is_malformed());
    assert!(fails(b"{\"kind\":\"presence\",\"priority\":1e400}").is_malformed());
}

#[test]
fn invalid_utf8() {
    let err = fails(b"{\"kind\":\"message\",\"body\":\"\xff\xfe\"}");
    assert!(err.is_malformed());
    assert_eq!(
        err.to_string(),
        "invalid json at $: invalid utf-8 at byte 26"
    );
    // A lone surrogate escape is not a string either.
    assert!(fails(br#"{"kind":"message","body":"\ud800"}"#).is_malformed());
}

#[test]
fn top_level_not_an_object() {
    for (input, found) in [
        ("[]", "an array"),
        ("\"message\"", "a string"),
        ("null", "null"),
        ("42", "a number"),
    ] {
        let err = fails(input);
        assert!(err.is_invalid(), "{input}");
        assert_eq!(
            err.to_string(),
            format!("invalid stanza: the top level is {found}, not a json object")
        );
    }
}

#[test]
fn missing_or_unknown_kind() {
    let err = fails(r#"{"id":"x","to":"a@b"}"#);
    assert!(err.is_invalid());
    assert_eq!(err.to_string(), "invalid stanza: missing \"kind\"");
    let err = fails(r#"{"kind":"stream:features"}"#);
    assert!(err.is_invalid());
    assert_eq!(
        err.to_string(),
        "invalid stanza: unknown \"kind\" \"stream:features\" (expected message, presence or iq)"
    );
}

#[test]
fn bad_jids() {
    let long_node = "n".repeat(3000);
    let cases = [
        (r#"{"kind":"message","to":"a@b@c"}"#.to_owned(), "$.to"),
        (
            r#"{"kind":"message","from":"@example.org"}"#.to_owned(),
            "$.from",
        ),
        (r#"{"kind":"message","to":"alice@"}"#.to_owned(), "$.to"),
        (
            format!(r#"{{"kind":"message","to":"{long_node}@example.org"}}"#),
            "$.to",
        ),
        (
            r#"{"kind":"iq","error":{"condition":"gone","by":"a@b/"}}"#.to_owned(),
            "$.error.by",
        ),
        (
            r#"{"kind":"iq","items":[{"jid":"x@y"},{"jid":"/r"}]}"#.to_owned(),
            "$.items[1].jid",
        ),
        (
            r#"{"kind":"message","stanza_ids":[{"id":"s","by":"a b@c@d"}]}"#.to_owned(),
            "$.stanza_ids[0].by",
        ),
        (
            r#"{"kind":"message","reply":{"id":"m","to":"@"}}"#.to_owned(),
            "$.reply.to",
        ),
    ];
    for (input, path) in cases {
        let err = fails(&input);
        assert!(err.is_invalid(), "{input}: {err}");
        let text = err.to_string();
        assert!(text.starts_with("invalid stanza: invalid jid "), "{text}");
        assert!(text.contains(&format!(" at {path}: ")), "{text}");
        assert!(
            text.len() < 300,
            "long values are cut short in messages: {text}"
        );
    }
}

#[test]
fn invalid_values() {
    let cases = [
        (
            r#"{"kind":"message","error":{"condition":"sad"}}"#,
            "unknown error condition \"sad\" at $.error.condition",
        ),
        (
            r#"{"kind":"message","state":"typing"}"#,
            "unknown chat state \"typing\" at $.state",
        ),
        (
            r#"{"kind":"presence","priority":1000}"#,
            "1000 at $.priority is out of range",
        ),
        (
            r#"{"kind":"iq","command":{"status":"executing"}}"#,
            "$.command is missing \"node\"",
        ),
        (
            r#"{"kind":"iq","disco":{"identities":[{"category":"client"}]}}"#,
            "$.disco.identities[0] is missing \"type\"",
        ),
        (
            r#"{"kind":"iq","dataform":{"type":"poll"}}"#,
            "unknown data form type \"poll\" at $.dataform.type",
        ),
    ];
    for (input, message) in cases {
        let err = fails(input);
        assert!(err.is_invalid(), "{input}: {err}");
        assert_eq!(err.to_string(), format!("invalid stanza: {message}"));
    }
}

#[test]
fn duplicate_keys_and_odd_values_do_not_panic() {
    assert!(decode(br#"{"kind":"message","body":"a","body":"b"}"#).is_ok());
    assert!(decode(br#"{"kind":"message","x":1e308,"y":-0,"z":18446744073709551616}"#).is_ok());
    // XML cannot carry U+0000: refused as in XML (400), with its position
    let nul = fails(br#"{"kind":"message","body":"\u0000"}"#);
    assert!(nul.is_malformed(), "{nul}");
    assert!(nul.to_string().contains("line 1 column 27"), "{nul}");
    assert!(
        fails(br#"{"kind":"iq","lastactivity":{"seconds":99999999999999999999}}"#).is_malformed()
    );
}

#[test]
fn hostile_xhtml_in_html() {
    let deep = format!("<body>{}</body>", "<b>".repeat(1000));
    let cases = [
        "<!DOCTYPE body [<!ENTITY a 'aaaa'>]><body>&a;</body>",
        "<body>&lol9;</body>",
        "<body><p>unclosed</body>",
        "</x:html><x:html xmlns:x='http://jabber.org/protocol/xhtml-im'>",
        "<body xmlns:xi='http://www.w3.org/2001/XInclude'><xi:include href='/etc/passwd'/></body>",
        deep.as_str(),
    ];
    for html in cases {
        let body = serde_json::json!({"kind": "message", "html": html}).to_string();
        match decode(body.as_bytes()) {
            Err(err) if html == deep => assert!(err.is_limit(), "{err}"),
            Err(err) => {
                assert!(err.is_invalid(), "{html}: {err}");
                assert!(
                    err.to_string()
                        .contains("the xhtml at $.html is not acceptable"),
                    "{err}"
                );
            }
            // XInclude is just an element to us: nothing is fetched.
            Ok(Stanza::Message(m)) if html.contains("XInclude") => {
                let body = m.html.unwrap();
                assert!(body.children().next().is_some());
            }
            Ok(s) => panic!("{html} decoded to {s:?}"),
        }
    }
}
