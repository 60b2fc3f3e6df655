//! An HTTP error status from `/rest`, and how to say what it means.

use std::fmt;

/// The details of an HTTP error status from `/rest`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct StatusError {
    pub(super) status: u16,
    /// mod_rest's condition, from a JSON or XML error body.
    pub(super) condition: Option<String>,
    /// mod_rest's text, from a JSON or XML error body.
    pub(super) text: Option<String>,
    /// The `WWW-Authenticate` challenge of a 401.
    pub(super) challenge: Option<String>,
    /// Whether the request carried credentials.
    pub(super) credentials_sent: bool,
    /// The `Host` header of the request: Prosody picks the virtual host by it,
    /// so a 404 may mean the wrong one.
    pub(super) host: Option<SentHost>,
}

/// The `Host` header a request carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct SentHost {
    pub(super) value: String,
    /// Set on the client's builder, rather than taken from the URL.
    pub(super) explicit: bool,
}

/// The hint for credentials that were not accepted (a 401 or 403).
const CHECK_CREDENTIALS: &str =
    "check the bearer token, or the user (the local part of the jid) and password";

impl fmt::Display for StatusError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (summary, hint) = match self.status {
            401 if !self.credentials_sent => (
                "no credentials",
                Some("configure a bearer token or basic auth"),
            ),
            401 => ("credentials not accepted", Some(CHECK_CREDENTIALS)),
            403 if self
                .text
                .as_deref()
                .is_some_and(|t| t.contains("'from'") || t.contains("Source JID")) =>
            {
                (
                    "forbidden",
                    Some("leave `from` unset or set it to your own jid"),
                )
            }
            403 => ("credentials not accepted", Some(CHECK_CREDENTIALS)),
            400 => ("malformed request", None),
            404 | 405 => (
                "not found",
                Some(
                    "check the url: mod_rest answers on /rest of prosody's http port (5280, or 5281 with tls)",
                ),
            ),
            413 => (
                "stanza too large",
                Some("send a smaller stanza or raise rest_stanza_size_limit"),
            ),
            415 => ("unsupported media type", None),
            422 => ("stanza rejected", None),
            500..=599 => ("server error", None),
            _ => ("unexpected http status", None),
        };
        write!(f, "{summary} (http {}", self.status)?;
        if let Some(condition) = &self.condition {
            write!(f, ", {condition}")?;
        }
        f.write_str(")")?;
        let mut sep = ": ";
        if let Some(text) = &self.text {
            if !text.eq_ignore_ascii_case(summary) {
                write!(f, "{sep}{text}")?;
                sep = "; ";
            }
        } else if self.condition.is_none() {
            write!(f, "{sep}{}", status_line(self.status))?;
            sep = "; ";
        }
        if let Some(hint) = hint {
            write!(f, "{sep}{hint}")?;
        }
        if self.status == 404 {
            self.write_host_hint(f)?;
        }
        if let Some(challenge) = &self.challenge {
            write!(f, " (the server accepts: {challenge})")?;
        }
        Ok(())
    }
}

impl StatusError {
    /// A right path on the wrong virtual host is a 404 too: Prosody found no
    /// host of that name, so no mod_rest.
    fn write_host_hint(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const RULE: &str = "Prosody chooses the virtual host by the Host header";
        match &self.host {
            Some(SentHost {
                value,
                explicit: true,
            }) => write!(
                f,
                "; {RULE}, and the host was set to {value}: check that {value} is a VirtualHost or Component of prosody that loads mod_rest"
            ),
            Some(SentHost {
                value,
                explicit: false,
            }) => write!(
                f,
                "; {RULE}; use the host's name in the URL or set the host (this request said Host: {value})"
            ),
            None => write!(
                f,
                "; {RULE}; use the host's name in the URL or set the host"
            ),
        }
    }
}

/// `"404 Not Found"`: the code and its reason phrase.
fn status_line(status: u16) -> String {
    let reason = match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        408 => "Request Timeout",
        409 => "Conflict",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        418 => "I'm a teapot",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    };
    if reason.is_empty() {
        status.to_string()
    } else {
        format!("{status} {reason}")
    }
}
