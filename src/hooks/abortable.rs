//! A resource that aborts its previous request whenever its query changes or the owner goes,
//! so a slow answer to an old query never replaces a newer one (and the network is not kept
//! busy with it).

use leptos::prelude::*;
use usage_api::usage::UsageQuery;

/// Aborts the previous request when a new one starts, so a slow answer to an old query can
/// never replace a newer one (and the network is not kept busy with it).
#[derive(Default)]
struct Inflight(Option<web_sys::AbortController>);

impl Inflight {
    fn next(&mut self) -> Option<web_sys::AbortSignal> {
        self.cancel();
        let controller = web_sys::AbortController::new().ok()?;
        let signal = controller.signal();
        self.0 = Some(controller);
        Some(signal)
    }

    fn cancel(&mut self) {
        if let Some(old) = self.0.take() {
            old.abort();
        }
    }
}

/// `fetch(query, signal)` as a resource of `query`; the signal aborts the previous fetch.
pub fn use_abortable_resource<T: 'static, Fut>(
    query: Memo<UsageQuery>,
    fetch: impl Fn(UsageQuery, Option<web_sys::AbortSignal>) -> Fut + 'static,
) -> LocalResource<T>
where
    Fut: Future<Output = T> + 'static,
{
    let inflight = StoredValue::new_local(Inflight::default());
    on_cleanup(move || {
        inflight.try_update_value(Inflight::cancel);
    });
    LocalResource::new(move || {
        let q = query.get();
        let signal = inflight.try_update_value(Inflight::next).flatten();
        fetch(q, signal)
    })
}
