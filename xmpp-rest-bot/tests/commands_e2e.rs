//! Chat commands and XEP-0050 ad-hoc commands end to end: a bot served over
//! HTTP, stanzas posted as mod_rest posts them, in XML and in JSON.

mod command_support;
mod webhook_support;

use command_support::Env;
use webhook_support::{HttpResponse, Server, post_xml, stanza_answered_to, start};
use xmpp_rest_bot::command::{BotCommands, Command};
use xmpp_rest_bot::handler::HandlerExt;
use xmpp_rest_bot::prelude::*;
use xmpp_rest_bot::reply::Reply;
use xmpp_rest_bot::stanza::{self, DataForm, DiscoInfo, DiscoItems, Element, FormField, Payload};

const FORMATS: [WireFormat; 2] = [WireFormat::Xml, WireFormat::Json];
const COMMANDS_NODE: &str = "http://jabber.org/protocol/commands";

#[derive(BotCommands, Debug, PartialEq)]
enum Ops {
    /// Deploy a version to an environment.
    Deploy { env: Env, version: String },
    /// Tag hosts.
    Tag { tag: String, hosts: Vec<String> },
    /// Restart a service.
    Restart {
        service: String,
        force: bool,
        note: Option<String>,
    },
    /// Say something.
    Say {
        #[command(rest)]
        text: String,
    },
    /// Show the status.
    #[command(aliases = ["st"])]
    Status,
    /// Fail on purpose.
    Fail,
    /// Do it quietly.
    Quiet,
    #[command(hide)]
    Secret,
}

async fn ops(Command(cmd): Command<Ops>, Sender(from): Sender) -> Reply {
    match cmd {
        Ops::Deploy { env, version } => Reply::text(format!("deploying {version} to {env:?}")),
        Ops::Tag { tag, hosts } => Reply::text(format!("{tag}: {}", hosts.join(","))),
        Ops::Restart {
            service,
            force,
            note,
        } => Reply::text(format!("restart {service} force={force} note={note:?}")),
        Ops::Say { text } => Reply::text(text),
        // A message reply: its body is what the sender reads.
        Ops::Status => {
            Reply::stanza(Message::new(MessageType::Chat).with_body(format!("all green, {from}")))
        }
        Ops::Fail => Reply::error(StanzaError::new(Condition::Forbidden).with_text("not today")),
        Ops::Quiet => Reply::ack(),
        Ops::Secret => Reply::error(Condition::NotAllowed),
    }
}

/// Commands only admins have, sharing the `!` prefix.
#[derive(BotCommands, Debug, PartialEq)]
enum Admin {
    /// Ban someone.
    Ban { user: String },
}

async fn admin(Command(cmd): Command<Admin>) -> String {
    match cmd {
        Admin::Ban { user } => format!("banned {user}"),
    }
}

async fn chat_fallback(MessageText(text): MessageText) -> String {
    format!("you said: {text}")
}

fn jid(s: &str) -> Jid {
    s.parse().unwrap()
}

fn bot_jid() -> Jid {
    jid("bot@bot.localhost")
}

fn chat(body: &str) -> Message {
    Message::chat(bot_jid(), body)
        .with_from(jid("alice@localhost/phone"))
        .with_id("m1")
}

async fn ops_bot() -> Server {
    start(
        Bot::new()
            .handler(ops)
            .handler(admin)
            .ad_hoc_commands::<Ops>(),
    )
    .await
}

async fn ask(server: &Server, format: WireFormat, stanza: impl Into<Stanza>) -> HttpResponse {
    server.post_stanza(format, &stanza.into()).await
}

/// The body of the chat reply, checking it is a 200 message of `type_`.
fn reply_text(answer: &HttpResponse, format: WireFormat, type_: MessageType) -> String {
    assert_eq!(answer.status, 200, "{answer:?}");
    match stanza_answered_to(answer, format) {
        Stanza::Message(m) => {
            assert_eq!(m.type_, type_, "{m:?}");
            assert!(m.error.is_none(), "a chat reply, not an error: {m:?}");
            m.body().unwrap().to_owned()
        }
        other => panic!("expected a message, got {other:?}"),
    }
}

async fn chat_reply(server: &Server, format: WireFormat, body: &str) -> String {
    reply_text(
        &ask(server, format, chat(body)).await,
        format,
        MessageType::Chat,
    )
}

/// Sends each chat line, in every format, and checks the text answered.
async fn assert_chat_replies(server: &Server, cases: &[(&str, &str)]) {
    for format in FORMATS {
        for (line, expected) in cases {
            assert_eq!(
                chat_reply(server, format, line).await,
                *expected,
                "{format:?}: {line:?}"
            );
        }
    }
}

