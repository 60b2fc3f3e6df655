//! Typed payloads: the child elements the SDK understands.
//!
//! Iq payloads implement [`Payload`], which converts them from and to an
//! [`Element`]; a user type implementing it can be extracted from an iq just
//! like the built-in ones.

mod chat;
mod iq;
mod presence;

pub use chat::{
    ChatState, Delay, Marker, MarkerKind, Oob, Reactions, Receipt, Reply, StanzaId, Text, Thread,
};
pub use iq::{
    Command, CommandActions, CommandNote, DataForm, DiscoInfo, DiscoItem, DiscoItems, FormField,
    FormOption, Identity, Ping, Version,
};
pub use presence::{Caps, MucHistory, MucJoin, Show};

use super::Element;

/// A payload element with a fixed name and namespace, convertible from and to
/// an [`Element`].
///
/// Implement it for your own iq payloads to receive them typed:
///
/// ```
/// use xmpp_rest_bot::stanza::{Element, Payload};
///
/// struct Weather { city: String }
///
/// impl Payload for Weather {
///     const NAME: &'static str = "weather";
///     const NS: &'static str = "urn:example:weather";
///
///     fn from_element(el: &Element) -> xmpp_rest_bot::Result<Self> {
///         Ok(Weather { city: el.attr("city").unwrap_or_default().to_owned() })
///     }
///
///     fn to_element(&self) -> Element {
///         Element::builder(Self::NAME, Self::NS).attr("city", &self.city).build()
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an XMPP payload",
    label = "this type does not implement `Payload`",
    note = "implement `xmpp_rest_bot::stanza::Payload` for `{Self}` (its element name, namespace and conversions) to use it as an iq payload"
)]
pub trait Payload: Sized {
    /// The element's local name.
    const NAME: &'static str;
    /// The element's namespace.
    const NS: &'static str;

    /// Whether `el` is this payload's element.
    fn matches(el: &Element) -> bool {
        el.is(Self::NAME, Self::NS)
    }

    /// Converts from the element.
    ///
    /// # Errors
    /// When the element is not this payload or its content is invalid.
    fn from_element(el: &Element) -> crate::Result<Self>;

    /// Converts to the element.
    fn to_element(&self) -> Element;
}
