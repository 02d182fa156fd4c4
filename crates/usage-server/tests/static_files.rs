//! The server as a host of the built portal: caching for a CDN, precompressed files, the SPA
//! fallback, the portal's CSP, and CORS for configured origins.

use usage_server::{AppOptions, AppState, Bound, db};

async fn start(cors: Vec<String>) -> (String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir_all(&site).unwrap();
    std::fs::write(
        site.join("index.html"),
        "<!doctype html><title>portal</title>",
    )
    .unwrap();
    std::fs::write(site.join("app-0123456789abcdef.js"), "console.log('plain')").unwrap();
    std::fs::write(site.join("app-0123456789abcdef.js.br"), b"BROTLI").unwrap();
    std::fs::write(site.join("app-0123456789abcdef_bg.wasm"), b"\0asm").unwrap();
    std::fs::write(site.join("config.json"), "{}").unwrap();
    let pool = db::open(&dir.path().join("u.db")).unwrap();
    let state = AppState::new(pool, dir.path().join("reports")).unwrap();
    let opts = AppOptions {
        static_dir: Some(site),
        cors_origins: cors,
        strict_csp: true,
        base_path: None,
    };
    let bound = Bound::bind("127.0.0.1:0".parse().unwrap(), state, &opts)
        .await
        .unwrap();
    (format!("http://{}", bound.spawn()), dir)
}

#[tokio::test]
async fn caching_compression_fallback_and_csp() {
    let (base, _dir) = start(Vec::new()).await;
    let c = reqwest::Client::new();
    for path in ["/", "/index.html", "/reports", "/billing?from=2026-01"] {
        let r = c.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(r.headers()["cache-control"], "no-cache", "{path}");
        assert!(
            r.headers()["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("script-src 'self' 'wasm-unsafe-eval'")
        );
        assert!(r.headers().contains_key("x-request-id"));
        assert!(
            r.text().await.unwrap().contains("portal"),
            "{path}: the SPA fallback"
        );
    }
    let r = c.get(format!("{base}/config.json")).send().await.unwrap();
    assert_eq!(r.headers()["cache-control"], "no-cache");
    // A missing file is a 404, not the portal's HTML in its place (which a browser would
    // keep as the file, and a lazily loaded page could never be fetched again).
    for path in [
        "/gone-0123456789abcdef.wasm",
        "/split-loader.js",
        "/a/b/c.css",
    ] {
        let r = c
            .get(format!("{base}{path}"))
            .header("accept-encoding", "br")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{path}");
        assert_eq!(r.headers()["cache-control"], "no-cache", "{path}");
        assert!(!r.text().await.unwrap().contains("portal"), "{path}");
    }
    let r = c
        .get(format!("{base}/app-0123456789abcdef.js"))
        .header("accept-encoding", "br")
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(r.headers()["content-encoding"], "br");
    assert_eq!(r.bytes().await.unwrap().as_ref(), b"BROTLI");
    let r = c
        .get(format!("{base}/app-0123456789abcdef.js"))
        .send()
        .await
        .unwrap();
    assert!(r.headers().get("content-encoding").is_none());
    assert_eq!(r.text().await.unwrap(), "console.log('plain')");
    let r = c
        .get(format!("{base}/app-0123456789abcdef_bg.wasm"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(r.headers()["content-type"], "application/wasm");
}

#[tokio::test]
async fn cors_allows_only_configured_origins() {
    let (base, _dir) = start(vec!["https://admin.example.com".to_owned()]).await;
    let c = reqwest::Client::new();
    let r = c
        .get(format!("{base}/usage/realms/northwind"))
        .header("origin", "https://admin.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "https://admin.example.com"
    );
    let exposed = r.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_owned();
    for h in [
        "x-request-id",
        "x-correlation-id",
        "location",
        "retry-after",
        "content-disposition",
        "content-length",
    ] {
        assert!(exposed.contains(h), "{h} exposed: {exposed}");
    }
    let r = c
        .get(format!("{base}/usage/realms/northwind"))
        .header("origin", "https://evil.example.com")
        .send()
        .await
        .unwrap();
    assert!(r.headers().get("access-control-allow-origin").is_none());
}
