//! Shared by the `webhook_*` tests: a bot on 127.0.0.1:0, a raw HTTP/1.1
//! client that sends exactly the bytes mod_rest sends, and the recorded
//! mod_rest captures.

#![allow(dead_code, unreachable_pub)]

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use xmpp_rest_bot::Bot;
use xmpp_rest_bot::stanza::{Element, Node, Stanza};
use xmpp_rest_bot::wire::{Limits, WireFormat};

/// A bot served on an ephemeral port until [`Server::stop`].
pub struct Server {
    pub addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<io::Result<()>>,
}

/// Serves `bot` the way users do, with [`Bot::serve_with_shutdown`].
pub async fn start(bot: Bot) -> Server {
    start_bot_serve(bot).await
}

pub async fn start_router(router: axum::Router) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await
    });
    Server {
        addr,
        shutdown: Some(tx),
        task,
    }
}

/// Serves with [`Bot::serve_with_shutdown`] itself.
pub async fn start_bot_serve(bot: Bot) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(bot.serve_with_shutdown(listener, async {
        let _ = rx.await;
    }));
    Server {
        addr,
        shutdown: Some(tx),
        task,
    }
}

impl Server {
    /// Signals shutdown and waits for the server to finish.
    pub async fn stop(mut self) -> io::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        (&mut self.task).await.unwrap()
    }

    /// Signals shutdown without waiting.
    pub fn signal_shutdown(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }

    /// Waits for the server task.
    pub async fn join(self) -> io::Result<()> {
        self.task.await.unwrap()
    }

    pub async fn post(&self, content_type: &str, body: &[u8]) -> HttpResponse {
        request(
            self.addr,
            "POST",
            "/",
            &[("Content-Type", content_type)],
            body,
        )
        .await
    }

    /// Posts a stanza as mod_rest does (its headers), encoded in `format`.
    pub async fn post_stanza(&self, format: WireFormat, stanza: &Stanza) -> HttpResponse {
        let body = format.encode(stanza);
        request(self.addr, "POST", "/", &mod_rest_headers(format), &body).await
    }
}

/// The headers mod_rest (late 2023, Prosody 0.12.3) sends with a stanza.
pub fn mod_rest_headers(format: WireFormat) -> Vec<(&'static str, &'static str)> {
    vec![
        (
            "Accept",
            "application/xmpp+xml, application/json, application/x-www-form-urlencoded, text/plain",
        ),
        ("Host", "127.0.0.1:8080"),
        ("Content-Language", "en"),
        ("User-Agent", "Prosody XMPP Server"),
        ("Content-Type", format.content_type()),
    ]
}

#[derive(Debug)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn content_type(&self) -> Option<&str> {
        self.header("content-type")
    }

    pub fn text(&self) -> &str {
        std::str::from_utf8(&self.body).unwrap()
    }

    /// Decodes the body as a stanza in the format its content type names.
    pub fn stanza(&self) -> Stanza {
        let format = self
            .content_type()
            .and_then(WireFormat::from_content_type)
            .unwrap_or_else(|| panic!("no stanza content type in {self:?}"));
        format
            .decode(&self.body, &Limits::default())
            .unwrap_or_else(|e| panic!("undecodable answer {:?}: {e}", self.text()))
    }
}

/// Sends one request over a fresh connection, exactly as given (plus
/// `Content-Length` when `headers` has none, and `Connection: close`), and
/// reads the whole answer.
pub async fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> HttpResponse {
    let mut head = format!("{method} {path} HTTP/1.1\r\n");
    let has = |name: &str| headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name));
    if !has("host") {
        head.push_str(&format!("Host: {addr}\r\n"));
    }
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if !has("content-length") && !has("transfer-encoding") {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("Connection: close\r\n\r\n");
    let mut raw = head.into_bytes();
    raw.extend_from_slice(body);
    send_raw(addr, &raw).await
}

/// Posts `body` to `path` as mod_rest posts an XML stanza.
pub async fn post_xml(addr: SocketAddr, path: &str, body: &str) -> HttpResponse {
    request(
        addr,
        "POST",
        path,
        &mod_rest_headers(WireFormat::Xml),
        body.as_bytes(),
    )
    .await
}

/// Sends raw bytes over a fresh connection and parses the answer.
pub async fn send_raw(addr: SocketAddr, raw: &[u8]) -> HttpResponse {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(raw).await.unwrap();
    let mut answer = Vec::new();
    // The server may answer (and close) before reading a whole oversized body.
    let _ = stream.read_to_end(&mut answer).await;
    parse_response(&answer)
}

fn parse_response(raw: &[u8]) -> HttpResponse {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no http head in {:?}", String::from_utf8_lossy(raw)));
    let head = std::str::from_utf8(&raw[..end]).unwrap();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    let status = status_line.split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .map(|l| {
            let (n, v) = l.split_once(':').unwrap();
            (n.trim().to_owned(), v.trim().to_owned())
        })
        .collect();
    let mut body = raw[end + 4..].to_vec();
    let chunked = headers.iter().any(|(n, v)| {
        n.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    });
    if chunked {
        body = dechunk(&body);
    }
    HttpResponse {
        status,
        headers,
        body,
    }
}

fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = raw.windows(2).position(|w| w == b"\r\n").unwrap();
        let size =
            usize::from_str_radix(std::str::from_utf8(&raw[..line_end]).unwrap(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&raw[line_end + 2..line_end + 2 + size]);
        raw = &raw[line_end + 2 + size + 2..];
    }
}

