//! Encoding details: typed payloads, bytes, html, characters XML cannot
//! carry, the common message written without a `Value`, and the one-pass
//! reader.

use serde_json::json;

use super::*;

#[test]
fn html() {
    let v = json!({"kind": "message", "type": "chat", "body": "hi",
        "html": "<body><p>hi <strong>there</strong></p></body>"});
    let m = msg(v.clone());
    let html = m.html.as_ref().unwrap();
    assert!(html.is("html", ns::XHTML_IM));
    let body = html.child("body", ns::XHTML).unwrap();
    assert!(body.child("p", ns::XHTML).is_some());
    round_trip(v);
    let e = err(json!({"kind": "message", "html": "<body><p>unclosed</body>"}));
    assert!(e.is_invalid());
    assert!(
        e.to_string()
            .contains("the xhtml at $.html is not acceptable"),
        "{e}"
    );
    let e = err(
        json!({"kind": "message", "html": "</x:html><x:html xmlns:x='http://jabber.org/protocol/xhtml-im'>"}),
    );
    assert!(e.is_invalid(), "{e}");
}

#[test]
fn characters_xml_cannot_carry_are_replaced_on_encoding() {
    use crate::stanza::{Jid, Message, Stanza};
    let to: Jid = "alice@example.org".parse().unwrap();
    let text = "\u{1b}[31mred\u{1b}[0m \u{0}\u{8}\u{c}\u{1f} tab\tnl\ncr\r \\b \\u0001 \u{fffe}\u{ffff}\u{fffd} é ✓";
    let json = encode(&Stanza::Message(Message::chat(to, text)));
    let value: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(
        value["body"],
        "\u{fffd}[31mred\u{fffd}[0m \u{fffd}\u{fffd}\u{fffd}\u{fffd} tab\tnl\ncr\r \\b \\u0001 \u{fffd}\u{fffd}\u{fffd} é ✓"
    );
    // Without such characters the output is serde_json's, unchanged.
    let plain = Message::chat("bob@example.org".parse().unwrap(), "a \\ b\n\"c\"");
    let value = to_value(&Stanza::Message(plain.clone()));
    assert_eq!(
        encode(&Stanza::Message(plain)),
        serde_json::to_vec(&value).unwrap()
    );
}

/// The writer writes, byte for byte, what serde_json writes of the same
/// stanza's `Value` ([`to_value`]): common messages in every combination,
/// the stanzas with nested objects, kept keys and errors, and every fixture
/// decoded.
#[test]
fn the_writer_writes_exactly_what_serde_json_writes_of_the_value() {
    use crate::stanza::{ChatState, Jid, Message, MessageType, Receipt, Stanza, Text, Thread};
    let through_value = |s: &Stanza| xml_safe(serde_json::to_vec(&to_value(s)).unwrap());
    let texts = [
        "",
        "hi",
        "a \"quoted\" \\ back\\slash\n\ttab",
        "ünïcödé ✓ 🎉",
        "\u{1b}[0m\u{7f}",
    ];
    let types = [
        MessageType::Normal,
        MessageType::Chat,
        MessageType::Groupchat,
        MessageType::Headline,
    ];
    let mut count = 0;
    for (i, text) in texts.iter().enumerate() {
        for (j, type_) in types.iter().enumerate() {
            for variant in 0..8u8 {
                let mut m = Message::new(*type_);
                let bit = |n: u8| variant & (1 << n) != 0;
                if bit(0) {
                    m.to = Some("bob@example.org/phone".parse::<Jid>().unwrap());
                    m.from = Some("bot.example.net".parse::<Jid>().unwrap());
                    m.id = Some(format!("id-{i}-{j}\"x"));
                }
                if bit(1) {
                    m.bodies.push(Text {
                        lang: None,
                        text: (*text).to_owned(),
                    });
                    m.bodies.push(Text {
                        lang: Some("de".into()),
                        text: "zweiter".into(),
                    });
                    m.lang = Some("en".into());
                    m.receipt = Some(Receipt::Request);
                    m.origin_id = Some("o1".into());
                }
                if bit(2) {
                    m.chat_state = Some(ChatState::Composing);
                    m.thread = Some(Thread {
                        id: format!("t{text}"),
                        parent: (i % 2 == 0).then(|| "p1".to_owned()),
                    });
                }
                let stanza = Stanza::Message(m.clone());
                assert_eq!(
                    String::from_utf8(encode(&stanza)).unwrap(),
                    String::from_utf8(through_value(&stanza)).unwrap(),
                    "{m:?}"
                );
                count += 1;
            }
        }
    }
    assert_eq!(count, texts.len() * types.len() * 8);

    let mut markable = Message::chat("bob@example.org".parse().unwrap(), "hi");
    markable.markable = true;
    let mut extra = Message::chat("bob@example.org".parse().unwrap(), "hi");
    extra.json_extra.insert("x".into(), serde_json::json!(1));
    extra
        .json_extra
        .insert("body".into(), serde_json::json!("not this"));
    extra
        .json_extra
        .insert("error".into(), serde_json::json!({"code": 400}));
    let error = Message::chat("bob@example.org".parse().unwrap(), "hi")
        .error_reply(crate::stanza::Condition::BadRequest);
    let mut extra_error = error.clone();
    extra_error.json_extra = extra.json_extra.clone();
    let mut stanzas: Vec<Stanza> = [markable, extra, error, extra_error]
        .into_iter()
        .map(Stanza::Message)
        .collect();
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/json");
    for entry in std::fs::read_dir(&fixtures).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let bytes = std::fs::read(&path).unwrap();
            if let Ok(stanza) = decode(&bytes, &Limits::default()) {
                stanzas.push(stanza);
            }
        }
    }
    assert!(
        stanzas.len() > 10,
        "fixtures not found in {}",
        fixtures.display()
    );
    for stanza in &stanzas {
        assert_eq!(
            String::from_utf8(encode(stanza)).unwrap(),
            String::from_utf8(through_value(stanza)).unwrap(),
            "{stanza:?}"
        );
    }
}

