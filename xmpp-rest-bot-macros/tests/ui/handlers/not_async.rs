use xmpp_rest_bot::prelude::*;

#[on_message]
fn echo(MessageText(text): MessageText) -> String {
    text
}

fn main() {}
