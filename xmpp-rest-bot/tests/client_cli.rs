//! The `xmpp-rest` binary, run against the emulator.

mod client_support;

use std::io::Write;
use std::process::{Command, Stdio};

use client_support::prosody_of_example_net;
use xmpp_rest_bot::stanza::{Condition, Iq, MessageType};
use xmpp_rest_bot::testing::MockRest;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs the binary with exactly these environment variables and stdin.
async fn xmpp_rest(args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Run {
    let args: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let stdin = stdin.map(str::to_owned);
    tokio::task::spawn_blocking(move || {
        let mut child = Command::new(env!("CARGO_BIN_EXE_xmpp-rest"))
            .args(&args)
            .env_clear()
            .envs(env)
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        if let Some(text) = stdin {
            child
                .stdin
                .take()
                .unwrap()
                .write_all(text.as_bytes())
                .unwrap();
        }
        let output = child.wait_with_output().unwrap();
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: String::from_utf8(output.stderr).unwrap(),
        }
    })
    .await
    .unwrap()
}

fn env_for(mock: &MockRest) -> Vec<(&'static str, String)> {
    vec![
        ("XMPP_REST_URL", mock.url()),
        ("XMPP_REST_TOKEN", MockRest::DEFAULT_TOKEN.to_owned()),
    ]
}

fn as_refs<'a>(env: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    env.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

#[tokio::test]
async fn send_takes_the_words_as_text_and_the_settings_from_the_environment() {
    let mock = MockRest::start().await;
    let env = env_for(&mock);
    let run = xmpp_rest(
        &["send", "--to", "alice@localhost", "deploy", "finished"],
        &as_refs(&env),
        None,
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "");
    mock.assert_sent_typed_message(MessageType::Chat, "alice@localhost", "deploy finished");
    assert!(
        mock.requests()[0]
            .header("user-agent")
            .unwrap()
            .starts_with("xmpp-rest/")
    );
}

