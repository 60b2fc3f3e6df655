//! The wire formats mod_rest speaks: XML (`application/xmpp+xml`) and its JSON
//! mapping (`application/json`), with the limits that guard decoding.

pub mod json;
pub mod xml;

use std::fmt;

use crate::stanza::Stanza;

/// A wire format of mod_rest.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WireFormat {
    /// `application/xmpp+xml`: lossless, the default.
    #[default]
    Xml,
    /// `application/json`: mod_rest's JSON mapping (payloads it does not map are
    /// dropped by mod_rest).
    Json,
}

impl WireFormat {
    /// The media type.
    pub fn content_type(self) -> &'static str {
        match self {
            WireFormat::Xml => "application/xmpp+xml",
            WireFormat::Json => "application/json",
        }
    }

    /// The format of a `Content-Type` header value, ignoring parameters such as
    /// `charset` and letter case; `None` for any other media type.
    pub fn from_content_type(value: &str) -> Option<Self> {
        let essence = value.split(';').next().unwrap_or_default().trim();
        if essence.eq_ignore_ascii_case("application/xmpp+xml") {
            Some(WireFormat::Xml)
        } else if essence.eq_ignore_ascii_case("application/json") {
            Some(WireFormat::Json)
        } else {
            None
        }
    }

    /// Decodes a stanza in this format.
    ///
    /// # Errors
    /// When the input is malformed, over `limits`, or not an acceptable stanza.
    pub fn decode(self, input: &[u8], limits: &Limits) -> crate::Result<Stanza> {
        match self {
            WireFormat::Xml => xml::decode(input, limits),
            WireFormat::Json => json::decode(input, limits),
        }
    }

    /// Encodes a stanza in this format.
    pub fn encode(self, stanza: &Stanza) -> Vec<u8> {
        match self {
            WireFormat::Xml => xml::encode(stanza).into_bytes(),
            WireFormat::Json => json::encode(stanza),
        }
    }
}

impl fmt::Display for WireFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.content_type())
    }
}

/// Limits that decoding enforces on hostile input.
///
/// ```
/// use xmpp_rest_bot::wire::Limits;
///
/// let limits = Limits::default().max_depth(32).max_bytes(64 * 1024);
/// assert_eq!(limits.depth(), 32);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub struct Limits {
    max_bytes: usize,
    max_depth: usize,
    max_attributes: usize,
    max_children: usize,
}

impl Limits {
    /// Default size limit: 192 KiB, mod_rest's own `rest_stanza_size_limit`.
    pub const DEFAULT_MAX_BYTES: usize = 192 * 1024;
    /// Default nesting depth limit (the stanza itself is depth 1).
    pub const DEFAULT_MAX_DEPTH: usize = 64;
    /// Default limit of attributes on one element.
    pub const DEFAULT_MAX_ATTRIBUTES: usize = 64;
    /// Default limit of children (elements and text runs) of one element.
    pub const DEFAULT_MAX_CHILDREN: usize = 4096;

    /// The maximum input size in bytes.
    pub fn max_bytes(mut self, n: usize) -> Self {
        self.max_bytes = n;
        self
    }

    /// The maximum nesting depth of elements (JSON: of arrays and objects).
    pub fn max_depth(mut self, n: usize) -> Self {
        self.max_depth = n;
        self
    }

    /// The maximum number of attributes on one element.
    pub fn max_attributes(mut self, n: usize) -> Self {
        self.max_attributes = n;
        self
    }

    /// The maximum number of children of one element (JSON: entries of one
    /// array or object).
    pub fn max_children(mut self, n: usize) -> Self {
        self.max_children = n;
        self
    }

    /// The size limit in bytes.
    pub fn bytes(&self) -> usize {
        self.max_bytes
    }

    /// The depth limit.
    pub fn depth(&self) -> usize {
        self.max_depth
    }

    /// The per-element attribute limit.
    pub fn attributes(&self) -> usize {
        self.max_attributes
    }

    /// The per-element children limit.
    pub fn children(&self) -> usize {
        self.max_children
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: Self::DEFAULT_MAX_BYTES,
            max_depth: Self::DEFAULT_MAX_DEPTH,
            max_attributes: Self::DEFAULT_MAX_ATTRIBUTES,
            max_children: Self::DEFAULT_MAX_CHILDREN,
        }
    }
}
