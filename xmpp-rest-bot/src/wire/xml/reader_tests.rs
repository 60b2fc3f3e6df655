use super::*;
use crate::stanza::xml_text::is_ncname;
use crate::stanza::{Element, Node};
use crate::wire::xml::tree::parse;

#[test]
fn known_and_unknown_names_compare_alike() {
    let el = parse_str("<a xmlns='jabber:client'><body/><bodyx/></a>").unwrap();
    let built = Element::builder("a", ns::CLIENT)
        .child(Element::new("body", ns::CLIENT))
        .child(Element::new("bodyx", ns::CLIENT))
        .build();
    assert_eq!(el, built);
}

fn parse_str(s: &str) -> Result<Element> {
    parse(s.as_bytes(), &Limits::default(), "")
}

#[test]
fn namespaces_resolve_per_scope() {
    let el = parse_str(
        "<a xmlns='urn:a' xmlns:p='urn:p'><p:b p:x='1' y='2'><c xmlns=''/></p:b><d/></a>",
    )
    .unwrap();
    assert!(el.is("a", "urn:a"));
    let b = el.children().next().unwrap();
    assert!(b.is("b", "urn:p"));
    assert_eq!(b.attr_ns(Some("urn:p"), "x"), Some("1"));
    assert_eq!(b.attr("y"), Some("2"));
    assert!(b.children().next().unwrap().is("c", ""));
    assert!(el.children().nth(1).unwrap().is("d", "urn:a"));
    // namespace declarations are not attributes
    assert_eq!(el.attrs().len(), 0);
}

#[test]
fn default_namespace_applies_to_unprefixed_root() {
    let el = parse(b"<message/>", &Limits::default(), ns::CLIENT).unwrap();
    assert!(el.is("message", ns::CLIENT));
}

#[test]
fn xml_lang_is_in_the_xml_namespace() {
    let el = parse_str("<a xml:lang='de'/>").unwrap();
    assert_eq!(el.attr_ns(Some(ns::XML), "lang"), Some("de"));
    // beside attributes whose prefixes are resolved after the tag (found by
    // proptest_xml)
    let el = parse_str("<a xmlns:p='urn:p' xml:a='1' p:a='2' p:b='3' xml:b='4'/>").unwrap();
    assert_eq!(el.attr_ns(Some(ns::XML), "a"), Some("1"));
    assert_eq!(el.attr_ns(Some("urn:p"), "a"), Some("2"));
    assert_eq!(el.attr_ns(Some(ns::XML), "b"), Some("4"));
    assert!(malformed("<a xmlns:p='urn:p' p:a='1' xml:a='2' xml:a='3'/>").contains("duplicate"));
}

#[test]
fn text_references_and_cdata_merge_into_one_text_node() {
    let el = parse_str("<a>x &amp; y &#x1F600;&#65;<![CDATA[<z>]]></a>").unwrap();
    assert_eq!(el.nodes().len(), 1);
    assert_eq!(el.text(), "x & y \u{1F600}A<z>");
}

#[test]
fn line_ends_are_normalised_in_text_and_attributes() {
    let el = parse_str("<a b='1\r\n2\t3&#10;4'>x\r\ny\rz</a>").unwrap();
    assert_eq!(el.attr("b"), Some("1 2 3\n4"));
    assert_eq!(el.text(), "x\ny\nz");
}

#[test]
fn attribute_borrowed_fast_path_keeps_value() {
    let el = parse_str("<a b=\"it's\" c='say \"hi\"'/>").unwrap();
    assert_eq!(el.attr("b"), Some("it's"));
    assert_eq!(el.attr("c"), Some("say \"hi\""));
}

#[test]
fn whitespace_between_elements_is_kept_inside_the_root() {
    let el = parse_str("\n <p><b>a</b> <i>b</i></p>\n").unwrap();
    assert_eq!(el.nodes().len(), 3);
    assert_eq!(el.nodes()[1], Node::Text(" ".into()));
}

#[test]
fn declaration_bom_and_comments_are_accepted() {
    let el =
        parse_str("\u{FEFF}<?xml version='1.0' encoding='UTF-8'?><!-- hi --><a/><!-- bye -->\n")
            .unwrap();
    assert!(el.is("a", ""));
}

fn malformed(s: &str) -> String {
    let err = parse_str(s).unwrap_err();
    assert!(err.is_malformed(), "{s:?}: {err}");
    err.to_string()
}

