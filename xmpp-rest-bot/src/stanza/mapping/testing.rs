//! Round trips of one [`Field`] through its mappings, for the payload tests.

use serde_json::{Map, Value};

use super::json::{JsonIn, JsonOut, Obj};
use super::tree::TreeSink;
use super::{Field, XmlIn, XmlOut};
use crate::stanza::{Element, ns};

/// The elements `field` writes for `stanza`.
pub(crate) fn write_xml<S>(field: &Field<S>, stanza: &S) -> Vec<Element> {
    let mut sink = TreeSink::new();
    sink.start("wrapper", ns::CLIENT);
    (field.write_xml)(stanza, &mut sink);
    sink.end();
    let wrapper = sink
        .finish()
        .unwrap_or_else(|| Element::new("wrapper", ns::CLIENT));
    wrapper.children().cloned().collect()
}

/// Reads `elements` into a new stanza through `field`; the elements it
/// refused come back.
pub(crate) fn read_xml<S: Default>(field: &Field<S>, elements: &[Element]) -> (S, Vec<Element>) {
    let mut stanza = S::default();
    let mut refused = Vec::new();
    for el in elements {
        if el.ns() != field.ns || !(field.read_xml)(&mut stanza, &XmlIn::element(el)) {
            refused.push(el.clone());
        }
    }
    (stanza, refused)
}

/// What `field` reads of `element` alone (`None`: refused).
pub(crate) fn read_one<S: Default>(field: &Field<S>, element: Element) -> Option<S> {
    let (stanza, refused) = read_xml(field, &[element]);
    refused.is_empty().then_some(stanza)
}

/// The keys `field` writes for `stanza`.
pub(crate) fn write_json<S>(field: &Field<S>, stanza: &S) -> Value {
    let mut out = JsonOut::new();
    (field.write_json)(stanza, &mut out);
    Value::Object(out.into_map())
}

/// The stanza read, the keys left unread, the unknown keys kept.
pub(crate) type JsonRead<S> = (S, Map<String, Value>, Map<String, Value>);

/// Reads the top-level object `value` through `field`: the stanza, the keys
/// left unread and the unknown keys kept from inside mapped objects.
pub(crate) fn read_json<S: Default>(field: &Field<S>, value: Value) -> crate::Result<JsonRead<S>> {
    let mut top = Obj::new(value, "$")?;
    let mut nested = Map::new();
    let no_xhtml = |_: &str, path: &str| Err(crate::Error::invalid(format!("no xhtml at {path}")));
    let mut stanza = S::default();
    (field.read_json)(
        &mut stanza,
        &mut JsonIn::new(&mut top, &mut nested, &no_xhtml),
    )?;
    Ok((stanza, top.into_rest(), nested))
}

/// Checks that `stanza`'s field survives both mappings unchanged.
pub(crate) fn assert_round_trips<S: Default + PartialEq + std::fmt::Debug>(
    field: &Field<S>,
    stanza: &S,
) {
    let (back, refused) = read_xml(field, &write_xml(field, stanza));
    assert!(refused.is_empty(), "refused its own elements: {refused:?}");
    assert_eq!(&back, stanza, "xml");
    let (back, rest, nested) =
        read_json(field, write_json(field, stanza)).expect("json reads back");
    assert!(rest.is_empty() && nested.is_empty(), "{rest:?} {nested:?}");
    assert_eq!(&back, stanza, "json");
}
