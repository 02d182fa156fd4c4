//! The finish step (scripts/post-build.sh), after the split if there is one:
//!
//! - trunk's inline `<script type="module">` moves into `boot-<hash>.js`, loaded with its
//!   integrity hash, so the portal runs under `script-src 'self'` (no inline script);
//! - `embed.js` is src/embed.js with this build's names and integrity hashes: the one stable
//!   URL a host page loads to embed the portal.

use crate::{Error, Minify, content_hash, hashed_name, sri};
use std::path::Path;

/// trunk's boot script moved out of index.html.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BootScript {
    /// index.html loading the script from its file.
    pub html: String,
    /// The file's name, `boot-<hash>.js`.
    pub name: String,
    /// The file's content.
    pub body: String,
}

/// index.html with its first inline module script moved to a file, or `None` if it has none.
///
/// The script's body is trimmed, ends with one newline, and is passed through `rewrite`
/// (such as [`warm_up_while_compiling`]) before it is named and hashed.
pub fn extract_boot_script(
    html: &str,
    rewrite: impl Fn(&str) -> Result<String, Error>,
) -> Result<Option<BootScript>, Error> {
    const OPEN: &str = r#"<script type="module">"#;
    const CLOSE: &str = "</script>";
    let Some(start) = html.find(OPEN) else {
        return Ok(None);
    };
    let inner = start + OPEN.len();
    let Some(end) = html[inner..].find(CLOSE).map(|e| inner + e) else {
        return Ok(None);
    };
    let body = rewrite(&format!("{}\n", python_strip(&html[inner..end])))?;
    let name = hashed_name("boot.js", body.as_bytes());
    let tag = format!(
        r#"<script type="module" src="./{name}" integrity="{}" crossorigin="anonymous"></script>"#,
        sri(body.as_bytes())
    );
    let html = format!("{}{tag}{}", &html[..start], &html[end + CLOSE.len()..]);
    Ok(Some(BootScript { html, name, body }))
}

/// What trunk's boot script starts the wasm with.
const AWAIT_INIT: &str = "const wasm = await init(";

/// Trunk's boot script with the browser's date formatting made ready while the wasm downloads
/// and compiles: a fresh browser's first `Intl.DateTimeFormat` loads its locale data, tens of
/// milliseconds of the main thread that the first table's dates would otherwise wait for, and
/// that thread is idle while the compile runs on others. An error when the script does not
/// start the wasm as trunk's does (another trunk version): the step would silently be lost.
pub fn warm_up_while_compiling(body: &str) -> Result<String, Error> {
    let (at, args, end) = body
        .find(AWAIT_INIT)
        .and_then(|at| {
            let args = at + AWAIT_INIT.len();
            body[args..].find(");").map(|e| (at, args, args + e))
        })
        .ok_or(Error::BootScript {
            expected: AWAIT_INIT,
        })?;
    Ok(format!(
        "{}const started = init({});\n\
         try {{ new Intl.DateTimeFormat(undefined, {{ timeZone: \"UTC\", dateStyle: \"medium\" }}).format(0); }} catch {{}}\n\
         const wasm = await started;{}",
        &body[..at],
        &body[args..end],
        &body[end + 2..]
    ))
}

/// `text` trimmed as Python's `str.strip()` trims, which the earlier script used, so that boot
/// files keep their names: Rust's whitespace and the ASCII separators U+001C to U+001F.
fn python_strip(text: &str) -> &str {
    text.trim_matches(|c: char| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c))
}

/// The stylesheet as served: minified, named by the hash of what it now holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stylesheet {
    /// `portal-<hash>.css`.
    pub name: String,
    /// Its content.
    pub body: String,
    /// index.html linking it by that name, with its integrity hash.
    pub html: String,
}

