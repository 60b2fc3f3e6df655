//! Round trips of the XML wire format over a corpus of realistic stanzas
//! (`tests/fixtures/xml/`) and every XML stanza in the recorded mod_rest
//! captures (`tests/fixtures/mod_rest/`).
//!
//! For each input:
//! - decode -> encode -> decode gives an equal model;
//! - the re-encoded XML, parsed as a generic element tree, equals the tree of
//!   the input. Normalisation before comparing: attributes are sorted (their
//!   order carries no meaning), whitespace-only text nodes are dropped (the
//!   encoder does not keep indentation between the children of typed payloads;
//!   inside extensions and XHTML it keeps all text, which the model equality
//!   above checks exactly), and the direct children of the stanza are compared
//!   as a multiset (typed payloads are written in a fixed order).

use std::path::{Path, PathBuf};

use xmpp_rest_bot::stanza::{
    ChatState, Condition, Element, ErrorType, IqType, MarkerKind, MessageType, Node, PresenceType,
    Receipt, Show, Stanza, ns,
};
use xmpp_rest_bot::wire::{Limits, xml};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/xml")
}

/// The recorded mod_rest exchanges, kept as fixtures.
fn captures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mod_rest")
}

/// Parses a stanza as a generic tree, in the default namespace `jabber:client`
/// as a stanza is read, by wrapping it.
fn tree(xml_text: &str) -> Element {
    let wrapped = format!("<wrapper xmlns='jabber:client'>{xml_text}</wrapper>");
    let wrapper = xml::parse_element(wrapped.as_bytes(), &Limits::default())
        .unwrap_or_else(|e| panic!("{e}\n{xml_text}"));
    wrapper
        .children()
        .next()
        .cloned()
        .expect("the wrapper holds the stanza")
}

fn normalize(el: &Element) -> Element {
    let mut attrs: Vec<_> = el.attrs().to_vec();
    attrs.sort_by(|a, b| (&a.ns, &a.name).cmp(&(&b.ns, &b.name)));
    let mut out = Element::new(el.name(), el.ns());
    for a in attrs {
        out.set_attr_ns(a.ns.as_deref(), a.name, a.value);
    }
    for node in el.nodes() {
        match node {
            Node::Element(child) => out.push_child(normalize(child)),
            Node::Text(t) if t.trim().is_empty() => {}
            Node::Text(t) => out.push_text(t),
            _ => unreachable!("unknown node kind"),
        }
    }
    out
}

/// The normalised stanza tree with its children sorted.
fn canonical(el: &Element) -> Element {
    let el = normalize(el);
    let mut children: Vec<Element> = el.children().cloned().collect();
    children.sort_by_key(|c| c.to_string());
    let mut out = Element::new(el.name(), el.ns());
    for a in el.attrs() {
        out.set_attr_ns(a.ns.as_deref(), a.name.clone(), a.value.clone());
    }
    for c in children {
        out.push_child(c);
    }
    out
}

/// Checks both round trips and returns the decoded stanza.
fn round_trip(name: &str, input: &str) -> Stanza {
    let limits = Limits::default();
    let stanza = xml::decode(input.as_bytes(), &limits)
        .unwrap_or_else(|e| panic!("{name}: decode failed: {e}\n{input}"));
    let encoded = xml::encode(&stanza);
    let again = xml::decode(encoded.as_bytes(), &limits)
        .unwrap_or_else(|e| panic!("{name}: re-decode failed: {e}\n{encoded}"));
    assert_eq!(again, stanza, "{name}: model changed\n{encoded}");
    assert_eq!(
        canonical(&tree(&encoded)),
        canonical(&tree(input)),
        "{name}: tree changed\ninput:   {input}\nencoded: {encoded}"
    );
    // encoding is stable
    assert_eq!(xml::encode(&again), encoded, "{name}: encoding not stable");
    // the element form agrees with the text form
    assert_eq!(xml::stanza_to_element(&stanza), tree(&encoded), "{name}");
    stanza
}

fn fixture_files() -> Vec<(String, String)> {
    let mut files: Vec<_> = std::fs::read_dir(fixtures_dir())
        .expect("fixtures dir")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "xml"))
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&p).expect("fixture is utf-8");
            (name, text)
        })
        .collect();
    files.sort();
    files
}

