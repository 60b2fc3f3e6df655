//! [`RestError`]: what can go wrong between the client and Prosody's `/rest`.

use std::fmt;

use super::status::StatusError;
use crate::error::Repr;
use crate::reply::{IntoReply, Reply};
use crate::stanza::{Jid, StanzaError};

/// A `Result` with the client's [`RestError`].
pub type Result<T, E = RestError> = std::result::Result<T, E>;

/// Why a [`RestClient`](super::RestClient) call failed, as one opaque type.
///
/// Ask it what happened with the `is_*` queries and the accessors
/// ([`status`](Self::status), [`stanza_error`](Self::stanza_error), ...); its
/// `Display` says what went wrong and, where it can, what to check.
///
/// ```
/// use xmpp_rest_bot::client::RestClient;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let client = RestClient::builder("http://127.0.0.1:5280").build().unwrap();
/// // An argument that is not a JID fails before anything is sent.
/// let err = client.send_chat("not a jid@@", "hi").await.unwrap_err();
/// assert!(err.is_invalid_input());
/// assert!(!err.is_status() && !err.is_connect());
/// # }
/// ```
pub struct RestError {
    inner: Box<Repr<Kind>>,
}

/// What kind of failure a [`RestError`] is. Private so that it can grow.
#[derive(Debug)]
enum Kind {
    /// Prosody's `/rest` answered with an HTTP error status.
    Status(StatusError),
    /// The entity queried answered with an error stanza (or mod_rest reported that
    /// it did not answer in time).
    Stanza {
        error: StanzaError,
        from: Option<Jid>,
        /// The HTTP status that carried it, when it was not a 200 with an error iq.
        status: Option<u16>,
    },
    /// The HTTP exchange failed: no connection, a timeout, a broken response.
    Transport {
        /// The connection could not be made (nothing was sent).
        connect: bool,
        /// A timeout expired.
        timeout: bool,
        message: String,
    },
    /// The response is not what mod_rest sends (wrong content type, wrong kind).
    Protocol { message: String },
    /// The answer's stanzas could not be decoded, or the body is over the limit.
    Answer(crate::Error),
    /// An argument is not acceptable (a JID, a nick): nothing was sent.
    Input(crate::Error),
    /// The client's configuration is unusable.
    Config { message: String },
}

impl RestError {
    fn new(kind: Kind) -> Self {
        RestError {
            inner: Repr::new(kind),
        }
    }

    pub(super) fn with_source(
        mut self,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        self.inner.set_source(source);
        self
    }

    pub(super) fn status_error(status: StatusError) -> Self {
        RestError::new(Kind::Status(status))
    }

    pub(super) fn stanza(error: StanzaError, from: Option<Jid>, status: Option<u16>) -> Self {
        RestError::new(Kind::Stanza {
            error,
            from,
            status,
        })
    }

    pub(super) fn transport(connect: bool, timeout: bool, message: impl Into<String>) -> Self {
        RestError::new(Kind::Transport {
            connect,
            timeout,
            message: message.into(),
        })
    }

    pub(super) fn protocol(message: impl Into<String>) -> Self {
        RestError::new(Kind::Protocol {
            message: message.into(),
        })
    }

    pub(super) fn answer(error: crate::Error) -> Self {
        RestError::new(Kind::Answer(error))
    }

    pub(super) fn input(error: crate::Error) -> Self {
        RestError::new(Kind::Input(error))
    }

    pub(super) fn config(message: impl Into<String>) -> Self {
        RestError::new(Kind::Config {
            message: message.into(),
        })
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

    /// An argument of the call is not acceptable (a string that is not a JID,
    /// a nick that is not a valid resource): nothing was sent.
    /// [`codec_error`](Self::codec_error) says why.
    pub fn is_invalid_input(&self) -> bool {
        matches!(self.inner.kind, Kind::Input(_))
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
    pub fn stanza_error(&self) -> Option<&StanzaError> {
        match &self.inner.kind {
            Kind::Stanza { error, .. } => Some(error),
            _ => None,
        }
    }

    /// The stanza codec's error behind this one: why an argument is not
    /// acceptable ([`is_invalid_input`](Self::is_invalid_input)), or why an
    /// answer could not be read (malformed, or over the
    /// [limits](super::RestClientBuilder::limits) or the
    /// [response size](super::RestClientBuilder::max_response_size)).
    ///
    /// ```
    /// use xmpp_rest_bot::client::RestClient;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let client = RestClient::builder("http://127.0.0.1:5280").build().unwrap();
    /// let err = client.join_room("room@muc.example.org", "").await.unwrap_err();
    /// assert!(err.codec_error().is_some_and(|e| e.is_invalid()));
    /// # }
    /// ```
    pub fn codec_error(&self) -> Option<&crate::Error> {
        match &self.inner.kind {
            Kind::Answer(e) | Kind::Input(e) => Some(e),
            _ => None,
        }
    }
}

impl fmt::Display for RestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner.kind {
            Kind::Status(status) => status.fmt(f),
            Kind::Stanza { error, from, .. } => match from {
                Some(from) => write!(f, "{from} answered with an error: {error}"),
                None => write!(f, "error reply: {error}"),
            },
            Kind::Transport { message, .. } => f.write_str(message),
            Kind::Protocol { message } => write!(f, "unexpected response from prosody: {message}"),
            Kind::Answer(e) => write!(f, "unreadable answer from prosody: {e}"),
            Kind::Input(e) => e.fmt(f),
            Kind::Config { message } => write!(f, "invalid configuration: {message}"),
        }
    }
}

impl fmt::Debug for RestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.debug("xmpp_rest_bot::client::RestError", f)
    }
}

impl std::error::Error for RestError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self.codec_error() {
            Some(codec) => Some(codec),
            None => self.inner.source(),
        }
    }
}

impl IntoReply for RestError {
    /// Logged; the sender gets `internal-server-error` without the details, as
    /// for [`Error`](crate::Error).
    fn into_reply(self) -> Reply {
        Reply::internal_error(self.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stanza::Condition;

    #[test]
    fn codec_errors_are_kept_and_chained() {
        let input = RestError::input(crate::Error::invalid("invalid jid \"@\""));
        assert!(input.is_invalid_input());
        assert_eq!(input.to_string(), "invalid stanza: invalid jid \"@\"");
        assert!(std::error::Error::source(&input).is_some());

        let answer = RestError::answer(crate::Error::limit("response body", 10));
        assert!(!answer.is_invalid_input());
        assert!(answer.codec_error().is_some_and(crate::Error::is_limit));
        assert_eq!(
            answer.to_string(),
            "unreadable answer from prosody: response body is over the limit of 10"
        );
    }

    #[test]
    fn an_error_stanza_is_not_an_auth_failure() {
        let e = RestError::stanza(StanzaError::new(Condition::Forbidden), None, Some(403));
        assert!(!e.is_auth());
        assert_eq!(e.status(), Some(403));
        assert!(e.http_condition().is_none());
    }
}