/// trunk's stylesheet `name` (holding `css`) minified, and index.html (`html`) linking the
/// result instead.
pub fn minify_stylesheet(
    html: &str,
    name: &str,
    css: &str,
    minify: Minify<'_>,
) -> Result<Stylesheet, Error> {
    let body = minify(css, "css")?;
    let new_name = format!("portal-{}.css", content_hash(body.as_bytes()));
    let range = crate::split::find_link(html, name).ok_or_else(|| Error::NoPreload {
        name: name.to_owned(),
        links: crate::quoted_after(html, r#"href=""#),
    })?;
    let tag = html[range.clone()].replace(
        &format!(r#"href="./{name}""#),
        &format!(r#"href="./{new_name}""#),
    );
    let tag = crate::split::set_integrity(&tag, &sri(body.as_bytes()));
    let html = format!("{}{tag}{}", &html[..range.start], &html[range.end..]);
    Ok(Stylesheet {
        name: new_name,
        body,
        html,
    })
}

/// A kind of file in the staging directory, by its name.
#[derive(Debug, Clone, Copy)]
pub struct Kind {
    /// The names as a glob, for messages.
    pub pattern: &'static str,
    /// Whether `name` is of this kind.
    pub matches: fn(&str) -> bool,
}

/// The module's wasm.
pub const MAIN_WASM: Kind = Kind {
    pattern: "usage-portal-*_bg.wasm",
    matches: |name| {
        name.strip_prefix("usage-portal-")
            .is_some_and(|rest| rest.ends_with("_bg.wasm"))
    },
};

/// The module, whose name ends in its hash.
pub const MAIN_JS: Kind = Kind {
    pattern: "usage-portal-*[0-9a-f].js",
    matches: |name| {
        name.strip_prefix("usage-portal-")
            .and_then(|rest| rest.strip_suffix(".js"))
            .and_then(|rest| rest.chars().next_back())
            .is_some_and(|last| matches!(last, '0'..='9' | 'a'..='f'))
    },
};

/// The stylesheet.
pub const CSS: Kind = Kind {
    pattern: "portal-*.css",
    matches: |name| {
        name.strip_prefix("portal-")
            .is_some_and(|rest| rest.ends_with(".css"))
    },
};

/// The one name of `kind` among `names` (the files of `dir`).
pub fn pick_one<'a>(names: &'a [String], kind: Kind, dir: &Path) -> Result<&'a str, Error> {
    let mut found: Vec<&String> = names.iter().filter(|name| (kind.matches)(name)).collect();
    found.sort();
    match found.as_slice() {
        [one] => Ok(one),
        _ => Err(Error::NotOne {
            pattern: kind.pattern,
            dir: dir.to_owned(),
            found: found.into_iter().cloned().collect(),
        }),
    }
}

/// What src/embed.js's placeholders stand for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Embed<'a> {
    /// `__PORTAL_JS__`: the module's file name.
    pub js: &'a str,
    /// `__PORTAL_WASM__`: the wasm's file name.
    pub wasm: &'a str,
    /// `__PORTAL_CSS__`: the stylesheet's file name.
    pub css: &'a str,
    /// `__WASM_SRI__`: the wasm's integrity hash.
    pub wasm_sri: &'a str,
    /// `__CSS_SRI__`: the stylesheet's integrity hash.
    pub css_sri: &'a str,
}

