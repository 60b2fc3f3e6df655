use xmpp_rest_bot::command::BotCommands;

#[derive(BotCommands)]
struct NotAnEnum {
    name: String,
}

fn main() {}
