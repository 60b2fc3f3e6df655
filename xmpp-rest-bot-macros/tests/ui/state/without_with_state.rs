use xmpp_rest_bot::prelude::*;

#[derive(Clone)]
struct Counter;

async fn count(State(_counter): State<Counter>, MessageText(text): MessageText) -> String {
    text
}

fn main() {
    // `State<Counter>` with no `.with_state(Counter)`: the bot has no state.
    drop(Bot::new().handler(count).serve("127.0.0.1:8080"));
}