/// src/embed.js with every placeholder replaced.
pub fn fill_embed(template: &str, embed: &Embed<'_>) -> String {
    [
        ("__PORTAL_JS__", embed.js),
        ("__PORTAL_WASM__", embed.wasm),
        ("__PORTAL_CSS__", embed.css),
        ("__WASM_SRI__", embed.wasm_sri),
        ("__CSS_SRI__", embed.css_sri),
    ]
    .into_iter()
    .fold(template.to_owned(), |text, (key, value)| {
        text.replace(key, value)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// index.html as trunk writes it (after the split step renamed the module).
    const INDEX: &str = r#"<!doctype html>
<html lang="en">
  <head>
    <link rel="stylesheet" href="./portal-1111111111111111.css" integrity="sha384-css"/>
    
<script type="module">
import init, * as bindings from './usage-portal-2222222222222222.js';
const wasm = await init({ module_or_path: './usage-portal-2222222222222222_bg.wasm' });


dispatchEvent(new CustomEvent("TrunkApplicationStarted", {detail: {wasm}}));

</script>
  <link rel="modulepreload" href="./usage-portal-2222222222222222.js" crossorigin="anonymous" integrity="sha384-js"></head>
  <body class="up-standalone"></body>
</html>
"#;

    /// Drops every space and line break: enough to tell minified text from the original.
    fn squeeze(text: &str, _kind: &str) -> Result<String, Error> {
        Ok(text.chars().filter(|c| !c.is_whitespace()).collect())
    }

    #[test]
    fn the_stylesheet_is_minified_renamed_by_its_new_content_and_linked_with_its_integrity() {
        let css = ".up-root {\n  color: black;\n}\n";
        let sheet = minify_stylesheet(INDEX, "portal-1111111111111111.css", css, &squeeze).unwrap();
        assert_eq!(sheet.body, ".up-root{color:black;}");
        assert_eq!(
            sheet.name,
            format!("portal-{}.css", crate::content_hash(sheet.body.as_bytes()))
        );
        assert!(sheet.html.contains(&format!(
            r#"<link rel="stylesheet" href="./{}" integrity="{}"/>"#,
            sheet.name,
            sri(sheet.body.as_bytes())
        )));
        assert!(!sheet.html.contains("portal-1111111111111111.css"));
        // Nothing else in index.html changes.
        assert_eq!(
            sheet.html.replace(&sheet.name, "X").len() - sheet.html.matches("sha384-").count(),
            INDEX.replace("portal-1111111111111111.css", "X").len()
                - INDEX.matches("sha384-").count()
                + (sri(b"").len() - "sha384-css".len())
        );
    }

    #[test]
    fn a_stylesheet_index_html_does_not_link_is_an_error() {
        let err =
            minify_stylesheet(INDEX, "portal-3333333333333333.css", "a{}", &squeeze).unwrap_err();
        assert!(matches!(err, Error::NoPreload { .. }), "{err}");
    }

    #[test]
    fn a_failing_minifier_is_an_error_naming_it() {
        let fail = |_: &str, kind: &str| -> Result<String, Error> {
            Err(Error::Minify {
                what: format!("a .{kind} file"),
                message: "broken".to_owned(),
            })
        };
        let err =
            minify_stylesheet(INDEX, "portal-1111111111111111.css", "a{}", &fail).unwrap_err();
        assert_eq!(err.to_string(), "cannot minify a .css file: broken");
    }

    #[test]
    fn the_boot_script_moves_to_a_hashed_file() {
        let boot = extract_boot_script(INDEX, |b| Ok(b.to_owned()))
            .unwrap()
            .unwrap();
        let body = r#"import init, * as bindings from './usage-portal-2222222222222222.js';
const wasm = await init({ module_or_path: './usage-portal-2222222222222222_bg.wasm' });


dispatchEvent(new CustomEvent("TrunkApplicationStarted", {detail: {wasm}}));
"#;
        assert_eq!(boot.body, body);
        assert_eq!(
            boot.name,
            format!("boot-{}.js", crate::content_hash(body.as_bytes()))
        );
        let tag = format!(
            r#"<script type="module" src="./{}" integrity="{}" crossorigin="anonymous"></script>"#,
            boot.name,
            sri(body.as_bytes())
        );
        let (before, after) = INDEX.split_once(r#"<script type="module">"#).unwrap();
        let (_, after) = after.split_once("</script>").unwrap();
        assert_eq!(boot.html, format!("{before}{tag}{after}"));
        // Once moved, there is nothing left to move: a second run changes nothing.
        assert_eq!(
            extract_boot_script(&boot.html, |_| unreachable!()).unwrap(),
            None
        );
    }

    #[test]
    fn only_the_first_inline_module_script_moves() {
        let html = "<script type=\"module\">\n a \n</script><script type=\"module\">b</script>";
        let boot = extract_boot_script(html, |b| Ok(b.to_owned()))
            .unwrap()
            .unwrap();
        assert_eq!(boot.body, "a\n");
        assert!(
            boot.html
                .ends_with("</script><script type=\"module\">b</script>")
        );
    }

    #[test]
    fn an_index_without_inline_script_is_left_alone() {
        let keep = |b: &str| Ok(b.to_owned());
        assert_eq!(
            extract_boot_script("<script src=\"./a.js\"></script>", keep).unwrap(),
            None
        );
        assert_eq!(
            extract_boot_script("<script type=\"module\">unclosed", keep).unwrap(),
            None
        );
    }

    #[test]
    fn the_boot_script_formats_a_date_while_the_wasm_compiles() {
        let boot = extract_boot_script(INDEX, warm_up_while_compiling)
            .unwrap()
            .unwrap();
        assert_eq!(
            boot.body,
            r#"import init, * as bindings from './usage-portal-2222222222222222.js';
const started = init({ module_or_path: './usage-portal-2222222222222222_bg.wasm' });
try { new Intl.DateTimeFormat(undefined, { timeZone: "UTC", dateStyle: "medium" }).format(0); } catch {}
const wasm = await started;


dispatchEvent(new CustomEvent("TrunkApplicationStarted", {detail: {wasm}}));
"#
        );
        // Named and hashed as served.
        assert_eq!(
            boot.name,
            format!("boot-{}.js", crate::content_hash(boot.body.as_bytes()))
        );
        assert!(boot.html.contains(&sri(boot.body.as_bytes())));
    }

    #[test]
    fn a_boot_script_that_starts_the_wasm_otherwise_is_an_error() {
        for body in ["await init();\n", "const wasm = await init({ a: 1 }\n"] {
            let err = warm_up_while_compiling(body).unwrap_err();
            assert!(matches!(err, Error::BootScript { .. }), "{err}");
        }
    }

    #[test]
    fn the_body_is_stripped_as_python_strips() {
        assert_eq!(python_strip("\u{1c}\u{1f}\t\n a \u{a0}\u{3000}\r\n"), "a");
        assert_eq!(python_strip("\u{1b}a"), "\u{1b}a");
    }

    fn names(names: &[&str]) -> Vec<String> {
        names.iter().map(|name| (*name).to_owned()).collect()
    }

    #[test]
    fn each_kind_picks_its_one_file() {
        let files = names(&[
            "boot-3333333333333333.js",
            "split-loader-2222222222222222.js",
            "chunk_4-4444444444444444.wasm",
            "usage-portal-2222222222222222.js",
            "usage-portal-2222222222222222.js.br",
            "usage-portal-2222222222222222_bg.wasm",
            "usage-portal-2222222222222222_bg.wasm.gz",
            "portal-1111111111111111.css",
            "portal-1111111111111111.css.br",
            "index.html",
        ]);
        let dir = Path::new("dist");
        assert_eq!(
            pick_one(&files, MAIN_WASM, dir).unwrap(),
            "usage-portal-2222222222222222_bg.wasm"
        );
        assert_eq!(
            pick_one(&files, MAIN_JS, dir).unwrap(),
            "usage-portal-2222222222222222.js"
        );
        assert_eq!(
            pick_one(&files, CSS, dir).unwrap(),
            "portal-1111111111111111.css"
        );
    }

    #[test]
    fn the_kinds_match_as_their_globs() {
        assert!((MAIN_JS.matches)("usage-portal-a.js"));
        assert!(!(MAIN_JS.matches)("usage-portal-.js"));
        assert!(!(MAIN_JS.matches)("usage-portal-A.js"));
        assert!(!(MAIN_JS.matches)("usage-portal-2_bg.wasm"));
        assert!((MAIN_WASM.matches)("usage-portal-_bg.wasm"));
        assert!(!(MAIN_WASM.matches)("usage-portal_bg.wasm"));
        assert!((CSS.matches)("portal-.css"));
        assert!(!(CSS.matches)("usage-portal-1.css"));
    }

    #[test]
    fn more_than_one_candidate_is_an_error() {
        let files = names(&["portal-b.css", "portal-a.css", "usage-portal-1.js"]);
        let error = pick_one(&files, CSS, Path::new("dist")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "expected one portal-*.css in dist, found 2 (portal-a.css, portal-b.css)"
        );
        let error = pick_one(&files, MAIN_WASM, Path::new("dist")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "expected one usage-portal-*_bg.wasm in dist, found nothing"
        );
    }

    #[test]
    fn embed_gets_every_placeholder_filled() {
        let template = r#"import init from "./__PORTAL_JS__";
const wasmUrl = new URL("./__PORTAL_WASM__", import.meta.url);
const cssUrl = new URL("./__PORTAL_CSS__", import.meta.url);
link.integrity = "__CSS_SRI__";
fetch(wasmUrl, { integrity: "__WASM_SRI__" });
fetch(wasmUrl, { integrity: "__WASM_SRI__" });
"#;
        let filled = fill_embed(
            template,
            &Embed {
                js: "usage-portal-2.js",
                wasm: "usage-portal-2_bg.wasm",
                css: "portal-1.css",
                wasm_sri: "sha384-w",
                css_sri: "sha384-c",
            },
        );
        assert_eq!(
            filled,
            r#"import init from "./usage-portal-2.js";
const wasmUrl = new URL("./usage-portal-2_bg.wasm", import.meta.url);
const cssUrl = new URL("./portal-1.css", import.meta.url);
link.integrity = "sha384-c";
fetch(wasmUrl, { integrity: "sha384-w" });
fetch(wasmUrl, { integrity: "sha384-w" });
"#
        );
    }
}
