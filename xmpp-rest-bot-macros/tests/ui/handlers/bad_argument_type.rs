use xmpp_rest_bot::prelude::*;

struct NotAnExtractor;

#[on_message]
async fn handler(_x: NotAnExtractor) {}

fn main() {
    let _bot: Bot = Bot::new().handler(handler);
}
