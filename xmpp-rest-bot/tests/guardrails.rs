//! The guardrails through real HTTP, as a chatops bot meets them: access
//! groups declared on commands and handlers, per-sender help, confirmations
//! (yes, no, timeout, across replicas), rate limits (hit and recovered),
//! room occupants resolved to their real JIDs, the audit trail with secrets
//! masked, the metrics, and failing closed without guardrails.

mod webhook_support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use webhook_support::{HttpResponse, post_xml, start};
use xmpp_rest_bot::bot::Metrics;
use xmpp_rest_bot::command::{BotCommands, Command};
use xmpp_rest_bot::guard::{Access, Guardrails, RateLimit};
use xmpp_rest_bot::prelude::*;
use xmpp_rest_bot::storage::MemoryStorage;

#[derive(BotCommands, Debug, Clone, PartialEq)]
enum Ops {
    /// Show the status.
    Status,
    /// Deploy a version.
    #[command(allow = "ops", confirm)]
    Deploy { env: String, version: String },
    /// Rotate a secret.
    #[command(allow = "ops")]
    Rotate {
        name: String,
        #[command(redact)]
        secret: String,
    },
    /// Restart the service.
    #[command(rate = "1/s")]
    Restart,
}

/// What the handler ran, in order.
#[derive(Clone, Default)]
struct Ran(Arc<Mutex<Vec<Ops>>>);

impl Ran {
    fn handler(
        &self,
    ) -> impl Fn(Command<Ops>) -> std::future::Ready<String> + Clone + Send + Sync + 'static {
        let ran = self.clone();
        move |Command(cmd): Command<Ops>| {
            ran.0.lock().unwrap().push(cmd.clone());
            std::future::ready(format!("done: {cmd:?}"))
        }
    }

    fn take(&self) -> Vec<Ops> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

/// A bot with these guardrails running `Ops` commands, served; what its
/// handler ran, and its metrics.
async fn serve(rails: Guardrails) -> (webhook_support::Server, Ran, Metrics) {
    let ran = Ran::default();
    let bot = Bot::new().guardrails(rails).handler(ran.handler());
    let metrics = bot.metrics();
    (start(bot).await, ran, metrics)
}

fn access() -> Access {
    Access::new()
        .group("ops", ["alice@localhost", "*@ops.localhost"])
        .unwrap()
        .group("admins", ["root@localhost"])
        .unwrap()
}

fn chat(from: &str, body: &str) -> String {
    format!(
        "<message type='chat' id='m1' from='{from}' to='bot@bot.localhost'><body>{body}</body></message>"
    )
}

fn groupchat(from: &str, body: &str) -> String {
    format!(
        "<message type='groupchat' id='g1' from='{from}' to='bot@bot.localhost/bot'><body>{body}</body></message>"
    )
}

fn body_of(answer: &HttpResponse) -> String {
    match answer.stanza() {
        Stanza::Message(m) if m.error.is_none() => m.body().unwrap_or_default().to_owned(),
        other => panic!("expected a chat answer, got {other:?} ({})", answer.text()),
    }
}

fn error_of(answer: &HttpResponse) -> StanzaError {
    match answer.stanza() {
        Stanza::Message(m) => m.error.clone().expect("an error stanza"),
        other => panic!("expected a message error, got {other:?}"),
    }
}

