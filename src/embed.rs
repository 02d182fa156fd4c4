//! Embedding in a host page: `mount(element, options)` for JavaScript (the `<usage-portal>`
//! element of `embed.js` calls it). The events the portal sends its host are in
//! [`crate::host`] (re-exported here for the host's documentation).

use crate::api::ApiClient;
use crate::api::auth::{HostTokens, TokenSource};
use crate::app::Portal;
use crate::config::{BasePath, document_base, resolve};
use crate::js::prop;
use leptos::prelude::*;
use std::any::Any;
use wasm_bindgen::prelude::*;

pub use crate::host::{ERROR, HostEvents, NAVIGATE, REPORT_READY, emit};

/// A mounted portal; `unmount()` removes it with every node, listener and timer it made.
#[wasm_bindgen]
pub struct Mounted {
    view: Option<Box<dyn Any>>,
    owner: Option<Owner>,
    tokens: Option<HostTokens>,
}

#[wasm_bindgen]
impl Mounted {
    /// Removes the portal from the page. Calling it again does nothing.
    pub fn unmount(&mut self) {
        self.view.take();
        // Dropping the handle removes the nodes, but its owner lives on while a pending task
        // holds it; cleaning up our parent owner runs every cleanup now (aborted requests,
        // cleared timers, the router's window listeners removed).
        if let Some(owner) = self.owner.take() {
            owner.cleanup();
        }
        if let Some(tokens) = self.tokens.take() {
            tokens.forget();
        }
    }
}

fn string_option(options: &JsValue, key: &str) -> Result<Option<String>, JsError> {
    let value = prop(options, key);
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    value
        .as_string()
        .map(Some)
        .ok_or_else(|| JsError::new(&format!("Usage Portal: options.{key} must be a string.")))
}

/// Mounts the portal inside `element`. `options`: `apiBase` (the API's URL, required), `realm`
/// (required), `basePath` (the path the portal's pages live under, default the root) and
/// `getToken` (an async function `({ refresh }) => token`, asked before every request and with
/// `refresh: true` once after a 401). Throws an `Error` that says what is wrong with `options`.
#[wasm_bindgen]
pub fn mount(element: web_sys::HtmlElement, options: JsValue) -> Result<Mounted, JsError> {
    crate::init();
    let api_base = string_option(&options, "apiBase")?
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| JsError::new("Usage Portal: options.apiBase is required."))?;
    let realm = string_option(&options, "realm")?
        .ok_or_else(|| JsError::new("Usage Portal: options.realm is required."))?;
    usage_api::usage::validate_realm_id(&realm)
        .map_err(|e| JsError::new(&format!("Usage Portal: options.realm {}", e.description)))?;
    let base = BasePath::new(&string_option(&options, "basePath")?.unwrap_or_default());
    let api_base = resolve(&api_base, &document_base())
        .map_err(|e| JsError::new(&format!("Usage Portal: options.apiBase {}", e.description)))?;
    let get_token = prop(&options, "getToken");
    let tokens = if get_token.is_undefined() || get_token.is_null() {
        None
    } else {
        let f = get_token
            .dyn_into::<js_sys::Function>()
            .map_err(|_| JsError::new("Usage Portal: options.getToken must be a function."))?;
        Some(HostTokens::register(f))
    };
    let source = tokens.clone().map_or(TokenSource::None, TokenSource::Host);
    let client = ApiClient::with_tokens(api_base.trim_end_matches('/'), source);
    let events = HostEvents::new(element.clone().into());
    // The host page's language: the element's own `lang` or its nearest ancestor's.
    let host_lang = element
        .closest("[lang]")
        .ok()
        .flatten()
        .and_then(|e| e.get_attribute("lang"))
        .filter(|l| !l.is_empty());
    let owner = Owner::new();
    let handle = owner.with(|| {
        leptos::mount::mount_to(element, move || {
            view! { <Portal client realm base events=Some(events) host_lang /> }
        })
    });
    Ok(Mounted {
        view: Some(Box::new(handle)),
        owner: Some(owner),
        tokens,
    })
}