/// The recorded mod_rest exchanges, kept in this repository as fixtures
/// (`tests/fixtures/mod_rest/`; the subdirectories `json-2020/` and
/// `json-2023/` hold the JSON-mode cases of each module version).
pub fn captures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mod_rest")
}

/// One recorded case: what Prosody posted, what the webhook answered, what
/// the XMPP user received.
#[derive(Debug, Clone)]
pub struct Capture {
    pub name: String,
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub answer_status: u16,
    pub answer_content_type: String,
    pub answer_body: String,
    /// What the XMPP user sent (XML), when recorded.
    pub sent: String,
    pub received: Vec<String>,
}

/// The stanza a webhook answered to a post in `format`, checking that it
/// is in that format, except a reply JSON would not carry, which goes in XML.
pub fn stanza_answered_to(answer: &HttpResponse, format: WireFormat) -> Stanza {
    let stanza = answer.stanza();
    let expected = match xmpp_rest_bot::wire::json::reply_gap(&stanza) {
        Some(_) if format == WireFormat::Json => WireFormat::Xml,
        _ => format,
    };
    assert_eq!(
        answer.content_type(),
        Some(expected.content_type()),
        "the reply is in the format of the request, or XML where JSON would not carry it: \
         {answer:?}"
    );
    stanza
}

/// `ours` made comparable with what Prosody delivered (`expected`): the
/// random id Prosody made up taken over (after checking that one was made
/// where the reply does not keep the incoming id), payload children sorted
/// (Prosody's JSON reader writes them in its own order).
pub fn normalized(mut ours: Stanza, incoming: &Stanza, expected: &Stanza) -> Stanza {
    if expected.id() != incoming.id() {
        assert!(ours.id().is_some(), "the reply needs an id");
        assert_ne!(ours.id(), incoming.id(), "a new id was expected");
        let id = expected.id().map(str::to_owned);
        match &mut ours {
            Stanza::Message(m) => m.id = id,
            Stanza::Presence(p) => p.id = id,
            Stanza::Iq(iq) => iq.id = id,
            _ => unreachable!(),
        }
    }
    sorted(ours)
}

/// `stanza` with the attributes and children of its iq payload sorted,
/// recursively: Prosody writes neither in a fixed order.
pub fn sorted(mut stanza: Stanza) -> Stanza {
    fn sort(el: &mut Element) {
        let mut attrs = el.attrs().to_vec();
        attrs.sort_by(|a, b| (&a.ns, &a.name).cmp(&(&b.ns, &b.name)));
        for attr in &attrs {
            el.remove_attr(&attr.name);
        }
        for attr in attrs {
            el.set_attr_ns(attr.ns.as_deref(), attr.name, attr.value);
        }
        for node in el.nodes_mut().iter_mut() {
            if let Node::Element(child) = node {
                sort(child);
            }
        }
        el.nodes_mut().sort_by_key(|n| match n {
            Node::Element(e) => format!("{}{}", e.ns(), e.name()),
            _ => String::new(),
        });
    }
    if let Stanza::Iq(iq) = &mut stanza
        && let Some(payload) = &mut iq.payload
    {
        sort(payload);
    }
    stanza
}

pub fn capture(name: &str) -> Capture {
    let path = captures_dir().join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let post = &v["webhook_got"][0];
    Capture {
        name: name.to_owned(),
        method: post["method"].as_str().unwrap().to_owned(),
        // (not recorded for every case: mod_rest posts to the callback URL's path)
        path: post["path"].as_str().unwrap_or("/").to_owned(),
        headers: headers_of(post),
        body: post["body"].as_str().unwrap().to_owned(),
        answer_status: v["webhook_answer"]["status"].as_u64().unwrap() as u16,
        answer_content_type: v["webhook_answer"]["content_type"]
            .as_str()
            .unwrap()
            .to_owned(),
        answer_body: v["webhook_answer"]["body"].as_str().unwrap().to_owned(),
        sent: v["alice_sent"].as_str().unwrap_or_default().to_owned(),
        received: v["alice_received"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_owned())
            .collect(),
    }
}

/// The requests of the JSON-mode capture: the OPTIONS probe, then posts.
pub fn json_mode_requests() -> Vec<Capture> {
    let path = captures_dir().join("json-mode-webhook-posts.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, post)| Capture {
            name: format!("json-mode-{i}"),
            method: post["method"].as_str().unwrap().to_owned(),
            path: post["path"].as_str().unwrap().to_owned(),
            headers: headers_of(post),
            body: post["body"].as_str().unwrap().to_owned(),
            answer_status: 0,
            answer_content_type: String::new(),
            answer_body: String::new(),
            sent: String::new(),
            received: Vec::new(),
        })
        .collect()
}

fn headers_of(post: &serde_json::Value) -> Vec<(String, String)> {
    post["headers"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect()
}

impl Capture {
    /// Sends the recorded request (method, path, headers, body) to `addr`; the
    /// recorded `Content-Length` is replaced by the real length of the body.
    pub async fn replay(&self, addr: SocketAddr) -> HttpResponse {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .filter(|(n, _)| !n.eq_ignore_ascii_case("content-length"))
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        request(
            addr,
            &self.method,
            &self.path,
            &headers,
            self.body.as_bytes(),
        )
        .await
    }

    /// The format the request was posted in.
    pub fn format(&self) -> WireFormat {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
            .and_then(|(_, v)| WireFormat::from_content_type(v))
            .unwrap()
    }

    /// The recorded request's stanza, decoded.
    pub fn stanza(&self) -> Stanza {
        self.format()
            .decode(self.body.as_bytes(), &Limits::default())
            .unwrap()
    }
}
