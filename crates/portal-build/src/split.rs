//! The split step (scripts/split-wasm.sh): wasm-split-cli's pages and wasm-bindgen's module
//! replace trunk's wasm-bindgen output, under names hashed from what is served.
//!
//! - Each part (`split_*.wasm`, `chunk_*.wasm`) is named by its hash, and the loader
//!   (`__wasm_split.js`) fetches it by that name with its integrity hash.
//! - The loader is not in the first load: the module no longer imports it (`import * as importN
//!   from "./__wasm_split.js"`) but gives the wasm a stand-in for each of the loader's exports,
//!   which fetches the loader with its integrity hash and imports it the first time a part is
//!   needed ([`lazy_loader_shim`]).
//! - The module and the loader name each other, so they share one hash, of the main wasm,
//!   wasm-bindgen's module and the loader rewritten for the parts: `usage-portal-<h>.js`,
//!   `usage-portal-<h>_bg.wasm`, `split-loader-<h>.js`. A name then never stands for two
//!   contents, which an immutable cache would keep apart from the integrity hashes. The loader
//!   then imports the module by its new name, and the module holds the loader's final
//!   integrity hash.
//! - index.html names the new module, with fresh integrity hashes; it does not name the loader.

use crate::{Error, Minify, content_hash, hashed_name, quoted_after, sri, swap};
use std::ops::Range;

/// What the split step reads: trunk's module name and the tools' output.
#[derive(Clone, Copy)]
pub struct Inputs<'a> {
    /// trunk's name for the module, e.g. `usage-portal-<trunk's hash>`, in index.html and (as
    /// `--out-name`) in the tools' output.
    pub stem: &'a str,
    /// wasm-split-cli's `__wasm_split.js`.
    pub loader: &'a str,
    /// The parts the loader fetches, by file name, in the order [`part_names`] gives.
    pub parts: &'a [(String, Vec<u8>)],
    /// wasm-bindgen's `<stem>.js`.
    pub main_js: &'a str,
    /// wasm-bindgen's `<stem>_bg.wasm`.
    pub main_wasm: &'a [u8],
    /// trunk's index.html.
    pub index_html: &'a str,
    /// Applied to the module and the loader once every edit is made, before they are hashed.
    pub minify: Minify<'a>,
}

/// What the split step writes into the staging directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outputs {
    /// New files, by name: the parts, the loader, the module and its wasm.
    pub files: Vec<(String, Vec<u8>)>,
    /// trunk's files the new ones replace: `<stem>.js` and `<stem>_bg.wasm`.
    pub removed: [String; 2],
    /// The new index.html.
    pub index_html: String,
}

/// A part under its served name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HashedPart {
    /// wasm-split-cli's name, which the loader fetches: `chunk_4.wasm`.
    pub name: String,
    /// The served name: `chunk_4-<hash>.wasm`.
    pub hashed_name: String,
    /// Its integrity hash.
    pub sri: String,
}

impl HashedPart {
    /// The part called `name` with content `data`.
    pub fn new(name: &str, data: &[u8]) -> Self {
        HashedPart {
            name: name.to_owned(),
            hashed_name: hashed_name(name, data),
            sri: sri(data),
        }
    }
}

/// The parts among the file names of wasm-split-cli's output directory: every `.wasm` file but
/// the main module's (`<stem>.wasm`, which wasm-bindgen rewrote), sorted by name.
pub fn part_names<'a>(names: impl IntoIterator<Item = &'a str>, stem: &str) -> Vec<String> {
    let main = format!("{stem}.wasm");
    let mut parts: Vec<String> = names
        .into_iter()
        .filter(|name| name.ends_with(".wasm") && *name != main)
        .map(str::to_owned)
        .collect();
    parts.sort();
    parts
}

