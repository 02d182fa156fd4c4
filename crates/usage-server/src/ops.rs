//! Operability (contract section 5): the per-token rate limit, load shedding, the request
//! timeout, and `/metrics`.
//!
//! Every limit here is per replica: N replicas behind a balancer admit N times the rate and
//! N times the requests in flight. The service keeps no shared state to do better, on purpose
//! (one SQLite file per replica).

use crate::AppState;
use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
    TextEncoder,
};
use sha2::{Digest, Sha256};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;
use usage_api::{ErrorBody, ErrorCode};

/// A rate: `per_sec` requests a second on average, `burst` at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Sustained requests per second.
    pub per_sec: NonZeroU32,
    /// Requests a caller may send at once after a quiet spell.
    pub burst: NonZeroU32,
}

/// The limits in force. The library's default has none of them but the request timeout (the
/// binary's flags set them all): tests and benches built on the library are not throttled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpsOptions {
    /// A request whose handler has not answered by then is a 503 (the body streamed after the
    /// answer, a CSV or a report file, is not counted: those have their own deadline).
    pub request_timeout: Option<Duration>,
    /// Requests handled at once; one more is a 503 at once rather than a wait in a queue.
    pub max_in_flight: Option<usize>,
    /// Each token's rate; over it a 429.
    pub rate_limit: Option<RateLimit>,
    /// Serve `GET /metrics` on the API's own address.
    pub metrics_route: bool,
}

impl Default for OpsOptions {
    fn default() -> Self {
        Self {
            request_timeout: Some(Duration::from_secs(30)),
            max_in_flight: None,
            rate_limit: None,
            metrics_route: true,
        }
    }
}

/// The limits and the metrics, shared by every request.
#[derive(Clone)]
pub struct Ops {
    inner: Arc<Inner>,
}

struct Inner {
    opts: OpsOptions,
    in_flight: Option<Arc<Semaphore>>,
    limiter: Option<DefaultKeyedRateLimiter<[u8; 32]>>,
    checks: AtomicU64,
    metrics: Metrics,
}

impl Default for Ops {
    fn default() -> Self {
        Self::new(OpsOptions::default())
    }
}

impl Ops {
    /// Fresh limits and metrics under `opts`.
    pub fn new(opts: OpsOptions) -> Self {
        Self {
            inner: Arc::new(Inner {
                opts,
                in_flight: opts
                    .max_in_flight
                    .map(|n| Arc::new(Semaphore::new(n.max(1)))),
                limiter: opts.rate_limit.map(|r| {
                    DefaultKeyedRateLimiter::keyed(
                        Quota::per_second(r.per_sec).allow_burst(r.burst),
                    )
                }),
                checks: AtomicU64::new(0),
                metrics: Metrics::new(),
            }),
        }
    }

    /// The limits in force.
    pub fn options(&self) -> OpsOptions {
        self.inner.opts
    }

    /// The metrics.
    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    /// Err(seconds to wait) when the caller with `key` is over its rate.
    fn check_rate(&self, key: &[u8; 32]) -> Result<(), u64> {
        let Some(limiter) = &self.inner.limiter else {
            return Ok(());
        };
        // Unknown tokens add keys too: forget the ones back at a full bucket now and then, so
        // a caller spraying made-up tokens cannot grow the table without bound.
        if self.inner.checks.fetch_add(1, Ordering::Relaxed) % 4_096 == 4_095 {
            limiter.retain_recent();
        }
        limiter.check_key(key).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
        })
    }
}

/// The route a response answered, as its template (`/usages/{id}`), for metrics and logs.
#[derive(Debug, Clone)]
pub struct RouteLabel(pub Arc<str>);

/// Paths no limit applies to: a probe or a scrape must be answered while the service sheds
/// load, or an orchestrator restarts a replica that is only busy.
fn exempt(path: &str) -> bool {
    matches!(path, "/healthz" | "/readyz" | "/metrics")
}

