//! Typed payloads: the child elements the SDK understands.
//!
//! Each message and presence payload has one module holding its type, its
//! XML mapping, its JSON mapping (mod_rest's key and shape) and its tests,
//! written against the model's codec-neutral views (`stanza::mapping`); the
//! registries below list them in the order they are written. Adding a
//! payload: its module, a field on the stanza, and one line here.
//!
//! Iq payloads implement [`Payload`], which converts them from and to an
//! [`Element`]; a user type implementing it can be extracted from an iq just
//! like the built-in ones.

mod caps;
mod chat_state;
mod delay;
mod html;
mod id_attr;
mod idle;
mod iq;
mod marker;
mod muc;
mod nick;
mod oob;
mod priority;
mod reactions;
mod receipt;
mod reply;
mod show;
mod stanza_id;
mod text;
mod thread;

pub use caps::Caps;
pub use chat_state::ChatState;
pub use delay::Delay;
pub use iq::{
    AdHocActions, AdHocCommand, AdHocNote, DataForm, DiscoInfo, DiscoItem, DiscoItems, FormField,
    FormOption, Identity, Ping, Version,
};
pub(crate) use iq::{IQ_JSON, dataform_from_json, dataform_to_json, formdata_from_json};
pub use marker::{Marker, MarkerKind};
pub use muc::{MucHistory, MucJoin};
pub use oob::Oob;
pub use reactions::Reactions;
pub use receipt::Receipt;
pub use reply::ReplyTo;
pub use show::Show;
pub use stanza_id::StanzaId;
pub use text::Text;
pub use thread::Thread;

use super::mapping::Field;
use super::{Element, Message, Presence, error_mapping};

/// The typed fields of a message, in the order they are written.
pub(crate) static MESSAGE_FIELDS: &[Field<Message>] = &[
    text::BODY,
    text::SUBJECT,
    thread::FIELD,
    html::FIELD,
    oob::FIELD,
    chat_state::FIELD,
    receipt::FIELD,
    marker::MARKABLE,
    marker::MARKER,
    id_attr::REPLACE,
    reactions::FIELD,
    reply::FIELD,
    delay::FIELD,
    nick::MESSAGE,
    stanza_id::FIELD,
    id_attr::ORIGIN_ID,
    id_attr::OCCUPANT_ID,
    error_mapping::MESSAGE,
];

/// The typed fields of a presence, in the order they are written.
pub(crate) static PRESENCE_FIELDS: &[Field<Presence>] = &[
    show::FIELD,
    text::STATUS,
    priority::FIELD,
    muc::FIELD,
    caps::FIELD,
    idle::FIELD,
    nick::PRESENCE,
    error_mapping::PRESENCE,
];

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
