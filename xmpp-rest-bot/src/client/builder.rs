//! [`RestClientBuilder`]: where Prosody is and how to talk to it.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use reqwest::header::HeaderValue;

use super::{Inner, RestClient, RetryPolicy};
use super::{RestError, Result};
use crate::wire::{Limits, WireFormat};

/// The credentials sent with every request.
#[derive(Clone)]
pub(super) enum Auth {
    Bearer(String),
    Basic { user: String, password: String },
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::Bearer(_) => f.write_str("Bearer(..)"),
            Auth::Basic { user, .. } => f
                .debug_struct("Basic")
                .field("user", user)
                .finish_non_exhaustive(),
        }
    }
}

/// Builds a [`RestClient`]; see [`RestClient::builder`].
///
/// ```no_run
/// use std::time::Duration;
/// use xmpp_rest_bot::client::{RestClient, RetryPolicy};
/// use xmpp_rest_bot::wire::WireFormat;
///
/// # fn main() -> xmpp_rest_bot::client::Result<()> {
/// let client = RestClient::builder("https://example.org:5281")
///     .basic_auth("bot", "secret")
///     .format(WireFormat::Json)
///     .timeout(Duration::from_secs(10))
///     .retries(RetryPolicy::default().max_retries(3))
///     .build()?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
#[must_use]
pub struct RestClientBuilder {
    base_url: String,
    auth: Option<Auth>,
    timeout: Duration,
    connect_timeout: Duration,
    format: WireFormat,
    user_agent: Option<String>,
    http_client: Option<reqwest::Client>,
    retry: RetryPolicy,
    legacy: bool,
    limits: Limits,
    max_response_size: usize,
    host: Option<String>,
}

impl RestClientBuilder {
    /// The default [`timeout`](Self::timeout).
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
    /// The default [`connect_timeout`](Self::connect_timeout).
    pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
    /// The default [`max_response_size`](Self::max_response_size): 4 MiB.
    pub const DEFAULT_MAX_RESPONSE_SIZE: usize = 4 * 1024 * 1024;

    pub(super) fn new(base_url: &str) -> Self {
        RestClientBuilder {
            base_url: base_url.to_owned(),
            auth: None,
            timeout: Self::DEFAULT_TIMEOUT,
            connect_timeout: Self::DEFAULT_CONNECT_TIMEOUT,
            format: WireFormat::Xml,
            user_agent: None,
            http_client: None,
            retry: RetryPolicy::default(),
            legacy: false,
            limits: Limits::default(),
            max_response_size: Self::DEFAULT_MAX_RESPONSE_SIZE,
            host: None,
        }
    }

