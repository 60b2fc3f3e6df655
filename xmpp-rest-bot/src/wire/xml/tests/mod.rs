//! Unit tests of the stanza mapping (the reader and writer have their own).

use super::*;
use crate::stanza::{
    ChatState, Condition, ErrorType, Iq, IqType, MarkerKind, Message, MessageType, Presence,
    PresenceType, Receipt, Show,
};

fn dec(xml: &str) -> Stanza {
    decode(xml.as_bytes(), &Limits::default()).unwrap()
}

fn message(xml: &str) -> Message {
    match dec(xml) {
        Stanza::Message(m) => m,
        other => panic!("not a message: {other:?}"),
    }
}

fn presence(xml: &str) -> Presence {
    match dec(xml) {
        Stanza::Presence(p) => p,
        other => panic!("not a presence: {other:?}"),
    }
}

fn iq(xml: &str) -> Iq {
    match dec(xml) {
        Stanza::Iq(iq) => iq,
        other => panic!("not an iq: {other:?}"),
    }
}

/// Decoding the encoding gives the same model, and the element tree of the
/// encoding equals [`stanza_to_element`].
fn assert_round_trip(stanza: &Stanza) {
    let xml = encode(stanza);
    let again = decode(xml.as_bytes(), &Limits::default()).unwrap();
    assert_eq!(&again, stanza, "{xml}");
    let tree = tree::parse(xml.as_bytes(), &Limits::default(), ns::CLIENT).unwrap();
    assert_eq!(tree, stanza_to_element(stanza), "{xml}");
}

#[test]
fn decodes_the_mod_rest_capture() {
    let m = message(
        "<message to='bot@bot.localhost' id='m1' xml:lang='en' \
         from='alice@localhost/DIMPoLJkC3zS' type='chat'><body>hi</body></message>",
    );
    assert_eq!(m.to.as_ref().unwrap().as_str(), "bot@bot.localhost");
    assert_eq!(
        m.from.as_ref().unwrap().as_str(),
        "alice@localhost/DIMPoLJkC3zS"
    );
    assert_eq!(m.id.as_deref(), Some("m1"));
    assert_eq!(m.lang.as_deref(), Some("en"));
    assert_eq!(m.type_, MessageType::Chat);
    assert_eq!(m.body(), Some("hi"));
    assert!(m.extensions.is_empty());
    assert_eq!(
        encode(&Stanza::Message(m)),
        "<message to='bot@bot.localhost' from='alice@localhost/DIMPoLJkC3zS' id='m1' \
         type='chat' xml:lang='en'><body>hi</body></message>"
    );
}

#[test]
fn accepts_explicit_client_namespace_declaration_and_whitespace() {
    let m = message(
        "\n<?xml version='1.0' encoding='utf-8'?>\n<message xmlns='jabber:client'><body>x</body></message>\n",
    );
    assert_eq!(m.body(), Some("x"));
}

