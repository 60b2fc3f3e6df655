use xmpp_rest_bot::prelude::*;

#[on_message(chat, type = "groupchat")]
async fn a() {}

#[on_message(body = "x", body = "y")]
async fn b() {}

#[on_message(body = "x", body_regex = "y")]
async fn c() {}

fn main() {}
