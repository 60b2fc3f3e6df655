//! One test (or a few) per key of the mapping.

use serde_json::{Value, json};

use super::*;
use crate::stanza::*;

fn dec(v: Value) -> Stanza {
    match from_value(v.clone()) {
        Ok(s) => s,
        Err(e) => panic!("{v} did not decode: {e}"),
    }
}

fn err(v: Value) -> crate::Error {
    match from_value(v.clone()) {
        Ok(s) => panic!("{v} decoded to {s:?}"),
        Err(e) => e,
    }
}

fn msg(v: Value) -> Message {
    match dec(v) {
        Stanza::Message(m) => m,
        other => panic!("not a message: {other:?}"),
    }
}

fn pres(v: Value) -> Presence {
    match dec(v) {
        Stanza::Presence(p) => p,
        other => panic!("not a presence: {other:?}"),
    }
}

fn iq(v: Value) -> Iq {
    match dec(v) {
        Stanza::Iq(iq) => iq,
        other => panic!("not an iq: {other:?}"),
    }
}

/// JSON → model → JSON gives the same value.
fn round_trip(v: Value) {
    assert_eq!(to_value(&dec(v.clone())), v);
}

fn jid(s: &str) -> Jid {
    s.parse().unwrap()
}

// ------------------------------------------------------------ top level

#[test]
fn kind_and_header() {
    let m = msg(
        json!({"kind": "message", "type": "chat", "to": "bot@bot.localhost",
        "from": "alice@localhost/phone", "id": "m1", "lang": "en"}),
    );
    assert_eq!(m.type_, MessageType::Chat);
    assert_eq!(m.to, Some(jid("bot@bot.localhost")));
    assert_eq!(m.from, Some(jid("alice@localhost/phone")));
    assert_eq!(m.id.as_deref(), Some("m1"));
    assert_eq!(m.lang.as_deref(), Some("en"));
    round_trip(
        json!({"kind": "message", "type": "chat", "to": "bot@bot.localhost",
        "from": "alice@localhost/phone", "id": "m1", "lang": "en"}),
    );
}

#[test]
fn kind_is_implied_like_mod_rest() {
    // The msg-200-json capture: mod_rest accepted this reply without "kind".
    let m = msg(json!({"body": "pong", "type": "chat"}));
    assert_eq!(m.body(), Some("pong"));
    assert!(matches!(dec(json!({"type": "result"})), Stanza::Iq(_)));
    assert!(matches!(
        dec(json!({"type": "unavailable"})),
        Stanza::Presence(_)
    ));
    assert!(matches!(dec(json!({"show": "dnd"})), Stanza::Presence(_)));
    assert!(matches!(dec(json!({"disco": true})), Stanza::Iq(_)));
    let cmd = iq(json!({"command": "uptime"}));
    assert_eq!(cmd.type_, IqType::Set, "command implies a set");
}

#[test]
fn missing_or_unknown_kind_is_invalid() {
    let e = err(json!({"id": "x"}));
    assert!(e.is_invalid());
    assert_eq!(e.to_string(), "invalid stanza: missing \"kind\"");
    let e = err(json!({"type": "error", "error": {"condition": "gone"}}));
    assert_eq!(e.to_string(), "invalid stanza: missing \"kind\"");
    let e = err(json!({"kind": "stream"}));
    assert!(e.is_invalid());
    assert!(e.to_string().contains("unknown \"kind\" \"stream\""), "{e}");
    let e = err(json!({"kind": 1}));
    assert!(e.is_malformed());
    assert_eq!(e.json_path(), Some("$.kind"));
}

#[test]
fn top_level_must_be_an_object() {
    for v in [json!([]), json!("message"), json!(null), json!(1)] {
        let e = err(v);
        assert!(e.is_invalid());
        assert!(e.to_string().contains("not a json object"), "{e}");
    }
}

#[test]
fn types() {
    assert_eq!(msg(json!({"kind": "message"})).type_, MessageType::Normal);
    round_trip(json!({"kind": "message", "body": "no type"}));
    assert_eq!(
        pres(json!({"kind": "presence"})).type_,
        PresenceType::Available
    );
    assert_eq!(
        to_value(&Presence::available().into()),
        json!({"kind": "presence", "type": "available"})
    );
    round_trip(json!({"kind": "presence", "type": "subscribe", "to": "a@b"}));
    assert_eq!(iq(json!({"kind": "iq"})).type_, IqType::Get);
    let e = err(json!({"kind": "iq", "type": "bogus"}));
    assert!(e.is_invalid());
    assert_eq!(
        e.to_string(),
        "invalid stanza: unknown iq type \"bogus\" at $.type"
    );
    let e = err(json!({"kind": "message", "type": 7}));
    assert_eq!(e.json_path(), Some("$.type"));
}

