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

mod encoding;
mod presence_iq;
