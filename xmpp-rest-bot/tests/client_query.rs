//! Iqs through `/rest`: waiting for the answer, several answers, error answers,
//! timeouts, and the GET shortcuts.
#![cfg(all(feature = "client", feature = "testing"))]

mod client_support;

use std::time::Duration;

use client_support::{FORMATS, basic_client, builder, client};
use xmpp_rest_bot::stanza::{
    Condition, DiscoItem, DiscoItems, Element, ErrorType, Iq, IqType, Message, Ping, Stanza,
    StanzaError, Version,
};
use xmpp_rest_bot::testing::MockRest;
use xmpp_rest_bot::wire::WireFormat;

fn ping_to(to: &str) -> Iq {
    Iq::get(Ping).with_to(to.parse().unwrap())
}

#[tokio::test]
async fn query_returns_the_answer_addressed_like_prosody() {
    for format in FORMATS {
        let mock = MockRest::start().await;
        let reply = client(&mock, format)
            .query(ping_to("localhost").with_id("p1"))
            .await
            .unwrap();
        assert_eq!(reply.type_, IqType::Result, "{format}");
        assert_eq!(reply.id.as_deref(), Some("p1"));
        assert_eq!(reply.from.unwrap().to_string(), "localhost");
        assert_eq!(reply.to.unwrap().to_string(), "bot@localhost");
        let request = &mock.requests()[0];
        assert_eq!(request.status, Some(200));
        assert_eq!(
            request.header("prosody-rest-timeout"),
            Some("30"),
            "the client timeout by default"
        );
    }
}

#[tokio::test]
async fn an_error_answer_is_a_typed_stanza_error() {
    for format in FORMATS {
        let mock = MockRest::start().await;
        mock.on_iq("urn:xmpp:ping", |iq: &Iq| {
            iq.error_reply(StanzaError::new(Condition::ItemNotFound).with_text("no such user"))
        });
        let err = basic_client(&mock, format)
            .query(ping_to("ghost@localhost"))
            .await
            .unwrap_err();
        let stanza_error = err.stanza_error().expect("a stanza error");
        assert_eq!(stanza_error.condition, Condition::ItemNotFound, "{format}");
        assert_eq!(
            stanza_error.text.as_deref(),
            Some("no such user"),
            "{format}"
        );
        assert!(!err.is_status() && !err.is_auth() && !err.is_timeout());
        assert_eq!(
            err.to_string(),
            "ghost@localhost answered with an error: cancel/item-not-found: no such user"
        );
    }
}

#[tokio::test]
async fn unknown_payloads_get_service_unavailable() {
    let mock = MockRest::start().await;
    let iq = Iq::new(
        IqType::Get,
        Some(Element::new("query", "urn:example:nothing")),
    )
    .with_to("localhost".parse().unwrap());
    let err = client(&mock, Default::default())
        .query(iq)
        .await
        .unwrap_err();
    assert_eq!(
        err.stanza_error().unwrap().condition,
        Condition::ServiceUnavailable
    );
}

#[tokio::test]
async fn several_answers_come_as_a_list() {
    for format in FORMATS {
        let mock = MockRest::start().await;
        // (JSON carries only payloads mod_rest maps: a ping stands in for an archive query.)
        mock.on_iq("urn:xmpp:ping", |iq: &Iq| {
            vec![
                Stanza::Message(Message::chat("bot@localhost".parse().unwrap(), "first")),
                Stanza::Message(Message::chat("bot@localhost".parse().unwrap(), "second")),
                Stanza::Iq(iq.result(None::<Ping>)),
            ]
        });
        let iq = ping_to("localhost");
        let client = client(&mock, format);
        let all = client.query_all(iq.clone()).await.unwrap();
        assert_eq!(all.len(), 3, "{format}: {all:?}");
        let bodies: Vec<_> = all
            .iter()
            .filter_map(|s| match s {
                Stanza::Message(m) => m.body(),
                _ => None,
            })
            .collect();
        assert_eq!(bodies, ["first", "second"], "{format}");
        assert!(matches!(all.last(), Some(Stanza::Iq(iq)) if iq.type_ == IqType::Result));

        // `query` keeps the iq only.
        let reply = client.query(iq).await.unwrap();
        assert_eq!(reply.type_, IqType::Result);
        let body = &mock.requests()[0].body;
        assert!(!body.is_empty());
    }
}

