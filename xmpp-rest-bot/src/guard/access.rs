//! Access control: named groups of JIDs, and whether a sender is in one.
//!
//! A group is a list of patterns:
//!
//! | pattern | matches |
//! |---------|---------|
//! | `alice@example.net/laptop` | that full JID only |
//! | `alice@example.net` | that account, any resource |
//! | `*@example.net` | every account of the domain (not the domain itself) |
//! | `example.net` | the domain's own JID (a server or component), any resource |
//! | `*` | everyone |
//!
//! Groups are runtime configuration: operators change them without a
//! rebuild, from the environment ([`Access::from_env`]) or a TOML file
//! ([`Access::from_toml`], feature `toml`).

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use crate::stanza::{BareJid, FullJid, Jid};

/// One entry of a group: `*`, `*@domain`, `user@domain` (any resource), `domain`, or a full JID.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum JidPattern {
    /// `*`: everyone.
    Anyone,
    /// `*@domain`: every account of a domain.
    Domain(BareJid),
    /// `user@domain` or `domain`: one account or entity, any resource.
    Bare(BareJid),
    /// `user@domain/resource`: one full JID.
    Full(FullJid),
}

impl JidPattern {
    /// Whether `jid` matches.
    ///
    /// ```
    /// use xmpp_rest_bot::guard::JidPattern;
    /// use xmpp_rest_bot::stanza::Jid;
    ///
    /// let ops: JidPattern = "*@ops.example.net".parse()?;
    /// assert!(ops.matches(&Jid::new("carol@ops.example.net/phone")?));
    /// assert!(!ops.matches(&Jid::new("ops.example.net")?));
    /// assert!(!ops.matches(&Jid::new("carol@example.net")?));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn matches(&self, jid: &Jid) -> bool {
        match self {
            JidPattern::Anyone => true,
            JidPattern::Domain(domain) => {
                jid.node().is_some() && jid.domain().as_str() == domain.domain().as_str()
            }
            JidPattern::Bare(bare) => jid.to_bare() == *bare,
            JidPattern::Full(full) => jid.try_as_full().is_ok_and(|j| j == full),
        }
    }
}

impl FromStr for JidPattern {
    type Err = AccessError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let invalid = |reason: String| AccessError::Pattern {
            pattern: s.to_owned(),
            reason,
        };
        if s == "*" {
            return Ok(JidPattern::Anyone);
        }
        if let Some(domain) = s.strip_prefix("*@") {
            let jid = BareJid::new(domain).map_err(|e| invalid(e.to_string()))?;
            if jid.node().is_some() {
                return Err(invalid("`*@` takes a domain, not an account".into()));
            }
            return Ok(JidPattern::Domain(jid));
        }
        if s.contains('*') {
            return Err(invalid(
                "`*` stands alone or as `*@domain`; no other wildcards".into(),
            ));
        }
        match Jid::new(s).map_err(|e| invalid(e.to_string()))? {
            jid if jid.resource().is_some() => Ok(JidPattern::Full(
                jid.try_into_full()
                    .map_err(|_| invalid("not a full JID".into()))?,
            )),
            jid => Ok(JidPattern::Bare(jid.to_bare())),
        }
    }
}

impl fmt::Display for JidPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JidPattern::Anyone => f.write_str("*"),
            JidPattern::Domain(d) => write!(f, "*@{d}"),
            JidPattern::Bare(b) => write!(f, "{b}"),
            JidPattern::Full(j) => write!(f, "{j}"),
        }
    }
}

/// Named groups of JIDs.
///
/// ```
/// use xmpp_rest_bot::guard::Access;
/// use xmpp_rest_bot::stanza::Jid;
///
/// let access = Access::new()
///     .group("ops", ["alice@example.net", "*@ops.example.net"])?
///     .group("admins", ["root@example.net/console"])?;
///
/// let carol = Jid::new("carol@ops.example.net/phone")?;
/// assert!(access.allows("ops", &carol));
/// assert!(!access.allows("admins", &carol));
/// assert_eq!(access.groups_of(&carol).collect::<Vec<_>>(), ["ops"]);
/// // A group nobody defined lets nobody in.
/// assert!(!access.allows("deployers", &carol));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Access {
    groups: BTreeMap<String, Vec<JidPattern>>,
}

impl Access {
    /// No groups.
    pub fn new() -> Self {
        Access::default()
    }

