//! The derive's input, read into a model and checked. Every mistake becomes a
//! `syn::Error` spanned on the offending token; all of them are reported at once.

use syn::{Attribute, Data, DeriveInput, Fields, LitStr, Type};

pub(crate) struct CommandEnum {
    pub(crate) ident: syn::Ident,
    pub(crate) generics: syn::Generics,
    pub(crate) prefixes: Vec<String>,
    pub(crate) case_sensitive: bool,
    pub(crate) krate: Option<syn::Path>,
    pub(crate) commands: Vec<Command>,
}

/// What a command asks of the guardrails (`allow`, `confirm`, `rate`); on the
/// enum, the default of every variant.
#[derive(Clone, Default)]
pub(crate) struct Guards {
    pub(crate) allow: Option<String>,
    pub(crate) confirm: Option<String>,
    pub(crate) rate: Option<Rate>,
}

/// `#[command(rate = "2/min")]`: `count` runs per `seconds`.
#[derive(Clone, Copy)]
pub(crate) struct Rate {
    pub(crate) count: u32,
    pub(crate) seconds: u64,
}

impl Guards {
    /// Reads `allow`, `confirm` or `rate`; `Ok(false)` for another attribute.
    fn parse(&mut self, meta: &syn::meta::ParseNestedMeta<'_>) -> syn::Result<bool> {
        if meta.path.is_ident("allow") {
            let lit: LitStr = meta.value()?.parse()?;
            let group = lit.value();
            if group.is_empty() || group.contains(char::is_whitespace) {
                return Err(syn::Error::new_spanned(
                    lit,
                    "an access group is one word, e.g. `allow = \"ops\"`",
                ));
            }
            self.allow = Some(group);
        } else if meta.path.is_ident("confirm") {
            let prompt = if meta.input.peek(syn::Token![=]) {
                let lit: LitStr = meta.value()?.parse()?;
                lit.value()
            } else {
                String::new()
            };
            self.confirm = Some(prompt);
        } else if meta.path.is_ident("rate") {
            let lit: LitStr = meta.value()?.parse()?;
            self.rate = Some(parse_rate(&lit)?);
        } else {
            return Ok(false);
        }
        Ok(true)
    }

    /// These, with `defaults` where these say nothing.
    fn or(self, defaults: &Guards) -> Guards {
        Guards {
            allow: self.allow.or_else(|| defaults.allow.clone()),
            confirm: self.confirm.or_else(|| defaults.confirm.clone()),
            rate: self.rate.or(defaults.rate),
        }
    }
}

/// `"2/min"`, `"10/h"`, `"1/s"` (also `sec`, `second`, `minute`, `hour`, `day`, `d`).
fn parse_rate(lit: &LitStr) -> syn::Result<Rate> {
    let text = lit.value();
    let error = || {
        syn::Error::new_spanned(
            lit,
            "a rate is `N/unit`: `\"2/min\"`, `\"10/h\"`, `\"1/s\"` or `\"100/day\"` (N at least 1)",
        )
    };
    let (count, unit) = text.split_once('/').ok_or_else(error)?;
    let count: u32 = count.trim().parse().map_err(|_| error())?;
    if count == 0 {
        return Err(error());
    }
    let seconds = match unit.trim() {
        "s" | "sec" | "second" => 1,
        "min" | "minute" => 60,
        "h" | "hour" => 3600,
        "d" | "day" => 86_400,
        _ => return Err(error()),
    };
    Ok(Rate { count, seconds })
}

pub(crate) struct Command {
    pub(crate) variant: syn::Ident,
    pub(crate) name: String,
    pub(crate) aliases: Vec<String>,
    pub(crate) description: String,
    pub(crate) hidden: bool,
    pub(crate) guards: Guards,
    pub(crate) shape: Shape,
    pub(crate) args: Vec<Arg>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    Unit,
    Tuple,
    Struct,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum ArgKind {
    Required,
    Optional,
    Many,
    Rest,
}

pub(crate) struct Arg {
    pub(crate) field: Option<syn::Ident>,
    pub(crate) name: String,
    pub(crate) ty: Type,
    /// The type each value parses into (`T` of `Option<T>` / `Vec<T>`).
    pub(crate) value_ty: Type,
    pub(crate) kind: ArgKind,
    /// `#[command(redact)]`: masked in the audit trail and prompts.
    pub(crate) redacted: bool,
    /// `#[command(step = N)]`: the form of a multi-step ad-hoc command that
    /// asks for it (1 without the attribute), with the literal for errors.
    pub(crate) step: u8,
    pub(crate) step_lit: Option<syn::LitInt>,
}

/// Collects errors so that every mistake is reported, not only the first.
#[derive(Default)]
struct Errors(Option<syn::Error>);

impl Errors {
    fn push(&mut self, err: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(err),
            None => self.0 = Some(err),
        }
    }

