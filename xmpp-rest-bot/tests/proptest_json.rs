//! Property: every message and presence made of content the JSON mapping
//! covers survives model → JSON → model (as a value and as bytes).

use proptest::prelude::*;
use serde_json::{Map, Value};
use xmpp_rest_bot::stanza::{
    Caps, ChatState, Condition, Delay, ErrorType, Jid, Marker, MarkerKind, Message, MessageType,
    MucHistory, MucJoin, Oob, Presence, PresenceType, Reactions, ReplyTo, Show, Stanza,
    StanzaError, StanzaId, Text, Thread,
};
use xmpp_rest_bot::wire::{Limits, json};

fn jid() -> impl Strategy<Value = Jid> {
    (
        proptest::option::of("[a-z][a-z0-9._-]{0,7}"),
        "[a-z]{1,8}\\.(example|localhost)",
        proptest::option::of("[A-Za-z0-9 ._-]{1,12}"),
    )
        .prop_map(|(node, domain, resource)| {
            let mut s = String::new();
            if let Some(node) = node {
                s.push_str(&node);
                s.push('@');
            }
            s.push_str(&domain);
            if let Some(resource) = resource {
                s.push('/');
                s.push_str(&resource);
            }
            s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
        })
}

/// Any text, including quotes, newlines, markup and non-BMP characters.
fn text() -> impl Strategy<Value = String> {
    "\\PC{0,24}|[<>&\"'\\\\\n\t ]{0,6}|[😀-🙏]{1,3}"
}

fn opt<T: std::fmt::Debug>(s: impl Strategy<Value = T>) -> impl Strategy<Value = Option<T>> {
    proptest::option::of(s)
}

