//! The attribute and the function, read into a model and checked. Every mistake
//! becomes a `syn::Error` spanned on its token; all are reported at once.

use proc_macro2::{Span, TokenStream};
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{FnArg, LitStr, Token, Type};

use super::Kind;

pub(crate) struct HandlerModel {
    pub(crate) kind: Kind,
    pub(crate) types: Vec<LitStr>,
    pub(crate) body: Option<LitStr>,
    pub(crate) body_regex: Option<LitStr>,
    pub(crate) from: Option<LitStr>,
    pub(crate) to: Option<LitStr>,
    pub(crate) ns: Option<LitStr>,
    pub(crate) element: Option<LitStr>,
    /// `state = Type::Variant { .. }`: the conversation's state type and
    /// the pattern it must match.
    pub(crate) state: Option<(syn::Path, syn::Pat)>,
    /// `allow = "ops"`: the access group whose members alone run it.
    pub(crate) allow: Option<LitStr>,
    pub(crate) func: syn::ItemFn,
    pub(crate) args: Vec<Type>,
    pub(crate) ret: Type,
    /// The argument that receives the body regex's captures.
    pub(crate) captures: Option<usize>,
}

#[derive(Default)]
struct Errors(Option<syn::Error>);

impl Errors {
    fn push(&mut self, err: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(err),
            None => self.0 = Some(err),
        }
    }
}

impl HandlerModel {
    pub(crate) fn parse(kind: Kind, attr: TokenStream, func: &syn::ItemFn) -> syn::Result<Self> {
        let mut errors = Errors::default();
        let mut model = HandlerModel {
            kind,
            types: Vec::new(),
            body: None,
            body_regex: None,
            from: None,
            to: None,
            ns: None,
            element: None,
            state: None,
            allow: None,
            func: func.clone(),
            args: Vec::new(),
            ret: syn::parse_quote!(()),
            captures: None,
        };

        let metas = Punctuated::<FilterArg, Token![,]>::parse_terminated.parse2(attr)?;
        let mut seen: Vec<String> = Vec::new();
        for meta in metas {
            if let Err(e) = model.filter(&meta, &mut seen) {
                errors.push(e);
            }
        }
        model.check_function(&mut errors);
        match errors.0 {
            Some(err) => Err(err),
            None => Ok(model),
        }
    }

    fn filter(&mut self, arg: &FilterArg, seen: &mut Vec<String>) -> syn::Result<()> {
        let kind = self.kind;
        let key = arg.key.unraw().to_string();
        // Bare type names: `#[on_iq(get)]`, `#[on_message(chat)]`, `#[on_presence(subscribe)]`.
        if arg.value.is_none() && kind.types().contains(&key.as_str()) {
            once(seen, "type", arg.key.span())?;
            self.types.push(LitStr::new(&key, arg.key.span()));
            return Ok(());
        }
        if !kind.keys().contains(&key.as_str()) {
            return Err(syn::Error::new_spanned(
                &arg.key,
                format!(
                    "unknown filter `{key}` for #[{}]: expected one of {}, or a type name ({})",
                    kind.attribute(),
                    kind.keys()
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    kind.types().join(", "),
                ),
            ));
        }
        once(seen, &key, arg.key.span())?;
        if key == "state" {
            let Some(pattern) = &arg.pattern else {
                return Err(syn::Error::new_spanned(
                    &arg.key,
                    "`state` takes a pattern: `state = Wizard::AskVersion { .. }`",
                ));
            };
            self.state = Some((state_type(pattern)?, pattern.clone()));
            return Ok(());
        }
        let Some(value) = &arg.value else {
            return Err(syn::Error::new_spanned(
                &arg.key,
                format!("`{key}` takes a value: `{key} = \"...\"`"),
            ));
        };
        let values = string_values(value)?;
        let single = |values: Vec<LitStr>| -> syn::Result<LitStr> {
            match <[LitStr; 1]>::try_from(values) {
                Ok([v]) => Ok(v),
                Err(_) => Err(syn::Error::new_spanned(
                    value,
                    format!("`{key}` takes one string"),
                )),
            }
        };
        match key.as_str() {
            "type" => {
                for value in &values {
                    if !kind.types().contains(&value.value().as_str()) {
                        return Err(syn::Error::new_spanned(
                            value,
                            format!(
                                "{:?} is not {} type: expected one of {}",
                                value.value(),
                                match kind {
                                    Kind::Message => "a message",
                                    Kind::Presence => "a presence",
                                    Kind::Iq => "an iq",
                                },
                                kind.types().join(", ")
                            ),
                        ));
                    }
                }
                self.types = values;
            }
            "body" => self.body = Some(single(values)?),
            "allow" => {
                let lit = single(values)?;
                let group = lit.value();
                if group.is_empty() || group.contains(char::is_whitespace) {
                    return Err(syn::Error::new_spanned(
                        &lit,
                        "an access group is one word, e.g. `allow = \"ops\"`",
                    ));
                }
                self.allow = Some(lit);
            }
            "body_regex" => {
                let lit = single(values)?;
                if let Err(e) = regex_syntax::Parser::new().parse(&lit.value()) {
                    return Err(syn::Error::new_spanned(&lit, regex_error(&e)));
                }
                self.body_regex = Some(lit);
            }
            "from" | "to" => {
                let lit = single(values)?;
                if let Err(e) = jid::Jid::new(&lit.value()) {
                    return Err(syn::Error::new_spanned(
                        &lit,
                        format!("invalid JID {:?}: {e}", lit.value()),
                    ));
                }
                if key == "from" {
                    self.from = Some(lit);
                } else {
                    self.to = Some(lit);
                }
            }
            "ns" => {
                let lit = single(values)?;
                if lit.value().is_empty() {
                    return Err(syn::Error::new_spanned(&lit, "`ns` cannot be empty"));
                }
                self.ns = Some(lit);
            }
            "element" => self.element = Some(single(values)?),
            _ => {}
        }
        Ok(())
    }

