//! Forms and values: a command's arguments as XEP-0004 fields, and the
//! submitted fields back as an [`Invocation`].

use super::super::{ArgInfo, ArgKind, CommandInfo, CommandSet, Invocation, ParseError};
use crate::stanza::{DataForm, FormField};

/// The hidden field carrying the session's version in each stage's form.
/// Clients send hidden fields back: a submission names the stage it
/// answers, so a stale or duplicated one is refused instead of moving a
/// session that went on meanwhile. Not an identifier, so no argument
/// (named after Rust fields, or renamed without white space) can clash
/// with it in practice.
pub(super) const STAGE_FIELD: &str = "xmpp-rest-bot#stage";

/// The boolean field of the confirmation stage.
pub(super) const CONFIRM_FIELD: &str = "confirm";

/// `value` quoted for a message, cut short when long (it comes from the network).
pub(super) fn quoted(value: &str) -> String {
    const MAX: usize = 64;
    match value.char_indices().nth(MAX) {
        None => format!("{value:?}"),
        Some((end, _)) => format!("{:?}...", &value[..end]),
    }
}

/// What clients show for a command: its description, else its name.
pub(super) fn display_name(cmd: &CommandInfo) -> &'static str {
    if cmd.description.is_empty() {
        cmd.name
    } else {
        cmd.description
    }
}

/// Whether the argument is a `bool` (or `Option<bool>`): a boolean field.
fn is_bool(arg: &ArgInfo) -> bool {
    let ty = arg
        .type_name
        .strip_prefix("Option<")
        .and_then(|t| t.strip_suffix('>'))
        .unwrap_or(arg.type_name);
    matches!(arg.kind, ArgKind::Required | ArgKind::Optional)
        && (ty == "bool" || ty.ends_with("::bool"))
}

/// The empty field asking for `arg`.
fn field_for(arg: &ArgInfo) -> FormField {
    let name = arg.name;
    if is_bool(arg) {
        return FormField::boolean(name, name);
    }
    match arg.kind {
        ArgKind::Many => FormField::text_multi(name, name),
        ArgKind::Optional => FormField::text_single(name, name),
        _ => FormField::text_single(name, name).with_required(true),
    }
}

/// The form for `cmd`'s arguments, filled with `values` when given.
pub(super) fn form_for(cmd: &CommandInfo, values: Option<&DataForm>) -> DataForm {
    let mut form = DataForm::form().with_title(display_name(cmd));
    for arg in cmd.args {
        let mut field = field_for(arg);
        if let Some(values) = values {
            field.values = submitted_values(arg, values);
        }
        form.fields.push(field);
    }
    form
}

/// The form of step `step` (of `steps`) of `cmd`: its arguments, filled with
/// what was `submitted` (a form coming back with an error) or else what the
/// session `stored` (a step visited again), and the session's `version`.
pub(super) fn step_form(
    cmd: &CommandInfo,
    step: u8,
    steps: u8,
    stored: &[Vec<String>],
    submitted: Option<&DataForm>,
    version: u64,
) -> DataForm {
    let title = format!("{} (step {step} of {steps})", display_name(cmd));
    let mut form = DataForm::form().with_title(title);
    for (i, arg) in cmd.args.iter().enumerate() {
        if arg.step != step {
            continue;
        }
        let mut field = field_for(arg);
        field.values = match submitted {
            Some(values) => submitted_values(arg, values),
            None => stored.get(i).cloned().unwrap_or_default(),
        };
        form.fields.push(field);
    }
    form.fields
        .push(FormField::hidden(STAGE_FIELD, version.to_string()));
    form
}

/// The confirmation stage's form: `prompt` and a required yes/no.
pub(super) fn confirm_form(cmd: &CommandInfo, prompt: &str, version: u64) -> DataForm {
    DataForm::form()
        .with_title(display_name(cmd))
        .with_instructions(prompt)
        .with_field(FormField::boolean(CONFIRM_FIELD, "Confirm").with_required(true))
        .with_field(FormField::hidden(STAGE_FIELD, version.to_string()))
}

/// The session version a submitted form answers (its hidden field), `None`
/// when the client left it out; `Some(None)` when it is not a version.
pub(super) fn stage_token(form: Option<&DataForm>) -> Option<Option<u64>> {
    let value = form?.value(STAGE_FIELD)?;
    Some(value.trim().parse().ok())
}

/// The values of `arg` as a form carries them (to fill the form again).
fn submitted_values(arg: &ArgInfo, form: &DataForm) -> Vec<String> {
    match arg.kind {
        ArgKind::Many => lines(form.values(arg.name)).map(str::to_owned).collect(),
        _ => form
            .value(arg.name)
            .map(str::to_owned)
            .into_iter()
            .collect(),
    }
}

/// The non-empty lines of a multi-line field (XML sends one value per line,
/// mod_rest's JSON one string with newlines).
fn lines(values: &[String]) -> impl Iterator<Item = &str> {
    values
        .iter()
        .flat_map(|v| v.lines())
        .map(str::trim)
        .filter(|l| !l.is_empty())
}

/// An XEP-0004 boolean as Rust's `bool` parses it; other text is kept for
/// the argument's own error.
fn boolean(value: &str) -> &str {
    match value {
        "1" | "true" => "true",
        "0" | "false" => "false",
        other => other,
    }
}