#[tokio::test]
async fn send_reads_stdin_for_a_dash() {
    let mock = MockRest::start().await;
    let env = env_for(&mock);
    let run = xmpp_rest(
        &[
            "send",
            "--to",
            "ops@rooms.localhost",
            "--type",
            "groupchat",
            "-",
        ],
        &as_refs(&env),
        Some("line one\nline two\n"),
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    mock.assert_sent_typed_message(
        MessageType::Groupchat,
        "ops@rooms.localhost",
        "line one\nline two",
    );
}

#[tokio::test]
async fn flags_work_without_the_environment() {
    let mock = MockRest::start().await;
    let url = mock.url();
    let run = xmpp_rest(
        &[
            "--url",
            &url,
            "--user",
            "bot",
            "--password",
            MockRest::DEFAULT_PASSWORD,
            "--json",
            "send",
            "--to=alice@localhost",
            "--type=headline",
            "--",
            "-x-",
        ],
        &[],
        None,
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    mock.assert_sent_typed_message(MessageType::Headline, "alice@localhost", "-x-");
    assert_eq!(
        mock.requests()[0].header("content-type"),
        Some("application/json")
    );
    assert!(
        mock.requests()[0]
            .header("authorization")
            .unwrap()
            .starts_with("Basic ")
    );
}

#[tokio::test]
async fn the_password_may_come_from_the_environment() {
    let mock = MockRest::start().await;
    let url = mock.url();
    let env = [
        ("XMPP_REST_URL", url.as_str()),
        ("XMPP_REST_USER", "bot"),
        ("XMPP_REST_PASSWORD", MockRest::DEFAULT_PASSWORD),
    ];
    let run = xmpp_rest(&["ping", "localhost"], &env, None).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[tokio::test]
async fn ping_version_and_disco_print_what_they_found() {
    let mock = MockRest::start().await;
    let env = env_for(&mock);
    let run = xmpp_rest(&["ping", "localhost"], &as_refs(&env), None).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.starts_with("pong from localhost in "),
        "{}",
        run.stdout
    );

    let run = xmpp_rest(&["version", "localhost"], &as_refs(&env), None).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "Prosody 0.12.3 (Linux)\n");

    let run = xmpp_rest(&["disco", "localhost"], &as_refs(&env), None).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.starts_with("identity server/im Prosody\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("feature urn:xmpp:ping\n"),
        "{}",
        run.stdout
    );
}

#[tokio::test]
async fn exit_code_1_for_refused_credentials() {
    let mock = MockRest::start().await;
    let url = mock.url();
    let run = xmpp_rest(
        &["ping", "localhost"],
        &[("XMPP_REST_URL", &url), ("XMPP_REST_TOKEN", "wrong")],
        None,
    )
    .await;
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .starts_with("xmpp-rest: credentials not accepted (http 403"),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn exit_code_3_when_the_entity_answers_with_an_error() {
    let mock = MockRest::start().await;
    mock.on_iq("urn:xmpp:ping", |iq: &Iq| {
        iq.error_reply(Condition::ServiceUnavailable)
    });
    let env = env_for(&mock);
    let run = xmpp_rest(&["ping", "ghost@localhost"], &as_refs(&env), None).await;
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert_eq!(
        run.stderr,
        "xmpp-rest: ghost@localhost answered with an error: cancel/service-unavailable\n"
    );
}

#[tokio::test]
async fn exit_code_4_without_a_connection() {
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let url = format!("http://{addr}");
    let run = xmpp_rest(
        &["send", "--to", "a@localhost", "x"],
        &[("XMPP_REST_URL", &url), ("XMPP_REST_TOKEN", "t")],
        None,
    )
    .await;
    assert_eq!(run.code, 4, "{}", run.stderr);
    assert!(run.stderr.contains("could not connect"), "{}", run.stderr);
}

#[tokio::test]
async fn exit_code_5_for_other_errors() {
    let mock = MockRest::start().await;
    mock.fail_next_request(500);
    let env = env_for(&mock);
    let run = xmpp_rest(&["send", "--to", "a@localhost", "x"], &as_refs(&env), None).await;
    assert_eq!(run.code, 5, "{}", run.stderr);
    assert_eq!(
        run.stderr,
        "xmpp-rest: server error (http 500): 500 Internal Server Error\n"
    );
}

/// clap's convention: 2 for a usage error (it was 1 before clap, and 2 meant
/// refused credentials).
#[tokio::test]
async fn exit_code_2_for_usage_errors() {
    let mock = MockRest::start().await;
    let url = mock.url();
    type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);
    let cases: &[Case<'_>] = &[
        (&[], &[], "Usage: xmpp-rest"),
        (&["frobnicate"], &[], "unrecognized subcommand 'frobnicate'"),
        (&["ping"], &[], "<JID>"),
        (
            &["ping", "localhost"],
            &[],
            "no url: give --url or set XMPP_REST_URL",
        ),
        (
            &["ping", "localhost"],
            &[("XMPP_REST_URL", &url)],
            "no credentials: give --token",
        ),
        (
            &["ping", "localhost", "--user", "bot"],
            &[("XMPP_REST_URL", &url)],
            "no password for bot: set XMPP_REST_PASSWORD or give --password",
        ),
        (
            &["ping", "localhost", "--user", "bot", "--token", "t"],
            &[("XMPP_REST_URL", &url)],
            "give either --token or --user, not both",
        ),
        (&["ping", "not@@valid"], &[], "not a valid jid"),
        (
            &["ping", "localhost", "--url", "ftp://x"],
            &[("XMPP_REST_TOKEN", "t")],
            "not an http or https URL (the scheme is ftp)",
        ),
        (
            &["ping", "localhost", "--host", "http://example.org"],
            &[("XMPP_REST_URL", &url), ("XMPP_REST_TOKEN", "t")],
            "invalid host",
        ),
        (&["send", "--to", "a@localhost"], &[], "<TEXT>"),
        (&["ping", "localhost", "--to", "a@localhost"], &[], "'--to'"),
        (
            &["ping", "localhost", "--timeout", "0"],
            &[],
            "at most 86400",
        ),
    ];
    for (args, env, expected) in cases {
        let run = xmpp_rest(args, env, None).await;
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(expected), "{args:?}: {}", run.stderr);
        assert_eq!(run.stdout, "", "{args:?}");
    }
    mock.assert_nothing_sent();
}