    fn finish<T>(self, value: T) -> syn::Result<T> {
        match self.0 {
            Some(err) => Err(err),
            None => Ok(value),
        }
    }
}

impl CommandEnum {
    pub(crate) fn from_input(input: &DeriveInput) -> syn::Result<Self> {
        let mut errors = Errors::default();
        let Data::Enum(data) = &input.data else {
            let keyword = match &input.data {
                Data::Struct(s) => s.struct_token.span,
                Data::Union(u) => u.union_token.span,
                Data::Enum(e) => e.enum_token.span,
            };
            return Err(syn::Error::new(
                keyword,
                "BotCommands can only be derived for an enum: one variant per command",
            ));
        };

        let mut defaults = Guards::default();
        let mut model = CommandEnum {
            ident: input.ident.clone(),
            generics: input.generics.clone(),
            prefixes: Vec::new(),
            case_sensitive: false,
            krate: None,
            commands: Vec::new(),
        };
        if !input.generics.params.is_empty() {
            errors.push(syn::Error::new_spanned(
                &input.generics,
                "a BotCommands enum cannot be generic",
            ));
        }
        for attr in command_attrs(&input.attrs) {
            let result = attr.parse_nested_meta(|meta| {
                if defaults.parse(&meta)? {
                    // `allow`, `confirm` or `rate` for every command.
                } else if meta.path.is_ident("prefix") {
                    let lit: LitStr = meta.value()?.parse()?;
                    check_prefix(&lit)?;
                    model.prefixes = vec![lit.value()];
                } else if meta.path.is_ident("prefixes") {
                    let list = parse_str_list(&meta)?;
                    if list.is_empty() {
                        return Err(meta.error("`prefixes` needs at least one prefix"));
                    }
                    for lit in &list {
                        check_prefix(lit)?;
                    }
                    model.prefixes = list.iter().map(LitStr::value).collect();
                } else if meta.path.is_ident("case_sensitive") {
                    model.case_sensitive = true;
                } else if meta.path.is_ident("crate") {
                    let lit: LitStr = meta.value()?.parse()?;
                    model.krate = Some(lit.parse()?);
                } else {
                    return Err(meta.error(
                        "unknown enum attribute: expected `prefix`, `prefixes`, `case_sensitive`, `crate`, `allow`, `confirm` or `rate`",
                    ));
                }
                Ok(())
            });
            if let Err(e) = result {
                errors.push(e);
            }
        }
        if model.prefixes.is_empty() {
            model.prefixes = vec!["!".into(), "/".into()];
        }

        if data.variants.is_empty() {
            errors.push(syn::Error::new_spanned(
                &input.ident,
                "a BotCommands enum needs at least one variant (one per command)",
            ));
        }
        for variant in &data.variants {
            match Command::from_variant(variant) {
                Ok(mut cmd) => {
                    cmd.guards = std::mem::take(&mut cmd.guards).or(&defaults);
                    model.commands.push(cmd);
                }
                Err(e) => errors.push(e),
            }
        }
        check_names_unique(&model, data, &mut errors);
        errors.finish(model)
    }
}

fn check_prefix(lit: &LitStr) -> syn::Result<()> {
    let value = lit.value();
    if value.is_empty() || value.chars().any(char::is_whitespace) {
        return Err(syn::Error::new_spanned(
            lit,
            "a command prefix must be non-empty and contain no white space",
        ));
    }
    Ok(())
}