fn extra() -> impl Strategy<Value = Map<String, Value>> {
    let leaf = prop_oneof![
        text().prop_map(Value::String),
        any::<i32>().prop_map(Value::from),
        any::<bool>().prop_map(Value::Bool),
        Just(Value::Null),
    ];
    let value = leaf.prop_recursive(3, 12, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map("[a-z]{1,4}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    });
    proptest::collection::btree_map("x-[a-z_]{1,6}", value, 0..3)
        .prop_map(|m| m.into_iter().collect())
}

fn stanza_error() -> impl Strategy<Value = StanzaError> {
    (
        proptest::sample::select(Condition::ALL.to_vec()),
        proptest::sample::select(vec![
            ErrorType::Auth,
            ErrorType::Cancel,
            ErrorType::Continue,
            ErrorType::Modify,
            ErrorType::Wait,
        ]),
        opt(text()),
        opt(jid()),
    )
        .prop_map(|(condition, type_, text, by)| {
            let mut e = StanzaError::new(condition).with_type(type_);
            e.text = text;
            e.by = by;
            e
        })
}

fn header() -> impl Strategy<Value = (Option<Jid>, Option<Jid>, Option<String>, Option<String>)> {
    (
        opt(jid()),
        opt(jid()),
        opt("[A-Za-z0-9_-]{1,16}"),
        opt("[a-z]{2}(-[A-Z]{2})?"),
    )
}

prop_compose! {
    fn message()(
        (to, from, id, lang) in header(),
        type_ in proptest::sample::select(vec![
            MessageType::Chat, MessageType::Groupchat, MessageType::Headline, MessageType::Normal, MessageType::Error,
        ]),
        error in stanza_error(),
        body in opt(text()),
        subject in opt(text()),
        thread in opt((text(), opt(text()))),
        oob in opt(("https://[a-z]{1,8}\\.example/[a-z0-9]{0,8}", opt(text()))),
        state in opt(proptest::sample::select(vec![
            ChatState::Active, ChatState::Composing, ChatState::Paused, ChatState::Inactive, ChatState::Gone,
        ])),
        markable in any::<bool>(),
        displayed in opt(text()),
        replace in opt(text()),
        reactions in opt((text(), proptest::collection::vec("[😀-🙏]", 0..3))),
        reply in opt((text(), opt(jid()))),
        delay in opt("20[0-9]{2}-0[1-9]-[12][0-9]T[01][0-9]:[0-5][0-9]:[0-5][0-9](\\.[0-9]{3})?Z"),
        nick in opt(text()),
        stanza_ids in proptest::collection::vec((text(), jid()), 0..3),
        occupant_id in opt(text()),
        json_extra in extra(),
    ) -> Message {
        let mut m = Message::new(type_);
        (m.to, m.from, m.id, m.lang) = (to, from, id, lang);
        if type_ == MessageType::Error {
            m.error = Some(error);
        }
        m.bodies = body.map(Text::new).into_iter().collect();
        m.subjects = subject.map(Text::new).into_iter().collect();
        m.thread = thread.map(|(id, parent)| Thread { id, parent });
        m.oob = oob.map(|(url, desc)| Oob { url, desc }).into_iter().collect();
        m.chat_state = state;
        m.markable = markable;
        m.marker = displayed.map(|id| Marker { kind: MarkerKind::Displayed, id });
        m.replace = replace;
        m.reactions = reactions.map(|(id, reactions)| Reactions { id, reactions });
        m.reply = reply.map(|(id, to)| ReplyTo { id, to });
        m.delay = delay.map(|stamp| Delay { stamp, from: None, reason: None });
        m.nick = nick;
        m.stanza_ids = stanza_ids.into_iter().map(|(id, by)| StanzaId { id, by }).collect();
        m.occupant_id = occupant_id;
        m.json_extra = json_extra;
        m
    }
}

prop_compose! {
    fn presence()(
        (to, from, id, lang) in header(),
        type_ in proptest::sample::select(vec![
            PresenceType::Available, PresenceType::Unavailable, PresenceType::Subscribe, PresenceType::Subscribed,
            PresenceType::Unsubscribe, PresenceType::Unsubscribed, PresenceType::Probe, PresenceType::Error,
        ]),
        error in stanza_error(),
        show in opt(proptest::sample::select(vec![Show::Away, Show::Chat, Show::Dnd, Show::Xa])),
        status in opt(text()),
        priority in opt(any::<i8>()),
        muc in opt(opt((opt(any::<u32>()), opt(any::<u32>()), opt(any::<u32>()), opt(text())))),
        caps in opt((text(), text(), text())),
        idle_since in opt(text()),
        nick in opt(text()),
        json_extra in extra(),
    ) -> Presence {
        let mut p = Presence::new(type_);
        (p.to, p.from, p.id, p.lang) = (to, from, id, lang);
        if type_ == PresenceType::Error {
            p.error = Some(error);
        }
        p.show = show;
        p.statuses = status.map(Text::new).into_iter().collect();
        p.priority = priority;
        p.muc = muc.map(|history| MucJoin {
            password: None,
            history: history.map(|(max_chars, max_stanzas, seconds, since)| MucHistory {
                max_chars,
                max_stanzas,
                seconds,
                since,
            }),
        });
        p.caps = caps.map(|(hash, node, ver)| Caps { hash, node, ver });
        p.idle_since = idle_since;
        p.nick = nick;
        p.json_extra = json_extra;
        p
    }
}

fn round_trip(stanza: Stanza) -> Result<(), TestCaseError> {
    let value = json::to_value(&stanza);
    let back = json::from_value(value.clone())
        .map_err(|e| TestCaseError::fail(format!("{value} did not decode: {e}")))?;
    prop_assert_eq!(&back, &stanza);
    prop_assert_eq!(&json::to_value(&back), &value);
    let bytes = json::encode(&stanza);
    let limits = Limits::default().max_bytes(1 << 20);
    let back = json::decode(&bytes, &limits).map_err(|e| {
        TestCaseError::fail(format!(
            "{} did not decode: {e}",
            String::from_utf8_lossy(&bytes)
        ))
    })?;
    prop_assert_eq!(&back, &stanza);
    // One writer: the bytes are what serde_json writes of the value.
    prop_assert_eq!(&bytes, &serde_json::to_vec(&value).unwrap_or_default());
    // One decoder: the same JSON with its keys in reverse order and every
    // string (keys included) escaped reads the same (strings the decoder
    // cannot borrow from the text, keys in another order than written).
    let mut odd = String::new();
    escaped(&value, &mut odd);
    let back = json::decode(odd.as_bytes(), &limits)
        .map_err(|e| TestCaseError::fail(format!("{odd} did not decode: {e}")))?;
    prop_assert_eq!(back, stanza);
    Ok(())
}

/// `value` as JSON text, objects' keys in reverse order and every character
/// of every string as a `\u` escape.
fn escaped(value: &Value, out: &mut String) {
    let string = |s: &str, out: &mut String| {
        out.push('"');
        for unit in s.encode_utf16() {
            out.push_str(&format!("\\u{unit:04x}"));
        }
        out.push('"');
    };
    match value {
        Value::String(s) => string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                escaped(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().rev().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                string(key, out);
                out.push(':');
                escaped(item, out);
            }
            out.push('}');
        }
        other => out.push_str(&other.to_string()),
    }
}

proptest! {
    #[test]
    fn messages_round_trip(m in message()) {
        round_trip(Stanza::Message(m))?;
    }

    #[test]
    fn presences_round_trip(p in presence()) {
        round_trip(Stanza::Presence(p))?;
    }
}