#[tokio::test]
async fn a_url_that_is_not_one_names_the_fix() {
    const FIX: &str = "give the full address of Prosody's /rest, like http://localhost:5280/rest";
    let run = xmpp_rest(
        &["--url", "not-a-url", "ping", "localhost"],
        &[("XMPP_REST_TOKEN", "t")],
        None,
    )
    .await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "invalid value 'not-a-url' for '--url <URL>': not a URL: {FIX}"
        )),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("relative URL"), "{}", run.stderr);

    let run = xmpp_rest(
        &["ping", "localhost"],
        &[
            ("XMPP_REST_URL", "example.org:5281"),
            ("XMPP_REST_TOKEN", "t"),
        ],
        None,
    )
    .await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains(FIX), "{}", run.stderr);
}

#[tokio::test]
async fn help_documents_the_exit_codes() {
    let run = xmpp_rest(&["--help"], &[], None).await;
    assert_eq!(run.code, 0);
    for needle in [
        "EXIT CODES",
        "XMPP_REST_URL",
        "XMPP_REST_TOKEN",
        "XMPP_REST_USER",
        "XMPP_REST_PASSWORD",
        "send --to JID",
    ] {
        assert!(run.stdout.contains(needle), "{needle}");
    }
    let run = xmpp_rest(&["--version"], &[], None).await;
    assert!(run.stdout.starts_with("xmpp-rest "));
}

#[tokio::test]
async fn the_legacy_module_works_with_the_flag() {
    let mock = MockRest::builder()
        .legacy_2020("s3cret")
        .start()
        .await
        .unwrap();
    let url = mock.url();
    let env = [
        ("XMPP_REST_URL", url.as_str()),
        ("XMPP_REST_TOKEN", "Bearer s3cret"),
    ];
    let run = xmpp_rest(&["--legacy", "version", "localhost"], &env, None).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "Prosody 0.12.3 (Linux)\n");
    assert!(mock.requests().iter().all(|r| r.method == "POST"));
}

#[tokio::test]
async fn each_command_has_its_own_help() {
    for args in [&["send", "--help"][..], &["help", "send"]] {
        let run = xmpp_rest(args, &[], None).await;
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        for needle in ["Send a message", "--to <JID>", "--type <TYPE>", "groupchat"] {
            assert!(
                run.stdout.contains(needle),
                "{args:?}: {needle}: {}",
                run.stdout
            );
        }
        assert!(
            !run.stdout.contains("EXIT CODES"),
            "{args:?}: the global help"
        );
    }
    let run = xmpp_rest(&["help", "ping"], &[], None).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("XEP-0199"), "{}", run.stdout);
    let run = xmpp_rest(&["help"], &[], None).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("EXIT CODES"), "{}", run.stdout);
}

#[tokio::test]
async fn completions_for_the_usual_shells() {
    for shell in ["bash", "zsh", "fish"] {
        let run = xmpp_rest(&["completions", shell], &[], None).await;
        assert_eq!(run.code, 0, "{shell}: {}", run.stderr);
        assert!(run.stdout.contains("xmpp-rest"), "{shell}: {}", run.stdout);
        assert!(run.stdout.contains("url"), "{shell}: {}", run.stdout);
    }
    let run = xmpp_rest(&["completions", "tcsh"], &[], None).await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("bash"), "{}", run.stderr);
}