    /// Adds `members` to the group `name` (created if new).
    ///
    /// # Errors
    /// When a member is not a valid pattern, or the name is empty or has
    /// characters other than letters, digits, `-` and `_`.
    pub fn group<I>(mut self, name: &str, members: I) -> Result<Self, AccessError>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        check_group_name(name)?;
        let patterns = members
            .into_iter()
            .map(|m| m.as_ref().parse::<JidPattern>())
            .collect::<Result<Vec<_>, _>>()?;
        self.groups
            .entry(name.to_owned())
            .or_default()
            .extend(patterns);
        Ok(self)
    }

    /// Whether `jid` is a member of the group `name`. A group that is not
    /// defined has no members.
    pub fn allows(&self, name: &str, jid: &Jid) -> bool {
        self.groups
            .get(name)
            .is_some_and(|members| members.iter().any(|p| p.matches(jid)))
    }

    /// The groups `jid` is a member of, by name.
    pub fn groups_of<'a>(&'a self, jid: &'a Jid) -> impl Iterator<Item = &'a str> + 'a {
        self.groups
            .iter()
            .filter(|(_, members)| members.iter().any(|p| p.matches(jid)))
            .map(|(name, _)| name.as_str())
    }

    /// Whether a group of that name is defined.
    pub fn has_group(&self, name: &str) -> bool {
        self.groups.contains_key(name)
    }

    /// The members of a group, if it is defined.
    pub fn members(&self, name: &str) -> Option<&[JidPattern]> {
        self.groups.get(name).map(Vec::as_slice)
    }

    /// The groups from environment variables `{prefix}{NAME}`, each a list of
    /// patterns separated by commas or white space; the group's name is
    /// `NAME` in lower case, with `_` kept.
    ///
    /// ```
    /// use xmpp_rest_bot::guard::Access;
    /// use xmpp_rest_bot::stanza::Jid;
    ///
    /// let vars = [("BOT_GROUP_OPS", "alice@example.net, *@ops.example.net"), ("PATH", "/bin")];
    /// let access = Access::from_vars("BOT_GROUP_", vars)?;
    /// assert!(access.allows("ops", &Jid::new("alice@example.net/laptop")?));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// When a variable's value has an invalid pattern (the error names it).
    pub fn from_vars<I, K, V>(prefix: &str, vars: I) -> Result<Self, AccessError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut access = Access::new();
        for (key, value) in vars {
            let Some(name) = key.as_ref().strip_prefix(prefix) else {
                continue;
            };
            let name = name.to_ascii_lowercase();
            let members = value
                .as_ref()
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|m| !m.is_empty())
                .collect::<Vec<_>>();
            access = access
                .group(&name, members)
                .map_err(|e| e.in_source(key.as_ref()))?;
        }
        Ok(access)
    }

    /// [`from_vars`](Self::from_vars) over this process's environment
    /// (variables that are not UTF-8 are skipped).
    ///
    /// # Errors
    /// As [`from_vars`](Self::from_vars).
    pub fn from_env(prefix: &str) -> Result<Self, AccessError> {
        Access::from_vars(
            prefix,
            std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?))),
        )
    }

    /// The groups of a TOML document's `[groups]` table:
    ///
    /// ```
    /// use xmpp_rest_bot::guard::Access;
    /// use xmpp_rest_bot::stanza::Jid;
    ///
    /// let access = Access::from_toml(r#"
    ///     [groups]
    ///     ops = ["alice@example.net", "*@ops.example.net"]
    ///     admins = ["root@example.net/console"]
    /// "#)?;
    /// assert!(access.allows("admins", &Jid::new("root@example.net/console")?));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// Other tables and keys of the document are left alone, so the groups
    /// can live in the bot's own configuration file.
    ///
    /// # Errors
    /// When the document is not TOML, `groups` is not a table of string
    /// arrays, or a pattern is invalid.
    #[cfg(feature = "toml")]
    pub fn from_toml(text: &str) -> Result<Self, AccessError> {
        #[derive(serde::Deserialize)]
        struct Document {
            #[serde(default)]
            groups: BTreeMap<String, Vec<String>>,
        }
        let doc: Document = toml::from_str(text).map_err(|e| AccessError::Config {
            source_name: "TOML".into(),
            reason: e.to_string(),
        })?;
        let mut access = Access::new();
        for (name, members) in doc.groups {
            access = access.group(&name, members)?;
        }
        Ok(access)
    }
}