#[test]
fn bad_jids_name_the_key() {
    let e = err(json!({"kind": "message", "to": "a@b@c"}));
    assert!(e.is_invalid());
    assert!(
        e.to_string()
            .starts_with("invalid stanza: invalid jid \"a@b@c\" at $.to"),
        "{e}"
    );
    let e = err(json!({"kind": "message", "from": "@"}));
    assert!(e.to_string().contains("at $.from"), "{e}");
}

#[test]
fn error_object() {
    let v = json!({"kind": "iq", "type": "error", "id": "q1", "from": "bot@bot.localhost",
        "error": {"type": "wait", "condition": "recipient-unavailable", "text": "down", "by": "bot.localhost"}});
    let i = iq(v.clone());
    let e = i.error.clone().unwrap();
    assert_eq!(e.type_, ErrorType::Wait);
    assert_eq!(e.condition, Condition::RecipientUnavailable);
    assert_eq!(e.text.as_deref(), Some("down"));
    assert_eq!(e.by, Some(jid("bot.localhost")));
    round_trip(v);
    // An error object makes the stanza an error, as mod_rest's error_reply does.
    assert_eq!(
        msg(json!({"kind": "message", "type": "chat", "error": {"condition": "gone"}})).type_,
        MessageType::Error
    );
    // The type defaults to the condition's.
    let m = msg(json!({"kind": "message", "error": {"condition": "forbidden"}}));
    assert_eq!(m.error.unwrap().type_, ErrorType::Auth);
}

#[test]
fn error_object_keeps_unknown_keys() {
    // (A message error is written without "type": see the next test.)
    let v = json!({"kind": "message",
        "error": {"type": "auth", "condition": "not-authorized", "code": 403, "source": "mod_rest"}});
    let m = msg(v.clone());
    assert_eq!(m.type_, MessageType::Error);
    assert_eq!(
        m.json_extra["error"],
        json!({"code": 403, "source": "mod_rest"})
    );
    round_trip(v);
}

#[test]
fn message_errors_are_written_without_type() {
    // With "type": "error", mod_rest drops the message (both modules); it is
    // still read.
    let typed = msg(json!({"kind": "message", "type": "error", "id": "m1",
        "error": {"type": "auth", "condition": "forbidden", "text": "admins only"}}));
    assert_eq!(typed.type_, MessageType::Error);
    let written = to_value(&Stanza::Message(typed.clone()));
    assert_eq!(written.get("type"), None, "{written}");
    assert_eq!(written["error"]["condition"], "forbidden");
    assert_eq!(msg(written), typed);
    // Iq and presence errors keep their type.
    let iq_error = json!({"kind": "iq", "type": "error", "id": "q1",
        "error": {"type": "cancel", "condition": "item-not-found"}});
    round_trip(iq_error);
    let presence_error = json!({"kind": "presence", "type": "error",
        "error": {"type": "cancel", "condition": "item-not-found"}});
    round_trip(presence_error);
}

#[test]
fn bad_error_objects() {
    let e = err(json!({"kind": "message", "error": {"type": "cancel"}}));
    assert_eq!(
        e.to_string(),
        "invalid stanza: $.error is missing \"condition\""
    );
    let e = err(json!({"kind": "message", "error": {"condition": "sad"}}));
    assert_eq!(
        e.to_string(),
        "invalid stanza: unknown error condition \"sad\" at $.error.condition"
    );
    let e = err(json!({"kind": "message", "error": {"condition": "gone", "type": "later"}}));
    assert!(
        e.to_string()
            .contains("unknown error type \"later\" at $.error.type"),
        "{e}"
    );
    let e = err(json!({"kind": "message", "error": {"condition": "gone", "by": "a@b@c"}}));
    assert!(e.to_string().contains("at $.error.by"), "{e}");
    let e = err(json!({"kind": "message", "error": "gone"}));
    assert!(e.is_malformed());
    assert_eq!(
        e.to_string(),
        "invalid json at $.error: expected an object, found a string"
    );
}

#[test]
fn unknown_keys_round_trip() {
    let v = json!({"kind": "message", "type": "chat", "body": "x",
        "archive": {"queryid": "q"}, "x-custom": [1, {"a": null}], "payload": {"datatype": "t", "data": {}}});
    let m = msg(v.clone());
    assert_eq!(m.json_extra.len(), 3);
    round_trip(v);
}

#[test]
fn null_counts_as_absent() {
    let m = msg(json!({"kind": "message", "body": null, "to": null}));
    assert!(m.bodies.is_empty());
    assert!(m.to.is_none());
}

// ------------------------------------------------------------ message keys

#[test]
fn body_and_subject() {
    let m = msg(json!({"kind": "message", "type": "groupchat", "body": "hi", "subject": "topic"}));
    assert_eq!(m.body(), Some("hi"));
    assert_eq!(m.subject(), Some("topic"));
    round_trip(json!({"kind": "message", "type": "groupchat", "body": "hi", "subject": "topic"}));
    let e = err(json!({"kind": "message", "body": ["hi"]}));
    assert_eq!(
        e.to_string(),
        "invalid json at $.body: expected a string, found an array"
    );
}

