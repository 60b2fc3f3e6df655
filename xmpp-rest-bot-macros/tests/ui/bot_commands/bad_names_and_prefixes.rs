use xmpp_rest_bot::command::BotCommands;

#[derive(BotCommands)]
#[command(prefix = "")]
enum Cmd {
    #[command(rename = "two words")]
    Run,
    #[command(aliases = [""])]
    Stop,
}

#[derive(BotCommands)]
#[command(prefixes = [])]
enum Other {
    Go,
}

fn main() {}