/// Runs the split step on its inputs.
pub fn split(inputs: &Inputs<'_>) -> Result<Outputs, Error> {
    let stem = inputs.stem;
    let parts: Vec<HashedPart> = inputs
        .parts
        .iter()
        .map(|(name, data)| HashedPart::new(name, data))
        .collect();
    let loader = rewrite_loader(inputs.loader, &parts)?;
    // Hashed before the loader names the new module: that name is derived from this hash.
    let hash = content_hash(
        &[
            inputs.main_wasm,
            inputs.main_js.as_bytes(),
            loader.as_bytes(),
        ]
        .concat(),
    );
    let new_stem = format!("usage-portal-{hash}");
    let loader = retarget_loader(&loader, stem, &new_stem)?;
    // Its exports are read from wasm-split's own text; the module holds the integrity hash of
    // the loader as served, minified.
    let exports = loader_exports(&loader)?;
    let loader = (inputs.minify)(&loader, "js")?;
    let lazy = LazyLoader {
        name: format!("split-loader-{hash}.js"),
        sri: sri(loader.as_bytes()),
        exports,
    };
    let main_js = (inputs.minify)(
        &retarget_module(inputs.main_js, stem, &new_stem, &lazy)?,
        "js",
    )?;
    let index_html = fix_index(
        inputs.index_html,
        stem,
        &new_stem,
        &Preloads {
            js_sri: sri(main_js.as_bytes()),
            wasm_sri: sri(inputs.main_wasm),
        },
    )?;

    let mut files: Vec<(String, Vec<u8>)> = parts
        .into_iter()
        .zip(inputs.parts)
        .map(|(part, (_, data))| (part.hashed_name, data.clone()))
        .collect();
    files.push((lazy.name, loader.into_bytes()));
    files.push((format!("{new_stem}.js"), main_js.into_bytes()));
    files.push((format!("{new_stem}_bg.wasm"), inputs.main_wasm.to_vec()));
    Ok(Outputs {
        files,
        removed: [format!("{stem}.js"), format!("{stem}_bg.wasm")],
        index_html,
    })
}

