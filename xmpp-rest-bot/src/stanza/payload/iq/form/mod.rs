//! XEP-0004 data forms.

mod json;

pub(crate) use json::{dataform_from_json, dataform_to_json, formdata_from_json, formdata_to_json};

use super::expect_payload;
use crate::error::snippet;
use crate::stanza::{Element, Payload, ns};

/// The form types XEP-0004 defines.
const FORM_TYPES: [&str; 4] = ["form", "submit", "cancel", "result"];

/// XEP-0004 data form: `<x xmlns="jabber:x:data" type="..."/>`.
///
/// Used inside ad-hoc commands, in disco#info results (XEP-0128) and on its own.
/// Children not modelled here (`<reported/>` and `<item/>` of a multi-item result,
/// other namespaces) are kept in [`other`](Self::other).
///
/// ```
/// use xmpp_rest_bot::stanza::{DataForm, FormField, Payload};
///
/// let form = DataForm::form()
///     .with_title("Deploy")
///     .with_field(FormField::list_single("env", "Environment", ["staging", "production"]).with_required(true))
///     .with_field(FormField::boolean("dry_run", "Dry run"));
/// let answer = DataForm::submit([("env", "staging"), ("dry_run", "1")]);
/// assert_eq!(answer.value("env"), Some("staging"));
/// assert_eq!(answer.bool_value("dry_run"), Some(true));
/// assert_eq!(DataForm::from_element(&form.to_element()).unwrap(), form);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct DataForm {
    /// `form`, `submit`, `cancel` or `result`.
    pub type_: String,
    /// The title.
    pub title: Option<String>,
    /// Instructions, one per `<instructions/>`.
    pub instructions: Vec<String>,
    /// The fields.
    pub fields: Vec<FormField>,
    /// Child elements not modelled here, in document order (written back after the fields).
    pub other: Vec<Element>,
}

impl DataForm {
    /// An empty form of type `type_` (`form`, `submit`, `cancel` or `result`).
    pub fn new(type_: impl Into<String>) -> Self {
        DataForm {
            type_: type_.into(),
            ..DataForm::default()
        }
    }

    /// An empty form to fill in (type `form`).
    pub fn form() -> Self {
        DataForm::new("form")
    }

    /// An empty result (type `result`).
    pub fn result() -> Self {
        DataForm::new("result")
    }

    /// A cancellation (type `cancel`).
    pub fn cancel() -> Self {
        DataForm::new("cancel")
    }

    /// A submission (type `submit`) with one field per `(var, value)` pair.
    ///
    /// ```
    /// use xmpp_rest_bot::stanza::DataForm;
    ///
    /// let form = DataForm::submit([("city", "Paris")]);
    /// assert_eq!(form.type_, "submit");
    /// assert_eq!(form.value("city"), Some("Paris"));
    /// ```
    pub fn submit<K, V>(values: impl IntoIterator<Item = (K, V)>) -> Self
    where
        K: Into<String>,
        V: Into<String>,
    {
        let mut form = DataForm::new("submit");
        for (var, value) in values {
            form.fields.push(FormField::new(var).with_value(value));
        }
        form
    }

    /// Sets the title.
    #[must_use]
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Adds an instructions paragraph.
    #[must_use]
    pub fn with_instructions(mut self, instructions: impl Into<String>) -> Self {
        self.instructions.push(instructions.into());
        self
    }

    /// Adds a field.
    #[must_use]
    pub fn with_field(mut self, field: FormField) -> Self {
        self.fields.push(field);
        self
    }

    /// Sets the hidden `FORM_TYPE` field (XEP-0068), placing it first.
    #[must_use]
    pub fn with_form_type(mut self, form_type: impl Into<String>) -> Self {
        self.fields
            .retain(|f| f.var.as_deref() != Some("FORM_TYPE"));
        self.fields
            .insert(0, FormField::hidden("FORM_TYPE", form_type));
        self
    }

    /// The value of the hidden `FORM_TYPE` field, if any.
    pub fn form_type(&self) -> Option<&str> {
        self.value("FORM_TYPE")
    }

    /// The field `var`.
    pub fn field(&self, var: &str) -> Option<&FormField> {
        self.fields.iter().find(|f| f.var.as_deref() == Some(var))
    }

    /// The field `var`, mutably.
    pub fn field_mut(&mut self, var: &str) -> Option<&mut FormField> {
        self.fields
            .iter_mut()
            .find(|f| f.var.as_deref() == Some(var))
    }

    /// The first value of the field `var`.
    pub fn value(&self, var: &str) -> Option<&str> {
        self.field(var).and_then(FormField::value)
    }

    /// All values of the field `var` (empty when there is no such field).
    pub fn values(&self, var: &str) -> &[String] {
        self.field(var)
            .map(|f| f.values.as_slice())
            .unwrap_or_default()
    }

    /// The field `var` read as an XEP-0004 boolean (`1`/`true`, `0`/`false`).
    pub fn bool_value(&self, var: &str) -> Option<bool> {
        self.field(var).and_then(FormField::as_bool)
    }

