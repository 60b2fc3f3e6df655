//! The book's testing chapter: the other mod_rest versions and settings.

// The bot under test, from the handlers chapter.
use super::register::ops_bot;

// ANCHOR: test_versions
use xmpp_rest_bot::prelude::*;
use xmpp_rest_bot::testing::{ModRestVersion, TestProsody};

#[tokio::test]
async fn works_with_the_early_2020_module_in_json() {
    // No startup probe; the format is `rest_callback_content_type`.
    let t = TestProsody::builder()
        .version(ModRestVersion::Early2020)
        .content_type(WireFormat::Json)
        .component("ops.example.net")
        .callback_path("/hooks/{kind}/{type}")
        .start(ops_bot().into_router())
        .await;
    assert!(t.probe_outcome().is_none());
    let received = t.user("alice@example.org").says("!ping").await;
    received.assert_body("pong");
    assert_eq!(received.content_type(), Some("application/json"));
}
// ANCHOR_END: test_versions
