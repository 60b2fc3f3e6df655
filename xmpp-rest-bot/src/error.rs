//! [`Error`]: what can go wrong reading, writing or building a stanza.

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

/// Why a stanza could not be read, written or built, as one opaque type:
/// malformed XML or JSON, input over a [limit](crate::wire::Limits), or a
/// stanza, JID or payload that is not acceptable.
///
/// Ask it what happened with the `is_*` queries; its `Display` says what was
/// wrong and where (line and column for XML, a path such as `$.disco.features[2]`
/// for JSON). The `/rest` client's failures (HTTP statuses, timeouts, ...)
/// are its own `client::RestError`, which holds one of these when a stanza
/// was at fault.
///
/// ```
/// use xmpp_rest_bot::wire::{Limits, WireFormat};
///
/// let err = WireFormat::Xml.decode(b"<message><body>", &Limits::default()).unwrap_err();
/// assert!(err.is_malformed());
/// assert!(err.position().is_some());
/// ```
pub struct Error {
    inner: Box<Repr<Kind>>,
}

/// What kind of failure an [`Error`] is. Private so that it can grow.
#[derive(Debug)]
enum Kind {
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
}

impl Error {
    fn new(kind: Kind) -> Self {
        Error {
            inner: Repr::new(kind),
        }
    }

    pub(crate) fn with_source(
        mut self,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        self.inner.set_source(source);
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
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.debug("xmpp_rest_bot::Error", f)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner.source()
    }
}

/// What an opaque error type holds: its private kind, and the error that
/// caused it. Boxed, so that a `Result` stays one pointer wide on the error
/// side. Shared by [`Error`] and the client's error.
pub(crate) struct Repr<K> {
    pub(crate) kind: K,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl<K: fmt::Debug> Repr<K> {
    pub(crate) fn new(kind: K) -> Box<Self> {
        Box::new(Repr { kind, source: None })
    }

    pub(crate) fn set_source(&mut self, source: impl std::error::Error + Send + Sync + 'static) {
        self.source = Some(Box::new(source));
    }

    pub(crate) fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|s| s as &(dyn std::error::Error + 'static))
    }

    /// The `Debug` of the error type called `name`: its kind and source.
    pub(crate) fn debug(&self, name: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct(name);
        d.field("kind", &self.kind);
        if let Some(source) = &self.source {
            d.field("source", source);
        }
        d.finish()
    }
}
