//! The emulator's error answers: mod_rest's table of errors, and the body
//! each module and `Accept` header give them (JSON, XML or Prosody's HTML page).

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::Shared;
use crate::wire::WireFormat;

/// A mod_rest error: HTTP status, error type, condition, text.
#[derive(Debug, Clone, Copy)]
pub(super) struct ModRestError {
    status: u16,
    type_: &'static str,
    condition: &'static str,
    text: &'static str,
}

const fn err(
    status: u16,
    type_: &'static str,
    condition: &'static str,
    text: &'static str,
) -> ModRestError {
    ModRestError {
        status,
        type_,
        condition,
        text,
    }
}

// The error table of the late-2023 mod_rest.
pub(super) const NOAUTHZ: ModRestError =
    err(401, "auth", "not-authorized", "No credentials provided");
pub(super) const UNAUTHZ: ModRestError =
    err(403, "auth", "not-authorized", "Credentials not accepted");
pub(super) const MALFORMAUTHZ: ModRestError =
    err(403, "auth", "not-authorized", "Credentials malformed");
pub(super) const PREPAUTHZ: ModRestError = err(
    403,
    "auth",
    "not-authorized",
    "Credentials failed stringprep",
);
pub(super) const PARSE: ModRestError =
    err(400, "modify", "not-well-formed", "Failed to parse payload");
pub(super) const XMLNS: ModRestError = err(
    422,
    "modify",
    "invalid-namespace",
    "'xmlns' attribute must be empty",
);
pub(super) const NAME: ModRestError = err(
    422,
    "modify",
    "unsupported-stanza-type",
    "Invalid stanza, must be 'message', 'presence' or 'iq'.",
);
pub(super) const TO: ModRestError = err(
    422,
    "modify",
    "improper-addressing",
    "Invalid destination JID",
);
pub(super) const FROM: ModRestError = err(422, "modify", "invalid-from", "Invalid source JID");
pub(super) const FROM_AUTH: ModRestError = err(
    403,
    "auth",
    "not-authorized",
    "Not authorized to send stanza with requested 'from'",
);
pub(super) const IQ_TYPE: ModRestError = err(
    422,
    "modify",
    "invalid-xml",
    "'iq' stanza must be of type 'get' or 'set'",
);
pub(super) const IQ_TAGS: ModRestError = err(
    422,
    "modify",
    "bad-format",
    "'iq' stanza must have exactly one child tag",
);
pub(super) const MEDIATYPE: ModRestError =
    err(415, "cancel", "bad-format", "Unsupported media type");
pub(super) const SIZE: ModRestError =
    err(413, "modify", "resource-constraint", "Payload too large");
pub(super) const IQ_TIMEOUT: ModRestError =
    err(500, "wait", "remote-server-timeout", "IQ stanza timed out");
/// The early-2020 module's 403 for a `from` outside its host.
pub(super) const LEGACY_FROM: ModRestError = err(
    403,
    "cancel",
    "undefined-condition",
    "Source JID must belong to current host",
);

/// What went wrong, with the module it comes from deciding the body.
pub(super) enum Failure {
    /// An error of mod_rest's table.
    Rest(ModRestError),
    /// A bare status (an unknown route, the early module's 401).
    Status(u16),
}

impl From<ModRestError> for Failure {
    fn from(e: ModRestError) -> Self {
        Failure::Rest(e)
    }
}

impl Failure {
    fn status(&self) -> u16 {
        match self {
            Failure::Rest(e) => e.status,
            Failure::Status(status) => *status,
        }
    }
}

/// An error answer in the format the module would use.
pub(super) fn error_response(
    shared: &Shared,
    headers: &HeaderMap,
    failure: Failure,
    challenge: Option<String>,
) -> Response {
    let status = failure.status();
    let (body, content_type) = if shared.config.legacy.is_some() {
        // The early module turns every HTTP error of the server into JSON.
        let body = match failure {
            Failure::Status(status) => serde_json::json!({ "type": "error", "code": status }),
            // Its own errors carry a code and a text only; Prosody's (the iq
            // timeout) keep their type and condition.
            Failure::Rest(e) if e.condition == IQ_TIMEOUT.condition => serde_json::json!({
                "type": "error",
                "error": { "type": e.type_, "condition": e.condition, "text": e.text },
                "code": e.status,
            }),
            Failure::Rest(e) => serde_json::json!({
                "type": "error",
                "error": { "type": "cancel", "condition": "undefined-condition", "text": e.text, "code": e.status },
                "code": e.status,
            }),
        };
        (
            serde_json::to_vec(&body).unwrap_or_default(),
            "application/json",
        )
    } else {
        let accept = headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let error = match failure {
            Failure::Rest(e) => Some(e),
            Failure::Status(_) => None,
        };
        match decide_error_type(accept) {
            ErrorBody::Json => {
                let body = serde_json::json!({
                    "type": "error",
                    "error": error.map(|e| serde_json::json!({
                        "type": e.type_, "condition": e.condition, "text": e.text,
                        "code": e.status, "source": "mod_rest",
                    })),
                    "code": status,
                });
                (
                    serde_json::to_vec(&body).unwrap_or_default(),
                    "application/json",
                )
            }
            ErrorBody::Xml => {
                let mut body = String::from("<error xmlns='http://etherx.jabber.org/streams'>");
                if let Some(e) = error {
                    body.push_str(&format!(
                        "<{} xmlns='urn:ietf:params:xml:ns:xmpp-streams'/><text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>{}</text>",
                        e.condition,
                        xml_escape(e.text)
                    ));
                }
                body.push_str("</error>");
                (body.into_bytes(), "application/xmpp+xml")
            }
            ErrorBody::Html => (html_page(status).into_bytes(), "text/html; charset=utf-8"),
        }
    };
    let mut response = (
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
        Body::from(body),
    )
        .into_response();
    if let Some(challenge) = challenge.and_then(|c| HeaderValue::from_str(&c).ok()) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, challenge);
    }
    response
}

enum ErrorBody {
    Html,
    Xml,
    Json,
}

/// mod_rest's error format: of HTML, XML and JSON, the one named earliest in
/// `Accept`, HTML when none is.
fn decide_error_type(accept: &str) -> ErrorBody {
    let pos = |t: &str| accept.find(t).unwrap_or(usize::MAX);
    let (html, xml, json) = (
        pos("text/html"),
        pos(WireFormat::Xml.content_type()),
        pos(WireFormat::Json.content_type()),
    );
    if xml < html && xml <= json {
        ErrorBody::Xml
    } else if json < html && json < xml {
        ErrorBody::Json
    } else {
        ErrorBody::Html
    }
}

pub(super) fn html_error(status: u16) -> Response {
    (
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        html_page(status),
    )
        .into_response()
}

fn html_page(status: u16) -> String {
    let reason = StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Error");
    format!(
        "<!DOCTYPE html>\n<html>\n<head><meta charset=\"utf-8\"><title>{reason}</title></head>\n<body><h1>{reason}</h1><p>That's all I know.</p></body>\n</html>\n"
    )
}

fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\'' => out.push_str("&apos;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_formats_are_decided_like_mod_rest() {
        assert!(matches!(decide_error_type(""), ErrorBody::Html));
        assert!(matches!(
            decide_error_type("application/json"),
            ErrorBody::Json
        ));
        assert!(matches!(
            decide_error_type("application/xmpp+xml"),
            ErrorBody::Xml
        ));
        assert!(matches!(
            decide_error_type("text/html, application/json"),
            ErrorBody::Html
        ));
    }
}
