//! What a request asks to send: the stanza of a GET shortcut, or of a POST
//! body in XML, JSON or text, with what mod_rest checks before decoding it.

use axum::http::header;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

use super::failure::{FROM, Failure, IQ_TAGS, IQ_TYPE, MEDIATYPE, NAME, PARSE, TO, XMLNS};
use super::handler::{Incoming, MAX_READ};
use crate::stanza::{
    DiscoInfo, DiscoItems, Element, Iq, IqType, Jid, Message, MessageType, Payload, Ping, Presence,
    Stanza, StanzaKind, Version, ns,
};
use crate::testing::media_type;
use crate::wire::{Limits, WireFormat};

/// What the request says before the checks: the top element's name and
/// namespace, its raw addresses and type, its number of child elements, and
/// the decoded stanza (`None` when only the raw form was seen).
pub(super) struct Parsed {
    pub(super) name: String,
    xmlns: Option<String>,
    pub(super) to: Option<String>,
    pub(super) from: Option<String>,
    pub(super) type_: Option<String>,
    pub(super) children: usize,
    pub(super) stanza: Stanza,
}

/// `GET /rest/{query}/{to}[?node=...]`: an iq-get built like mod_rest does.
pub(super) fn parse_get(path: &str, query: Option<&str>) -> Result<Parsed, Failure> {
    let Some((name, to)) = path.split_once('/') else {
        return Err(PARSE.into());
    };
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Err(PARSE.into());
    }
    let node = query.and_then(|q| {
        q.split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(k, _)| *k == "node")
            .map(|(_, v)| crate::encoding::percent_decode(&v.replace('+', " ")))
    });
    let payload = match name {
        "ping" => Some(Ping.to_element()),
        "version" => Some(Version::default().to_element()),
        "disco" => Some(with_node(
            DiscoInfo::default().to_element(),
            node.as_deref(),
        )),
        "items" => Some(with_node(
            DiscoItems::default().to_element(),
            node.as_deref(),
        )),
        "lastactivity" => Some(Element::new("query", "jabber:iq:last")),
        "stats" => Some(Element::new("query", "http://jabber.org/protocol/stats")),
        "extdisco" => Some(Element::new("services", "urn:xmpp:extdisco:2")),
        "archive" => Some(Element::new("query", "urn:xmpp:mam:2")),
        "oob" => Some(Element::new("query", "jabber:iq:oob")),
        // mod_rest drops keys it does not map: an iq without a child.
        _ => None,
    };
    let children = usize::from(payload.is_some());
    let to = (!to.is_empty()).then(|| to.to_owned());
    let mut iq = Iq::new(IqType::Get, payload);
    if let Some(to) = &to {
        iq.to = to.parse().ok();
    }
    Ok(Parsed {
        name: "iq".to_owned(),
        xmlns: None,
        to,
        from: None,
        type_: Some("get".to_owned()),
        children,
        stanza: Stanza::Iq(iq),
    })
}

fn with_node(mut el: Element, node: Option<&str>) -> Element {
    if let Some(node) = node {
        el.set_attr("node", node);
    }
    el
}

/// `POST /rest` and `POST /rest/{kind}/{type}/{to}`.
pub(super) fn parse_post(
    request: &Incoming<'_>,
    sub_path: Option<&str>,
    legacy: bool,
) -> Result<Parsed, Failure> {
    let content_type = request.header(header::CONTENT_TYPE).unwrap_or_default();
    let essence = media_type(content_type);
    let path = match sub_path {
        Some(path) => Some(parse_path(path).ok_or(Failure::from(PARSE))?),
        None => None,
    };
    let limits = Limits::default().max_bytes(MAX_READ);
    match essence.as_str() {
        "application/xmpp+xml" => parse_xml(request.body, &limits, legacy),
        "application/json" => parse_json(request.body, path.as_ref(), &limits),
        "text/plain" => {
            let text =
                String::from_utf8(request.body.to_vec()).map_err(|_| Failure::from(PARSE))?;
            parse_text(text, path.as_ref())
        }
        _ => Err(MEDIATYPE.into()),
    }
}

