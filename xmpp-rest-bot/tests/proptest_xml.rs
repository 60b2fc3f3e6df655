//! Property tests of the XML wire format: arbitrary element trees and messages
//! round-trip, and arbitrary bytes never make the decoder panic.

use proptest::prelude::*;
use xmpp_rest_bot::stanza::{
    ChatState, Condition, Delay, Element, ErrorType, Jid, Marker, MarkerKind, Message, MessageType,
    Oob, Reactions, Receipt, ReplyTo, Stanza, StanzaError, StanzaId, Text, Thread, ns,
};
use xmpp_rest_bot::wire::{Limits, xml};

/// Characters XML allows, weighted towards the ones that need escaping or
/// normalisation.
fn xml_char() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => prop::sample::select(vec![
            '&', '<', '>', '\'', '"', '\t', '\n', '\r', ' ', ']', ';', '#', 'é', '😀', '\u{85}',
            '\u{2028}', '\u{FFFD}',
        ]),
        5 => prop::char::range('a', 'z'),
        2 => any::<char>().prop_filter("xml char", |c| {
            matches!(*c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
        }),
    ]
}

fn xml_string(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(xml_char(), 0..max).prop_map(|chars| chars.into_iter().collect())
}

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z_][a-zA-Z0-9._-]{0,8}",
        prop::sample::select(vec!["body", "x", "é-té", "名前", "a.b", "_"]).prop_map(String::from),
    ]
}

fn namespace() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "",
        "jabber:client",
        "urn:a",
        "urn:b",
        "http://example.org/ns?a=1&b='2'",
        "urn:<weird>\"ns\"",
    ])
    .prop_map(String::from)
}

fn attr_ns() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        4 => Just(None),
        1 => Just(Some(ns::XML.to_string())),
        1 => Just(Some("urn:attr:p".to_string())),
        1 => Just(Some("urn:attr:q&'".to_string())),
    ]
}

fn leaf() -> impl Strategy<Value = Element> {
    (
        name(),
        namespace(),
        prop::collection::vec(
            (
                attr_ns(),
                name().prop_filter("not a declaration", |n| n != "xmlns"),
                xml_string(12),
            ),
            0..4,
        ),
    )
        .prop_map(|(name, ns, attrs)| {
            let mut el = Element::new(name, ns);
            for (ans, aname, value) in attrs {
                el.set_attr_ns(ans.as_deref(), aname, value);
            }
            el
        })
}

/// An arbitrary element tree (text nodes merged as `push_text` does).
fn element() -> impl Strategy<Value = Element> {
    leaf().prop_recursive(4, 32, 5, |inner| {
        (
            leaf(),
            prop::collection::vec(
                prop_oneof![inner.prop_map(Ok), xml_string(10).prop_map(Err)],
                0..5,
            ),
        )
            .prop_map(|(mut el, children)| {
                for child in children {
                    match child {
                        Ok(child) => el.push_child(child),
                        Err(text) => el.push_text(text),
                    }
                }
                el
            })
    })
}

fn jid() -> impl Strategy<Value = Jid> {
    (
        "[a-z]{1,6}",
        "[a-z]{1,6}",
        prop::option::of("[A-Za-z0-9.-]{1,6}"),
    )
        .prop_map(|(node, domain, resource)| {
            let s = match resource {
                Some(r) => format!("{node}@{domain}.example/{r}"),
                None => format!("{node}@{domain}.example"),
            };
            Jid::new(&s).expect("valid jid")
        })
}

fn texts() -> impl Strategy<Value = Vec<Text>> {
    prop::collection::vec((prop::option::of("[a-z]{2}"), xml_string(20)), 0..3).prop_map(|items| {
        let mut out: Vec<Text> = Vec::new();
        for (lang, text) in items {
            // one text per language, as on the wire
            if !out.iter().any(|t| t.lang == lang) {
                out.push(Text { lang, text });
            }
        }
        out
    })
}

/// Extensions in namespaces the SDK does not model.
fn extension() -> impl Strategy<Value = Element> {
    (element(), 0..3u8).prop_map(|(el, n)| {
        let mut ext = Element::new(format!("ext{n}"), format!("urn:ext:{n}"));
        ext.push_child(el);
        ext
    })
}

