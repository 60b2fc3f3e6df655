//! The book's client chapter: a client of a virtual host.

// ANCHOR: host
use xmpp_rest_bot::client::RestClient;

/// A client of the Prosody on this machine (`http://127.0.0.1:5280`), whose
/// mod_rest is loaded on the virtual host `example.net`.
fn local_client(url: &str, token: &str) -> xmpp_rest_bot::client::Result<RestClient> {
    RestClient::builder(url)
        .host("example.net")
        .bearer_token(token)
        .build()
}
// ANCHOR_END: host

#[tokio::test]
async fn client_host() {
    use xmpp_rest_bot::testing::MockRest;

    let mock = MockRest::builder()
        .domain("example.net")
        .check_host()
        .start()
        .await
        .unwrap();
    let client = local_client(&mock.url(), MockRest::DEFAULT_TOKEN).unwrap();
    client.send_chat("alice@example.net", "hi").await.unwrap();
    mock.assert_sent_message("alice@example.net", "hi");
}
