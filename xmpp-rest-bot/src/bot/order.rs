//! Per-sender ordering: the stanzas of one sender (bare JID) are handled one
//! at a time, in the order they reached the bot.
//!
//! Each sender with stanzas in flight has a FIFO lock (tokio's mutex is fair:
//! waiters are served in the order they started waiting). The entry is
//! removed when its last user is done, so the map only holds senders with
//! stanzas in flight.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::{Mutex as FifoLock, OwnedMutexGuard};

#[derive(Debug, Default)]
pub(crate) struct Sequencer {
    senders: Mutex<HashMap<String, Arc<FifoLock<()>>>>,
}

/// The turn of one stanza: the sender's next stanza waits until it is dropped.
pub(crate) struct Turn<'a> {
    guard: Option<OwnedMutexGuard<()>>,
    key: String,
    sequencer: &'a Sequencer,
}

impl Sequencer {
    /// Waits for the turn of a stanza from `sender`. The place in the queue is
    /// taken on the first poll.
    pub(crate) async fn turn(&self, sender: String) -> Turn<'_> {
        let lock = {
            let mut senders = match self.senders.lock() {
                Ok(senders) => senders,
                Err(poisoned) => poisoned.into_inner(),
            };
            Arc::clone(senders.entry(sender.clone()).or_default())
        };
        let guard = lock.lock_owned().await;
        Turn {
            guard: Some(guard),
            key: sender,
            sequencer: self,
        }
    }

    /// How many senders have stanzas in flight.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.senders.lock().map(|s| s.len()).unwrap_or_default()
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        // Release first, so that the count below only sees the map's
        // reference and those of waiting stanzas.
        drop(self.guard.take());
        let mut senders = match self.sequencer.senders.lock() {
            Ok(senders) => senders,
            Err(poisoned) => poisoned.into_inner(),
        };
        // Every clone of the lock is made under the map's lock, so nobody can
        // take one between this check and the removal.
        if senders
            .get(&self.key)
            .is_some_and(|lock| Arc::strong_count(lock) == 1)
        {
            senders.remove(&self.key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn entries_are_removed_when_the_last_turn_ends() {
        let sequencer = Sequencer::default();
        let a = sequencer.turn("alice@example.org".into()).await;
        let b = sequencer.turn("bob@example.org".into()).await;
        assert_eq!(sequencer.len(), 2);
        drop(a);
        assert_eq!(sequencer.len(), 1);
        drop(b);
        assert_eq!(sequencer.len(), 0);
    }

    #[tokio::test]
    async fn a_waiting_turn_keeps_the_entry() {
        let sequencer = Arc::new(Sequencer::default());
        let first = sequencer.turn("alice@example.org".into()).await;
        let waiting = {
            let sequencer = Arc::clone(&sequencer);
            tokio::spawn(async move {
                let _turn = sequencer.turn("alice@example.org".into()).await;
            })
        };
        // let the second one queue up
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        drop(first);
        assert_eq!(sequencer.len(), 1, "the waiter still needs the entry");
        waiting.await.unwrap();
        assert_eq!(sequencer.len(), 0);
    }
}
