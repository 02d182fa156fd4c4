//! The steps on directories: reads their inputs, runs [`crate::split`] or [`crate::finish`],
//! writes what they give. Every error names the file.
//!
//! Text is read and written as it is (UTF-8, line endings untouched).

use crate::Error;
use crate::finish::{self, CSS, Embed, MAIN_JS, MAIN_WASM};
use crate::split::{self, Inputs};
use std::fs;
use std::path::Path;

/// The split step: wasm-split-cli's output in `<work>/split` and wasm-bindgen's in
/// `<work>/bindgen`, both made with `--out-name <stem>`, replace trunk's module `<stem>` in the
/// staging directory `dest`.
///
/// Nothing is written unless every check passes.
pub fn split(dest: &Path, work: &Path, stem: &str) -> Result<(), Error> {
    let split_dir = work.join("split");
    let bindgen = work.join("bindgen");
    let loader = read_text(&split_dir.join("__wasm_split.js"))?;
    let names = file_names(&split_dir)?;
    let mut parts = Vec::new();
    for name in split::part_names(names.iter().map(String::as_str), stem) {
        let data = read(&split_dir.join(&name))?;
        parts.push((name, data));
    }
    let main_js = read_text(&bindgen.join(format!("{stem}.js")))?;
    let main_wasm = read(&bindgen.join(format!("{stem}_bg.wasm")))?;
    let index_path = dest.join("index.html");
    let index_html = read_text(&index_path)?;

    let outputs = split::split(&Inputs {
        stem,
        loader: &loader,
        parts: &parts,
        main_js: &main_js,
        main_wasm: &main_wasm,
        index_html: &index_html,
        minify: &esbuild,
    })?;
    for (name, data) in &outputs.files {
        write(&dest.join(name), data)?;
    }
    for name in &outputs.removed {
        let path = dest.join(name);
        fs::remove_file(&path).map_err(|source| Error::Io {
            action: "remove",
            path,
            source,
        })?;
    }
    write(&index_path, outputs.index_html.as_bytes())
}

/// The finish step on the staging directory `dest`, with src/embed.js from the portal's
/// source directory `source`.
pub fn finish(dest: &Path, source: &Path) -> Result<(), Error> {
    let index_path = dest.join("index.html");
    if let Some(boot) =
        finish::extract_boot_script(&read_text(&index_path)?, finish::warm_up_while_compiling)?
    {
        write(&dest.join(&boot.name), boot.body.as_bytes())?;
        write(&index_path, boot.html.as_bytes())?;
    }
    let names = file_names(dest)?;
    let trunk_css = finish::pick_one(&names, CSS, dest)?;
    let sheet = finish::minify_stylesheet(
        &read_text(&index_path)?,
        trunk_css,
        &read_text(&dest.join(trunk_css))?,
        &esbuild,
    )?;
    if sheet.name != trunk_css {
        write(&dest.join(&sheet.name), sheet.body.as_bytes())?;
        remove(&dest.join(trunk_css))?;
    }
    write(&index_path, sheet.html.as_bytes())?;
    let names = file_names(dest)?;
    let wasm = finish::pick_one(&names, MAIN_WASM, dest)?;
    let js = finish::pick_one(&names, MAIN_JS, dest)?;
    let css = finish::pick_one(&names, CSS, dest)?;
    let template = read_text(&source.join("src").join("embed.js"))?;
    let embed = finish::fill_embed(
        &template,
        &Embed {
            js,
            wasm,
            css,
            wasm_sri: &crate::sri(&read(&dest.join(wasm))?),
            css_sri: &crate::sri(&read(&dest.join(css))?),
        },
    );
    write(&dest.join("embed.js"), esbuild(&embed, "js")?.as_bytes())
}

