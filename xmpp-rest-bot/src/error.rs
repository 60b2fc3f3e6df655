//! The crate's error type.

use std::fmt;

/// A value quoted for an error message, cut short when long (hostile input can be huge).
pub(crate) fn snippet(value: &str) -> String {
    const MAX: usize = 64;
    if value.len() <= MAX {
        format!("{value:?}")
    } else {
        let mut end = MAX;
        while !value.is_char_boundary(end) {
            end -= 1;
        }
        format!("{:?}...", &value[..end])
    }
}

/// A `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in this crate, as one opaque type.
///
/// Ask it what happened with the `is_*` queries; its `Display` says what was
/// wrong and where (line and column for XML, a path such as `$.disco.features[2]`
/// for JSON).
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: Kind,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

/// What kind of failure an [`Error`] is. Private so that it can grow.
#[derive(Debug)]
pub(crate) enum Kind {
    /// The input is not well-formed XML (or uses a forbidden construct such as a DTD).
    Xml {
        message: String,
        line: u64,
        column: u64,
    },
    /// The input is not valid JSON, or a key has the wrong type.
    Json { message: String, path: String },
    /// The input is over a configured limit.
    Limit { what: &'static str, limit: usize },
    /// The input is well-formed but is not an acceptable stanza (wrong top element,
    /// invalid JID, missing or invalid attribute, ...).
    Invalid { message: String },
    /// Prosody's `/rest` answered with an HTTP error status.
    #[cfg_attr(not(feature = "client"), allow(dead_code))]
    Status(Box<StatusError>),
    /// The entity queried answered with an error stanza (or mod_rest reported that
    /// it did not answer in time).
    #[cfg_attr(not(feature = "client"), allow(dead_code))]
    Stanza {
        error: Box<crate::stanza::StanzaError>,
        from: Option<crate::stanza::Jid>,
        /// The HTTP status that carried it, when it was not a 200 with an error iq.
        status: Option<u16>,
    },
    /// The HTTP exchange failed: no connection, a timeout, a broken response.
    #[cfg_attr(not(feature = "client"), allow(dead_code))]
    Transport {
        /// The connection could not be made (nothing was sent).
        connect: bool,
        /// A timeout expired.
        timeout: bool,
        message: String,
    },
    /// The response is not what mod_rest sends (wrong content type, wrong kind).
    #[cfg_attr(not(feature = "client"), allow(dead_code))]
    Protocol { message: String },
    /// The client or emulator configuration is unusable.
    #[cfg_attr(not(feature = "client"), allow(dead_code))]
    Config { message: String },
}

/// The details of an HTTP error status from `/rest`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(not(feature = "client"), allow(dead_code))]
pub(crate) struct StatusError {
    pub(crate) status: u16,
    /// mod_rest's condition, from a JSON or XML error body.
    pub(crate) condition: Option<String>,
    /// mod_rest's text, from a JSON or XML error body.
    pub(crate) text: Option<String>,
    /// The `WWW-Authenticate` challenge of a 401.
    pub(crate) challenge: Option<String>,
    /// Whether the request carried credentials.
    pub(crate) credentials_sent: bool,
    /// The `Host` header of the request: Prosody picks the virtual host by it,
    /// so a 404 may mean the wrong one.
    pub(crate) host: Option<SentHost>,
}

/// The `Host` header a request carried.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(not(feature = "client"), allow(dead_code))]
pub(crate) struct SentHost {
    pub(crate) value: String,
    /// Set on the client's builder, rather than taken from the URL.
    pub(crate) explicit: bool,
}

impl Error {
    pub(crate) fn new(kind: Kind) -> Self {
        Error {
            inner: Box::new(Inner { kind, source: None }),
        }
    }

    pub(crate) fn with_source(
        mut self,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        self.inner.source = Some(Box::new(source));
        self
    }

    pub(crate) fn xml(message: impl Into<String>, line: u64, column: u64) -> Self {
        Error::new(Kind::Xml {
            message: message.into(),
            line,
            column,
        })
    }