/// The key a request is rate limited by: the hash of its bearer token (the token itself is
/// never kept). None without a token: such a request is a cheap 401.
fn token_key(req: &Request) -> Option<[u8; 32]> {
    let v = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    Some(Sha256::digest(token.trim().as_bytes()).into())
}

fn with_retry_after(mut resp: Response, secs: u64) -> Response {
    resp.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(secs.max(1)));
    resp
}

/// The contract's 503 `unavailable`, with `Retry-After`.
pub fn unavailable(description: &str) -> Response {
    let body = ErrorBody {
        code: ErrorCode::Unavailable,
        message: "The service is busy.".to_owned(),
        description: description.to_owned(),
        fields: Vec::new(),
    };
    with_retry_after(
        crate::error::error_response(body),
        crate::error::UNAVAILABLE_RETRY_AFTER_SECS,
    )
}

/// The rate limit, then load shedding, then the request timeout, in that order: a caller over
/// its rate takes no slot another tenant could use.
pub async fn limits(State(ops): State<Ops>, req: Request, next: Next) -> Response {
    if exempt(req.uri().path()) {
        return next.run(req).await;
    }
    if let Some(Err(wait)) = token_key(&req).map(|key| ops.check_rate(&key)) {
        let body = ErrorBody {
            code: ErrorCode::RateLimited,
            message: "Too many requests.".to_owned(),
            description:
                "This token is over its request rate; retry after the Retry-After header's seconds."
                    .to_owned(),
            fields: Vec::new(),
        };
        return with_retry_after(crate::error::error_response(body), wait);
    }
    // Held until the handler has answered: a stream then being read holds its own, separate
    // limits (the per-token cap and the deadline), not a slot of the service.
    let _permit = match &ops.inner.in_flight {
        Some(sem) => match sem.clone().try_acquire_owned() {
            Ok(p) => Some(p),
            Err(_) => {
                tracing::warn!("too many requests in flight; shed with a 503");
                return unavailable(
                    "The service has too many requests in flight; try again after the Retry-After header's seconds.",
                );
            }
        },
        None => None,
    };
    match ops.inner.opts.request_timeout {
        // Dropping the handler is safe: a write it had handed to the writer still commits,
        // and a client's retry with the same `id` gets that record back.
        Some(d) => match tokio::time::timeout(d, next.run(req)).await {
            Ok(resp) => resp,
            Err(_) => {
                tracing::warn!(
                    timeout_ms = d.as_millis() as u64,
                    "request timed out; answered 503"
                );
                unavailable(
                    "The request took too long; try again after the Retry-After header's seconds.",
                )
            }
        },
        None => next.run(req).await,
    }
}

/// Inside the router, where the matched route is known: puts its template on the response.
pub async fn mark_route(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| RouteLabel(m.as_str().into()));
    let mut resp = next.run(req).await;
    if let Some(route) = route {
        resp.extensions_mut().insert(route);
    }
    resp
}

/// Counts and times every response by method, route template and status. Paths no route
/// matched are `unmatched` (API) or `static` (the portal): never the raw path, whose values a
/// client chooses and would make the series unbounded.
pub async fn observe(State(ops): State<Ops>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let api = crate::is_api_path(req.uri().path());
    let mut resp = next.run(req).await;
    let route = match resp.extensions().get::<RouteLabel>() {
        Some(r) => r.clone(),
        None => {
            let label = if api { "unmatched" } else { "static" };
            let r = RouteLabel(label.into());
            resp.extensions_mut().insert(r.clone());
            r
        }
    };
    let status = resp.status();
    let m = ops.metrics();
    let labels = [method.as_str(), &route.0, status.as_str()];
    m.requests.with_label_values(&labels).inc();
    m.latency
        .with_label_values(&labels)
        .observe(started.elapsed().as_secs_f64());
    resp
}

/// The service's Prometheus metrics.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    report_queue: IntGaugeVec,
    pool_in_use: IntGauge,
    pool_idle: IntGauge,
}

