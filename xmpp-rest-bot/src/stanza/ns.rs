//! Namespaces of the protocols the SDK models.

/// RFC 6120 client namespace, the default namespace of every stanza.
pub const CLIENT: &str = "jabber:client";
/// The namespace bound to the `xml` prefix (of `xml:lang`).
pub const XML: &str = "http://www.w3.org/XML/1998/namespace";
/// RFC 6120 stanza error conditions.
pub const STANZAS: &str = "urn:ietf:params:xml:ns:xmpp-stanzas";
/// XEP-0071 XHTML-IM wrapper.
pub const XHTML_IM: &str = "http://jabber.org/protocol/xhtml-im";
/// XHTML body inside XEP-0071.
pub const XHTML: &str = "http://www.w3.org/1999/xhtml";
/// XEP-0066 out-of-band data.
pub const OOB: &str = "jabber:x:oob";
/// XEP-0085 chat states.
pub const CHATSTATES: &str = "http://jabber.org/protocol/chatstates";
/// XEP-0184 message delivery receipts.
pub const RECEIPTS: &str = "urn:xmpp:receipts";
/// XEP-0333 chat markers.
pub const CHAT_MARKERS: &str = "urn:xmpp:chat-markers:0";
/// XEP-0308 last message correction.
pub const MESSAGE_CORRECT: &str = "urn:xmpp:message-correct:0";
/// XEP-0444 message reactions.
pub const REACTIONS: &str = "urn:xmpp:reactions:0";
/// XEP-0461 message replies.
pub const REPLY: &str = "urn:xmpp:reply:0";
/// XEP-0203 delayed delivery.
pub const DELAY: &str = "urn:xmpp:delay";
/// XEP-0172 user nickname.
pub const NICK: &str = "http://jabber.org/protocol/nick";
/// XEP-0359 unique and stable stanza ids.
pub const SID: &str = "urn:xmpp:sid:0";
/// XEP-0421 occupant id.
pub const OCCUPANT_ID: &str = "urn:xmpp:occupant-id:0";
/// XEP-0045 multi-user chat (join).
pub const MUC: &str = "http://jabber.org/protocol/muc";
/// XEP-0045 multi-user chat: what a room says of its occupants.
pub const MUC_USER: &str = "http://jabber.org/protocol/muc#user";
/// XEP-0115 entity capabilities.
pub const CAPS: &str = "http://jabber.org/protocol/caps";
/// XEP-0319 last user interaction in presence.
pub const IDLE: &str = "urn:xmpp:idle:1";
/// XEP-0199 ping.
pub const PING: &str = "urn:xmpp:ping";
/// XEP-0092 software version.
pub const VERSION: &str = "jabber:iq:version";
/// XEP-0030 service discovery, info.
pub const DISCO_INFO: &str = "http://jabber.org/protocol/disco#info";
/// XEP-0030 service discovery, items.
pub const DISCO_ITEMS: &str = "http://jabber.org/protocol/disco#items";
/// XEP-0050 ad-hoc commands.
pub const COMMANDS: &str = "http://jabber.org/protocol/commands";
/// XEP-0004 data forms.
pub const DATA_FORMS: &str = "jabber:x:data";
/// XEP-0334 message processing hints (no typed field: kept as extensions).
pub const HINTS: &str = "urn:xmpp:hints";
/// XEP-0428 fallback indication (common beside replies).
pub const FALLBACK: &str = "urn:xmpp:fallback:0";
