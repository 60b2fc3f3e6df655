//! Finding the path of the `xmpp-rest-bot` crate as the calling crate names it.
//!
//! A user may rename the dependency (`bot = { package = "xmpp-rest-bot", .. }`);
//! generated code must still reach the runtime crate. We read the caller's
//! `Cargo.toml` for a rename instead of depending on a TOML parser: the forms
//! cargo accepts for a rename are few.

use proc_macro2::{Span, TokenStream};
use quote::quote;

const RUNTIME: &str = "xmpp-rest-bot";

/// `::xmpp_rest_bot`, or `::renamed` when the caller's manifest renames it.
pub(crate) fn runtime() -> TokenStream {
    let name = renamed().unwrap_or_else(|| RUNTIME.replace('-', "_"));
    let ident = syn::Ident::new(&name, Span::call_site());
    quote!(::#ident)
}

fn renamed() -> Option<String> {
    let dir = std::env::var_os("CARGO_MANIFEST_DIR")?;
    let manifest = std::fs::read_to_string(std::path::Path::new(&dir).join("Cargo.toml")).ok()?;
    find_rename(&manifest)
}

/// The dependency key under which `xmpp-rest-bot` is renamed, if it is.
fn find_rename(manifest: &str) -> Option<String> {
    let package_line = |line: &str| {
        let line = line.split('#').next().unwrap_or_default();
        line.contains("package") && line.contains(&format!("\"{RUNTIME}\""))
    };
    let mut table_key: Option<String> = None;
    for raw in manifest.lines() {
        let line = raw.trim();
        if line.starts_with('[') {
            // `[dependencies.bot]`, `[dev-dependencies.bot]`, `[target.'..'.dependencies.bot]`
            table_key = line
                .trim_matches(|c| c == '[' || c == ']')
                .rsplit_once("dependencies.")
                .map(|(_, key)| key.trim().trim_matches('"').to_owned());
            continue;
        }
        if package_line(line) {
            if let Some(key) = &table_key {
                return Some(key.replace('-', "_"));
            }
            // `bot = { package = "xmpp-rest-bot", ... }`
            if let Some((key, _)) = line.split_once('=') {
                let key = key.trim().trim_matches('"');
                if key != "package" {
                    return Some(key.replace('-', "_"));
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::find_rename;

    #[test]
    fn finds_inline_and_table_renames() {
        assert_eq!(
            find_rename("[dependencies]\nxmpp-rest-bot = \"0.1\"\n"),
            None
        );
        assert_eq!(
            find_rename(
                "[dependencies]\nbot = { package = \"xmpp-rest-bot\", version = \"0.1\" }\n"
            ),
            Some("bot".into())
        );
        assert_eq!(
            find_rename("[dependencies.my-bot]\nversion = \"0.1\"\npackage = \"xmpp-rest-bot\"\n"),
            Some("my_bot".into())
        );
        assert_eq!(
            find_rename("[dependencies]\nx = { package = \"xmpp-rest-bot-macros\" }\n"),
            None
        );
    }
}