/// The loader's `fetch` of a part, as wasm-split-cli writes it.
fn fetch_call(name: &str) -> String {
    format!(r#"fetch(new URL("./{name}", import.meta.url))"#)
}

/// The loader with each part fetched by its hashed name and with its integrity hash.
pub fn rewrite_loader(loader: &str, parts: &[HashedPart]) -> Result<String, Error> {
    let mut loader = loader.to_owned();
    for part in parts {
        let old = fetch_call(&part.name);
        let new = format!(
            r#"fetch(new URL("./{}", import.meta.url), {{ integrity: "{}" }})"#,
            part.hashed_name, part.sri
        );
        loader = swap(&loader, &old, &new).ok_or_else(|| Error::LoaderFetch {
            part: part.name.clone(),
            fetched: quoted_after(&loader, r#"fetch(new URL(""#),
        })?;
    }
    Ok(loader)
}

/// The loader importing wasm-bindgen's module by its new name.
pub fn retarget_loader(loader: &str, stem: &str, new_stem: &str) -> Result<String, Error> {
    let old = format!(r#""./{stem}.js""#);
    swap(loader, &old, &format!(r#""./{new_stem}.js""#)).ok_or_else(|| Error::LoaderImport {
        expected: old,
        imports: quoted_after(loader, r#"from ""#),
    })
}

/// The loader as the module names it: its served name, its integrity hash and the names of its
/// exports, the functions the wasm calls to load a part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LazyLoader {
    /// `split-loader-<h>.js`.
    pub name: String,
    /// The integrity hash of the loader as served.
    pub sri: String,
    /// Its `export const <name> =` names, in its order.
    pub exports: Vec<String>,
}

impl LazyLoader {
    /// The loader served as `name` with content `loader`; an error if it exports nothing.
    pub fn new(name: String, loader: &str) -> Result<Self, Error> {
        Ok(LazyLoader {
            name,
            sri: sri(loader.as_bytes()),
            exports: loader_exports(loader)?,
        })
    }
}

/// The names of the loader's `export const <name> =` statements (one per part the wasm loads on
/// demand: `__wasm_split_load_billing_page`, …).
pub fn loader_exports(loader: &str) -> Result<Vec<String>, Error> {
    const EXPORT: &str = "export const ";
    let exports: Vec<String> = loader
        .lines()
        .filter_map(|line| {
            let rest = line.trim_start().strip_prefix(EXPORT)?;
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$'))
                .unwrap_or(rest.len());
            let (name, after) = rest.split_at(end);
            (!name.is_empty() && after.trim_start().starts_with('=')).then(|| name.to_owned())
        })
        .collect();
    if exports.is_empty() {
        return Err(Error::LoaderExports {
            exports: loader
                .lines()
                .map(str::trim)
                .filter(|line| line.starts_with("export"))
                .map(str::to_owned)
                .collect(),
        });
    }
    Ok(exports)
}

/// The module's stand-ins for the loader's exports, which import it the first time one is
/// called: the text put before the first `const importN = __wasm_split_imports;`.
pub fn lazy_loader_shim(loader: &LazyLoader) -> String {
    let imports: String = loader
        .exports
        .iter()
        .map(|name| format!("    {name}: __wasm_split_lazy(\"{name}\"),\n"))
        .collect();
    format!(
        r#"// The split loader is imported the first time a part loaded on demand is needed, so it is not
// in the first load. It is fetched first with its integrity hash (an import cannot carry one
// under a strict CSP with no inline import map); the import then reads the same immutable file
// from the HTTP cache.
const __wasm_split_loader_url = new URL("./{name}", import.meta.url);
let __wasm_split_loader;
function __wasm_split_lazy(name) {{
    return (index, data) => {{
        if (__wasm_split_loader === undefined) {{
            const loading = fetch(__wasm_split_loader_url, {{ integrity: "{sri}" }}).then((r) => {{
                if (!r.ok) throw new Error(`${{r.status}} ${{__wasm_split_loader_url}}`);
                return import(__wasm_split_loader_url.href);
            }});
            // A failed attempt is not remembered: the next call tries again.
            loading.catch(() => {{ if (__wasm_split_loader === loading) __wasm_split_loader = undefined; }});
            __wasm_split_loader = loading;
        }}
        // As the loader does (wrapAsyncCb): the wasm's callback learns whether the part loaded.
        __wasm_split_loader.then(
            (loader) => loader[name](index, data),
            (error) => {{ console.error(error); wasm.__indirect_function_table.get(index)(data, false); }},
        );
    }};
}}
const __wasm_split_imports = {{
{imports}}};
"#,
        name = loader.name,
        sri = loader.sri,
    )
}

/// How wasm-bindgen's module keeps the instance's exports, which [`lazy_loader_shim`] reads.
const MODULE_EXPORTS: &str = "wasm = instance.exports";

/// wasm-bindgen's module with the loader imported on demand and its wasm fetched by the new
/// name.
///
/// Each `import * as importN from "./__wasm_split.js"` becomes `const importN =
/// __wasm_split_imports;`, after [`lazy_loader_shim`]. The import object's keys
/// (`"./__wasm_split.js": import1`) are the module names inside the wasm, which stay.
pub fn retarget_module(
    main_js: &str,
    stem: &str,
    new_stem: &str,
    loader: &LazyLoader,
) -> Result<String, Error> {
    const IMPORT: &str = r#"from "./__wasm_split.js""#;
    let mut out = String::with_capacity(main_js.len() + 2048);
    let mut shimmed = false;
    for line in main_js.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let binding = body
            .trim_end_matches(';')
            .strip_suffix(IMPORT)
            .and_then(|head| head.trim_end().strip_prefix("import * as "))
            .map(str::trim)
            .filter(|name| !name.is_empty());
        match binding {
            Some(name) => {
                if !shimmed {
                    out.push_str(&lazy_loader_shim(loader));
                    shimmed = true;
                }
                out.push_str(&format!("const {name} = __wasm_split_imports;"));
                out.push_str(&line[body.len()..]);
            }
            None => out.push_str(line),
        }
    }
    if !shimmed {
        return Err(Error::ModuleImport {
            expected: format!("import * as importN {IMPORT}"),
            imports: quoted_after(main_js, r#"from ""#),
        });
    }
    // The shim reports a failed load through the module's own `wasm` (its exports' table).
    if !main_js.contains(MODULE_EXPORTS) {
        return Err(Error::ModuleExports {
            expected: MODULE_EXPORTS,
        });
    }
    // Not checked: with `module_or_path` given (as trunk's boot script does) the default URL
    // is unused.
    Ok(out.replace(&format!("{stem}_bg.wasm"), &format!("{new_stem}_bg.wasm")))
}

/// What index.html preloads after the split, besides the names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preloads {
    /// The integrity hash of the new module.
    pub js_sri: String,
    /// The integrity hash of its wasm.
    pub wasm_sri: String,
}

/// trunk's index.html with the new module's name and the new integrity hashes on the module's
/// and the wasm's `<link>` tags.
///
/// The loader is not preloaded: the module imports it when a part is first needed.
pub fn fix_index(
    html: &str,
    stem: &str,
    new_stem: &str,
    preloads: &Preloads,
) -> Result<String, Error> {
    let mut html = swap(html, stem, new_stem).ok_or_else(|| Error::IndexStem {
        stem: stem.to_owned(),
        links: quoted_after(html, r#"href=""#),
    })?;
    for (name, sri) in [
        (format!("{new_stem}.js"), &preloads.js_sri),
        (format!("{new_stem}_bg.wasm"), &preloads.wasm_sri),
    ] {
        let range = find_link(&html, &name).ok_or_else(|| Error::NoPreload {
            name: name.clone(),
            links: quoted_after(&html, r#"href=""#),
        })?;
        let tag = html[range].to_owned();
        html = html.replace(&tag, &set_integrity(&tag, sri));
    }
    Ok(html)
}

/// Where the first `<link …>` tag with `href="./<name>"` is in `html`.
pub(crate) fn find_link(html: &str, name: &str) -> Option<Range<usize>> {
    let href = format!(r#"href="./{name}""#);
    html.match_indices("<link").find_map(|(start, open)| {
        let attributes = start + open.len();
        let end = attributes + html[attributes..].find('>')?;
        html[attributes..end]
            .contains(&href)
            .then_some(start..end + 1)
    })
}

/// `tag` with the value of each `integrity="…"` attribute replaced by `sri`.
pub(crate) fn set_integrity(tag: &str, sri: &str) -> String {
    const ATTRIBUTE: &str = r#"integrity=""#;
    let mut fixed = String::with_capacity(tag.len());
    let mut rest = tag;
    while let Some(at) = rest.find(ATTRIBUTE) {
        let value = at + ATTRIBUTE.len();
        let Some(len) = rest[value..].find('"') else {
            break;
        };
        fixed.push_str(&rest[..at]);
        fixed.push_str(&format!(r#"integrity="{sri}""#));
        rest = &rest[value + len + 1..];
    }
    fixed.push_str(rest);
    fixed
}

#[cfg(test)]
mod tests {
    use super::*;

    const STEM: &str = "usage-portal-0123456789abcdef";

    /// The shape of wasm-split-cli's loader, with one chunk and two pages.
    fn loader() -> String {
        format!(
            r#"import {{ initSync }} from "./{STEM}.js";
function wrapAsyncCb(callee) {{
    return async (callbackIndex, callbackData) => {{ /* … */ }}
}}
const __chunk_4 = makeLoad(() => {{
    const src = fetch(new URL("./chunk_4.wasm", import.meta.url));
    return async (imports) => (WebAssembly.instantiateStreaming(src, imports));
}}
, []);
export const __wasm_split_load_billing_page = wrapAsyncCb(makeLoad(() => {{
    const src = fetch(new URL("./split_billing_page.wasm", import.meta.url));
    return async (imports) => (WebAssembly.instantiateStreaming(src, imports));
}}
, [__chunk_4]));
export const __wasm_split_load_lang_de = wrapAsyncCb(makeLoad(() => {{
    const src = fetch(new URL("./split_lang_de.wasm", import.meta.url));
    return async (imports) => (WebAssembly.instantiateStreaming(src, imports));
}}
, [__chunk_4]));
"#
        )
    }

    /// The loader's exports in [`loader`].
    const EXPORTS: [&str; 2] = [
        "__wasm_split_load_billing_page",
        "__wasm_split_load_lang_de",
    ];

    /// The parts of wasm-bindgen's module the step touches.
    fn main_js() -> String {
        format!(
            r#"import * as import1 from "./__wasm_split.js"
import * as import2 from "./__wasm_split.js"
function __wbg_get_imports() {{
    return {{
        "./{STEM}_bg.js": import0,
        "./__wasm_split.js": import1,
        "./__wasm_split.js": import2,
    }};
}}
let wasmModule, wasmInstance, wasm;
    wasm = instance.exports;
module_or_path = new URL('{STEM}_bg.wasm', import.meta.url);
"#
        )
    }

    /// index.html as trunk writes it.
    fn index_html() -> String {
        format!(
            r#"<!doctype html>
<html lang="en">
  <head>
    <link rel="stylesheet" href="./portal-1111111111111111.css" integrity="sha384-css"/>
<script type="module">
import init, * as bindings from './{STEM}.js';
const wasm = await init({{ module_or_path: './{STEM}_bg.wasm' }});
</script>
  <link rel="modulepreload" href="./{STEM}.js" crossorigin="anonymous" integrity="sha384-oldjs"><link rel="preload" href="./{STEM}_bg.wasm" crossorigin="anonymous" integrity="sha384-oldwasm" as="fetch" type="application/wasm"></head>
  <body class="up-standalone"></body>
</html>
"#
        )
    }

    fn parts() -> Vec<(String, Vec<u8>)> {
        vec![
            ("chunk_4.wasm".to_owned(), b"chunk".to_vec()),
            ("split_billing_page.wasm".to_owned(), b"billing".to_vec()),
            ("split_lang_de.wasm".to_owned(), b"german".to_vec()),
        ]
    }

    fn run(loader: &str, main_js: &str, index_html: &str) -> Result<Outputs, Error> {
        split(&Inputs {
            stem: STEM,
            loader,
            parts: &parts(),
            main_js,
            main_wasm: b"main wasm",
            index_html,
            minify: &crate::unminified,
        })
    }

    fn file<'a>(outputs: &'a Outputs, name: &str) -> &'a str {
        let (_, data) = outputs
            .files
            .iter()
            .find(|(file, _)| file == name)
            .unwrap_or_else(|| panic!("no {name} in {:?}", names(outputs)));
        std::str::from_utf8(data).unwrap()
    }

    fn names(outputs: &Outputs) -> Vec<&str> {
        outputs
            .files
            .iter()
            .map(|(name, _)| name.as_str())
            .collect()
    }

    #[test]
    fn the_module_and_the_loader_are_served_minified_with_the_integrity_of_what_is_served() {
        // Drops blank lines and comment lines: a stand-in for esbuild that keeps every edit
        // readable.
        let strip = |text: &str, kind: &str| -> Result<String, Error> {
            assert_eq!(kind, "js");
            Ok(text
                .lines()
                .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with("//"))
                .map(|l| format!("{}\n", l.trim()))
                .collect())
        };
        let out = split(&Inputs {
            stem: STEM,
            loader: &loader(),
            parts: &parts(),
            main_js: &main_js(),
            main_wasm: b"main wasm",
            index_html: &index_html(),
            minify: &strip,
        })
        .unwrap();
        let plain = run(&loader(), &main_js(), &index_html()).unwrap();
        // The same names: they hash the tools' output, before minifying.
        assert_eq!(names(&out), names(&plain));
        let (loader_name, js_name) = (names(&out)[3].to_owned(), names(&out)[4].to_owned());
        let loader = file(&out, &loader_name);
        let js = file(&out, &js_name);
        assert_eq!(loader, strip(file(&plain, &loader_name), "js").unwrap());
        assert!(!js.contains("// The split loader"), "{js}");
        // The module fetches the loader with the integrity of the minified loader, and
        // index.html preloads the minified module with its own.
        assert!(js.contains(&format!(r#"{{ integrity: "{}" }}"#, sri(loader.as_bytes()))));
        assert!(out.index_html.contains(&sri(js.as_bytes())));
        // The stand-ins are still one per part the loader exports.
        assert!(js.contains("__wasm_split_load_billing_page: __wasm_split_lazy("));
    }

    #[test]
    fn split_names_every_file_by_its_content() {
        let out = run(&loader(), &main_js(), &index_html()).unwrap();
        let chunk = hashed_name("chunk_4.wasm", b"chunk");
        let billing = hashed_name("split_billing_page.wasm", b"billing");
        let german = hashed_name("split_lang_de.wasm", b"german");
        // The shared hash covers the loader as rewritten for the parts, before it names the module.
        let fetched = rewrite_loader(
            &loader(),
            &[
                HashedPart::new("chunk_4.wasm", b"chunk"),
                HashedPart::new("split_billing_page.wasm", b"billing"),
                HashedPart::new("split_lang_de.wasm", b"german"),
            ],
        )
        .unwrap();
        let hash = content_hash(&[b"main wasm", main_js().as_bytes(), fetched.as_bytes()].concat());
        let new_stem = format!("usage-portal-{hash}");
        let loader_name = format!("split-loader-{hash}.js");
        assert_eq!(
            names(&out),
            [
                chunk.as_str(),
                &billing,
                &german,
                &loader_name,
                &format!("{new_stem}.js"),
                &format!("{new_stem}_bg.wasm"),
            ]
        );
        assert_eq!(
            out.removed,
            [format!("{STEM}.js"), format!("{STEM}_bg.wasm")]
        );

        let loader = file(&out, &loader_name);
        assert!(loader.starts_with(&format!(r#"import {{ initSync }} from "./{new_stem}.js";"#)));
        assert!(loader.contains(&format!(
            r#"fetch(new URL("./{chunk}", import.meta.url), {{ integrity: "{}" }});"#,
            sri(b"chunk")
        )));
        assert!(loader.contains(&format!(
            r#"fetch(new URL("./{billing}", import.meta.url), {{ integrity: "{}" }});"#,
            sri(b"billing")
        )));
        assert!(!loader.contains(STEM));

        assert_eq!(file(&out, &format!("{new_stem}_bg.wasm")), "main wasm");
        let js = file(&out, &format!("{new_stem}.js"));
        assert!(js.contains(&format!(r#"new URL("./{loader_name}", import.meta.url);"#)));
        assert!(js.contains(&format!(r#"{{ integrity: "{}" }}"#, sri(loader.as_bytes()))));
        assert!(js.contains(&format!("new URL('{new_stem}_bg.wasm', import.meta.url)")));
        let html = &out.index_html;
        assert!(!html.contains(STEM));
        assert!(html.contains(&format!(
            r#"<link rel="modulepreload" href="./{new_stem}.js" crossorigin="anonymous" integrity="{}"><link rel="preload" href="./{new_stem}_bg.wasm" crossorigin="anonymous" integrity="{}" as="fetch" type="application/wasm"></head>"#,
            sri(js.as_bytes()),
            sri(b"main wasm"),
        )));
        // The boot script is the finish step's; here it only gets the new names.
        assert!(html.contains(&format!("module_or_path: './{new_stem}_bg.wasm'")));
        assert!(html.contains(r#"href="./portal-1111111111111111.css" integrity="sha384-css""#));
    }

    fn lazy() -> LazyLoader {
        LazyLoader {
            name: "split-loader-new.js".to_owned(),
            sri: "sha384-loader".to_owned(),
            exports: EXPORTS.map(str::to_owned).to_vec(),
        }
    }

    #[test]
    fn the_module_keeps_the_wasm_module_names_of_its_import_object() {
        let js = retarget_module(&main_js(), STEM, "usage-portal-new", &lazy()).unwrap();
        let rest = js.strip_prefix(&lazy_loader_shim(&lazy())).unwrap();
        assert_eq!(
            rest,
            r#"const import1 = __wasm_split_imports;
const import2 = __wasm_split_imports;
function __wbg_get_imports() {
    return {
        "./usage-portal-0123456789abcdef_bg.js": import0,
        "./__wasm_split.js": import1,
        "./__wasm_split.js": import2,
    };
}
let wasmModule, wasmInstance, wasm;
    wasm = instance.exports;
module_or_path = new URL('usage-portal-new_bg.wasm', import.meta.url);
"#
        );
    }

    #[test]
    fn the_shim_fetches_the_loader_with_its_integrity_and_stands_in_for_each_export() {
        let shim = lazy_loader_shim(&lazy());
        assert!(shim.starts_with("// The split loader is imported the first time"));
        assert!(shim.contains(
            r#"const __wasm_split_loader_url = new URL("./split-loader-new.js", import.meta.url);"#
        ));
        assert!(shim.contains(r#"fetch(__wasm_split_loader_url, { integrity: "sha384-loader" })"#));
        assert!(shim.contains("return import(__wasm_split_loader_url.href);"));
        assert!(shim.ends_with(
            r#"const __wasm_split_imports = {
    __wasm_split_load_billing_page: __wasm_split_lazy("__wasm_split_load_billing_page"),
    __wasm_split_load_lang_de: __wasm_split_lazy("__wasm_split_load_lang_de"),
};
"#
        ));
    }

    #[test]
    fn the_module_imports_the_loader_only_on_demand_with_its_final_integrity() {
        let out = run(&loader(), &main_js(), &index_html()).unwrap();
        let (loader_name, loader) = out
            .files
            .iter()
            .find(|(name, _)| name.starts_with("split-loader-"))
            .unwrap();
        let loader = std::str::from_utf8(loader).unwrap();
        let stem = loader_name
            .replace("split-loader-", "usage-portal-")
            .replace(".js", "");
        let js = file(&out, &format!("{stem}.js"));

        // No static import of the loader (nor of anything by wasm-split's name).
        assert!(!js.contains("import * as"), "{js}");
        assert!(!js.contains("from \""), "{js}");
        assert!(!js.contains(&format!(r#"from "./{loader_name}""#)));
        // The shim names the loader as served, with the hash of its final text.
        let shim = lazy_loader_shim(&LazyLoader {
            name: loader_name.clone(),
            sri: sri(loader.as_bytes()),
            exports: EXPORTS.map(str::to_owned).to_vec(),
        });
        assert!(js.starts_with(&shim), "{js}");
        assert!(loader.starts_with(&format!(r#"import {{ initSync }} from "./{stem}.js";"#)));
        // Every export of the loader has its stand-in, and nothing else.
        assert_eq!(loader_exports(loader).unwrap(), EXPORTS);
        for name in EXPORTS {
            assert!(js.contains(&format!(r#"    {name}: __wasm_split_lazy("{name}"),"#)));
        }
        assert_eq!(js.matches("__wasm_split_lazy(\"").count(), EXPORTS.len());
        assert!(js.contains("const import1 = __wasm_split_imports;\nconst import2 ="));
    }

    #[test]
    fn index_html_does_not_name_the_loader() {
        let out = run(&loader(), &main_js(), &index_html()).unwrap();
        assert!(
            !out.index_html.contains("split-loader"),
            "{}",
            out.index_html
        );
        assert!(!out.index_html.contains("__wasm_split"));
        assert_eq!(out.index_html.matches("<link").count(), 3);
    }

    #[test]
    fn a_loader_with_no_exports_is_an_error() {
        let loader = loader().replace("export const ", "const ");
        let error = run(&loader, &main_js(), &index_html()).unwrap_err();
        assert!(matches!(&error, Error::LoaderExports { exports } if exports.is_empty()));
        assert_eq!(
            error.to_string(),
            "the loader __wasm_split.js exports no function to load a part: no \
             `export const <name> =` in it; it exports nothing"
        );
        // Another form of export is named.
        let loader = loader.replace(
            "const __wasm_split_load_lang_de =",
            "export let __wasm_split_load_lang_de =",
        );
        let error = run(&loader, &main_js(), &index_html()).unwrap_err();
        assert!(
            error.to_string().ends_with(
                "it exports 1 (export let __wasm_split_load_lang_de = wrapAsyncCb(makeLoad(() => {)"
            ),
            "{error}"
        );
    }

    #[test]
    fn loader_exports_reads_each_export_const_name() {
        let text = "export const a = 1;\n  export const $b_2=f();\nexport const = 3;\n\
                    const c = 4;\nexport const d;\n// export const e = 5 (a comment)\n";
        assert_eq!(loader_exports(text).unwrap(), ["a", "$b_2"]);
    }

    #[test]
    fn a_part_the_loader_does_not_fetch_is_an_error() {
        let loader = loader().replace(
            r#"fetch(new URL("./chunk_4.wasm", import.meta.url))"#,
            r#"fetch(new URL("./chunk_4.wasm", import.meta.url), { cache: "force-cache" })"#,
        );
        let error = run(&loader, &main_js(), &index_html()).unwrap_err();
        assert!(matches!(&error, Error::LoaderFetch { part, .. } if part == "chunk_4.wasm"));
        assert_eq!(
            error.to_string(),
            "the loader __wasm_split.js does not fetch chunk_4.wasm as expected: no \
             `fetch(new URL(\"./chunk_4.wasm\", import.meta.url))` in it; it fetches 3 \
             (./chunk_4.wasm, ./split_billing_page.wasm, ./split_lang_de.wasm)"
        );
    }

    #[test]
    fn a_loader_that_does_not_import_the_module_is_an_error() {
        let loader = loader().replace(&format!("./{STEM}.js"), "./other.js");
        let error = run(&loader, &main_js(), &index_html()).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "the loader __wasm_split.js does not import wasm-bindgen's module as \
                 expected: no \"./{STEM}.js\" in it; it imports from 1 (./other.js)"
            )
        );
    }

    #[test]
    fn a_module_that_keeps_its_exports_elsewhere_is_an_error() {
        let js = main_js().replace("wasm = instance.exports", "exports = instance.exports");
        let error = run(&loader(), &js, &index_html()).unwrap_err();
        assert!(matches!(error, Error::ModuleExports { .. }), "{error}");
    }

    #[test]
    fn a_module_that_does_not_import_the_loader_is_an_error() {
        let js = main_js().replace("__wasm_split.js", "other.js");
        let error = run(&loader(), &js, &index_html()).unwrap_err();
        assert!(matches!(error, Error::ModuleImport { ref imports, .. } if imports.len() == 2));
    }

    #[test]
    fn an_index_without_trunks_module_is_an_error() {
        let html = index_html().replace(STEM, "usage-portal-ffffffffffffffff");
        let error = run(&loader(), &main_js(), &html).unwrap_err();
        assert!(matches!(&error, Error::IndexStem { stem, .. } if stem == STEM));
        assert!(
            error
                .to_string()
                .contains("it links 3 (./portal-1111111111111111.css, ")
        );
    }

    #[test]
    fn an_index_that_does_not_preload_the_module_is_an_error() {
        // trunk's script still names the module, but no <link> preloads it.
        let html = index_html().replace(
            &format!(r#"<link rel="modulepreload" href="./{STEM}.js" crossorigin="anonymous" integrity="sha384-oldjs">"#),
            "",
        );
        let error = run(&loader(), &main_js(), &html).unwrap_err();
        let Error::NoPreload { name, links } = &error else {
            panic!("{error}");
        };
        assert!(
            name.starts_with("usage-portal-") && name.ends_with(".js"),
            "{name}"
        );
        assert_eq!(links.len(), 2);
    }

    #[test]
    fn an_index_that_does_not_preload_the_wasm_is_an_error() {
        let html = index_html().replace(r#"rel="preload" href="./"#, r#"rel="preload" href=""#);
        let error = run(&loader(), &main_js(), &html).unwrap_err();
        assert!(
            matches!(&error, Error::NoPreload { name, .. } if name.ends_with("_bg.wasm")),
            "{error}"
        );
    }

    #[test]
    fn find_link_takes_the_first_tag_with_the_href_and_stays_inside_it() {
        let html =
            r#"<link href="./a.js"><link rel="x" href="./b.js" integrity="i"><link href="./b.js">"#;
        let range = find_link(html, "b.js").unwrap();
        assert_eq!(
            &html[range],
            r#"<link rel="x" href="./b.js" integrity="i">"#
        );
        // Another tag's href does not count, nor one of another element.
        assert_eq!(
            find_link(r#"<link href="./a.js"> href="./b.js">"#, "b.js"),
            None
        );
        assert_eq!(
            find_link(r#"<script src="./b.js" href="./b.js">"#, "b.js"),
            None
        );
        assert_eq!(find_link(r#"<link href="./b.js""#, "b.js"), None);
    }

    #[test]
    fn set_integrity_replaces_every_value_and_nothing_else() {
        assert_eq!(
            set_integrity(r#"<link integrity="a" x="1" integrity="">"#, "sha384-n"),
            r#"<link integrity="sha384-n" x="1" integrity="sha384-n">"#
        );
        assert_eq!(
            set_integrity(r#"<link href="./a">"#, "s"),
            r#"<link href="./a">"#
        );
        assert_eq!(
            set_integrity(r#"<link integrity="open>"#, "s"),
            r#"<link integrity="open>"#
        );
    }

    #[test]
    fn part_names_are_the_wasm_files_but_the_main_module_sorted() {
        let names = [
            "split_reports_page.wasm",
            "__wasm_split.js",
            "chunk_5.wasm",
            "usage-portal-0123456789abcdef.wasm",
            "chunk_4.wasm",
        ];
        assert_eq!(
            part_names(names, STEM),
            ["chunk_4.wasm", "chunk_5.wasm", "split_reports_page.wasm"]
        );
    }
}