#[test]
fn message_payloads_are_typed() {
    let m = message(
        "<message type='groupchat' from='room@muc.example/nick' xml:lang='en'>\
           <body>hello</body><body xml:lang='de'>hallo</body>\
           <subject>topic</subject>\
           <thread parent='p1'>t1</thread>\
           <html xmlns='http://jabber.org/protocol/xhtml-im'><body xmlns='http://www.w3.org/1999/xhtml'><p>hello <b>you</b></p></body></html>\
           <x xmlns='jabber:x:oob'><url>https://e.x/a.png</url><desc>cat</desc></x>\
           <x xmlns='jabber:x:oob'><url>https://e.x/b.png</url></x>\
           <composing xmlns='http://jabber.org/protocol/chatstates'/>\
           <request xmlns='urn:xmpp:receipts'/>\
           <markable xmlns='urn:xmpp:chat-markers:0'/>\
           <displayed xmlns='urn:xmpp:chat-markers:0' id='m0'/>\
           <replace xmlns='urn:xmpp:message-correct:0' id='old'/>\
           <reactions xmlns='urn:xmpp:reactions:0' id='r1'><reaction>👍</reaction><reaction>🎉</reaction></reactions>\
           <reply xmlns='urn:xmpp:reply:0' to='room@muc.example/other' id='q1'/>\
           <delay xmlns='urn:xmpp:delay' stamp='2024-01-01T00:00:00Z' from='muc.example'>Offline storage</delay>\
           <nick xmlns='http://jabber.org/protocol/nick'>Nick</nick>\
           <stanza-id xmlns='urn:xmpp:sid:0' id='s1' by='room@muc.example'/>\
           <stanza-id xmlns='urn:xmpp:sid:0' id='s2' by='muc.example'/>\
           <origin-id xmlns='urn:xmpp:sid:0' id='o1'/>\
           <occupant-id xmlns='urn:xmpp:occupant-id:0' id='occ'/>\
           <unknown xmlns='urn:example'>kept</unknown>\
         </message>",
    );
    assert_eq!(m.type_, MessageType::Groupchat);
    assert_eq!(m.bodies.len(), 2);
    assert_eq!(m.body_in("de"), Some("hallo"));
    assert_eq!(m.subject(), Some("topic"));
    let thread = m.thread.as_ref().unwrap();
    assert_eq!(
        (thread.id.as_str(), thread.parent.as_deref()),
        ("t1", Some("p1"))
    );
    assert!(m.html.as_ref().unwrap().is("html", ns::XHTML_IM));
    assert_eq!(m.oob.len(), 2);
    assert_eq!(m.oob[0].desc.as_deref(), Some("cat"));
    assert_eq!(m.oob[1].desc, None);
    assert_eq!(m.chat_state, Some(ChatState::Composing));
    assert_eq!(m.receipt, Some(Receipt::Request));
    assert!(m.markable);
    let marker = m.marker.as_ref().unwrap();
    assert_eq!(
        (marker.kind, marker.id.as_str()),
        (MarkerKind::Displayed, "m0")
    );
    assert_eq!(m.replace.as_deref(), Some("old"));
    assert_eq!(m.reactions.as_ref().unwrap().reactions, ["👍", "🎉"]);
    let reply = m.reply.as_ref().unwrap();
    assert_eq!(
        reply.to.as_ref().unwrap().as_str(),
        "room@muc.example/other"
    );
    let delay = m.delay.as_ref().unwrap();
    assert_eq!(delay.stamp, "2024-01-01T00:00:00Z");
    assert_eq!(delay.reason.as_deref(), Some("Offline storage"));
    assert_eq!(m.nick.as_deref(), Some("Nick"));
    assert_eq!(m.stanza_ids.len(), 2);
    assert_eq!(m.stanza_ids[1].by.as_str(), "muc.example");
    assert_eq!(m.origin_id.as_deref(), Some("o1"));
    assert_eq!(m.occupant_id.as_deref(), Some("occ"));
    assert_eq!(m.extensions.len(), 1);
    assert!(m.extensions[0].is("unknown", "urn:example"));
    assert_round_trip(&Stanza::Message(m));
}

#[test]
fn malformed_or_repeated_payloads_stay_extensions() {
    let m = message(
        "<message>\
           <delay xmlns='urn:xmpp:delay' from='a@b'/>\
           <stanza-id xmlns='urn:xmpp:sid:0' id='s1' by='@invalid'/>\
           <stanza-id xmlns='urn:xmpp:sid:0' id='s2'/>\
           <active xmlns='http://jabber.org/protocol/chatstates'/>\
           <paused xmlns='http://jabber.org/protocol/chatstates'/>\
           <typing xmlns='http://jabber.org/protocol/chatstates'/>\
           <body>one</body><body>two</body>\
           <subject><b>bold?</b></subject>\
           <x xmlns='jabber:x:oob'><desc>no url</desc></x>\
           <origin-id xmlns='urn:xmpp:sid:0' id='o1' extra='x'/>\
           <replace xmlns='urn:xmpp:message-correct:0'/>\
           <reactions xmlns='urn:xmpp:reactions:0' id='r'><reaction>a</reaction><other/></reactions>\
           <reply xmlns='urn:xmpp:reply:0' to='not a jid@' id='q'/>\
           <thread/>\
           <markable xmlns='urn:xmpp:chat-markers:0'/><markable xmlns='urn:xmpp:chat-markers:0'/>\
           <error type='bogus'><bad-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>\
         </message>",
    );
    assert_eq!(m.delay, None);
    assert!(m.stanza_ids.is_empty());
    assert_eq!(m.chat_state, Some(ChatState::Active));
    assert_eq!(m.bodies.len(), 1);
    assert_eq!(m.body(), Some("one"));
    assert!(m.subjects.is_empty());
    assert!(m.oob.is_empty());
    assert_eq!(m.origin_id, None);
    assert_eq!(m.replace, None);
    assert_eq!(m.reactions, None);
    assert_eq!(m.reply, None);
    assert_eq!(m.thread, None);
    assert!(m.markable);
    assert_eq!(m.error, None);
    let names: Vec<&str> = m.extensions.iter().map(Element::name).collect();
    assert_eq!(
        names,
        [
            "delay",
            "stanza-id",
            "stanza-id",
            "paused",
            "typing",
            "body",
            "subject",
            "x",
            "origin-id",
            "replace",
            "reactions",
            "reply",
            "thread",
            "markable",
            "error"
        ]
    );
    // the rejected payloads come back out exactly as they came in
    assert_eq!(
        m.extensions[8].attr("extra"),
        Some("x"),
        "origin-id keeps its unknown attribute"
    );
    assert_round_trip(&Stanza::Message(m));
}