// ------------------------------------------------------------------ chat

#[tokio::test]
async fn commands_are_parsed_and_answered() {
    let server = ops_bot().await;
    assert_chat_replies(
        &server,
        &[
            ("!deploy prod v1.2", "deploying v1.2 to Prod"),
            ("/DEPLOY staging \"v1 rc\"", "deploying v1 rc to Staging"),
            ("!tag web a 'b c'", "web: a,b c"),
            ("!st", "all green, alice@localhost/phone"),
            ("!say  hello   world ", "hello   world"),
            ("!ban bob", "banned bob"),
        ],
    )
    .await;
    server.stop().await.unwrap();
}

#[tokio::test]
async fn parse_errors_are_chat_replies_naming_the_argument() {
    let server = ops_bot().await;
    assert_chat_replies(
        &server,
        &[
            (
                "!deploy prod",
                "deploy: missing argument <version> (usage: !deploy <env> <version>)",
            ),
            (
                "!deploy prod v1 now",
                "deploy: unexpected argument \"now\" (usage: !deploy <env> <version>)",
            ),
            (
                "!deploy qa v1",
                "deploy: invalid <env> \"qa\": expected staging or prod, not \"qa\" \
                 (usage: !deploy <env> <version>)",
            ),
            (
                "!restart web maybe",
                "restart: invalid <force> \"maybe\": provided string was not `true` or `false` \
                 (usage: !restart <service> <force> [note])",
            ),
            (
                "!say \"open",
                "unclosed quote after `!say`: close it, or escape it with a backslash",
            ),
            (
                "!deplyo prod v1",
                "unknown command \"deplyo\": did you mean \"!deploy\"?",
            ),
            (
                "!frobnicate",
                "unknown command \"frobnicate\": send !help for the list of commands",
            ),
        ],
    )
    .await;
    server.stop().await.unwrap();
}

#[tokio::test]
async fn handler_errors_in_chat_are_error_stanzas() {
    let server = ops_bot().await;
    for format in FORMATS {
        let answer = ask(&server, format, chat("!fail")).await;
        assert_eq!(answer.status, 403);
        let error = stanza_answered_to(&answer, format);
        assert_eq!(
            error.stanza_error().unwrap().text.as_deref(),
            Some("not today")
        );
        let answer = ask(&server, format, chat("!quiet")).await;
        assert_eq!(answer.status, 202);
    }
    server.stop().await.unwrap();
}

#[tokio::test]
async fn help_is_automatic_with_every_prefix() {
    let server = ops_bot().await;
    let expected = format!("Commands:\n{}", Ops::help());
    assert!(
        !expected.contains("secret"),
        "hidden commands are not listed"
    );
    assert_chat_replies(
        &server,
        &[
            ("!help", &expected),
            ("/help", &expected),
            ("  !HELP ", &expected),
            ("!help status", "!status — Show the status. (also !st)"),
            (
                "!help !deploy",
                "!deploy <env> <version> — Deploy a version to an environment.",
            ),
            (
                "!help stauts",
                "unknown command \"stauts\": did you mean \"!status\"?",
            ),
        ],
    )
    .await;
    server.stop().await.unwrap();
}

#[derive(BotCommands, Debug, PartialEq)]
enum WithHelp {
    /// My own help.
    Help { topic: Option<String> },
    /// Ping.
    Ping,
}

#[tokio::test]
async fn help_can_be_overridden() {
    async fn handle(Command(cmd): Command<WithHelp>) -> String {
        match cmd {
            WithHelp::Help { topic } => format!("custom help about {topic:?}"),
            WithHelp::Ping => "pong".to_owned(),
        }
    }
    let server = start(Bot::new().handler(handle)).await;
    assert_chat_replies(
        &server,
        &[
            ("!help", "custom help about None"),
            ("/help ping", "custom help about Some(\"ping\")"),
            (
                "!help a b",
                "help: unexpected argument \"b\" (usage: !help [topic])",
            ),
            // Without automatic help, an unknown command gets no hint.
            ("!nope", "unknown command \"nope\""),
        ],
    )
    .await;
    server.stop().await.unwrap();
}