#[test]
fn thread() {
    let m = msg(json!({"kind": "message", "thread": {"id": "t1", "parent": "t0"}}));
    assert_eq!(
        m.thread,
        Some(Thread {
            id: "t1".into(),
            parent: Some("t0".into())
        })
    );
    round_trip(json!({"kind": "message", "thread": {"id": "t1", "parent": "t0"}}));
    // The early-2020 module's string form.
    let m = msg(json!({"kind": "message", "thread": "t2"}));
    assert_eq!(m.thread.unwrap().id, "t2");
    assert!(
        err(json!({"kind": "message", "thread": {}}))
            .to_string()
            .contains("$.thread is missing \"id\"")
    );
    assert_eq!(
        err(json!({"kind": "message", "thread": 3})).json_path(),
        Some("$.thread")
    );
}

#[test]
fn oob_and_oob_url() {
    // As in the json-mode-webhook-posts capture: both keys for one link.
    let v = json!({"kind": "message", "oob": {"url": "https://e.x/a.png"}, "oob_url": "https://e.x/a.png"});
    let m = msg(v.clone());
    assert_eq!(
        m.oob,
        vec![Oob {
            url: "https://e.x/a.png".into(),
            desc: None
        }]
    );
    round_trip(v);
    let m = msg(json!({"kind": "message", "oob_url": "https://e.x/b"}));
    assert_eq!(m.oob.len(), 1);
    round_trip(json!({"kind": "message", "oob": {"url": "u", "desc": "d"}, "oob_url": "u"}));
    assert!(
        err(json!({"kind": "message", "oob": {"desc": "d"}}))
            .to_string()
            .contains("$.oob is missing \"url\"")
    );
}

#[test]
fn state() {
    let m = msg(json!({"kind": "message", "state": "composing"}));
    assert_eq!(m.chat_state, Some(ChatState::Composing));
    round_trip(json!({"kind": "message", "type": "chat", "state": "gone"}));
    let e = err(json!({"kind": "message", "state": "typing"}));
    assert!(e.is_invalid());
    assert_eq!(
        e.to_string(),
        "invalid stanza: unknown chat state \"typing\" at $.state"
    );
}

#[test]
fn markers() {
    let m = msg(json!({"kind": "message", "markable": true}));
    assert!(m.markable);
    round_trip(json!({"kind": "message", "markable": true, "body": "x"}));
    let m = msg(json!({"kind": "message", "displayed": "m7"}));
    assert_eq!(
        m.marker,
        Some(Marker {
            kind: MarkerKind::Displayed,
            id: "m7".into()
        })
    );
    round_trip(json!({"kind": "message", "displayed": "m7"}));
    assert_eq!(
        err(json!({"kind": "message", "markable": "yes"})).json_path(),
        Some("$.markable")
    );
    // Only `displayed` has a key in mod_rest.
    let mut m = Message::new(MessageType::Chat);
    m.marker = Some(Marker {
        kind: MarkerKind::Received,
        id: "m8".into(),
    });
    assert_eq!(
        to_value(&m.into()),
        json!({"kind": "message", "type": "chat"})
    );
}

#[test]
fn replace_reactions_reply() {
    let v = json!({"kind": "message", "type": "chat", "replace": "m1",
        "reactions": {"id": "m2", "reactions": ["👍", "🎉"]}, "reply": {"id": "m3", "to": "alice@localhost/phone"}});
    let m = msg(v.clone());
    assert_eq!(m.replace.as_deref(), Some("m1"));
    assert_eq!(m.reactions.as_ref().unwrap().reactions, ["👍", "🎉"]);
    assert_eq!(
        m.reply.as_ref().unwrap().to,
        Some(jid("alice@localhost/phone"))
    );
    round_trip(v);
    // No reactions left: datamapper leaves the empty array out.
    round_trip(json!({"kind": "message", "reactions": {"id": "m2"}}));
    assert_eq!(
        err(json!({"kind": "message", "reactions": {"id": "m", "reactions": ["a", 1]}}))
            .json_path(),
        Some("$.reactions.reactions[1]")
    );
    assert!(
        err(json!({"kind": "message", "reply": {"id": "m", "to": "@x"}}))
            .to_string()
            .contains("at $.reply.to")
    );
    assert!(
        err(json!({"kind": "message", "reply": {"to": "a@b"}}))
            .to_string()
            .contains("$.reply is missing \"id\"")
    );
}

#[test]
fn delay_nick_occupant_id() {
    let v = json!({"kind": "message", "type": "groupchat", "delay": "2024-05-01T10:00:00Z", "nick": "Ishmael", "occupant_id": "oc1"});
    let m = msg(v.clone());
    assert_eq!(m.delay.as_ref().unwrap().stamp, "2024-05-01T10:00:00Z");
    assert_eq!(m.nick.as_deref(), Some("Ishmael"));
    assert_eq!(m.occupant_id.as_deref(), Some("oc1"));
    round_trip(v);
}

