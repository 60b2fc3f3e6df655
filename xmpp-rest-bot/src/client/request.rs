//! One HTTP exchange with `/rest`: the request's headers and body, the
//! retries of a failed connection, and the answer or the error.

use std::time::Duration;

use reqwest::header::{
    ACCEPT, AUTHORIZATION, CONTENT_TYPE, HOST, HeaderValue, USER_AGENT, WWW_AUTHENTICATE,
};
use reqwest::{Method, Url};

use super::status::SentHost;
use super::{RestClient, RestError, Result, answer, error_body};

/// The header that tells mod_rest how long to wait for an iq's answer.
pub const TIMEOUT_HEADER: &str = "Prosody-Rest-Timeout";
/// The longest wait mod_rest allows for an iq (its `rest_iq_max_timeout` default).
pub const MAX_IQ_TIMEOUT: Duration = Duration::from_secs(300);
/// How much longer than Prosody's iq wait the HTTP exchange may take, so that
/// Prosody's own answer (the reply, or its timeout) arrives first.
const IQ_GRACE: Duration = Duration::from_secs(5);

/// The body of a request.
pub(super) enum Body {
    None,
    Stanza(Vec<u8>),
    Text(String),
}

/// A successful (2xx) answer.
pub(super) struct Answer {
    pub(super) content_type: Option<String>,
    pub(super) body: Vec<u8>,
}

/// What is sent, and how long the answer may take.
pub(super) struct Request {
    pub(super) method: Method,
    pub(super) url: Url,
    pub(super) body: Body,
    /// How long Prosody waits for an iq's answer (`Prosody-Rest-Timeout`);
    /// `None` for a message or presence.
    pub(super) iq_timeout: Option<Duration>,
}

impl RestClient {
    /// Sends one request, retrying a failed connection as the policy says, and
    /// returns a 2xx answer or the error for any other status.
    pub(super) async fn execute(&self, request: Request) -> Result<Answer> {
        let inner = &self.inner;
        let Request {
            method,
            url,
            body,
            iq_timeout,
        } = request;
        let sent_host = sent_host(inner.host.as_ref(), &url);
        let mut builder = inner
            .http
            .request(method, url)
            .header(ACCEPT, inner.format.content_type())
            .header(USER_AGENT, inner.user_agent.clone());
        if let Some(authorization) = &inner.authorization {
            builder = builder.header(AUTHORIZATION, authorization.clone());
        }
        // hyper writes the URL's authority only when no Host header is set.
        if let Some(host) = &inner.host {
            builder = builder.header(HOST, host.clone());
        }
        builder = match iq_timeout {
            Some(wait) => {
                let secs = iq_timeout_secs(wait);
                builder
                    .header(TIMEOUT_HEADER, secs.to_string())
                    .timeout(Duration::from_secs(secs) + IQ_GRACE)
            }
            None => builder.timeout(inner.timeout),
        };
        builder = match body {
            Body::None => builder,
            Body::Stanza(bytes) => builder
                .header(CONTENT_TYPE, inner.format.content_type())
                .body(bytes),
            Body::Text(text) => builder
                .header(CONTENT_TYPE, "text/plain; charset=utf-8")
                .body(text),
        };
        let request = builder.build().map_err(transport_error)?;

        let mut attempt = 0;
        let mut response = loop {
            let Some(this_try) = request.try_clone() else {
                return Err(RestError::protocol("the request body cannot be sent twice"));
            };
            match inner.http.execute(this_try).await {
                Ok(response) => break response,
                // Nothing reached Prosody: safe to try again.
                Err(e) if e.is_connect() && attempt < inner.retry.retries() => {
                    tokio::time::sleep(inner.retry.backoff(attempt)).await;
                    attempt += 1;
                }
                Err(e) => return Err(transport_error(e)),
            }
        };

        let status = response.status().as_u16();
        let content_type = header_str(&response, CONTENT_TYPE);
        let challenge = header_str(&response, WWW_AUTHENTICATE);
        let body = answer::read_body(&mut response, inner.max_response_size).await?;
        if (200..300).contains(&status) {
            Ok(Answer { content_type, body })
        } else {
            Err(error_body::status_error(error_body::Failed {
                status,
                body: &body,
                content_type: content_type.as_deref(),
                challenge,
                credentials_sent: inner.authorization.is_some(),
                is_iq: iq_timeout.is_some(),
                host: sent_host,
            }))
        }
    }

