//! Presence and iq keys.

use serde_json::json;

use super::*;

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
        i.payload_as::<AdHocCommand>().unwrap().unwrap(),
        AdHocCommand::new("uptime")
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
    let cmd = iq(v.clone()).payload_as::<AdHocCommand>().unwrap().unwrap();
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
    let cmd = i.payload_as::<AdHocCommand>().unwrap().unwrap();
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