#[test]
fn receipts_and_markers() {
    let m = message(
        "<message><received xmlns='urn:xmpp:receipts' id='r1'/>\
         <acknowledged xmlns='urn:xmpp:chat-markers:0' id='a1'/></message>",
    );
    assert_eq!(
        m.receipt,
        Some(Receipt::Received {
            id: Some("r1".into())
        })
    );
    assert_eq!(m.marker.as_ref().unwrap().kind, MarkerKind::Acknowledged);
    assert!(m.is_contentless());
    assert_round_trip(&Stanza::Message(m));
    let m = message("<message><received xmlns='urn:xmpp:receipts'/></message>");
    assert_eq!(m.receipt, Some(Receipt::Received { id: None }));
    assert_round_trip(&Stanza::Message(m));
}

#[test]
fn presence_payloads_are_typed() {
    let p = presence(
        "<presence to='room@muc.example/bot' xml:lang='en'>\
           <show>dnd</show><status>busy</status><status xml:lang='fr'>occupé</status>\
           <priority>-5</priority>\
           <x xmlns='http://jabber.org/protocol/muc'><password>secret</password>\
             <history maxchars='0' maxstanzas='10' seconds='60' since='2024-01-01T00:00:00Z'/></x>\
           <c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='https://gajim.org' ver='abc='/>\
           <idle xmlns='urn:xmpp:idle:1' since='2024-01-01T00:00:00Z'/>\
           <nick xmlns='http://jabber.org/protocol/nick'>Bot</nick>\
           <x xmlns='vcard-temp:x:update'><photo/></x>\
         </presence>",
    );
    assert_eq!(p.type_, PresenceType::Available);
    assert_eq!(p.show, Some(Show::Dnd));
    assert_eq!(p.status(), Some("busy"));
    assert_eq!(p.statuses.len(), 2);
    assert_eq!(p.priority, Some(-5));
    let muc = p.muc.as_ref().unwrap();
    assert_eq!(muc.password.as_deref(), Some("secret"));
    let history = muc.history.as_ref().unwrap();
    assert_eq!(
        (history.max_chars, history.max_stanzas, history.seconds),
        (Some(0), Some(10), Some(60))
    );
    assert_eq!(p.caps.as_ref().unwrap().ver, "abc=");
    assert_eq!(p.idle_since.as_deref(), Some("2024-01-01T00:00:00Z"));
    assert_eq!(p.nick.as_deref(), Some("Bot"));
    assert_eq!(p.extensions.len(), 1);
    assert_round_trip(&Stanza::Presence(p));
}

#[test]
fn malformed_presence_payloads_stay_extensions() {
    let p = presence(
        "<presence type='unavailable'><show>busy</show><priority>300</priority>\
         <x xmlns='http://jabber.org/protocol/muc'><history maxstanzas='-1'/></x>\
         <c xmlns='http://jabber.org/protocol/caps' node='n' ver='v'/>\
         <idle xmlns='urn:xmpp:idle:1'/></presence>",
    );
    assert_eq!(p.type_, PresenceType::Unavailable);
    assert_eq!((p.show, p.priority), (None, None));
    assert_eq!((p.muc.is_none(), p.caps.is_none()), (true, true));
    assert_eq!(p.idle_since, None);
    assert_eq!(p.extensions.len(), 5);
    assert_round_trip(&Stanza::Presence(p));
}

#[test]
fn muc_join_without_history_encodes_like_clients_do() {
    let room: crate::stanza::BareJid = "room@muc.example".parse().unwrap();
    let p = Presence::join_room(&room, "bot").unwrap();
    assert_eq!(
        encode(&Stanza::Presence(p.clone())),
        "<presence to='room@muc.example/bot'><x xmlns='http://jabber.org/protocol/muc'>\
         <history maxstanzas='0'/></x></presence>"
    );
    assert_round_trip(&Stanza::Presence(p));
}

