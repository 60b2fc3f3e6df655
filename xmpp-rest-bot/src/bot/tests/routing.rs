//! Routing: payloads, order, filters, panics, time limits, state, and the
//! extractors' combinators.

use super::*;

#[tokio::test]
async fn typed_iq_payloads_route_by_payload() {
    async fn weather(iq: Iq, IqPayload(q): IqPayload<Weather>) -> Iq {
        iq.result(Some(Weather {
            city: format!("sunny {}", q.city),
        }))
    }
    let bot = Bot::new().handler(weather);

    let answer = bot
        .dispatch(Incoming::new(iq_get(Weather::query("Oslo"))))
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    let Some(Stanza::Iq(result)) = &answer.stanza else {
        panic!("expected an iq")
    };
    let payload = result.payload_as::<Weather>().unwrap().unwrap();
    assert_eq!(payload.city, "sunny Oslo");

    let other = Element::builder("query", "urn:example:unknown").build();
    let answer = bot.dispatch(Incoming::new(iq_get(other))).await;
    assert_eq!(error_of(&answer).condition, Condition::ServiceUnavailable);

    let invalid = Element::builder("weather", "urn:example:weather").build();
    let answer = bot.dispatch(Incoming::new(iq_get(invalid))).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    let error = error_of(&answer);
    assert_eq!(error.condition, Condition::BadRequest);
    assert!(error.text.as_deref().unwrap().contains("missing city"));
}

#[tokio::test]
async fn invalid_payload_stops_dispatch() {
    async fn weather(IqPayload(_): IqPayload<Weather>) -> &'static str {
        "unreachable"
    }
    let (count, fallback) = counting();
    let bot = Bot::new().handler(weather).handler(fallback);
    let invalid = Element::builder("weather", "urn:example:weather").build();
    let answer = bot.dispatch(Incoming::new(iq_get(invalid))).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(count.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn handlers_are_tried_in_registration_order() {
    async fn first(_: Message) -> &'static str {
        "first"
    }
    async fn second(MessageText(_): MessageText) -> &'static str {
        "second"
    }
    let answer = Bot::new()
        .handler(first)
        .handler(second)
        .dispatch(Incoming::new(chat("hi")))
        .await;
    assert_eq!(reply_message(&answer).body(), Some("first"));

    let answer = Bot::new()
        .handler(second)
        .handler(first)
        .dispatch(Incoming::new(chat("hi")))
        .await;
    assert_eq!(reply_message(&answer).body(), Some("second"));
}

#[tokio::test]
async fn a_skipping_extractor_falls_through_to_the_next_handler() {
    async fn with_body(MessageText(_): MessageText) -> &'static str {
        "body"
    }
    async fn any_message(_: Message) -> &'static str {
        "any"
    }
    // (contentless messages reach handlers only when the bot lets them)
    let bot = Bot::new()
        .message_rules(crate::bot::MessageRules::default().skip_contentless(false))
        .handler(with_body)
        .handler(any_message);
    let mut state_only = chat("");
    state_only.bodies.clear();
    let answer = bot.dispatch(Incoming::new(state_only)).await;
    assert_eq!(reply_message(&answer).body(), Some("any"));
    let answer = bot.dispatch(Incoming::new(chat("hi"))).await;
    assert_eq!(reply_message(&answer).body(), Some("body"));
}

#[tokio::test]
async fn filters_select_routes() {
    async fn admin(_: MessageText) -> &'static str {
        "admin"
    }
    async fn everyone(_: MessageText) -> &'static str {
        "everyone"
    }
    let bot = Bot::new()
        .handler(admin.with_filter(Filter::sender(jid("admin@localhost"))))
        .route(!Filter::stanza_type("chat"), everyone)
        .handler(Route::new(everyone).with_name("fallback"));
    assert_eq!(bot.routes()[2].name(), "fallback");
    assert!(bot.routes()[0].name().ends_with("admin"));

    let from_admin = chat("hi").with_from(jid("admin@localhost/laptop"));
    let answer = bot.dispatch(Incoming::new(from_admin)).await;
    assert_eq!(reply_message(&answer).body(), Some("admin"));

    let answer = bot.dispatch(Incoming::new(chat("hi"))).await;
    assert_eq!(reply_message(&answer).body(), Some("everyone"));
}

