//! The JSON mapping against what mod_rest really sent and accepted (the
//! captures in `tests/fixtures/mod_rest/`), round trips over the fixtures in
//! `tests/fixtures/json/`, and XML → JSON → XML for the mapped payloads.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;
use xmpp_rest_bot::stanza::{
    AdHocCommand, ChatState, DiscoInfo, IqType, MessageType, PresenceType, Show, Stanza, Version,
};
use xmpp_rest_bot::wire::{Limits, json, xml};

/// The recorded mod_rest exchanges, kept as fixtures.
fn captures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mod_rest")
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/json")
}

fn read_json(path: &Path) -> Value {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn decode(body: &str) -> Stanza {
    json::decode(body.as_bytes(), &Limits::default())
        .unwrap_or_else(|e| panic!("{body} did not decode: {e}"))
}

// ------------------------------------------------------------ captures

/// Every JSON body Prosody posted to the webhook decodes, and encodes back to
/// exactly what Prosody sent.
#[test]
fn webhook_posts_in_json_mode() {
    let posts = read_json(&captures().join("json-mode-webhook-posts.json"));
    let mut stanzas = Vec::new();
    for post in posts.as_array().unwrap() {
        if post["method"] != "POST" {
            continue;
        }
        assert_eq!(post["headers"]["Content-Type"], "application/json");
        let body = post["body"].as_str().unwrap();
        let stanza = decode(body);
        let sent: Value = serde_json::from_str(body).unwrap();
        assert_eq!(json::to_value(&stanza), sent, "re-encoding {body}");
        stanzas.push(stanza);
    }
    assert_eq!(stanzas.len(), 4);

    let Stanza::Message(m) = &stanzas[0] else {
        panic!("{:?}", stanzas[0])
    };
    assert_eq!(m.type_, MessageType::Chat);
    assert_eq!(m.body(), Some("hi json"));
    assert_eq!(m.oob.len(), 1, "oob and oob_url are one link");
    assert_eq!(m.oob[0].url, "https://e.x/a.png");
    assert_eq!(m.chat_state, Some(ChatState::Active));
    assert_eq!(m.lang.as_deref(), Some("en"));
    assert_eq!(
        m.from.as_ref().unwrap().as_str(),
        "alice@localhost/-WB7clPwpl8m"
    );

    let Stanza::Presence(p) = &stanzas[1] else {
        panic!("{:?}", stanzas[1])
    };
    assert_eq!(p.type_, PresenceType::Available);
    assert_eq!(p.show, Some(Show::Away));
    assert_eq!(p.status(), Some("brb"));

    let Stanza::Iq(iq) = &stanzas[2] else {
        panic!("{:?}", stanzas[2])
    };
    assert_eq!(iq.type_, IqType::Get);
    assert_eq!(iq.id.as_deref(), Some("d1"));
    assert!(iq.payload_as::<DiscoInfo>().unwrap().unwrap().is_query());

    let Stanza::Presence(p) = &stanzas[3] else {
        panic!("{:?}", stanzas[3])
    };
    assert_eq!(p.type_, PresenceType::Unavailable);
}

/// The JSON answers the webhook gave in the recorded cases, which Prosody
/// turned into the replies Alice received.
#[test]
fn webhook_answers_in_json() {
    let mut seen = 0;
    for entry in fs::read_dir(captures()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let case = read_json(&path);
        let answer = &case["webhook_answer"];
        if answer["content_type"] != "application/json" {
            continue;
        }
        seen += 1;
        let stanza = decode(answer["body"].as_str().unwrap());
        match case["case"].as_str().unwrap() {
            "iq-200-json" => {
                let Stanza::Iq(iq) = stanza else {
                    panic!("{stanza:?}")
                };
                assert_eq!(iq.type_, IqType::Result);
                let version = iq.payload_as::<Version>().unwrap().unwrap();
                assert_eq!(version, Version::new("bot", "1"));
                // What Alice got: the same query.
                let received = case["alice_received"][0].as_str().unwrap();
                assert!(received.contains("<version>1</version><name>bot</name>"));
            }
            "msg-200-json" => {
                // No "kind": mod_rest implies it from the type, and so do we.
                let Stanza::Message(m) = stanza else {
                    panic!("{stanza:?}")
                };
                assert_eq!(m.type_, MessageType::Chat);
                assert_eq!(m.body(), Some("pong"));
            }
            other => panic!("a JSON answer in a case this test does not know: {other}"),
        }
    }
    assert_eq!(seen, 2);
}

/// The JSON bodies seen on `/rest`: stanzas decode; mod_rest's own HTTP error
/// bodies are not stanzas.
#[test]
fn rest_endpoint_bodies() {
    let table = fs::read_to_string(captures().join("rest-endpoint-observed.md")).unwrap();
    let mut stanzas = 0;
    let mut not_stanzas = 0;
    for line in table.lines().filter(|l| l.starts_with("| ")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let Some(body) = cells
            .get(3)
            .and_then(|b| b.strip_prefix("`{"))
            .and_then(|b| b.strip_suffix('`'))
        else {
            continue;
        };
        let body = format!("{{{body}");
        let status = cells[2];
        let result = json::decode(body.as_bytes(), &Limits::default());
        if status == "200" {
            let stanza = result.unwrap_or_else(|e| panic!("{body}: {e}"));
            let Stanza::Iq(iq) = &stanza else {
                panic!("{stanza:?}")
            };
            // Re-encoding gives what Prosody sent.
            assert_eq!(
                json::to_value(&stanza),
                serde_json::from_str::<Value>(&body).unwrap()
            );
            if let Some(v) = iq.payload_as::<Version>() {
                assert_eq!(
                    v.unwrap(),
                    Version::new("Prosody", "0.12.3").with_os("Linux")
                );
            }
            stanzas += 1;
        } else {
            let err = result.expect_err(&body);
            if serde_json::from_str::<Value>(&body).is_ok() {
                // {"type":"error","error":{...},"code":403}: no kind, and "error" implies none.
                assert!(err.is_invalid(), "{err}");
                assert_eq!(err.to_string(), "invalid stanza: missing \"kind\"");
            } else {
                // The table elides part of this body with "…".
                assert!(err.is_malformed(), "{err}");
            }
            not_stanzas += 1;
        }
    }
    assert_eq!((stanzas, not_stanzas), (3, 2));
}

// ------------------------------------------------------------ fixtures

fn json_fixtures() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

/// JSON → model → JSON gives the same value for every fixture.
#[test]
fn json_round_trips() {
    let files = json_fixtures();
    assert!(files.len() >= 15, "{files:?}");
    for path in files {
        let text = fs::read_to_string(&path).unwrap();
        let stanza = json::decode(text.as_bytes(), &Limits::default())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let again = json::decode(&json::encode(&stanza), &Limits::default()).unwrap();
        assert_eq!(again, stanza, "{}", path.display());
        assert_eq!(
            json::to_value(&stanza),
            serde_json::from_str::<Value>(&text).unwrap(),
            "{}",
            path.display()
        );
    }
}

#[test]
fn fixtures_decode_to_typed_payloads() {
    let text = fs::read_to_string(fixtures().join("command-stage.json")).unwrap();
    let Stanza::Iq(iq) = decode(&text) else {
        panic!()
    };
    let cmd = iq.payload_as::<AdHocCommand>().unwrap().unwrap();
    let form = cmd.form.unwrap();
    assert_eq!(form.form_type(), Some("urn:example:deploy"));
    assert_eq!(form.values("notes"), ["first line", "second line"]);
    assert_eq!(form.bool_value("dry_run"), Some(false));

    let text = fs::read_to_string(fixtures().join("disco-info-result.json")).unwrap();
    let Stanza::Iq(iq) = decode(&text) else {
        panic!()
    };
    let info = iq.payload_as::<DiscoInfo>().unwrap().unwrap();
    assert!(info.has_feature("http://jabber.org/protocol/commands"));
    let serverinfo = info
        .extension("http://jabber.org/network/serverinfo")
        .unwrap();
    assert_eq!(serverinfo.values("admin-addresses").len(), 2);
}

// ------------------------------------------------------------ XML → JSON → XML

fn xml_fixtures() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(fixtures().join("xml"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

/// Stanzas made only of mapped content survive XML → JSON → XML unchanged.
#[test]
fn xml_json_xml() {
    let limits = Limits::default();
    for path in xml_fixtures() {
        let text = fs::read(&path).unwrap();
        let from_xml =
            xml::decode(&text, &limits).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let json_bytes = json::encode(&from_xml);
        let from_json = json::decode(&json_bytes, &limits).unwrap_or_else(|e| {
            panic!(
                "{}: {} did not decode: {e}",
                path.display(),
                String::from_utf8_lossy(&json_bytes)
            )
        });
        assert_eq!(
            from_json,
            from_xml,
            "{}: via {}",
            path.display(),
            String::from_utf8_lossy(&json_bytes)
        );
        let xml_again = xml::encode(&from_json);
        assert_eq!(
            xml::decode(xml_again.as_bytes(), &limits).unwrap(),
            from_xml,
            "{}: {xml_again}",
            path.display()
        );
    }
}

/// The html key holds the XHTML body as mod_rest writes it: without its xmlns.
#[test]
fn xml_html_to_json() {
    let text = fs::read(fixtures().join("xml/message-html.xml")).unwrap();
    let stanza = xml::decode(&text, &Limits::default()).unwrap();
    let value = json::to_value(&stanza);
    let html = value["html"].as_str().unwrap();
    assert!(
        html.starts_with("<body><p>hi <strong>there</strong>"),
        "{html}"
    );
    assert!(!html.contains("xmlns"), "{html}");
}