#[test]
fn rejects_what_xmpp_forbids() {
    assert!(malformed("<!DOCTYPE a><a/>").contains("doctype"));
    assert!(malformed("<a>&foo;</a>").contains("undefined entity &foo;"));
    assert!(malformed("<a b='&foo;'/>").contains("undefined entity"));
    assert!(malformed("<a>&#0;</a>").contains("&#0;"));
    assert!(malformed("<a>&#x1;</a>").contains("not a character allowed"));
    assert!(malformed("<a>&#xD800;</a>").contains("not a character allowed"));
    assert!(malformed("<a>&#xFFFE;</a>").contains("not a character allowed"));
    assert!(malformed("<a>&#-1;</a>").contains("invalid character reference"));
    assert!(malformed("<a>&#x;</a>").contains("invalid character reference"));
    assert!(malformed("<a>\u{1}</a>").contains("U+0001"));
    assert!(malformed("<a>\u{FFFF}</a>").contains("U+FFFF"));
    assert!(malformed("<a>\u{FFFE}</a>").contains("U+FFFE"));
    // other characters starting with the same byte are fine
    assert!(parse_str("<a>\u{FE0F}\u{FF01}\u{FFFD}</a>").is_ok());
    // a forbidden character far into the input, after harmless newlines
    let long = format!("<a>{}\u{7}</a>", "x\n".repeat(100));
    assert!(malformed(&long).contains("U+0007"));
    assert!(malformed("<?pi x?><a/>").contains("processing instructions"));
    assert!(malformed("<a/><?xml version='1.0'?>").contains("only allowed at the start"));
    assert!(malformed("<?xml version='1.1'?><a/>").contains("1.0"));
    assert!(malformed("<?xml version='1.0' encoding='latin1'?><a/>").contains("utf-8"));
    assert!(malformed("<a/><b/>").contains("more than one root"));
    assert!(malformed("<a/>x").contains("text after the root"));
    assert!(malformed("x<a/>").contains("text before the root"));
    assert!(malformed("<a>").contains("<a> is not closed"));
    assert!(malformed("<a><b></a>").contains("expected </b>"));
    assert!(malformed("<a b='1").contains("end of input"));
    assert!(malformed("<p:a/>").contains("unbound namespace prefix \"p\""));
    assert!(malformed("<a p:b='1'/>").contains("unbound namespace prefix \"p\""));
    assert!(malformed("<a b='1' b='2'/>").contains("duplicate attribute"));
    assert!(malformed("<a xmlns='u' xmlns='v'/>").contains("duplicate attribute"));
    assert!(malformed("<a xmlns:p='u' xmlns:p='v'/>").contains("duplicate attribute"));
    assert!(malformed("<a xml:lang='en' xml:lang='de'/>").contains("duplicate attribute"));
    assert!(
        malformed("<a xmlns:p='u' xmlns:q='u' p:b='1' q:b='2'/>").contains("duplicate attribute")
    );
    assert!(malformed("<a b='x<y'/>").contains("'<'"));
    assert!(malformed("<a xmlns:p=''/>").contains("empty namespace"));
    assert!(malformed("<a xmlns:xml='urn:x'/>").contains("xml prefix"));
    assert!(malformed("<a xmlns:xmlns='urn:x'/>").contains("xmlns prefix"));
    assert!(
        malformed("<a xmlns='http://www.w3.org/XML/1998/namespace'/>")
            .contains("default namespace")
    );
    assert!(malformed("<xmlns:a/>").contains("xmlns prefix"));
    assert!(malformed("<1a/>").contains("invalid element name"));
    assert!(malformed("<a:b:c/>").contains("invalid element name"));
    assert!(malformed("<a b/>").contains("'='"));
    assert!(malformed("<a b=c/>").contains("quoted"));
    assert!(malformed("").contains("no root element"));
    assert!(malformed("  \n ").contains("no root element"));
    assert!(malformed("<a>x &amp y</a>").contains("reference"));
}

#[test]
fn error_positions_are_line_and_column() {
    let err = parse_str("<a>\n  <b>&bad;</b>\n</a>").unwrap_err();
    assert_eq!(err.position(), Some((2, 6)));
    let err = parse(b"<a>\n\xC3\xA9\xFF</a>", &Limits::default(), "").unwrap_err();
    assert!(err.is_malformed());
    assert!(err.to_string().contains("utf-8"));
    assert_eq!(err.position(), Some((2, 2)));
}

