//! [`Addressing`]: the attributes a server fills in on a stanza it routes,
//! the same on a message, a presence and an iq.

use crate::stanza::{Jid, Stanza};

/// The routing attributes of one stanza, borrowed to be filled in.
pub(super) struct Addressing<'a> {
    pub(super) to: &'a mut Option<Jid>,
    pub(super) from: &'a mut Option<Jid>,
    pub(super) id: &'a mut Option<String>,
    pub(super) lang: &'a mut Option<String>,
}

impl<'a> Addressing<'a> {
    pub(super) fn of(stanza: &'a mut Stanza) -> Self {
        match stanza {
            Stanza::Message(m) => Addressing {
                to: &mut m.to,
                from: &mut m.from,
                id: &mut m.id,
                lang: &mut m.lang,
            },
            Stanza::Presence(p) => Addressing {
                to: &mut p.to,
                from: &mut p.from,
                id: &mut p.id,
                lang: &mut p.lang,
            },
            Stanza::Iq(iq) => Addressing {
                to: &mut iq.to,
                from: &mut iq.from,
                id: &mut iq.id,
                lang: &mut iq.lang,
            },
        }
    }
}
