//! The Reports, Billing and Record pages as code loaded on demand.
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
use crate::pages::reports::ReportsPage;
use leptos::prelude::*;
use leptos::wasm_split::{SplitLoaderError, wasm_split};
use send_wrapper::SendWrapper;
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

/// Shows the page `load` resolves to; says so in words when its code cannot be fetched.
fn on_demand<F>(load: fn() -> F) -> impl IntoView
where
    F: Future<Output = Result<AnyView, SplitLoaderError>> + 'static,
{
    let attempt = RwSignal::new(0_u32);
    // Taken while the component runs: after the fetch's await there may be no owner to ask.
    let client = use_context::<crate::api::ApiClient>();
    view! {
        // Suspense, not Transition: after "Try again" the page says it is loading again.
        <Suspense fallback=|| view! { <p class="up-status" role="status">"Loading the page…"</p> }>
            {move || {
                attempt.track();
                let client = client.clone();
                // The browser runs one thread: the future never leaves it.
                Suspend::new(SendWrapper::new(async move {
                    match load().await {
                        Ok(page) => page,
                        Err(_) => {
                            let error = ApiError::local(
                                "This page could not be loaded.",
                                "Check the connection, then try again.".to_owned(),
                                None,
                            );
                            if let Some(client) = &client {
                                client.report(&error);
                            }
                            view! {
                                <ErrorView error />
                                <button type="button" class="up-button" on:click=move |_| attempt.update(|n| *n += 1)>
                                    "Try again"
                                </button>
                            }
                            .into_any()
                        }
                    }
                }))
            }}
        </Suspense>
    }
}
