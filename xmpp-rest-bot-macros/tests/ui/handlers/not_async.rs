use xmpp_rest_bot::prelude::*;

#[on_message]
fn echo(Body(text): Body) -> String {
    text
}

fn main() {}
