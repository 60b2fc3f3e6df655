//! How the client reports mod_rest's HTTP errors, against the emulator.
#![cfg(all(feature = "client", feature = "testing"))]

mod client_support;

use client_support::{FORMATS, builder, client, json, raw};
use xmpp_rest_bot::client::RestClient;
use xmpp_rest_bot::stanza::Message;
use xmpp_rest_bot::testing::MockRest;
use xmpp_rest_bot::wire::WireFormat;

fn chat() -> Message {
    Message::chat("alice@localhost".parse().unwrap(), "hi")
}

#[tokio::test]
async fn no_credentials_is_401_with_the_challenge() {
    for format in FORMATS {
        let mock = MockRest::start().await;
        let client = RestClient::builder(mock.url())
            .format(format)
            .build()
            .unwrap();
        let err = client.send(chat()).await.unwrap_err();
        assert!(err.is_auth() && err.is_status(), "{err}");
        assert_eq!(err.status(), Some(401));
        assert_eq!(
            err.http_condition(),
            Some("not-authorized"),
            "{format}: the body follows Accept"
        );
        let message = err.to_string();
        assert!(
            message.starts_with("no credentials (http 401, not-authorized): No credentials provided; configure a bearer token or basic auth"),
            "{message}"
        );
        assert!(
            message.contains(r#"Bearer realm="localhost/rest", Basic realm="localhost/rest""#),
            "{message}"
        );
        assert!(mock.requests()[0].header("authorization").is_none());
        mock.assert_nothing_sent();
    }
}

#[tokio::test]
async fn a_wrong_token_is_403() {
    for format in FORMATS {
        let mock = MockRest::start().await;
        let client = RestClient::builder(mock.url())
            .bearer_token("wrong")
            .format(format)
            .build()
            .unwrap();
        let err = client.send(chat()).await.unwrap_err();
        assert!(err.is_auth(), "{err}");
        assert_eq!(err.status(), Some(403));
        assert_eq!(
            err.http_text(),
            Some("Credentials not accepted"),
            "{format}"
        );
        assert_eq!(
            err.to_string(),
            "credentials not accepted (http 403, not-authorized): check the bearer token, or the user (the local part of the jid) and password"
        );
    }
}

#[tokio::test]
async fn a_wrong_password_or_a_whole_jid_as_user_is_403() {
    let mock = MockRest::start().await;
    for (user, password, text) in [
        ("bot", "nope", "Credentials not accepted"),
        ("bot@localhost", "secret", "Credentials failed stringprep"),
    ] {
        let client = RestClient::builder(mock.url())
            .basic_auth(user, password)
            .build()
            .unwrap();
        let err = client.send(chat()).await.unwrap_err();
        assert!(err.is_auth(), "{err}");
        assert_eq!(err.http_text(), Some(text));
    }
}

#[tokio::test]
async fn other_accounts_and_tokens_are_configurable() {
    let mock = MockRest::builder()
        .domain("example.org")
        .token("ci-token", "ci@example.org/runner".parse().unwrap())
        .user("alice", "wonderland")
        .start()
        .await
        .unwrap();
    let by_token = RestClient::builder(mock.url())
        .bearer_token("ci-token")
        .build()
        .unwrap();
    by_token
        .send_chat("bob@example.org", "from ci")
        .await
        .unwrap();
    let by_password = RestClient::builder(mock.url())
        .basic_auth("alice", "wonderland")
        .build()
        .unwrap();
    by_password
        .send_chat("bob@example.org", "from alice")
        .await
        .unwrap();
    let froms: Vec<_> = mock
        .sent_messages()
        .into_iter()
        .map(|m| m.from.unwrap().to_string())
        .collect();
    assert_eq!(froms, ["ci@example.org/runner", "alice@example.org"]);

    // The defaults are replaced.
    let default = RestClient::builder(mock.url())
        .bearer_token(MockRest::DEFAULT_TOKEN)
        .build()
        .unwrap();
    assert_eq!(default.send(chat()).await.unwrap_err().status(), Some(403));
}

#[tokio::test]
async fn a_stanza_over_the_size_limit_is_413() {
    for format in FORMATS {
        let mock = MockRest::builder().size_limit(512).start().await.unwrap();
        let err = client(&mock, format)
            .send_chat("alice@localhost", "x".repeat(600))
            .await
            .unwrap_err();
        assert_eq!(err.status(), Some(413), "{err}");
        assert_eq!(err.http_condition(), Some("resource-constraint"));
        assert!(
            err.to_string().starts_with("stanza too large (http 413"),
            "{err}"
        );
        assert!(err.to_string().contains("rest_stanza_size_limit"), "{err}");
        mock.assert_nothing_sent();
    }
}

#[tokio::test]
async fn the_default_size_limit_is_192_kib() {
    let mock = MockRest::start().await;
    let client = client(&mock, WireFormat::Xml);
    client
        .send_chat("alice@localhost", "x".repeat(190 * 1024))
        .await
        .unwrap();
    let err = client
        .send_chat("alice@localhost", "x".repeat(193 * 1024))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(413));
}