#[test]
fn filter_combinators() {
    let s = Incoming::new(chat("hi"));
    let yes = Filter::new(|_| true);
    let no = Filter::new(|_| false);
    assert!(yes.clone().and(yes.clone()).matches(&s));
    assert!(!yes.clone().and(no.clone()).matches(&s));
    assert!(yes.clone().or(no.clone()).matches(&s));
    assert!(!no.clone().or(no.clone()).matches(&s));
    assert!((!no.clone()).matches(&s));
    assert!(Filter::sender(jid("alice@localhost")).matches(&s));
    assert!(Filter::sender(jid("alice@localhost/phone")).matches(&s));
    assert!(!Filter::sender(jid("alice@localhost/laptop")).matches(&s));
    assert!(!Filter::sender(jid("bob@localhost")).matches(&s));
    assert!(Filter::recipient(jid("bot@bot.localhost")).matches(&s));
    assert!(Filter::kind(crate::stanza::StanzaKind::Message).matches(&s));
    assert!(!Filter::kind(crate::stanza::StanzaKind::Iq).matches(&s));
    assert!(!yes.accepts_responses());
    assert!(Filter::stanza_type("result").accepts_responses());
    assert!(
        yes.clone()
            .and(Filter::stanza_type("error"))
            .accepts_responses()
    );
    assert!(Filter::stanza_type("chat").and(yes).matches(&s));
}

#[tokio::test]
async fn a_panicking_handler_is_an_internal_error_and_the_bot_goes_on() {
    async fn boom(MessageText(text): MessageText) -> String {
        if text == "boom" {
            panic!("handler exploded");
        }
        text
    }
    let bot = Bot::new().handler(boom);
    let answer = bot.dispatch(Incoming::new(chat("boom"))).await;
    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(error_of(&answer).condition, Condition::InternalServerError);
    let answer = bot.dispatch(Incoming::new(chat("fine"))).await;
    assert_eq!(reply_message(&answer).body(), Some("fine"));
}

#[tokio::test]
async fn a_panicking_extractor_is_an_internal_error() {
    struct Explodes;
    impl<S> crate::extract::FromStanza<S> for Explodes {
        fn from_stanza(_: &Incoming, _: &S) -> Result<Self, Rejection> {
            panic!("extractor exploded")
        }
    }
    async fn handler(_: Explodes) {}
    let answer = Bot::new()
        .handler(handler)
        .dispatch(Incoming::new(chat("hi")))
        .await;
    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(error_of(&answer).condition, Condition::InternalServerError);
}

#[tokio::test]
async fn a_slow_handler_times_out() {
    async fn slow(_: Message) -> &'static str {
        tokio::time::sleep(Duration::from_secs(30)).await;
        "too late"
    }
    let answer = Bot::new()
        .handler(slow)
        .timeout(Duration::from_millis(20))
        .dispatch(Incoming::new(chat("hi")))
        .await;
    assert_eq!(answer.status, StatusCode::GATEWAY_TIMEOUT);
    assert_eq!(error_of(&answer).condition, Condition::RemoteServerTimeout);
}

#[derive(Clone)]
struct AppState {
    greeting: Greeting,
    count: Arc<AtomicUsize>,
}