#[test]
fn stanza_ids() {
    let v = json!({"kind": "message", "stanza_ids": [{"id": "s1", "by": "room@muc.localhost"}, {"id": "s2", "by": "alice@localhost"}]});
    let m = msg(v.clone());
    assert_eq!(
        m.stanza_ids[1],
        StanzaId {
            id: "s2".into(),
            by: jid("alice@localhost")
        }
    );
    round_trip(v);
    let e = err(json!({"kind": "message", "stanza_ids": [{"id": "s1"}]}));
    assert_eq!(
        e.to_string(),
        "invalid stanza: $.stanza_ids[0] is missing \"by\""
    );
    assert_eq!(
        err(json!({"kind": "message", "stanza_ids": [{"id": 1, "by": "a"}]})).json_path(),
        Some("$.stanza_ids[0].id")
    );
}

#[test]
fn message_extension_keys() {
    let v = json!({"kind": "message", "type": "chat", "body": "> hi\nhello", "fallback": true,
        "encryption": "urn:xmpp:omemo:2", "attach_to": "m1",
        "invite": {"jid": "room@muc.localhost", "reason": "join us", "continue": true},
        "reference": {"type": "mention", "uri": "xmpp:alice@localhost", "begin": 0, "end": 5}});
    let m = msg(v.clone());
    assert_eq!(m.extensions.len(), 5);
    assert!(
        m.extensions
            .iter()
            .any(|e| e.is("fallback", "urn:xmpp:fallback:0"))
    );
    let invite = m
        .extensions
        .iter()
        .find(|e| e.is("x", "jabber:x:conference"))
        .unwrap();
    assert_eq!(invite.attr("jid"), Some("room@muc.localhost"));
    round_trip(v);
}

#[test]
fn message_dataform() {
    let v = json!({"kind": "message", "dataform": {"type": "form", "title": "Poll",
        "fields": [{"var": "choice", "type": "list-single", "options": [{"label": "Yes", "value": "y"}, {"value": "n"}]}]}});
    let m = msg(v.clone());
    let form = DataForm::from_element(&m.extensions[0]).unwrap();
    assert_eq!(form.fields[0].options.len(), 2);
    round_trip(v);
}

// ------------------------------------------------------------ presence keys

#[test]
fn show_status_priority() {
    // As in the json-mode-webhook-posts capture.
    let v = json!({"show": "away", "kind": "presence", "type": "available", "from": "alice@localhost/-WB7clPwpl8m",
        "status": "brb", "to": "bot@bot.localhost", "lang": "en", "priority": 5});
    let p = pres(v.clone());
    assert_eq!(p.show, Some(Show::Away));
    assert_eq!(p.status(), Some("brb"));
    assert_eq!(p.priority, Some(5));
    round_trip(v);
    assert_eq!(
        pres(json!({"kind": "presence", "priority": "-3"})).priority,
        Some(-3),
        "early module: a string"
    );
    let e = err(json!({"kind": "presence", "priority": 200}));
    assert!(e.is_invalid());
    assert_eq!(
        e.to_string(),
        "invalid stanza: 200 at $.priority is out of range"
    );
    assert!(err(json!({"kind": "presence", "priority": "high"})).is_invalid());
    assert_eq!(
        err(json!({"kind": "presence", "priority": true})).json_path(),
        Some("$.priority")
    );
    assert!(
        err(json!({"kind": "presence", "show": "busy"}))
            .to_string()
            .contains("unknown show value \"busy\" at $.show")
    );
}

#[test]
fn muc() {
    let v = json!({"kind": "presence", "type": "available", "to": "room@muc.localhost/bot", "muc": {"history": {"maxstanzas": 0, "since": "2024-01-01T00:00:00Z"}}});
    let p = pres(v.clone());
    let history = p.muc.as_ref().unwrap().history.as_ref().unwrap();
    assert_eq!(history.max_stanzas, Some(0));
    assert_eq!(history.since.as_deref(), Some("2024-01-01T00:00:00Z"));
    round_trip(v);
    round_trip(json!({"kind": "presence", "type": "available", "muc": {}}));
    let p = pres(json!({"kind": "presence", "join": true}));
    assert_eq!(p.muc, Some(MucJoin::default()));
    assert_eq!(to_value(&p.into())["muc"], json!({}));
    assert!(
        err(json!({"kind": "presence", "muc": {"history": {"seconds": -1}}}))
            .to_string()
            .contains("-1 at $.muc.history.seconds is out of range")
    );
    let join = Presence::join_room(&"room@muc.localhost".parse().unwrap(), "bot").unwrap();
    assert_eq!(
        to_value(&join.into())["muc"],
        json!({"history": {"maxstanzas": 0}})
    );
}

