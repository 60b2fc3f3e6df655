//! Compile-fail tests: every error the macros report, with its exact message.
//! Regenerate the `.stderr` files with `TRYBUILD=overwrite cargo test --test ui`
//! and review the diff.

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
