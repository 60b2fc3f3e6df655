//! Compile-fail tests for the command integration (`Command<C>`,
//! `Bot::ad_hoc_commands`, `State<T>`). Regenerate the `.stderr` files with
//! `TRYBUILD=overwrite cargo test -p xmpp-rest-bot-macros --test ui_commands`
//! and review the diff. (Here rather than in the SDK: see `ui.rs`.)

#[test]
fn command_integration_misuse() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/commands/*.rs");
}

/// A `State<T>` argument without `Bot::with_state`: the message names it.
#[test]
fn state_misuse() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/state/*.rs");
}
