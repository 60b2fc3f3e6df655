//! Reading mod_rest's answers: the stanzas of a success, the details of an
//! error status, and reqwest's failures as the crate's [`Error`].

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

use crate::error::{SentHost, StatusError};
use crate::stanza::{Condition, ErrorType, Stanza, StanzaError};
use crate::wire::{Limits, WireFormat, json, xml};
use crate::{Error, Result};

/// The namespace of mod_rest's XML error bodies (a stream error).
const STREAMS_NS: &str = "http://etherx.jabber.org/streams";
/// The namespace of stream error conditions and text.
const STREAM_ERRORS_NS: &str = "urn:ietf:params:xml:ns:xmpp-streams";

/// Reads the body, refusing more than `max` bytes.
pub(super) async fn read_body(response: &mut reqwest::Response, max: usize) -> Result<Vec<u8>> {
    if let Some(len) = response.content_length()
        && len > max as u64
    {
        return Err(Error::limit("response body", max));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(transport_error)? {
        if body.len() + chunk.len() > max {
            return Err(Error::limit("response body", max));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The format of a response from its `Content-Type`: `None` for another media
/// type, `fallback` when the header is missing.
pub(super) fn response_format(
    content_type: Option<&str>,
    fallback: WireFormat,
) -> Option<WireFormat> {
    match content_type {
        None => Some(fallback),
        Some(ct) => WireFormat::from_content_type(ct),
    }
}

/// Decodes the stanzas of a success body: one stanza, or every child of an
/// `<xmpp>` wrapper (`{"xmpp": [...]}` or a bare array in JSON).
pub(super) fn decode_stanzas(
    body: &[u8],
    content_type: Option<&str>,
    fallback: WireFormat,
    limits: &Limits,
) -> Result<Vec<Stanza>> {
    let Some(format) = response_format(content_type, fallback) else {
        return Err(Error::protocol(format!(
            "a success answer with content type {:?}, expected {} or {}",
            content_type.unwrap_or_default(),
            WireFormat::Xml,
            WireFormat::Json
        )));
    };
    match format {
        WireFormat::Json => decode_json_stanzas(body, limits),
        _ => decode_xml_stanzas(body, limits),
    }
}

fn decode_json_stanzas(body: &[u8], limits: &Limits) -> Result<Vec<Stanza>> {
    // A quick look at the top level decides between one stanza (decoded with
    // the limits) and a wrapper (whose size the response limit already bounds).
    let wrapped = match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(serde_json::Value::Array(items)) => items,
        Ok(serde_json::Value::Object(mut map)) if map.len() == 1 && map.contains_key("xmpp") => {
            match map.remove("xmpp") {
                Some(serde_json::Value::Array(items)) => items,
                _ => return Err(Error::json("expected an array of stanzas", "$.xmpp")),
            }
        }
        // Let the codec report errors with their path.
        _ => return Ok(vec![WireFormat::Json.decode(body, limits)?]),
    };
    wrapped.into_iter().map(json::from_value).collect()
}

fn decode_xml_stanzas(body: &[u8], limits: &Limits) -> Result<Vec<Stanza>> {
    // An `<xmpp>` wrapper may be larger than one stanza: the response limit
    // already bounds it.
    let limits = limits.max_bytes(limits.bytes().max(body.len()));
    xml::decode_all(body, &limits)
}

/// mod_rest's description of an HTTP error, from its JSON or XML body.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct ErrorBody {
    pub(super) type_: Option<String>,
    pub(super) condition: Option<String>,
    pub(super) text: Option<String>,
}

/// Parses an error body: JSON `{"type":"error","error":{...},"code":N}` or XML
/// `<error xmlns="http://etherx.jabber.org/streams">`; anything else (HTML) gives
/// an empty description.
pub(super) fn parse_error_body(body: &[u8], content_type: Option<&str>) -> ErrorBody {
    match content_type.and_then(WireFormat::from_content_type) {
        Some(WireFormat::Json) => parse_json_error(body).unwrap_or_default(),
        Some(WireFormat::Xml) => parse_xml_error(body).unwrap_or_default(),
        _ => ErrorBody::default(),
    }
}

fn parse_json_error(body: &[u8]) -> Option<ErrorBody> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let error = value.get("error")?;
    let field = |name: &str| error.get(name).and_then(|v| v.as_str()).map(str::to_owned);
    Some(ErrorBody {
        type_: field("type"),
        condition: field("condition"),
        text: field("text"),
    })
}

fn parse_xml_error(body: &[u8]) -> Option<ErrorBody> {
    let text = std::str::from_utf8(body).ok()?;
    let mut reader = NsReader::from_str(text);
    let mut out = ErrorBody::default();
    let mut depth = 0usize;
    let mut in_text = false;
    loop {
        let (ns, event) = reader.read_resolved_event().ok()?;
        let in_ns =
            |want: &str| matches!(ns, ResolveResult::Bound(n) if n.as_ref() == want.as_bytes());
        match event {
            Event::Start(ref e) | Event::Empty(ref e)
                if depth == 0 && (e.local_name().as_ref() != b"error" || !in_ns(STREAMS_NS)) =>
            {
                return None;
            }
            // `<error/>` without details.
            Event::Empty(_) if depth == 0 => return Some(out),
            Event::Start(_) if depth == 0 => depth = 1,
            Event::Start(ref e) | Event::Empty(ref e) if depth == 1 && in_ns(STREAM_ERRORS_NS) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                let is_start = matches!(event, Event::Start(_));
                if name == "text" {
                    in_text = is_start;
                } else if out.condition.is_none() {
                    out.condition = Some(name);
                }
                if is_start {
                    depth = 2;
                }
            }
            Event::Start(_) => depth += 1,
            Event::Text(t) if in_text => {
                let piece = t.decode().ok()?;
                out.text.get_or_insert_with(String::new).push_str(&piece);
            }
            Event::GeneralRef(r) if in_text => {
                let resolved = match r.resolve_char_ref().ok()? {
                    Some(c) => c.to_string(),
                    None => {
                        let name = r.decode().ok()?;
                        quick_xml::escape::resolve_predefined_entity(&name)?.to_owned()
                    }
                };
                out.text.get_or_insert_with(String::new).push_str(&resolved);
            }
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                in_text = false;
                if depth == 0 {
                    return Some(out);
                }
            }
            Event::Eof => return Some(out),
            Event::DocType(_) => return None,
            _ => {}
        }
    }
}

