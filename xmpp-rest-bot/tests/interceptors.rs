//! Interceptors through real HTTP: one that refuses (a deny-list), one that
//! attaches an extension routes are chosen by, one that observes and changes
//! what the routes answered, and one that panics.

mod webhook_support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use webhook_support::{post_xml, request, start};
use xmpp_rest_bot::intercept::{Handled, Handling, Interceptor, Next};
use xmpp_rest_bot::prelude::*;

/// Refuses every stanza from the listed bare JIDs.
struct DenyList(Vec<Jid>);

impl Interceptor for DenyList {
    async fn intercept(&self, incoming: &mut Incoming, next: Next<'_>) -> Handled {
        let from = incoming.stanza().from().map(|j| j.to_bare());
        if from.is_some_and(|from| self.0.iter().any(|j| j.to_bare() == from)) {
            return Handled::intercepted(
                StanzaError::new(Condition::Forbidden).with_text("you are on the deny-list"),
            );
        }
        next.run(incoming).await
    }
}

fn chat_from(from: &str, body: &str) -> String {
    format!(
        "<message type='chat' id='m1' from='{from}/phone' to='bot@bot.localhost'>\
         <body>{body}</body></message>"
    )
}

#[tokio::test]
async fn a_deny_list_refuses_before_any_handler_runs() {
    let runs = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&runs);
    let echo = move |MessageText(text): MessageText| {
        let counted = Arc::clone(&counted);
        async move {
            counted.fetch_add(1, Ordering::Relaxed);
            text
        }
    };
    let bot = Bot::new()
        .interceptor(DenyList(vec!["mallory@localhost".parse().unwrap()]))
        .handler(echo)
        .metrics_route("/metrics");
    let server = start(bot).await;

    let denied = post_xml(server.addr, "/", &chat_from("mallory@localhost", "hi")).await;
    assert_eq!(denied.status, 403);
    let Stanza::Message(error) = denied.stanza() else {
        panic!("expected a message error, got {}", denied.text())
    };
    let error = error.error.expect("an error stanza");
    assert_eq!(error.condition, Condition::Forbidden);
    assert_eq!(error.text.as_deref(), Some("you are on the deny-list"));
    assert_eq!(runs.load(Ordering::Relaxed), 0, "the handler must not run");

    let allowed = post_xml(server.addr, "/", &chat_from("alice@localhost", "hi")).await;
    assert_eq!(allowed.status, 200);
    assert_eq!(runs.load(Ordering::Relaxed), 1);

    let metrics = request(server.addr, "GET", "/metrics", &[], b"").await;
    let text = metrics.text();
    for line in [
        "xmpp_webhook_requests_total{kind=\"message\",outcome=\"error\"} 1",
        "xmpp_webhook_requests_total{kind=\"message\",outcome=\"reply\"} 1",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing {line:?} in\n{text}"
        );
    }
    server.stop().await.unwrap();
}

/// What an interceptor found out about the sender, for the routes.
#[derive(Debug, Clone, PartialEq)]
enum Tier {
    Staff,
    Guest,
}

struct Tiers;

impl Interceptor for Tiers {
    async fn intercept(&self, incoming: &mut Incoming, next: Next<'_>) -> Handled {
        let staff = incoming
            .stanza()
            .from()
            .is_some_and(|from| from.domain().as_str() == "staff.localhost");
        let tier = if staff { Tier::Staff } else { Tier::Guest };
        incoming.extensions_mut().insert(tier);
        next.run(incoming).await
    }
}

/// An extractor reading the extension.
struct TierOf(Tier);

impl<S> FromStanza<S> for TierOf {
    fn from_stanza(incoming: &Incoming, _: &S) -> Result<Self, Rejection> {
        incoming
            .extensions()
            .get::<Tier>()
            .map(|tier| TierOf(tier.clone()))
            .ok_or_else(|| Rejection::skip("no tier"))
    }
}

