use xmpp_rest_bot::command::BotCommands;

#[derive(BotCommands)]
enum Nothing {}

#[derive(BotCommands)]
enum Generic<T> {
    Get(T),
}

fn main() {}
