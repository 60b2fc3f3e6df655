use serde::{Deserialize, Serialize};
use xmpp_rest_bot::prelude::*;

#[derive(Default, Clone, Serialize, Deserialize)]
enum Wizard {
    #[default]
    Idle,
    AskVersion,
}

#[on_message(chat, state = Wizard::AskVersoin)]
async fn misspelled_variant() {}

#[on_message(chat, state = Wizard::AskVersion { version })]
async fn fields_it_has_not() {}

fn main() {}
