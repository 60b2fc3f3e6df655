//! Multi-stage XEP-0050 sessions end to end, over real HTTP: a 3-step
//! wizard with next/prev/complete in XML and JSON, cancel, unknown and
//! foreign sessions, stale and racing requests (compare-and-set), a session
//! started on one bot and finished on another sharing the storage, and the
//! guardrails' side: the command list per requester, forbidden nodes, the
//! confirmation stage.

mod adhoc_support;
mod command_support;
mod webhook_support;

use std::sync::Arc;

use adhoc_support::{
    Answer, Client, Runs, STAGE_FIELD, actions, assert_bad_sessionid, fields, jid, note, wizard_bot,
};
use webhook_support::{Server, stanza_answered_to, start};
use xmpp_rest_bot::dialogue::Dialogues;
use xmpp_rest_bot::prelude::*;
use xmpp_rest_bot::stanza::{AdHocCommand, DiscoInfo, DiscoItems};
use xmpp_rest_bot::storage::{MemoryStorage, Storage};

const FORMATS: [WireFormat; 2] = [WireFormat::Xml, WireFormat::Json];
const ALICE: &str = "alice@localhost/gajim";

async fn wizard_server() -> (Server, Runs) {
    let runs = Runs::default();
    (start(wizard_bot(&runs)).await, runs)
}

