use xmpp_rest_bot::Bot;
use xmpp_rest_bot::command::Command;

struct Settings;

async fn ops(Command(_settings): Command<Settings>) -> &'static str {
    "ok"
}

fn main() {
    let _bot: Bot = Bot::new().handler(ops);
}