fn check_names_unique(model: &CommandEnum, data: &syn::DataEnum, errors: &mut Errors) {
    let mut seen: Vec<(String, &syn::Ident)> = Vec::new();
    for (cmd, variant) in model.commands.iter().zip(&data.variants) {
        for name in std::iter::once(&cmd.name).chain(&cmd.aliases) {
            let key = if model.case_sensitive {
                name.clone()
            } else {
                name.to_lowercase()
            };
            if let Some((_, first)) = seen.iter().find(|(k, _)| *k == key) {
                errors.push(syn::Error::new_spanned(
                    &variant.ident,
                    format!("command name {name:?} is already used by `{first}`"),
                ));
            } else {
                seen.push((key, &variant.ident));
            }
        }
    }
}

fn command_attrs(attrs: &[Attribute]) -> impl Iterator<Item = &Attribute> {
    attrs.iter().filter(|a| a.path().is_ident("command"))
}

fn parse_str_list(meta: &syn::meta::ParseNestedMeta<'_>) -> syn::Result<Vec<LitStr>> {
    let value = meta.value()?;
    let content;
    syn::bracketed!(content in value);
    let list = content.parse_terminated(|p| p.parse::<LitStr>(), syn::Token![,])?;
    Ok(list.into_iter().collect())
}

fn check_name(lit: &LitStr) -> syn::Result<String> {
    let value = lit.value();
    if value.is_empty() || value.chars().any(char::is_whitespace) {
        return Err(syn::Error::new_spanned(
            lit,
            "a command name must be non-empty and contain no white space",
        ));
    }
    Ok(value)
}

/// The first paragraph of the doc comment, lines joined.
fn doc_description(attrs: &[Attribute]) -> String {
    let mut lines = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("doc")) {
        if let syn::Meta::NameValue(nv) = &attr.meta
            && let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) = &nv.value
        {
            let line = s.value();
            let line = line.trim();
            if line.is_empty() {
                if !lines.is_empty() {
                    break;
                }
            } else {
                lines.push(line.to_owned());
            }
        }
    }
    lines.join(" ")
}

impl Command {
    fn from_variant(variant: &syn::Variant) -> syn::Result<Self> {
        let mut errors = Errors::default();
        let mut cmd = Command {
            variant: variant.ident.clone(),
            name: variant.ident.to_string().to_lowercase(),
            aliases: Vec::new(),
            description: doc_description(&variant.attrs),
            hidden: false,
            guards: Guards::default(),
            shape: match &variant.fields {
                Fields::Unit => Shape::Unit,
                Fields::Unnamed(_) => Shape::Tuple,
                Fields::Named(_) => Shape::Struct,
            },
            args: Vec::new(),
        };
        for attr in command_attrs(&variant.attrs) {
            let result = attr.parse_nested_meta(|meta| {
                if cmd.guards.parse(&meta)? {
                    // `allow`, `confirm` or `rate`.
                } else if meta.path.is_ident("rename") {
                    cmd.name = check_name(&meta.value()?.parse()?)?;
                } else if meta.path.is_ident("aliases") {
                    for lit in parse_str_list(&meta)? {
                        cmd.aliases.push(check_name(&lit)?);
                    }
                } else if meta.path.is_ident("description") {
                    let lit: LitStr = meta.value()?.parse()?;
                    cmd.description = lit.value();
                } else if meta.path.is_ident("hide") {
                    cmd.hidden = true;
                } else {
                    return Err(meta.error(
                        "unknown command attribute: expected `rename`, `aliases`, `description`, `hide`, `allow`, `confirm` or `rate`",
                    ));
                }
                Ok(())
            });
            if let Err(e) = result {
                errors.push(e);
            }
        }
        if let Some((_, expr)) = &variant.discriminant {
            errors.push(syn::Error::new_spanned(
                expr,
                "command variants cannot have explicit discriminants",
            ));
        }

        let fields: Vec<&syn::Field> = variant.fields.iter().collect();
        for (i, field) in fields.iter().enumerate() {
            match Arg::from_field(i, field) {
                Ok(arg) => cmd.args.push(arg),
                Err(e) => errors.push(e),
            }
        }
        // Only the last arguments may be optional, and a greedy one must be last.
        let mut seen_optional = false;
        for (i, (arg, field)) in cmd.args.iter().zip(&fields).enumerate() {
            let last = i + 1 == fields.len();
            match arg.kind {
                ArgKind::Required if seen_optional => errors.push(syn::Error::new_spanned(
                    &field.ty,
                    "a required argument cannot follow an optional one",
                )),
                ArgKind::Optional => seen_optional = true,
                ArgKind::Many | ArgKind::Rest if !last => errors.push(syn::Error::new_spanned(
                    &field.ty,
                    "a `Vec` or `#[command(rest)]` argument takes the rest of the line, so it must be the last field",
                )),
                _ => {}
            }
        }
        check_steps(&cmd.args, &mut errors);
        errors.finish(cmd)
    }
}