#[test]
fn iq_payload_error_and_extensions() {
    let q =
        iq("<iq type='get' id='v1' to='bot@example.net'><query xmlns='jabber:iq:version'/></iq>");
    assert_eq!(q.type_, IqType::Get);
    assert!(q.payload.as_ref().unwrap().is("query", ns::VERSION));
    assert_round_trip(&Stanza::Iq(q));

    let e = iq(
        "<iq type='error' id='v1'><query xmlns='jabber:iq:version'/>\
                <error type='cancel' by='example.net'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>\
                <text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas' xml:lang='en'>nope</text>\
                <too-many xmlns='urn:example:errors'/></error><extra xmlns='urn:x'/></iq>",
    );
    assert!(e.payload.as_ref().unwrap().is("query", ns::VERSION));
    let err = e.error.as_ref().unwrap();
    assert_eq!(err.condition, Condition::ServiceUnavailable);
    assert_eq!(err.type_, ErrorType::Cancel);
    assert_eq!(err.by.as_ref().unwrap().as_str(), "example.net");
    assert_eq!(err.text.as_deref(), Some("nope"));
    assert_eq!(err.text_lang.as_deref(), Some("en"));
    assert!(err.extensions[0].is("too-many", "urn:example:errors"));
    assert_eq!(e.extensions.len(), 1);
    assert_round_trip(&Stanza::Iq(e));

    // an error before the payload is still the error; the payload is the first other child
    let e = iq(
        "<iq type='error'><error type='wait'><resource-constraint xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>\
                <ping xmlns='urn:xmpp:ping'/></iq>",
    );
    assert_eq!(
        e.error.as_ref().unwrap().condition,
        Condition::ResourceConstraint
    );
    assert!(e.payload.as_ref().unwrap().is("ping", ns::PING));
}

#[test]
fn stanza_error_details() {
    let m = message(
        "<message type='error'><error type='modify' code='302'>\
         <redirect xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>xmpp:other@example.org</redirect>\
         </error></message>",
    );
    let err = m.error.as_ref().unwrap();
    assert_eq!(err.condition, Condition::Redirect);
    assert_eq!(err.alternative.as_deref(), Some("xmpp:other@example.org"));
    assert_round_trip(&Stanza::Message(m));

    // no defined condition: kept whole
    let m = message(
        "<message type='error'><error type='cancel'><oops xmlns='urn:x'/></error></message>",
    );
    assert_eq!(m.error, None);
    assert_eq!(m.extensions.len(), 1);

    // every condition round-trips
    for &condition in Condition::ALL {
        let m = Message::new(MessageType::Error);
        let stanza = Stanza::Message(m).error(condition);
        assert_round_trip(&stanza);
    }
}

#[test]
fn rejects_wrong_top_elements_and_attributes() {
    fn invalid(xml: &str) -> String {
        let err = decode(xml.as_bytes(), &Limits::default()).unwrap_err();
        assert!(err.is_invalid(), "{xml}: {err}");
        err.to_string()
    }
    assert!(invalid("<foo/>").contains("found <foo/>"));
    assert!(invalid("<message xmlns='jabber:server'/>").contains("jabber:server"));
    assert!(invalid("<message to='@example.org'/>").contains("invalid to attribute"));
    assert!(invalid("<message from='a@b/c' to='x@@y'/>").contains("to attribute"));
    assert!(invalid("<presence from=''/>").contains("from attribute"));
    assert!(
        invalid("<message type='bogus'/>")
            .contains("invalid type attribute \"bogus\" on <message/>")
    );
    assert!(invalid("<presence type='away'/>").contains("<presence/>"));
    assert!(invalid("<iq/>").contains("missing type attribute on <iq/>"));
    assert!(invalid("<iq type='query'/>").contains("<iq/>"));
}

#[test]
fn a_prefixed_stanza_element_in_jabber_client_is_accepted() {
    let m = message("<c:message xmlns:c='jabber:client'><c:body>hi</c:body></c:message>");
    assert_eq!(m.body(), Some("hi"));
}

#[test]
fn defaults_are_written_as_absent_attributes() {
    let m = message("<message type='normal'/>");
    assert_eq!(encode(&Stanza::Message(m)), "<message/>");
    let p = presence("<presence type='available'/>");
    assert_eq!(encode(&Stanza::Presence(p)), "<presence/>");
}

