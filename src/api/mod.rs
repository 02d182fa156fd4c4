//! The typed client of the Usage API.

pub mod auth;
pub mod billing;
pub mod budgets;
pub mod download;
pub mod reports;
pub mod subscriptions;
pub mod usage;
pub mod views;

use auth::TokenSource;
use gloo_net::http::{Request, Response};
use serde::de::DeserializeOwned;
use std::fmt;
use std::pin::Pin;
use usage_api::{ErrorBody, ErrorCode, FieldError};

/// What kind of failure an [`ApiError`] is: code decides by this, never by the words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Cancelled on purpose (a newer request replaced it, the user cancelled): not shown.
    Aborted,
    /// No answer arrived: offline, the service down, a blocked cross-origin request.
    Network,
    /// The service answered with an error status (see `status` and `code`), or with a body
    /// the portal cannot read.
    Http,
    /// The portal's settings are missing or wrong.
    Config,
    /// The browser could not do what the portal asked (prepare a request, save a file, load a
    /// page's code).
    Local,
}

/// What went wrong with a call, in words a user can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// What kind of failure it is.
    pub kind: ErrorKind,
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
            kind: ErrorKind::Local,
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
        Self {
            kind: ErrorKind::Config,
            ..Self::local("The portal is not configured correctly.", description, None)
        }
    }

    /// A request cancelled on purpose.
    pub(crate) fn aborted(request_id: Option<String>) -> Self {
        Self {
            kind: ErrorKind::Aborted,
            ..Self::local("The request was cancelled.", String::new(), request_id)
        }
    }

    /// No answer from the service.
    pub(crate) fn network(request_id: Option<String>) -> Self {
        Self {
            kind: ErrorKind::Network,
            ..Self::local(
                "The usage service could not be reached.",
                "Check your connection and try again.".to_owned(),
                request_id,
            )
        }
    }

    pub(crate) fn unreadable(status: u16, request_id: Option<String>) -> Self {
        Self {
            kind: ErrorKind::Http,
            status,
            code: None,
            message: "The usage service sent an answer the portal does not understand.".to_owned(),
            description: String::new(),
            fields: Vec::new(),
            request_id,
        }
    }

    /// This error with `request_id` when it has none of its own.
    pub(crate) fn with_request_id(mut self, request_id: &str) -> Self {
        self.request_id.get_or_insert_with(|| request_id.to_owned());
        self
    }

    /// True when the user must sign in again (the host page could not supply a valid token).
    pub fn is_signed_out(&self) -> bool {
        self.code == Some(ErrorCode::Unauthorized)
    }

    /// True when the request was cancelled on purpose (a newer one replaced it).
    pub fn is_aborted(&self) -> bool {
        self.kind == ErrorKind::Aborted
    }
}

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

/// An answer older than this is not handed out: a page built later asks again.
const EARLY_ANSWER_MS: f64 = 10_000.0;

thread_local! {
    // GETs started before the page that needs them exists (the first page's data, asked for as
    // soon as config.json is read, while the app is still being built): the page's own request
    // for the same URL takes the answer instead of asking again. Each is taken once.
    static EARLY: std::cell::RefCell<Vec<EarlyAnswer>> = const { std::cell::RefCell::new(Vec::new()) };
}

struct EarlyAnswer {
    url: String,
    started: f64,
    answer: futures_channel::oneshot::Receiver<Result<Answer, ApiError>>,
}

/// The answer of the early GET of `url`, when one was started lately and not yet taken.
fn take_early(url: &str) -> Option<futures_channel::oneshot::Receiver<Result<Answer, ApiError>>> {
    let now = js_sys::Date::now();
    EARLY.with_borrow_mut(|early| {
        early.retain(|e| now - e.started < EARLY_ANSWER_MS);
        let i = early.iter().position(|e| e.url == url)?;
        Some(early.swap_remove(i).answer)
    })
}

/// Where a client's errors are reported (the host page, when the portal has one): the one
/// place errors leave the portal, so no view has to tell anyone while it renders.
#[derive(Clone)]
pub struct ErrorSink(std::sync::Arc<dyn Fn(&ApiError) + Send + Sync>);

impl ErrorSink {
    /// A sink calling `f` with each error.
    pub fn new(f: impl Fn(&ApiError) + Send + Sync + 'static) -> Self {
        Self(std::sync::Arc::new(f))
    }
}

impl fmt::Debug for ErrorSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ErrorSink")
    }
}

// Where errors go is not part of what a client is: two clients of one API and token are equal.
impl PartialEq for ErrorSink {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}
impl Eq for ErrorSink {}

/// Calls the Usage API with a bearer token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiClient {
    base: String,
    tokens: TokenSource,
    errors: Option<ErrorSink>,
}

