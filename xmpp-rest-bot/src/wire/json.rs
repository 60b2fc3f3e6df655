//! mod_rest's JSON mapping. (placeholder: being written)

use super::Limits;
use crate::stanza::Stanza;

/// Decodes one stanza from mod_rest's JSON mapping.
///
/// # Errors
/// When the input is malformed, over `limits`, or not an acceptable stanza.
pub fn decode(_input: &[u8], _limits: &Limits) -> crate::Result<Stanza> {
    Err(crate::Error::invalid(
        "json decoding is not implemented yet",
    ))
}

/// Encodes one stanza in mod_rest's JSON mapping.
pub fn encode(_stanza: &Stanza) -> Vec<u8> {
    Vec::new()
}