#[test]
fn caps_idle_nick() {
    let v = json!({"kind": "presence", "type": "available",
        "caps": {"hash": "sha-1", "node": "https://conversations.im", "ver": "abc="},
        "idle_since": "2024-05-01T09:00:00Z", "nick": "Alice"});
    let p = pres(v.clone());
    assert_eq!(p.caps.as_ref().unwrap().ver, "abc=");
    assert_eq!(p.idle_since.as_deref(), Some("2024-05-01T09:00:00Z"));
    round_trip(v);
    // Legacy caps without a hash stay JSON; the `ext` of modern ones too.
    let legacy = json!({"kind": "presence", "type": "available", "caps": {"node": "n", "ver": "1.0", "ext": "voice"}});
    let p = pres(legacy.clone());
    assert!(p.caps.is_none());
    round_trip(legacy);
    round_trip(
        json!({"kind": "presence", "type": "available", "caps": {"hash": "sha-1", "node": "n", "ver": "v", "ext": "e"}}),
    );
}

#[test]
fn presence_extension_keys() {
    let v = json!({"kind": "presence", "type": "available", "delay": "2024-05-01T09:00:00Z", "vcard_update": {"photo": "sha1hash"}});
    let p = pres(v.clone());
    assert_eq!(p.extensions.len(), 2);
    round_trip(v);
}

// ------------------------------------------------------------ iq keys

#[test]
fn ping() {
    let i = iq(json!({"kind": "iq", "type": "get", "id": "p1", "ping": true}));
    assert!(i.payload_as::<Ping>().is_some());
    round_trip(json!({"kind": "iq", "type": "get", "id": "p1", "ping": true}));
    assert!(iq(json!({"kind": "iq", "ping": false})).payload.is_none());
    assert_eq!(
        err(json!({"kind": "iq", "ping": "yes"})).json_path(),
        Some("$.ping")
    );
}

#[test]
fn version() {
    // The iq-200-json capture's webhook answer.
    let i = iq(json!({"kind": "iq", "type": "result", "version": {"name": "bot", "version": "1"}}));
    assert_eq!(
        i.payload_as::<Version>().unwrap().unwrap(),
        Version::new("bot", "1")
    );
    round_trip(
        json!({"kind": "iq", "type": "result", "version": {"name": "Prosody", "version": "0.12.3", "os": "Linux"}}),
    );
    round_trip(json!({"kind": "iq", "type": "get", "version": {}}));
    assert!(
        iq(json!({"kind": "iq", "version": true}))
            .payload_as::<Version>()
            .unwrap()
            .unwrap()
            .is_query()
    );
    assert_eq!(
        err(json!({"kind": "iq", "version": {"os": 1}})).json_path(),
        Some("$.version.os")
    );
}

#[test]
fn disco_info() {
    // The json-mode-webhook-posts capture's disco get.
    let get = iq(
        json!({"lang": "en", "id": "d1", "type": "get", "from": "alice@localhost/-WB7clPwpl8m",
        "to": "bot@bot.localhost", "kind": "iq", "disco": true}),
    );
    assert!(get.payload_as::<DiscoInfo>().unwrap().unwrap().is_query());
    round_trip(json!({"kind": "iq", "type": "get", "disco": true}));
    round_trip(
        json!({"kind": "iq", "type": "get", "disco": "http://jabber.org/protocol/commands"}),
    );
    let v = json!({"kind": "iq", "type": "result", "disco": {
        "identities": [{"category": "client", "type": "bot", "name": "Bot"}, {"category": "component", "type": "generic"}],
        "features": ["http://jabber.org/protocol/disco#info", "urn:xmpp:ping"],
        "extensions": {"urn:xmpp:dataforms:softwareinfo": {"software": "bot", "os": null, "ip_version": ["ipv4", "ipv6"], "public": true}}}});
    let info = iq(v.clone()).payload_as::<DiscoInfo>().unwrap().unwrap();
    assert_eq!(info.identities.len(), 2);
    let ext = info.extension("urn:xmpp:dataforms:softwareinfo").unwrap();
    assert_eq!(ext.type_, "result");
    assert_eq!(ext.value("software"), Some("bot"));
    assert_eq!(ext.values("ip_version"), ["ipv4", "ipv6"]);
    assert_eq!(ext.bool_value("public"), Some(true));
    round_trip(v);
    round_trip(
        json!({"kind": "iq", "type": "result", "disco": {"node": "n", "identities": [], "features": ["f"]}}),
    );
}