    /// Authenticates with `Authorization: Bearer <token>`: a token from
    /// mod_tokenauth / mod_http_oauth2, or the secret of the early-2020 module's
    /// `rest_credentials = "Bearer <token>"` (a leading `"Bearer "` in `token` is
    /// accepted and not doubled, so that setting can be pasted as it is).
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        let token = token.into();
        let token = match token.get(..7) {
            Some(prefix) if prefix.eq_ignore_ascii_case("bearer ") => {
                token[7..].trim_start().to_owned()
            }
            _ => token,
        };
        self.auth = Some(Auth::Bearer(token));
        self
    }

    /// Authenticates with `Authorization: Basic`: an account of the host that
    /// serves `/rest`. mod_rest expects the *local part* as the user (`"bot"`,
    /// not `"bot@example.org"`).
    pub fn basic_auth(mut self, user: impl Into<String>, password: impl Into<String>) -> Self {
        self.auth = Some(Auth::Basic {
            user: user.into(),
            password: password.into(),
        });
        self
    }

    /// How long a request may take in all (default 30 s).
    ///
    /// For an iq ([`query`](RestClient::query) and the GET shortcuts) it is
    /// also how long Prosody waits for the answer: the client sends it as
    /// `Prosody-Rest-Timeout` and allows the HTTP exchange a few seconds more,
    /// so that Prosody's own `remote-server-timeout` comes back rather than a
    /// local timeout. [`query_with_timeout`](RestClient::query_with_timeout)
    /// overrides it per call.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How long connecting may take (default 10 s). Ignored with
    /// [`http_client`](Self::http_client): that client's own setting applies.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The wire format of request bodies and the one asked for with `Accept`
    /// (default XML, which is lossless; JSON carries only what mod_rest maps).
    pub fn format(mut self, format: WireFormat) -> Self {
        self.format = format;
        self
    }

    /// The `User-Agent` header (default `xmpp-rest-bot/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Uses an existing `reqwest::Client` (its connection pool, proxy and TLS
    /// settings) instead of building one.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// How failed connections are retried (default: 2 retries, see [`RetryPolicy`]).
    pub fn retries(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Talks to the early-2020 mod_rest (the one configured with
    /// `rest_credentials`): it has only `POST /rest`, so the GET shortcuts
    /// ([`ping`](RestClient::ping), [`version`](RestClient::version), ...) and
    /// [`send_text`](RestClient::send_text) post a stanza there instead.
    ///
    /// Without this flag the client finds out by itself: when a GET shortcut or
    /// the text path answers 404 or 405, it posts the stanza to `/rest`
    /// instead and keeps doing so. The flag saves that first round trip.
    pub fn legacy_2020(mut self) -> Self {
        self.legacy = true;
        self
    }

    /// Limits for decoding each stanza of an answer (default [`Limits::default`]).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The largest response body read, in bytes (default 4 MiB; an answer with
    /// many stanzas, such as an archive query, can be larger than one stanza).
    pub fn max_response_size(mut self, bytes: usize) -> Self {
        self.max_response_size = bytes;
        self
    }

    /// The `Host` header of every request: the name of the Prosody host that
    /// serves `/rest` (default: the host and port of the URL).
    ///
    /// Prosody chooses the virtual host of an HTTP request by its `Host`
    /// header, not by the address it arrived on. A URL with an IP address
    /// (`http://127.0.0.1:5280`), or a name that is not one of Prosody's
    /// hosts, reaches no host's mod_rest: every request is answered 404. Use
    /// the host's name in the URL, or keep the URL (a local address, an
    /// internal name) and name the host here. Over `https` the certificate
    /// is still checked against the URL's name.
    ///
    /// ```no_run
    /// use xmpp_rest_bot::client::RestClient;
    ///
    /// # async fn run() -> xmpp_rest_bot::client::Result<()> {
    /// // Prosody on this machine, mod_rest loaded on `VirtualHost "example.net"`.
    /// let client = RestClient::builder("http://127.0.0.1:5280")
    ///     .host("example.net")
    ///     .basic_auth("bot", "secret")
    ///     .build()?;
    /// client.send_chat("alice@example.net", "hello").await?;
    /// # Ok(()) }
    /// ```
    pub fn host(mut self, host: impl Into<String>) -> Self {
        self.host = Some(host.into());
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// When the URL is not an `http`/`https` URL (or carries credentials, a
    /// query or a fragment), when the credentials or the user agent cannot be
    /// sent in an HTTP header, when the [host](Self::host) is empty or cannot
    /// be sent in one, or when the HTTP client cannot be built (TLS backend
    /// initialisation).
    pub fn build(self) -> Result<RestClient> {
        let endpoint = rest_endpoint(&self.base_url)?;
        let host = self.host.as_deref().map(host_header).transpose()?;
        let authorization = match &self.auth {
            None => None,
            Some(Auth::Bearer(token)) => Some(sensitive_header(
                &format!("Bearer {token}"),
                "bearer token",
            )?),
            Some(Auth::Basic { user, password }) => {
                if user.contains(':') {
                    return Err(RestError::config(
                        "the basic auth user must not contain ':'",
                    ));
                }
                let encoded =
                    crate::encoding::base64_encode(format!("{user}:{password}").as_bytes());
                Some(sensitive_header(
                    &format!("Basic {encoded}"),
                    "basic auth credentials",
                )?)
            }
        };
        let user_agent = self
            .user_agent
            .unwrap_or_else(|| concat!("xmpp-rest-bot/", env!("CARGO_PKG_VERSION")).to_owned());
        let user_agent = HeaderValue::from_str(&user_agent).map_err(|_| {
            RestError::config("the user agent contains characters not allowed in an http header")
        })?;
        let http = match self.http_client {
            Some(client) => client,
            None => reqwest::Client::builder()
                .connect_timeout(self.connect_timeout)
                .build()
                .map_err(|e| {
                    RestError::config(format!("cannot build the http client: {e}")).with_source(e)
                })?,
        };
        Ok(RestClient {
            inner: Arc::new(Inner {
                http,
                endpoint,
                authorization,
                user_agent,
                timeout: self.timeout,
                format: self.format,
                retry: self.retry,
                legacy: AtomicBool::new(self.legacy),
                limits: self.limits,
                max_response_size: self.max_response_size,
                host,
            }),
        })
    }
}

fn sensitive_header(value: &str, what: &str) -> Result<HeaderValue> {
    let mut value = HeaderValue::from_str(value).map_err(|_| {
        RestError::config(format!(
            "the {what} contain characters not allowed in an http header"
        ))
    })?;
    value.set_sensitive(true);
    Ok(value)
}

/// The value of an explicit `Host` header: a name (with an optional port), so
/// that a typo such as a whole URL fails here rather than as a 404.
fn host_header(host: &str) -> Result<HeaderValue> {
    let host = host.trim();
    let looks_like_a_name = !host.is_empty()
        && !host.contains(['/', '@', '?', '#'])
        && !host.chars().any(char::is_whitespace);
    if !looks_like_a_name {
        return Err(RestError::config(format!(
            "invalid host {host:?}: give the name of a prosody host, like example.net"
        )));
    }
    HeaderValue::from_str(host).map_err(|_| {
        RestError::config(format!(
            "invalid host {host:?}: it contains characters not allowed in an http header"
        ))
    })
}

/// The `/rest` URL for a base URL: Prosody's HTTP base gets `/rest` appended, a
/// URL whose path already ends in `/rest` is kept.
pub(super) fn rest_endpoint(base: &str) -> Result<reqwest::Url> {
    let mut url = reqwest::Url::parse(base.trim())
        .map_err(|e| RestError::config(format!("invalid url {base:?}: {e}")))?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(RestError::config(format!(
            "invalid url {base:?}: the scheme must be http or https"
        )));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(RestError::config(
            "the url must not carry credentials: use bearer_token() or basic_auth()",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(RestError::config(format!(
            "invalid url {base:?}: it must not have a query or a fragment"
        )));
    }
    let path = url.path().trim_end_matches('/').to_owned();
    if path == "/rest" || path.ends_with("/rest") {
        url.set_path(&path);
    } else {
        url.set_path(&format!("{path}/rest"));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_rejects_unusable_urls() {
        for base in [
            "example.org",
            "ftp://example.org/",
            "https://user:pw@example.org/",
            "https://example.org/?a=b",
            "https://example.org/#x",
        ] {
            let err = rest_endpoint(base).unwrap_err();
            assert!(
                err.to_string().starts_with("invalid configuration: "),
                "{base}: {err}"
            );
        }
    }

    #[test]
    fn bearer_prefix_is_not_doubled() {
        let b = RestClientBuilder::new("http://x").bearer_token("Bearer abc");
        assert!(matches!(b.auth, Some(Auth::Bearer(ref t)) if t == "abc"));
        let b = RestClientBuilder::new("http://x").bearer_token("abc");
        assert!(matches!(b.auth, Some(Auth::Bearer(ref t)) if t == "abc"));
    }

    #[test]
    fn a_host_must_be_a_name() {
        for host in [
            "",
            " ",
            "http://example.net",
            "example.net/rest",
            "a b",
            "bot@x",
        ] {
            let err = host_header(host).unwrap_err();
            assert!(err.to_string().contains("invalid host"), "{host}: {err}");
        }
        for host in ["example.net", "example.net:5280", "[::1]:5280", "127.0.0.1"] {
            assert!(host_header(host).is_ok(), "{host}");
        }
    }

    #[test]
    fn credentials_with_newlines_are_refused() {
        let err = RestClientBuilder::new("http://x")
            .bearer_token("a\nb")
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("bearer token"), "{err}");
        let err = RestClientBuilder::new("http://x")
            .basic_auth("a:b", "c")
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("':'"), "{err}");
    }
}
