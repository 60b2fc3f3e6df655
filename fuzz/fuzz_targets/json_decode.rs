//! The JSON decoder on arbitrary bytes: it must never panic, and a stanza it
//! accepts must be encodable, and its encoding decodable.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xmpp_rest_bot::wire::{Limits, json};

fuzz_target!(|data: &[u8]| {
    if let Ok(stanza) = json::decode(data, &Limits::default()) {
        let encoded = json::encode(&stanza);
        let again = json::decode(&encoded, &Limits::default().max_bytes(usize::MAX))
            .unwrap_or_else(|e| {
                panic!(
                    "re-decoding {:?} failed: {e}",
                    String::from_utf8_lossy(&encoded)
                )
            });
        // The JSON mapping is lossy on the way in (mod_rest's is too), but
        // what it encodes it reads back as it was.
        assert_eq!(json::encode(&again), encoded);
    }
});