#[tokio::test]
async fn routes_and_extractors_read_what_an_interceptor_attached() {
    async fn staff(MessageText(text): MessageText) -> String {
        format!("staff: {text}")
    }
    async fn anyone(TierOf(tier): TierOf, MessageText(text): MessageText) -> String {
        format!("{tier:?}: {text}")
    }
    let bot = Bot::new()
        .interceptor(Tiers)
        .route(Filter::extension(|tier: &Tier| *tier == Tier::Staff), staff)
        .handler(anyone);
    let server = start(bot).await;

    let answer = post_xml(
        server.addr,
        "/",
        &chat_from("bob@staff.localhost", "deploy"),
    )
    .await;
    let Stanza::Message(reply) = answer.stanza() else {
        panic!("{}", answer.text())
    };
    assert_eq!(reply.body(), Some("staff: deploy"));

    let answer = post_xml(server.addr, "/", &chat_from("eve@localhost", "deploy")).await;
    let Stanza::Message(reply) = answer.stanza() else {
        panic!("{}", answer.text())
    };
    assert_eq!(reply.body(), Some("Guest: deploy"));
    server.stop().await.unwrap();
}

/// Records how each stanza was handled, and signs the text replies.
#[derive(Clone, Default)]
struct Audit(Arc<Mutex<Vec<Handling>>>);

impl Interceptor for Audit {
    async fn intercept(&self, incoming: &mut Incoming, next: Next<'_>) -> Handled {
        let handled = next.run(incoming).await;
        self.0.lock().unwrap().push(handled.handling());
        handled.map_reply(|reply| match reply.as_text() {
            Some(text) => Reply::text(format!("{text} (audited)")),
            None => reply,
        })
    }
}

#[tokio::test]
async fn an_interceptor_observes_and_changes_what_the_routes_answered() {
    async fn echo(MessageText(text): MessageText) -> String {
        text
    }
    async fn slow(MessageText(_): MessageText) -> String {
        tokio::time::sleep(std::time::Duration::from_secs(5)).await;
        "too late".to_owned()
    }
    let audit = Audit::default();
    let bot = Bot::new()
        .interceptor(audit.clone())
        .route(Filter::sender("slow@localhost".parse().unwrap()), slow)
        .handler(echo)
        .timeout(std::time::Duration::from_millis(50));
    let server = start(bot).await;

    let answer = post_xml(server.addr, "/", &chat_from("alice@localhost", "hi")).await;
    let Stanza::Message(reply) = answer.stanza() else {
        panic!("{}", answer.text())
    };
    assert_eq!(reply.body(), Some("hi (audited)"));

    // The built-in answers are outside the interceptors: this one sees a
    // ping no route took, and the bot still answers it.
    let ping = "<iq type='get' id='p1' from='alice@localhost/phone' to='bot@bot.localhost'>\
        <ping xmlns='urn:xmpp:ping'/></iq>";
    assert_eq!(post_xml(server.addr, "/", ping).await.status, 200);

    let timed_out = post_xml(server.addr, "/", &chat_from("slow@localhost", "hi")).await;
    assert_eq!(timed_out.status, 504);

    assert_eq!(
        *audit.0.lock().unwrap(),
        [Handling::Route, Handling::Unhandled, Handling::Failed]
    );
    server.stop().await.unwrap();
}

struct Panics;

impl Interceptor for Panics {
    async fn intercept(&self, incoming: &mut Incoming, next: Next<'_>) -> Handled {
        if incoming
            .stanza()
            .from()
            .is_some_and(|from| from.node().is_some_and(|n| n.as_str() == "boom"))
        {
            panic!("interceptor bug");
        }
        next.run(incoming).await
    }
}

#[tokio::test]
async fn a_panicking_interceptor_is_an_internal_error_and_the_bot_goes_on() {
    async fn echo(MessageText(text): MessageText) -> String {
        text
    }
    let server = start(Bot::new().interceptor(Panics).handler(echo)).await;
    let answer = post_xml(server.addr, "/", &chat_from("boom@localhost", "hi")).await;
    assert_eq!(answer.status, 500);
    let answer = post_xml(server.addr, "/", &chat_from("alice@localhost", "hi")).await;
    assert_eq!(answer.status, 200);
    server.stop().await.unwrap();
}
