//! Iq payloads: ping, software version, service discovery, ad-hoc commands, data forms.

use crate::stanza::Jid;

/// XEP-0199 ping: `<ping xmlns="urn:xmpp:ping"/>`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Ping;

/// XEP-0092 software version: `<query xmlns="jabber:iq:version"/>`.
///
/// Empty in a get; filled in a result.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Version {
    /// The software's name.
    pub name: Option<String>,
    /// Its version.
    pub version: Option<String>,
    /// The operating system.
    pub os: Option<String>,
}

/// XEP-0030 service discovery information.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct DiscoInfo {
    /// The node queried.
    pub node: Option<String>,
    /// What the entity is.
    pub identities: Vec<Identity>,
    /// The feature namespaces it supports.
    pub features: Vec<String>,
    /// XEP-0128 extended information: data forms of type `result`.
    pub extensions: Vec<DataForm>,
}

/// An XEP-0030 identity.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Identity {
    /// The category (`client`, `component`, ...).
    pub category: String,
    /// The type within it (`bot`, ...).
    pub type_: String,
    /// A human-readable name.
    pub name: Option<String>,
    /// The language of the name.
    pub lang: Option<String>,
}

/// XEP-0030 service discovery items.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct DiscoItems {
    /// The node queried.
    pub node: Option<String>,
    /// The items.
    pub items: Vec<DiscoItem>,
}

/// An XEP-0030 item.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DiscoItem {
    /// The item's address.
    pub jid: Jid,
    /// The node at that address.
    pub node: Option<String>,
    /// A human-readable name.
    pub name: Option<String>,
}

/// XEP-0050 ad-hoc command.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Command {
    /// The command node.
    pub node: String,
    /// The action requested (`execute`, `next`, `prev`, `complete`, `cancel`).
    pub action: Option<String>,
    /// The session id of a multi-stage command.
    pub sessionid: Option<String>,
    /// `executing`, `completed` or `canceled`.
    pub status: Option<String>,
    /// The actions the user may take next.
    pub actions: Option<CommandActions>,
    /// Notes for the user.
    pub notes: Vec<CommandNote>,
    /// The form to fill in, or the submitted data, or the result.
    pub form: Option<DataForm>,
}

/// The `<actions/>` of an executing XEP-0050 command.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct CommandActions {
    /// The default action.
    pub execute: Option<String>,
    /// `<prev/>` allowed.
    pub prev: bool,
    /// `<next/>` allowed.
    pub next: bool,
    /// `<complete/>` allowed.
    pub complete: bool,
}

/// A `<note/>` of an XEP-0050 command.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CommandNote {
    /// `info`, `warn` or `error` (`info` when absent).
    pub type_: Option<String>,
    /// The text.
    pub text: String,
}

/// XEP-0004 data form.
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
}

impl DataForm {
    /// The value of the hidden `FORM_TYPE` field, if any.
    pub fn form_type(&self) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| f.var.as_deref() == Some("FORM_TYPE"))
            .and_then(|f| f.values.first())
            .map(String::as_str)
    }

    /// The first value of the field `var`.
    pub fn value(&self, var: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| f.var.as_deref() == Some(var))
            .and_then(|f| f.values.first())
            .map(String::as_str)
    }
}

/// An XEP-0004 field.
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
}

/// An option of an XEP-0004 list field.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FormOption {
    /// The label.
    pub label: Option<String>,
    /// The value.
    pub value: String,
}
