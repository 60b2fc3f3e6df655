//! XEP-0071 XHTML-IM: the whole `<html/>` element, kept as it is. JSON
//! `html` is the markup of its `<body/>` without the XHTML `xmlns`, as
//! mod_rest writes it.

use crate::stanza::mapping::{Field, XmlIn};
use crate::stanza::{Element, Message, ns, xml_text};

/// The children of `<html/>` as XML text with XHTML as the default namespace,
/// which is mod_rest's `html` string (the `<body/>` without its `xmlns`).
fn to_json(html: &Element) -> String {
    let mut out = String::new();
    for child in html.children() {
        xml_text::write_element(&mut out, child, ns::XHTML);
    }
    out
}

fn read(m: &mut Message, el: &XmlIn<'_>) -> bool {
    if el.name() != "html" || m.html.is_some() {
        return false;
    }
    m.html = Some(el.to_element());
    true
}

/// `Message::html`.
pub(crate) const FIELD: Field<Message> = Field {
    ns: ns::XHTML_IM,
    read_xml: read,
    write_xml: |m, out| {
        if let Some(html) = &m.html {
            out.element(html);
        }
    },
    read_json: |m, json| {
        if let Some(html) = json.top.string("html")? {
            let path = json.top.key_path("html");
            m.html = Some(json.xhtml(&html, &path)?);
        }
        Ok(())
    },
    write_json: |m, out| {
        if let Some(html) = &m.html {
            out.insert("html".into(), serde_json::Value::String(to_json(html)));
        }
    },
};

#[cfg(test)]
// Each test sets the one field it is about on a default stanza.
#[allow(clippy::field_reassign_with_default)]
mod tests {
    use super::*;
    use crate::stanza::mapping::testing::{read_one, write_json};
    use serde_json::json;

    #[test]
    fn json_is_the_body_markup() {
        let html = Element::builder("html", ns::XHTML_IM)
            .child(
                Element::builder("body", ns::XHTML)
                    .child(Element::builder("b", ns::XHTML).text("hi").build())
                    .build(),
            )
            .build();
        let m = read_one(&FIELD, html.clone()).unwrap();
        assert_eq!(m.html.as_ref(), Some(&html));
        assert_eq!(
            write_json(&FIELD, &m),
            json!({"html": "<body><b>hi</b></body>"})
        );
    }
}
