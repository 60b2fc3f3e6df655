//! XEP-0050 ad-hoc commands.

use serde_json::{Map, Value};

use super::form::{dataform_from_json, dataform_to_json, formdata_from_json};
use super::{DataForm, expect_payload, required_attr};
use crate::stanza::mapping::json::Obj;
use crate::stanza::mapping::{IqJson, insert_opt, string};
use crate::stanza::{Element, Payload, ns};

/// XEP-0050 ad-hoc command: `<command xmlns="http://jabber.org/protocol/commands" node="..."/>`.
///
/// XEP-0050 lets a command carry payloads besides a data form; those (and any
/// further form) are kept in [`other`](Self::other).
///
/// ```
/// use xmpp_rest_bot::stanza::{AdHocCommand, AdHocActions, AdHocNote, DataForm, FormField, Payload};
///
/// // The request a client sends, and a two-stage answer.
/// let request = AdHocCommand::execute("deploy");
/// let stage = request
///     .executing("s1")
///     .with_actions(AdHocActions::new().with_complete().with_execute("complete"))
///     .with_form(DataForm::form().with_field(FormField::text_single("tag", "Tag")));
/// assert_eq!(stage.status.as_deref(), Some("executing"));
///
/// let submit = AdHocCommand::new("deploy")
///     .with_sessionid("s1")
///     .with_action("complete")
///     .with_form(DataForm::submit([("tag", "v1.2")]));
/// let done = submit.completed().with_note(AdHocNote::info("deployed v1.2"));
/// assert_eq!(done.sessionid.as_deref(), Some("s1"));
/// assert_eq!(AdHocCommand::from_element(&done.to_element()).unwrap(), done);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct AdHocCommand {
    /// The command node.
    pub node: String,
    /// The action requested (`execute`, `next`, `prev`, `complete`, `cancel`).
    pub action: Option<String>,
    /// The session id of a multi-stage command.
    pub sessionid: Option<String>,
    /// `executing`, `completed` or `canceled`.
    pub status: Option<String>,
    /// The actions the user may take next.
    pub actions: Option<AdHocActions>,
    /// Notes for the user.
    pub notes: Vec<AdHocNote>,
    /// The form to fill in, or the submitted data, or the result.
    pub form: Option<DataForm>,
    /// Child elements not modelled here, in document order (written back last).
    pub other: Vec<Element>,
}

impl AdHocCommand {
    /// A command for `node` with no action (which XEP-0050 reads as `execute`).
    pub fn new(node: impl Into<String>) -> Self {
        AdHocCommand {
            node: node.into(),
            ..AdHocCommand::default()
        }
    }

    /// A request to execute the command `node`.
    pub fn execute(node: impl Into<String>) -> Self {
        AdHocCommand::new(node).with_action("execute")
    }

    /// Sets the action.
    #[must_use]
    pub fn with_action(mut self, action: impl Into<String>) -> Self {
        self.action = Some(action.into());
        self
    }

    /// Sets the session id.
    #[must_use]
    pub fn with_sessionid(mut self, sessionid: impl Into<String>) -> Self {
        self.sessionid = Some(sessionid.into());
        self
    }

    /// Sets the status.
    #[must_use]
    pub fn with_status(mut self, status: impl Into<String>) -> Self {
        self.status = Some(status.into());
        self
    }

    /// Sets the allowed actions.
    #[must_use]
    pub fn with_actions(mut self, actions: AdHocActions) -> Self {
        self.actions = Some(actions);
        self
    }

    /// Adds a note.
    #[must_use]
    pub fn with_note(mut self, note: AdHocNote) -> Self {
        self.notes.push(note);
        self
    }

    /// Sets the form.
    #[must_use]
    pub fn with_form(mut self, form: DataForm) -> Self {
        self.form = Some(form);
        self
    }

    /// The requested action, `execute` when absent (XEP-0050 section 3.4).
    pub fn action_or_execute(&self) -> &str {
        self.action.as_deref().unwrap_or("execute")
    }

    /// Whether the user cancelled the command.
    pub fn is_cancel(&self) -> bool {
        self.action.as_deref() == Some("cancel")
    }

    fn response(&self, status: &str) -> AdHocCommand {
        AdHocCommand {
            node: self.node.clone(),
            sessionid: self.sessionid.clone(),
            status: Some(status.to_owned()),
            ..AdHocCommand::default()
        }
    }

    /// The answer that ends this command: same node and session, status `completed`.
    pub fn completed(&self) -> AdHocCommand {
        self.response("completed")
    }

    /// The answer to a cancel request: same node and session, status `canceled`.
    pub fn canceled(&self) -> AdHocCommand {
        self.response("canceled")
    }

    /// An answer that continues this command in session `sessionid`, status
    /// `executing`; add the next form and the allowed actions to it.
    pub fn executing(&self, sessionid: impl Into<String>) -> AdHocCommand {
        self.response("executing").with_sessionid(sessionid)
    }
}

impl Payload for AdHocCommand {
    const NAME: &'static str = "command";
    const NS: &'static str = ns::COMMANDS;