/// `{kind}/{type}/{to}` of a POST path.
struct PathParts {
    kind: String,
    type_: String,
    to: Option<String>,
}

fn parse_path(path: &str) -> Option<PathParts> {
    let mut parts = path.splitn(3, '/');
    let kind = parts.next()?;
    let type_ = parts.next()?;
    let to = parts.next()?;
    let word = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !word(kind) || !word(type_) || !matches!(kind.as_bytes().first(), Some(b'm' | b'p' | b'i')) {
        return None;
    }
    Some(PathParts {
        kind: kind.to_owned(),
        type_: type_.to_owned(),
        to: (!to.is_empty()).then(|| to.to_owned()),
    })
}

fn parse_xml(body: &[u8], limits: &Limits, legacy: bool) -> Result<Parsed, Failure> {
    let top = scan_xml(body).ok_or(Failure::from(PARSE))?;
    // The late module accepts `jabber:client`; the early one no xmlns at all.
    let bad_ns = match top.xmlns.as_deref() {
        None => false,
        Some(ns::CLIENT) => legacy,
        Some(_) => true,
    };
    if bad_ns {
        return Err(XMLNS.into());
    }
    if StanzaKind::from_name(&top.name).is_none() {
        return Err(NAME.into());
    }
    // Checked here, before decoding, so that mod_rest's 422 wins over the
    // model's own validation.
    check_addresses(top.to.as_deref(), top.from.as_deref())?;
    if top.name == "iq" {
        check_iq_shape(top.type_.as_deref(), top.children)?;
    }
    let stanza = WireFormat::Xml
        .decode(body, limits)
        .map_err(|_| Failure::from(PARSE))?;
    Ok(Parsed { stanza, ..top })
}

/// The top element of an XML body, read without the model.
fn scan_xml(body: &[u8]) -> Option<Parsed> {
    let text = std::str::from_utf8(body).ok()?;
    let mut reader = NsReader::from_str(text);
    let mut top: Option<Parsed> = None;
    let mut depth = 0usize;
    loop {
        let (resolved, event) = reader.read_resolved_event().ok()?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let is_start = matches!(event, Event::Start(_));
                if depth == 0 {
                    if top.is_some() {
                        return None;
                    }
                    let xmlns = match resolved {
                        ResolveResult::Bound(n) => {
                            Some(String::from_utf8_lossy(n.as_ref()).into_owned())
                        }
                        _ => None,
                    };
                    let attr = |name: &[u8]| {
                        e.attributes()
                            .flatten()
                            .find(|a| a.key.as_ref() == name)
                            .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()))
                    };
                    top = Some(Parsed {
                        name: String::from_utf8_lossy(e.local_name().as_ref()).into_owned(),
                        xmlns,
                        to: attr(b"to"),
                        from: attr(b"from"),
                        type_: attr(b"type"),
                        children: 0,
                        stanza: Stanza::Message(Message::default()),
                    });
                } else if depth == 1
                    && let Some(top) = top.as_mut()
                {
                    top.children += 1;
                }
                if is_start {
                    depth += 1;
                }
            }
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::DocType(_) => return None,
            Event::Eof => return top,
            _ => {}
        }
    }
}

