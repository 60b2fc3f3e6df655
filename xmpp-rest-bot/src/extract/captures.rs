//! `Captures`: the groups of a handler's `body_regex`.

/// The capture groups of the `body_regex` filter of a handler made with
/// `#[on_message(body_regex = "...")]`.
///
/// Group 0 is the whole match; unmatched optional groups are `None`.
///
/// ```
/// use xmpp_rest_bot::prelude::*;
///
/// #[on_message(body_regex = r"^!weather (?P<city>\w+)( (?P<days>\d+))?$")]
/// async fn weather(caps: Captures) -> String {
///     let city = caps.name("city").unwrap_or("nowhere");
///     let days = caps.name("days").unwrap_or("1");
///     format!("{days} day(s) of sun in {city}")
/// }
/// ```
///
/// `Captures` is filled by the attribute: it is not an extractor of its own, so
/// a plain handler cannot take it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Captures {
    groups: Vec<Option<String>>,
    names: Vec<(String, usize)>,
}

impl Captures {
    /// The captures of `re` in `text` (empty when it does not match).
    pub fn from_regex(re: &regex::Regex, text: &str) -> Self {
        let Some(caps) = re.captures(text) else {
            return Captures::default();
        };
        let groups = caps
            .iter()
            .map(|m| m.map(|m| m.as_str().to_owned()))
            .collect();
        let names = re
            .capture_names()
            .enumerate()
            .filter_map(|(i, name)| name.map(|n| (n.to_owned(), i)))
            .collect();
        Captures { groups, names }
    }

    /// Group `i` (0 is the whole match).
    pub fn get(&self, i: usize) -> Option<&str> {
        self.groups.get(i).and_then(|g| g.as_deref())
    }

    /// The named group `name`.
    pub fn name(&self, name: &str) -> Option<&str> {
        self.names
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, i)| self.get(*i))
    }

    /// The number of groups, including group 0 (0 when nothing matched).
    pub fn len(&self) -> usize {
        self.groups.len()
    }

    /// Whether nothing matched.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }
}
