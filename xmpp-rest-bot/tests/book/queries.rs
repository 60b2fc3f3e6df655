//! The book's client chapter, "Asking other entities".

// ANCHOR: queries
use xmpp_rest_bot::client::RestClient;

/// One line about `server`: its software, and how long a ping takes.
pub(crate) async fn describe(
    client: &RestClient,
    server: &str,
) -> xmpp_rest_bot::client::Result<String> {
    let version = client.version(server).await?;
    let rtt = client.ping(server).await?;
    let info = client.disco_info(server).await?;
    Ok(format!(
        "{server} runs {} {}, answers pings in {} ms, supports {} features",
        version.name.unwrap_or_default(),
        version.version.unwrap_or_default(),
        rtt.as_millis(),
        info.features.len(),
    ))
}
// ANCHOR_END: queries

#[tokio::test]
async fn client_queries() {
    use xmpp_rest_bot::prelude::*;
    use xmpp_rest_bot::testing::MockRest;

    let mock = MockRest::start().await;
    let client = RestClient::builder(mock.url())
        .bearer_token(MockRest::DEFAULT_TOKEN)
        .build()
        .unwrap();
    let line = describe(&client, "localhost").await.unwrap();
    assert!(
        line.starts_with("localhost runs Prosody 0.12.3, answers pings in "),
        "{line}"
    );
    // MockRest's default server: disco#info, disco#items, ping, version.
    assert!(line.ends_with("supports 4 features"), "{line}");

    // An entity that answers with an error: the error says which.
    mock.on_iq("urn:xmpp:ping", |iq: &Iq| {
        iq.error_reply(Condition::ServiceUnavailable)
    });
    let error = describe(&client, "localhost").await.unwrap_err();
    assert_eq!(
        error.stanza_error().unwrap().condition,
        Condition::ServiceUnavailable
    );
}
