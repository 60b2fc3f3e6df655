use xmpp_rest_bot::command::BotCommands;

struct Opaque;

#[derive(BotCommands)]
enum Cmd {
    Inspect { target: Opaque },
}

fn main() {}