impl ApiClient {
    /// A client for the API at `base` (an absolute URL without a trailing slash).
    pub fn new(base: &str, token: Option<String>) -> Self {
        Self::with_tokens(base, token.map_or(TokenSource::None, TokenSource::Fixed))
    }

    /// A client whose bearer tokens come from `tokens`.
    pub fn with_tokens(base: &str, tokens: TokenSource) -> Self {
        Self {
            base: base.to_owned(),
            tokens,
            errors: None,
        }
    }

    /// This client, reporting every error it returns (but a cancelled request) to `sink`.
    pub fn with_error_sink(mut self, sink: ErrorSink) -> Self {
        self.errors = Some(sink);
        self
    }

    /// This client without its sink: for requests whose failures are retried, not shown (the
    /// caller reports the one it shows).
    pub fn unreported(&self) -> Self {
        Self {
            errors: None,
            ..self.clone()
        }
    }

    /// Reports `error` to the client's sink: for an error of the portal's own (a file that
    /// could not be saved, a page that did not load), which no request returned.
    pub fn report(&self, error: &ApiError) {
        if let Some(sink) = self.errors.as_ref().filter(|_| !error.is_aborted()) {
            (sink.0)(error);
        }
    }

    fn reported<T>(&self, result: Result<T, ApiError>) -> Result<T, ApiError> {
        if let Err(e) = &result {
            self.report(e);
        }
        result
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
        let answer = self.read("GET", url, None, signal).await;
        self.reported(answer.and_then(|(text, status, id)| decode(&text, status, id)))
    }

    /// GETs `url` as text (CSV); `signal` aborts it.
    pub async fn get_text(
        &self,
        url: &str,
        signal: Option<&web_sys::AbortSignal>,
    ) -> Result<String, ApiError> {
        self.reported(self.read("GET", url, None, signal).await.map(|a| a.0))
    }

    /// POSTs `body` as JSON to `url` and decodes the JSON answer.
    pub async fn post_json<B: serde::Serialize, T: DeserializeOwned>(
        &self,
        url: &str,
        body: &B,
    ) -> Result<T, ApiError> {
        let body = Some(serde_json::to_string(body));
        let answer = self.read("POST", url, body, None).await;
        self.reported(answer.and_then(|(text, status, id)| decode(&text, status, id)))
    }

    /// PUTs `body` as JSON to `url`; the decoded answer and its status (201 created, 200
    /// replaced).
    pub async fn put_json<B: serde::Serialize, T: DeserializeOwned>(
        &self,
        url: &str,
        body: &B,
    ) -> Result<(T, u16), ApiError> {
        let body = Some(serde_json::to_string(body));
        let answer = self.read("PUT", url, body, None).await;
        self.reported(
            answer.and_then(|(text, status, id)| decode(&text, status, id).map(|t| (t, status))),
        )
    }

    /// DELETEs `url`; a 2xx answer (204) is success, its body ignored.
    pub async fn delete(&self, url: &str) -> Result<(), ApiError> {
        self.reported(self.read("DELETE", url, None, None).await.map(|_| ()))
    }

    /// Starts GETs of `urls` now; the first request of each URL in the next few seconds takes
    /// its answer instead of asking again. Failures are reported by that request, not here.
    pub fn start_early(&self, urls: Vec<String>) {
        for url in urls {
            let (tx, rx) = futures_channel::oneshot::channel();
            EARLY.with_borrow_mut(|early| {
                early.push(EarlyAnswer {
                    url: url.clone(),
                    started: js_sys::Date::now(),
                    answer: rx,
                });
            });
            let client = self.unreported();
            wasm_bindgen_futures::spawn_local(async move {
                let answer = client.fetch_text("GET", &url, None, None).await;
                let _ = tx.send(answer);
            });
        }
    }

    /// Sends a GET; a non-2xx answer becomes an [`ApiError`] from the contract's error body.
    pub async fn get(
        &self,
        url: &str,
        signal: Option<&web_sys::AbortSignal>,
    ) -> Result<(Response, Option<String>), ApiError> {
        self.reported(Box::pin(self.send("GET", url, None, signal)).await)
    }

