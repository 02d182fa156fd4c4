//! An error, in words, with the request id to quote.

use crate::api::ApiError;
use leptos::prelude::*;

/// Shows an [`ApiError`] as an alert: what happened, what to check, and the request id. It only
/// shows: the host hears of errors from the client's [`crate::api::ErrorSink`].
#[component]
pub fn ErrorView(
    /// The error to show.
    error: ApiError,
) -> impl IntoView {
    let fields = error.fields.clone();
    view! {
        <div class="up-error" role="alert">
            <p class="up-error-message"><strong>{error.message.clone()}</strong> " " {error.description.clone()}</p>
            {(!fields.is_empty()).then(|| view! {
                <ul class="up-error-fields">
                    {fields.iter().map(|f| view! { <li><code>{f.name.clone()}</code> " " {f.description.clone()}</li> }).collect_view()}
                </ul>
            })}
            {error.request_id.clone().map(|id| view! {
                <p class="up-error-id">"Request id: " <code>{id}</code></p>
            })}
        </div>
    }
}
