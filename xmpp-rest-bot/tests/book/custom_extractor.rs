//! The book's handlers chapter, "Extractors of your own".

// ANCHOR: custom_extractor
use xmpp_rest_bot::prelude::*;
use xmpp_rest_bot::stanza::BareJid;

/// The sender, when it is the administrator. A handler taking `Admin` refuses
/// everyone else with `forbidden`, before it runs.
struct Admin(BareJid);

const ADMIN: &str = "admin@example.org";

impl<S> FromStanza<S> for Admin {
    fn from_stanza(incoming: &Incoming, _state: &S) -> Result<Self, Rejection> {
        let Some(from) = incoming.stanza().from() else {
            // Not applicable: the next handler is tried.
            return Err(Rejection::skip("no sender"));
        };
        let sender = from.to_bare();
        if sender.as_str() == ADMIN {
            Ok(Admin(sender))
        } else {
            // Applicable, and refused: this is the answer.
            Err(Rejection::error(
                StanzaError::new(Condition::Forbidden).with_text("administrators only"),
            ))
        }
    }
}

#[on_message(body = "!restart")]
async fn restart(Admin(who): Admin) -> String {
    format!("restarting, as {who} asked")
}
// ANCHOR_END: custom_extractor

#[tokio::test]
async fn custom_extractors_refuse() {
    use xmpp_rest_bot::testing::TestProsody;

    let t = TestProsody::start(Bot::new().handler(restart).into_router()).await;
    t.user("admin@example.org/laptop")
        .says("!restart")
        .await
        .assert_body("restarting, as admin@example.org asked");
    let refused = t.user("mallory@example.org").says("!restart").await;
    refused.assert_error(Condition::Forbidden);
    assert_eq!(refused.status(), Some(403));
    assert_eq!(
        refused.error().unwrap().text.as_deref(),
        Some("administrators only")
    );
}
