//! The reference Usage API server: axum over SQLite, serving the built portal too.

pub mod auth;
pub mod csv_out;
pub mod db;
pub mod demo;
pub mod error;
pub mod framing;
pub mod group_commit;
pub mod openapi;
pub mod ops;
pub mod query;
pub mod reports;
pub mod request_id;
pub mod routes;
pub mod signing;
pub mod store;
pub mod streams;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::IntoResponse;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::{ServeDir, ServeFile};

/// Shared by every handler.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub pool: db::Pool,
    /// The queue of requests waiting for one of the pool's connections (see [`AppState::db`]).
    pub db_gate: db::Gate,
    /// The database file opened: a request finds it gone before it reads a stale copy.
    pub db_file: db::FileIdentity,
    /// Most records the synchronous CSV returns (the contract's 20,000; tests lower it so
    /// the refusal can be tested on a small database).
    pub csv_max_records: u64,
    /// The report worker and store.
    pub reports: reports::Reports,
    /// Which `usageTime` a new record may carry (contract section 6).
    pub usage_time_window: UsageTimeWindow,
    /// The usage CSV streams open now, with their deadline and per-token cap.
    pub csv_streams: streams::CsvStreams,
    /// The one writer of usage records: `POST /usages` commits through it in batches.
    pub usage_writer: routes::usages::UsageWriter,
    /// The download-link keys, read once at start.
    pub signing: signing::SigningKeys,
    /// Who may show the portal's pages in a frame (`frame-ancestors` sources); empty is
    /// `'none'`.
    pub frame_ancestors: Vec<String>,
    /// The rate limit, load shedding, request timeout and metrics.
    pub ops: ops::Ops,
}

/// The `usageTime` a new record may carry: `[now − max_age, now + max_ahead]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UsageTimeWindow {
    /// How far back, in seconds (default 35 days).
    pub max_age_secs: i64,
    /// How far ahead, in seconds (default 5 minutes).
    pub max_ahead_secs: i64,
}

impl Default for UsageTimeWindow {
    fn default() -> Self {
        Self {
            max_age_secs: usage_api::limits::USAGE_TIME_MAX_AGE_DAYS * 86_400,
            max_ahead_secs: usage_api::limits::USAGE_TIME_MAX_AHEAD_SECS,
        }
    }
}

impl AppState {
    /// State with the contract's limits, keeping report files in the folder `report_dir`.
    pub fn new(pool: db::Pool, report_dir: PathBuf) -> anyhow::Result<Self> {
        Self::with_report_store(pool, reports::files::ReportStore::local(&report_dir)?)
    }

    /// State with the contract's limits, keeping report files in `files`.
    pub fn with_report_store(
        pool: db::Pool,
        files: reports::files::ReportStore,
    ) -> anyhow::Result<Self> {
        Ok(Self {
            csv_max_records: usage_api::limits::CSV_MAX_RECORDS,
            reports: reports::Reports::with_store(files, reports::ReportOptions::default()),
            usage_time_window: UsageTimeWindow::default(),
            csv_streams: streams::CsvStreams::default(),
            usage_writer: routes::usages::usage_writer(
                pool.clone(),
                group_commit::WriterOptions::default(),
            )?,
            signing: db::off_runtime(|| signing::SigningKeys::stored(&mut pool.get()?.conn()))?,
            frame_ancestors: Vec::new(),
            ops: ops::Ops::default(),
            db_gate: db::Gate::for_pool(&pool),
            db_file: db::off_runtime(|| db::FileIdentity::of(&pool))?,
            pool,
        })
    }