#[test]
fn every_fixture_round_trips_and_has_its_typed_payloads() {
    let files = fixture_files();
    assert!(files.len() >= 20, "only {} fixtures", files.len());
    for (name, text) in &files {
        let stanza = round_trip(name, text);
        check_fixture(name, &stanza);
    }
}

/// What each fixture must decode to: guards against a payload silently
/// falling back to an extension.
fn check_fixture(name: &str, stanza: &Stanza) {
    let ext_names = |exts: &[Element]| -> Vec<String> {
        exts.iter()
            .map(|e| format!("{{{}}}{}", e.ns(), e.name()))
            .collect()
    };
    match (name, stanza) {
        ("conversations-chat", Stanza::Message(m)) => {
            assert_eq!(m.type_, MessageType::Chat);
            assert_eq!(m.body(), Some("Hi bot, can you deploy staging? 🚀"));
            assert_eq!(m.receipt, Some(Receipt::Request));
            assert!(m.markable);
            assert_eq!(m.chat_state, Some(ChatState::Active));
            assert_eq!(m.origin_id.as_deref(), m.id.as_deref());
            assert_eq!(m.stanza_ids[0].by.as_str(), "alice@localhost");
            assert!(m.extensions.is_empty());
        }
        ("gajim-chat-xhtml", Stanza::Message(m)) => {
            assert_eq!(m.lang.as_deref(), Some("de"));
            assert_eq!(
                m.body(),
                Some("*Wichtig*: der Build ist <rot> & muss repariert werden")
            );
            let html = m.html.as_ref().expect("xhtml-im");
            let body = html.child("body", ns::XHTML).expect("xhtml body");
            // inline whitespace in the XHTML is kept
            let p = body.child("p", ns::XHTML).unwrap();
            assert!(matches!(&p.nodes()[1], Node::Text(t) if t == ": der Build ist "));
            assert!(m.thread.is_some());
            assert!(m.extensions.is_empty());
        }
        ("dino-chat", Stanza::Message(m)) => {
            assert_eq!(ext_names(&m.extensions), ["{urn:xmpp:hints}store"]);
            assert!(m.markable && m.origin_id.is_some());
        }
        ("muc-groupchat-history", Stanza::Message(m)) => {
            assert_eq!(m.type_, MessageType::Groupchat);
            let delay = m.delay.as_ref().expect("delay");
            assert_eq!(
                delay.from.as_ref().unwrap().as_str(),
                "ops@conference.localhost"
            );
            assert_eq!(delay.stamp, "2024-05-17T09:41:23.512Z");
            assert_eq!(m.stanza_ids.len(), 1);
            assert_eq!(m.occupant_id.as_deref(), Some("dGhpcyBpcyBhbGljZQ=="));
            assert!(m.extensions.is_empty());
        }
        ("correction", Stanza::Message(m)) => {
            assert_eq!(
                m.replace.as_deref(),
                Some("3c1f9a0e-7d4b-4b7e-9a51-2f6c8d0e1a23")
            );
        }
        ("reactions", Stanza::Message(m)) => {
            let r = m.reactions.as_ref().expect("reactions");
            assert_eq!(r.id, "27hldnOeZgtjIgZiLuwGvPir");
            assert_eq!(r.reactions, ["👍", "🎉"]);
            assert_eq!(ext_names(&m.extensions).len(), 2);
        }
        ("reply-with-fallback", Stanza::Message(m)) => {
            let reply = m.reply.as_ref().expect("reply");
            assert_eq!(reply.id, "b8QxV3nT5kLm");
            assert_eq!(
                reply.to.as_ref().unwrap().as_str(),
                "ops@conference.localhost/bot"
            );
            assert_eq!(m.body(), Some("> bot: deploy finished\nthanks!"));
            assert_eq!(ext_names(&m.extensions), ["{urn:xmpp:fallback:0}fallback"]);
        }
        ("oob-image", Stanza::Message(m)) => {
            assert_eq!(m.oob.len(), 1);
            assert_eq!(m.oob[0].url, m.body().unwrap());
            assert_eq!(
                m.oob[0].desc.as_deref(),
                Some("screenshot of the failing pipeline")
            );
        }
        ("chat-state-only", Stanza::Message(m)) => {
            assert_eq!(m.chat_state, Some(ChatState::Composing));
            assert!(m.is_contentless());
        }
        ("receipt-received", Stanza::Message(m)) => {
            assert_eq!(m.type_, MessageType::Normal);
            assert!(
                matches!(&m.receipt, Some(Receipt::Received { id: Some(id) }) if id == "27hldnOeZgtjIgZiLuwGvPir")
            );
        }
        ("marker-displayed", Stanza::Message(m)) => {
            let marker = m.marker.as_ref().expect("marker");
            assert_eq!(marker.kind, MarkerKind::Displayed);
        }
        ("offline-delay", Stanza::Message(m)) => {
            assert_eq!(m.bodies.len(), 2);
            assert_eq!(m.body(), Some("are you there?"));
            assert_eq!(m.body_in("fr"), Some("tu es là ?"));
            assert_eq!(m.subject(), Some("ping"));
            assert_eq!(
                m.delay.as_ref().unwrap().reason.as_deref(),
                Some("Offline Storage")
            );
            assert_eq!(m.nick.as_deref(), Some("Dave"));
            let thread = m.thread.as_ref().unwrap();
            assert_eq!(thread.parent.as_deref(), Some("root-thread"));
            assert!(m.extensions.is_empty());
        }
        ("headline-pubsub", Stanza::Message(m)) => {
            assert_eq!(m.type_, MessageType::Headline);
            assert_eq!(m.extensions.len(), 2);
        }
        ("mam-result", Stanza::Message(m)) => {
            let result = &m.extensions[0];
            assert!(result.is("result", "urn:xmpp:mam:2"));
            let forwarded = result.child("forwarded", "urn:xmpp:forward:0").unwrap();
            let inner = forwarded.child("message", ns::CLIENT).unwrap().clone();
            let reference = inner.child("reference", "urn:xmpp:reference:0").unwrap();
            assert_eq!(
                reference.attr_ns(Some("http://www.w3.org/1999/xlink"), "title"),
                Some("the bot")
            );
            let Stanza::Message(inner) = xml::element_to_stanza(inner).unwrap() else {
                panic!("forwarded message")
            };
            assert_eq!(inner.body(), Some("Hail to the bot!"));
        }
        ("message-error", Stanza::Message(m)) => {
            assert_eq!(m.type_, MessageType::Error);
            let err = m.error.as_ref().expect("error");
            assert_eq!(
                (err.type_, err.condition),
                (ErrorType::Modify, Condition::NotAcceptable)
            );
            assert_eq!(err.text_lang.as_deref(), Some("en"));
            assert_eq!(
                err.by.as_ref().unwrap().as_str(),
                "ops@conference.localhost"
            );
            assert_eq!(
                ext_names(&err.extensions),
                ["{urn:xmpp:example:errors}unsupported-version"]
            );
        }
        ("presence-caps-idle", Stanza::Presence(p)) => {
            assert_eq!(p.type_, PresenceType::Available);
            assert_eq!(p.show, Some(Show::Away));
            assert_eq!(p.statuses.len(), 2);
            assert_eq!(p.priority, Some(5));
            assert_eq!(p.caps.as_ref().unwrap().node, "http://conversations.im");
            assert_eq!(p.idle_since.as_deref(), Some("2024-05-17T09:12:00Z"));
            assert_eq!(ext_names(&p.extensions), ["{vcard-temp:x:update}x"]);
        }
        ("presence-muc-join", Stanza::Presence(p)) => {
            let muc = p.muc.as_ref().expect("muc join");
            assert_eq!(muc.password.as_deref(), Some("s3cr3t & safe"));
            let history = muc.history.as_ref().unwrap();
            assert_eq!(history.max_stanzas, Some(0));
            assert_eq!(history.since.as_deref(), Some("2024-05-17T00:00:00Z"));
            assert!(p.caps.is_some());
        }
        ("presence-muc-user", Stanza::Presence(p)) => {
            assert_eq!(p.show, Some(Show::Chat));
            assert!(p.muc.is_none());
            assert_eq!(
                ext_names(&p.extensions),
                [
                    "{urn:xmpp:occupant-id:0}occupant-id",
                    "{http://jabber.org/protocol/muc#user}x"
                ]
            );
        }
        ("presence-subscribe", Stanza::Presence(p)) => {
            assert_eq!(p.type_, PresenceType::Subscribe);
            assert_eq!(p.nick.as_deref(), Some("Erin"));
            assert_eq!(p.status(), Some("Hi, I'd like to use the deploy bot"));
        }
        ("iq-ping", Stanza::Iq(iq)) => {
            assert_eq!(iq.type_, IqType::Get);
            assert_eq!(iq.payload_ns(), Some(ns::PING));
        }
        ("iq-version-result", Stanza::Iq(iq)) => {
            let query = iq.payload.as_ref().unwrap();
            assert_eq!(
                query.child_text("os", ns::VERSION).as_deref(),
                Some("Linux")
            );
        }
        ("iq-disco-info-result", Stanza::Iq(iq)) => {
            let query = iq.payload.as_ref().unwrap();
            assert_eq!(
                query.children().filter(|c| c.name() == "feature").count(),
                6
            );
            let identity = query.children().nth(1).unwrap();
            assert_eq!(identity.attr_ns(Some(ns::XML), "lang"), Some("de"));
        }
        ("iq-disco-items-result", Stanza::Iq(iq)) => {
            assert_eq!(iq.payload_ns(), Some(ns::DISCO_ITEMS));
        }
        ("iq-command-form", Stanza::Iq(iq)) | ("iq-command-submit", Stanza::Iq(iq)) => {
            let command = iq.payload.as_ref().unwrap();
            assert!(command.is("command", ns::COMMANDS));
            assert!(command.child("x", ns::DATA_FORMS).is_some());
            assert!(iq.extensions.is_empty() && iq.error.is_none());
        }
        ("iq-error", Stanza::Iq(iq)) => {
            assert_eq!(iq.type_, IqType::Error);
            assert_eq!(iq.payload_ns(), Some(ns::COMMANDS));
            let err = iq.error.as_ref().unwrap();
            assert_eq!(err.condition, Condition::BadRequest);
            assert_eq!(err.text.as_deref(), Some("Unknown service \"web-backend\""));
            assert_eq!(err.extensions.len(), 1);
        }
        ("iq-gone-redirect", Stanza::Iq(iq)) => {
            let err = iq.error.as_ref().unwrap();
            assert_eq!(err.condition, Condition::Gone);
            assert_eq!(
                err.alternative.as_deref(),
                Some("xmpp:newbot@bot.localhost")
            );
            assert!(iq.payload.is_none());
        }
        (name, stanza) => panic!("no expectations for fixture {name}: {stanza:?}"),
    }
}

