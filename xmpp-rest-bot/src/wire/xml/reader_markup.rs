//! Markup other than elements: comments, CDATA sections, the XML
//! declaration and what XMPP forbids (DTDs, processing instructions), and
//! character data outside the root element.

use super::super::chars::{first_forbidden, forbidden_char};
use super::super::scan::{self, TagScanner, is_space};
use super::{Handler, Parser};
use crate::Result;
use crate::stanza::mapping::is_whitespace;

impl<'a> Parser<'a, '_> {
    /// Markup starting with `<!` at `lt`: a comment, a CDATA section, or
    /// something XMPP does not allow. The offset after it.
    pub(super) fn bang<H: Handler<'a>>(&mut self, lt: usize, handler: &mut H) -> Result<usize> {
        let bytes = self.src.as_bytes();
        let rest = bytes.get(lt + 2..).unwrap_or_default();
        if rest.starts_with(b"--") {
            let Some(end) = scan::find(bytes, lt + 4, b"-->") else {
                return Err(self.error_at("unexpected end of input inside a comment", lt));
            };
            // `--` may not occur in a comment, nor may `-` end one.
            let body = bytes.get(..=end).unwrap_or_default();
            if let Some(at) = scan::find(body, lt + 4, b"--") {
                return Err(self.error_at("'--' inside a comment", at));
            }
            if let Some(at) = first_forbidden(bytes, lt + 4, end) {
                return Err(forbidden_char(self.src, at));
            }
            return Ok(end + 3);
        }
        if rest.starts_with(b"[CDATA[") {
            let Some(end) = scan::find(bytes, lt + 9, b"]]>") else {
                return Err(self.error_at("unexpected end of input inside a cdata section", lt));
            };
            if self.open.is_empty() {
                return Err(self.error_at("cdata section outside the root element", lt));
            }
            if let Some(at) = first_forbidden(bytes, lt + 9, end) {
                return Err(forbidden_char(self.src, at));
            }
            let raw = self.slice(lt + 9, end)?;
            self.inside_text(raw, lt + 9, raw.contains('\r'), false, handler)?;
            return Ok(end + 3);
        }
        Err(self.error_at(
            match rest.first() {
                Some(b'D' | b'd') => {
                    "doctype declarations are not allowed (no dtds, no entity declarations)"
                }
                Some(b'-') => "unexpected end of input inside a comment",
                Some(b'[') => "unexpected end of input inside a cdata section",
                _ => "invalid markup after '<!'",
            },
            lt,
        ))
    }

    /// Markup starting with `<?` at `lt`: the XML declaration (when `first`)
    /// or a forbidden processing instruction. The offset after it.
    pub(super) fn question(&self, lt: usize, first: bool) -> Result<usize> {
        let Some(end) = scan::find(self.src.as_bytes(), lt + 2, b"?>") else {
            return Err(self.error_at(
                "unexpected end of input inside a processing instruction or xml declaration",
                lt,
            ));
        };
        let content = self.slice(lt + 2, end)?;
        if let Some(at) = first_forbidden(self.src.as_bytes(), lt + 2, end) {
            return Err(forbidden_char(self.src, at));
        }
        let is_decl = content
            .strip_prefix("xml")
            .is_some_and(|rest| rest.as_bytes().first().is_none_or(|&b| is_space(b)));
        if !is_decl {
            return Err(self.error_at("processing instructions are not allowed", lt));
        }
        if !first {
            return Err(self.error_at(
                "the xml declaration is only allowed at the start of the input",
                lt,
            ));
        }
        self.check_decl(content, lt)?;
        Ok(end + 2)
    }

    /// The pseudo-attributes of the XML declaration (`content` is what is
    /// between `<?` and `?>`): the version first, and it must be 1.0; an
    /// encoding, if named, must be UTF-8. What follows the encoding is not
    /// looked at.
    pub(super) fn check_decl(&self, content: &str, lt: usize) -> Result<()> {
        let mut scanner = TagScanner::declaration(content, 3);
        let mut version = None;
        loop {
            let rest = content.as_bytes().get(scanner.pos()..).unwrap_or_default();
            if rest.iter().all(|&b| is_space(b)) {
                break;
            }
            let attr = match scanner.next() {
                Ok(Ok(attr)) => attr,
                Ok(Err(_)) => return Err(self.error_at("invalid xml declaration", lt)),
                Err((msg, _)) => return Err(self.error_at(msg, lt)),
            };
            match (version, attr.key) {
                (None, "version") => version = Some(attr.value),
                (None, _) => break,
                (Some(_), "encoding") => {
                    if attr.value.eq_ignore_ascii_case("utf-8") {
                        break;
                    }
                    return Err(self.error_at(
                        format!(
                            "unsupported encoding {:?}: only utf-8 is supported",
                            attr.value
                        ),
                        lt,
                    ));
                }
                (Some(_), _) => {}
            }
        }
        match version {
            None => Err(self.error_at("the xml declaration must start with a version", lt)),
            Some("1.0") => Ok(()),
            Some(other) => Err(self.error_at(
                format!("unsupported xml version {other:?}: only 1.0 is supported"),
                lt,
            )),
        }
    }

    /// Character data outside the root: only whitespace is allowed.
    pub(super) fn outside_text(&self, raw: &str, at: usize) -> Result<()> {
        let amp = raw.find('&');
        if !is_whitespace(raw.get(..amp.unwrap_or(raw.len())).unwrap_or(raw)) {
            let msg = if self.root_done {
                "text after the root element"
            } else {
                "text before the root element"
            };
            return Err(self.error_at(msg, at));
        }
        let Some(amp) = amp else {
            return Ok(());
        };
        let after = raw.as_bytes().get(amp + 1..).unwrap_or_default();
        let terminated = after
            .iter()
            .find(|&&b| b == b';' || b == b'&')
            .is_some_and(|&b| b == b';');
        let msg = if terminated {
            "reference outside the root element"
        } else {
            "unterminated entity or character reference (no ';')"
        };
        Err(self.error_at(msg, at + amp))
    }
}