    pub(crate) fn json(message: impl Into<String>, path: impl Into<String>) -> Self {
        Error::new(Kind::Json {
            message: message.into(),
            path: path.into(),
        })
    }

    pub(crate) fn limit(what: &'static str, limit: usize) -> Self {
        Error::new(Kind::Limit { what, limit })
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Error::new(Kind::Invalid {
            message: message.into(),
        })
    }

    #[cfg_attr(not(feature = "client"), allow(dead_code))]
    pub(crate) fn status_error(status: StatusError) -> Self {
        Error::new(Kind::Status(Box::new(status)))
    }

    #[cfg_attr(not(feature = "client"), allow(dead_code))]
    pub(crate) fn stanza(
        error: crate::stanza::StanzaError,
        from: Option<crate::stanza::Jid>,
        status: Option<u16>,
    ) -> Self {
        Error::new(Kind::Stanza {
            error: Box::new(error),
            from,
            status,
        })
    }

    #[cfg_attr(not(feature = "client"), allow(dead_code))]
    pub(crate) fn transport(connect: bool, timeout: bool, message: impl Into<String>) -> Self {
        Error::new(Kind::Transport {
            connect,
            timeout,
            message: message.into(),
        })
    }

    #[cfg_attr(not(feature = "client"), allow(dead_code))]
    pub(crate) fn protocol(message: impl Into<String>) -> Self {
        Error::new(Kind::Protocol {
            message: message.into(),
        })
    }

    #[cfg_attr(not(feature = "client"), allow(dead_code))]
    pub(crate) fn config(message: impl Into<String>) -> Self {
        Error::new(Kind::Config {
            message: message.into(),
        })
    }

    #[allow(dead_code)]
    pub(crate) fn kind(&self) -> &Kind {
        &self.inner.kind
    }

    /// An invalid payload: what a [`Payload::from_element`](crate::stanza::Payload::from_element)
    /// of yours returns when the element's content is wrong. A handler extracting
    /// that payload answers `bad-request` with `message` as the text.
    ///
    /// ```
    /// use xmpp_rest_bot::Error;
    ///
    /// let err = Error::invalid_payload("missing city");
    /// assert!(err.is_invalid());
    /// assert_eq!(err.to_string(), "invalid stanza: missing city");
    /// ```
    pub fn invalid_payload(message: impl Into<String>) -> Self {
        Error::invalid(message)
    }

    /// The input is not well-formed XML or JSON (HTTP 400 in the webhook).
    pub fn is_malformed(&self) -> bool {
        matches!(self.inner.kind, Kind::Xml { .. } | Kind::Json { .. })
    }

    /// The input is over a configured size, depth or count limit (HTTP 413).
    pub fn is_limit(&self) -> bool {
        matches!(self.inner.kind, Kind::Limit { .. })
    }

    /// The input parsed but is not an acceptable stanza: wrong top element,
    /// invalid JID, bad attribute value (HTTP 422).
    pub fn is_invalid(&self) -> bool {
        matches!(self.inner.kind, Kind::Invalid { .. })
    }

    /// Prosody refused the credentials, or none were sent: HTTP 401 (no or
    /// unknown credentials; the early-2020 module also answers 401 to a wrong
    /// token) or 403 (credentials not accepted, or a `from` that is not yours).
    pub fn is_auth(&self) -> bool {
        matches!(self.status(), Some(401 | 403)) && self.stanza_error().is_none()
    }

    /// mod_rest rejected the stanza as unacceptable (HTTP 422): an `xmlns` on the
    /// top element, a wrong top element, an invalid `to` or `from`, an iq that is
    /// not get/set or has not exactly one child. [`http_condition`](Self::http_condition)
    /// and [`http_text`](Self::http_text) say which.
    pub fn is_rejected(&self) -> bool {
        self.status() == Some(422)
    }

    /// A timeout expired: connecting, or waiting for the HTTP response.
    ///
    /// An entity that does not answer an iq in time is reported by mod_rest as
    /// a `remote-server-timeout` [stanza error](Self::stanza_error) instead.
    pub fn is_timeout(&self) -> bool {
        matches!(self.inner.kind, Kind::Transport { timeout: true, .. })
    }