#[tokio::test]
async fn non_commands_are_skipped_for_other_handlers() {
    let server = start(Bot::new().handler(ops).handler(chat_fallback)).await;
    for format in FORMATS {
        for plain in ["hello", "! deploy", "deploy prod v1", "say !deploy", "!"] {
            assert_eq!(
                chat_reply(&server, format, plain).await,
                format!("you said: {plain}")
            );
        }
        // Only a command's own handler answers it.
        assert_eq!(
            chat_reply(&server, format, "!deploy prod v1").await,
            "deploying v1 to Prod"
        );
    }
    server.stop().await.unwrap();

    // Nothing else: no answer at all.
    let server = start(Bot::new().handler(ops)).await;
    for format in FORMATS {
        let answer = ask(&server, format, chat("hello")).await;
        assert_eq!(answer.status, 202, "{answer:?}");
        // A message without body (a chat state) is not a command either.
        let mut typing = chat("x");
        typing.bodies.clear();
        assert_eq!(ask(&server, format, typing).await.status, 202);
    }
    server.stop().await.unwrap();
}

#[tokio::test]
async fn unknown_commands_fall_through_to_later_handlers() {
    // A catch-all after the commands receives unknown commands...
    let server = start(Bot::new().handler(ops).handler(chat_fallback)).await;
    assert_eq!(
        chat_reply(&server, WireFormat::Xml, "!deplyo").await,
        "you said: !deplyo"
    );
    server.stop().await.unwrap();
    // ...unless it leaves the commands out.
    let server = start(
        Bot::new()
            .handler(ops)
            .handler(chat_fallback.with_filter(!Command::<Ops>::filter())),
    )
    .await;
    assert_eq!(
        chat_reply(&server, WireFormat::Xml, "!deplyo").await,
        "unknown command \"deplyo\": did you mean \"!deploy\"?"
    );
    assert_eq!(
        chat_reply(&server, WireFormat::Xml, "hi").await,
        "you said: hi"
    );
    server.stop().await.unwrap();
    // Two enums on one prefix: the first enum's fallback answers only when
    // neither knows the name.
    let server = ops_bot().await;
    assert_eq!(
        chat_reply(&server, WireFormat::Json, "!bna bob").await,
        "unknown command \"bna\": send !help for the list of commands"
    );
    server.stop().await.unwrap();
}

#[tokio::test]
async fn groupchat_commands_are_answered_in_the_room() {
    let server = ops_bot().await;
    for format in FORMATS {
        for (body, expected) in [
            ("!deploy prod v2", "deploying v2 to Prod"),
            (
                "!deploy",
                "deploy: missing argument <env> (usage: !deploy <env> <version>)",
            ),
            ("!help status", "!status — Show the status. (also !st)"),
        ] {
            let msg = Message::groupchat(bot_jid(), body).with_from(jid("ops@muc.localhost/alice"));
            let answer = ask(&server, format, msg).await;
            assert_eq!(
                reply_text(&answer, format, MessageType::Groupchat),
                expected
            );
            let Stanza::Message(reply) = answer.stanza() else {
                unreachable!()
            };
            assert_eq!(reply.to, Some(jid("ops@muc.localhost")));
        }
    }
    server.stop().await.unwrap();
}

#[tokio::test]
async fn room_history_is_not_run() {
    let server = ops_bot().await;
    let history = r#"<message type="groupchat" to="bot@bot.localhost" from="ops@muc.localhost/alice" id="h1"><body>!deploy prod v1</body><delay xmlns="urn:xmpp:delay" stamp="2024-01-01T10:00:00Z" from="ops@muc.localhost"/></message>"#;
    let answer = server
        .post("application/xmpp+xml", history.as_bytes())
        .await;
    assert_eq!(answer.status, 202, "{answer:?}");
    // The same message typed now is run.
    let live = history.replace(
        r#"<delay xmlns="urn:xmpp:delay" stamp="2024-01-01T10:00:00Z" from="ops@muc.localhost"/>"#,
        "",
    );
    let answer = server.post("application/xmpp+xml", live.as_bytes()).await;
    assert_eq!(
        reply_text(&answer, WireFormat::Xml, MessageType::Groupchat),
        "deploying v1 to Prod"
    );
    server.stop().await.unwrap();
}

// ------------------------------------------------------------------ ad-hoc

fn iq(type_: IqType, payload: Element) -> Iq {
    let mut iq = Iq::new(type_, Some(payload))
        .with_id("c1")
        .with_to(bot_jid());
    iq.from = Some(jid("alice@localhost/gajim"));
    iq
}

fn command_set(cmd: stanza::AdHocCommand) -> Iq {
    iq(IqType::Set, cmd.to_element())
}

