//! The Usage page's rows: the table of the page asked for, each row with its records link,
//! whether it may still grow and its change against the earlier period, and the pager.

use crate::components::csv_download::CsvDownload;
use crate::components::error_view::ErrorView;
use crate::components::pager::Pager;
use crate::components::usage_table::UsageTable;
use crate::hooks::usage_data::{Comparison, UsageData};
use crate::state::query_string;
use leptos::prelude::*;
use usage_api::usage::{DetailLevel, UsagePage, UsageQuery};
use usage_portal_core::compare::Change;

/// The rows of `data`'s page, or why there are none.
#[component]
pub fn UsageResults(
    /// The query shown.
    query: Memo<UsageQuery>,
    /// Its figures.
    data: UsageData,
    /// The earlier period, if compared.
    comparison: Comparison,
    /// The address of the page at an offset.
    href: Callback<u32, String>,
) -> impl IntoView {
    let page = data.page;
    move || {
        page.with(|p| match p {
            None => view! { <p class="up-status" role="status">"Loading usage…"</p> }.into_any(),
            Some(Err(e)) => view! { <ErrorView error=e.clone() /> }.into_any(),
            Some(Ok(p)) if p.items.is_empty() => {
                let (offset, last_offset, total) = (p.offset, p.last_offset, p.total);
                view! {
                    <p class="up-empty" role="status">
                        {if total == 0 { "No usage in this range. Try a wider date range or fewer filters." } else { "This page is past the last page of results." }}
                    </p>
                    {(total > 0).then(|| view! { <Pager offset last_offset total href /> })}
                }
                .into_any()
            }
            Some(Ok(p)) => rows(query, data, comparison, href, p),
        })
    }
}

/// The table of a page with rows.
fn rows(
    query: Memo<UsageQuery>,
    data: UsageData,
    comparison: Comparison,
    href: Callback<u32, String>,
    p: &UsagePage,
) -> AnyView {
    let base = expect_context::<crate::config::BasePath>();
    let q = query.get_untracked();
    let (columns, detail, zone) = (q.columns(), q.detail, q.time_zone.name().to_owned());
    let record_links = p
        .items
        .iter()
        .map(|item| {
            usage_portal_core::drill::records_pairs(&q, item)
                .map(|pairs| format!("{}{}", base.href("/records"), query_string(&pairs)))
        })
        .collect::<Vec<_>>();
    // Which rows may still grow: their bucket ends after the answer was read.
    let filling = data
        .as_of
        .get_untracked()
        .and_then(|t| crate::format::local_of(t.unix(), &zone))
        .filter(|_| detail != DetailLevel::Summarized)
        .map(|as_of| {
            p.items
                .iter()
                .map(|i| {
                    usage_portal_core::freshness::still_filling(
                        q.detail,
                        i.usage_date_time.map(|b| b.local.naive()),
                        q.end.naive(),
                        as_of,
                    )
                })
                .collect::<Vec<_>>()
        });
    // Each row against its earlier self, once the earlier rows are here.
    let changes = comparison.rows.with(|e| match e {
        Some(Ok(Some(earlier))) => Some(
            p.items
                .iter()
                .map(|i| {
                    let now = i.usage_value.unwrap_or(usage_api::Quantity(0));
                    Change::of(now, earlier.0.before(&q, i))
                })
                .collect::<Vec<_>>(),
        ),
        _ => None,
    });
    let earlier_error = comparison.rows.with(|e| match e {
        Some(Err(e)) if e.status == 400 => Some(view! {
            <p class="up-notice" role="status">"The earlier period has too many records to compare row by row. Choose a coarser detail level or a shorter range."</p>
        }.into_any()),
        Some(Err(e)) => Some(view! { <ErrorView error=e.clone() /> }.into_any()),
        _ => None,
    });
    let unpaged = UsageQuery { offset: 0, ..q };
    view! {
        {earlier_error}
        <CsvDownload query=unpaged total=p.total />
        <UsageTable columns items=p.items.clone() detail caption="Usage records" zone record_links filling=filling.unwrap_or_default() changes />
        <Pager offset=p.offset last_offset=p.last_offset total=p.total href />
    }
    .into_any()
}
