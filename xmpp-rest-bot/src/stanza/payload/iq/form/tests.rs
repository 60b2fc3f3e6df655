use super::*;

fn x(name: &str) -> crate::stanza::ElementBuilder {
    Element::builder(name, ns::DATA_FORMS)
}

fn sample() -> Element {
    x("x")
        .attr("type", "form")
        .child(x("title").text("Deploy").build())
        .child(x("instructions").text("Pick a target.").build())
        .child(
            x("field")
                .attr("var", "FORM_TYPE")
                .attr("type", "hidden")
                .child(x("value").text("urn:example:deploy").build())
                .build(),
        )
        .child(
            x("field")
                .attr("var", "env")
                .attr("type", "list-single")
                .attr("label", "Environment")
                .child(x("desc").text("Where to deploy").build())
                .child(x("required").build())
                .child(x("value").text("staging").build())
                .child(
                    x("option")
                        .attr("label", "Staging")
                        .child(x("value").text("staging").build())
                        .build(),
                )
                .child(
                    x("option")
                        .child(x("value").text("production").build())
                        .build(),
                )
                .child(
                    Element::builder("validate", "http://jabber.org/protocol/xdata-validate")
                        .build(),
                )
                .build(),
        )
        .child(
            x("field")
                .attr("type", "fixed")
                .child(x("value").text("Careful.").build())
                .build(),
        )
        .child(
            x("reported")
                .child(x("field").attr("var", "host").build())
                .build(),
        )
        .build()
}

#[test]
fn form_round_trip() {
    let el = sample();
    let form = DataForm::from_element(&el).unwrap();
    assert_eq!(form.type_, "form");
    assert_eq!(form.title.as_deref(), Some("Deploy"));
    assert_eq!(form.instructions, ["Pick a target."]);
    assert_eq!(form.form_type(), Some("urn:example:deploy"));
    let env = form.field("env").unwrap();
    assert!(env.required);
    assert_eq!(env.desc.as_deref(), Some("Where to deploy"));
    assert_eq!(
        env.options[0],
        FormOption::new("staging").with_label("Staging")
    );
    assert_eq!(env.options[1].label, None);
    assert_eq!(env.other.len(), 1, "xdata-validate kept");
    assert_eq!(form.fields[2].var, None);
    assert_eq!(form.other.len(), 1, "reported kept");
    assert_eq!(form.to_element(), el);
}

#[test]
fn missing_type_is_invalid() {
    let err = DataForm::from_element(&x("x").build()).unwrap_err();
    assert!(err.is_invalid());
    assert_eq!(
        err.to_string(),
        "invalid stanza: data form is missing the \"type\" attribute"
    );
}

#[test]
fn unknown_type_is_invalid() {
    let err = DataForm::from_element(&x("x").attr("type", "poll").build()).unwrap_err();
    assert!(err.to_string().contains("unknown type \"poll\""), "{err}");
}

#[test]
fn field_without_var_is_invalid_unless_fixed() {
    let el = x("x")
        .attr("type", "submit")
        .child(x("field").attr("type", "text-single").build())
        .build();
    let err = DataForm::from_element(&el).unwrap_err();
    assert!(
        err.to_string().contains("missing the \"var\" attribute"),
        "{err}"
    );
}

#[test]
fn option_without_value_is_invalid() {
    let el = x("x")
        .attr("type", "form")
        .child(
            x("field")
                .attr("var", "a")
                .child(x("option").attr("label", "A").build())
                .build(),
        )
        .build();
    let err = DataForm::from_element(&el).unwrap_err();
    assert!(
        err.to_string().contains("option is missing its <value/>"),
        "{err}"
    );
}

#[test]
fn submit_and_accessors() {
    let mut form = DataForm::submit([("a", "1"), ("b", "x")]);
    assert!(form.is_submit());
    assert_eq!(form.bool_value("a"), Some(true));
    assert_eq!(form.bool_value("b"), None);
    assert_eq!(form.values("missing"), &[] as &[String]);
    form.set_value("b", "y");
    form.set_value("c", "z");
    assert_eq!(form.value("b"), Some("y"));
    assert_eq!(form.value("c"), Some("z"));
    let form = form
        .with_form_type("urn:example")
        .with_form_type("urn:example:2");
    assert_eq!(form.fields[0].var.as_deref(), Some("FORM_TYPE"));
    assert_eq!(form.form_type(), Some("urn:example:2"));
    assert_eq!(form.fields.len(), 4);
}

#[test]
fn constructors_set_types() {
    assert_eq!(
        FormField::text_private("p", "P").type_.as_deref(),
        Some("text-private")
    );
    assert_eq!(
        FormField::text_multi("p", "P").type_.as_deref(),
        Some("text-multi")
    );
    assert_eq!(
        FormField::jid_single("p", "P").type_.as_deref(),
        Some("jid-single")
    );
    assert_eq!(
        FormField::jid_multi("p", "P").type_.as_deref(),
        Some("jid-multi")
    );
    let multi = FormField::list_multi("l", "L", ["a", "b"]).with_values(["a", "b"]);
    assert_eq!(multi.options.len(), 2);
    assert_eq!(multi.values, ["a", "b"]);
    let fixed = FormField::fixed("hello");
    assert_eq!(fixed.var, None);
    let el = DataForm::result().with_field(fixed.clone()).to_element();
    assert_eq!(DataForm::from_element(&el).unwrap().fields, [fixed]);
    assert!(DataForm::cancel().is_cancel());
}
