//! The guardrail building blocks in an interceptor, through real HTTP: an
//! access group refuses outsiders with `forbidden`, a rate limit refuses a
//! flood with `policy-violation` and a retry time, and the sender gets
//! through again once a token is back.

mod webhook_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use webhook_support::{post_xml, start};
use xmpp_rest_bot::guard::{Access, RateDecision, RateLimit, RateLimiter};
use xmpp_rest_bot::intercept::{Handled, Interceptor, Next};
use xmpp_rest_bot::prelude::*;

struct OpsOnly {
    access: Access,
    limiter: RateLimiter,
}

impl Interceptor for OpsOnly {
    async fn intercept(&self, incoming: &mut Incoming, next: Next<'_>) -> Handled {
        let Some(from) = incoming.stanza().from().cloned() else {
            return next.run(incoming).await;
        };
        if !self.access.allows("ops", &from) {
            return Handled::intercepted(
                StanzaError::new(Condition::Forbidden).with_text("this bot needs the `ops` group"),
            );
        }
        if let RateDecision::Limited { retry_after } =
            self.limiter.check(&from.to_bare().to_string())
        {
            let text = format!("too many requests: retry in {} ms", retry_after.as_millis());
            return Handled::intercepted(
                StanzaError::new(Condition::PolicyViolation).with_text(text),
            );
        }
        next.run(incoming).await
    }
}

fn chat_from(from: &str) -> String {
    format!(
        "<message type='chat' id='m1' from='{from}' to='bot@bot.localhost'><body>!status</body></message>"
    )
}

fn error_of(answer: &webhook_support::HttpResponse) -> StanzaError {
    match answer.stanza() {
        Stanza::Message(m) => m.error.clone().expect("an error stanza"),
        other => panic!("expected a message error, got {other:?}"),
    }
}

#[tokio::test]
async fn access_groups_and_rate_limits_refuse_before_the_handler() {
    let runs = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&runs);
    let status = move |MessageText(_): MessageText| {
        let counted = Arc::clone(&counted);
        async move {
            counted.fetch_add(1, Ordering::Relaxed);
            "all green"
        }
    };
    let guard = OpsOnly {
        access: Access::from_vars("G_", [("G_OPS", "alice@localhost, *@ops.localhost")]).unwrap(),
        limiter: RateLimiter::new(RateLimit::every(Duration::from_millis(300)).burst(2)),
    };
    let server = start(Bot::new().interceptor(guard).handler(status)).await;

    // Not in the group: forbidden, with the group named, and nothing runs.
    let denied = post_xml(server.addr, "/", &chat_from("mallory@localhost/x")).await;
    assert_eq!(denied.status, 403);
    let error = error_of(&denied);
    assert_eq!(error.condition, Condition::Forbidden);
    assert_eq!(
        error.text.as_deref(),
        Some("this bot needs the `ops` group")
    );
    assert_eq!(runs.load(Ordering::Relaxed), 0);

    // In the group: a burst of two, then refused with a retry time.
    for _ in 0..2 {
        let ok = post_xml(server.addr, "/", &chat_from("carol@ops.localhost/a")).await;
        assert_eq!(ok.status, 200, "{}", ok.text());
    }
    let limited = post_xml(server.addr, "/", &chat_from("carol@ops.localhost/b")).await;
    assert_eq!(limited.status, 403);
    let error = error_of(&limited);
    assert_eq!(error.condition, Condition::PolicyViolation);
    let text = error.text.unwrap_or_default();
    assert!(text.starts_with("too many requests: retry in "), "{text}");
    assert_eq!(
        runs.load(Ordering::Relaxed),
        2,
        "the refused request must not run"
    );

    // Another member has a bucket of their own.
    let alice = post_xml(server.addr, "/", &chat_from("alice@localhost/laptop")).await;
    assert_eq!(alice.status, 200);

    // Recovered: a token is back after the interval.
    tokio::time::sleep(Duration::from_millis(350)).await;
    let again = post_xml(server.addr, "/", &chat_from("carol@ops.localhost/a")).await;
    assert_eq!(again.status, 200, "{}", again.text());
    assert_eq!(runs.load(Ordering::Relaxed), 4);
    server.stop().await.unwrap();
}
