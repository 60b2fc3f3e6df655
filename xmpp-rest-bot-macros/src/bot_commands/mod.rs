//! `#[derive(BotCommands)]`: parse (attributes -> model), validate, expand.

mod expand;
mod model;

use proc_macro2::TokenStream;

pub(crate) fn derive(input: syn::DeriveInput) -> TokenStream {
    match model::CommandEnum::from_input(&input) {
        Ok(model) => expand::expand(&model),
        Err(err) => {
            // Keep downstream errors quiet: a placeholder impl stands in for the
            // failed one, so the user sees only the mistakes in the derive.
            let fallback = expand::fallback(&input);
            let errors = err.to_compile_error();
            quote::quote!(#errors #fallback)
        }
    }
}
