//! The Reports, Billing, Record and Records pages as code loaded on demand.
//!
//! In the release build (`--cfg portal_split`, set by scripts/build-portal.sh) each of these
//! pages is a wasm file of its own, fetched the first time the page is shown: the Usage page,
//! where most visits start, loads about a fifth less code. scripts/post-build.sh splits the
//! module with `wasm-split-cli`.
//!
//! These are `wasm_split` points rather than Leptos' `#[lazy_route]`, because that one panics
//! when the fetch fails, and a panic stops the whole app. Here a failed fetch is an error on
//! the page, with a button to try again; nothing is remembered of a failed attempt.

use crate::api::ApiError;
use crate::components::error_view::ErrorView;
use crate::pages::billing::BillingPage;
use crate::pages::record::RecordPage;
use crate::pages::records::RecordsPage;
use crate::pages::reports::ReportsPage;
use leptos::prelude::*;
use leptos::reactive::computed::ScopedFuture;
use leptos::wasm_split::{SplitLoaderError, wasm_split};
use std::future::Future;

#[wasm_split(reports_page, wasm_split_path = ::leptos::wasm_split, fallible)]
fn reports_view() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <ReportsPage /> }.into_any())
}

#[wasm_split(billing_page, wasm_split_path = ::leptos::wasm_split, fallible)]
fn billing_view() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <BillingPage /> }.into_any())
}

#[wasm_split(record_page, wasm_split_path = ::leptos::wasm_split, fallible)]
fn record_view() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <RecordPage /> }.into_any())
}

#[wasm_split(records_page, wasm_split_path = ::leptos::wasm_split, fallible)]
fn records_view() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <RecordsPage /> }.into_any())
}

/// "Records behind this number", its code fetched when it is first shown.
#[component]
pub fn LazyRecordsPage() -> impl IntoView {
    on_demand(records_view)
}

/// The Reports page, its code fetched when it is first shown.
#[component]
pub fn LazyReportsPage() -> impl IntoView {
    on_demand(reports_view)
}

/// The Billing page, its code fetched when it is first shown.
#[component]
pub fn LazyBillingPage() -> impl IntoView {
    on_demand(billing_view)
}

/// The Record usage page, its code fetched when it is first shown.
#[component]
pub fn LazyRecordPage() -> impl IntoView {
    on_demand(record_view)
}

fn unavailable() -> ApiError {
    ApiError::local(
        "This page could not be loaded.",
        "Check the connection, then try again.".to_owned(),
        None,
    )
}

/// Shows the page `load` resolves to; says so in words when its code cannot be fetched.
///
/// A signal set when the code has arrived, not `<Suspense>`: this runs in the first load's
/// wasm, where Suspense and its boundary would cost about 3 KB (brotli) for one use.
fn on_demand<F>(load: fn() -> F) -> impl IntoView
where
    F: Future<Output = Result<AnyView, SplitLoaderError>> + 'static,
{
    let attempt = RwSignal::new(0_u32);
    // None while loading, then whether the page came.
    let arrived = RwSignal::new(None::<bool>);
    let page = StoredValue::new_local(None::<AnyView>);
    // Taken while the component runs: after the fetch's await there may be no owner to ask.
    let client = use_context::<crate::api::ApiClient>();
    Effect::new(move |_| {
        attempt.track();
        arrived.set(None);
        let client = client.clone();
        // The page's component runs inside the fetch's future, under this effect's owner, so
        // it finds the router and the client in context and is cleaned up with this view.
        let fetched = ScopedFuture::new_untracked(load());
        leptos::task::spawn_local(async move {
            match fetched.await {
                Ok(view) => {
                    page.try_set_value(Some(view));
                    arrived.try_set(Some(true));
                }
                Err(_) => {
                    if let Some(client) = &client {
                        client.report(&unavailable());
                    }
                    arrived.try_set(Some(false));
                }
            }
        });
    });
    move || match arrived.get() {
        None => view! { <p class="up-status" role="status">"Loading the page…"</p> }.into_any(),
        Some(true) => page
            .try_update_value(Option::take)
            .flatten()
            .unwrap_or_else(|| ().into_any()),
        Some(false) => view! {
            <ErrorView error=unavailable() />
            <button type="button" class="up-button" on:click=move |_| attempt.update(|n| *n += 1)>
                "Try again"
            </button>
        }
        .into_any(),
    }
}
