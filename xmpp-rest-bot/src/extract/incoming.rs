//! What extractors extract from: the decoded stanza and the HTTP request around it.

use std::sync::Arc;

use axum::http::HeaderMap;

use crate::command::AdHocCall;
use crate::stanza::Stanza;
use crate::wire::WireFormat;

/// One stanza posted by mod_rest, with the HTTP request it came in.
///
/// Extractors ([`FromStanza`](super::FromStanza)) read from it. The bot builds one
/// per request; build your own with [`Incoming::new`] to call a handler or an
/// extractor in a unit test.
///
/// ```
/// use xmpp_rest_bot::extract::Incoming;
/// use xmpp_rest_bot::stanza::{Message, StanzaKind};
/// use xmpp_rest_bot::wire::WireFormat;
///
/// let incoming = Incoming::new(Message::chat("bot@example.net".parse().unwrap(), "hi"))
///     .with_format(WireFormat::Json);
/// assert_eq!(incoming.stanza().kind(), StanzaKind::Message);
/// assert_eq!(incoming.format(), WireFormat::Json);
/// ```
#[derive(Debug, Clone)]
pub struct Incoming {
    /// Boxed: a `Message` is close to 1 KiB, and an `Incoming` moves through
    /// several futures on its way to the handler.
    stanza: Box<Stanza>,
    headers: HeaderMap,
    format: WireFormat,
    /// Set by dispatch when the stanza is an XEP-0050 submission of a
    /// registered command enum: the invocation built from the form, which
    /// [`Command`](crate::command::Command) reads instead of a message body.
    ad_hoc: Option<Arc<AdHocCall>>,
}

impl Incoming {
    /// An incoming stanza with no request headers, in the XML format.
    pub fn new(stanza: impl Into<Stanza>) -> Self {
        Incoming {
            stanza: Box::new(stanza.into()),
            headers: HeaderMap::new(),
            format: WireFormat::Xml,
            ad_hoc: None,
        }
    }

    /// Sets the request headers.
    #[must_use]
    pub fn with_headers(mut self, headers: HeaderMap) -> Self {
        self.headers = headers;
        self
    }

    /// Sets the wire format the stanza came in (and the reply goes out) in.
    #[must_use]
    pub fn with_format(mut self, format: WireFormat) -> Self {
        self.format = format;
        self
    }

    /// The stanza.
    pub fn stanza(&self) -> &Stanza {
        &self.stanza
    }

    /// The HTTP request headers (`Content-Language`, `User-Agent`, ...).
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The wire format of the request, which is also the format of the reply.
    pub fn format(&self) -> WireFormat {
        self.format
    }

    /// The ad-hoc command call this stanza carries, once dispatch recognised it.
    pub(crate) fn ad_hoc(&self) -> Option<&AdHocCall> {
        self.ad_hoc.as_deref()
    }

    pub(crate) fn set_ad_hoc(&mut self, call: Arc<AdHocCall>) {
        self.ad_hoc = Some(call);
    }

    /// Takes the stanza out.
    pub fn into_stanza(self) -> Stanza {
        *self.stanza
    }
}
