use xmpp_rest_bot::Bot;

struct Settings;

fn main() {
    let _bot: Bot = Bot::new().ad_hoc_commands::<Settings>();
}