impl Arg {
    fn from_field(index: usize, field: &syn::Field) -> syn::Result<Self> {
        let mut rest = false;
        let mut redacted = false;
        let mut step = 1;
        let mut step_lit = None;
        let mut name = field
            .ident
            .as_ref()
            .map_or_else(|| format!("arg{}", index + 1), ToString::to_string);
        for attr in command_attrs(&field.attrs) {
            attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("rest") {
                    rest = true;
                } else if meta.path.is_ident("redact") {
                    redacted = true;
                } else if meta.path.is_ident("rename") {
                    name = check_name(&meta.value()?.parse()?)?;
                } else if meta.path.is_ident("step") {
                    let lit: syn::LitInt = meta.value()?.parse()?;
                    step = match lit.base10_parse::<u8>() {
                        Ok(n) if n >= 1 => n,
                        _ => {
                            return Err(syn::Error::new_spanned(
                                &lit,
                                "a step is a number from 1 to 255, e.g. `step = 2`",
                            ));
                        }
                    };
                    step_lit = Some(lit);
                } else {
                    return Err(meta.error(
                        "unknown field attribute: expected `rest`, `rename`, `redact` or `step`",
                    ));
                }
                Ok(())
            })?;
        }
        let (kind, value_ty) = match wrapper(&field.ty) {
            Some(("Option", inner)) => (ArgKind::Optional, inner.clone()),
            Some(("Vec", inner)) => (ArgKind::Many, inner.clone()),
            _ => (ArgKind::Required, field.ty.clone()),
        };
        let kind = if rest {
            if kind != ArgKind::Required {
                return Err(syn::Error::new_spanned(
                    &field.ty,
                    "`#[command(rest)]` takes one value: use a plain type such as `String`, not `Option` or `Vec`",
                ));
            }
            ArgKind::Rest
        } else {
            kind
        };
        Ok(Arg {
            field: field.ident.clone(),
            name,
            ty: field.ty.clone(),
            value_ty,
            kind,
            redacted,
            step,
            step_lit,
        })
    }
}

/// Steps go up in field order, from 1, without gaps: the ad-hoc forms are
/// asked in that order, and a form with no field would be an empty page.
fn check_steps(args: &[Arg], errors: &mut Errors) {
    let mut current = 1;
    for arg in args {
        let Some(lit) = &arg.step_lit else {
            if arg.step != current {
                // Only reachable after an explicit step: say where it goes.
                errors.push(syn::Error::new_spanned(
                    &arg.ty,
                    format!(
                        "this field has no `step`, so it is in step 1, after a field of step {current}: \
                         steps go up in field order (add `#[command(step = {current})]`)"
                    ),
                ));
            }
            continue;
        };
        if arg.step < current {
            errors.push(syn::Error::new_spanned(
                lit,
                format!(
                    "steps go up in field order: step {} after step {current}",
                    arg.step
                ),
            ));
        } else if arg.step > current + 1 {
            errors.push(syn::Error::new_spanned(
                lit,
                format!(
                    "step {} has no step {} before it: steps are numbered 1, 2, 3... without gaps",
                    arg.step,
                    current + 1
                ),
            ));
        } else {
            current = arg.step;
        }
    }
}

/// `Option<T>` -> ("Option", T), `Vec<T>` -> ("Vec", T), by the last path segment.
fn wrapper(ty: &Type) -> Option<(&'static str, &Type)> {
    let Type::Path(path) = ty else { return None };
    let segment = path.path.segments.last()?;
    let which = match segment.ident.to_string().as_str() {
        "Option" => "Option",
        "Vec" => "Vec",
        _ => return None,
    };
    let syn::PathArguments::AngleBracketed(args) = &segment.arguments else {
        return None;
    };
    match args.args.first()? {
        syn::GenericArgument::Type(inner) if args.args.len() == 1 => Some((which, inner)),
        _ => None,
    }
}
