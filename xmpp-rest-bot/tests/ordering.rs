//! Per-sender ordering: with `ordered_per_sender(true)`, the stanzas of one
//! sender are handled one at a time in arrival order, whatever the handlers'
//! latencies; other senders still run concurrently.

mod webhook_support;

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::Poll;
use std::time::Duration;

use webhook_support::{post_xml, start};
use xmpp_rest_bot::bot::Answer;
use xmpp_rest_bot::prelude::*;

/// A small deterministic generator for the latencies.
struct Lcg(u64);

impl Lcg {
    fn next_ms(&mut self, max: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % (max + 1)
    }
}

fn message(from: &str, n: usize, latency_ms: u64) -> Message {
    Message::chat(
        "bot@bot.localhost".parse().unwrap(),
        format!("{n} {latency_ms}"),
    )
    .with_from(from.parse().unwrap())
    .with_id(format!("m{n}"))
}

/// What the handlers observed: (message number, started, finished) events.
#[derive(Default)]
struct Log {
    events: Mutex<Vec<(usize, &'static str)>>,
}

fn logging_bot(ordered: bool, log: Arc<Log>) -> Bot {
    Bot::new()
        .ordered_per_sender(ordered)
        .handler(move |MessageText(text): MessageText| {
            let log = Arc::clone(&log);
            async move {
                let mut parts = text.split(' ');
                let n: usize = parts.next().unwrap().parse().unwrap();
                let latency: u64 = parts.next().unwrap().parse().unwrap();
                log.events.lock().unwrap().push((n, "start"));
                tokio::time::sleep(Duration::from_millis(latency)).await;
                log.events.lock().unwrap().push((n, "end"));
                format!("done {n}")
            }
        })
}

/// Dispatches `messages` concurrently, in one task: every dispatch is polled
/// once in order first, which is their arrival order, then all are driven to
/// completion together.
async fn dispatch_all(bot: Arc<Bot>, messages: Vec<Message>) -> Vec<Answer> {
    type Pending = Pin<Box<dyn Future<Output = Answer> + Send>>;
    let mut pending: Vec<Option<Pending>> = messages
        .into_iter()
        .map(|m| {
            let bot = Arc::clone(&bot);
            Some(Box::pin(async move { bot.dispatch(Incoming::new(m)).await }) as Pending)
        })
        .collect();
    let mut answers: Vec<Option<Answer>> = vec![None; pending.len()];
    std::future::poll_fn(|cx| {
        let mut done = true;
        for (slot, answer) in pending.iter_mut().zip(answers.iter_mut()) {
            if let Some(future) = slot {
                match future.as_mut().poll(cx) {
                    Poll::Ready(a) => {
                        *answer = Some(a);
                        *slot = None;
                    }
                    Poll::Pending => done = false,
                }
            }
        }
        if done { Poll::Ready(()) } else { Poll::Pending }
    })
    .await;
    answers.into_iter().map(Option::unwrap).collect()
}

const N: usize = 40;

fn random_latency_messages(from: &str, seed: u64) -> Vec<Message> {
    let mut rng = Lcg(seed);
    (0..N).map(|n| message(from, n, rng.next_ms(25))).collect()
}

#[tokio::test]
async fn one_senders_stanzas_are_handled_in_arrival_order() {
    let log = Arc::new(Log::default());
    let bot = Arc::new(logging_bot(true, Arc::clone(&log)));
    // several resources of one user: one bare JID, one queue
    let mut messages = random_latency_messages("alice@localhost/phone", 7);
    for (i, m) in messages.iter_mut().enumerate() {
        if i % 3 == 0 {
            m.from = Some("alice@localhost/laptop".parse().unwrap());
        }
    }
    let answers = dispatch_all(bot, messages).await;
    for (n, answer) in answers.iter().enumerate() {
        let Some(Stanza::Message(reply)) = &answer.stanza else {
            panic!()
        };
        assert_eq!(reply.body(), Some(format!("done {n}").as_str()));
    }
    // strictly one at a time, in arrival order: start 0, end 0, start 1, ...
    let expected: Vec<(usize, &str)> = (0..N).flat_map(|n| [(n, "start"), (n, "end")]).collect();
    assert_eq!(*log.events.lock().unwrap(), expected);
}

#[tokio::test]
async fn without_ordering_the_same_load_finishes_out_of_order() {
    // proves the test above can fail: same messages, same latencies
    let log = Arc::new(Log::default());
    let bot = Arc::new(logging_bot(false, Arc::clone(&log)));
    dispatch_all(bot, random_latency_messages("alice@localhost/phone", 7)).await;
    let ends: Vec<usize> = log
        .events
        .lock()
        .unwrap()
        .iter()
        .filter(|(_, e)| *e == "end")
        .map(|(n, _)| *n)
        .collect();
    assert_eq!(ends.len(), N);
    assert_ne!(ends, (0..N).collect::<Vec<_>>(), "handlers overlapped");
}

#[tokio::test]
async fn different_senders_are_not_serialised() {
    let log = Arc::new(Log::default());
    let bot = Arc::new(logging_bot(true, Arc::clone(&log)));
    let mut messages = Vec::new();
    for n in 0..N {
        let from = if n % 2 == 0 {
            "alice@localhost/phone"
        } else {
            "bob@localhost/phone"
        };
        messages.push(message(from, n, 10));
    }
    let started = std::time::Instant::now();
    dispatch_all(bot, messages).await;
    // two queues of N/2 handlers of 10 ms each run side by side
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_millis(10 * N as u64 * 3 / 4),
        "{elapsed:?}"
    );
    // and each queue is in order
    let events = log.events.lock().unwrap();
    for parity in 0..2 {
        let ends: Vec<usize> = events
            .iter()
            .filter(|(n, e)| *e == "end" && n % 2 == parity)
            .map(|(n, _)| *n)
            .collect();
        let mut sorted = ends.clone();
        sorted.sort();
        assert_eq!(ends, sorted);
    }
}

/// Over real HTTP, with concurrent connections: the handlers of one sender
/// never overlap, those of different senders do.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_http_one_sender_never_runs_twice_at_once() {
    let running = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let (r, p) = (Arc::clone(&running), Arc::clone(&peak));
    let bot = Bot::new()
        .ordered_per_sender(true)
        .handler(move |MessageText(text): MessageText| {
            let (running, peak) = (Arc::clone(&r), Arc::clone(&p));
            async move {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                let latency: u64 = text.parse().unwrap();
                tokio::time::sleep(Duration::from_millis(latency)).await;
                running.fetch_sub(1, Ordering::SeqCst);
                text
            }
        });
    let server = start(bot).await;
    let post = |from: String, latency: u64| {
        let addr = server.addr;
        tokio::spawn(async move {
            let body = format!(
                "<message type='chat' from='{from}' to='bot@bot.localhost'><body>{latency}</body></message>"
            );
            post_xml(addr, "/", &body).await
        })
    };
    let mut rng = Lcg(11);
    let tasks: Vec<_> = (0..30)
        .map(|i| post(format!("carol@localhost/r{}", i % 4), rng.next_ms(20)))
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap().status, 200);
    }
    assert_eq!(peak.load(Ordering::SeqCst), 1, "one sender, one at a time");

    peak.store(0, Ordering::SeqCst);
    let tasks: Vec<_> = (0..30)
        .map(|i| post(format!("user{i}@localhost/r"), 50))
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap().status, 200);
    }
    assert!(
        peak.load(Ordering::SeqCst) > 1,
        "different senders run concurrently"
    );
    server.stop().await.unwrap();
}
