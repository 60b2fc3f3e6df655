use xmpp_rest_bot::prelude::*;

#[on_message(body_regex = "^!(ping")]
async fn a() {}

#[on_message(from = "not a jid@@")]
async fn b() {}

#[on_message(type = "get")]
async fn c() {}

#[on_iq(type = ["get", "chat"])]
async fn d() {}

#[on_message(body = 42)]
async fn e() {}

#[on_message(to)]
async fn f() {}

fn main() {}
