//! Who is behind a room nick: the real JIDs a non-anonymous room gives in the
//! presences it sends, kept so that a groupchat command is checked against
//! its sender's account, not against `room@muc/nick`.
//!
//! A room gives real JIDs (XEP-0045 `<x xmlns='…muc#user'><item jid='…'/>`)
//! only to occupants allowed to see them: in a non-anonymous room to
//! everyone, in a semi-anonymous one to moderators. The bot learns them from
//! the presences mod_rest forwards (the XML format carries the `<x/>`; the
//! JSON mapping drops it, so in JSON nicks stay unresolved).

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use crate::stanza::{BareJid, Element, Jid, Presence, PresenceType, ns};

/// Occupant JID (`room@muc/nick`) -> the real bare JID, bounded like the rate
/// limiters: two generations, the older dropped whole when the newer fills.
#[derive(Debug)]
pub(crate) struct Occupants {
    cap: usize,
    maps: Mutex<Generations>,
}

#[derive(Debug, Default)]
struct Generations {
    current: HashMap<String, BareJid>,
    previous: HashMap<String, BareJid>,
}

impl Occupants {
    pub(crate) fn new(cap: usize) -> Self {
        Occupants {
            cap: cap.max(1),
            maps: Mutex::new(Generations::default()),
        }
    }

    /// Learns from a presence a room sent: who joined as whom, who left.
    pub(crate) fn observe(&self, presence: &Presence) {
        let Some(occupant) = presence.from.as_ref().filter(|j| j.resource().is_some()) else {
            return;
        };
        let key = occupant.as_str();
        let mut maps = self.maps.lock().unwrap_or_else(PoisonError::into_inner);
        if presence.type_ == PresenceType::Unavailable {
            maps.current.remove(key);
            maps.previous.remove(key);
            return;
        }
        let Some(real) = real_jid(&presence.extensions) else {
            return;
        };
        if maps.current.len() >= self.cap {
            maps.previous = std::mem::take(&mut maps.current);
        }
        maps.current.insert(key.to_owned(), real);
    }

    /// The real JID behind `occupant`, when the room gave it.
    pub(crate) fn real_jid(&self, occupant: &Jid) -> Option<BareJid> {
        let key = occupant.as_str();
        let mut maps = self.maps.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(real) = maps.current.get(key) {
            return Some(real.clone());
        }
        // Seen a generation ago: still in the room, keep it.
        let real = maps.previous.remove(key)?;
        if maps.current.len() >= self.cap {
            maps.previous = std::mem::take(&mut maps.current);
        }
        maps.current.insert(key.to_owned(), real.clone());
        Some(real)
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        let maps = self.maps.lock().unwrap_or_else(PoisonError::into_inner);
        maps.current.len() + maps.previous.len()
    }
}

/// The `jid` of `<x xmlns='http://jabber.org/protocol/muc#user'><item/></x>`.
fn real_jid(extensions: &[Element]) -> Option<BareJid> {
    let x = extensions
        .iter()
        .find(|e| e.name() == "x" && e.ns() == ns::MUC_USER)?;
    let item = x.children().find(|c| c.name() == "item")?;
    let jid: Jid = item.attr("jid")?.parse().ok()?;
    Some(jid.to_bare())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn presence(from: &str, real: Option<&str>, gone: bool) -> Presence {
        let mut p = Presence::available();
        p.from = Some(from.parse().unwrap());
        if gone {
            p.type_ = PresenceType::Unavailable;
        }
        if let Some(real) = real {
            let item = Element::builder("item", ns::MUC_USER)
                .attr("jid", real)
                .build();
            p.extensions
                .push(Element::builder("x", ns::MUC_USER).child(item).build());
        }
        p
    }

    #[test]
    fn learns_and_forgets_real_jids() {
        let occupants = Occupants::new(16);
        let nick: Jid = "ops@muc.example.net/alice".parse().unwrap();
        assert_eq!(occupants.real_jid(&nick), None);
        occupants.observe(&presence(
            "ops@muc.example.net/alice",
            Some("alice@example.net/laptop"),
            false,
        ));
        assert_eq!(
            occupants.real_jid(&nick).map(|j| j.to_string()),
            Some("alice@example.net".to_owned())
        );
        // A presence without a real JID (an anonymous room) teaches nothing.
        occupants.observe(&presence("ops@muc.example.net/bob", None, false));
        assert_eq!(occupants.len(), 1);
        occupants.observe(&presence("ops@muc.example.net/alice", None, true));
        assert_eq!(occupants.real_jid(&nick), None);
    }

    #[test]
    fn memory_stays_bounded() {
        let occupants = Occupants::new(4);
        for i in 0..100 {
            occupants.observe(&presence(
                &format!("room@muc.example.net/n{i}"),
                Some(&format!("u{i}@example.net")),
                false,
            ));
        }
        assert!(occupants.len() <= 8, "{}", occupants.len());
        // The newest are known.
        let last: Jid = "room@muc.example.net/n99".parse().unwrap();
        assert!(occupants.real_jid(&last).is_some());
    }
}
