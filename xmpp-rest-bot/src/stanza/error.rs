//! Stanza errors (RFC 6120 section 8.3).

use std::fmt;
use std::str::FromStr;

use super::{Element, Jid};

/// The error type attribute: what the sender should do about the error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorType {
    /// Retry after providing credentials.
    Auth,
    /// Do not retry: the error cannot be remedied.
    Cancel,
    /// Proceed: the condition was only a warning.
    Continue,
    /// Retry after changing the data sent.
    Modify,
    /// Retry after waiting: the error is temporary.
    Wait,
}

impl ErrorType {
    /// The wire value (`"cancel"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorType::Auth => "auth",
            ErrorType::Cancel => "cancel",
            ErrorType::Continue => "continue",
            ErrorType::Modify => "modify",
            ErrorType::Wait => "wait",
        }
    }
}

impl FromStr for ErrorType {
    type Err = crate::Error;
    fn from_str(s: &str) -> crate::Result<Self> {
        Ok(match s {
            "auth" => ErrorType::Auth,
            "cancel" => ErrorType::Cancel,
            "continue" => ErrorType::Continue,
            "modify" => ErrorType::Modify,
            "wait" => ErrorType::Wait,
            other => {
                return Err(crate::Error::invalid(format!(
                    "unknown error type {other:?}"
                )));
            }
        })
    }
}

impl fmt::Display for ErrorType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! conditions {
    ($( $(#[$doc:meta])* $variant:ident = $wire:literal, $etype:ident, $status:literal; )*) => {
        /// A defined stanza error condition: every condition of RFC 6120 section 8.3.3,
        /// plus `payment-required`, which Prosody still maps HTTP 402 to.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Condition {
            $( $(#[$doc])* $variant, )*
        }

        impl Condition {
            /// Every condition, in RFC order.
            pub const ALL: &'static [Condition] = &[ $( Condition::$variant, )* ];

            /// The element name on the wire (`"item-not-found"`, ...).
            pub fn as_str(self) -> &'static str {
                match self { $( Condition::$variant => $wire, )* }
            }

            /// The error type RFC 6120 suggests for this condition.
            pub fn default_type(self) -> ErrorType {
                match self { $( Condition::$variant => ErrorType::$etype, )* }
            }

            /// The HTTP status the webhook answers with for this condition: one
            /// that Prosody's mod_rest maps back to this very condition where such a
            /// status exists (the book's "mod_rest on the wire"), else a close 4xx/5xx. The
            /// error stanza in the body carries the exact condition either way.
            pub fn http_status(self) -> u16 {
                match self { $( Condition::$variant => $status, )* }
            }
        }

        impl FromStr for Condition {
            type Err = crate::Error;
            fn from_str(s: &str) -> crate::Result<Self> {
                match s {
                    $( $wire => Ok(Condition::$variant), )*
                    other => Err(crate::Error::invalid(format!("unknown error condition {other:?}"))),
                }
            }
        }
    };
}

conditions! {
    /// The sender sent a malformed or unprocessable request.
    BadRequest = "bad-request", Modify, 400;
    /// Access cannot be granted because a resource or session with that name exists.
    Conflict = "conflict", Cancel, 409;
    /// The feature is not implemented by the recipient.
    FeatureNotImplemented = "feature-not-implemented", Cancel, 501;
    /// The requesting entity does not possess the necessary permissions.
    Forbidden = "forbidden", Auth, 403;
    /// The recipient or server can no longer be contacted at this address.
    Gone = "gone", Cancel, 410;
    /// The server has experienced a misconfiguration or other internal error.
    InternalServerError = "internal-server-error", Cancel, 500;
    /// The addressed JID or item requested cannot be found.
    ItemNotFound = "item-not-found", Cancel, 404;
    /// The sending entity has provided an invalid XMPP address.
    JidMalformed = "jid-malformed", Modify, 400;
    /// The recipient understands the request but will not process it.
    NotAcceptable = "not-acceptable", Modify, 406;
    /// The recipient does not allow any entity to perform the action.
    NotAllowed = "not-allowed", Cancel, 405;
    /// The sender needs to provide credentials.
    NotAuthorized = "not-authorized", Auth, 401;
    /// Payment is required (RFC 3920, kept because Prosody maps HTTP 402 to it).
    PaymentRequired = "payment-required", Auth, 402;
    /// The entity has violated a local service policy.
    PolicyViolation = "policy-violation", Modify, 403;
    /// The intended recipient is temporarily unavailable.
    RecipientUnavailable = "recipient-unavailable", Wait, 503;
    /// The recipient or server is redirecting requests elsewhere.
    Redirect = "redirect", Modify, 409;
    /// The requesting entity must register first.
    RegistrationRequired = "registration-required", Auth, 407;
    /// A remote server or service specified in the address does not exist.
    RemoteServerNotFound = "remote-server-not-found", Cancel, 404;
    /// A remote server could not be contacted in time.
    RemoteServerTimeout = "remote-server-timeout", Wait, 504;
    /// The server or recipient is busy or lacks the resources.
    ResourceConstraint = "resource-constraint", Wait, 429;
    /// The server or recipient does not provide the requested service.
    ServiceUnavailable = "service-unavailable", Cancel, 503;
    /// The requesting entity must subscribe first.
    SubscriptionRequired = "subscription-required", Auth, 403;
    /// An error not covered by any other condition.
    UndefinedCondition = "undefined-condition", Cancel, 500;
    /// The request was understood but was not expected at this time.
    UnexpectedRequest = "unexpected-request", Wait, 400;
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stanza error: the `<error/>` child of a stanza of type `error`.
///
/// ```
/// use xmpp_rest_bot::stanza::{Condition, StanzaError};
///
/// let err = StanzaError::new(Condition::Forbidden).with_text("admins only");
/// assert_eq!(err.condition, Condition::Forbidden);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StanzaError {
    /// What the sender should do about it.
    pub type_: ErrorType,
    /// The defined condition.
    pub condition: Condition,
    /// A human-readable description.
    pub text: Option<String>,
    /// The `xml:lang` of the text.
    pub text_lang: Option<String>,
    /// The entity that produced the error.
    pub by: Option<Jid>,
    /// The content of `<gone/>` or `<redirect/>`: the alternative address.
    pub alternative: Option<String>,
    /// Application-specific condition elements and anything else not modelled.
    pub extensions: Vec<Element>,
}

impl StanzaError {
    /// An error with this condition and its default type.
    pub fn new(condition: Condition) -> Self {
        StanzaError {
            type_: condition.default_type(),
            condition,
            text: None,
            text_lang: None,
            by: None,
            alternative: None,
            extensions: Vec::new(),
        }
    }

    /// Sets the human-readable text.
    #[must_use]
    pub fn with_text(mut self, text: impl Into<String>) -> Self {
        self.text = Some(text.into());
        self
    }

    /// Overrides the error type.
    #[must_use]
    pub fn with_type(mut self, type_: ErrorType) -> Self {
        self.type_ = type_;
        self
    }
}

impl From<Condition> for StanzaError {
    fn from(condition: Condition) -> Self {
        StanzaError::new(condition)
    }
}

impl fmt::Display for StanzaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.type_, self.condition)?;
        if let Some(text) = &self.text {
            write!(f, ": {text}")?;
        }
        Ok(())
    }
}

impl std::error::Error for StanzaError {}