/// The `<command/>` of a 200 iq result.
async fn run_command(
    server: &Server,
    format: WireFormat,
    cmd: stanza::AdHocCommand,
) -> stanza::AdHocCommand {
    let answer = ask(server, format, command_set(cmd)).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let Stanza::Iq(result) = stanza_answered_to(&answer, format) else {
        panic!("not an iq: {answer:?}")
    };
    assert_eq!(result.type_, IqType::Result, "{result:?}");
    assert_eq!(result.id.as_deref(), Some("c1"));
    result
        .payload_as::<stanza::AdHocCommand>()
        .unwrap()
        .unwrap()
}

fn note(cmd: &stanza::AdHocCommand) -> (&str, &str) {
    assert_eq!(cmd.notes.len(), 1, "{cmd:?}");
    (
        cmd.notes[0].type_.as_deref().unwrap(),
        cmd.notes[0].text.as_str(),
    )
}

fn submit(node: &str, sessionid: &str, values: &[(&str, &str)]) -> stanza::AdHocCommand {
    stanza::AdHocCommand::new(node)
        .with_action("complete")
        .with_sessionid(sessionid)
        .with_form(DataForm::submit(values.iter().copied()))
}

#[tokio::test]
async fn disco_items_list_the_visible_commands() {
    let server = ops_bot().await;
    for format in FORMATS {
        let answer = ask(
            &server,
            format,
            iq(
                IqType::Get,
                DiscoItems::for_node(COMMANDS_NODE).to_element(),
            ),
        )
        .await;
        assert_eq!(answer.status, 200);
        let Stanza::Iq(result) = stanza_answered_to(&answer, format) else {
            panic!()
        };
        let items = result.payload_as::<DiscoItems>().unwrap().unwrap();
        let listed: Vec<(String, &str, &str)> = items
            .items
            .iter()
            .map(|i| {
                (
                    i.jid.to_string(),
                    i.node.as_deref().unwrap(),
                    i.name.as_deref().unwrap(),
                )
            })
            .collect();
        let bot = "bot@bot.localhost".to_owned();
        assert_eq!(
            listed,
            [
                (bot.clone(), "deploy", "Deploy a version to an environment."),
                (bot.clone(), "tag", "Tag hosts."),
                (bot.clone(), "restart", "Restart a service."),
                (bot.clone(), "say", "Say something."),
                (bot.clone(), "status", "Show the status."),
                (bot.clone(), "fail", "Fail on purpose."),
                (bot.clone(), "quiet", "Do it quietly."),
            ]
        );
        if format == WireFormat::Xml {
            assert_eq!(items.node.as_deref(), Some(COMMANDS_NODE));
        }
    }
    server.stop().await.unwrap();
}

#[tokio::test]
async fn disco_items_answer_in_mod_rest_json() {
    let server = ops_bot().await;
    let body = r#"{"kind":"iq","type":"get","id":"i1","to":"bot@bot.localhost","from":"alice@localhost/gajim","items":{"node":"http://jabber.org/protocol/commands"}}"#;
    let answer = server.post("application/json", body.as_bytes()).await;
    assert_eq!(answer.status, 200);
    // The items go in XML: the early-2020 module's JSON would drop them.
    assert_eq!(answer.content_type(), Some("application/xmpp+xml"));
    let Stanza::Iq(result) = answer.stanza() else {
        panic!("{answer:?}")
    };
    assert_eq!(result.type_, IqType::Result);
    let items = result.payload_as::<DiscoItems>().unwrap().unwrap();
    assert_eq!(items.items.len(), 7);
    assert_eq!(items.items[0].node.as_deref(), Some("deploy"));
    assert_eq!(
        items.items[0].name.as_deref(),
        Some("Deploy a version to an environment.")
    );
    server.stop().await.unwrap();
}

#[tokio::test]
async fn disco_info_on_a_command_node() {
    let server = ops_bot().await;
    for format in FORMATS {
        let answer = ask(
            &server,
            format,
            iq(IqType::Get, DiscoInfo::for_node("deploy").to_element()),
        )
        .await;
        let Stanza::Iq(result) = stanza_answered_to(&answer, format) else {
            panic!()
        };
        let info = result.payload_as::<DiscoInfo>().unwrap().unwrap();
        assert_eq!(info.node.as_deref(), Some("deploy"));
        assert_eq!(info.identities.len(), 1);
        assert_eq!(info.identities[0].category, "automation");
        assert_eq!(info.identities[0].type_, "command-node");
        assert_eq!(
            info.identities[0].name.as_deref(),
            Some("Deploy a version to an environment.")
        );
        assert!(info.has_feature(COMMANDS_NODE));
        assert!(info.has_feature("jabber:x:data"));
    }
    server.stop().await.unwrap();
}

