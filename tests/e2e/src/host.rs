//! The example host admin site of `examples/host-admin`, served from its own origin: the host
//! page and its script under `/admin/`, the built portal under `/portal/` (as a CDN would), a
//! stand-in for the host's session backend that hands out short-lived API tokens, and the
//! strict Content Security Policy on every answer.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tower_http::services::{ServeDir, ServeFile};
use usage_server::{auth, db};

/// The API address the example page names; replaced by [`HostOptions::api_origin`].
pub const EXAMPLE_API: &str = "http://127.0.0.1:8080";
/// The label of the tokens the host hands out (tests expire them by it).
pub const TOKEN_LABEL: &str = "host-admin";

/// How the host site is set up.
#[derive(Clone)]
pub struct HostOptions {
    /// The Usage API's origin, e.g. `http://127.0.0.1:8080`.
    pub api_origin: String,
    /// The built portal (`dist/`).
    pub dist: PathBuf,
    /// The host page's files (`examples/host-admin`).
    pub example_dir: PathBuf,
    /// The API's database, where the session backend creates tokens.
    pub pool: db::Pool,
    /// The realm whose tokens are handed out.
    pub realm: String,
    /// How long a handed-out token lives.
    pub token_ttl_secs: i64,
}

#[derive(Clone)]
struct Host {
    opts: HostOptions,
    index: Arc<String>,
    minted: Arc<AtomicUsize>,
}

/// The host site's routes; the counter counts the tokens handed out.
pub fn router(opts: HostOptions) -> std::io::Result<(Router, Arc<AtomicUsize>)> {
    let index = std::fs::read_to_string(opts.example_dir.join("index.html"))?
        .replace(EXAMPLE_API, &opts.api_origin);
    let csp = HeaderValue::try_from(format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
         connect-src 'self' {}",
        opts.api_origin
    ))
    .map_err(std::io::Error::other)?;
    let minted = Arc::new(AtomicUsize::new(0));
    let host = Host {
        index: Arc::new(index),
        minted: minted.clone(),
        opts: opts.clone(),
    };
    let portal = ServeDir::new(&opts.dist)
        .precompressed_br()
        .precompressed_gzip();
    let file = |name: &str| ServeFile::new(opts.example_dir.join(name));
    let router = Router::new()
        .route("/", get(|| async { Redirect::to("/admin/") }))
        .route("/admin/session/token", post(token))
        .route_service("/admin/host.js", file("host.js"))
        .route_service("/admin/host.css", file("host.css"))
        .route_service("/admin/favicon.svg", file("favicon.svg"))
        .nest_service("/portal", portal)
        .route("/admin", get(page))
        .route("/admin/", get(page))
        .route("/admin/{*rest}", get(page))
        .with_state(host)
        .layer(axum::middleware::map_response(move |mut r: Response| {
            let csp = csp.clone();
            async move {
                r.headers_mut().insert(header::CONTENT_SECURITY_POLICY, csp);
                r
            }
        }));
    Ok((router, minted))
}

/// Every page of the admin site is the one host page: the portal routes under its base path.
async fn page(State(host): State<Host>) -> Html<String> {
    Html(host.index.as_str().to_owned())
}

/// The host's session backend: a fresh short-lived token for the signed-in admin.
async fn token(State(host): State<Host>) -> Response {
    let HostOptions {
        pool,
        realm,
        token_ttl_secs,
        ..
    } = host.opts.clone();
    let made = tokio::task::spawn_blocking(move || -> anyhow::Result<String> {
        let expires = chrono::Utc::now().timestamp() + token_ttl_secs;
        auth::create_token_until(
            &mut pool.get()?.conn(),
            &realm,
            auth::SCOPES,
            TOKEN_LABEL,
            Some(expires),
        )
    })
    .await;
    match made.map_err(anyhow::Error::from).and_then(|r| r) {
        Ok(token) => {
            host.minted.fetch_add(1, Ordering::SeqCst);
            axum::Json(serde_json::json!({ "token": token })).into_response()
        }
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, format!("no token: {e}")).into_response(),
    }
}

/// Binds the host site's listener first, so the API can be told its origin for CORS.
pub async fn bind(addr: std::net::SocketAddr) -> anyhow::Result<(tokio::net::TcpListener, String)> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let origin = format!("http://{}", listener.local_addr()?);
    Ok((listener, origin))
}

/// Serves the host site on `listener` in the background; returns its token counter.
pub fn serve(
    listener: tokio::net::TcpListener,
    opts: HostOptions,
) -> anyhow::Result<Arc<AtomicUsize>> {
    let (router, minted) = router(opts)?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Ok(minted)
}
