//! The release build is CDN-ready: every hashed asset has precompressed twins with the same
//! bytes, every integrity hash matches its file, and the reference server sends the caching
//! headers and encodings the README's CDN rules describe.

use base64::Engine;
use sha2::{Digest, Sha384};
use std::path::Path;
use std::process::Command;
use usage_e2e::{Portal, dist, files_named, root};

fn sri(path: &Path) -> String {
    let digest = Sha384::digest(std::fs::read(path).unwrap());
    format!(
        "sha384-{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// `name-<16 hex>.ext` or `name-<16 hex>_bg.wasm`.
fn is_hashed(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or_default();
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-')
        .is_some_and(|(_, h)| h.len() == 16 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn decompress(tool: &str, path: &Path) -> Vec<u8> {
    let out = Command::new(tool)
        .args(["-d", "-c"])
        .arg(path)
        .output()
        .unwrap_or_else(|e| panic!("{tool}: {e}"));
    assert!(out.status.success(), "{tool} -d {}", path.display());
    out.stdout
}

/// Every `attr="…"` value in `html`.
fn attr_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!("{attr}=\"");
    html.match_indices(&needle)
        .map(|(i, _)| {
            let rest = &html[i + needle.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect()
}

#[test]
fn hashed_assets_have_twins_and_matching_integrity() {
    let dist = dist();
    let mut assets = 0;
    for entry in std::fs::read_dir(&dist).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        let compressible = [".js", ".wasm", ".css"].iter().any(|e| name.ends_with(e));
        if !compressible {
            continue;
        }
        if name != "embed.js" {
            assert!(is_hashed(&name), "{name} has no content hash");
            assets += 1;
        }
        let bytes = std::fs::read(&path).unwrap();
        for (tool, ext) in [("brotli", "br"), ("gzip", "gz")] {
            let twin = dist.join(format!("{name}.{ext}"));
            assert!(twin.exists(), "{name} has no .{ext} twin");
            assert!(
                decompress(tool, &twin) == bytes,
                "{name}.{ext} is not {name}"
            );
        }
    }
    assert!(assets >= 4, "boot, js, wasm and css: {assets}");

    // index.html: every integrity attribute is its file's hash, on the script and the wasm too.
    let index = std::fs::read_to_string(dist.join("index.html")).unwrap();
    let tags: Vec<&str> = index
        .split('<')
        .filter(|t| t.contains("integrity="))
        .collect();
    let mut covered = Vec::new();
    for tag in &tags {
        let href = attr_values(tag, "href")
            .into_iter()
            .chain(attr_values(tag, "src"))
            .next()
            .unwrap();
        let file = dist.join(href.trim_start_matches("./"));
        assert_eq!(attr_values(tag, "integrity")[0], sri(&file), "{href}");
        covered.push(href.rsplit('.').next().unwrap().to_owned());
    }
    for ext in ["js", "wasm", "css"] {
        assert!(
            covered.iter().any(|c| c == ext),
            "no integrity on a .{ext}: {covered:?}"
        );
    }

    // embed.js names this build's files, with their hashes.
    let embed = std::fs::read_to_string(dist.join("embed.js")).unwrap();
    for entry in std::fs::read_dir(&dist).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap();
        if name.starts_with("usage-portal-") && name.ends_with(".wasm")
            || name.starts_with("portal-") && name.ends_with(".css")
        {
            assert!(embed.contains(name), "embed.js names {name}");
            assert!(
                embed.contains(&sri(&path)),
                "embed.js has the hash of {name}"
            );
        }
    }
    assert!(!embed.contains("__PORTAL_"), "every placeholder filled");
}

#[test]
fn the_readme_cdn_config_is_a_valid_config() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let section = &readme[readme.find("## Deploying to a CDN").unwrap()..];
    let json = &section[section.find("<<'JSON'\n").unwrap() + 9..section.find("\nJSON\n").unwrap()];
    let config: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(config["basePath"], "/admin/usage");
    assert!(config["apiBase"].as_str().unwrap().starts_with("https://"));
    assert!(
        config.get("token").is_none(),
        "no token in a deployed config"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_server_sends_cdn_caching_headers_and_encodings() -> anyhow::Result<()> {
    let portal = Portal::start(10_000).await?;
    let http = reqwest::Client::new();
    for entry in std::fs::read_dir(dist())? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if name.ends_with(".br") || name.ends_with(".gz") {
            continue;
        }
        let resp = http
            .get(format!("{}/{name}", portal.base))
            .header("accept-encoding", "br, gzip")
            .send()
            .await?;
        assert!(resp.status().is_success(), "{name}: {}", resp.status());
        let cache = resp.headers()["cache-control"].to_str()?.to_owned();
        if is_hashed(&name) {
            assert_eq!(cache, "public, max-age=31536000, immutable", "{name}");
        } else if name == "config.json" {
            // It holds the demo token: never kept by a cache.
            assert_eq!(cache, "no-store", "{name}");
        } else {
            assert_eq!(cache, "no-cache", "{name}");
        }
        if [".js", ".wasm", ".css"].iter().any(|e| name.ends_with(e)) {
            assert_eq!(resp.headers()["content-encoding"], "br", "{name}");
        }
    }
    for (name, cache) in [("index.html", "no-cache"), ("config.json", "no-store")] {
        let resp = http.get(format!("{}/{name}", portal.base)).send().await?;
        assert_eq!(resp.headers()["cache-control"], cache, "{name}");
    }
    Ok(())
}

#[test]
fn the_split_loader_fetches_each_page_with_its_integrity() {
    let dist = dist();
    let loaders = files_named(&dist, "split-loader-", ".js").unwrap();
    assert_eq!(
        loaders.len(),
        1,
        "one loader of the pages' wasm: {loaders:?}"
    );
    // The served files are minified: read without their spaces and line breaks.
    let compact = |path: &std::path::Path| -> String {
        std::fs::read_to_string(path)
            .unwrap()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect()
    };
    let loader = compact(&loaders[0]);
    let loader_name = loaders[0].file_name().unwrap().to_str().unwrap();
    let mut pages = 0;
    for fetch in loader.split("fetch(newURL(\"./").skip(1) {
        let name = &fetch[..fetch.find('"').unwrap()];
        // Up to the next fetch: `…,{integrity:"sha384-…"})`.
        let integrity = fetch.find("integrity:\"").map(|i| {
            let rest = &fetch[i + 11..];
            &rest[..rest.find('"').unwrap()]
        });
        let file = dist.join(name);
        assert!(file.exists(), "the loader fetches {name}, which is missing");
        assert!(is_hashed(name), "{name} has no content hash");
        assert_eq!(integrity, Some(sri(&file).as_str()), "{name}");
        pages += usize::from(name.starts_with("split_"));
    }
    assert_eq!(
        pages, 15,
        "Reports, Billing, Budgets, Record usage, the records behind a number, the Usage page's filter bar, totals and chart, saved views, the comparison and its biggest changes, the filter bar's more filters, the CSV download, the budget notice and the German words (with their translator) each have their own wasm"
    );
    // The loader is not in the first load: the module fetches it by its hashed name with its
    // integrity hash and imports it when a page loaded on demand is first needed.
    let main_js = compact(&files_named(&dist, "usage-portal-", ".js").unwrap()[0]);
    assert!(
        main_js.contains(&format!("\"./{loader_name}\"")),
        "the portal's module names the loader by its hashed name"
    );
    assert!(
        main_js.contains(&format!("integrity:\"{}\"", sri(&loaders[0]))),
        "the portal's module fetches the loader with its integrity hash"
    );
    assert!(
        !main_js.contains(&format!("from\"./{loader_name}\""))
            && !main_js.contains("from\"./__wasm_split.js\""),
        "the portal's module imports the loader only on demand, not by an `import * as`"
    );
    let index = std::fs::read_to_string(dist.join("index.html")).unwrap();
    assert!(
        !index.contains(loader_name) && !index.contains("split-loader-"),
        "index.html does not name the loader: it is not in the first load"
    );
}