    /// `{endpoint}/{segments...}/{to}`, `to` percent-encoded as needed, with
    /// `?node=` when given.
    pub(super) fn path_url(&self, segments: &[&str], to: &str, node: Option<&str>) -> Url {
        let mut url = self.inner.endpoint.clone();
        let mut path = url.path().trim_end_matches('/').to_owned();
        for segment in segments {
            path.push('/');
            path.push_str(segment);
        }
        path.push('/');
        path.push_str(&encode_path(to));
        url.set_path(&path);
        if let Some(node) = node {
            url.query_pairs_mut().append_pair("node", node);
        }
        url
    }
}

fn header_str(response: &reqwest::Response, name: reqwest::header::HeaderName) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The `Host` header a request carries, for the hint of a 404: the one set
/// with `host()`, else the URL's host and port (hyper leaves out a default port).
fn sent_host(explicit: Option<&HeaderValue>, url: &Url) -> Option<SentHost> {
    if let Some(host) = explicit {
        return Some(SentHost {
            value: String::from_utf8_lossy(host.as_bytes()).into_owned(),
            explicit: true,
        });
    }
    let host = url.host_str()?;
    let value = match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    };
    Some(SentHost {
        value,
        explicit: false,
    })
}

/// The `Prosody-Rest-Timeout` value: whole seconds, rounded up, 1..=300.
fn iq_timeout_secs(wait: Duration) -> u64 {
    let mut secs = wait.as_secs();
    if wait.subsec_nanos() > 0 {
        secs += 1;
    }
    secs.clamp(1, MAX_IQ_TIMEOUT.as_secs())
}

/// Percent-encodes a JID for a path: everything but RFC 3986 `pchar` and `/`
/// (a resource may contain `/`; mod_rest takes the rest of the path as `to`).
fn encode_path(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        let keep = b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/".contains(&b);
        if keep {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A reqwest failure as the client's error: connect, timeout, or another
/// transport failure, with the causes spelled out.
pub(super) fn transport_error(e: reqwest::Error) -> RestError {
    let mut causes = Vec::new();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        let text = s.to_string();
        if causes.last() != Some(&text) {
            causes.push(text);
        }
        source = s.source();
    }
    let url = e.url().map(|u| u.as_str().to_owned()).unwrap_or_default();
    let detail = if causes.is_empty() {
        e.to_string()
    } else {
        causes.join(": ")
    };
    let connect = e.is_connect();
    let timeout = e.is_timeout();
    let message = if connect {
        format!("could not connect to {url}: {detail}; is prosody running and the url right?")
    } else if timeout {
        format!("request to {url} timed out: {detail}")
    } else {
        format!("http request to {url} failed: {detail}")
    };
    RestError::transport(connect, timeout, message).with_source(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iq_timeout_is_rounded_up_and_capped() {
        assert_eq!(iq_timeout_secs(Duration::from_millis(1)), 1);
        assert_eq!(iq_timeout_secs(Duration::ZERO), 1);
        assert_eq!(iq_timeout_secs(Duration::from_millis(1500)), 2);
        assert_eq!(iq_timeout_secs(Duration::from_secs(30)), 30);
        assert_eq!(iq_timeout_secs(Duration::from_secs(3600)), 300);
    }

    #[test]
    fn jids_are_encoded_for_paths() {
        assert_eq!(
            encode_path("bob@example.org/phone"),
            "bob@example.org/phone"
        );
        assert_eq!(encode_path("a b#c?d%e@x"), "a%20b%23c%3Fd%25e@x");
        assert_eq!(encode_path("é@x"), "%C3%A9@x");
    }
}
