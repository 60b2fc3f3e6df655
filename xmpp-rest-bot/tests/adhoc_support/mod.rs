//! Shared by `adhoc_sessions.rs`: the wizard command enum and its handler,
//! a bot with guardrails, and an XEP-0050 client posting to it over HTTP.

#![allow(dead_code, unreachable_pub)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::command_support::Env;
use crate::webhook_support::{HttpResponse, Server, stanza_answered_to};
use xmpp_rest_bot::command::{BotCommands, Command};
use xmpp_rest_bot::guard::{Access, Guardrails};
use xmpp_rest_bot::prelude::*;
use xmpp_rest_bot::stanza::{AdHocCommand, DataForm, FormField};

pub const STAGE_FIELD: &str = "xmpp-rest-bot#stage";

#[derive(BotCommands, Debug, PartialEq)]
pub enum Wizard {
    /// Report an incident.
    Incident {
        service: String,
        #[command(step = 2)]
        severity: u8,
        #[command(step = 2)]
        summary: String,
        #[command(step = 3)]
        page: bool,
        #[command(step = 3)]
        hosts: Vec<String>,
    },
    /// Deploy to an environment.
    #[command(confirm)]
    Deploy {
        env: Env,
        #[command(redact)]
        token: String,
    },
    /// Rotate every key.
    #[command(allow = "ops", confirm = "Rotate every key now?")]
    Rotate,
    /// Show the status.
    Status,
}

/// How many times the handler ran.
#[derive(Clone, Default)]
pub struct Runs(Arc<AtomicUsize>);

impl Runs {
    pub fn get(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

/// The bot: the wizard's handler, counting its runs, `alice@localhost` in
/// the `ops` group.
pub fn wizard_bot(runs: &Runs) -> Bot {
    let runs = runs.clone();
    let handler = move |Command(cmd): Command<Wizard>| {
        let runs = runs.clone();
        async move {
            runs.0.fetch_add(1, Ordering::SeqCst);
            match cmd {
                Wizard::Incident {
                    service,
                    severity,
                    hosts,
                    summary,
                    page,
                } => format!(
                    "incident on {service}, severity {severity}, hosts {}: {summary} (page: {page})",
                    hosts.join(",")
                ),
                Wizard::Deploy { env, token } => {
                    format!("deploying to {env:?} with a token of {} bytes", token.len())
                }
                Wizard::Rotate => "keys rotated".to_owned(),
                Wizard::Status => "all green".to_owned(),
            }
        }
    };
    let access = Access::from_vars("G_", [("G_OPS", "alice@localhost")]).unwrap();
    Bot::new()
        .guardrails(Guardrails::new().access(access))
        .handler(handler)
        .ad_hoc_commands::<Wizard>()
}

pub fn jid(s: &str) -> Jid {
    s.parse().unwrap()
}

/// An XEP-0050 client with one full JID, posting in one format.
pub struct Client<'a> {
    pub server: &'a Server,
    pub from: &'a str,
    pub format: WireFormat,
}

impl<'a> Client<'a> {
    /// `from` talking to `server` in `format`.
    pub fn new(server: &'a Server, from: &'a str, format: WireFormat) -> Self {
        Client {
            server,
            from,
            format,
        }
    }
}

/// What a request got: a `<command/>` or an error.
#[derive(Debug)]
pub enum Answer {
    Command(AdHocCommand),
    Error(StanzaError, HttpResponse),
}

impl Answer {
    #[track_caller]
    pub fn command(self) -> AdHocCommand {
        match self {
            Answer::Command(c) => c,
            Answer::Error(e, _) => panic!("expected a command, got {e:?}"),
        }
    }

    #[track_caller]
    pub fn error(self) -> (StanzaError, HttpResponse) {
        match self {
            Answer::Error(e, r) => (e, r),
            Answer::Command(c) => panic!("expected an error, got {c:?}"),
        }
    }
}

impl Client<'_> {
    pub async fn send(&self, cmd: AdHocCommand) -> Answer {
        let mut iq = Iq::new(IqType::Set, Some(cmd.to_element()))
            .with_id("c1")
            .with_to(jid("bot@bot.localhost"));
        iq.from = Some(jid(self.from));
        let answer = self.server.post_stanza(self.format, &Stanza::Iq(iq)).await;
        let stanza = stanza_answered_to(&answer, self.format);
        if let Some(error) = stanza.stanza_error() {
            return Answer::Error(error.clone(), answer);
        }
        assert_eq!(answer.status, 200, "{answer:?}");
        let Stanza::Iq(result) = stanza else {
            panic!("not an iq: {answer:?}")
        };
        assert_eq!(result.type_, IqType::Result, "{result:?}");
        Answer::Command(result.payload_as::<AdHocCommand>().unwrap().unwrap())
    }

    pub async fn execute(&self, node: &str) -> AdHocCommand {
        self.send(AdHocCommand::execute(node)).await.command()
    }

    /// `action` in `session` (the stage answered), with `values` submitted
    /// along with the stage's token when `stage` is given.
    pub async fn act(&self, stage: &AdHocCommand, action: &str, values: &[(&str, &str)]) -> Answer {
        let mut form = DataForm::submit(values.iter().copied());
        if let Some(token) = stage.form.as_ref().and_then(|f| f.value(STAGE_FIELD)) {
            form.fields.push(FormField::hidden(STAGE_FIELD, token));
        }
        let request = AdHocCommand::new(stage.node.clone())
            .with_action(action)
            .with_sessionid(stage.sessionid.clone().expect("a session"))
            .with_form(form);
        self.send(request).await
    }
}

/// The vars of a stage's form, its hidden token left out.
pub fn fields(stage: &AdHocCommand) -> Vec<&str> {
    stage
        .form
        .as_ref()
        .expect("a form")
        .fields
        .iter()
        .filter_map(|f| f.var.as_deref())
        .filter(|v| *v != STAGE_FIELD)
        .collect()
}

/// The actions offered: (default, prev, next, complete).
pub fn actions(stage: &AdHocCommand) -> (&str, bool, bool, bool) {
    let a = stage.actions.as_ref().expect("actions");
    (
        a.execute.as_deref().unwrap_or(""),
        a.prev,
        a.next,
        a.complete,
    )
}

/// The only note: (type, text).
pub fn note(cmd: &AdHocCommand) -> (&str, &str) {
    assert_eq!(cmd.notes.len(), 1, "{cmd:?}");
    (
        cmd.notes[0].type_.as_deref().unwrap_or("info"),
        cmd.notes[0].text.as_str(),
    )
}

/// Checks a `bad-request` with `<bad-sessionid/>` (the child only in XML:
/// mod_rest's JSON errors carry the condition and the text).
#[track_caller]
pub fn assert_bad_sessionid(answer: Answer, format: WireFormat) -> String {
    let (error, response) = answer.error();
    assert_eq!(response.status, 400, "{response:?}");
    assert_eq!(error.condition, Condition::BadRequest, "{error:?}");
    if format == WireFormat::Xml {
        assert!(
            error
                .extensions
                .iter()
                .any(|e| e.is("bad-sessionid", "http://jabber.org/protocol/commands")),
            "{error:?}"
        );
    }
    error.text.unwrap_or_default()
}
