use xmpp_rest_bot::prelude::*;

struct Bot2;

impl Bot2 {
    #[on_message]
    async fn method(&self) {}
}

#[on_message]
async fn generic<T: Send>(_t: T) {}

#[on_message]
async fn borrowed(_m: &Message) {}

#[on_message]
async fn opaque() -> impl IntoReply {}

#[on_message]
async fn captures_without_regex(_c: Captures) {}

fn main() {}
