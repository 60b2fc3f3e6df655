use xmpp_rest_bot::command::BotCommands;

#[derive(BotCommands)]
enum Cmd {
    Deploy { env: Option<String>, version: String },
    Say {
        #[command(rest)]
        text: String,
        channel: String,
    },
    Tag { hosts: Vec<String>, tag: String },
    Note {
        #[command(rest)]
        text: Option<String>,
    },
}

fn main() {}