#[test]
fn limits_are_enforced() {
    let limits = Limits::default().max_bytes(10);
    let err = parse(b"<a>01234567890</a>", &limits, "").unwrap_err();
    assert!(err.is_limit());

    let limits = Limits::default().max_depth(2);
    assert!(parse(b"<a><b/></a>", &limits, "").is_ok());
    assert!(
        parse(b"<a><b><c/></b></a>", &limits, "")
            .unwrap_err()
            .is_limit()
    );

    let limits = Limits::default().max_attributes(2);
    assert!(parse(b"<a x='1' xmlns:p='u'/>", &limits, "").is_ok());
    assert!(
        parse(b"<a x='1' y='2' z='3'/>", &limits, "")
            .unwrap_err()
            .is_limit()
    );

    let limits = Limits::default().max_children(2);
    assert!(parse(b"<a>x<b/></a>", &limits, "").is_ok());
    // text split by references is one node
    assert!(parse(b"<a>x&amp;y<b/></a>", &limits, "").is_ok());
    assert!(parse(b"<a>x<b/>y</a>", &limits, "").unwrap_err().is_limit());
    assert!(
        parse(b"<a><b/><b/><b/></a>", &limits, "")
            .unwrap_err()
            .is_limit()
    );
}

#[test]
fn names_follow_the_xml_name_production() {
    assert!(is_ncname("a-b.c_d9"));
    assert!(is_ncname("été"));
    assert!(!is_ncname("-a"));
    assert!(!is_ncname("a b"));
    assert!(!is_ncname(""));
    assert!(!is_ncname("a:b"));
}

#[test]
fn forbidden_characters_are_caught_wherever_they_are() {
    // In each place the reader passes over, in a short and in a long run
    // (the long ones are read eight bytes at a time).
    let long = "x".repeat(20);
    for c in ["\u{1}", "\u{1B}", "\u{FFFE}", "\u{FFFF}"] {
        let code = format!("U+{:04X}", c.chars().next().unwrap() as u32);
        for pad in ["", long.as_str()] {
            for doc in [
                format!("<a>{pad}{c}{pad}</a>"),
                format!("<a b='{pad}{c}{pad}'/>"),
                format!("<a b=\"{pad}&amp;{c}\"/>"),
                format!("<a><!-- {pad}{c} --></a>"),
                format!("<!-- {c} --><a/>"),
                format!("<a><![CDATA[{pad}{c}]]></a>"),
                format!("<?xml version='1.0' standalone='{c}'?><a/>"),
                // after another error: the character is still the one reported
                format!("<a></b>{pad}{c}"),
                format!("<a b='1' b='2'>{c}</a>"),
            ] {
                assert!(malformed(&doc).contains(&code), "{doc:?}");
            }
        }
    }
    // Characters that only share a first byte with the forbidden ones, and
    // tabs and line ends, are fine everywhere.
    let fine = "\u{FF01}\u{FFFD}\u{EFFF}\t\n";
    let doc = format!("<a b='{fine}{long}{fine}'><!--{fine}--><![CDATA[{fine}]]>{long}{fine}</a>");
    let el = parse_str(&doc).unwrap();
    assert_eq!(el.attr("b").map(|v| v.chars().count()), Some(30));
    assert!(el.text().ends_with(fine));
}

#[test]
fn values_and_texts_end_at_every_offset() {
    // The quote or the `<` at every position of the words read at a time,
    // with and without something to unescape before it.
    for len in 0..24 {
        let plain = "v".repeat(len);
        let el = parse_str(&format!("<a b='{plain}' c=\"{plain}\">{plain}</a>")).unwrap();
        assert_eq!(el.attr("b"), Some(plain.as_str()));
        assert_eq!(el.attr("c"), Some(plain.as_str()));
        assert_eq!(el.text(), plain);
        for at in 0..=len {
            let (head, tail) = plain.split_at(at);
            let doc = format!("<a b='{head}&lt;\t{tail}'>{head}&amp;\r\n{tail}</a>");
            let el = parse_str(&doc).unwrap();
            assert_eq!(el.attr("b"), Some(format!("{head}< {tail}").as_str()));
            assert_eq!(el.text(), format!("{head}&\n{tail}"));
        }
    }
}