#[test]
fn disco_info_errors_have_paths() {
    let e = err(json!({"kind": "iq", "disco": {"features": ["a", "b", 3]}}));
    assert!(e.is_malformed());
    assert_eq!(e.json_path(), Some("$.disco.features[2]"));
    assert_eq!(
        e.to_string(),
        "invalid json at $.disco.features[2]: expected a string, found a number"
    );
    let e = err(json!({"kind": "iq", "disco": {"identities": [{"type": "bot"}]}}));
    assert!(e.is_invalid());
    assert_eq!(
        e.to_string(),
        "invalid stanza: $.disco.identities[0] is missing \"category\""
    );
    let e = err(json!({"kind": "iq", "disco": {"extensions": {"urn:x": {"a": 1}}}}));
    assert_eq!(e.json_path(), Some("$.disco.extensions[\"urn:x\"].a"));
    assert_eq!(
        err(json!({"kind": "iq", "disco": 5})).json_path(),
        Some("$.disco")
    );
}

#[test]
fn disco_items() {
    round_trip(json!({"kind": "iq", "type": "get", "items": true}));
    round_trip(
        json!({"kind": "iq", "type": "get", "items": "http://jabber.org/protocol/commands"}),
    );
    let v = json!({"kind": "iq", "type": "result", "items": [{"jid": "bot@bot.localhost", "node": "deploy", "name": "Deploy"}, {"jid": "muc.localhost"}]});
    let items = iq(v.clone()).payload_as::<DiscoItems>().unwrap().unwrap();
    assert_eq!(items.items[0].node.as_deref(), Some("deploy"));
    round_trip(v);
    // Older shapes mod_rest also reads.
    let items = iq(json!({"kind": "iq", "items": {"node": "n"}}))
        .payload_as::<DiscoItems>()
        .unwrap()
        .unwrap();
    assert_eq!(items.node.as_deref(), Some("n"));
    let items = iq(json!({"kind": "iq", "items": ["a.localhost"]}))
        .payload_as::<DiscoItems>()
        .unwrap()
        .unwrap();
    assert_eq!(items.items[0].jid, jid("a.localhost"));
    let e = err(json!({"kind": "iq", "items": [{"jid": "ok@x"}, {"jid": "a@b@c"}]}));
    assert!(e.is_invalid());
    assert!(e.to_string().contains("at $.items[1].jid"), "{e}");
    assert!(
        err(json!({"kind": "iq", "items": [{"node": "n"}]}))
            .to_string()
            .contains("$.items[0] is missing \"jid\"")
    );
    assert_eq!(
        err(json!({"kind": "iq", "items": [3]})).json_path(),
        Some("$.items[0]")
    );
}

#[test]
fn command() {
    let i = iq(json!({"kind": "iq", "command": "uptime"}));
    assert_eq!(
        i.payload_as::<Command>().unwrap().unwrap(),
        Command::new("uptime")
    );
    let v = json!({"kind": "iq", "type": "result", "command": {"node": "deploy", "sessionid": "s1", "status": "executing",
        "actions": {"execute": "next", "next": true, "prev": true},
        "note": {"type": "warn", "text": "production!"},
        "form": {"type": "form", "title": "Deploy", "instructions": "Pick one.", "fields": [
            {"var": "env", "type": "list-single", "label": "Environment", "required": true, "value": "staging",
             "options": [{"label": "Staging", "value": "staging"}, {"value": "production"}]},
            {"var": "hosts", "type": "jid-multi", "value": ["a@b", "c@d"]},
            {"var": "notes", "type": "text-multi", "value": "line 1\nline 2"},
            {"type": "fixed", "value": "Careful."}]}}});
    let cmd = iq(v.clone()).payload_as::<Command>().unwrap().unwrap();
    assert_eq!(cmd.sessionid.as_deref(), Some("s1"));
    assert_eq!(
        cmd.actions.as_ref().unwrap().execute.as_deref(),
        Some("next")
    );
    assert_eq!(cmd.notes[0].text, "production!");
    let form = cmd.form.as_ref().unwrap();
    assert_eq!(form.values("notes"), ["line 1", "line 2"]);
    assert_eq!(form.values("hosts"), ["a@b", "c@d"]);
    assert!(form.field("env").unwrap().required);
    round_trip(v);
}

#[test]
fn command_data_is_a_submit_form() {
    let i = iq(
        json!({"kind": "iq", "type": "set", "command": {"node": "deploy", "sessionid": "s1", "action": "complete",
        "data": {"env": "production", "hosts": ["a", "b"], "dry_run": false}}}),
    );
    let cmd = i.payload_as::<Command>().unwrap().unwrap();
    let form = cmd.form.unwrap();
    assert!(form.is_submit());
    assert_eq!(form.value("env"), Some("production"));
    assert_eq!(form.values("hosts"), ["a", "b"]);
    assert_eq!(form.bool_value("dry_run"), Some(false));
    assert!(form.fields.iter().all(|f| f.type_.is_none()));
}

