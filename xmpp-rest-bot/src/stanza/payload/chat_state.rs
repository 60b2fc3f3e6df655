//! XEP-0085 chat states: `<composing xmlns='http://jabber.org/protocol/chatstates'/>`,
//! JSON `state`.

use crate::stanza::mapping::Field;
use crate::stanza::{Message, ns};

/// XEP-0085 chat state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ChatState {
    /// The user is actively participating.
    Active,
    /// The user is composing a message.
    Composing,
    /// The user had been composing but now has stopped.
    Paused,
    /// The user has not been actively participating.
    Inactive,
    /// The user has effectively ended their participation.
    Gone,
}

impl ChatState {
    /// The element name (`"composing"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            ChatState::Active => "active",
            ChatState::Composing => "composing",
            ChatState::Paused => "paused",
            ChatState::Inactive => "inactive",
            ChatState::Gone => "gone",
        }
    }

    /// Parses an element name.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "active" => ChatState::Active,
            "composing" => ChatState::Composing,
            "paused" => ChatState::Paused,
            "inactive" => ChatState::Inactive,
            "gone" => ChatState::Gone,
            _ => return None,
        })
    }
}

/// `Message::chat_state`.
pub(crate) const FIELD: Field<Message> = Field {
    ns: ns::CHATSTATES,
    read_xml: |m, el| {
        if m.chat_state.is_some() || !el.is_empty_with(&[]) {
            return false;
        }
        m.chat_state = ChatState::from_name(el.name());
        m.chat_state.is_some()
    },
    write_xml: |m, out| {
        if let Some(state) = m.chat_state {
            out.empty(state.as_str(), ns::CHATSTATES);
        }
    },
    read_json: |m, json| {
        if let Some(state) = json.top.str("state")? {
            m.chat_state = Some(
                ChatState::from_name(&state)
                    .ok_or_else(|| json.top.unknown_value("state", "chat state", &state))?,
            );
        }
        Ok(())
    },
    write_json: |m, out| {
        if let Some(state) = m.chat_state {
            out.str("state", state.as_str());
        }
    },
};

#[cfg(test)]
// Each test sets the one field it is about on a default stanza.
#[allow(clippy::field_reassign_with_default)]
mod tests {
    use super::*;
    use crate::stanza::Element;
    use crate::stanza::mapping::testing::{assert_round_trips, read_json, read_one};
    use serde_json::json;

    #[test]
    fn every_state_round_trips() {
        for state in [
            ChatState::Active,
            ChatState::Composing,
            ChatState::Paused,
            ChatState::Inactive,
            ChatState::Gone,
        ] {
            let mut m = Message::default();
            m.chat_state = Some(state);
            assert_round_trips(&FIELD, &m);
        }
    }

    #[test]
    fn unknown_states_stay_untyped_or_fail_in_json() {
        assert!(read_one(&FIELD, Element::new("typing", ns::CHATSTATES)).is_none());
        let err = read_json(&FIELD, json!({"state": "typing"})).unwrap_err();
        assert!(err.is_invalid());
        assert!(err.to_string().contains("$.state"), "{err}");
    }
}