    /// The connection to Prosody could not be made (refused, DNS, TLS handshake,
    /// connect timeout): nothing was sent.
    pub fn is_connect(&self) -> bool {
        matches!(self.inner.kind, Kind::Transport { connect: true, .. })
    }

    /// Prosody answered with an HTTP error status; [`status`](Self::status) says which.
    pub fn is_status(&self) -> bool {
        self.status().is_some()
    }

    /// The HTTP error status Prosody answered with (4xx or 5xx).
    ///
    /// Also set on a `remote-server-timeout` [stanza error](Self::stanza_error)
    /// that mod_rest reports with HTTP 500 when an iq got no answer in time.
    pub fn status(&self) -> Option<u16> {
        match &self.inner.kind {
            Kind::Status(s) => Some(s.status),
            Kind::Stanza { status, .. } => *status,
            _ => None,
        }
    }

    /// The condition mod_rest gave with an HTTP error status (`"not-authorized"`,
    /// `"invalid-namespace"`, `"improper-addressing"`, ...), read from its JSON
    /// or XML error body. `None` for an HTML body.
    pub fn http_condition(&self) -> Option<&str> {
        match &self.inner.kind {
            Kind::Status(s) => s.condition.as_deref(),
            _ => None,
        }
    }

    /// The text mod_rest gave with an HTTP error status (`"Invalid destination JID"`,
    /// ...), read from its JSON or XML error body.
    pub fn http_text(&self) -> Option<&str> {
        match &self.inner.kind {
            Kind::Status(s) => s.text.as_deref(),
            _ => None,
        }
    }

    /// The error the queried entity answered with (an iq of type `error`), or
    /// `remote-server-timeout` when it did not answer in time.
    pub fn stanza_error(&self) -> Option<&crate::stanza::StanzaError> {
        match &self.inner.kind {
            Kind::Stanza { error, .. } => Some(error),
            _ => None,
        }
    }

    /// Line and column (1-based) of an XML error.
    pub fn position(&self) -> Option<(u64, u64)> {
        match &self.inner.kind {
            Kind::Xml { line, column, .. } => Some((*line, *column)),
            _ => None,
        }
    }

    /// The JSON path (`$.key[0].sub`) of a JSON error.
    pub fn json_path(&self) -> Option<&str> {
        match &self.inner.kind {
            Kind::Json { path, .. } => Some(path),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner.kind {
            Kind::Xml {
                message,
                line,
                column,
            } => write!(
                f,
                "malformed xml at line {line}, column {column}: {message}"
            ),
            Kind::Json { message, path } => write!(f, "invalid json at {path}: {message}"),
            Kind::Limit { what, limit } => write!(f, "{what} is over the limit of {limit}"),
            Kind::Invalid { message } => write!(f, "invalid stanza: {message}"),
            Kind::Status(status) => status.fmt(f),
            Kind::Stanza { error, from, .. } => match from {
                Some(from) => write!(f, "{from} answered with an error: {error}"),
                None => write!(f, "error reply: {error}"),
            },
            Kind::Transport { message, .. } => f.write_str(message),
            Kind::Protocol { message } => write!(f, "unexpected response from prosody: {message}"),
            Kind::Config { message } => write!(f, "invalid configuration: {message}"),
        }
    }
}

impl fmt::Display for StatusError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (summary, hint) = match self.status {
            401 if !self.credentials_sent => (
                "no credentials",
                Some("configure a bearer token or basic auth"),
            ),
            401 => (
                "credentials not accepted",
                Some(
                    "check the bearer token, or the user (the local part of the jid) and password",
                ),
            ),
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
            403 => (
                "credentials not accepted",
                Some(
                    "check the bearer token, or the user (the local part of the jid) and password",
                ),
            ),
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

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("xmpp_rest_bot::Error");
        d.field("kind", &self.inner.kind);
        if let Some(source) = &self.inner.source {
            d.field("source", source);
        }
        d.finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|s| s as &(dyn std::error::Error + 'static))
    }
}
