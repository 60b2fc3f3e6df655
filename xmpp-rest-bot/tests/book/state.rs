//! The book's handlers chapter, "State".

// ANCHOR: state
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use xmpp_rest_bot::prelude::*;

/// What the handlers share. Cloned for every handler: keep it cheap to clone.
#[derive(Clone)]
struct AppState {
    counter: Counter,
    greeting: Arc<str>,
}

#[derive(Clone, Default)]
struct Counter(Arc<AtomicU64>);

/// Lets handlers take `State<Counter>`, only the part they need.
impl FromRef<AppState> for Counter {
    fn from_ref(state: &AppState) -> Counter {
        state.counter.clone()
    }
}

#[on_message(body = "!count")]
async fn count(State(counter): State<Counter>) -> String {
    let n = counter.0.fetch_add(1, Ordering::Relaxed) + 1;
    format!("{n} so far")
}

#[on_message(body = "!hello")]
async fn greet(State(state): State<AppState>, Sender(from): Sender) -> String {
    format!("{}, {}", state.greeting, from.to_bare())
}

fn stateful_bot() -> Bot {
    let state = AppState {
        counter: Counter::default(),
        greeting: "welcome aboard".into(),
    };
    // `Bot<AppState>` until the state is given; then `Bot`, ready to serve.
    Bot::<AppState>::new()
        .handler(count)
        .handler(greet)
        .with_state(state)
}
// ANCHOR_END: state

#[tokio::test]
async fn state_is_shared() {
    use xmpp_rest_bot::testing::TestProsody;

    let t = TestProsody::start(stateful_bot().into_router()).await;
    let alice = t.user("alice@example.org");
    alice.says("!count").await.assert_body("1 so far");
    t.user("bob@example.org")
        .says("!count")
        .await
        .assert_body("2 so far");
    alice
        .says("!hello")
        .await
        .assert_body("welcome aboard, alice@example.org");
}
