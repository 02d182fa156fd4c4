//! Waits that end with their component: a page that polls must leave no timer behind when it
//! goes (the portal may be unmounted from a host page at any moment).

use leptos::prelude::*;
use send_wrapper::SendWrapper;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

type Pending = Rc<RefCell<Option<(i32, js_sys::Function)>>>;

/// Sleeps tied to the current owner: see [`use_sleep`].
#[derive(Clone)]
pub struct Sleep {
    // Wrapped so closures that hold a `Sleep` can live in `Callback`s, which must be `Send`.
    pending: SendWrapper<Pending>,
}

/// A [`Sleep`] whose pending timer is cleared when the current owner is cleaned up; a waiter
/// is then woken at once, so its loop can see that it should stop.
pub fn use_sleep() -> Sleep {
    let pending: Pending = Rc::default();
    let on_drop = SendWrapper::new(pending.clone());
    on_cleanup(move || wake(&on_drop));
    Sleep {
        pending: SendWrapper::new(pending),
    }
}

fn wake(pending: &Pending) {
    if let Some((id, resolve)) = pending.borrow_mut().take() {
        if let Some(w) = web_sys::window() {
            w.clear_timeout_with_handle(id);
        }
        let _ = resolve.call0(&JsValue::NULL);
    }
}

impl Sleep {
    /// Waits `ms` milliseconds, or until the owner is cleaned up.
    pub async fn ms(&self, ms: u32) {
        let pending: Pending = (*self.pending).clone();
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            if let Some(Ok(id)) = web_sys::window().map(|w| {
                w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms as i32)
            }) {
                *pending.borrow_mut() = Some((id, resolve));
                return;
            }
            let _ = resolve.call0(&JsValue::NULL);
        });
        let _ = JsFuture::from(promise).await;
        self.pending.borrow_mut().take();
    }
}