#[test]
fn command_errors() {
    let e = err(json!({"kind": "iq", "command": {"action": "execute"}}));
    assert!(e.is_invalid());
    assert_eq!(
        e.to_string(),
        "invalid stanza: $.command is missing \"node\""
    );
    let e = err(json!({"kind": "iq", "command": {"node": "x", "actions": {"next": "yes"}}}));
    assert_eq!(e.json_path(), Some("$.command.actions.next"));
    let e = err(
        json!({"kind": "iq", "command": {"node": "x", "form": {"type": "form", "fields": [{"var": "a", "value": 1}]}}}),
    );
    assert_eq!(e.json_path(), Some("$.command.form.fields[0].value"));
    let e = err(json!({"kind": "iq", "command": {"node": "x", "form": {"fields": []}}}));
    assert_eq!(
        e.to_string(),
        "invalid stanza: $.command.form is missing \"type\""
    );
    let e = err(
        json!({"kind": "iq", "command": {"node": "x", "form": {"type": "form", "fields": [{"type": "text-single"}]}}}),
    );
    assert_eq!(
        e.to_string(),
        "invalid stanza: $.command.form.fields[0] is missing \"var\""
    );
    let e = err(
        json!({"kind": "iq", "command": {"node": "x", "form": {"type": "form", "fields": [{"var": "a", "options": [{"label": "A"}]}]}}}),
    );
    assert_eq!(
        e.to_string(),
        "invalid stanza: $.command.form.fields[0].options[0] is missing \"value\""
    );
}

#[test]
fn iq_dataform_and_formdata() {
    let v = json!({"kind": "iq", "type": "set", "dataform": {"type": "submit", "fields": [{"var": "a", "value": "1"}]}});
    let form = iq(v.clone()).payload_as::<DataForm>().unwrap().unwrap();
    assert_eq!(form.value("a"), Some("1"));
    round_trip(v);
    let form = iq(json!({"kind": "iq", "type": "set", "formdata": {"a": "1"}}))
        .payload_as::<DataForm>()
        .unwrap()
        .unwrap();
    assert!(form.is_submit());
    assert_eq!(form.value("a"), Some("1"));
}

#[test]
fn iq_oob_and_flat_keys() {
    round_trip(
        json!({"kind": "iq", "type": "set", "oob": {"url": "https://e.x/f", "desc": "a file"}}),
    );
    round_trip(json!({"kind": "iq", "type": "set", "oob_url": "https://e.x/f"}));
    round_trip(json!({"kind": "iq", "type": "result", "lastactivity": {"seconds": 903}}));
    round_trip(
        json!({"kind": "iq", "type": "get", "upload_request": {"filename": "a.png", "size": 1024, "content-type": "image/png"}}),
    );
    let i = iq(json!({"kind": "iq", "type": "get", "lastactivity": {}}));
    assert!(i.payload.as_ref().unwrap().is("query", "jabber:iq:last"));
}

#[test]
fn iq_payload_order() {
    let i = iq(json!({"kind": "iq", "type": "get", "ping": true, "version": {}, "nick": "n"}));
    assert!(i.payload_as::<Ping>().is_some());
    assert_eq!(i.extensions.len(), 2);
    round_trip(json!({"kind": "iq", "type": "get", "ping": true, "version": {}, "nick": "n"}));
}

#[test]
fn nested_unknown_keys_are_merged_back() {
    let v = json!({"kind": "iq", "type": "result", "version": {"name": "a", "version": "1", "build": "x"},
        "command": {"node": "n", "x-extra": true}});
    let i = iq(v.clone());
    assert_eq!(i.json_extra["version"], json!({"build": "x"}));
    round_trip(v);
}

#[test]
fn model_values_win_over_json_extra() {
    let mut m = msg(json!({"kind": "message", "body": "a"}));
    m.json_extra.insert("body".into(), json!("stale"));
    m.json_extra.insert("extra".into(), json!(1));
    assert_eq!(
        to_value(&m.into()),
        json!({"kind": "message", "body": "a", "extra": 1})
    );
}

// ------------------------------------------------------------ encoding only

#[test]
fn encode_typed_payloads() {
    let reply = Iq::get(DiscoInfo::new()).with_id("d1");
    let info = DiscoInfo::new()
        .with_identity(Identity::bot("Bot").with_lang("en"))
        .with_feature(ns::DISCO_INFO)
        .with_extension(
            DataForm::result()
                .with_form_type("urn:x")
                .with_field(FormField::boolean("b", "B").with_value("true")),
        );
    let result = reply.result(Some(info));
    assert_eq!(
        to_value(&result.into()),
        json!({"kind": "iq", "type": "result", "id": "d1", "disco": {
            "identities": [{"category": "client", "type": "bot", "name": "Bot"}],
            "features": [ns::DISCO_INFO], "extensions": {"urn:x": {"b": true}}}})
    );
}

