//! Reading mod_rest's successful answers: the body, its stanzas, and the iq
//! among them that answers a query.

use super::request::{Answer, transport_error};
use super::{RestError, Result};
use crate::stanza::{Condition, Iq, IqType, Payload, Stanza, StanzaError};
use crate::wire::{Limits, WireFormat, json, xml};

/// Reads the body, refusing more than `max` bytes.
pub(super) async fn read_body(response: &mut reqwest::Response, max: usize) -> Result<Vec<u8>> {
    let over = || RestError::answer(crate::Error::limit("response body", max));
    if let Some(len) = response.content_length()
        && len > max as u64
    {
        return Err(over());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(transport_error)? {
        if body.len() + chunk.len() > max {
            return Err(over());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Decodes the stanzas of a success body: one stanza, or every child of an
/// `<xmpp>` wrapper (`{"xmpp": [...]}` or a bare array in JSON). Without a
/// `Content-Type`, the body is taken to be in `fallback`.
pub(super) fn decode_stanzas(
    answer: &Answer,
    fallback: WireFormat,
    limits: &Limits,
) -> Result<Vec<Stanza>> {
    if answer.body.iter().all(u8::is_ascii_whitespace) {
        return Err(RestError::protocol("an empty answer to an iq"));
    }
    let content_type = answer.content_type.as_deref();
    let format = match content_type {
        None => fallback,
        Some(ct) => WireFormat::from_content_type(ct).ok_or_else(|| {
            RestError::protocol(format!(
                "a success answer with content type {ct:?}, expected {} or {}",
                WireFormat::Xml,
                WireFormat::Json
            ))
        })?,
    };
    match format {
        WireFormat::Json => decode_json_stanzas(&answer.body, limits),
        _ => decode_xml_stanzas(&answer.body, limits),
    }
    .map_err(RestError::answer)
}

fn decode_json_stanzas(body: &[u8], limits: &Limits) -> crate::Result<Vec<Stanza>> {
    // A quick look at the top level decides between one stanza (decoded with
    // the limits) and a wrapper (whose size the response limit already bounds).
    let wrapped = match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(serde_json::Value::Array(items)) => items,
        Ok(serde_json::Value::Object(mut map)) if map.len() == 1 && map.contains_key("xmpp") => {
            match map.remove("xmpp") {
                Some(serde_json::Value::Array(items)) => items,
                _ => {
                    return Err(crate::Error::json("expected an array of stanzas", "$.xmpp"));
                }
            }
        }
        // Let the codec report errors with their path.
        _ => return Ok(vec![WireFormat::Json.decode(body, limits)?]),
    };
    wrapped.into_iter().map(json::from_value).collect()
}

fn decode_xml_stanzas(body: &[u8], limits: &Limits) -> crate::Result<Vec<Stanza>> {
    // An `<xmpp>` wrapper may be larger than one stanza: the response limit
    // already bounds it.
    let limits = limits.max_bytes(limits.bytes().max(body.len()));
    xml::decode_all(body, &limits)
}

/// An error for the first iq of type `error` in an answer.
pub(super) fn check_iq_answer(stanzas: &[Stanza]) -> Result<()> {
    for stanza in stanzas {
        if let Stanza::Iq(iq) = stanza
            && iq.type_ == IqType::Error
        {
            let error = iq
                .error
                .clone()
                .unwrap_or_else(|| StanzaError::new(Condition::UndefinedCondition));
            return Err(RestError::stanza(error, iq.from.clone(), None));
        }
    }
    Ok(())
}

/// The last iq of an answer (the result follows any messages), or the error it carries.
pub(super) fn final_iq(stanzas: Vec<Stanza>) -> Result<Iq> {
    check_iq_answer(&stanzas)?;
    stanzas
        .into_iter()
        .rev()
        .find_map(|s| match s {
            Stanza::Iq(iq) => Some(iq),
            _ => None,
        })
        .ok_or_else(|| RestError::protocol("the answer to an iq holds no iq"))
}

/// The typed payload of a result, which must be there.
pub(super) fn required_payload<P: Payload>(iq: &Iq) -> Result<P> {
    match iq.payload_as::<P>() {
        Some(result) => result.map_err(RestError::answer),
        None => Err(RestError::protocol(format!(
            "the result holds no <{} xmlns='{}'/>",
            P::NAME,
            P::NS
        ))),
    }
}
