//! Compile-fail tests: every error the macros report, with its exact message.
//! Regenerate the `.stderr` files with
//! `TRYBUILD=overwrite cargo test -p xmpp-rest-bot-macros --test ui` and review
//! the diff.
//!
//! They live in this crate, not the SDK's: trybuild builds the cases against
//! the crate's dependencies and dev-dependencies, and here that is the SDK
//! without its client, not the SDK's benchmark and property-test kit.

#[test]
fn bot_commands_misuse() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/bot_commands/*.rs");
}

#[test]
fn handler_attribute_misuse() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/handlers/*.rs");
}
