use super::*;

fn info(name: &str) -> crate::stanza::ElementBuilder {
    Element::builder(name, ns::DISCO_INFO)
}

#[test]
fn info_round_trip() {
    let el = info("query")
        .attr("node", "http://example.net/caps#abc")
        .child(
            info("identity")
                .attr("category", "client")
                .attr("type", "bot")
                .attr("name", "Bot")
                .build(),
        )
        .child(
            info("identity")
                .attr("category", "client")
                .attr("type", "bot")
                .attr("name", "Roboter")
                .attr_ns(ns::XML, "lang", "de")
                .build(),
        )
        .child(info("feature").attr("var", ns::DISCO_INFO).build())
        .child(info("feature").attr("var", ns::PING).build())
        .child(
            DataForm::result()
                .with_form_type("urn:xmpp:dataforms:softwareinfo")
                .to_element(),
        )
        .child(Element::builder("set", "http://jabber.org/protocol/rsm").build())
        .build();
    let parsed = DiscoInfo::from_element(&el).unwrap();
    assert_eq!(parsed.identities[1].lang.as_deref(), Some("de"));
    assert_eq!(parsed.features, [ns::DISCO_INFO, ns::PING]);
    assert!(
        parsed
            .extension("urn:xmpp:dataforms:softwareinfo")
            .is_some()
    );
    assert_eq!(parsed.other.len(), 1);
    assert_eq!(parsed.to_element(), el);
}

#[test]
fn identity_without_category_or_type_is_invalid() {
    for (attr, missing) in [("type", "category"), ("category", "type")] {
        let el = info("query")
            .child(info("identity").attr(attr, "x").build())
            .build();
        let err = DiscoInfo::from_element(&el).unwrap_err();
        assert!(err.is_invalid());
        assert_eq!(
            err.to_string(),
            format!("invalid stanza: disco#info identity is missing the \"{missing}\" attribute")
        );
    }
}

#[test]
fn feature_without_var_is_invalid() {
    let el = info("query").child(info("feature").build()).build();
    let err = DiscoInfo::from_element(&el).unwrap_err();
    assert!(
        err.to_string()
            .contains("disco#info feature is missing the \"var\""),
        "{err}"
    );
}

#[test]
fn bad_extension_form_is_invalid() {
    let el = info("query")
        .child(Element::new("x", ns::DATA_FORMS))
        .build();
    assert!(DiscoInfo::from_element(&el).unwrap_err().is_invalid());
}

#[test]
fn empty_query() {
    let q = DiscoInfo::from_element(&info("query").build()).unwrap();
    assert!(q.is_query());
    assert_eq!(q, DiscoInfo::new());
    assert!(DiscoInfo::for_node("n").is_query());
}

#[test]
fn items_round_trip() {
    let el = Element::builder("query", ns::DISCO_ITEMS)
        .attr("node", "http://jabber.org/protocol/commands")
        .child(
            Element::builder("item", ns::DISCO_ITEMS)
                .attr("jid", "bot@example.net")
                .attr("node", "deploy")
                .attr("name", "Deploy")
                .build(),
        )
        .child(
            Element::builder("item", ns::DISCO_ITEMS)
                .attr("jid", "conference.example.net")
                .build(),
        )
        .child(Element::builder("set", "http://jabber.org/protocol/rsm").build())
        .build();
    let items = DiscoItems::from_element(&el).unwrap();
    assert_eq!(items.items.len(), 2);
    assert_eq!(items.items[1].jid.as_str(), "conference.example.net");
    assert_eq!(items.other.len(), 1);
    assert_eq!(items.to_element(), el);
}

#[test]
fn item_with_bad_or_missing_jid_is_invalid() {
    let bad = Element::builder("query", ns::DISCO_ITEMS)
        .child(
            Element::builder("item", ns::DISCO_ITEMS)
                .attr("jid", "a@b@c")
                .build(),
        )
        .build();
    let err = DiscoItems::from_element(&bad).unwrap_err();
    assert!(err.is_invalid());
    assert!(
        err.to_string()
            .contains("the \"jid\" of a disco#items item is not a valid jid (\"a@b@c\")"),
        "{err}"
    );
    let missing = Element::builder("query", ns::DISCO_ITEMS)
        .child(Element::builder("item", ns::DISCO_ITEMS).build())
        .build();
    let err = DiscoItems::from_element(&missing).unwrap_err();
    assert!(
        err.to_string()
            .contains("disco#items item is missing the \"jid\""),
        "{err}"
    );
}

#[test]
fn wrong_namespace_is_invalid() {
    let err = DiscoItems::from_element(&info("query").build()).unwrap_err();
    assert!(
        err.to_string()
            .contains("expected <query xmlns='http://jabber.org/protocol/disco#items'/>")
    );
}
