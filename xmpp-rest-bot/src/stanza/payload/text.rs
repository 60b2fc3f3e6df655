//! Texts in a language: a message's `<body/>` and `<subject/>`, a presence's
//! `<status/>` (RFC 6121). JSON (`body`, `subject`, `status`) carries the
//! first text only, without its language.

use crate::stanza::mapping::{Field, JsonIn, JsonOut, XmlIn, XmlOut};
use crate::stanza::{Message, Presence, ns};

/// A text in an optional language: a `<body/>`, `<subject/>` or `<status/>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Text {
    /// The `xml:lang` of this text, `None` when it has none of its own.
    pub lang: Option<String>,
    /// The text itself.
    pub text: String,
}

impl Text {
    /// A text without a language of its own.
    pub fn new(text: impl Into<String>) -> Self {
        Text {
            lang: None,
            text: text.into(),
        }
    }

    /// A text in language `lang`.
    pub fn with_lang(lang: impl Into<String>, text: impl Into<String>) -> Self {
        Text {
            lang: Some(lang.into()),
            text: text.into(),
        }
    }
}

/// Adds the text element `el` named `name` to `texts`, unless it is another
/// element, has attributes other than `xml:lang` or child elements, or a text
/// in its language is there already.
fn read(texts: &mut Vec<Text>, name: &str, el: &XmlIn<'_>) -> bool {
    if el.name() != name || !el.attrs_within_lang(&[]) {
        return false;
    }
    let lang = el.lang();
    if texts.iter().any(|t| t.lang.as_deref() == lang) {
        return false;
    }
    let Some(text) = el.text() else {
        return false;
    };
    texts.push(Text {
        lang: lang.map(str::to_owned),
        text: text.into_owned(),
    });
    true
}

fn write<'a>(texts: &[Text], name: &'a str, out: &mut dyn XmlOut<'a>) {
    for text in texts {
        out.start(name, ns::CLIENT);
        if let Some(lang) = &text.lang {
            out.lang(lang);
        }
        out.text(&text.text);
        out.end();
    }
}

fn read_json(texts: &mut Vec<Text>, key: &str, json: &mut JsonIn<'_, '_>) -> crate::Result<()> {
    texts.extend(json.top.string(key)?.map(Text::new));
    Ok(())
}

fn write_json<'s>(texts: &'s [Text], key: &'static str, out: &mut JsonOut<'s>) {
    if let Some(first) = texts.first() {
        out.str(key, &first.text);
    }
}

/// The field of `$stanza.$texts` for the element `$name` (also the JSON key).
macro_rules! texts_field {
    ($stanza:ty, $texts:ident, $name:literal) => {
        Field::<$stanza> {
            ns: ns::CLIENT,
            read_xml: |s, el| read(&mut s.$texts, $name, el),
            write_xml: |s, out| write(&s.$texts, $name, out),
            read_json: |s, json| read_json(&mut s.$texts, $name, json),
            write_json: |s, out| write_json(&s.$texts, $name, out),
        }
    };
}

/// `Message::bodies`.
pub(crate) const BODY: Field<Message> = texts_field!(Message, bodies, "body");

/// `Message::subjects`.
pub(crate) const SUBJECT: Field<Message> = texts_field!(Message, subjects, "subject");

/// `Presence::statuses`.
pub(crate) const STATUS: Field<Presence> = texts_field!(Presence, statuses, "status");

#[cfg(test)]
// Each test sets the one field it is about on a default stanza.
#[allow(clippy::field_reassign_with_default)]
mod tests {
    use super::*;
    use crate::stanza::Element;
    use crate::stanza::mapping::testing::{read_one, read_xml, write_json, write_xml};
    use serde_json::json;

    #[test]
    fn one_text_per_language() {
        let mut m = Message::default();
        m.bodies = vec![Text::new("hi"), Text::with_lang("de", "hallo")];
        let elements = write_xml(&BODY, &m);
        assert_eq!(elements.len(), 2);
        assert_eq!(elements[1].attr_ns(Some(ns::XML), "lang"), Some("de"));
        let (back, refused) = read_xml(&BODY, &[elements.clone(), elements].concat());
        assert_eq!(back.bodies, m.bodies);
        assert_eq!(
            refused.len(),
            2,
            "a second text in a language stays an extension"
        );
        assert_eq!(write_json(&BODY, &m), json!({"body": "hi"}));
    }

    #[test]
    fn attributes_or_children_keep_it_untyped() {
        let odd = Element::builder("body", ns::CLIENT)
            .attr("x", "1")
            .text("a")
            .build();
        assert!(read_one(&BODY, odd).is_none());
        let nested = Element::builder("body", ns::CLIENT)
            .child(Element::new("b", ns::CLIENT))
            .build();
        assert!(read_one(&BODY, nested).is_none());
        let status = Element::builder("status", ns::CLIENT).text("away").build();
        assert_eq!(read_one(&STATUS, status).unwrap().statuses[0].text, "away");
    }
}
