//! The built-in answers: disco#info, disco#items, ping and software version
//! are answered by the bot itself, unless a handler of the user takes them first.

mod webhook_support;

use webhook_support::start;
use xmpp_rest_bot::bot::Builtin;
use xmpp_rest_bot::extract::IqPayload;
use xmpp_rest_bot::handler::{Filter, Route};
use xmpp_rest_bot::prelude::*;
use xmpp_rest_bot::stanza::{
    DiscoInfo, DiscoItem, DiscoItems, Element, Identity, Ping, Version, ns,
};

fn get(payload: Element) -> Iq {
    let mut iq = Iq::new(IqType::Get, Some(payload)).with_id("q1");
    iq.to = Some("bot@bot.localhost".parse().unwrap());
    iq.from = Some("alice@localhost/phone".parse().unwrap());
    iq
}

async fn ask<P: Payload>(bot: &Bot, payload: Element) -> (u16, Iq, Option<P>) {
    let answer = bot.dispatch(Incoming::new(get(payload))).await;
    let Some(Stanza::Iq(iq)) = answer.stanza else {
        panic!("expected an iq answer, got {answer:?}")
    };
    let payload = iq.payload_as::<P>().map(|p| p.unwrap());
    (answer.status.as_u16(), iq, payload)
}

fn disco_info_query() -> Element {
    DiscoInfo::new().to_element()
}

/// A payload of the user's, to see its namespace in disco#info.
struct Weather;

impl Payload for Weather {
    const NAME: &'static str = "weather";
    const NS: &'static str = "urn:example:weather";
    fn from_element(_: &Element) -> xmpp_rest_bot::Result<Self> {
        Ok(Weather)
    }
    fn to_element(&self) -> Element {
        Element::new(Self::NAME, Self::NS)
    }
}

async fn weather(_: IqPayload<Weather>) -> Condition {
    Condition::ItemNotFound
}

async fn echo(MessageText(text): MessageText) -> String {
    text
}

#[tokio::test]
async fn disco_info_lists_identity_builtins_and_every_iq_handler() {
    async fn time(iq: Iq) -> Iq {
        iq.result::<Ping>(None)
    }
    let time_route = Route::new(time)
        .with_filter(Filter::new(|s| match s {
            Stanza::Iq(iq) => iq.payload_ns() == Some("urn:xmpp:time"),
            _ => false,
        }))
        .with_feature("urn:xmpp:time");
    let bot = Bot::new()
        .handler(echo)
        .handler(weather)
        .handler(time_route)
        .builtin(
            Builtin::default()
                .feature("urn:example:plugin")
                .feature(ns::PING),
        );
    let (status, iq, info) = ask::<DiscoInfo>(&bot, disco_info_query()).await;
    assert_eq!(status, 200);
    assert_eq!(iq.type_, IqType::Result);
    assert_eq!(iq.id.as_deref(), Some("q1"));
    assert_eq!(iq.to.as_ref().unwrap().as_str(), "alice@localhost/phone");
    let info = info.unwrap();
    assert_eq!(
        info.identities,
        [Identity::new("client", "bot").with_name("xmpp-rest-bot")]
    );
    assert_eq!(
        info.features,
        [
            ns::DISCO_INFO,
            ns::DISCO_ITEMS,
            ns::PING,
            ns::VERSION,
            "urn:example:weather",
            "urn:xmpp:time",
            "urn:example:plugin",
        ],
        "built-ins, then routes, then plugins, each once"
    );
    assert_eq!(bot.disco_info(), info);
}

#[tokio::test]
async fn the_name_and_identity_are_configurable() {
    let bot: Bot = Bot::new().builtin(Builtin::default().name("Deploy bot"));
    assert_eq!(bot.disco_info().identities, [Identity::bot("Deploy bot")]);
    let bot: Bot =
        Bot::new().builtin(Builtin::default().software(Version::new("weather-bot", "2.0.1")));
    assert_eq!(
        bot.disco_info().identities[0].name.as_deref(),
        Some("weather-bot"),
        "without a name, the software names the bot"
    );
    let bot: Bot = Bot::new().builtin(
        Builtin::default()
            .name("Ops")
            .identity(Identity::new("component", "bot")),
    );
    assert_eq!(
        bot.disco_info().identities,
        [Identity::new("component", "bot").with_name("Ops")]
    );
}

