//! The one-pass decoder against the element tree path (the whole tree
//! first, then the payload fields over element views): fixtures, generated
//! and mutated inputs, tight limits.

use super::*;

/// What the element tree path makes of `src` (the whole tree first, then
/// the payload fields over element views): the reference the streaming
/// decoder must match, error included.
fn via_tree(src: &str, limits: &Limits) -> std::result::Result<Stanza, String> {
    super::tree::parse(src.as_bytes(), limits, ns::CLIENT)
        .and_then(super::stanza::element_to_stanza)
        .map_err(|e| e.to_string())
}

/// The streaming decoder reads `src` exactly as the tree path does; whether
/// it decoded.
fn assert_decodes_as_tree(src: &str) -> bool {
    assert_decodes_as_tree_within(src, &Limits::default())
}

fn assert_decodes_as_tree_within(src: &str, limits: &Limits) -> bool {
    let expected = via_tree(src, limits);
    let got = decode(src.as_bytes(), limits).map_err(|e| e.to_string());
    assert_eq!(got, expected, "{src}");
    got.is_ok()
}

#[test]
fn the_decoder_reads_fixtures_and_generated_messages_as_the_tree_path() {
    // Every fixture, whichever way it goes.
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/xml");
    let mut seen = 0;
    for entry in std::fs::read_dir(&fixtures).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "xml") {
            let src = std::fs::read_to_string(&path).unwrap();
            assert_decodes_as_tree(src.trim_end());
            seen += 1;
        }
    }
    assert!(seen > 20, "fixtures not found in {}", fixtures.display());

    // Generated: every subset of the payloads, in two orders, with both
    // quotes, escapes and non-ASCII text.
    let payloads = [
        "<active xmlns='http://jabber.org/protocol/chatstates'/>",
        "<request xmlns='urn:xmpp:receipts'/>",
        "<markable xmlns=\"urn:xmpp:chat-markers:0\"/>",
        "<origin-id xmlns='urn:xmpp:sid:0' id='6a1f&amp;0c'/>",
        "<stanza-id by='ops@rooms.example.org' xmlns='urn:xmpp:sid:0' id='K7aa-31_d'/>",
        "<stanza-id xmlns='urn:xmpp:sid:0' id='second' by='example.org'/>",
        "<occupant-id xmlns='urn:xmpp:occupant-id:0' id='dGhp=='/>",
        "<reply xmlns='urn:xmpp:reply:0' to='bot@bot.example.net' id='prev-42'/>",
        "<store xmlns='urn:xmpp:hints'/><no-copy xmlns='urn:xmpp:hints'/>",
    ];
    let bodies = [
        None,
        Some("<body></body>"),
        Some("<body>!status please</body>"),
        Some("<body>hi &lt;bot&gt; &amp; friends &#x1F389;&#233; — ünïcödé ✓ > \" '\n\ttab</body>"),
    ];
    let heads = [
        "<message>",
        "<message to='bot@bot.example.net' id='m1' xml:lang='en' from='alice@example.org/phone' type='chat'>",
        "<message type=\"groupchat\" from=\"ops@rooms.example.org/carol\" to=\"bot@bot.example.net\">",
        "<message type='headline' id='a&apos;b&#x26;c' to='Bot@Bot.Example.NET'>",
        "<message type='normal' xml:lang=''>",
    ];
    let mut taken = 0;
    for (h, head) in heads.iter().enumerate() {
        for (b, body) in bodies.iter().enumerate() {
            for set in 0u32..(1 << payloads.len()) {
                if !(set + h as u32 + b as u32).is_multiple_of(3) {
                    continue; // a third of the combinations is plenty
                }
                let chosen: Vec<&str> = (0..payloads.len())
                    .filter(|i| set & (1 << i) != 0)
                    .map(|i| payloads[i])
                    .collect();
                for reversed in [false, true] {
                    let mut children: Vec<&str> =
                        body.iter().copied().chain(chosen.iter().copied()).collect();
                    if reversed {
                        children.reverse();
                    }
                    let src = format!("{head}{}</message>", children.concat());
                    assert!(assert_decodes_as_tree(&src), "not decoded: {src}");
                    taken += 1;
                }
            }
        }
    }
    assert!(taken > 2000, "{taken}");

    // Edge cases of the shape: texts with languages, repeats, whitespace,
    // cdata, comments, references, odd attributes, invalid addresses and
    // types, prefixes, several roots: the same stanza or the same error.
    let edges = [
        "<message><body xml:lang='de'>hallo</body></message>",
        "<message><body>a</body><body>b</body></message>",
        "<message><body>a</body> <active xmlns='http://jabber.org/protocol/chatstates'/></message>",
        "<message><body/></message>",
        "<message><body><![CDATA[x]]></body></message>",
        "<message><body>a<!-- c --></body></message>",
        "<message><body>a\r\nb</body></message>",
        "<message><body>a]]>b</body></message>",
        "<message><body>&unknown;</body></message>",
        "<message><body>&#0;</body></message>",
        "<message><body>&amp</body></message>",
        "<message id='a\tb'/>",
        "<message id='a\tb'></message>",
        "<message/>",
        "<message xmlns='jabber:client'></message>",
        "<message type='error'></message>",
        "<message type='chat' type='chat'></message>",
        "<message to='not a@jid@x'></message>",
        "<message to=''></message>",
        "<message id=unquoted></message>",
        "<message id='x' ></message>",
        "<message  id='x'></message>",
        "<message><active xmlns='http://jabber.org/protocol/chatstates'/><paused xmlns='http://jabber.org/protocol/chatstates'/></message>",
        "<message><dancing xmlns='http://jabber.org/protocol/chatstates'/></message>",
        "<message><active xmlns='http://jabber.org/protocol/chatstates' extra='1'/></message>",
        "<message><origin-id xmlns='urn:xmpp:sid:0'/></message>",
        "<message><stanza-id xmlns='urn:xmpp:sid:0' id='x' by='not a@jid@x'/></message>",
        "<message><request xmlns='urn:xmpp:receipts'></request></message>",
        "<message><reply xmlns='urn:xmpp:reply:0' to='bob@example.org'/></message>",
        "<message><reply xmlns='urn:xmpp:reply:0' id='1' to='not a@jid@x'/></message>",
        "<message><reply xmlns='urn:xmpp:reply:0' id='1'/><reply xmlns='urn:xmpp:reply:0' id='2'/></message>",
        "<message><store xmlns='urn:xmpp:hints' to='x'/></message>",
        "<message><hint xmlns='urn:xmpp:hints'/></message>",
        "<message><store xmlns='urn:example'/></message>",
        "<message><x:active xmlns:x='http://jabber.org/protocol/chatstates'/></message>",
        "<message></message> ",
        " <message></message>",
        "<?xml version='1.0'?><message></message>",
        "<message></message><message></message>",
        "<message><body>unclosed</message>",
        "<message>text</message>",
        "<presence/>",
        "<messages></messages>",
    ];
    let mut decoded = 0;
    for src in edges {
        decoded += usize::from(assert_decodes_as_tree(src));
    }
    assert!(decoded > 10 && decoded < edges.len(), "{decoded}");

    // Tight limits: the same limit errors, wherever they strike.
    let src = "<message><body>a</body><request xmlns='urn:xmpp:receipts'/><markable xmlns='urn:xmpp:chat-markers:0'/>x<x xmlns='u'><y/>t</x></message>";
    for children in 0..6 {
        assert_decodes_as_tree_within(src, &Limits::default().max_children(children));
    }
    for depth in 0..4 {
        assert_decodes_as_tree_within(src, &Limits::default().max_depth(depth));
    }
    assert!(
        decode(src.as_bytes(), &Limits::default().max_children(2))
            .unwrap_err()
            .is_limit()
    );
}

