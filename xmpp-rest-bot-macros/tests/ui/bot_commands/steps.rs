use xmpp_rest_bot::command::BotCommands;

#[derive(BotCommands)]
enum Wizard {
    /// Step 0 does not exist.
    Zero {
        #[command(step = 0)]
        a: String,
    },
    /// A gap: step 3 without step 2.
    Gap {
        a: String,
        #[command(step = 3)]
        b: String,
    },
    /// Steps going down.
    Down {
        #[command(step = 2)]
        a: String,
        b: String,
    },
    /// Explicitly going down.
    DownExplicit {
        #[command(step = 2)]
        a: String,
        #[command(step = 1)]
        b: String,
    },
    /// Not a number.
    Text {
        #[command(step = "two")]
        a: String,
    },
    /// Too big.
    Huge {
        #[command(step = 300)]
        a: String,
    },
}

fn main() {}
