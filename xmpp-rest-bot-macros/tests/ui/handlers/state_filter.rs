use xmpp_rest_bot::prelude::*;

#[on_message(chat, state = AskVersion)]
async fn variant_without_its_type() {}

#[on_message(chat, state = 3)]
async fn not_a_variant() {}

#[on_message(chat, state)]
async fn no_pattern() {}

#[on_iq(get, state = Wizard::AskVersion)]
async fn not_a_message() {}

fn main() {}
