//! Which webhook replies mod_rest would not deliver as written when they are
//! answered in JSON, and why.
//!
//! mod_rest reads the webhook's answer by the answer's own `Content-Type`,
//! whatever format it posts in. So a bot that receives JSON may answer in
//! XML where JSON would lose or break the reply; [`reply_gap`] is the one
//! place that decides when. The facts behind it were observed on a real
//! Prosody 0.12.3 with the current module and the early-2020 one (the book's
//! "mod_rest on the wire" chapter; the recorded cases are the test fixtures
//! under `tests/fixtures/mod_rest/json-2020` and `json-2023`):
//!
//! - a message error written with `"type": "error"` is dropped by both
//!   modules (Prosody refuses to build an error reply to an error); without
//!   `type` it is delivered exactly, which is how [`encode`](super::encode)
//!   writes it;
//! - a data form with two fields or more comes out nested (mod_rest never
//!   closes a `<field>`);
//! - an ad-hoc command's note is dropped when the command has actions;
//! - the early-2020 module maps few keys: of an iq result it keeps nothing
//!   but the type (version, items, ad-hoc answers arrive empty), of a message
//!   the chat keys (body, subject, chat state, nick, delay, correction, error);
//! - and whatever the mapping itself has no key for (receipts, origin ids,
//!   second bodies, languages of texts, custom payloads, ...).
//!
//! A presence error in JSON was never observed arriving; it is answered in
//! XML too.
//!
//! The rule is the union over the module versions: the bot cannot tell which
//! one posts to it, and XML arrives intact with all of them.

use std::fmt;

use super::flat;
use crate::stanza::{
    DataForm, Element, Iq, IqType, Message, Payload, Ping, Presence, Stanza, StanzaError,
    StanzaKind, Text, ns,
};

/// Why mod_rest would not deliver a reply written in JSON as the bot wrote
/// it. See [`reply_gap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum JsonGap {
    /// A data form with two fields or more: mod_rest nests each field in the
    /// one before it.
    MultiFieldForm,
    /// An ad-hoc command note beside actions: mod_rest keeps the actions and
    /// drops the note.
    NoteBesideActions,
    /// A presence error: not known to arrive when written in JSON.
    PresenceError,
    /// What the early-2020 module's JSON mapping drops (named).
    Early2020(&'static str),
    /// What mod_rest's JSON mapping has no key for (named).
    Unmapped(&'static str),
}

impl fmt::Display for JsonGap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JsonGap::MultiFieldForm => {
                f.write_str("a data form with several fields (mod_rest's JSON nests them)")
            }
            JsonGap::NoteBesideActions => {
                f.write_str("an ad-hoc note beside actions (mod_rest's JSON drops the note)")
            }
            JsonGap::PresenceError => {
                f.write_str("a presence error (not known to arrive in mod_rest's JSON)")
            }
            JsonGap::Early2020(what) => {
                write!(f, "{what} (the early-2020 mod_rest's JSON drops it)")
            }
            JsonGap::Unmapped(what) => write!(f, "{what} (mod_rest's JSON has no key for it)"),
        }
    }
}

/// Why `reply`, written in JSON as the webhook's answer, would not reach the
/// sender as written with every mod_rest version; `None` when JSON carries
/// it. A bot running in JSON answers such replies in XML.
///
/// ```
/// use xmpp_rest_bot::stanza::{AdHocCommand, AdHocActions, AdHocNote, Iq, Message, MessageType, Stanza};
/// use xmpp_rest_bot::wire::json::{JsonGap, reply_gap};
///
/// let chat = Message::new(MessageType::Chat).with_body("hi");
/// assert_eq!(reply_gap(&Stanza::Message(chat)), None);
///
/// let step = AdHocCommand::new("deploy")
///     .with_actions(AdHocActions::default())
///     .with_note(AdHocNote::error("bad env"));
/// let answer = Iq::get(AdHocCommand::new("deploy")).result(Some(step));
/// assert_eq!(reply_gap(&Stanza::Iq(answer)), Some(JsonGap::NoteBesideActions));
/// ```
pub fn reply_gap(reply: &Stanza) -> Option<JsonGap> {
    match reply {
        Stanza::Message(m) => message_gap(m),
        Stanza::Presence(p) => presence_gap(p),
        Stanza::Iq(iq) => iq_gap(iq),
    }
}