    /// Sends the request and reads the whole answer as text.
    // Boxed and free of type parameters so the fetch is compiled once, not inlined into the
    // future of every caller: a smaller wasm.
    fn read<'a>(
        &'a self,
        method: &'static str,
        url: &'a str,
        body: Option<serde_json::Result<String>>,
        signal: Option<&'a web_sys::AbortSignal>,
    ) -> Pin<Box<dyn Future<Output = Result<Answer, ApiError>> + 'a>> {
        Box::pin(async move {
            if method == "GET"
                && let Some(early) = take_early(url)
                && let Ok(answer) = early.await
            {
                return answer;
            }
            self.fetch_text(method, url, body, signal).await
        })
    }

    /// Sends the request and reads the whole answer as text, always over the network.
    fn fetch_text<'a>(
        &'a self,
        method: &'static str,
        url: &'a str,
        body: Option<serde_json::Result<String>>,
        signal: Option<&'a web_sys::AbortSignal>,
    ) -> Pin<Box<dyn Future<Output = Result<Answer, ApiError>> + 'a>> {
        Box::pin(async move {
            let (resp, request_id) = self.send(method, url, body.as_ref(), signal).await?;
            match resp.text().await {
                Ok(text) => Ok((text, resp.status(), request_id)),
                Err(_) => Err(ApiError::unreadable(resp.status(), request_id)),
            }
        })
    }

    /// `body` is the request's JSON, or why it could not be made.
    async fn send(
        &self,
        method: &str,
        url: &str,
        body: Option<&serde_json::Result<String>>,
        signal: Option<&web_sys::AbortSignal>,
    ) -> Result<(Response, Option<String>), ApiError> {
        let request_id = new_request_id();
        // A host's token may have expired since it was handed out: after a 401 the host is
        // asked once for a fresh one before the user is told to sign in again.
        let mut refresh = false;
        let resp = loop {
            let token = self
                .tokens
                .token(refresh)
                .await
                .map_err(|e| e.with_request_id(&request_id))?;
            let resp = self
                .send_once(method, url, token.as_deref(), body, signal, &request_id)
                .await?;
            if resp.status() == 401 && !refresh && self.tokens.refreshable() {
                refresh = true;
                continue;
            }
            break resp;
        };
        let request_id = Some(resp.headers().get("x-request-id").unwrap_or(request_id));
        if resp.ok() {
            return Ok((resp, request_id));
        }
        let status = resp.status();
        let mut error = match resp.json::<ErrorBody>().await {
            Ok(body) => ApiError {
                kind: ErrorKind::Http,
                status,
                code: Some(body.code),
                message: body.message,
                description: body.description,
                fields: body.fields,
                request_id,
            },
            Err(_) => ApiError {
                kind: ErrorKind::Http,
                status,
                code: None,
                message: format!("The usage service answered HTTP {status}."),
                description: String::new(),
                fields: Vec::new(),
                request_id,
            },
        };
        if status == 401 && self.tokens.refreshable() {
            error.message = SIGNED_OUT.to_owned();
            error.description = "Sign in again, then retry.".to_owned();
        }
        Err(error)
    }

    async fn send_once(
        &self,
        method: &str,
        url: &str,
        token: Option<&str>,
        body: Option<&serde_json::Result<String>>,
        signal: Option<&web_sys::AbortSignal>,
        request_id: &str,
    ) -> Result<Response, ApiError> {
        let unprepared = || {
            ApiError::local(
                "The request could not be prepared.",
                String::new(),
                Some(request_id.to_owned()),
            )
        };
        let req = match method {
            "POST" => Request::post(url),
            "PUT" => Request::put(url),
            "DELETE" => Request::delete(url),
            _ => Request::get(url),
        };
        let mut req = req.header("X-Request-ID", request_id).abort_signal(signal);
        if let Some(token) = token {
            req = req.header("Authorization", &format!("Bearer {token}"));
        }
        let req = match body {
            Some(Ok(json)) => req
                .header("Content-Type", "application/json")
                .body(json.as_str()),
            Some(Err(_)) => return Err(unprepared()),
            None => req.build(),
        }
        .map_err(|_| unprepared())?;
        req.send().await.map_err(|_| {
            if signal.is_some_and(|s| s.aborted()) {
                ApiError::aborted(Some(request_id.to_owned()))
            } else {
                ApiError::network(Some(request_id.to_owned()))
            }
        })
    }
}

/// The message of a 401 that a refreshed token did not cure.
pub const SIGNED_OUT: &str = "You are signed out: your sign-in has expired.";

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
    let text = resp
        .text()
        .await
        .map_err(|_| ApiError::config(format!("{url} could not be read.")))?;
    // Said from the error's kind and place, not its Display: that would bring float printing
    // (for "invalid type: floating point …") into the first load for this one message.
    serde_json::from_str(&text).map_err(|e| {
        let at = format!("line {}, column {}", e.line(), e.column());
        ApiError::config(if e.is_data() {
            format!(
                "{url} does not hold the expected settings ({at}): \"realm\" is required text; \
                 \"apiBase\", \"token\" and \"basePath\" are optional text."
            )
        } else {
            format!("{url} is not valid JSON ({at}).")
        })
    })
}
