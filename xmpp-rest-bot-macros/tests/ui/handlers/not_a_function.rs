use xmpp_rest_bot::prelude::*;

#[on_message]
struct Echo;

fn main() {}