fn message() -> impl Strategy<Value = Message> {
    let head = (
        prop::option::of(jid()),
        prop::option::of(jid()),
        prop::option::of(xml_string(10)),
        prop::sample::select(vec![
            MessageType::Chat,
            MessageType::Groupchat,
            MessageType::Headline,
            MessageType::Normal,
            MessageType::Error,
        ]),
        prop::option::of("[a-z]{2}(-[A-Z]{2})?"),
    );
    let text = (
        texts(),
        texts(),
        prop::option::of(("[a-z0-9]{1,8}", prop::option::of(xml_string(6)))),
        prop::option::of(element().prop_map(|body| {
            Element::builder("html", ns::XHTML_IM)
                .child(
                    Element::builder("body", ns::XHTML)
                        .child(body)
                        .text(" tail ")
                        .build(),
                )
                .build()
        })),
        prop::collection::vec((xml_string(20), prop::option::of(xml_string(10))), 0..3),
    );
    let markers = (
        prop::option::of(prop::sample::select(vec![
            ChatState::Active,
            ChatState::Composing,
            ChatState::Paused,
            ChatState::Inactive,
            ChatState::Gone,
        ])),
        prop::option::of(prop_oneof![
            Just(Receipt::Request),
            prop::option::of(xml_string(8)).prop_map(|id| Receipt::Received { id }),
        ]),
        any::<bool>(),
        prop::option::of((
            prop::sample::select(vec![
                MarkerKind::Received,
                MarkerKind::Displayed,
                MarkerKind::Acknowledged,
            ]),
            xml_string(8),
        )),
        prop::option::of(xml_string(8)),
    );
    let refs = (
        prop::option::of((xml_string(8), prop::collection::vec(xml_string(4), 0..3))),
        prop::option::of((prop::option::of(jid()), xml_string(8))),
        prop::option::of((
            xml_string(20),
            prop::option::of(jid()),
            prop::option::of(xml_string(10).prop_filter("non-empty", |s| !s.is_empty())),
        )),
        prop::option::of(xml_string(8)),
        prop::collection::vec((xml_string(8), jid()), 0..3),
        prop::option::of(xml_string(8)),
        prop::option::of(xml_string(8)),
    );
    let rest = (
        prop::option::of((
            prop::sample::select(Condition::ALL.to_vec()),
            prop::option::of(xml_string(10)),
            prop::option::of(jid()),
        )),
        prop::collection::vec(extension(), 0..3),
    );
    (head, text, markers, refs, rest).prop_map(
        |(
            (to, from, id, type_, lang),
            (bodies, subjects, thread, html, oob),
            (chat_state, receipt, markable, marker, replace),
            (reactions, reply, delay, nick, stanza_ids, origin_id, occupant_id),
            (error, extensions),
        )| {
            let mut m = Message::new(type_);
            m.to = to;
            m.from = from;
            m.id = id;
            m.lang = lang;
            m.bodies = bodies;
            m.subjects = subjects;
            m.thread = thread.map(|(id, parent)| Thread { id, parent });
            m.html = html;
            m.oob = oob
                .into_iter()
                .map(|(url, desc)| Oob { url, desc })
                .collect();
            m.chat_state = chat_state;
            m.receipt = receipt;
            m.markable = markable;
            m.marker = marker.map(|(kind, id)| Marker { kind, id });
            m.replace = replace;
            m.reactions = reactions.map(|(id, reactions)| Reactions { id, reactions });
            m.reply = reply.map(|(to, id)| ReplyTo { to, id });
            m.delay = delay.map(|(stamp, from, reason)| Delay {
                stamp,
                from,
                reason,
            });
            m.nick = nick;
            m.stanza_ids = stanza_ids
                .into_iter()
                .map(|(id, by)| StanzaId { id, by })
                .collect();
            m.origin_id = origin_id;
            m.occupant_id = occupant_id;
            m.error = error.map(|(condition, text, by)| {
                let mut e = StanzaError::new(condition).with_type(ErrorType::Cancel);
                e.text = text;
                e.by = by;
                e
            });
            m.extensions = extensions;
            m
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn element_trees_round_trip(el in element()) {
        let text = el.to_string();
        let parsed = xml::parse_element(text.as_bytes(), &Limits::default())
            .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(&parsed, &el, "{}", text);
        // and serialising again gives the same text
        prop_assert_eq!(parsed.to_string(), text);
    }

    #[test]
    fn messages_round_trip(m in message()) {
        let stanza = Stanza::Message(m);
        let text = xml::encode(&stanza);
        let decoded = xml::decode(text.as_bytes(), &Limits::default().max_depth(16))
            .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(&decoded, &stanza, "{}", text);
        prop_assert_eq!(xml::encode(&decoded), text);
        let parsed = xml::parse_element(
            format!("<w xmlns='jabber:client'>{}</w>", xml::encode(&stanza)).as_bytes(),
            &Limits::default().max_depth(17),
        ).unwrap();
        prop_assert_eq!(parsed.children().next(), Some(&xml::stanza_to_element(&stanza)));
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = xml::decode(&bytes, &Limits::default());
        let _ = xml::parse_element(&bytes, &Limits::default());
    }

    #[test]
    fn mutated_stanzas_never_panic_and_round_trip_when_accepted(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0..3u8), 1..6)
    ) {
        let mut bytes = b"<message to='bot@example.net' from='a@example.org/r' type='chat' id='x'>\
            <body xml:lang='en'>hi &amp; bye</body><x xmlns='urn:x' xmlns:p='urn:p' p:a='1'>\
            <y>t</y></x><request xmlns='urn:xmpp:receipts'/></message>".to_vec();
        for (at, byte, op) in edits {
            let i = at.index(bytes.len());
            match op {
                0 => bytes[i] = byte,
                1 => bytes.insert(i, byte),
                _ => { bytes.remove(i); }
            }
        }
        if let Ok(stanza) = xml::decode(&bytes, &Limits::default()) {
            let text = xml::encode(&stanza);
            let again = xml::decode(text.as_bytes(), &Limits::default())
                .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
            prop_assert_eq!(again, stanza);
        }
    }
}
