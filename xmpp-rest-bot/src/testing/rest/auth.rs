//! Who sends: the credentials of a request, checked as each mod_rest checks them.

use axum::http::header;

use super::Shared;
use super::failure::{Failure, MALFORMAUTHZ, NOAUTHZ, PREPAUTHZ, UNAUTHZ};
use super::handler::Incoming;
use crate::stanza::{BareJid, Jid};

/// The authenticated JID, or the failure with the challenge to send.
pub(super) fn authenticate(
    shared: &Shared,
    request: &Incoming<'_>,
) -> Result<Jid, (Failure, Option<String>)> {
    let config = &shared.config;
    let authorization = request.header(header::AUTHORIZATION);
    if let Some(credential) = &config.legacy {
        return match authorization {
            None => Err((
                Failure::Status(401),
                Some(format!("Bearer realm=\"{}/rest\"", config.domain)),
            )),
            Some(value) if value == credential => Ok(Jid::from(config.domain_jid.clone())),
            Some(_) => Err((Failure::Status(401), None)),
        };
    }
    let Some(value) = authorization else {
        let realm = format!("{}/rest", config.domain);
        return Err((
            NOAUTHZ.into(),
            Some(format!("Bearer realm=\"{realm}\", Basic realm=\"{realm}\"")),
        ));
    };
    let Some((scheme, data)) = value.split_once(' ') else {
        return Err((NOAUTHZ.into(), None));
    };
    let data = data.trim();
    if scheme.eq_ignore_ascii_case("bearer") {
        return config
            .tokens
            .iter()
            .find(|(token, _)| token == data)
            .map(|(_, jid)| jid.clone())
            .ok_or((UNAUTHZ.into(), None));
    }
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err((NOAUTHZ.into(), None));
    }
    let Some(decoded) =
        crate::encoding::base64_decode(data).and_then(|b| String::from_utf8(b).ok())
    else {
        return Err((MALFORMAUTHZ.into(), None));
    };
    let Some((user, password)) = decoded.split_once(':').filter(|(u, _)| !u.is_empty()) else {
        return Err((MALFORMAUTHZ.into(), None));
    };
    let Ok(jid) = BareJid::new(&format!("{user}@{}", config.domain)) else {
        return Err((PREPAUTHZ.into(), None));
    };
    // nodeprep refuses what a local part cannot hold, such as a whole JID.
    if user.contains('@') || user.contains('/') {
        return Err((PREPAUTHZ.into(), None));
    }
    let known = config
        .users
        .iter()
        .any(|(u, p)| u.eq_ignore_ascii_case(user) && p == password);
    if known {
        Ok(Jid::from(jid))
    } else {
        Err((UNAUTHZ.into(), None))
    }
}
