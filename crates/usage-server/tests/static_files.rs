//! The server as a host of the built portal: caching for a CDN, precompressed files, the SPA
//! fallback, the portal's CSP and framing, and CORS for configured origins.

mod backend;
mod process;
mod support;

use support::{Db, serve};
use usage_server::{AppOptions, AppState};

async fn start(cors: Vec<String>) -> (String, tempfile::TempDir) {
    start_with(cors, true, Vec::new()).await
}

async fn start_with(
    cors: Vec<String>,
    strict_csp: bool,
    frame_ancestors: Vec<String>,
) -> (String, tempfile::TempDir) {
    let db = Db::new();
    let site = db.dir.path().join("site");
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
    let state = AppState {
        frame_ancestors,
        ..db.state()
    };
    let opts = AppOptions {
        static_dir: Some(site),
        cors_origins: cors,
        strict_csp,
        base_path: None,
    };
    (format!("http://{}", serve(state, &opts).await), db.dir)
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
    // config.json may carry a token: no cache, the browser's included, may keep it.
    let r = c.get(format!("{base}/config.json")).send().await.unwrap();
    assert_eq!(r.headers()["cache-control"], "no-store");
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

fn csp(r: &reqwest::Response) -> String {
    r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn framing_is_refused_unless_allowed() {
    let c = reqwest::Client::new();
    let (base, _dir) = start(Vec::new()).await;
    let r = c.get(format!("{base}/")).send().await.unwrap();
    assert!(csp(&r).ends_with("; frame-ancestors 'none'"), "{}", csp(&r));
    assert_eq!(r.headers()["x-frame-options"], "DENY");
    // Scripts and styles are not documents: a host page may load them from anywhere.
    let r = c
        .get(format!("{base}/app-0123456789abcdef.js"))
        .send()
        .await
        .unwrap();
    assert!(r.headers().get("x-frame-options").is_none());

    // Without the strict policy (development), framing is still refused.
    let (base, _dir) = start_with(Vec::new(), false, Vec::new()).await;
    let r = c.get(format!("{base}/reports")).send().await.unwrap();
    assert_eq!(csp(&r), "frame-ancestors 'none'");
    assert_eq!(r.headers()["x-frame-options"], "DENY");

    let (base, _dir) = start_with(Vec::new(), true, vec!["'self'".to_owned()]).await;
    let r = c.get(format!("{base}/")).send().await.unwrap();
    assert!(csp(&r).ends_with("; frame-ancestors 'self'"));
    assert_eq!(r.headers()["x-frame-options"], "SAMEORIGIN");

    // X-Frame-Options cannot name another origin: the CSP alone speaks then.
    let hosts = vec!["'self'".to_owned(), "https://admin.example.com".to_owned()];
    let (base, _dir) = start_with(Vec::new(), true, hosts).await;
    let r = c.get(format!("{base}/")).send().await.unwrap();
    assert!(
        csp(&r).ends_with("; frame-ancestors 'self' https://admin.example.com"),
        "{}",
        csp(&r)
    );
    assert!(r.headers().get("x-frame-options").is_none());
}

/// The binary as an operator starts it: the strict policy is the default, `--frame-ancestors`
/// names the host sites, `--no-strict-csp` drops only the script and style rules.
#[tokio::test]
async fn the_binary_serves_the_strict_policy_by_default() {
    let site = process::Site::with_portal();
    let c = reqwest::Client::new();
    let page = |base: &str| {
        let url = format!("{base}/");
        let c = c.clone();
        async move { c.get(url).send().await.unwrap() }
    };

    let server = site.start(&[], &[]);
    let r = page(&server.base).await;
    let policy = csp(&r);
    assert!(policy.starts_with(usage_server::PORTAL_CSP), "{policy}");
    assert!(
        policy.contains("script-src 'self' 'wasm-unsafe-eval'"),
        "{policy}"
    );
    assert!(policy.ends_with("; frame-ancestors 'none'"), "{policy}");
    assert_eq!(r.headers()["x-frame-options"], "DENY");
    drop(server);

    // The old flag is still taken.
    let server = site.start(&["--strict-csp"], &[]);
    assert!(csp(&page(&server.base).await).starts_with(usage_server::PORTAL_CSP));
    drop(server);

    let server = site.start(
        &[
            "--frame-ancestors",
            "https://admin.example.com,self",
            "--frame-ancestors",
            "https://ops.example.com",
        ],
        &[],
    );
    let policy = csp(&page(&server.base).await);
    assert!(
        policy.ends_with(
            "; frame-ancestors https://admin.example.com 'self' https://ops.example.com"
        ),
        "{policy}"
    );
    drop(server);

    let server = site.start(
        &["--no-strict-csp"],
        &[("USAGE_FRAME_ANCESTORS", "https://admin.example.com")],
    );
    let r = page(&server.base).await;
    assert_eq!(csp(&r), "frame-ancestors https://admin.example.com");
    assert!(r.headers().get("x-frame-options").is_none());
    drop(server);

    // A source that would end the directive, or 'none' beside another, stops the start.
    for bad in ["https://a.example.com; script-src *", "none,self"] {
        let out = std::process::Command::new(process::BIN)
            .args(["--db", &site.db])
            .args(["--listen", "127.0.0.1:0", "--frame-ancestors", bad])
            .output()
            .unwrap();
        assert!(!out.status.success(), "{bad}");
    }
}
