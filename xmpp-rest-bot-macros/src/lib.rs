//! Procedural macros for [`xmpp-rest-bot`](https://docs.rs/xmpp-rest-bot).
//!
//! Do not depend on this crate directly: use the re-exports of `xmpp-rest-bot`
//! (its default `macros` feature), which the generated code refers to.