/// The raw values of `arg` in a submitted `form`, or the missing argument.
pub(super) fn arg_values(
    set: &CommandSet,
    cmd: &CommandInfo,
    arg: &ArgInfo,
    form: &DataForm,
) -> Result<Vec<String>, ParseError> {
    let value = form
        .value(arg.name)
        .map(str::trim)
        .filter(|v| !v.is_empty());
    let value = if is_bool(arg) {
        value.map(boolean)
    } else {
        value
    };
    Ok(match (arg.kind, value) {
        (ArgKind::Many, _) => lines(form.values(arg.name)).map(str::to_owned).collect(),
        (ArgKind::Optional, value) => value.map(str::to_owned).into_iter().collect(),
        (_, Some(value)) => vec![value.to_owned()],
        // An unchecked box may be left out of the submission.
        (_, None) if is_bool(arg) => vec!["false".to_owned()],
        (_, None) => {
            return Err(ParseError::MissingArgument {
                command: cmd.name.to_owned(),
                argument: arg.name.to_owned(),
                usage: cmd.usage(set.primary_prefix()),
            });
        }
    })
}

/// The invocation of `cmd` with the submitted values.
pub(super) fn invocation_from_form(
    set: &CommandSet,
    index: usize,
    cmd: &CommandInfo,
    form: &DataForm,
) -> Result<Invocation, ParseError> {
    let args = cmd
        .args
        .iter()
        .map(|arg| arg_values(set, cmd, arg, form))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Invocation {
        index,
        invoked_as: cmd.name.to_owned(),
        args,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARGS: &[ArgInfo] = &[
        ArgInfo::new("env", "Env", ArgKind::Required),
        ArgInfo::new("force", "bool", ArgKind::Required),
        ArgInfo::new("note", "Option<String>", ArgKind::Optional),
        ArgInfo::new("dry", "Option<bool>", ArgKind::Optional),
        ArgInfo::new("hosts", "Vec<String>", ArgKind::Many),
    ];
    const CMD: CommandInfo = CommandInfo::new("deploy", &[], "Deploy.", ARGS, false);
    static SET: CommandSet = CommandSet::new(&["!"], false, &[CMD]);

    #[test]
    fn form_fields_follow_the_argument_kinds() {
        let form = form_for(&CMD, None);
        assert_eq!(form.type_, "form");
        assert_eq!(form.title.as_deref(), Some("Deploy."));
        let types: Vec<(&str, bool)> = form
            .fields
            .iter()
            .map(|f| (f.type_.as_deref().unwrap(), f.required))
            .collect();
        assert_eq!(
            types,
            [
                ("text-single", true),
                ("boolean", false),
                ("text-single", false),
                ("boolean", false),
                ("text-multi", false)
            ]
        );
        assert!(form.fields.iter().all(|f| f.label == f.var));
    }

    #[test]
    fn form_values_become_the_invocation() {
        let mut form = DataForm::submit([("env", " prod "), ("force", "1"), ("dry", "0")]);
        form.fields
            .push(FormField::new("hosts").with_values(["a", "b\nc", " ", ""]));
        let inv = invocation_from_form(&SET, 0, &CMD, &form).unwrap();
        assert_eq!(
            inv.args,
            vec![
                vec!["prod".to_owned()],
                vec!["true".to_owned()],
                vec![],
                vec!["false".to_owned()],
                vec!["a".to_owned(), "b".to_owned(), "c".to_owned()],
            ]
        );
        // An unchecked box may be missing; a required text may not.
        let inv = invocation_from_form(&SET, 0, &CMD, &DataForm::submit([("env", "x")])).unwrap();
        assert_eq!(inv.args[1], ["false"]);
        let err =
            invocation_from_form(&SET, 0, &CMD, &DataForm::submit([("env", "  ")])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "deploy: missing argument <env> (usage: !deploy <env> <force> [note] [dry] [hosts...])"
        );
    }

    #[test]
    fn refilled_form_keeps_the_submitted_values() {
        let form = form_for(
            &CMD,
            Some(&DataForm::submit([("env", "qa"), ("hosts", "a\nb")])),
        );
        assert_eq!(form.value("env"), Some("qa"));
        assert_eq!(form.values("hosts"), ["a", "b"]);
        assert_eq!(form.value("note"), None);
    }

    #[test]
    fn a_step_form_has_its_fields_the_stored_values_and_the_version() {
        const STEPPED: &[ArgInfo] = &[
            ArgInfo::new("env", "String", ArgKind::Required),
            ArgInfo::new("version", "String", ArgKind::Required).in_step(2),
            ArgInfo::new("hosts", "Vec<String>", ArgKind::Many).in_step(2),
        ];
        let cmd = CommandInfo::new("deploy", &[], "Deploy.", STEPPED, false);
        let stored = vec![vec!["prod".to_owned()], vec!["v1".to_owned()], vec![]];
        let form = step_form(&cmd, 2, 2, &stored, None, 42);
        assert_eq!(form.title.as_deref(), Some("Deploy. (step 2 of 2)"));
        let vars: Vec<&str> = form
            .fields
            .iter()
            .filter_map(|f| f.var.as_deref())
            .collect();
        assert_eq!(vars, ["version", "hosts", STAGE_FIELD]);
        assert_eq!(form.value("version"), Some("v1"));
        assert_eq!(form.value(STAGE_FIELD), Some("42"));
        assert_eq!(stage_token(Some(&form)), Some(Some(42)));
        assert_eq!(
            stage_token(Some(&DataForm::submit([(STAGE_FIELD, "x")]))),
            Some(None)
        );
        assert_eq!(stage_token(Some(&DataForm::submit([("a", "b")]))), None);
    }

    #[test]
    fn long_values_are_cut_in_messages() {
        assert_eq!(quoted("deploy"), "\"deploy\"");
        let long = "é".repeat(100);
        let q = quoted(&long);
        assert!(q.ends_with("\"..."), "{q}");
        assert_eq!(q.chars().filter(|&c| c == 'é').count(), 64);
    }
}
