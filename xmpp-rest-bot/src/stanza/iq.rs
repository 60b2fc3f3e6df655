//! The `<iq/>` stanza.

use std::fmt;
use std::str::FromStr;

use super::{Element, Jid, Payload, StanzaError};

/// The type of an iq (RFC 6120 section 8.2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IqType {
    /// A request for information.
    Get,
    /// A request to change something.
    Set,
    /// A successful answer.
    Result,
    /// An error answer.
    Error,
}

impl IqType {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            IqType::Get => "get",
            IqType::Set => "set",
            IqType::Result => "result",
            IqType::Error => "error",
        }
    }

    /// Whether this is a request (get or set) that must be answered.
    pub fn is_request(self) -> bool {
        matches!(self, IqType::Get | IqType::Set)
    }
}

impl FromStr for IqType {
    type Err = crate::Error;
    fn from_str(s: &str) -> crate::Result<Self> {
        Ok(match s {
            "get" => IqType::Get,
            "set" => IqType::Set,
            "result" => IqType::Result,
            "error" => IqType::Error,
            other => return Err(crate::Error::invalid(format!("unknown iq type {other:?}"))),
        })
    }
}

impl fmt::Display for IqType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An `<iq/>` stanza: a request or its answer.
///
/// The payload is kept as an [`Element`]; read it typed with
/// [`payload_as`](Self::payload_as).
///
/// ```
/// use xmpp_rest_bot::stanza::{Iq, IqType, Ping};
///
/// let iq = Iq::get(Ping).with_id("p1");
/// assert!(iq.payload_as::<Ping>().is_some());
/// let result = iq.result(None::<Ping>);
/// assert_eq!(result.type_, IqType::Result);
/// assert_eq!(result.id.as_deref(), Some("p1"));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Iq {
    /// The recipient.
    pub to: Option<Jid>,
    /// The sender.
    pub from: Option<Jid>,
    /// The stanza id (required on the wire; mod_rest fills in missing ones).
    pub id: Option<String>,
    /// The iq type.
    pub type_: IqType,
    /// The stanza's `xml:lang`.
    pub lang: Option<String>,
    /// The payload: the one child of a get or set, the optional child of a result.
    pub payload: Option<Element>,
    /// The error of an iq of type `error`.
    pub error: Option<StanzaError>,
    /// Further child elements (an error iq may echo the request's payload and more).
    pub extensions: Vec<Element>,
    /// JSON keys the SDK does not model (JSON wire format only).
    pub json_extra: serde_json::Map<String, serde_json::Value>,
}

impl Iq {
    /// An iq of this type carrying `payload`.
    pub fn new(type_: IqType, payload: Option<Element>) -> Self {
        Iq {
            to: None,
            from: None,
            id: None,
            type_,
            lang: None,
            payload,
            error: None,
            extensions: Vec::new(),
            json_extra: serde_json::Map::new(),
        }
    }

    /// A get request carrying `payload`.
    pub fn get(payload: impl Payload) -> Self {
        Iq::new(IqType::Get, Some(payload.to_element()))
    }

    /// A set request carrying `payload`.
    pub fn set(payload: impl Payload) -> Self {
        Iq::new(IqType::Set, Some(payload.to_element()))
    }

    /// Sets the recipient.
    #[must_use]
    pub fn with_to(mut self, to: Jid) -> Self {
        self.to = Some(to);
        self
    }

    /// Sets the id.
    #[must_use]
    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// The payload as `P`: `None` when the iq carries no such element, `Some(Err)`
    /// when it does but the content is invalid.
    pub fn payload_as<P: Payload>(&self) -> Option<crate::Result<P>> {
        self.payload
            .as_ref()
            .filter(|el| P::matches(el))
            .map(P::from_element)
    }

    /// The namespace of the payload, if any.
    pub fn payload_ns(&self) -> Option<&str> {
        self.payload.as_ref().map(Element::ns)
    }

    /// The result answering this request, carrying `payload`: addresses swapped,
    /// same id.
    pub fn result<P: Payload>(&self, payload: Option<P>) -> Iq {
        Iq {
            to: self.from.clone(),
            from: self.to.clone(),
            id: self.id.clone(),
            ..Iq::new(IqType::Result, payload.map(|p| p.to_element()))
        }
    }

    /// The error answering this request: addresses swapped, same id.
    pub fn error_reply(&self, error: impl Into<StanzaError>) -> Iq {
        Iq {
            to: self.from.clone(),
            from: self.to.clone(),
            id: self.id.clone(),
            error: Some(error.into()),
            ..Iq::new(IqType::Error, None)
        }
    }
}
