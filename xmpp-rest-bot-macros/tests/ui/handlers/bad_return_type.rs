use xmpp_rest_bot::prelude::*;

struct NotAReply;

#[on_message]
async fn handler() -> NotAReply {
    NotAReply
}

fn main() {
    let _bot: Bot = Bot::new().handler(handler);
}
