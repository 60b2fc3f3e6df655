//! Posts every file of the hostile-input corpus (`tests/hostile/`, listed in
//! its `index.tsv` with the content type to send and the exact status
//! expected) to a real webhook, and checks each answer; then checks the bot
//! still serves.

mod webhook_support;

use std::collections::BTreeSet;
use std::path::PathBuf;

use webhook_support::{request, start};
use xmpp_rest_bot::prelude::*;
use xmpp_rest_bot::wire::Limits;

struct Case {
    line: usize,
    file: String,
    content_type: Option<String>,
    status: u16,
    why: String,
}

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/hostile")
}

fn cases() -> Vec<Case> {
    let index = std::fs::read_to_string(corpus_dir().join("index.tsv")).unwrap();
    index
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty())
        .map(|(i, l)| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert_eq!(cols.len(), 4, "index.tsv line {}: {l:?}", i + 1);
            Case {
                line: i + 1,
                file: cols[0].to_owned(),
                content_type: (cols[1] != "-").then(|| cols[1].to_owned()),
                status: cols[2].parse().unwrap(),
                why: cols[3].to_owned(),
            }
        })
        .collect()
}

async fn echo(MessageText(text): MessageText) -> String {
    text
}

#[tokio::test]
async fn every_hostile_input_gets_its_exact_status() {
    let cases = cases();
    assert!(cases.len() >= 50, "the corpus lost cases");
    let server = start(
        Bot::new()
            .handler(echo)
            .limits(Limits::default().max_bytes(16 * 1024)),
    )
    .await;
    let mut failures = Vec::new();
    for case in &cases {
        let body = std::fs::read(corpus_dir().join(&case.file))
            .unwrap_or_else(|e| panic!("{}: {e}", case.file));
        let headers: Vec<(&str, &str)> = case
            .content_type
            .as_deref()
            .map(|ct| vec![("Content-Type", ct)])
            .unwrap_or_default();
        let answer = request(server.addr, "POST", "/", &headers, &body).await;
        if answer.status != case.status {
            failures.push(format!(
                "line {}: {} as {:?}: expected {} ({}), got {}: {}",
                case.line,
                case.file,
                case.content_type,
                case.status,
                case.why,
                answer.status,
                String::from_utf8_lossy(&answer.body)
            ));
            continue;
        }
        // What mod_rest reads must be a stanza (or nothing); only answers to
        // requests it never sends may be text.
        match answer.content_type() {
            Some("application/xmpp+xml") | Some("application/json") => {
                let _ = answer.stanza();
            }
            Some(ct) => assert!(
                ct.starts_with("text/plain") && answer.status >= 400,
                "{}: {ct} on {}",
                case.file,
                answer.status
            ),
            None => assert!(answer.body.is_empty(), "{}", case.file),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    // still serving
    let answer = server
        .post(
            "application/xmpp+xml",
            b"<message type='chat' from='a@b/c' to='bot@bot.localhost'><body>ok</body></message>",
        )
        .await;
    assert_eq!(answer.status, 200);
    server.stop().await.unwrap();
}

#[test]
fn every_corpus_file_is_listed() {
    let listed: BTreeSet<String> = cases().into_iter().map(|c| c.file).collect();
    let on_disk: BTreeSet<String> = std::fs::read_dir(corpus_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n != "index.tsv" && n != "make_corpus.py")
        .collect();
    assert_eq!(listed, on_disk);
}
