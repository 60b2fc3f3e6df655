use xmpp_rest_bot::command::BotCommands;

#[derive(BotCommands)]
enum Ops {
    #[command(allow = "ops team")]
    Deploy,
    #[command(rate = "5 per minute")]
    Restart,
    #[command(rate = "0/min")]
    Stop,
    #[command(rate = "3/week")]
    Start,
    #[command(confirm = 3)]
    Drain,
}

#[derive(BotCommands)]
#[command(allow = "")]
enum Admin {
    Reboot,
}

fn main() {}