#[tokio::test]
async fn a_server_error_keeps_the_status_line_of_an_html_body() {
    let mock = MockRest::start().await;
    mock.fail_next_request(502);
    let err = client(&mock, WireFormat::Json)
        .send(chat())
        .await
        .unwrap_err();
    assert!(err.is_status() && !err.is_auth() && !err.is_rejected());
    assert_eq!(err.status(), Some(502));
    assert_eq!(err.http_condition(), None);
    assert_eq!(err.to_string(), "server error (http 502): 502 Bad Gateway");
}

#[tokio::test]
async fn media_type_and_malformed_statuses_are_named() {
    let mock = MockRest::start().await;
    let client = client(&mock, WireFormat::Xml);
    mock.fail_next_request(415);
    let err = client.send(chat()).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "unsupported media type (http 415): 415 Unsupported Media Type"
    );
    mock.fail_next_request(400);
    let err = client.send(chat()).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "malformed request (http 400): 400 Bad Request"
    );
    mock.fail_next_request(418);
    let err = client.send(chat()).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "unexpected http status (http 418): 418 I'm a teapot"
    );
}

#[tokio::test]
async fn a_wrong_url_is_404_with_a_hint() {
    let mock = MockRest::start().await;
    let client = RestClient::builder(format!("{}/elsewhere/rest", mock.url()))
        .bearer_token(MockRest::DEFAULT_TOKEN)
        .build()
        .unwrap();
    let err = client.send(chat()).await.unwrap_err();
    assert_eq!(err.status(), Some(404));
    assert!(err.to_string().contains("check the url"), "{err}");
}

#[tokio::test]
async fn the_emulator_answers_mod_rest_error_bodies_in_the_accept_format() {
    let mock = MockRest::start().await;
    let post = |content_type: &'static str, accept: &'static str, body: &'static str| {
        raw()
            .post(mock.rest_url())
            .bearer_auth(MockRest::DEFAULT_TOKEN)
            .header("content-type", content_type)
            .header("accept", accept)
            .body(body)
    };

    // The observed 422: XML error body with the stream error condition.
    let response = post(
        "application/xmpp+xml",
        "application/xmpp+xml",
        "<message xmlns='jabber:server' to='bob@localhost'/>",
    )
    .send()
    .await
    .unwrap();
    assert_eq!(response.status(), 422);
    assert_eq!(response.headers()["content-type"], "application/xmpp+xml");
    assert_eq!(
        response.text().await.unwrap(),
        "<error xmlns='http://etherx.jabber.org/streams'><invalid-namespace xmlns='urn:ietf:params:xml:ns:xmpp-streams'/><text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>&apos;xmlns&apos; attribute must be empty</text></error>"
    );

    // The observed 415, in JSON.
    let response = post("text/csv", "application/json", "a,b")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 415);
    let body = json(response).await;
    assert_eq!(body["code"], 415);
    assert_eq!(body["error"]["condition"], "bad-format");
    assert_eq!(body["error"]["text"], "Unsupported media type");

    // No Accept: HTML.
    let response = post("application/xmpp+xml", "", "<message")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
}