#[tokio::test]
async fn an_answer_over_the_limits_is_a_codec_error() {
    for format in FORMATS {
        let mock = MockRest::start().await;
        mock.on_iq("urn:xmpp:ping", |iq: &Iq| {
            let chat =
                |body: &str| Stanza::Message(Message::chat("bot@localhost".parse().unwrap(), body));
            vec![chat(&"x".repeat(2000)), Stanza::Iq(iq.result(None::<Ping>))]
        });
        let small = builder(&mock)
            .format(format)
            .max_response_size(1000)
            .build()
            .unwrap();
        let err = small.query_all(ping_to("localhost")).await.unwrap_err();
        assert!(
            err.codec_error().is_some_and(|e| e.is_limit()),
            "{format}: {err}"
        );
        assert!(!err.is_status() && !err.is_invalid_input(), "{format}");
        assert_eq!(
            err.to_string(),
            "unreadable answer from prosody: response body is over the limit of 1000",
            "{format}"
        );
    }
}

#[tokio::test]
async fn canned_replies_come_first_and_in_order() {
    let mock = MockRest::start().await;
    let version = |name: &str| {
        let version = Version {
            name: Some(name.to_owned()),
            ..Version::default()
        };
        Iq::new(
            IqType::Result,
            Some(xmpp_rest_bot::stanza::Payload::to_element(&version)),
        )
    };
    mock.push_iq_reply(version("one"));
    mock.push_iq_reply(version("two"));
    let client = client(&mock, Default::default());
    assert_eq!(
        client.version("localhost").await.unwrap().name.as_deref(),
        Some("one")
    );
    assert_eq!(
        client.version("localhost").await.unwrap().name.as_deref(),
        Some("two")
    );
    assert_eq!(
        client.version("localhost").await.unwrap().name.as_deref(),
        Some("Prosody")
    );
}

#[tokio::test]
async fn a_slow_entity_gets_remote_server_timeout() {
    for format in FORMATS {
        let mock = MockRest::builder()
            .iq_delay(Duration::from_secs(3))
            .start()
            .await
            .unwrap();
        let started = std::time::Instant::now();
        let err = client(&mock, format)
            .query_with_timeout(ping_to("slow@localhost"), Duration::from_millis(400))
            .await
            .unwrap_err();
        // Rounded up to one second, answered by "Prosody", not cut by the client.
        assert_eq!(mock.requests()[0].header("prosody-rest-timeout"), Some("1"));
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{:?}",
            started.elapsed()
        );
        let stanza_error = err.stanza_error().expect("remote-server-timeout");
        assert_eq!(
            stanza_error.condition,
            Condition::RemoteServerTimeout,
            "{format}"
        );
        assert_eq!(stanza_error.type_, ErrorType::Wait);
        assert_eq!(err.status(), Some(500));
        assert!(!err.is_timeout(), "prosody answered: {err}");
    }
}

#[tokio::test]
async fn an_entity_that_never_answers_times_out_too() {
    let mock = MockRest::start().await;
    mock.on_iq("urn:xmpp:ping", |_: &Iq| None::<Iq>);
    let err = client(&mock, Default::default())
        .query_with_timeout(ping_to("mute@localhost"), Duration::from_secs(1))
        .await
        .unwrap_err();
    assert_eq!(
        err.stanza_error().unwrap().condition,
        Condition::RemoteServerTimeout
    );
}

#[tokio::test]
async fn an_error_iq_with_remote_server_timeout_is_the_same_error() {
    let mock = MockRest::start().await;
    mock.push_iq_reply(Iq::new(IqType::Error, None).with_id("x"));
    mock.on_iq("urn:xmpp:ping", |iq: &Iq| {
        iq.error_reply(Condition::RemoteServerTimeout)
    });
    let client = client(&mock, Default::default());
    // A canned error iq without an <error/> still fails, as undefined-condition.
    let err = client.ping("far.example").await.unwrap_err();
    assert_eq!(
        err.stanza_error().unwrap().condition,
        Condition::UndefinedCondition
    );
    let err = client.ping("far.example").await.unwrap_err();
    assert_eq!(
        err.stanza_error().unwrap().condition,
        Condition::RemoteServerTimeout
    );
    assert_eq!(err.status(), None);
}

#[tokio::test]
async fn per_call_timeouts_are_capped_at_300_seconds() {
    let mock = MockRest::start().await;
    client(&mock, Default::default())
        .query_with_timeout(ping_to("localhost"), Duration::from_secs(3600))
        .await
        .unwrap();
    assert_eq!(
        mock.requests()[0].header("prosody-rest-timeout"),
        Some("300")
    );
}

#[tokio::test]
async fn ping_uses_the_get_shortcut_and_measures_the_round_trip() {
    for format in FORMATS {
        let mock = MockRest::builder()
            .iq_delay(Duration::from_millis(50))
            .start()
            .await
            .unwrap();
        let rtt = client(&mock, format).ping("localhost").await.unwrap();
        assert!(rtt >= Duration::from_millis(50), "{rtt:?}");
        let request = &mock.requests()[0];
        assert_eq!(
            (request.method.as_str(), request.path.as_str()),
            ("GET", "/rest/ping/localhost")
        );
        assert_eq!(request.header("accept"), Some(format.content_type()));
        let sent = mock.sent();
        assert!(matches!(&sent[0], Stanza::Iq(iq) if iq.payload_as::<Ping>().is_some()));
    }
}

