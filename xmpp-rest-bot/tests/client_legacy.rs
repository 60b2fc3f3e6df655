//! The early-2020 mod_rest: one static bearer credential, only `POST /rest`.
#![cfg(all(feature = "client", feature = "testing"))]

mod client_support;

use client_support::{FORMATS, json, raw};
use xmpp_rest_bot::client::{RestClient, RetryPolicy};
use xmpp_rest_bot::stanza::{Condition, Iq, IqType, MessageType, Show, Stanza};
use xmpp_rest_bot::testing::MockRest;
use xmpp_rest_bot::wire::WireFormat;

const SECRET: &str = "legacy-secret";

async fn legacy_mock() -> MockRest {
    MockRest::builder()
        .legacy_2020(SECRET)
        .start()
        .await
        .unwrap()
}

fn legacy_client(mock: &MockRest, format: WireFormat) -> RestClient {
    // Pasted from `rest_credentials = "Bearer legacy-secret"`.
    RestClient::builder(mock.url())
        .bearer_token(format!("Bearer {SECRET}"))
        .format(format)
        .retries(RetryPolicy::never())
        .build()
        .unwrap()
}

#[tokio::test]
async fn messages_are_sent_from_the_host() {
    for format in FORMATS {
        let mock = legacy_mock().await;
        legacy_client(&mock, format)
            .send_chat("alice@localhost", "hi")
            .await
            .unwrap();
        let message = mock.assert_sent_typed_message(MessageType::Chat, "alice@localhost", "hi");
        assert_eq!(message.from.unwrap().to_string(), "localhost", "{format}");
        assert_eq!(
            mock.requests()[0].header("authorization"),
            Some("Bearer legacy-secret")
        );
    }
}

#[tokio::test]
async fn a_wrong_token_is_401_there() {
    let mock = legacy_mock().await;
    let client = RestClient::builder(mock.url())
        .bearer_token("nope")
        .build()
        .unwrap();
    let err = client.send_chat("alice@localhost", "x").await.unwrap_err();
    assert!(err.is_auth(), "{err}");
    assert_eq!(err.status(), Some(401));
    assert!(
        err.to_string()
            .starts_with("credentials not accepted (http 401)"),
        "{err}"
    );

    let anonymous = RestClient::builder(mock.url()).build().unwrap();
    let err = anonymous
        .send_chat("alice@localhost", "x")
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains(r#"(the server accepts: Bearer realm="localhost/rest")"#),
        "{err}"
    );
    // Basic auth is not a thing there.
    let basic = RestClient::builder(mock.url())
        .basic_auth("bot", "secret")
        .build()
        .unwrap();
    assert_eq!(
        basic
            .send_chat("alice@localhost", "x")
            .await
            .unwrap_err()
            .status(),
        Some(401)
    );
}

#[tokio::test]
async fn shortcuts_fall_back_to_posting_an_iq_and_remember() {
    for format in FORMATS {
        let mock = legacy_mock().await;
        let client = legacy_client(&mock, format);
        assert!(!client.is_legacy());

        let version = client.version("localhost").await.unwrap();
        assert_eq!(version.name.as_deref(), Some("Prosody"), "{format}");
        assert!(client.is_legacy(), "learned from the 404");

        client.ping("localhost").await.unwrap();
        let info = client.disco_info("localhost").await.unwrap();
        assert!(!info.features.is_empty());
        client.disco_items("localhost", Some("node")).await.unwrap();

        let requests: Vec<_> = mock
            .requests()
            .iter()
            .map(|r| (r.method.clone(), r.path.clone(), r.status))
            .collect();
        assert_eq!(
            requests,
            [
                (
                    "GET".to_owned(),
                    "/rest/version/localhost".to_owned(),
                    Some(404)
                ),
                ("POST".to_owned(), "/rest".to_owned(), Some(200)),
                ("POST".to_owned(), "/rest".to_owned(), Some(200)),
                ("POST".to_owned(), "/rest".to_owned(), Some(200)),
                ("POST".to_owned(), "/rest".to_owned(), Some(200)),
            ],
            "{format}"
        );
        let Stanza::Iq(items_query) = &mock.sent()[3] else {
            panic!("not an iq")
        };
        assert_eq!(
            items_query.payload.as_ref().unwrap().attr("node"),
            Some("node")
        );
    }
}

