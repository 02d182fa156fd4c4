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
use axum::http::{HeaderName, HeaderValue, Method, header};
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
    let mut app = api;
    if let Some(dir) = &opts.static_dir {
        let index = dir.join("index.html");
        app = app.fallback_service(ServeDir::new(dir).fallback(ServeFile::new(index)));
    }
    app.layer(cors(&opts.cors_origins))
        .layer(axum::middleware::from_fn(request_id::request_ids))
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
}