    fn check_function(&mut self, errors: &mut Errors) {
        let sig = &self.func.sig;
        let attribute = self.kind.attribute();
        if sig.asyncness.is_none() {
            errors.push(syn::Error::new_spanned(
                sig.fn_token,
                format!("#[{attribute}] handlers must be `async fn`"),
            ));
        }
        if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
            errors.push(syn::Error::new_spanned(
                &sig.generics,
                "handlers cannot be generic: name the concrete extractor types",
            ));
        }
        if let Some(c) = &sig.constness {
            errors.push(syn::Error::new_spanned(c, "handlers cannot be `const fn`"));
        }
        if let Some(v) = &sig.variadic {
            errors.push(syn::Error::new_spanned(v, "handlers cannot be variadic"));
        }
        for input in &sig.inputs {
            match input {
                FnArg::Receiver(r) => errors.push(syn::Error::new_spanned(
                    r,
                    "handlers are free functions: they cannot take `self`",
                )),
                FnArg::Typed(pat) => {
                    if let Type::Reference(r) = &*pat.ty {
                        errors.push(syn::Error::new_spanned(
                            r,
                            "handler arguments are owned extractors: drop the `&`",
                        ));
                    } else if let Type::ImplTrait(t) = &*pat.ty {
                        errors.push(syn::Error::new_spanned(
                            t,
                            "handler arguments need a concrete extractor type, not `impl Trait`",
                        ));
                    } else {
                        if is_captures(&pat.ty) {
                            if self.captures.is_some() {
                                errors.push(syn::Error::new_spanned(
                                    &pat.ty,
                                    "only one argument can receive the captures",
                                ));
                            }
                            self.captures = Some(self.args.len());
                        }
                        self.args.push((*pat.ty).clone());
                    }
                }
            }
        }
        if let Some(index) = self.captures
            && self.body_regex.is_none()
        {
            errors.push(syn::Error::new_spanned(
                &self.args[index],
                format!(
                    "a `Captures` argument needs a `body_regex = \"...\"` filter in #[{attribute}]"
                ),
            ));
        }
        if let syn::ReturnType::Type(_, ty) = &sig.output {
            if let Type::ImplTrait(t) = &**ty {
                errors.push(syn::Error::new_spanned(
                    t,
                    "name the handler's return type (e.g. `String`, `Message`, `Result<String, StanzaError>`): `impl Trait` cannot be returned",
                ));
            }
            self.ret = (**ty).clone();
        }
        if let (Some(_), Some(regex)) = (&self.body, &self.body_regex) {
            errors.push(syn::Error::new_spanned(
                regex,
                "`body` and `body_regex` exclude each other: keep one",
            ));
        }
    }
}