#[tokio::test]
async fn execute_returns_a_form_and_submitting_it_runs_the_chat_handler() {
    let server = ops_bot().await;
    for format in FORMATS {
        let stage = run_command(&server, format, stanza::AdHocCommand::execute("deploy")).await;
        assert_eq!(stage.node, "deploy");
        assert_eq!(stage.status.as_deref(), Some("executing"));
        let sessionid = stage.sessionid.clone().expect("a session id");
        assert!(!sessionid.is_empty());
        let actions = stage.actions.clone().unwrap();
        assert_eq!(actions.execute.as_deref(), Some("complete"));
        assert!(actions.complete && !actions.next && !actions.prev);
        let form = stage.form.clone().unwrap();
        assert_eq!(form.type_, "form");
        let fields: Vec<(&str, &str, &str, bool)> = form
            .fields
            .iter()
            .map(|f| {
                (
                    f.var.as_deref().unwrap(),
                    f.type_.as_deref().unwrap(),
                    f.label.as_deref().unwrap(),
                    f.required,
                )
            })
            .collect();
        assert_eq!(
            fields,
            [
                ("env", "text-single", "env", true),
                ("version", "text-single", "version", true)
            ]
        );

        let done = run_command(
            &server,
            format,
            submit(
                "deploy",
                &sessionid,
                &[("env", "prod"), ("version", "v1.2")],
            ),
        )
        .await;
        assert_eq!(done.status.as_deref(), Some("completed"));
        assert_eq!(done.sessionid.as_deref(), Some(sessionid.as_str()));
        assert_eq!(note(&done), ("info", "deploying v1.2 to Prod"));
        assert_eq!(done.form, None);
    }
    server.stop().await.unwrap();
}

