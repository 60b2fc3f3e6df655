//! mod_rest's JSON mapping (`application/json`), both ways.
//!
//! ```
//! use xmpp_rest_bot::stanza::Stanza;
//! use xmpp_rest_bot::wire::{json, Limits};
//!
//! let body = br#"{"kind":"message","type":"chat","from":"alice@example.org/phone",
//!                 "to":"bot@bot.example.org","id":"j1","body":"hi","state":"active"}"#;
//! let Stanza::Message(msg) = json::decode(body, &Limits::default())? else { unreachable!() };
//! assert_eq!(msg.body(), Some("hi"));
//!
//! let reply = msg.reply("hello");
//! let out: serde_json::Value = serde_json::from_slice(&json::encode(&reply.into()))?;
//! assert_eq!(out["body"], "hello");
//! assert_eq!(out["to"], "alice@example.org/phone");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Sources
//!
//! The mapping follows Prosody's mod_rest as of late 2023: its hand-written
//! mappings (`html`, `disco`, `items`, `command`, `oob_url`, `dataform`,
//! `formdata`, the `error` object, `"type": "available"`, and how a missing
//! `kind` or `type` is guessed) and its schema for every other key (which are
//! strings, integers, booleans or objects), as read in the prosody-modules
//! repository and checked against exchanges recorded on Prosody 0.12.3 (the
//! test fixtures under `tests/fixtures/mod_rest/`; the book's chapter
//! "mod_rest on the wire" tells the protocol). The early-2020 module's shapes
//! are accepted when decoding where they differ (`thread` and `priority` as
//! strings, `"join": true`, a disco#info query written as
//! `{"identities": [], "features": []}`).
//!
//! # Keys
//!
//! | key | JSON value | model |
//! |-----|------------|-------|
//! | `kind` | `"message"` \| `"presence"` \| `"iq"` | the [`Stanza`] variant; when absent, guessed like mod_rest from `type` and then from the keys present (`body` → message, `show` → presence, `disco` → iq, ...); `missing "kind"` when nothing tells |
//! | `type` | string | `type_`; a presence without one is `"available"`; a message of type normal has none, nor does a message error (mod_rest drops one written with `"type": "error"`); an iq without one is a get (a set when `command` is present) |
//! | `to`, `from` | JID string | `to`, `from` (validated) |
//! | `id`, `lang` | string | `id`, `lang` (`xml:lang`) |
//! | `error` | `{type, condition, text, by}` | `error` ([`StanzaError`](crate::stanza::StanzaError)); its presence makes the type `error` |
//! | **message** | | |
//! | `body`, `subject` | string | the first of `bodies`, `subjects` |
//! | `thread` | `{id, parent}` (early module: string) | `thread` |
//! | `html` | string: the XHTML `<body/>` without `xmlns` | `html` (the `<html/>` element) |
//! | `oob` | `{url, desc}` | the first of `oob` |
//! | `oob_url` | string (written alongside `oob`, as mod_rest does) | the first of `oob` |
//! | `state` | `"active"`, `"composing"`, ... | `chat_state` |
//! | `markable` | `true` | `markable` |
//! | `displayed` | message id | `marker` of kind displayed |
//! | `replace` | message id | `replace` |
//! | `reactions` | `{id, reactions: [emoji]}` | `reactions` |
//! | `reply` | `{id, to}` | `reply` |
//! | `delay` | stamp string | `delay` (stamp only) |
//! | `nick` | string | `nick` |
//! | `stanza_ids` | `[{id, by}]` | `stanza_ids` |
//! | `occupant_id` | string | `occupant_id` |
//! | `fallback` (bool), `encryption` (namespace), `attach_to` (id), `invite` (`{jid, password, reason, thread, continue}`), `reference` (`{type, uri, begin, end}`), `dataform` | | an element in `extensions` |
//! | **presence** | | |
//! | `show` | `"away"`, `"chat"`, `"dnd"`, `"xa"` | `show` |
//! | `status` | string | the first of `statuses` |
//! | `priority` | integer (early module: string) | `priority` |
//! | `muc` | `{history: {maxchars, maxstanzas, seconds, since}}` (`"join": true` is read as `{}`) | `muc` |
//! | `caps` | `{hash, node, ver}` | `caps` (a caps object without all three stays JSON) |
//! | `idle_since` | date-time string | `idle_since` |
//! | `nick` | string | `nick` |
//! | `delay` (stamp), `vcard_update` (`{photo}`), `dataform` | | an element in `extensions` |
//! | **iq** (the first key is the `payload`, any further ones go to `extensions`) | | |
//! | `ping` | `true` | [`Ping`](crate::stanza::Ping) |
//! | `version` | `{name, version, os}` (`{}` or `true` in a get) | [`Version`](crate::stanza::Version) |
//! | `disco` | `true` or a node string in a get; `{node, identities: [{category, type, name}], features: [var], extensions: {FORM_TYPE: {var: value}}}` | [`DiscoInfo`](crate::stanza::DiscoInfo) |
//! | `items` | `true` or a node string in a get (`{node}` is read too); `[{jid, node, name}]` (a JID string is read as `{jid}`) | [`DiscoItems`](crate::stanza::DiscoItems) |
//! | `command` | a node string, or `{node, action, sessionid, status, actions: {execute, prev, next, complete}, note: {type, text}, form, data}` | [`AdHocCommand`](crate::stanza::AdHocCommand) |
//! | `dataform` | `{type, title, instructions, fields: [{var, type, label, desc, required, value, options: [{label, value}]}]}` | [`DataForm`](crate::stanza::DataForm) |
//! | `formdata` (read only) | `{var: value}` | a submit [`DataForm`](crate::stanza::DataForm) |
//! | `oob` | `{url, desc}` | `<query xmlns='jabber:iq:oob'/>` |
//! | `oob_url` | string | `<x xmlns='jabber:x:oob'/>` |
//! | `lastactivity` (`{seconds, status}`), `gateway` (`{desc, prompt, jid}`), `upload_request` (`{filename, size, content-type}`), `register` (`{username, password, ..., registered, remove}`), `delay`, `nick` | | their elements |
//!
//! In a data form's `value`, a `text-multi` field's values are joined with
//! newlines (and split again when read), `jid-multi` and `list-multi` give
//! arrays, other types the first value. In `formdata` (disco `extensions`,
//! a command's `data`) `list-*` and untyped fields give arrays, `boolean` a
//! boolean, other types the first value or `null`.
//!
//! # What JSON cannot carry
//!
//! mod_rest maps the keys above and drops everything else when it converts
//! a stanza to JSON; that is what XML mode (`application/xmpp+xml`) is for.
//! So encoding to JSON leaves out: child elements the model keeps in
//! `extensions` that no key maps (including iq payloads without a key),
//! receipts (XEP-0184), chat markers other than `displayed`, the origin id,
//! all but the first body, subject, status and link, the languages of texts,
//! identity languages, the `from`/reason of a delay, a MUC join password,
//! an error's `xml:lang`, alternative address and application condition, all
//! but the first note of a command, the node of a disco#items result that has
//! items, and the `other` children of the typed payloads. JSON objects have
//! no order, so elements decoded into `extensions` come in the order of the
//! table above, not in the order a client wrote them. Encoding never fails:
//! a payload element whose content does not convert is left out.
//!
//! Some of what this mapping writes is still broken by mod_rest on its way
//! back to XML (forms with several fields, notes beside actions, most keys
//! with the early-2020 module). [`reply_gap`] tells, for a webhook reply,
//! whether JSON carries it; a bot running in JSON answers in XML when it
//! does not.
//!
//! # Unknown keys
//!
//! Keys the mapping does not know are kept in the stanza's `json_extra` and
//! written back by [`encode`], so a JSON stanza round-trips. So are unknown
//! keys inside the object of a mapped key (`{"error": {..., "code": 403}}`):
//! they are kept under that key and added back to the object the model
//! produces. Unknown keys nested deeper (inside a form field, an identity)
//! are ignored, as mod_rest ignores them. `null` counts as absent.
//!
//! # Where this differs from mod_rest
//!
//! Always so that what mod_rest accepts still decodes, and what we write
//! still means the same to mod_rest:
//! - a value of the wrong JSON type is an error here; mod_rest drops it silently;
//! - a body with no `kind` that neither `type` nor any key implies is an
//!   error (`missing "kind"`); mod_rest would make it a message;
//! - a data form's `options` are written to XML (mod_rest's `json2st` loops
//!   over `value` instead, so it never writes them);
//! - a command's `data` becomes a form of type `submit` with booleans as
//!   `1`/`0` (mod_rest leaves the type and boolean values out);
//! - `invite.continue` is written `true`/`false` (datamapper writes `1`/`0`);
//! - `"disco": false`, `"items": false` mean no payload (mod_rest would
//!   still add an empty query);
//! - a command's `note` is written even when it has `actions` (mod_rest reads
//!   only one of them);
//! - `html` holds every child of `<html/>`, so all its bodies (mod_rest: the
//!   first `<body/>`; with one body, which is the usual case, the same string);
//! - an object's text property that is empty is left out (`lastactivity`
//!   without a status has no `"status": ""`).
//!
//! # Hostile input
//!
//! [`decode`] checks, in order: the size limit ([`Limits::bytes`]); UTF-8; the
//! nesting depth ([`Limits::depth`], capped at 127 because serde_json stops
//! there) and the entries per array or object ([`Limits::children`]) in one
//! linear scan of the bytes before serde_json parses anything; then the
//! mapping, where a key of the wrong JSON type is a JSON error naming its
//! path (`$.disco.features[2]`) and an invalid value (JID, condition, missing
//! required key) is an invalid-stanza error naming it too.