#[tokio::test]
async fn optional_and_fallible_payload_arguments_declare_their_feature() {
    async fn maybe(_: Iq, _: Option<IqPayload<Weather>>) {}
    let bot: Bot = Bot::new().handler(maybe);
    assert!(bot.disco_info().has_feature("urn:example:weather"));
    async fn builtin_types(_: Option<Version>, _: Option<xmpp_rest_bot::stanza::AdHocCommand>) {}
    let bot: Bot = Bot::new().handler(builtin_types);
    assert!(bot.disco_info().has_feature(ns::COMMANDS));
    // a handler with no payload argument declares nothing
    let bot: Bot = Bot::new().handler(echo);
    assert_eq!(bot.disco_info().features.len(), 4);
}

#[tokio::test]
async fn ping_is_answered_with_an_empty_result() {
    let bot = Bot::new().handler(echo);
    let (status, iq, _) = ask::<Ping>(&bot, Ping.to_element()).await;
    assert_eq!(status, 200);
    assert_eq!(iq.type_, IqType::Result);
    assert_eq!(iq.id.as_deref(), Some("q1"));
    assert!(iq.payload.is_none());
    assert!(iq.error.is_none());
}

#[tokio::test]
async fn version_defaults_to_the_sdk_and_takes_the_users_crate() {
    let bot: Bot = Bot::new();
    let (_, _, version) = ask::<Version>(&bot, Version::default().to_element()).await;
    assert_eq!(
        version.unwrap(),
        Version::new("xmpp-rest-bot", env!("CARGO_PKG_VERSION"))
    );

    let bot: Bot =
        Bot::new().builtin(Builtin::default().software(software_version!().with_os("Linux")));
    let (_, _, version) = ask::<Version>(&bot, Version::default().to_element()).await;
    let version = version.unwrap();
    // expanded in this test crate: the package is xmpp-rest-bot itself here
    assert_eq!(version.name.as_deref(), Some(env!("CARGO_PKG_NAME")));
    assert_eq!(version.version.as_deref(), Some(env!("CARGO_PKG_VERSION")));
    assert_eq!(version.os.as_deref(), Some("Linux"));
}

/// An attributed handler: it carries the package it was compiled in.
#[on_message(chat)]
async fn attributed(MessageText(text): MessageText) -> String {
    text
}

/// A handler without attribute: its package is unknown.
async fn plain(MessageText(text): MessageText) -> String {
    text
}

