//! How far a download is, with a way to cancel it.

use crate::format;
use crate::hooks::report_download::ActiveDownload;
use leptos::prelude::*;

/// A progress bar and the bytes, total, percent and rate of the download of `id`, with a
/// Cancel button.
#[component]
pub fn DownloadProgress(
    /// What is being downloaded (the report id).
    #[prop(into)]
    id: String,
    /// How far it is.
    #[prop(into)]
    download: Signal<ActiveDownload>,
    /// Called when the user cancels.
    on_cancel: Callback<()>,
) -> impl IntoView {
    let text = move || match download.get().progress {
        Some(p) => format!(
            "{id}: {}{}{} · {}/s",
            format::bytes(p.bytes),
            p.total
                .map(|t| format!(" of {}", format::bytes(t)))
                .unwrap_or_default(),
            p.percent()
                .map(|x| format!(" ({}%)", x.round() as u64))
                .unwrap_or_default(),
            format::bytes(p.rate() as u64)
        ),
        None => format!("{id}: starting…"),
    };
    // Whole percents: an f64 attribute would link float formatting into the wasm.
    let percent = move || {
        download
            .get()
            .progress
            .and_then(|p| p.percent())
            .map_or(0, |x| x.round() as u32)
    };
    view! {
        <div class="up-download-progress" role="status">
            <progress max="100" value=percent aria-label="Download progress"></progress>
            <span>{text}</span>
            <button type="button" class="up-button up-button-subtle" on:click=move |_| on_cancel.run(())>"Cancel download"</button>
        </div>
    }
}