    /// Replaces the values of the field `var` by `value`, adding the field when missing.
    pub fn set_value(&mut self, var: &str, value: impl Into<String>) {
        let value = value.into();
        match self.field_mut(var) {
            Some(field) => field.values = vec![value],
            None => self.fields.push(FormField::new(var).with_value(value)),
        }
    }

    /// Whether this is a submission.
    pub fn is_submit(&self) -> bool {
        self.type_ == "submit"
    }

    /// Whether this is a cancellation.
    pub fn is_cancel(&self) -> bool {
        self.type_ == "cancel"
    }
}

impl Payload for DataForm {
    const NAME: &'static str = "x";
    const NS: &'static str = ns::DATA_FORMS;

    fn from_element(el: &Element) -> crate::Result<Self> {
        expect_payload::<Self>(el)?;
        let type_ = el
            .attr("type")
            .ok_or_else(|| crate::Error::invalid("data form is missing the \"type\" attribute"))?;
        if !FORM_TYPES.contains(&type_) {
            return Err(crate::Error::invalid(format!(
                "data form has an unknown type {} (expected form, submit, cancel or result)",
                snippet(type_)
            )));
        }
        let mut form = DataForm::new(type_);
        for child in el.children() {
            if child.ns() != ns::DATA_FORMS {
                form.other.push(child.clone());
                continue;
            }
            match child.name() {
                "title" if form.title.is_none() => form.title = Some(child.text()),
                "instructions" => form.instructions.push(child.text()),
                "field" => form.fields.push(FormField::from_element(child)?),
                _ => form.other.push(child.clone()),
            }
        }
        Ok(form)
    }

    fn to_element(&self) -> Element {
        let text = |name: &str, t: &String| Element::builder(name, ns::DATA_FORMS).text(t).build();
        Element::builder(Self::NAME, Self::NS)
            .attr("type", &self.type_)
            .children(self.title.iter().map(|t| text("title", t)))
            .children(self.instructions.iter().map(|t| text("instructions", t)))
            .children(self.fields.iter().map(FormField::to_element))
            .children(self.other.iter().cloned())
            .build()
    }
}

/// An XEP-0004 field.
///
/// ```
/// use xmpp_rest_bot::stanza::FormField;
///
/// let field = FormField::text_single("city", "City").with_required(true).with_value("Paris");
/// assert_eq!(field.value(), Some("Paris"));
/// assert_eq!(field.type_.as_deref(), Some("text-single"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct FormField {
    /// The variable name (absent for `fixed` fields).
    pub var: Option<String>,
    /// The field type (`text-single`, `list-single`, `boolean`, ...).
    pub type_: Option<String>,
    /// The label.
    pub label: Option<String>,
    /// The description.
    pub desc: Option<String>,
    /// Whether a value is required.
    pub required: bool,
    /// The values.
    pub values: Vec<String>,
    /// The options of a list field.
    pub options: Vec<FormOption>,
    /// Child elements not modelled here (XEP-0122 validation, XEP-0221 media, ...),
    /// written back after the values and options.
    pub other: Vec<Element>,
}

impl FormField {
    /// A field `var` without a type (how submissions usually carry them).
    pub fn new(var: impl Into<String>) -> Self {
        FormField {
            var: Some(var.into()),
            ..FormField::default()
        }
    }

    fn typed(var: impl Into<String>, type_: &str, label: impl Into<String>) -> Self {
        FormField {
            type_: Some(type_.to_owned()),
            label: Some(label.into()),
            ..FormField::new(var)
        }
    }

    /// A one-line text field.
    pub fn text_single(var: impl Into<String>, label: impl Into<String>) -> Self {
        FormField::typed(var, "text-single", label)
    }

    /// A password-style text field.
    pub fn text_private(var: impl Into<String>, label: impl Into<String>) -> Self {
        FormField::typed(var, "text-private", label)
    }

    /// A multi-line text field (one value per line).
    pub fn text_multi(var: impl Into<String>, label: impl Into<String>) -> Self {
        FormField::typed(var, "text-multi", label)
    }

    /// A yes/no field.
    pub fn boolean(var: impl Into<String>, label: impl Into<String>) -> Self {
        FormField::typed(var, "boolean", label)
    }

    /// A field holding one JID.
    pub fn jid_single(var: impl Into<String>, label: impl Into<String>) -> Self {
        FormField::typed(var, "jid-single", label)
    }

    /// A field holding several JIDs.
    pub fn jid_multi(var: impl Into<String>, label: impl Into<String>) -> Self {
        FormField::typed(var, "jid-multi", label)
    }

    /// A choice of one of `options` (each option's value is also its label).
    pub fn list_single<O: Into<String>>(
        var: impl Into<String>,
        label: impl Into<String>,
        options: impl IntoIterator<Item = O>,
    ) -> Self {
        FormField {
            options: options.into_iter().map(FormOption::new).collect(),
            ..FormField::typed(var, "list-single", label)
        }
    }

