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
    /// Whether the latest request is still waiting for its answer.
    busy: bool,
}

impl Inflight {
    fn next(&mut self) -> (u64, Option<web_sys::AbortSignal>) {
        self.cancel();
        self.started += 1;
        self.busy = true;
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

/// Options of [`use_abortable_resource_with_options`].
#[derive(Clone, Copy, Default)]
pub struct AbortableOptions {
    /// Asks for the same query again each time this changes (a live refresh), unless the
    /// last request is still waiting: that tick is skipped, so there are never two at once.
    /// None by default.
    pub refresh: Option<Signal<u64>>,
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
    build(query, fetch, None, |_, _| false)
}

/// [`use_abortable_resource`], refreshed as `options` say. A refreshed answer equal to the
/// one shown is not written, so nothing on the page is drawn again (the reader's focus and
/// scroll stay where they are).
pub fn use_abortable_resource_with_options<T: PartialEq + 'static, Fut>(
    query: Memo<UsageQuery>,
    fetch: impl Fn(UsageQuery, Option<web_sys::AbortSignal>) -> Fut + 'static,
    options: AbortableOptions,
) -> ReadSignal<Option<T>, LocalStorage>
where
    Fut: Future<Output = T> + 'static,
{
    build(query, fetch, options.refresh, |a, b| a == b)
}

fn build<T: 'static, Fut>(
    query: Memo<UsageQuery>,
    fetch: impl Fn(UsageQuery, Option<web_sys::AbortSignal>) -> Fut + 'static,
    refresh: Option<Signal<u64>>,
    same: fn(&T, &T) -> bool,
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
    let start = move |q: UsageQuery, refreshing: bool| {
        if refreshing && inflight.try_with_value(|i| i.busy) != Some(false) {
            return;
        }
        let Some((n, signal)) = inflight.try_update_value(Inflight::next) else {
            return;
        };
        let answer = fetch(q, signal);
        leptos::task::spawn_local(async move {
            let answer = answer.await;
            if inflight.try_with_value(|i| i.started) == Some(n) {
                inflight.try_update_value(|i| i.busy = false);
                let unchanged = value
                    .try_with_untracked(|v| v.as_ref().is_some_and(|old| same(old, &answer)))
                    .unwrap_or(false);
                if !unchanged {
                    set_value.try_set(Some(answer));
                }
            }
        });
    };
    follow(query, refresh, Rc::new(start));
    value
}

/// Runs `start` with `query` now and again each time it changes, and (as a refresh) each time
/// `refresh` does. Not generic, so the effects are one piece of code for every resource type
/// rather than one per type.
fn follow(
    query: Memo<UsageQuery>,
    refresh: Option<Signal<u64>>,
    start: Rc<dyn Fn(UsageQuery, bool)>,
) {
    // The first request starts now, not when effects first run after the page is drawn.
    start(query.get_untracked(), false);
    let on_change = start.clone();
    Effect::new(move |ran: Option<()>| {
        let q = query.get();
        if ran.is_some() {
            on_change(q, false);
        }
    });
    if let Some(refresh) = refresh {
        Effect::new(move |ran: Option<()>| {
            refresh.track();
            if ran.is_some() {
                start(query.get_untracked(), true);
            }
        });
    }
}
