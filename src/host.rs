//! The DOM events through which the portal tells its host page what happens: their names, the
//! target they are dispatched on (in context), and `emit`. It depends on nothing above it: app,
//! pages, components and `embed` (which only mounts) all use it.

use crate::api::ApiError;
use crate::js::object;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::JsValue;

/// Sent when the portal shows another page; `detail`: `{ path, search }` (the full path, base
/// path included).
pub const NAVIGATE: &str = "usage-portal:navigate";
/// Sent when a report the user is watching has finished; `detail`: `{ reportId, realmId }`.
pub const REPORT_READY: &str = "usage-portal:report-ready";
/// Sent the first time in a session (the tab's `sessionStorage`) the portal sees a budget past
/// an alert level (again when it passes a higher one, or in a new month); `detail`:
/// `{ budgetId, state, percent }` (`state`: `warning` or `exceeded`; `percent` of the
/// threshold, one decimal).
pub const BUDGET: &str = "usage-portal:budget";
/// Sent when the portal shows an error; `detail`: `{ status, code, message, description,
/// requestId, signedOut }`.
pub const ERROR: &str = "usage-portal:error";

/// Where the portal's events are dispatched (the element it is mounted in), provided in context.
#[derive(Clone, Debug)]
pub struct HostEvents(SendWrapper<web_sys::EventTarget>);

impl HostEvents {
    /// Events dispatched on `target`; they bubble, and cross shadow roots.
    pub fn new(target: web_sys::EventTarget) -> Self {
        Self(SendWrapper::new(target))
    }

    /// Dispatches `name` with `detail`.
    pub fn emit(&self, name: &str, detail: &JsValue) {
        let init = web_sys::CustomEventInit::new();
        init.set_bubbles(true);
        init.set_composed(true);
        init.set_detail(detail);
        if let Ok(event) = web_sys::CustomEvent::new_with_event_init_dict(name, &init) {
            let _ = self.0.dispatch_event(&event);
        }
    }

    /// Tells the host about an error the user is shown.
    pub fn error(&self, error: &ApiError) {
        let opt = |s: Option<&str>| s.map_or(JsValue::NULL, JsValue::from_str);
        self.emit(
            ERROR,
            &object(&[
                ("status", JsValue::from(error.status)),
                ("code", opt(error.code.map(|c| c.as_str()))),
                ("message", JsValue::from_str(&error.message)),
                ("description", JsValue::from_str(&error.description)),
                ("requestId", opt(error.request_id.as_deref())),
                ("signedOut", JsValue::from_bool(error.is_signed_out())),
            ]),
        );
    }
}

/// Sends `name` with `detail` to the host, if the portal has one in context.
pub fn emit(name: &str, detail: &[(&str, JsValue)]) {
    if let Some(events) = use_context::<HostEvents>() {
        events.emit(name, &object(detail));
    }
}