mod decode;
mod encode;
mod flat;
mod gap;
mod prescan;
mod read;
#[cfg(test)]
mod tests;
mod write;

use serde_json::Value;

pub use gap::{JsonGap, reply_gap};

use super::Limits;
use crate::Error;
use crate::stanza::Stanza;

/// Decodes one stanza from mod_rest's JSON mapping.
///
/// # Errors
/// - [`is_limit`](crate::Error::is_limit): the input is over `limits` (size,
///   nesting depth, entries per array or object);
/// - [`is_malformed`](crate::Error::is_malformed): not UTF-8, not JSON, or a
///   key of the wrong JSON type (the error names its path);
/// - [`is_invalid`](crate::Error::is_invalid): the top level is not an object,
///   the kind is missing or unknown, a JID or another value is invalid, or a
///   required key is missing.
pub fn decode(input: &[u8], limits: &Limits) -> crate::Result<Stanza> {
    if input.len() > limits.bytes() {
        return Err(Error::limit("json input size in bytes", limits.bytes()));
    }
    let text = std::str::from_utf8(input).map_err(|e| {
        Error::json(format!("invalid utf-8 at byte {}", e.valid_up_to()), "$").with_source(e)
    })?;
    // Limits, and the characters XML cannot carry, in one pass.
    prescan::prescan(text.as_bytes(), limits)?;
    decode::decode(text, limits)
}

