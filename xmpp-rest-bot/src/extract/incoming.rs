//! What extractors extract from: the decoded stanza and the HTTP request around it.

use axum::http::{Extensions, HeaderMap};

use crate::stanza::Stanza;
use crate::wire::WireFormat;

/// One stanza posted by mod_rest, with the HTTP request it came in.
///
/// Extractors ([`FromStanza`](super::FromStanza)) read from it. The bot builds one
/// per request; build your own with [`Incoming::new`] to call a handler or an
/// extractor in a unit test.
///
/// It also carries typed [extensions](Self::extensions): values the stages
/// before the routes ([interceptors](crate::intercept)) attach for the
/// extractors and filters (the ad-hoc command being run, a conversation's
/// state, ...), one per type.
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
    /// Empty (no allocation) until a stage inserts something.
    extensions: Extensions,
}

impl Incoming {
    /// An incoming stanza with no request headers, in the XML format.
    pub fn new(stanza: impl Into<Stanza>) -> Self {
        Incoming {
            stanza: Box::new(stanza.into()),
            headers: HeaderMap::new(),
            format: WireFormat::Xml,
            extensions: Extensions::new(),
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

    /// The stanza, to change: an [interceptor](crate::intercept) may rewrite
    /// it before the routes see it (the guardrails replace a `!yes` with the
    /// command it confirms).
    pub fn stanza_mut(&mut self) -> &mut Stanza {
        &mut self.stanza
    }

    /// The HTTP request headers (`Content-Language`, `User-Agent`, ...).
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The wire format of the request, which is also the format of the reply.
    pub fn format(&self) -> WireFormat {
        self.format
    }

    /// Adds a typed extension (replacing one of the same type).
    #[must_use]
    pub fn with_extension<T: Clone + Send + Sync + 'static>(mut self, value: T) -> Self {
        self.extensions.insert(value);
        self
    }

    /// The typed extensions the stages before the routes attached, one per
    /// type:
    ///
    /// ```
    /// use xmpp_rest_bot::extract::Incoming;
    /// use xmpp_rest_bot::stanza::Message;
    ///
    /// #[derive(Clone, Debug, PartialEq)]
    /// struct Tenant(&'static str);
    ///
    /// let mut incoming = Incoming::new(Message::chat("bot@example.net".parse().unwrap(), "hi"));
    /// assert_eq!(incoming.extensions().get::<Tenant>(), None);
    /// incoming.extensions_mut().insert(Tenant("acme"));
    /// assert_eq!(incoming.extensions().get::<Tenant>(), Some(&Tenant("acme")));
    /// ```
    pub fn extensions(&self) -> &Extensions {
        &self.extensions
    }

    /// The typed extensions, to attach or take values.
    pub fn extensions_mut(&mut self) -> &mut Extensions {
        &mut self.extensions
    }

    /// Takes the stanza out.
    pub fn into_stanza(self) -> Stanza {
        *self.stanza
    }
}