#[test]
fn text_directly_inside_a_stanza_is_ignored_but_payload_text_is_exact() {
    let m = message("<message> stray <body>  two  spaces\nline </body></message>");
    assert_eq!(m.body(), Some("  two  spaces\nline "));
    assert!(m.extensions.is_empty());
}

#[test]
fn unknown_stanza_attributes_are_dropped() {
    let m = message("<message foo='bar' xmlns:p='urn:p' p:x='1'><body>x</body></message>");
    assert_eq!(
        encode(&Stanza::Message(m)),
        "<message><body>x</body></message>"
    );
}

#[test]
fn encodes_namespaces_and_escapes() {
    let mut m = Message::chat("a@example.org".parse().unwrap(), "<&>'\"\r\n");
    m.id = Some("it's \"quoted\"\t".into());
    m.extensions.push(
        Element::builder("x", "urn:x")
            .attr_ns("urn:attr", "a", "1")
            .child(Element::builder("y", "").build())
            .child(Element::builder("body", ns::CLIENT).build())
            .build(),
    );
    let xml = encode(&Stanza::Message(m.clone()));
    assert_eq!(
        xml,
        "<message to='a@example.org' id='it&apos;s \"quoted\"&#9;' type='chat'>\
         <body>&lt;&amp;&gt;'\"&#13;\n</body>\
         <x xmlns='urn:x' xmlns:ns0='urn:attr' ns0:a='1'><y xmlns=''/><body xmlns='jabber:client'/></x>\
         </message>"
    );
    assert_round_trip(&Stanza::Message(m));
}

#[test]
fn element_display_declares_its_namespace() {
    let el = Element::builder("query", ns::VERSION)
        .child(Element::builder("name", ns::VERSION).text("bot").build())
        .build();
    assert_eq!(
        el.to_string(),
        "<query xmlns='jabber:iq:version'><name>bot</name></query>"
    );
    let mut inside = String::new();
    crate::stanza::xml_text::write_element(&mut inside, &el, ns::VERSION);
    assert_eq!(inside, "<query><name>bot</name></query>");
    assert_eq!(Element::new("x", "").to_string(), "<x/>");
}

#[test]
fn parse_element_reads_fragments_in_no_namespace() {
    let el = parse_element(b"<a><b xmlns='urn:b'/></a>", &Limits::default()).unwrap();
    assert!(el.is("a", ""));
    assert!(el.children().next().unwrap().is("b", "urn:b"));
    assert_eq!(el.to_string(), "<a><b xmlns='urn:b'/></a>");
}

#[test]
fn decode_all_unwraps_xmpp_wrappers() {
    let all = decode_all(
        b"<xmpp>\n<message id='1'><body>a</body></message>\n<iq type='result' id='2'/>\n</xmpp>",
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].id(), Some("1"));
    assert_eq!(all[1].kind().as_str(), "iq");
    let err = decode_all(b"<xmpp><foo/></xmpp>", &Limits::default()).unwrap_err();
    assert!(err.is_invalid());
}

#[test]
fn characters_xml_cannot_carry_are_replaced_on_encoding() {
    use crate::stanza::Element;
    let to: crate::stanza::Jid = "alice@example.org".parse().unwrap();
    let text = "\u{1b}[31mred\u{1b}[0m \u{0}\u{8}\u{1f} tab\tnl\ncr\r \u{fffe}\u{ffff}\u{fffd}\u{ef}\u{feff} é ✓";
    let mut msg = Message::chat(to, text);
    msg.extensions
        .push(Element::builder("x", "urn:example").attr("a", text).build());
    let xml = encode(&Stanza::Message(msg));
    let expected = "\u{fffd}[31mred\u{fffd}[0m \u{fffd}\u{fffd}\u{fffd} tab\tnl\ncr\r \u{fffd}\u{fffd}\u{fffd}\u{ef}\u{feff} é ✓";
    // The strict decoder, which refuses those characters, takes the output.
    let Stanza::Message(back) = decode(xml.as_bytes(), &Limits::default()).unwrap() else {
        panic!("not a message: {xml}")
    };
    assert_eq!(back.body(), Some(expected));
    assert_eq!(back.extensions[0].attr("a"), Some(expected));
}