    /// A choice of any of `options` (each option's value is also its label).
    pub fn list_multi<O: Into<String>>(
        var: impl Into<String>,
        label: impl Into<String>,
        options: impl IntoIterator<Item = O>,
    ) -> Self {
        FormField {
            options: options.into_iter().map(FormOption::new).collect(),
            ..FormField::typed(var, "list-multi", label)
        }
    }

    /// A hidden field carrying `value` (such as `FORM_TYPE`).
    pub fn hidden(var: impl Into<String>, value: impl Into<String>) -> Self {
        FormField {
            type_: Some("hidden".to_owned()),
            values: vec![value.into()],
            ..FormField::new(var)
        }
    }

    /// A fixed text shown to the user (no variable).
    pub fn fixed(text: impl Into<String>) -> Self {
        FormField {
            type_: Some("fixed".to_owned()),
            values: vec![text.into()],
            ..FormField::default()
        }
    }

    /// Sets the label.
    #[must_use]
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Sets the description.
    #[must_use]
    pub fn with_desc(mut self, desc: impl Into<String>) -> Self {
        self.desc = Some(desc.into());
        self
    }

    /// Marks the field as required (or not).
    #[must_use]
    pub fn with_required(mut self, required: bool) -> Self {
        self.required = required;
        self
    }

    /// Adds a value.
    #[must_use]
    pub fn with_value(mut self, value: impl Into<String>) -> Self {
        self.values.push(value.into());
        self
    }

    /// Adds values.
    #[must_use]
    pub fn with_values<V: Into<String>>(mut self, values: impl IntoIterator<Item = V>) -> Self {
        self.values.extend(values.into_iter().map(Into::into));
        self
    }

    /// Adds an option.
    #[must_use]
    pub fn with_option(mut self, option: FormOption) -> Self {
        self.options.push(option);
        self
    }

    /// The first value.
    pub fn value(&self) -> Option<&str> {
        self.values.first().map(String::as_str)
    }

    /// The first value read as an XEP-0004 boolean: `1`/`true` or `0`/`false`.
    pub fn as_bool(&self) -> Option<bool> {
        match self.value()? {
            "1" | "true" => Some(true),
            "0" | "false" => Some(false),
            _ => None,
        }
    }

    pub(crate) fn from_element(el: &Element) -> crate::Result<Self> {
        let mut field = FormField {
            var: el.attr("var").map(str::to_owned),
            type_: el.attr("type").map(str::to_owned),
            label: el.attr("label").map(str::to_owned),
            ..FormField::default()
        };
        if field.var.is_none() && field.type_.as_deref() != Some("fixed") {
            return Err(crate::Error::invalid(
                "data form field is missing the \"var\" attribute (only fixed fields may omit it)",
            ));
        }
        for child in el.children() {
            if child.ns() != ns::DATA_FORMS {
                field.other.push(child.clone());
                continue;
            }
            match child.name() {
                "desc" if field.desc.is_none() => field.desc = Some(child.text()),
                "required" => field.required = true,
                "value" => field.values.push(child.text()),
                "option" => field.options.push(FormOption::from_element(child)?),
                _ => field.other.push(child.clone()),
            }
        }
        Ok(field)
    }

    pub(crate) fn to_element(&self) -> Element {
        let text = |name: &str, t: &String| Element::builder(name, ns::DATA_FORMS).text(t).build();
        Element::builder("field", ns::DATA_FORMS)
            .attr_opt("var", self.var.as_deref())
            .attr_opt("type", self.type_.as_deref())
            .attr_opt("label", self.label.as_deref())
            .children(self.desc.iter().map(|d| text("desc", d)))
            .children(
                self.required
                    .then(|| Element::new("required", ns::DATA_FORMS)),
            )
            .children(self.values.iter().map(|v| text("value", v)))
            .children(self.options.iter().map(FormOption::to_element))
            .children(self.other.iter().cloned())
            .build()
    }
}

/// An option of an XEP-0004 list field.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FormOption {
    /// The label.
    pub label: Option<String>,
    /// The value.
    pub value: String,
}

impl FormOption {
    /// An option with this value and no label of its own.
    pub fn new(value: impl Into<String>) -> Self {
        FormOption {
            label: None,
            value: value.into(),
        }
    }

    /// Sets the label.
    #[must_use]
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Parses an `<option/>`. XEP-0004 gives it exactly one `<value/>` and nothing
    /// else, so other children are ignored.
    fn from_element(el: &Element) -> crate::Result<Self> {
        let value = el
            .child_text("value", ns::DATA_FORMS)
            .ok_or_else(|| crate::Error::invalid("data form option is missing its <value/>"))?;
        Ok(FormOption {
            label: el.attr("label").map(str::to_owned),
            value,
        })
    }

    fn to_element(&self) -> Element {
        Element::builder("option", ns::DATA_FORMS)
            .attr_opt("label", self.label.as_deref())
            .child(
                Element::builder("value", ns::DATA_FORMS)
                    .text(&self.value)
                    .build(),
            )
            .build()
    }
}

#[cfg(test)]
mod tests;