#[tokio::test]
async fn three_steps_with_next_prev_and_complete() {
    let (server, runs) = wizard_server().await;
    for format in FORMATS {
        let alice = Client::new(&server, ALICE, format);
        let step1 = alice.execute("incident").await;
        assert_eq!(step1.status.as_deref(), Some("executing"));
        let id = step1.sessionid.clone().expect("a session id");
        assert_eq!(fields(&step1), ["service"]);
        assert_eq!(actions(&step1), ("next", false, true, false));
        let form = step1.form.as_ref().unwrap();
        assert_eq!(
            form.title.as_deref(),
            Some("Report an incident. (step 1 of 3)")
        );

        // A missing value: the same step, with an error note.
        let again = alice.act(&step1, "next", &[]).await.command();
        assert_eq!(fields(&again), ["service"]);
        assert_eq!(note(&again).0, "error");
        assert!(
            note(&again).1.contains("missing argument <service>"),
            "{again:?}"
        );

        let step2 = alice
            .act(&step1, "next", &[("service", "db")])
            .await
            .command();
        assert_eq!(step2.sessionid.as_deref(), Some(id.as_str()));
        assert_eq!(fields(&step2), ["severity", "summary"]);
        assert_eq!(actions(&step2), ("next", true, true, false));

        // A value of the wrong type: step 2 again, the value kept.
        let bad = alice
            .act(
                &step2,
                "next",
                &[("severity", "high"), ("summary", "disk full")],
            )
            .await
            .command();
        assert_eq!(fields(&bad), ["severity", "summary"]);
        assert!(note(&bad).1.contains("severity"), "{bad:?}");
        assert_eq!(bad.form.as_ref().unwrap().value("severity"), Some("high"));

        let step3 = alice
            .act(&bad, "next", &[("severity", "2"), ("summary", "disk full")])
            .await
            .command();
        assert_eq!(fields(&step3), ["page", "hosts"]);
        assert_eq!(actions(&step3), ("complete", true, false, true));

        // Back to step 2: the stored values are filled in.
        let back = alice.act(&step3, "prev", &[]).await.command();
        assert_eq!(fields(&back), ["severity", "summary"]);
        let form = back.form.as_ref().unwrap();
        assert_eq!(form.value("severity"), Some("2"));
        assert_eq!(form.value("summary"), Some("disk full"));
        // And back to step 1, then forward again with the refilled form.
        let first = alice.act(&back, "prev", &[]).await.command();
        assert_eq!(first.form.as_ref().unwrap().value("service"), Some("db"));
        let second = alice
            .act(&first, "next", &[("service", "web")])
            .await
            .command();
        // `complete` before the last stage is refused.
        let (early, _) = alice.act(&second, "complete", &[]).await.error();
        assert_eq!(early.condition, Condition::BadRequest);
        let step3 = alice
            .act(
                &second,
                "next",
                &[("severity", "3"), ("summary", "disk full")],
            )
            .await
            .command();

        let before = runs.get();
        let done = alice
            .act(&step3, "complete", &[("page", "1"), ("hosts", "c")])
            .await
            .command();
        assert_eq!(done.status.as_deref(), Some("completed"));
        assert_eq!(done.sessionid.as_deref(), Some(id.as_str()));
        assert_eq!(
            note(&done),
            (
                "info",
                "incident on web, severity 3, hosts c: disk full (page: true)"
            )
        );
        assert_eq!(runs.get(), before + 1);
        // The session is over: a duplicate `complete` runs nothing.
        let duplicate = alice.act(&step3, "complete", &[("page", "1")]).await;
        assert_bad_sessionid(duplicate, format);
        assert_eq!(runs.get(), before + 1);
    }
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_session_in_mod_rest_json() {
    let (server, _) = wizard_server().await;
    let post = |body: String| {
        let server = &server;
        async move {
            let answer = server.post("application/json", body.as_bytes()).await;
            assert_eq!(answer.status, 200, "{answer:?}");
            let Stanza::Iq(result) = stanza_answered_to(&answer, WireFormat::Json) else {
                panic!("{answer:?}")
            };
            result.payload_as::<AdHocCommand>().unwrap().unwrap()
        }
    };
    let iq = |command: &str| {
        format!(
            r#"{{"kind":"iq","type":"set","id":"j1","to":"bot@bot.localhost","from":"{ALICE}","command":{command}}}"#
        )
    };
    // Executing by node string, then `data` as mod_rest maps a submission;
    // a client that drops the hidden stage field is still served.
    let step1 = post(iq(r#""incident""#)).await;
    let id = step1.sessionid.clone().unwrap();
    assert_eq!(fields(&step1), ["service"]);
    let step2 = post(iq(&format!(
        r#"{{"node":"incident","action":"next","sessionid":"{id}","data":{{"service":"api"}}}}"#
    )))
    .await;
    assert_eq!(fields(&step2), ["severity", "summary"]);
    let step3 = post(iq(&format!(
        r#"{{"node":"incident","action":"next","sessionid":"{id}","data":{{"severity":"1","summary":"slow"}}}}"#
    )))
    .await;
    assert_eq!(fields(&step3), ["page", "hosts"]);
    let token = step3.form.as_ref().unwrap().value(STAGE_FIELD).unwrap();
    let done = post(iq(&format!(
        r#"{{"node":"incident","action":"complete","sessionid":"{id}","data":{{"page":false,"hosts":"x\ny\n","{STAGE_FIELD}":"{token}"}}}}"#
    )))
    .await;
    assert_eq!(done.status.as_deref(), Some("completed"));
    assert_eq!(
        note(&done).1,
        "incident on api, severity 1, hosts x,y: slow (page: false)"
    );
    server.stop().await.unwrap();
}

#[tokio::test]
async fn cancel_removes_the_session() {
    let (server, runs) = wizard_server().await;
    for format in FORMATS {
        let alice = Client::new(&server, ALICE, format);
        let step1 = alice.execute("incident").await;
        let step2 = alice
            .act(&step1, "next", &[("service", "db")])
            .await
            .command();
        let canceled = alice.act(&step2, "cancel", &[]).await.command();
        assert_eq!(canceled.status.as_deref(), Some("canceled"));
        assert_eq!(canceled.sessionid, step1.sessionid);
        let after = alice
            .act(&step2, "next", &[("severity", "1"), ("summary", "a")])
            .await;
        assert!(assert_bad_sessionid(after, format).contains("unknown or expired"));
    }
    assert_eq!(runs.get(), 0);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn unknown_missing_and_huge_session_ids() {
    let (server, _) = wizard_server().await;
    for format in FORMATS {
        let alice = Client::new(&server, ALICE, format);
        let next = |id: Option<String>| {
            let mut cmd = AdHocCommand::new("incident").with_action("next");
            cmd.sessionid = id;
            cmd
        };
        let text = assert_bad_sessionid(alice.send(next(Some("nope".into()))).await, format);
        assert_eq!(text, "no session \"nope\": unknown or expired");
        let text = assert_bad_sessionid(alice.send(next(None)).await, format);
        assert_eq!(text, "no session: execute the command first");
        let huge = "x".repeat(1_000);
        assert_bad_sessionid(alice.send(next(Some(huge))).await, format);
    }
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_session_belongs_to_the_full_jid_that_started_it() {
    let (server, _) = wizard_server().await;
    for format in FORMATS {
        let client = |from| Client {
            server: &server,
            from,
            format,
        };
        let step1 = client(ALICE).execute("incident").await;
        for other in ["alice@localhost/phone", "bob@localhost/gajim"] {
            let stolen = client(other).act(&step1, "next", &[("service", "x")]).await;
            assert_bad_sessionid(stolen, format);
            let cancel = client(other).act(&step1, "cancel", &[]).await;
            assert_bad_sessionid(cancel, format);
        }
        let step2 = client(ALICE)
            .act(&step1, "next", &[("service", "db")])
            .await
            .command();
        assert_eq!(fields(&step2), ["severity", "summary"]);
    }
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_stale_or_racing_next_does_not_overwrite_a_newer_step() {
    let (server, _) = wizard_server().await;
    for format in FORMATS {
        let alice = Client::new(&server, ALICE, format);
        let step1 = alice.execute("incident").await;
        let step2 = alice
            .act(&step1, "next", &[("service", "db")])
            .await
            .command();
        // The same `next` again (a resend), and one with another value: both
        // answer step 1, which the session left.
        for service in ["db", "web"] {
            let stale = alice.act(&step1, "next", &[("service", service)]).await;
            assert!(assert_bad_sessionid(stale, format).contains("moved on"));
        }
        // Nothing changed: step 2 goes on, with step 1's first value.
        let step3 = alice
            .act(&step2, "next", &[("severity", "1"), ("summary", "a")])
            .await
            .command();
        let back = alice.act(&step3, "prev", &[]).await.command();
        let first = alice.act(&back, "prev", &[]).await.command();
        assert_eq!(first.form.as_ref().unwrap().value("service"), Some("db"));

        // Ten `next` racing on one stage: exactly one moves the session.
        let racers = (0..10).map(|i| {
            let first = first.clone();
            let server = &server;
            async move {
                let alice = Client {
                    server,
                    from: ALICE,
                    format,
                };
                let value = format!("svc{i}");
                alice.act(&first, "next", &[("service", &value)]).await
            }
        });
        let answers = futures_join_all(racers).await;
        let (won, lost): (Vec<Answer>, Vec<Answer>) = answers
            .into_iter()
            .partition(|a| matches!(a, Answer::Command(_)));
        assert_eq!((won.len(), lost.len()), (1, 9), "{won:?}");
        for answer in lost {
            assert_bad_sessionid(answer, format);
        }
    }
    server.stop().await.unwrap();
}

/// Joins futures on one task (the requests still race in the server).
async fn futures_join_all<F: std::future::Future>(
    futures: impl Iterator<Item = F>,
) -> Vec<F::Output> {
    let mut set = Vec::new();
    for f in futures {
        set.push(Box::pin(f));
    }
    let mut out: Vec<Option<F::Output>> = (0..set.len()).map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in set.iter_mut().enumerate() {
            if out[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => out[i] = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.into_iter().map(Option::unwrap).collect()
}

/// One storage for two bots: Redis when `XMPP_REST_BOT_TEST_REDIS_URL` is
/// set (and the `redis` feature on), else one in-memory store; says which.
async fn shared_storage() -> (Arc<dyn Storage>, &'static str) {
    #[cfg(feature = "redis")]
    if let Ok(url) = std::env::var("XMPP_REST_BOT_TEST_REDIS_URL") {
        let redis = xmpp_rest_bot::storage::RedisStorage::builder(&url)
            .connect()
            .await
            .unwrap();
        return (Arc::new(redis), "redis");
    }
    (Arc::new(MemoryStorage::new()), "memory")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn started_on_one_bot_finished_on_another_sharing_the_storage() {
    let (storage, kind) = shared_storage().await;
    println!("two bots sharing a {kind} storage");
    // A scope of this run's own, for a Redis other runs share.
    let scope = format!("adhoc-test-{}-{}", std::process::id(), kind);
    let runs = Runs::default();
    let dialogues = Dialogues::shared(storage).scope(scope);
    let a = start(wizard_bot(&runs).dialogues(dialogues.clone())).await;
    let b = start(wizard_bot(&runs).dialogues(dialogues)).await;
    assert_ne!(a.addr, b.addr);
    for format in FORMATS {
        let on = |server| Client {
            server,
            from: ALICE,
            format,
        };
        let step1 = on(&a).execute("incident").await;
        let step2 = on(&b)
            .act(&step1, "next", &[("service", "db")])
            .await
            .command();
        let step3 = on(&a)
            .act(&step2, "next", &[("severity", "4"), ("summary", "fire")])
            .await
            .command();
        let back = on(&b).act(&step3, "prev", &[]).await.command();
        assert_eq!(back.form.as_ref().unwrap().value("severity"), Some("4"));
        let step3 = on(&a)
            .act(&back, "next", &[("severity", "4"), ("summary", "fire")])
            .await
            .command();
        let done = on(&b)
            .act(&step3, "complete", &[("page", "true"), ("hosts", "h1\nh2")])
            .await
            .command();
        assert_eq!(
            note(&done).1,
            "incident on db, severity 4, hosts h1,h2: fire (page: true)"
        );
        // Gone for both.
        assert_bad_sessionid(on(&a).act(&step3, "complete", &[]).await, format);
    }
    assert_eq!(runs.get(), 2);
    a.stop().await.unwrap();
    b.stop().await.unwrap();
}

#[tokio::test]
async fn the_command_list_and_nodes_are_answered_per_requester() {
    let (server, _) = wizard_server().await;
    let ask = |from: &'static str, payload: xmpp_rest_bot::stanza::Element| {
        let server = &server;
        async move {
            let mut iq = Iq::new(IqType::Get, Some(payload))
                .with_id("d1")
                .with_to(jid("bot@bot.localhost"));
            iq.from = Some(jid(from));
            server.post_stanza(WireFormat::Xml, &Stanza::Iq(iq)).await
        }
    };
    let commands = DiscoItems::for_node("http://jabber.org/protocol/commands").to_element();
    let listed = |answer: webhook_support::HttpResponse| {
        let Stanza::Iq(result) = answer.stanza() else {
            panic!("{answer:?}")
        };
        let items = result.payload_as::<DiscoItems>().unwrap().unwrap();
        items
            .items
            .iter()
            .map(|i| i.node.clone().unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        listed(ask(ALICE, commands.clone()).await),
        ["incident", "deploy", "rotate", "status"]
    );
    assert_eq!(
        listed(ask("bob@localhost/gajim", commands).await),
        ["incident", "deploy", "status"]
    );
    let info = DiscoInfo::for_node("rotate").to_element();
    let Stanza::Iq(result) = ask(ALICE, info.clone()).await.stanza() else {
        panic!()
    };
    let found = result.payload_as::<DiscoInfo>().unwrap().unwrap();
    assert_eq!(found.identities[0].type_, "command-node");
    // To bob the node is as unknown as any other.
    let answer = ask("bob@localhost/gajim", info).await;
    let error = answer.stanza().stanza_error().cloned().expect("an error");
    assert_eq!(error.condition, Condition::ItemNotFound, "{answer:?}");
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_node_the_requester_may_not_run_is_forbidden_at_every_stage() {
    let (server, runs) = wizard_server().await;
    for format in FORMATS {
        let bob = Client::new(&server, "bob@localhost/gajim", format);
        for request in [
            AdHocCommand::execute("rotate"),
            AdHocCommand::new("rotate")
                .with_action("complete")
                .with_sessionid("s1"),
            AdHocCommand::new("ROTATE").with_action("cancel"),
        ] {
            let (error, response) = bob.send(request).await.error();
            assert_eq!(response.status, 403);
            assert_eq!(error.condition, Condition::Forbidden);
            assert_eq!(
                error.text.as_deref(),
                Some("!rotate is for the ops group only")
            );
        }
    }
    assert_eq!(runs.get(), 0);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn the_confirmation_stage_runs_on_yes_and_cancels_on_no() {
    let (server, runs) = wizard_server().await;
    for format in FORMATS {
        let alice = Client::new(&server, ALICE, format);
        for (answer, ran) in [("true", true), ("0", false)] {
            let step1 = alice.execute("deploy").await;
            assert_eq!(fields(&step1), ["env", "token"]);
            // A confirmation follows: `next`, not `complete`.
            assert_eq!(actions(&step1), ("next", false, true, false));
            let confirm = alice
                .act(&step1, "next", &[("env", "prod"), ("token", "s3cret")])
                .await
                .command();
            assert_eq!(fields(&confirm), ["confirm"]);
            assert_eq!(actions(&confirm), ("complete", true, false, true));
            let prompt = r#"Run deploy with env="prod", token=***?"#;
            assert_eq!(note(&confirm), ("info", prompt));
            let form = confirm.form.as_ref().unwrap();
            assert_eq!(form.instructions, [prompt]);
            assert!(form.field("confirm").unwrap().required);
            // No answer: asked again.
            let unanswered = alice.act(&confirm, "complete", &[]).await.command();
            assert_eq!(note(&unanswered).0, "error");
            assert_eq!(fields(&unanswered), ["confirm"]);

            let before = runs.get();
            let done = alice
                .act(&confirm, "complete", &[("confirm", answer)])
                .await
                .command();
            if ran {
                assert_eq!(done.status.as_deref(), Some("completed"));
                assert_eq!(note(&done).1, "deploying to Prod with a token of 6 bytes");
                assert_eq!(runs.get(), before + 1);
            } else {
                assert_eq!(done.status.as_deref(), Some("canceled"));
                assert_eq!(note(&done), ("info", "Canceled: deploy was not run."));
                assert_eq!(runs.get(), before);
            }
        }
        // A command without arguments goes straight to its own prompt.
        let rotate = alice.execute("rotate").await;
        assert_eq!(fields(&rotate), ["confirm"]);
        assert_eq!(actions(&rotate), ("complete", false, false, true));
        assert_eq!(note(&rotate).1, "Rotate every key now?");
        let done = alice
            .act(&rotate, "complete", &[("confirm", "1")])
            .await
            .command();
        assert_eq!(note(&done).1, "keys rotated");
        // A single-step command without confirmation stays stateless.
        let status = alice.execute("status").await;
        assert_eq!(note(&status).1, "all green");
    }
    server.stop().await.unwrap();
}
