use xmpp_rest_bot::prelude::*;

#[on_message(sender = "admin@example.org")]
async fn a() {}

#[on_iq(body = "x")]
async fn b() {}

#[on_presence(ns = "jabber:iq:version")]
async fn c() {}

fn main() {}