/// Encodes one stanza in mod_rest's JSON mapping.
pub fn encode(stanza: &Stanza) -> Vec<u8> {
    write::write(encode::stanza(stanza))
}

/// `json` with every string character that XML 1.0 cannot carry (control
/// characters other than tab, newline and carriage return; U+FFFE, U+FFFF)
/// replaced by U+FFFD, as the XML encoder does: mod_rest turns the JSON into
/// an XML stanza, and Prosody refuses such text. serde_json writes those
/// characters as `\b`, `\f` or `\u00XX` escapes, and U+FFFE/U+FFFF as they
/// are; nothing else in its output looks like them.
fn xml_safe(json: Vec<u8>) -> Vec<u8> {
    // Most replies have no escape at all: one pass the compiler vectorises.
    if !json
        .iter()
        .fold(false, |seen, &b| seen | (b == b'\\') | (b == 0xEF))
    {
        return json;
    }
    let mut out = Vec::with_capacity(json.len() + 16);
    let mut i = 0;
    while i < json.len() {
        match &json[i..] {
            // An escape: the pair as it is, unless it stands for a forbidden character.
            [b'\\', b'b' | b'f', ..] => {
                out.extend_from_slice(b"\\ufffd");
                i += 2;
            }
            [b'\\', b'u', rest @ ..] if rest.len() >= 4 => {
                let forbidden = std::str::from_utf8(&rest[..4])
                    .ok()
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                    .and_then(char::from_u32)
                    .is_some_and(|c| !super::xml::is_xml_char(c));
                if forbidden {
                    out.extend_from_slice(b"\\ufffd");
                } else {
                    out.extend_from_slice(&json[i..i + 6]);
                }
                i += 6;
            }
            [b'\\', next, ..] => {
                out.extend_from_slice(&[b'\\', *next]);
                i += 2;
            }
            [0xEF, 0xBF, 0xBE | 0xBF, ..] => {
                out.extend_from_slice("\u{FFFD}".as_bytes());
                i += 3;
            }
            [b, ..] => {
                out.push(*b);
                i += 1;
            }
            [] => break,
        }
    }
    out
}

