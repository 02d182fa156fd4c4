//! "Download CSV" for results small enough for the synchronous endpoint.

use crate::api::usage::usage_csv;
use crate::api::{ApiClient, ApiError};
use crate::components::error_view::ErrorView;
use leptos::prelude::*;
use leptos::task::spawn_local;
use usage_api::limits::CSV_MAX_RECORDS;
use usage_api::usage::UsageQuery;
use wasm_bindgen::JsCast;

/// Asks for the whole result of `q` as CSV and hands it to the browser as a file. In the release
/// build this runs in a wasm file of its own, fetched at the first click
/// ([`crate::lazy::download_csv`]).
pub async fn fetch_and_save(
    client: &ApiClient,
    realm: &str,
    q: &UsageQuery,
) -> Result<(), ApiError> {
    let name = usage_portal_core::usage_view::csv_file_name(realm, q);
    let text = usage_csv(client, realm, q, None).await?;
    save(&text, &name)
}

fn save(text: &str, filename: &str) -> Result<(), ApiError> {
    let fail = |_| ApiError::config("the browser refused to save the file".to_owned());
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type("text/csv;charset=utf-8");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts).map_err(fail)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(fail)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| fail(wasm_bindgen::JsValue::NULL))?;
    let a: web_sys::HtmlAnchorElement =
        document.create_element("a").map_err(fail)?.unchecked_into();
    a.set_href(&url);
    a.set_download(filename);
    a.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// A button that downloads the whole result as CSV, or says why it cannot.
#[component]
pub fn CsvDownload(
    /// The query to export (paging is ignored).
    query: UsageQuery,
    /// Records in the result.
    total: u64,
) -> impl IntoView {
    let client = expect_context::<ApiClient>();
    let crate::config::Realm(realm) = expect_context::<crate::config::Realm>();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let too_many = total > CSV_MAX_RECORDS;
    let download = move |_| {
        let (client, realm, q) = (client.clone(), realm.clone(), query.clone());
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            #[cfg(portal_split)]
            let result = match crate::lazy::download_csv(Box::new((client.clone(), realm, q))).await
            {
                Ok(download) => download.await,
                Err(_) => {
                    // Not the client's own error: told to the host here, as every other is.
                    let e = crate::lazy::unavailable("The download could not be started.");
                    client.report(&e);
                    Err(e)
                }
            };
            #[cfg(not(portal_split))]
            let result = fetch_and_save(&client, &realm, &q).await;
            busy.set(false);
            error.set(result.err());
        });
    };
    view! {
        <div class="up-download">
            <button type="button" class="up-button" on:click=download disabled=move || busy.get() || too_many aria-describedby="csv-help">
                {move || if busy.get() { "Preparing CSV…" } else { "Download CSV" }}
            </button>
            <span id="csv-help" class="up-help">
                {if too_many {
                    format!("More than {} records: create a report for this export.", crate::format::count(CSV_MAX_RECORDS))
                } else {
                    "The whole result, every page.".to_owned()
                }}
            </span>
            {move || error.get().map(|e| view! { <ErrorView error=e /> })}
        </div>
    }
}
