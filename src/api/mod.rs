//! The typed client of the Usage API.

pub mod billing;
pub mod download;
pub mod reports;
pub mod usage;

use gloo_net::http::{Request, Response};
use serde::de::DeserializeOwned;
use std::fmt;
use std::pin::Pin;
use usage_api::{ErrorBody, ErrorCode, FieldError};

/// What went wrong with a call, in words a user can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status, or 0 when no response arrived.
    pub status: u16,
    /// The contract's error code, when the server sent one.
    pub code: Option<ErrorCode>,
    /// A one-line summary.
    pub message: String,
    /// More detail.
    pub description: String,
    /// Every offending parameter.
    pub fields: Vec<FieldError>,
    /// The request id, to quote to support.
    pub request_id: Option<String>,
}

impl ApiError {
    pub(crate) fn local(message: &str, description: String, request_id: Option<String>) -> Self {
        Self {
            status: 0,
            code: None,
            message: message.to_owned(),
            description,
            fields: Vec::new(),
            request_id,
        }
    }

    /// The portal's settings are missing or wrong.
    pub fn config(description: String) -> Self {
        Self::local("The portal is not configured correctly.", description, None)
    }

    pub(crate) fn unreadable(status: u16, request_id: Option<String>) -> Self {
        Self {
            status,
            code: None,
            message: "The usage service sent an answer the portal does not understand.".to_owned(),
            description: String::new(),
            fields: Vec::new(),
            request_id,
        }
    }

    /// True when the request was aborted because a newer one replaced it.
    pub fn is_aborted(&self) -> bool {
        self.status == 0 && self.message == ABORTED
    }
}

pub(crate) const ABORTED: &str = "The request was cancelled.";

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if !self.description.is_empty() {
            write!(f, " {}", self.description)?;
        }
        for field in &self.fields {
            write!(f, " {} {}.", field.name, field.description)?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// A random id for `X-Request-ID`, so even a request that never got an answer has one to quote.
fn new_request_id() -> String {
    let mut s = String::with_capacity(16);
    for _ in 0..2 {
        let n = (js_sys::Math::random() * 4_294_967_296.0) as u32;
        s.push_str(&format!("{n:08x}"));
    }
    s
}

/// A whole answer: its text, HTTP status and request id.
type Answer = (String, u16, Option<String>);

/// Calls the Usage API with a bearer token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiClient {
    base: String,
    token: Option<String>,
}

impl ApiClient {
    /// A client for the API at `base` (an absolute URL without a trailing slash).
    pub fn new(base: &str, token: Option<String>) -> Self {
        Self {
            base: base.to_owned(),
            token,
        }
    }

    /// The bearer token, if any.
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// The API's base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The absolute URL of `path` with `query`.
    pub fn url(&self, path: &str, query: &[(&str, String)]) -> String {
        let mut url = format!("{}{path}", self.base);
        if !query.is_empty() {
            url.push('?');
            url.push_str(&serde_urlencoded::to_string(query).unwrap_or_default());
        }
        url
    }

    /// GETs `url` and decodes its JSON; `signal` aborts it.
    pub async fn get_json<T: DeserializeOwned>(
        &self,
        url: &str,
        signal: Option<&web_sys::AbortSignal>,
    ) -> Result<T, ApiError> {
        let (text, status, request_id) = self.read(Request::get(url), None, signal).await?;
        decode(&text, status, request_id)
    }

    /// GETs `url` as text (CSV); `signal` aborts it.
    pub async fn get_text(
        &self,
        url: &str,
        signal: Option<&web_sys::AbortSignal>,
    ) -> Result<String, ApiError> {
        Ok(self.read(Request::get(url), None, signal).await?.0)
    }

    /// POSTs `body` as JSON to `url` and decodes the JSON answer.
    pub async fn post_json<B: serde::Serialize, T: DeserializeOwned>(
        &self,
        url: &str,
        body: &B,
    ) -> Result<T, ApiError> {
        let body = Some(serde_json::to_string(body));
        let (text, status, request_id) = self.read(Request::post(url), body, None).await?;
        decode(&text, status, request_id)
    }