    /// Runs a request's database work `f` on a pooled connection, in the blocking pool, once
    /// its turn in [`AppState::db_gate`] comes. Waiting longer than the pool's timeout is a 503,
    /// as a connection that does not come free in time is, and so is a database file removed
    /// or replaced under the server.
    pub async fn db<T, F>(&self, f: F) -> Result<T, error::AppError>
    where
        T: Send + 'static,
        F: FnOnce(&mut store::sql::Conn<'_>) -> Result<T, error::AppError> + Send + 'static,
    {
        let permit = self
            .db_gate
            .enter(self.pool.connection_timeout())
            .await
            .ok_or_else(|| {
                error::AppError::Unavailable(
                    "no database connection came free within the pool's timeout".to_owned(),
                )
            })?;
        let (pool, file) = (self.pool.clone(), self.db_file.clone());
        crate::db::spawn_blocking(move || {
            let _turn = permit;
            file.check()?;
            let mut pooled = pool.get()?;
            f(&mut pooled.conn())
        })
        .await?
    }
}

/// How the app is put together.
#[derive(Debug, Clone, Default)]
pub struct AppOptions {
    /// The built portal (`dist/`) to serve, with the SPA fallback to its index.html.
    pub static_dir: Option<PathBuf>,
    /// Origins allowed by CORS; `*` allows any.
    pub cors_origins: Vec<String>,
    /// Send [`PORTAL_CSP`] with the portal's HTML (`frame-ancestors` is sent either way, from
    /// [`AppState::frame_ancestors`]).
    pub strict_csp: bool,
    /// Serve the portal under this path (such as `/admin/usage`) instead of the root.
    pub base_path: Option<String>,
}

/// The first path segments the API owns: below them, a path no route knows is the contract's
/// JSON 404, never the portal's index.html.
pub const API_PREFIXES: &[&str] = &[
    "usage",
    "usages",
    "express",
    "orgs",
    "healthz",
    "readyz",
    "metrics",
    "openapi.json",
];

/// True when `path` lies under one of [`API_PREFIXES`].
pub fn is_api_path(path: &str) -> bool {
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    API_PREFIXES.contains(&first)
}

/// The whole application.
pub fn app(state: AppState, opts: &AppOptions) -> Router {
    let portal_headers = framing::PortalHeaders::new(opts.strict_csp, &state.frame_ancestors);
    let ops = state.ops.clone();
    let metrics = if ops.options().metrics_route {
        ops::metrics_router()
    } else {
        Router::new()
    };
    let api = Router::new()
        .merge(metrics)
        .merge(routes::usage::router())
        .merge(routes::reports::router())
        .merge(routes::orgs::router())
        .merge(routes::usages::router())
        .merge(routes::billing::router())
        .merge(routes::subscriptions::router())
        .merge(routes::budgets::router())
        .merge(routes::views::router())
        .merge(routes::health::router())
        .merge(openapi::router())
        .with_state(state)
        .fallback(error::unknown_path)
        .layer(axum::middleware::from_fn(ops::mark_route))
        // Axum's own answers (405, 413, path rejections) become the contract's error body.
        .layer(axum::middleware::map_response(error::contract_errors));
    let app = match &opts.static_dir {
        Some(dir) => match opts
            .base_path
            .as_deref()
            .map(|b| b.trim_end_matches('/'))
            .filter(|b| !b.is_empty())
        {
            Some(base) => api.nest_service(base, static_files(dir, &portal_headers)),
            None => {
                let files = static_files(dir, &portal_headers);
                api.fallback_service(tower::service_fn(move |req: axum::extract::Request| {
                    let files = files.clone();
                    async move {
                        // An API path no route knows is the contract's 404, never the portal's HTML.
                        if is_api_path(req.uri().path()) {
                            return Ok(error::unknown_path().await);
                        }
                        tower::ServiceExt::oneshot(files, req).await
                    }
                }))
            }
        },
        None => api,
    };
    // Ids outermost (preflights get them too); the request-id 400 inside CORS, so a browser
    // can read it.
    // The limits inside CORS too (a browser can read a 429 or 503), and outside the router, so
    // a caller over its rate costs no token lookup.
    app.layer(axum::middleware::from_fn(
        request_id::refuse_bad_request_ids,
    ))
    .layer(axum::middleware::from_fn_with_state(
        ops.clone(),
        ops::limits,
    ))
    .layer(cors(&opts.cors_origins))
    .layer(axum::middleware::from_fn_with_state(ops, ops::observe))
    .layer(axum::middleware::from_fn(request_id::request_ids))
}

pub use framing::PORTAL_CSP;

/// The built portal: precompressed files by `Accept-Encoding`, the SPA fallback to
/// index.html for the portal's own paths, and caching fit for a CDN.
fn static_files(dir: &std::path::Path, portal_headers: &framing::PortalHeaders) -> Router {
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
    let portal_headers = portal_headers.clone();
    Router::new()
        .fallback_service(files)
        .layer(axum::middleware::map_response(cache_headers))
        .layer(axum::middleware::map_response(
            move |resp: axum::response::Response| {
                let portal_headers = portal_headers.clone();
                async move { portal_headers.apply(resp) }
            },
        ))
}

/// Hashed assets are immutable for a year; index.html and anything else must be revalidated,
/// so a deploy is seen at once. config.json may hold a token: no cache keeps it.
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
    let value = if uri.path().rsplit('/').next() == Some("config.json") {
        "no-store"
    } else if found && is_hashed_asset(uri.path()) && !is_html {
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

/// How connections are served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServeOptions {
    /// A client has this long to send a request's headers (slowloris); then it is cut off.
    pub header_read_timeout: Duration,
    /// After the shutdown signal, in-flight requests have this long to finish; the rest are cut.
    pub shutdown_deadline: Duration,
}

impl Default for ServeOptions {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            shutdown_deadline: Duration::from_secs(20),
        }
    }
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
        // Reports a previous run left in progress are generated again, never left hanging
        // (and the partial files of runs that were killed are removed).
        state.reports.recover(&state.pool).await?;
        Ok(Self {
            addr: listener.local_addr()?,
            listener,
            router: app(state, opts),
        })
    }

    /// Serves until `shutdown` completes, with the default [`ServeOptions`].
    pub async fn serve(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        self.serve_with(shutdown, ServeOptions::default()).await
    }

    /// Serves until `shutdown` completes, then lets in-flight requests finish within
    /// `opts.shutdown_deadline` and cuts the rest (a stalled stream must not hold the exit).
    ///
    /// Our own accept loop rather than `axum::serve`, which cannot set hyper's header-read
    /// timeout nor bound its graceful shutdown.
    pub async fn serve_with(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
        opts: ServeOptions,
    ) -> std::io::Result<()> {
        use hyper_util::rt::{TokioIo, TokioTimer};
        let mut listener = streams::DeadlineListener(self.listener);
        // HTTP/1 only: hyper-util's auto builder first waits for the bytes that tell HTTP/1
        // from HTTP/2, with no timeout, so a client that connects and sends nothing would be
        // held forever. No client of this API speaks cleartext HTTP/2 (a proxy in front
        // terminates it); hyper's own timer starts before the first byte.
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(opts.header_read_timeout);
        let graceful = hyper_util::server::graceful::GracefulShutdown::new();
        let mut shutdown = std::pin::pin!(shutdown);
        loop {
            let io = tokio::select! {
                (io, _) = axum::serve::Listener::accept(&mut listener) => io,
                () = &mut shutdown => break,
            };
            // Each connection can be given a deadline by the stream it carries (a CSV whose
            // client stopped reading): see `streams`. Handlers see it as `ConnectInfo`.
            let info = axum::extract::ConnectInfo(io.conn().clone());
            let router = self.router.clone();
            let service = hyper::service::service_fn(
                move |mut req: hyper::Request<hyper::body::Incoming>| {
                    req.extensions_mut().insert(info.clone());
                    tower::ServiceExt::oneshot(router.clone(), req)
                },
            );
            let conn = graceful.watch(builder.serve_connection(TokioIo::new(io), service));
            tokio::spawn(async move {
                // A client gone or cut off (the header timeout, a deadline): routine.
                if let Err(e) = conn.await {
                    tracing::debug!(error = %e, "connection ended with an error");
                }
            });
        }
        drop(listener);
        tracing::info!(
            deadline_secs = opts.shutdown_deadline.as_secs_f64(),
            "no longer accepting; finishing the requests in flight"
        );
        if tokio::time::timeout(opts.shutdown_deadline, graceful.shutdown())
            .await
            .is_err()
        {
            tracing::warn!("shutdown deadline passed; the connections still open are cut");
        }
        Ok(())
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