fn message_gap(m: &Message) -> Option<JsonGap> {
    // Every field named, so that a new field of `Message` is looked at here
    // before it compiles.
    let Message {
        to: _,
        from: _,
        id: _,
        type_: _,
        lang,
        bodies,
        subjects,
        thread,
        html,
        oob,
        chat_state: _,
        receipt,
        markable,
        marker,
        replace: _,
        reactions,
        reply,
        delay,
        nick: _,
        stanza_ids,
        origin_id,
        occupant_id,
        error,
        extensions,
        json_extra: _,
    } = m;
    let gap = if receipt.is_some() {
        JsonGap::Unmapped("a receipt (XEP-0184)")
    } else if origin_id.is_some() {
        JsonGap::Unmapped("an origin id (XEP-0359)")
    } else if !single_text(bodies, lang.as_deref()) {
        JsonGap::Unmapped("a second body, or a body's own language")
    } else if !single_text(subjects, lang.as_deref()) {
        JsonGap::Unmapped("a second subject, or a subject's own language")
    } else if delay
        .as_ref()
        .is_some_and(|d| d.from.is_some() || d.reason.is_some())
    {
        JsonGap::Unmapped("the sender or reason of a delay")
    } else if marker.is_some() || *markable {
        JsonGap::Early2020("a chat marker (XEP-0333)")
    } else if thread.is_some() {
        JsonGap::Early2020("a thread (written as an object since 2021)")
    } else if html.is_some() {
        JsonGap::Early2020("XHTML-IM")
    } else if !oob.is_empty() {
        JsonGap::Early2020("an out-of-band link (XEP-0066)")
    } else if reactions.is_some() {
        JsonGap::Early2020("reactions (XEP-0444)")
    } else if reply.is_some() {
        JsonGap::Early2020("a reply reference (XEP-0461)")
    } else if !stanza_ids.is_empty() || occupant_id.is_some() {
        JsonGap::Early2020("a stanza or occupant id")
    } else if let Some(gap) = error.as_ref().and_then(error_gap) {
        gap
    } else if let Some(first) = extensions.first() {
        return Some(element_gap(StanzaKind::Message, first));
    } else {
        return None;
    };
    Some(gap)
}

/// Whether `texts` fit mod_rest's one string: at most one, in the stanza's
/// language.
fn single_text(texts: &[Text], stanza_lang: Option<&str>) -> bool {
    match texts {
        [] => true,
        [only] => only.lang.is_none() || only.lang.as_deref() == stanza_lang,
        _ => false,
    }
}

fn error_gap(error: &StanzaError) -> Option<JsonGap> {
    if error.text_lang.is_some() {
        Some(JsonGap::Unmapped("the language of an error text"))
    } else if error.alternative.is_some() {
        Some(JsonGap::Unmapped(
            "the alternative address of a gone or redirect error",
        ))
    } else if !error.extensions.is_empty() {
        Some(JsonGap::Unmapped("an application-specific error condition"))
    } else {
        None
    }
}

fn presence_gap(p: &Presence) -> Option<JsonGap> {
    let Presence {
        to: _,
        from: _,
        id: _,
        type_: _,
        lang,
        show: _,
        statuses,
        priority: _,
        muc,
        caps,
        idle_since,
        nick: _,
        error,
        extensions,
        json_extra: _,
    } = p;
    let gap = if error.is_some() {
        JsonGap::PresenceError
    } else if !single_text(statuses, lang.as_deref()) {
        JsonGap::Unmapped("a second status, or a status's own language")
    } else if muc.is_some() {
        JsonGap::Early2020("MUC join options")
    } else if caps.is_some() {
        JsonGap::Early2020("entity capabilities (XEP-0115)")
    } else if idle_since.is_some() {
        JsonGap::Early2020("last activity (XEP-0319)")
    } else if let Some(first) = extensions.first() {
        element_gap(StanzaKind::Presence, first)
    } else {
        return None;
    };
    Some(gap)
}

fn iq_gap(iq: &Iq) -> Option<JsonGap> {
    if iq.type_ == IqType::Error {
        // Observed arriving with both modules, typed or not.
        return match (&iq.error, &iq.payload, iq.extensions.first()) {
            (Some(error), None, None) => error_gap(error),
            (_, Some(payload), _) | (_, None, Some(payload)) => {
                Some(element_gap(StanzaKind::Iq, payload))
            }
            (None, None, None) => None,
        };
    }
    match (&iq.payload, iq.extensions.first()) {
        (None, None) => None,
        (Some(payload), _) if Ping::matches(payload) && iq.extensions.is_empty() => None,
        (Some(payload), _) | (None, Some(payload)) => Some(element_gap(StanzaKind::Iq, payload)),
    }
}

/// The most telling reason why a payload element of a `kind` stanza does
/// not survive JSON.
fn element_gap(kind: StanzaKind, el: &Element) -> JsonGap {
    if forms(el).any(|form| form.fields.len() > 1) {
        return JsonGap::MultiFieldForm;
    }
    if el.is("command", ns::COMMANDS)
        && el.child("actions", ns::COMMANDS).is_some()
        && el.child("note", ns::COMMANDS).is_some()
    {
        return JsonGap::NoteBesideActions;
    }
    match (el.name(), el.ns()) {
        ("command", ns::COMMANDS) => JsonGap::Early2020("an ad-hoc command answer"),
        ("query", ns::VERSION) => JsonGap::Early2020("a software version answer"),
        ("query", ns::DISCO_ITEMS) => JsonGap::Early2020("a disco#items answer"),
        ("query", ns::DISCO_INFO) => JsonGap::Early2020("a disco#info answer"),
        ("x", ns::DATA_FORMS) => JsonGap::Early2020("a data form"),
        _ if flat::lookup(kind, el).is_some() => JsonGap::Early2020("a payload it does not map"),
        _ => JsonGap::Unmapped("a payload outside the mapping"),
    }
}

/// The data forms in `el`: itself, or its direct children.
fn forms(el: &Element) -> impl Iterator<Item = DataForm> + '_ {
    std::iter::once(el)
        .chain(el.children())
        .filter(|e| DataForm::matches(e))
        .filter_map(|e| DataForm::from_element(e).ok())
}
