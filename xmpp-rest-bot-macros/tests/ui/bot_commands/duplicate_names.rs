use xmpp_rest_bot::command::BotCommands;

#[derive(BotCommands)]
enum Cmd {
    Status,
    #[command(aliases = ["STATUS"])]
    Info,
    #[command(rename = "info")]
    Details,
}

fn main() {}