fn once(seen: &mut Vec<String>, key: &str, span: Span) -> syn::Result<()> {
    if seen.iter().any(|k| k == key) {
        let hint = if key == "type" {
            ": several types are written `type = [\"a\", \"b\"]`"
        } else {
            ""
        };
        return Err(syn::Error::new(
            span,
            format!("duplicate filter `{key}`: give each filter once{hint}"),
        ));
    }
    seen.push(key.to_owned());
    Ok(())
}

/// `"x"` or `["x", "y"]`.
fn string_values(expr: &syn::Expr) -> syn::Result<Vec<LitStr>> {
    match expr {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => Ok(vec![s.clone()]),
        syn::Expr::Array(array) if !array.elems.is_empty() => array
            .elems
            .iter()
            .map(|e| match e {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Ok(s.clone()),
                other => Err(syn::Error::new_spanned(other, "expected a string literal")),
            })
            .collect(),
        other => Err(syn::Error::new_spanned(
            other,
            "expected a string literal (or a non-empty list of them)",
        )),
    }
}

/// The state type of a `state = ...` pattern: its path without the variant
/// (`Wizard` in `Wizard::AskVersion { .. }`; the first alternative's in
/// `A::X | A::Y`). rustc then checks the pattern against that type.
fn state_type(pattern: &syn::Pat) -> syn::Result<syn::Path> {
    let path = match pattern {
        syn::Pat::Path(p) => &p.path,
        syn::Pat::Struct(p) => &p.path,
        syn::Pat::TupleStruct(p) => &p.path,
        syn::Pat::Or(or) => match or.cases.first() {
            Some(first) => return state_type(first),
            None => return Err(syn::Error::new_spanned(pattern, "empty pattern")),
        },
        syn::Pat::Paren(p) => return state_type(&p.pat),
        other => {
            return Err(syn::Error::new_spanned(
                other,
                "`state` takes an enum variant pattern naming its type, \
                 e.g. `state = Wizard::AskVersion { .. }`",
            ));
        }
    };
    if path.segments.len() < 2 {
        return Err(syn::Error::new_spanned(
            path,
            "name the state's type with the variant, e.g. `state = Wizard::AskVersion { .. }`, \
             so that the filter knows which state to load",
        ));
    }
    let mut ty = path.clone();
    ty.segments.pop();
    // `Wizard::` -> `Wizard`: no trailing `::`.
    if let Some(last) = ty.segments.pop() {
        ty.segments.push_value(last.into_value());
    }
    Ok(ty)
}

/// Whether the argument type is the `Captures` extractor (by its last segment).
fn is_captures(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Captures"))
}

/// One filter of the attribute: `key` or `key = value`. Keys may be keywords
/// (`type`), which `syn::Meta` does not accept.
struct FilterArg {
    key: syn::Ident,
    value: Option<syn::Expr>,
    /// The value of `state`, a pattern rather than an expression.
    pattern: Option<syn::Pat>,
}

impl Parse for FilterArg {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let key = syn::Ident::parse_any(input)?;
        if key == "state" && input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
            let pattern = syn::Pat::parse_multi_with_leading_vert(input)?;
            return Ok(FilterArg {
                key,
                value: None,
                pattern: Some(pattern),
            });
        }
        let value = if input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
            Some(input.parse()?)
        } else {
            None
        };
        Ok(FilterArg {
            key,
            value,
            pattern: None,
        })
    }
}

/// `unclosed group at character 3`: the error without regex-syntax's ASCII art.
fn regex_error(err: &regex_syntax::Error) -> String {
    match err {
        regex_syntax::Error::Parse(e) => format!(
            "invalid regex: {} at character {}",
            e.kind(),
            e.span().start.column
        ),
        regex_syntax::Error::Translate(e) => format!(
            "invalid regex: {} at character {}",
            e.kind(),
            e.span().start.column
        ),
        other => format!("invalid regex: {}", other.to_string().replace('\n', " ")),
    }
}
