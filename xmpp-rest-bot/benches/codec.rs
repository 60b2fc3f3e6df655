//! Parse + serialize throughput of the wire codecs, against xmpp-parsers/minidom
//! on the same XML.
//!
//! Run: `cargo bench -p xmpp-rest-bot --bench codec`

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use xmpp_rest_bot::wire::{Limits, WireFormat};

/// A typical chat message as mod_rest posts it: a body, a receipt request,
/// a chat state, markers, an origin id, a client's caps-less extras.
const CHAT_XML: &str = "<message to='bot@bot.example.net' id='9f5a7c2e-41b0-4f66-8d52-0b7d7c1f2a11' \
xml:lang='en' from='alice@example.org/Conversations.x7Yh' type='chat'>\
<body>!deploy prod v1.2.3 — please &amp; thank you</body>\
<request xmlns='urn:xmpp:receipts'/><markable xmlns='urn:xmpp:chat-markers:0'/>\
<active xmlns='http://jabber.org/protocol/chatstates'/>\
<origin-id xmlns='urn:xmpp:sid:0' id='9f5a7c2e-41b0-4f66-8d52-0b7d7c1f2a11'/>\
<store xmlns='urn:xmpp:hints'/></message>";

fn disco_info_xml() -> String {
    let mut xml = String::from(
        "<iq to='alice@example.org/gajim' id='disco1' from='bot.example.net' type='result'>\
<query xmlns='http://jabber.org/protocol/disco#info'>\
<identity category='component' type='bot' name='Ops bot'/>\
<identity category='client' type='bot' name='Ops bot' xml:lang='en'/>",
    );
    for i in 0..60 {
        xml.push_str(&format!("<feature var='urn:example:feature:{i}'/>"));
    }
    xml.push_str(
        "<x xmlns='jabber:x:data' type='result'>\
<field var='FORM_TYPE' type='hidden'><value>urn:xmpp:dataforms:softwareinfo</value></field>\
<field var='software'><value>xmpp-rest-bot</value></field>\
<field var='software_version'><value>0.1.0</value></field>\
<field var='os'><value>Linux</value></field></x></query></iq>",
    );
    xml
}

/// minidom wants the stanza namespace declared on the root.
fn with_client_ns(xml: &str) -> String {
    let end = xml.find(' ').unwrap_or(xml.len());
    format!("{} xmlns='jabber:client'{}", &xml[..end], &xml[end..])
}

fn bench_stanza(c: &mut Criterion, name: &str, xml: &str) {
    let limits = Limits::default();
    let stanza = WireFormat::Xml
        .decode(xml.as_bytes(), &limits)
        .expect("fixture decodes");
    let json = WireFormat::Json.encode(&stanza);
    let minidom_xml = with_client_ns(xml);

    let mut group = c.benchmark_group(format!("codec/{name}"));
    group.throughput(Throughput::Bytes(xml.len() as u64));
    group.bench_function("xml", |b| {
        b.iter(|| {
            let stanza = WireFormat::Xml
                .decode(black_box(xml.as_bytes()), &limits)
                .expect("decodes");
            black_box(WireFormat::Xml.encode(&stanza))
        })
    });
    group.bench_function("json", |b| {
        b.iter(|| {
            let stanza = WireFormat::Json
                .decode(black_box(&json), &limits)
                .expect("decodes");
            black_box(WireFormat::Json.encode(&stanza))
        })
    });
    group.bench_function("xmpp-parsers", |b| {
        b.iter(|| {
            let root: minidom::Element = black_box(minidom_xml.as_str()).parse().expect("parses");
            let out = if root.name() == "iq" {
                let iq = xmpp_parsers::iq::Iq::try_from(root).expect("an iq");
                minidom::Element::from(iq)
            } else {
                let msg = xmpp_parsers::message::Message::try_from(root).expect("a message");
                minidom::Element::from(msg)
            };
            black_box(String::from(&out))
        })
    });
    group.finish();
}

fn codec(c: &mut Criterion) {
    bench_stanza(c, "chat_message", CHAT_XML);
    bench_stanza(c, "disco_info_result", &disco_info_xml());
}

criterion_group!(benches, codec);
criterion_main!(benches);