/// Every XML stanza mod_rest was recorded sending or delivering.
#[test]
fn every_capture_round_trips() {
    let dir = captures_dir();
    let mut count = 0;
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .expect("captures dir")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let Some(case) = json.as_object() else {
            continue; // a list of raw posts (JSON mode), not XML
        };
        for got in case["webhook_got"].as_array().into_iter().flatten() {
            let content_type = got["headers"]["Content-Type"].as_str().unwrap_or_default();
            if content_type.starts_with("application/xmpp+xml") {
                let body = got["body"].as_str().unwrap();
                let stanza = round_trip(&format!("{name} webhook_got"), body);
                // what mod_rest posts always has these
                assert!(stanza.from().is_some() && stanza.to().is_some() && stanza.id().is_some());
                assert_eq!(stanza.lang(), Some("en"));
                count += 1;
            }
        }
        for received in case["alice_received"].as_array().into_iter().flatten() {
            let stanza = round_trip(
                &format!("{name} alice_received"),
                received.as_str().unwrap(),
            );
            if stanza.type_str() == "error" {
                assert!(stanza.stanza_error().is_some(), "{name}: typed error");
            }
            count += 1;
        }
        let answer = &case["webhook_answer"];
        if answer["content_type"] == "application/xmpp+xml" {
            let body = answer["body"].as_str().unwrap();
            match xml::decode(body.as_bytes(), &Limits::default()) {
                Ok(_) => {
                    round_trip(&format!("{name} webhook_answer"), body);
                    count += 1;
                }
                // the recorded "malformed answer" case
                Err(e) => assert!(
                    e.is_malformed() && name.contains("malformed"),
                    "{name}: {e}"
                ),
            }
        }
    }
    assert!(count >= 25, "only {count} capture stanzas found");
}