/// Converts a JSON value in mod_rest's mapping to a stanza.
///
/// Unlike [`decode`], this checks no size, depth or entry limits (the value is
/// already in memory); an `html` string is parsed with the default [`Limits`].
///
/// ```
/// use serde_json::json;
/// use xmpp_rest_bot::stanza::{Payload, Stanza, Version};
/// use xmpp_rest_bot::wire::json;
///
/// let value = json!({"kind": "iq", "type": "result", "id": "v1", "version": {"name": "bot", "version": "1"}});
/// let Stanza::Iq(iq) = json::from_value(value)? else { unreachable!() };
/// assert_eq!(iq.payload_as::<Version>().unwrap()?, Version::new("bot", "1"));
/// # Ok::<(), xmpp_rest_bot::Error>(())
/// ```
///
/// # Errors
/// Like [`decode`], except for the limit and syntax errors; a string (or
/// key) with a character XML cannot carry is refused as by [`decode`], with
/// its path.
pub fn from_value(value: Value) -> crate::Result<Stanza> {
    value_xml_chars(&value, &mut String::from("$"))?;
    decode::from_value(value, &Limits::default())
}

/// The check of [`decode`]'s scan for characters XML cannot carry, for a value already parsed: the error names the path of the
/// string.
fn value_xml_chars(value: &Value, path: &mut String) -> crate::Result<()> {
    let check = |s: &str, path: &str| match s.chars().find(|&c| !super::xml::is_xml_char(c)) {
        Some(c) => Err(Error::json(
            format!(
                "character U+{:04X} is not allowed: xml cannot carry it",
                u32::from(c)
            ),
            path,
        )),
        None => Ok(()),
    };
    let len = path.len();
    match value {
        Value::String(s) => check(s, path)?,
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push_str(&format!("[{i}]"));
                value_xml_chars(item, path)?;
                path.truncate(len);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                path.push('.');
                path.push_str(key);
                check(key, path)?;
                value_xml_chars(item, path)?;
                path.truncate(len);
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
    Ok(())
}

/// Converts a stanza to a JSON value in mod_rest's mapping.
///
/// ```
/// use serde_json::json;
/// use xmpp_rest_bot::stanza::{Iq, Ping};
/// use xmpp_rest_bot::wire::json;
///
/// let iq = Iq::get(Ping).with_id("p1");
/// assert_eq!(json::to_value(&iq.into()), json!({"kind": "iq", "type": "get", "id": "p1", "ping": true}));
/// ```
pub fn to_value(stanza: &Stanza) -> Value {
    Value::Object(encode::stanza(stanza).into_map())
}