fn check_group_name(name: &str) -> Result<(), AccessError> {
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(AccessError::GroupName(name.to_owned()))
    }
}

/// Why a group configuration was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AccessError {
    /// A member is not a valid pattern.
    Pattern {
        /// The pattern as written.
        pattern: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A group name is empty or has characters other than letters, digits, `-`, `_`.
    GroupName(String),
    /// The configuration could not be read.
    Config {
        /// Where it came from (a variable's name, "TOML").
        source_name: String,
        /// What is wrong with it.
        reason: String,
    },
}

impl AccessError {
    fn in_source(self, source_name: &str) -> Self {
        AccessError::Config {
            source_name: source_name.to_owned(),
            reason: self.to_string(),
        }
    }
}

impl fmt::Display for AccessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AccessError::Pattern { pattern, reason } => {
                write!(f, "invalid JID pattern `{pattern}`: {reason}")
            }
            AccessError::GroupName(name) => write!(
                f,
                "invalid group name `{name}`: use letters, digits, `-` and `_`"
            ),
            AccessError::Config {
                source_name,
                reason,
            } => write!(f, "in {source_name}: {reason}"),
        }
    }
}

impl std::error::Error for AccessError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn jid(s: &str) -> Jid {
        Jid::new(s).unwrap()
    }

    #[test]
    fn patterns() {
        let cases = [
            ("*", "anyone@example.net/x", true),
            ("*@example.net", "alice@example.net", true),
            ("*@example.net", "alice@example.net/phone", true),
            ("*@example.net", "example.net", false),
            ("*@example.net", "alice@sub.example.net", false),
            ("alice@example.net", "alice@example.net/phone", true),
            ("alice@example.net", "alice@example.net", true),
            ("alice@example.net", "bob@example.net", false),
            ("alice@example.net/laptop", "alice@example.net/laptop", true),
            ("alice@example.net/laptop", "alice@example.net/phone", false),
            ("alice@example.net/laptop", "alice@example.net", false),
            ("example.net", "example.net/admin", true),
            ("example.net", "alice@example.net", false),
        ];
        for (pattern, sender, expected) in cases {
            let p: JidPattern = pattern.parse().unwrap();
            assert_eq!(p.matches(&jid(sender)), expected, "{pattern} vs {sender}");
            assert_eq!(p.to_string(), pattern);
        }
    }

    #[test]
    fn invalid_patterns_say_why() {
        for bad in [
            "",
            "*@",
            "a*@example.net",
            "*@alice@example.net",
            "alice@",
            "@x",
        ] {
            let err = bad.parse::<JidPattern>().unwrap_err();
            assert!(
                err.to_string().starts_with("invalid JID pattern"),
                "{bad}: {err}"
            );
        }
        let err = Access::new().group("o ps", ["a@b"]).unwrap_err();
        assert_eq!(err, AccessError::GroupName("o ps".into()));
    }

    #[test]
    fn groups_from_variables() {
        let vars = [
            ("X_OPS", "alice@example.net *@ops.example.net"),
            ("X_ON_CALL", "bob@example.net,,carol@example.net"),
            ("OTHER", "ignored"),
        ];
        let access = Access::from_vars("X_", vars).unwrap();
        assert!(access.allows("ops", &jid("dave@ops.example.net")));
        assert!(access.allows("on_call", &jid("carol@example.net/a")));
        assert!(!access.has_group("other"));
        let err = Access::from_vars("X_", [("X_OPS", "alice@")]).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("in X_OPS: invalid JID pattern `alice@`"),
            "{err}"
        );
    }

    #[cfg(feature = "toml")]
    #[test]
    fn groups_from_toml() {
        let access = Access::from_toml(
            "title = 'bot'\n[groups]\nops = ['alice@example.net']\n[other]\nx = 1\n",
        )
        .unwrap();
        assert_eq!(access.members("ops").unwrap().len(), 1);
        let err = Access::from_toml("[groups]\nops = 'alice@example.net'").unwrap_err();
        assert!(err.to_string().starts_with("in TOML:"), "{err}");
        let err = Access::from_toml("[groups]\nops = ['*@']").unwrap_err();
        assert!(err.to_string().starts_with("invalid JID pattern"), "{err}");
    }
}