impl Metrics {
    fn new() -> Self {
        let registry = Registry::new();
        let labels = &["method", "route", "status"];
        // The names and labels are constants: registering them cannot fail.
        let requests = IntCounterVec::new(
            Opts::new(
                "usage_http_requests_total",
                "HTTP requests answered, by method, route template and status.",
            ),
            labels,
        )
        .expect("valid metric");
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "usage_http_request_duration_seconds",
                "Time to the answer's headers (and the whole body, for most), by method, route template and status.",
            )
            .buckets(vec![0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0]),
            labels,
        )
        .expect("valid metric");
        let report_queue = IntGaugeVec::new(
            Opts::new(
                "usage_report_queue_depth",
                "Reports in progress, by state (waiting or running).",
            ),
            &["state"],
        )
        .expect("valid metric");
        let pool_in_use = IntGauge::new(
            "usage_db_pool_connections_in_use",
            "Database connections of the pool handed out now.",
        )
        .expect("valid metric");
        let pool_idle = IntGauge::new(
            "usage_db_pool_connections_idle",
            "Database connections of the pool idle now.",
        )
        .expect("valid metric");
        for c in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(latency.clone()),
            Box::new(report_queue.clone()),
            Box::new(pool_in_use.clone()),
            Box::new(pool_idle.clone()),
        ] {
            registry.register(c).expect("unique metric");
        }
        Self {
            registry,
            requests,
            latency,
            report_queue,
            pool_in_use,
            pool_idle,
        }
    }

    /// The metrics in Prometheus' text format.
    pub fn render(&self) -> Vec<u8> {
        let mut out = Vec::new();
        if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut out) {
            tracing::error!(error = %e, "encoding the metrics failed");
        }
        out
    }
}

/// `GET /metrics` alone, for the API's router or an address of its own (`--metrics-listen`).
pub fn metrics_router() -> Router<AppState> {
    Router::new().route("/metrics", get(metrics))
}

/// The server for `--metrics-listen`: `/metrics` and the contract's 404 for anything else.
pub fn metrics_app(state: AppState) -> Router {
    metrics_router()
        .with_state(state)
        .fallback(crate::error::unknown_path)
}

/// The gauges are read at scrape time; the queue's depth needs the database, and a scrape
/// that cannot reach it within a second keeps the last figures rather than fail.
#[utoipa::path(get, path = "/metrics", tag = "service", operation_id = "metrics",
    summary = "Prometheus metrics: requests by route and status, latency, report queue, pool (contract section 5)",
    responses((status = 200, description = "The Prometheus text format.", content_type = "text/plain", body = String),
        crate::openapi::PublicErrors))]
async fn metrics(State(state): State<AppState>) -> Response {
    let m = state.ops.metrics().clone();
    let pool = state.pool.clone();
    let pool_state = pool.state();
    m.pool_idle.set(i64::from(pool_state.idle_connections));
    m.pool_in_use.set(i64::from(
        pool_state
            .connections
            .saturating_sub(pool_state.idle_connections),
    ));
    let depth = crate::db::spawn_blocking(move || -> anyhow::Result<(u64, u64)> {
        let mut pooled = pool.get_timeout(Duration::from_secs(1))?;
        Ok(crate::reports::Reports::queue_depth(&mut pooled.conn())?)
    })
    .await;
    match depth {
        Ok(Ok((waiting, running))) => {
            m.report_queue
                .with_label_values(&["waiting"])
                .set(waiting as i64);
            m.report_queue
                .with_label_values(&["running"])
                .set(running as i64);
        }
        Ok(Err(e)) => {
            tracing::warn!(error = %format!("{e:#}"), "report queue depth not read for /metrics")
        }
        Err(e) => tracing::warn!(error = %e, "report queue depth not read for /metrics"),
    }
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        m.render(),
    )
        .into_response()
}
