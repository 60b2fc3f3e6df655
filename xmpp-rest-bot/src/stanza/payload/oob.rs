//! XEP-0066 out-of-band data in a message: `<x xmlns='jabber:x:oob'><url/><desc/></x>`,
//! JSON `oob` (`{url, desc}`) and `oob_url` (the url alone, written beside it).

use serde_json::{Map, Value};

use crate::stanza::Element;
use crate::stanza::mapping::json::type_error;
use crate::stanza::mapping::{Field, IqJson, XmlIn, object};
use crate::stanza::{Message, ns};

/// XEP-0066 out-of-band data: a link, usually to a shared file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Oob {
    /// The URL.
    pub url: String,
    /// A description.
    pub desc: Option<String>,
}

fn read(el: &XmlIn<'_>) -> Option<Oob> {
    if el.name() != "x" || !el.has_no_attrs() {
        return None;
    }
    let mut url = None;
    let mut desc = None;
    for child in el.elements()? {
        let slot = match (child.ns() == ns::OOB, child.name()) {
            (true, "url") => &mut url,
            (true, "desc") => &mut desc,
            _ => return None,
        };
        if slot.is_some() {
            return None;
        }
        *slot = Some(child.plain_text()?.into_owned());
    }
    Some(Oob { url: url?, desc })
}

/// `Message::oob`.
pub(crate) const FIELD: Field<Message> = Field {
    ns: ns::OOB,
    read_xml: |m, el| match read(el) {
        Some(oob) => {
            m.oob.push(oob);
            true
        }
        None => false,
    },
    write_xml: |m, out| {
        for oob in &m.oob {
            out.start("x", ns::OOB);
            out.text_element("url", ns::OOB, &oob.url);
            if let Some(desc) = &oob.desc {
                out.text_element("desc", ns::OOB, desc);
            }
            out.end();
        }
    },
    read_json: |m, json| {
        if let Some(mut o) = json.top.object("oob")? {
            m.oob.push(Oob {
                url: o.required_string("url")?,
                desc: o.string("desc")?,
            });
            json.keep("oob", o.into_rest());
        }
        if let Some(url) = json.top.string("oob_url")?
            && !m.oob.iter().any(|o| o.url == url)
        {
            m.oob.push(Oob { url, desc: None });
        }
        Ok(())
    },
    write_json: |m, out| {
        if let Some(oob) = m.oob.first() {
            let value = object([("url", Some(&oob.url)), ("desc", oob.desc.as_deref())]);
            out.insert("oob".into(), value);
            out.str("oob_url", &oob.url);
        }
    },
};

/// `oob_url` as an iq payload: `<x xmlns='jabber:x:oob'><url/></x>`.
pub(crate) const IQ_JSON: IqJson = IqJson {
    key: "oob_url",
    matches: |el| el.is("x", ns::OOB),
    read: |v, path| match v {
        Value::String(url) => {
            let url = Element::builder("url", ns::OOB).text(url).build();
            Ok((
                Some(Element::builder("x", ns::OOB).child(url).build()),
                Map::new(),
            ))
        }
        other => Err(type_error("a string", &other, path)),
    },
    write: |el| el.child_text("url", ns::OOB).map(Value::String),
};

#[cfg(test)]
// Each test sets the one field it is about on a default stanza.
#[allow(clippy::field_reassign_with_default)]
mod tests {
    use super::*;
    use crate::stanza::Element;
    use crate::stanza::mapping::testing::{assert_round_trips, read_json, read_one};
    use serde_json::json;

    #[test]
    fn round_trips() {
        let mut m = Message::default();
        m.oob.push(Oob {
            url: "https://example.org/a.png".into(),
            desc: Some("a picture".into()),
        });
        let (back, _, _) =
            read_json(&FIELD, json!({"oob_url": "https://example.org/a.png"})).unwrap();
        assert_eq!(back.oob[0].url, m.oob[0].url);
        // JSON writes oob_url beside oob; reading both gives one link
        let mut only_url = m.clone();
        only_url.oob[0].desc = None;
        assert_round_trips(&FIELD, &only_url);
        assert_round_trips(&FIELD, &m);
    }

    #[test]
    fn needs_a_url_and_nothing_else() {
        let no_url = Element::builder("x", ns::OOB)
            .child(Element::builder("desc", ns::OOB).text("d").build())
            .build();
        assert!(read_one(&FIELD, no_url).is_none());
        let extra = Element::builder("x", ns::OOB)
            .child(Element::builder("url", ns::OOB).text("u").build())
            .child(Element::new("size", ns::OOB))
            .build();
        assert!(read_one(&FIELD, extra).is_none());
    }
}