/// Mutated chat messages (bytes replaced, inserted, deleted, with XML's
/// special characters, and a control character XML forbids, more often than
/// not): the decoder reads each exactly
/// as the tree path, or fails with the same error.
#[test]
fn mutated_messages_decode_as_by_the_tree_path() {
    let seeds = [
        "<message to='bot@bot.example.net' id='m1' xml:lang='en' from='alice@example.org/phone' type='chat'><body>!status please</body><active xmlns='http://jabber.org/protocol/chatstates'/></message>",
        "<message type='groupchat' from='ops@rooms.example.org/carol' to='bot@bot.example.net'><body>a &amp; b &#233;</body><occupant-id xmlns='urn:xmpp:occupant-id:0' id='dGhp'/><stanza-id xmlns='urn:xmpp:sid:0' id='K7' by='ops@rooms.example.org'/></message>",
        "<message id=\"m4\"><body>hi</body><reply xmlns='urn:xmpp:reply:0' to='bot@bot.example.net' id='prev-42'/><store xmlns='urn:xmpp:hints'/><request xmlns='urn:xmpp:receipts'/><markable xmlns='urn:xmpp:chat-markers:0'/><origin-id xmlns='urn:xmpp:sid:0' id='o1'/></message>",
    ];
    const SPECIAL: &[u8] = b"<>/='\"&;#x: \t\r\n]!?-\x01";
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |n: usize| {
        // xorshift: deterministic, no dependency
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    let (mut taken, mut total) = (0, 0);
    for seed in seeds {
        for _ in 0..4000 {
            let mut bytes = seed.as_bytes().to_vec();
            for _ in 0..1 + next(3) {
                let at = next(bytes.len());
                let byte = if next(4) == 0 {
                    b'a' + next(26) as u8
                } else {
                    SPECIAL[next(SPECIAL.len())]
                };
                match next(3) {
                    0 => bytes[at] = byte,
                    1 => bytes.insert(at, byte),
                    _ => {
                        bytes.remove(at);
                    }
                }
            }
            // Only text: the mutations keep ASCII where they touch.
            let Ok(src) = String::from_utf8(bytes) else {
                continue;
            };
            total += 1;
            if assert_decodes_as_tree(&src) {
                taken += 1;
            }
        }
    }
    // Some mutations keep a stanza (a changed letter in a text), most do not.
    assert!(taken > 100 && taken < total, "{taken} of {total}");
}
