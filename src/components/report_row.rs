//! One report in the Reports table.

use crate::format;
use leptos::prelude::*;
use usage_api::reports::{Report, ReportStatus};
use usage_portal_core::reports::{parameters_text, status_text};

/// A row of the Reports table: id, when requested, status, size, parameters and a Download
/// button (enabled once the report is completed and no other download is under way).
#[component]
pub fn ReportRow(
    /// The report, as the latest poll has it: the row updates in place when it changes.
    #[prop(into)]
    report: Signal<Report>,
    /// True while a download is under way (one at a time).
    #[prop(into)]
    busy: Signal<bool>,
    /// Called with the report when its Download button is pressed.
    on_download: Callback<Report>,
) -> impl IntoView {
    let r = move || report.get();
    let can_download = move || report.with(|r| r.status == ReportStatus::Completed);
    view! {
        <tr>
            <th scope="row">{move || r().id}</th>
            <td>{move || format::time_utc(r().created)}</td>
            <td class="up-report-status" data-status=move || r().status.as_str()>{move || status_text(&r())}</td>
            <td class="num">{move || r().row_count.map(format::count).unwrap_or_default()}</td>
            <td class="num">{move || r().byte_size.map(format::bytes).unwrap_or_default()}</td>
            <td class="up-params">{move || parameters_text(&r())}</td>
            <td>
                <button type="button" class="up-button up-button-subtle" aria-label=move || format!("Download {}", r().id)
                    disabled=move || !can_download() || busy.get()
                    on:click=move |_| on_download.run(report.get_untracked())>"Download"</button>
            </td>
        </tr>
    }
}