#[tokio::test]
async fn the_legacy_flag_skips_the_get_entirely() {
    let mock = legacy_mock().await;
    let client = RestClient::builder(mock.url())
        .bearer_token(SECRET)
        .legacy_2020()
        .build()
        .unwrap();
    assert!(client.is_legacy());
    client.ping("localhost").await.unwrap();
    client.send_text("bob@localhost", "plain").await.unwrap();
    assert!(
        mock.requests()
            .iter()
            .all(|r| r.method == "POST" && r.path == "/rest")
    );
    mock.assert_sent_typed_message(MessageType::Chat, "bob@localhost", "plain");
}

#[tokio::test]
async fn send_text_falls_back_to_a_chat_message() {
    let mock = legacy_mock().await;
    let client = legacy_client(&mock, WireFormat::Json);
    client
        .send_text("bob@localhost", "via fallback")
        .await
        .unwrap();
    let statuses: Vec<_> = mock.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [Some(404), Some(202)]);
    assert_eq!(mock.sent().len(), 1, "delivered once");
    mock.assert_sent_typed_message(MessageType::Chat, "bob@localhost", "via fallback");
}

#[tokio::test]
async fn every_stanza_needs_a_to_there() {
    let mock = legacy_mock().await;
    let err = legacy_client(&mock, WireFormat::Xml)
        .set_presence(Some(Show::Away), None)
        .await
        .unwrap_err();
    assert!(err.is_rejected(), "{err}");
    // The early module's errors are always JSON, with its text.
    assert_eq!(err.http_text(), Some("Invalid destination JID"));
    assert_eq!(
        mock.requests()[0].header("accept"),
        Some("application/xmpp+xml")
    );
}

#[tokio::test]
async fn error_replies_and_iq_checks_work_the_same() {
    let mock = legacy_mock().await;
    mock.on_iq("urn:xmpp:ping", |iq: &Iq| {
        iq.error_reply(Condition::ServiceUnavailable)
    });
    let client = legacy_client(&mock, WireFormat::Xml).clone();
    let err = RestClient::builder(mock.url())
        .bearer_token(SECRET)
        .legacy_2020()
        .build()
        .unwrap()
        .ping("alice@localhost")
        .await
        .unwrap_err();
    assert_eq!(
        err.stanza_error().unwrap().condition,
        Condition::ServiceUnavailable
    );
    let err = client
        .query(Iq::new(IqType::Get, None).with_to("localhost".parse().unwrap()))
        .await
        .unwrap_err();
    assert!(err.is_rejected());
    assert_eq!(
        err.http_text(),
        Some("'iq' stanza must have exactly one child tag")
    );
}

#[tokio::test]
async fn the_legacy_emulator_refuses_xmlns_and_unknown_routes() {
    let mock = legacy_mock().await;
    let response = raw()
        .post(mock.rest_url())
        .header("authorization", format!("Bearer {SECRET}"))
        .header("content-type", "application/xmpp+xml")
        .body("<message xmlns='jabber:client' to='bob@localhost'/>")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422, "the early module refuses any xmlns");
    let body = json(response).await;
    assert_eq!(body["error"]["text"], "'xmlns' attribute must be empty");

    let response = raw()
        .get(format!("{}/ping/localhost", mock.rest_url()))
        .header("authorization", format!("Bearer {SECRET}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let body = json(response).await;
    assert_eq!(body, serde_json::json!({"type": "error", "code": 404}));
}
