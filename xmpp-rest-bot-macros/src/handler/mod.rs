//! `#[on_message]`, `#[on_iq]`, `#[on_presence]`: parse (attribute -> model),
//! validate (meaning checks), expand (tokens).

mod expand;
mod parse;

use proc_macro2::TokenStream;

/// Which attribute: the stanza kind the handler takes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Message,
    Presence,
    Iq,
}

impl Kind {
    pub(crate) fn attribute(self) -> &'static str {
        match self {
            Kind::Message => "on_message",
            Kind::Presence => "on_presence",
            Kind::Iq => "on_iq",
        }
    }

    /// The `type` values this kind has on the wire.
    pub(crate) fn types(self) -> &'static [&'static str] {
        match self {
            Kind::Message => &["chat", "groupchat", "headline", "normal", "error"],
            Kind::Presence => &[
                "available",
                "unavailable",
                "subscribe",
                "subscribed",
                "unsubscribe",
                "unsubscribed",
                "probe",
                "error",
            ],
            Kind::Iq => &["get", "set", "result", "error"],
        }
    }

    /// The filter keys this kind accepts (besides its bare type names).
    pub(crate) fn keys(self) -> &'static [&'static str] {
        match self {
            Kind::Message => &["type", "body", "body_regex", "from", "to", "state", "allow"],
            Kind::Presence => &["type", "from", "to", "allow"],
            Kind::Iq => &["type", "ns", "element", "from", "to", "allow"],
        }
    }
}

pub(crate) fn attribute(kind: Kind, attr: TokenStream, item: TokenStream) -> TokenStream {
    let item_fn: syn::ItemFn = match syn::parse2(item.clone()) {
        Ok(f) => f,
        Err(_) => {
            let err = syn::Error::new(
                proc_macro2::Span::call_site(),
                format!(
                    "#[{}] goes on an `async fn` handler (a free function, not a method)",
                    kind.attribute()
                ),
            );
            let err = err.to_compile_error();
            return quote::quote!(#err #item);
        }
    };
    match parse::HandlerModel::parse(kind, attr, &item_fn) {
        Ok(model) => expand::expand(&model),
        Err(err) => {
            // Emit the function untouched next to the errors, so that one mistake
            // in the attribute does not also break every use of the function.
            let err = err.to_compile_error();
            quote::quote!(#err #item_fn)
        }
    }
}