fn parse_json(body: &[u8], path: Option<&PathParts>, limits: &Limits) -> Result<Parsed, Failure> {
    let mut value: serde_json::Value =
        serde_json::from_slice(body).map_err(|_| Failure::from(PARSE))?;
    let Some(object) = value.as_object_mut() else {
        return Err(PARSE.into());
    };
    if let Some(path) = path {
        object.insert("kind".into(), path.kind.clone().into());
        object.insert("type".into(), path.type_.clone().into());
        if let Some(to) = &path.to {
            object.insert("to".into(), to.clone().into());
        }
    }
    let field = |name: &str| object.get(name).and_then(|v| v.as_str()).map(str::to_owned);
    let name = field("kind").unwrap_or_else(|| "message".to_owned());
    let (to, from, type_) = (field("to"), field("from"), field("type"));
    if StanzaKind::from_name(&name).is_none() {
        return Err(NAME.into());
    }
    check_addresses(to.as_deref(), from.as_deref())?;
    if name == "iq" && !matches!(type_.as_deref(), Some("get" | "set")) {
        return Err(IQ_TYPE.into());
    }
    let bytes = serde_json::to_vec(&value).map_err(|_| Failure::from(PARSE))?;
    let stanza = WireFormat::Json
        .decode(&bytes, limits)
        .map_err(|_| Failure::from(PARSE))?;
    let children = match &stanza {
        Stanza::Iq(iq) => usize::from(iq.payload.is_some()) + iq.extensions.len(),
        _ => 0,
    };
    Ok(Parsed {
        name,
        xmlns: None,
        to,
        from,
        type_,
        children,
        stanza,
    })
}

fn parse_text(text: String, path: Option<&PathParts>) -> Result<Parsed, Failure> {
    let Some(path) = path else {
        // `text/plain` on `/rest`: a chat message without a recipient.
        return Ok(Parsed {
            name: "message".to_owned(),
            xmlns: None,
            to: None,
            from: None,
            type_: Some("chat".to_owned()),
            children: 1,
            stanza: Stanza::Message(Message::new(MessageType::Chat).with_body(text)),
        });
    };
    check_addresses(path.to.as_deref(), None)?;
    let to = path.to.as_deref().and_then(|t| t.parse::<Jid>().ok());
    let stanza = match path.kind.as_str() {
        "message" => {
            let type_ = path
                .type_
                .parse::<MessageType>()
                .map_err(|_| Failure::from(PARSE))?;
            let mut message = Message::new(type_).with_body(text);
            message.to = to;
            Stanza::Message(message)
        }
        "presence" => {
            let show = crate::stanza::Show::from_name(text.trim()).ok_or(Failure::from(PARSE))?;
            let mut presence = Presence::available().with_show(show);
            presence.to = to;
            Stanza::Presence(presence)
        }
        _ => return Err(PARSE.into()),
    };
    Ok(Parsed {
        name: path.kind.clone(),
        xmlns: None,
        to: path.to.clone(),
        from: None,
        type_: Some(path.type_.clone()),
        children: 1,
        stanza,
    })
}

fn check_addresses(to: Option<&str>, from: Option<&str>) -> Result<(), Failure> {
    if to.is_some_and(|t| t.parse::<Jid>().is_err()) {
        return Err(TO.into());
    }
    if from.is_some_and(|f| f.parse::<Jid>().is_err()) {
        return Err(FROM.into());
    }
    Ok(())
}

pub(super) fn check_iq_shape(type_: Option<&str>, children: usize) -> Result<(), Failure> {
    if !matches!(type_, Some("get" | "set")) {
        return Err(IQ_TYPE.into());
    }
    if children != 1 {
        return Err(IQ_TAGS.into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_element_is_scanned_without_the_model() {
        let top = scan_xml(
            b"<iq type='get' to='a@b' xmlns='jabber:server'><ping xmlns='urn:xmpp:ping'/><x/></iq>",
        )
        .unwrap();
        assert_eq!(top.name, "iq");
        assert_eq!(top.xmlns.as_deref(), Some("jabber:server"));
        assert_eq!(top.to.as_deref(), Some("a@b"));
        assert_eq!(top.type_.as_deref(), Some("get"));
        assert_eq!(top.children, 2);
        assert!(scan_xml(b"<message/><message/>").is_none());
        assert!(scan_xml(b"<!DOCTYPE x><message/>").is_none());
        assert!(scan_xml(b"<message>").is_some());
    }
}
