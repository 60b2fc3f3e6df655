//! Tokens for `#[derive(BotCommands)]`.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::model::{ArgKind, CommandEnum, Rate, Shape};

pub(crate) fn expand(model: &CommandEnum) -> TokenStream {
    let krate = model
        .krate
        .as_ref()
        .map_or_else(crate::crate_path::runtime, |p| quote!(#p));
    let private = quote!(#krate::__private::command);
    let ident = &model.ident;
    let (impl_generics, ty_generics, where_clause) = model.generics.split_for_impl();
    let prefixes = &model.prefixes;
    let case_sensitive = model.case_sensitive;

    let infos = model.commands.iter().map(|cmd| {
        let name = &cmd.name;
        let aliases = &cmd.aliases;
        let description = &cmd.description;
        let hidden = cmd.hidden;
        let args = cmd.args.iter().map(|arg| {
            let name = &arg.name;
            let ty = &arg.ty;
            let type_name = quote!(#ty).to_string().replace(' ', "");
            let kind = match arg.kind {
                ArgKind::Required => quote!(Required),
                ArgKind::Optional => quote!(Optional),
                ArgKind::Many => quote!(Many),
                ArgKind::Rest => quote!(Rest),
            };
            let redact = arg.redacted.then(|| quote!(.redact()));
            let step = (arg.step != 1).then(|| {
                let step = arg.step;
                quote!(.in_step(#step))
            });
            quote! {
                #krate::command::ArgInfo::new(#name, #type_name, #krate::command::ArgKind::#kind)#redact #step
            }
        });
        let allow = cmd.guards.allow.as_ref().map(|g| quote!(.with_allow(#g)));
        let confirm = cmd.guards.confirm.as_ref().map(|p| quote!(.with_confirm(#p)));
        let rate = cmd.guards.rate.map(|Rate { count, seconds }| {
            quote!(.with_rate(#krate::guard::RateLimit::per(#count, ::core::time::Duration::from_secs(#seconds))))
        });
        quote! {
            #krate::command::CommandInfo::new(#name, &[#(#aliases),*], #description, &[#(#args),*], #hidden)
                #allow #confirm #rate
        }
    });

    let arms = model.commands.iter().enumerate().map(|(index, cmd)| {
        let variant = &cmd.variant;
        let values = cmd.args.iter().enumerate().map(|(i, arg)| {
            let value_ty = &arg.value_ty;
            let parse = match arg.kind {
                ArgKind::Required | ArgKind::Rest => quote!(required),
                ArgKind::Optional => quote!(optional),
                ArgKind::Many => quote!(many),
            };
            // Spanned on the field's type, so a type that cannot be parsed from
            // text is reported where it is written.
            let value = quote_spanned! {value_ty.span()=>
                #private::#parse::<#value_ty>(invocation, set, #i)?
            };
            match &arg.field {
                Some(field) => quote!(#field: #value),
                None => value,
            }
        });
        let construct = match cmd.shape {
            Shape::Unit => quote!(Self::#variant),
            Shape::Tuple => quote!(Self::#variant(#(#values),*)),
            Shape::Struct => quote!(Self::#variant { #(#values),* }),
        };
        quote!(#index => ::core::result::Result::Ok(#construct),)
    });

    quote! {
        #[automatically_derived]
        impl #impl_generics #krate::command::BotCommands for #ident #ty_generics #where_clause {
            fn command_set() -> &'static #krate::command::CommandSet {
                static SET: #krate::command::CommandSet = #krate::command::CommandSet::new(
                    &[#(#prefixes),*],
                    #case_sensitive,
                    &[#(#infos),*],
                );
                &SET
            }

            fn from_invocation(
                invocation: &#krate::command::Invocation,
            ) -> ::core::result::Result<Self, #krate::command::ParseError> {
                let set = <Self as #krate::command::BotCommands>::command_set();
                match invocation.index {
                    #(#arms)*
                    _ => ::core::result::Result::Err(#krate::command::ParseError::NotACommand),
                }
            }
        }
    }
}

/// A stand-in impl emitted next to the errors of a failed derive, so that uses
/// of the enum do not add "BotCommands is not implemented" errors of their own.
pub(crate) fn fallback(input: &syn::DeriveInput) -> TokenStream {
    if !input.generics.params.is_empty() {
        return TokenStream::new();
    }
    let krate = crate::crate_path::runtime();
    let ident = &input.ident;
    quote! {
        impl #krate::command::BotCommands for #ident {
            fn command_set() -> &'static #krate::command::CommandSet {
                ::core::unreachable!("the BotCommands derive failed to compile")
            }
            fn from_invocation(
                _: &#krate::command::Invocation,
            ) -> ::core::result::Result<Self, #krate::command::ParseError> {
                ::core::unreachable!("the BotCommands derive failed to compile")
            }
        }
    }
}
