//! The portal's post-build steps, run by trunk's hook (scripts/post-build.sh and
//! scripts/split-wasm.sh) on trunk's staging directory:
//!
//! - [`split`]: puts the split wasm (the main module, the pages loaded on demand and the loader
//!   that fetches them) in place of trunk's wasm-bindgen output, every file named by a hash of
//!   its content and fetched or preloaded with its subresource-integrity hash;
//! - [`finish`]: moves trunk's inline boot script into a hashed file (no inline script, so the
//!   portal runs under `script-src 'self'`) and writes `embed.js` with the build's names.
//!
//! Both steps are pure functions on strings and bytes; [`files`] reads and writes the
//! directories around them. One rule names files ([`hashed_name`]) and one computes integrity
//! hashes ([`sri`]), for both steps.

pub mod files;
pub mod finish;
pub mod split;

use base64::Engine as _;
use sha2::{Digest, Sha256, Sha384};
use std::fmt;
use std::io;
use std::path::PathBuf;

/// The hash that names a file: the first 16 hex digits of the SHA-256 of its content.
///
/// The names are cached as immutable, so a name must change whenever its content does.
pub fn content_hash(data: &[u8]) -> String {
    hex::encode(&Sha256::digest(data)[..8])
}

/// `name` with the hash of `data` before its extension: `chunk_4.wasm` → `chunk_4-<hash>.wasm`.
///
/// A name without an extension gets the hash at its end.
pub fn hashed_name(name: &str, data: &[u8]) -> String {
    let hash = content_hash(data);
    match name.rsplit_once('.') {
        Some((base, ext)) => format!("{base}-{hash}.{ext}"),
        None => format!("{name}-{hash}"),
    }
}

