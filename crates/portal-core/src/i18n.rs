//! The portal's languages: which one a visit is shown in, and how a text shown in English is
//! found in another language's catalog.
//!
//! A catalog is keyed by the English text itself, so every word the portal shows (its own, the
//! contract crate's validation messages, the server's error messages) is translated by one
//! rule: a text is looked up as it is (trimmed), and else with its numbers and its “quoted”
//! names replaced by `{}`, which the translation holds in the same order.

/// A language the portal speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// English, the portal's own words.
    #[default]
    En,
    /// German.
    De,
}

impl Lang {
    /// Every language, in the order the switch lists them.
    pub const ALL: [Self; 2] = [Self::En, Self::De];

    /// The BCP 47 code, as `lang` attributes carry it.
    pub fn code(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::De => "de",
        }
    }

    /// The language's name in itself, as the switch shows it.
    pub fn name(self) -> &'static str {
        match self {
            Self::En => "English",
            Self::De => "Deutsch",
        }
    }

    /// The language a tag such as `de-AT` or `en` names, if the portal speaks it.
    pub fn parse(tag: &str) -> Option<Self> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Self::ALL.into_iter().find(|l| l.code() == primary)
    }

    /// The language to show: the user's own choice (kept from an earlier visit), else the
    /// host page's `lang`, else the first of the browser's languages the portal speaks, else
    /// English.
    pub fn pick<'a>(
        chosen: Option<&str>,
        host: Option<&str>,
        browser: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        chosen
            .and_then(Self::parse)
            .or_else(|| host.and_then(Self::parse))
            .or_else(|| browser.into_iter().find_map(Self::parse))
            .unwrap_or_default()
    }
}

/// `text` with each number (a digit, then digits, `,` or `.`, not ending in one of those)
/// and each “quoted” span replaced by `{}`, and what was replaced, in order.
pub fn template(text: &str) -> (String, Vec<&str>) {
    let mut key = String::with_capacity(text.len());
    let mut parts = Vec::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c.is_ascii_digit() {
            let mut end = rest
                .find(|ch: char| !(ch.is_ascii_digit() || ch == ',' || ch == '.'))
                .unwrap_or(rest.len());
            while rest[..end].ends_with([',', '.']) {
                end -= 1;
            }
            parts.push(&rest[..end]);
            key.push_str("{}");
            rest = &rest[end..];
        } else if c == '“'
            && let Some(close) = rest.find('”')
        {
            let end = close + '”'.len_utf8();
            parts.push(&rest[..end]);
            key.push_str("{}");
            rest = &rest[end..];
        } else {
            key.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    (key, parts)
}

/// One language's words, keyed by their English text: sorted pairs, searched by halves (a
/// hash map's code would weigh on the first load, where the lookups run).
#[derive(Debug, Default)]
pub struct Catalog {
    words: Vec<(&'static str, &'static str)>,
}

impl Catalog {
    /// The catalog of `(English, translation)` pairs.
    pub fn new(pairs: &'static [(&'static str, &'static str)]) -> Self {
        let mut words = pairs.to_vec();
        words.sort_unstable_by_key(|w| w.0);
        Self { words }
    }

    fn get(&self, english: &str) -> Option<&'static str> {
        self.words
            .binary_search_by_key(&english, |w| w.0)
            .ok()
            .map(|i| self.words[i].1)
    }

    /// `text` in this language, its surrounding white space kept; none when the catalog does
    /// not know it (a figure, a name, the user's own data, or a text already translated).
    pub fn translate(&self, text: &str) -> Option<String> {
        let core = text.trim();
        if core.is_empty() {
            return None;
        }
        let (lead, trail) = (
            &text[..text.len() - text.trim_start().len()],
            &text[text.trim_end().len()..],
        );
        let said = match self.get(core) {
            Some(t) => t.to_owned(),
            None => {
                let (key, parts) = template(core);
                if parts.is_empty() {
                    return None;
                }
                let t = self.get(&key)?;
                let mut out = String::with_capacity(t.len() + core.len());
                let mut parts = parts.into_iter();
                let mut pieces = t.split("{}");
                if let Some(first) = pieces.next() {
                    out.push_str(first);
                }
                for piece in pieces {
                    out.push_str(parts.next().unwrap_or_default());
                    out.push_str(piece);
                }
                out
            }
        };
        (said != core).then(|| format!("{lead}{said}{trail}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static WORDS: &[(&str, &str)] = &[
        ("Usage", "Nutzung"),
        ("Page {} of {}", "Seite {} von {}"),
        ("Created the budget {}.", "Budget {} angelegt."),
        (
            "must be a whole number from {} to {}",
            "muss eine ganze Zahl von {} bis {} sein",
        ),
        ("Requested", "Angefordert"),
    ];

    #[test]
    fn the_users_choice_then_the_host_then_the_browser() {
        assert_eq!(Lang::pick(None, None, ["fr-FR", "de-AT", "en"]), Lang::De);
        assert_eq!(Lang::pick(None, Some("en-GB"), ["de"]), Lang::En);
        assert_eq!(Lang::pick(Some("de"), Some("en"), ["en"]), Lang::De);
        assert_eq!(Lang::pick(Some("xx"), Some("DE"), []), Lang::De);
        assert_eq!(Lang::pick(None, None, ["fr", "es"]), Lang::En);
        assert_eq!(Lang::parse("de_CH"), Some(Lang::De));
        assert_eq!(Lang::parse(""), None);
    }

    #[test]
    fn numbers_and_quoted_names_are_carried_over() {
        assert_eq!(
            template("Page 2 of 1,234."),
            ("Page {} of {}.".to_owned(), vec!["2", "1,234"])
        );
        assert_eq!(
            template("Created the budget “Ops 2”."),
            ("Created the budget {}.".to_owned(), vec!["“Ops 2”"])
        );
        let c = Catalog::new(WORDS);
        assert_eq!(c.translate("Usage").as_deref(), Some("Nutzung"));
        assert_eq!(
            c.translate("  Requested ").as_deref(),
            Some("  Angefordert ")
        );
        assert_eq!(
            c.translate("Page 3 of 12").as_deref(),
            Some("Seite 3 von 12")
        );
        assert_eq!(
            c.translate("Created the budget “Ops”.").as_deref(),
            Some("Budget “Ops” angelegt.")
        );
        assert_eq!(
            c.translate("must be a whole number from 1 to 100")
                .as_deref(),
            Some("muss eine ganze Zahl von 1 bis 100 sein")
        );
        // Data, figures and what is German already stay as they are.
        assert_eq!(c.translate("Vector Tiles"), None);
        assert_eq!(c.translate("1,234.5"), None);
        assert_eq!(c.translate("Nutzung"), None);
        assert_eq!(c.translate("   "), None);
    }
}
