//! An argument type of the test command enums: parsed with `FromStr`, with
//! an error message of its own.

use std::str::FromStr;

/// Where to deploy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Env {
    Staging,
    Prod,
}

impl FromStr for Env {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "staging" => Ok(Env::Staging),
            "prod" => Ok(Env::Prod),
            other => Err(format!("expected staging or prod, not {other:?}")),
        }
    }
}
