use xmpp_rest_bot::prelude::*;

#[on_message]
async fn echo(MessageText(text): MessageText) -> String {
    text
}

fn main() {
    let _bot: Bot = Bot::new().handler(ecoh);
}