/// The one-pass decoder, reading the header keys straight from the text
/// (borrowed, or unescaped when they have escapes), answers exactly as when
/// the same JSON is first parsed into a `Value` and read from there (where
/// repeated keys are already merged and every string is owned): chat lines as
/// mod_rest posts them, the fixtures, and every kind of error.
#[test]
fn one_pass_reads_exactly_as_a_parsed_value() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/json");
    let mut inputs: Vec<String> = std::fs::read_dir(&fixtures)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .map(|path| std::fs::read_to_string(path).unwrap())
        .collect();
    assert!(
        inputs.len() > 10,
        "fixtures not found in {}",
        fixtures.display()
    );
    let decoded = [
        r#"{"kind":"message","type":"chat","id":"m1","lang":"en","from":"alice@example.org/phone","to":"bot@bot.example.net","body":"!status please","state":"active"}"#,
        r#"{"kind":"message","type":"chat","id":"m2","from":"bob@example.org/Gajim.x1","to":"bot@bot.example.net","body":"deploy","state":"active","markable":true}"#,
        r#"{"kind":"message","type":"groupchat","id":"m3","from":"ops@rooms.example.org/carol","to":"bot@bot.example.net","body":"bot: rollback prod","occupant_id":"dGhp"}"#,
        r#"{"kind":"message","type":"chat","from":"dave@example.org/dino","to":"bot@bot.example.net","body":"hi <bot> & \"friends\" \\ \u00e9 \ud83c\udf89 — ünï ✓\n"}"#,
        r#"{"kind":"message"}"#,
        r#"{"kind":"message","type":"error","body":""}"#,
        r#"{"kind":"message","type":null,"to":null,"body":null,"markable":null,"state":null}"#,
        r#"{"kind":"message","markable":false,"type":"headline","to":"ALICE@Example.ORG"}"#,
        r#"{"kind":"message","b\u006fdy":"escaped key","to":"bob@example.org"}"#,
        r#"{"kin\u0064":"message","\u0074o":"b\u006fb@example.org","id":"\"x\""}"#,
        "  {\"kind\" : \"message\" ,\n \"body\" : \"spaced\" }  ",
        r#"{"kind":"presence","type":"unavailable"}"#,
        r#"{"type":"chat","body":"no kind"}"#,
        r#"{"body":"x"}"#,
        r#"{"command":{"node":"ping"},"to":"bot@b"}"#,
        r#"{"kind":"message","body":"x","thread":"t1"}"#,
        r#"{"kind":"message","body":"x","unknown":1}"#,
        r#"{"kind":"message","body":"x","error":{"condition":"bad-request"}}"#,
        r#"{"kind":"message","body":"a","body":"b"}"#,
        r#"{"kind":5,"kind":"message","id":"1","id":"2"}"#,
    ];
    let refused = [
        r#"{"kind":"message","to":"not a@jid@x"}"#,
        r#"{"kind":"message","type":"sms"}"#,
        r#"{"kind":"message","state":"dancing"}"#,
        r#"{"kind":"message","body":5}"#,
        r#"{"kind":"message","markable":"yes"}"#,
        r#"{"kind":"message","body":"x"} trailing"#,
        r#"{"kind":"message","body":"\ud800"}"#,
        r#"{"kind":"chat"}"#,
        r#"{"kind":["message"]}"#,
        r#"{"kind":"message","type":{"a":1}}"#,
        r#"{"kind":"message","to":true}"#,
        r#"{"kind":"message","from":1.5}"#,
        r#"{"kind":"message","id":-3}"#,
        r#"{"kind":"message","lang":7}"#,
        r#"{"kind":"message","kind":false}"#,
        r#"{}"#,
        r#"[{"kind":"message"}]"#,
        r#""message""#,
        "null",
        "true",
        "12",
    ];
    inputs.extend(decoded.iter().chain(&refused).map(|s| (*s).to_owned()));
    for input in &inputs {
        let through_value = serde_json::from_str::<serde_json::Value>(input)
            .map_err(|e| format!("invalid json at $: {e}"))
            .and_then(|v| from_value(v).map_err(|e| e.to_string()));
        assert_eq!(
            decode(input.as_bytes(), &Limits::default()).map_err(|e| e.to_string()),
            through_value,
            "{input}"
        );
    }
    for input in decoded {
        assert!(
            decode(input.as_bytes(), &Limits::default()).is_ok(),
            "{input}"
        );
    }
    for input in refused {
        assert!(
            decode(input.as_bytes(), &Limits::default()).is_err(),
            "{input}"
        );
    }
}

