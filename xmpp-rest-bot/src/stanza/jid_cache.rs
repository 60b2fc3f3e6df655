//! JIDs of incoming stanzas, validated once per thread for the addresses a
//! bot sees again and again.
//!
//! Validating a JID runs stringprep and IDNA on its parts (about 1,500
//! instructions for `alice@example.org/phone`, twice per stanza for `from`
//! and `to`), while a bot mostly hears from a few addresses, and always at
//! the same `to`. The last few strings validated on this thread are kept with
//! their JID; a string seen again is cloned from there. `Jid::new` is a pure
//! function of the string, so the answer is the same either way; only valid
//! JIDs are kept, and only short ones, so the memory is bounded
//! (`SLOTS` x `MAX_LEN` per thread).

use std::cell::RefCell;

use crate::stanza::Jid;

/// Entries kept per thread.
const SLOTS: usize = 8;
/// Longer strings are validated every time (a JID can be up to 3 KiB).
const MAX_LEN: usize = 256;

thread_local! {
    static RECENT: RefCell<Recent> = const { RefCell::new(Recent { entries: Vec::new(), next: 0 }) };
}

struct Recent {
    /// (the string as received, its JID)
    entries: Vec<(Box<str>, Jid)>,
    /// The slot replaced next, round robin.
    next: usize,
}

/// `Jid::new(value)`, from the thread's recent JIDs when `value` is one.
pub(crate) fn parse(value: &str) -> Result<Jid, jid::Error> {
    if value.len() > MAX_LEN {
        return Jid::new(value);
    }
    let hit = RECENT.with(|recent| {
        let recent = recent.borrow();
        recent
            .entries
            .iter()
            .find(|(seen, _)| **seen == *value)
            .map(|(_, jid)| jid.clone())
    });
    if let Some(jid) = hit {
        return Ok(jid);
    }
    let jid = Jid::new(value)?;
    RECENT.with(|recent| {
        let mut recent = recent.borrow_mut();
        let entry = (Box::from(value), jid.clone());
        if recent.entries.len() < SLOTS {
            recent.entries.push(entry);
        } else {
            let slot = recent.next;
            recent.entries[slot] = entry;
            recent.next = (slot + 1) % SLOTS;
        }
    });
    Ok(jid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_like_jid_new_for_repeated_new_and_invalid_strings() {
        let inputs: Vec<String> = (0..3 * SLOTS)
            .map(|i| format!("user{}@Example.ORG/res", i % (SLOTS + 3)))
            .chain(["a@b@c".to_owned(), "@example.org".to_owned(), "".to_owned()])
            .chain(
                [
                    "ALICE@example.org",
                    "alice@example.org",
                    "\u{212b}@example.org",
                ]
                .map(String::from),
            )
            .chain([format!("{}@example.org", "x".repeat(MAX_LEN))])
            .collect();
        for _ in 0..2 {
            for input in &inputs {
                let direct = Jid::new(input).map_err(|e| e.to_string());
                let cached = parse(input).map_err(|e| e.to_string());
                assert_eq!(cached, direct, "{input:?}");
            }
        }
    }

    #[test]
    fn keeps_a_bounded_number_of_entries() {
        for i in 0..100 {
            parse(&format!("u{i}@example.org")).unwrap();
        }
        RECENT.with(|recent| assert_eq!(recent.borrow().entries.len(), SLOTS));
    }
}