#[tokio::test]
async fn ping_failures_are_stanza_errors() {
    let mock = MockRest::start().await;
    mock.on_iq("urn:xmpp:ping", |iq: &Iq| {
        iq.error_reply(Condition::FeatureNotImplemented)
    });
    let err = client(&mock, Default::default())
        .ping("alice@localhost/phone")
        .await
        .unwrap_err();
    assert_eq!(
        err.stanza_error().unwrap().condition,
        Condition::FeatureNotImplemented
    );
    assert_eq!(mock.requests()[0].path, "/rest/ping/alice@localhost/phone");
}

#[tokio::test]
async fn version_and_disco_info_are_typed() {
    for format in FORMATS {
        let mock = MockRest::start().await;
        let client = client(&mock, format);
        let version = client.version("localhost").await.unwrap();
        assert_eq!(version.name.as_deref(), Some("Prosody"), "{format}");
        assert_eq!(version.version.as_deref(), Some("0.12.3"));
        assert_eq!(version.os.as_deref(), Some("Linux"));

        let info = client.disco_info("localhost").await.unwrap();
        assert_eq!(info.identities[0].category, "server", "{format}");
        assert!(
            info.features.iter().any(|f| f == "urn:xmpp:ping"),
            "{format}: {info:?}"
        );
        let paths: Vec<_> = mock.requests().iter().map(|r| r.path.clone()).collect();
        assert_eq!(paths, ["/rest/version/localhost", "/rest/disco/localhost"]);
    }
}

#[tokio::test]
async fn disco_items_sends_the_node_as_a_query_parameter() {
    for format in FORMATS {
        let mock = MockRest::start().await;
        mock.on_iq("http://jabber.org/protocol/disco#items", |iq: &Iq| {
            let node = iq
                .payload
                .as_ref()
                .and_then(|p| p.attr("node"))
                .map(str::to_owned);
            let mut item = DiscoItem::new("rooms.localhost".parse().unwrap());
            item.name = Some("Rooms".to_owned());
            let items = match node {
                Some(node) => DiscoItems::for_node(node),
                None => DiscoItems::new(),
            };
            iq.result(Some(items.with_item(item)))
        });
        let items = client(&mock, format)
            .disco_items("localhost", Some("a node&more"))
            .await
            .unwrap();
        assert_eq!(
            items.items[0].jid.to_string(),
            "rooms.localhost",
            "{format}"
        );
        assert_eq!(items.items[0].name.as_deref(), Some("Rooms"));
        if format == WireFormat::Xml {
            // mod_rest's JSON mapping of an items result has no node.
            assert_eq!(items.node.as_deref(), Some("a node&more"));
        }
        assert_eq!(
            mock.requests()[0].query.as_deref(),
            Some("node=a+node%26more")
        );
        let Stanza::Iq(query) = &mock.sent()[0] else {
            panic!("not an iq")
        };
        assert_eq!(
            query.payload.as_ref().unwrap().attr("node"),
            Some("a node&more")
        );
    }
}

#[tokio::test]
async fn an_iq_that_is_not_get_or_set_is_rejected() {
    for format in FORMATS {
        let mock = MockRest::start().await;
        let iq = Iq::new(IqType::Result, Some(Element::new("ping", "urn:xmpp:ping")));
        let err = client(&mock, format).query(iq).await.unwrap_err();
        assert!(err.is_rejected(), "{format}: {err}");
        assert_eq!(err.http_condition(), Some("invalid-xml"), "{format}");
        assert_eq!(
            err.http_text(),
            Some("'iq' stanza must be of type 'get' or 'set'")
        );
    }
}

#[tokio::test]
async fn an_iq_without_a_child_is_rejected() {
    for format in FORMATS {
        let mock = MockRest::start().await;
        let err = client(&mock, format)
            .query(Iq::new(IqType::Get, None))
            .await
            .unwrap_err();
        assert!(err.is_rejected(), "{format}: {err}");
        assert_eq!(err.http_condition(), Some("bad-format"));
        assert_eq!(
            err.to_string(),
            "stanza rejected (http 422, bad-format): 'iq' stanza must have exactly one child tag"
        );
        assert!(mock.sent().is_empty(), "nothing is sent");
    }
}

#[tokio::test]
async fn send_of_an_iq_waits_for_the_answer() {
    let mock = MockRest::start().await;
    let reply = client(&mock, Default::default())
        .send(ping_to("localhost"))
        .await
        .unwrap();
    assert!(matches!(reply, Some(Stanza::Iq(iq)) if iq.type_ == IqType::Result));
}
