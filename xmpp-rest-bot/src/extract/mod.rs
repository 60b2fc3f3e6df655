//! Extractors: the types a handler's arguments can have.
//!
//! Every argument of a handler implements [`FromStanza`]. The bot runs the
//! extractors of a handler before calling it: when one of them does not apply
//! (a [`Message`] argument and an incoming presence, a [`MessageText`] argument and a
//! message without body) the handler is skipped and the next one is tried, so
//! the arguments double as a filter.
//!
//! | argument | gives | applies to |
//! |---|---|---|
//! | [`Stanza`] | the whole stanza | every stanza |
//! | [`Message`], [`Presence`], [`Iq`] | the stanza of that kind | stanzas of that kind |
//! | [`MessageText`] | the message body text | messages with a body |
//! | [`Sender`], [`Recipient`] | the `from` / `to` address | stanzas that have it |
//! | [`Ping`], [`Version`], [`DiscoInfo`], [`DiscoItems`], [`stanza::AdHocCommand`], [`DataForm`] | the iq payload, typed | iqs carrying that payload |
//! | [`IqPayload<P>`] | the iq payload as `P` (any [`Payload`], yours included) | iqs carrying that payload |
//! | [`Command<C>`](crate::command::Command) | a chat command of the [`BotCommands`](crate::command::BotCommands) enum `C`, parsed | messages whose body is a command of `C` (and XEP-0050 submissions of `C`'s commands) |
//! | [`State<T>`] | shared state | always |
//! | [`Headers`] | the HTTP request headers | always |
//! | [`WireFormat`] | the format of the request (and of the reply) | always |
//! | [`Incoming`] | all of the above | always |
//! | `Option<T>` | `None` where `T` does not apply | always |
//! | `Result<T, Rejection>` | the rejection of `T` | always |
//!
//! Write your own by implementing [`FromStanza`].

mod captures;
mod incoming;
mod rejection;

pub use axum::extract::FromRef;
pub use captures::Captures;
pub use incoming::Incoming;
pub(crate) use rejection::Effect;
pub use rejection::Rejection;

use axum::http::HeaderMap;

use crate::stanza::{
    self, DataForm, DiscoInfo, DiscoItems, Iq, Jid, Message, Payload, Ping, Presence, Stanza,
    Version,
};
use crate::wire::WireFormat;

/// A type that can be a handler argument: it is extracted from the incoming
/// stanza (and the bot's state `S`) before the handler runs.
///
/// Extraction is synchronous: it reads a stanza that is already decoded. Do
/// slow work (a database lookup) in the handler.
///
/// ```
/// use xmpp_rest_bot::extract::{FromStanza, Incoming, Rejection};
/// use xmpp_rest_bot::stanza::Stanza;
///
/// /// The text after `!`, for messages that are commands.
/// struct CommandLine(String);
///
/// impl<S> FromStanza<S> for CommandLine {
///     fn from_stanza(incoming: &Incoming, _state: &S) -> Result<Self, Rejection> {
///         match incoming.stanza() {
///             Stanza::Message(m) => m
///                 .body()
///                 .and_then(|b| b.strip_prefix('!'))
///                 .map(|line| CommandLine(line.to_owned()))
///                 .ok_or_else(|| Rejection::skip("not a command")),
///             _ => Err(Rejection::skip("not a message")),
///         }
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a handler argument",
    label = "this type does not implement `FromStanza`",
    note = "handler arguments are extractors: `Stanza`, `Message`, `Presence`, `Iq`, `MessageText`, `Sender`, `Recipient`, `Command<C>`, `State<T>`, `Headers`, `WireFormat`, `IqPayload<P>`, a built-in iq payload such as `Version`, or a type of yours implementing `xmpp_rest_bot::extract::FromStanza`"
)]
pub trait FromStanza<S>: Sized {
    /// Extracts the value, or says why not.
    ///
    /// # Errors
    /// [`Rejection::skip`] when the extractor does not apply to this stanza
    /// ([`Rejection::fallback`] to also suggest an answer in case no handler
    /// takes it), [`Rejection::error`] when it applies but the stanza is
    /// invalid, [`Rejection::reply`] when it answers the stanza itself.
    fn from_stanza(incoming: &Incoming, state: &S) -> Result<Self, Rejection>;

    /// The XEP-0030 features (protocol namespaces) a handler taking this
    /// argument implements: the bot lists them in its disco#info answer.
    /// Empty by default; typed iq payloads ([`IqPayload<P>`], [`Version`],
    /// ...) declare their namespace, `Option<T>` and `Result<T, Rejection>`
    /// those of `T`. Override it in an extractor of a payload of yours.
    fn disco_features() -> Vec<&'static str> {
        Vec::new()
    }
}

