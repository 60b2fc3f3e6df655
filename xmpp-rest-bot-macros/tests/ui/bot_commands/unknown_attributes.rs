use xmpp_rest_bot::command::BotCommands;

#[derive(BotCommands)]
#[command(prefx = "!")]
enum Cmd {
    #[command(alias = ["x"])]
    Run,
    Stop {
        #[command(greedy)]
        why: String,
    },
}

fn main() {}
