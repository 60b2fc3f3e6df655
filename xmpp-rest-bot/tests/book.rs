//! The code the book shows, compiled and tested here so that the book cannot
//! rot. The examples in `examples/` are tested by `examples/tests/examples.rs`.
//!
//! Each snippet is a module of its own, in `tests/book/`: `book/src/*.md`
//! include it by its `ANCHOR` markers, `use` lines included, so that a reader
//! sees what to import. (A file per module keeps the snippets unindented in
//! the book.) A module's tests follow its snippet, after `ANCHOR_END`; what a
//! snippet takes from an earlier one is imported above its `ANCHOR`.

// ===== Handlers and filters =====
#[path = "book/custom_extractor.rs"]
mod custom_extractor;
#[path = "book/extractors.rs"]
mod extractors;
#[path = "book/fallback.rs"]
mod fallback;
#[path = "book/filters.rs"]
mod filters;
#[path = "book/register.rs"]
mod register;
#[path = "book/state.rs"]
mod state;
#[path = "book/without_macros.rs"]
mod without_macros;

// ===== Replies and errors =====
#[path = "book/into_reply.rs"]
mod into_reply;
#[path = "book/replies.rs"]
mod replies;

// ===== Sending with the client =====
#[path = "book/handler_sends.rs"]
mod handler_sends;
#[path = "book/host.rs"]
mod host;
#[path = "book/queries.rs"]
mod queries;

// ===== Testing your bot =====
#[path = "book/test_mock_rest.rs"]
mod test_mock_rest;
#[path = "book/test_plain.rs"]
mod test_plain;
#[path = "book/test_prosody.rs"]
mod test_prosody;
#[path = "book/test_versions.rs"]
mod test_versions;