#[tokio::test]
async fn the_emulator_rejects_what_mod_rest_rejects_with_422() {
    let mock = MockRest::start().await;
    let cases = [
        (
            "<message xmlns='jabber:server' to='bob@localhost'/>",
            "invalid-namespace",
        ),
        ("<foo to='bob@localhost'/>", "unsupported-stanza-type"),
        ("<message to='bob@@localhost'/>", "improper-addressing"),
        (
            "<message to='bob@localhost' from='@localhost'/>",
            "invalid-from",
        ),
        (
            "<iq type='result' to='localhost'><ping xmlns='urn:xmpp:ping'/></iq>",
            "invalid-xml",
        ),
        ("<iq type='get' to='localhost'/>", "bad-format"),
        (
            "<iq type='get' to='localhost'><ping xmlns='urn:xmpp:ping'/><ping xmlns='urn:xmpp:ping'/></iq>",
            "bad-format",
        ),
    ];
    for (body, condition) in cases {
        let response = raw()
            .post(mock.rest_url())
            .bearer_auth(MockRest::DEFAULT_TOKEN)
            .header("content-type", "application/xmpp+xml")
            .header("accept", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422, "{body}");
        let body = json(response).await;
        assert_eq!(body["error"]["condition"], condition, "{body}");
    }
    // `jabber:client` is fine for the late module; so is a message without `to`.
    for body in [
        "<message xmlns='jabber:client' to='bob@localhost'><body>x</body></message>",
        "<message><body>x</body></message>",
    ] {
        let response = raw()
            .post(mock.rest_url())
            .bearer_auth(MockRest::DEFAULT_TOKEN)
            .header("content-type", "application/xmpp+xml")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 202, "{body}");
    }
    // JSON checks too.
    for (body, condition) in [
        (
            r#"{"kind":"foo","to":"bob@localhost"}"#,
            "unsupported-stanza-type",
        ),
        (r#"{"kind":"message","to":"@@"}"#, "improper-addressing"),
        (
            r#"{"kind":"iq","type":"result","to":"localhost","ping":true}"#,
            "invalid-xml",
        ),
    ] {
        let response = raw()
            .post(mock.rest_url())
            .bearer_auth(MockRest::DEFAULT_TOKEN)
            .header("content-type", "application/json")
            .header("accept", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422, "{body}");
        let body = json(response).await;
        assert_eq!(body["error"]["condition"], condition, "{body}");
    }
}

#[tokio::test]
async fn text_plain_on_rest_is_a_chat_message() {
    let mock = MockRest::start().await;
    let response = raw()
        .post(mock.rest_url())
        .bearer_auth(MockRest::DEFAULT_TOKEN)
        .header("content-type", "text/plain")
        .body("just text")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202);
    let message = &mock.sent_messages()[0];
    assert_eq!(message.body(), Some("just text"));
    assert!(message.to.is_none());
}

#[tokio::test]
async fn malformed_bodies_are_400() {
    let mock = MockRest::start().await;
    for (content_type, body) in [
        ("application/xmpp+xml", "<message"),
        ("application/json", "{"),
    ] {
        let response = raw()
            .post(mock.rest_url())
            .bearer_auth(MockRest::DEFAULT_TOKEN)
            .header("content-type", content_type)
            .header("accept", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{body}");
        let body = json(response).await;
        assert_eq!(body["error"]["condition"], "not-well-formed");
    }
}

#[tokio::test]
async fn builder_errors_are_clear() {
    let err = RestClient::builder("example.org:5281").build().unwrap_err();
    assert!(
        err.to_string()
            .starts_with("invalid configuration: invalid url"),
        "{err}"
    );
    let err = RestClient::builder("https://u:p@example.org")
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("basic_auth()"), "{err}");
    let mock = MockRest::start().await;
    let err = builder(&mock).user_agent("bad\nagent").build().unwrap_err();
    assert!(err.to_string().contains("user agent"), "{err}");
}