#[tokio::test]
async fn flags_win_over_the_environment_and_empty_variables_are_unset() {
    let mock = MockRest::start().await;
    let url = mock.url();
    // A right token on the command line over a wrong one in the environment.
    let env = [
        ("XMPP_REST_URL", url.as_str()),
        ("XMPP_REST_TOKEN", "wrong"),
    ];
    let args = ["--token", MockRest::DEFAULT_TOKEN, "ping", "localhost"];
    let run = xmpp_rest(&args, &env, None).await;
    assert_eq!(run.code, 0, "{}", run.stderr);

    // An account on the command line over a token in the environment.
    let env = [
        ("XMPP_REST_URL", url.as_str()),
        ("XMPP_REST_TOKEN", "wrong"),
        ("XMPP_REST_PASSWORD", MockRest::DEFAULT_PASSWORD),
    ];
    let run = xmpp_rest(&["ping", "localhost", "--user", "bot"], &env, None).await;
    assert_eq!(run.code, 0, "{}", run.stderr);

    // An unset CI secret comes as an empty variable.
    let env = [
        ("XMPP_REST_URL", url.as_str()),
        ("XMPP_REST_TOKEN", ""),
        ("XMPP_REST_USER", "bot"),
        ("XMPP_REST_PASSWORD", MockRest::DEFAULT_PASSWORD),
        ("XMPP_REST_HOST", ""),
    ];
    let run = xmpp_rest(&["ping", "localhost"], &env, None).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = xmpp_rest(&["ping", "localhost"], &[("XMPP_REST_URL", "")], None).await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("no url: give --url"), "{}", run.stderr);

    let requests = mock.requests();
    assert_eq!(requests.len(), 3);
    assert!(
        requests.iter().all(|r| r.status == Some(200)),
        "{requests:?}"
    );
}

#[tokio::test]
async fn help_hides_the_secrets_of_the_environment() {
    let env = [
        ("XMPP_REST_TOKEN", "very-secret-token"),
        ("XMPP_REST_PASSWORD", "very-secret-password"),
        ("XMPP_REST_HOST", "example.net"),
    ];
    let run = xmpp_rest(&["--help"], &env, None).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stdout.contains("very-secret"), "{}", run.stdout);
    assert!(
        run.stdout.contains("XMPP_REST_HOST=example.net"),
        "{}",
        run.stdout
    );
}

#[tokio::test]
async fn a_404_from_an_ip_address_names_the_host_option() {
    let mock = prosody_of_example_net().await;
    let env = env_for(&mock);
    let run = xmpp_rest(&["version", "example.net"], &as_refs(&env), None).await;
    assert_eq!(run.code, 5, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "Prosody chooses the virtual host by the Host header; use the host's name in the URL or set the host"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("give --host"), "{}", run.stderr);
    assert!(run.stderr.contains("XMPP_REST_HOST"), "{}", run.stderr);
}

#[tokio::test]
async fn the_host_comes_from_the_flag_or_the_environment() {
    let mock = prosody_of_example_net().await;
    let mut env = env_for(&mock);
    let run = xmpp_rest(
        &["--host", "example.net", "version", "example.net"],
        &as_refs(&env),
        None,
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "Prosody 0.12.3 (Linux)\n");

    env.push(("XMPP_REST_HOST", "example.net".to_owned()));
    let run = xmpp_rest(
        &["send", "--to", "alice@example.net", "hi"],
        &as_refs(&env),
        None,
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    mock.assert_sent_message("alice@example.net", "hi");
    assert!(
        mock.requests()
            .iter()
            .all(|r| r.header("host") == Some("example.net"))
    );

    // The flag wins; a wrong host is named in the error.
    let run = xmpp_rest(
        &["ping", "example.net", "--host", "example.org"],
        &as_refs(&env),
        None,
    )
    .await;
    assert_eq!(run.code, 5, "{}", run.stderr);
    assert!(
        run.stderr.contains("the host was set to example.org"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("give --host"), "{}", run.stderr);
}