#[tokio::test]
async fn version_comes_from_the_first_attributed_handler_unless_given() {
    let given = Version::new("weather-bot", "2.0.1");
    let package = Version::new(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"));
    let cases: [(&str, Bot, &Version); 4] = [
        // (in this test crate the package is xmpp-rest-bot itself: the
        // template check proves a user's package name is the one answered)
        ("attributed", Bot::new().handler(attributed), &package),
        (
            "given, then attributed",
            Bot::new()
                .builtin(Builtin::default().software(given.clone()))
                .handler(attributed),
            &given,
        ),
        (
            "attributed, then given",
            Bot::new()
                .handler(attributed)
                .builtin(Builtin::default().software(given.clone())),
            &given,
        ),
        ("plain", Bot::new().handler(plain), &package),
    ];
    for (case, bot, expected) in cases {
        let (_, _, version) = ask::<Version>(&bot, Version::default().to_element()).await;
        assert_eq!(version.as_ref(), Some(expected), "{case}");
    }
    let route = xmpp_rest_bot::handler::IntoRoute::into_route(attributed);
    let bot: Bot = Bot::new().handler(route).handler(plain);
    assert_eq!(
        bot.disco_info().identities[0].name.as_deref(),
        Some(env!("CARGO_PKG_NAME"))
    );
}

#[tokio::test]
async fn disco_items_are_empty_until_something_registers_some() {
    let bot: Bot = Bot::new();
    let (status, _, items) = ask::<DiscoItems>(&bot, DiscoItems::new().to_element()).await;
    assert_eq!(status, 200);
    assert!(items.unwrap().items.is_empty());

    let me: Jid = "bot@bot.localhost".parse().unwrap();
    let deploy = DiscoItem::new(me.clone())
        .with_node("deploy")
        .with_name("Deploy");
    let bot: Bot = Bot::new().builtin(
        Builtin::default()
            .item(DiscoItem::new("rooms.localhost".parse().unwrap()))
            .feature(ns::COMMANDS)
            .node_item(ns::COMMANDS, deploy.clone())
            .node_info(
                "deploy",
                DiscoInfo::new()
                    .with_identity(Identity::new("automation", "command-node").with_name("Deploy"))
                    .with_features([ns::COMMANDS, ns::DATA_FORMS]),
            ),
    );
    let (_, _, items) = ask::<DiscoItems>(&bot, DiscoItems::new().to_element()).await;
    assert_eq!(items.unwrap().items.len(), 1);
    let (status, _, items) =
        ask::<DiscoItems>(&bot, DiscoItems::for_node(ns::COMMANDS).to_element()).await;
    assert_eq!(status, 200);
    let items = items.unwrap();
    assert_eq!(items.node.as_deref(), Some(ns::COMMANDS));
    assert_eq!(items.items, [deploy]);

    let (status, _, info) =
        ask::<DiscoInfo>(&bot, DiscoInfo::for_node("deploy").to_element()).await;
    assert_eq!(status, 200);
    let info = info.unwrap();
    assert_eq!(info.node.as_deref(), Some("deploy"));
    assert_eq!(info.identities[0].category, "automation");

    // unknown nodes
    for query in [
        DiscoInfo::for_node("nope").to_element(),
        DiscoItems::for_node("nope").to_element(),
        // known for items, but without info
        DiscoInfo::for_node(ns::COMMANDS).to_element(),
    ] {
        let answer = bot.dispatch(Incoming::new(get(query))).await;
        assert_eq!(answer.status.as_u16(), 404);
        let Some(Stanza::Iq(iq)) = answer.stanza else {
            panic!()
        };
        assert_eq!(iq.error.unwrap().condition, Condition::ItemNotFound);
    }
}

#[tokio::test]
async fn user_handlers_take_precedence_over_the_builtins() {
    async fn my_version(iq: Iq, _: Version) -> Iq {
        iq.result(Some(Version::new("mine", "9")))
    }
    async fn my_disco(iq: Iq, query: DiscoInfo) -> Option<Iq> {
        // only the root; nodes fall through to the built-in answer
        query.node.is_none().then(|| {
            iq.result(Some(
                DiscoInfo::new()
                    .with_identity(Identity::bot("custom"))
                    .with_feature("urn:example:only"),
            ))
        })
    }
    let bot: Bot = Bot::new().handler(my_version).handler(my_disco);
    let (_, _, version) = ask::<Version>(&bot, Version::default().to_element()).await;
    assert_eq!(version.unwrap().name.as_deref(), Some("mine"));
    let (_, _, info) = ask::<DiscoInfo>(&bot, disco_info_query()).await;
    assert_eq!(info.unwrap().features, ["urn:example:only"]);
    // ping is still the bot's
    let (status, _, _) = ask::<Ping>(&bot, Ping.to_element()).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn builtins_can_be_switched_off_and_only_answer_gets() {
    let bot: Bot = Bot::new().builtin(Builtin::default().enabled(false));
    for payload in [
        Ping.to_element(),
        Version::default().to_element(),
        disco_info_query(),
    ] {
        let answer = bot.dispatch(Incoming::new(get(payload))).await;
        assert_eq!(answer.status.as_u16(), 503);
    }
    assert_eq!(
        bot.disco_info().features,
        Vec::<String>::new(),
        "no built-in features when they are off"
    );
    // a set is not a query
    let bot: Bot = Bot::new();
    let mut set = get(Ping.to_element());
    set.type_ = IqType::Set;
    let answer = bot.dispatch(Incoming::new(set)).await;
    assert_eq!(answer.status.as_u16(), 503);
    // an invalid disco query is a bad request
    let bad = Element::builder("query", ns::DISCO_INFO)
        .child(Element::new("feature", ns::DISCO_INFO))
        .build();
    let answer = bot.dispatch(Incoming::new(get(bad))).await;
    assert_eq!(answer.status.as_u16(), 400);
}

#[tokio::test]
async fn over_http_in_both_formats() {
    let server = start(
        Bot::new()
            .handler(echo)
            .builtin(Builtin::default().name("Echo")),
    )
    .await;
    for format in [WireFormat::Xml, WireFormat::Json] {
        let answer = server
            .post_stanza(format, &Stanza::Iq(get(disco_info_query())))
            .await;
        assert_eq!(answer.status, 200);
        // An iq result with a payload goes in XML even to a JSON post: the
        // early-2020 mod_rest's JSON would drop it.
        assert_eq!(answer.content_type(), Some("application/xmpp+xml"));
        let Stanza::Iq(iq) = answer.stanza() else {
            panic!()
        };
        let info = iq.payload_as::<DiscoInfo>().unwrap().unwrap();
        assert_eq!(info.identities, [Identity::bot("Echo")]);
        let answer = server
            .post_stanza(format, &Stanza::Iq(get(Ping.to_element())))
            .await;
        assert_eq!(answer.status, 200, "{format}");
    }
    server.stop().await.unwrap();
}
