//! The Reports page: request a report, follow its status live, and save it to disk.

use crate::api::reports::create_report;
use crate::api::{ApiClient, ApiError};
use crate::components::checkbox_list::{CheckboxList, options_of};
use crate::components::download_progress::DownloadProgress;
use crate::components::error_view::ErrorView;
use crate::components::filter_bar::FilterBar;
use crate::components::report_row::ReportRow;
use crate::config::Realm;
use crate::hooks::report_download::use_report_download;
use crate::hooks::report_polling::use_report_polling;
use crate::state::{default_range, today_utc};
use leptos::prelude::*;
use leptos::task::spawn_local;
use usage_api::reports::Report;
use usage_api::usage::{QueryKind, UsageQuery};

pub use usage_portal_core::polling::next_delay_ms;

/// The Reports page.
#[component]
pub fn ReportsPage() -> impl IntoView {
    let client = expect_context::<ApiClient>();
    let Realm(realm) = expect_context::<Realm>();
    let polling = use_report_polling(client.clone(), realm.clone());
    let download = use_report_download(client.clone(), realm.clone());
    let create_error = RwSignal::new(None::<ApiError>);
    let selected_subs = RwSignal::new(Vec::<String>::new());
    let org = super::org_resource(client.clone());

    let today = today_utc();
    let (start, end) = default_range(today);
    let initial = UsageQuery::from_pairs(
        [
            ("startDate", start.to_string().as_str()),
            ("endDate", end.to_string().as_str()),
        ],
        QueryKind::Report,
    )
    .ok();
    let form_query = Signal::stored(initial.unwrap_or_else(|| unreachable_query(start, end)));
    let on_create = Callback::new(move |q: UsageQuery| {
        let (client, realm) = (client.clone(), realm.clone());
        let subs = selected_subs.get_untracked();
        create_error.set(None);
        spawn_local(async move {
            let subs = (!subs.is_empty()).then_some(subs);
            match create_report(&client, &realm, &q, subs).await {
                Ok(created) => polling.reload.run(Some(created.id)),
                Err(e) => {
                    create_error.try_set(Some(e));
                }
            }
        });
    });

    let sub_picker = move || {
        Suspend::new(async move {
            match org.await {
                Ok(o) if !o.sub_accounts.is_empty() => {
                    let options = o
                        .sub_accounts
                        .into_iter()
                        .map(|s| (s.realm_id.clone(), format!("{} ({})", s.name, s.realm_id)))
                        .collect();
                    view! { <CheckboxList legend="Sub-accounts (none chosen: this organization)" options=options_of(options) chosen=selected_subs /> }.into_any()
                }
                Ok(_) => ().into_any(),
                Err(e) => view! { <ErrorView error=e /> }.into_any(),
            }
        })
    };

    let busy = Signal::derive(move || download.active.with(Option::is_some));
    // Keyed by id: a poll that changes one report updates its row, not the table. A row reads
    // its report from the list, or, on the tick it leaves the list, as it was first shown.
    let row_of = move |first: Report| {
        let id = first.id.clone();
        Signal::derive(move || {
            polling
                .reports
                .with(|l| l.iter().find(|r| r.id == id).cloned())
                .unwrap_or_else(|| first.clone())
        })
    };
    let table = move || {
        if !polling.loaded.get() {
            return view! { <p class="up-status" role="status">"Loading reports…"</p> }.into_any();
        }
        if polling.reports.with(Vec::is_empty) {
            // A list that failed to load is not an empty one: the error above says so.
            if polling.error.with(Option::is_some) {
                return ().into_any();
            }
            return view! { <p class="up-empty" role="status">"No reports yet. Create one above."</p> }.into_any();
        }
        view! {
            <div class="up-table-wrap" tabindex="0" role="region" aria-label="Reports">
                <table class="up-table up-reports">
                    <caption class="up-visually-hidden">"Reports, newest first"</caption>
                    <thead><tr>
                        <th scope="col">"Report"</th>
                        <th scope="col">"Requested (UTC)"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col" class="num">"Records"</th>
                        <th scope="col" class="num">"Size"</th>
                        <th scope="col">"Parameters"</th>
                        <th scope="col">"File"</th>
                    </tr></thead>
                    <tbody>
                        <For each=move || polling.reports.get() key=|r| r.id.clone() let:report>
                            <ReportRow report=row_of(report) busy on_download=download.start />
                        </For>
                    </tbody>
                </table>
            </div>
        }
        .into_any()
    };

    view! {
        <section class="up-page" aria-labelledby="reports-title">
            <h1 id="reports-title">"Reports"</h1>
            <p class="up-help">"Large exports are generated in the background; follow them here and save them straight to disk."</p>
            <Transition fallback=|| view! { <p class="up-status" role="status">"Loading accounts…"</p> }>{sub_picker}</Transition>
            <FilterBar query=form_query today on_apply=on_create kind=QueryKind::Report submit_label="Create report" auto_apply=false />
            {move || create_error.get().map(|e| view! { <ErrorView error=e /> })}
            <h2>"Your reports"</h2>
            {move || download.active.get().map(|(id, _)| {
                let progress = Signal::derive(move || download.active.get().map(|(_, a)| a).unwrap_or_default());
                view! { <DownloadProgress id download=progress on_cancel=download.cancel /> }
            })}
            {move || download.notice.get().map(|n| view! { <p class="up-notice" role="status">{n}</p> })}
            {move || download.error.get().map(|e| view! { <ErrorView error=e /> })}
            {move || polling.error.get().map(|e| view! { <ErrorView error=e /> })}
            {table}
        </section>
    }
}

/// The default range always validates; this only keeps the code free of a panic path.
fn unreachable_query(start: usage_api::Timestamp, end: usage_api::Timestamp) -> UsageQuery {
    UsageQuery {
        start,
        end,
        time_zone: Default::default(),
        filters: Default::default(),
        detail: Default::default(),
        group_by: QueryKind::Report.default_group_by(),
        fields: None,
        limit: usage_api::limits::PAGE_LIMIT_DEFAULT,
        offset: 0,
    }
}
