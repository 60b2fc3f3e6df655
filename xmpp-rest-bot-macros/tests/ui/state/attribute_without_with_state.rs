use xmpp_rest_bot::prelude::*;

#[derive(Clone)]
struct Counter;

#[on_message(chat)]
async fn count(State(_counter): State<Counter>, MessageText(text): MessageText) -> String {
    text
}

fn main() {
    // `State<Counter>` with no `.with_state(Counter)`: the bot has no state.
    let _router = Bot::new().handler(count).into_router();
}
