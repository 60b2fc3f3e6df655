use xmpp_rest_bot::prelude::*;

#[on_message]
async fn echo(Body(text): Body) -> String {
    text
}

fn main() {
    let _bot: Bot = Bot::new().handler(ecoh);
}
