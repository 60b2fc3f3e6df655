//! Tokens for the handler attributes.
//!
//! `#[on_message] async fn echo(..) -> R { .. }` becomes a unit struct `echo`
//! (so that `Bot::new().handler(echo)` registers the route with its filters)
//! that still calls like the function: it dereferences to a function pointer
//! returning the handler's future, boxed, so `echo(args).await` works in unit
//! tests. The body moves into a hidden function inside an anonymous const.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use super::Kind;
use super::parse::HandlerModel;

pub(crate) fn expand(model: &HandlerModel) -> TokenStream {
    let krate = crate::crate_path::runtime();
    let private = quote!(#krate::__private::handler);
    let func = &model.func;
    let name = &func.sig.ident;
    let vis = &func.vis;
    let attrs = &func.attrs;
    let inputs = &func.sig.inputs;
    let block = &func.block;
    let ret = &model.ret;
    let args = &model.args;
    let arg_names: Vec<_> = (0..args.len())
        .map(|i| format_ident!("__arg{}", i))
        .collect();

    let filter = filter(model, &krate, &private);

    // What the route calls: the hidden function itself, or, when one argument
    // takes the body regex's captures, a closure that computes them from the body.
    let (route_handler, extractor_tys) = match model.captures {
        None => (quote!(__handler), args.iter().collect::<Vec<_>>()),
        Some(index) => {
            let others: Vec<_> = args
                .iter()
                .zip(&arg_names)
                .enumerate()
                .filter(|(i, _)| *i != index)
                .map(|(_, (ty, name))| quote!(#name: #ty))
                .collect();
            let call_args = arg_names.iter().enumerate().map(|(i, n)| {
                if i == index {
                    quote!(#private::captures(&__REGEX, &__body))
                } else {
                    quote!(#n)
                }
            });
            let handler = quote! {
                |#krate::extract::MessageText(__body): #krate::extract::MessageText, #(#others),*| async move {
                    __handler(#(#call_args),*).await
                }
            };
            let tys = args
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != index)
                .map(|(_, ty)| ty)
                .collect();
            (handler, tys)
        }
    };
    let body_ty: Option<syn::Type> = model
        .captures
        .map(|_| syn::parse_quote!(#krate::extract::MessageText));
    let extractor_bounds = extractor_tys.iter().map(|ty| {
        quote_spanned! {ty.span()=> #ty: #krate::extract::FromStanza<S>, }
    });
    let body_bound = body_ty
        .iter()
        .map(|ty| quote!(#ty: #krate::extract::FromStanza<S>,));
    let regex_static = model.body_regex.as_ref().map(|pattern| {
        quote! {
            static __REGEX: #private::LazyLock<#private::Regex> =
                #private::LazyLock::new(|| #private::regex(#pattern));
        }
    });
    let allow = model
        .allow
        .as_ref()
        .map(|group| quote!(.with_allow(#group)));
    let reply_check = quote_spanned! {ret.span()=>
        #private::assert_into_reply::<#ret>();
    };

    quote! {
        #(#attrs)*
        #[allow(non_camel_case_types)]
        #[derive(Clone, Copy, Debug)]
        #vis struct #name;

        const _: () = {
            #[allow(clippy::unused_async)]
            async fn __handler(#inputs) -> #ret #block

            #regex_static

            impl ::core::ops::Deref for #name {
                type Target = fn(#(#args),*) -> #private::BoxFuture<#ret>;

                fn deref(&self) -> &Self::Target {
                    fn __call(#(#arg_names: #args),*) -> #private::BoxFuture<#ret> {
                        ::std::boxed::Box::pin(__handler(#(#arg_names),*))
                    }
                    &(__call as fn(#(#args),*) -> #private::BoxFuture<#ret>)
                }
            }

            impl<S> #krate::handler::IntoRoute<#private::MacroRoute, S> for #name
            where
                S: ::core::marker::Send + ::core::marker::Sync + 'static,
                #(#extractor_bounds)*
                #(#body_bound)*
            {
                fn into_route(self) -> #krate::handler::Route<S> {
                    #reply_check
                    #private::in_package(
                        #krate::handler::Route::new(#route_handler)
                            .with_filter(#filter)
                            #allow
                            .with_name(::core::concat!(::core::module_path!(), "::", ::core::stringify!(#name))),
                        ::core::env!("CARGO_PKG_NAME"),
                        ::core::env!("CARGO_PKG_VERSION"),
                    )
                }
            }
        };
    }
}

fn filter(model: &HandlerModel, krate: &TokenStream, private: &TokenStream) -> TokenStream {
    let kind = match model.kind {
        Kind::Message => quote!(Message),
        Kind::Presence => quote!(Presence),
        Kind::Iq => quote!(Iq),
    };
    let mut parts = vec![quote!(#krate::handler::Filter::kind(#krate::stanza::StanzaKind::#kind))];
    if !model.types.is_empty() {
        let types = &model.types;
        parts.push(quote!(#private::any_type(&[#(#types),*])));
    }
    if let Some(body) = &model.body {
        parts.push(quote!(#private::body_is(#body)));
    }
    if model.body_regex.is_some() {
        parts.push(quote!(#private::body_matches(&__REGEX)));
    }
    if let Some(from) = &model.from {
        parts.push(quote!(#krate::handler::Filter::sender(#private::jid(#from))));
    }
    if let Some(to) = &model.to {
        parts.push(quote!(#krate::handler::Filter::recipient(#private::jid(#to))));
    }
    if model.ns.is_some() || model.element.is_some() {
        let ns = option(&model.ns);
        let element = option(&model.element);
        parts.push(quote!(#private::payload(#ns, #element)));
    }
    if let Some((ty, pattern)) = &model.state {
        parts.push(quote!(
            #krate::dialogue::Dialogue::<#ty>::in_state(
                |__state: &#ty| ::core::matches!(__state, #pattern)
            )
        ));
    }
    let first = &parts[0];
    let rest = &parts[1..];
    quote!(#first #(.and(#rest))*)
}

fn option(lit: &Option<syn::LitStr>) -> TokenStream {
    match lit {
        Some(l) => quote!(::core::option::Option::Some(#l)),
        None => quote!(::core::option::Option::None),
    }
}
