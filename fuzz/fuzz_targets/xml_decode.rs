//! The XML decoder on arbitrary bytes: it must never panic, and a stanza it
//! accepts must survive encode → decode unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xmpp_rest_bot::wire::{Limits, xml};

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    if let Ok(stanza) = xml::decode(data, &limits) {
        let encoded = xml::encode(&stanza);
        let again = xml::decode(encoded.as_bytes(), &Limits::default().max_bytes(usize::MAX))
            .unwrap_or_else(|e| panic!("re-decoding {encoded:?} failed: {e}"));
        assert_eq!(again, stanza, "round trip changed the stanza: {encoded}");
    }
});
