//! XML as mod_rest sends and accepts it. (placeholder: being written)

use super::Limits;
use crate::stanza::{Element, Stanza};

/// Decodes one stanza from XML.
///
/// # Errors
/// When the input is malformed, over `limits`, or not an acceptable stanza.
pub fn decode(_input: &[u8], _limits: &Limits) -> crate::Result<Stanza> {
    Err(crate::Error::invalid("xml decoding is not implemented yet"))
}

/// Encodes one stanza as XML.
pub fn encode(_stanza: &Stanza) -> String {
    String::new()
}

/// Serializes an element; `parent_ns` is the default namespace in scope.
pub(crate) fn element_to_string(_el: &Element, _parent_ns: Option<&str>) -> String {
    String::new()
}

/// Parses one standalone element (namespace declarations on it are honoured).
/// (placeholder until the XML work lands; used by the JSON `html` key)
pub(crate) fn parse_element(_input: &[u8], _limits: &Limits) -> crate::Result<Element> {
    Err(crate::Error::invalid("xml parsing is not implemented yet"))
}
