//! Compile-fail tests for the command integration (`Command<C>`,
//! `Bot::ad_hoc_commands`). Regenerate the `.stderr` files with
//! `TRYBUILD=overwrite cargo test --test ui_commands` and review the diff.

#[test]
fn command_integration_misuse() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/commands/*.rs");
}
