//! `X-Request-ID` (echoed or generated) and `X-Correlation-ID` (always generated) on every
//! response, errors included, and in the request's log line.

use crate::error::error_response;
use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use rand::RngCore;
use std::time::Instant;
use tracing::Instrument;
use usage_api::limits::REQUEST_ID_MAX;
use usage_api::{ErrorBody, FieldError};

/// The request id header.
pub const REQUEST_ID: &str = "x-request-id";
/// The correlation id header.
pub const CORRELATION_ID: &str = "x-correlation-id";

fn new_id() -> String {
    let mut b = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut b);
    hex::encode(b)
}

fn valid(v: &HeaderValue) -> bool {
    let b = v.as_bytes();
    !b.is_empty() && b.len() <= REQUEST_ID_MAX && b.iter().all(|c| (0x20..=0x7e).contains(c))
}

/// Marks a request whose `X-Request-ID` is not acceptable.
#[derive(Debug, Clone, Copy)]
struct BadRequestId;

/// The 400 for a request [`request_ids`] found a bad `X-Request-ID` on. It runs inside the CORS
/// layer (which runs inside [`request_ids`]), so the refusal carries CORS headers and ids too.
pub async fn refuse_bad_request_ids(req: Request, next: Next) -> Response {
    if req.extensions().get::<BadRequestId>().is_some() {
        return error_response(ErrorBody::validation(vec![FieldError::new(
            "X-Request-ID",
            format!("must be 1 to {REQUEST_ID_MAX} printable ASCII characters"),
        )]));
    }
    next.run(req).await
}

/// The middleware: ids on every response and in the request's log line.
pub async fn request_ids(req: Request, next: Next) -> Response {
    let correlation = new_id();
    let sent = req.headers().get(REQUEST_ID).cloned();
    let bad = sent.as_ref().is_some_and(|v| !valid(v));
    let request_id = match &sent {
        Some(v) if !bad => v.to_str().map(str::to_owned).unwrap_or_else(|_| new_id()),
        _ => new_id(),
    };
    // The request id is the client's text: logged quoted and escaped (Debug), so it can never
    // pass for other fields of the line.
    let span = tracing::info_span!(
        "request",
        method = %req.method(),
        path = ?req.uri().path(),
        request_id = ?request_id,
        correlation_id = %correlation,
    );
    let started = Instant::now();
    let method = req.method().clone();
    let mut req = req;
    if bad {
        // Refused by [`refuse_bad_request_ids`], inside the CORS layer, so a browser can read it.
        req.extensions_mut().insert(BadRequestId);
    }
    let mut resp = next.run(req).instrument(span.clone()).await;
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        h.insert(REQUEST_ID, v);
    }
    if let Ok(v) = HeaderValue::from_str(&correlation) {
        h.insert(CORRELATION_ID, v);
    }
    // Not inside the span: the line carries each field once, as fields of its own (a JSON log
    // reader finds them at the top level). The route is the matched template, never the raw
    // path a client chose.
    let route = resp
        .extensions()
        .get::<crate::ops::RouteLabel>()
        .map(|r| r.0.clone());
    tracing::info!(
        request_id = ?request_id,
        correlation_id = %correlation,
        method = %method,
        route = route.as_deref().unwrap_or("unmatched"),
        status = resp.status().as_u16(),
        latency_ms = started.elapsed().as_secs_f64() * 1_000.0,
        "served"
    );
    resp
}