#[derive(Clone)]
struct Greeting(&'static str);

impl FromRef<AppState> for Greeting {
    fn from_ref(state: &AppState) -> Self {
        state.greeting.clone()
    }
}

#[tokio::test]
async fn state_and_parts_of_it_reach_handlers() {
    async fn greet(
        State(greeting): State<Greeting>,
        State(app): State<AppState>,
        Sender(from): Sender,
    ) -> String {
        let n = app.count.fetch_add(1, Ordering::SeqCst) + 1;
        format!("{} {} #{n}", greeting.0, from.to_bare())
    }
    let state = AppState {
        greeting: Greeting("hello"),
        count: Arc::new(AtomicUsize::new(0)),
    };
    let bot: Bot = Bot::new().handler(greet).with_state(state.clone());
    let answer = bot.dispatch(Incoming::new(chat("hi"))).await;
    assert_eq!(
        reply_message(&answer).body(),
        Some("hello alice@localhost #1")
    );
    let answer = bot.dispatch(Incoming::new(chat("hi"))).await;
    assert_eq!(
        reply_message(&answer).body(),
        Some("hello alice@localhost #2")
    );
    assert_eq!(state.count.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn handlers_can_be_added_after_the_state() {
    async fn stateful(State(n): State<u32>, _: Message) -> String {
        n.to_string()
    }
    async fn stateless(_: Iq) -> Condition {
        Condition::NotAllowed
    }
    let bot: Bot = Bot::new()
        .handler(stateful)
        .with_state(7u32)
        .handler(stateless);
    let answer = bot.dispatch(Incoming::new(chat("hi"))).await;
    assert_eq!(reply_message(&answer).body(), Some("7"));
    let answer = bot
        .dispatch(Incoming::new(iq_get(Weather::query("x"))))
        .await;
    assert_eq!(error_of(&answer).condition, Condition::NotAllowed);
}

#[tokio::test]
async fn optional_and_fallible_extractors() {
    async fn maybe(body: Option<MessageText>, sender: Result<Sender, Rejection>) -> String {
        format!(
            "{} {}",
            body.map(|b| b.0).unwrap_or_else(|| "-".into()),
            sender.is_ok()
        )
    }
    let bot = Bot::new()
        .message_rules(crate::bot::MessageRules::default().skip_contentless(false))
        .handler(maybe);
    let mut bodiless = chat("");
    bodiless.bodies.clear();
    bodiless.from = None;
    let answer = bot.dispatch(Incoming::new(bodiless)).await;
    assert_eq!(reply_message(&answer).body(), Some("- false"));
    let answer = bot.dispatch(Incoming::new(chat("hi"))).await;
    assert_eq!(reply_message(&answer).body(), Some("hi true"));
}

#[tokio::test]
async fn twelve_arguments_compile_and_run() {
    #[allow(clippy::too_many_arguments)]
    async fn many(
        _: Message,
        _: MessageText,
        _: Sender,
        _: crate::extract::Recipient,
        _: crate::extract::Headers,
        _: crate::wire::WireFormat,
        _: Incoming,
        _: Stanza,
        _: Option<Iq>,
        _: Option<Presence>,
        _: State<()>,
        MessageText(text): MessageText,
    ) -> String {
        text
    }
    let answer = Bot::new()
        .handler(many)
        .dispatch(Incoming::new(chat("12")))
        .await;
    assert_eq!(reply_message(&answer).body(), Some("12"));
}

#[tokio::test]
async fn no_receipts_in_json() {
    async fn silent(_: Message) {}
    let request = receipt_request(chat("hi"));
    let answer = Bot::new()
        .handler(silent)
        .dispatch(Incoming::new(request.clone()).with_format(crate::wire::WireFormat::Json))
        .await;
    assert_eq!(answer.status, StatusCode::ACCEPTED);
    let answer = Bot::new()
        .handler(echo)
        .dispatch(Incoming::new(request).with_format(crate::wire::WireFormat::Json))
        .await;
    assert_eq!(reply_message(&answer).receipt, None);
}

#[test]
fn a_json_bot_names_what_the_early_2020_module_never_delivers() {
    use crate::stanza::Version;
    async fn echo(MessageText(text): MessageText) -> String {
        text
    }
    async fn version(IqPayload(_): IqPayload<Version>) -> Version {
        Version::new("bot", "1")
    }
    let plain: Bot = Bot::new().handler(echo);
    assert!(crate::bot::early_2020::unreachable_in_json(&plain.routes, &plain.config).is_empty());
    let bot: Bot = Bot::new().handler(echo).handler(version);
    let found = crate::bot::early_2020::unreachable_in_json(&bot.routes, &bot.config);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("software version queries (handler "),
        "{found:?}"
    );
}

#[tokio::test]
async fn an_iq_without_payload_in_json_is_told_apart() {
    let bot: Bot = Bot::new();
    let mut bare = Iq::new(IqType::Get, None).with_id("v1");
    bare.from = Some(jid("alice@localhost/phone"));
    bare.to = Some(jid("bot@bot.localhost"));
    // In JSON: what the early-2020 module makes of a version query.
    let answer = bot
        .dispatch(Incoming::new(bare.clone()).with_format(crate::wire::WireFormat::Json))
        .await;
    let error = answer
        .stanza
        .as_ref()
        .and_then(Stanza::stanza_error)
        .unwrap();
    assert_eq!(error.condition, Condition::ServiceUnavailable);
    assert!(error.text.as_deref().unwrap().contains("early-2020"));
    // In XML it is just an iq nobody handles.
    let answer = bot.dispatch(Incoming::new(bare)).await;
    let error = answer
        .stanza
        .as_ref()
        .and_then(Stanza::stanza_error)
        .unwrap();
    assert_eq!(error.condition, Condition::ServiceUnavailable);
    assert_eq!(error.text, None);
}
