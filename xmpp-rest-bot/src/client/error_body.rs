//! An HTTP error status from `/rest` as the client's error: mod_rest's
//! description of it, read from a JSON or XML error body.

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

use super::RestError;
use super::status::{SentHost, StatusError};
use crate::stanza::{Condition, ErrorType, StanzaError};
use crate::wire::WireFormat;

/// The namespace of mod_rest's XML error bodies (a stream error).
const STREAMS_NS: &str = "http://etherx.jabber.org/streams";
/// The namespace of stream error conditions and text.
const STREAM_ERRORS_NS: &str = "urn:ietf:params:xml:ns:xmpp-streams";

/// An answer with an HTTP error status, and what the request was.
pub(super) struct Failed<'a> {
    pub(super) status: u16,
    pub(super) body: &'a [u8],
    pub(super) content_type: Option<&'a str>,
    /// The `WWW-Authenticate` header.
    pub(super) challenge: Option<String>,
    pub(super) credentials_sent: bool,
    /// The request was an iq, whose answer Prosody waited for.
    pub(super) is_iq: bool,
    pub(super) host: Option<SentHost>,
}

/// The error for an HTTP error status.
pub(super) fn status_error(failed: Failed<'_>) -> RestError {
    let Failed {
        status,
        body,
        content_type,
        challenge,
        credentials_sent,
        is_iq,
        host,
    } = failed;
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
        return RestError::stanza(error, None, Some(status));
    }
    RestError::status_error(StatusError {
        status,
        condition: details.condition,
        text: details.text,
        challenge: if status == 401 { challenge } else { None },
        credentials_sent,
        host,
    })
}

/// mod_rest's description of an HTTP error, from its JSON or XML body.
#[derive(Debug, Default, PartialEq, Eq)]
struct ErrorBody {
    type_: Option<String>,
    condition: Option<String>,
    text: Option<String>,
}

/// Parses an error body: JSON `{"type":"error","error":{...},"code":N}` or XML
/// `<error xmlns="http://etherx.jabber.org/streams">`; anything else (HTML) gives
/// an empty description.
fn parse_error_body(body: &[u8], content_type: Option<&str>) -> ErrorBody {
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
        let cases: [(&[u8], &str); 4] = [
            (b"<html><body>no</body></html>", "text/html"),
            (b"{not json", "application/json"),
            (b"<error xmlns='other'/>", "application/xmpp+xml"),
            (b"<error", "application/xmpp+xml"),
        ];
        for (body, content_type) in cases {
            assert_eq!(
                parse_error_body(body, Some(content_type)),
                ErrorBody::default(),
                "{content_type}"
            );
        }
    }

    #[test]
    fn a_timeout_of_an_iq_is_a_stanza_error() {
        let body = br#"{"type":"error","error":{"type":"wait","condition":"remote-server-timeout","text":"IQ stanza timed out"},"code":500}"#;
        let failed = |is_iq| Failed {
            status: 500,
            body,
            content_type: Some("application/json"),
            challenge: None,
            credentials_sent: true,
            is_iq,
            host: None,
        };
        let e = status_error(failed(true));
        let se = e.stanza_error().unwrap();
        assert_eq!(se.condition, Condition::RemoteServerTimeout);
        assert_eq!(se.type_, ErrorType::Wait);
        assert_eq!(e.status(), Some(500));
        let e = status_error(failed(false));
        assert!(e.stanza_error().is_none());
    }
}