    fn from_element(el: &Element) -> crate::Result<Self> {
        expect_payload::<Self>(el)?;
        let attr = |name: &str| el.attr(name).map(str::to_owned);
        let mut cmd = AdHocCommand {
            node: required_attr(el, "node", "ad-hoc command")?.to_owned(),
            action: attr("action"),
            sessionid: attr("sessionid"),
            status: attr("status"),
            ..AdHocCommand::default()
        };
        for child in el.children() {
            if child.is("actions", ns::COMMANDS) && cmd.actions.is_none() {
                cmd.actions = Some(AdHocActions::from_element(child));
            } else if child.is("note", ns::COMMANDS) {
                cmd.notes.push(AdHocNote {
                    type_: child.attr("type").map(str::to_owned),
                    text: child.text(),
                });
            } else if DataForm::matches(child) && cmd.form.is_none() {
                cmd.form = Some(DataForm::from_element(child)?);
            } else {
                cmd.other.push(child.clone());
            }
        }
        Ok(cmd)
    }

    fn to_element(&self) -> Element {
        Element::builder(Self::NAME, Self::NS)
            .attr("node", &self.node)
            .attr_opt("action", self.action.as_deref())
            .attr_opt("sessionid", self.sessionid.as_deref())
            .attr_opt("status", self.status.as_deref())
            .children(self.actions.as_ref().map(AdHocActions::to_element))
            .children(self.notes.iter().map(AdHocNote::to_element))
            .children(self.form.as_ref().map(DataForm::to_element))
            .children(self.other.iter().cloned())
            .build()
    }
}

/// The `<actions/>` of an executing XEP-0050 command.
///
/// XEP-0050 allows only `<prev/>`, `<next/>` and `<complete/>` in it; anything
/// else is ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct AdHocActions {
    /// The default action.
    pub execute: Option<String>,
    /// `<prev/>` allowed.
    pub prev: bool,
    /// `<next/>` allowed.
    pub next: bool,
    /// `<complete/>` allowed.
    pub complete: bool,
}

impl AdHocActions {
    /// No action allowed yet.
    pub fn new() -> Self {
        AdHocActions::default()
    }

    /// Sets the default action (`next`, `prev` or `complete`).
    #[must_use]
    pub fn with_execute(mut self, action: impl Into<String>) -> Self {
        self.execute = Some(action.into());
        self
    }

    /// Allows `prev`.
    #[must_use]
    pub fn with_prev(mut self) -> Self {
        self.prev = true;
        self
    }

    /// Allows `next`.
    #[must_use]
    pub fn with_next(mut self) -> Self {
        self.next = true;
        self
    }

    /// Allows `complete`.
    #[must_use]
    pub fn with_complete(mut self) -> Self {
        self.complete = true;
        self
    }

    fn from_element(el: &Element) -> Self {
        let has = |name: &str| el.child(name, ns::COMMANDS).is_some();
        AdHocActions {
            execute: el.attr("execute").map(str::to_owned),
            prev: has("prev"),
            next: has("next"),
            complete: has("complete"),
        }
    }

    fn to_element(&self) -> Element {
        let flag = |on: bool, name: &str| on.then(|| Element::new(name, ns::COMMANDS));
        Element::builder("actions", ns::COMMANDS)
            .attr_opt("execute", self.execute.as_deref())
            .children(flag(self.prev, "prev"))
            .children(flag(self.next, "next"))
            .children(flag(self.complete, "complete"))
            .build()
    }
}

/// A `<note/>` of an XEP-0050 command.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AdHocNote {
    /// `info`, `warn` or `error` (`info` when absent).
    pub type_: Option<String>,
    /// The text.
    pub text: String,
}

impl AdHocNote {
    /// An informational note.
    pub fn info(text: impl Into<String>) -> Self {
        AdHocNote::typed("info", text)
    }

    /// A warning.
    pub fn warn(text: impl Into<String>) -> Self {
        AdHocNote::typed("warn", text)
    }

    /// An error note.
    pub fn error(text: impl Into<String>) -> Self {
        AdHocNote::typed("error", text)
    }

    fn typed(type_: &str, text: impl Into<String>) -> Self {
        AdHocNote {
            type_: Some(type_.to_owned()),
            text: text.into(),
        }
    }

    fn to_element(&self) -> Element {
        Element::builder("note", ns::COMMANDS)
            .attr_opt("type", self.type_.as_deref())
            .text(&self.text)
            .build()
    }
}

// ---------------------------------------------------------------- JSON

