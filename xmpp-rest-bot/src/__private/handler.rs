//! What the handler attributes (`#[on_message]`, `#[on_iq]`, `#[on_presence]`)
//! generate calls to. Not public API: reached through `__private::handler`.

use std::future::Future;
use std::pin::Pin;

pub use regex::Regex;
pub use std::sync::LazyLock;

use crate::extract::Captures;
use crate::handler::Filter;
use crate::reply::IntoReply;
use crate::stanza::{Jid, Stanza};

/// The marker type of routes made by the attributes (it tells their
/// `IntoRoute` impls apart from the blanket one for plain handlers).
#[derive(Debug, Clone, Copy)]
pub struct MacroRoute;

/// The future a handler struct dereferences to when called like a function.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// Checks, at the return type's span, that it implements `IntoReply`.
pub fn assert_into_reply<R: IntoReply>() {}

/// A regex the attribute already validated at compile time.
///
/// # Panics
/// Only if the `regex` crate rejects a pattern that `regex-syntax` accepted at
/// compile time (a size limit): the message names the pattern.
#[allow(clippy::panic)]
pub fn regex(pattern: &str) -> Regex {
    match Regex::new(pattern) {
        Ok(re) => re,
        Err(e) => panic!("body_regex {pattern:?} does not compile: {e}"),
    }
}

/// A JID the attribute already validated at compile time.
///
/// # Panics
/// Never for a JID the attribute accepted.
#[allow(clippy::panic)]
pub fn jid(s: &str) -> Jid {
    match s.parse() {
        Ok(j) => j,
        Err(e) => panic!("invalid JID {s:?} in a handler attribute: {e}"),
    }
}

/// Accepts stanzas whose type is one of `types`.
pub fn any_type(types: &'static [&'static str]) -> Filter {
    types
        .iter()
        .map(|t| Filter::stanza_type(*t))
        .reduce(Filter::or)
        .unwrap_or_else(|| Filter::new(|_| true))
}

/// Accepts messages whose body is exactly `expected`.
pub fn body_is(expected: &'static str) -> Filter {
    Filter::new(move |s| matches!(s, Stanza::Message(m) if m.body() == Some(expected)))
}

/// Accepts messages whose body matches `re`.
pub fn body_matches(re: &'static LazyLock<Regex>) -> Filter {
    Filter::new(
        move |s| matches!(s, Stanza::Message(m) if m.body().is_some_and(|b| re.is_match(b))),
    )
}

/// Accepts iqs whose payload has this namespace and/or element name.
pub fn payload(ns: Option<&'static str>, element: Option<&'static str>) -> Filter {
    Filter::new(move |s| match s {
        Stanza::Iq(iq) => iq.payload.as_ref().is_some_and(|p| {
            ns.is_none_or(|ns| p.ns() == ns) && element.is_none_or(|name| p.name() == name)
        }),
        _ => false,
    })
}

/// Records the Cargo package the attributed handler was compiled in (the
/// attribute passes `env!("CARGO_PKG_NAME")` and `env!("CARGO_PKG_VERSION")`,
/// read in the user's crate).
pub fn in_package<S>(
    mut route: crate::handler::Route<S>,
    name: &'static str,
    version: &'static str,
) -> crate::handler::Route<S> {
    route.package = Some((name, version));
    route
}

/// The captures of `re` in `body` (the filter made sure it matches).
pub fn captures(re: &Regex, body: &str) -> Captures {
    Captures::from_regex(re, body)
}