/// [`crate::Minify`] by esbuild (the version scripts/setup.sh installs into .tools/, else
/// `esbuild` on the PATH): whitespace, comments and local names go, behaviour stays.
pub fn esbuild(text: &str, kind: &str) -> Result<String, Error> {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let fail = |message: String| Error::Minify {
        what: format!("a .{kind} file"),
        message,
    };
    // The workspace's pinned copy when there is one (cargo test runs without env.sh's PATH).
    let pinned =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.tools/node_modules/.bin/esbuild");
    let program = if pinned.exists() {
        pinned.into_os_string()
    } else {
        "esbuild".into()
    };
    let mut child = Command::new(program)
        .args([
            "--minify",
            &format!("--loader={kind}"),
            "--charset=utf8",
            "--log-level=warning",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            fail(format!(
                "cannot run esbuild (scripts/setup.sh installs it): {e}"
            ))
        })?;
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let input = text.to_owned();
    // Written from another thread: esbuild may fill its output pipe before reading all input.
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child
        .wait_with_output()
        .map_err(|e| fail(format!("esbuild: {e}")))?;
    writer
        .join()
        .map_err(|_| fail("writing to esbuild panicked".to_owned()))?
        .map_err(|e| fail(format!("writing to esbuild: {e}")))?;
    if !out.status.success() {
        return Err(fail(format!(
            "esbuild {}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    String::from_utf8(out.stdout)
        .map_err(|_| fail("esbuild wrote text that is not UTF-8".to_owned()))
}

fn remove(path: &Path) -> Result<(), Error> {
    fs::remove_file(path).map_err(|source| Error::Io {
        action: "remove",
        path: path.to_owned(),
        source,
    })
}

fn read(path: &Path) -> Result<Vec<u8>, Error> {
    fs::read(path).map_err(|source| Error::Io {
        action: "read",
        path: path.to_owned(),
        source,
    })
}

fn read_text(path: &Path) -> Result<String, Error> {
    fs::read_to_string(path).map_err(|source| Error::Io {
        action: "read",
        path: path.to_owned(),
        source,
    })
}

fn write(path: &Path, data: &[u8]) -> Result<(), Error> {
    fs::write(path, data).map_err(|source| Error::Io {
        action: "write",
        path: path.to_owned(),
        source,
    })
}

/// The names of the entries of `dir`.
fn file_names(dir: &Path) -> Result<Vec<String>, Error> {
    let io = |source| Error::Io {
        action: "list",
        path: dir.to_owned(),
        source,
    };
    fs::read_dir(dir)
        .map_err(io)?
        .map(|entry| {
            entry
                .map_err(io)?
                .file_name()
                .into_string()
                .map_err(|name| Error::NotUtf8 {
                    dir: dir.to_owned(),
                    name: name.to_string_lossy().into_owned(),
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// A fresh directory under the system's temporary directory, removed when dropped.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(test: &str) -> Self {
            let dir =
                std::env::temp_dir().join(format!("portal-build-{test}-{}", std::process::id()));
            let _ = fs::remove_dir_all(&dir);
            fs::create_dir_all(&dir).unwrap();
            TempDir(dir)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn put(path: &Path, text: &str) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    const STEM: &str = "usage-portal-0123456789abcdef";

    /// A staging directory and work directory as trunk and the tools leave them.
    fn staged(root: &Path) -> (PathBuf, PathBuf) {
        let (dest, work) = (root.join("stage"), root.join("work"));
        put(
            &work.join("split/__wasm_split.js"),
            &format!(
                "import {{ initSync }} from \"./{STEM}.js\";\n\
                 export const __wasm_split_load_page = wrapAsyncCb(makeLoad(() => {{\n\
                 const src = fetch(new URL(\"./chunk_4.wasm\", import.meta.url));\n\
                 }}));\n"
            ),
        );
        put(&work.join("split/chunk_4.wasm"), "chunk");
        put(
            &work.join(format!("split/{STEM}.wasm")),
            "unbound main wasm",
        );
        put(
            &work.join(format!("bindgen/{STEM}.js")),
            &format!(
                "import * as import1 from \"./__wasm_split.js\"\nwasm = instance.exports;\nnew URL('{STEM}_bg.wasm');\n"
            ),
        );
        put(&work.join(format!("bindgen/{STEM}_bg.wasm")), "main wasm");
        put(&dest.join(format!("{STEM}.js")), "trunk's js");
        put(&dest.join(format!("{STEM}_bg.wasm")), "trunk's wasm");
        put(
            &dest.join("portal-1111111111111111.css"),
            ".up-root {\n  color: red;\n}\n",
        );
        put(
            &dest.join("index.html"),
            &format!(
                "<head><link rel=\"stylesheet\" href=\"./portal-1111111111111111.css\" integrity=\"x\"/>\n\
                 <script type=\"module\">\nimport init from './{STEM}.js';\nconst wasm = await init({{}});\n</script>\n\
                 <link rel=\"modulepreload\" href=\"./{STEM}.js\" integrity=\"x\">\
                 <link rel=\"preload\" href=\"./{STEM}_bg.wasm\" integrity=\"x\"></head>\n"
            ),
        );
        put(
            &root.join("src/embed.js"),
            "export const names = [\"__PORTAL_JS__\", \"__PORTAL_WASM__\", \"__PORTAL_CSS__\",\n  \"__WASM_SRI__\", \"__CSS_SRI__\"];\n",
        );
        (dest, work)
    }

    fn listing(dir: &Path) -> Vec<String> {
        let mut names = file_names(dir).unwrap();
        names.sort();
        names
    }

    /// Whether the staged index.html links `name` with its integrity hash.
    fn index_links(dest: &Path, name: &str) -> bool {
        let index = fs::read_to_string(dest.join("index.html")).unwrap();
        let sri = crate::sri(&fs::read(dest.join(name)).unwrap());
        index.contains(&format!(r#"href="./{name}" integrity="{sri}""#))
    }

    #[test]
    fn split_then_finish_leave_the_served_layout() {
        let root = TempDir::new("layout");
        let (dest, work) = staged(&root.0);
        split(&dest, &work, STEM).unwrap();
        finish(&dest, &root.0).unwrap();

        let names = listing(&dest);
        // The kind of a file: its name with the hash (16 hex digits after the last `-`) as H.
        let kinds: Vec<String> = names
            .iter()
            .map(|name| match name.rsplit_once('-') {
                Some((base, rest))
                    if rest.len() > 16 && rest[..16].chars().all(|c| c.is_ascii_hexdigit()) =>
                {
                    format!("{base}-H{}", &rest[16..])
                }
                _ => name.clone(),
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "boot-H.js",
                "chunk_4-H.wasm",
                "embed.js",
                "index.html",
                "portal-H.css",
                "split-loader-H.js",
                "usage-portal-H.js",
                "usage-portal-H_bg.wasm",
            ]
        );
        let wasm = names
            .iter()
            .find(|name| name.ends_with("_bg.wasm"))
            .unwrap();
        assert_eq!(fs::read(dest.join(wasm)).unwrap(), b"main wasm");
        // The stylesheet and embed.js are minified (by the real esbuild); the stylesheet is
        // named by what it now holds.
        let css = names.iter().find(|name| name.ends_with(".css")).unwrap();
        let sheet = fs::read_to_string(dest.join(css)).unwrap();
        assert_eq!(sheet, ".up-root{color:red}\n");
        assert!(index_links(&dest, css));
        assert_eq!(
            *css,
            format!("portal-{}.css", crate::content_hash(sheet.as_bytes()))
        );
        let embed = fs::read_to_string(dest.join("embed.js")).unwrap();
        assert_eq!(
            embed,
            format!(
                "export const names=[\"{}\",\"{wasm}\",\"{css}\",\"{}\",\"{}\"];\n",
                wasm.replace("_bg.wasm", ".js"),
                crate::sri(b"main wasm"),
                crate::sri(sheet.as_bytes()),
            )
        );
        let index = fs::read_to_string(dest.join("index.html")).unwrap();
        assert!(!index.contains("<script type=\"module\">"));
        assert!(!index.contains(STEM));
    }

    #[test]
    fn a_failed_split_writes_nothing() {
        let root = TempDir::new("failed");
        let (dest, work) = staged(&root.0);
        put(
            &work.join("split/chunk_5.wasm"),
            "a part the loader does not fetch",
        );
        let before = listing(&dest);
        let error = split(&dest, &work, STEM).unwrap_err();
        assert!(matches!(&error, Error::LoaderFetch { part, .. } if part == "chunk_5.wasm"));
        assert_eq!(listing(&dest), before);
    }

    #[test]
    fn a_missing_file_is_named() {
        let root = TempDir::new("missing");
        let (dest, work) = staged(&root.0);
        fs::remove_file(work.join(format!("bindgen/{STEM}_bg.wasm"))).unwrap();
        let error = split(&dest, &work, STEM).unwrap_err().to_string();
        assert!(
            error.starts_with(&format!("cannot read {}", work.join("bindgen").display())),
            "{error}"
        );
        assert!(error.contains(&format!("{STEM}_bg.wasm")), "{error}");
    }

    #[test]
    fn finish_needs_one_module() {
        let root = TempDir::new("two");
        let (dest, _) = staged(&root.0);
        put(&dest.join("usage-portal-ffffffffffffffff.js"), "another");
        let error = finish(&dest, &root.0).unwrap_err();
        assert!(
            matches!(&error, Error::NotOne { found, .. } if found.len() == 2),
            "{error}"
        );
    }
}
