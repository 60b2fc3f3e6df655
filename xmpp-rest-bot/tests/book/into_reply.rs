//! The book's replies chapter, "Types of your own".

// ANCHOR: into_reply
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use xmpp_rest_bot::prelude::*;

/// A type of your own, returned from handlers.
enum Deploy {
    Started(String),
    Busy,
}

impl IntoReply for Deploy {
    fn into_reply(self) -> Reply {
        match self {
            Deploy::Started(version) => Reply::text(format!("deploying {version}")),
            Deploy::Busy => Reply::error(
                StanzaError::new(Condition::ResourceConstraint).with_text("a deploy is running"),
            ),
        }
    }
}

#[on_message(body_regex = r"^!deploy (?P<version>\S+)$")]
async fn deploy(caps: Captures, State(running): State<Arc<AtomicU64>>) -> Deploy {
    if running.fetch_add(1, Ordering::SeqCst) > 0 {
        return Deploy::Busy;
    }
    Deploy::Started(caps.name("version").unwrap_or_default().to_owned())
}
// ANCHOR_END: into_reply

#[tokio::test]
async fn replies_of_your_own() {
    use xmpp_rest_bot::testing::TestProsody;

    let bot = Bot::<Arc<AtomicU64>>::new()
        .handler(deploy)
        .with_state(Arc::default());
    let t = TestProsody::start(bot.into_router()).await;
    let alice = t.user("alice@example.org/phone");
    alice.says("!deploy v2").await.assert_body("deploying v2");
    let r = alice.says("!deploy v3").await;
    r.assert_error(Condition::ResourceConstraint);
    assert_eq!(r.status(), Some(429));
}