#[tokio::test]
async fn groups_decide_who_runs_and_who_sees_a_command() {
    let (server, ran, metrics) = serve(Guardrails::new().access(access())).await;

    let ok = post_xml(
        server.addr,
        "/",
        &chat("alice@localhost/a", "!rotate db s3cr3t"),
    )
    .await;
    assert_eq!(ok.status, 200, "{}", ok.text());
    assert_eq!(
        ran.take(),
        [Ops::Rotate {
            name: "db".into(),
            secret: "s3cr3t".into()
        }]
    );

    // Not in the group: forbidden, the group named, nothing run.
    let denied = post_xml(
        server.addr,
        "/",
        &chat("mallory@localhost/x", "!rotate db x"),
    )
    .await;
    assert_eq!(denied.status, 403);
    let error = error_of(&denied);
    assert_eq!(error.condition, Condition::Forbidden);
    assert_eq!(
        error.text.as_deref(),
        Some("!rotate is for the ops group only")
    );
    assert!(ran.take().is_empty());

    // A command without a group is everyone's.
    let status = post_xml(server.addr, "/", &chat("mallory@localhost/x", "!status")).await;
    assert_eq!(body_of(&status), "done: Status");
    ran.take();

    // The help lists what the sender may run, no more.
    let help = body_of(&post_xml(server.addr, "/", &chat("mallory@localhost/x", "!help")).await);
    assert!(
        help.contains("!status") && help.contains("!restart"),
        "{help}"
    );
    assert!(
        !help.contains("deploy") && !help.contains("rotate"),
        "{help}"
    );
    let help = body_of(&post_xml(server.addr, "/", &chat("carol@ops.localhost/y", "!help")).await);
    assert!(
        help.contains("!deploy <env> <version>") && help.contains("!rotate"),
        "{help}"
    );
    let topic = body_of(
        &post_xml(
            server.addr,
            "/",
            &chat("mallory@localhost/x", "!help rotate"),
        )
        .await,
    );
    assert_eq!(topic, "unknown command \"rotate\"");

    assert_eq!(metrics.command_count("rotate", "ok"), 1);
    assert_eq!(metrics.command_count("rotate", "denied"), 1);
    assert_eq!(metrics.command_count("status", "ok"), 1);
    let text = metrics.render();
    assert!(
        text.contains("xmpp_bot_commands_total{command=\"rotate\",outcome=\"denied\"} 1"),
        "{text}"
    );
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_confirmed_command_runs_once_and_a_refused_one_never() {
    let (server, ran, metrics) = serve(Guardrails::new().access(access())).await;
    let alice = "alice@localhost/a";

    let asked = body_of(&post_xml(server.addr, "/", &chat(alice, "!deploy prod v1.2")).await);
    assert_eq!(
        asked,
        "Run !deploy env=\"prod\" version=\"v1.2\"? Answer !yes or !no within 60 s."
    );
    assert!(ran.take().is_empty(), "nothing runs before the answer");

    // Another resource of the same account answers: the conversation is the bare JID.
    let yes = post_xml(server.addr, "/", &chat("alice@localhost/phone", "!yes")).await;
    assert_eq!(
        body_of(&yes),
        "done: Deploy { env: \"prod\", version: \"v1.2\" }"
    );
    assert_eq!(
        ran.take(),
        [Ops::Deploy {
            env: "prod".into(),
            version: "v1.2".into()
        }]
    );

    // The confirmation is used up: a second `!yes` is an ordinary message
    // (here, a command the bot does not have).
    let again = body_of(&post_xml(server.addr, "/", &chat(alice, "!yes")).await);
    assert!(ran.take().is_empty());
    assert!(again.starts_with("unknown command \"yes\""), "{again}");

    post_xml(server.addr, "/", &chat(alice, "!deploy prod v2")).await;
    let no = body_of(&post_xml(server.addr, "/", &chat(alice, "no")).await);
    assert_eq!(
        no,
        "Cancelled: !deploy env=\"prod\" version=\"v2\" was not run."
    );
    assert!(ran.take().is_empty());

    // Someone else's `!yes` does not confirm alice's command.
    post_xml(server.addr, "/", &chat(alice, "!deploy qa v3")).await;
    post_xml(server.addr, "/", &chat("carol@ops.localhost/c", "!yes")).await;
    assert!(ran.take().is_empty());
    post_xml(server.addr, "/", &chat(alice, "!yes")).await;
    assert_eq!(
        ran.take(),
        [Ops::Deploy {
            env: "qa".into(),
            version: "v3".into()
        }]
    );

    assert_eq!(metrics.command_count("deploy", "awaiting_confirmation"), 3);
    assert_eq!(metrics.command_count("deploy", "ok"), 2);
    assert_eq!(metrics.command_count("deploy", "cancelled"), 1);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_late_confirmation_runs_nothing() {
    let rails = Guardrails::new()
        .access(access())
        .confirm_timeout(Duration::from_millis(200));
    let (server, ran, _) = serve(rails).await;
    let alice = "alice@localhost/a";
    let asked = body_of(&post_xml(server.addr, "/", &chat(alice, "!deploy prod v1")).await);
    assert!(asked.ends_with("within 1 s."), "{asked}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let late = body_of(&post_xml(server.addr, "/", &chat(alice, "!yes")).await);
    assert_eq!(
        late,
        "Too late: !deploy env=\"prod\" version=\"v1\" was not run. Send it again to be asked again."
    );
    assert!(ran.take().is_empty());
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_confirmation_asked_by_one_replica_is_answered_by_another() {
    let shared = Arc::new(MemoryStorage::new());
    let (ran_a, ran_b) = (Ran::default(), Ran::default());
    let replica = |ran: &Ran| {
        Bot::new()
            .guardrails(
                Guardrails::new()
                    .access(access())
                    .confirmations(Arc::clone(&shared)),
            )
            .handler(ran.handler())
    };
    let a = start(replica(&ran_a)).await;
    let b = start(replica(&ran_b)).await;
    post_xml(a.addr, "/", &chat("alice@localhost/a", "!deploy prod v9")).await;
    let yes = post_xml(b.addr, "/", &chat("alice@localhost/a", "!yes")).await;
    assert_eq!(yes.status, 200, "{}", yes.text());
    assert!(ran_a.take().is_empty());
    assert_eq!(
        ran_b.take(),
        [Ops::Deploy {
            env: "prod".into(),
            version: "v9".into()
        }]
    );
    // Taken out of the store by B: A has nothing left to run.
    post_xml(a.addr, "/", &chat("alice@localhost/a", "!yes")).await;
    assert!(ran_a.take().is_empty());
    a.stop().await.unwrap();
    b.stop().await.unwrap();
}

#[tokio::test]
async fn rate_limits_refuse_then_recover() {
    let rails = Guardrails::new()
        .access(access())
        .rate_limit(RateLimit::every(Duration::from_millis(300)).burst(2));
    let (server, ran, metrics) = serve(rails).await;
    let carol = "carol@ops.localhost/c";

    for _ in 0..2 {
        let ok = post_xml(server.addr, "/", &chat(carol, "!status")).await;
        assert_eq!(ok.status, 200, "{}", ok.text());
    }
    let limited = post_xml(server.addr, "/", &chat(carol, "!status")).await;
    let error = error_of(&limited);
    assert_eq!(error.condition, Condition::PolicyViolation);
    assert_eq!(
        error.text.as_deref(),
        Some("too many commands: retry !status in 1 s")
    );
    assert_eq!(ran.take().len(), 2, "the refused command must not run");

    // Its own rate (1/s) for `!restart`, apart from the default bucket.
    let restart = post_xml(server.addr, "/", &chat(carol, "!restart")).await;
    assert_eq!(restart.status, 200, "{}", restart.text());
    let again = post_xml(server.addr, "/", &chat(carol, "!restart")).await;
    assert_eq!(error_of(&again).condition, Condition::PolicyViolation);

    // Another sender has buckets of their own; carol recovers with time.
    let dave = post_xml(server.addr, "/", &chat("dave@localhost/d", "!status")).await;
    assert_eq!(dave.status, 200);
    tokio::time::sleep(Duration::from_millis(350)).await;
    let recovered = post_xml(server.addr, "/", &chat(carol, "!status")).await;
    assert_eq!(recovered.status, 200, "{}", recovered.text());
    assert_eq!(metrics.command_count("status", "rate_limited"), 1);
    assert_eq!(metrics.command_count("restart", "rate_limited"), 1);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_room_nick_is_checked_as_the_account_behind_it() {
    let (server, ran, _) = serve(Guardrails::new().access(access())).await;
    // The room tells the bot who `alice` is (a non-anonymous room).
    let presence = "<presence from='ops@muc.localhost/alice' to='bot@bot.localhost/bot'>\
        <x xmlns='http://jabber.org/protocol/muc#user'>\
        <item affiliation='member' role='participant' jid='alice@localhost/laptop'/></x></presence>";
    post_xml(server.addr, "/", presence).await;

    let ok = post_xml(
        server.addr,
        "/",
        &groupchat("ops@muc.localhost/alice", "!rotate db k"),
    )
    .await;
    assert_eq!(ok.status, 200, "{}", ok.text());
    assert_eq!(ran.take().len(), 1);

    // A nick the room gave no real JID for is only a nick: refused.
    let denied = post_xml(
        server.addr,
        "/",
        &groupchat("ops@muc.localhost/alice2", "!rotate db k"),
    )
    .await;
    assert_eq!(error_of(&denied).condition, Condition::Forbidden);

    // Once alice left, her nick is nobody's.
    let gone =
        "<presence type='unavailable' from='ops@muc.localhost/alice' to='bot@bot.localhost/bot'/>";
    post_xml(server.addr, "/", gone).await;
    let denied = post_xml(
        server.addr,
        "/",
        &groupchat("ops@muc.localhost/alice", "!rotate db k"),
    )
    .await;
    assert_eq!(error_of(&denied).condition, Condition::Forbidden);
    assert!(ran.take().is_empty());
    server.stop().await.unwrap();
}

#[on_message(body = "!shutdown", allow = "admins")]
async fn shutdown() -> &'static str {
    "shutting down"
}

#[tokio::test]
async fn a_handler_attribute_names_a_group() {
    let server = start(
        Bot::new()
            .guardrails(
                Guardrails::new()
                    .access(access())
                    .denied_text("ask {group}"),
            )
            .handler(shutdown),
    )
    .await;
    let root = post_xml(server.addr, "/", &chat("root@localhost/r", "!shutdown")).await;
    assert_eq!(body_of(&root), "shutting down");
    let alice = post_xml(server.addr, "/", &chat("alice@localhost/a", "!shutdown")).await;
    let error = error_of(&alice);
    assert_eq!(error.condition, Condition::Forbidden);
    assert_eq!(error.text.as_deref(), Some("ask admins"));
    server.stop().await.unwrap();
}

#[tokio::test]
async fn without_guardrails_guarded_commands_are_refused_to_everyone() {
    let runs = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&runs);
    let handler = move |Command(_): Command<Ops>| {
        counted.fetch_add(1, Ordering::Relaxed);
        std::future::ready("ran")
    };
    let server = start(Bot::new().handler(handler).handler(shutdown)).await;
    let denied = post_xml(server.addr, "/", &chat("alice@localhost/a", "!rotate db k")).await;
    let error = error_of(&denied);
    assert_eq!(error.condition, Condition::Forbidden);
    assert_eq!(
        error.text.as_deref(),
        Some("!rotate is disabled: the bot has no guardrails set")
    );
    let denied = post_xml(server.addr, "/", &chat("root@localhost/r", "!shutdown")).await;
    assert_eq!(error_of(&denied).condition, Condition::Forbidden);
    // An unguarded command still runs, and the help hides the guarded ones.
    let status = post_xml(server.addr, "/", &chat("alice@localhost/a", "!status")).await;
    assert_eq!(body_of(&status), "ran");
    let help = body_of(&post_xml(server.addr, "/", &chat("alice@localhost/a", "!help")).await);
    assert!(!help.contains("rotate"), "{help}");
    assert_eq!(runs.load(Ordering::Relaxed), 1);
    server.stop().await.unwrap();
}