/// `"command"`: a node string, or `{node, action, sessionid, status, actions,
/// note, form | data}`.
fn command_from_json(v: Value, path: &str) -> crate::Result<(AdHocCommand, Map<String, Value>)> {
    if let Value::String(node) = v {
        return Ok((AdHocCommand::new(node), Map::new()));
    }
    let mut o = Obj::new(v, path)?;
    let mut cmd = AdHocCommand {
        node: o.required_string("node")?,
        action: o.string("action")?,
        sessionid: o.string("sessionid")?,
        status: o.string("status")?,
        ..AdHocCommand::default()
    };
    if let Some(mut a) = o.object("actions")? {
        cmd.actions = Some(AdHocActions {
            execute: a.string("execute")?,
            prev: a.boolean("prev")?.unwrap_or(false),
            next: a.boolean("next")?.unwrap_or(false),
            complete: a.boolean("complete")?.unwrap_or(false),
        });
    }
    if let Some(mut n) = o.object("note")? {
        cmd.notes.push(AdHocNote {
            type_: n.string("type")?,
            text: n.string("text")?.unwrap_or_default(),
        });
    }
    if let Some(form) = o.object("form")? {
        cmd.form = Some(dataform_from_json(form)?.0);
    } else if let Some(data) = o.object("data")? {
        // mod_rest writes `data` as a form without a type; XEP-0050 submissions
        // are of type `submit`.
        cmd.form = Some(formdata_from_json(data, "submit", false)?);
    }
    Ok((cmd, o.into_rest()))
}

fn command_to_json(cmd: &AdHocCommand) -> Value {
    let mut out = Map::new();
    out.insert("node".into(), string(&cmd.node));
    insert_opt(&mut out, "action", cmd.action.as_deref());
    insert_opt(&mut out, "sessionid", cmd.sessionid.as_deref());
    insert_opt(&mut out, "status", cmd.status.as_deref());
    if let Some(actions) = &cmd.actions {
        let mut a = Map::new();
        insert_opt(&mut a, "execute", actions.execute.as_deref());
        for (on, name) in [
            (actions.prev, "prev"),
            (actions.next, "next"),
            (actions.complete, "complete"),
        ] {
            if on {
                a.insert(name.into(), Value::Bool(true));
            }
        }
        out.insert("actions".into(), Value::Object(a));
    }
    if let Some(note) = cmd.notes.first() {
        let mut n = Map::new();
        insert_opt(&mut n, "type", note.type_.as_deref());
        n.insert("text".into(), string(&note.text));
        out.insert("note".into(), Value::Object(n));
    }
    if let Some(form) = &cmd.form {
        out.insert("form".into(), dataform_to_json(form));
    }
    Value::Object(out)
}

/// `command`.
pub(crate) const JSON: IqJson = IqJson {
    key: "command",
    matches: AdHocCommand::matches,
    read: |v, path| {
        let (command, rest) = command_from_json(v, path)?;
        Ok((Some(command.to_element()), rest))
    },
    write: |el| {
        AdHocCommand::from_element(el)
            .ok()
            .map(|cmd| command_to_json(&cmd))
    },
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stanza::FormField;

    fn c(name: &str) -> crate::stanza::ElementBuilder {
        Element::builder(name, ns::COMMANDS)
    }

    #[test]
    fn round_trip_full() {
        let el = c("command")
            .attr("node", "deploy")
            .attr("sessionid", "s1")
            .attr("status", "executing")
            .child(
                c("actions")
                    .attr("execute", "next")
                    .child(c("prev").build())
                    .child(c("next").build())
                    .build(),
            )
            .child(c("note").attr("type", "warn").text("production!").build())
            .child(c("note").text("second").build())
            .child(
                DataForm::form()
                    .with_field(FormField::text_single("tag", "Tag"))
                    .to_element(),
            )
            .child(Element::builder("payload", "urn:example:extra").build())
            .build();
        let cmd = AdHocCommand::from_element(&el).unwrap();
        assert_eq!(cmd.node, "deploy");
        let actions = cmd.actions.clone().unwrap();
        assert_eq!(
            actions,
            AdHocActions::new()
                .with_execute("next")
                .with_prev()
                .with_next()
        );
        assert_eq!(cmd.notes.len(), 2);
        assert_eq!(cmd.notes[1].type_, None);
        assert!(cmd.form.is_some());
        assert_eq!(cmd.other.len(), 1);
        assert_eq!(cmd.to_element(), el);
    }

    #[test]
    fn missing_node_is_invalid() {
        let err = AdHocCommand::from_element(&c("command").attr("action", "execute").build())
            .unwrap_err();
        assert!(err.is_invalid());
        assert_eq!(
            err.to_string(),
            "invalid stanza: ad-hoc command is missing the \"node\" attribute"
        );
    }

    #[test]
    fn invalid_form_is_invalid() {
        let el = c("command")
            .attr("node", "x")
            .child(Element::new("x", ns::DATA_FORMS))
            .build();
        assert!(AdHocCommand::from_element(&el).unwrap_err().is_invalid());
    }

    #[test]
    fn responses_keep_node_and_session() {
        let req = AdHocCommand::new("deploy")
            .with_sessionid("s9")
            .with_action("cancel");
        assert!(req.is_cancel());
        assert_eq!(AdHocCommand::new("x").action_or_execute(), "execute");
        let done = req.canceled();
        assert_eq!(done.status.as_deref(), Some("canceled"));
        assert_eq!(done.sessionid.as_deref(), Some("s9"));
        assert_eq!(done.action, None);
        let next = req.executing("s10");
        assert_eq!(next.sessionid.as_deref(), Some("s10"));
        assert_eq!(AdHocNote::warn("w").type_.as_deref(), Some("warn"));
        assert_eq!(AdHocNote::error("e").type_.as_deref(), Some("error"));
    }
}