/// The subresource-integrity value of `data`: `sha384-` and the base64 of its SHA-384.
pub fn sri(data: &[u8]) -> String {
    let digest = Sha384::digest(data);
    format!(
        "sha384-{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// How the served JavaScript and CSS are made smaller: given what a file holds and its kind
/// (`js` or `css`), the same program in fewer bytes. [`files`] runs esbuild; the steps' tests
/// use [`unminified`].
pub type Minify<'a> = &'a dyn Fn(&str, &str) -> Result<String, Error>;

/// A [`Minify`] that keeps every file as it is.
pub fn unminified(text: &str, _kind: &str) -> Result<String, Error> {
    Ok(text.to_owned())
}

/// What a step found wrong; each message says what was expected and what was there instead.
#[derive(Debug)]
pub enum Error {
    /// A file or directory could not be read, written or removed.
    Io {
        action: &'static str,
        path: PathBuf,
        source: io::Error,
    },
    /// A directory holds a file name that is not UTF-8, so it cannot be matched or rewritten.
    NotUtf8 { dir: PathBuf, name: String },
    /// The loader (`__wasm_split.js`) does not fetch a part the way its rewrite expects.
    LoaderFetch { part: String, fetched: Vec<String> },
    /// The loader does not import wasm-bindgen's module by trunk's name.
    LoaderImport {
        expected: String,
        imports: Vec<String>,
    },
    /// The loader exports no function to load a part (`export const <name> =`); `exports` holds
    /// its other `export` statements.
    LoaderExports { exports: Vec<String> },
    /// wasm-bindgen's module does not import the loader by wasm-split's name.
    ModuleImport {
        expected: String,
        imports: Vec<String>,
    },
    /// wasm-bindgen's module does not keep its instance's exports in `wasm`, which the split
    /// loader's stand-ins use to report a failed load.
    ModuleExports { expected: &'static str },
    /// index.html does not name trunk's module.
    IndexStem { stem: String, links: Vec<String> },
    /// index.html has no `<link>` tag for a file it should preload.
    NoPreload { name: String, links: Vec<String> },
    /// The minifier failed on a file (or could not be run).
    Minify { what: String, message: String },
    /// Trunk's boot script does not start the wasm the way the finish step rewrites.
    BootScript { expected: &'static str },
    /// A directory holds not exactly one file of a kind.
    NotOne {
        pattern: &'static str,
        dir: PathBuf,
        found: Vec<String>,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io {
                action,
                path,
                source,
            } => write!(f, "cannot {action} {}: {source}", path.display()),
            Error::NotUtf8 { dir, name } => {
                write!(
                    f,
                    "{} holds a file name that is not UTF-8: {name}",
                    dir.display()
                )
            }
            Error::LoaderFetch { part, fetched } => write!(
                f,
                "the loader __wasm_split.js does not fetch {part} as expected: no \
                 `fetch(new URL(\"./{part}\", import.meta.url))` in it; it fetches {}",
                list(fetched)
            ),
            Error::LoaderImport { expected, imports } => write!(
                f,
                "the loader __wasm_split.js does not import wasm-bindgen's module as expected: \
                 no {expected} in it; it imports from {}",
                list(imports)
            ),
            Error::LoaderExports { exports } => write!(
                f,
                "the loader __wasm_split.js exports no function to load a part: no \
                 `export const <name> =` in it; it exports {}",
                list(exports)
            ),
            Error::ModuleExports { expected } => write!(
                f,
                "wasm-bindgen's output does not keep its exports as expected: no `{expected}` \
                 in it (the split loader's stand-ins report a failed load through it)"
            ),
            Error::ModuleImport { expected, imports } => write!(
                f,
                "wasm-bindgen's output does not import the loader as expected: no `{expected}` \
                 in it; it imports from {}",
                list(imports)
            ),
            Error::Minify { what, message } => write!(f, "cannot minify {what}: {message}"),
            Error::IndexStem { stem, links } => write!(
                f,
                "index.html does not name trunk's module: no {stem} in it; it links {}",
                list(links)
            ),
            Error::NoPreload { name, links } => write!(
                f,
                "index.html does not preload {name}: no <link> tag with href=\"./{name}\" in \
                 it; it links {}",
                list(links)
            ),
            Error::BootScript { expected } => write!(
                f,
                "trunk's boot script does not start the wasm with `{expected}...);` on one line"
            ),
            Error::NotOne {
                pattern,
                dir,
                found,
            } => write!(
                f,
                "expected one {pattern} in {}, found {}",
                dir.display(),
                list(found)
            ),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Names in an error message: "nothing" rather than an empty list, which reads like a glitch.
fn list(names: &[String]) -> String {
    if names.is_empty() {
        "nothing".to_owned()
    } else {
        format!("{} ({})", names.len(), names.join(", "))
    }
}

/// Every string that follows `marker` up to the next `"`: the URLs of `fetch(new URL("`, the
/// modules of `from "`, the files of `href="`, for the error messages.
fn quoted_after(text: &str, marker: &str) -> Vec<String> {
    text.match_indices(marker)
        .filter_map(|(at, _)| {
            let rest = &text[at + marker.len()..];
            rest.find('"').map(|end| rest[..end].to_owned())
        })
        .collect()
}

/// `text` with every `old` replaced by `new`, or `None` if `text` has no `old`: a rewrite that
/// finds nothing to rewrite means the tools' output changed shape, and must fail the build.
fn swap(text: &str, old: &str, new: &str) -> Option<String> {
    text.contains(old).then(|| text.replace(old, new))
}

#[cfg(test)]
mod tests {
    use super::*;

    // FIPS 180-2's test vectors for "abc".
    const SHA256_ABC: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    const SHA384_ABC: &str = "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed\
                              8086072ba1e7cc2358baeca134c825a7";

    #[test]
    fn content_hash_is_the_first_16_hex_digits_of_sha256() {
        assert_eq!(content_hash(b"abc"), SHA256_ABC[..16]);
        assert_eq!(content_hash(b""), "e3b0c44298fc1c14");
    }

    #[test]
    fn sri_is_sha384_in_base64() {
        let expected =
            base64::engine::general_purpose::STANDARD.encode(hex::decode(SHA384_ABC).unwrap());
        assert_eq!(sri(b"abc"), format!("sha384-{expected}"));
        assert_eq!(
            sri(b"abc"),
            "sha384-ywB1P0WjXou1oD1pmsZQBycsMqsO3tFjGotgWkP/W+2AhgcroefMI1i67KE0yCWn"
        );
    }

    #[test]
    fn hashed_name_puts_the_hash_before_the_last_extension() {
        assert_eq!(
            hashed_name("chunk_4.wasm", b"abc"),
            "chunk_4-ba7816bf8f01cfea.wasm"
        );
        assert_eq!(hashed_name("a.b.js", b"abc"), "a.b-ba7816bf8f01cfea.js");
        assert_eq!(hashed_name("noext", b"abc"), "noext-ba7816bf8f01cfea");
    }

    #[test]
    fn swap_replaces_every_occurrence_or_reports_none() {
        assert_eq!(swap("a x b x", "x", "y").as_deref(), Some("a y b y"));
        assert_eq!(swap("a b", "x", "y"), None);
    }

    #[test]
    fn quoted_after_collects_each_quoted_value() {
        let text = r#"from "./a.js"; from "./b.js"; from "unterminated"#;
        assert_eq!(quoted_after(text, r#"from ""#), ["./a.js", "./b.js"]);
    }

    #[test]
    fn error_messages_say_what_was_expected_and_found() {
        let none = Error::NotOne {
            pattern: "portal-*.css",
            dir: PathBuf::from("dist"),
            found: vec![],
        };
        assert_eq!(
            none.to_string(),
            "expected one portal-*.css in dist, found nothing"
        );
        let two = Error::NotOne {
            pattern: "portal-*.css",
            dir: PathBuf::from("dist"),
            found: vec!["portal-1.css".to_owned(), "portal-2.css".to_owned()],
        };
        assert_eq!(
            two.to_string(),
            "expected one portal-*.css in dist, found 2 (portal-1.css, portal-2.css)"
        );
    }
}
