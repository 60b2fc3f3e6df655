//! [`IntoJid`]: the addresses the client's methods take.

use super::{RestError, Result};
use crate::stanza::{BareJid, FullJid, Jid};

/// Something that names an XMPP address: a [`Jid`], [`BareJid`], [`FullJid`]
/// or a string, parsed and validated.
pub trait IntoJid {
    /// The address.
    ///
    /// # Errors
    /// When a string is not a valid JID.
    fn into_jid(self) -> crate::Result<Jid>;
}

/// The address an argument names, or the client's error for an invalid one.
pub(super) fn parse_jid(address: impl IntoJid) -> Result<Jid> {
    address.into_jid().map_err(RestError::input)
}

/// `IntoJid` for an address type and a reference to one: a conversion into
/// [`Jid`], which cannot fail.
macro_rules! into_jid_by_conversion {
    ($($address:ty),*) => {$(
        impl IntoJid for $address {
            fn into_jid(self) -> crate::Result<Jid> {
                Ok(self.into())
            }
        }

        impl IntoJid for &$address {
            fn into_jid(self) -> crate::Result<Jid> {
                Ok(self.clone().into())
            }
        }
    )*};
}

into_jid_by_conversion!(Jid, BareJid, FullJid);

impl IntoJid for &str {
    fn into_jid(self) -> crate::Result<Jid> {
        self.parse::<Jid>()
            .map_err(|e| crate::Error::invalid(format!("invalid jid {self:?}: {e}")))
    }
}

impl IntoJid for String {
    fn into_jid(self) -> crate::Result<Jid> {
        self.as_str().into_jid()
    }
}

impl IntoJid for &String {
    fn into_jid(self) -> crate::Result<Jid> {
        self.as_str().into_jid()
    }
}
