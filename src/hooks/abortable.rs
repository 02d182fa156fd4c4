//! A request that follows a query: when the query changes, the previous request is aborted and
//! a new one starts, so a slow answer to an old query never replaces a newer one (and the
//! network is not kept busy with it).
//!
//! A signal set when the answer arrives, not a `LocalResource` read under `<Transition>`: the
//! Usage page is where every visit starts, and each resource type costs the first load about
//! 3 KB of wasm (brotli) and its table a few async turns before it is drawn.

use leptos::prelude::*;
use std::rc::Rc;
use usage_api::usage::UsageQuery;

/// The request in flight; starting the next one aborts it.
#[derive(Default)]
struct Inflight {
    controller: Option<web_sys::AbortController>,
    /// Counts requests, so an answer that arrives after a newer request started is dropped.
    started: u64,
}

impl Inflight {
    fn next(&mut self) -> (u64, Option<web_sys::AbortSignal>) {
        self.cancel();
        self.started += 1;
        let controller = web_sys::AbortController::new().ok();
        let signal = controller.as_ref().map(web_sys::AbortController::signal);
        self.controller = controller;
        (self.started, signal)
    }

    fn cancel(&mut self) {
        if let Some(old) = self.controller.take() {
            old.abort();
        }
    }
}

/// `fetch(query, signal)`, run now and again whenever `query` changes; the returned signal is
/// `None` until the first answer, then the latest query's answer. The previous answer stays
/// until the next one arrives (as `<Transition>` keeps it), and an aborted or superseded request
/// never writes.
pub fn use_abortable_resource<T: 'static, Fut>(
    query: Memo<UsageQuery>,
    fetch: impl Fn(UsageQuery, Option<web_sys::AbortSignal>) -> Fut + 'static,
) -> ReadSignal<Option<T>, LocalStorage>
where
    Fut: Future<Output = T> + 'static,
{
    let (value, set_value) = signal_local(None::<T>);
    let inflight = StoredValue::new_local(Inflight::default());
    on_cleanup(move || {
        inflight.try_update_value(Inflight::cancel);
    });
    let fetch = Rc::new(fetch);
    let start = move |q: UsageQuery| {
        let Some((n, signal)) = inflight.try_update_value(Inflight::next) else {
            return;
        };
        let answer = fetch(q, signal);
        leptos::task::spawn_local(async move {
            let answer = answer.await;
            if inflight.try_with_value(|i| i.started) == Some(n) {
                set_value.try_set(Some(answer));
            }
        });
    };
    follow(query, Rc::new(start));
    value
}

/// Runs `start` with `query` now and again each time it changes. Not generic, so the effect is
/// one piece of code for every resource type rather than one per type.
fn follow(query: Memo<UsageQuery>, start: Rc<dyn Fn(UsageQuery)>) {
    // The first request starts now, not when effects first run after the page is drawn.
    start(query.get_untracked());
    Effect::new(move |ran: Option<()>| {
        let q = query.get();
        if ran.is_some() {
            start(q);
        }
    });
}
