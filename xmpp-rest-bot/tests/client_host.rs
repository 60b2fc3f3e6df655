//! The `Host` header: Prosody picks the virtual host by it, so a URL with an
//! IP address is answered 404 unless the client names the host.
#![cfg(all(feature = "client", feature = "testing"))]

mod client_support;

use client_support::{builder, prosody_of_example_net};
use xmpp_rest_bot::testing::MockRest;

const FIX: &str = "Prosody chooses the virtual host by the Host header; use the host's name in the URL or set the host";

#[tokio::test]
async fn an_ip_address_reaches_no_virtual_host_and_the_404_names_the_fix() {
    let mock = prosody_of_example_net().await;
    let client = builder(&mock).build().unwrap();

    let err = client
        .send_chat("alice@example.net", "hi")
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(404));
    let message = err.to_string();
    assert!(message.contains(FIX), "{message}");
    let port = mock.addr().port();
    assert!(
        message.contains(&format!("(this request said Host: 127.0.0.1:{port})")),
        "{message}"
    );
    mock.assert_nothing_sent();
}

#[tokio::test]
async fn the_host_option_reaches_the_virtual_host() {
    let mock = prosody_of_example_net().await;
    let client = builder(&mock).host("example.net").build().unwrap();

    client.send_chat("alice@example.net", "hi").await.unwrap();
    client.ping("example.net").await.unwrap();
    let version = client.version("example.net").await.unwrap();
    assert_eq!(version.name.as_deref(), Some("Prosody"));

    mock.assert_sent_message("alice@example.net", "hi");
    assert!(!client.is_legacy(), "the GET shortcuts were found");
    for request in mock.requests() {
        assert_eq!(request.header("host"), Some("example.net"), "{request:?}");
        assert_eq!(request.status.map(|s| s < 300), Some(true), "{request:?}");
    }
}

#[tokio::test]
async fn a_port_and_another_case_in_the_host_are_fine() {
    let mock = prosody_of_example_net().await;
    let client = builder(&mock).host("Example.NET:5280").build().unwrap();
    client.send_chat("alice@example.net", "hi").await.unwrap();
    assert_eq!(mock.requests()[0].header("host"), Some("Example.NET:5280"));
}

#[tokio::test]
async fn a_404_with_the_host_set_says_which_host_was_used() {
    let mock = prosody_of_example_net().await;
    let client = builder(&mock).host("example.org").build().unwrap();

    // A GET shortcut first: its 404 makes the client fall back to POST /rest,
    // whose 404 is the one reported.
    let err = client.ping("example.net").await.unwrap_err();
    assert_eq!(err.status(), Some(404));
    let message = err.to_string();
    assert!(
        message.contains("the host was set to example.org"),
        "{message}"
    );
    assert!(!message.contains("set the host"), "{message}");
}

#[tokio::test]
async fn without_check_host_the_emulator_ignores_the_host_header() {
    let mock = MockRest::start().await;
    let client = builder(&mock).host("anything.example").build().unwrap();
    client.send_chat("alice@localhost", "hi").await.unwrap();
    assert_eq!(mock.requests()[0].header("host"), Some("anything.example"));
}

#[tokio::test]
async fn a_host_that_is_not_a_name_is_a_configuration_error() {
    let mock = MockRest::start().await;
    for host in ["http://example.net", "example.net/rest", "", "a\nb"] {
        let err = builder(&mock).host(host).build().unwrap_err();
        assert!(
            err.to_string()
                .starts_with("invalid configuration: invalid host"),
            "{host:?}: {err}"
        );
    }
}
