//! Table rows as one piece of HTML: a page of records is hundreds of cells, and one
//! `innerHTML` is far cheaper for the browser than creating each element from wasm.

/// `text` as HTML text or attribute content: `&`, `<`, `>`, `"` and `'` escaped, nothing else
/// changed.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A cell: its class (empty for none) and its text.
pub type Cell<'a> = (&'static str, &'a str);

/// `<tr>` elements of `<td>` cells, every text escaped.
pub fn rows<'a>(rows: impl IntoIterator<Item = Vec<Cell<'a>>>) -> String {
    let mut out = String::new();
    for row in rows {
        out.push_str("<tr>");
        for (class, text) in row {
            if class.is_empty() {
                out.push_str("<td>");
            } else {
                out.push_str("<td class=\"");
                out.push_str(&escape(class));
                out.push_str("\">");
            }
            out.push_str(&escape(text));
            out.push_str("</td>");
        }
        out.push_str("</tr>");
    }
    out
}

/// [`rows`] with a last cell holding a link where a row has one: `(href, words, words for a
/// screen reader only)`, every part escaped.
pub fn rows_with_links<'a>(
    rows: impl IntoIterator<Item = (Vec<Cell<'a>>, Option<(String, &'a str, String)>)>,
) -> String {
    let mut out = String::new();
    for (cells, link) in rows {
        let row = self::rows([cells]);
        out.push_str(row.strip_suffix("</tr>").unwrap_or(&row));
        match link {
            Some((href, words, hidden)) => {
                out.push_str("<td><a href=\"");
                out.push_str(&escape(&href));
                out.push_str("\">");
                out.push_str(&escape(words));
                out.push_str("<span class=\"up-visually-hidden\"> ");
                out.push_str(&escape(&hidden));
                out.push_str("</span></a></td>");
            }
            None => out.push_str("<td></td>"),
        }
        out.push_str("</tr>");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_link_cell_is_escaped_whole() {
        let html = rows_with_links([
            (
                vec![("", "a")],
                Some((
                    "/records?x=1&y=\"2\"".to_owned(),
                    "Records",
                    "of <row> 1".to_owned(),
                )),
            ),
            (vec![("", "b")], None),
        ]);
        assert_eq!(
            html,
            "<tr><td>a</td><td><a href=\"/records?x=1&amp;y=&quot;2&quot;\">Records<span class=\"up-visually-hidden\"> of &lt;row&gt; 1</span></a></td></tr><tr><td>b</td><td></td></tr>"
        );
    }

    #[test]
    fn rows_are_cells_in_order_with_their_classes() {
        let html = rows([
            vec![("", "Nov 1, 2026"), ("num", "1,234.5")],
            vec![("num", "0")],
        ]);
        assert_eq!(
            html,
            "<tr><td>Nov 1, 2026</td><td class=\"num\">1,234.5</td></tr><tr><td class=\"num\">0</td></tr>"
        );
    }

    #[test]
    fn markup_in_a_value_stays_text() {
        let html = rows([vec![("", "<img src=x onerror=alert(1)> & \"q\" 'a'")]]);
        assert_eq!(
            html,
            "<tr><td>&lt;img src=x onerror=alert(1)&gt; &amp; &quot;q&quot; &#39;a&#39;</td></tr>"
        );
    }

    proptest! {
        /// Whatever a value holds, the escaped form has no markup character left, and undoing
        /// the five escapes gives the value back.
        #[test]
        fn escaping_round_trips(s in "\\PC*") {
            let e = escape(&s);
            prop_assert!(!e.contains('<') && !e.contains('>') && !e.contains('"') && !e.contains('\''));
            let back = e
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&amp;", "&");
            prop_assert_eq!(back, s);
        }
    }
}
