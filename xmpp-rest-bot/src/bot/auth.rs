//! Optional webhook authentication: a secret path segment and/or HTTP Basic
//! credentials, both compared in constant time.

use std::fmt;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// How the webhook authenticates requests: a secret first path segment,
/// HTTP Basic credentials, both, or neither (the default: mod_rest sends no
/// credentials unless its callback URL carries them). Both are compared in
/// constant time; a request failing either gets 401. Give it to
/// [`Bot::auth`](crate::Bot::auth).
///
/// The SDK never logs the secrets, nor the paths of requests (which carry
/// the secret path, or an attacker's guesses): `Debug` only says whether
/// each is set. Keep them out of your own startup messages too (they end up
/// in journald): print the URL with a placeholder, `http://{addr}/<secret>/`.
///
/// ```
/// use xmpp_rest_bot::Bot;
/// use xmpp_rest_bot::bot::Auth;
///
/// // rest_callback_url = "http://prosody:pw@127.0.0.1:8080/3f6c9a"
/// let bot: Bot = Bot::new().auth(Auth::default().secret_path("3f6c9a").basic("prosody", "pw"));
/// assert!(!format!("{bot:?}").contains("3f6c9a"));
/// ```
#[derive(Clone, Default)]
#[must_use]
pub struct Auth {
    secret_path: Option<String>,
    basic: Option<Credentials>,
}

impl Auth {
    /// Requires the first path segment of every request to be `secret`.
    /// Configure mod_rest with `rest_callback_url =
    /// "http://127.0.0.1:8080/<secret>"` (placeholders may follow:
    /// `/<secret>/{kind}/{type}`). Use URL-safe characters, for instance a
    /// random hex string.
    pub fn secret_path(mut self, secret: impl Into<String>) -> Self {
        self.secret_path = Some(secret.into());
        self
    }

    /// Requires HTTP Basic credentials (401 with `WWW-Authenticate`
    /// otherwise). mod_rest sends them when they are in the URL:
    /// `rest_callback_url = "http://user:password@127.0.0.1:8080/"`.
    pub fn basic(mut self, user: impl Into<String>, password: impl Into<String>) -> Self {
        self.basic = Some(Credentials {
            user: user.into(),
            password: password.into(),
        });
        self
    }
}

#[derive(Clone)]
struct Credentials {
    user: String,
    password: String,
}

impl fmt::Debug for Auth {
    /// Says what is required, never the secrets.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Auth")
            .field("secret_path", &self.secret_path.is_some())
            .field("basic", &self.basic.is_some())
            .finish()
    }
}

impl Auth {
    /// `Ok` when the request may pass, else the 401 answer.
    #[allow(clippy::result_large_err)]
    pub(crate) fn check(&self, path: &str, headers: &HeaderMap) -> Result<(), Response> {
        // Both checks always run, so that timing does not tell which one failed.
        let path_ok = match &self.secret_path {
            None => true,
            Some(secret) => {
                let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
                constant_time_eq(first.as_bytes(), secret.as_bytes())
            }
        };
        let basic_ok = match &self.basic {
            None => true,
            Some(expected) => basic_matches(headers, expected),
        };
        if path_ok & basic_ok {
            return Ok(());
        }
        tracing::warn!("webhook request without valid credentials refused");
        let mut response = (
            StatusCode::UNAUTHORIZED,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "unauthorized",
        )
            .into_response();
        if self.basic.is_some() {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"xmpp-rest-bot\""),
            );
        }
        Err(response)
    }
}

fn basic_matches(headers: &HeaderMap, expected: &Credentials) -> bool {
    let decoded = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, token) = v.trim().split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("basic")
                .then(|| crate::encoding::base64_decode(token.trim()))
                .flatten()
        })
        .unwrap_or_default();
    let (user, password) = match decoded.iter().position(|&b| b == b':') {
        Some(i) => (&decoded[..i], &decoded[i + 1..]),
        None => (&decoded[..], &[][..]),
    };
    constant_time_eq(user, expected.user.as_bytes())
        & constant_time_eq(password, expected.password.as_bytes())
}

/// Compares `given` with `expected` in time that depends only on the length of
/// `expected`.
fn constant_time_eq(given: &[u8], expected: &[u8]) -> bool {
    let mut diff = u8::from(given.len() != expected.len());
    for (i, &e) in expected.iter().enumerate() {
        let g = given.get(i).copied().unwrap_or(!e);
        diff |= std::hint::black_box(g ^ e);
    }
    diff == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_time_eq_compares_contents_and_lengths() {
        assert!(constant_time_eq(b"s3cret", b"s3cret"));
        assert!(!constant_time_eq(b"s3cres", b"s3cret"));
        assert!(!constant_time_eq(b"s3cre", b"s3cret"));
        assert!(!constant_time_eq(b"s3crett", b"s3cret"));
        assert!(!constant_time_eq(b"", b"s3cret"));
        assert!(constant_time_eq(b"", b""));
        assert!(!constant_time_eq(b"x", b""));
    }

    fn headers(authorization: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, authorization.parse().unwrap());
        h
    }

    #[test]
    fn basic_credentials_are_checked() {
        let auth = Auth::default().basic("prosody", "pw");
        // "prosody:pw"
        assert!(auth.check("/", &headers("Basic cHJvc29keTpwdw==")).is_ok());
        assert!(auth.check("/", &headers("basic cHJvc29keTpwdw")).is_ok());
        // "prosody:px"
        assert!(auth.check("/", &headers("Basic cHJvc29keTpweA==")).is_err());
        assert!(
            auth.check("/", &headers("Bearer cHJvc29keTpwdw=="))
                .is_err()
        );
        let denied = auth.check("/", &HeaderMap::new()).unwrap_err();
        assert_eq!(denied.status(), StatusCode::UNAUTHORIZED);
        assert!(denied.headers().contains_key(header::WWW_AUTHENTICATE));
    }

    #[test]
    fn secret_path_is_the_first_segment() {
        let auth = Auth::default().secret_path("abc123");
        assert!(auth.check("/abc123", &HeaderMap::new()).is_ok());
        assert!(
            auth.check("/abc123/message/chat", &HeaderMap::new())
                .is_ok()
        );
        assert!(auth.check("/", &HeaderMap::new()).is_err());
        assert!(auth.check("/abc12", &HeaderMap::new()).is_err());
        assert!(auth.check("/x/abc123", &HeaderMap::new()).is_err());
        let denied = auth.check("/nope", &HeaderMap::new()).unwrap_err();
        assert!(!denied.headers().contains_key(header::WWW_AUTHENTICATE));
    }

    #[test]
    fn debug_shows_no_secret() {
        let auth = Auth::default()
            .secret_path("topsecret")
            .basic("u", "hunter2");
        let shown = format!("{auth:?}");
        assert!(!shown.contains("topsecret") && !shown.contains("hunter2"));
    }
}
