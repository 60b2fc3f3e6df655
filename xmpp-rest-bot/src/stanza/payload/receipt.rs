//! XEP-0184 message delivery receipts: `<request/>`, `<received id='…'/>`.
//! mod_rest's JSON has no key for them.

use crate::stanza::mapping::{Field, no_json, no_json_out};
use crate::stanza::{Message, ns};

/// XEP-0184 message delivery receipt.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Receipt {
    /// `<request/>`: the sender asks for a receipt.
    Request,
    /// `<received id="..."/>`: the message with that id was received.
    Received {
        /// The id of the message acknowledged.
        id: Option<String>,
    },
}

/// `Message::receipt`.
pub(crate) const FIELD: Field<Message> = Field {
    ns: ns::RECEIPTS,
    read_xml: |m, el| {
        if m.receipt.is_some() {
            return false;
        }
        m.receipt = match el.name() {
            "request" if el.is_empty_with(&[]) => Some(Receipt::Request),
            "received" if el.is_empty_with(&["id"]) => Some(Receipt::Received {
                id: el.attr("id").map(str::to_owned),
            }),
            _ => None,
        };
        m.receipt.is_some()
    },
    write_xml: |m, out| match &m.receipt {
        Some(Receipt::Request) => out.empty("request", ns::RECEIPTS),
        Some(Receipt::Received { id }) => {
            out.start("received", ns::RECEIPTS);
            if let Some(id) = id {
                out.attr("id", id);
            }
            out.end();
        }
        None => {}
    },
    read_json: no_json,
    write_json: no_json_out,
};

#[cfg(test)]
// Each test sets the one field it is about on a default stanza.
#[allow(clippy::field_reassign_with_default)]
mod tests {
    use super::*;
    use crate::stanza::Element;
    use crate::stanza::mapping::testing::{read_one, read_xml, write_json, write_xml};

    #[test]
    fn round_trips_in_xml_only() {
        for receipt in [
            Receipt::Request,
            Receipt::Received {
                id: Some("m1".into()),
            },
            Receipt::Received { id: None },
        ] {
            let mut m = Message::default();
            m.receipt = Some(receipt);
            let (back, refused) = read_xml(&FIELD, &write_xml(&FIELD, &m));
            assert!(refused.is_empty());
            assert_eq!(back, m);
            assert_eq!(write_json(&FIELD, &m), serde_json::json!({}));
        }
    }

    #[test]
    fn a_request_with_an_id_stays_untyped() {
        let el = Element::builder("request", ns::RECEIPTS)
            .attr("id", "x")
            .build();
        assert!(read_one(&FIELD, el).is_none());
    }
}