#[test]
fn encode_skips_payloads_that_do_not_convert() {
    let bad = Element::builder("query", ns::DISCO_INFO)
        .child(Element::new("identity", ns::DISCO_INFO))
        .build();
    let iq = Iq::new(IqType::Result, Some(bad));
    assert_eq!(
        to_value(&iq.into()),
        json!({"kind": "iq", "type": "result"})
    );
}

#[test]
fn encode_is_json_bytes() {
    let msg = Message::chat(jid("alice@localhost"), "héllo \"there\"");
    let bytes = encode(&msg.into());
    let back: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(back["body"], "héllo \"there\"");
}

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

/// The direct writer of simple messages writes what the `Value` path writes.
#[test]
fn simple_messages_are_written_exactly_as_through_a_value() {
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
                assert!(
                    encode::simple_message(&m).is_some(),
                    "{m:?} should take the direct path"
                );
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

    // Anything else goes through the `Value`, unchanged.
    let mut markable = Message::chat("bob@example.org".parse().unwrap(), "hi");
    markable.markable = true;
    assert!(encode::simple_message(&markable).is_none());
    let mut extra = Message::chat("bob@example.org".parse().unwrap(), "hi");
    extra.json_extra.insert("x".into(), serde_json::json!(1));
    assert!(encode::simple_message(&extra).is_none());
    let error = Message::chat("bob@example.org".parse().unwrap(), "hi")
        .error_reply(crate::stanza::Condition::BadRequest);
    assert!(encode::simple_message(&error).is_none());
}

/// Whatever the direct reader of common messages takes, it reads exactly as
/// the general decoder does; and it takes the chat lines mod_rest posts.
#[test]
fn simple_messages_are_read_exactly_as_through_a_value() {
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
    let taken = [
        r#"{"kind":"message","type":"chat","id":"m1","lang":"en","from":"alice@example.org/phone","to":"bot@bot.example.net","body":"!status please","state":"active"}"#,
        r#"{"kind":"message","type":"chat","id":"m2","from":"bob@example.org/Gajim.x1","to":"bot@bot.example.net","body":"deploy","state":"active","markable":true}"#,
        r#"{"kind":"message","type":"groupchat","id":"m3","from":"ops@rooms.example.org/carol","to":"bot@bot.example.net","body":"bot: rollback prod","occupant_id":"dGhp"}"#,
        r#"{"kind":"message","type":"chat","from":"dave@example.org/dino","to":"bot@bot.example.net","body":"hi <bot> & \"friends\" \\ \u00e9 \ud83c\udf89 — ünï ✓\n"}"#,
        r#"{"kind":"message"}"#,
        r#"{"kind":"message","type":"error","body":""}"#,
        r#"{"kind":"message","type":null,"to":null,"body":null,"markable":null,"state":null}"#,
        r#"{"kind":"message","markable":false,"type":"headline","to":"ALICE@Example.ORG"}"#,
        r#"{"kind":"message","b\u006fdy":"escaped key","to":"bob@example.org"}"#,
        "  {\"kind\" : \"message\" ,\n \"body\" : \"spaced\" }  ",
    ];
    let refused = [
        // general decoder: another kind, implied kinds, extensions, unknown keys
        r#"{"kind":"presence","type":"unavailable"}"#,
        r#"{"type":"chat","body":"no kind"}"#,
        r#"{"kind":"message","body":"x","thread":"t1"}"#,
        r#"{"kind":"message","body":"x","unknown":1}"#,
        r#"{"kind":"message","body":"x","error":{"condition":"bad-request"}}"#,
        // errors, said by the general decoder
        r#"{"kind":"message","to":"not a@jid@x"}"#,
        r#"{"kind":"message","type":"sms"}"#,
        r#"{"kind":"message","state":"dancing"}"#,
        r#"{"kind":"message","body":5}"#,
        r#"{"kind":"message","markable":"yes"}"#,
        r#"{"kind":"message","body":"a","body":"b"}"#,
        r#"{"kind":"message","body":"x"} trailing"#,
        r#"{"kind":"message","body":"\ud800"}"#,
        r#"[{"kind":"message"}]"#,
    ];
    inputs.extend(taken.iter().chain(&refused).map(|s| (*s).to_owned()));
    for input in &inputs {
        let general = serde_json::from_str::<serde_json::Value>(input)
            .map_err(|e| format!("invalid json at $: {e}"))
            .and_then(|v| decode::stanza(v, &Limits::default()).map_err(|e| e.to_string()));
        if let Some(direct) = decode::simple_message(input) {
            assert_eq!(Ok(Stanza::Message(direct)), general, "{input}");
        }
        // And the public decoder answers as the general one, whichever way it went.
        assert_eq!(
            decode(input.as_bytes(), &Limits::default()).map_err(|e| e.to_string()),
            general,
            "{input}"
        );
    }
    for input in taken {
        assert!(
            decode::simple_message(input).is_some(),
            "not taken: {input}"
        );
    }
    for input in refused {
        assert!(decode::simple_message(input).is_none(), "taken: {input}");
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