#[tokio::test]
async fn form_fields_follow_the_argument_types() {
    let server = ops_bot().await;
    for format in FORMATS {
        let stage = run_command(&server, format, stanza::AdHocCommand::execute("restart")).await;
        let form = stage.form.unwrap();
        let fields: Vec<(&str, &str, bool)> = form
            .fields
            .iter()
            .map(|f| {
                (
                    f.var.as_deref().unwrap(),
                    f.type_.as_deref().unwrap(),
                    f.required,
                )
            })
            .collect();
        assert_eq!(
            fields,
            [
                ("service", "text-single", true),
                ("force", "boolean", false),
                ("note", "text-single", false)
            ]
        );
        let stage = run_command(&server, format, stanza::AdHocCommand::execute("tag")).await;
        let types: Vec<&str> = stage
            .form
            .as_ref()
            .unwrap()
            .fields
            .iter()
            .map(|f| f.type_.as_deref().unwrap())
            .collect();
        assert_eq!(types, ["text-single", "text-multi"]);

        // Booleans as XEP-0004 writes them, an absent optional value, and
        // one value per line of a text-multi.
        let done = run_command(
            &server,
            format,
            submit("restart", "s", &[("service", "web"), ("force", "1")]),
        )
        .await;
        assert_eq!(note(&done), ("info", "restart web force=true note=None"));
        let mut tag = submit("tag", "s", &[("tag", "web")]);
        tag.form
            .as_mut()
            .unwrap()
            .fields
            .push(FormField::new("hosts").with_values(["a", "b"]));
        let done = run_command(&server, format, tag).await;
        assert_eq!(note(&done), ("info", "web: a,b"));
    }
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_submission_in_mod_rest_json() {
    let server = ops_bot().await;
    // mod_rest's `data` is `{var: value}`; a text-multi is one string with newlines.
    let body = r#"{"kind":"iq","type":"set","id":"j1","to":"bot@bot.localhost","from":"alice@localhost/gajim",
        "command":{"node":"tag","action":"complete","sessionid":"s9","data":{"tag":"db","hosts":"x\ny\n"}}}"#;
    let answer = server.post("application/json", body.as_bytes()).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    // The answer goes in XML: the early-2020 module's JSON drops ad-hoc answers.
    let Stanza::Iq(result) = stanza_answered_to(&answer, WireFormat::Json) else {
        panic!("{answer:?}")
    };
    assert_eq!(result.type_, IqType::Result);
    assert_eq!(result.id.as_deref(), Some("j1"));
    let done = result
        .payload_as::<stanza::AdHocCommand>()
        .unwrap()
        .unwrap();
    assert_eq!(done.node, "tag");
    assert_eq!(done.sessionid.as_deref(), Some("s9"));
    assert_eq!(done.status.as_deref(), Some("completed"));
    assert_eq!(note(&done), ("info", "db: x,y"));
    // Executing by node string.
    let body = r#"{"kind":"iq","type":"set","id":"j2","to":"bot@bot.localhost","from":"alice@localhost/gajim","command":"status"}"#;
    let answer = server.post("application/json", body.as_bytes()).await;
    let Stanza::Iq(result) = stanza_answered_to(&answer, WireFormat::Json) else {
        panic!("{answer:?}")
    };
    let done = result
        .payload_as::<stanza::AdHocCommand>()
        .unwrap()
        .unwrap();
    assert_eq!(done.status.as_deref(), Some("completed"));
    assert_eq!(note(&done), ("info", "all green, alice@localhost/gajim"));
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_submission_in_xml_as_clients_send_it() {
    let server = ops_bot().await;
    let body = r#"<iq type="set" id="x1" to="bot@bot.localhost" from="alice@localhost/gajim"><command xmlns="http://jabber.org/protocol/commands" node="deploy" sessionid="s1" action="execute"><x xmlns="jabber:x:data" type="submit"><field var="env" type="text-single"><value>staging</value></field><field var="version" type="text-single"><value>v3</value></field></x></command></iq>"#;
    let answer = post_xml(server.addr, "/", body).await;
    assert_eq!(answer.status, 200);
    let text = answer.text();
    assert!(text.starts_with("<iq "), "{text}");
    assert!(text.contains("type='result'"), "{text}");
    assert!(text.contains("id='x1'"), "{text}");
    assert!(
        text.contains("<command xmlns='http://jabber.org/protocol/commands' node='deploy' sessionid='s1' status='completed'><note type='info'>deploying v3 to Staging</note></command>"),
        "{text}"
    );
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_command_without_arguments_runs_at_once() {
    let server = ops_bot().await;
    for format in FORMATS {
        for request in [
            stanza::AdHocCommand::execute("status"),
            stanza::AdHocCommand::new("STATUS"),
        ] {
            let node = request.node.clone();
            let done = run_command(&server, format, request).await;
            assert_eq!(done.node, node);
            assert_eq!(done.status.as_deref(), Some("completed"));
            assert_eq!(note(&done), ("info", "all green, alice@localhost/gajim"));
        }
        // No reply: completed without note.
        let done = run_command(&server, format, stanza::AdHocCommand::execute("quiet")).await;
        assert_eq!(done.status.as_deref(), Some("completed"));
        assert!(done.notes.is_empty());
        // Hidden commands are not listed but run.
        let done = run_command(&server, format, stanza::AdHocCommand::execute("secret")).await;
        assert_eq!(note(&done), ("error", "not allowed"));
    }
    server.stop().await.unwrap();
}

#[tokio::test]
async fn cancel_ends_the_session() {
    let server = ops_bot().await;
    for format in FORMATS {
        let done = run_command(
            &server,
            format,
            stanza::AdHocCommand::new("deploy")
                .with_action("cancel")
                .with_sessionid("s7"),
        )
        .await;
        assert_eq!(done.status.as_deref(), Some("canceled"));
        assert_eq!(done.sessionid.as_deref(), Some("s7"));
        assert!(done.notes.is_empty() && done.form.is_none());
    }
    server.stop().await.unwrap();
}

#[tokio::test]
async fn unknown_nodes_are_item_not_found() {
    let server = ops_bot().await;
    for format in FORMATS {
        let answer = ask(
            &server,
            format,
            command_set(stanza::AdHocCommand::execute("frobnicate")),
        )
        .await;
        assert_eq!(answer.status, 404, "{answer:?}");
        let error = stanza_answered_to(&answer, format);
        assert_eq!(error.kind(), StanzaKind::Iq);
        let error = error.stanza_error().unwrap();
        assert_eq!(error.condition, Condition::ItemNotFound);
        assert_eq!(error.text.as_deref(), Some("no command \"frobnicate\""));
    }
    server.stop().await.unwrap();

    // A handler of the user's own for other nodes still gets them.
    async fn own(cmd: stanza::AdHocCommand, iq: Iq) -> Iq {
        iq.result(Some(cmd.completed()))
    }
    let server = start(
        Bot::new()
            .handler(ops)
            .handler(own)
            .ad_hoc_commands::<Ops>(),
    )
    .await;
    let done = run_command(
        &server,
        WireFormat::Xml,
        stanza::AdHocCommand::execute("frobnicate"),
    )
    .await;
    assert_eq!(done.status.as_deref(), Some("completed"));
    assert!(done.notes.is_empty());
    server.stop().await.unwrap();
}

#[tokio::test]
async fn bad_values_return_the_form_with_an_error_note() {
    let server = ops_bot().await;
    for format in FORMATS {
        let again = run_command(
            &server,
            format,
            submit("deploy", "s3", &[("env", "qa"), ("version", "v1")]),
        )
        .await;
        assert_eq!(again.status.as_deref(), Some("executing"));
        assert_eq!(again.sessionid.as_deref(), Some("s3"));
        assert_eq!(
            note(&again),
            (
                "error",
                "deploy: invalid <env> \"qa\": expected staging or prod, not \"qa\" \
                 (usage: !deploy <env> <version>)"
            )
        );
        let form = again.form.unwrap();
        assert_eq!(form.type_, "form");
        assert_eq!(
            form.value("env"),
            Some("qa"),
            "the submitted values are kept"
        );
        assert_eq!(form.value("version"), Some("v1"));
        assert!(again.actions.unwrap().complete);

        let again = run_command(&server, format, submit("deploy", "s3", &[("env", "prod")])).await;
        assert_eq!(again.status.as_deref(), Some("executing"));
        let (type_, text) = note(&again);
        assert_eq!(type_, "error");
        assert!(text.contains("missing argument <version>"), "{text}");

        let again = run_command(
            &server,
            format,
            submit("restart", "s4", &[("service", "web"), ("force", "perhaps")]),
        )
        .await;
        let (_, text) = note(&again);
        assert!(
            text.starts_with("restart: invalid <force> \"perhaps\""),
            "{text}"
        );
        assert_eq!(again.form.unwrap().value("force"), Some("perhaps"));
    }
    server.stop().await.unwrap();
}

#[tokio::test]
async fn handler_errors_become_error_notes() {
    let server = ops_bot().await;
    for format in FORMATS {
        let done = run_command(&server, format, stanza::AdHocCommand::execute("fail")).await;
        assert_eq!(done.status.as_deref(), Some("completed"));
        assert_eq!(note(&done), ("error", "not today"));
    }
    server.stop().await.unwrap();
}

#[tokio::test]
async fn unsupported_actions_are_bad_requests() {
    let server = ops_bot().await;
    for format in FORMATS {
        let answer = ask(
            &server,
            format,
            command_set(stanza::AdHocCommand::new("deploy").with_action("prev")),
        )
        .await;
        assert_eq!(answer.status, 400);
        let error = stanza_answered_to(&answer, format);
        assert_eq!(
            error.stanza_error().unwrap().condition,
            Condition::BadRequest
        );
    }
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_handler_that_cannot_take_iqs_is_feature_not_implemented() {
    async fn chat_only(_: Message, Command(_): Command<Ops>) -> &'static str {
        "ok"
    }
    let server = start(Bot::new().handler(chat_only).ad_hoc_commands::<Ops>()).await;
    for format in FORMATS {
        let answer = ask(
            &server,
            format,
            command_set(stanza::AdHocCommand::execute("status")),
        )
        .await;
        assert_eq!(answer.status, 501, "{answer:?}");
        assert_eq!(
            answer.stanza().stanza_error().unwrap().condition,
            Condition::FeatureNotImplemented
        );
        // The chat side works.
        assert_eq!(chat_reply(&server, format, "!status").await, "ok");
    }
    server.stop().await.unwrap();
}

#[tokio::test]
async fn without_registration_ad_hoc_requests_reach_the_routes() {
    let server = start(Bot::new().handler(ops)).await;
    for format in FORMATS {
        let answer = ask(
            &server,
            format,
            command_set(stanza::AdHocCommand::execute("status")),
        )
        .await;
        assert_eq!(answer.status, 503, "{answer:?}");
        // The bot may answer discovery itself, but lists no command.
        let answer = ask(
            &server,
            format,
            iq(
                IqType::Get,
                DiscoItems::for_node(COMMANDS_NODE).to_element(),
            ),
        )
        .await;
        if answer.status == 200 {
            let Stanza::Iq(result) = answer.stanza() else {
                panic!()
            };
            let items = result.payload_as::<DiscoItems>().unwrap().unwrap();
            assert!(items.items.is_empty(), "{items:?}");
        }
    }
    server.stop().await.unwrap();
}

#[tokio::test]
async fn an_authorization_extractor_answers_both_sides() {
    use xmpp_rest_bot::extract::{FromStanza, Incoming, Rejection};

    /// Only alice may run commands.
    struct Operator;

    impl<S> FromStanza<S> for Operator {
        fn from_stanza(incoming: &Incoming, _: &S) -> Result<Self, Rejection> {
            match incoming.stanza().from() {
                Some(from) if from.to_bare().to_string() == "alice@localhost" => Ok(Operator),
                _ => Err(Rejection::reply(
                    StanzaError::new(Condition::Forbidden).with_text("operators only"),
                )),
            }
        }
    }

    async fn guarded(_: Operator, Command(cmd): Command<Ops>) -> String {
        format!("{cmd:?}")
    }
    let server = start(Bot::new().handler(guarded).ad_hoc_commands::<Ops>()).await;
    for format in FORMATS {
        assert_eq!(chat_reply(&server, format, "!status").await, "Status");
        let done = run_command(&server, format, stanza::AdHocCommand::execute("status")).await;
        assert_eq!(note(&done), ("info", "Status"));

        let mut mallory = command_set(stanza::AdHocCommand::execute("status"));
        mallory.from = Some(jid("mallory@localhost/x"));
        let answer = ask(&server, format, mallory).await;
        let Stanza::Iq(result) = stanza_answered_to(&answer, format) else {
            panic!()
        };
        let done = result
            .payload_as::<stanza::AdHocCommand>()
            .unwrap()
            .unwrap();
        assert_eq!(note(&done), ("error", "operators only"));

        let answer = ask(
            &server,
            format,
            chat("!status").with_from(jid("mallory@localhost/x")),
        )
        .await;
        assert_eq!(answer.status, 403);
    }
    server.stop().await.unwrap();
}

#[tokio::test]
async fn optional_and_result_command_arguments() {
    use xmpp_rest_bot::extract::{Incoming, Rejection};

    async fn maybe(cmd: Option<Command<Ops>>, MessageText(text): MessageText) -> String {
        match cmd {
            Some(Command(cmd)) => format!("command {cmd:?}"),
            None => format!("chat {text}"),
        }
    }
    let bot = Bot::new().handler(maybe);
    let text = |answer: xmpp_rest_bot::bot::Answer| match answer.stanza {
        Some(Stanza::Message(m)) => m.body().unwrap().to_owned(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        text(bot.dispatch(Incoming::new(chat("hi"))).await),
        "chat hi"
    );
    // An unknown command only has a fallback: `None`, and the handler runs.
    assert_eq!(
        text(bot.dispatch(Incoming::new(chat("!deplyo"))).await),
        "chat !deplyo"
    );
    // A wrong argument is an answer: the handler does not run.
    assert_eq!(
        text(bot.dispatch(Incoming::new(chat("!deploy"))).await),
        "deploy: missing argument <env> (usage: !deploy <env> <version>)"
    );

    // `Result<_, Rejection>`: the handler decides, and may answer with it.
    async fn decide(cmd: Result<Command<Ops>, Rejection>) -> Result<String, Rejection> {
        let Command(cmd) = cmd?;
        Ok(format!("ran {cmd:?}"))
    }
    let bot = Bot::new().handler(decide);
    assert_eq!(
        text(bot.dispatch(Incoming::new(chat("!status"))).await),
        "ran Status"
    );
    assert_eq!(
        text(bot.dispatch(Incoming::new(chat("!help status"))).await),
        "!status — Show the status. (also !st)"
    );
    assert_eq!(
        text(bot.dispatch(Incoming::new(chat("!deplyo"))).await),
        "unknown command \"deplyo\": did you mean \"!deploy\"?"
    );
    let answer = bot.dispatch(Incoming::new(chat("hello"))).await;
    assert_eq!(answer.status.as_u16(), 202);
    assert_eq!(answer.stanza, None);
}

#[tokio::test]
async fn complete_and_next_carry_the_values_whatever_the_form_type() {
    let server = ops_bot().await;
    for format in FORMATS {
        let mut lax = DataForm::form();
        lax.set_value("env", "staging");
        lax.set_value("version", "v9");
        for action in ["complete", "next"] {
            let request = stanza::AdHocCommand::new("deploy")
                .with_action(action)
                .with_sessionid("s1")
                .with_form(lax.clone());
            let done = run_command(&server, format, request).await;
            assert_eq!(note(&done), ("info", "deploying v9 to Staging"));
        }
        // `execute` with a form that is not a submission asks for the form.
        let request = stanza::AdHocCommand::execute("deploy").with_form(lax.clone());
        let stage = run_command(&server, format, request).await;
        assert_eq!(stage.status.as_deref(), Some("executing"));
        // A cancel form cancels.
        let request = stanza::AdHocCommand::new("deploy")
            .with_action("complete")
            .with_form(DataForm::cancel());
        let done = run_command(&server, format, request).await;
        assert_eq!(done.status.as_deref(), Some("canceled"));
    }
    server.stop().await.unwrap();
}