impl<S> FromStanza<S> for Incoming {
    fn from_stanza(incoming: &Incoming, _state: &S) -> Result<Self, Rejection> {
        Ok(incoming.clone())
    }
}

impl<S> FromStanza<S> for Stanza {
    fn from_stanza(incoming: &Incoming, _state: &S) -> Result<Self, Rejection> {
        Ok(incoming.stanza().clone())
    }
}

impl<S> FromStanza<S> for Message {
    fn from_stanza(incoming: &Incoming, _state: &S) -> Result<Self, Rejection> {
        match incoming.stanza() {
            Stanza::Message(m) => Ok(m.clone()),
            _ => Err(Rejection::skip("not a message")),
        }
    }
}

impl<S> FromStanza<S> for Presence {
    fn from_stanza(incoming: &Incoming, _state: &S) -> Result<Self, Rejection> {
        match incoming.stanza() {
            Stanza::Presence(p) => Ok(p.clone()),
            _ => Err(Rejection::skip("not a presence")),
        }
    }
}

impl<S> FromStanza<S> for Iq {
    fn from_stanza(incoming: &Incoming, _state: &S) -> Result<Self, Rejection> {
        match incoming.stanza() {
            Stanza::Iq(iq) => Ok(iq.clone()),
            _ => Err(Rejection::skip("not an iq")),
        }
    }
}

impl<S> FromStanza<S> for WireFormat {
    fn from_stanza(incoming: &Incoming, _state: &S) -> Result<Self, Rejection> {
        Ok(incoming.format())
    }
}

impl<S, T: FromStanza<S>> FromStanza<S> for Option<T> {
    /// `None` where `T` does not apply; an invalid stanza is still an error.
    fn from_stanza(incoming: &Incoming, state: &S) -> Result<Self, Rejection> {
        match T::from_stanza(incoming, state) {
            Ok(value) => Ok(Some(value)),
            Err(rejection) if rejection.is_skip() => Ok(None),
            Err(rejection) => Err(rejection),
        }
    }

    fn disco_features() -> Vec<&'static str> {
        T::disco_features()
    }
}

impl<S, T: FromStanza<S>> FromStanza<S> for Result<T, Rejection> {
    /// Always applies: the handler decides what a rejection of `T` means.
    fn from_stanza(incoming: &Incoming, state: &S) -> Result<Self, Rejection> {
        Ok(T::from_stanza(incoming, state))
    }

    fn disco_features() -> Vec<&'static str> {
        T::disco_features()
    }
}

/// The text of a message: its body. Applies to messages that have a body: a
/// handler taking `MessageText` never sees chat states, receipts or markers
/// alone.
///
/// (Not called `Body`, which is axum's HTTP body in the scope of a bot that
/// also uses axum, and not `Text`, which is [`stanza::Text`], a text with its
/// language.)
///
/// The body is the one without a language of its own, else the one in the
/// stanza's language, else the first ([`Message::body`]).
///
/// ```
/// use xmpp_rest_bot::extract::MessageText;
///
/// async fn echo(MessageText(text): MessageText) -> String {
///     text
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageText(pub String);

impl<S> FromStanza<S> for MessageText {
    fn from_stanza(incoming: &Incoming, _state: &S) -> Result<Self, Rejection> {
        match incoming.stanza() {
            Stanza::Message(m) => m
                .body()
                .map(|b| MessageText(b.to_owned()))
                .ok_or_else(|| Rejection::skip("message without body")),
            _ => Err(Rejection::skip("not a message")),
        }
    }
}

/// The sender's address (`from`). mod_rest always sets it; a stanza without
/// one does not match.
///
/// (Not called `From`, so that a glob import does not shadow `std::convert::From`.)
///
/// ```
/// use xmpp_rest_bot::extract::{MessageText, Sender};
///
/// async fn hello(Sender(from): Sender, MessageText(_): MessageText) -> String {
///     format!("hello {}", from.to_bare())
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender(pub Jid);

impl<S> FromStanza<S> for Sender {
    fn from_stanza(incoming: &Incoming, _state: &S) -> Result<Self, Rejection> {
        incoming
            .stanza()
            .from()
            .map(|jid| Sender(jid.clone()))
            .ok_or_else(|| Rejection::skip("stanza without sender"))
    }
}

/// The recipient's address (`to`): the bot's own address the stanza was sent
/// to (`bot@bot.example.net`, or the component host itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient(pub Jid);