#[test]
fn characters_xml_cannot_carry_are_refused_with_their_position() {
    let limits = Limits::default();
    // The chat line of the direct reader, and a stanza of the general path.
    let simple =
        |body: &str| format!(r#"{{"kind":"message","type":"chat","to":"bot@b","body":"{body}"}}"#);
    let general = |body: &str| {
        format!("{{\"kind\":\"message\",\n\"subject\":\"s\",\"body\":\"{body}\",\"x\":{{}}}}")
    };
    for bad in [
        r"\u0000", r"\u0001", r"\u001F", r"\b", r"\f", r"\uFFFE", r"\uffff", "\u{FFFE}", "\u{FFFF}",
    ] {
        for (text, line) in [(simple(bad), 1), (general(bad), 2)] {
            let e = decode(text.as_bytes(), &limits).expect_err(&text);
            assert!(e.is_malformed(), "{text}: {e}");
            let shown = e.to_string();
            assert!(shown.contains(&format!("at line {line} column")), "{shown}");
            assert!(shown.contains("xml cannot carry it"), "{shown}");
        }
    }
    let e = decode(simple(r"ok \u0000").as_bytes(), &limits).unwrap_err();
    assert!(e.to_string().contains("U+0000 at line 1 column 57"), "{e}");
    // What XML carries is kept: tab, newline, carriage return, U+FFFD, an
    // escaped backslash before a "u0000", surrogate pairs, U+FEFF.
    for good in [
        r"\t\n\r",
        r"\uFFFD",
        r"\\u0000",
        r"\\b",
        r"\ud83d\ude00",
        r"\uFEFF",
        "\u{FFFD}",
    ] {
        for text in [simple(good), general(good)] {
            assert!(decode(text.as_bytes(), &limits).is_ok(), "{text}");
        }
    }
}

#[test]
fn from_value_refuses_characters_xml_cannot_carry_with_their_path() {
    let e = err(json!({"kind": "message", "disco": {"features": ["a", "b\u{1}"]}}));
    assert!(e.is_malformed());
    assert!(e.to_string().contains("$.disco.features[1]"), "{e}");
    assert!(e.to_string().contains("U+0001"), "{e}");
    let e = err(json!({"kind": "message", "body": "\u{FFFF}"}));
    assert!(e.to_string().contains("$.body"), "{e}");
    assert_eq!(
        msg(json!({"kind": "message", "body": "tab\t\u{FFFD}"})).body(),
        Some("tab\t\u{FFFD}")
    );
}