/// The error for an HTTP error status.
pub(super) fn status_error(
    status: u16,
    body: &[u8],
    content_type: Option<&str>,
    challenge: Option<String>,
    credentials_sent: bool,
    is_iq: bool,
    host: Option<SentHost>,
) -> Error {
    let details = parse_error_body(body, content_type);
    // mod_rest reports an iq that got no answer in time as HTTP 500 with
    // `remote-server-timeout`: that is the entity's failure, like an error reply.
    if is_iq
        && status >= 500
        && details.condition.as_deref() == Some(Condition::RemoteServerTimeout.as_str())
    {
        let mut error = StanzaError::new(Condition::RemoteServerTimeout);
        if let Some(type_) = details
            .type_
            .as_deref()
            .and_then(|t| t.parse::<ErrorType>().ok())
        {
            error = error.with_type(type_);
        }
        if let Some(text) = details.text {
            error = error.with_text(text);
        }
        return Error::stanza(error, None, Some(status));
    }
    Error::status_error(StatusError {
        status,
        condition: details.condition,
        text: details.text,
        challenge: if status == 401 { challenge } else { None },
        credentials_sent,
        host,
    })
}

/// A reqwest failure as the crate's error: connect, timeout, or another
/// transport failure, with the causes spelled out.
pub(super) fn transport_error(e: reqwest::Error) -> Error {
    let mut causes = Vec::new();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        let text = s.to_string();
        if causes.last() != Some(&text) {
            causes.push(text);
        }
        source = s.source();
    }
    let url = e.url().map(|u| u.as_str().to_owned()).unwrap_or_default();
    let detail = if causes.is_empty() {
        e.to_string()
    } else {
        causes.join(": ")
    };
    let connect = e.is_connect();
    let timeout = e.is_timeout();
    let message = if connect {
        format!("could not connect to {url}: {detail}; is prosody running and the url right?")
    } else if timeout {
        format!("request to {url} timed out: {detail}")
    } else {
        format!("http request to {url} failed: {detail}")
    };
    Error::transport(connect, timeout, message).with_source(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_error_body_gives_condition_and_text() {
        let body = br#"{"type":"error","error":{"instance_id":"x","text":"Credentials not accepted","code":403,"source":"mod_rest","type":"auth","context":{},"condition":"not-authorized"},"code":403}"#;
        let e = parse_error_body(body, Some("application/json"));
        assert_eq!(e.condition.as_deref(), Some("not-authorized"));
        assert_eq!(e.text.as_deref(), Some("Credentials not accepted"));
        assert_eq!(e.type_.as_deref(), Some("auth"));
    }

    #[test]
    fn xml_error_body_gives_condition_and_unescaped_text() {
        let body = b"<error xmlns='http://etherx.jabber.org/streams'><invalid-namespace xmlns='urn:ietf:params:xml:ns:xmpp-streams'/><text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>&apos;xmlns&apos; attribute must be empty</text></error>";
        let e = parse_error_body(body, Some("application/xmpp+xml"));
        assert_eq!(e.condition.as_deref(), Some("invalid-namespace"));
        assert_eq!(e.text.as_deref(), Some("'xmlns' attribute must be empty"));
    }

    #[test]
    fn html_and_garbage_error_bodies_give_nothing() {
        assert_eq!(
            parse_error_body(b"<html><body>no</body></html>", Some("text/html")),
            ErrorBody::default()
        );
        assert_eq!(
            parse_error_body(b"{not json", Some("application/json")),
            ErrorBody::default()
        );
        assert_eq!(
            parse_error_body(b"<error xmlns='other'/>", Some("application/xmpp+xml")),
            ErrorBody::default()
        );
        assert_eq!(
            parse_error_body(b"<error", Some("application/xmpp+xml")),
            ErrorBody::default()
        );
    }

    #[test]
    fn a_timeout_of_an_iq_is_a_stanza_error() {
        let body = br#"{"type":"error","error":{"type":"wait","condition":"remote-server-timeout","text":"IQ stanza timed out"},"code":500}"#;
        let e = status_error(500, body, Some("application/json"), None, true, true, None);
        let se = e.stanza_error().unwrap();
        assert_eq!(se.condition, Condition::RemoteServerTimeout);
        assert_eq!(se.type_, ErrorType::Wait);
        assert_eq!(e.status(), Some(500));
        let e = status_error(500, body, Some("application/json"), None, true, false, None);
        assert!(e.stanza_error().is_none());
    }
}