impl<S> FromStanza<S> for Recipient {
    fn from_stanza(incoming: &Incoming, _state: &S) -> Result<Self, Rejection> {
        incoming
            .stanza()
            .to()
            .map(|jid| Recipient(jid.clone()))
            .ok_or_else(|| Rejection::skip("stanza without recipient"))
    }
}

/// The raw HTTP request headers mod_rest sent (`Content-Language`,
/// `User-Agent`, and whatever a proxy in between added).
#[derive(Debug, Clone)]
pub struct Headers(pub HeaderMap);

impl<S> FromStanza<S> for Headers {
    fn from_stanza(incoming: &Incoming, _state: &S) -> Result<Self, Rejection> {
        Ok(Headers(incoming.headers().clone()))
    }
}

/// Shared state: the bot's state, or a part of it (`T: FromRef<S>`).
///
/// Every `T: Clone` is `FromRef<T>`, so a handler can take the whole state;
/// implement [`FromRef`] (or derive it with axum's `macros` feature) to hand
/// out parts of it. Put what must be shared and mutable behind an `Arc`.
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicU64, Ordering};
/// use xmpp_rest_bot::Bot;
/// use xmpp_rest_bot::extract::{MessageText, State};
///
/// #[derive(Clone, Default)]
/// struct Counter(Arc<AtomicU64>);
///
/// async fn count(State(counter): State<Counter>, MessageText(_): MessageText) -> String {
///     let n = counter.0.fetch_add(1, Ordering::Relaxed) + 1;
///     format!("message number {n}")
/// }
///
/// let bot: Bot = Bot::new().handler(count).with_state(Counter::default());
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct State<T>(pub T);

impl<S, T: FromRef<S>> FromStanza<S> for State<T> {
    fn from_stanza(_incoming: &Incoming, state: &S) -> Result<Self, Rejection> {
        Ok(State(T::from_ref(state)))
    }
}

/// The payload of an iq, typed: applies to iqs whose payload is `P`'s element
/// (name and namespace); an iq carrying that element with invalid content is
/// answered with `bad-request`.
///
/// Works for every [`Payload`], yours included:
///
/// ```
/// use xmpp_rest_bot::extract::IqPayload;
/// use xmpp_rest_bot::stanza::{Element, Payload};
///
/// struct Weather { city: String }
///
/// impl Payload for Weather {
///     const NAME: &'static str = "weather";
///     const NS: &'static str = "urn:example:weather";
///     fn from_element(el: &Element) -> xmpp_rest_bot::Result<Self> {
///         Ok(Weather { city: el.attr("city").unwrap_or_default().to_owned() })
///     }
///     fn to_element(&self) -> Element {
///         Element::builder(Self::NAME, Self::NS).attr("city", &self.city).build()
///     }
/// }
///
/// async fn weather(IqPayload(query): IqPayload<Weather>) -> String {
///     format!("sunny in {}", query.city)
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IqPayload<P>(pub P);

impl<S, P: Payload> FromStanza<S> for IqPayload<P> {
    fn from_stanza(incoming: &Incoming, _state: &S) -> Result<Self, Rejection> {
        extract_payload::<P>(incoming).map(IqPayload)
    }

    /// `P::NS`.
    fn disco_features() -> Vec<&'static str> {
        vec![P::NS]
    }
}

macro_rules! payload_extractors {
    ($($ty:path),*) => {$(
        /// Applies to iqs carrying this payload; one carrying it with invalid
        /// content is answered with `bad-request`. Same as
        /// [`IqPayload`]`<Self>`.
        impl<S> FromStanza<S> for $ty {
            fn from_stanza(incoming: &Incoming, _state: &S) -> Result<Self, Rejection> {
                extract_payload::<$ty>(incoming)
            }

            fn disco_features() -> Vec<&'static str> {
                vec![<$ty as Payload>::NS]
            }
        }
    )*};
}

payload_extractors!(
    Ping,
    Version,
    DiscoInfo,
    DiscoItems,
    stanza::AdHocCommand,
    DataForm
);

fn extract_payload<P: Payload>(incoming: &Incoming) -> Result<P, Rejection> {
    let Stanza::Iq(iq) = incoming.stanza() else {
        return Err(Rejection::skip("not an iq"));
    };
    match iq.payload_as::<P>() {
        Some(Ok(payload)) => Ok(payload),
        Some(Err(e)) => Err(Rejection::bad_request(format!(
            "invalid <{}/> payload ({}): {e}",
            P::NAME,
            P::NS
        ))),
        None => Err(Rejection::skip("iq without this payload")),
    }
}
