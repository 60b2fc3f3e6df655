//! Procedural macros for [`xmpp-rest-bot`](https://docs.rs/xmpp-rest-bot).
//!
//! Do not depend on this crate directly: use the re-exports of `xmpp-rest-bot`
//! (its default `macros` feature), whose docs describe every attribute. The
//! generated code refers to `xmpp-rest-bot` by absolute paths (found in your
//! `Cargo.toml` even when you renamed the dependency).

mod bot_commands;
mod crate_path;
mod handler;

use proc_macro::TokenStream;

/// Derives `xmpp_rest_bot::command::BotCommands` for an enum of chat commands.
///
/// See the `xmpp_rest_bot::command` module for the attributes.
#[proc_macro_derive(BotCommands, attributes(command))]
pub fn derive_bot_commands(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    bot_commands::derive(input).into()
}

/// Marks an `async fn` as a handler of messages, with optional filters.
///
/// See the `xmpp_rest_bot` crate documentation, section "Handlers and filters".
#[proc_macro_attribute]
pub fn on_message(attr: TokenStream, item: TokenStream) -> TokenStream {
    handler::attribute(handler::Kind::Message, attr.into(), item.into()).into()
}

/// Marks an `async fn` as a handler of iqs, with optional filters.
///
/// See the `xmpp_rest_bot` crate documentation, section "Handlers and filters".
#[proc_macro_attribute]
pub fn on_iq(attr: TokenStream, item: TokenStream) -> TokenStream {
    handler::attribute(handler::Kind::Iq, attr.into(), item.into()).into()
}

/// Marks an `async fn` as a handler of presences, with optional filters.
///
/// See the `xmpp_rest_bot` crate documentation, section "Handlers and filters".
#[proc_macro_attribute]
pub fn on_presence(attr: TokenStream, item: TokenStream) -> TokenStream {
    handler::attribute(handler::Kind::Presence, attr.into(), item.into()).into()
}
