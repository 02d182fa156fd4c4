//! The reference Usage API server: axum over SQLite, serving the built portal too.

pub mod auth;
pub mod csv_out;
pub mod db;
pub mod demo;
pub mod error;
pub mod query;
pub mod reports;
pub mod request_id;
pub mod routes;
pub mod signing;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::IntoResponse;
use std::net::SocketAddr;
use std::path::PathBuf;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::{ServeDir, ServeFile};

/// Shared by every handler.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub pool: db::Pool,
    /// Most records the synchronous CSV returns (the contract's 20,000; tests lower it so
    /// the refusal can be tested on a small database).
    pub csv_max_records: u64,
    /// The report worker and store.
    pub reports: reports::Reports,
}

impl AppState {
    /// State with the contract's limits, keeping report files in `report_dir`.
    pub fn new(pool: db::Pool, report_dir: PathBuf) -> anyhow::Result<Self> {
        Ok(Self {
            pool,
            csv_max_records: usage_api::limits::CSV_MAX_RECORDS,
            reports: reports::Reports::new(report_dir, 2)?,
        })
    }
}

/// How the app is put together.
#[derive(Debug, Clone, Default)]
pub struct AppOptions {
    /// The built portal (`dist/`) to serve, with the SPA fallback to its index.html.
    pub static_dir: Option<PathBuf>,
    /// Origins allowed by CORS; `*` allows any.
    pub cors_origins: Vec<String>,
    /// Send [`PORTAL_CSP`] with the portal's HTML.
    pub strict_csp: bool,
    /// Serve the portal under this path (such as `/admin/usage`) instead of the root.
    pub base_path: Option<String>,
}

/// The whole application.
pub fn app(state: AppState, opts: &AppOptions) -> Router {
    let api = Router::new()
        .merge(routes::usage::router())
        .merge(routes::reports::router())
        .merge(routes::orgs::router())
        .merge(routes::usages::router())
        .merge(routes::billing::router())
        .with_state(state);
    let app = match &opts.static_dir {
        Some(dir) => match opts
            .base_path
            .as_deref()
            .map(|b| b.trim_end_matches('/'))
            .filter(|b| !b.is_empty())
        {
            Some(base) => api.nest_service(base, static_files(dir, opts.strict_csp)),
            None => api.fallback_service(static_files(dir, opts.strict_csp)),
        },
        None => api,
    };
    app.layer(cors(&opts.cors_origins))
        .layer(axum::middleware::from_fn(request_id::request_ids))
}

/// The Content-Security-Policy sent with the portal's HTML: no inline script or style.
pub const PORTAL_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: blob:; object-src 'none'; base-uri 'self'; frame-ancestors 'self'";

/// The built portal: precompressed files by `Accept-Encoding`, the SPA fallback to
/// index.html for the portal's own paths, and caching fit for a CDN.
fn static_files(dir: &std::path::Path, strict_csp: bool) -> Router {
    let index = ServeFile::new(dir.join("index.html"))
        .precompressed_br()
        .precompressed_gzip();
    let spa = tower::service_fn(move |req: axum::extract::Request| {
        let index = index.clone();
        async move {
            // A missing file is a 404, never the portal's HTML: a page's wasm that is gone
            // must fail its fetch (and be fetched again on a retry), not be answered with
            // HTML that the browser then keeps as a valid copy of it.
            if is_file_path(req.uri().path()) {
                return Ok(StatusCode::NOT_FOUND.into_response());
            }
            let resp = tower::ServiceExt::oneshot(index, req).await?;
            Ok::<_, std::convert::Infallible>(resp.map(axum::body::Body::new))
        }
    });
    let files = ServeDir::new(dir)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(spa);
    let router = Router::new()
        .fallback_service(files)
        .layer(axum::middleware::map_response(cache_headers));
    if strict_csp {
        router.layer(axum::middleware::map_response(csp_header))
    } else {
        router
    }
}

async fn csp_header(mut resp: axum::response::Response) -> axum::response::Response {
    let h = resp.headers_mut();
    if h.get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"))
    {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(PORTAL_CSP),
        );
    }
    resp
}

/// Hashed assets are immutable for a year; index.html, config.json and anything else must be
/// revalidated, so a deploy is seen at once.
async fn cache_headers(
    uri: axum::extract::OriginalUri,
    mut resp: axum::response::Response,
) -> axum::response::Response {
    let is_html = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    // Only a file found is immutable: a 404 cached for a year would outlive the deploy that fixes it.
    let found = resp.status().is_success() || resp.status() == StatusCode::NOT_MODIFIED;
    let h = resp.headers_mut();
    let value = if found && is_hashed_asset(uri.path()) && !is_html {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    resp
}

/// True when the path's last segment names a file (`x.wasm`), not one of the portal's pages.
fn is_file_path(path: &str) -> bool {
    path.rsplit('/')
        .next()
        .is_some_and(|last| last.contains('.'))
}

/// True for trunk's content-hashed file names (`name-0123456789abcdef.ext`).
pub fn is_hashed_asset(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or(path);
    let stem = file.split('.').next().unwrap_or(file);
    stem.rsplit_once('-')
        .is_some_and(|(_, h)| h.len() == 16 && h.bytes().all(|b| b.is_ascii_hexdigit()))
        || stem.rsplit_once('-').is_some_and(|(_, h)| {
            h.len() == 16 + 3
                && h.ends_with("_bg")
                && h[..16].bytes().all(|b| b.is_ascii_hexdigit())
        })
}

fn cors(origins: &[String]) -> CorsLayer {
    let expose = [
        HeaderName::from_static(request_id::REQUEST_ID),
        HeaderName::from_static(request_id::CORRELATION_ID),
        header::LOCATION,
        header::RETRY_AFTER,
        header::CONTENT_DISPOSITION,
        header::CONTENT_LENGTH,
    ];
    let allow_origin = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()))
    };
    CorsLayer::new()
        .allow_origin(allow_origin)
        .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::RANGE,
            HeaderName::from_static(request_id::REQUEST_ID),
        ])
        .expose_headers(expose)
}

/// A server bound to a port, not yet serving.
pub struct Bound {
    /// Where it listens.
    pub addr: SocketAddr,
    listener: tokio::net::TcpListener,
    router: Router,
}

impl Bound {
    /// Binds `addr` (port 0 picks a free port).
    pub async fn bind(
        addr: SocketAddr,
        state: AppState,
        opts: &AppOptions,
    ) -> anyhow::Result<Self> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        // Reports a previous run left in progress are generated again, never left hanging.
        reports::sweep(&state.reports.dir);
        state.reports.recover(&state.pool)?;
        Ok(Self {
            addr: listener.local_addr()?,
            listener,
            router: app(state, opts),
        })
    }

    /// Serves until `shutdown` completes.
    pub async fn serve(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(shutdown)
            .await
    }

    /// Serves in the background (tests): the server stops with the runtime.
    pub fn spawn(self) -> SocketAddr {
        let addr = self.addr;
        tokio::spawn(self.serve(std::future::pending()));
        addr
    }
}

/// The portal's runtime config (`config.json` next to index.html).
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PortalConfig {
    /// API base URL; empty means the origin that served config.json.
    pub api_base: String,
    /// The realm the portal shows.
    pub realm: String,
    /// A bearer token for local use.
    pub token: String,
    /// The path the portal is served under (empty at the root).
    pub base_path: String,
}