    /// Sends a GET; a non-2xx answer becomes an [`ApiError`] from the contract's error body.
    pub async fn get(
        &self,
        url: &str,
        signal: Option<&web_sys::AbortSignal>,
    ) -> Result<(Response, Option<String>), ApiError> {
        Box::pin(self.send(Request::get(url), None, signal)).await
    }

    /// Sends the request and reads the whole answer as text.
    // Boxed and free of type parameters so the fetch is compiled once, not inlined into the
    // future of every caller: a smaller wasm.
    fn read<'a>(
        &'a self,
        req: gloo_net::http::RequestBuilder,
        body: Option<serde_json::Result<String>>,
        signal: Option<&'a web_sys::AbortSignal>,
    ) -> Pin<Box<dyn Future<Output = Result<Answer, ApiError>> + 'a>> {
        Box::pin(async move {
            let (resp, request_id) = self.send(req, body, signal).await?;
            match resp.text().await {
                Ok(text) => Ok((text, resp.status(), request_id)),
                Err(_) => Err(ApiError::unreadable(resp.status(), request_id)),
            }
        })
    }

    /// `body` is the request's JSON, or why it could not be made.
    async fn send(
        &self,
        req: gloo_net::http::RequestBuilder,
        body: Option<serde_json::Result<String>>,
        signal: Option<&web_sys::AbortSignal>,
    ) -> Result<(Response, Option<String>), ApiError> {
        let request_id = new_request_id();
        let mut req = req.header("X-Request-ID", &request_id).abort_signal(signal);
        if let Some(token) = &self.token {
            req = req.header("Authorization", &format!("Bearer {token}"));
        }
        let req = match body {
            Some(Ok(json)) => req.header("Content-Type", "application/json").body(json),
            Some(Err(e)) => Err(e.into()),
            None => req.build(),
        }
        .map_err(|_| {
            ApiError::local(
                "The request could not be prepared.",
                String::new(),
                Some(request_id.clone()),
            )
        })?;
        let resp = req.send().await.map_err(|_| {
            if signal.is_some_and(|s| s.aborted()) {
                ApiError::local(ABORTED, String::new(), Some(request_id.clone()))
            } else {
                ApiError::local(
                    "The usage service could not be reached.",
                    "Check your connection and try again.".to_owned(),
                    Some(request_id.clone()),
                )
            }
        })?;
        let request_id = Some(resp.headers().get("x-request-id").unwrap_or(request_id));
        if resp.ok() {
            return Ok((resp, request_id));
        }
        let status = resp.status();
        Err(match resp.json::<ErrorBody>().await {
            Ok(body) => ApiError {
                status,
                code: Some(body.code),
                message: body.message,
                description: body.description,
                fields: body.fields,
                request_id,
            },
            Err(_) => ApiError {
                status,
                code: None,
                message: format!("The usage service answered HTTP {status}."),
                description: String::new(),
                fields: Vec::new(),
                request_id,
            },
        })
    }
}

/// Decodes an answer's JSON; the only step of a call that depends on its type.
fn decode<T: DeserializeOwned>(
    text: &str,
    status: u16,
    request_id: Option<String>,
) -> Result<T, ApiError> {
    serde_json::from_str(text).map_err(|_| ApiError::unreadable(status, request_id))
}

/// GETs a JSON document without credentials (the portal's config).
pub async fn get_json_unauthenticated<T: DeserializeOwned>(url: &str) -> Result<T, ApiError> {
    let resp = Request::get(url)
        .send()
        .await
        .map_err(|_| ApiError::config(format!("{url} could not be loaded.")))?;
    if !resp.ok() {
        return Err(ApiError::config(format!(
            "{url} answered HTTP {}.",
            resp.status()
        )));
    }
    resp.json()
        .await
        .map_err(|e| ApiError::config(format!("{url} is not valid: {e}")))
}
