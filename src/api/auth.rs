//! Where the bearer token comes from: nowhere, a fixed token from `config.json` (local use), or
//! the embedding host page's `getToken()` callback, asked before every request and asked to
//! refresh once after a 401. The portal never stores a token (no localStorage, no URL).

use super::ApiError;
use crate::js::{object, settle};
use js_sys::Function;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use usage_api::ErrorCode;
use wasm_bindgen::JsValue;

/// How a client authenticates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenSource {
    /// No `Authorization` header.
    None,
    /// The same token on every request.
    Fixed(String),
    /// Asked of the host page's `getToken` before every request.
    Host(HostTokens),
}

impl TokenSource {
    /// The token for the next request; `refresh` asks the host for a new one because the last
    /// was refused.
    pub(crate) async fn token(&self, refresh: bool) -> Result<Option<String>, ApiError> {
        match self {
            Self::None => Ok(None),
            Self::Fixed(t) => Ok(Some(t.clone())),
            Self::Host(h) => h.get(refresh).await.map(Some),
        }
    }

    /// True when a refused token may be replaced by asking again.
    pub(crate) fn refreshable(&self) -> bool {
        matches!(self, Self::Host(_))
    }
}

thread_local! {
    // JS functions are not `Send`, and the client lives in Leptos context, which must be: the
    // client holds an id, the callback stays here on the one wasm thread.
    static CALLBACKS: RefCell<HashMap<u32, Function>> = RefCell::new(HashMap::new());
    static NEXT_ID: Cell<u32> = const { Cell::new(1) };
}

/// A host page's `getToken(context)` callback, registered for one mounted portal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostTokens(u32);

impl HostTokens {
    /// Registers `callback` until [`HostTokens::forget`].
    pub fn register(callback: Function) -> Self {
        let id = NEXT_ID.with(|n| {
            let id = n.get();
            n.set(id.wrapping_add(1));
            id
        });
        CALLBACKS.with_borrow_mut(|m| m.insert(id, callback));
        Self(id)
    }

    /// Drops the callback (on unmount), so the host's closure can be collected.
    pub fn forget(&self) {
        CALLBACKS.with_borrow_mut(|m| m.remove(&self.0));
    }

    /// Calls `getToken({ refresh })` and awaits the token it resolves to.
    async fn get(&self, refresh: bool) -> Result<String, ApiError> {
        let callback = CALLBACKS
            .with_borrow(|m| m.get(&self.0).cloned())
            .ok_or_else(|| no_token("The portal was unmounted.".to_owned()))?;
        let context = object(&[("refresh", JsValue::from_bool(refresh))]);
        let value = callback
            .call1(&JsValue::NULL, &context)
            .map_err(|e| no_token(reason(&e)))?;
        let value = settle(value).await.map_err(|e| no_token(reason(&e)))?;
        match value.as_string() {
            Some(t) if !t.trim().is_empty() => Ok(t),
            _ => Err(no_token(
                "getToken() did not resolve to a non-empty string.".to_owned(),
            )),
        }
    }
}

fn reason(e: &JsValue) -> String {
    crate::js::prop(e, "message")
        .as_string()
        .or_else(|| e.as_string())
        .unwrap_or_default()
}

fn no_token(description: String) -> ApiError {
    ApiError {
        kind: super::ErrorKind::Config,
        code: Some(ErrorCode::Unauthorized),
        ..ApiError::local(
            "You are signed out: the page could not provide a sign-in token.",
            description,
            None,
        )
    }
}
