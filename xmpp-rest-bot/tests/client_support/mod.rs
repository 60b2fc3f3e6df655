//! Helpers shared by the client tests.
#![allow(dead_code, unreachable_pub)]

use xmpp_rest_bot::client::{RestClient, RestClientBuilder, RetryPolicy};
use xmpp_rest_bot::testing::MockRest;
use xmpp_rest_bot::wire::WireFormat;

/// Both wire formats, for tests that run in each.
pub const FORMATS: [WireFormat; 2] = [WireFormat::Xml, WireFormat::Json];

/// A builder for `mock` with the default bearer token, no retries.
pub fn builder(mock: &MockRest) -> RestClientBuilder {
    RestClient::builder(mock.url())
        .bearer_token(MockRest::DEFAULT_TOKEN)
        .retries(RetryPolicy::never())
}

/// A client of `mock` in `format`, with the default bearer token.
pub fn client(mock: &MockRest, format: WireFormat) -> RestClient {
    builder(mock).format(format).build().unwrap()
}

/// A client of `mock` in `format`, with the default Basic account.
pub fn basic_client(mock: &MockRest, format: WireFormat) -> RestClient {
    RestClient::builder(mock.url())
        .basic_auth("bot", MockRest::DEFAULT_PASSWORD)
        .retries(RetryPolicy::never())
        .format(format)
        .build()
        .unwrap()
}

/// A raw HTTP client, for what `RestClient` cannot send.
pub fn raw() -> reqwest::Client {
    reqwest::Client::new()
}

/// The JSON body of a raw response.
pub async fn json(response: reqwest::Response) -> serde_json::Value {
    serde_json::from_slice(&response.bytes().await.unwrap()).unwrap()
}

/// Prosody serving mod_rest on `example.net` only (the Host header is
/// checked), to be reached by its IP address.
pub async fn prosody_of_example_net() -> MockRest {
    MockRest::builder()
        .domain("example.net")
        .check_host()
        .start()
        .await
        .unwrap()
}