#[test]
fn elements_and_attributes_xml_cannot_carry_are_left_out() {
    use crate::stanza::Element;
    let to: crate::stanza::Jid = "alice@example.org".parse().unwrap();
    let mut msg = Message::chat(to, "hi");
    let mut kept = Element::builder("x", "urn:example")
        .attr("ok", "1")
        .attr("not a name", "2")
        .attr("x'/><injected a='", "3")
        .build();
    kept.push_child(Element::new("in xml ns", "urn:example"));
    kept.push_child(Element::new("child", "urn:example:inner"));
    msg.extensions.push(kept);
    msg.extensions
        .push(Element::new("lang", "http://www.w3.org/XML/1998/namespace"));
    msg.extensions
        .push(Element::new("decl", "http://www.w3.org/2000/xmlns/"));
    msg.extensions.push(Element::new("p:q", "urn:example"));
    msg.extensions.push(Element::new("", "urn:example"));
    let xml = encode(&Stanza::Message(msg));
    let Stanza::Message(back) = decode(xml.as_bytes(), &Limits::default()).unwrap() else {
        panic!("not a message: {xml}")
    };
    assert_eq!(back.body(), Some("hi"));
    assert_eq!(back.extensions.len(), 1, "{xml}");
    let x = &back.extensions[0];
    assert_eq!(x.attrs().len(), 1, "{xml}");
    assert_eq!(x.attr("ok"), Some("1"));
    let children: Vec<_> = x.children().map(|c| c.name().to_owned()).collect();
    assert_eq!(children, ["child"], "{xml}");
    assert!(!xml.contains("injected"), "{xml}");
}

#[test]
fn stanza_element_attributes_are_checked_like_any_other() {
    let malformed = |s: &str| {
        let err = decode(s.as_bytes(), &Limits::default()).unwrap_err();
        assert!(err.is_malformed(), "{s:?}: {err}");
        err.to_string()
    };
    assert!(malformed("<message to='a' to='b'/>").contains("duplicate attribute"));
    assert!(malformed("<message xml:lang='en' xml:lang='de'/>").contains("duplicate"));
    // the same attribute through two prefixes bound to one namespace
    assert!(
        malformed("<message xmlns:p='urn:x' xmlns:q='urn:x' p:a='1' q:a='2'/>")
            .contains("duplicate attribute")
    );
    assert!(malformed("<message q:a='1'/>").contains("unbound namespace prefix"));
    assert!(malformed("<message a='<'/>").contains("'<'"));
    let limits = Limits::default().max_attributes(2);
    let err = decode(b"<message a='1' b='2' c='3'/>", &limits).unwrap_err();
    assert!(err.is_limit());
    // a prefixed `to` is not the address; escapes are resolved
    let m = message("<message xmlns:p='urn:x' to='a@b' p:to='x' id='1&amp;2'/>");
    assert_eq!(m.to.unwrap().as_str(), "a@b");
    assert_eq!(m.id.as_deref(), Some("1&2"));
}

#[test]
fn a_bad_stanza_element_is_reported_after_the_input_is_known_well_formed() {
    // invalid first, malformed later: malformed wins, as it would for a tree
    let err = decode(b"<message to='@'><body>x</message>", &Limits::default()).unwrap_err();
    assert!(err.is_malformed(), "{err}");
    let err = decode(b"<foo><a></foo>", &Limits::default()).unwrap_err();
    assert!(err.is_malformed(), "{err}");
    let err = decode(b"<foo><a/></foo>", &Limits::default()).unwrap_err();
    assert!(err.is_invalid(), "{err}");
    let err = decode(
        b"<message to='@'><body>x</body></message>",
        &Limits::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("invalid to attribute"), "{err}");
}

#[test]
fn children_with_children_are_trees_and_leaves_copy_nothing_they_do_not_keep() {
    // a typed payload read from a tree (oob) and one from a leaf (body)
    let m = message(
        "<message><body>a&amp;b</body><x xmlns='jabber:x:oob'><url>u</url> </x>\
         <store xmlns='urn:xmpp:hints'/><e xmlns='urn:example' k='v'>t<f/>u</e></message>",
    );
    assert_eq!(m.body(), Some("a&b"));
    assert_eq!(m.oob[0].url, "u");
    assert_eq!(m.extensions.len(), 2);
    assert!(m.extensions[0].is("store", ns::HINTS));
    let e = &m.extensions[1];
    assert_eq!(e.attr("k"), Some("v"));
    assert_eq!(e.nodes().len(), 3);
    assert_eq!(e.text(), "tu");
}

mod differential;
