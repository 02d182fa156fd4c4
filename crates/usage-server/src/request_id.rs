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
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn valid(v: &HeaderValue) -> bool {
    let b = v.as_bytes();
    !b.is_empty() && b.len() <= REQUEST_ID_MAX && b.iter().all(|c| (0x20..=0x7e).contains(c))
}

/// The middleware.
pub async fn request_ids(req: Request, next: Next) -> Response {
    let correlation = new_id();
    let sent = req.headers().get(REQUEST_ID).cloned();
    let bad = sent.as_ref().is_some_and(|v| !valid(v));
    let request_id = match &sent {
        Some(v) if !bad => v.to_str().map(str::to_owned).unwrap_or_else(|_| new_id()),
        _ => new_id(),
    };
    let span = tracing::info_span!(
        "request",
        method = %req.method(),
        path = %req.uri().path(),
        request_id = %request_id,
        correlation_id = %correlation,
    );
    let started = Instant::now();
    let mut resp = if bad {
        error_response(ErrorBody::validation(vec![FieldError::new(
            "X-Request-ID",
            format!("must be 1 to {REQUEST_ID_MAX} printable ASCII characters"),
        )]))
    } else {
        next.run(req).instrument(span.clone()).await
    };
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        h.insert(REQUEST_ID, v);
    }
    if let Ok(v) = HeaderValue::from_str(&correlation) {
        h.insert(CORRELATION_ID, v);
    }
    span.in_scope(|| {
        tracing::info!(
            status = resp.status().as_u16(),
            ms = started.elapsed().as_millis() as u64,
            "served"
        );
    });
    resp
}
