//! The book's testing chapter, "MockRest".

// The code under test, from the client chapter.
use super::queries::describe;

// ANCHOR: test_mock_rest
use xmpp_rest_bot::client::RestClient;
use xmpp_rest_bot::prelude::*;
use xmpp_rest_bot::stanza::Version;
use xmpp_rest_bot::testing::MockRest;

#[tokio::test]
async fn describes_a_server_from_mock_rest() {
    // An emulated Prosody `/rest` on 127.0.0.1, with its default account.
    let mock = MockRest::start().await;
    let client = RestClient::builder(mock.url())
        .bearer_token(MockRest::DEFAULT_TOKEN)
        .build()
        .unwrap();

    // Script the entity's answers: a canned reply for the next iq...
    let mut version = Version::new("Ejabberd", "24.02");
    version.os = Some("FreeBSD".into());
    mock.push_iq_reply(Iq::new(IqType::Result, Some(version.to_element())));

    let line = describe(&client, "example.org").await.unwrap();
    assert!(
        line.starts_with("example.org runs Ejabberd 24.02"),
        "{line}"
    );

    // ...and check what was sent: every stanza, every HTTP request.
    assert_eq!(mock.sent().len(), 3); // version, ping, disco#info
    let requests = mock.requests();
    assert!(requests.iter().all(|r| r.header("authorization").is_some()));
}
// ANCHOR_END: test_mock_rest
